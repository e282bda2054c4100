"""SIGKILL while saving, 20 times: the previous checkpoint always loads, and the next successful
save leaves no temporary file behind.

A child process saves a checkpoint (the shipped one, 1.2 MB, marked ``save i`` in its
``data.source``) in a loop with ``microgpt.checkpoint.save_checkpoint`` and says before and after
each save. Rounds alternate between two kills: at a random moment of the loop (mostly inside a
save: the loop does nothing else), and at a fixed point, just before the rename of a fully
written temporary file (``os.replace`` is held there), so that some kills always leave a
temporary file.
"""

from __future__ import annotations

import importlib.util
import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from microgpt.checkpoint import load_checkpoint, save_checkpoint

#: 20 processes, each loading and saving a 1.2 MB checkpoint with fsync: about 20-30 s.
pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]
ROUNDS = 20

CHILD = textwrap.dedent(
    """
    import os, sys, time
    from microgpt.checkpoint import load_checkpoint, save_checkpoint

    target, hold, i = sys.argv[1], sys.argv[2] == "hold", int(sys.argv[3])
    ckpt = load_checkpoint().to_dict()
    if hold:
        def held(src, dst):
            print("renaming", flush=True)
            time.sleep(600)
        os.replace = held
    while True:
        ckpt["data"] = {**ckpt["data"], "source": f"save {i}"}
        print(f"saving {i}", flush=True)
        save_checkpoint(ckpt, target)
        print(f"saved {i}", flush=True)
        i += 1
    """
)


def marker(path: Path) -> int:
    return int(load_checkpoint(path).data["source"].split()[1])


def temporary_files(path: Path) -> list[Path]:
    return sorted(path.parent.glob(f".{path.name}.*.tmp"))


@pytest.fixture(scope="module")
def rounds(tmp_path_factory):
    """Run the 20 kills; returns one record per round."""
    folder = tmp_path_factory.mktemp("kill")
    target = folder / "model.json"
    child = folder / "child.py"
    child.write_text(CHILD)
    ckpt = load_checkpoint().to_dict()
    ckpt["data"] = {**ckpt["data"], "source": "save 0"}
    save_checkpoint(ckpt, target)
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
    }
    rng = random.Random(10)
    on_disk, next_marker, records = 0, 1, []
    for k in range(ROUNDS):
        hold = k % 2 == 1
        start = next_marker
        proc = subprocess.Popen(
            [sys.executable, str(child), str(target), "hold" if hold else "loop", str(start)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        lines = []
        wait_for = "renaming" if hold else f"saved {start}"
        while wait_for not in lines:
            line = proc.stdout.readline()
            if not line:
                proc.wait()
                pytest.fail(f"the saving process ended by itself: {proc.stderr.read()}")
            lines.append(line.strip())
        if not hold:
            time.sleep(rng.uniform(0.0, 0.3))  # somewhere in the following saves
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        lines += proc.stdout.read().splitlines()
        proc.stdout.close()
        proc.stderr.close()
        saved = [int(line.split()[1]) for line in lines if line.startswith("saved ")]
        begun = [int(line.split()[1]) for line in lines if line.startswith("saving ")]
        # the last save reported complete (or the file as the round found it)
        previous = max(saved, default=on_disk)
        record = {"hold": hold, "previous": previous, "begun": max(begun)}
        record["left_after_kill"] = temporary_files(target)
        try:
            record["loaded"] = marker(target)  # raises if the kill broke the checkpoint
        except Exception as e:  # noqa: BLE001 - the test reports it
            record["loaded"] = e
        # the next successful save (of what loaded), then what is left beside the target
        next_marker = record["begun"] + 1  # markers stay distinct
        save_checkpoint(load_checkpoint(target), target)
        on_disk = record["loaded"]
        record["left_after_next_save"] = temporary_files(target)
        records.append(record)
    return records


def test_the_previous_checkpoint_always_loads(rounds):
    assert len(rounds) == ROUNDS
    for k, r in enumerate(rounds):
        assert isinstance(r["loaded"], int), f"round {k}: {r['loaded']}"
        # the last save reported complete, or the one killed after its rename
        assert r["loaded"] in (r["previous"], r["begun"]), (k, r)
        if r["hold"]:  # killed before the rename: the file is the one saved before
            assert r["loaded"] == r["previous"], (k, r)
            assert r["left_after_kill"], f"round {k}: the held save left no temporary file"


@pytest.mark.skipif(
    importlib.util.find_spec("microgpt.files") is None,
    reason="microgpt.files (the atomic writer that sweeps the temporary files of killed saves) "
    "is not on this branch yet: save_checkpoint here leaves them",
)
def test_the_next_save_leaves_no_temporary_file(rounds):
    assert any(r["left_after_kill"] for r in rounds)  # kills did leave some: the sweep is tested
    for k, r in enumerate(rounds):
        assert r["left_after_next_save"] == [], f"round {k}"
