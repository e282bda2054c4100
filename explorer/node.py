"""One node: how it is named, the ``grad +=`` terms backward gave it, and the node view.

A graph query (pure Python; no graphviz, matplotlib or widgets). ``resolve_node`` finds a node
by id, name or ``#id``; ``consumer_terms`` lists the chain-rule terms of its gradient;
``node_report`` puts its numbers in a ``NodeReport`` (a dict that Jupyter shows as tables; the
inspector widget shows it too) and ``node_view`` draws the node between its inputs and its
consumers. Anonymous nodes come with their role (what they are, in words: ``explorer.roles``).
It reads a ``ForwardPass`` (``explorer.forward``) and its ``GraphIndex`` (``explorer.graph``).
"""

from __future__ import annotations

import math
import re

from microgpt.errors import ConfigError, MicrogptError
from microgpt.validate import check_int

from .budget import DEFAULT_BUDGET, check_budget, make_view
from .checks import check_options, check_pass
from .graph import GraphEdge, GraphIndex, GraphView
from .levels import value_node
from .roles import roles_of
from .style import fmt
from .tables import cell, html_table, number, text

__all__ = ["NodeReport", "consumer_terms", "node_report", "node_view", "resolve_node"]


def resolve_node(fp, node: str | int) -> int:
    """The id of a node given by id, by name, or as ``#id`` (how anonymous nodes are labelled);
    a ``MicrogptError`` that says what exists otherwise."""
    check_pass(fp, "resolve_node")
    check_options(node=node)
    if isinstance(node, str) and re.fullmatch(r"#\d+", node):
        node = int(node[1:])
    if not isinstance(node, str):
        node = check_int(node, "node id", fix="a node's id, or its name")
        if not 0 <= node < len(fp.trace):
            raise ConfigError(f"no node with id {node}: this pass has ids 0 to {len(fp.trace) - 1}")
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


class NodeReport(dict):
    """One node's numbers (``node_report``): a dict with the keys ``id``, ``label``, ``name``,
    ``role`` (what an anonymous node is; ``None`` for a named one), ``op``, ``exponent``,
    ``scope``, ``data``, ``grad``, ``inputs``, ``consumers``, ``grad_sum`` and ``formula``.
    In Jupyter it shows as tables: the node, its inputs, and the chain rule term by term."""

    def __repr__(self) -> str:
        return (
            f"NodeReport({self['label']}: data {fmt(self['data'])}, grad {fmt(self['grad'])}, "
            f"{len(self['inputs'])} inputs, {len(self['consumers'])} grad += terms)"
        )

    def _repr_html_(self) -> str:
        def who(t: dict) -> str:
            role = f"<br><small>{text(t['role'])}</small>" if t.get("role") else ""
            return f"<code>{cell(t['label'])}</code>{role}"  # a long name wraps at its dots

        op = self["op"] + (f" {fmt(self['exponent'])}" if self["exponent"] is not None else "")
        head = [["node", who(self)], ["op", f"<code>{text(op)}</code>"],
                ["scope", text(self["scope"] or "(top level)")],
                ["data", number(self["data"])], ["grad", number(self["grad"])]]  # fmt: skip
        parts = [html_table(None, head, left={0})]
        if self["inputs"]:
            rows = [[who(t), text(t["op"]), number(t["data"]), number(t["local_grad"])]
                    for t in self["inputs"]]  # fmt: skip
            parts.append(html_table(["input", "op", "data", "local grad ∂ this/∂ input"], rows,
                                    "inputs", left={0, 1}))  # fmt: skip
        rows = [[who(t), number(t["local_grad"]), number(t["grad"]), number(t["contribution"])]
                for t in self["consumers"]]  # fmt: skip
        if rows:
            rows.append(["<b>Σ = grad</b>", "", "", f"<b>{number(self['grad_sum'])}</b>"])
        caption = text(self["formula"].split(" = ")[0] + " = Σ local grad × consumer.grad")
        if not rows:
            caption = text(self["formula"])
        parts.append(html_table(["consumer", "local grad", "consumer.grad", "contribution"],
                                rows, caption, left={0}))  # fmt: skip
        return f'<div class="microgpt-node-report">{"".join(parts)}</div>'


def node_report(fp, node: str | int) -> NodeReport:
    """One node's numbers: inputs with local gradients, consumers with their contributions to
    its gradient (the ``grad +=`` terms of backward), and the chain-rule sum."""
    check_pass(fp, "node_report")
    check_options(node=node)
    index = fp.index
    roles = roles_of(fp)
    i = resolve_node(fp, node)
    v = index.values[i]
    # A sum() chain's head lists the chain's terms (local grad 1), as every view folds it.
    inputs = [
        {"id": c, "label": index.label(c), "role": roles.describe(c), "op": index.op[c],
         "data": index.values[c].data, "local_grad": float(g)}
        for c, g in fp.folding.inputs(i)
    ]  # fmt: skip
    consumers = [
        {"id": c, "label": index.label(c), "role": roles.describe(c), "op": index.op[c],
         "grad": grad, "local_grad": float(local), "contribution": local * grad}
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
    return NodeReport(
        id=i,
        label=index.label(i),
        name=index.name[i],
        role=roles.describe(i),
        op=index.op[i],
        exponent=v.exponent,
        scope=index.scope[i],
        data=v.data,
        grad=v.grad,
        inputs=inputs,
        consumers=consumers,
        grad_sum=math.fsum(parts) if parts else (1.0 if i == index.root else 0.0),
        formula=formula,
    )


def node_view(fp, node: str | int, budget: int = DEFAULT_BUDGET) -> GraphView:
    """The node, its inputs (edges: local gradients) and its consumers (edges: contributions)."""
    budget = DEFAULT_BUDGET if budget is None else budget  # None: "not given", as everywhere
    check_budget(budget)
    report = node_report(fp, node)
    index = fp.index
    i = report["id"]
    nodes = [value_node(fp, i, role="selected")]
    edges = []
    seen = {i}
    for t in report["inputs"]:
        c = t["id"]
        if c not in seen:
            seen.add(c)
            nodes.append(value_node(fp, c, role="input"))
        edges.append(GraphEdge(fp.index.label(c), fp.index.label(i), local_grad=t["local_grad"],
                               label=f"∂ {fmt(t['local_grad'])}"))  # fmt: skip
    for t in report["consumers"]:
        c = t["id"]
        if c not in seen:
            seen.add(c)
            nodes.append(value_node(fp, c))
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
    return make_view(fp, "node", f"{fp.doc!r} · node {index.label(i)}", nodes, edges, seen, notes,
                     grad_sum=report["grad_sum"])  # fmt: skip
