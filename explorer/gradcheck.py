"""Finite-difference checks of any recorded node's gradient, by replaying the recorded graph.

To estimate d root / d v for a node v (a parameter or any intermediate), the recorded ops are
re-evaluated in id order (ids are a topological order) with v's value nudged by ±h; every other
leaf keeps its recorded value. The replay goes through the engine's own table of its ops
(``microgpt.engine.OP_RULES``): with no nudge it reproduces every recorded value exactly (the
same float ops in the same order), so the estimate differs from the gradient only by the
finite-difference error. Constants stay constants, as in backward (e.g. softmax's max shift).

Pure Python over a ``GraphIndex``; no re-tracing, no model code.
"""

from __future__ import annotations

from dataclasses import dataclass

from microgpt.engine import OP_RULES
from microgpt.errors import MicrogptError
from microgpt.validate import check_number

from .checks import check_pass
from .graph import GraphIndex
from .node import resolve_node
from .recorded import RecordedPass
from .style import fmt
from .tables import html_table, number, text

__all__ = ["GradCheck", "finite_difference", "replay"]


def replay(index: GraphIndex, overrides: dict[int, float]) -> list[float]:
    """Every node's value recomputed from its recorded op, with ``overrides`` (id → value):
    through the engine's own table of its ops (``microgpt.engine.OP_RULES``)."""
    values = index.values
    data = [v.data for v in values]
    start = min(overrides)
    for i, x in overrides.items():
        data[i] = x
    ops, children = index.op, index.children
    for i in range(start + 1, len(values)):
        kids = children[i]
        if not kids or i in overrides:
            continue
        operands = [data[k] for k in kids]
        exponent = values[i].exponent  # a pow node's plain-number n; None for other ops
        if exponent is not None:
            operands.append(exponent)
        data[i] = OP_RULES[ops[i]].value(*operands)
    return data


@dataclass(frozen=True)
class GradCheck:
    """A finite-difference estimate next to the backward pass's gradient."""

    node: str
    grad: float
    estimate: float
    h: float

    @property
    def abs_error(self) -> float:
        return abs(self.estimate - self.grad)

    @property
    def rel_error(self) -> float:
        scale = max(abs(self.grad), abs(self.estimate), 1e-12)
        return self.abs_error / scale

    @property
    def agrees(self) -> bool:
        """Within what central differences in double precision can tell apart."""
        return self.abs_error <= 1e-6 or self.rel_error <= 1e-4

    def __repr__(self) -> str:
        verdict = "agree" if self.agrees else "DISAGREE"
        return (
            f"GradCheck({self.node}: backward {fmt(self.grad)}, finite difference "
            f"{fmt(self.estimate)}, {verdict})"
        )

    def _repr_html_(self) -> str:
        """Both numbers side by side, the errors and the verdict (full values on hover)."""
        rows = [
            [text("backward (the chain rule)"), number(self.grad)],
            [text(f"finite difference, h = {self.h:.0e}"), number(self.estimate)],
            [text("absolute error"), number(self.abs_error)],
            [text("relative error"), number(self.rel_error)],
            [text("verdict"), "<b>agree</b>" if self.agrees else "<b>DISAGREE</b>"],
        ]
        caption = f"gradient check of <code>{text(self.node)}</code>"
        table = html_table(["", "d root / d node"], rows, caption, left={0})
        return f'<div class="microgpt-gradcheck">{table}</div>'


def finite_difference(fp: RecordedPass, node: int | str, h: float | None = None) -> GradCheck:
    """Central difference (root(v + h) - root(v - h)) / 2h for one node of the pass's graph."""
    check_pass(fp, "finite_difference")
    if h is not None:
        h = check_number(h, "h", 0, lo_open=True,
                         fix="a small step, e.g. 1e-6 (or None: 1e-6 × max(1, |x|))")  # fmt: skip
    index: GraphIndex = fp.index
    i = resolve_node(fp, node)  # a name, "#id" or an id, with a clear error otherwise
    if i not in index.in_graph:
        raise MicrogptError(
            f"{index.label(i)} is not in the graph of the root {index.label(index.root)}: its "
            "gradient is 0 and there is nothing to check"
        )
    x = index.values[i].data
    h = h if h is not None else 1e-6 * max(1.0, abs(x))
    root = index.root
    try:
        up = replay(index, {i: x + h})[root]
        down = replay(index, {i: x - h})[root]
    except (ValueError, OverflowError, ZeroDivisionError) as e:
        raise MicrogptError(
            f"cannot nudge {index.label(i)} by ±{h:g}: the graph is not defined there ({e})"
        ) from None
    return GradCheck(index.label(i), index.values[i].grad, (up - down) / (2 * h), h)
