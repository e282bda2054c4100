"""explorer.roles (what an anonymous node is) on the shipped model and a hand-built graph, its
use in the node report, views and inspector; and the HTML tables of the objects lessons show
(NodeReport, AdamPreview, GradCheck)."""

from __future__ import annotations

import math
import re
from html.parser import HTMLParser

import pytest

from explorer import node_report, node_view, path_view
from explorer.adam import adam_preview
from explorer.gradcheck import finite_difference
from explorer.roles import Roles, describe, role, roles_of, short_name
from explorer.shapes import node_shape, scales_of, wrap_words
from explorer.style import fmt
from microgpt.engine import Value
from microgpt.trace import name, scope, trace


def _anonymous(view):
    return [n for n in view.nodes if n.kind == "value" and n.name is None]


# -- roles on the shipped model ---------------------------------------------------------------
def test_roles_in_the_node_view_of_an_attention_logit(fp):
    logit = "pos2.layer0.attn.head1.attn_logits[k=1]"
    target = fp.index.id_of(fp.node(logit))
    anon = _anonymous(node_view(fp, logit))
    assert {role(fp, n.ref).kind for n in anon} == {"sum", "constant"}  # q·k, then × 1/√4
    for n in anon:
        r = role(fp, n.ref)
        assert r.target == target and n.detail == r.text == describe(fp, n.ref)
        assert "attn_logits[k=1] (head1, pos2)" in r.text
    (total,) = [n for n in anon if role(fp, n.ref).kind == "sum"]
    assert "q·k" in total.detail and role(fp, total.ref).terms == fp.source.config.head_dim


def test_roles_in_the_node_view_of_a_query(fp):
    q = "pos1.layer0.attn.q[5]"
    qid = fp.index.id_of(fp.node(q))
    view = node_view(fp, q)
    inputs = {e.src for e in view.edges if e.dst == q}
    anon = _anonymous(view)
    assert anon and all(n.detail for n in anon)
    terms = []
    for n in anon:
        r = role(fp, n.ref)
        assert r.kind == "product"
        if n.id in inputs:  # the 16 products the sum adds: attn_wq[5,j] · x_norm[j]
            assert r.target == qid and r.terms == 16 and "in attn.q[5] (pos1)" in r.text
            assert r.text.startswith(f"attn_wq[5,{r.term}]·x_norm[{r.term}]: term j={r.term}")
            terms.append(r.term)
        else:  # q[5] is dimension 1 of head 1: term j=1 of q·k for every key of position 1
            logit = fp.index.name[r.target]
            assert re.fullmatch(r"pos1\.layer0\.attn\.head1\.attn_logits\[k=[01]\]", logit)
            assert r.term == 1 and r.text.startswith("q[5]·")
            assert f"{logit.rsplit('.', 1)[1]} (head1, pos1)" in r.text
    assert sorted(terms) == list(range(16))
    # the key of an earlier position comes from the cache: its position is said
    assert any("q[5]·pos0.k[5]" in n.detail for n in anon)


def test_every_anonymous_node_of_a_pass_has_a_role_that_adds_up(fp):
    index = fp.index
    anon = [i for i in index.in_graph if index.name[i] is None]
    roles = Roles(fp).roles(anon)
    assert len(roles) == len(anon)
    kinds = {r.kind for r in roles.values()}
    assert kinds == {"product", "partial sum", "start", "constant", "sum"}
    assert all(r.target is not None and index.name[r.target] is not None for r in roles.values())
    data = [v.data for v in index.values]
    for i, r in roles.items():
        if r.kind == "product":  # a product of its two operands, term `term` of its sum
            a, b = index.children[i]
            assert data[i] == data[a] * data[b]
        elif r.kind == "partial sum":  # the sum of terms 0 … term, added in order
            assert 0 <= r.term < r.terms - 1
            assert f"j=0…{r.term} of {r.terms}" in r.text
        elif r.kind == "start":
            assert data[i] == 0 and index.op[i] == "const"


def test_a_partial_sum_is_the_running_sum_of_its_terms(fp):
    head = fp.index.id_of(fp.node("pos3.layer0.mlp.fc2[2]"))
    roles = roles_of(fp)
    chain = roles.chain(head)
    data = [fp.index.values[t].data for t in chain.terms]
    assert len(data) == 64 and chain.start is not None
    for a in chain.spine[:-1]:
        r = roles.role(a)
        acc = data[0] + 0
        for x in data[1 : r.term + 1]:
            acc = acc + x
        assert fp.index.values[a].data == acc and r.target == head


def test_roles_of_a_whole_pass_walk_each_chain_once(fp):
    """Linear, not quadratic: every add is looked at a bounded number of times."""
    calls = 0

    class Counting(Roles):
        def _next_add(self, a):
            nonlocal calls
            calls += 1
            return super()._next_add(a)

    index = fp.index
    anon = [i for i in index.in_graph if index.name[i] is None]
    Counting(fp).roles(anon)
    assert calls <= 3 * len(anon)


def test_named_nodes_have_no_role_and_short_names(fp):
    assert role(fp, fp.index.id_of(fp.node("pos1.layer0.attn.q[5]"))) is None
    assert describe(fp, fp.index.root) is None
    assert short_name("pos2.layer0.attn.head1.attn_logits[k=1]") == (
        "attn_logits[k=1]",
        "head1, pos2",
    )
    assert short_name("pos2.layer1.mlp.fc1[3]", layers=True) == ("mlp.fc1[3]", "pos2, layer1")
    assert short_name("wte[.,3]") == ("wte[.,3]", "")


# -- a hand-built graph -----------------------------------------------------------------------
@pytest.fixture
def hand():
    from explorer import Expression

    with trace() as t:
        a, b, c = name(Value(2.0), "a"), name(Value(-3.0), "b"), name(Value(10.0), "c")
        with scope("s"):
            q = name(sum([a * b, c, a]), "q")
        half = name((q * q + a) * 0.5, "half")
        name(a * 5.0, "junk")
    return Expression(t, half)


def test_roles_of_a_hand_built_graph(hand):
    index = hand.index
    texts = {describe(hand, i) for i in range(len(index)) if index.name[i] is None}
    assert "a·b: term j=0 of 3 in s.q" in texts
    assert "the 0 that sum() starts from, in s.q" in texts
    assert "partial sum j=0…1 of 3 in s.q" in texts
    assert "constant 0.5: × in half" in texts and "constant 5: × in junk" in texts
    assert "add, read by half" in texts  # q*q + a: an anonymous add that is not a sum


# -- the node report, views and inspector ------------------------------------------------------
def test_node_report_gives_roles_and_stays_a_dict(fp):
    r = node_report(fp, "pos1.layer0.attn.q[5]")
    assert isinstance(r, dict) and r["role"] is None
    assert all(t["role"] for t in r["inputs"]) and all(t["role"] for t in r["consumers"])
    anon = node_report(fp, r["inputs"][3]["id"])
    assert anon["role"] == r["inputs"][3]["role"]
    assert anon["role"].startswith("attn_wq[5,3]·x_norm[3]")
    text = repr(r)
    assert "\n" not in text and len(text) < 120 and "q[5]" in text


def test_path_view_labels_anonymous_nodes_by_role(fp):
    view = path_view(fp, pos=2, top=20)
    anon = _anonymous(view)
    assert anon and all(n.detail == describe(fp, n.ref) for n in anon)
    scales = scales_of(view)
    for n in anon:
        lines = [line.text for line in node_shape(n, scales, show_scope=True).lines]
        assert " ".join(lines[1:-3]).replace(" ", "") == n.detail.replace(" ", "")
        assert all(len(t) <= 30 for t in lines[1:-3])


def test_wrap_words():
    text = "q[5]·pos0.k[5]: term j=1 of 4 of q·k in attn_logits[k=0] (head1, pos1)"
    lines = wrap_words(text, 30)
    assert all(len(t) <= 30 for t in lines) and " ".join(lines) == text
    assert wrap_words("pos2.layer0.attn.head1.attn_logits[k=1]", 30) == [
        "pos2.layer0.attn.head1.",
        "attn_logits[k=1]",
    ]


def test_inspector_lists_anonymous_nodes_by_role(fp):
    from explorer.widgets import NodeInspector

    inspector = NodeInspector()
    inspector.show(fp)
    inspector.selected = "pos1.layer0.attn.q[5]"
    shown = inspector._html.value
    for t in inspector.report["inputs"] + inspector.report["consumers"]:
        assert t["role"] in _text(shown)
    inspector.selected = f"#{inspector.report['inputs'][0]['id']}"
    assert "attn_wq[5,0]·x_norm[0]: term j=0 of 16" in _text(inspector._html.value)


# -- tables, not reprs -------------------------------------------------------------------------
class _Html(HTMLParser):
    """Checks that tags nest and close; collects text and title attributes."""

    VOID = {"br", "hr", "img", "input", "meta", "col", "wbr"}

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.text: list[str] = []
        self.titles: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.titles += [v for k, v in attrs if k == "title"]
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        assert self.stack and self.stack.pop() == tag, f"</{tag}> closes nothing open"

    def handle_data(self, data):
        self.text.append(data)


def _parse(html: str) -> _Html:
    p = _Html()
    p.feed(html)
    p.close()
    assert p.stack == [], f"unclosed tags: {p.stack}"
    return p


def _text(html: str) -> str:
    return "".join(_parse(html).text)


def _check_numbers(html: str, numbers) -> None:
    p = _parse(html)
    text = "".join(p.text)
    for x in numbers:
        assert fmt(x) in text, f"{fmt(x)} is not shown"
        assert repr(x) in p.titles, f"{x!r} (full precision) is not a tooltip"
        assert float(repr(x)) == x


def test_node_report_html(fp):
    r = node_report(fp, "pos1.layer0.attn.q[5]")
    html = r._repr_html_()
    assert "table" in _parse(html).tags
    numbers = [r["data"], r["grad"], r["grad_sum"]]
    numbers += [t["data"] for t in r["inputs"]]
    numbers += [t[k] for t in r["consumers"] for k in ("local_grad", "grad", "contribution")]
    _check_numbers(html, numbers)
    text = _text(html)
    assert all(t["role"] in text for t in r["inputs"])
    root = node_report(fp, "loss")
    assert "grad = 1 (the root)" in _text(root._repr_html_())


def test_adam_preview_html(fp):
    a = adam_preview(fp, fp.index.id_of(fp.node("wte[e,3]")))
    html = a._repr_html_()
    _check_numbers(html, [a.grad, a.m, a.v, a.m_new, a.v_new, a.m_hat, a.v_hat, a.lr, a.update])
    assert a.note in _text(html) and "wte[e,3]" in _text(html)
    text = repr(a)
    assert "\n" not in text and len(text) < 120 and "wte[e,3]" in text


def test_gradcheck_html(fp):
    c = finite_difference(fp, "wte[e,3]")
    html = c._repr_html_()
    _check_numbers(html, [c.grad, c.estimate, c.abs_error, c.rel_error])
    assert ("agree" if c.agrees else "DISAGREE") in _text(html)
    text = repr(c)
    assert "\n" not in text and len(text) < 120 and "agree" in text
    assert math.isfinite(c.estimate)
