"""The two levels of detail a view draws a set of node ids at.

A graph query (pure Python; no graphviz, matplotlib or widgets), on ``explorer.graph``:

- ``detailed``: micrograd style, a value node per visible scalar (data and grad) and an op node
  between its inputs and it. Constants fold into op labels, ``sum()`` add chains into Σ (the
  folding of ``explorer.fold``).
- ``collapsed``: groups by scope truncated to a depth (parameters by matrix); a group shows its
  scalar count and the L2 norm of its gradients.

Both return ``(nodes, edges, info)`` for ``explorer.budget`` to fit and wrap in a ``GraphView``;
``value_node`` is the one way every view draws a single scalar.
"""

from __future__ import annotations

import math
from collections import defaultdict

from microgpt.errors import ArgumentTypeError, ConfigError
from microgpt.validate import _short, check_instance, check_int

from .checks import check_pass
from .graph import GraphEdge, GraphIndex, GraphNode, NodeKey
from .roles import roles_of
from .style import fmt

__all__ = [
    "collapsed",
    "detail_size",
    "detailed",
    "group_key",
    "max_depth",
    "root_role",
    "value_node",
]

_OP_SYMBOL = {"add": "+", "mul": "×", "log": "log", "exp": "exp", "relu": "relu"}


def value_node(fp, i: int, role: str | None = None, flow: float | None = None) -> GraphNode:
    """Node ``i`` as a value node: its label, op, data, grad, scope and name; an anonymous
    node's ``detail`` is its role (``explorer.roles``: what it is, in words)."""
    index = fp.index
    v = index.values[i]
    anonymous = index.name[i] is None
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
        role=role or root_role(fp, i),
        detail=roles_of(fp).describe(i) if anonymous else None,
    )


def root_role(fp, i: int) -> str | None:
    """``"root"`` for the pass's root, ``None`` for every other node."""
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


def _check_ids(fp, ids, function: str) -> None:
    """A pass and a collection of ids (once per call: the ids themselves are the views', from
    ``select``; the functions that read one node, ``value_node`` and ``group_key``, run once
    per drawn node and are not checked)."""
    check_pass(fp, function)
    _check_id_range(fp.index, ids)


def _check_id_range(index: GraphIndex, ids) -> None:
    check_instance(ids, "ids", (set, frozenset, list, tuple), "a set of node ids (select(fp))")
    if not ids:
        return
    try:  # the smallest and largest say it all for ints, at C speed
        lo, hi = min(ids), max(ids)
    except TypeError:
        lo = hi = None
    if type(lo) is not int or type(hi) is not int:
        raise ArgumentTypeError(f"ids must be node ids (integers), got {_short(ids)}")
    if lo < 0 or hi >= len(index):
        raise ConfigError(
            f"ids must be node ids of the pass, 0 to {len(index) - 1}, got {_short(ids)}"
        )


def detailed(fp, ids: set[int], flows=None) -> tuple[list[GraphNode], list[GraphEdge], dict]:
    """Micrograd style: a value node per visible scalar, an op node per computed one."""
    _check_ids(fp, ids, "detailed")
    index, folding = fp.index, fp.folding
    visible = sorted(i for i in ids if not folding.is_hidden(i))
    shown = set(visible)
    nodes: list[GraphNode] = []
    edges: list[GraphEdge] = []
    boundary: dict[int, GraphNode] = {}
    consts = chains = 0
    for i in visible:
        flow = flows[i] if flows is not None else None
        nodes.append(value_node(fp, i, flow=flow))
        if not index.children[i]:
            continue
        inputs = folding.inputs(i)
        const_inputs = [c for c, _ in inputs if index.op[c] == "const"]
        consts += len(const_inputs)
        if folding.is_chain(i):
            chains += 1
        op_id = NodeKey("op", index.label(i)).id
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
                boundary[c] = value_node(fp, c, role="input")
            edges.append(GraphEdge(fp.index.label(c), op_id, local_grad=float(local)))
    nodes.extend(boundary[c] for c in sorted(boundary))
    info = {"constants_folded": consts, "sum_chains": chains, "inputs_outside": len(boundary)}
    return nodes, edges, info


def detail_size(fp, ids: set[int]) -> int:
    """A lower bound on what ``detailed`` draws (value + op nodes), without building it."""
    _check_ids(fp, ids, "detail_size")
    index, folding = fp.index, fp.folding
    visible = [i for i in ids if not folding.is_hidden(i)]
    return len(visible) + sum(1 for i in visible if index.children[i])


def group_key(index: GraphIndex, i: int, depth: int, cache: dict) -> str:
    """The group node ``i`` collapses into: its parameter matrix, else its scope cut to
    ``depth`` parts (``cache`` maps scopes to keys across calls)."""
    if index.op[i] == "param":
        return index.name[i].split("[", 1)[0]  # the matrix: wte, layer0.attn_wq, …
    s = index.scope[i]
    key = cache.get(s)
    if key is None:
        key = cache[s] = ".".join(s.split(".")[:depth])
    return key


def collapsed(fp, ids: set[int], depth: int) -> tuple[list[GraphNode], list[GraphEdge], dict]:
    """Groups by scope truncated to ``depth`` (parameters by matrix); single nodes stay nodes."""
    _check_ids(fp, ids, "collapsed")
    depth = check_int(depth, "depth", 1, fix="scope parts to group by, e.g. 2")
    index = fp.index
    cache: dict = {}
    members: dict[str, list[int]] = defaultdict(list)
    is_const = [op == "const" for op in index.op]
    for i in sorted(ids):
        if not is_const[i]:
            members[group_key(index, i, depth, cache)].append(i)
    node_of, nodes = _groups(fp, members)
    edge_count, boundary = _group_edges(index, ids, node_of, is_const, depth, cache)
    for key, group in boundary.items():
        uniq = sorted(set(group))
        nodes.append(
            GraphNode(
                id=NodeKey("input", key).id,
                kind="group",
                label=key or "top level",
                grad=math.sqrt(math.fsum(index.values[c].grad ** 2 for c in uniq)),
                count=len(uniq),
                scope=key,
                role="input",
                first=uniq[0],
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


def _groups(fp, members: dict[str, list[int]]) -> tuple[dict[int, str], list[GraphNode]]:
    """One node per group (a group of one stays a value node): node id of each member, nodes."""
    index = fp.index
    node_of: dict[int, str] = {}
    nodes: list[GraphNode] = []
    for key, group in members.items():
        if len(group) == 1:
            (i,) = group
            node_of[i] = index.label(i)
            nodes.append(value_node(fp, i))
            continue
        gid = NodeKey("group", key).id
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
                first=group[0],
            )
        )
    return node_of, nodes


def _group_edges(index, ids, node_of, is_const, depth, cache) -> tuple[dict, dict]:
    """Edges between the groups (how many scalar edges each stands for), and the inputs from
    outside the selection by their group's key (drawn as ``input/…`` groups)."""
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
                key = group_key(index, c, depth, cache)
                src = NodeKey("input", key).id
                boundary[key].append(c)
            if src != dst:
                edge_count[(src, dst)] += 1
    return edge_count, boundary


def max_depth(index: GraphIndex, ids: set[int]) -> int:
    """The deepest scope among ``ids`` in dotted parts (1 if none has a scope)."""
    check_instance(index, "index", GraphIndex, "a pass's GraphIndex (fp.index)")
    _check_id_range(index, ids)
    return max((index.scope[i].count(".") + 1 for i in ids if index.scope[i]), default=1)
