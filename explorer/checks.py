"""The explorer's validation boundary: the arguments of its public functions, checked before
any work (a clear ``microgpt.errors`` type instead of an error from deep inside).

A graph query (pure Python): the views (``views``, ``path``, ``node``), ``select`` and
``ForwardPass`` call these on their arguments.
"""

from __future__ import annotations

from microgpt.errors import ArgumentTypeError, ConfigError
from microgpt.trace import MAX_NAME_CHARS
from microgpt.validate import _short, check_int, check_str, quoted

from .recorded import MODEL_PASS_ATTRS, RECORDED_ATTRS, has_attrs

__all__ = [
    "MAX_BUDGET",
    "check_head",
    "check_layer",
    "check_model_pass",
    "check_options",
    "check_pass",
    "check_position",
]

#: The most nodes a view may draw (graphviz lays out every drawn node).
MAX_BUDGET = 20_000

_INTS = ("pos", "head", "depth", "top", "layer", "step")
_STRS = ("scope", "pattern", "source", "root")


def check_pass(fp, function: str = "this view"):
    """``fp`` must be a recorded pass (``explorer.recorded.RecordedPass``): a ``ForwardPass``, a
    hand-built ``Expression``, or any object with what the views read (``trace``, ``root``,
    ``index``, ``doc``, ``check_pos``)."""
    if not has_attrs(fp, RECORDED_ATTRS):
        shown = repr(fp) if len(repr(fp)) <= 40 else repr(fp)[:37] + "..."
        hint = f"ForwardPass({fp!r})" if isinstance(fp, str) else "ForwardPass('emma')"
        raise ArgumentTypeError(
            f"{function} takes a recorded pass, got {type(fp).__name__} {shown}: pass e.g. {hint}"
        )
    return fp


def check_position(pos, positions: int, of: str, out_of_range) -> int:
    """``pos`` as an int from 0 to ``positions - 1``, else one clear error: ``of`` says whose
    positions they are (``"of the pass"``), ``out_of_range(pos)`` what exists instead."""
    pos = check_int(pos, "pos", fix=f"a position {of}, 0 to {positions - 1}")
    if not 0 <= pos < positions:
        raise ConfigError(out_of_range(pos))
    return pos


def check_model_pass(fp, function: str) -> None:
    """``fp`` must be a recorded pass of the model (``ModelPass``: a ``ForwardPass``), not a
    hand-built ``Expression``: what reads the model's tensors, positions or weights calls
    this."""
    check_pass(fp, function)
    if not has_attrs(fp, MODEL_PASS_ATTRS):
        raise ArgumentTypeError(
            f"{function} reads the model's tensors: it needs a forward pass of the model "
            "(ForwardPass('emma')), not a hand-built expression"
        )


def check_options(**opts) -> None:
    """Types and ranges of the options the views take (``None`` means "not given")."""
    for key, value in opts.items():
        if value is None:
            continue
        if key == "budget":
            check_int(value, "the node budget", fix="the default is 1,000")
            if not 1 <= value <= MAX_BUDGET:
                raise ConfigError(
                    f"the node budget must be a positive integer up to {MAX_BUDGET:,}, got "
                    f"{value:,}: the default is 1,000"
                )
        elif key in _INTS:
            check_int(value, key, fix=f"pass a whole number, e.g. {key}=2")
            if key in ("depth", "top") and value < 1:
                flag = "--top" if key == "top" else "depth"
                raise ConfigError(f"{flag} must be 1 or more, got {value}")
        elif key in _STRS:
            check_str(value, key, fix="give a name or leave it out")
            _check_length(value, key)
        elif key == "node":
            if isinstance(value, bool) or not (
                isinstance(value, str) or hasattr(type(value), "__index__")
            ):
                raise ArgumentTypeError(
                    f"node must be a name or an id, got {_short(value)}: e.g. 'pos1.loss' or 3"
                )
            if isinstance(value, str):
                _check_length(value, key)
        else:
            raise ArgumentTypeError(
                f"unknown option {key}={_short(value)}: the views take "
                f"{', '.join(('budget', *_INTS, *_STRS, 'node'))}"
            )


def check_layer(fp, layer) -> int:
    """``layer`` as an int if the pass's model has it, else one clear error (the one rule every
    query that takes a layer uses)."""
    n = _model_config(fp, "layer").n_layer
    return _part(layer, "layer", n, f"the model has {_count(n, 'layer')}")


def check_head(fp, head) -> int:
    """``head`` as an int if each layer of the pass's model has it, else one clear error."""
    n = _model_config(fp, "head").n_head
    return _part(head, "head", n, f"each layer has {_count(n, 'head')}")


def _part(k, what: str, n: int, has: str) -> int:
    k = check_int(k, what, fix=has)
    if not 0 <= k < n:
        raise ConfigError(f"{what} {k} is out of range: {has}")
    return k


def _model_config(fp, what: str):
    if not hasattr(fp, "source"):
        raise ArgumentTypeError(
            f"a {what} is a part of the model: a hand-built expression has none (use a ForwardPass)"
        )
    return fp.source.config


def _count(n: int, what: str) -> str:
    """``1 layer (0)`` or ``4 heads (0 to 3)``."""
    return f"1 {what} (0)" if n == 1 else f"{n} {what}s (0 to {n - 1})"


def _check_length(value: str, key: str) -> None:
    """A name, scope or pattern far longer than any the model gives is refused before a
    search over every node (each would copy it, and a close-name search would take minutes)."""
    if len(value) > MAX_NAME_CHARS:
        raise ConfigError(
            f"{key} {quoted(value)} is longer than any name in a pass (at most "
            f"{MAX_NAME_CHARS} characters): give a node's name, a scope or a pattern"
        )
