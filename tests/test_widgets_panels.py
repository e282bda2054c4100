"""The tensor level's panels as widgets (explorer.widgets.panels) and in the Dashboard: the
attention weight clicked is explained under the map, the pass across positions in its tab."""

from __future__ import annotations

import re

import pytest

from explorer import ForwardPass
from explorer.widgets import Dashboard, PositionsView, WeightView
from explorer.widgets.panels import parse_weight
from microgpt.errors import MicrogptError


@pytest.fixture(scope="module")
def emma():
    return ForwardPass("emma")


def ids(markup: str) -> set[str]:
    return set(re.findall(r'data-id="([^"]+)"', markup))


def test_parse_weight():
    assert parse_weight("pos5.layer0.attn.head1.attn_weights[k=2]") == (0, 1, 5, 2)
    assert parse_weight("pos5.layer0.attn.head1.attn_logits[k=2]") is None
    assert parse_weight("") is None


def test_weight_view_draws_the_selected_weight_and_refuses_other_names(emma):
    view = WeightView()
    view.show(emma)
    assert view.picture.svg == ""  # nothing chosen yet: it says how to choose
    assert "Click a cell" in view._message.value
    assert view.select("pos3.layer0.attn.head2.attn_weights[k=1]")
    assert "pos3.layer0.attn.head2.attn_weights[k=1]" in ids(view.picture.svg)
    assert not view.select("pos3.layer0.attn.q[1]")  # not a weight: nothing changes
    svg = view.picture.svg
    view.selected = "wte[e,0]"  # on a live view: refused with a message, the weight stays
    assert "must be an attention weight" in view._message.value
    assert view.selected == "pos3.layer0.attn.head2.attn_weights[k=1]"
    assert view.picture.svg == svg
    with pytest.raises(MicrogptError, match="must be an attention weight"):
        WeightView(selected="wte[e,0]")


def test_positions_view_draws_when_shown(emma):
    view = PositionsView(concealed=True)
    view.show(emma)
    assert view.picture.svg == ""  # hidden: the drawing waits
    view.reveal()
    assert "pos2.layer0.mlp.relu[5]" in ids(view.picture.svg)
    assert view._layer.layout.display == "none"  # one layer: no layer control


def test_dashboard_explains_the_clicked_weight_and_follows_the_document():
    d = Dashboard(doc="christopher")
    d.attention.click(5, 2)
    weight = d.weight.selected
    assert weight.startswith("pos5.") and weight.endswith("attn_weights[k=2]")
    assert weight in ids(d.weight.picture.svg)
    d.doc = "emma"  # 5 positions: position 5's weight is gone, and the panel says so
    assert "query must be between 0 and 4" in d.weight._message.value
    assert d.weight.picture.svg == ""
    d.positions.conceal()
    d._tabs.selected_index = 1  # the "across positions" tab
    assert d._tabs.get_title(1) == "across positions"
    assert "pos4.layer0.resid_post[0]" in ids(d.positions.picture.svg)


def test_a_click_on_a_panel_cell_opens_its_node_in_the_graph():
    d = Dashboard(doc="emma")
    d.attention.click(3, 1)
    weight = d.weight.selected
    assert weight == "pos3.layer0.attn.head0.attn_weights[k=1]"

    def click(panel, node_id):
        panel.picture.clicked = node_id
        panel.picture.clicks += 1

    click(d.weight, "pos3.layer0.attn.q[2]")  # q_h[2] of head 0
    assert d.graph.selected == "pos3.layer0.attn.q[2]" and d.pos == 3
    drawn = {n.id for n in d.graph.current_view.nodes}
    assert "pos3.layer0.attn.q[2]" in drawn and d.graph.current_view.kind == "full"
    product = next(i for i in ids(d.weight.picture.svg) if i.startswith("#"))
    click(d.weight, product)  # a product inside q·k: the head's scope, the product selected
    assert d.graph.view == "scope" and d.graph.scope == "pos3.layer0.attn.head0"
    assert d.graph.selected == product and product in {n.id for n in d.graph.current_view.nodes}
    d._tabs.selected_index = 1
    click(d.positions, "pos2.layer0.mlp.relu[7]")
    assert d.pos == 2 and d.graph.selected == "pos2.layer0.mlp.relu[7]"
    click(d.positions, "group/pos4")
    assert d.pos == 4
