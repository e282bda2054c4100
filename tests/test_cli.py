"""The ``microgpt`` command: output format, resume, Ctrl-C, and bad input (exit 2, no traceback).

Most tests call ``microgpt.cli.main`` in-process (fast); two run the installed console script.
"""

from __future__ import annotations

import json
import queue
import random
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from conftest import TINY_DOCS, TINY_SHAPE

from microgpt import GPTConfig, Run, Tokenizer, load_checkpoint, sample, save_checkpoint
from microgpt.checkpoint import shipped_checkpoint_path
from microgpt.cli import main
from microgpt.data import load_docs
from microgpt.train import Hyperparams

TINY_FLAGS = [f"--{k.replace('_', '-')}={v}" for k, v in TINY_SHAPE.items()]
STEP_RE = re.compile(r"step +(\d+) / +(\d+) \| loss (\d+\.\d{4})")


def cli(capsys, *args) -> tuple[int, str, str]:
    """Run ``microgpt ARGS`` in-process: (exit code, stdout, stderr)."""
    capsys.readouterr()
    try:
        code = main([str(a) for a in args])
    except SystemExit as e:  # argparse errors and --help
        code = e.code
    out, err = capsys.readouterr()
    return code, out, err


def step_lines(out: str) -> list[str]:
    return [line for line in out.splitlines() if line.startswith("step")]


def sample_lines(out: str) -> list[str]:
    return [line for line in out.splitlines() if line.startswith("sample")]


def console_script() -> str:
    beside = Path(sys.executable).with_name("microgpt")
    found = str(beside) if beside.exists() else shutil.which("microgpt")
    if found is None:
        pytest.fail("the `microgpt` console script is not installed: pip install -e .")
    return found


def tiny_run(docs_file: Path, num_steps: int, **hp) -> Run:
    """The run ``microgpt train --data DOCS_FILE --steps N`` (tiny shape) starts."""
    return Run.start(
        load_docs(docs_file),
        Hyperparams(num_steps=num_steps, **hp),
        source=str(Path(docs_file).resolve()),
        **TINY_SHAPE,
    )


@pytest.fixture(scope="module")
def tiny_ckpt(tmp_path_factory) -> Path:
    """A tiny model trained 30 steps, saved (tests only read it)."""
    run = Run.start(TINY_DOCS, Hyperparams(num_steps=30), **TINY_SHAPE)
    run.train()
    return save_checkpoint(run.to_checkpoint(), tmp_path_factory.mktemp("cli") / "tiny.json")


# -- train: what it prints ------------------------------------------------------------------
def test_train_prints_params_steps_and_samples(capsys, tiny_docs_file):
    code, out, err = cli(
        capsys, "train", "--data", tiny_docs_file, "--steps", 3, *TINY_FLAGS, "--samples", 2
    )
    assert code == 0, err

    vocab_size = Tokenizer.from_docs(TINY_DOCS).vocab_size
    num_params = GPTConfig(vocab_size=vocab_size, **TINY_SHAPE).num_params()
    lines = out.splitlines()
    at = lines.index(f"num params: {num_params}")

    steps = lines[at + 1 : at + 4]
    assert step_lines(out) == steps
    for k, line in enumerate(steps, start=1):
        assert re.fullmatch(rf"step {k:4d} /    3 \| loss \d\.\d{{4}}", line), line

    samples = sample_lines(out)
    assert len(samples) == 2
    assert lines.index(samples[0]) > at + 3
    for i, line in enumerate(samples, start=1):
        assert re.fullmatch(rf"sample {i:2d}: [a-z]*", line), line

    # The numbers are the library's (same seed, same schedule), to the printed digit.
    run = tiny_run(tiny_docs_file, 3)
    losses = run.train()
    assert steps == [f"step {k:4d} /    3 | loss {loss:.4f}" for k, loss in enumerate(losses, 1)]
    names = [sample(run.model, run.tokenizer, run.rng, 0.5) for _ in range(2)]
    assert samples == [f"sample {i:2d}: {name}" for i, name in enumerate(names, 1)]


def test_train_samples_zero_prints_no_samples(capsys, tiny_docs_file):
    code, out, _ = cli(
        capsys, "train", "--data", tiny_docs_file, "--steps", 2, *TINY_FLAGS, "--samples", 0
    )
    assert code == 0
    assert len(step_lines(out)) == 2
    assert sample_lines(out) == []


def test_train_first_step_is_the_articles(capsys, names_path):
    """The loss of step 1 does not depend on the schedule's length: the article's 3.3660."""
    code, out, err = cli(capsys, "train", "--data", names_path, "--steps", 3, "--samples", 0)
    assert code == 0, err
    assert "num params: 4192" in out.splitlines()
    steps = step_lines(out)
    assert steps[0] == "step    1 /    3 | loss 3.3660"
    assert [STEP_RE.fullmatch(s).group(1) for s in steps] == ["1", "2", "3"]


# -- resume ------------------------------------------------------------------------------------
def test_resume_through_cli_is_bit_identical(capsys, tmp_path, tiny_docs_file):
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    common = ["--snapshot-every", 2, "--samples", 3]
    code, out_a, err = cli(
        capsys, "train", "--data", tiny_docs_file, "--steps", 6, *TINY_FLAGS, *common, "--out", a
    )
    assert code == 0, err

    # Run B: the same run, stopped after step 3 (as Ctrl-C would), then resumed by the CLI.
    run = tiny_run(tiny_docs_file, 6, snapshot_every=2)
    run.train(should_stop=lambda: run.step >= 3)
    save_checkpoint(run.to_checkpoint(), b)
    code, out_b, err = cli(capsys, "train", "--resume", b, "--samples", 3)
    assert code == 0, err
    assert "resuming" in out_b and "step 3 / 6" in out_b

    assert step_lines(out_b) == step_lines(out_a)[3:]
    assert [STEP_RE.fullmatch(s).group(1) for s in step_lines(out_b)] == ["4", "5", "6"]
    assert sample_lines(out_b) == sample_lines(out_a)

    ckpt_a, ckpt_b = load_checkpoint(a), load_checkpoint(b)  # resume saves over its checkpoint
    assert ckpt_b.step == 6
    for key in ("weights", "adam", "loss_history", "snapshots", "rng_state", "step"):
        assert getattr(ckpt_a, key) == getattr(ckpt_b, key), key
    assert ckpt_a == ckpt_b


@pytest.mark.parametrize("k", [1, 3, 5])
def test_stopped_and_resumed_equals_uninterrupted(tmp_path, k):
    hp = Hyperparams(num_steps=6, snapshot_every=2)
    whole = Run.start(TINY_DOCS, hp, **TINY_SHAPE)
    whole_losses = whole.train()

    part = Run.start(TINY_DOCS, hp, **TINY_SHAPE)
    first = part.train(should_stop=lambda: part.step >= k)
    assert len(first) == k
    path = save_checkpoint(part.to_checkpoint(), tmp_path / "part.json")
    resumed = Run.from_checkpoint(load_checkpoint(path), docs=TINY_DOCS)
    rest = resumed.train()

    assert first + rest == whole_losses
    assert resumed.model.weights() == whole.model.weights()
    assert resumed.adam_m == whole.adam_m
    assert resumed.adam_v == whole.adam_v
    assert resumed.loss_history == whole.loss_history
    assert resumed.snapshots == whole.snapshots
    assert resumed.rng.getstate() == whole.rng.getstate()
    assert resumed.to_checkpoint() == whole.to_checkpoint()


def test_stopped_twice_equals_uninterrupted(tmp_path):
    hp = Hyperparams(num_steps=7, snapshot_every=3)
    whole = Run.start(TINY_DOCS, hp, **TINY_SHAPE)
    whole.train()
    run = Run.start(TINY_DOCS, hp, **TINY_SHAPE)
    for stop in (2, 4, 7):
        run.train(should_stop=lambda run=run, stop=stop: run.step >= stop)
        path = save_checkpoint(run.to_checkpoint(), tmp_path / "run.json")
        run = Run.from_checkpoint(load_checkpoint(path), docs=TINY_DOCS)
    assert run.step == 7
    assert run.to_checkpoint() == whole.to_checkpoint()


# -- Ctrl-C --------------------------------------------------------------------------------------
@pytest.mark.parametrize("engine", ["floats", "value"])
def test_interrupt_in_process_saves_default_name(
    capsys, tmp_path, monkeypatch, tiny_docs_file, engine
):
    """SIGINT after step 2 (no --out): the step finishes, microgpt-step2.json is saved, 130."""
    monkeypatch.chdir(tmp_path)
    original = Run.checked_step
    engines = []

    def checked_step(self, engine="floats"):
        engines.append(engine)
        loss = original(self, engine)
        if self.step == 2:
            signal.raise_signal(signal.SIGINT)
        return loss

    monkeypatch.setattr(Run, "checked_step", checked_step)
    handler_before = signal.getsignal(signal.SIGINT)
    code, out, err = cli(
        capsys, "train", "--data", tiny_docs_file, "--steps", 50, *TINY_FLAGS, "--samples", 5,
        "--engine", engine,
    )  # fmt: skip
    assert engines == [engine, engine]
    assert code == 130
    assert signal.getsignal(signal.SIGINT) is handler_before  # restored
    assert len(step_lines(out)) == 2 and sample_lines(out) == []
    saved = tmp_path / "microgpt-step2.json"
    assert load_checkpoint(saved).step == 2
    assert "interrupted at step 2 / 50" in err
    assert "microgpt train --resume microgpt-step2.json" in err
    assert "Traceback" not in err


def test_ctrl_c_saves_a_resumable_checkpoint(tmp_path, tiny_docs_file):
    """The real thing: the console script, SIGINT while it trains."""
    out_path = tmp_path / "run.json"
    err_path = tmp_path / "stderr.txt"
    args = [console_script(), "train", "--data", str(tiny_docs_file), "--steps", "5000"]
    args += [*TINY_FLAGS, "--samples", "0", "--out", str(out_path)]
    with err_path.open("w") as err_file:
        proc = subprocess.Popen(
            args, stdout=subprocess.PIPE, stderr=err_file, text=True, cwd=tmp_path
        )
        lines: queue.Queue = queue.Queue()

        def read():
            for line in proc.stdout:
                lines.put(line.rstrip("\n"))
            lines.put(None)

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        stdout: list[str] = []
        try:
            deadline = time.monotonic() + 120
            while len(step_lines("\n".join(stdout))) < 3:
                line = lines.get(timeout=max(0.1, deadline - time.monotonic()))
                assert line is not None, f"microgpt ended before 3 steps: {stdout}"
                stdout.append(line)
            seen = len(step_lines("\n".join(stdout)))
            proc.send_signal(signal.SIGINT)
            code = proc.wait(timeout=120)
            reader.join(timeout=30)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    while (line := lines.get_nowait()) is not None:
        stdout.append(line)
    err = err_path.read_text()

    assert code == 130, err
    assert "Traceback" not in err
    printed = step_lines("\n".join(stdout))
    ckpt = load_checkpoint(out_path)
    assert ckpt.step == len(printed) >= seen >= 3
    assert ckpt.step < 5000
    assert [f"{loss:.4f}" for loss in ckpt.loss_history] == [
        STEP_RE.fullmatch(line).group(3) for line in printed
    ]
    assert f"interrupted at step {ckpt.step} / 5000" in err
    assert f"--resume {out_path}" in err

    # It is a true resume point: one more step matches an uninterrupted run's next step.
    k = ckpt.step
    resumed = Run.from_checkpoint(ckpt, docs=TINY_DOCS)
    whole = tiny_run(tiny_docs_file, 5000)
    whole.train(should_stop=lambda: whole.step >= k)
    assert resumed.to_checkpoint() == whole.to_checkpoint()
    assert resumed.train_step() == whole.train_step()
    assert resumed.model.weights() == whole.model.weights()


def test_console_script_help():
    result = subprocess.run(
        [console_script(), "--help"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert "train" in result.stdout and "sample" in result.stdout


# -- bad input: exit 2, a one-line message, no traceback ----------------------------------------
def assert_user_error(code: int, out: str, err: str, *words: str) -> None:
    assert code == 2, (out, err)
    assert "error:" in err
    assert "Traceback" not in err
    assert step_lines(out) == [] and sample_lines(out) == []
    for word in words:
        assert word.lower() in err.lower(), f"{word!r} not in {err!r}"


def test_missing_data_file(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # a short path: messages quote long ones cut
    code, out, err = cli(capsys, "train", "--data", "nope.txt", "--steps", 1)
    assert_user_error(code, out, err, "nope.txt", "does not exist", "--data")


@pytest.mark.parametrize("text", ["", "   \n\n\t\n  \n"], ids=["empty", "blank"])
def test_empty_data_file(capsys, tmp_path, text):
    path = tmp_path / "empty.txt"
    path.write_text(text, encoding="utf-8")
    code, out, err = cli(capsys, "train", "--data", path, "--steps", 1)
    assert_user_error(code, out, err, str(path), "no documents", "empty")


def test_n_embd_not_divisible_by_n_head(capsys, tiny_docs_file):
    code, out, err = cli(
        capsys, "train", "--data", tiny_docs_file, "--n-embd", 8, "--n-head", 3, "--steps", 1
    )
    assert_user_error(code, out, err, "divisible", "n_embd (8)", "n_head (3)")


@pytest.mark.parametrize("steps", ["0", "-5"])
def test_non_positive_steps(capsys, tiny_docs_file, steps):
    code, out, err = cli(capsys, "train", "--data", tiny_docs_file, "--steps", steps)
    assert_user_error(code, out, err, "--steps", "positive", steps)


@pytest.mark.parametrize("command", ["train", "sample"])
@pytest.mark.parametrize("temperature", ["0", "-1"])
def test_non_positive_temperature(capsys, tiny_docs_file, tiny_ckpt, command, temperature):
    where = ["--data", tiny_docs_file] if command == "train" else ["--checkpoint", tiny_ckpt]
    code, out, err = cli(capsys, command, *where, "--temperature", temperature)
    assert_user_error(code, out, err, "--temperature", "positive", temperature)


def test_sample_missing_checkpoint(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # a short path: messages quote long ones cut
    code, out, err = cli(capsys, "sample", "--checkpoint", "nope.json")
    assert_user_error(code, out, err, "nope.json", "does not exist")


def test_sample_truncated_checkpoint(capsys, tmp_path, tiny_ckpt):
    text = tiny_ckpt.read_text(encoding="utf-8")
    half = tmp_path / "half.json"
    half.write_text(text[: len(text) // 2], encoding="utf-8")
    code, out, err = cli(capsys, "sample", "--checkpoint", half)
    assert_user_error(code, out, err, str(half), "not valid JSON", "truncated")


@pytest.fixture
def resumable(tmp_path, tiny_docs_file) -> Path:
    """A tiny run (n_embd 8) stopped after 2 of 6 steps, saved beside its dataset."""
    run = tiny_run(tiny_docs_file, 6)
    run.train(should_stop=lambda: run.step >= 2)
    return save_checkpoint(run.to_checkpoint(), tmp_path / "stopped.json")


def test_resume_with_different_config(capsys, resumable):
    before = resumable.read_bytes()
    code, out, err = cli(capsys, "train", "--resume", resumable, "--n-embd", 16)
    assert_user_error(code, out, err, "--n-embd 16", "the checkpoint has 8", str(resumable))
    assert resumable.read_bytes() == before


def test_resume_with_same_config_flags_is_fine(capsys, resumable):
    code, out, err = cli(
        capsys, "train", "--resume", resumable, "--n-embd", 8, "--steps", 6, "--samples", 0
    )
    assert code == 0, err
    assert [STEP_RE.fullmatch(s).group(1) for s in step_lines(out)] == ["3", "4", "5", "6"]


def test_resume_with_different_dataset(capsys, tmp_path, resumable):
    other = tmp_path / "other.txt"
    other.write_text("\n".join([*TINY_DOCS, "zoe"]) + "\n", encoding="utf-8")
    before = resumable.read_bytes()
    code, out, err = cli(capsys, "train", "--resume", resumable, "--data", other)
    assert_user_error(code, out, err, "not the one the checkpoint was trained on", "--data")
    assert resumable.read_bytes() == before


def test_sample_prefix_outside_vocabulary(capsys, tiny_ckpt):
    code, out, err = cli(capsys, "sample", "--checkpoint", tiny_ckpt, "--prefix", "eQ!")
    assert_user_error(code, out, err, "vocabulary", "'Q'", "'!'")


def test_sample_prefix_as_long_as_the_block(capsys, tiny_ckpt):
    prefix = "emmaemma"  # 8 characters: no room left in an 8-position context
    code, out, err = cli(capsys, "sample", "--checkpoint", tiny_ckpt, "--prefix", prefix)
    assert_user_error(code, out, err, prefix, "8 characters", "shorter prefix")


def test_sample_prefix_one_shorter_than_the_block(capsys, tiny_ckpt):
    prefix = "isabell"  # 7 characters: exactly one position left to sample
    code, out, err = cli(capsys, "sample", "--checkpoint", tiny_ckpt, "--prefix", prefix)
    assert code == 0, err
    texts = [line.split(": ", 1)[1] for line in sample_lines(out)]
    assert len(texts) == 20
    assert all(t.startswith(prefix) and len(t) <= 8 for t in texts)


def test_documents_longer_than_the_block_are_reported(capsys, tmp_path):
    docs = ["ab", "abcdefg", "abcdefgh", "abcdefghij", "abcdefghijkl", "abc"]
    path = tmp_path / "long.txt"
    path.write_text("\n".join(docs) + "\n", encoding="utf-8")
    code, out, err = cli(capsys, "train", "--data", path, "--steps", 2, *TINY_FLAGS, "--samples", 0)
    assert code == 0, err
    assert len(step_lines(out)) == 2
    assert "Traceback" not in err
    # 8, 10 and 12 characters do not fit 8 positions (a document needs one more than its
    # length); 7 characters fit exactly.
    assert "warning" in err and "3 document(s)" in err and "truncated" in err
    assert "--block-size 13" in err


def test_no_warning_when_documents_fit(capsys, tmp_path):
    path = tmp_path / "short.txt"
    path.write_text("ab\nabcdefg\n", encoding="utf-8")
    code, _, err = cli(capsys, "train", "--data", path, "--steps", 1, *TINY_FLAGS)
    assert code == 0
    assert "warning" not in err


# -- sample ------------------------------------------------------------------------------------
def library_samples(ckpt_path, num, seed=None, prefix="", temperature=0.5) -> list[str]:
    run = Run.from_checkpoint(load_checkpoint(ckpt_path))
    rng = run.rng if seed is None else random.Random(seed)
    texts = [sample(run.model, run.tokenizer, rng, temperature, prefix) for _ in range(num)]
    return [f"sample {i:2d}: {t}" for i, t in enumerate(texts, 1)]


def test_sample_with_seed_is_repeatable(capsys, tiny_ckpt):
    args = ["sample", "--checkpoint", tiny_ckpt, "--seed", 1, "--num", 3]
    code1, out1, _ = cli(capsys, *args)
    code2, out2, _ = cli(capsys, *args)
    assert code1 == code2 == 0
    assert out1 == out2
    assert sample_lines(out1) == out1.splitlines() == library_samples(tiny_ckpt, 3, seed=1)


def test_sample_without_seed_continues_the_checkpoints_rng(capsys, tiny_ckpt):
    code, out, _ = cli(capsys, "sample", "--checkpoint", tiny_ckpt, "--num", 4)
    assert code == 0
    assert out.splitlines() == library_samples(tiny_ckpt, 4)


def test_sample_prefix(capsys, tiny_ckpt):
    code, out, err = cli(
        capsys, "sample", "--checkpoint", tiny_ckpt, "--prefix", "em", "--num", 6, "--seed", 3
    )
    assert code == 0, err
    lines = sample_lines(out)
    assert len(lines) == 6
    assert all(line.split(": ", 1)[1].startswith("em") for line in lines)
    assert lines == library_samples(tiny_ckpt, 6, seed=3, prefix="em")


def test_sample_num_zero_prints_nothing(capsys, tiny_ckpt):
    code, out, _ = cli(capsys, "sample", "--checkpoint", tiny_ckpt, "--num", 0)
    assert code == 0 and out == ""


@pytest.mark.skipif(
    not shipped_checkpoint_path().exists(),
    reason="microgpt/data/model.json (the shipped model) has not been generated yet",
)
def test_sample_defaults_to_the_shipped_model(capsys):
    shipped = shipped_checkpoint_path()
    ckpt = load_checkpoint(shipped)
    assert ckpt.config == GPTConfig(vocab_size=ckpt.config.vocab_size)
    assert ckpt.step == ckpt.hyperparams.num_steps == 1000
    assert ckpt.hyperparams.seed == 42
    code, out, err = cli(capsys, "sample", "--num", 3, "--seed", 7)
    assert code == 0, err
    assert out.splitlines() == library_samples(shipped, 3, seed=7)
    assert all(re.fullmatch(r"sample +\d: \S*", line) for line in out.splitlines())
    json.loads(shipped.read_text(encoding="utf-8"))  # plain JSON


def test_out_into_a_missing_directory_is_refused_before_training(tiny_docs_file, tmp_path, capsys):
    from microgpt.cli import main

    out = str(tmp_path / "no" / "x.json")
    code = main(["train", "--data", str(tiny_docs_file), "--steps", "3", "--n-embd", "8",
                 "--n-head", "2", "--block-size", "8", "--out", out])  # fmt: skip
    captured = capsys.readouterr()
    assert code == 2 and "does not exist" in captured.err
    assert "step" not in captured.out  # nothing was trained (and lost)


def test_train_help_says_what_each_engine_costs(capsys):
    code, out, _ = cli(capsys, "train", "--help")
    assert code == 0
    text = " ".join(out.split())
    assert "--engine {floats,value}" in text
    assert "'floats' (default" in text and "'value' (the article's Value engine" in text
    assert "CPU-seconds" in text and "byte for byte" in text


def test_an_unknown_engine_is_an_argument_error(capsys, tmp_path):
    code, out, err = cli(capsys, "train", "--engine", "gpu", "--out", tmp_path / "x.json")
    assert code == 2 and out == "" and "invalid choice: 'gpu'" in err
    assert not (tmp_path / "x.json").exists()


# -- commands other packages add: the microgpt.commands entry points ---------------------------
def test_train_and_sample_never_load_the_explorer():
    code = (
        "import sys\n"
        "from microgpt.cli import build_parser\n"
        "build_parser(['train', '--steps', '3'])\n"
        "build_parser(['sample', '--num', '1'])\n"
        "assert not [m for m in sys.modules if m.split('.')[0] == 'explorer']\n"
        "build_parser(['graph', '--doc', 'emma'])\n"
        "assert 'explorer.commands' in sys.modules\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_help_lists_every_command_in_order(capsys):
    code, out, _ = cli(capsys, "--help")
    assert code == 0
    listed = re.findall(r"^    (\w+) ", out, re.MULTILINE)
    assert listed == ["train", "sample", "graph", "serve", "lessons"]


def test_a_command_that_fails_to_load_is_one_clear_error(monkeypatch, capsys):
    from importlib import metadata

    import microgpt.cli as cli_module

    broken = metadata.EntryPoint("broken", "no_such_module_xyz:add", cli_module.COMMANDS_GROUP)
    monkeypatch.setattr(cli_module.metadata, "entry_points", lambda group: [broken])
    code, out, err = cli(capsys, "graph", "--doc", "emma")
    assert code == 2 and out == ""
    assert "could not be loaded from no_such_module_xyz:add" in err and "reinstall" in err
    assert "Traceback" not in err and err.count("\n") == 1
    code, _, _ = cli(capsys, "sample", "--num", "0")  # microgpt's own commands still run
    assert code == 0


@pytest.mark.parametrize(
    ("flag", "value", "words"),
    [
        ("--steps", "0", "must be a positive integer, got 0"),
        ("--steps", "x", "'x' is not an integer"),
        ("--samples", "-1", "must be 0 or more, got -1"),
        ("--lr", "nan", "must be a positive number, got nan"),
        ("--lr", "1e999", "must be a positive number, got 1e999"),
        ("--lr", "ten", "'ten' is not a number"),
    ],
)
def test_the_command_line_numbers_are_checked(capsys, flag, value, words):
    code, _, err = cli(capsys, "train", flag, value)
    assert code == 2 and words in err
