"""``PassState``: the one selection every widget of a forward pass shows — the document, the
weights' step, the root, the position, the layer and head, the zoom scope, the selected node
and the view — and the choices that follow from others, derived here and nowhere else.

Where it sits: under the widgets (``explorer.widgets``), above the queries. It is a
``traitlets.HasTraits`` the widgets observe, so it lives with them (traitlets comes with
ipywidgets; ``explorer``'s queries never import it). A ``Session`` owns one; a Dashboard hands
it to each of its widgets; a widget built on its own makes its own.

Each widget's public traits (``pos``, ``doc``, ``selected``, …) stay as they were for a
learner, as views of the state (``join``): set one and the state changes, and every other
widget with it. A widget that refuses a value (``args.Checked``: the message in its own area)
or clamps it (a position past the document's end) puts the state back to what it shows, and
the others follow. One widget leads (``lead``, the graph: it holds the pass): it locates a
selected node's scope and says whether its view depends on the position.

Derived here (``_look_at``): a zoom into ``pos2.layer0.attn.head1`` sets position 2, layer 0
and head 1; selecting ``pos3.layer0.attn.head2.q[1]`` sets position 3 (unless the view drawn
depends on the position: a click never redraws under the pointer), layer 0 and head 2. Both set
``focus``, where the learner looks (the backward stepper follows it).
"""

from __future__ import annotations

from typing import Protocol

import traitlets

from microgpt.errors import ArgumentTypeError
from microgpt.model import parse_name

from .args import Checked, integer, text

__all__ = ["PassState"]

#: The traits widgets share (``focus`` and ``positions`` are derived and set here or by the
#: lead, never joined).
SHARED = ("doc", "step", "root", "pos", "layer", "head", "scope", "selected", "view")


class Lead(Protocol):
    """What the widget holding the pass tells the state (``GraphExplorer``)."""

    def scope_of(self, name: str) -> str | None:
        """The scope a selected node or tensor was computed in (None: none to follow)."""

    def uses_pos(self) -> bool:
        """Whether the view drawn depends on the position (a click then never moves it)."""


def _step(state, value, what: str):
    """A training step, or None (the checkpoint's own weights)."""
    return None if value is None else integer(0)(state, value, what)


class PassState(Checked, traitlets.HasTraits):
    """The selection shared by the widgets of one forward pass (see the module's docstring).
    A value of the wrong type or sign is refused here (``args.Checked``): said in the lead's
    message area when there is one, else raised; a value a widget refuses is said there."""

    doc = traitlets.Unicode("emma")
    #: The weights' training step (None: the checkpoint's own): written by
    #: ``Session.set_weights`` (the one-step tab), read as ``Session.step``.
    step = traitlets.Int(None, allow_none=True)
    root = traitlets.Unicode("loss")
    pos = traitlets.Int(1)
    layer = traitlets.Int(0)
    head = traitlets.Int(0)
    #: The scope zoomed into ("": none).
    scope = traitlets.Unicode("")
    #: A node's name or ``#id``, or a tensor of the model view ("": none).
    selected = traitlets.Unicode("")
    view = traitlets.Unicode("overview")
    #: Derived: the scope the learner looks at (the last zoom, or the selected node's scope).
    focus = traitlets.Unicode("")
    #: The pass's number of positions (set by the lead; 0: no pass yet).
    positions = traitlets.Int(0)

    _checks = {
        **{k: text() for k in ("doc", "root", "scope", "selected", "view", "focus")},
        **{k: integer(0) for k in ("pos", "layer", "head", "positions")},
        "step": _step,
    }

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._live = True
        self._members: list[tuple[object, dict[str, str], bool]] = []
        self._lead: Lead | None = None
        self._deriving = True  # False while a lead's asked values come in
        self.observe(self._spread, names=list(SHARED))  # first: the widgets show the change
        self.observe(self._on_scope, "scope")
        self.observe(self._on_selected, "selected")

    @staticmethod
    def given(state, what: str) -> PassState:
        """``state`` if it is a ``PassState``, a new one for ``None``; else one clear error."""
        if state is None:
            return PassState()
        if not isinstance(state, PassState):
            raise ArgumentTypeError(
                f"{what} must be a PassState (e.g. a Session's .state) or None, got "
                f"{type(state).__name__}"
            )
        return state

    def refuse(self, text: str) -> None:
        """A value refused: said where the lead says what it refuses, else raised."""
        if self._lead is None or not hasattr(self._lead, "refuse"):
            raise  # the MicrogptError being refused (``Checked`` calls this while handling it)
        self._lead.refuse(text)

    # -- members --------------------------------------------------------------------------------
    def join(self, widget, *names: str, lead: bool = False, **renamed: str) -> None:
        """``widget``'s traits ``names`` (and ``renamed``: widget trait -> state trait) become
        views of the state, both ways. ``lead``: the widget's values go into the state now
        (it was built with what the learner asked for); else the state's go into the widget."""
        pairs = {**{n: n for n in names}, **renamed}
        self._members.append((widget, pairs, True))
        for mine, ours in pairs.items():
            if lead:  # as asked: nothing derived from it (a scope asked with its position)
                self._deriving, deriving = False, self._deriving
                try:
                    setattr(self, ours, getattr(widget, mine))
                finally:
                    self._deriving = deriving
            else:
                self._show(widget, mine, ours)
            widget.observe(lambda _, m=mine, o=ours: self._take(widget, m, o), mine)

    def feed(self, widget, lead: bool = False, **renamed: str) -> None:
        """``widget``'s traits (widget trait -> state trait) follow the state, one way (from
        now on; ``lead``: the widget keeps its values until the state changes)."""
        self._members.append((widget, renamed, False))
        for mine, ours in renamed.items():
            if not lead:
                self._show(widget, mine, ours)

    def lead(self, widget: Lead) -> None:
        """``widget`` holds the pass: it locates selections (``scope_of``, ``uses_pos``)."""
        self._lead = widget

    def _show(self, widget, mine: str, ours: str) -> None:
        value = getattr(self, ours)
        if getattr(widget, mine) != value:
            setattr(widget, mine, value)

    def _take(self, widget, mine: str, ours: str) -> None:
        """A widget's trait changed (a control, code, its own clamp): the state takes it. Its
        current value, not the change's (a nested update may have replaced it since)."""
        value = getattr(widget, mine)
        if getattr(self, ours) != value:
            setattr(self, ours, value)

    def _spread(self, change) -> None:
        """Every member shows the state's new value. A member that refuses or clamps it (a
        two-way one) puts the state back to what it shows, and the spread starts over."""
        ours = change["name"]
        value = getattr(self, ours)
        for widget, pairs, both in list(self._members):
            for mine in [m for m, o in pairs.items() if o == ours]:
                if getattr(widget, mine) == value:
                    continue
                setattr(widget, mine, value)
                if getattr(self, ours) != value:
                    return  # a nested update won: it has spread itself
                shown = getattr(widget, mine)
                if both and shown != value:
                    setattr(self, ours, shown)
                    return

    def move(self, by: int) -> None:
        """The next (``by=1``) or previous (``-1``) position, kept within the pass (a
        presenter's clicker; nothing before a pass is in place)."""
        if self.positions:
            self.pos = max(0, min(self.pos + by, self.positions - 1))

    # -- derived choices ------------------------------------------------------------------------
    def _on_scope(self, change) -> None:
        if change["new"] and self._deriving:
            self._look_at(change["new"], move_pos=True)

    def _on_selected(self, change) -> None:
        name, lead = change["new"], self._lead
        if not name or not self._deriving or lead is None:  # no pass to locate it in
            return
        scope = lead.scope_of(name)
        if scope:
            self._look_at(scope, move_pos=not lead.uses_pos())

    def _look_at(self, scope: str, move_pos: bool) -> None:
        """The one place choices follow from where the learner looks: the position (when it is
        in the pass), the layer and head, then ``focus`` (announced even when unchanged: a
        widget that follows it may have moved away since)."""
        at = parse_name(scope)  # the one parser of names (microgpt.model)
        if move_pos and at.pos is not None and (not self.positions or at.pos < self.positions):
            self.pos = at.pos
        if at.head is not None:
            self.layer, self.head = at.layer, at.head
        if self.focus == scope:
            self.notify_change(traitlets.Bunch(name="focus", old=scope, new=scope, owner=self,
                                               type="change"))  # fmt: skip
        else:
            self.focus = scope
