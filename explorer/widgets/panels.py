"""The tensor level's panels as widgets: a pass across positions, and one attention weight.

Controls and layout only: ``explorer.pictures`` draws (``stream_picture``,
``weight_picture``); these widgets keep the pass they were given and redraw only when the pass,
the layer or the chosen weight changes. In a Dashboard they sit in hidden tabs and draw when
shown (``ShownLater``).

- ``PositionsView``: the loss of each character, then one layer's residual stream, q, k, v and
  ReLU mask across positions (data and grad heatmaps); a layer control when the model has more
  than one.
- ``WeightView``: one attention weight explained, from q and k to the softmax; ``select`` takes
  the weight's node name (what a click on the attention map or on the graph gives).

Both draw into a ``ClickableSvg`` (anywidget): a click on any cell or number reports the
``data-id`` of the node it shows (``clicked``, with a ``clicks`` counter), so a Dashboard can
open that node in the graph.
"""

from __future__ import annotations

import html

import anywidget
import ipywidgets as W
import traitlets

from microgpt.errors import MicrogptError, UnknownNameError
from microgpt.model import NAME_RE, parse_name

from ..pictures import stream_picture, weight_picture
from .args import Checked, bind, flag, integer, need_pass, offer, text
from .lazy import ShownLater
from .state import PassState

__all__ = ["ClickableSvg", "PositionsView", "WeightView", "parse_weight"]


def parse_weight(name: str) -> tuple[int, int, int, int] | None:
    """``(layer, head, query, key)`` of an attention weight's node name, else ``None``."""
    at = parse_name(name) if isinstance(name, str) else None
    if at is None or at.what != "attn_weights" or NAME_RE.fullmatch(at.text) is None:
        return None
    return at.layer, at.head, at.pos, at.which[0]


class ClickableSvg(anywidget.AnyWidget):
    """An SVG drawn by this package, in a panel that scrolls sideways when it is wider than
    the notebook; a click on an element with a ``data-id`` (a cell, a number, a title)
    reports that id."""

    svg = traitlets.Unicode("").tag(sync=True)
    clicked = traitlets.Unicode("").tag(sync=True)
    clicks = traitlets.Int(0).tag(sync=True)

    _esm = """
function render({ model, el }) {
  el.classList.add("microgpt-panel");
  Object.assign(el.style, { overflowX: "auto", maxWidth: "100%" });
  const style = document.createElement("style");
  style.textContent = ".microgpt-panel [data-id] { cursor: pointer; }";
  const holder = document.createElement("div");
  el.append(style, holder);
  const draw = () => {
    const text = model.get("svg");
    const start = text.indexOf("<svg");
    holder.innerHTML = start >= 0 ? text.slice(start) : "";
  };
  model.on("change:svg", draw);
  draw();
  holder.addEventListener("click", (event) => {
    const hit = event.target.closest("[data-id]");
    if (!hit || !holder.contains(hit)) return;
    model.set("clicked", hit.getAttribute("data-id"));
    model.set("clicks", model.get("clicks") + 1);
    model.save_changes();
  });
}
export default { render };
"""


def _check_weight(widget, value, what: str) -> str:
    """An attention weight's node name, or "" for none."""
    name = text()(widget, value, what)
    if name and parse_weight(name) is None:
        raise UnknownNameError(
            f"{what} must be an attention weight's name, like "
            f'pos5.layer0.attn.head1.attn_weights[k=2] (or "": none), got {name!r}'
        )
    return name


class PositionsView(Checked, ShownLater, W.VBox):
    """The pass given to ``show`` across positions. Traits a learner changes (a layer the model
    lacks is refused with a message; given before a pass is shown, it is checked then):
    ``layer`` (a view of the shared ``PassState``)."""

    layer = traitlets.Int(0)

    _checks = {
        "layer": integer(0, lambda w: w.fp.source.config.n_layer - 1 if w.fp is not None else None)
    }

    def __init__(self, concealed: bool = False, state: PassState | None = None,
                 **kwargs) -> None:  # fmt: skip
        """``state``: the selection shared with other widgets (its layer is this view's);
        None: the view's own."""
        concealed = flag()(self, concealed, "PositionsView(concealed=...)")
        asked = self.take_traits(kwargs, self._checks)
        self.fp = None
        self._layer = W.Dropdown(description="layer", options=[0], layout=W.Layout(width="auto"))
        self._layer.style.description_width = "initial"
        self.picture = ClickableSvg()
        self.picture.add_class("microgpt-positions-picture")
        self._message = W.HTML()
        super().__init__([self._layer, self._message, self.picture], **kwargs)
        self.add_class("microgpt-positions")
        self.state = PassState.given(state, "PositionsView(state=...)")
        self.state.join(self, "layer", lead=state is None)
        self.apply(asked)
        bind(self, "layer", self._layer)
        self._concealed = concealed
        self._live = True

    def show(self, fp) -> None:
        """Draw ``fp`` (a ``ForwardPass``) across positions."""
        need_pass(fp, "PositionsView.show(fp)", expression_ok=False)
        self.fp = None  # drawn once, with the layer in range
        n = fp.source.config.n_layer
        offer(self, "layer", self._layer, list(range(n)), "model's layers")
        self._layer.layout.display = None if n > 1 else "none"
        self.fp = fp
        self._draw()

    @traitlets.observe("layer")
    def _on_layer(self, change) -> None:
        if self.fp is not None:
            self._draw()

    def _draw(self) -> None:
        if self.fp is None or self._later():
            return
        try:
            picture = stream_picture(self.fp, self.layer)
        except MicrogptError as e:
            self._message.value = f'<p class="microgpt-message">{html.escape(str(e))}</p>'
            return
        self._message.value = ""
        self.picture.svg = picture.svg


class WeightView(Checked, ShownLater, W.VBox):
    """One attention weight of the pass given to ``show``, explained. Traits: ``selected``."""

    #: The weight's node name (``pos5.layer0.attn.head1.attn_weights[k=2]``); "" for none.
    selected = traitlets.Unicode("")

    _checks = {"selected": _check_weight}

    def __init__(self, concealed: bool = False, state: PassState | None = None,
                 **kwargs) -> None:  # fmt: skip
        """``state``: the selection shared with other widgets (an attention weight selected
        there is explained here); None: the view's own."""
        concealed = flag()(self, concealed, "WeightView(concealed=...)")
        asked = self.take_traits(kwargs, self._checks)
        self.fp = None
        self.picture = ClickableSvg()
        self.picture.add_class("microgpt-weight-picture")
        self._message = W.HTML(
            "<p>Click a cell of the attention map (or an attention weight in the graph) to "
            "see how that weight was computed, from q and k to the softmax.</p>"
        )
        super().__init__([self._message, self.picture], **kwargs)
        self.add_class("microgpt-weight")
        self._concealed = concealed
        self.state = PassState.given(state, "WeightView(state=...)")
        self.state.observe(lambda change: self.select(change["new"]), "selected")
        self.apply(asked)
        self._live = True

    def show(self, fp) -> None:
        """A new pass: the same weight, if it still exists in it, is drawn from it."""
        need_pass(fp, "WeightView.show(fp)", expression_ok=False)
        self.fp = fp
        self._draw()

    def select(self, name: str) -> bool:
        """Explain the attention weight named ``name``; False (nothing changes) if ``name``
        is not an attention weight."""
        if parse_weight(text()(self, name, "WeightView.select(name)")) is None:
            return False
        self.selected = name
        return True

    @traitlets.observe("selected")
    def _on_selected(self, change) -> None:
        self._draw()

    def _draw(self) -> None:
        if self.fp is None or not self.selected or self._later():
            return
        layer, head, query, key = parse_weight(self.selected)
        try:
            picture = weight_picture(self.fp, layer, head, query, key)
        except MicrogptError as e:  # e.g. a new document shorter than the weight's query
            self.picture.svg = ""
            self._message.value = f'<p class="microgpt-message">{html.escape(str(e))}</p>'
            return
        self._message.value = ""
        self.picture.svg = picture.svg
