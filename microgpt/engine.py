"""The scalar autograd engine: microgpt's ``Value``, recording the op that made every node.

This is the bottom layer of the package (README.md, "How the code is organized"): it imports
only the standard library and knows nothing of models, names or pictures. ``microgpt.trace``
sits on top of it and turns on recording through the one context variable defined here,
``RECORDER``.

A node holds its value, its gradient, its children as an ordered tuple and the local derivative
with respect to each child (the article's design: tuples, no closures). Derived operations
(``-a``, ``a - b``, ``a / b``, ``b + a`` …) are composed from ``+``, ``*`` and ``**`` exactly as
in the article, because bit-for-bit parity with it depends on building the same graph in the
same order. Every node also carries its op:

==========  ===========================================  ======================
op          value                                        local gradients
==========  ===========================================  ======================
``add``     a + b                                        (1, 1)
``mul``     a · b                                        (b, a)
``pow``     aⁿ (``exponent`` holds n, a plain number)    (n · aⁿ⁻¹,)
``log``     ln a                                         (1 / a,)
``exp``     eᵃ                                           (eᵃ,)
``relu``    max(0, a)                                    (1.0 if a > 0 else 0.0,)
``param``   a model parameter (leaf)                     ()
``input``   a leaf made by the caller, ``Value(x)``      ()
``const``   a plain number wrapped as an operand (leaf)  ()
==========  ===========================================  ======================

``OP_RULES`` is that table as code: for each op with children, its value and its local
gradients as functions of its operands' values (and a pow node's exponent). The operators
below compute the very same expressions inline — a call per node would slow every op — and
tests/test_engine.py checks each operator against the table bit for bit; ``explorer.gradcheck``
replays recorded graphs through it.
"""

from __future__ import annotations

import gc
import math
import numbers
from collections.abc import Callable
from contextlib import contextmanager
from contextvars import ContextVar
from types import MappingProxyType
from typing import NamedTuple

from .errors import ArgumentTypeError

__all__ = ["LEAF_OPS", "OPS", "OP_RULES", "RECORDER", "OpRule", "PowValue", "Value", "gc_paused"]

#: Every op a node can carry; the last three are leaves (no children).
OPS = ("add", "mul", "pow", "log", "exp", "relu", "param", "input", "const")
LEAF_OPS = frozenset(("param", "input", "const"))


class OpRule(NamedTuple):
    """An op's rule: ``value(*operands)`` and ``local_grads(*operands)`` (one per child), the
    operands being the children's values and, for ``pow``, the exponent last."""

    value: Callable
    local_grads: Callable


#: The rule of every op with children (read-only). See the module's docstring.
OP_RULES = MappingProxyType(
    {
        "add": OpRule(lambda a, b: a + b, lambda a, b: (1, 1)),
        "mul": OpRule(lambda a, b: a * b, lambda a, b: (b, a)),
        "pow": OpRule(lambda a, n: a**n, lambda a, n: (n * a ** (n - 1),)),
        "log": OpRule(math.log, lambda a: (1 / a,)),
        "exp": OpRule(math.exp, lambda a: (math.exp(a),)),
        "relu": OpRule(lambda a: max(0, a), lambda a: (float(a > 0),)),
    }
)

#: The active recorder: a callable that receives every new ``Value``, or ``None`` (the default)
#: when nothing records. ``microgpt.trace.trace`` sets it; outside a trace each new node costs
#: one ``get()`` and one ``is None`` check.
RECORDER: ContextVar[Callable[[Value], object] | None] = ContextVar(
    "microgpt_recorder", default=None
)


class Value:
    """One scalar node of the computation graph.

    Attributes:
        data: the value computed in the forward pass (a float; ``relu`` of a non-positive input
            is the int 0, as in the article).
        grad: d(root)/d(this node) after ``root.backward()``; 0 before.
    """

    # Five slots: the article's four and the op (an interned string). A pow node's exponent
    # lives on the ``PowValue`` subclass, so the other nodes do not pay for it.
    __slots__ = ("data", "grad", "_children", "_local_grads", "_op")

    def __init__(self, data, children=(), local_grads=(), op="input"):
        # A leaf holds what the caller gave (``Value(x)``, a plain operand): check it is a
        # number. An op's node (children) holds a computed number and skips the check.
        if not children and type(data) is not float and type(data) is not int:
            _check_number(data, op)
        self.data = data
        self.grad = 0
        self._children = children
        self._local_grads = local_grads
        self._op = op
        record = RECORDER.get()
        if record is not None:
            record(self)

    # -- what a node is -------------------------------------------------------------------
    @property
    def op(self) -> str:
        """The op that made this node: one of ``OPS``."""
        return self._op

    @property
    def exponent(self):
        """The plain-number exponent n of a ``pow`` node; ``None`` for every other op."""
        return None

    @property
    def children(self) -> tuple:
        """The operands, in order (empty for leaves)."""
        return self._children

    @property
    def local_grads(self) -> tuple:
        """d(this node)/d(child) for each child, in the children's order."""
        return self._local_grads

    def __repr__(self) -> str:
        return f"Value(data={self.data}, grad={self.grad}, op={self._op!r})"

    # -- primitive ops (each makes exactly one node, plus a leaf for a plain-number operand) --
    def __add__(self, other):
        other = other if isinstance(other, Value) else Value(other, op="const")
        return Value(self.data + other.data, (self, other), (1, 1), "add")

    def __mul__(self, other):
        other = other if isinstance(other, Value) else Value(other, op="const")
        return Value(self.data * other.data, (self, other), (other.data, self.data), "mul")

    def __pow__(self, other):
        if type(other) is not int and type(other) is not float:  # x ** -1, x ** 2 first
            _check_exponent(other)
        return PowValue(self.data**other, (self,), (other * self.data ** (other - 1),), other)

    def log(self):
        return Value(math.log(self.data), (self,), (1 / self.data,), "log")

    def exp(self):
        return Value(math.exp(self.data), (self,), (math.exp(self.data),), "exp")

    def relu(self):
        return Value(max(0, self.data), (self,), (float(self.data > 0),), "relu")

    # -- composed ops: exactly the article's compositions (parity depends on it) ------------
    def __neg__(self):
        return self * -1

    def __radd__(self, other):
        return self + other

    def __sub__(self, other):
        try:
            negated = -other
        except TypeError:  # e.g. x - None, x - "1"
            _check_number(other, "const")
            raise
        return self + negated

    def __rsub__(self, other):
        return other + (-self)

    def __rmul__(self, other):
        return self * other

    def __truediv__(self, other):
        try:
            inverse = other**-1
        except (TypeError, ValueError):  # x / "2"; numpy integers refuse negative powers
            _check_number(other, "const")
            inverse = float(other) ** -1  # what int ** -1 computes, bit for bit
        return self * inverse

    def __rtruediv__(self, other):
        return other * self**-1

    # -- backward -------------------------------------------------------------------------
    def topological_order(self) -> list[Value]:
        """Every node this one depends on, children before parents.

        The order is the article's recursive post-order walk (children visited in tuple order,
        each node once), computed with an explicit stack so that graph depth is unlimited.
        """
        topo: list[Value] = []
        visited = {self}
        stack = [(self, iter(self._children))]
        while stack:
            node, pending = stack[-1]
            for child in pending:
                if child not in visited:
                    visited.add(child)
                    if child._children:
                        stack.append((child, iter(child._children)))
                        break
                    topo.append(child)  # a leaf: post-order puts it here at once
            else:
                stack.pop()
                topo.append(node)
        return topo

    def backward(self) -> list[Value]:
        """Set ``grad`` on every node this one depends on to d(self)/d(node).

        Gradients accumulate (``+=``) into whatever ``grad`` already holds, in the article's
        order: reverse topological order, each node's children in tuple order. Returns that
        topological order, so that callers who need the graph do not walk it again.
        """
        topo = self.topological_order()
        self.grad = 1
        for node in reversed(topo):
            grad = node.grad
            for child, local_grad in zip(node._children, node._local_grads):
                child.grad += local_grad * grad
        return topo


def _what(x) -> str:
    text = " ".join(repr(x).split("\n"))
    text = text if len(text) <= 40 else text[:37] + "..."
    return f"{type(x).__name__} {text}" if not isinstance(x, (str, int, float)) else text


def _check_number(data, op: str) -> None:
    """A leaf's data must be a real number (an int, a float, ``numpy.float64`` …; not a
    bool, a string or a list): the engine's arithmetic would otherwise concatenate strings or
    repeat lists without a word."""
    if isinstance(data, bool) or not isinstance(data, numbers.Real):
        what = "an operand of a Value" if op == "const" else "Value(x)"
        raise ArgumentTypeError(
            f"{what} must be a number (int or float), got {_what(data)}: e.g. Value(2.0), "
            "x * 3 or x + 0.5"
        )


def _check_exponent(n) -> None:
    if isinstance(n, (Value, bool)) or not isinstance(n, numbers.Real):
        raise ArgumentTypeError(
            f"the exponent must be a plain number (int or float), got {_what(n)}: e.g. x ** 2 "
            "or x ** -0.5 (Value ** Value is not supported)"
        )


class PowValue(Value):
    """A ``pow`` node: a ``Value`` that also keeps its plain-number exponent."""

    __slots__ = ("_exponent",)

    def __init__(self, data, children, local_grads, exponent):
        self._exponent = exponent
        super().__init__(data, children, local_grads, "pow")

    @property
    def exponent(self):
        return self._exponent


@contextmanager
def gc_paused():
    """Pause Python's cyclic garbage collector for a forward and backward pass.

    A graph of Values has no reference cycles (nodes point only to their children), so
    reference counting frees it; but while 100,000 nodes are being made the cyclic collector
    runs full collections that re-scan all of them, which makes a training step ~1.7x slower.
    Arithmetic is unchanged. The collector's previous state is restored on exit.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
