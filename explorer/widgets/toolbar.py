"""Presenter mode's toolbar for the ``GraphExplorer``: its tools in one row, those that do not
fit in a menu under it (opened by "⋯"), and the page side (``SlideFront``) that measures them
and relays a presenter's clicker. Controls only: the explorer gives the tools and what a
clicker's step does (``PassState.move``: the next or previous position)."""

from __future__ import annotations

from collections.abc import Callable

import anywidget
import ipywidgets as W
import traitlets

__all__ = ["PresenterToolbar", "SlideFront"]

#: Presenter mode's page side (``SlideFront``): it measures the toolbar's tools (those in the
#: row and those in the menu under it, laid out even while the menu is closed) and tells Python
#: how many fit in one row (``{"fit": k}``: the first k stay in the row, the rest go to the
#: menu the "⋯" toggle opens); and a clicker's keys (PageDown/PageUp, ArrowRight/ArrowLeft,
#: space) step the viewer's backward player when the picture has one, else ask Python to move
#: the position (``{"step": ±1}``).
_SLIDE_JS = """
function render({ model, el }) {
  el.classList.add("microgpt-slide-front");
  const listening = new AbortController();
  const on = (target, type, fn, capture) =>
    target.addEventListener(type, fn, { signal: listening.signal, capture: Boolean(capture) });
  let graph = null;
  let frame = 0;
  let waiting = 0;
  let asked = -1; // the last count sent, until the row shows it
  const observers = [];
  const outer = (e) => {
    const s = getComputedStyle(e);
    return e.getBoundingClientRect().width + parseFloat(s.marginLeft) + parseFloat(s.marginRight);
  };
  const part = (cls) => graph && graph.querySelector(":scope > ." + cls);
  const viewer = () => {
    const host = graph && graph.querySelector(".microgpt-viewer");
    return host ? host.microgptViewer : null;
  };

  // How many tools, in their order, fit in one row (with the "⋯" toggle when not all do; the
  // first always stays: a row too narrow for it wraps the toggle under it, never cuts it).
  function fit() {
    frame = 0;
    const bar = part("microgpt-toolbar");
    const menu = part("microgpt-toolbar-menu");
    if (!bar || !menu || !model.get("active")) return;
    const more = bar.querySelector(":scope > .microgpt-more");
    const inRow = [...bar.children].filter((e) => e !== more);
    const tools = [...inRow, ...menu.children];
    const s = getComputedStyle(bar);
    const gap = parseFloat(s.columnGap) || 0;
    const room = bar.clientWidth - parseFloat(s.paddingLeft) - parseFloat(s.paddingRight);
    const widths = tools.map(outer);
    const total = widths.reduce((a, w) => a + w, 0) + gap * Math.max(0, tools.length - 1);
    let k = tools.length;
    if (total > room + 0.5) {
      const free = room - (more ? outer(more) + gap : 0);
      let used = 0;
      k = 0;
      while (k < tools.length && used + widths[k] <= free + 0.5) used += widths[k++] + gap;
      k = Math.max(1, k);
    }
    bar.dataset.fits = String(k); // for tests and tools
    if (k !== inRow.length && k !== asked) {
      asked = k;
      model.send({ fit: k });
    }
    if (k === inRow.length) asked = -1;
    const v = viewer();
    if (v) v.refresh(); // what lies above the canvas may have changed: it fills what is left
  }
  const soon = () => {
    if (!frame) frame = requestAnimationFrame(fit);
  };

  // a presenter's clicker: next and previous
  const KEYS = { PageDown: 1, PageUp: -1, ArrowRight: 1, ArrowLeft: -1, " ": 1 };
  function onKey(e) {
    if (!model.get("active") || e.ctrlKey || e.metaKey || e.altKey || e.defaultPrevented) return;
    let by = KEYS[e.key];
    if (!by) return;
    if (e.key === " " && e.shiftKey) by = -1;
    const t = e.target;
    const typing = "input, textarea, select, [contenteditable=true], .noUi-target, [role=slider]";
    if (t.closest && t.closest(typing)) return; // typing, or a slider's own keys
    if (e.key === " " && t.closest && t.closest("button")) return; // space presses a button
    e.preventDefault();
    e.stopPropagation(); // neither the viewer's panning nor JupyterLab's shortcuts
    const v = viewer();
    const player = v && v.backward;
    if (player && player.available()) {
      player.seek(player.position() + by);
      return;
    }
    model.send({ step: by });
  }

  function attach() {
    waiting = 0;
    if (!el.isConnected) {
      waiting = requestAnimationFrame(attach); // ipywidgets inserts the view after render
      return;
    }
    graph = el.closest(".microgpt-graph");
    if (!graph) return;
    const scope = graph.closest(".microgpt-dashboard") || graph;
    on(scope, "keydown", onKey, true);
    if (!scope.hasAttribute("tabindex")) scope.tabIndex = -1; // a click inside focuses it
    const resized = new ResizeObserver(soon); // the panel's width, the menu, a text size
    resized.observe(graph);
    const changed = new MutationObserver(soon); // a tool moved or its text changed
    for (const cls of ["microgpt-toolbar", "microgpt-toolbar-menu"]) {
      const box = part(cls);
      if (box) changed.observe(box, { childList: true, subtree: true, characterData: true });
    }
    observers.push(resized, changed);
    soon();
  }
  model.on("change:active", soon);
  model.on("change:scale", soon);
  attach();
  return () => {
    listening.abort();
    for (const o of observers) o.disconnect();
    if (frame) cancelAnimationFrame(frame);
    if (waiting) cancelAnimationFrame(waiting);
  };
}
export default { render };
"""

#: The toolbar in presenter mode: one row, its tools at their natural width (Python keeps in it
#: the tools the page says fit; a first tool wider than the row wraps the "⋯" under it). The
#: menu, closed, keeps its tools laid out (measured) but takes no room and shows nothing.
_SLIDE_CSS = """
.microgpt-toolbar { flex-wrap: wrap !important; align-items: center; column-gap: 4px; }
.microgpt-toolbar > * { flex: 0 0 auto !important; max-width: 100%; }
.microgpt-toolbar > .microgpt-more { width: auto; }
.microgpt-toolbar-menu { flex-wrap: wrap !important; align-items: center; column-gap: 4px; }
.microgpt-toolbar-menu > * { flex: 0 0 auto !important; max-width: 100%; }
.microgpt-graph .microgpt-breadcrumb { flex-wrap: wrap; }
.microgpt-dashboard:focus, .microgpt-graph:focus { outline: none; }
"""


class SlideFront(anywidget.AnyWidget):
    """Presenter mode's page side (nothing drawn): says how many of the toolbar's tools fit in
    its row (``{"fit": k}``); a clicker's keys step the backward player or send
    ``{"step": ±1}`` (the position)."""

    active = traitlets.Bool(False).tag(sync=True)
    #: The page's text size (a change refits the toolbar once the new size is applied).
    scale = traitlets.Float(1.0).tag(sync=True)
    _esm = _SLIDE_JS
    _css = _SLIDE_CSS


class PresenterToolbar:
    """The row, the menu, the "⋯" toggle and the page side (``front``). ``tools()``: the
    explorer's tools, in the order they keep a place in the row; ``step(±1)``: a clicker's key
    when the picture has no backward player to step."""

    def __init__(self, tools: Callable[[], list], step: Callable[[int], None]) -> None:
        self._own_tools, self._step = tools, step
        self.more = W.ToggleButton(description="⋯", tooltip="more controls")
        self.more.add_class("microgpt-more")
        self.more.observe(self._on_more, "value")
        self.row = W.HBox()
        self.row.add_class("microgpt-toolbar")
        self.menu = W.HBox(layout=W.Layout(height="0px", overflow="hidden",
                                           visibility="hidden"))  # fmt: skip
        self.menu.add_class("microgpt-toolbar-menu")
        self.fits = 99  # how many tools the page says fit in the row (all, until it says)
        self.front = SlideFront(layout=W.Layout(height="0px", margin="0px"))
        self.front.on_msg(self.on_msg)
        self._extra: list = []

    def tools(self) -> list:
        """Every tool, in the order they keep a place in the row: the explorer's, then those
        of the widget around it (``add``)."""
        return [*self._own_tools(), *self._extra]

    def activate(self, on: bool) -> None:
        """Presenter mode on (the tools laid out in the row and menu) or off (both empty)."""
        if on:
            self.lay()
        else:
            self.row.children = self.menu.children = ()
        self.front.active = on

    def lay(self) -> None:
        """The first ``fits`` tools in the row (then "⋯", hidden while nothing is left over),
        the others in the menu under it."""
        tools = self.tools()
        k = max(1, min(self.fits, len(tools)))
        self.row.children = [*tools[:k], self.more]
        self.menu.children = tools[k:]
        self.more.layout.visibility = "visible" if k < len(tools) else "hidden"
        if k == len(tools):
            self.more.value = False

    def add(self, tools) -> None:
        """Controls of the widget around the explorer (a Dashboard's text size) at the end of
        the toolbar (shown in its row if they fit, else in its menu)."""
        self._extra = list(tools)
        if self.front.active:
            self.lay()

    def set_text_scale(self, scale: float) -> None:
        """The page's text size changed (a Dashboard's "text size"): the toolbar is fitted again
        once the page has applied it."""
        self.front.scale = float(scale)

    def _on_more(self, change) -> None:
        """The menu, closed, takes no room and shows nothing, but its tools stay laid out: the
        page measures them to know which fit in the row."""
        shut = not change["new"]
        self.menu.layout.height = "0px" if shut else None
        self.menu.layout.overflow = "hidden" if shut else None
        self.menu.layout.visibility = "hidden" if shut else None

    def on_msg(self, widget, content, buffers) -> None:
        """The page: ``{"fit": k}``, the first k tools fit in the row; ``{"step": ±1}``, a
        clicker's key with no backward player to step (anything else is ignored)."""
        if not isinstance(content, dict):
            return
        fits, step = content.get("fit"), content.get("step")
        if isinstance(fits, int) and not isinstance(fits, bool) and fits > 0:
            self.fits = fits
            if self.front.active:
                self.lay()
        if step in (1, -1) and not isinstance(step, bool):
            self._step(step)
