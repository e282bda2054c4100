"""``AttentionView``: one head's attention weights as a heatmap (queries down, keys across,
the causal mask hatched); a click on a cell selects that attention weight's node, and the
selected weight's cell is outlined (the row of the position looked at is marked too).

``HeatmapImage`` (anywidget) shows the PNG, reports clicks on its grid of cells as
``[row, column]``, and draws the two marks over the image in the page (moving them costs no
redraw of the chart).
"""

from __future__ import annotations

import html

import anywidget
import ipywidgets as W
import traitlets

from microgpt.errors import MicrogptError
from microgpt.validate import check_int

from ..plots import attention_heatmap
from .args import Checked, bind, integer, need_pass, offer, text
from .images import axes_box, chart_b64, size_clickable
from .lazy import ShownLater
from .panels import parse_weight
from .state import PassState

__all__ = ["AttentionView", "HeatmapImage"]

_HEATMAP_JS = """
function render({ model, el }) {
  el.classList.add("microgpt-image");
  const make = (tag, cls) => Object.assign(document.createElement(tag), { className: cls });
  const frame = make("div", "microgpt-image-frame");
  const img = make("img", "");
  const band = make("div", "microgpt-row-highlight"); // the row of the position looked at
  const cell = make("div", "microgpt-cell-highlight"); // the selected weight
  frame.append(img, band, cell);
  el.appendChild(frame);

  // a mark over cells [row0, row1) x [col0, col1) of the grid, as percentages of the image
  function place(mark, g, row0, row1, col0, col1) {
    const w = (g.right - g.left) / g.cols;
    const h = (g.bottom - g.top) / g.rows;
    Object.assign(mark.style, {
      display: "block",
      left: 100 * (g.left + col0 * w) + "%",
      width: 100 * (col1 - col0) * w + "%",
      top: 100 * (g.top + row0 * h) + "%",
      height: 100 * (row1 - row0) * h + "%",
    });
  }
  function marks() {
    const g = model.get("grid") || {};
    img.dataset.grid = JSON.stringify(g); // where the cells are, for tests and tools
    const ok = (r, n) => Number.isInteger(r) && r >= 0 && r < n;
    const row = model.get("highlight_row");
    const [q, k] = model.get("highlight_cell") || [];
    band.style.display = cell.style.display = "none";
    if (!g.rows || !g.cols) return;
    if (ok(row, g.rows)) place(band, g, row, row + 1, 0, g.cols);
    if (ok(q, g.rows) && ok(k, g.cols)) place(cell, g, q, q + 1, k, k + 1);
    cell.dataset.cell = ok(q, g.rows) && ok(k, g.cols) ? q + "," + k : "";
  }
  function draw() {
    img.src = "data:image/png;base64," + model.get("png");
    marks();
  }
  img.addEventListener("click", (event) => {
    const g = model.get("grid");
    if (!g || !g.rows) return;
    const box = img.getBoundingClientRect();
    const x = (event.clientX - box.left) / box.width;
    const y = (event.clientY - box.top) / box.height;
    if (x < g.left || x > g.right || y < g.top || y > g.bottom) return;
    const col = Math.min(g.cols - 1, Math.floor(((x - g.left) / (g.right - g.left)) * g.cols));
    const row = Math.min(g.rows - 1, Math.floor(((y - g.top) / (g.bottom - g.top)) * g.rows));
    model.set("cell", [row, col]);
    model.set("clicks", model.get("clicks") + 1);
    model.save_changes();
  });
  model.on("change:png", draw);
  model.on("change:grid", marks);
  model.on("change:highlight_row", marks);
  model.on("change:highlight_cell", marks);
  draw();
}
export default { render };
"""

_HEATMAP_CSS = """
.microgpt-image .microgpt-image-frame { position: relative; display: inline-block; }
.microgpt-image img { display: block; max-width: 100%; cursor: crosshair; }
.microgpt-image .microgpt-row-highlight, .microgpt-image .microgpt-cell-highlight {
  position: absolute; display: none; pointer-events: none; box-sizing: border-box; }
.microgpt-image .microgpt-row-highlight { border: 2px dashed #e08214; }
.microgpt-image .microgpt-cell-highlight { border: 3px solid #e08214;
  outline: 1.5px solid #ffffff; }
"""


class HeatmapImage(anywidget.AnyWidget):
    """A PNG whose grid of cells reports clicks as ``[row, column]`` (``cell``, with a
    ``clicks`` counter), with a row and a cell outlined over it.

    ``grid`` gives the cells' box as fractions of the image (``left``, ``top``, ``right``,
    ``bottom``, from the top-left corner) and their ``rows`` and ``cols``.
    """

    png = traitlets.Unicode("").tag(sync=True)  # base64
    grid = traitlets.Dict({}).tag(sync=True)
    #: The row marked (the position looked at; -1: none), dashed.
    highlight_row = traitlets.Int(-1).tag(sync=True)
    #: The cell outlined (the selected weight: ``[row, column]``; ``[]``: none), solid.
    highlight_cell = traitlets.List(traitlets.Int(), default_value=[]).tag(sync=True)
    cell = traitlets.List(traitlets.Int(), default_value=[]).tag(sync=True)
    clicks = traitlets.Int(0).tag(sync=True)
    _esm = _HEATMAP_JS
    _css = _HEATMAP_CSS


def _last(count):
    """The highest index of the pass shown (``None`` before one is shown: checked then)."""
    return lambda w: count(w.fp.source.config) - 1 if w.fp is not None else None


class AttentionView(Checked, ShownLater, W.VBox):
    """Attention of the pass given to ``show``. Traits a learner changes (a layer or head the
    model lacks is refused with a message; given before a pass is shown, checked then):
    ``layer``, ``head`` and ``pos`` (views of the shared ``PassState``), ``selected`` (the
    weight clicked), ``outlined`` (follows the state's selected node) and ``message``."""

    layer = traitlets.Int(0)
    head = traitlets.Int(0)
    pos = traitlets.Int(0)  # the query row the rest of the dashboard looks at
    #: The node name of the last attention weight clicked (``pos{q}.layer{l}.attn.head{h}
    #: .attn_weights[k={k}]``).
    selected = traitlets.Unicode("")
    #: The attention weight outlined in the heatmap while its layer and head are shown: the one
    #: clicked, or the one a Dashboard selected elsewhere ("" or any other node: none).
    outlined = traitlets.Unicode("")
    message = traitlets.Unicode("")

    _checks = {
        "layer": integer(0, _last(lambda c: c.n_layer)),
        "head": integer(0, _last(lambda c: c.n_head)),
        "pos": integer(0),
        "selected": text(),
        "outlined": text(),
        "message": text(),
    }

    def __init__(self, state: PassState | None = None, **kwargs) -> None:
        """``state``: the selection shared with other widgets (its position, layer and head
        are this view's; its selected node is outlined); None: the view's own."""
        asked = self.take_traits(kwargs, self._checks)
        self.fp = None
        self.matrix = None
        self.figure = None
        self._layer = W.Dropdown(description="layer", options=[0],
                                 layout=W.Layout(width="auto"))  # fmt: skip
        # ToggleButtons is a block (its label above, apart from the buttons): a row keeps the
        # label beside them (wrapping the buttons under it when large type leaves no room)
        self._head = W.ToggleButtons(description="head", options=[0], layout=W.Layout(
            display="flex", flex_flow="row wrap", align_items="center",
            margin="0 0 0 1em"))  # fmt: skip
        for control in (self._layer, self._head):  # labels at their own width, beside controls
            control.style.description_width = "initial"
        self._head.style.button_width = "3em"
        self._head.add_class("microgpt-head")
        self.image = HeatmapImage()
        self._message = W.HTML()
        controls = W.HBox([self._layer, self._head],
                          layout=W.Layout(flex_flow="row wrap", align_items="center"))  # fmt: skip
        super().__init__([controls, self.image, self._message], **kwargs)
        self.add_class("microgpt-attention")
        self.state = PassState.given(state, "AttentionView(state=...)")
        self.state.join(self, "pos", "layer", "head", lead=state is None)
        self.state.feed(self, lead=state is None, outlined="selected")
        self.apply(asked)
        bind(self, "layer", self._layer)
        bind(self, "head", self._head)
        self.image.observe(self._on_click, "clicks")
        self._live = True

    def show(self, fp) -> None:
        """Show the attention of ``fp`` (a ``ForwardPass``)."""
        need_pass(fp, "AttentionView.show(fp)", expression_ok=False)
        self.fp = None  # nothing drawn until the layer and head are both in range
        cfg = fp.source.config
        offer(self, "layer", self._layer, list(range(cfg.n_layer)), "model's layers")
        offer(self, "head", self._head, list(range(cfg.n_head)), "model's heads")
        self.fp = fp
        self._draw()

    @traitlets.observe("layer", "head")
    def _on_change(self, change) -> None:
        self._draw()

    @traitlets.observe("outlined")
    def _on_outlined(self, change) -> None:
        self._outline()

    def _outline(self) -> None:
        """Outline the cell of ``outlined`` when it is a weight of the layer and head shown."""
        weight = parse_weight(self.outlined)
        n = len(self.matrix) if self.matrix is not None else 0
        shown = weight is not None and weight[:2] == (self.layer, self.head)
        q, k = weight[2:] if shown else (-1, -1)
        self.image.highlight_cell = [q, k] if 0 <= k <= q < n else []

    @traitlets.observe("pos")
    def _on_pos(self, change) -> None:
        # the query row is outlined by the page over the same image: no redraw
        if self.matrix is not None:
            self.image.highlight_row = min(change["new"], len(self.matrix) - 1)

    @traitlets.observe("message")
    def _on_message(self, change) -> None:
        self._message.value = html.escape(change["new"])

    def _draw(self) -> None:
        if self._later():  # in a hidden tab: drawn when shown
            return
        if self.fp is None:
            return
        rows = self.fp.attention(self.layer, self.head)
        self.matrix = rows
        title = f"layer {self.layer} · head {self.head} · {self.fp.doc!r}"
        ax = attention_heatmap(rows, self.fp.chars, title=title)
        self.figure = ax.figure  # the chart shown (for tests and tools)
        png, width, height = chart_b64(ax.figure)
        box = axes_box(ax, drawn=True)  # the PNG's drawing laid the figure out: read its box
        size_clickable(self.image, width, height)
        self.image.grid = {**box, "rows": len(rows), "cols": len(rows)}
        self.image.png = png
        self.image.highlight_row = min(self.pos, len(rows) - 1)
        self._outline()

    def _on_click(self, change) -> None:
        query, key = self.image.cell
        self.click(query, key)

    def click(self, query: int, key: int) -> None:
        """Select the weight of ``query`` on ``key`` (as a click on that cell does)."""
        if self.fp is None:
            self.message = "no pass shown yet: show(fp) first"
            return
        n = self.fp.positions
        try:  # as a click: a message, never an error (numpy's integers are taken)
            query = check_int(query, "AttentionView.click(query)")
            key = check_int(key, "AttentionView.click(key)")
        except MicrogptError as e:
            self.message = str(e)
            return
        for what, p in (("query", query), ("key", key)):
            if not 0 <= p < n:
                self.message = (
                    f"no {what} position {p!r}: {self.fp.doc!r} has positions 0 to {n - 1}"
                )
                return
        if key > query:
            self.message = (
                f"position {query} cannot attend to position {key}: the causal mask hides the "
                "future (the hatched cells)"
            )
            return
        self.pos = query
        name = f"pos{query}.layer{self.layer}.attn.head{self.head}.attn_weights[k={key}]"
        self.outlined = name  # the cell outlined, in the page
        self.selected = name
        weight = self.fp.attention(self.layer, self.head)[query][key]
        self.message = f"selected {self.selected} = {weight:.4f}"
