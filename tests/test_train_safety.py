"""The training and sampling commands under ordinary trouble (issue 19): nothing lost, one line.

Each case gives its input, the error expected (one line on stderr, no traceback, a non-zero
exit) and what must hold after: nothing written or left behind, or the run saved. Signals,
pipes and concurrent runs go through real ``microgpt`` processes.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import signal
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

from microgpt import MicrogptError, load_checkpoint, save_checkpoint, shipped_checkpoint_path
from microgpt.files import OutputLock, lock_path, temporary_files, write_atomically

REPO = Path(__file__).resolve().parents[1]
BUNDLED_NAMES = REPO / "microgpt" / "data" / "names.txt"
ENV = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONIOENCODING": "utf-8"}
TINY = ["--n-embd", "8", "--n-head", "2", "--block-size", "8"]

#: A child that runs ``microgpt.cli.main`` once its imports are done (says "ready" on stderr);
#: with "slow-save", each checkpoint save says "saving" and takes a second.
CHILD = textwrap.dedent(
    """
    import sys, time
    import microgpt.cli as cli
    if sys.argv[1] == "slow-save":
        original = cli.save_checkpoint
        def slow(ckpt, path):
            print("saving", file=sys.stderr, flush=True)
            time.sleep(1.0)
            return original(ckpt, path)
        cli.save_checkpoint = slow
    print("ready", file=sys.stderr, flush=True)
    sys.exit(cli.main(sys.argv[2:]))
    """
)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def microgpt(*args, cwd, env=None, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "microgpt", *map(str, args)],
        cwd=cwd, env=env or ENV, capture_output=True, text=True, timeout=600, **kw,
    )  # fmt: skip


def one_line_error(err: str, *words: str) -> str:
    """The stderr of a refused command: one line, no traceback, naming ``words``."""
    assert "Traceback" not in err, err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, f"one line expected: {err!r}"
    for word in words:
        assert word.lower() in lines[0].lower(), f"{word!r} not in {lines[0]!r}"
    return lines[0]


def no_traceback(err: str) -> None:
    assert "Traceback" not in err and "Exception ignored" not in err, err


@pytest.fixture
def child(tmp_path) -> Path:
    path = tmp_path / "child.py"
    path.write_text(CHILD, encoding="utf-8")
    return path


def start_child(child: Path, mode: str, *args, cwd) -> subprocess.Popen:
    proc = subprocess.Popen(
        [sys.executable, str(child), mode, *map(str, args)],
        cwd=cwd, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert proc.stderr.readline().strip() == "ready"
    return proc


# -- inputs read by default are protected like named ones ----------------------------------------
def test_train_out_over_the_bundled_names_is_refused_even_with_force(tmp_path):
    before = digest(BUNDLED_NAMES)
    done = microgpt("train", "--steps", 2, "--out", BUNDLED_NAMES, "--force", cwd=tmp_path)
    assert done.returncode == 2 and done.stdout == ""
    one_line_error(done.stderr, "--out", "--data", "read by default")
    assert digest(BUNDLED_NAMES) == before
    assert not lock_path(BUNDLED_NAMES).exists() and not temporary_files(BUNDLED_NAMES)


def test_graph_out_over_the_shipped_model_is_refused_even_with_force(tmp_path):
    shipped = shipped_checkpoint_path()
    before = digest(shipped)
    done = microgpt("graph", "--doc", "emma", "--out", shipped, "--force", cwd=tmp_path)
    assert done.returncode == 2 and done.stdout == ""
    one_line_error(done.stderr, "--out", "--checkpoint", "shipped model")
    assert digest(shipped) == before and not temporary_files(shipped)


def test_resume_out_over_the_checkpoints_dataset_is_refused(tmp_path, tiny_docs_file):
    part = tmp_path / "part.json"
    first = microgpt("train", "--data", tiny_docs_file, *TINY, "--steps", 3, "--out", part,
                     cwd=tmp_path)  # fmt: skip
    assert first.returncode == 0, first.stderr
    before = digest(tiny_docs_file)
    # the dataset comes from the checkpoint (no --data): still an input of the run
    done = microgpt("train", "--resume", part, "--out", tiny_docs_file, "--force", cwd=tmp_path)
    assert done.returncode == 2
    one_line_error(done.stderr, "--data")
    assert digest(tiny_docs_file) == before


# -- standard output closed early, or failing --------------------------------------------------
def test_a_closed_pipe_stops_training_and_saves_the_run(tmp_path):
    """``microgpt train --out run.json | head -12``: head exits, training stops at the next
    step line, the run is saved like a Ctrl-C save and said on stderr; exit 141."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "microgpt", "train", "--out", "run.json"],
        cwd=tmp_path, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    lines = [proc.stdout.readline() for _ in range(12)]
    proc.stdout.close()  # what head does after 12 lines
    err = proc.stderr.read()
    proc.wait(timeout=600)
    assert lines[-1].startswith("step    9 / 1000")
    assert proc.returncode == 141, err
    no_traceback(err)
    assert "output was closed" in err and "saved run.json" in err
    assert "microgpt train --resume run.json" in err
    saved = load_checkpoint(tmp_path / "run.json")
    assert 9 <= saved.step < 1000 and len(saved.loss_history) == saved.step
    assert not lock_path(tmp_path / "run.json").exists()


def test_a_closed_pipe_while_sampling_is_one_line(tmp_path):
    proc = subprocess.Popen(
        [sys.executable, "-m", "microgpt", "sample", "--num", "5000"],
        cwd=tmp_path, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert proc.stdout.readline().startswith("sample  1: ")
    proc.stdout.close()
    err = proc.stderr.read()
    assert proc.wait(timeout=600) == 141
    one_line_error(err, "closed")


@pytest.mark.parametrize(
    "args",
    [["train", "--steps", 3, *TINY], ["train", "--steps", 3, "--out", "run.json"],
     ["sample", "--num", 3]],
    ids=["train", "train-out", "sample"],
)  # fmt: skip
def test_stdout_on_a_full_disk_is_one_line(tmp_path, args):
    with open("/dev/full", "w") as full:
        done = subprocess.run(
            [sys.executable, "-m", "microgpt", *map(str, args)],
            cwd=tmp_path, env=ENV, stdout=full, stderr=subprocess.PIPE, text=True, timeout=600,
        )  # fmt: skip
    assert done.returncode == 1
    one_line_error(done.stderr, "No space left on device")
    assert sorted(os.listdir(tmp_path)) == []  # nothing trained, nothing written


@pytest.mark.parametrize("args", [["train", "--steps", 3, "--out", "run.json"], ["sample"]],
                         ids=["train", "sample"])  # fmt: skip
def test_stdout_closed_from_the_start_is_one_line(tmp_path, args):
    done = subprocess.run(
        ["sh", "-c", 'exec "$@" >&-', "sh", sys.executable, "-m", "microgpt", *map(str, args)],
        cwd=tmp_path, env=ENV, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert done.returncode == 1
    one_line_error(done.stderr, "standard output is closed")
    assert sorted(os.listdir(tmp_path)) == []


# -- an ASCII-only terminal and a vocabulary beyond it -------------------------------------------
def test_an_ascii_terminal_with_a_non_ascii_vocabulary(tmp_path):
    data = tmp_path / "accents.txt"
    data.write_text("émile\nzoé\nanaïs\nlou\n", encoding="utf-8")
    ascii_env = {**ENV, "PYTHONIOENCODING": "ascii", "LANG": "C", "LC_ALL": "C"}
    done = microgpt("train", "--data", data, "--steps", 3, *TINY, "--out", "run.json",
                    cwd=tmp_path, env=ascii_env)  # fmt: skip
    assert done.returncode == 2 and done.stdout == ""
    one_line_error(done.stderr, "ascii", "PYTHONIOENCODING=utf-8", "--samples 0")
    assert not (tmp_path / "run.json").exists()
    # without samples it trains; its checkpoint then samples in UTF-8, and not in ASCII
    done = microgpt("train", "--data", data, "--steps", 3, *TINY, "--out", "run.json",
                    "--samples", 0, cwd=tmp_path, env=ascii_env)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert microgpt("sample", "--checkpoint", "run.json", cwd=tmp_path).returncode == 0
    done = microgpt("sample", "--checkpoint", "run.json", cwd=tmp_path, env=ascii_env)
    assert done.returncode == 2 and done.stdout == ""
    one_line_error(done.stderr, "ascii")


# -- signals ----------------------------------------------------------------------------------
def test_ctrl_c_during_start_up_is_one_line(tmp_path, child):
    """SIGINT while the run is being made (data loaded, weights drawn): exit 130, nothing
    written, no traceback."""
    proc = start_child(child, "plain", "train", "--n-embd", 64, "--n-layer", 4, "--out",
                       "run.json", cwd=tmp_path)  # fmt: skip
    threading.Event().wait(random.uniform(0.0, 0.15))
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=600)
    no_traceback(err)
    if proc.returncode == 130 and "interrupted at step" in err:  # it had started training
        assert load_checkpoint(tmp_path / "run.json").step >= 1
        return
    assert proc.returncode == 130 and "step " not in out
    one_line_error(err, "interrupted")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["child.py"]


def test_a_second_ctrl_c_during_the_save_does_not_lose_the_run(tmp_path, child):
    proc = start_child(child, "slow-save", "train", "--out", "run.json", cwd=tmp_path)
    for line in proc.stdout:
        if line.startswith("step   20 /"):
            break
    proc.send_signal(signal.SIGINT)
    assert proc.stderr.readline().strip() == "saving"
    proc.send_signal(signal.SIGINT)  # during the save
    proc.send_signal(signal.SIGINT)
    rest, err = proc.communicate(timeout=600)
    assert proc.returncode == 130, err
    no_traceback(err)
    assert "interrupted at step" in err and "saved run.json" in err
    saved = load_checkpoint(tmp_path / "run.json")
    assert saved.step >= 20
    assert not temporary_files(tmp_path / "run.json")
    assert not lock_path(tmp_path / "run.json").exists()


# -- a deleted working directory --------------------------------------------------------------
@pytest.mark.parametrize("args", [["train", "--steps", 2], ["sample"]], ids=["train", "sample"])
def test_a_deleted_working_directory_is_one_line(tmp_path, args):
    gone = tmp_path / "gone"
    gone.mkdir()
    proc = subprocess.Popen(
        ["sh", "-c", 'cd "$1" && rmdir "$1" && shift && exec "$@"', "sh", str(gone),
         sys.executable, "-m", "microgpt", *map(str, args)],
        env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    out, err = proc.communicate(timeout=600)
    assert proc.returncode == 2 and out == ""
    one_line_error(err, "working directory")


# -- two writers -----------------------------------------------------------------------------
def test_a_second_training_on_the_same_out_is_refused(tmp_path, child):
    first = start_child(child, "plain", "train", "--out", "run.json", "--steps", 300, cwd=tmp_path)
    assert first.stdout.readline().startswith("num docs")
    lock = lock_path(tmp_path / "run.json")
    assert lock.read_text() == str(first.pid)
    second = microgpt("train", "--out", "run.json", "--steps", 2, cwd=tmp_path)
    assert second.returncode == 2 and second.stdout == ""
    one_line_error(second.stderr, "run.json", "another microgpt run", str(first.pid))
    out, err = first.communicate(timeout=600)
    assert first.returncode == 0, err
    assert load_checkpoint(tmp_path / "run.json").step == 300  # the first run's
    assert not lock.exists()


def test_a_stale_lock_is_taken_over(tmp_path, tiny_docs_file):
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()  # its pid is no process now
    lock = lock_path(tmp_path / "run.json")
    lock.write_text(str(gone.pid))
    done = microgpt("train", "--data", tiny_docs_file, *TINY, "--steps", 3, "--out", "run.json",
                    cwd=tmp_path)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert load_checkpoint(tmp_path / "run.json").step == 3 and not lock.exists()


def test_the_lock_refuses_a_live_holder_in_process(tmp_path):
    target = tmp_path / "x.json"
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        lock_path(target).write_text(str(sleeper.pid))
        with pytest.raises(MicrogptError, match=f"process {sleeper.pid}"), OutputLock(target):
            pass
    finally:
        sleeper.kill()
        sleeper.wait()
    with OutputLock(target) as held:  # now stale: taken over, then removed
        assert lock_path(target).read_text() == str(os.getpid()) and held.held
    assert not lock_path(target).exists()


WRITER = textwrap.dedent(
    """
    import sys
    from microgpt.files import write_atomically
    target, tag = sys.argv[1], sys.argv[2]
    for i in range(40):
        write_atomically(target, (tag * 200_000 + str(i)).encode(), "checkpoint")
    print("done")
    """
)


def test_two_concurrent_writers_never_fail(tmp_path):
    """Two processes writing the same file 40 times each: every write succeeds (neither
    deletes the other's temporary file), the file is one writer's whole, nothing left over."""
    script = tmp_path / "writer.py"
    script.write_text(WRITER, encoding="utf-8")
    target = tmp_path / "shared.json"
    procs = [
        subprocess.Popen([sys.executable, str(script), str(target), tag], env=ENV,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for tag in "ab"
    ]  # fmt: skip
    results = [p.communicate(timeout=600) for p in procs]
    for p, (out, err) in zip(procs, results):
        assert p.returncode == 0 and out.strip() == "done", err
    text = target.read_text()
    assert text in ("a" * 200_000 + "39", "b" * 200_000 + "39")
    assert temporary_files(target) == []


def test_a_writer_removes_only_temporary_files_of_gone_writers(tmp_path):
    target = tmp_path / "model.json"
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    try:
        live = tmp_path / f".model.json.{sleeper.pid}.abcd1234.tmp"
        mine = tmp_path / f".model.json.{os.getpid()}.zzzz9999.tmp"  # another thread's
        dead = tmp_path / f".model.json.{gone.pid}.efgh5678.tmp"
        for p in (live, mine, dead):
            p.write_bytes(b"partial")
        write_atomically(target, b"{}", "checkpoint")
        assert target.read_bytes() == b"{}"
        assert temporary_files(target) == sorted([live, mine])
    finally:
        sleeper.kill()
        sleeper.wait()


# -- checkpoint validation holes -------------------------------------------------------------
def _damaged(tmp_path, edit) -> Path:
    ckpt = json.loads(shipped_checkpoint_path().read_text())
    text = edit(ckpt)
    path = tmp_path / "damaged.json"
    path.write_text(text if isinstance(text, str) else json.dumps(ckpt), encoding="utf-8")
    return path


def _first_weight_as(number: str):
    """The text of the checkpoint with its first weight written as ``number``."""

    def edit(ckpt):
        text = json.dumps(ckpt)
        start = text.index(_W0) + len(_W0)
        end = text.index(",", start)
        return text[:start] + number + text[end:]

    return edit


def _replace_first(old: str, new: str):
    def edit(ckpt):
        text = json.dumps(ckpt)
        assert old in text
        return text.replace(old, new, 1)

    return edit


def _set(path: tuple, value):
    def edit(ckpt):
        obj = ckpt
        for key in path[:-1]:
            obj = obj[key]
        if value is _DELETE:
            del obj[path[-1]]
        else:
            obj[path[-1]] = value

    return edit


_DELETE = object()
_W0 = '"weights": {"wte": [['

DAMAGED = {
    "weight-1e999": (_first_weight_as("1e999"), "too large for a float"),
    "weight-400-digits": (_first_weight_as("9" * 400), "not a finite number"),
    "loss-history-1e999": (_replace_first('"loss_history": [', '"loss_history": [-1e999, '),
                           "too large for a float"),
    "snapshot-loss-text": (_set(("snapshots", 3, "loss"), "low"), "snapshots[3].loss"),
    "snapshot-loss-huge-int": (_set(("snapshots", 3, "loss"), 10**400), "snapshots[3].loss"),
    "snapshot-grad-norms-missing-key": (_set(("snapshots", 2, "grad_norms", "wte"), _DELETE),
                                        "snapshots[2].grad_norms"),
    "snapshot-grad-norm-negative": (_set(("snapshots", 2, "grad_norms", "wpe"), -1.0),
                                    "snapshots[2].grad_norms['wpe']"),
    "snapshot-grad-norms-list": (_set(("snapshots", 2, "grad_norms"), [1.0]),
                                 "snapshots[2].grad_norms"),
    "snapshot-adam-missing": (_set(("snapshots", 1, "adam"), _DELETE), "snapshots[1].adam"),
    "snapshot-adam-v-huge": (_set(("snapshots", 1, "adam", "v", "wpe", 0, 0), 10**400),
                             "snapshots[1].adam.v"),
    "snapshot-step-bool": (_set(("snapshots", 0, "step"), False), "snapshot 0's step"),
    "step-bool": (_set(("step",), True), "step"),
}  # fmt: skip


@pytest.mark.parametrize("case", DAMAGED, ids=DAMAGED)
def test_damaged_checkpoints_are_refused_on_load(tmp_path, case):
    edit, words = DAMAGED[case]
    path = _damaged(tmp_path, edit)
    with pytest.raises(MicrogptError) as info:
        load_checkpoint(path)
    assert words in str(info.value) and "\n" not in str(info.value)
    done = microgpt("sample", "--checkpoint", path, cwd=tmp_path)
    assert done.returncode == 2 and done.stdout == ""
    one_line_error(done.stderr, "damaged.json")


def test_the_shipped_checkpoint_still_loads_and_saves_the_same(tmp_path):
    ckpt = load_checkpoint()
    path = save_checkpoint(ckpt, tmp_path / "again.json")
    assert load_checkpoint(path) == ckpt
