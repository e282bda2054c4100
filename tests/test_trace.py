"""Trace: every node recorded once in creation order, stable ids, scopes, names and lookups,
nothing recorded outside the block, nested traces independent."""

from __future__ import annotations

import random
import re

import pytest

from microgpt.engine import RECORDER, Value
from microgpt.model import GPT, GPTConfig
from microgpt.trace import Trace, current_scope, name, name_all, pattern_regex, scope, trace


def test_records_every_node_once_in_creation_order():
    with trace() as t:
        a = Value(2.0)
        b = Value(3.0)
        c = a * b  # one node
        d = c + 1.0  # a const leaf, then the add
    assert t.nodes == [a, b, c, d.children[1], d]
    assert [t.id_of(v) for v in (a, b, c, d)] == [0, 1, 2, 4]
    assert len(set(map(id, t.nodes))) == len(t.nodes)


def test_nothing_recorded_outside_the_block():
    before = Value(1.0)
    with trace() as t:
        inside = before * 2.0
    after = inside + 1.0
    assert before not in t and after not in t and inside in t
    assert len(t) == 2
    assert RECORDER.get() is None
    with pytest.raises(KeyError, match="outside"):
        t.id_of(after)


def test_every_graph_node_is_recorded_once_in_a_model_forward_pass():
    model = GPT(GPTConfig(vocab_size=5, n_embd=8, n_head=2, block_size=4), random.Random(0))
    with trace() as t:
        t.adopt(model.named_parameters())
        loss, _ = model.loss([4, 0, 1, 4])
    reachable = loss.topological_order()
    assert len(t.nodes) == len(set(map(id, t.nodes)))
    recorded = set(map(id, t.nodes))
    assert all(id(v) in recorded for v in reachable)
    # parameters first, with their names, then the forward pass
    assert t.name_of(0) == "wte[0,0]" and t.nodes[0] is model.params[0]


def test_ids_are_stable_across_runs():
    def run():
        model = GPT(GPTConfig(vocab_size=5, n_embd=8, n_head=2, block_size=4), random.Random(1))
        with trace() as t:
            t.adopt(model.named_parameters())
            loss, _ = model.loss([4, 2, 3, 1, 4])
        return [(t.label(i), t.scope_of(i), v.op) for i, v in enumerate(t.nodes)], t.id_of(loss)

    assert run() == run()


def test_scopes_nest_and_are_recorded_per_node():
    with trace() as t:
        a = Value(1.0)
        with scope("pos0"):
            b = a * 2.0
            with scope("attn") as path:
                assert path == "pos0.attn" == current_scope()
                c = b + 1.0
            d = c * c
        e = d + 0.0
    assert [t.scope_of(v) for v in (a, b, c, d, e)] == ["", "pos0", "pos0.attn", "pos0", ""]
    assert current_scope() == ""


def test_scope_rejects_bad_parts():
    with pytest.raises(ValueError), scope("a.b"):
        pass
    with pytest.raises(ValueError), scope(""):
        pass


def test_names_use_scope_and_indices_and_lookup_works():
    with trace() as t, scope("pos3"), scope("layer0"):
        q = name_all([Value(float(i)) for i in range(3)], "q")
        w = name(Value(0.5), "attn_weights", "k=0")
        p = name(Value(0.1), "wte", ("e", 4))
    assert t.name_of(q[2]) == "pos3.layer0.q[2]"
    assert t.find("pos3.layer0.attn_weights[k=0]") is w
    assert t.name_of(p) == "pos3.layer0.wte[e,4]"
    assert t.match("pos3.*.q[?]") == q
    assert t.match(re.compile(r".*\[k=\d+\]")) == [w]
    with pytest.raises(KeyError, match=r"Did you mean: .*pos3\.layer0\.q\[1\]"):
        t.find("pos3.layer0.q[9]")


def test_names_and_scopes_outside_a_trace_do_nothing():
    v = Value(1.0)
    with scope("x"):
        assert name(v, "q", 1) is v


def test_pattern_brackets_are_literal():
    assert pattern_regex("a[k=0]").fullmatch("a[k=0]")
    assert not pattern_regex("a[k=0]").fullmatch("ak")
    assert pattern_regex("pos*.q[1?]").fullmatch("pos12.q[13]")


def test_nested_traces_are_independent():
    with trace() as outer:
        a = Value(1.0)
        with trace() as inner:
            b = a * 2.0
        c = b + 1.0
    assert outer.nodes == [a, b.children[1], b, c.children[1], c]
    assert inner.nodes == [b.children[1], b]
    assert inner.id_of(b) == 1 and outer.id_of(b) == 2
    assert inner.closed and outer.closed


def test_nested_trace_scopes_and_names_reach_both():
    with trace() as outer, scope("s"), trace() as inner:
        v = name(Value(1.0), "v")
    assert outer.name_of(v) == inner.name_of(v) == "s.v"
    assert outer.scope_of(v) == inner.scope_of(v) == "s"


def test_node_and_label_errors():
    t = Trace()
    with pytest.raises(ValueError, match="no node with id 3"):
        t.node(3)
    with trace() as t:
        v = Value(1.0)
    assert t.label(v) == "#0"


def test_node_scopes_and_names_by_id():
    with trace() as t:
        a = name(Value(1.0), "a")
        with scope("s"):
            b = name(a * 2.0, "b")
        c = b + 1.0
    assert t.node_scopes() == [t.scope_of(i) for i in range(len(t))] == ["", "s", "s", "", ""]
    assert t.node_names() == ["a", None, "s.b", None, None]
    assert t.id_of(c) == 4
