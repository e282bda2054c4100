"""explorer.views (and selection, levels, budget, path, node): what each view draws, its
numbers, its budget, its errors.

Views take any ForwardPass-like object; a hand-built graph wrapped in ``HandPass`` gives
exactly known answers. Then the shipped model: "christopher" for the numbers, and the longest
document the model allows (block_size 16 → 15 characters, 16 positions) for the budget.
"""

from __future__ import annotations

import math
import re
from types import SimpleNamespace

import pytest

from explorer import (
    DEFAULT_BUDGET,
    ForwardPass,
    build_view,
    full_view,
    node_report,
    node_view,
    overview,
    path_view,
    scope_view,
    select,
)
from explorer.flow import gradient_flow
from explorer.fold import Folding
from explorer.graph import GraphIndex
from explorer.path import resolve_source
from microgpt.engine import Value
from microgpt.errors import MicrogptError, UnknownNameError
from microgpt.trace import name, scope, trace

REL = 1e-9


# -- a hand-built pass ----------------------------------------------------------------------
class HandPass:
    """The attributes views read, over a hand-built trace."""

    def __init__(self, t, root, root_name: str) -> None:
        self.trace = t
        self.root = root
        self.root_name = root_name
        root.backward()
        self.index = GraphIndex(t, root)
        self.folding = Folding(self.index)
        self.doc = "hand"
        self.address = "hand-built"
        self.tokens: list[int] = []
        self.source = SimpleNamespace(config=SimpleNamespace(n_head=1), tokenizer=None)
        self.model = SimpleNamespace(state_dict={})

    def flow(self, sources):
        return gradient_flow(self.index, list(sources))

    def check_pos(self, pos):
        raise MicrogptError(f"position {pos} is out of range: a hand-built graph has none")


@pytest.fixture(scope="module")
def hp():
    """half = 0.5 * ((a*b + c + a)**2 + a) at a=2, b=-3, c=10; ids:

    0 a, 1 b, 2 c | scope s: 3 p=a*b, 4 const 0, 5 add, 6 add, 7 q (Σ of p, c, a), 8 r = q*q |
    9 out = r + a, 10 const 0.5, 11 half = out*0.5 (root) | 12 const 5, 13 junk = 5a (off graph).
    Grads: a -11.5, b 12, c 6, p = q = 6, r = out = 0.5, half 1.
    """
    with trace() as t:
        a = name(Value(2.0), "a")
        b = name(Value(-3.0), "b")
        c = name(Value(10.0), "c")
        with scope("s"):
            p = a * b
            q = name(sum([p, c, a]), "q")
            r = name(q * q, "r")
        out = name(r + a, "out")
        half = name(out * 0.5, "half")
        name(a * 5.0, "junk")
    return HandPass(t, half, "half")


def _by_ref(view):
    return {n.ref: n for n in view.nodes if n.kind == "value"}


def test_hand_full_view(hp):
    v = full_view(hp)
    values = _by_ref(v)
    assert sorted(values) == [0, 1, 2, 3, 7, 8, 9, 11]  # no constants, no inner adds, no junk
    ops = {n.ref: n for n in v.nodes if n.kind in ("op", "sum")}
    assert sorted(ops) == [3, 7, 8, 9, 11]
    assert v.drawn == 13 == v.stats["drawn_nodes"]
    assert ops[7].kind == "sum" and ops[7].count == 3 and "3" in ops[7].label
    assert [ops[i].kind for i in (3, 8, 9, 11)] == ["op"] * 4
    assert [ops[i].op for i in (3, 7, 8, 9, 11)] == ["mul", "add", "mul", "add", "mul"]
    assert "0.5" in ops[11].label  # the constant folded into the op label
    assert not any(n.ref in (4, 10) for n in v.nodes)  # and not drawn as a node
    assert v.stats["constants_folded"] == 1 and v.stats["sum_chains"] == 1
    assert v.stats["level"] == "detail"
    assert v.stats["graph_nodes"] == 12 and v.stats["trace_nodes"] == 14
    assert v.stats["root_value"] == 19.0
    assert values[11].role == "root"
    assert [(values[i].data, values[i].grad) for i in (0, 1, 2, 7, 11)] == [
        (2.0, -11.5), (-3.0, 12.0), (10.0, 6.0), (6.0, 6.0), (19.0, 1),
    ]  # fmt: skip
    # edges: op → its value, and input value → op with the local gradient
    id_of = {n.ref: n.id for n in v.nodes if n.kind == "value"}
    op_id = {n.ref: n.id for n in v.nodes if n.kind in ("op", "sum")}
    into = {r: sorted((e.src, e.local_grad) for e in v.edges if e.dst == op_id[r]) for r in op_id}
    assert into[7] == sorted([(id_of[3], 1.0), (id_of[2], 1.0), (id_of[0], 1.0)])
    assert into[3] == sorted([(id_of[0], -3.0), (id_of[1], 2.0)])
    assert into[8] == [(id_of[7], 6.0), (id_of[7], 6.0)]
    assert into[11] == [(id_of[9], 0.5)]
    assert len(v.edges) == 5 + 2 + 3 + 2 + 2 + 1
    assert all(any(e.src == op_id[r] and e.dst == id_of[r] for e in v.edges) for r in op_id)
    assert len({n.id for n in v.nodes}) == v.drawn  # ids are unique


def test_hand_full_view_json_numbers(hp):
    d = full_view(hp).to_dict()
    assert d["address"] == "hand-built" and d["kind"] == "full"
    for n in d["nodes"]:
        if n["kind"] == "value":
            value = hp.index.values[n["ref"]]
            assert (n["data"], n["grad"]) == (value.data, value.grad)


def test_hand_overview_depth_1(hp):
    v = overview(hp, depth=1)
    assert all(n.kind == "group" for n in v.nodes)
    groups = {n.scope: n for n in v.nodes}  # "" is the top level
    assert set(groups) == {"", "s"} and groups["s"].label == "s" and groups[""].label
    assert groups[""].count == 5 and groups["s"].count == 5  # 12 in graph - 2 constants
    assert groups[""].role == "root"
    assert groups[""].grad == pytest.approx(math.sqrt(11.5**2 + 12**2 + 6**2 + 0.25 + 1))
    assert groups["s"].grad == pytest.approx(math.sqrt(4 * 36 + 0.25))
    edges = {(e.src, e.dst): e.count for e in v.edges}
    top, s = groups[""].id, groups["s"].id
    assert edges == {(top, s): 4, (s, top): 1}  # a,b → p; c → #6; a → q | r → out
    assert v.notes == ["folded 10 scalar nodes into 2 groups (scope depth 1)"]


def test_hand_scope_view(hp):
    v = scope_view(hp, "s")
    assert sorted(_by_ref(v)) == [0, 1, 2, 3, 7, 8]
    inputs = sorted(n.ref for n in v.nodes if n.role == "input")
    assert inputs == [0, 1, 2]  # a, b, c come from outside the scope
    assert v.drawn == 9 and v.stats["inputs_outside"] == 3
    assert v.stats["selected_nodes"] == 6  # p, const 0, two inner adds, q, r


def test_hand_budget_fallback_and_too_small(hp):
    v = full_view(hp, budget=12)
    assert v.drawn == 2 and v.stats["level"] == "depth 1"
    assert v.notes == [
        "budget 12: every scalar node (13 drawn) would not fit; collapsed instead",
        "folded 10 scalar nodes into 2 groups (scope depth 1)",
    ]
    with pytest.raises(MicrogptError, match="budget of 1 node.*too small.*needs 2"):
        full_view(hp, budget=1)


def test_hand_path_view_from_a(hp):
    v = path_view(hp, source="a")
    values = _by_ref(v)
    assert sorted(values) == [0, 3, 7, 8, 9, 11]  # the path without inner adds and constants
    assert not any(n.kind == "folded" for n in v.nodes)
    assert values[0].role == "source" and values[11].role == "root"
    assert {i: values[i].flow for i in values} == {
        0: -11.5, 3: -18.0, 7: -12.0, 8: -12.0, 9: -11.5, 11: -11.5,
    }  # fmt: skip
    assert v.stats["source_grad"] == -11.5
    assert v.stats["path_nodes"] == 8  # with the two inner adds of q
    flows = {(e.src, e.dst): (e.flow, e.count) for e in v.edges}
    ida = {i: values[i].id for i in values}
    assert flows == {
        (ida[0], ida[3]): (-18.0, 1),  # grad(p) · b · tangent(a)
        (ida[3], ida[7]): (-18.0, 1),  # p enters q's chain through an inner add
        (ida[0], ida[7]): (6.0, 1),
        (ida[7], ida[8]): (-12.0, 2),  # r = q * q: two edges, 0.5·6·(-2) each
        (ida[8], ida[9]): (-12.0, 1),
        (ida[0], ida[9]): (0.5, 1),
        (ida[9], ida[11]): (-11.5, 1),
    }
    into_root = math.fsum(e.flow for e in v.edges if e.dst == ida[11])
    assert into_root == v.stats["source_grad"]


def test_hand_path_view_folds_beyond_top(hp):
    v = path_view(hp, source="a", top=1)
    values = _by_ref(v)
    assert set(values) == {0, 11, 3}  # the source, the root, and p (largest |flow| = 18)
    folded = [n for n in v.nodes if n.kind == "folded"]
    assert sum(n.count for n in folded) + len(values) == 8  # every path node drawn or counted
    assert math.fsum(e.flow for e in v.edges if e.dst == values[11].id) == -11.5


def test_hand_path_view_root_not_depending_on_source(hp):
    with pytest.raises(MicrogptError, match="does not depend on junk"):
        path_view(hp, source="junk")


def test_hand_node_report_sums_to_grad(hp):
    for i in range(12):  # every node of the root's graph
        r = node_report(hp, i)
        assert r["grad_sum"] == pytest.approx(hp.index.values[i].grad, rel=REL), i
    a = node_report(hp, "a")
    assert [
        (t["label"], t["local_grad"], t["grad"], t["contribution"]) for t in a["consumers"]
    ] == [
        ("#3", -3.0, 6.0, -18.0),
        ("s.q", 1.0, 6.0, 6.0),
        ("out", 1.0, 0.5, 0.5),
    ]  # junk reads a, but not in the root's graph
    assert a["grad_sum"] == -11.5 == a["grad"]
    assert a["inputs"] == []


def test_hand_node_report_counts_a_squared_input_twice_not_four_times(hp):
    """r = q * q: backward adds two terms (6 · 0.5 each) to q's grad."""
    q = node_report(hp, "s.q")
    assert [(t["id"], t["contribution"]) for t in q["consumers"]] == [(8, 3.0), (8, 3.0)]
    assert q["grad_sum"] == 6.0 == q["grad"]
    # q heads a sum() chain: its inputs are the chain's terms (local grad 1), folded as in
    # every view, without the inner add (#6) or the 0 that sum() starts from
    assert [(t["id"], t["local_grad"]) for t in q["inputs"]] == [(3, 1.0), (2, 1.0), (0, 1.0)]


def test_hand_node_report_root_and_dead_node(hp):
    root = node_report(hp, "half")
    assert root["grad_sum"] == 1 and root["consumers"] == []
    assert "the root" in root["formula"]
    assert [(t["label"], t["local_grad"]) for t in root["inputs"]] == [("out", 0.5), ("#10", 38.0)]
    junk = node_report(hp, "junk")
    assert junk["grad_sum"] == 0 == junk["grad"] and "nothing" in junk["formula"]


def test_hand_node_view(hp):
    v = node_view(hp, "s.q")
    values = _by_ref(v)
    assert set(values) == {7, 3, 2, 0, 8}  # q, its three terms, and r = q * q
    assert values[7].role == "selected" and values[3].role == "input"
    assert v.stats["grad_sum"] == 6.0
    out_edges = [e for e in v.edges if e.src == values[7].id]
    assert [(e.dst, e.local_grad) for e in out_edges] == [(values[8].id, 6.0)] * 2
    assert all(e.label.endswith("= 3") for e in out_edges)  # 6 × 0.5 = 3, twice
    with pytest.raises(MicrogptError, match="over the budget of 3"):
        node_view(hp, "s.q", budget=3)


# -- the shipped model: "christopher" -------------------------------------------------------
DOC = "christopher"


# source, fp (christopher) and fp3 (its root loss@3): shared fixtures in conftest.py


def _non_const(fp, ids):
    return sum(1 for i in ids if fp.index.op[i] != "const")


@pytest.mark.parametrize("depth", [1, 2, 3])
def test_overview_groups_cover_the_graph(fp, depth):
    v = overview(fp, depth=depth)
    assert v.stats["level"] == f"depth {depth}"
    assert not any(n.role == "input" for n in v.nodes)
    assert sum(n.count for n in v.nodes) == _non_const(fp, fp.index.in_graph)
    assert all(n.count == 1 for n in v.nodes if n.kind == "value")
    assert v.stats["groups"] == sum(1 for n in v.nodes if n.kind == "group")
    assert len({n.id for n in v.nodes}) == v.drawn
    # every group edge joins two drawn nodes
    ids = {n.id for n in v.nodes}
    assert all(e.src in ids and e.dst in ids for e in v.edges)


def test_overview_depth_1_groups(fp, source):
    v = overview(fp, depth=1)
    groups = {n.label: n for n in v.nodes if n.kind == "group"}
    positions = {f"pos{p}" for p in range(fp.positions)}
    matrices = set(source.config.matrix_shapes())
    (top,) = (n for n in v.nodes if n.kind == "group" and n.scope == "")
    assert set(groups) == positions | matrices | {top.label}
    for m in matrices:
        assert groups[m].detail == "parameters"
    inputs = {fp.tokens[p] for p in range(fp.positions)}
    assert groups["wte"].count == 16 * len(inputs)  # only rows of tokens the doc reads
    assert groups["wpe"].count == 16 * fp.positions
    assert groups["lm_head"].count == 16 * source.config.vocab_size
    assert groups["layer0.mlp_fc1"].count == 64 * 16
    grads = [p.grad for row in fp.model.state_dict["wte"] for p in row]
    assert groups["wte"].grad == pytest.approx(math.sqrt(math.fsum(g * g for g in grads)), rel=REL)
    assert top.role == "root"
    # positions are joined by the keys and values later positions read
    by_id = {n.id: n.label for n in v.nodes}
    by_id[top.id] = "(top)"
    links = {(by_id[e.src], by_id[e.dst]) for e in v.edges}
    assert ("pos0", "pos5") in links and ("pos5", "pos0") not in links
    assert ("wte", "pos1") in links and ("pos11", "(top)") in links


def test_overview_depth_2_splits_positions(fp):
    v = overview(fp, depth=2)
    labels = {n.label for n in v.nodes if n.kind == "group"}
    assert {"pos3.embed", "pos3.layer0", "pos3.lm_head", "pos3.softmax", "pos3"} <= labels
    assert "layer0.attn_wq" in labels


def test_overview_sliced_by_position_and_head(fp):
    v = overview(fp, depth=4, pos=4, head=2)
    labels = {n.label for n in v.nodes if n.role != "input"}
    assert labels == {"pos4.layer0.attn.head2"}
    ids = select(fp, pos=4, head=2)
    assert sum(n.count for n in v.nodes if n.role != "input") == _non_const(fp, ids)
    inputs = {n.label for n in v.nodes if n.role == "input"}
    assert "pos4.layer0.attn" in inputs  # q, k, v of this position
    assert "pos0.layer0.attn" in inputs  # keys and values of earlier positions


def test_select_scope_is_a_path_prefix(fp):
    ids = select(fp, scope="pos1")
    assert ids and all(fp.index.scope[i].split(".")[0] == "pos1" for i in ids)
    assert not select(fp, scope="pos1") & select(fp, scope="pos10")
    by_pos = select(fp, pos=1)
    assert by_pos == ids  # pos=1 is scope pos1, not pos10 or pos11
    assert select(fp, pos=1, scope="pos1.layer0") == select(fp, scope="pos1.layer0")


def test_select_pattern(fp):
    ids = select(fp, pattern="pos*.loss")
    assert sorted(fp.index.name[i] for i in ids) == sorted(f"pos{p}.loss" for p in range(12))
    brackets = select(fp, pattern="pos3.layer0.attn.head1.attn_weights[k=2]")
    assert len(brackets) == 1


def test_scope_view_detail_json_equals_trace(fp):
    v = scope_view(fp, "pos3.layer0.attn.head1")
    assert v.stats["level"] == "detail" and v.drawn <= DEFAULT_BUDGET
    d = v.to_dict()
    assert d["stats"]["drawn_nodes"] == len(d["nodes"]) == v.drawn
    refs = 0
    for n in d["nodes"]:
        if n["kind"] == "value":
            value = fp.trace.nodes[n["ref"]]
            assert n["data"] == value.data and n["grad"] == value.grad
            assert n["name"] == fp.trace.name_of(n["ref"])
            refs += 1
    assert refs > 50
    # each attention weight is drawn with its exact numbers
    w = fp.node("pos3.layer0.attn.head1.attn_weights[k=2]")
    drawn = [n for n in d["nodes"] if n["name"] == "pos3.layer0.attn.head1.attn_weights[k=2]"]
    assert len(drawn) == 1 and drawn[0]["grad"] == w.grad and drawn[0]["data"] == w.data


def test_collapsed_view_group_grads_in_json(fp):
    d = overview(fp, depth=1).to_dict()
    for n in d["nodes"]:
        if n["kind"] == "group" and n["scope"].startswith("pos"):
            members = select(fp, scope=n["scope"])
            grads = [fp.index.values[i].grad for i in members if fp.index.op[i] != "const"]
            assert n["grad"] == pytest.approx(math.sqrt(math.fsum(g * g for g in grads)), rel=REL)
            assert n["count"] == len(grads)
        assert n["ref"] is None or n["kind"] == "value"


# -- the path view on the shipped model -----------------------------------------------------
@pytest.mark.parametrize(
    ("kwargs", "n_sources"),
    [({"pos": 1}, 16), ({"pos": 9}, 16), ({"source": "wte[r]"}, 16), ({"source": "wpe[3,*]"}, 16),
     ({"source": "layer0.attn_wv[2,7]"}, 1), ({"source": "pos4.layer0.attn.k[3]"}, 1)],
)  # fmt: skip
def test_path_view_total_is_the_source_gradient(fp, kwargs, n_sources):
    v = path_view(fp, **kwargs)
    assert v.drawn <= DEFAULT_BUDGET
    assert v.stats["source_nodes"] == n_sources
    _, sources = resolve_source(fp, kwargs.get("source"), kwargs.get("pos"))
    grads = math.fsum(fp.index.values[s].grad for s in sources)
    assert v.stats["source_grad"] == pytest.approx(grads, rel=REL) and grads != 0
    values = _by_ref(v)
    root = values[fp.index.root]
    assert root.role == "root"
    assert root.flow == pytest.approx(v.stats["source_grad"], rel=REL)
    into_root = math.fsum(e.flow for e in v.edges if e.dst == root.id)
    assert into_root == pytest.approx(v.stats["source_grad"], rel=REL)
    assert {i for i, n in values.items() if n.role == "source"} == set(sources)
    flow = fp.flow(sources)
    for i, n in values.items():
        assert n.flow == flow.flow[i]
        assert flow.on_path[i]
        assert (n.data, n.grad) == (fp.index.values[i].data, fp.index.values[i].grad)
    # every path node is drawn (itself or the Σ head it folds into) or counted in a group
    folded = sum(n.count for n in v.nodes if n.kind == "folded")
    path = [i for i in flow.path_ids() if fp.index.op[i] != "const"]
    assert len(path) == v.stats["path_nodes"]
    shown = sum(1 for i in path if fp.folding.absorbed.get(i, i) in values)
    assert folded + shown == len(path)
    ids = {n.id for n in v.nodes}
    assert all(e.src in ids and e.dst in ids for e in v.edges)


def test_path_view_keeps_the_top_flows(fp):
    v = path_view(fp, pos=1, top=10)
    flow = fp.flow(list(range(32, 48)))  # wte[c,*]: rows of a, b, then c (ids 32 … 47)
    assert fp.index.label(32) == "wte[c,0]"
    drawn = {n.ref for n in v.nodes if n.kind == "value"}
    candidates = [
        i for i in flow.path_ids() if i not in fp.folding.absorbed and fp.index.op[i] != "const"
    ]
    top = sorted(candidates, key=lambda i: -abs(flow.flow[i]))[:10]
    assert set(top) <= drawn
    assert all(abs(flow.flow[i]) <= abs(flow.flow[top[-1]]) for i in candidates if i not in drawn)


def test_path_view_errors(fp):
    with pytest.raises(MicrogptError, match=r"does not depend on wte\[z,\*\]"):
        path_view(fp, source="wte[z]")  # z is not in the document
    with pytest.raises(UnknownNameError, match="Did you mean: pos0.embed.resid_pre"):
        path_view(fp, source="pos0.embd.resid_pre[0]")
    with pytest.raises(MicrogptError, match="matches 'nosuch\\*'"):
        path_view(fp, source="nosuch*")
    with pytest.raises(MicrogptError, match="position 12 is out of range"):
        path_view(fp, pos=12)
    with pytest.raises(MicrogptError, match="--top must be 1 or more"):
        path_view(fp, top=0)


def test_path_view_source_after_the_root(source):
    p = ForwardPass(DOC, root="loss@3", source=source)
    with pytest.raises(MicrogptError, match="root pos3.loss does not depend on"):
        path_view(p, pos=6)  # the t at position 6 comes after position 3
    # position 6 is in range, but pos3.loss does not read it: no silent empty picture
    for view in ("overview", "full"):
        with pytest.raises(MicrogptError, match="position 6 is not in the graph of the root"):
            build_view(p, view, pos=6)
    assert overview(p, pos=3).drawn > 0
    v = path_view(p, pos=2)
    assert v.stats["source_grad"] == pytest.approx(
        math.fsum(x.grad for x in p.model.state_dict["wte"][7]), rel=REL
    )  # h is token 7


# -- a node's grad += parts -----------------------------------------------------------------
@pytest.mark.parametrize(
    "node",
    [
        "pos0.embed.x_emb[0]",  # read twice by x*x in rmsnorm, and by x*scale
        "pos0.embed.resid_pre[3]",  # fan-out: rmsnorm (x*x), x*scale, the residual add
        "pos5.layer0.attn.x_norm[2]",  # read by 48 products (q, k, v)
        "pos0.layer0.attn.k[0]",  # read by the attention logits of all 12 positions
        "pos2.layer0.attn.v[6]",
        "pos4.layer0.attn.head1.softmax.total",
        "pos7.layer0.mlp.relu[10]",
        "pos3.embed.rmsnorm.scale",  # read by all 16 x*scale
        "wte[c,0]",
        "layer0.attn_wq[3,5]",  # a parameter read at every position
        "lm_head[a,4]",
        "loss",
    ],
)
def test_node_grad_parts_sum_to_its_grad(fp, node):
    r = node_report(fp, node)
    value = fp.node(node)
    assert r["grad"] == value.grad and r["data"] == value.data
    parts = [t["contribution"] for t in r["consumers"]]
    if node == "loss":
        assert parts == [] and r["grad_sum"] == 1 == value.grad
        return
    assert math.fsum(parts) == pytest.approx(value.grad, rel=REL, abs=1e-15)
    assert r["grad_sum"] == pytest.approx(value.grad, rel=REL, abs=1e-15)
    for t in r["consumers"]:
        c = fp.trace.nodes[t["id"]]
        assert t["grad"] == c.grad
        assert t["contribution"] == t["local_grad"] * c.grad
    # each read of the node is one term: as many terms as times it appears as a child
    reads = sum(
        list(fp.index.children[c]).count(r["id"])
        for c in set(fp.index.consumers[r["id"]])
        if c in fp.index.in_graph
    )
    assert len(parts) == reads


def test_node_report_fan_out_counts(fp):
    k = node_report(fp, "pos0.layer0.attn.k[0]")
    assert len(k["consumers"]) == fp.positions  # q_t · k_0 for every position t
    x = node_report(fp, "pos0.embed.x_emb[0]")
    assert len(x["consumers"]) == 3  # x * x (twice) and x * scale
    w = node_report(fp, "layer0.attn_wq[3,5]")
    assert len(w["consumers"]) == fp.positions and w["inputs"] == []


def test_node_report_inputs_are_local_gradients(fp):
    r = node_report(fp, "pos2.layer0.resid_mid[4]")
    assert [t["label"] for t in r["inputs"]] == [
        "pos2.layer0.attn.attn_out[4]",
        "pos2.embed.resid_pre[4]",
    ]
    assert [t["local_grad"] for t in r["inputs"]] == [1.0, 1.0]
    s = node_report(fp, "pos2.embed.rmsnorm.scale")
    assert s["op"] == "pow" and s["exponent"] == -0.5
    (ms_eps,) = s["inputs"]
    assert ms_eps["label"] == "pos2.embed.rmsnorm.ms_eps"
    assert ms_eps["local_grad"] == pytest.approx(-0.5 * ms_eps["data"] ** -1.5, rel=1e-12)


def test_node_view(fp):
    v = node_view(fp, "pos0.layer0.attn.k[0]")
    assert v.stats["grad_sum"] == pytest.approx(fp.node("pos0.layer0.attn.k[0]").grad, rel=REL)
    selected = [n for n in v.nodes if n.role == "selected"]
    assert len(selected) == 1 and selected[0].name == "pos0.layer0.attn.k[0]"
    i = selected[0].ref
    inputs = {c for c, _ in fp.folding.inputs(i)}
    assert len(inputs) == 16  # k[0] heads a 16-term sum: its terms are the 16 products
    consumers = {n.ref for n in v.nodes if n.ref not in inputs and n.ref != i}
    assert len(consumers) == fp.positions  # q_t · k_0 for every position t
    assert v.drawn == 1 + len(inputs) + fp.positions
    for n in v.to_dict()["nodes"]:
        value = fp.trace.nodes[n["ref"]]
        assert (n["data"], n["grad"]) == (value.data, value.grad)


def test_node_view_unknown_name(fp):
    with pytest.raises(UnknownNameError, match=r"Did you mean: pos0\.layer0\.attn\.k\[0\]"):
        build_view(fp, "node", node="pos0.layer0.attn.kk[0]")


# -- bad input through build_view ---------------------------------------------------------
def test_build_view_dispatch(fp):
    assert build_view(fp).kind == "overview"
    assert build_view(fp, "scope", scope="pos3.layer0.attn.head1").kind == "scope"
    assert build_view(fp, "path", pos=2, top=5, scope=None).kind == "path"
    assert build_view(fp, "node", node="pos1.loss").kind == "node"
    assert build_view(fp, "full", pattern="pos*.loss").stats["level"] == "detail"


@pytest.mark.parametrize(
    ("view", "opts", "message"),
    [
        ("bogus", {}, "view must be one of 'overview', 'model', 'scope', 'path', 'node', "
         "'full', got 'bogus'"),
        ("scope", {}, "the scope view needs --scope"),
        ("node", {}, "the node view needs --node"),
        ("scope", {"scope": "pos3.layer0.atn"}, "in scope 'pos3.layer0.atn'. Did you mean: "
         "pos3.layer0.attn"),
        ("overview", {"scope": "zzz"}, "Scopes look like"),
        ("full", {"pattern": "pos3.layer0.attn.qq[0]"}, r"matches 'pos3.layer0.attn.qq\[0\]'.*"
         r"Did you mean: pos3\.layer0\.attn\.q\[0\]"),
        ("overview", {"pos": 12}, "position 12 is out of range"),
        ("full", {"pos": -1}, "position -1 is out of range"),
        ("overview", {"head": 4}, r"head 4 is out of range: each layer has 4 heads \(0 to 3\)"),
        ("overview", {"depth": 0}, "depth must be 1 or more"),
        ("overview", {"budget": 0}, "budget must be a positive integer"),
        ("path", {"budget": -5}, "budget must be a positive integer"),
    ],
)  # fmt: skip
def test_build_view_bad_input(fp, view, opts, message):
    with pytest.raises(MicrogptError, match=message):
        build_view(fp, view, **opts)


# -- the budget on the longest document -----------------------------------------------------
LONGEST = "abcdefghijklmno"  # 15 characters: block_size 16 positions


@pytest.fixture(scope="module")
def longest(source):
    fp = ForwardPass(LONGEST, source=source)
    assert fp.positions == source.config.block_size == 16
    assert fp.tokens[-1] == source.tokenizer.BOS  # the last position still predicts the end
    return fp


LONG_VIEWS = [
    ("overview", {}),
    ("overview", {"depth": 3}),
    ("full", {}),
    ("full", {"pos": 15}),
    ("scope", {"scope": "pos15"}),
    ("scope", {"scope": "pos0"}),
    ("scope", {"scope": "pos15.layer0.attn"}),
    ("scope", {"scope": "pos15.layer0.attn.head3"}),
    ("path", {}),
    ("path", {"pos": 15}),
    ("node", {"node": "pos0.layer0.attn.k[0]"}),
    ("node", {"node": "wte[a,0]"}),
]


@pytest.mark.parametrize(("view", "opts"), LONG_VIEWS)
def test_longest_document_default_budget(longest, view, opts):
    v = build_view(longest, view, **opts)
    assert v.drawn <= DEFAULT_BUDGET
    assert v.stats["drawn_nodes"] == v.drawn == len(v.to_dict()["nodes"])
    assert v.stats["trace_nodes"] == len(longest.trace) > 139_000


@pytest.mark.parametrize("budget", [100, 50])
@pytest.mark.parametrize(("view", "opts"), [vo for vo in LONG_VIEWS if vo[0] != "path"])
def test_longest_document_small_budgets(longest, view, opts, budget):
    v = build_view(longest, view, budget=budget, **opts)
    assert v.drawn <= budget


@pytest.mark.parametrize("budget", [100, 50])
def test_longest_document_path_small_budgets(longest, budget):
    v = path_view(longest, pos=15, budget=budget)
    assert v.drawn <= budget
    root = _by_ref(v)[longest.index.root]
    assert root.flow == pytest.approx(v.stats["source_grad"], rel=REL)


def test_longest_document_path_budget_50(longest):
    v = path_view(longest, budget=50)
    assert v.drawn <= 50
    assert sum(1 for n in v.nodes if n.role == "source") == 16
    assert any(n.role == "root" for n in v.nodes)


def test_longest_document_full_view_falls_back(longest):
    v = full_view(longest)
    assert v.stats["level"].startswith("depth")
    assert v.notes[0].startswith(f"budget {DEFAULT_BUDGET:,}: every scalar node (")
    assert "would not fit; collapsed instead" in v.notes[0]
    m = re.fullmatch(
        r"folded ([\d,]+) scalar nodes into ([\d,]+) groups \(scope depth (\d)\)", v.notes[1]
    )
    assert m, v.notes
    groups = [n for n in v.nodes if n.kind == "group" and n.role != "input"]
    assert int(m[1].replace(",", "")) == sum(n.count for n in groups)
    assert int(m[2].replace(",", "")) == len(groups)
    assert sum(n.count for n in v.nodes) == _non_const(longest, longest.index.in_graph)


def test_longest_document_overview_falls_back_to_depth_1(longest):
    v = overview(longest, depth=3, budget=50)
    assert v.stats["level"] == "depth 1" and v.drawn <= 50
    assert "depth 3 (" in v.notes[0] and "would not fit" in v.notes[0]
    assert v.notes[1].startswith("folded ") and "groups (scope depth 1)" in v.notes[1]


@pytest.mark.parametrize(
    ("view", "opts"),
    [("overview", {}), ("full", {}), ("scope", {"scope": "pos15"}), ("path", {}),
     ("node", {"node": "pos0.layer0.attn.k[0]"})],
)  # fmt: skip
def test_longest_document_budget_too_small(longest, view, opts):
    with pytest.raises(MicrogptError, match="budget"):
        build_view(longest, view, budget=5, **opts)


def test_gradient_check_takes_a_node_as_every_view_does(fp):
    from explorer.gradcheck import finite_difference

    name = "pos3.loss"
    i = fp.index.id_of(fp.trace.find(name))
    assert finite_difference(fp, f"#{i}").estimate == finite_difference(fp, name).estimate
    with pytest.raises(MicrogptError, match="no node with id"):
        finite_difference(fp, len(fp.trace) + 5)
