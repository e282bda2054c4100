"""``AttentionView``: one head's attention weights as a heatmap (queries down, keys across,
the causal mask hatched); a click on a cell selects that attention weight's node."""

from __future__ import annotations

import html

import ipywidgets as W
import traitlets

from ..plots import attention_heatmap
from .front import ClickableImage
from .images import axes_box, chart_b64, size_clickable
from .lazy import ShownLater

__all__ = ["AttentionView"]


class AttentionView(ShownLater, W.VBox):
    """Attention of the pass given to ``show``. Traits a learner changes:"""

    layer = traitlets.Int(0)
    head = traitlets.Int(0)
    pos = traitlets.Int(0)  # the query row the rest of the dashboard looks at
    #: The node name of the last attention weight clicked (``pos{q}.layer{l}.attn.head{h}
    #: .attn_weights[k={k}]``).
    selected = traitlets.Unicode("")
    message = traitlets.Unicode("")

    def __init__(self, **kwargs) -> None:
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
        self.image = ClickableImage()
        self._message = W.HTML()
        controls = W.HBox([self._layer, self._head],
                          layout=W.Layout(flex_flow="row wrap", align_items="center"))  # fmt: skip
        super().__init__([controls, self.image, self._message], **kwargs)
        self.add_class("microgpt-attention")
        traitlets.link((self, "layer"), (self._layer, "value"))
        traitlets.link((self, "head"), (self._head, "value"))
        self.image.observe(self._on_click, "clicks")

    def show(self, fp) -> None:
        self.fp = fp
        cfg = fp.source.config
        self._layer.options = list(range(cfg.n_layer))
        self._head.options = list(range(cfg.n_head))
        self._draw()

    @traitlets.observe("layer", "head")
    def _on_change(self, change) -> None:
        self._draw()

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

    def _on_click(self, change) -> None:
        query, key = self.image.cell
        self.click(query, key)

    def click(self, query: int, key: int) -> None:
        """Select the weight of ``query`` on ``key`` (as a click on that cell does)."""
        if self.fp is None:
            self.message = "no pass shown yet: show(fp) first"
            return
        n = self.fp.positions
        for what, p in (("query", query), ("key", key)):
            if isinstance(p, bool) or not isinstance(p, int) or not 0 <= p < n:
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
        self.selected = f"pos{query}.layer{self.layer}.attn.head{self.head}.attn_weights[k={key}]"
        weight = self.fp.attention(self.layer, self.head)[query][key]
        self.message = f"selected {self.selected} = {weight:.4f}"
