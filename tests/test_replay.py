"""Any training step, exactly: snapshots keep Adam's moments, a run keeps the document of every
step, and ``Run.replayed`` re-creates the state after any step bit for bit; one step on a chosen
document and its undo (``state``/``restore``); Adam's update written once (``adam_move``)."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from conftest import TINY_DOCS, TINY_SHAPE

from microgpt import MicrogptError, Run, load_checkpoint, save_checkpoint
from microgpt.train import Hyperparams, adam_move, learning_rate_at

HP = Hyperparams(num_steps=11, snapshot_every=4)


def params(run: Run) -> list[float]:
    return [p.data for p in run.model.params]


@pytest.fixture(scope="module")
def history(tmp_path_factory):
    """A tiny run trained to the end through a JSON file, and its state after every step."""
    run = Run.start(TINY_DOCS, HP, **TINY_SHAPE)
    states = [(params(run), list(run.adam_m), list(run.adam_v))]
    while not run.done:
        run.train_step()
        states.append((params(run), list(run.adam_m), list(run.adam_v)))
    path = tmp_path_factory.mktemp("replay") / "run.json"
    save_checkpoint(run.to_checkpoint(), path)
    return load_checkpoint(path), states, run


def test_snapshots_keep_moments_and_the_run_keeps_its_documents(history):
    ckpt, states, run = history
    assert [s["step"] for s in ckpt.snapshots] == [0, 4, 8, 11]
    assert ckpt.step_docs == [run.docs[k % len(run.docs)] for k in range(HP.num_steps)]
    for snap in ckpt.snapshots:
        back = Run.from_checkpoint(replace(ckpt, weights=snap["weights"], adam=snap["adam"]))
        _, m, v = states[snap["step"]]
        assert back.adam_m == m and back.adam_v == v
    assert all(x == 0.0 for row in ckpt.snapshots[0]["adam"]["v"]["wte"] for x in row)


@pytest.mark.parametrize("step", range(HP.num_steps + 1))
def test_replay_recreates_every_step_bit_for_bit(history, step):
    ckpt, states, _ = history
    run = Run.replayed(ckpt, step)
    assert run.step == step
    assert (params(run), run.adam_m, run.adam_v) == states[step]
    assert run.loss_history == ckpt.loss_history[:step]
    assert run.step_docs == ckpt.step_docs[:step]
    assert all(s["step"] <= step for s in run.snapshots)


def test_replay_continues_from_a_closer_run(history):
    ckpt, states, _ = history
    base = Run.replayed(ckpt, 5)
    later = Run.replayed(ckpt, 7, base=base)
    assert (params(later), later.adam_m, later.adam_v) == states[7]
    assert base.step == 5 and params(base) == states[5][0]  # the base is copied, not moved


def test_replay_refuses_steps_outside_the_run(history):
    ckpt, _, _ = history
    for bad in (-1, HP.num_steps + 1, "3", 2.0, True):
        with pytest.raises(MicrogptError, match="from 0 to 11"):
            Run.replayed(ckpt, bad)


def test_an_older_checkpoint_loads_but_cannot_replay(history, tmp_path):
    ckpt, _, _ = history
    old = json.loads(json.dumps({**ckpt.to_dict(), "version": 1}))
    del old["step_docs"]
    for snap in old["snapshots"]:
        del snap["adam"]
    path = tmp_path / "v1.json"
    path.write_text(json.dumps(old), encoding="utf-8")
    loaded = load_checkpoint(path)
    with pytest.raises(MicrogptError, match="older microgpt"):
        Run.replayed(loaded, 3)
    assert Run.from_checkpoint(loaded).model.weights() == ckpt.weights


def test_step_on_the_runs_own_document_is_the_step_training_takes(history):
    ckpt, states, _ = history
    chosen = Run.replayed(ckpt, 6)
    loss = chosen.train_step(ckpt.step_docs[6])
    assert loss == ckpt.loss_history[6]
    assert (params(chosen), chosen.adam_m, chosen.adam_v) == states[7]


def test_undo_restores_weights_and_moments_bit_for_bit(history):
    ckpt, states, _ = history
    run = Run.replayed(ckpt, 3)
    before = run.state()
    run.train_step("bella")
    run.train_step("mia")
    assert params(run) != states[3][0]
    assert run.step_docs[-2:] == ["bella", "mia"]
    run.restore(before)
    assert run.step == 3 and (params(run), run.adam_m, run.adam_v) == states[3]
    assert run.loss_history == ckpt.loss_history[:3] and len(run.step_docs) == 3
    assert all(p.grad == 0 for p in run.model.params)


def test_a_state_from_a_later_step_is_refused(history):
    ckpt, _, _ = history
    later = Run.replayed(ckpt, 5).state()
    with pytest.raises(MicrogptError, match="not taken from this run"):
        Run.replayed(ckpt, 2).restore(later)


def test_adam_move_is_the_articles_update():
    g, m, v, step = 0.3, 0.01, 0.002, 4
    hp = Hyperparams(num_steps=10)
    lr_t = learning_rate_at(hp, step)
    assert lr_t == hp.learning_rate * (1 - step / hp.num_steps)
    m1, v1, m_hat, v_hat, delta = adam_move(g, m, v, step, lr_t, hp.beta1, hp.beta2, hp.eps_adam)
    assert m1 == hp.beta1 * m + (1 - hp.beta1) * g
    assert v1 == hp.beta2 * v + (1 - hp.beta2) * g**2
    assert m_hat == m1 / (1 - hp.beta1 ** (step + 1))
    assert v_hat == v1 / (1 - hp.beta2 ** (step + 1))
    assert delta == lr_t * m_hat / (v_hat**0.5 + hp.eps_adam)


def test_checkpoint_moments_are_checked_for_meaning(history, tmp_path):
    ckpt, _, _ = history
    bad = json.loads(json.dumps(ckpt.to_dict()))
    bad["snapshots"][1]["adam"]["v"]["wpe"][0][0] = -1e-9
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(bad), encoding="utf-8")
    with pytest.raises(MicrogptError, match="cannot be negative"):
        load_checkpoint(path)
    bad = json.loads(json.dumps(ckpt.to_dict()))
    bad["step_docs"].pop()
    path.write_text(json.dumps(bad), encoding="utf-8")
    with pytest.raises(MicrogptError, match="step_docs"):
        load_checkpoint(path)
