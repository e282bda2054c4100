"""explorer.playback: backward played on a view — which nodes get a step, in which order, what
they show meanwhile, and that the last step shows exactly what backward() computed.

A hand-built expression (the article's a·b + a) gives known answers; the shipped model's
"emma" checks every kind of view (collapsed overview, one position, a scope in detail, a path,
a node).
"""

from __future__ import annotations

import html
import json
import math
import re

import pytest

from explorer import ForwardPass, build_view, full_view
from explorer.export import to_html
from explorer.forward import Expression
from explorer.playback import backward_json, backward_rank, backward_script
from explorer.svg import canvas_svg
from microgpt.engine import Value
from microgpt.errors import MicrogptError
from microgpt.trace import name, trace


@pytest.fixture(scope="module")
def emma(source):
    return ForwardPass("emma", source=source)


def _expression():
    with trace() as t:
        a, b = name(Value(2.0), "a"), name(Value(-3.0), "b")
        c = name(a * b, "c")
        L = name(c + a, "L")
    return Expression(t, L)


VIEWS = [
    ("overview", {}),
    ("overview", {"depth": 4, "pos": 2}),  # the explorer's "position" view
    ("scope", {"scope": "pos2.layer0.attn.head1"}),  # every scalar
    ("scope", {"scope": "pos2"}),  # collapsed into sub-scopes
    ("full", {"pos": 1}),
    ("path", {"pos": 2}),
    ("node", {"node": "pos1.layer0.attn.head0.attn_weights[k=0]"}),
]


META = '<metadata class="microgpt-backward">'


def _page_svg(page: str) -> str:
    """The picture an exported page shows (its JSON payload's ``svg``)."""
    m = re.search(r'id="microgpt-export-data">(.*?)</script>', page, re.S)
    return json.loads(m[1])["svg"]


def _stepped(view):
    return [n for n in view.nodes if n.kind in ("value", "group")]


def test_the_article_expression_step_by_step():
    e = _expression()
    view = full_view(e)
    script = backward_script(e, view)
    # every value node gets one step, in backward's order: L first (its grad is 1 from the
    # start), then c, then the leaves
    assert list(script.nodes) == ["L", "c", "b", "a"] or list(script.nodes) == ["L", "c", "a", "b"]
    assert len(script) == len(_stepped(view)) == 4
    assert script.start == {"L": 1, "c": 0, "a": 0, "b": 0}
    first = script.steps[0]
    assert (first.node, first.grad, first.op) == ("L", 1, "op/L")
    # L = c + a sends 1 × 1 to each input, along the edges into its + circle
    sent = {(s, d): v for s, d, v, _ in first.edges}
    assert sent == {("c", "op/L"): (1.0,), ("a", "op/L"): (1.0,)}
    assert script.state(1) == {"L": 1, "c": 1, "a": 1, "b": 0}
    step_c = script.steps[1]
    sent = {s: v for s, _, v, _ in step_c.edges}
    assert sent == {"a": (-3.0,), "b": (2.0,)}  # c = a·b: b × grad to a, a × grad to b
    assert script.state(len(script)) == {"L": 1, "c": 1, "a": -2.0, "b": 2.0}


@pytest.mark.parametrize("kind, opts", VIEWS, ids=[f"{k}{o}" for k, o in VIEWS])
def test_the_last_step_shows_what_backward_computed(emma, kind, opts):
    view = build_view(emma, kind, **opts)
    script = backward_script(emma, view)
    stepped = _stepped(view)
    assert len(script) == len(stepped)  # one step per drawn value or group node
    assert sorted(script.nodes) == sorted(n.id for n in stepped)
    final = script.state(len(script))
    for n in stepped:
        if n.kind == "value":  # backward's own sums, replayed in its order: to the last bit
            assert final[n.id] == emma.index.values[n.ref].grad, n.id
        else:  # a group shows the norm of its members' grads, as the picture does
            assert final[n.id] == n.grad, n.id
    for step in script.steps:
        assert step.grad == final[step.node]


@pytest.mark.parametrize("kind, opts", VIEWS, ids=[f"{k}{o}" for k, o in VIEWS])
def test_steps_follow_backward_and_a_final_grad_never_moves(emma, kind, opts):
    view = build_view(emma, kind, **opts)
    script = backward_script(emma, view)
    rank = backward_rank(emma)
    refs = {n.id: n.ref for n in view.nodes if n.kind == "value"}
    ranks = [rank[refs[n]] for n in script.nodes if n in refs]
    assert ranks == sorted(ranks)  # value nodes step in the order backward reached them
    final = script.state(len(script))
    forward = [script.state(k) for k in range(len(script) + 1)]
    for k, state in enumerate(forward):
        for done in script.nodes[:k]:
            assert state[done] == final[done]  # once final, a grad stays put
    # back to the start, then forward again: the same states
    back = [script.state(k) for k in range(len(script), -1, -1)]
    assert back[::-1] == forward == [script.state(k) for k in range(len(script) + 1)]


def test_groups_fill_in_from_zero(emma):
    view = build_view(emma, "overview")
    script = backward_script(emma, view)
    start = script.start
    root_group = next(n.id for n in view.nodes if n.role == "root")
    assert start[root_group] == 1  # the root holds 1 before backward starts; nothing else
    assert all(v == 0 for k, v in start.items() if k != root_group)
    assert any(0 < script.state(5)[n] < script.state(len(script))[n] for n in script.nodes[5:])


def test_edges_carry_local_grad_times_grad_in_detail(emma):
    view = build_view(emma, "scope", scope="pos2.layer0.attn.head1")
    script = backward_script(emma, view)
    local = {(e.src, e.dst): e.local_grad for e in view.edges}
    grad = {n.id: emma.index.values[n.ref].grad for n in view.nodes if n.kind == "value"}
    labelled = 0
    for step in script.steps:
        for src, dst, values, norm in step.edges:
            assert dst == step.op and not norm
            assert set(values) == {local[(src, dst)] * grad[step.node]}
            labelled += 1
    assert labelled == sum(1 for e in view.edges if e.dst.startswith("op/"))


def test_group_edges_carry_a_norm(emma):
    script = backward_script(emma, build_view(emma, "overview"))
    norms = [(v, norm) for s in script.steps for _, _, v, norm in s.edges]
    assert norms and any(norm for _, norm in norms)
    assert all(x >= 0 for v, norm in norms if norm for x in v)


def test_a_view_whose_groups_cannot_be_matched_has_no_player(emma):
    view = build_view(emma, "overview", head=1)  # groups by scope, sliced to one head
    with pytest.raises(MicrogptError, match="cannot play backward"):
        backward_script(emma, view)
    assert backward_json(emma, view) is None
    assert META not in _page_svg(to_html(view, emma))  # drawn, without a player


def test_the_script_travels_in_the_picture_and_the_exported_page(emma):
    view = build_view(emma, "scope", scope="pos2.layer0.attn.head1")
    text = backward_json(emma, view)
    data = json.loads(text)
    assert len(data["steps"]) == len(data["nodes"]) == len(_stepped(view))
    assert META in canvas_svg(view, backward=text)
    assert META not in canvas_svg(view)
    picture = _page_svg(to_html(view, emma))
    start = picture.index(META) + len(META)
    script = html.unescape(picture[start : picture.index("</metadata>")])
    assert json.loads(script) == data  # the exported page plays the same script
    assert META not in _page_svg(to_html(view))  # no pass given: no player
    assert math.isfinite(data["scale"]["grad"])


def test_the_graph_explorer_sends_the_script_of_what_it_draws(source):
    from explorer.widgets import GraphExplorer
    from explorer.widgets.session import Session

    explorer = GraphExplorer(Session(source), doc="emma")
    data = json.loads(explorer.graph.backward)
    assert data["nodes"] and sorted(data["nodes"]) == sorted(
        n.id for n in _stepped(explorer.current_view)
    )
    explorer.zoom("pos2.layer0.attn.head1")
    data = json.loads(explorer.graph.backward)
    assert len(data["steps"]) == len(_stepped(explorer.current_view))
    assert META not in explorer.graph.svg  # in the widget the script is a trait of its own


def test_microgpt_graph_writes_a_page_that_plays(tmp_path, capsys):
    from microgpt.cli import main

    out = tmp_path / "head.html"
    args = ["graph", "--doc", "emma", "--view", "scope", "--scope", "pos1.layer0.attn.head0"]
    assert main([*args, "--out", str(out)]) == 0
    picture = _page_svg(out.read_text(encoding="utf-8"))
    start = picture.index(META) + len(META)
    data = json.loads(html.unescape(picture[start : picture.index("</metadata>")]))
    assert len(data["steps"]) > 10
