"""Backward, one node at a time, through a small scope.

Inside a scope (e.g. ``pos1.layer0.attn.head0``) the backward pass is replayed in its own
recorded order (``explorer.backward_replay``, the engine the backward player shares),
restricted to the scope's nodes: each step takes one node, whose gradient is then final, and
adds ``local_grad × grad`` to each of its inputs in the scope. What consumers outside the scope
add is gathered as the starting point. Each step's grad is backward's own sum, bit for bit (a
test checks it). Pure Python over a recorded pass (``explorer.recorded``).
"""

from __future__ import annotations

from dataclasses import dataclass

from microgpt.errors import MicrogptError
from microgpt.validate import check_int, check_str

from .backward_replay import BackwardReplay
from .checks import check_pass
from .recorded import RecordedPass

__all__ = ["BackwardStep", "backward_steps"]


@dataclass(frozen=True)
class BackwardStep:
    """One step: ``node`` is final; each ``(input, contribution)`` was added to the input."""

    node: int
    grad: float
    updates: tuple[tuple[int, float], ...]


def backward_steps(
    fp: RecordedPass, scope: str, limit: int = 400
) -> tuple[list[int], dict[int, float], list[BackwardStep]]:
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
    return ids, *_steps(fp, ids)


def _steps(fp: RecordedPass, ids: list[int]) -> tuple[dict[int, float], list[BackwardStep]]:
    """Backward's ``grad +=`` replayed (``BackwardReplay``): a scope node's step is where
    backward reaches it, with what it added to the scope's nodes; what outside consumers add
    goes to ``start``. The steps' grads are backward's own sums, bit for bit."""
    index = fp.index
    inside = set(ids)
    start = {i: 0.0 for i in ids}
    grads: dict[int, float] = {i: 0 for i in ids}  # backward's += from 0, in its own order
    if index.root in inside:
        start[index.root] = 1.0
        grads[index.root] = 1
    replay = BackwardReplay(fp, ids)
    steps = []
    for i in sorted(ids, key=replay.rank.__getitem__):  # backward's order: the root first
        updates: list[tuple[int, float]] = []
        for consumer, children, local_grads, g in replay.until(replay.rank[i]):  # i's last
            for child, local in zip(children, local_grads):
                if child in inside:
                    contribution = local * g
                    grads[child] += contribution
                    if consumer == i:
                        updates.append((child, contribution))
                    elif consumer not in inside:
                        start[child] += contribution
        steps.append(BackwardStep(i, grads[i], tuple(updates)))
    return start, steps
