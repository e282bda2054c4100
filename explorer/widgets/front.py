"""The two widgets whose page must talk back to Python (anywidget): an SVG graph whose nodes
can be clicked, and an image whose cells can be clicked (the attention heatmap).

They draw what Python gives them and report clicks; all logic stays in Python. The JavaScript
is plain ES modules inlined here: nothing is built, nothing is fetched from a network.
"""

from __future__ import annotations

import anywidget
import traitlets

__all__ = ["ClickableImage", "SvgGraph"]


class SvgGraph(anywidget.AnyWidget):
    """An SVG (from graphviz) whose ``g.node`` elements report clicks by their ``<title>``."""

    svg = traitlets.Unicode("").tag(sync=True)
    selected = traitlets.Unicode("").tag(sync=True)
    highlight = traitlets.List(traitlets.Unicode(), default_value=[]).tag(sync=True)
    #: The title of the last node clicked, and a counter so that a second click on the same
    #: node is seen too.
    clicked = traitlets.Unicode("").tag(sync=True)
    clicks = traitlets.Int(0).tag(sync=True)

    _esm = """
function render({ model, el }) {
  el.classList.add("microgpt-svg");
  const box = document.createElement("div");
  box.className = "microgpt-svg-box";
  el.appendChild(box);
  const title = (g) => {
    const t = g.querySelector(":scope > title");
    return t ? t.textContent : null;
  };
  function mark() {
    const sel = model.get("selected");
    const hi = new Set(model.get("highlight"));
    box.querySelectorAll("g.node").forEach((g) => {
      const name = title(g);
      g.classList.toggle("microgpt-selected", name === sel);
      g.classList.toggle("microgpt-highlight", hi.has(name));
    });
  }
  function draw() {
    const text = model.get("svg");
    const start = text.indexOf("<svg");
    box.innerHTML = start >= 0 ? text.slice(start) : text;
    box.querySelectorAll("g.node").forEach((g) => {
      const name = title(g);
      if (name === null) return;
      g.style.cursor = "pointer";
      g.addEventListener("click", (event) => {
        event.stopPropagation();
        model.set("clicked", name);
        model.set("clicks", model.get("clicks") + 1);
        model.save_changes();
      });
    });
    mark();
  }
  model.on("change:svg", draw);
  model.on("change:selected", mark);
  model.on("change:highlight", mark);
  draw();
}
export default { render };
"""
    _css = """
.microgpt-svg-box { overflow: auto; max-height: 72vh; border: 1px solid #ddd; background: #fff; }
.microgpt-svg-box svg { display: block; }
.microgpt-svg-box g.node.microgpt-selected polygon,
.microgpt-svg-box g.node.microgpt-selected ellipse { stroke: #e08214; stroke-width: 5px; }
.microgpt-svg-box g.node.microgpt-highlight polygon,
.microgpt-svg-box g.node.microgpt-highlight ellipse { stroke: #1b7837; stroke-width: 5px; }
.microgpt-svg-box g.node:hover polygon, .microgpt-svg-box g.node:hover ellipse { stroke: #e08214; }
"""


class ClickableImage(anywidget.AnyWidget):
    """A PNG whose grid of cells reports clicks as ``[row, column]``.

    ``grid`` gives the cells' box as fractions of the image (``left``, ``top``, ``right``,
    ``bottom``, from the top-left corner) and their ``rows`` and ``cols``.
    """

    png = traitlets.Unicode("").tag(sync=True)  # base64
    grid = traitlets.Dict({}).tag(sync=True)
    #: A row outlined over the image (-1: none), drawn by the page: moving it costs no redraw.
    highlight_row = traitlets.Int(-1).tag(sync=True)
    cell = traitlets.List(traitlets.Int(), default_value=[]).tag(sync=True)
    clicks = traitlets.Int(0).tag(sync=True)

    _esm = """
function render({ model, el }) {
  el.classList.add("microgpt-image");
  const frame = document.createElement("div");
  frame.style.position = "relative";
  frame.style.display = "inline-block";
  const img = document.createElement("img");
  img.style.maxWidth = "100%";
  img.style.cursor = "crosshair";
  img.style.display = "block";
  const band = document.createElement("div");
  band.className = "microgpt-row-highlight";
  band.style.position = "absolute";
  band.style.pointerEvents = "none";
  band.style.border = "3px solid #e08214";
  band.style.boxSizing = "border-box";
  frame.appendChild(img);
  frame.appendChild(band);
  el.appendChild(frame);
  const outline = () => {
    const g = model.get("grid");
    img.dataset.grid = JSON.stringify(g || {});  // where the cells are, for tests and tools
    const row = model.get("highlight_row");
    if (!g || !g.rows || row < 0 || row >= g.rows) { band.style.display = "none"; return; }
    const h = (g.bottom - g.top) / g.rows;
    band.style.display = "block";
    band.style.left = (100 * g.left) + "%";
    band.style.width = (100 * (g.right - g.left)) + "%";
    band.style.top = (100 * (g.top + row * h)) + "%";
    band.style.height = (100 * h) + "%";
  };
  const draw = () => { img.src = "data:image/png;base64," + model.get("png"); outline(); };
  model.on("change:highlight_row", outline);
  model.on("change:grid", outline);
  img.addEventListener("click", (event) => {
    const g = model.get("grid");
    if (!g || !g.rows) return;
    const box = img.getBoundingClientRect();
    const x = (event.clientX - box.left) / box.width;
    const y = (event.clientY - box.top) / box.height;
    if (x < g.left || x > g.right || y < g.top || y > g.bottom) return;
    const col = Math.min(g.cols - 1, Math.floor((x - g.left) / (g.right - g.left) * g.cols));
    const row = Math.min(g.rows - 1, Math.floor((y - g.top) / (g.bottom - g.top) * g.rows));
    model.set("cell", [row, col]);
    model.set("clicks", model.get("clicks") + 1);
    model.save_changes();
  });
  model.on("change:png", draw);
  draw();
}
export default { render };
"""
