"""Widgets driven from Python: set traits, click buttons, check the derived state and outputs.
No kernel, no browser (tests/browser covers the page)."""

from __future__ import annotations

import base64
import html
import math
import re

import pytest

from explorer.adam import adam_preview
from explorer.node import resolve_node
from explorer.style import fmt
from explorer.widgets import (
    AttentionView,
    BackwardStepper,
    Dashboard,
    EmbeddingView,
    GraphExplorer,
    NodeInspector,
    ProbabilitiesView,
    Session,
)
from microgpt import MicrogptError


@pytest.fixture(scope="module")
def session():
    return Session()


@pytest.fixture
def graph(session):
    return GraphExplorer(session, doc="emma")


def _click(graph, title):
    graph.graph.clicked = title
    graph.graph.clicks += 1


def _titles(svg: str) -> list[str]:
    return [html.unescape(t) for t in re.findall(r'<g class="node" data-id="([^"]*)"', svg)]


def test_graph_explorer_draws_the_pass(graph):
    assert graph.fp.doc == "emma" and "microgpt-graph" in graph._dom_classes
    titles = _titles(graph.graph.svg)
    assert len(titles) == graph.current_view.drawn > 0
    assert "group/pos1.layer0" in titles


def test_position_and_view_changes_never_recompute_the_pass(graph, session):
    before = session.computed
    graph.view = "position"
    for pos in (0, 3, 2):
        graph.pos = pos
        assert graph.current_view.stats["selected_nodes"] > 0
        assert all(n.scope.startswith(f"pos{pos}") for n in graph.current_view.nodes
                   if n.kind == "group" and n.role != "input")  # fmt: skip
    graph.depth = 1
    graph.view = "path"
    assert session.computed == before
    graph.doc = "anna"
    assert session.computed == before + 1 and graph.fp.doc == "anna"


def test_a_bad_document_shows_a_message_and_keeps_the_pass(graph):
    fp = graph.fp
    graph._doc_box.value = "em<ma"
    assert "'<'" in graph.message and "vocabulary" in graph.message
    assert graph.fp is fp and graph.doc == "emma"
    graph._doc_box.value = ""
    assert "empty" in graph.message and graph.fp is fp


def test_a_position_past_the_end_is_clamped_with_a_message(graph):
    graph.pos = 9
    assert graph.pos == 4 and "outside 'emma'" in graph.message


def test_clicks_select_nodes_and_zoom_into_groups(graph):
    _click(graph, "group/pos2.layer0")
    assert (graph.view, graph.scope) == ("scope", "pos2.layer0")
    assert [b.description for b in graph._crumbs.children] == ["whole graph", "pos2", "layer0"]
    graph._crumbs.children[1].click()
    assert graph.scope == "pos2"
    graph.zoom("pos2.layer0.attn.head1")
    node = "pos2.layer0.attn.head1.attn_weights[k=0]"
    assert node in _titles(graph.graph.svg)
    _click(graph, node)
    assert graph.selected == node == graph.graph.selected
    _click(graph, "op/pos2.layer0.attn.head1.attn_logits[k=1]")
    assert graph.selected == "pos2.layer0.attn.head1.attn_logits[k=1]"
    graph._crumbs.children[0].click()
    assert graph.view == "overview"


def test_search_highlights_matching_drawn_nodes(graph):
    graph.zoom("pos2.layer0.attn.head1")
    graph.search = "pos2.*.attn_weights[*]"
    assert sorted(graph.graph.highlight) == [
        f"pos2.layer0.attn.head1.attn_weights[k={k}]" for k in range(3)
    ]
    assert graph.note.startswith("12 nodes match")  # 4 heads x 3 keys in the pass
    assert "microgpt-note" in graph._note._dom_classes  # not the error style
    before = graph.selected
    assert before != "pos2.layer0.attn.head1.attn_weights[k=1]"
    graph.search = "pos2.*.head1.attn_weights[k=1]"  # one drawn match: selected (shown)
    assert graph.selected == graph.graph.selected == "pos2.layer0.attn.head1.attn_weights[k=1]"


def test_exports(graph, tmp_path):
    graph.zoom("pos1.layer0.attn.head0")
    page = tmp_path / "g.html"
    graph.export(page)
    text = page.read_text()
    assert text.startswith("<!DOCTYPE html>") and "<svg" in text
    assert "function microgptViewer(" in text  # the same viewer as in JupyterLab, inline
    assert "microgpt-legend" in text and "pos1.layer0.attn.head0" in text
    assert not re.search(r'(src|href)="(https?:)?//', text)  # nothing from a network
    with pytest.raises(MicrogptError, match="does not exist"):
        graph.export(tmp_path / "missing" / "g.html")
    graph.export(tmp_path / "g.svg")
    assert (tmp_path / "g.svg").read_text().lstrip().startswith("<?xml")


def test_inspector_shows_the_chain_rule_and_checks_the_gradient(session):
    fp = session.forward_pass("emma")
    inspector = NodeInspector()
    inspector.show(fp)
    assert inspector._check_button.disabled
    inspector.selected = "pos1.layer0.attn.head0.attn_weights[k=0]"
    r = inspector.report
    node = fp.node(inspector.selected)
    assert (r["data"], r["grad"]) == (node.data, node.grad)
    assert math.fsum(t["contribution"] for t in r["consumers"]) == pytest.approx(node.grad)
    html = inspector._html.value
    assert "attn_weights[k=0]" in html and "local grad" in html and "contribution" in html
    check = inspector.check_gradient()
    assert check.agrees and check.grad == node.grad
    shown = inspector._check_result.value
    assert fmt(check.grad) in shown and fmt(check.estimate) in shown  # the one number format


def test_inspector_shows_adam_for_a_parameter(session):
    inspector = NodeInspector()
    inspector.show(session.forward_pass("emma"))
    inspector.selected = "wte[m,3]"
    html = inspector._html.value
    assert "Adam" in html and "update −lr_k·m̂" in html and "schedule" in html
    preview = adam_preview(session.forward_pass("emma"), resolve_node(inspector.fp, "wte[m,3]"))
    assert preview._repr_html_() in html  # the one Adam step table, as the lessons show it
    inspector.selected = "nonsense[1]"
    assert "no node named" in inspector._html.value and inspector.report is None


def test_attention_view_shows_the_weights_and_selects_a_clicked_cell(session):
    fp = session.forward_pass("emma")
    view = AttentionView()
    view.show(fp)
    assert "microgpt-attention" in view._dom_classes
    assert view.matrix == fp.attention(0, 0)
    grid = view.image.grid
    assert grid["rows"] == grid["cols"] == 5 and 0 <= grid["left"] < grid["right"] <= 1
    png = view.image.png
    view.head = 2
    assert view.matrix == fp.attention(0, 2) and view.image.png != png
    view.image.cell = [3, 1]
    view.image.clicks += 1
    assert view.selected == "pos3.layer0.attn.head2.attn_weights[k=1]" and view.pos == 3
    view.click(1, 3)
    assert "causal mask" in view.message
    selected = view.selected
    for query, key in [(5, 3), (-1, 0), (2, 9), ("2", 1), (True, 0), (2.0, 1)]:
        view.click(query, key)  # a careless call: a message, never an error or a new selection
        said = view.message
        assert "has positions 0 to 4" in said or "must be an integer" in said
        assert view.selected == selected
    view.click(4, 2)
    assert f"= {fp.attention(0, 2)[4][2]:.4f}" in view.message
    assert AttentionView().click(0, 0) is None  # no pass yet: says so


def test_probabilities_view(session):
    fp = session.forward_pass("emma")
    view = ProbabilitiesView(seed=1)
    view.show(fp)
    view.pos = 2
    p1 = view.distribution()
    assert math.fsum(p1) == pytest.approx(1.0)
    assert list(p1) == pytest.approx(fp.probs(2))
    view.temperature = 0.5
    p2 = view.distribution()
    assert max(p2) > max(p1)  # a lower temperature sharpens
    image = view.image.value
    view.temperature = 1.5
    assert view.image.value != image
    char = view.sample_next()
    assert char in fp.source.token_labels and view.sample_count == 1


def test_embedding_view_moves_through_snapshots(session):
    view = EmbeddingView(session.source)
    final = view.image.value
    assert view.step == 1000 and final[:8] == b"\x89PNG\r\n\x1a\n"
    view.step = 0
    assert view.image.value != final
    view.matrix = "wpe"
    assert view.labels() == [str(p) for p in range(16)]


def test_backward_stepper_ends_at_the_real_gradients(session):
    fp = session.forward_pass("emma")
    stepper = BackwardStepper()
    stepper.show(fp)
    assert len(stepper.steps) == len(stepper.ids) > 5
    final = stepper.grads_after(len(stepper.steps))
    for i in stepper.ids:
        assert final[i] == pytest.approx(fp.index.values[i].grad, rel=1e-9, abs=1e-15)
    stepper.next()
    first = stepper.steps[0]
    assert stepper.step == 1 and fp.index.label(first.node) in stepper._table.value
    # the step's node marked (orange), the inputs it passed its gradient to (purple)
    marked = re.findall(r'<tr style="background:#(\w+)"><td[^>]*>(.*?)</td>', stepper._table.value)
    label = html.escape(fp.index.label(first.node))
    assert ("fdb863", label) in marked
    inputs = {html.escape(fp.index.label(c)) for c, _ in first.updates}
    assert {name for colour, name in marked if colour == "b2abd2"} == inputs - {label}
    scope, step = stepper.scope, stepper.step
    stepper.scope = "pos1"  # too big: refused, with the reason; the stepper keeps its scope
    assert "smaller one" in stepper._message.value
    assert (stepper.scope, stepper._scope.value, stepper.step) == (scope, scope, step)


def test_dashboard_links_every_view():
    d = Dashboard(doc="emma")
    assert "microgpt-dashboard" in d._dom_classes
    for w, cls in [(d.graph, "microgpt-graph"), (d.inspector, "microgpt-inspector"),
                   (d.attention, "microgpt-attention"), (d.embeddings, "microgpt-embeddings"),
                   (d.training, "microgpt-training"), (d.probs, "microgpt-probs"),
                   (d.stepper, "microgpt-stepper")]:  # fmt: skip
        assert cls in w._dom_classes
    d.pos = 3
    assert d.attention.pos == d.probs.pos == d.graph.pos == 3
    d.attention.click(3, 2)
    name = "pos3.layer0.attn.head0.attn_weights[k=2]"
    assert d.selected == d.graph.selected == d.inspector.selected == name
    assert d.graph.scope == "pos3.layer0.attn.head0" and name in _titles(d.graph.graph.svg)
    d.doc = "em!"
    assert d.doc == "emma" and "'!'" in d.graph.message
    d.doc = "mia"
    assert d.attention.matrix == d.graph.fp.attention(0, 0) and len(d.attention.matrix) == 4
    d.probs.sampled, before = "", d.session.computed
    d.probs.rng.seed(3)
    while d.probs.sample_next() == "BOS":
        pass
    assert d.doc.startswith("mia") and len(d.doc) == 4 and d.session.computed == before + 1
    d.presenter = True
    assert "microgpt-presenter" in d._dom_classes


def test_images_are_real_pngs(session):
    view = AttentionView()
    view.show(session.forward_pass("emma"))
    assert base64.b64decode(view.image.png)[:8] == b"\x89PNG\r\n\x1a\n"


def test_attention_click_grid_matches_the_drawn_cells(session):
    """The fractions the page uses to turn a click into a cell land on the cells' centres: for
    a figure laid out by drawing it, and for the widget's way (the box read after the PNG shown
    was drawn, at twice the dpi: its layout differs by about a pixel, the PNG's is the one)."""
    from explorer.plots import attention_heatmap
    from explorer.widgets.images import axes_box, chart_b64

    fp = session.forward_pass("christopher")
    n = fp.positions
    for widget_way in (False, True):
        ax = attention_heatmap(fp.attention(0, 1), fp.chars)
        fig = ax.figure
        if widget_way:
            chart_b64(fig)
        box = axes_box(ax, drawn=widget_way)
        for row, col in [(0, 0), (5, 2), (n - 1, n - 1)]:
            x, y = ax.transData.transform((col, row))  # imshow: cell (row, col) at (col, row)
            fx, fy = x / fig.bbox.width, 1 - y / fig.bbox.height
            left, right, top, bottom = box["left"], box["right"], box["top"], box["bottom"]
            assert fx == pytest.approx(left + (col + 0.5) / n * (right - left))
            assert fy == pytest.approx(top + (row + 0.5) / n * (bottom - top))


def test_moving_the_position_outlines_a_row_without_redrawing(session):
    view = AttentionView()
    view.show(session.forward_pass("emma"))
    png = view.image.png
    view.pos = 3
    assert view.image.highlight_row == 3 and view.image.png == png


def test_renders_coalesce_inside_a_kernel_loop(monkeypatch):
    """Inside a kernel, requests wait a few ms and only the latest runs (slider drags)."""
    from explorer.widgets import session as session_module

    class Handle:
        def __init__(self, fn):
            self.fn, self.cancelled = fn, False

        def cancel(self):
            self.cancelled = True

    class KernelLoop:  # stands in for the kernel's asyncio loop: records what is scheduled
        def __init__(self):
            self.handles = []

        def call_later(self, delay, fn):
            self.handles.append(Handle(fn))
            return self.handles[-1]

    loop = KernelLoop()
    calls = []
    monkeypatch.setattr(session_module, "_kernel_loop", lambda: loop)
    latest = session_module.Latest(lambda: calls.append(len(calls)), delay=0.01)
    for _ in range(5):
        latest()
    assert calls == [] and [h.cancelled for h in loop.handles] == [True] * 4 + [False]
    for h in loop.handles:  # the loop runs what was not cancelled
        if not h.cancelled:
            h.fn()
    assert calls == [0]
    monkeypatch.setattr(session_module, "_kernel_loop", lambda: None)
    latest()
    assert calls == [0, 1]  # no kernel: at once


# -- regressions found in review ---------------------------------------------------------------
def test_a_refused_first_document_leaves_a_usable_dashboard(tmp_path):
    d = Dashboard(doc="Emma")
    assert d.graph.fp is None and "'E'" in html.unescape(d.graph._message.value)
    assert d.graph._doc_box.value == "Emma"  # what was typed stays, with the reason
    with pytest.raises(MicrogptError, match="nothing is drawn yet"):
        d.graph.export(tmp_path / "never.html")
    d.doc = "emma"
    assert d.graph.fp.doc == "emma" and d.attention.matrix is not None


def test_the_graph_shows_its_messages(graph):
    graph._doc_box.value = "em<ma"
    assert "vocabulary" in graph._message.value and "&lt;" in graph._message.value


def test_a_per_position_root_survives_a_document_change(session):
    g = GraphExplorer(session, doc="emma")
    g.root = "loss@2"
    before = session.computed
    g.doc = "emmanuel"
    assert g.root == "loss@2" == g.fp.root_name and session.computed == before + 1
    g.root = "loss@7"
    g.doc = "ann"  # has no position 7: back to the mean loss, and it says so
    assert g.fp.doc == "ann" and g.root == "loss" and "no position 7" in g.message


def test_clicking_the_top_level_group_selects_the_root(graph):
    _click(graph, "group/")
    assert graph.selected == "loss"


def test_stepper_ends_at_the_real_gradients_where_a_node_is_squared_outside(session):
    """pos1.embed's outputs are read twice each by the next RMSNorm's x * x."""
    from explorer.stepper import backward_steps

    fp = session.forward_pass("emma")
    ids, start, steps = backward_steps(fp, "pos1.embed")
    final = {s.node: s.grad for s in steps}
    for i in ids:
        assert final[i] == pytest.approx(fp.index.values[i].grad, rel=1e-9, abs=1e-15)


def test_sampling_publishes_the_character_not_its_label(tmp_path, monkeypatch):
    from explorer import ForwardPass
    from microgpt.checkpoint import save_checkpoint
    from microgpt.train import Hyperparams, Run

    run = Run.start(["a b", "ba", "ab a"], Hyperparams(num_steps=1), n_embd=4, n_head=2)
    path = save_checkpoint(run.to_checkpoint(), tmp_path / "space.json")
    fp = ForwardPass("a", source=path)
    view = ProbabilitiesView()
    view.show(fp)
    space = fp.source.tokenizer.chars.index(" ")
    monkeypatch.setattr(view.rng, "choices", lambda *a, **k: [space])
    assert view.sample_next() == " " and view.sampled == " "
    assert "U+0020" in view._info.value


def test_show_puts_a_view_in_the_viewer_with_title_notes_and_legend(session):
    from explorer import scope_view
    from explorer.widgets import show

    view = scope_view(session.forward_pass("emma"), "pos1.layer0.attn.head0")
    widget = show(view)
    assert widget.title == view.title
    assert widget.notes[0].startswith("trace ") and widget.notes[1:] == view.notes
    assert "<svg" in widget.legend and "grad" in widget.legend
    assert widget.svg.startswith("<svg") and view.title not in widget.svg  # outside the canvas
    assert sorted(_titles(widget.svg)) == sorted(n.id for n in view.nodes)


def test_one_selection_moves_every_view():
    """A zoom into pos2, a node click, an attention cell: position, attention's layer and head,
    and the backward stepper's scope all follow."""
    d = Dashboard(doc="christopher")
    assert d.pos == 1
    d.graph.zoom("pos2.layer0")  # a click on the group/pos2.layer0 box
    assert d.pos == d.graph.pos == d.attention.pos == d.probs.pos == 2
    d.graph.zoom("")  # back to the overview (which does not depend on the position)
    weight = "pos5.layer0.attn.head3.attn_weights[k=1]"
    d.graph.selected = weight  # e.g. a search hit or an inspector link
    assert d.pos == d.attention.pos == 5 and d.attention.head == 3
    assert d.stepper.scope == "pos5.layer0.attn.head3.softmax" and d.stepper.steps
    assert d.inspector.selected == weight
    d.graph.selected = "pos7.layer0.attn.head1.softmax.exp[k=2]"
    assert d.stepper.scope == "pos7.layer0.attn.head1.softmax" and d.attention.head == 1
    d.graph.selected = "wte[c,0]"  # a parameter has no position: the others stay
    assert d.pos == 7


def test_presenter_mode_lays_out_for_a_projector():
    """A slide: one toolbar row (the page moves what does not fit into its menu), the canvas
    filling the visible height (microgpt-viewer-fill), the inspector below; the text size and
    the high-contrast toggle at the toolbar's end."""
    d = Dashboard(doc="emma", presenter=True)
    g = d.graph
    assert g.compact and g.children[:2] == (g.toolbar.row, g.toolbar.menu) and g.graph in g.children
    assert "microgpt-viewer-fill" in g._dom_classes and g.toolbar.front.active
    tools = [g._pos_slider, g._doc_box, g._view_pick, g._search_box, g._crumbs, d._font,
             d._contrast]  # fmt: skip
    assert g.toolbar.tools() == tools and list(g.toolbar.row.children) == [*tools, g.toolbar.more]
    g.toolbar.on_msg(g.toolbar.front, {"fit": 3}, [])  # the page: three fit in the row
    assert list(g.toolbar.row.children) == [*tools[:3], g.toolbar.more]
    assert (
        list(g.toolbar.menu.children) == tools[3:] and g.toolbar.menu.layout.visibility == "hidden"
    )
    g.toolbar.more.value = True  # "⋯" shows the menu
    assert g.toolbar.menu.layout.visibility is None
    assert d.inspector.layout.width == "100%"  # below the graph, nothing squeezed beside it
    assert "--microgpt-text-scale: 1.5;" in d._presenter_style.value and d._font.value == 1.5
    d._font.value = 2.0  # the "text size" control
    assert d.font_scale == 2.0 and "--microgpt-text-scale: 2.0;" in d._presenter_style.value
    assert g.toolbar.front.scale == 2.0  # the page refits the toolbar
    d.font_scale = 1.3  # a size between the control's steps is offered too
    assert d._font.value == 1.3 and ("130%", 1.3) in d._font.options
    d.high_contrast = True
    assert "microgpt-contrast" in d._dom_classes
    d.presenter = False
    assert not g.compact and g.graph.max_height == 0.7 and not g.toolbar.front.active
    assert g.toolbar.row not in g.children and "microgpt-viewer-fill" not in g._dom_classes
    assert d._font not in _descendants(d)


def test_the_graph_and_its_controls_are_laid_out_in_both_modes():
    for presenter in (False, True):
        d = Dashboard(doc="emma", presenter=presenter)
        assert d.graph.graph in d.graph.children and d.graph._doc_box in _descendants(d.graph)
        assert d.graph in _descendants(d._main) and d._main in d.children
        assert d.graph.layout.width == ("100%" if presenter else "66%")
    alone = GraphExplorer(doc="emma")
    assert alone.graph in alone.children and alone._depth_slider in _descendants(alone)


def _descendants(widget) -> list:
    out = []
    for child in getattr(widget, "children", ()):
        out += [child, *_descendants(child)]
    return out
