"""``CompareView``: two passes side by side: two documents, or one document at two training
steps. Loss at each position, one head's attention, the next-token distributions, and the graph
of that head at that position as a diff (both numbers on each node, coloured by Δ = b − a)."""

from __future__ import annotations

import html

import ipywidgets as W
import traitlets

from microgpt.errors import MicrogptError

from ..compare import BY, Comparison, diff_view
from ..compare_plots import attention_pair, loss_pair, probs_pair
from ..views import scope_view
from .args import Checked, choice, integer, need, text
from .front import SvgGraph
from .images import chart_image, show_chart
from .session import Latest, Session

__all__ = ["CompareView"]


def _steps(w) -> list[int]:
    return list(w._step_a.options)


def _side(trait: str, side: str):
    """The check of one side's document or step: the pass it asks for can be recorded (it is
    then cached by the session, and drawn from there)."""
    step_check = choice(_steps, " (the checkpoint's snapshots)")

    def check(w, value, what):
        if trait == "step":
            step, doc = step_check(w, value, what), getattr(w, f"doc_{side}")
        else:
            step, doc = getattr(w, f"step_{side}"), text()(w, value, what)
        if trait == "step" and not w._live:
            return step  # the constructor's: its documents come next, and are checked then
        try:
            w.session.forward_pass(doc.strip(), step=step)
        except MicrogptError as e:
            raise type(e)(f"{what}: {e}") from None
        return step if trait == "step" else doc

    return check


def _last(count):
    return lambda w: count(w.session.source.config) - 1


class CompareView(Checked, W.VBox):
    """Pass a (``doc_a`` at ``step_a``) against pass b (``doc_b`` at ``step_b``); the controls
    set these traits, and ``pos``, ``layer``, ``head`` and ``by`` (Δgrad or Δdata). A step
    that is not a snapshot, a layer or head the model lacks is refused (a message once shown;
    a document it cannot read: a message, and the comparison shown stays)."""

    doc_a = traitlets.Unicode("emma")
    doc_b = traitlets.Unicode("emma")
    step_a = traitlets.Int()
    step_b = traitlets.Int()
    pos = traitlets.Int(0)
    layer = traitlets.Int(0)
    head = traitlets.Int(0)
    by = traitlets.Unicode("grad")
    message = traitlets.Unicode("")

    _checks = {
        "doc_a": _side("doc", "a"),
        "doc_b": _side("doc", "b"),
        "step_a": _side("step", "a"),
        "step_b": _side("step", "b"),
        "pos": integer(0),  # past the end of the shorter document: clamped to its last
        "layer": integer(0, _last(lambda c: c.n_layer)),
        "head": integer(0, _last(lambda c: c.n_head)),
        "by": choice(BY),
        "message": text(),
    }

    def __init__(self, session: Session | None = None, **kwargs) -> None:
        what = "CompareView(session=...)"
        need(Session, what, "a Session (or None: the shipped model)", session, none_ok=True)
        asked = self.take_traits(kwargs, self._checks)
        self.session = session or Session(keep=4)
        src = self.session.source
        steps = src.steps
        asked = {"step_a": src.step, "step_b": steps[1] if len(steps) > 1 else src.step,
                 **asked}  # fmt: skip
        self.comparison: Comparison | None = None
        self.view = None  # the diff GraphView drawn
        self._drawn: dict[str, tuple] = {}  # what each chart shows now
        narrow = W.Layout(width="auto")
        self._doc_a = W.Text(description="a: document", continuous_update=False,
                             layout=W.Layout(width="14em"))  # fmt: skip
        self._doc_b = W.Text(description="b: document", continuous_update=False,
                             layout=W.Layout(width="14em"))  # fmt: skip
        self._step_a = W.Dropdown(description="step", options=steps, layout=narrow)
        self._step_b = W.Dropdown(description="step", options=steps, layout=narrow)
        self._pos = W.IntSlider(description="position", min=0, max=0, layout=narrow)
        cfg = src.config
        self._layer = W.Dropdown(description="layer", options=list(range(cfg.n_layer)),
                                 layout=narrow)  # fmt: skip
        self._head = W.Dropdown(description="head", options=list(range(cfg.n_head)),
                                layout=narrow)  # fmt: skip
        self._by = W.ToggleButtons(options=[(f"Δ{b}", b) for b in BY], layout=narrow)
        self._by.style.button_width = "5em"
        for c in (self._doc_a, self._doc_b, self._step_a, self._step_b, self._pos,
                  self._layer, self._head):  # fmt: skip
            c.style.description_width = "initial"
        wrap = W.Layout(flex_flow="row wrap", align_items="center")
        self._message = W.HTML()
        self.loss_image = chart_image()
        self.attention_image = chart_image()
        self.probs_image = chart_image()
        self.graph = SvgGraph()
        self.graph.max_height = 0.75
        super().__init__(
            [
                W.HBox([self._doc_a, self._step_a, self._doc_b, self._step_b], layout=wrap),
                W.HBox([self._pos, self._layer, self._head, self._by], layout=wrap),
                self._message,
                self.loss_image,
                self.attention_image,
                self.probs_image,
                self.graph,
            ],
            **kwargs,
        )
        self.add_class("microgpt-compare")
        self.apply(asked)  # checked (a wrong one raises); drawn once, below
        for name in ("doc_a", "doc_b", "step_a", "step_b", "pos", "layer", "head", "by"):
            traitlets.link((self, name), (getattr(self, f"_{name}"), "value"))
        self._live = True
        self._latest = Latest(self._refresh)
        self._refresh()

    @traitlets.observe("doc_a", "doc_b", "step_a", "step_b", "pos", "layer", "head", "by")
    def _on_change(self, change) -> None:
        if hasattr(self, "_latest"):
            self._latest()

    @traitlets.observe("message")
    def _on_message(self, change) -> None:
        self._message.value = html.escape(change["new"])

    def _passes(self) -> Comparison:
        get = self.session.forward_pass
        a = get(self.doc_a.strip(), step=self.step_a)
        b = get(self.doc_b.strip(), step=self.step_b)
        if self.comparison is None or (self.comparison.a, self.comparison.b) != (a, b):
            self.comparison = Comparison(a, b)
        return self.comparison

    def _refresh(self) -> None:
        try:
            cmp = self._passes()
        except MicrogptError as e:
            self.message = str(e)
            return
        self._pos.max = cmp.positions - 1
        pos = min(self.pos, cmp.positions - 1)
        self._pos.value = pos  # the slider clamped a position given before its maximum
        if pos != self.pos:
            self.pos = pos  # observed: draws once more, with the position clamped
            return
        a, b = cmp.a, cmp.b
        labels = cmp.labels
        ra, rb = cmp.root_values()
        self.message = f"loss: {ra:.4f} (a) → {rb:.4f} (b); {cmp.only_a:,} nodes only in a"
        # each chart is redrawn only when what it shows changed
        if self._drawn.get("loss") != (a, b):
            show_chart(self.loss_image, loss_pair(*cmp.losses(), a.chars, b.chars, labels).figure)
            self._drawn["loss"] = (a, b)
        if self._drawn.get("attention") != (a, b, self.layer, self.head):
            rows_a, rows_b = cmp.attention(self.layer, self.head)
            title = f"layer {self.layer} · head {self.head}"
            show_chart(
                self.attention_image,
                attention_pair(rows_a, rows_b, a.chars, b.chars, labels, title=title),
            )
            self._drawn["attention"] = (a, b, self.layer, self.head)
        if self._drawn.get("probs") != (a, b, pos):
            targets = tuple(fp.tokens[pos + 1] for fp in (a, b))
            title = f"next-token probabilities at position {pos}"
            ax = probs_pair(*cmp.probs(pos), a.source.token_labels, labels, targets, title=title)
            show_chart(self.probs_image, ax.figure)
            self._drawn["probs"] = (a, b, pos)
        scope = f"pos{pos}.layer{self.layer}.attn.head{self.head}"
        self.view = diff_view(scope_view(a, scope), cmp, self.by, scope_view(b, scope))
        self.graph.show_view(self.view)
