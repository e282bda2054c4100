"""The plain graph description every view returns, and the index views query.

Pure Python (no graphviz, matplotlib or widgets). ``GraphIndex`` turns a ``ForwardPass``'s trace
into id-based arrays (children, consumers, op, scope, name); views read it and return a
``GraphView``: drawn ``GraphNode``s and ``GraphEdge``s plus statistics and notes that say what
was folded. Renderers (``explorer.render``) lower a ``GraphView`` to DOT, SVG, PNG, JSON, text.
"""

from __future__ import annotations

from array import array
from dataclasses import asdict, dataclass, field

from microgpt.engine import Value
from microgpt.errors import ArgumentTypeError
from microgpt.trace import Trace
from microgpt.validate import _short, check_instance

__all__ = [
    "Consumers",
    "GraphEdge",
    "GraphIndex",
    "GraphNode",
    "GraphView",
    "NodeKey",
    "NodeSet",
    "TensorNode",
]


#: The kinds of drawn node whose id carries a prefix (``op/…``); a scalar node's id is its label.
_PREFIXED = ("op", "group", "input", "folded")


@dataclass(frozen=True)
class NodeKey:
    """What a drawn node stands for, as data, and the one mapping to and from its id.

    ``kind`` is ``node`` (a scalar node or a model view's tensor: ``ref`` is its label, a
    name or ``#id``), ``op`` (the op that made node ``ref``, drawn apart), ``group`` (the scope
    or parameter matrix ``ref``, collapsed; ``""`` is the top level), ``input`` (a group
    outside a zoomed scope) or ``folded`` (what a path view left out of scope ``ref``).
    ``key.id`` is the node's id in views and in the SVG (``op/pos0.loss``, ``group/pos2``,
    ``#215``); ``NodeKey.parse(id)`` reads one back (a click reports only the id).
    """

    kind: str
    ref: str

    def __post_init__(self) -> None:
        if self.kind not in ("node", *_PREFIXED) or not isinstance(self.ref, str):
            raise ArgumentTypeError(
                f"a node key is a kind (node, {', '.join(_PREFIXED)}) and a string, got "
                f"{_short(self.kind)} and {_short(self.ref)}"
            )

    @property
    def id(self) -> str:
        return self.ref if self.kind == "node" else f"{self.kind}/{self.ref}"

    @classmethod
    def parse(cls, node_id: str) -> NodeKey:
        if not isinstance(node_id, str):
            raise ArgumentTypeError(f"a drawn node's id is a string, got {type(node_id).__name__}")
        kind, sep, ref = node_id.partition("/")
        return cls(kind, ref) if sep and kind in _PREFIXED else cls("node", node_id)


@dataclass
class GraphNode:
    """One drawn node.

    ``kind``: ``value`` (a scalar node, micrograd style: name, data, grad), ``op`` (the op that
    made a value, drawn between its inputs and it), ``sum`` (a folded add chain, Σ), ``group``
    (a collapsed scope or parameter matrix) or ``folded`` (what a view left out, with a count).
    ``ref`` is the trace id of the scalar node it shows (``None`` for groups; ``first`` is then
    the smallest trace id it stands for, which orders groups as the model created them).
    ``count`` is how many scalar nodes it stands for; ``grad`` of a group is the L2 norm of
    its nodes' grads.
    """

    id: str
    kind: str
    label: str
    op: str | None = None
    data: float | None = None
    grad: float | None = None
    scope: str = ""
    count: int = 1
    ref: int | None = None
    name: str | None = None
    flow: float | None = None
    detail: str | None = None  # e.g. "× 0.5" (a folded constant) or "8 adds"
    role: str | None = None  # "root", "source", "selected", "input" (outside a zoomed scope)
    first: int | None = None  # a group's smallest trace id: groups are drawn in model order

    @property
    def key(self) -> NodeKey:
        """What the node stands for (``NodeKey``), read from its id."""
        return NodeKey.parse(self.id)


@dataclass
class TensorNode(GraphNode):
    """A drawn tensor (``kind="tensor"``, the model view's node: ``explorer.model_view``): a
    vector, matrix or scalar of the article's ``gpt()``. ``data`` and ``grad`` are then lists,
    one number per entry in ``labels`` order (row-major for a matrix), read from the recorded
    scalar nodes ``scalars`` (``explorer.tensors``); ``shape`` is ``[]`` for a scalar, ``[n]``
    for a vector, ``[rows, columns]`` for a matrix. ``marks``: what the picture points out,
    e.g. ``{"target": "m"}`` (the probability the loss reads) or ``{"dead": [3, 7]}`` (the
    indices of ReLUs at 0)."""

    shape: list = field(default_factory=list)
    labels: list = field(default_factory=list)
    scalars: list = field(default_factory=list)
    var: str = ""
    stage: str = ""
    marks: dict = field(default_factory=dict)


@dataclass
class GraphEdge:
    """An edge from an input (``src``) to what it feeds (``dst``).

    ``local_grad`` is d dst / d src for scalar edges (``None`` between groups); ``count`` is how
    many scalar edges a group edge stands for; ``flow`` is the gradient flow along it.
    """

    src: str
    dst: str
    local_grad: float | None = None
    count: int = 1
    flow: float | None = None
    label: str | None = None


@dataclass
class GraphView:
    """A view: what to draw, and what it left out."""

    kind: str
    title: str
    nodes: list[GraphNode]
    edges: list[GraphEdge]
    stats: dict = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    address: str | None = None
    layout: str = "flow"  # "flow": left to right; "grid": positions across, stages down

    @property
    def drawn(self) -> int:
        return len(self.nodes)

    def __repr__(self) -> str:
        return f"GraphView({self.kind}, {self.drawn} drawn nodes: {self.title})"

    def _repr_html_(self) -> str:
        """In Jupyter, a view shows what it holds (title, counts, notes); ``show(view)`` from
        ``explorer.widgets`` draws it in the viewer, ``explorer.render.write`` to a file."""
        from html import escape

        notes = "".join(f"<li>{escape(n)}</li>" for n in self.notes)
        return (
            f"<div class='microgpt-view-summary'><b>{escape(self.title)}</b><br>"
            f"{self.drawn:,} nodes, {len(self.edges):,} edges to draw"
            f"<ul>{notes}</ul>draw it: <code>from explorer.widgets import show; show(view)</code>"
            "</div>"
        )

    def to_dict(self) -> dict:
        return {
            "kind": self.kind,
            "title": self.title,
            "address": self.address,
            "layout": self.layout,
            "stats": dict(self.stats),
            "notes": list(self.notes),
            "nodes": [asdict(n) for n in self.nodes],
            "edges": [asdict(e) for e in self.edges],
        }


class GraphIndex:
    """Id-based arrays over a trace, for queries. Ids are the trace's creation indices.

    ``in_graph`` is the set of ids the root depends on (its backward pass reaches them); other
    recorded nodes (e.g. the probabilities of tokens that were not the target) have grad 0 and
    are not part of the root's graph.
    """

    def __init__(self, trace, root: Value, topo: list[Value] | None = None) -> None:
        check_instance(trace, "trace", Trace, "a Trace (with microgpt.trace.trace() as t)")
        check_instance(root, "root", Value, "a Value recorded in the trace")
        trace.id_of(root)  # recorded in this trace, or one clear error
        self.trace = trace
        nodes = trace.nodes
        self.values: list[Value] = nodes
        index = trace.node_ids()  # the trace's own dict: one per pass, not two
        self.id_of = trace.id_of
        get = index.__getitem__  # map() over a bound method: no generator frame per node
        self.children: list[tuple[int, ...]] = [tuple(map(get, v._children)) for v in nodes]
        self.consumers = Consumers(self.children)
        self.op: list[str] = [v._op for v in nodes]
        self.scope: list[str] = trace.node_scopes()
        self.name: list[str | None] = trace.node_names()
        self.root = index[root]
        # ``topo``: the order backward used (it returns it), so the graph is walked once
        topo = topo if topo is not None else root.topological_order()
        #: The ids of the root's graph in the order backward reached them (the root first),
        #: kept compact (4 bytes a node): the backward player replays it.
        self.backward_order = array("l", map(get, reversed(topo)))
        self.in_graph = NodeSet(self.backward_order, len(nodes))

    def __len__(self) -> int:
        return len(self.values)

    def label(self, i: int) -> str:
        return self.name[i] if self.name[i] is not None else f"#{i}"


class Consumers:
    """``consumers[i]``: the ids of the nodes that read node ``i`` (once per read, in id order),
    as a list. Kept as two arrays (where each node's readers start, and all readers in a row)
    rather than a list per node: a pass of 100,000 nodes holds 1.6 MB here instead of ~15 MB,
    which is most of what a classroom kernel holds per student."""

    __slots__ = ("_flat", "_starts")

    def __init__(self, children: list[tuple[int, ...]]) -> None:
        n = len(children)
        counts = [0] * (n + 1)
        for kids in children:
            for c in kids:
                counts[c + 1] += 1
        for k in range(n):  # counts[k + 1] becomes where node k + 1's readers start
            counts[k + 1] += counts[k]
        starts = array("l", counts)
        flat = array("l", bytes(starts.itemsize * counts[n]))
        fill = counts  # the next free slot of each node (counts is not needed any more)
        for i, kids in enumerate(children):
            for c in kids:
                flat[fill[c]] = i
                fill[c] += 1
        self._starts, self._flat = starts, flat

    def __getitem__(self, i: int) -> list[int]:
        starts = self._starts
        return self._flat[starts[i] : starts[i + 1]].tolist()

    def __len__(self) -> int:
        return len(self._starts) - 1


class NodeSet:
    """A set of node ids held as one byte per node of the pass (membership) and the ids in
    increasing order (iteration): a set of 100,000 Python ints costs ~7 MB, this ~0.5 MB.
    Supports ``in``, ``len``, iteration (in increasing id order) and ``==`` with a set."""

    __slots__ = ("_ids", "_mask")

    def __init__(self, ids, size: int) -> None:
        mask = bytearray(size)
        for i in ids:
            mask[i] = 1
        self._mask = mask
        self._ids = array("l", (i for i in range(size) if mask[i]))

    def __contains__(self, i) -> bool:
        try:
            return i >= 0 and self._mask[i] == 1
        except (IndexError, TypeError):  # an id outside the pass, or not an id at all
            return False

    def __iter__(self):
        return iter(self._ids)

    def __len__(self) -> int:
        return len(self._ids)

    def __eq__(self, other) -> bool:
        if isinstance(other, NodeSet):
            return self._ids == other._ids
        if isinstance(other, (set, frozenset)):
            return len(other) == len(self._ids) and all(i in self for i in other)
        return NotImplemented

    __hash__ = None  # mutable-looking container semantics, as set

    def __repr__(self) -> str:
        return f"NodeSet({len(self._ids)} ids)"
