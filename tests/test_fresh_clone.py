"""A fresh clone with nothing beside it passes its tests: the tests that need the article's
dataset skip and say how to get it.

The repository is cloned into an empty temporary folder (no ``../shared/data`` beside it) and
its faithfulness and dataset tests run there with ``CI``, ``MICROGPT_NAMES`` and the cache
variables unset and ``HOME`` an empty folder (so no makemore download is found either).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
DROPPED = ("CI", "MICROGPT_NAMES", "MICROGPT_CACHE", "XDG_CACHE_HOME", "PYTHONPATH")

pytestmark = pytest.mark.slow


def test_a_bare_clone_passes_and_says_how_to_get_the_dataset(tmp_path):
    if not (REPO / ".git").exists():
        pytest.skip(f"{REPO} is not a git checkout (no .git): there is nothing to clone")
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    clone = tmp_path / "bare" / "microgpt"
    home = tmp_path / "home"
    home.mkdir()
    done = subprocess.run(
        ["git", "clone", "-q", str(REPO), str(clone)], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert list(clone.parent.iterdir()) == [clone]  # nothing beside the clone
    env = {k: v for k, v in os.environ.items() if k not in DROPPED and not k.startswith("PYTEST")}
    env.update(HOME=str(home), PYTHONPATH=str(clone))
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-rs",
            "tests/test_faithful.py",
            "tests/test_data.py",
        ],  # fmt: skip
        cwd=clone,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    out = run.stdout + run.stderr
    assert run.returncode == 0, out
    skips = [line for line in out.splitlines() if line.startswith("SKIPPED")]
    reasons = [line for line in skips if "names.txt" in line]
    # test_faithful's two tests and test_data's article test need the dataset
    counted = sum(int(re.search(r"SKIPPED \[(\d+)\]", line).group(1)) for line in reasons)
    assert counted >= 3, out
    for line in reasons:
        assert "microgpt train --data makemore" in line and "MICROGPT_NAMES=" in line, line
    assert re.search(r"\d+ passed, \d+ skipped", out), out
    assert not list(home.iterdir()), "the tests wrote into HOME"
