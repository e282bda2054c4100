"""Backward, one node at a time, through a small scope.

Inside a scope (e.g. ``pos1.layer0.attn.head0``) the backward pass is replayed in the
article's order — reverse topological order, each node's inputs in order — restricted to the
scope's nodes. The gradients that arrive from outside the scope (from consumers the scope does
not contain) are the starting point; each step takes one node, whose gradient is then final,
and adds ``local_grad × grad`` to each of its inputs. After the last step every node holds the
gradient the real backward pass computed (a test checks it). Pure Python over a ``GraphIndex``.
"""

from __future__ import annotations

from dataclasses import dataclass

from microgpt.errors import MicrogptError
from microgpt.validate import check_int, check_str

from .checks import check_pass
from .node import consumer_terms

__all__ = ["BackwardStep", "backward_steps"]


@dataclass(frozen=True)
class BackwardStep:
    """One step: ``node`` is final; each ``(input, contribution)`` was added to the input."""

    node: int
    grad: float
    updates: tuple[tuple[int, float], ...]


def backward_steps(fp, scope: str, limit: int = 400) -> tuple[list[int], dict[int, float],
                                                              list[BackwardStep]]:  # fmt: skip
    """``(ids, start_grads, steps)`` for the scope's nodes (constants left out).

    ``start_grads[i]`` is what node i received from consumers outside the scope.
    """
    check_pass(fp, "backward_steps")
    check_str(scope, "scope", fix="a scope prefix, e.g. 'pos0.lm_head' ('' for the whole graph)",
              empty_ok=True)  # fmt: skip
    limit = check_int(limit, "limit", 1, fix="the most nodes to step through, e.g. 400")
    index = fp.index
    ids = sorted(
        i for i in index.in_graph
        if (not scope or index.scope[i] == scope or index.scope[i].startswith(scope + "."))
        and index.op[i] != "const"
    )  # fmt: skip
    if not ids:
        raise MicrogptError(f"no node of the root's graph is in scope {scope!r}")
    if len(ids) > limit:
        raise MicrogptError(
            f"scope {scope!r} has {len(ids):,} nodes: step through a smaller one (at most "
            f"{limit}), e.g. {scope}.head0 or one softmax"
        )
    inside = set(ids)
    start = {i: 0.0 for i in ids}
    if index.root in inside:
        start[index.root] = 1.0
    for i in ids:  # contributions from consumers outside the scope arrive first
        for c, local, grad in consumer_terms(index, i):
            if c not in inside:
                start[i] += local * grad
    grads = dict(start)
    steps = []
    for i in reversed(ids):  # ids are a topological order
        updates = []
        for child, local in zip(index.children[i], index.values[i]._local_grads):
            if child in inside:
                contribution = local * grads[i]
                grads[child] += contribution
                updates.append((child, contribution))
        steps.append(BackwardStep(i, grads[i], tuple(updates)))
    return ids, start, steps
