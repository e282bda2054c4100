"""The node budget: every view draws at most ``budget`` nodes, and says what it folded.

A graph query (pure Python; no graphviz, matplotlib or widgets). ``fit`` tries the levels of
``explorer.levels`` from fine to coarse and keeps the first that fits, so graphviz never
receives more than the budget; ``make_view`` wraps what a view draws in a ``GraphView``
(``explorer.graph``) with the pass's numbers. The views (``explorer.views``, ``explorer.path``,
``explorer.node``) import this module, never the other way round.
"""

from __future__ import annotations

from microgpt.errors import MicrogptError

from .checks import check_options
from .graph import GraphView
from .levels import collapsed, detail_size, detailed

__all__ = ["DEFAULT_BUDGET", "check_budget", "fit", "make_view", "plural"]

DEFAULT_BUDGET = 1000


def plural(n: int, word: str) -> str:
    """``n`` and ``word``, with an s unless ``n`` is 1: ``plural(1200, "group")`` is
    ``"1,200 groups"``."""
    return f"{n:,} {word}" + ("" if n == 1 else "s")


def check_budget(budget: int) -> None:
    """A ``MicrogptError`` unless ``budget`` is an integer from 1 to ``MAX_BUDGET``."""
    check_options(budget=budget)


def fit(fp, ids: set[int], budget: int, detail: bool, depths: list[int], kind: str, title: str):
    """The finest level of ``ids`` that fits the budget: detail first (if asked), then each
    collapse depth in ``depths`` (fine to coarse)."""
    check_budget(budget)
    tried = []
    if detail:
        size = detail_size(fp, ids)
        if size <= budget:
            nodes, edges, info = detailed(fp, ids)
            if len(nodes) <= budget:
                notes = _detail_notes(info)
                return make_view(fp, kind, title, nodes, edges, ids, notes, level="detail", **info)
            size = len(nodes)
        tried.append(f"every scalar node ({size:,} drawn)")
    smallest = None
    for depth in depths:
        nodes, edges, info = collapsed(fp, ids, depth)
        if len(nodes) <= budget:
            scalars = sum(n.count for n in nodes if n.kind == "group" and n.role != "input")
            groups = plural(info["groups"], "group")
            notes = [f"folded {scalars:,} scalar nodes into {groups} (scope depth {depth})"]
            if tried:
                notes.insert(0, f"budget {budget:,}: {tried[0]} would not fit; collapsed instead")
            level = f"depth {depth}"
            return make_view(fp, kind, title, nodes, edges, ids, notes, level=level, **info)
        smallest = len(nodes)
        tried.append(f"depth {depth} ({len(nodes):,} drawn)")
    raise MicrogptError(
        f"a budget of {budget:,} nodes is too small to draw anything of this view: its coarsest "
        f"level needs {smallest:,} nodes. Raise --budget to at least {smallest:,}, or narrow the "
        "selection (--scope, --pos)"
    )


def _detail_notes(info: dict) -> list[str]:
    notes = []
    if info["constants_folded"]:
        notes.append(f"folded {info['constants_folded']:,} constants into op labels")
    if info["sum_chains"]:
        notes.append(f"folded add chains into {plural(info['sum_chains'], 'Σ node')}")
    return notes


def make_view(fp, kind, title, nodes, edges, ids, notes, **extra) -> GraphView:
    """A ``GraphView`` of what a view draws, its stats saying how much of the pass that is."""
    index = fp.index
    stats = {
        "trace_nodes": len(index),
        "graph_nodes": len(index.in_graph),
        "selected_nodes": len(ids),
        "drawn_nodes": len(nodes),
        "root": index.label(index.root),
        "root_value": index.values[index.root].data,
        **extra,
    }
    k = getattr(fp, "train_step", None)
    if k is not None:
        stats["train_step"] = k
        notes = [
            f"the forward pass of training step {k}: {fp.doc!r}, the document it trained on, "
            f"with the weights before its update (after {k - 1} steps)",
            *notes,
        ]
    notes = [*notes, *getattr(fp, "notes", ())]  # e.g. a document cut to the model's context
    return GraphView(kind, title, nodes, edges, stats, notes, str(fp.address))
