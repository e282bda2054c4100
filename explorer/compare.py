"""Two recorded passes side by side: two documents, or one document at two training steps.

A graph query (pure Python; no graphviz, matplotlib or widgets). ``Comparison(a, b)`` pairs two
``ForwardPass`` objects and answers, for both at once: the loss at every position, one head's
attention map, the next-token distribution at a position, the root values, and for any node
present in both passes its data and grad in each and their differences (Δ = b − a, one
subtraction of the recorded floats: nothing is recomputed).

Nodes are matched between passes by NAME (``pos2.layer0.attn.head1.attn_weights[k=0]``):
trace ids differ as soon as the documents differ. An anonymous node (a product or a partial
sum inside a dot product, the constant 0 that ``sum()`` starts from) has no name, so it is
matched by its place in the model's code instead: its scope, its rank among the anonymous
nodes created in that scope (creation order), its op, and the keys of its inputs (names, or
the same key for anonymous inputs) must all agree. The model creates the same anonymous
nodes in the same order at every position, so a position both documents have matches
completely; where the code differs (the add chain of the mean loss over a different number of
positions), the op or the inputs differ and the node is left unmatched ("only in a").

``diff_view(view, comparison)`` turns a view of pass ``a`` (any ``GraphView``) into the diff
picture's data: every value node present in both passes becomes a ``DiffNode`` carrying
``data_b``, ``grad_b``, ``d_data`` and ``d_grad``; a group (overview) gets ``grad_b``, the L2
norm of its gradients in the same view of pass ``b``; the stats gain ``compare_root_value``.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, fields

from microgpt.errors import MicrogptError
from microgpt.validate import check_choice, check_instance, check_int

from .checks import check_model_pass, check_pass, check_position
from .graph import GraphNode, GraphView
from .node import resolve_node

__all__ = ["BY", "Comparison", "DiffNode", "NodeDiff", "diff_view", "node_keys"]

#: What a diff picture colours nodes by: the change of their gradient or of their value.
BY = ("grad", "data")


@dataclass
class DiffNode(GraphNode):
    """A drawn node present in both passes: the ``GraphNode`` of pass ``a`` plus pass ``b``'s
    numbers and the differences ``d_data = data_b - data`` and ``d_grad = grad_b - grad``."""

    data_b: float | None = None
    grad_b: float | None = None
    d_data: float | None = None
    d_grad: float | None = None


@dataclass(frozen=True)
class NodeDiff:
    """One node in both passes (its id in each), its numbers and their differences."""

    name: str
    id_a: int
    id_b: int
    data_a: float
    grad_a: float
    data_b: float
    grad_b: float

    @property
    def d_data(self) -> float:
        return self.data_b - self.data_a

    @property
    def d_grad(self) -> float:
        return self.grad_b - self.grad_a


def node_keys(fp) -> list:
    """Every node's matching key, by trace id: its name, or for an anonymous node
    ``(scope, rank among the scope's anonymous nodes, op)`` (kept with the pass)."""
    check_pass(fp, "node_keys")
    keys = fp.memo.get("compare.keys")
    if keys is None:
        index = fp.index
        rank: dict[str, int] = defaultdict(int)
        keys = []
        for name, scope, op in zip(index.name, index.scope, index.op):
            if name is not None:
                keys.append(name)
            else:
                keys.append((scope, rank[scope], op))
                rank[scope] += 1
        fp.memo["compare.keys"] = keys
    return keys


def _label(fp) -> str:
    return f"{fp.doc!r} at step {fp.step}"


class Comparison:
    """Pass ``a`` and pass ``b`` (``ForwardPass`` objects of one model shape), paired.

    ``match(i)`` gives the id in ``b`` of node ``i`` of ``a`` (or ``None``); ``matched`` is the
    number of ``a``'s nodes found in ``b``; ``only_a`` / ``only_b`` count the rest.
    """

    def __init__(self, a, b) -> None:
        check_model_pass(a, "Comparison's pass a")
        check_model_pass(b, "Comparison's pass b")
        if a.source.config != b.source.config or a.source.token_labels != b.source.token_labels:
            raise MicrogptError(
                "cannot compare passes of two different model shapes or vocabularies: "
                "use one checkpoint (two documents, or two of its steps)"
            )
        self.a = a
        self.b = b
        self._map: list[int | None] | None = None

    @property
    def labels(self) -> tuple[str, str]:
        """How the two passes are named in titles and legends."""
        return _label(self.a), _label(self.b)

    # -- matching nodes ----------------------------------------------------------------------
    def _mapping(self) -> list[int | None]:
        if self._map is None:
            ka, kb = node_keys(self.a), node_keys(self.b)
            ca, cb = self.a.index.children, self.b.index.children
            where = {k: j for j, k in enumerate(kb)}
            out: list[int | None] = []
            for i, key in enumerate(ka):
                j = where.get(key)
                # an anonymous node: its inputs must be the same nodes too
                anonymous = j is not None and not isinstance(key, str)
                if anonymous and tuple(ka[c] for c in ca[i]) != tuple(kb[c] for c in cb[j]):
                    j = None
                out.append(j)
            self._map = out
        return self._map

    def match(self, i: int) -> int | None:
        """The id in ``b`` of node ``i`` of ``a``, or ``None`` if ``b`` has no such node."""
        mapping = self._mapping()
        if type(i) is not int or not 0 <= i < len(mapping):  # one check on the common path
            last = len(mapping) - 1
            i = check_int(i, "i", 0, last, fix=f"a node id of pass a, 0 to {last}")
        return mapping[i]

    @property
    def matched(self) -> int:
        return sum(j is not None for j in self._mapping())

    @property
    def only_a(self) -> int:
        return len(self.a.index) - self.matched

    @property
    def only_b(self) -> int:
        return len(self.b.index) - self.matched

    def node(self, name: str) -> NodeDiff:
        """The node ``name`` (or ``#id`` of pass ``a``) in both passes."""
        i = resolve_node(self.a, name)
        j = self.match(i)
        label = self.a.index.label(i)
        if j is None:
            raise MicrogptError(
                f"{label} is not in {self.labels[1]}: it exists only in {self.labels[0]}"
            )
        va, vb = self.a.index.values[i], self.b.index.values[j]
        return NodeDiff(label, i, j, va.data, va.grad, vb.data, vb.grad)

    def diffs(self) -> list[NodeDiff]:
        """Every node of ``a``'s graph (what its root depends on) that ``b`` has too, in id
        order."""
        out = []
        ia, ib = self.a.index, self.b.index
        for i in sorted(ia.in_graph):
            j = self.match(i)
            if j is not None:
                va, vb = ia.values[i], ib.values[j]
                out.append(NodeDiff(ia.label(i), i, j, va.data, va.grad, vb.data, vb.grad))
        return out

    # -- what the charts show, for both passes ----------------------------------------------
    def root_values(self) -> tuple[float, float]:
        return self.a.root.data, self.b.root.data

    def losses(self) -> tuple[list[float], list[float]]:
        """The loss at every position, in each pass."""
        return [v.data for v in self.a.losses], [v.data for v in self.b.losses]

    def attention(self, layer: int = 0, head: int = 0) -> tuple[list, list]:
        """One head's attention rows (``ForwardPass.attention``) in each pass."""
        return self.a.attention(layer, head), self.b.attention(layer, head)

    def probs(self, pos: int) -> tuple[list[float], list[float]]:
        """The next-token distribution at ``pos`` in each pass (a position both have)."""
        pos = self.check_pos(pos)
        return self.a.probs(pos), self.b.probs(pos)

    @property
    def positions(self) -> int:
        """The positions both passes have."""
        return min(self.a.positions, self.b.positions)

    def check_pos(self, pos: int) -> int:
        """``pos`` as an int if both passes have it, else one clear error."""
        return check_position(pos, self.positions, "both passes have", lambda pos: (
            f"position {pos} is not in both passes: {self.labels[0]} has positions 0 to "
            f"{self.a.positions - 1}, {self.labels[1]} 0 to {self.b.positions - 1}"
        ))  # fmt: skip


def _diff_node(node: GraphNode, **b) -> DiffNode:
    base = {f.name: getattr(node, f.name) for f in fields(GraphNode)}
    return DiffNode(**base, **b)


def _diff_nodes(
    view: GraphView, comparison: Comparison, view_b: GraphView | None
) -> tuple[list[GraphNode], int]:
    """``view``'s nodes, each that pass ``b`` has as a ``DiffNode`` (see ``diff_view``), and
    how many drawn nodes ``b`` lacks."""
    values_b = comparison.b.index.values
    groups_b = {n.id: n for n in view_b.nodes if n.kind == "group"} if view_b else {}
    nodes: list[GraphNode] = []
    only_a = 0
    for node in view.nodes:
        if node.kind == "value" and node.ref is not None:
            j = comparison.match(node.ref)
            if j is None:
                only_a += 1
                nodes.append(node)
                continue
            vb = values_b[j]
            d_data, d_grad = vb.data - node.data, vb.grad - node.grad
            nodes.append(_diff_node(node, data_b=vb.data, grad_b=vb.grad, d_data=d_data,
                                    d_grad=d_grad))  # fmt: skip
        elif node.kind == "group" and node.role != "input":
            other = groups_b.get(node.id)
            if other is None:
                only_a += 1
                nodes.append(node)
                continue
            nodes.append(_diff_node(node, grad_b=other.grad, d_grad=other.grad - node.grad))
        else:
            nodes.append(node)
    return nodes, only_a


def diff_view(
    view: GraphView, comparison: Comparison, by: str = "grad", view_b: GraphView | None = None
) -> GraphView:
    """``view`` (a view of pass ``a``) with pass ``b``'s numbers on every node both have.

    Value nodes are matched as ``Comparison.match`` says; groups by their id in ``view_b``,
    the same view built on pass ``b`` (without it, groups are not compared). ``by`` picks what
    the picture colours: ``"grad"`` (Δgrad) or ``"data"`` (Δdata).
    """
    check_instance(view, "view", GraphView, "a view of pass a (a GraphView)")
    check_instance(comparison, "comparison", Comparison, "a Comparison of two passes")
    if view_b is not None:
        check_instance(view_b, "view_b", GraphView, "the same view of pass b (a GraphView) or None")
    check_choice(by, "by", BY, fix="what to colour by: the change of grad or of data")
    nodes, only_a = _diff_nodes(view, comparison, view_b)
    label_a, label_b = comparison.labels
    stats = dict(view.stats)
    stats.update(
        compare_root_value=comparison.b.root.data,
        compare_address=str(comparison.b.address),
        compare_by=by,
        compare_nodes=sum(isinstance(n, DiffNode) for n in nodes),
        compare_only_a=only_a,
    )
    notes = [
        *view.notes,
        f"compared: a = {label_a}, b = {label_b}; numbers a → b, colour Δ{by} = b − a",
    ]
    if only_a:
        notes.append(f"{only_a} drawn node(s) are not in b (grey, no colour)")
    if view_b is None and any(n.kind == "group" for n in view.nodes):
        notes.append("groups are not compared (no view of b given)")
    return GraphView(
        view.kind,
        f"{view.title} · vs {label_b}",
        nodes,
        list(view.edges),
        stats,
        notes,
        view.address,
        view.layout,
    )
