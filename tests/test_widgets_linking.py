"""One selection drives every view (issue 18, item 7), search that finds (item 6) and presenter
mode's Python side (item 2): widgets driven from Python, no kernel, no browser.

- a zoom into a head sets the attention view's layer and head and the backward stepper's scope;
- a sampled character moves the next-token chart (and every view) to where it was drawn;
- ``AttentionView.click(5, 2)`` outlines that cell (the row of the position stays marked);
  a weight selected in the graph is outlined in the heatmap, and an attention click marks the
  weight in the head's graph;
- a search matching one node not drawn opens the view that shows it (its tensor's scalars, its
  scope, a parameter's path), at its position, and selects it; several are listed to pick from;
- a clicker's key with no backward player moves the position; the page's toolbar fit
  rearranges the toolbar's row and menu.

(The backward player opening at step 0, the page's fitting and the keys themselves are tested
in the browser: tests/browser/test_presenter.py and test_player.py.)
"""

from __future__ import annotations

import html
import re

import pytest

from explorer.widgets import AttentionView, Dashboard, GraphExplorer, Session
from explorer.widgets.search import MAX_LISTED
from microgpt import MicrogptError


@pytest.fixture(scope="module")
def session():
    return Session()


def _drawn(svg: str) -> list[str]:
    return [html.unescape(t) for t in re.findall(r'<g class="node" data-id="([^"]*)"', svg)]


# -- item 7: every view follows the one selection --------------------------------------------
def test_a_zoom_into_a_head_moves_attention_and_the_stepper():
    d = Dashboard(doc="christopher", view="overview")
    assert (d.attention.layer, d.attention.head) == (0, 0)
    d.graph.zoom("pos2.layer0.attn.head1")  # a click on the group/pos2.layer0.attn.head1 box
    assert d.pos == d.attention.pos == d.probs.pos == 2
    assert (d.attention.layer, d.attention.head) == (0, 1)
    assert d.stepper.scope == "pos2.layer0.attn.head1" and d.stepper.steps
    d.graph.zoom("pos5.layer0.attn.head3.softmax")
    assert d.attention.head == 3 and d.pos == 5
    assert d.stepper.scope == "pos5.layer0.attn.head3.softmax"
    d.graph.zoom("pos4.layer0.mlp")  # no head: attention keeps its head, the position moves
    assert d.attention.head == 3 and d.pos == 4
    assert d.stepper.scope == "pos4.layer0.attn.head3.softmax"  # too big: same scope at pos4
    d.graph.zoom("")  # the overview: nothing to follow, nothing moves
    assert d.pos == 4 and d.stepper.scope == "pos4.layer0.attn.head3.softmax"


def test_a_sampled_character_moves_the_chart_to_where_it_was_drawn():
    d = Dashboard(doc="mia")
    d.pos = 1
    d.probs.reveal()  # the next-token tab shown: its chart is drawn
    d.probs.rng.seed(1)
    char = d.probs.sample_next()
    assert char and d.doc == "mia" + char  # (seed 1 draws a letter, not BOS)
    # drawn at position 3 (after BOS m i a): every view is there, the chart shows that
    # distribution and the character that now follows
    assert d.probs.pos == d.pos == d.graph.pos == d.attention.pos == 3
    assert "position 3" in d.probs.figure.axes[0].get_title()
    assert f"continues with <b>{char}</b>" in d.probs._reading.value
    assert d.probs.message.startswith("sampled after 'mia' (position 3)")  # kept on screen
    again = d.probs.sample_next()
    assert d.pos == d.probs.pos == 4 and (again == "" or d.doc == "mia" + char + again)


def test_an_attention_click_outlines_the_cell_not_the_row(session):
    view = AttentionView()
    view.show(session.forward_pass("christopher"))
    view.click(5, 2)
    assert view.image.highlight_cell == [5, 2]  # the weight selected
    assert view.image.highlight_row == 5  # the position looked at, marked apart
    assert view.selected == view.outlined == "pos5.layer0.attn.head0.attn_weights[k=2]"
    view.head = 1  # another head: its map shows no selected cell
    assert view.image.highlight_cell == []
    view.head = 0
    assert view.image.highlight_cell == [5, 2]
    view.pos = 7  # the position moves the dashed row, not the selection
    assert view.image.highlight_row == 7 and view.image.highlight_cell == [5, 2]
    view.outlined = "pos2.loss"  # not an attention weight: nothing outlined
    assert view.image.highlight_cell == []
    view.click(2, 5)  # the future: refused, with a message
    assert "causal mask" in view.message and view.image.highlight_cell == []


def test_the_selection_is_outlined_in_the_heatmap_and_the_head_graph():
    # the overview (the model view draws one position: a click there never moves it)
    d = Dashboard(doc="christopher", view="overview")
    weight = "pos3.layer0.attn.head2.attn_weights[k=1]"
    d.graph.selected = weight  # e.g. a click on that node, a search hit
    assert (d.attention.head, d.pos) == (2, 3)
    assert d.attention.image.highlight_cell == [3, 1]
    d.graph.selected = "pos3.layer0.attn.head2.attn_logits[k=1]"  # not a weight
    assert d.attention.image.highlight_cell == []
    d.attention.head = 1
    d.attention.click(6, 4)  # a click on the map: the head's graph opens, the weight marked
    name = "pos6.layer0.attn.head1.attn_weights[k=4]"
    assert d.selected == d.graph.selected == d.graph.graph.selected == d.inspector.selected
    assert d.selected == name and d.graph.scope == "pos6.layer0.attn.head1"
    assert name in _drawn(d.graph.graph.svg)  # the viewer outlines `selected` once drawn
    assert d.attention.image.highlight_cell == [6, 4]
    assert d.stepper.scope.startswith("pos6.layer0.attn.head1")


# -- item 6: search that finds ---------------------------------------------------------------
def test_one_undrawn_match_opens_the_view_that_shows_it(session):
    g = GraphExplorer(session, doc="christopher", view="overview")
    g.search = "pos3.layer0.mlp.relu[7]"  # an entry of a tensor: the tensor's scalars
    assert (g.view, g.pattern, g.pos) == ("full", "pos3.layer0.mlp.relu[*]", 3)
    assert g.selected == g.graph.selected == "pos3.layer0.mlp.relu[7]"
    assert "pos3.layer0.mlp.relu[7]" in _drawn(g.graph.svg)
    assert [b.description for b in g._crumbs.children][-2:] == ["model", "pos3.layer0.mlp.relu"]
    assert g.note == "1 node matches 'pos3.layer0.mlp.relu[7]'" and g.message == ""
    g.search = "pos5.layer0.attn.head2.softmax.exp[k=4]"  # in no tensor: its scope
    assert (g.view, g.scope, g.pos) == ("scope", "pos5.layer0.attn.head2.softmax", 5)
    assert g.selected == "pos5.layer0.attn.head2.softmax.exp[k=4]" in _drawn(g.graph.svg)
    g.search = "layer0.attn_wq[3,5]"  # a parameter's entry: its gradient path
    assert (g.view, g.source, g.selected) == ("path", "layer0.attn_wq[3,5]", "layer0.attn_wq[3,5]")
    assert "layer0.attn_wq[3,5]" in _drawn(g.graph.svg)
    g.search = "pos*.loss"  # several: listed to pick from, the drawn ones marked
    listed = [value for _, value in g._matches.options]
    assert listed == ["", *(f"pos{p}.loss" for p in range(g.fp.positions))]
    assert g._matches.layout.display == "" and "pick one" in g.note
    g._matches.value = "pos7.loss"  # a pick opens it
    assert g.selected == "pos7.loss" in _drawn(g.graph.svg) and g.pos == 7
    assert g.graph.highlight and "pos7.loss" in g.graph.highlight


def test_search_says_what_it_found(session):
    g = GraphExplorer(session, doc="emma", view="overview")
    g.search = "no.such.node"
    assert g.note.startswith("no node matches 'no.such.node'")
    assert g._matches.layout.display == "none"
    g.search = "pos1.*"  # many: the first ones listed, the note says how many
    total = sum(1 for n in g.fp.index.name if n and n.startswith("pos1."))
    assert total > MAX_LISTED and len(g._matches.options) == MAX_LISTED + 1
    assert f"{total:,} nodes match" in g.note and "narrow the search" in g.note
    assert "0 of them are drawn" not in g.note
    g.search = ""
    assert g.note == "" and g._matches.layout.display == "none" and g.graph.highlight == []
    assert g.find("pos9.loss") is False and "no node named 'pos9.loss'" in g.message
    assert g.find(42) is False and "no node named 42" in g.message


def test_a_search_in_the_dashboard_moves_every_view():
    d = Dashboard(doc="christopher")
    d.graph.search = "pos6.layer0.attn.head3.attn_weights[k=2]"
    name = "pos6.layer0.attn.head3.attn_weights[k=2]"
    assert d.selected == d.inspector.selected == name and name in _drawn(d.graph.graph.svg)
    assert d.pos == d.attention.pos == d.probs.pos == 6 and d.attention.head == 3
    assert d.attention.image.highlight_cell == [6, 2]


# -- item 2: presenter mode's Python side -----------------------------------------------------
def test_a_clickers_key_moves_the_position_when_there_is_no_player():
    d = Dashboard(doc="emma", presenter=True)
    g = d.graph
    last = g.fp.positions - 1
    g.toolbar.on_msg(g.toolbar.front, {"step": 1}, [])  # PageDown with no backward player
    assert d.pos == g.pos == d.attention.pos == d.probs.pos == 2
    g.toolbar.on_msg(g.toolbar.front, {"step": -1}, [])
    assert d.pos == 1
    d.pos = last
    g.toolbar.on_msg(g.toolbar.front, {"step": 1}, [])  # the last position: it stays, no message
    assert d.pos == last and g.message == ""
    for junk in ({"step": 2}, {"step": True}, {"step": "1"}, ["step"], {"fit": -1}, None):
        g.toolbar.on_msg(g.toolbar.front, junk, [])
    assert d.pos == last and len(g.toolbar.row.children) == len(g.toolbar.tools()) + 1


def test_the_pages_fit_splits_the_toolbar_into_its_row_and_menu():
    d = Dashboard(doc="emma", presenter=True)
    g = d.graph
    tools = g.toolbar.tools()
    assert tools[0] is g._pos_slider and tools[-2:] == [d._font, d._contrast]
    assert g.toolbar.more.layout.visibility == "hidden"  # all in the row until the page says
    g.toolbar.on_msg(g.toolbar.front, {"fit": 2}, [])  # narrow: position and document fit
    assert list(g.toolbar.row.children) == [*tools[:2], g.toolbar.more]
    assert (
        list(g.toolbar.menu.children) == tools[2:] and g.toolbar.more.layout.visibility == "visible"
    )
    assert g.toolbar.menu.layout.visibility == "hidden" and g.toolbar.menu.layout.height == "0px"
    g.toolbar.more.value = True  # "⋯": the menu shows
    assert g.toolbar.menu.layout.visibility is None and g.toolbar.menu.layout.height is None
    g.toolbar.on_msg(g.toolbar.front, {"fit": 99}, [])  # a wide one: everything in the row
    assert (
        list(g.toolbar.row.children) == [*tools, g.toolbar.more] and g.toolbar.menu.children == ()
    )
    assert g.toolbar.more.value is False and g.toolbar.more.layout.visibility == "hidden"


def test_the_text_size_is_checked():
    with pytest.raises(MicrogptError, match="100% to 250%"):
        Dashboard(doc="emma", presenter=True, font_scale=3)
    with pytest.raises(MicrogptError, match="must be a number"):
        Dashboard(doc="emma", font_scale="large")
    d = Dashboard(doc="emma", presenter=True, font_scale=2.5)
    assert "--microgpt-text-scale: 2.5;" in d._presenter_style.value
    d.font_scale = 0.5  # on a live dashboard: refused, said, and the size kept
    assert "100% to 250%" in d.graph.message
    assert d.font_scale == 2.5
