"""Checkpoints: JSON files (never pickle), written atomically, validated on load.

A checkpoint is ``Run.to_checkpoint()`` plus a header::

    {"format": "microgpt-checkpoint", "version": 2,
     "config": {"vocab_size", "n_embd", "n_head", "n_layer", "block_size"},
     "hyperparams": {"num_steps", "learning_rate", "beta1", "beta2", "eps_adam", "seed",
                     "snapshot_every"},
     "vocab": ["a", "b", ...],            # BOS is len(vocab)
     "data": {"source", "num_docs", "sha256"},
     "step": 1000,                        # steps done
     "weights": {"wte": [[...], ...], "wpe": ..., "lm_head": ..., "layer0.attn_wq": ..., ...},
     "adam": {"m": {key: matrix}, "v": {key: matrix}},
     "rng_state": [version, [625 ints], gauss_next],
     "loss_history": [one loss per step done],
     "snapshots": [{"step", "loss", "weights", "adam": {"m", "v"}, "grad_norms"}, ...],
     "step_docs": [the document each step trained on]}

Version 2 added each snapshot's Adam moments and ``step_docs``: with them, the state after any
step is re-created exactly by replaying from the snapshot before it (``Run.replayed``).
Version 1 files still load; they can be sampled, drawn and resumed, but not replayed.

Floats are written with ``repr`` (JSON's default), which round-trips exactly, so a resumed run
is bit-identical to an uninterrupted one. Saving goes through ``microgpt.files``'s atomic
writer, so a failed or killed write leaves the old checkpoint as it was.
"""

from __future__ import annotations

import json
import math
import os
import random
from importlib import resources
from pathlib import Path

from .checkpoint_data import FORMAT, REQUIRED_FIELDS, VERSION, Checkpoint
from .errors import ArgumentTypeError, MicrogptError, OutputPathError
from .files import write_atomically
from .hyperparams import Hyperparams
from .model import GPTConfig
from .validate import MAX_CHECKPOINT_BYTES, is_checkpoint_file, quoted, read_input_file

__all__ = [
    "FORMAT",
    "VERSION",
    "Checkpoint",
    "save_checkpoint",
    "load_checkpoint",
    "shipped_checkpoint_path",
]

READABLE_VERSIONS = (1, 2)


def shipped_checkpoint_path() -> Path:
    """The checkpoint shipped inside the package (1,000 steps on the bundled names, seed 42)."""
    return Path(str(resources.files("microgpt").joinpath("data", "model.json")))


def save_checkpoint(ckpt: Checkpoint | dict, path: str | os.PathLike, force: bool = False) -> Path:
    """Write ``ckpt`` (from ``Run.to_checkpoint()``, or its JSON data as a dict) to ``path``
    atomically; returns the path. A file already there is replaced only if it is a checkpoint
    (or ``force=True``): a notebook or a text file given by mistake is never overwritten."""
    if not isinstance(path, (str, os.PathLike)) or not str(path):
        raise ArgumentTypeError(
            f"save_checkpoint(path) must be a file's path, got {type(path).__name__} "
            f"{quoted(repr(path))}: e.g. 'run.json'"
        )
    path = Path(path)
    if path.exists() and not force and not is_checkpoint_file(path):
        raise OutputPathError(
            f"not saving over {quoted(str(path))}: it is not a microgpt checkpoint; choose "
            "another path, or pass force=True to replace it"
        )
    if isinstance(ckpt, Checkpoint):
        payload = ckpt.to_dict()
    elif isinstance(ckpt, dict):
        payload = {"format": FORMAT, "version": VERSION, **ckpt}
    else:
        raise ArgumentTypeError(
            f"save_checkpoint takes a Checkpoint, got {type(ckpt).__name__}: e.g. "
            "run.to_checkpoint()"
        )
    try:
        text = json.dumps(payload, allow_nan=False, separators=(",", ":"))
    except ValueError as e:
        raise MicrogptError(
            f"not saving {str(path)!r}: the run holds a non-finite number ({e}); the training "
            "diverged, try a lower learning rate"
        ) from None
    return write_atomically(path, text.encode("utf-8") + b"\n", "checkpoint")


def load_checkpoint(path: str | os.PathLike | None = None) -> Checkpoint:
    """Read and validate a checkpoint (default: the shipped one). Errors name file and problem."""
    path = Path(path) if path is not None else shipped_checkpoint_path()
    where = f"checkpoint {str(path)!r}"
    if not path.exists():
        raise MicrogptError(f"{where} does not exist: check the path (train one with --out)")
    # one bounded read of a regular file: a device, a pipe or a file over the limit is
    # refused, never read without end (the CLI checks the path first; the API is here)
    raw = read_input_file(path, "checkpoint", MAX_CHECKPOINT_BYTES)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise MicrogptError(
            f"cannot read {where}: it is not UTF-8 text ({e.reason} at byte {e.start}); a "
            "checkpoint is JSON written by microgpt train --out"
        ) from None
    try:
        ckpt = json.loads(text, parse_constant=_reject_constant, parse_float=_finite_float)
    except json.JSONDecodeError as e:
        raise MicrogptError(
            f"{where} is not valid JSON ({e.msg} at line {e.lineno}, column {e.colno}); it may "
            "be truncated or not a microgpt checkpoint: train or download it again"
        ) from None
    except ValueError as e:  # NaN / Infinity / 1e999 / an int of thousands of digits
        raise MicrogptError(
            f"{where} holds {e}: a checkpoint holds finite numbers only; the file is damaged"
        ) from None
    except RecursionError:  # brackets nested thousands deep: no checkpoint looks like that
        raise MicrogptError(
            f"{where} nests its JSON too deeply to be a microgpt checkpoint: train or download "
            "it again"
        ) from None
    _validate(ckpt, where)
    return Checkpoint.from_dict(ckpt)


def _reject_constant(name: str):
    raise ValueError(f"a non-finite number ({name})")


def _finite_float(text: str) -> float:
    """A JSON number with a fraction or exponent, refused when no float holds it (``1e999``
    would become inf)."""
    x = float(text)
    if not math.isfinite(x):
        shown = text if len(text) <= 30 else f"{text[:27]}..."
        raise ValueError(f"a number too large for a float ({shown})")
    return x


def _is_finite_number(x) -> bool:
    """A JSON number a float holds: not a bool, not inf or nan, not an int beyond any float."""
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        return False
    try:
        return math.isfinite(x)
    except OverflowError:  # an int of hundreds of digits
        return False


def _validate(ckpt, where: str) -> None:
    """Every field of a checkpoint's JSON data, checked before a ``Checkpoint`` is made of it;
    the first problem is a ``MicrogptError`` naming ``where`` and the field."""

    def fail(problem: str):
        raise MicrogptError(f"{where}: {problem}")

    version = _check_header(ckpt, fail)
    config = _check_settings(ckpt, fail)
    step = _check_progress(ckpt, fail)
    shapes = config.matrix_shapes()
    _check_matrices(ckpt["weights"], shapes, "weights", fail)
    if not isinstance(ckpt["adam"], dict):
        fail("adam must hold m and v")
    _check_moments(ckpt["adam"], shapes, "adam", fail)
    _check_rng_state(ckpt["rng_state"], fail)
    if not isinstance(ckpt["snapshots"], list):
        fail("snapshots must be a list")
    for i, snap in enumerate(ckpt["snapshots"]):
        _check_snapshot(snap, i, step, shapes, version, fail)
    if version >= 2:
        step_docs = ckpt.get("step_docs")
        if (
            not isinstance(step_docs, list)
            or len(step_docs) != step
            or not all(isinstance(d, str) and d for d in step_docs)
        ):
            fail(f"step_docs should hold the document (non-empty text) of each step done ({step})")


def _check_header(ckpt, fail) -> int:
    """The format, a version this microgpt reads (returned), and every required field."""
    if not isinstance(ckpt, dict) or ckpt.get("format") != FORMAT:
        fail(f'not a microgpt checkpoint (no "format": "{FORMAT}" field)')
    version = ckpt.get("version")
    if isinstance(version, bool) or version not in READABLE_VERSIONS:
        fail(
            f"format version {version!r}, but this microgpt reads versions "
            f"{', '.join(map(str, READABLE_VERSIONS))}: use the microgpt release that wrote it, "
            "or train a new checkpoint"
        )
    missing = [k for k in REQUIRED_FIELDS if k not in ckpt]
    if missing:
        fail(f"missing field(s) {', '.join(missing)}")
    return version


def _check_settings(ckpt, fail) -> GPTConfig:
    """The config (returned), the hyperparameters, the dataset's record and the vocabulary."""
    try:
        config = GPTConfig(**ckpt["config"])
    except (TypeError, MicrogptError) as e:
        fail(f"bad config {ckpt['config']!r}: {e}")
    hyperparams = ckpt["hyperparams"]
    try:
        Hyperparams(**hyperparams)
    except (TypeError, MicrogptError) as e:
        fail(f"bad hyperparams {hyperparams!r}: {e}")
    data = ckpt["data"]
    if not (
        isinstance(data, dict)
        and isinstance(data.get("sha256"), str)
        and isinstance(data.get("num_docs"), int)
        and (data.get("source") is None or isinstance(data.get("source"), str))
    ):
        fail('data must be {"source": ..., "num_docs": int, "sha256": str}')
    vocab = ckpt["vocab"]
    if (
        not isinstance(vocab, list)
        or not all(isinstance(c, str) and len(c) == 1 for c in vocab)
        or len(set(vocab)) != len(vocab)
        or vocab != sorted(vocab)
    ):
        fail("vocab must be a sorted list of distinct single characters")
    if len(vocab) + 1 != config.vocab_size:
        fail(f"{len(vocab)} characters in vocab but config.vocab_size is {config.vocab_size}")
    return config


def _check_progress(ckpt, fail) -> int:
    """The step (returned: within the run's ``num_steps``) and one finite loss per step."""
    step = ckpt["step"]
    num_steps = ckpt["hyperparams"].get("num_steps")
    if (
        isinstance(step, bool)
        or not isinstance(step, int)
        or not isinstance(num_steps, int)
        or not 0 <= step <= num_steps
    ):
        fail(f"step {step!r} is not between 0 and the run's num_steps {num_steps!r}")
    if not isinstance(ckpt["loss_history"], list) or len(ckpt["loss_history"]) != step:
        fail(f"loss_history should hold one loss per step done ({step})")
    _check_numbers(ckpt["loss_history"], "loss_history", fail)
    return step


def _check_rng_state(rng, fail) -> None:
    """A state ``random.Random.setstate`` takes: ``[version, [internal state], gauss_next]``."""
    if not (isinstance(rng, list) and len(rng) == 3 and isinstance(rng[1], list)):
        fail("rng_state must be [version, [internal state], gauss_next]")
    gauss_next = rng[2]
    try:
        if gauss_next is not None:
            _check_numbers([gauss_next], "rng_state's gauss_next", fail)
        random.Random().setstate((rng[0], tuple(rng[1]), gauss_next))
    except (TypeError, ValueError, OverflowError) as e:
        fail(f"rng_state is not a valid random state ({e})")


def _check_snapshot(snap, i: int, step: int, shapes: dict, version: int, fail) -> None:
    """One snapshot: its step, weights, loss (None at step 0), gradient norms (None at step 0,
    else one non-negative number per matrix) and, from version 2, Adam's moments."""
    what = f"snapshots[{i}]"
    if not isinstance(snap, dict) or "step" not in snap or "weights" not in snap:
        fail(f"snapshot {i} must hold step and weights")
    s = snap["step"]
    if isinstance(s, bool) or not isinstance(s, int) or not 0 <= s <= step:
        fail(f"snapshot {i}'s step {s!r} is not between 0 and the step ({step})")
    _check_matrices(snap["weights"], shapes, f"{what}.weights", fail)
    loss = snap.get("loss")
    if not (loss is None or _is_finite_number(loss)):
        fail(f"{what}.loss is {_short(loss)}, not a finite number (or null at step 0)")
    norms = snap.get("grad_norms")
    if norms is not None:
        if not isinstance(norms, dict) or set(norms) != set(shapes):
            fail(f"{what}.grad_norms must map each parameter matrix to its gradient norm")
        for key, x in norms.items():
            if not _is_finite_number(x) or x < 0:
                fail(f"{what}.grad_norms[{key!r}] is {_short(x)}, not a finite number >= 0")
    if version >= 2 or "adam" in snap:
        _check_moments(snap.get("adam"), shapes, f"{what}.adam", fail)


def _short(value) -> str:
    text = repr(value)
    return text if len(text) <= 40 else f"{text[:37]}..."


def _check_moments(adam, shapes: dict, what: str, fail) -> None:
    """Adam's moments: m any finite number, v (a running mean of squares) never negative."""
    if not isinstance(adam, dict):
        fail(f"{what} must hold Adam's moments m and v")
    for moment in ("m", "v"):
        _check_matrices(adam.get(moment), shapes, f"{what}.{moment}", fail)
    for key, mat in adam["v"].items():
        for r, row in enumerate(mat):
            for c, x in enumerate(row):
                if x < 0:
                    fail(
                        f"{what}.v[{key!r}][{r}][{c}] is {x!r}: Adam's second moment is a mean "
                        "of squares and cannot be negative; the file is damaged"
                    )


def _check_numbers(values, what: str, fail) -> None:
    for x in values:
        if not _is_finite_number(x):
            fail(f"{what} holds {_short(x)}, not a finite number")


def _check_matrices(mats, shapes: dict, what: str, fail) -> None:
    if not isinstance(mats, dict):
        fail(f"{what} must map parameter names to matrices")
    missing = [k for k in shapes if k not in mats]
    extra = [k for k in mats if k not in shapes]
    if missing or extra:
        fail(
            f"{what} does not fit the config: missing {missing or 'nothing'}, "
            f"unexpected {extra or 'nothing'}"
        )
    for key, (rows, cols) in shapes.items():
        mat = mats[key]
        if not isinstance(mat, list):
            fail(f"{what}[{key!r}] should be a {rows} × {cols} matrix, got {type(mat).__name__}")
        if len(mat) != rows:
            fail(f"{what}[{key!r}] should be {rows} × {cols}, but it has {len(mat)} rows")
        for r, row in enumerate(mat):
            if not isinstance(row, list) or len(row) != cols:
                got = f"{len(row)} columns" if isinstance(row, list) else type(row).__name__
                fail(f"{what}[{key!r}] should be {rows} × {cols}, but row {r} has {got}")
        for r, row in enumerate(mat):
            for c, x in enumerate(row):
                if not _is_finite_number(x):
                    fail(f"{what}[{key!r}][{r}][{c}] is {_short(x)}, not a finite number")
