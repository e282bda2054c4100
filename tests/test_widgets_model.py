"""The model view in the widgets (``explorer.widgets``: GraphExplorer, NodeInspector, Dashboard,
show): driven from Python, no kernel, no browser. Every number checked against the recorded
scalar nodes (``fp.trace.find(name)``)."""

from __future__ import annotations

import html
import re

import pytest

from explorer.model_view import model_view
from explorer.style import fmt
from explorer.widgets import Dashboard, GraphExplorer, NodeInspector, Session, show
from microgpt.errors import ArgumentTypeError, UnknownNameError

RELU = "pos2.layer0.mlp.relu"


@pytest.fixture(scope="module")
def session():
    return Session()


@pytest.fixture
def graph(session):
    return GraphExplorer(session, doc="emma", view="model", pos=2)


def _click(graph, node_id):
    graph.graph.clicked = node_id
    graph.graph.clicks += 1


def _ids(svg: str) -> list[str]:
    return [html.unescape(t) for t in re.findall(r'<g class="node" data-id="([^"]*)"', svg)]


def _crumbs(graph) -> list[str]:
    return [b.description for b in graph._crumbs.children]


def _crumb(graph, text: str) -> None:
    next(b for b in graph._crumbs.children if b.description == text).click()


def _table(inspector) -> list[tuple[str, str, str]]:
    """The (index, data, grad) rows of the inspector's tensor table, as shown."""
    cells = re.findall(
        r'<tr><td>(.*?)</td><td>(.*?)</td><td class="microgpt-grad">(.*?)</td></tr>',
        inspector._html.value,
    )
    return [tuple(html.unescape(c) for c in row) for row in cells]


def _g(x: float) -> str:
    return fmt(x)  # the one number format (explorer.style.fmt)


# -- the constructor --------------------------------------------------------------------------
def test_the_constructor_takes_every_documented_trait(session):
    g = GraphExplorer(session, view="model", pos=3, doc="christopher")
    assert (g.view, g.pos, g.fp.doc) == ("model", 3, "christopher")
    assert g.current_view.kind == "model" and g.current_view.stats["pos"] == 3
    assert g.message == ""
    assert GraphExplorer(session, view="full").current_view.kind == "full"  # was AttributeError
    g = GraphExplorer(
        session,
        doc="emma",
        pos=2,
        root="loss@3",
        view="scope",
        depth=3,
        budget=800,
        scope="pos2.layer0",
        selected="pos2.loss",
        search="pos2.*.relu[*]",
        compact=True,
    )
    assert (g.fp.doc, g.fp.root_name, g.pos, g.depth, g.budget) == ("emma", "loss@3", 2, 3, 800)
    assert (g.view, g.scope, g.selected, g.compact) == ("scope", "pos2.layer0", "pos2.loss", True)
    assert g.graph.selected == "pos2.loss" and g.note.startswith("64 nodes match")
    assert g._pos_slider.value == 2 and g._view_pick.value == "scope"
    g = GraphExplorer(session, doc="emma", view="full", pattern="pos1.layer0.mlp.relu[*]")
    assert {n.id for n in g.current_view.nodes if ".relu[" in n.id and n.kind == "value"} == {
        f"pos1.layer0.mlp.relu[{i}]" for i in range(64)
    }
    g = GraphExplorer(session, doc="emma", view="path", source="layer0.attn_wq[3]")
    assert g.current_view.stats["source"] == "layer0.attn_wq[3,*]"


def test_bad_traits_give_a_message_not_a_traceback(session):
    g = GraphExplorer(session, doc="emma", view="model", pos=99)
    assert g.pos == 4 and "position 99 is outside 'emma'" in g.message
    assert g.current_view.stats["pos"] == 4
    with pytest.raises(UnknownNameError, match=r"GraphExplorer\(view=...\) must be one of ov"):
        GraphExplorer(session, doc="emma", view="modle")
    g = GraphExplorer(session, doc="emma")
    g.view = "nonsense"  # on a live explorer: refused with a message, the view stays
    assert g.view == "overview" and "must be one of overview, model," in g.message
    g.view = "model"
    g.pos = 2
    g.pos = -1
    assert g.pos == 2 and "at least 0, got -1" in g.message and g.current_view.stats["pos"] == 2
    with pytest.raises(ArgumentTypeError, match=r"GraphExplorer\(pos=...\) must be an integer"):
        GraphExplorer(session, pos="3")


# -- the model view and a click on a tensor ---------------------------------------------------
def test_the_model_view_is_drawn_and_follows_the_position(graph, session):
    assert "model" in graph._view_pick.options
    assert list(graph._view_pick.options).index("model") == 1  # right after the overview
    ids = _ids(graph.graph.svg)
    assert RELU in ids and "layer0.mlp_fc1" in ids and "pos2.loss" in ids
    assert graph.uses_pos() and _crumbs(graph) == ["whole graph", "model"]
    before = session.computed
    graph.pos = 3
    ids = _ids(graph.graph.svg)
    assert "pos3.layer0.mlp.relu" in ids and RELU not in ids
    assert session.computed == before  # a new position never records the pass again


def test_a_click_on_the_relu_tensor_opens_its_64_scalar_nodes(graph):
    fp = graph.fp
    _click(graph, RELU)
    assert graph.view == "full" and graph.pattern == f"{RELU}[*]"
    assert graph.selected == RELU == graph.graph.selected
    relus = [n for n in graph.current_view.nodes if n.kind == "value" and ".relu[" in n.id]
    assert sorted(n.id for n in relus) == sorted(f"{RELU}[{i}]" for i in range(64))
    for n in relus:  # the numbers drawn are the recorded nodes'
        node = fp.trace.find(n.id)
        assert (n.data, n.grad) == (node.data, node.grad)
    assert sorted(set(_ids(graph.graph.svg)) & {n.id for n in relus}) == sorted(n.id for n in relus)
    assert _crumbs(graph) == ["whole graph", "model", RELU]
    _click(graph, f"{RELU}[5]")  # a scalar node: selected, as before
    assert graph.selected == f"{RELU}[5]" and graph.view == "full"
    _crumb(graph, "model")
    assert graph.view == "model" and graph.pos == 2 and graph.pattern == ""
    assert graph.current_view.stats["pos"] == 2 and RELU in _ids(graph.graph.svg)


def test_the_scalar_view_of_a_tensor_follows_the_position(graph):
    _click(graph, RELU)
    graph.pos = 3
    assert graph.pattern == "pos3.layer0.mlp.relu[*]" and graph.selected == "pos3.layer0.mlp.relu"
    drawn = {n.id for n in graph.current_view.nodes if n.kind == "value" and ".relu[" in n.id}
    assert drawn == {f"pos3.layer0.mlp.relu[{i}]" for i in range(64)}
    assert _crumbs(graph) == ["whole graph", "model", "pos3.layer0.mlp.relu"]
    _crumb(graph, "model")
    assert graph.view == "model" and graph.current_view.stats["pos"] == 3


def test_clicks_on_parameters_the_cache_and_the_loss(graph):
    _click(graph, "layer0.attn_wq")  # a matrix: the gradient path of one of its rows
    assert graph.view == "path" and graph.selected == "layer0.attn_wq"
    assert re.fullmatch(r"layer0\.attn_wq\[\d+\]", graph.source)
    assert graph.current_view.stats["source"] == graph.source[:-1] + ",*]"
    _crumb(graph, "model")
    assert graph.source == "" and graph.view == "model"
    token = graph.fp.source.token_labels[graph.fp.tokens[2]]
    _click(graph, f"wte[{token}]")  # the input's embedding row
    assert graph.view == "path" and graph.current_view.stats["source"] == f"wte[{token},*]"
    _crumb(graph, "model")
    _click(graph, "pos2.layer0.attn.keys")  # the KV cache: this position's keys
    assert graph.view == "full" and graph.pattern == "pos2.layer0.attn.k[*]"
    _crumb(graph, "model")
    _click(graph, "pos2.loss")
    assert graph.view == "node" and graph.selected == "pos2.loss"
    assert graph.current_view.stats["root"] == "loss"
    _crumb(graph, "whole graph")
    assert graph.view == "overview"


def test_a_tensor_whose_scalars_cannot_be_drawn_says_so_and_stays(graph):
    assert graph.open_tensor("pos2.layer0.mlp.nothing") is False
    assert graph.view == "model" and "pos2.layer0.mlp.nothing" in graph.message
    graph.budget = 20  # the model view's 39 tensors do not fit: the picture stays
    assert "over the budget of 20" in graph.message and graph.current_view.kind == "model"
    assert graph.open_tensor("layer0.mlp_fc1") is False  # nor does a row's gradient path
    assert "budget of 20 nodes is too small" in graph.message
    assert (graph.view, graph.source, graph.selected) == ("model", "", "layer0.mlp_fc1")


def test_search_marks_the_tensors_holding_the_matches(graph):
    graph.search = "pos2.layer0.mlp.relu[*]"  # several: the tensor holding them is marked
    assert graph.graph.highlight == [RELU] and graph.selected == RELU
    assert "1 of the tensors drawn holds them" in graph.note and graph.view == "model"
    # one scalar node (issue 18, item 6): found, in its tensor's scalars, selected
    graph.search = "pos2.layer0.mlp.relu[7]"
    assert (graph.view, graph.pattern) == ("full", f"{RELU}[*]")
    assert graph.selected == graph.graph.selected == f"{RELU}[7]"
    assert graph.graph.highlight == [f"{RELU}[7]"]


# -- the inspector ----------------------------------------------------------------------------
def test_the_inspector_shows_a_tensor_as_a_table(session):
    fp = session.forward_pass("emma")
    inspector = NodeInspector()
    inspector.show(fp)
    inspector.selected = RELU
    assert inspector.tensor.id == RELU and inspector.report is None
    rows = _table(inspector)
    assert len(rows) == 64
    for i, (index, data, grad) in enumerate(rows):
        node = fp.trace.find(f"{RELU}[{i}]")
        assert (index, data, grad) == (str(i), _g(node.data), _g(node.grad))
    assert any(grad != "0" for _, _, grad in rows)  # the live ReLUs pass a gradient on
    shown = inspector._html.value
    assert "64 entries: the table scrolls" in shown and "overflow-y: scroll" in shown
    assert "max-height" in shown and inspector._check_button.disabled
    inspector.selected = "layer0.mlp_fc1"  # a matrix: one row per entry, row-major
    rows = _table(inspector)
    assert len(rows) == 64 * 16 and "row,column" in inspector._html.value
    for index, data, grad in rows[::97]:
        node = fp.trace.find(f"layer0.mlp_fc1[{index}]")
        assert (data, grad) == (_g(node.data), _g(node.grad))
    inspector.selected = "pos2.probs"  # the non-target probabilities hold grad 0
    assert len(_table(inspector)) == len(fp.source.token_labels)
    inspector.selected = f"{RELU}[3]"  # a scalar node: the chain rule, as before
    assert inspector.tensor is None and inspector.report["data"] == fp.trace.find(f"{RELU}[3]").data
    inspector.selected = "pos2.layer0.mlp.nothing"
    assert "no node named" in inspector._html.value and inspector.tensor is None


# -- the dashboard ----------------------------------------------------------------------------
def test_the_dashboard_opens_on_the_model_view_and_keeps_the_position():
    d = Dashboard(doc="christopher")
    assert d.graph.view == "model" and d.graph.current_view.stats["pos"] == d.pos == 1
    d.pos = 3
    assert d.graph.current_view.stats["pos"] == 3 and "pos3.layer0.mlp.relu" in _ids(
        d.graph.graph.svg
    )
    fp = d.graph.fp
    _click(d.graph, "pos3.layer0.attn.head2.attn_weights")
    assert d.graph.view == "full" and d.pos == 3
    assert d.selected == d.inspector.selected == "pos3.layer0.attn.head2.attn_weights"
    assert d.attention.head == 2 and d.stepper.scope.startswith("pos3.layer0.attn.head2")
    rows = _table(d.inspector)
    weights = [fp.trace.find(f"pos3.layer0.attn.head2.attn_weights[k={k}]") for k in range(4)]
    assert rows == [(f"k={k}", _g(w.data), _g(w.grad)) for k, w in enumerate(weights)]
    _crumb(d.graph, "model")
    assert d.graph.view == "model" and d.pos == d.graph.current_view.stats["pos"] == 3
    d.pos = 99  # past the end: clamped everywhere, with a message
    assert d.pos == d.graph.pos == d.attention.pos == 11 and "outside" in d.graph.message
    d.doc = "emma"  # a new document: the model view, the position clamped to it
    assert d.graph.view == "model" and d.graph.current_view.stats["pos"] == d.pos == 4
    assert Dashboard(doc="emma", view="overview").graph.current_view.kind == "overview"


# -- show and export --------------------------------------------------------------------------
def test_show_and_export_a_model_view(graph, session, tmp_path):
    fp = session.forward_pass("emma")
    view = model_view(fp, 2)
    widget = show(view)
    assert widget.title == view.title and RELU in _ids(widget.svg)
    assert show(view, fp).svg == widget.svg
    graph.export(tmp_path / "m.html")
    page = (tmp_path / "m.html").read_text()
    assert page.startswith("<!DOCTYPE html>") and "function microgptViewer(" in page
    assert f'data-id=\\"{RELU}\\"' in page and "model · position 2" in page
    graph.export(tmp_path / "m.svg")
    assert RELU in _ids((tmp_path / "m.svg").read_text())
