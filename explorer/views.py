"""Views: what to draw of a recorded forward pass, always within a node budget.

A graph query (pure Python; no graphviz, matplotlib or widgets). Each view returns a
``GraphView`` (``explorer.graph``; pure data that the renderers in ``explorer.render`` draw):

- ``full``: every scalar node of a selection, micrograd style (value nodes with data and grad,
  op nodes between inputs and results). Constants fold into op labels, add chains into Σ.
- ``model``: one position's pass as the article's tensors, with their data and grads
  (``explorer.model_view``).
- ``overview``: the whole graph collapsed by scope depth (1: positions; 2: embed / layer /
  lm_head / softmax per position; 3: attention / MLP; 4: heads; 5: ops); parameters collapse
  into their matrices. A group shows its scalar count and the L2 norm of its gradients.
- ``scope``: zoom into one scope (``pos3.layer0.attn``): as much detail as fits.
- ``path``: the nodes between a source and the root, ranked by gradient flow; top N drawn,
  the rest folded into counted groups (``explorer.path``).
- ``node``: one node, its inputs and its consumers, and the ``grad +=`` sum that made its grad
  (``explorer.node``).

Selections (``explorer.selection``) slice by position, head, scope or name pattern. A request
that would draw more than ``budget`` nodes falls back to the next coarser level of detail
(``explorer.levels``) and says what it folded (``explorer.budget``); graphviz never receives
more than the budget. ``build_view`` is the one entry point for the CLI and the widgets. This
module also re-exports the names the other view modules define, so ``from explorer.views
import X`` keeps working for each of them.
"""

from __future__ import annotations

from microgpt.errors import MicrogptError
from microgpt.validate import check_choice, check_str

from .budget import DEFAULT_BUDGET, fit
from .checks import check_options, check_pass
from .graph import GraphView
from .levels import max_depth
from .model_view import model_view
from .node import consumer_terms, node_report, node_view, resolve_node
from .path import path_view, resolve_source
from .selection import select

__all__ = [
    "DEFAULT_BUDGET",
    "VIEWS",
    "build_view",
    "full_view",
    "consumer_terms",
    "model_view",
    "node_report",
    "node_view",
    "overview",
    "path_view",
    "resolve_node",
    "resolve_source",
    "scope_view",
    "select",
]

VIEWS = ("overview", "model", "scope", "path", "node", "full")


def full_view(fp, budget: int = DEFAULT_BUDGET, **slices) -> GraphView:
    """Every scalar node of the selection, micrograd style (or coarser, if over budget)."""
    check_pass(fp, "full_view")
    budget = DEFAULT_BUDGET if budget is None else budget  # None: "not given", as everywhere
    check_options(budget=budget, **slices)
    ids = select(fp, **slices)
    depths = list(range(max_depth(fp.index, ids), 0, -1))
    return fit(fp, ids, budget, True, depths, "full", _title(fp, "full", slices))


def overview(fp, depth: int = 2, budget: int = DEFAULT_BUDGET, **slices) -> GraphView:
    """The graph collapsed by scope ``depth`` (coarser if over budget)."""
    check_pass(fp, "overview")
    depth = 2 if depth is None else depth
    budget = DEFAULT_BUDGET if budget is None else budget
    check_options(depth=depth, budget=budget, **slices)
    if depth < 1:
        raise MicrogptError(f"depth must be 1 or more, got {depth}")
    ids = select(fp, **slices)
    title = _title(fp, "overview", slices)
    view = fit(fp, ids, budget, False, list(range(depth, 0, -1)), "overview", title)
    view.layout = "grid"
    return view


def scope_view(fp, scope: str, budget: int = DEFAULT_BUDGET, **slices) -> GraphView:
    """Zoom into ``scope``: every scalar node if it fits, else its sub-scopes collapsed."""
    check_pass(fp, "scope_view")
    check_str(scope, "scope", fix="a scope prefix, e.g. 'pos2.layer0.attn'")
    budget = DEFAULT_BUDGET if budget is None else budget
    check_options(scope=scope, budget=budget, **slices)
    ids = select(fp, scope=scope, **slices)
    base = scope.count(".") + 1
    depths = list(range(max_depth(fp.index, ids), base - 1, -1))
    return fit(fp, ids, budget, True, depths, "scope", _title(fp, f"scope {scope}", slices))


def _title(fp, what: str, slices: dict) -> str:
    parts = [f"{k}={v}" for k, v in slices.items() if v is not None]
    return (
        f"{fp.doc!r} · {what}"
        + (f" · {', '.join(parts)}" if parts else "")
        + f" · root {fp.root_name}"
    )


# -- one entry point for the CLI and widgets -------------------------------------------------
def build_view(fp, view: str = "overview", *, budget: int = DEFAULT_BUDGET, **opts) -> GraphView:
    """Dispatch by view name. Options are passed on to the view that uses them (``None``
    means "not given"); an option the chosen view does not take is ignored (e.g. ``pos`` for
    the node view)."""
    check_pass(fp, "build_view")
    check_choice(view, "view", VIEWS)
    budget = DEFAULT_BUDGET if budget is None else budget
    opts = {k: v for k, v in opts.items() if v is not None}
    if view == "model":
        return model_view(fp, budget=budget, **_only(opts, "pos"))
    if view == "overview":
        return overview(
            fp, budget=budget, **_only(opts, "depth", "pos", "head", "scope", "pattern")
        )
    if view == "full":
        return full_view(fp, budget=budget, **_only(opts, "pos", "head", "scope", "pattern"))
    if view == "scope":
        if "scope" not in opts:
            raise MicrogptError(
                "the scope view needs --scope PREFIX, e.g. --scope pos2.layer0.attn"
            )
        return scope_view(fp, budget=budget, **_only(opts, "scope", "pos", "head", "pattern"))
    if view == "path":
        return path_view(fp, budget=budget, **_only(opts, "source", "pos", "top"))
    if "node" not in opts:
        raise MicrogptError("the node view needs --node NAME, e.g. --node pos1.loss")
    return node_view(fp, opts["node"], budget=budget)


def _only(opts: dict, *keys: str) -> dict:
    return {k: opts[k] for k in keys if k in opts}
