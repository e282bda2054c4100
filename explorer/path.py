"""The gradient path view: the nodes between a source and the root, ranked by gradient flow.

A graph query (pure Python; no graphviz, matplotlib or widgets). ``resolve_source`` turns a
source spec (a name, a glob pattern, a parameter row; by default the embedding row of a token)
into node ids; ``path_view`` asks the ``ForwardPass`` (``explorer.forward``) for the flow from
them (``explorer.flow``), draws the top N nodes by |flow| and folds the rest of the path into
counted groups, within the node budget (``explorer.budget``). ``explorer.views`` imports it.
"""

from __future__ import annotations

import re
from collections import defaultdict

from microgpt.errors import MicrogptError

from .budget import DEFAULT_BUDGET, make_view, plural
from .checks import check_options, check_pass
from .graph import GraphEdge, GraphNode, GraphView, NodeKey
from .levels import group_key, root_role, value_node
from .selection import unknown_pattern

__all__ = ["path_view", "resolve_source"]

_ROW = re.compile(r"([A-Za-z0-9_.]+)\[([^,\]]+)\]\Z")


def resolve_source(fp, source: str | None = None, pos: int | None = None) -> tuple[str, list[int]]:
    """``(spec, ids)`` of the source nodes: a node name, a glob pattern, a parameter row
    (``wte[m]`` means ``wte[m,*]``) or, by default, the embedding row of the token at ``pos``
    (default 0)."""
    check_pass(fp, "resolve_source")
    check_options(source=source, pos=pos)
    index = fp.index
    if source is None:
        p = fp.check_pos(0 if pos is None else pos)
        label = fp.source.tokenizer.label(fp.tokens[p])
        source = f"wte[{label},*]"
    m = _ROW.match(source)
    if m and m[1] in fp.model.state_dict and "*" not in source:
        source = f"{m[1]}[{m[2]},*]"
    if "*" in source or "?" in source:
        nodes = fp.trace.match(source)
        if not nodes:
            raise MicrogptError(unknown_pattern(fp, source))
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
    check_pass(fp, "path_view")
    top = 40 if top is None else top  # None: "not given", as everywhere
    budget = DEFAULT_BUDGET if budget is None else budget
    check_options(source=source, pos=pos, top=top, budget=budget)
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
            key = group_key(index, i, depth, cache)
            rep[i] = NodeKey("folded", key).id
            groups[key].append(i)
    source_set = set(sources)
    for i in sorted(keep):
        role = "source" if i in source_set else root_role(fp, i)
        nodes.append(value_node(fp, i, role=role, flow=flow.flow[i]))
    for key, members in groups.items():
        top_flow = max(members, key=lambda i: abs(flow.flow[i]))
        nodes.append(
            GraphNode(
                id=NodeKey("folded", key).id,
                kind="folded",
                label=key or "top level",
                scope=key,
                count=len(members),
                flow=flow.flow[top_flow],
                detail=f"max |flow| {abs(flow.flow[top_flow]):.3g}",
                first=min(members),
            )
        )
    edges = _path_edges(index, flow, path, rep)
    notes = [
        f"gradient path: {len(path):,} nodes between {len(sources)} source node(s) and the root; "
        f"drew {len(keep):,} (the top by |flow|, the source nodes and the root), folded "
        f"{sum(map(len, groups.values())):,} into {plural(len(groups), 'group')}"
    ]
    title = f"{fp.doc!r} · path · source {spec} · root {fp.root_name}"
    return make_view(
        fp, "path", title, nodes, edges, set(path), notes, level=f"top by flow, depth {depth}"
    )


def _path_edges(index, flow, path, rep: dict[int, str]) -> list[GraphEdge]:
    """The drawn edges along the path, between what each node is drawn as (``rep``: itself
    or its folded group): how many scalar edges each stands for and the flow they carry."""
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
    return [
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
