"""The forward pass of any training step: the document that step trained on, the weights before
its update (replayed from the snapshot before it), its loss equal to the recorded one bit for
bit; Adam's preview at any step equal to the step training takes; ``microgpt graph
--train-step K``."""

from __future__ import annotations

import json

import pytest
from conftest import TINY_FINISHED_SNAPSHOTS, TINY_FINISHED_STEPS

from explorer import ForwardPass, ModelSource
from explorer.adam import AdamStep, adam_preview, param_location
from explorer.onestep import StepLab
from microgpt import MicrogptError, Run
from microgpt.cli import main
from microgpt.train import Hyperparams

HP = Hyperparams(num_steps=TINY_FINISHED_STEPS, snapshot_every=TINY_FINISHED_SNAPSHOTS)


@pytest.fixture(scope="module")
def tiny(tiny_finished):
    return tiny_finished


@pytest.mark.parametrize("k", range(1, HP.num_steps + 1))
def test_the_pass_of_step_k_has_the_recorded_loss(tiny, k):
    path, weights, run = tiny
    fp = ForwardPass.of_train_step(k, path)
    assert fp.doc == run.step_docs[k - 1] and fp.step == k - 1 and fp.train_step == k
    assert fp.root.data == run.loss_history[k - 1]  # bit for bit
    assert fp.model.weights() == weights[k - 1]


def test_any_step_has_its_weights_and_moments(tiny):
    path, weights, _ = tiny
    source = ModelSource(path)
    assert source.replayable
    for step in (0, 3, 5, 9, 6, 2):  # forward and back: cached runs never leak state
        assert source.weights_at(step) == weights[step]
        assert ForwardPass("ava", source=source, step=step).model.weights() == weights[step]
    assert len(source._runs) <= source.KEEP_RUNS


def test_steps_outside_the_run_are_refused_clearly(tiny):
    path, _, _ = tiny
    source = ModelSource(path)
    with pytest.raises(MicrogptError, match="at least 0"):
        ForwardPass("ava", source=source, step=-1)
    with pytest.raises(MicrogptError, match="choose one from 0 to 9"):
        ForwardPass("ava", source=source, step=HP.num_steps + 1)
    for bad in (0, HP.num_steps + 1):
        with pytest.raises(MicrogptError, match="from 1 to 9"):
            ForwardPass.of_train_step(bad, source)
    with pytest.raises(MicrogptError, match="step"):
        ForwardPass("ava", source=source, step="3")


def test_adam_preview_is_the_step_training_takes(tiny):
    """The preview of step k's update, made from the pass of step k, is the change step k made."""
    path, weights, run = tiny
    source = ModelSource(path)
    for k in (1, 3, 6):
        fp = ForwardPass.of_train_step(k, source)
        for node in (3, fp.num_params // 2, fp.num_params - 1):  # parameters: ids 0 … P-1
            key, r, c = param_location(fp, node)
            preview = adam_preview(fp, node)
            assert preview.step == k - 1 and preview.lr > 0 and preview.note == ""
            assert weights[k - 1][key][r][c] + preview.update == weights[k][key][r][c]


def test_cli_train_step(tiny, tmp_path, capsys):
    path, _, run = tiny
    out = tmp_path / "p.json"
    assert main(["graph", "--checkpoint", str(path), "--train-step", "6", "--out", str(out)]) == 0
    stats = json.loads(out.read_text())["stats"]
    assert stats["root_value"] == run.loss_history[5] and stats["train_step"] == 6
    line = capsys.readouterr().out
    assert f"step 6: {run.step_docs[5]!r}" in line


@pytest.mark.parametrize(
    "argv, words",
    [
        (["--train-step", "3", "--doc", "ava"], "leave --doc and --step out"),
        (["--train-step", "3", "--step", "2"], "leave --doc and --step out"),
        ([], "give --doc NAME"),
        (["--train-step", "99"], "from 1 to 9"),
    ],
)
def test_cli_train_step_errors(tiny, tmp_path, capsys, argv, words):
    path, _, _ = tiny
    out = tmp_path / "p.json"
    code = main(["graph", "--checkpoint", str(path), *argv, "--out", str(out)])
    err = capsys.readouterr().err
    assert code != 0 and words in err and "Traceback" not in err
    assert not out.exists()


@pytest.mark.slow
@pytest.mark.parametrize("k", [1, 101, 537, 1000])
def test_shipped_model_any_step_has_the_recorded_loss(k, tmp_path):
    """The acceptance of 'any training step, exactly' on the shipped model, through the CLI."""
    source = ModelSource()
    out = tmp_path / "p.json"
    assert main(["graph", "--train-step", str(k), "--out", str(out)]) == 0
    stats = json.loads(out.read_text())["stats"]
    assert stats["root_value"] == source.ckpt.loss_history[k - 1]


# -- one training step by hand (StepLab) -----------------------------------------------------
def test_a_step_on_the_runs_next_document_is_the_resumed_step(tiny):
    """Stepping by hand on the document training would draw = one more step of the run."""
    path, weights, run = tiny
    lab = StepLab(ModelSource(path), step=4)
    report = lab.take(run.step_docs[4])
    assert report.k == 4 and report.loss_before == run.loss_history[4]
    assert lab.run.model.weights() == weights[5]
    assert lab.source.weights_at() == weights[5] and lab.source.step == 5
    fp = ForwardPass(run.step_docs[4], source=lab.source)
    assert fp.root.data == report.loss_after
    assert report.loss_after < report.loss_before  # one step on a name lowers its own loss


def test_the_report_of_each_parameter_is_what_the_step_did(tiny):
    path, _, _ = tiny
    lab = StepLab(ModelSource(path), step=2)
    report = lab.take("amelia")
    n = len(report.grads)
    for i in (0, 7, n // 3, n - 1):
        p = report.param(i)
        assert p.after == report.after.weights[i] == p.before - p.delta
        assert (p.m_new, p.v_new) == (report.after.adam_m[i], report.after.adam_v[i])
        assert (p.m, p.v) == (report.before.adam_m[i], report.before.adam_v[i])
        assert p.name == report.names[i] and p.lr == report.lr > 0
    assert any(g != 0 for g in report.grads)
    with pytest.raises(MicrogptError, match="numbered 0 to"):
        report.param(n)


def test_the_preview_and_the_step_taken_are_one_table(tiny):
    """adam_preview on step k's pass and the report of step k taken by hand on the document
    training drew: the same AdamStep, row for row (one table, one evaluation)."""
    path, _, run = tiny
    source = ModelSource(path)
    k = 3
    lab = StepLab(source, step=k)
    report = lab.take(run.step_docs[k])
    fp = ForwardPass.of_train_step(k + 1, source)
    for i in (0, fp.num_params // 2, fp.num_params - 1):
        preview, taken = adam_preview(fp, i), report.param(i)
        assert isinstance(preview, AdamStep) and isinstance(taken, AdamStep)
        assert preview.rows() == taken.rows()
        assert taken.after == taken.before + preview.update
        assert "m̂ = m / (1 − β₁ᵏ⁺¹)" in preview._repr_html_() and taken.name in taken._repr_html_()


def test_undo_restores_everything_exactly(tiny):
    path, weights, _ = tiny
    origin = ModelSource(path)
    lab = StepLab(origin, step=3)
    lab.take("mia")
    lab.take("harper")
    assert lab.step == 5 and lab.source is not origin
    lab.undo()
    lab.undo()
    assert lab.undo() is None  # nothing left to undo
    assert lab.step == 3 and lab.run.model.weights() == weights[3]
    assert lab.source is origin
    assert lab.run.adam_m == Run.replayed(origin.ckpt, 3).adam_m


def test_a_finished_schedule_refuses_and_says_how_to_go_on(tiny):
    path, _, _ = tiny
    lab = StepLab(ModelSource(path))
    assert "schedule is over" in lab.refusal() and "earlier step" in lab.refusal()
    with pytest.raises(MicrogptError, match="schedule is over"):
        lab.take("ava")
    lab = StepLab(ModelSource(path), step=1)
    with pytest.raises(MicrogptError, match="outside the vocabulary"):
        lab.take("zoe")
    assert lab.step == 1 and not lab.reports


def test_reports_are_short_reprs_and_tables(tiny):
    path, _, _ = tiny
    lab = StepLab(ModelSource(path), step=2)
    report = lab.take("ava")
    param = report.param(5)
    for obj, words in ((report, ["step 3", "'ava'", "loss"]), (param, [param.name, "update"])):
        text = repr(obj)
        assert "\n" not in text and len(text) < 120 and all(w in text for w in words)
    html = param._repr_html_()
    assert "<table" in html and param.name in html and "m̂" in html
    assert "loss after" in report._repr_html_()
