"""Engine: every op's value, op tag and gradient (vs finite differences), composed ops built
as in the article, the article's worked example, and a backward pass deeper than Python's
recursion limit."""

from __future__ import annotations

import math
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from microgpt.engine import LEAF_OPS, OP_RULES, OPS, Value


def numeric_grad(f, xs, i, h=1e-6):
    """Central finite difference of f (plain floats -> float) in argument i."""
    up = list(xs)
    down = list(xs)
    up[i] += h
    down[i] -= h
    return (f(*up) - f(*down)) / (2 * h)


def value_fn(f):
    """f over Values -> a float function, for finite differences."""
    return lambda *xs: f(*(Value(x) for x in xs)).data


def grads(f, xs):
    leaves = [Value(x) for x in xs]
    out = f(*leaves)
    out.backward()
    return [leaf.grad for leaf in leaves]


UNARY = {
    "log": (lambda a: a.log(), [0.3, 1.7, 5.0]),
    "exp": (lambda a: a.exp(), [-2.0, 0.1, 1.5]),
    "relu": (lambda a: a.relu(), [-1.3, 0.4, 2.0]),
    "pow2": (lambda a: a**2, [-1.5, 0.5, 3.0]),
    "pow-1": (lambda a: a**-1, [-2.0, 0.7, 3.0]),
    "pow-0.5": (lambda a: a**-0.5, [0.2, 1.0, 4.0]),
    "neg": (lambda a: -a, [-1.0, 2.0]),
    "rsub": (lambda a: 3.0 - a, [-1.0, 2.0]),
    "rdiv": (lambda a: 3.0 / a, [-1.5, 0.5, 2.0]),
    "radd": (lambda a: 2.0 + a, [1.0]),
    "rmul": (lambda a: 2.5 * a, [1.0, -3.0]),
}
BINARY = {
    "add": lambda a, b: a + b,
    "mul": lambda a, b: a * b,
    "sub": lambda a, b: a - b,
    "div": lambda a, b: a / b,
    "mixed": lambda a, b: (a * b + a.exp() / b - (a - b) ** 2).relu() + (b * b).log(),
}


@pytest.mark.parametrize("op", list(UNARY))
def test_unary_op_gradient_matches_finite_difference(op):
    f, points = UNARY[op]
    for x in points:
        (g,) = grads(f, [x])
        assert g == pytest.approx(numeric_grad(value_fn(f), [x], 0), rel=1e-5, abs=1e-7)


@pytest.mark.parametrize("op", list(BINARY))
def test_binary_op_gradient_matches_finite_difference(op):
    f = BINARY[op]
    for xs in ([1.5, -0.7], [0.3, 2.2], [-1.1, 0.9]):
        g = grads(f, xs)
        for i in range(2):
            assert g[i] == pytest.approx(numeric_grad(value_fn(f), xs, i), rel=1e-5, abs=1e-7)


def test_article_example():
    a = Value(2.0)
    b = Value(3.0)
    c = a * b
    L = c + a  # noqa: N806 - the article's name
    L.backward()
    assert (L.data, a.grad, b.grad) == (8.0, 4.0, 2.0)


def test_ops_and_children_are_recorded_exactly():
    a, b = Value(2.0), Value(3.0)
    s = a + b
    assert (s.op, s.children, s.local_grads) == ("add", (a, b), (1, 1))
    m = a * b
    assert (m.op, m.children, m.local_grads) == ("mul", (a, b), (3.0, 2.0))
    p = a**3
    assert (p.op, p.exponent, p.children, p.local_grads) == ("pow", 3, (a,), (12.0,))
    assert a.log().op == "log" and a.exp().op == "exp" and a.relu().op == "relu"
    assert (a.op, Value(1.0, op="param").op) == ("input", "param")
    assert set(OPS) >= LEAF_OPS


# operands the table check runs on: signs, zero, tiny and large magnitudes, ints
_XS = [-3.7, -1.0, -1e-300, 0, 0.0, 1e-8, 0.3, 1.0, 2, 5.5, 700.0]


def _same(x, y) -> bool:
    """Bit for bit: the same type and value (NaN equals NaN)."""
    return type(x) is type(y) and (x == y or (x != x and y != y))


@pytest.mark.parametrize("op", sorted(OP_RULES))
def test_every_operator_computes_exactly_its_rule_in_the_op_table(op):
    """OP_RULES is the engine's ops as data (explorer.gradcheck replays through it): each
    operator's value and local gradients are the table's, bit for bit, and of the same type."""
    rule = OP_RULES[op]
    unary = {"log": Value.log, "exp": Value.exp, "relu": Value.relu}
    cases = 0
    for a in _XS:
        others = [(b,) for b in _XS] if op in ("add", "mul") else [()]
        if op == "pow":
            others = [(n,) for n in (2, 3, -1, 0.5, -0.5, 1.5)]
        for rest in others:
            try:
                want = rule.value(a, *rest), rule.local_grads(a, *rest)
            except (ValueError, OverflowError, ZeroDivisionError):
                continue  # outside the op's domain: the operator raises too
            if op in unary:
                node = unary[op](Value(a))
            elif op == "pow":
                node = Value(a) ** rest[0]
            else:
                node = getattr(Value(a), f"__{op}__")(Value(rest[0]))
            assert node.op == op and _same(node.data, want[0])
            assert len(node.local_grads) == len(want[1])
            assert all(map(_same, node.local_grads, want[1]))
            cases += 1
    assert cases >= 6
    assert set(OP_RULES) == set(OPS) - LEAF_OPS


def test_the_op_table_cannot_be_changed():
    with pytest.raises(TypeError):
        OP_RULES["add"] = OP_RULES["mul"]


def test_relu_of_negative_is_int_zero_as_in_article():
    r = Value(-0.5).relu()
    assert r.data == 0 and type(r.data) is int and r.local_grads == (0.0,)


def test_composed_ops_follow_the_article():
    a = Value(4.0)
    # a / 2.0 is a * 0.5: one multiplication by a fresh constant leaf.
    d = a / 2.0
    assert d.op == "mul" and d.children[0] is a
    assert d.children[1].op == "const" and d.children[1].data == 0.5
    # -a is a * -1
    n = -a
    assert n.op == "mul" and n.children[1].data == -1
    # a - 3.0 is a + (-3.0)
    s = a - 3.0
    assert s.op == "add" and s.children[1].data == -3.0
    # 1.0 - a is (-a) + 1.0 (radd puts the number second)
    r = 1.0 - a
    assert r.op == "add" and r.children[0].op == "mul" and r.children[1].data == 1.0
    # 2.0 / a is (a ** -1) * 2.0
    q = 2.0 / a
    assert q.op == "mul" and q.children[0].op == "pow" and q.children[0].exponent == -1
    # sum() starts from int 0, wrapped as the second child of the first addition
    t = sum([a, a])
    first = t.children[0]
    assert first.children[0] is a and first.children[1].op == "const"
    assert first.children[1].data == 0


def test_value_power_value_is_refused():
    with pytest.raises(TypeError, match="plain number"):
        Value(2.0) ** Value(3.0)


def test_shared_node_accumulates_gradient():
    a = Value(3.0)
    y = a * a + a  # dy/da = 2a + 1
    y.backward()
    assert a.grad == 7.0


def test_topological_order_is_the_article_post_order():
    def article_topo(root):
        topo, visited = [], set()

        def build(v):
            if v not in visited:
                visited.add(v)
                for child in v.children:
                    build(child)
                topo.append(v)

        build(root)
        return topo

    a, b = Value(1.5), Value(-2.0)
    c = (a * b + a).exp() * (b - a) / (a * a + 1.0)
    assert c.topological_order() == article_topo(c)


def test_backward_through_a_100000_long_add_chain():
    assert sys.getrecursionlimit() < 100_000
    x = Value(1.0)
    y = x
    for _ in range(100_000):
        y = y + x
    y.backward()
    assert x.grad == 100_001
    assert y.data == 100_001.0


# -- hypothesis: random expression trees vs finite differences ---------------------------
def _expr(draw_ops, xs):
    """Build an expression from a list of (op, i, j) over the leaves xs (Values or floats)."""
    nodes = list(xs)
    for op, i, j in draw_ops:
        a, b = nodes[i % len(nodes)], nodes[j % len(nodes)]
        if op == "add":
            nodes.append(a + b)
        elif op == "mul":
            nodes.append(a * b)
        elif op == "sub":
            nodes.append(a - b)
        elif op == "tanhish":  # bounded, smooth: exp(-a^2)
            nodes.append((-(a**2)).exp() if isinstance(a, Value) else math.exp(-(a**2)))
        elif op == "div":
            nodes.append(a / (b * b + 1.0))
        elif op == "log":
            nodes.append((a * a + 1.0).log() if isinstance(a, Value) else math.log(a * a + 1.0))
    return nodes[-1]


OP_LIST = st.lists(
    st.tuples(
        st.sampled_from(["add", "mul", "sub", "tanhish", "div", "log"]),
        st.integers(0, 50),
        st.integers(0, 50),
    ),
    min_size=1,
    max_size=12,
)


@settings(max_examples=150, deadline=None)
@given(
    xs=st.lists(st.floats(-2, 2, allow_nan=False), min_size=1, max_size=4),
    ops=OP_LIST,
)
def test_random_expressions_match_finite_differences(xs, ops):
    leaves = [Value(x) for x in xs]
    out = _expr(ops, leaves)
    if not isinstance(out, Value) or out is leaves[-1] and not ops:
        return
    out.backward()

    def f(*vals):
        r = _expr(ops, list(vals))
        return r.data if isinstance(r, Value) else r

    for i, leaf in enumerate(leaves):
        expected = numeric_grad(f, xs, i, h=1e-5)
        assert leaf.grad == pytest.approx(expected, rel=1e-4, abs=1e-5)
