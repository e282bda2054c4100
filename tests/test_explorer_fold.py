"""explorer.fold: which adds a view folds into a Σ node, and what that node's inputs are.

Hand-built graphs with known answers first, then invariants on one real forward pass.
"""

from __future__ import annotations

import pytest

from explorer import ForwardPass
from explorer.fold import Folding
from explorer.graph import GraphIndex
from microgpt.engine import Value
from microgpt.trace import name, scope, trace


def _fold(t, root):
    root.backward()
    index = GraphIndex(t, root)
    return index, Folding(index)


def _ids(t, *values):
    return [t.id_of(v) for v in values]


# -- a sum() chain --------------------------------------------------------------------------
@pytest.fixture
def sum_graph():
    """half = 0.5 * ((a*b + c + a)**2 + a), with q = sum([a*b, c, a]) (ids in comments)."""
    with trace() as t:
        a = name(Value(2.0), "a")  # 0
        b = name(Value(-3.0), "b")  # 1
        c = name(Value(10.0), "c")  # 2
        with scope("s"):
            p = a * b  # 3 (mul); sum() then makes const 0 (4), adds 5 = p + 0, 6 = #5 + c
            q = name(sum([p, c, a]), "q")  # 7 = #6 + a, the chain head
            r = name(q * q, "r")  # 8
        out = name(r + a, "out")  # 9: a named add whose first input is a mul
        half = name(out * 0.5, "half")  # const 0.5 (10), mul 11
        name(a * 5.0, "junk")  # const 12, mul 13: recorded, not in the root's graph
    index, folding = _fold(t, half)
    return t, index, folding, dict(a=a, b=b, c=c, p=p, q=q, r=r, out=out, half=half)


def test_sum_chain_ids_are_as_documented(sum_graph):
    t, index, _, v = sum_graph
    assert _ids(t, v["a"], v["p"], v["q"], v["r"], v["out"], v["half"]) == [0, 3, 7, 8, 9, 11]
    assert [index.op[i] for i in range(14)] == [
        "input", "input", "input", "mul", "const", "add", "add", "add",
        "mul", "add", "const", "mul", "const", "mul",
    ]  # fmt: skip
    assert index.children[5] == (3, 4) and index.children[6] == (5, 2)
    assert index.children[7] == (6, 0)


def test_sum_chain_inner_adds_fold_into_the_head(sum_graph):
    _, _, folding, _ = sum_graph
    assert folding.absorbed == {5: 7, 6: 7}


def test_sum_chain_head_is_a_chain_of_its_terms(sum_graph):
    _, index, folding, _ = sum_graph
    assert folding.is_chain(7)
    assert folding.chain_length(7) == 3
    # the terms in order, without the constant 0 that sum() starts from
    assert folding.inputs(7) == [(3, 1), (2, 1), (0, 1)]
    assert all(index.op[c] != "const" for c, _ in folding.inputs(7))


def test_nodes_outside_chains_are_not_chains(sum_graph):
    _, _, folding, _ = sum_graph
    for i in (0, 3, 8, 9, 11):
        assert not folding.is_chain(i)
        assert folding.chain_length(i) == 1
    # a plain op keeps its own children and local gradients (constants included)
    assert folding.inputs(3) == [(0, -3.0), (1, 2.0)]
    assert folding.inputs(8) == [(7, 6.0), (7, 6.0)]
    assert folding.inputs(9) == [(8, 1), (0, 1)]
    assert folding.inputs(11) == [(9, 0.5), (10, 38.0)]


def test_hidden_nodes_are_constants_and_inner_adds(sum_graph):
    _, index, folding, _ = sum_graph
    hidden = {i for i in range(len(index)) if folding.is_hidden(i)}
    assert hidden == {4, 5, 6, 10, 12}


def test_out_of_graph_nodes_are_never_absorbed(sum_graph):
    _, index, folding, _ = sum_graph
    assert index.in_graph == set(range(12))
    assert 12 not in folding.absorbed and 13 not in folding.absorbed


# -- what must not fold ---------------------------------------------------------------------
@pytest.fixture
def cases_graph():
    """One graph with an add chain next to each add that must stay its own node."""
    with trace() as t:
        x, y, z, w = (name(Value(float(k)), n) for k, n in ((1, "x"), (2, "y"), (3, "z"), (4, "w")))
        s1 = name(x + y, "s1")  # A: a named add …
        h1 = name(s1 + z, "h1")  # … stays a node even though an add reads it first
        u = x + y  # B: an anonymous add with two consumers in the graph
        h2 = name(u + z, "h2")
        m = name(u * w, "m")
        e = x + w  # C: an anonymous add read as the *second* operand
        h3 = name(z + e, "h3")
        f = y + w  # D: one consumer in the graph, another outside it
        h4 = name(f + x, "h4")
        dangling = f * 3.0  # not read by the root
        root = name(h1 + h2 + m + h3 + h4, "root")  # an add chain of five terms, no sum()
    index, folding = _fold(t, root)
    ids = dict(
        zip(
            ["x", "y", "z", "w", "s1", "h1", "u", "h2", "m", "e", "h3", "f", "h4", "dangling"],
            _ids(t, x, y, z, w, s1, h1, u, h2, m, e, h3, f, h4, dangling),
        )
    )
    return t, index, folding, ids, root


def test_named_add_is_not_absorbed(cases_graph):
    _, _, folding, ids, _ = cases_graph
    assert ids["s1"] not in folding.absorbed
    assert not folding.is_chain(ids["h1"])
    assert folding.inputs(ids["h1"]) == [(ids["s1"], 1), (ids["z"], 1)]


def test_add_with_two_consumers_is_not_absorbed(cases_graph):
    _, index, folding, ids, _ = cases_graph
    assert sorted(index.consumers[ids["u"]]) == [ids["h2"], ids["m"]]
    assert ids["u"] not in folding.absorbed
    assert folding.chain_length(ids["h2"]) == 1


def test_add_read_as_second_operand_is_not_absorbed(cases_graph):
    _, _, folding, ids, _ = cases_graph
    assert ids["e"] not in folding.absorbed
    assert folding.inputs(ids["h3"]) == [(ids["z"], 1), (ids["e"], 1)]


def test_consumers_outside_the_graph_do_not_count(cases_graph):
    _, index, folding, ids, _ = cases_graph
    assert ids["dangling"] not in index.in_graph
    assert folding.absorbed[ids["f"]] == ids["h4"]
    assert folding.chain_length(ids["h4"]) == 2
    assert folding.inputs(ids["h4"]) == [(ids["y"], 1), (ids["w"], 1), (ids["x"], 1)]


def test_chain_without_sum_flattens_all_terms_in_order(cases_graph):
    t, index, folding, ids, root = cases_graph
    r = t.id_of(root)
    assert folding.chain_length(r) == 4  # four adds for five terms
    assert [c for c, _ in folding.inputs(r)] == [ids[k] for k in ("h1", "h2", "m", "h3", "h4")]
    absorbed_into_root = sorted(i for i, head in folding.absorbed.items() if head == r)
    assert len(absorbed_into_root) == 3
    assert set(folding.absorbed) == {ids["f"], *absorbed_into_root}


def test_add_read_twice_by_one_add_is_not_absorbed():
    """``u + u`` reads u twice: folding u would lose one of the two reads."""
    with trace() as t:
        x, y = name(Value(1.0), "x"), name(Value(2.0), "y")
        u = x + y
        d = name(u + u, "d")
    index, folding = _fold(t, d)
    assert index.consumers[t.id_of(u)] == [t.id_of(d), t.id_of(d)]
    assert folding.absorbed == {}
    assert folding.inputs(t.id_of(d)) == [(t.id_of(u), 1), (t.id_of(u), 1)]


def test_single_term_sum_is_one_add_with_its_zero():
    with trace() as t:
        x = name(Value(5.0), "x")
        s = name(sum([x]), "s")  # x + 0
    index, folding = _fold(t, s)
    i = t.id_of(s)
    assert folding.absorbed == {}
    assert not folding.is_chain(i) and folding.chain_length(i) == 1
    (kx, gx), (k0, g0) = folding.inputs(i)
    assert (kx, gx) == (t.id_of(x), 1) and index.op[k0] == "const" and g0 == 1


def test_two_term_sum_is_a_chain_of_two():
    with trace() as t:
        x, y = name(Value(1.0), "x"), name(Value(2.0), "y")
        s = name(sum([x, y]), "s")
    _, folding = _fold(t, s)
    i = t.id_of(s)
    assert folding.is_chain(i) and folding.chain_length(i) == 2
    assert folding.inputs(i) == [(t.id_of(x), 1), (t.id_of(y), 1)]


def test_anonymous_head_read_by_a_mul_is_not_absorbed():
    """rmsnorm's ``sum(x*x) / n``: the chain's last add is anonymous but read by a mul."""
    with trace() as t:
        xs = [name(Value(float(k)), "x", k) for k in range(4)]
        ms = name(sum(x * x for x in xs) / 4, "ms")
    index, folding = _fold(t, ms)
    head = index.children[t.id_of(ms)][0]
    assert index.op[head] == "add" and index.name[head] is None
    assert head not in folding.absorbed
    assert folding.chain_length(head) == 4
    assert [index.op[c] for c, _ in folding.inputs(head)] == ["mul"] * 4
    assert [index.children[c] for c, _ in folding.inputs(head)] == [(t.id_of(x),) * 2 for x in xs]


def test_long_chain_is_walked_without_recursion():
    n = 5000
    with trace() as t:
        xs = [name(Value(1.0), "x", k) for k in range(n)]
        s = name(sum(xs), "s")
    _, folding = _fold(t, s)
    i = t.id_of(s)
    assert folding.chain_length(i) == n
    assert folding.inputs(i) == [(t.id_of(x), 1) for x in xs]
    assert len(folding.absorbed) == n - 1


# -- a real forward pass --------------------------------------------------------------------
@pytest.fixture(scope="module")
def fp():
    return ForwardPass("christopher")


def _id(fp, node_name):
    return fp.index.id_of(fp.trace.find(node_name))


@pytest.mark.parametrize(
    ("node_name", "length", "first_inputs"),
    [
        ("pos0.layer0.attn.q[0]", 16, ("layer0.attn_wq[0,0]", "pos0.layer0.attn.x_norm[0]")),
        ("pos5.layer0.attn.k[7]", 16, ("layer0.attn_wk[7,0]", "pos5.layer0.attn.x_norm[0]")),
        ("pos3.layer0.mlp.fc1[9]", 16, ("layer0.mlp_fc1[9,0]", "pos3.layer0.mlp.x_norm[0]")),
        ("pos3.layer0.mlp.fc2[2]", 64, ("layer0.mlp_fc2[2,0]", "pos3.layer0.mlp.relu[0]")),
        ("pos11.lm_head.logits[e]", 16, ("lm_head[e,0]", "pos11.layer0.resid_post[0]")),
    ],
)
def test_linear_outputs_are_chains_of_products(fp, node_name, length, first_inputs):
    index, folding = fp.index, fp.folding
    i = _id(fp, node_name)
    assert folding.is_chain(i)
    assert folding.chain_length(i) == length
    inputs = folding.inputs(i)
    assert len(inputs) == length
    assert all(index.op[c] == "mul" and g == 1 for c, g in inputs)
    w, x = (index.label(k) for k in index.children[inputs[0][0]])
    assert (w, x) == first_inputs
    # the j-th term multiplies weight column j
    last_w = index.label(index.children[inputs[-1][0]][0])
    assert last_w.endswith(f",{length - 1}]")


def test_softmax_total_is_a_chain_of_the_exps(fp):
    i = _id(fp, "pos4.softmax.total")
    assert fp.folding.chain_length(i) == fp.source.config.vocab_size
    labels = [fp.index.label(c) for c, _ in fp.folding.inputs(i)]
    assert labels == [f"pos4.softmax.exp[{c}]" for c in fp.source.token_labels]


def test_mean_loss_sums_the_position_losses_in_order(fp):
    index, folding = fp.index, fp.folding
    # loss = (1/n) * sum(losses): float * Value is Value.__rmul__, so the sum comes first
    head, const = index.children[index.root]
    assert index.op[index.root] == "mul" and index.op[const] == "const"
    assert index.values[const].data == 1 / fp.positions
    assert folding.chain_length(head) == fp.positions
    assert [index.label(c) for c, _ in folding.inputs(head)] == [
        f"pos{p}.loss" for p in range(fp.positions)
    ]


def test_absorbed_nodes_on_a_real_pass_fit_the_rule(fp):
    index, folding = fp.index, fp.folding
    in_graph = index.in_graph
    assert folding.absorbed  # thousands of inner adds
    per_head: dict[int, int] = {}
    for i, head in folding.absorbed.items():
        assert index.op[i] == "add" and index.name[i] is None and i != index.root
        users = [c for c in index.consumers[i] if c in in_graph]
        assert len(users) == 1 and index.op[users[0]] == "add"
        assert index.children[users[0]][0] == i
        assert head not in folding.absorbed and head > i
        per_head[head] = per_head.get(head, 0) + 1
    for head, n in per_head.items():
        assert folding.chain_length(head) == n + 1
    # every named node stays visible
    assert not any(index.name[i] is not None for i in folding.absorbed)


def test_the_graph_set_answers_like_a_set_of_ids():
    from explorer.graph import NodeSet

    ids = NodeSet([7, 2, 5, 2], 10)
    assert list(ids) == [2, 5, 7] and len(ids) == 3 and ids == {2, 5, 7}
    assert 5 in ids and 3 not in ids
    for outside in (-1, 10, 10**9, "5", None, 2.5):  # never an error: just not an id of it
        assert outside not in ids
    assert ids != {2, 5} and ids == NodeSet([2, 5, 7], 10)
