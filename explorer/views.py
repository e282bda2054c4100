"""Views: what to draw of a recorded forward pass, always within a node budget.

Each view returns a ``GraphView`` (pure data; ``explorer.render`` draws it):

- ``full``: every scalar node of a selection, micrograd style (value nodes with data and grad,
  op nodes between inputs and results). Constants fold into op labels, add chains into Σ.
- ``overview``: the whole graph collapsed by scope depth (1: positions; 2: embed / layer /
  lm_head / softmax per position; 3: attention / MLP; 4: heads; 5: ops); parameters collapse
  into their matrices. A group shows its scalar count and the L2 norm of its gradients.
- ``scope``: zoom into one scope (``pos3.layer0.attn``): as much detail as fits.
- ``path``: the nodes between a source and the root, ranked by gradient flow; top N drawn,
  the rest folded into counted groups.
- ``node``: one node, its inputs and its consumers, and the ``grad +=`` sum that made its grad.

Selections (``select``) slice by position, head, scope or name pattern. A request that would
draw more than ``budget`` nodes falls back to the next coarser level and says what it folded;
graphviz never receives more than the budget. Pure Python: no graphviz, matplotlib or widgets.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict

from microgpt.errors import MicrogptError
from microgpt.trace import pattern_regex

from .graph import GraphEdge, GraphIndex, GraphNode, GraphView
from .style import fmt

__all__ = [
    "DEFAULT_BUDGET",
    "VIEWS",
    "build_view",
    "full_view",
    "consumer_terms",
    "node_report",
    "node_view",
    "overview",
    "path_view",
    "resolve_node",
    "scope_view",
    "select",
]

DEFAULT_BUDGET = 1000
VIEWS = ("overview", "scope", "path", "node", "full")
_OP_SYMBOL = {"add": "+", "mul": "×", "log": "log", "exp": "exp", "relu": "relu"}
_ROW = re.compile(r"([A-Za-z0-9_.]+)\[([^,\]]+)\]\Z")


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}" + ("" if n == 1 else "s")


# -- selections ----------------------------------------------------------------------------
def select(
    fp,
    *,
    pos: int | None = None,
    head: int | None = None,
    scope: str | None = None,
    pattern: str | None = None,
) -> set[int]:
    """Ids in the root's graph that match every given slice (all of them if none is given)."""
    index: GraphIndex = fp.index
    ids = set(index.in_graph)
    if pos is not None:
        fp.check_pos(pos)
        prefix = f"pos{pos}"
        ids = {i for i in ids if _in_scope(index.scope[i], prefix)}
        if not ids:  # e.g. root loss@3 and pos 5: in range, but the root does not read it
            raise MicrogptError(
                f"position {pos} is not in the graph of the root {index.label(index.root)}: "
                "choose an earlier position, or another root (e.g. --root loss)"
            )
    if head is not None:
        n_head = fp.source.config.n_head
        if not 0 <= head < n_head:
            raise MicrogptError(
                f"head {head} is out of range: the model has heads 0 to {n_head - 1}"
            )
        part = f"head{head}"
        ids = {i for i in ids if part in index.scope[i].split(".")}
    if scope is not None:
        ids = {i for i in ids if _in_scope(index.scope[i], scope)}
        if not ids:
            raise MicrogptError(_unknown_scope(index, scope))
    if pattern is not None:
        regex = pattern_regex(pattern)
        ids = {i for i in ids if index.name[i] is not None and regex.fullmatch(index.name[i])}
        if not ids:
            raise MicrogptError(_unknown_pattern(fp, pattern))
    return ids


def _in_scope(node_scope: str, prefix: str) -> bool:
    return node_scope == prefix or node_scope.startswith(prefix + ".")


def _unknown_scope(index: GraphIndex, scope: str) -> str:
    import difflib

    scopes = sorted(set(index.scope) - {""})
    close = difflib.get_close_matches(scope, scopes, n=3, cutoff=0.5)
    hint = f" Did you mean: {', '.join(close)}?" if close else f" Scopes look like {scopes[:3]}."
    return f"no node of the root's graph is in scope {scope!r}.{hint}"


def _unknown_pattern(fp, pattern: str) -> str:
    import difflib

    names = [n for n in fp.index.name if n is not None]
    close = difflib.get_close_matches(pattern, names, n=3, cutoff=0.5)
    hint = f" Did you mean: {', '.join(close)}?" if close else ""
    return (
        f"no named node of the root's graph matches {pattern!r} (* matches anything, ? one "
        f"character, brackets are literal).{hint}"
    )


# -- the two levels of detail ------------------------------------------------------------
def _value_node(fp, i: int, role: str | None = None, flow: float | None = None) -> GraphNode:
    index = fp.index
    v = index.values[i]
    return GraphNode(
        id=index.label(i),
        kind="value",
        label=index.label(i),
        op=index.op[i],
        data=v.data,
        grad=v.grad,
        scope=index.scope[i],
        ref=i,
        name=index.name[i],
        flow=flow,
        role=role or _role(fp, i),
    )


def _role(fp, i: int) -> str | None:
    return "root" if i == fp.index.root else None


def _op_text(fp, i: int, consts: list[int]) -> str:
    index, folding = fp.index, fp.folding
    op = index.op[i]
    if folding.is_chain(i):
        sym = f"Σ {folding.chain_length(i)}"
    elif op == "pow":
        sym = f"** {fmt(index.values[i].exponent)}"
    else:
        sym = _OP_SYMBOL.get(op, op)
    if consts:
        sym += " " + ", ".join(fmt(index.values[c].data) for c in consts)
    return sym


def _detailed(fp, ids: set[int], flows=None) -> tuple[list[GraphNode], list[GraphEdge], dict]:
    """Micrograd style: a value node per visible scalar, an op node per computed one."""
    index, folding = fp.index, fp.folding
    visible = sorted(i for i in ids if not folding.is_hidden(i))
    shown = set(visible)
    nodes: list[GraphNode] = []
    edges: list[GraphEdge] = []
    boundary: dict[int, GraphNode] = {}
    consts = chains = 0
    for i in visible:
        flow = flows[i] if flows is not None else None
        nodes.append(_value_node(fp, i, flow=flow))
        if not index.children[i]:
            continue
        inputs = folding.inputs(i)
        const_inputs = [c for c, _ in inputs if index.op[c] == "const"]
        consts += len(const_inputs)
        if folding.is_chain(i):
            chains += 1
        op_id = f"op/{index.label(i)}"
        nodes.append(
            GraphNode(
                id=op_id,
                kind="sum" if folding.is_chain(i) else "op",
                label=_op_text(fp, i, const_inputs),
                op=index.op[i],
                scope=index.scope[i],
                count=folding.chain_length(i) if folding.is_chain(i) else 1,
                ref=i,
            )
        )
        edges.append(GraphEdge(op_id, fp.index.label(i)))
        for c, local in inputs:
            if index.op[c] == "const":
                continue
            if c not in shown and c not in boundary:
                boundary[c] = _value_node(fp, c, role="input")
            edges.append(GraphEdge(fp.index.label(c), op_id, local_grad=float(local)))
    nodes.extend(boundary[c] for c in sorted(boundary))
    info = {"constants_folded": consts, "sum_chains": chains, "inputs_outside": len(boundary)}
    return nodes, edges, info


def _detail_size(fp, ids: set[int]) -> int:
    """A lower bound on what ``_detailed`` draws (value + op nodes), without building it."""
    index, folding = fp.index, fp.folding
    visible = [i for i in ids if not folding.is_hidden(i)]
    return len(visible) + sum(1 for i in visible if index.children[i])


def _group_key(index: GraphIndex, i: int, depth: int, cache: dict) -> str:
    if index.op[i] == "param":
        return index.name[i].split("[", 1)[0]  # the matrix: wte, layer0.attn_wq, …
    s = index.scope[i]
    key = cache.get(s)
    if key is None:
        key = cache[s] = ".".join(s.split(".")[:depth])
    return key


def _collapsed(fp, ids: set[int], depth: int) -> tuple[list[GraphNode], list[GraphEdge], dict]:
    """Groups by scope truncated to ``depth`` (parameters by matrix); single nodes stay nodes."""
    index = fp.index
    cache: dict = {}
    members: dict[str, list[int]] = defaultdict(list)
    is_const = [op == "const" for op in index.op]
    for i in sorted(ids):
        if not is_const[i]:
            members[_group_key(index, i, depth, cache)].append(i)
    node_of: dict[int, str] = {}
    nodes: list[GraphNode] = []
    for key, group in members.items():
        if len(group) == 1:
            (i,) = group
            node_of[i] = fp.index.label(i)
            nodes.append(_value_node(fp, i))
            continue
        gid = f"group/{key}"
        for i in group:
            node_of[i] = gid
        grads = [index.values[i].grad for i in group]
        nodes.append(
            GraphNode(
                id=gid,
                kind="group",
                label=key or "top level",
                grad=math.sqrt(math.fsum(g * g for g in grads)),
                scope=key,
                count=len(group),
                role="root" if index.root in group else None,
                detail="parameters" if index.op[group[0]] == "param" else None,
            )
        )
    edge_count: dict[tuple[str, str], int] = defaultdict(int)
    boundary: dict[str, list[int]] = defaultdict(list)
    for i in ids:
        if is_const[i]:
            continue
        dst = node_of[i]
        for c in index.children[i]:
            if is_const[c]:
                continue
            src = node_of.get(c)
            if src is None:  # an input from outside the selection
                key = _group_key(index, c, depth, cache)
                src = f"input/{key}"
                boundary[src].append(c)
            if src != dst:
                edge_count[(src, dst)] += 1
    for bid, group in boundary.items():
        uniq = sorted(set(group))
        nodes.append(
            GraphNode(
                id=bid,
                kind="group",
                label=bid.split("/", 1)[1] or "top level",
                grad=math.sqrt(math.fsum(index.values[c].grad ** 2 for c in uniq)),
                count=len(uniq),
                scope=bid.split("/", 1)[1],
                role="input",
            )
        )
    edges = [
        GraphEdge(s, d, count=n, label=str(n) if n > 1 else None)
        for (s, d), n in edge_count.items()
    ]
    edges.sort(key=lambda e: (e.src, e.dst))
    groups = sum(1 for n in nodes if n.kind == "group" and n.role != "input")
    info = {"groups": groups, "depth": depth, "inputs_outside": len(boundary)}
    return nodes, edges, info


def _max_depth(index: GraphIndex, ids: set[int]) -> int:
    return max((index.scope[i].count(".") + 1 for i in ids if index.scope[i]), default=1)


# -- the budget ----------------------------------------------------------------------------
def _check_budget(budget: int) -> None:
    if not isinstance(budget, int) or budget < 1:
        raise MicrogptError(f"the node budget must be a positive integer, got {budget!r}")


def _fit(fp, ids: set[int], budget: int, detail: bool, depths: list[int], kind: str, title: str):
    """The finest level of ``ids`` that fits the budget: detail first (if asked), then each
    collapse depth in ``depths`` (fine to coarse)."""
    _check_budget(budget)
    tried = []
    if detail:
        size = _detail_size(fp, ids)
        if size <= budget:
            nodes, edges, info = _detailed(fp, ids)
            if len(nodes) <= budget:
                notes = _detail_notes(info)
                return _view(fp, kind, title, nodes, edges, ids, notes, level="detail", **info)
            size = len(nodes)
        tried.append(f"every scalar node ({size:,} drawn)")
    smallest = None
    for depth in depths:
        nodes, edges, info = _collapsed(fp, ids, depth)
        if len(nodes) <= budget:
            scalars = sum(n.count for n in nodes if n.kind == "group" and n.role != "input")
            groups = _plural(info["groups"], "group")
            notes = [f"folded {scalars:,} scalar nodes into {groups} (scope depth {depth})"]
            if tried:
                notes.insert(0, f"budget {budget:,}: {tried[0]} would not fit; collapsed instead")
            return _view(fp, kind, title, nodes, edges, ids, notes, level=f"depth {depth}", **info)
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
        notes.append(f"folded add chains into {_plural(info['sum_chains'], 'Σ node')}")
    return notes


def _view(fp, kind, title, nodes, edges, ids, notes, **extra) -> GraphView:
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
    return GraphView(kind, title, nodes, edges, stats, notes, str(fp.address))


# -- the views -----------------------------------------------------------------------------
def full_view(fp, budget: int = DEFAULT_BUDGET, **slices) -> GraphView:
    """Every scalar node of the selection, micrograd style (or coarser, if over budget)."""
    ids = select(fp, **slices)
    depths = list(range(_max_depth(fp.index, ids), 0, -1))
    return _fit(fp, ids, budget, True, depths, "full", _title(fp, "full", slices))


def overview(fp, depth: int = 2, budget: int = DEFAULT_BUDGET, **slices) -> GraphView:
    """The graph collapsed by scope ``depth`` (coarser if over budget)."""
    if depth < 1:
        raise MicrogptError(f"depth must be 1 or more, got {depth}")
    ids = select(fp, **slices)
    title = _title(fp, "overview", slices)
    view = _fit(fp, ids, budget, False, list(range(depth, 0, -1)), "overview", title)
    view.layout = "grid"
    return view


def scope_view(fp, scope: str, budget: int = DEFAULT_BUDGET, **slices) -> GraphView:
    """Zoom into ``scope``: every scalar node if it fits, else its sub-scopes collapsed."""
    ids = select(fp, scope=scope, **slices)
    base = scope.count(".") + 1
    depths = list(range(_max_depth(fp.index, ids), base - 1, -1))
    return _fit(fp, ids, budget, True, depths, "scope", _title(fp, f"scope {scope}", slices))


def _title(fp, what: str, slices: dict) -> str:
    parts = [f"{k}={v}" for k, v in slices.items() if v is not None]
    return (
        f"{fp.doc!r} · {what}"
        + (f" · {', '.join(parts)}" if parts else "")
        + f" · root {fp.root_name}"
    )


# -- the gradient path ---------------------------------------------------------------------
def resolve_source(fp, source: str | None = None, pos: int | None = None) -> tuple[str, list[int]]:
    """``(spec, ids)`` of the source nodes: a node name, a glob pattern, a parameter row
    (``wte[m]`` means ``wte[m,*]``) or, by default, the embedding row of the token at ``pos``
    (default 0)."""
    index = fp.index
    if source is None:
        p = fp.check_pos(pos or 0)
        label = fp.source.tokenizer.label(fp.tokens[p])
        source = f"wte[{label},*]"
    m = _ROW.match(source)
    if m and m[1] in fp.model.state_dict and "*" not in source:
        source = f"{m[1]}[{m[2]},*]"
    if "*" in source or "?" in source:
        nodes = fp.trace.match(source)
        if not nodes:
            raise MicrogptError(_unknown_pattern(fp, source))
        return source, [fp.trace.id_of(v) for v in nodes]
    return source, [index.id_of(fp.trace.find(source))]


def path_view(
    fp,
    source: str | None = None,
    pos: int | None = None,
    top: int = 40,
    budget: int = DEFAULT_BUDGET,
) -> GraphView:
    """The gradient path from ``source`` to the root: the ``top`` nodes by |flow| drawn, the
    rest of the path folded into groups by scope (with counts)."""
    _check_budget(budget)
    if top < 1:
        raise MicrogptError(f"--top must be 1 or more, got {top}")
    spec, sources = resolve_source(fp, source, pos)
    flow = fp.flow(sources)
    index, folding = fp.index, fp.folding
    path = [i for i in flow.path_ids() if index.op[i] != "const"]
    if index.root not in set(path):
        raise MicrogptError(
            f"the root {index.label(index.root)} does not depend on {spec}: "
            "there is no gradient path (choose a source the root reads, or another root)"
        )
    candidates = [i for i in path if i not in folding.absorbed]
    ranked = sorted(candidates, key=lambda i: (-abs(flow.flow[i]), i))
    pinned = set(sources) | {index.root}
    for depth in (3, 2, 1):
        keep_n = min(top, budget)
        while True:
            keep = set(ranked[:keep_n]) | pinned
            view = _path_graph(fp, flow, path, keep, depth, spec, sources)
            if view.drawn <= budget or keep_n == 0:
                break
            keep_n = max(0, keep_n - (view.drawn - budget))
        if view.drawn <= budget:
            view.stats.update(
                source=spec,
                source_nodes=len(sources),
                source_grad=flow.source_grad,
                path_nodes=len(path),
                top=keep_n,
            )
            return view
    raise MicrogptError(f"a budget of {budget:,} nodes is too small for this path: raise --budget")


def _path_graph(fp, flow, path, keep: set[int], depth: int, spec: str, sources) -> GraphView:
    index, folding = fp.index, fp.folding
    cache: dict = {}
    rep: dict[int, str] = {}
    nodes: list[GraphNode] = []
    groups: dict[str, list[int]] = defaultdict(list)
    for i in path:
        head = folding.absorbed.get(i, i)
        if head in keep:
            rep[i] = fp.index.label(head)
        else:
            key = _group_key(index, i, depth, cache)
            rep[i] = f"folded/{key}"
            groups[key].append(i)
    source_set = set(sources)
    for i in sorted(keep):
        role = "source" if i in source_set else _role(fp, i)
        nodes.append(_value_node(fp, i, role=role, flow=flow.flow[i]))
    for key, members in groups.items():
        top_flow = max(members, key=lambda i: abs(flow.flow[i]))
        nodes.append(
            GraphNode(
                id=f"folded/{key}",
                kind="folded",
                label=key or "top level",
                scope=key,
                count=len(members),
                flow=flow.flow[top_flow],
                detail=f"max |flow| {abs(flow.flow[top_flow]):.3g}",
            )
        )
    on_path = set(path)
    edge_acc: dict[tuple[str, str], list] = {}
    for i in path:
        dst = rep[i]
        g = index.values[i].grad
        for c, local in zip(index.children[i], index.values[i]._local_grads):
            if c not in on_path or index.op[c] == "const":
                continue
            src = rep[c]
            if src == dst:
                continue
            e_flow = g * local * flow.tangent[c]
            acc = edge_acc.get((src, dst))
            if acc is None:
                edge_acc[(src, dst)] = [1, e_flow, local]
            else:
                acc[0] += 1
                acc[1] += e_flow
    edges = [
        GraphEdge(
            s,
            d,
            local_grad=float(acc[2]) if acc[0] == 1 else None,
            count=acc[0],
            flow=acc[1],
            label=f"flow {acc[1]:.3g}" + (f" ({acc[0]} edges)" if acc[0] > 1 else ""),
        )
        for (s, d), acc in edge_acc.items()
    ]
    notes = [
        f"gradient path: {len(path):,} nodes between {len(sources)} source node(s) and the root; "
        f"drew {len(keep):,} (the top by |flow|, the source nodes and the root), folded "
        f"{sum(map(len, groups.values())):,} into {_plural(len(groups), 'group')}"
    ]
    title = f"{fp.doc!r} · path · source {spec} · root {fp.root_name}"
    return _view(
        fp, "path", title, nodes, edges, set(path), notes, level=f"top by flow, depth {depth}"
    )


# -- one node ------------------------------------------------------------------------------
def resolve_node(fp, node: str | int) -> int:
    """The id of a node given by id, by name, or as ``#id`` (how anonymous nodes are labelled);
    a ``MicrogptError`` that says what exists otherwise."""
    if isinstance(node, str) and re.fullmatch(r"#\d+", node):
        node = int(node[1:])
    if isinstance(node, int):
        if not 0 <= node < len(fp.trace):
            raise MicrogptError(
                f"no node with id {node}: this pass has ids 0 to {len(fp.trace) - 1}"
            )
        return node
    return fp.index.id_of(fp.trace.find(node))


def consumer_terms(index: GraphIndex, i: int) -> list[tuple[int, float, float]]:
    """The ``grad +=`` terms node i receives in backward: ``(consumer, local grad,
    consumer.grad)`` once per read (``x * x`` reads x twice), consumers in the root's graph."""
    terms = []
    for c in dict.fromkeys(index.consumers[i]):  # consumers lists c once per read: dedupe
        if c not in index.in_graph:
            continue
        consumer = index.values[c]
        for child, local in zip(index.children[c], consumer._local_grads):
            if child == i:
                terms.append((c, local, consumer.grad))
    return terms


def node_report(fp, node: str | int) -> dict:
    """One node's numbers: inputs with local gradients, consumers with their contributions to
    its gradient (the ``grad +=`` terms of backward), and the chain-rule sum."""
    index = fp.index
    i = resolve_node(fp, node)
    v = index.values[i]
    # A sum() chain's head lists the chain's terms (local grad 1), as every view folds it.
    inputs = [
        {"id": c, "label": index.label(c), "op": index.op[c], "data": index.values[c].data,
         "local_grad": float(g)}
        for c, g in fp.folding.inputs(i)
    ]  # fmt: skip
    consumers = [
        {"id": c, "label": index.label(c), "op": index.op[c], "grad": grad,
         "local_grad": float(local), "contribution": local * grad}
        for c, local, grad in consumer_terms(index, i)
    ]  # fmt: skip
    parts = [t["contribution"] for t in consumers]
    if i == index.root:
        formula = "grad = 1 (the root)"
    elif parts:
        terms = " + ".join(f"{fmt(t['local_grad'])} × {fmt(t['grad'])}" for t in consumers)
        formula = f"grad = Σ local_grad × consumer.grad = {terms} = {fmt(math.fsum(parts))}"
    else:
        formula = "grad = 0 (nothing in the root's graph reads this node)"
    return {
        "id": i,
        "label": index.label(i),
        "name": index.name[i],
        "op": index.op[i],
        "exponent": v.exponent,
        "scope": index.scope[i],
        "data": v.data,
        "grad": v.grad,
        "inputs": inputs,
        "consumers": consumers,
        "grad_sum": math.fsum(parts) if parts else (1.0 if i == index.root else 0.0),
        "formula": formula,
    }


def node_view(fp, node: str | int, budget: int = DEFAULT_BUDGET) -> GraphView:
    """The node, its inputs (edges: local gradients) and its consumers (edges: contributions)."""
    _check_budget(budget)
    report = node_report(fp, node)
    index = fp.index
    i = report["id"]
    nodes = [_value_node(fp, i, role="selected")]
    edges = []
    seen = {i}
    for t in report["inputs"]:
        c = t["id"]
        if c not in seen:
            seen.add(c)
            nodes.append(_value_node(fp, c, role="input"))
        edges.append(GraphEdge(fp.index.label(c), fp.index.label(i), local_grad=t["local_grad"],
                               label=f"∂ {fmt(t['local_grad'])}"))  # fmt: skip
    for t in report["consumers"]:
        c = t["id"]
        if c not in seen:
            seen.add(c)
            nodes.append(_value_node(fp, c))
        term = f"{fmt(t['local_grad'])} × {fmt(t['grad'])} = {fmt(t['contribution'])}"
        edges.append(
            GraphEdge(fp.index.label(i), fp.index.label(c), local_grad=t["local_grad"], label=term)
        )
    if len(nodes) > budget:
        raise MicrogptError(
            f"node {index.label(i)} has {len(nodes)} neighbours to draw, over the budget of "
            f"{budget}: raise --budget"
        )
    notes = [report["formula"]]
    return _view(fp, "node", f"{fp.doc!r} · node {index.label(i)}", nodes, edges, seen, notes,
                 grad_sum=report["grad_sum"])  # fmt: skip


# -- one entry point for the CLI and widgets -------------------------------------------------
def build_view(fp, view: str = "overview", *, budget: int = DEFAULT_BUDGET, **opts) -> GraphView:
    """Dispatch by view name. Options are passed on to the view that uses them (``None``
    means "not given"); an option the chosen view does not take is ignored (e.g. ``pos`` for
    the node view)."""
    if view not in VIEWS:
        raise MicrogptError(f"unknown view {view!r}: choose one of {', '.join(VIEWS)}")
    opts = {k: v for k, v in opts.items() if v is not None}
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
