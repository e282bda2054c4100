"""The shipped checkpoint: loads with no dataset, is the defaults on the bundled names (its
first steps and initial snapshot are reproduced here), and samples what its run printed."""

from __future__ import annotations

from microgpt.checkpoint import load_checkpoint
from microgpt.data import load_docs
from microgpt.sample import sample
from microgpt.train import Hyperparams, Run


def test_shipped_checkpoint_is_the_default_run_on_the_bundled_names():
    ckpt = load_checkpoint()
    assert ckpt.step == ckpt.hyperparams.num_steps == 1000
    assert ckpt.hyperparams.seed == 42 and ckpt.hyperparams.snapshot_every == 100
    assert ckpt.config.to_dict() == {
        "vocab_size": 27, "n_embd": 16, "n_head": 4, "n_layer": 1, "block_size": 16,
    }  # fmt: skip
    assert [s["step"] for s in ckpt.snapshots] == list(range(0, 1001, 100))

    fresh = Run.start(load_docs(), Hyperparams())
    assert ckpt.snapshots[0]["weights"] == fresh.model.weights()
    assert [fresh.train_step() for _ in range(3)] == ckpt.loss_history[:3]


def test_shipped_checkpoint_samples_without_a_dataset():
    run = Run.from_checkpoint(load_checkpoint())
    assert run.docs is None
    # Without a new seed, sampling continues from the saved RNG state: the same names that
    # `microgpt train --out microgpt/data/model.json` printed after training.
    names = [sample(run.model, run.tokenizer, run.rng) for _ in range(5)]
    assert names == ["karia", "rustia", "marla", "analil", "krela"]
