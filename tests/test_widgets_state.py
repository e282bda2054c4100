"""One selection state (issue 20, item 1): ``PassState`` holds the document, step, root,
position, layer, head, scope, selected node and view; the Session owns it; every widget's shared
traits are views of it; the choices that follow from others are derived in it.

- the state reads a scope or name once, through ``microgpt.model.parse_name``;
- in a Dashboard, a value set on the state reaches every widget, and one set on any widget
  reaches the state and every other widget; a value a widget refuses or clamps puts the state
  back, everywhere;
- a zoom into a head moves the position, the attention view's layer and head and the backward
  stepper (the issue's bug: attention stayed on head 0, the stepper on ``pos1…head0``);
- widgets built on their own keep their own state; given one, they share it.
"""

from __future__ import annotations

import pytest

from explorer.widgets import (
    AttentionView,
    BackwardStepper,
    Dashboard,
    GraphExplorer,
    NodeInspector,
    ProbabilitiesView,
    Session,
)
from explorer.widgets.state import PassState
from microgpt import MicrogptError
from microgpt.model import parse_name


@pytest.fixture(scope="module")
def session():
    return Session()


@pytest.fixture
def dash():
    return Dashboard(doc="christopher", view="overview")


def _views(d):
    """Every widget of a Dashboard that shows the state, with the traits it shows."""
    return {
        "dashboard": (d, ("doc", "pos", "selected")),
        "graph": (d.graph, ("doc", "pos", "root", "view", "scope", "selected")),
        "inspector": (d.inspector, ("selected", "pos")),
        "attention": (d.attention, ("pos", "layer", "head")),
        "probs": (d.probs, ("pos",)),
        "trainstep": (d.trainstep, ("doc", "selected")),
        "positions": (d.positions, ("layer",)),
    }


def _assert_everywhere(d, **expected):
    for who, (widget, traits) in _views(d).items():
        for trait, value in expected.items():
            if trait in traits:
                assert getattr(widget, trait) == value, (who, trait)
    for trait, value in expected.items():
        assert getattr(d.state, trait) == value, ("state", trait)


# -- the one parser ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("pos2.layer0.attn.head1", (2, 0, 1)),
        ("pos3.layer0.attn.head2.q[1]", (3, 0, 2)),
        ("pos12.layer1.attn.head3.softmax.exp[k=4]", (12, 1, 3)),
        ("pos4.layer0.mlp", (4, None, None)),
        ("pos5", (5, None, None)),
        ("layer0.attn.head2", (None, 0, 2)),
        ("layer0.attn_wq[3,5]", (None, None, None)),
        ("wte[m]", (None, None, None)),
        ("pos2x.layer0", (None, None, None)),
        ("", (None, None, None)),
    ],
)
def test_the_state_reads_position_layer_and_head_through_parse_name(name, expected):
    at = parse_name(name)  # what _look_at derives: a layer only with its head
    assert (at.pos, at.layer if at.head is not None else None, at.head) == expected


# -- the state on its own --------------------------------------------------------------------
def test_a_zoom_derives_position_layer_head_and_focus():
    s = PassState()
    seen = []
    s.observe(lambda c: seen.append(c["new"]), "focus")
    s.scope = "pos2.layer0.attn.head1"
    assert (s.pos, s.layer, s.head, s.focus) == (2, 0, 1, "pos2.layer0.attn.head1")
    s.scope = "pos4.layer0.mlp"  # no head: the head stays
    assert (s.pos, s.layer, s.head) == (4, 0, 1)
    s.positions = 3  # a pass of 3 positions: a scope past its end moves nothing
    s.scope = "pos7.layer0.attn.head3"
    assert (s.pos, s.head) == (4, 3)
    s.scope = ""  # back to the overview: nothing to follow
    assert s.focus == "pos7.layer0.attn.head3" and s.pos == 4
    s.scope = "pos7.layer0.attn.head3"
    assert seen[-1] == "pos7.layer0.attn.head3" and len(seen) == 4  # said again, unchanged


def test_a_selection_is_located_by_the_lead_only():
    s = PassState()
    s.selected = "pos3.layer0.attn.head2.q[1]"  # no pass to locate it in: nothing derived
    assert (s.pos, s.head, s.focus) == (1, 0, "")

    class Lead:
        drawn_at_pos = False

        def scope_of(self, name):
            return name.rpartition(".")[0]

        def uses_pos(self):
            return self.drawn_at_pos

    lead = Lead()
    s.lead(lead)
    s.selected = "pos3.layer0.attn.head2.q[2]"
    assert (s.pos, s.layer, s.head, s.focus) == (3, 0, 2, "pos3.layer0.attn.head2")
    lead.drawn_at_pos = True  # the view drawn depends on the position: a click keeps it
    s.selected = "pos5.layer0.attn.head1.k[0]"
    assert (s.pos, s.head, s.focus) == (3, 1, "pos5.layer0.attn.head1")


def test_a_state_that_is_not_one_is_refused():
    with pytest.raises(MicrogptError, match=r"AttentionView\(state=...\) must be a PassState"):
        AttentionView(state={"pos": 2})
    with pytest.raises(MicrogptError, match=r"GraphExplorer\(state=...\) must be a PassState"):
        GraphExplorer(state="emma")


# -- the Dashboard: one state, every widget a view of it ---------------------------------------
def test_the_session_owns_the_one_state_every_widget_shows(dash):
    d = dash
    assert d.state is d.session.state
    for widget in (d.graph, d.inspector, d.attention, d.probs, d.stepper, d.trainstep,
                   d.weight, d.positions):  # fmt: skip
        assert widget.state is d.state, type(widget).__name__
    _assert_everywhere(d, doc="christopher", pos=d.graph.pos, view="overview")
    d.session.set_weights(step=5)
    assert d.state.step == d.session.step == 5


def test_set_on_the_state_every_widget_shows_it(dash):
    d = dash
    d.state.pos = 4
    _assert_everywhere(d, pos=4)
    d.state.layer, d.state.head = 0, 3
    _assert_everywhere(d, layer=0, head=3)
    d.state.selected = "pos6.loss"
    _assert_everywhere(d, selected="pos6.loss", pos=6)  # derived: its position
    assert d.stepper.scope.startswith("pos6")
    d.state.doc = "mia"
    _assert_everywhere(d, doc="mia")
    assert d.graph.fp.doc == d.attention.fp.doc == d.probs.fp.doc == "mia"
    d.state.view = "model"
    assert d.graph.view == "model" and d.graph.current_view.kind == "model"


@pytest.mark.parametrize(
    ("who", "trait", "value"),
    [
        ("graph", "pos", 5),
        ("attention", "pos", 6),
        ("probs", "pos", 2),
        ("dashboard", "pos", 3),
        ("attention", "head", 2),
        ("inspector", "selected", "pos4.loss"),
        ("dashboard", "selected", "pos5.loss"),
        ("trainstep", "doc", "ava"),
        ("dashboard", "doc", "liam"),
        ("graph", "root", "loss@3"),
        ("graph", "scope", "pos2.layer0.attn.head1"),
    ],
)
def test_set_on_a_widget_the_state_and_the_others_follow(dash, who, trait, value):
    widget, _ = _views(dash)[who]
    setattr(widget, trait, value)
    _assert_everywhere(dash, **{trait: value})


def test_a_value_refused_or_clamped_puts_the_state_back_everywhere(dash):
    d = dash
    d.pos = 3
    d.state.pos = 99  # past the end of 'christopher': clamped by the graph, said there
    last = d.graph.fp.positions - 1
    _assert_everywhere(d, pos=last)
    assert "position 99 is outside 'christopher'" in d.graph.message
    d.attention.head = 9  # the model has 4 heads: refused in the attention view
    assert "head" in d.attention.message
    _assert_everywhere(d, head=0)
    d.state.head = 7  # set on the state: refused by the view that checks it, state kept
    _assert_everywhere(d, head=0)
    d.state.view = "bogus"  # the graph refuses it: the state keeps the view shown
    assert d.state.view == d.graph.view == "overview" and "bogus" in d.graph.message
    d.doc = "EMMA!"  # outside the vocabulary: refused by the graph, the pass kept
    _assert_everywhere(d, doc="christopher")
    assert d.graph.fp.doc == "christopher" and "outside the vocabulary" in d.graph.message


def test_a_zoom_into_a_head_moves_attention_and_the_backward_tab(dash):
    d = dash
    assert (d.attention.layer, d.attention.head) == (0, 0)
    d.graph.graph.clicked = "group/pos2.layer0.attn.head1"  # a click on the head's box
    d.graph._on_click(None)
    assert d.graph.scope == d.state.scope == d.state.focus == "pos2.layer0.attn.head1"
    _assert_everywhere(d, pos=2, layer=0, head=1)
    assert d.stepper.scope == "pos2.layer0.attn.head1" and d.stepper.steps
    d.attention.reveal()  # the attention tab shows that head
    assert "head 1" in d.attention.figure.axes[0].get_title()


def test_the_stepper_follows_a_selection_back_after_moving_away(dash):
    d = dash
    head = "pos3.layer0.attn.head2"
    softmax = f"{head}.softmax"  # where the weights are computed
    d.graph.selected = f"{head}.attn_weights[k=1]"
    assert d.state.focus == d.stepper.scope == softmax
    d.stepper.scope = "pos3.layer0.attn.head1.softmax"  # the learner steps elsewhere
    d.graph.selected = f"{head}.attn_weights[k=0]"  # a node in the same place
    assert d.state.focus == softmax  # unchanged, said again
    assert d.stepper.scope == softmax  # the stepper comes back


def test_a_bad_view_names_the_dashboard():
    with pytest.raises(MicrogptError, match=r"^Dashboard\(view=\.\.\.\) must be one of"):
        Dashboard(view="bogus")


# -- widgets on their own ---------------------------------------------------------------------
def test_widgets_on_their_own_keep_their_own_state(session):
    a = GraphExplorer(session, doc="emma", view="overview")
    b = GraphExplorer(session, doc="mia", view="overview", scope="pos2.layer0", pos=1)
    assert a.state is not b.state
    assert (b.pos, b.state.pos, b.state.scope) == (1, 1, "pos2.layer0")  # as asked, not derived
    a.pos = 3
    assert b.pos == 1
    inspector = NodeInspector()
    assert inspector.pos == -1 and inspector.state.pos == 1  # its own default kept


def test_widgets_given_one_state_share_it(session):
    fp = session.forward_pass("christopher")
    state = PassState()
    attention, probs = AttentionView(state=state), ProbabilitiesView(state=state, pos=3)
    stepper = BackwardStepper(state=state)
    for view in (attention, probs, stepper):
        view.show(fp)
    assert state.pos == attention.pos == 3  # asked of one view: the state and the others
    attention.click(5, 2)  # a click moves the position
    assert state.pos == probs.pos == 5
    state.scope = "pos4.layer0.attn.head2"
    assert (attention.pos, attention.head, probs.pos) == (4, 2, 4)
    assert stepper.scope == "pos4.layer0.attn.head2"


def test_a_clickers_step_moves_the_position_within_the_pass():
    s = PassState()
    s.move(1)  # no pass yet: nowhere to move
    assert s.pos == 1
    s.positions = 3
    s.move(1)
    assert s.pos == 2
    s.move(1)  # the last position: it stays
    assert s.pos == 2
    s.move(-1)
    s.move(-1)
    s.move(-1)
    assert s.pos == 0


def test_a_bad_value_for_the_state_is_refused_in_one_clear_error(dash):
    s = PassState()
    with pytest.raises(MicrogptError, match=r"PassState\.pos must be an integer, got 'x'"):
        s.pos = "x"
    with pytest.raises(MicrogptError, match=r"PassState\.step must be at least 0"):
        s.step = -1
    assert s.pos == 1 and s.step is None
    d = dash
    d.state.pos = 3
    d.state.pos = -2  # a Dashboard's state: said in the graph's message area, the state kept
    assert "PassState.pos must be at least 0" in d.graph.message
    _assert_everywhere(d, pos=3)
