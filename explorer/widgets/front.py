"""The graph in the viewer, a widget whose page talks back to Python (anywidget): its nodes can
be clicked. (The attention heatmap's clickable image is ``attention.HeatmapImage``; the panels'
clickable SVG is ``panels.ClickableSvg``.)

It draws what Python gives it and reports clicks; all logic stays in Python. The JavaScript
is plain code inlined here (the viewer is ``explorer/viewer/``, shared with the exported HTML):
nothing is built, nothing is fetched from a network.
"""

from __future__ import annotations

import anywidget
import traitlets

from .. import layout, svg
from ..graph import GraphView
from ..playback import backward_json
from ..viewer import viewer_script
from .args import need, need_pass
from .theme import STYLESHEET

__all__ = ["SvgGraph", "show"]


_VIEWER_JS = viewer_script()


class SvgGraph(anywidget.AnyWidget):
    """A graph in the viewer (``explorer/viewer/``): opens fitted to its panel, pans and
    zooms, and reports clicks on nodes by their ids. The title, notes and legend sit above and
    below the moving canvas, so they stay in sight."""

    svg = traitlets.Unicode("").tag(sync=True)  # the canvas: explorer.svg.canvas_svg
    title = traitlets.Unicode("").tag(sync=True)
    notes = traitlets.List(traitlets.Unicode(), default_value=[]).tag(sync=True)
    legend = traitlets.Unicode("").tag(sync=True)  # explorer.svg.legend_svg
    selected = traitlets.Unicode("").tag(sync=True)
    highlight = traitlets.List(traitlets.Unicode(), default_value=[]).tag(sync=True)
    #: The backward script of the picture (``explorer.playback``'s JSON; "" for none): the
    #: viewer plays it in the page, with no round trip to the kernel.
    backward = traitlets.Unicode("").tag(sync=True)
    #: The id of the last node clicked, and a counter so that a second click on the same
    #: node is seen too.
    clicked = traitlets.Unicode("").tag(sync=True)
    clicks = traitlets.Int(0).tag(sync=True)
    #: The canvas's height as fractions of the window's: at least ``min_height``, at most
    #: ``max_height`` (presenter mode gives the graph most of a projector's screen).
    min_height = traitlets.Float(0.0).tag(sync=True)
    max_height = traitlets.Float(0.7).tag(sync=True)

    _esm = (
        _VIEWER_JS
        + """
function render({ model, el }) {
  el.classList.add("microgpt-svg");
  const options = {
    onNodeClick: (id) => {
      model.set("clicked", id);
      model.set("clicks", model.get("clicks") + 1);
      model.save_changes();
    },
  };
  const heights = () => {
    options.minHeight = Math.max(240, model.get("min_height") * window.innerHeight);
    options.maxHeight = model.get("max_height") * window.innerHeight;
  };
  heights();
  window.addEventListener("resize", heights);
  const viewer = microgptViewer(el, options);
  const part = (parent, cls) => {
    const div = document.createElement("div");
    div.className = cls;
    parent.appendChild(div);
    return div;
  };
  const title = part(viewer.header, "microgpt-viewer-title");
  const notes = part(viewer.header, "microgpt-viewer-notes");
  const legend = part(viewer.footer, "microgpt-viewer-legend");
  function texts() {
    title.textContent = model.get("title");
    notes.replaceChildren(...model.get("notes").map((n) => {
      const line = document.createElement("div");
      line.textContent = n;
      return line;
    }));
    legend.innerHTML = model.get("legend");
  }
  // A selection that is not in the picture shown (an attention cell asks for the head's
  // scope and the weight at once) is brought into view when the next picture is drawn.
  let pending = false;
  function draw() {
    viewer.setSvg(model.get("svg"));  // opens fitted
    texts();
    viewer.highlight(model.get("highlight"));
    viewer.setBackward(model.get("backward"));
    const found = viewer.select(model.get("selected") || null, { reveal: pending });
    if (found) pending = false;
  }
  model.on("change:svg", draw);
  model.on("change:title", texts);
  model.on("change:notes", texts);
  model.on("change:legend", texts);
  model.on("change:selected", () => {
    const id = model.get("selected") || null;
    pending = !viewer.select(id) && id !== null;
  });
  model.on("change:highlight", () => viewer.highlight(model.get("highlight")));
  model.on("change:backward", () => viewer.setBackward(model.get("backward")));
  const refit = () => {
    heights();
    draw();  // the canvas takes its new height and the picture is fitted to it
  };
  model.on("change:min_height", refit);
  model.on("change:max_height", refit);
  draw();
  return () => {
    window.removeEventListener("resize", heights);
    viewer.destroy();
  };
}
export default { render };
"""
    )
    # colours from JupyterLab's theme, and the dashboard's high contrast (explorer.widgets.theme)
    _css = (
        """
.microgpt-viewer-title { font-weight: bold; font-size: 1.05em; overflow-wrap: anywhere; }
.microgpt-viewer-notes { font-size: 0.9em; overflow-wrap: anywhere; }
.microgpt-viewer-legend svg { max-width: 100%; height: auto; }
"""
        + STYLESHEET
    )

    def show_view(self, view, lay=None, backward: str | None = None) -> None:
        """Draw ``view`` (a ``GraphView``): graphviz lays it out, ``explorer.svg`` draws it;
        every trait is sent to the page in one message. ``backward``: the JSON of its
        ``explorer.playback`` script (or set the ``backward`` trait after drawing)."""
        takes = "a GraphView (e.g. explorer.overview(fp))"
        need(GraphView, "SvgGraph.show_view(view)", takes, view)
        lay = lay or layout.layout(view)
        head = svg.header_lines(view)
        with self.hold_sync():
            self.title = head[0]
            self.notes = head[1:]
            self.legend = svg.legend_svg(view, lay.scales)
            self.svg = svg.canvas_svg(view, lay)
            self.backward = backward or ""


def show(view, fp=None) -> SvgGraph:
    """A ``GraphView`` in the viewer (fitted, pan and zoom, title and legend in sight)::

    from explorer import ForwardPass, overview
    from explorer.widgets import show
    fp = ForwardPass("emma")
    show(overview(fp), fp)  # with fp: the backward player's controls too

    With the pass ``fp`` the view was built from, the viewer can play backward on it
    (``explorer.playback``).
    """
    need(GraphView, "show(view)", "a GraphView (e.g. explorer.overview(fp))", view)
    need_pass(fp, "show(fp)", none_ok=True)  # the pass the view was built from
    widget = SvgGraph()
    widget.show_view(view, backward=backward_json(fp, view) if fp is not None else None)
    return widget
