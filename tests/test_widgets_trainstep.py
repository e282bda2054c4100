"""The Dashboard's "one step" tab: the weights after any step of the run, a real training step
taken by hand on the document shown (bit-identical to the run's own step), undo, and every view
redrawn from the new weights."""

from __future__ import annotations

import pytest
from conftest import TINY_FINISHED_SNAPSHOTS, TINY_FINISHED_STEPS

from explorer.widgets import Dashboard
from microgpt.train import Hyperparams

HP = Hyperparams(num_steps=TINY_FINISHED_STEPS, snapshot_every=TINY_FINISHED_SNAPSHOTS)


@pytest.fixture(scope="module")
def tiny(tiny_finished):
    return tiny_finished


def test_hidden_tabs_draw_when_shown(tiny):
    path, _, _ = tiny
    dash = Dashboard("ava", checkpoint=path)
    probs, tab = dash.probs, dash.trainstep
    assert dash._tabs.selected_index == 0 and probs.figure is None  # hidden: not drawn yet
    tab.step = 4  # new weights: the hidden views keep their pass, drawn only when shown
    assert probs.fp is dash.graph.fp and probs.figure is None
    dash._tabs.selected_index = 2  # next token
    assert probs.figure is not None and "'ava'" in probs.figure.axes[0].get_title()
    # hidden tabs are not drawn when the dashboard is built, nor for each new step
    assert tab._charted is None and dash.embeddings.figure is None
    dash._tabs.selected_index = 5  # one step
    assert tab._charted == 4
    dash._tabs.selected_index = 4  # embeddings
    assert dash.embeddings.figure is not None
    assert dash.embeddings.figure.axes[0].get_title().startswith("wte at step 4")


def test_the_slider_shows_the_weights_after_any_step(tiny):
    path, weights, run = tiny
    dash = Dashboard("ava", checkpoint=path)
    tab = dash.trainstep
    assert tab.step == HP.num_steps and tab._take.disabled  # the schedule is over
    assert "schedule is over" in tab._status.value
    tab.step = 5
    assert dash.graph.fp.model.weights() == weights[5]
    assert dash.embeddings.step == 5
    assert dash.attention.fp is dash.graph.fp and dash.probs.fp is dash.graph.fp
    tab.show_next_doc()  # the document step 6 trained on: the graph is step 6's own pass
    assert dash.doc == dash.graph.fp.doc == run.step_docs[5]
    assert dash.graph.fp.root.data == run.loss_history[5]


def test_one_step_by_hand_is_the_runs_step_and_undo_restores_it(tiny):
    path, weights, run = tiny
    dash = Dashboard("ava", checkpoint=path)
    tab = dash.trainstep
    tab.step = 3
    tab.show_next_doc()
    loss_shown = dash.graph.fp.root.data
    dash.selected = "wpe[0,1]"
    tab.take()
    assert tab.message == "" and tab.step == 4
    assert dash.graph.fp.model.weights() == weights[4]  # = the run's own step 4
    assert tab.report.loss_before == loss_shown == run.loss_history[3]
    assert dash.graph.fp.root.data == tab.report.loss_after != loss_shown
    param = tab.report.param(tab.report.names.index("wpe[0,1]"))
    assert param.after == weights[4]["wpe"][0][1] and param.lr > 0
    assert "wpe[0,1]" in tab._param.value and "Adam" in tab._param.value
    tab.undo()
    assert tab.step == 3 and dash.graph.fp.model.weights() == weights[3]
    assert dash.graph.fp.root.data == loss_shown and tab._undo.disabled


def test_refusals_are_messages(tiny):
    path, _, _ = tiny
    dash = Dashboard("ava", checkpoint=path)
    tab = dash.trainstep
    tab._take.click()  # the schedule is over at the final step: the button says so
    assert "schedule is over" in tab.message
    tab._undo.click()
    assert "no step" in tab.message
    tab.step = 2
    tab.take()
    assert tab.step == 3
    tab.show_next_doc()
    assert "undo the steps taken by hand first" in tab.message
    tab.step = 6  # moving the slider sets the hand steps aside
    assert "set aside" in tab.message and tab.lab is None
