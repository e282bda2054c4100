"""Backward played on a view: the script of the recorded backward pass, step by step.

A graph query (pure Python; no graphviz, matplotlib or widgets). ``backward_script(fp, view)``
replays the backward pass that ``ForwardPass`` ran — in the recorded topological order, reversed
(the article's ``for node in reversed(topo)``), each node adding ``local_grad × grad`` to its
inputs — and watches it at the nodes the view draws. Nothing is run again: every contribution is
a node's recorded local gradient times its recorded (final) grad, added in backward's own order,
so the sums are backward's sums to the last bit. The replay itself is
``explorer.backward_replay``'s, shared with the backward stepper (``explorer.stepper``).

What a step is
--------------
- **Who gets a step**: every drawn node that shows a gradient — the value nodes (inputs from
  outside the view included, drawn dashed) and the groups (collapsed scopes and parameter
  matrices, ``input/…`` groups included). Op and Σ circles and a path's folded parts show no
  gradient and get none. Each of these nodes gets exactly one step, so a script has as many
  steps as the view has value and group nodes.
- **When**: a value node's step is the moment backward reaches it: its grad is then final, and
  it adds ``local_grad × grad`` to each of its inputs. A group's step is the moment backward
  reaches the last of its members: from then on the group's number no longer changes. Steps
  are in that order (for a group, the order of its last member).
- **What a node shows meanwhile**: its grad as accumulated so far in backward (0 before anything
  arrived; the root holds 1 from the start), whether the contributions came from drawn nodes or
  from nodes outside the view. A group shows the L2 norm of its members' grads so far, as the
  picture shows the norm of the final ones; at its step and after, exactly the picture's number.
- **Edges**: at a node's step, the edges into it from its inputs carry what it adds to them:
  ``+= x`` on an edge from a value node (a scalar edge: ``local_grad × grad``; edges that stand
  for several scalar edges into one value carry their sum), ``|+=| x`` on an edge from a group
  (the L2 norm of what the group's members received). A Σ node's inputs get their ``grad +=``
  as backward reaches each add of the sum: the edge shows it at the Σ's step, the input's grad
  takes it when that add runs (usually just before the input's own step).

After the last step every drawn node shows what the picture shows (``backward()``'s gradient;
for a group the norm of its members' gradients). ``BackwardScript.state(k)`` is the picture
after ``k`` steps; ``to_json`` is what the viewer (``explorer/viewer/player.js``) plays in the page.
Views whose groups cannot be matched to their members (an overview sliced by head or pattern)
raise a ``MicrogptError``: their pictures are drawn without a player.
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from dataclasses import dataclass
from operator import itemgetter, mul

from microgpt.errors import MicrogptError
from microgpt.validate import check_instance, check_int

from .backward_replay import BackwardReplay, backward_order, backward_rank
from .checks import check_pass
from .graph import GraphView, NodeKey
from .levels import group_key
from .path import resolve_source
from .recorded import RecordedPass
from .style import scales_of
from .tables import cell, html_table, number, text

__all__ = [
    "BackwardScript",
    "PlayStep",
    "backward_json",
    "backward_order",
    "backward_rank",
    "backward_script",
]


@dataclass(frozen=True)
class PlayStep:
    """One step: drawn node ``node`` is final with ``grad``; ``op`` is its op circle (or
    ``None``); ``edges`` are ``(input id, node's id or op, values, norm)``: the ``grad +=`` it
    sent along each edge into it (one value per drawn edge of that pair, or one for all; ``norm``:
    the value is an L2 norm); ``changes`` are ``(drawn id, grad shown)`` for every drawn node
    whose number changed since the step before."""

    node: str
    grad: float
    op: str | None
    edges: tuple[tuple[str, str, tuple[float, ...], bool], ...]
    changes: tuple[tuple[str, float], ...]


@dataclass(frozen=True)
class BackwardScript:
    """The steps of backward on one view. ``nodes``: the drawn ids that get a step, in step
    order; ``start``: what each shows before the first step; ``scale``/``norm_scale``: the
    picture's colour scales (its largest |grad| and group norm)."""

    nodes: tuple[str, ...]
    start: dict[str, float]
    steps: tuple[PlayStep, ...]
    scale: float
    norm_scale: float
    #: Where a log scale starts (0: a linear scale; ``explorer.style.log_floor``), so that the
    #: player colours a node as the picture does while its grad accumulates.
    grad_floor: float = 0.0
    norm_floor: float = 0.0

    def __len__(self) -> int:
        return len(self.steps)

    def __repr__(self) -> str:
        ends = f": {self.nodes[0]} first, {self.nodes[-1]} last" if self.nodes else ""
        return f"BackwardScript({len(self)} steps{ends})"

    def _repr_html_(self) -> str:
        """The steps as a table: the order in which backward made each drawn node's gradient
        final, and that gradient (scrolling inside its box when long)."""
        rows = [[text(k), cell(s.node), number(s.grad)] for k, s in enumerate(self.steps, 1)]
        table = html_table(["step", "drawn node", "its final grad"], rows, left={1})
        caption = (
            f"Backward on this view: {len(self)} steps, one per drawn node that shows a "
            "gradient, in the order backward() made it final."
        )
        box = "max-height: 16em; overflow-y: auto; display: inline-block"
        return f'<p>{text(caption)}</p><div class="microgpt-script" style="{box}">{table}</div>'

    def state(self, k: int) -> dict[str, float]:
        """What every drawn node with a step shows after ``k`` steps (0: before the first)."""
        k = self._check_k(k)
        shown = dict(self.start)
        for step in self.steps[:k]:
            shown.update(step.changes)
        return shown

    def final(self, k: int) -> set[str]:
        """The drawn ids whose grad is final after ``k`` steps."""
        return set(self.nodes[: self._check_k(k)])

    def _check_k(self, k) -> int:
        return check_int(k, "k", 0, len(self.steps),
                         fix=f"a number of steps, 0 to {len(self.steps)}")  # fmt: skip

    def to_dict(self) -> dict:
        ids = {n: k for k, n in enumerate(self.nodes)}
        return {
            "nodes": list(self.nodes),
            "start": [_num(self.start[n]) for n in self.nodes],
            "scale": {
                "grad": self.scale,
                "norm": self.norm_scale,
                "grad_floor": self.grad_floor,
                "norm_floor": self.norm_floor,
            },
            "steps": [
                {
                    "grad": _num(s.grad),
                    "op": s.op,
                    "edges": [[a, b, list(map(_num, vs)), int(norm)] for a, b, vs, norm in s.edges],
                    "set": [[ids[n], _num(v)] for n, v in s.changes],
                }
                for s in self.steps
            ],
        }

    def to_json(self) -> str:
        """Compact JSON for the page (non-finite numbers as the strings JavaScript's
        ``Number()`` reads: ``"Infinity"``, ``"NaN"``)."""
        return json.dumps(self.to_dict(), separators=(",", ":"), allow_nan=False)


_KEEP = 8  # scripts kept per pass by backward_json


def _num(x: float) -> float | str:
    x = float(x)
    if math.isfinite(x):
        return x
    return "NaN" if math.isnan(x) else ("Infinity" if x > 0 else "-Infinity")


class _Owners:
    """Which drawn node stands for each scalar (lists by trace id, ``None``: none): ``holder``
    shows its grad, ``source`` is where its edges leave from, ``consumer`` is where the edges
    that carry its ``grad +=`` arrive; ``members`` of each drawn node that shows a grad, and
    ``sourced``: the ids that have a source."""

    def __init__(self, fp, view: GraphView) -> None:
        n = len(fp.index)
        self.holder: list = [None] * n
        self.source: list = [None] * n
        self.consumer: list = [None] * n
        self.sourced: list[int] = []
        self.members: dict[str, list[int]] = defaultdict(list)
        drawn = {n.id: n for n in view.nodes}
        for node in view.nodes:
            if node.kind == "value":
                op = NodeKey("op", node.id).id
                self._own(node.ref, node.id, node.id, op if op in drawn else node.id)
        if any(node.kind in ("group", "folded") for node in view.nodes):
            self._groups(fp, view, drawn)
        consumer = self.consumer
        for a, head in fp.folding.absorbed.items():  # inner adds of a drawn Σ: its op circle
            if consumer[a] is None and consumer[head] is not None:
                consumer[a] = consumer[head]
        for node in view.nodes:
            if node.kind == "group" and len(self.members[node.id]) != node.count:
                raise MicrogptError(
                    f"cannot play backward on this view: its group {node.id} stands for "
                    f"{node.count:,} nodes, which its scope alone does not single out (a slice "
                    "by head or pattern); play an unsliced view"
                )

    def _own(self, i: int, holder: str | None, source: str, consumer: str) -> None:
        if holder is not None:
            self.holder[i] = holder
            self.members[holder].append(i)
        self.source[i] = source
        self.consumer[i] = consumer
        self.sourced.append(i)

    def _groups(self, fp, view: GraphView, drawn: dict) -> None:
        index, source = fp.index, self.source
        op = index.op
        cache: dict = {}
        if view.kind == "path":
            _, sources = resolve_source(fp, view.stats["source"])
            depth = int(str(view.stats.get("level", "")).rsplit(" ", 1)[-1])
            for i in fp.flow(sources).path_ids():
                if op[i] == "const" or source[i] is not None:
                    continue
                head = fp.folding.absorbed.get(i)
                if head is not None and source[head] is not None:
                    self._own(i, None, source[head], source[head])
                    continue
                fid = NodeKey("folded", group_key(index, i, depth, cache)).id
                if fid in drawn:
                    self._own(i, None, fid, fid)
            return
        depth = view.stats.get("depth")
        if depth is None:
            raise MicrogptError("cannot play backward on this view: it does not say its depth")
        by_scope: dict[str, str | None] = {}  # a non-parameter's group is its scope's
        scope, members = index.scope, self.members
        for i in sorted(index.in_graph):  # a single node of its group is drawn as a value
            if source[i] is not None or op[i] == "const":
                continue
            if op[i] == "param":
                gid = NodeKey("group", group_key(index, i, depth, cache)).id
                gid = gid if gid in drawn else None
            else:
                gid = by_scope.get(scope[i], "")
                if gid == "":
                    gid = NodeKey("group", group_key(index, i, depth, cache)).id
                    gid = by_scope[scope[i]] = gid if gid in drawn else None
            if gid is not None:
                members[gid].append(i)
        for gid, ids in list(members.items()):
            if NodeKey.parse(gid).kind == "group":
                for i in ids:
                    self.holder[i] = source[i] = self.consumer[i] = gid
                self.sourced += ids
        for i in sorted(self.sourced):  # inputs from outside the selection: the input/ groups
            for c in index.children[i]:
                if source[c] is not None or op[c] == "const":
                    continue
                bid = NodeKey("input", group_key(index, c, depth, cache)).id
                if bid in drawn:
                    self._own(c, bid, bid, bid)


def backward_script(fp: RecordedPass, view: GraphView) -> BackwardScript:
    """The steps of the recorded backward pass on ``view`` (see the module's docstring)."""
    check_pass(fp, "backward_script")
    check_instance(view, "view", GraphView, "a view of this pass (a GraphView)")
    owners = _Owners(fp, view)
    stepped = [n for n in view.nodes if n.kind in ("value", "group")]
    if not stepped:
        raise MicrogptError("cannot play backward on this view: it draws no gradient")
    rank = backward_rank(fp)
    when = {n.id: max(rank[i] for i in owners.members[n.id]) for n in stepped}
    order = sorted(when, key=when.__getitem__)
    tally = _Tally(fp, view, owners, when)
    replay = BackwardReplay(fp, owners.sourced)
    taken = []  # (node, changes) per step
    for node_id in order:
        tally.add(replay.until(when[node_id]))
        taken.append((node_id, tally.changes(node_id)))
    tally.add(replay.rest())  # what the rest of backward sends along drawn edges (a Σ's later adds)
    steps = []
    for node_id, changes in taken:
        op = key if (key := NodeKey("op", node_id).id) in tally.kinds else None
        edges = tally.edges(op or node_id)
        steps.append(PlayStep(node_id, tally.last[node_id], op, edges, changes))
    scales = scales_of(view)
    return BackwardScript(
        tuple(order),
        tally.start,
        tuple(steps),
        scales.grad,
        scales.norm,
        scales.grad_floor,
        scales.norm_floor,
    )


class _Tally:
    """What the drawn nodes show while backward's ``grad +=`` runs (``grads``: per scalar id,
    the grad it holds so far, backward's own sums), and what went along each drawn edge."""

    def __init__(self, fp, view: GraphView, owners: _Owners, when: dict[str, int]) -> None:
        index = fp.index
        self.owners, self.when = owners, when
        self.kinds = {n.id: n for n in view.nodes}
        members = owners.members
        self.group_of = {
            node_id: itemgetter(*members[node_id])
            for node_id in when
            if self.kinds[node_id].kind == "group"
        }
        self.grads: list = [0] * len(index)
        if owners.holder[index.root] is not None:
            self.grads[index.root] = 1
        self.start = {node_id: self.shown(node_id) for node_id in when}
        self.last = dict(self.start)
        self.dirty: set[str] = set()
        self.pairs: dict[tuple[str, str], int] = defaultdict(int)
        for e in view.edges:
            self.pairs[(e.src, e.dst)] += 1
        self.into: dict[str, list[str]] = defaultdict(list)  # drawn id -> its edges' inputs
        for src, dst in self.pairs:
            self.into[dst].append(src)
        # what went along each drawn edge: (input scalar, contribution), in backward's order
        self.sent: dict[tuple[str, str], list] = {pair: [] for pair in self.pairs}

    def shown(self, node_id: str, final: bool = False) -> float:
        """A value node's grad so far; a group's norm so far (the picture's once final)."""
        if node_id in self.group_of:
            if final:
                return self.kinds[node_id].grad
            g = self.group_of[node_id](self.grads)
            g = g if isinstance(g, tuple) else (g,)
            return math.sqrt(math.fsum(map(mul, g, g)))
        return self.grads[self.owners.members[node_id][0]]

    def add(self, sends) -> None:
        """Backward's ``grad +=`` of each consumer in ``sends`` (``BackwardReplay.until``)."""
        grads, sent, mark = self.grads, self.sent, self.dirty.add
        hold, src_of, dst_of = self.owners.holder, self.owners.source, self.owners.consumer
        for i, children, local_grads, g in sends:
            dst = dst_of[i]
            for c, local in zip(children, local_grads):
                src = src_of[c]
                if src is None:
                    continue
                contribution = local * g
                h = hold[c]
                if h is not None:
                    grads[c] += contribution  # backward's own +=, in its own order
                    mark(h)
                if dst is not None and dst != src:
                    bucket = sent.get((src, dst))
                    if bucket is not None:
                        bucket.append((c, contribution))

    def changes(self, node_id: str) -> tuple[tuple[str, float], ...]:
        """``node_id``'s step: every drawn number that changed since the step before."""
        when, last = self.when, self.last
        until = when[node_id]
        changes = []
        self.dirty.add(node_id)
        for h in sorted(self.dirty, key=when.__getitem__):
            now = self.shown(h, final=when[h] <= until)
            if not _same(now, last[h]):
                changes.append((h, now))
                last[h] = now
        self.dirty.clear()
        return tuple(changes)

    def edges(self, dst: str) -> tuple:
        """The edges into ``dst`` with what was sent along them (see ``PlayStep.edges``)."""
        return _edges(dst, self.into, self.pairs, self.sent, self.kinds)


def _same(a: float, b: float) -> bool:
    return a == b or (math.isnan(a) and math.isnan(b))


def _edges(dst: str, into, pairs, sent, kinds) -> tuple:
    """The edges into ``dst`` with what was sent along them (see ``PlayStep.edges``)."""
    out = []
    for src in into.get(dst, ()):
        went = sent[(src, dst)]
        if not went:
            continue
        per_input: dict[int, list[float]] = defaultdict(list)
        for c, contribution in went:
            per_input[c].append(contribution)
        if kinds[src].kind == "value":
            (terms,) = per_input.values()
            if pairs[(src, dst)] == len(terms):  # one drawn edge per scalar edge (x * x: two)
                out.append((src, dst, tuple(terms), False))
            else:
                out.append((src, dst, (math.fsum(terms),), False))
        else:
            sums = [t[0] if len(t) == 1 else math.fsum(t) for t in per_input.values()]
            norm = math.sqrt(math.fsum(map(mul, sums, sums)))
            out.append((src, dst, (norm,), True))
    return tuple(out)


def backward_json(fp: RecordedPass, view: GraphView) -> str | None:
    """``backward_script(fp, view).to_json()``, or ``None`` for a view it cannot play (the
    picture is then drawn without a player). The last few are kept with the pass: going back
    to a view costs nothing."""
    check_pass(fp, "backward_json")
    check_instance(view, "view", GraphView, "a view of this pass (a GraphView)")
    kept = fp.memo.setdefault("playback.json", {})
    key = (view.kind, view.title, str(view.stats.get("level")), tuple(n.id for n in view.nodes))
    if key not in kept:
        try:
            kept[key] = backward_script(fp, view).to_json()
        except MicrogptError:
            kept[key] = None
        while len(kept) > _KEEP:
            del kept[next(iter(kept))]
    return kept[key]
