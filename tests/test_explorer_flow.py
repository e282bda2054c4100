"""explorer.flow: gradient flow = grad × d(node)/d(source), from one forward-mode sweep.

A hand-built graph with every number known, then the cut property on the shipped model: the
flows across any set of nodes that every source → root path crosses exactly once add up to
d root / d source.
"""

from __future__ import annotations

import math

import pytest

from explorer.flow import gradient_flow
from explorer.graph import GraphIndex
from microgpt.engine import Value
from microgpt.trace import name, scope, trace

REL = 1e-9


# -- a hand-built graph ---------------------------------------------------------------------
@pytest.fixture(scope="module")
def hand():
    """half = 0.5 * ((a*b + c + a)**2 + a) at a=2, b=-3, c=10 (q = 6, r = 36, out = 38).

    d half / d a = 0.5 * (2q(b + 1) + 1) = -11.5, d/db = q·a = 12, d/dc = q = 6.
    """
    with trace() as t:
        a = name(Value(2.0), "a")  # 0
        b = name(Value(-3.0), "b")  # 1
        c = name(Value(10.0), "c")  # 2
        with scope("s"):
            p = a * b  # 3; const 0 (4); adds 5, 6
            q = name(sum([p, c, a]), "q")  # 7
            r = name(q * q, "r")  # 8
        out = name(r + a, "out")  # 9
        half = name(out * 0.5, "half")  # const 10, mul 11
        name(a * 5.0, "junk")  # const 12, mul 13: not in the root's graph
    half.backward()
    return GraphIndex(t, half)


def test_hand_graph_gradients_are_the_analytic_ones(hand):
    grads = [v.grad for v in hand.values]
    assert grads[:3] == [-11.5, 12.0, 6.0]
    assert grads[3] == grads[7] == 6.0 and grads[8] == 0.5 and grads[11] == 1


def test_tangents_from_a(hand):
    f = gradient_flow(hand, [0])
    # d(node)/d(a): p = a*b → b; the chain and q add a once more; r = q² → 2q·dq; out adds 1
    expected = {0: 1.0, 3: -3.0, 5: -3.0, 6: -3.0, 7: -2.0, 8: -24.0, 9: -23.0, 11: -11.5}
    for i, t in expected.items():
        assert f.tangent[i] == t, i
    assert f.tangent[13] == 5.0  # junk = 5a is reached, but it is not in the graph
    for i in (1, 2, 4, 10, 12):
        assert f.tangent[i] == 0.0


def test_flows_from_a(hand):
    f = gradient_flow(hand, [0])
    assert f.source_grad == -11.5  # = d half / d a
    expected = {0: -11.5, 3: -18.0, 5: -18.0, 6: -18.0, 7: -12.0, 8: -12.0, 9: -11.5, 11: -11.5}
    for i, fl in expected.items():
        assert f.flow[i] == fl, i
    assert f.flow[hand.root] == f.source_grad
    assert f.path_ids() == [0, 3, 5, 6, 7, 8, 9, 11]
    # b and c do not depend on a; junk depends on a but the root does not read it
    assert not f.on_path[1] and not f.on_path[2] and not f.on_path[13]
    assert f.flow[13] == 0.0


def test_flows_from_c(hand):
    f = gradient_flow(hand, [2])
    assert f.source_grad == 6.0
    assert f.path_ids() == [2, 6, 7, 8, 9, 11]
    assert [f.tangent[i] for i in f.path_ids()] == [1.0, 1.0, 1.0, 12.0, 12.0, 6.0]
    assert f.flow[hand.root] == 6.0
    for i in (0, 1, 3, 5):  # upstream of c or beside it: off the path
        assert not f.on_path[i] and f.flow[i] == 0.0


def test_flows_from_an_intermediate_node(hand):
    f = gradient_flow(hand, [3])  # p = a*b
    assert f.source_grad == 6.0 == f.flow[hand.root]
    assert f.path_ids() == [3, 5, 6, 7, 8, 9, 11]
    assert not f.on_path[0] and not f.on_path[1]  # p's own inputs are not between p and root


def test_two_sources_move_together(hand):
    f = gradient_flow(hand, [0, 1])
    # the direction (da, db) = (1, 1): -11.5 + 12
    assert f.source_grad == 0.5
    assert f.tangent[3] == -1.0 and f.tangent[7] == 0.0 and f.tangent[9] == 1.0
    assert f.flow[hand.root] == 0.5
    assert f.on_path[1] and not f.on_path[2]


def test_source_grad_matches_finite_differences():
    def half(a, b, c):
        q = a * b + c + a
        return 0.5 * (q * q + a)

    h = 1e-6
    for args, k, expected in (((2.0, -3.0, 10.0), 0, -11.5), ((2.0, -3.0, 10.0), 1, 12.0)):
        hi, lo = list(args), list(args)
        hi[k] += h
        lo[k] -= h
        assert (half(*hi) - half(*lo)) / (2 * h) == pytest.approx(expected, rel=1e-6)


def test_no_sources_is_an_error(hand):
    with pytest.raises(ValueError, match="at least one source"):
        gradient_flow(hand, [])


# -- the shipped model ----------------------------------------------------------------------
DOC = "christopher"  # positions: BOS c h r i s t o p h e r (h at 2 and 9, r at 3 and 11)


# source, fp (christopher) and fp3 (its root loss@3): shared fixtures in conftest.py


def _ids(fp, pattern):
    ids = [fp.index.id_of(v) for v in fp.trace.match(pattern)]
    assert ids, pattern
    return ids


def _flow_sum(flow, ids):
    return math.fsum(flow.flow[i] for i in ids)


SOURCES = ["wte[c,*]", "wte[h,*]", "wte[BOS,*]", "wpe[4,*]", "layer0.attn_wq[3,5]"]


@pytest.mark.parametrize("pattern", SOURCES)
def test_cut_property_mean_loss(fp, pattern):
    sources = _ids(fp, pattern)
    flow = fp.flow(sources)
    grads = math.fsum(fp.index.values[s].grad for s in sources)
    assert flow.source_grad == pytest.approx(grads, rel=REL)
    assert flow.source_grad != 0
    assert flow.flow[fp.index.root] == pytest.approx(flow.source_grad, rel=REL)
    for cut in (
        "pos*.loss",
        "pos*.layer0.resid_post[*]",
        "pos*.layer0.resid_mid[*]",
        "pos*.lm_head.logits[*]",
    ):
        assert _flow_sum(flow, _ids(fp, cut)) == pytest.approx(flow.source_grad, rel=REL), cut


@pytest.mark.parametrize("pattern", ["wte[c,*]", "wte[h,*]", "wte[BOS,*]", "wpe[4,*]"])
def test_cut_at_the_embedding(fp, pattern):
    """Every path from an embedding row starts through x_emb of the positions that read it."""
    flow = fp.flow(_ids(fp, pattern))
    assert _flow_sum(flow, _ids(fp, "pos*.embed.x_emb[*]")) == pytest.approx(
        flow.source_grad, rel=REL
    )


def test_repeated_token_flows_through_both_positions(fp):
    flow = fp.flow(_ids(fp, "wte[h,*]"))
    on = {p for p in range(fp.positions) if flow.on_path[fp.index.id_of(fp.node(f"pos{p}.loss"))]}
    assert on == set(range(2, fp.positions))  # h first appears at position 2
    x_emb = {
        p
        for p in range(fp.positions)
        if any(flow.on_path[i] for i in _ids(fp, f"pos{p}.embed.x_emb[*]"))
    }
    assert x_emb == {2, 9}
    parts = [_flow_sum(flow, _ids(fp, f"pos{p}.embed.x_emb[*]")) for p in (2, 9)]
    assert math.fsum(parts) == pytest.approx(flow.source_grad, rel=REL)
    assert all(p != 0 for p in parts)


def test_lm_head_row_flows_only_through_its_logits(fp):
    flow = fp.flow(_ids(fp, "lm_head[e,*]"))
    logits = _ids(fp, "pos*.lm_head.logits[e]")
    assert len(logits) == fp.positions
    assert _flow_sum(flow, logits) == pytest.approx(flow.source_grad, rel=REL)
    other = _ids(fp, "pos*.lm_head.logits[a]")
    assert not any(flow.on_path[i] for i in other)


def test_named_node_source(fp):
    src = fp.index.id_of(fp.node("pos2.embed.resid_pre[3]"))
    flow = fp.flow([src])
    assert flow.source_grad == fp.index.values[src].grad
    losses = [fp.index.id_of(fp.node(f"pos{p}.loss")) for p in range(fp.positions)]
    assert [flow.on_path[i] for i in losses] == [p >= 2 for p in range(fp.positions)]
    assert _flow_sum(flow, losses) == pytest.approx(flow.source_grad, rel=REL)
    # its own inputs (x_emb and the wte row) are upstream: off the path
    assert not flow.on_path[fp.index.id_of(fp.node("pos2.embed.x_emb[3]"))]
    assert not any(flow.on_path[i] for i in _ids(fp, "wte[h,*]"))


def test_flow_is_cached_per_source_set(fp):
    a, b = _ids(fp, "wte[c,*]")[:2]
    assert fp.flow([a, b]) is fp.flow([b, a])


@pytest.mark.parametrize("pattern", ["wte[c,*]", "wte[h,*]", "wte[BOS,*]"])
def test_cut_property_position_loss_root(fp3, pattern):
    fp = fp3
    flow = fp.flow(_ids(fp, pattern))
    grads = math.fsum(fp.index.values[s].grad for s in _ids(fp, pattern))
    assert flow.source_grad == pytest.approx(grads, rel=REL) and flow.source_grad != 0
    assert flow.flow[fp.index.root] == pytest.approx(flow.source_grad, rel=REL)
    assert _flow_sum(flow, _ids(fp, "pos*.layer0.resid_post[*]")) == pytest.approx(
        flow.source_grad, rel=REL
    )
    assert fp.index.values[fp.index.root].grad == 1
    assert fp.index.values[fp.index.root] is fp.losses[3]


def test_later_positions_are_off_a_position_loss_graph(fp3):
    fp = fp3
    flow = fp.flow(_ids(fp, "wte[h,*]"))
    later = [i for i in range(len(fp.index)) if fp.index.scope[i].split(".")[0] in {"pos4", "pos9"}]
    assert later
    assert not any(i in fp.index.in_graph for i in later)
    assert not any(flow.on_path[i] for i in later)
    assert all(flow.flow[i] == 0.0 for i in later)
    # the mean loss is not the root here: it is outside the graph, with grad 0
    assert fp.loss.grad == 0 and fp.index.id_of(fp.loss) not in fp.index.in_graph
    # position 1 comes before the first h: its keys are in the graph (position 3 reads
    # them) but off the path; its residual stream only feeds its own loss: off the graph
    keys = _ids(fp, "pos1.layer0.attn.k[*]")
    assert all(i in fp.index.in_graph and not flow.on_path[i] for i in keys)
    assert not any(i in fp.index.in_graph for i in _ids(fp, "pos1.layer0.resid_post[*]"))


def test_position_loss_root_source_grad_differs_from_mean_loss(fp, fp3):
    ids = _ids(fp, "wte[h,*]")
    assert fp.flow(ids).source_grad != pytest.approx(fp3.flow(ids).source_grad, rel=1e-3)
