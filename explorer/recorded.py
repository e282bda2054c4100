"""What a query reads of a recorded pass: the ``RecordedPass`` protocol (and ``ModelPass``, a
recorded pass of the model), so that queries depend on it, not on the checkpoint loader.

The bottom of the explorer's query layer, beside ``explorer.graph``: ``explorer.forward``'s
``ForwardPass`` (a pass of the model, loaded from a checkpoint) and ``Expression`` (a small
hand-built graph) both fit it, and so does any object with these attributes.
``explorer.checks.check_pass`` checks an argument against it. Pure Python; imports nothing
of the explorer at run time.
"""

from __future__ import annotations

from inspect import getattr_static
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:  # pragma: no cover - for the annotations only
    from microgpt.engine import Value
    from microgpt.trace import Trace

    from .graph import GraphIndex

__all__ = ["MODEL_PASS_ATTRS", "RECORDED_ATTRS", "ModelPass", "RecordedPass", "has_attrs"]


class RecordedPass(Protocol):
    """A recorded, back-propagated pass: its trace, the root backward ran from, the graph's
    index (ids, ops, consumers, backward's order), a title, and a place for queries to keep
    what they computed from it."""

    trace: Trace
    root: Value
    doc: str
    memo: dict[str, object]

    @property
    def index(self) -> GraphIndex: ...

    def check_pos(self, pos: int) -> int: ...


class ModelPass(RecordedPass, Protocol):
    """A recorded pass of the model: also its source (the weights, config and run it came
    from), the document's tokens and the training step of its weights."""

    source: object
    tokens: list[int]
    step: int


#: What ``explorer.checks.check_pass`` looks for (the protocol's members that every query reads).
RECORDED_ATTRS = ("trace", "root", "index", "doc", "check_pos")
#: What a query that reads the model's tensors, positions or weights also needs.
MODEL_PASS_ATTRS = ("source", "tokens")

_MISSING = object()


def has_attrs(obj, attrs: tuple[str, ...]) -> bool:
    """Whether ``obj`` has every one of ``attrs``, looked up without running a property (a
    pass builds its index lazily: checking an argument must not build it)."""
    return all(getattr_static(obj, a, _MISSING) is not _MISSING for a in attrs)
