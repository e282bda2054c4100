"""``BackwardStepper``: backward through a small scope one node at a time, in the article's
order, showing which gradients each step changes."""

from __future__ import annotations

import html

import ipywidgets as W
import traitlets

from microgpt.errors import MicrogptError
from microgpt.model import parse_name

from ..stepper import backward_steps
from ..style import fmt
from ..tables import html_table
from .args import Checked, integer, need_pass, text
from .lazy import ShownLater
from .state import PassState

__all__ = ["BackwardStepper"]


class BackwardStepper(Checked, ShownLater, W.VBox):
    """Steps of backward inside ``scope`` of the pass given to ``show``. Traits (a scope that
    cannot be stepped through is refused with a message and the stepper keeps the one it
    shows; ``step`` given to the constructor is applied once a pass is shown): ``scope`` (it
    follows the shared ``PassState``'s ``focus`` and ``pos``) and ``step``."""

    scope = traitlets.Unicode("pos1.layer0.attn.head0.softmax")
    step = traitlets.Int(0)

    _checks = {
        "scope": lambda w, value, what: w._check_scope(value, what),
        "step": integer(0, lambda w: len(w.steps) if w.fp is not None else None),
    }

    def __init__(self, state: PassState | None = None, **kwargs) -> None:
        """``state``: the selection shared with other widgets: the stepper follows where the
        learner looks (``focus``: a zoom, a selected node) and the position; None: its own."""
        asked = self.take_traits(kwargs, self._checks)
        self.fp = None
        self._stepped = (None, None, None)  # (pass, scope, its steps): the last one computed
        self.ids, self.start, self.steps = [], {}, []
        self._scope = W.Text(description="scope", continuous_update=False)
        self._scope.layout.width = "28em"
        self._slider = W.IntSlider(description="step", min=0, max=0)
        self._next = W.Button(description="next step", icon="step-forward")
        self._next.on_click(lambda _: self.next())
        self._table = W.HTML()
        self._message = W.HTML()  # why a value was refused
        super().__init__([W.HBox([self._scope, self._slider, self._next]), self._message,
                          self._table], **kwargs)  # fmt: skip
        self.add_class("microgpt-stepper")
        traitlets.link((self, "scope"), (self._scope, "value"))
        traitlets.link((self, "step"), (self._slider, "value"))
        self.state = PassState.given(state, "BackwardStepper(state=...)")
        self.state.observe(lambda change: self.follow_pos(change["new"]), "pos")
        self.state.observe(lambda change: self.follow(change["new"]), "focus")
        self.defer(asked, ["step"])  # the steps are known once a pass is shown
        self.apply(asked)
        self._live = True

    def show(self, fp) -> None:
        """Step through the scope of ``fp`` (a ``ForwardPass`` or an ``Expression``)."""
        need_pass(fp, "BackwardStepper.show(fp)")
        self.fp = fp
        self._load()
        self.apply_deferred()

    def _check_scope(self, value, what: str) -> str:
        """A scope of the pass shown that can be stepped through (before a pass is shown, any
        string: checked when one is)."""
        scope = text()(self, value, what)
        if self.fp is not None:
            self._steps_of(scope)  # a MicrogptError says why not (empty, or too big)
        return scope

    def _steps_of(self, scope: str):
        """``backward_steps`` of the pass shown, the last one kept (a scope is checked, then
        loaded)."""
        fp, kept, steps = self._stepped
        if fp is not self.fp or kept != scope:
            steps = backward_steps(self.fp, scope)
            self._stepped = (self.fp, scope, steps)
        return steps

    @traitlets.observe("scope")
    def _on_scope(self, change) -> None:
        self._load()

    @traitlets.observe("step")
    def _on_step(self, change) -> None:
        self._draw()

    def follow(self, scope: str) -> None:
        """Step through ``scope``, or the nearest enclosing scope small enough to step through
        (a selection anywhere moves the stepper to where it is). When none is, the stepper's
        own scope at least moves to ``scope``'s position."""
        text()(self, scope, "BackwardStepper.follow(scope)")
        if self.fp is None:
            return
        parts = scope.split(".") if scope else []
        for k in range(len(parts), 0, -1):
            candidate = ".".join(parts[:k])
            if self._steppable(candidate):
                self.scope = candidate
                return
        pos = parse_name(scope or "").pos
        if pos is not None:
            self.follow_pos(pos)

    def follow_pos(self, pos: int) -> None:
        """The same scope at position ``pos`` (``pos1.layer0.attn.head0.softmax`` ->
        ``pos3.…``), when the scope names a position and that one can be stepped through."""
        pos = integer(0)(self, pos, "BackwardStepper.follow_pos(pos)")
        at = parse_name(self.scope)
        if self.fp is None or at.pos is None or at.pos == pos:
            return
        moved = at.at(pos)
        if self._steppable(moved):
            self.scope = moved

    def _steppable(self, scope: str) -> bool:
        try:
            self._steps_of(scope)
        except MicrogptError:
            return False  # empty, or too big to step through
        return True

    def next(self) -> None:
        self.step = min(self.step + 1, len(self.steps))

    def _load(self) -> None:
        if self.fp is None:
            return
        try:
            self.ids, self.start, self.steps = self._steps_of(self.scope)
        except MicrogptError as e:
            self.ids, self.start, self.steps = [], {}, []
            self._table.value = f'<p class="microgpt-message">{html.escape(str(e))}</p>'
            return
        self._message.value = ""
        self._slider.max = len(self.steps)
        self.step = 0
        self._draw()

    def grads_after(self, k: int) -> dict[int, float]:
        """Every scope node's gradient after ``k`` steps."""
        grads = dict(self.start)
        for s in self.steps[:k]:
            for child, contribution in s.updates:
                grads[child] += contribution
        return grads

    def _draw(self) -> None:
        if self._later():  # in a hidden tab: drawn when shown
            return
        if not self.steps:
            return
        k = self.step
        grads = self.grads_after(k)
        done = {s.node for s in self.steps[:k]}
        current = self.steps[k - 1] if k else None
        changed = {c for c, _ in current.updates} if current else set()
        index = self.fp.index
        rows, styles = [], []
        for i in reversed(self.ids):
            style = ""
            if current is not None and i == current.node:
                style = "background:#fdb863"
            elif i in changed:
                style = "background:#b2abd2"
            state = "final" if i in done else ""
            label, data = html.escape(index.label(i)), fmt(index.values[i].data)
            rows.append([label, index.op[i], data, fmt(grads[i]), state])
            styles.append(style)
        head = (
            f"<p>step {k} of {len(self.steps)}"
            + (
                f": <b>{html.escape(index.label(current.node))}</b> is final and passes its "
                f"gradient to {len(current.updates)} input(s) (purple)"
                if current
                else ": gradients arriving from outside the scope"
            )  # fmt: skip
            + "</p>"
        )
        header = ["node", "op", "data", "grad so far", ""]
        self._table.value = head + html_table(header, rows, left={0}, row_styles=styles)
