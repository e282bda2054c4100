"""Gradient flow: how much of d(root)/d(source) passes through each node.

One forward-mode sweep from the source (tangent 1 on every source node):
``tangent(v) = Σ local_grad(v, child) × tangent(child)``, in id order (ids are a topological
order: a node's inputs always exist before it). Then ``flow(v) = grad(v) × tangent(v)``.
For any cut of the graph — a set of nodes that every path from the source to the root crosses
exactly once — the flows add up to d(root)/d(source). With a row of parameters as the source,
that derivative is along the direction that moves every entry of the row together, i.e. the
sum of the entries' gradients.

Pure Python over a ``GraphIndex``.
"""

from __future__ import annotations

from dataclasses import dataclass

from microgpt.errors import ConfigError
from microgpt.validate import check_instance, check_int

from .graph import GraphIndex

__all__ = ["Flow", "gradient_flow"]


@dataclass
class Flow:
    """The result of one sweep. ``on_path[i]``: node i lies on some path source → root."""

    sources: list[int]
    tangent: list[float]
    flow: list[float]
    on_path: list[bool]
    source_grad: float  # d root / d source: Σ grad over the source nodes

    def path_ids(self) -> list[int]:
        return [i for i, on in enumerate(self.on_path) if on]


def gradient_flow(index: GraphIndex, sources: list[int]) -> Flow:
    """Sweep forward from ``sources`` and combine with the gradients already computed."""
    check_instance(index, "index", GraphIndex, "a pass's GraphIndex (fp.index)")
    check_instance(sources, "sources", (list, tuple), "a list of node ids")
    if not sources:
        raise ConfigError("gradient_flow needs at least one source node")
    n = len(index)
    sources = [check_int(s, "a source id", 0, n - 1, fix=f"node ids are 0 to {n - 1}")
               for s in sources]  # fmt: skip
    values = index.values
    children = index.children
    tangent = [0.0] * n
    reached = [False] * n
    for s in sources:
        tangent[s] = 1.0
        reached[s] = True
    source_set = set(sources)
    for i in range(min(sources) + 1, n):
        if i in source_set:
            continue
        kids = children[i]
        if not kids:
            continue
        t = 0.0
        hit = False
        for child, local in zip(kids, values[i]._local_grads):
            if reached[child]:
                hit = True
                t += local * tangent[child]
        if hit:
            reached[i] = True
            tangent[i] = t
    in_graph = index.in_graph
    flow = [0.0] * n
    on_path = [False] * n
    for i in range(n):
        if reached[i] and i in in_graph:
            on_path[i] = True
            flow[i] = values[i].grad * tangent[i]
    source_grad = sum(values[s].grad for s in sources)
    return Flow(list(sources), tangent, flow, on_path, source_grad)
