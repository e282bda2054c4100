"""Checkpoints: an exact JSON round trip, snapshots, and every bad input failing clearly."""

from __future__ import annotations

import copy
import errno
import json
import math
import os
import re
from pathlib import Path

import pytest
from conftest import TINY_DOCS, TINY_SHAPE

import microgpt.checkpoint as checkpoint_module
from microgpt import MicrogptError, Run, load_checkpoint, save_checkpoint
from microgpt.train import Hyperparams

HP = Hyperparams(num_steps=6, snapshot_every=2)


def tiny_run(steps: int | None = None, hp: Hyperparams = HP) -> Run:
    """A tiny run trained ``steps`` steps (default: all of them)."""
    run = Run.start(TINY_DOCS, hp, **TINY_SHAPE)
    limit = hp.num_steps if steps is None else steps
    run.train(should_stop=lambda: run.step >= limit)
    assert run.step == limit
    return run


@pytest.fixture(scope="module")
def saved(tmp_path_factory) -> tuple[Path, Run]:
    """A run stopped after 5 of its 6 steps, saved; the file is never modified by tests."""
    run = tiny_run(5)
    path = tmp_path_factory.mktemp("ckpt") / "run.json"
    save_checkpoint(run.to_checkpoint(), path)
    return path, run


@pytest.fixture
def good(saved) -> dict:
    """A fresh copy of the saved checkpoint's JSON, to corrupt."""
    return json.loads(saved[0].read_text(encoding="utf-8"))


def expect_error(path: Path, *words: str) -> str:
    """Loading ``path`` raises MicrogptError whose message names the file and holds ``words``."""
    with pytest.raises(MicrogptError) as info:
        load_checkpoint(path)
    message = str(info.value)
    assert str(path) in message, message
    for word in words:
        assert word.lower() in message.lower(), f"{word!r} not in {message!r}"
    return message


def write(tmp_path: Path, ckpt: dict, name: str = "bad.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(ckpt), encoding="utf-8")
    return path


# -- round trip -----------------------------------------------------------------------------
def test_round_trip_is_exact(saved):
    path, run = saved
    back = Run.from_checkpoint(load_checkpoint(path), docs=TINY_DOCS)

    assert back.step == run.step == 5
    assert back.config == run.config
    assert back.hp == run.hp
    assert back.tokenizer == run.tokenizer
    assert back.docs == run.docs
    assert list(back.model.state_dict) == list(run.model.state_dict)
    assert back.model.weights() == run.model.weights()
    assert [p.data for p in back.model.params] == [p.data for p in run.model.params]
    assert back.adam_m == run.adam_m
    assert back.adam_v == run.adam_v
    assert any(m != 0.0 for m in back.adam_m) and any(v != 0.0 for v in back.adam_v)
    assert back.loss_history == run.loss_history
    assert len(back.loss_history) == 5
    assert back.snapshots == run.snapshots
    assert back.rng.getstate() == run.rng.getstate()
    assert back.data_info == run.data_info


def test_round_trip_continues_identically(saved):
    """The restored run's last step and its samples match the original's, bit for bit."""
    path, _ = saved
    original = tiny_run(5)
    back = Run.from_checkpoint(load_checkpoint(path), docs=TINY_DOCS)
    assert back.train_step() == original.train_step()
    assert back.model.weights() == original.model.weights()
    assert back.rng.random() == original.rng.random()


def test_loaded_without_docs_can_not_train(saved):
    run = Run.from_checkpoint(load_checkpoint(saved[0]))
    assert run.docs is None
    with pytest.raises(MicrogptError, match="without its dataset"):
        run.train_step()


def test_file_is_plain_json_with_weights_by_key(saved):
    path, run = saved
    raw = path.read_bytes()
    assert raw.lstrip().startswith(b"{")
    assert not raw.startswith(b"\x80")  # a pickle protocol header
    with path.open(encoding="utf-8") as f:
        ckpt = json.load(f)
    assert ckpt["format"] == "microgpt-checkpoint"
    assert ckpt["version"] == 2
    assert ckpt["step"] == 5

    # Only JSON's own types, and no string long enough to smuggle an encoded blob.
    def leaves(x):
        if isinstance(x, dict):
            for k, v in x.items():
                yield k
                yield from leaves(v)
        elif isinstance(x, list):
            for v in x:
                yield from leaves(v)
        else:
            yield x

    for leaf in leaves(ckpt):
        assert leaf is None or isinstance(leaf, (str, int, float, bool))
        if isinstance(leaf, str):
            assert len(leaf) <= 256 and "pickle" not in leaf.lower()

    weights = ckpt["weights"]
    assert list(weights) == list(run.model.state_dict) == list(run.config.matrix_shapes())
    for key, (rows, cols) in run.config.matrix_shapes().items():
        assert isinstance(weights[key], list) and len(weights[key]) == rows
        assert all(isinstance(row, list) and len(row) == cols for row in weights[key])
        assert weights[key] == [[p.data for p in row] for row in run.model.state_dict[key]]
    for moment in ("m", "v"):
        assert list(ckpt["adam"][moment]) == list(weights)


# -- snapshots --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("num_steps", "every", "expected"),
    [(6, 2, [0, 2, 4, 6]), (7, 3, [0, 3, 6, 7]), (5, 100, [0, 5]), (1, 1, [0, 1])],
)
def test_snapshots_every_n_steps_and_the_last(num_steps, every, expected):
    hp = Hyperparams(num_steps=num_steps, snapshot_every=every)
    run = tiny_run(hp=hp)
    snaps = run.snapshots
    assert [s["step"] for s in snaps] == expected
    shapes = run.config.matrix_shapes()
    for snap in snaps:
        assert list(snap["weights"]) == list(shapes)
        for key, (rows, cols) in shapes.items():
            mat = snap["weights"][key]
            assert len(mat) == rows and all(len(row) == cols for row in mat)
        # the snapshot is the weights after exactly that many steps
        assert snap["weights"] == tiny_run(snap["step"], hp=hp).model.weights()
    assert snaps[0]["loss"] is None and snaps[0]["grad_norms"] is None
    for snap in snaps[1:]:
        assert snap["loss"] == run.loss_history[snap["step"] - 1]
        norms = snap["grad_norms"]
        assert set(norms) == set(shapes)
        assert all(isinstance(g, float) and math.isfinite(g) and g >= 0 for g in norms.values())
        assert norms["lm_head"] > 0 and norms["wte"] > 0
    assert snaps[-1]["weights"] == run.model.weights()


def test_snapshots_are_copies_not_live_weights():
    run = tiny_run(2)
    first = copy.deepcopy(run.snapshots)
    run.train()
    assert run.snapshots[: len(first)] == first
    assert run.snapshots[0]["weights"] != run.model.weights()


# -- bad files --------------------------------------------------------------------------------
def test_missing_file(tmp_path):
    expect_error(tmp_path / "nope.json", "does not exist")


def test_directory_instead_of_file(tmp_path):
    expect_error(tmp_path, "is a directory")


def test_a_device_or_pipe_is_refused_not_read(tmp_path):
    """The API reads a checkpoint once, bounded: /dev/zero or a FIFO is refused at once."""
    expect_error("/dev/zero", "not a regular file")
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    expect_error(fifo, "not a regular file")


def test_truncated_file(tmp_path, saved):
    text = saved[0].read_text(encoding="utf-8")
    path = tmp_path / "half.json"
    path.write_text(text[: len(text) // 2], encoding="utf-8")
    expect_error(path, "not valid JSON", "truncated")


def test_empty_file(tmp_path):
    path = tmp_path / "empty.json"
    path.write_text("", encoding="utf-8")
    expect_error(path, "not valid JSON")


def test_wrong_version(tmp_path, good):
    good["version"] = 3
    expect_error(write(tmp_path, good), "version 3", "versions 1, 2")


def test_missing_version(tmp_path, good):
    del good["version"]
    expect_error(write(tmp_path, good), "version None")


@pytest.mark.parametrize("value", ["something-else", None])
def test_wrong_format_field(tmp_path, good, value):
    if value is None:
        del good["format"]
    else:
        good["format"] = value
    expect_error(write(tmp_path, good), "not a microgpt checkpoint", "format")


@pytest.mark.parametrize("text", ["[1, 2]", "null", '"microgpt-checkpoint"'])
def test_not_an_object(tmp_path, text):
    path = tmp_path / "odd.json"
    path.write_text(text, encoding="utf-8")
    expect_error(path, "not a microgpt checkpoint")


def test_missing_field(tmp_path, good):
    del good["adam"]
    expect_error(write(tmp_path, good), "missing", "adam")


def test_matrix_missing_a_row(tmp_path, good):
    good["weights"]["layer0.attn_wq"].pop()
    expect_error(write(tmp_path, good), "weights", "layer0.attn_wq", "8 × 8", "7 rows")


def test_matrix_missing_a_column(tmp_path, good):
    for row in good["weights"]["wpe"]:
        row.pop()
    expect_error(write(tmp_path, good), "weights", "wpe", "8 × 8", "7 columns")


def test_one_short_row(tmp_path, good):
    good["weights"]["layer0.mlp_fc2"][3].pop()
    expect_error(write(tmp_path, good), "layer0.mlp_fc2", "8 × 32", "row 3", "31 columns")


def test_row_that_is_not_a_list(tmp_path, good):
    good["weights"]["wte"][2] = 0.5
    expect_error(write(tmp_path, good), "wte", "row 2", "float")


def test_matrix_that_is_not_a_list(tmp_path, good):
    good["weights"]["wte"] = {"a": 1}
    expect_error(write(tmp_path, good), "wte", "matrix", "dict")


def test_missing_and_unexpected_matrix(tmp_path, good):
    good["weights"]["layer1.attn_wq"] = good["weights"].pop("layer0.attn_wq")
    expect_error(write(tmp_path, good), "does not fit the config", "layer0.attn_wq", "layer1")


def test_adam_moment_wrong_shape(tmp_path, good):
    good["adam"]["v"]["lm_head"].pop()
    expect_error(write(tmp_path, good), "adam.v", "lm_head")


def test_snapshot_wrong_shape(tmp_path, good):
    good["snapshots"][1]["weights"]["wte"][0].pop()
    expect_error(write(tmp_path, good), "snapshots[1].weights", "wte")


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity"])
def test_non_finite_weight(tmp_path, good, literal):
    marker = 123456.789
    good["weights"]["wte"][1][2] = marker
    text = json.dumps(good)
    assert text.count(repr(marker)) == 1
    path = tmp_path / "nan.json"
    path.write_text(text.replace(repr(marker), literal), encoding="utf-8")
    expect_error(path, literal, "finite")


def test_nan_in_adam_moments(tmp_path, good):
    text = json.dumps(good)
    first = json.dumps(good["adam"]["m"]["wpe"][0][0])
    start = text.index('"adam"')
    at = text.index(first, start)
    path = tmp_path / "nan.json"
    path.write_text(text[:at] + "NaN" + text[at + len(first) :], encoding="utf-8")
    expect_error(path, "NaN", "finite")


@pytest.mark.parametrize("value", ["0.5", None, True, [0.5], {"x": 1}])
def test_non_number_weight(tmp_path, good, value):
    good["weights"]["lm_head"][4][5] = value
    expect_error(write(tmp_path, good), "lm_head", "[4][5]", "not a finite number")


def test_non_number_loss(tmp_path, good):
    good["loss_history"][2] = "low"
    expect_error(write(tmp_path, good), "loss_history", "'low'")


def test_loss_history_length(tmp_path, good):
    good["loss_history"].pop()
    expect_error(write(tmp_path, good), "loss_history", "5")


def test_step_beyond_num_steps(tmp_path, good):
    good["step"] = 7
    expect_error(write(tmp_path, good), "step 7", "num_steps 6")


def test_vocab_does_not_match_config(tmp_path, good):
    good["vocab"].pop()
    expect_error(write(tmp_path, good), "vocab", "vocab_size is 13")


def test_config_vocab_size_does_not_match_vocab(tmp_path, good):
    good["config"]["vocab_size"] = 14
    expect_error(write(tmp_path, good), "12 characters in vocab", "14")


def test_unsorted_vocab(tmp_path, good):
    good["vocab"].reverse()
    expect_error(write(tmp_path, good), "vocab", "sorted")


def test_config_not_divisible(tmp_path, good):
    good["config"]["n_head"] = 3
    expect_error(write(tmp_path, good), "config", "divisible")


def test_config_unknown_field(tmp_path, good):
    good["config"]["n_experts"] = 4
    expect_error(write(tmp_path, good), "config", "n_experts")


def test_config_weights_mismatch(tmp_path, good):
    """A config that disagrees with the weights' shapes (n_embd 4 vs 8-wide matrices)."""
    good["config"]["n_embd"] = 4
    expect_error(write(tmp_path, good), "weights", "× 4")


def test_unknown_hyperparam(tmp_path, good):
    good["hyperparams"]["momentum"] = 0.9
    expect_error(write(tmp_path, good), "hyperparams", "momentum")


def test_bad_hyperparam_value(tmp_path, good):
    good["hyperparams"]["snapshot_every"] = 0
    expect_error(write(tmp_path, good), "hyperparams", "snapshot_every")


def test_bad_data_record(tmp_path, good):
    del good["data"]["sha256"]
    expect_error(write(tmp_path, good), "data", "sha256")


@pytest.mark.parametrize(
    "state",
    [
        [3, [1, 2, 3], None],  # wrong length
        [3, ["a"] * 625, None],  # not integers
        [3, [-1] * 624 + [624], None],  # out of range
        [3, [1] * 624 + [624], "x"],  # gauss_next not a number
        "seed 42",
    ],
)
def test_bad_rng_state(tmp_path, good, state):
    good["rng_state"] = state
    expect_error(write(tmp_path, good), "rng_state")


def test_every_validated_file_rebuilds(tmp_path, saved):
    """Sanity for the tests above: an unmodified copy loads, so each failure is the change's."""
    good = json.loads(saved[0].read_text(encoding="utf-8"))
    run = Run.from_checkpoint(load_checkpoint(write(tmp_path, good)), docs=TINY_DOCS)
    assert run.step == 5


# -- saving -----------------------------------------------------------------------------------
@pytest.fixture
def old_file(tmp_path) -> tuple[Path, bytes, Run]:
    """A directory holding only an existing checkpoint, and a run that has moved on."""
    directory = tmp_path / "out"
    directory.mkdir()
    run = tiny_run(2)
    path = save_checkpoint(run.to_checkpoint(), directory / "ckpt.json")
    run.train_step()
    return path, path.read_bytes(), run


def assert_untouched(path: Path, before: bytes) -> None:
    assert path.read_bytes() == before
    assert sorted(os.listdir(path.parent)) == [path.name]  # no temporary file left behind
    assert load_checkpoint(path).step == 2


def test_failed_rename_keeps_old_checkpoint(monkeypatch, old_file):
    path, before, run = old_file

    def broken_replace(src, dst):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(checkpoint_module.os, "replace", broken_replace)
    with pytest.raises(MicrogptError) as info:
        save_checkpoint(run.to_checkpoint(), path)
    message = str(info.value)
    assert str(path) in message
    assert "No space left on device" in message and "unchanged" in message
    monkeypatch.undo()
    assert_untouched(path, before)


def test_failed_fsync_keeps_old_checkpoint(monkeypatch, old_file):
    path, before, run = old_file

    def broken_fsync(fd):
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(checkpoint_module.os, "fsync", broken_fsync)
    with pytest.raises(MicrogptError, match=re.escape(str(path))):
        save_checkpoint(run.to_checkpoint(), path)
    monkeypatch.undo()
    assert_untouched(path, before)


def test_interrupted_save_keeps_old_checkpoint(monkeypatch, old_file):
    """Ctrl-C in the middle of a save: the interrupt propagates, nothing is half-written."""
    path, before, run = old_file

    def interrupted(fd):
        raise KeyboardInterrupt

    monkeypatch.setattr(checkpoint_module.os, "fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        save_checkpoint(run.to_checkpoint(), path)
    monkeypatch.undo()
    assert_untouched(path, before)


def test_diverged_run_is_not_saved(old_file):
    path, before, run = old_file
    run.model.params[0].data = float("nan")
    with pytest.raises(MicrogptError) as info:
        save_checkpoint(run.to_checkpoint(), path)
    assert str(path) in str(info.value) and "non-finite" in str(info.value)
    assert_untouched(path, before)


def test_successful_save_replaces_old_checkpoint(old_file):
    path, before, run = old_file
    save_checkpoint(run.to_checkpoint(), path)
    assert path.read_bytes() != before
    assert sorted(os.listdir(path.parent)) == [path.name]
    assert load_checkpoint(path).step == 3


def test_save_into_missing_directory(tmp_path):
    target = tmp_path / "no" / "such" / "dir" / "ckpt.json"
    with pytest.raises(MicrogptError) as info:
        save_checkpoint(tiny_run(1).to_checkpoint(), target)
    message = str(info.value)
    assert str(target) in message and str(target.parent) in message
    assert "does not exist" in message
    assert not (tmp_path / "no").exists()


def test_save_to_relative_path_in_cwd(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    save_checkpoint(tiny_run(1).to_checkpoint(), "here.json")
    assert load_checkpoint("here.json").step == 1
    assert os.listdir(tmp_path) == ["here.json"]


@pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")
def test_saved_file_gets_a_normal_files_mode(tmp_path):
    """Not mkstemp's 0o600: a checkpoint is as readable as any file the user creates."""
    umask = os.umask(0o027)
    try:
        path = save_checkpoint(tiny_run(1).to_checkpoint(), tmp_path / "ckpt.json")
    finally:
        os.umask(umask)
    assert path.stat().st_mode & 0o777 == 0o640


def test_json_nested_too_deeply(tmp_path):
    path = tmp_path / "deep.json"
    path.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    expect_error(path, "nests")


# -- the Checkpoint dataclass: typed fields, the file's JSON only in the loader and saver ------
def test_a_loaded_checkpoint_is_a_checkpoint_with_typed_settings(tmp_path):
    from microgpt import Checkpoint, GPTConfig

    run = tiny_run(3)
    path = save_checkpoint(run.to_checkpoint(), tmp_path / "c.json")
    ckpt = load_checkpoint(path)
    assert isinstance(ckpt, Checkpoint) and ckpt == run.to_checkpoint()
    assert isinstance(ckpt.config, GPTConfig) and ckpt.config == run.config
    assert ckpt.hyperparams == HP and ckpt.step == 3 and ckpt.step_docs == run.step_docs
    assert ckpt.layout.split(run.adam_m) == ckpt.adam["m"]
    # the file's fields, in the file's order, and the same bytes saved again
    data = ckpt.to_dict()
    assert list(data)[:3] == ["format", "version", "config"] and list(data)[-1] == "step_docs"
    again = save_checkpoint(ckpt, tmp_path / "again.json")
    assert again.read_bytes() == path.read_bytes()
    # outside the loader and saver a checkpoint is read by its attributes, never as a dict
    assert data["config"] == run.config.to_dict() and data["format"] == "microgpt-checkpoint"
    with pytest.raises(TypeError):
        ckpt["config"]


def test_a_version_1_checkpoint_has_no_step_docs_and_keeps_its_version(tmp_path):
    data = tiny_run(2).to_checkpoint().to_dict()
    data["version"] = 1
    del data["step_docs"]
    for snap in data["snapshots"]:
        del snap["adam"]
    path = tmp_path / "v1.json"
    path.write_text(json.dumps(data, separators=(",", ":")) + "\n", encoding="utf-8")
    ckpt = load_checkpoint(path)
    assert ckpt.step_docs is None and ckpt.version == 1 and "step_docs" not in ckpt.to_dict()
    again = save_checkpoint(ckpt, tmp_path / "again.json")
    assert again.read_bytes() == path.read_bytes()


def test_save_checkpoint_refuses_what_is_not_a_checkpoint(tmp_path):
    from microgpt.errors import ArgumentTypeError

    with pytest.raises(ArgumentTypeError, match="Checkpoint"):
        save_checkpoint([1, 2], tmp_path / "x.json")
    with pytest.raises(ArgumentTypeError, match="Checkpoint"):
        Run.from_checkpoint({"step": 3})


def test_save_checkpoint_never_overwrites_a_file_that_is_not_a_checkpoint(tmp_path):
    from microgpt.errors import ArgumentTypeError, OutputPathError

    ckpt = tiny_run(1).to_checkpoint()
    notes = tmp_path / "notes.ipynb"
    notes.write_text("a learner's notebook", encoding="utf-8")
    with pytest.raises(OutputPathError, match="not a microgpt checkpoint.*force=True"):
        save_checkpoint(ckpt, notes)
    assert notes.read_text(encoding="utf-8") == "a learner's notebook"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.ipynb"]
    for bad in (None, 5, ""):
        with pytest.raises(ArgumentTypeError, match="must be a file's path"):
            save_checkpoint(ckpt, bad)
    # a checkpoint is replaced (a run saving as it goes), and force=True replaces anything
    path = save_checkpoint(ckpt, tmp_path / "run.json")
    assert save_checkpoint(ckpt, path) == path
    save_checkpoint(ckpt, notes, force=True)
    assert load_checkpoint(notes) == ckpt
