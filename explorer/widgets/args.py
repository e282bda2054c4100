"""The widgets' argument boundary: each widget's traits checked where the learner sets them.

A widget that mixes in ``Checked`` declares ``_checks``: for each trait a learner may set, a
check ``(widget, value, what) -> value`` that returns the value to store (a numpy integer as an
``int``) or raises one ``MicrogptError`` subclass naming the argument, what it got and what it
takes. Given to the constructor, a bad value raises (``Widget(trait=...)``); set later on a
live widget (from code, or by a control linked to the trait), it is refused: the widget shows
the message in its own message area and keeps its previous state. Traitlets never sees a
value of the wrong type, so no ``TraitError`` comes from deep inside.

The checks read what the widget has loaded (a layer must exist in the pass shown). Before
that, a trait that depends on the data is checked for its type and sign only: its choice
control offers it once the data is in place (``bind``, ``offer``: a value the data lacks is
then refused with a message), or the trait waits (``defer``) and is applied then
(``apply_deferred``).
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable

from microgpt.errors import ArgumentTypeError, ConfigError, MicrogptError, UnknownNameError
from microgpt.validate import check_int, check_number, check_str

from ..forward import Expression, ForwardPass

__all__ = [
    "Check",
    "Checked",
    "bind",
    "choice",
    "flag",
    "integer",
    "need",
    "need_pass",
    "number",
    "offer",
    "text",
]

#: A trait's check: ``(widget, value, what)`` -> the value to store, or a ``MicrogptError``.
Check = Callable[[object, object, str], object]


def _short(value) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def integer(lo=None, hi=None, fix: str = "") -> Check:
    """An integer (numpy's too) in ``[lo, hi]``; a bound may be a function of the widget
    (``None`` from it: no bound yet)."""

    def check(widget, value, what):
        low = lo(widget) if callable(lo) else lo
        high = hi(widget) if callable(hi) else hi
        return check_int(value, what, low, high, fix)

    return check


def number(lo=None, hi=None, fix: str = "") -> Check:
    """A finite number in ``[lo, hi]``, stored as a float."""

    def check(widget, value, what):
        return float(check_number(value, what, lo, hi, fix=fix))

    return check


def text(fix: str = "") -> Check:
    """A string (empty allowed: "" means none)."""

    def check(widget, value, what):
        return check_str(value, what, fix, empty_ok=True)

    return check


def flag() -> Check:
    """``True`` or ``False`` (not 0, 1 or a string: ``"False"`` would read as true)."""

    def check(widget, value, what):
        if type(value).__name__ == "bool_":  # numpy's bool
            value = bool(value)
        if not isinstance(value, bool):
            raise ArgumentTypeError(f"{what} must be True or False, got {_short(value)}")
        return value

    return check


def choice(options: Iterable | Callable[[object], Iterable], noun: str = "") -> Check:
    """One of ``options`` (or of ``options(widget)``): a name (``UnknownNameError``) or a
    number (``ConfigError``: a step that is not a snapshot)."""

    def check(widget, value, what):
        allowed = list(options(widget) if callable(options) else options)
        kinds = {type(a) for a in allowed}
        if kinds <= {int} and allowed:
            value = check_int(value, what)
        elif kinds <= {str} and not isinstance(value, str):
            raise ArgumentTypeError(f"{what} must be a string, got {_short(value)}")
        if value in allowed:
            return value
        listed = ", ".join(map(str, allowed[:20])) + (", …" if len(allowed) > 20 else "")
        kind = UnknownNameError if isinstance(value, str) else ConfigError
        raise kind(f"{what} must be one of {listed}{noun}, got {_short(value)}")

    return check


def need(kind: type | tuple, what: str, takes: str, value, none_ok: bool = False):
    """``value`` if it is a ``kind`` (or ``None`` when ``none_ok``), else an
    ``ArgumentTypeError`` saying what ``what`` takes."""
    if (value is None and none_ok) or (value is not None and isinstance(value, kind)):
        return value
    raise ArgumentTypeError(f"{what} must be {takes}, got {type(value).__name__} {_short(value)}")


def need_pass(fp, what: str, none_ok: bool = False, expression_ok: bool = True):
    """``fp`` if it is a recorded pass: a ``ForwardPass``, or (``expression_ok``) an
    ``Expression`` built by hand."""
    if expression_ok:
        takes = "a ForwardPass (e.g. ForwardPass('emma')) or an Expression"
        return need((ForwardPass, Expression), what, takes, fp, none_ok)
    return need(ForwardPass, what, "a ForwardPass, e.g. ForwardPass('emma')", fp, none_ok)


class Checked:
    """Mixin (before the ipywidgets base class): trait assignments pass ``_checks``.

    ``_live`` is False while the constructor runs (a bad value raises) and True once it has
    finished (a bad value is shown in the message area and refused)."""

    #: trait name -> its check
    _checks: dict[str, Check] = {}
    _live = False

    def __setattr__(self, name: str, value) -> None:
        check = self._checks.get(name)
        if check is None:
            super().__setattr__(name, value)
            return
        widget = type(self).__name__
        live = self._live
        try:
            value = check(self, value, f"{widget}.{name}" if live else f"{widget}({name}=...)")
        except MicrogptError as e:
            if not live:
                raise
            self.refuse(str(e))
            return
        super().__setattr__(name, value)

    def refuse(self, text: str) -> None:
        """Show why a value was refused, in the widget's message area (its ``message`` trait,
        else its ``_message`` HTML)."""
        if self.has_trait("message"):
            self.message = text
        elif getattr(self, "_message", None) is not None:
            self._message.value = f'<p class="microgpt-message">{html.escape(text)}</p>'

    def take_traits(self, kwargs: dict, names: Iterable[str]) -> dict:
        """Pop the traits ``names`` from the constructor's ``kwargs``, in the order given."""
        return {k: kwargs.pop(k) for k in names if k in kwargs}

    def apply(self, asked: dict) -> None:
        """Set the traits ``asked`` (checked: a bad one raises while the constructor runs)."""
        for name, value in asked.items():
            setattr(self, name, value)

    def defer(self, asked: dict, names: Iterable[str]) -> None:
        """Check the types of the traits ``names`` in ``asked`` now; keep them to apply once
        the data they depend on is in place (``apply_deferred``)."""
        pending = {}
        for name in names:
            if name in asked:
                pending[name] = self._checks[name](self, asked.pop(name), self._what(name))
        self._pending = pending

    def apply_deferred(self) -> None:
        """The deferred traits, now that the data is in place (a value the data refuses: the
        message says why, and the trait keeps its default)."""
        pending, self._pending = getattr(self, "_pending", {}), {}
        for name, value in pending.items():
            setattr(self, name, value)

    def _what(self, name: str) -> str:
        widget = type(self).__name__
        return f"{widget}.{name}" if self._live else f"{widget}({name}=...)"


def bind(widget, trait: str, control) -> None:
    """``widget.trait`` and a choice control's ``value`` kept equal, like ``traitlets.link``,
    except that a value the control does not offer yet (a layer before the pass is shown)
    stays in the trait and reaches the control once it offers it (``offer``)."""

    def to_control(change) -> None:
        if change["new"] in control._options_values and control.value != change["new"]:
            control.value = change["new"]

    def to_widget(change) -> None:
        if change["new"] is not None and getattr(widget, trait) != change["new"]:
            setattr(widget, trait, change["new"])

    widget.observe(to_control, trait)
    control.observe(to_widget, "value")
    to_control({"new": getattr(widget, trait)})


def offer(widget, trait: str, control, options: list, noun: str) -> None:
    """Give the control its ``options`` (the data is in place); a trait value among them is
    shown, any other is refused with a message and the first option taken."""
    value = getattr(widget, trait)
    control.options = options
    if value in options:
        control.value = value
        return
    widget.refuse(f"{type(widget).__name__}.{trait} {value!r} is not in this {noun}: it has "
                  f"{', '.join(map(str, options))}; showing {options[0]}")  # fmt: skip
    setattr(widget, trait, options[0])
