"""Training on plain floats and on the ``Value`` engine give the same run, byte for byte.

``Run.train(engine=...)`` and ``microgpt train --engine``: the checkpoints (weights, Adam's
moments, snapshots, losses, documents, RNG state) are byte-identical for the article's shape
and for a 2-layer, 2-head one; a divergence is rolled back to the same state with the same
message; a run stopped by SIGINT at a random step and resumed on the other engine ends as an
uninterrupted run; sampling on floats draws the engine's names.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import TINY_DOCS, TINY_SHAPE

from microgpt import MicrogptError, Run, load_docs, sample, save_checkpoint, trace
from microgpt.errors import ConfigError, DivergedError
from microgpt.sample import samples
from microgpt.train import ENGINES, Hyperparams

REPO = Path(__file__).resolve().parents[1]
SHAPES = {"default": {}, "two-layers-two-heads": {"n_layer": 2, "n_head": 2}}


def checkpoint_bytes(run: Run) -> bytes:
    return json.dumps(run.to_checkpoint().to_dict()).encode()


@pytest.fixture(scope="module")
def bundled():
    return load_docs()


@pytest.mark.parametrize("shape", SHAPES.values(), ids=SHAPES.keys())
def test_engines_write_the_same_checkpoint(bundled, shape):
    """30 steps on the bundled names, a snapshot every 10: the same bytes on both engines."""
    out = {}
    for engine in ENGINES:
        run = Run.start(bundled, Hyperparams(num_steps=30, snapshot_every=10), **shape)
        losses = run.train(engine=engine)
        assert len(losses) == 30 and run.step == 30
        out[engine] = checkpoint_bytes(run), losses, run.rng.getstate()
    (f_bytes, f_losses, f_rng), (v_bytes, v_losses, v_rng) = out["floats"], out["value"]
    assert f_losses == v_losses
    assert f_rng == v_rng
    assert f_bytes == v_bytes
    assert [s["step"] for s in json.loads(f_bytes)["snapshots"]] == [0, 10, 20, 30]


def test_engines_mixed_step_by_step_give_the_same_run():
    """Any interleaving of the two engines is the same run (each step is the same step)."""
    hp = Hyperparams(num_steps=12, snapshot_every=5)
    pure = Run.start(TINY_DOCS, hp, **TINY_SHAPE)
    pure.train(engine="value")
    mixed = Run.start(TINY_DOCS, hp, **TINY_SHAPE)
    rng = random.Random(7)
    while not mixed.done:
        mixed.checked_step(rng.choice(ENGINES))
    assert checkpoint_bytes(mixed) == checkpoint_bytes(pure)


def test_a_model_read_during_training_holds_the_steps_weights():
    """``on_step`` sees the model's weights after the step on floats, as on the engine."""
    seen = {}
    for engine in ENGINES:
        run = Run.start(TINY_DOCS, Hyperparams(num_steps=6, snapshot_every=4), **TINY_SHAPE)
        seen[engine] = []
        run.train(on_step=lambda *_, run=run, e=engine: seen[e].append(run.model.weights()),
                  engine=engine)  # fmt: skip
    assert seen["floats"] == seen["value"] and len(seen["floats"]) == 6


@pytest.mark.parametrize("lr", [1e6, 1e300], ids=["nan", "overflow"])
def test_divergence_is_rolled_back_the_same_way(lr):
    outcome = {}
    for engine in ENGINES:
        run = Run.start(TINY_DOCS, Hyperparams(num_steps=40, learning_rate=lr), **TINY_SHAPE)
        with pytest.raises(DivergedError) as info:
            run.train(engine=engine)
        outcome[engine] = str(info.value), info.value.step, checkpoint_bytes(run)
    assert outcome["floats"] == outcome["value"]
    assert "training diverged at step" in outcome["floats"][0]


def test_an_unknown_engine_is_refused():
    run = Run.start(TINY_DOCS, Hyperparams(num_steps=2), **TINY_SHAPE)
    for call in (lambda: run.train(engine="gpu"), lambda: run.checked_step("Floats")):
        with pytest.raises(ConfigError, match="engine must be one of 'floats', 'value'"):
            call()
    assert run.step == 0
    with pytest.raises(MicrogptError, match="engine"):
        sample(run.model, run.tokenizer, random.Random(1), engine=1)


@pytest.mark.parametrize("shape", SHAPES.values(), ids=SHAPES.keys())
def test_sampling_on_floats_draws_the_engines_names(bundled, shape):
    run = Run.start(bundled, Hyperparams(num_steps=20), **shape)
    run.train()
    for seed, temperature, prefix in [(1, 0.5, ""), (2, 1.0, "a"), (3, 2.5, ""), (4, 0.05, "jo")]:
        on = {
            engine: samples(
                run.model,
                run.tokenizer,
                random.Random(seed),
                25,
                temperature,
                prefix,
                engine=engine,
            )  # fmt: skip
            for engine in ENGINES
        }
        assert on["floats"] == on["value"]
        assert all(name.startswith(prefix) for name in on["floats"])
    rng_a, rng_b = random.Random(9), random.Random(9)
    one_by_one = [sample(run.model, run.tokenizer, rng_a, 0.7) for _ in range(10)]
    assert one_by_one == samples(run.model, run.tokenizer, rng_b, 10, 0.7, engine="value")
    assert rng_a.getstate() == rng_b.getstate()


def test_sampling_inside_a_trace_records_its_nodes():
    run = Run.start(TINY_DOCS, Hyperparams(num_steps=2), **TINY_SHAPE)
    with trace() as t:
        name = sample(run.model, run.tokenizer, random.Random(3))
    assert len(t) > 1000 and any(n and n.startswith("pos0.probs[") for n in t.node_names())
    assert name == sample(run.model, run.tokenizer, random.Random(3))  # on floats: no trace
    assert name == sample(run.model, run.tokenizer, random.Random(3), engine="value")


# -- the command line ------------------------------------------------------------------------
def microgpt(*args, cwd, **kw) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run(
        [sys.executable, "-m", "microgpt", *map(str, args)],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=600, **kw,
    )  # fmt: skip


@pytest.mark.parametrize("shape", [[], ["--n-layer", 2, "--n-head", 2]], ids=["default", "2x2"])
def test_cli_engines_print_and_save_the_same(tmp_path, shape):
    flags = ["--steps", 30, "--snapshot-every", 10, "--samples", 5, *shape]
    floats = microgpt("train", *flags, "--out", "f.json", cwd=tmp_path)
    value = microgpt("train", *flags, "--out", "v.json", "--engine", "value", cwd=tmp_path)
    assert floats.returncode == value.returncode == 0, floats.stderr + value.stderr
    assert floats.stdout == value.stdout and "sample  5: " in floats.stdout
    assert (tmp_path / "f.json").read_bytes() == (tmp_path / "v.json").read_bytes()
    assert "engine" not in json.loads((tmp_path / "f.json").read_text())


def test_resume_on_either_engine_writes_the_same_file(tmp_path, tiny_docs_file):
    docs = load_docs(tiny_docs_file)
    run = Run.start(docs, Hyperparams(num_steps=12, snapshot_every=3), source=str(tiny_docs_file),
                    **TINY_SHAPE)  # fmt: skip
    run.train(should_stop=lambda: run.step >= 5)
    save_checkpoint(run.to_checkpoint(), tmp_path / "part.json")
    part = (tmp_path / "part.json").read_bytes()
    results = {}
    for engine in ENGINES:
        (tmp_path / f"{engine}.json").write_bytes(part)
        done = microgpt("train", "--resume", f"{engine}.json", "--engine", engine, cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        assert "resuming" in done.stdout and "step   12 /   12" in done.stdout
        results[engine] = (
            done.stdout.replace(engine, "E"),
            (tmp_path / f"{engine}.json").read_bytes(),
        )
    assert results["floats"] == results["value"]


def test_sigint_at_a_random_step_then_resumed_on_the_other_engine(tmp_path, tiny_docs_file):
    """Kill ``microgpt train`` with SIGINT at a random step, resume on the other engine: the
    checkpoint equals an uninterrupted run's, byte for byte (and its samples too)."""
    flags = ["--data", tiny_docs_file, "--n-embd", 8, "--n-head", 2, "--block-size", 8,
             "--steps", 60, "--snapshot-every", 7, "--samples", 4]  # fmt: skip
    whole = microgpt("train", *flags, "--out", "whole.json", "--engine", "value", cwd=tmp_path)
    assert whole.returncode == 0, whole.stderr
    rng = random.Random()
    for first, second in [("value", "floats"), ("floats", "value")]:
        stop_at = rng.randint(3, 40)
        env = {**os.environ, "PYTHONPATH": str(REPO)}
        proc = subprocess.Popen(
            [sys.executable, "-m", "microgpt", "train", *map(str, flags), "--out", "part.json",
             "--engine", first],
            cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        for line in proc.stdout:  # the step lines, one at a time (flushed)
            if line.startswith(f"step {stop_at:4d} /"):
                proc.send_signal(signal.SIGINT)
                break
        rest, err = proc.communicate(timeout=600)
        assert proc.returncode == 130, (stop_at, err)
        saved = json.loads((tmp_path / "part.json").read_text())
        assert stop_at <= saved["step"] < 60 and "interrupted at step" in err
        resumed = microgpt(
            "train", "--resume", "part.json", "--engine", second, "--samples", 4, cwd=tmp_path
        )
        assert resumed.returncode == 0, resumed.stderr
        assert (tmp_path / "part.json").read_bytes() == (tmp_path / "whole.json").read_bytes()
        samples_of = [line for line in whole.stdout.splitlines() if line.startswith("sample")]
        assert [ln for ln in resumed.stdout.splitlines() if ln.startswith("sample")] == samples_of
        (tmp_path / "part.json").unlink()
