"""Faithfulness: the same seed gives the article's numbers, to the printed digit.

Both engines (``--engine floats``, the default, and ``--engine value``, the article's ``Value``
engine) must print them. The full run (1,000 steps: seconds on floats, minutes on the engine)
is marked slow; CI runs it: it pins a digest of all 1,000 printed step lines and the 20
samples. The fast tests pin the first steps of the same schedule.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys

import pytest

from microgpt.data import read_docs
from microgpt.train import ENGINES, Hyperparams, Run

#: MICROGPT_SPEC.md: the 20 samples (temperature 0.5) after 1,000 steps on names.txt, seed 42.
ARTICLE_SAMPLES = [
    "kamon",
    "ann",
    "karai",
    "jaire",
    "vialan",
    "karia",
    "yeran",
    "anna",
    "areli",
    "kaina",
    "konna",
    "keylen",
    "liole",
    "alerin",
    "earan",
    "lenne",
    "kana",
    "lara",
    "alela",
    "anton",
]

#: sha256 of the run's 1,000 printed ``step    k / 1000 | loss x.xxxx`` lines, joined by "\n"
#: (no final newline), from a real run of ``microgpt train --data names.txt`` (its first step is
#: the article's 3.3660 and its last ``step 1000 / 1000 | loss 2.6497``).
STEP_LINES_SHA256 = "241baf93ea69aad29c5e2f71d2ec8fa7e9e883a8a4aa1a42ff82d725028b0f3d"


@pytest.mark.parametrize("engine", ENGINES)
def test_first_steps_match_the_article_schedule(names_path, engine):
    run = Run.start(read_docs(names_path), Hyperparams(num_steps=1000))
    assert len(run.model.params) == 4192
    losses = [f"{run.checked_step(engine):.4f}" for _ in range(5)]
    assert losses == ["3.3660", "3.4243", "3.1778", "3.0664", "3.2209"]


@pytest.mark.slow
@pytest.mark.parametrize("engine", ENGINES)
def test_full_run_prints_the_article_samples(names_path, engine):
    out = subprocess.run(
        [sys.executable, "-m", "microgpt", "train", "--data", str(names_path), "--engine", engine],
        capture_output=True,
        text=True,
        check=True,
        timeout=1800,
    ).stdout.splitlines()
    steps = [line for line in out if line.startswith("step ")]
    assert out[2] == "num params: 4192"
    assert steps[0] == "step    1 / 1000 | loss 3.3660"
    assert len(steps) == 1000 and steps[-1] == "step 1000 / 1000 | loss 2.6497"
    assert hashlib.sha256("\n".join(steps).encode()).hexdigest() == STEP_LINES_SHA256
    samples = [line for line in out if line.startswith("sample ")]
    assert samples == [f"sample {i + 1:2d}: {s}" for i, s in enumerate(ARTICLE_SAMPLES)]
