"""The checks every entry point runs on its input before any work: types, ranges, finiteness,
sizes (with the limit and the memory it would take), input files (regular, bounded) and output
paths (writable, not a directory, not an input, not an unrelated file).

Each check raises a ``microgpt.errors`` type whose message says what was wrong and how to fix
it; the CLI, the dataset loader, the model's config, ``Hyperparams``, ``Run`` and the explorer's
public functions call them at their boundary. Standard library only; prints nothing.
"""

from __future__ import annotations

import math
import numbers
import os
import re
from collections.abc import Callable, Iterable
from pathlib import Path

from .errors import ArgumentTypeError, ConfigError, DataError, OutputPathError

__all__ = [
    "BYTES_PER_NODE",
    "MAX_STEP_NODES",
    "MAX_INPUT_BYTES",
    "MAX_CHECKPOINT_BYTES",
    "is_checkpoint_file",
    "is_view_file",
    "check_int",
    "check_number",
    "check_str",
    "check_docs",
    "step_nodes",
    "check_model_size",
    "check_input_file",
    "check_output_path",
    "human_bytes",
]

#: Measured memory of one recorded scalar node (a ``Value``, its tuples and floats).
BYTES_PER_NODE = 200
#: The most nodes one training step over a full context may record (about 2 GB of nodes).
MAX_STEP_NODES = 10_000_000
#: The largest text file read as a dataset (the article's names.txt is 228 KB).
MAX_INPUT_BYTES = 64 * 1024 * 1024
#: The largest checkpoint read (the shipped one, with 11 snapshots, is about 1 MB).
MAX_CHECKPOINT_BYTES = 512 * 1024 * 1024


def human_bytes(n: float) -> str:
    """``1.5 GB``-style sizes (powers of 1,000, as disks are sold)."""
    for unit in ("bytes", "KB", "MB", "GB", "TB", "PB"):
        if abs(n) < 1000 or unit == "PB":
            return f"{n:,.0f} {unit}" if unit == "bytes" else f"{n:,.1f} {unit}"
        n /= 1000
    return f"{n} PB"  # pragma: no cover


def check_int(value, what: str, lo: int | None = None, hi: int | None = None, fix: str = ""):
    """``value`` as an int in ``[lo, hi]`` (bools are refused: ``True`` is not a size).
    Integers of other libraries (``numpy.int64``) are accepted and returned as ``int``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ArgumentTypeError(f"{what} must be an integer, got {_short(value)}{_fix(fix)}")
    value = int(value)
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        raise ConfigError(f"{what} must be {_range(lo, hi)}, got {value:,}{_fix(fix)}")
    return value


def check_number(
    value,
    what: str,
    lo: float | None = None,
    hi: float | None = None,
    *,
    lo_open: bool = False,
    hi_open: bool = False,
    fix: str = "",
) -> float:
    """``value`` as a finite float within the bounds (``lo_open``: strictly above ``lo``)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ArgumentTypeError(f"{what} must be a number, got {_short(value)}{_fix(fix)}")
    try:
        finite = math.isfinite(value)
    except OverflowError:  # an int beyond any float
        finite = False
    if not finite:
        raise ConfigError(f"{what} must be a finite number, got {_short(value)}{_fix(fix)}")
    below = lo is not None and (value <= lo if lo_open else value < lo)
    above = hi is not None and (value >= hi if hi_open else value > hi)
    if below or above:
        lo_text = None if lo is None else f"{lo:g}"
        hi_text = None if hi is None else f"{hi:g}"
        bounds = (
            f"{'above' if lo_open else 'at least'} {lo_text}" if lo_text is not None else "",
            f"{'below' if hi_open else 'at most'} {hi_text}" if hi_text is not None else "",
        )
        rule = " and ".join(b for b in bounds if b)
        raise ConfigError(f"{what} must be {rule}, got {value!r}{_fix(fix)}")
    return value if type(value) in (int, float) else float(value)  # e.g. numpy.float32


def check_str(value, what: str, fix: str = "", empty_ok: bool = False) -> str:
    """``value`` as a string (a non-empty one unless ``empty_ok``)."""
    if not isinstance(value, str):
        raise ArgumentTypeError(f"{what} must be a string, got {value!r}{_fix(fix)}")
    if not value and not empty_ok:
        raise ConfigError(f"{what} is empty{_fix(fix)}")
    return value


def check_docs(docs) -> list[str]:
    """A dataset given to the API: a list (or tuple) of non-empty strings."""
    if isinstance(docs, (str, bytes)) or not isinstance(docs, (list, tuple)):
        raise ArgumentTypeError(
            f"docs must be a list of strings (one per document), got {type(docs).__name__} "
            f"{_short(docs)}: e.g. Run.start(['emma', 'olivia']), or load_docs(path)"
        )
    if not docs:
        raise DataError("the dataset holds no documents: give at least one line of text")
    for i, d in enumerate(docs):
        if not isinstance(d, str):
            raise ArgumentTypeError(f"docs[{i}] is {_short(d)}, not a string")
        if not d:
            raise DataError(f"docs[{i}] is empty: drop empty documents")
    return list(docs)


def step_nodes(config) -> int:
    """About how many nodes one training step over a full context records (the forward pass
    and its parameters): the matrix products, the attention over every earlier position, the
    norms and softmaxes. Within a few percent of the count for the article's shape."""
    n, layers, heads = config.n_embd, config.n_layer, config.n_head
    vocab, t = config.vocab_size, config.block_size
    per_position = 2 * (12 * layers * n * n + vocab * n) + 30 * layers * n + 4 * vocab
    attention = layers * (4 * n + 8 * heads) * t * (t + 1) // 2
    return num_params(config) + t * per_position + attention


def num_params(config) -> int:
    """``config.num_params()`` by formula (no loop over layers: safe for absurd sizes)."""
    n = config.n_embd
    return (2 * config.vocab_size + config.block_size) * n + config.n_layer * 12 * n * n


def check_model_size(config) -> None:
    """Refuse a shape whose training step would not fit in memory, before anything is built."""
    nodes = step_nodes(config)
    if nodes > MAX_STEP_NODES:
        shape = ", ".join(
            f"{k}={getattr(config, k):,}"
            for k in ("vocab_size", "n_embd", "n_head", "n_layer", "block_size")
        )
        raise ConfigError(
            f"the model is too large: {shape} has {num_params(config):,} parameters, and one "
            f"training step over a full context would record about {nodes:,} scalar nodes "
            f"(~{human_bytes(nodes * BYTES_PER_NODE)} of memory); the limit is "
            f"{MAX_STEP_NODES:,} nodes (~{human_bytes(MAX_STEP_NODES * BYTES_PER_NODE)}). "
            "Use a smaller --n-embd, --n-layer or --block-size (the article's: 16, 1, 16)"
        )


def check_input_file(path, what: str, max_bytes: int = MAX_INPUT_BYTES, fix: str = "") -> Path:
    """An existing regular file no larger than ``max_bytes`` (never a directory, a FIFO or a
    device, which could block or never end)."""
    if isinstance(path, bool) or not isinstance(path, (str, os.PathLike)):
        raise ArgumentTypeError(f"{what} must be a path, got {_short(path)}")
    if isinstance(path, str) and not path:
        raise DataError(f"{what} is empty: give a file{_fix(fix)}")
    p = Path(path)
    try:
        st = p.stat()
    except FileNotFoundError:
        raise DataError(f"{what} {str(p)!r} does not exist{_fix(fix)}") from None
    except OSError as e:
        raise DataError(f"cannot read {what} {str(p)!r}: {e.strerror or e}{_fix(fix)}") from None
    if p.is_dir():
        raise DataError(f"{what} {str(p)!r} is a directory: give a file{_fix(fix)}")
    if not p.is_file():
        raise DataError(
            f"{what} {str(p)!r} is not a regular file (a device, pipe or socket): give a file"
        )
    if st.st_size > max_bytes:
        raise DataError(
            f"{what} {str(p)!r} is {human_bytes(st.st_size)}; the limit is "
            f"{human_bytes(max_bytes)}: use a smaller file"
        )
    if not os.access(p, os.R_OK):
        raise DataError(f"{what} {str(p)!r} is not readable: check its permissions")
    return p


def check_output_path(
    path,
    what: str = "--out",
    *,
    inputs: Iterable[tuple[str, object]] = (),
    force: bool = False,
    replaceable: Callable[[Path], bool] | None = None,
    kind: str = "file",
) -> Path:
    """Refuse, before any work, an output path that cannot or should not be written.

    ``inputs``: ``(flag, path)`` pairs this run reads (never overwritten, even with ``force``).
    ``replaceable(p)``: whether an existing file is one this command writes (a checkpoint, a
    view) and may be replaced; any other existing file needs ``force``.
    """
    if isinstance(path, bool) or not isinstance(path, (str, os.PathLike)):
        raise ArgumentTypeError(f"{what} must be a path, got {_short(path)}")
    if isinstance(path, str) and not path.strip():
        raise OutputPathError(f"{what} is empty: give a file name")
    p = Path(path)
    if p.is_dir():
        raise OutputPathError(
            f"{what} {str(p)!r} is a directory: give a file name inside it, e.g. "
            f"{str(p / ('model.json' if kind == 'checkpoint' else 'view.svg'))!r}"
        )
    parent = p.parent if str(p.parent) else Path(".")
    if not parent.exists():
        raise OutputPathError(
            f"cannot write {what} {str(p)!r}: the directory {str(parent)!r} does not exist; "
            f"create it or choose another {what}"
        )
    if not parent.is_dir():
        raise OutputPathError(f"cannot write {what} {str(p)!r}: {str(parent)!r} is not a directory")
    if p.exists() and not p.is_file():
        raise OutputPathError(
            f"{what} {str(p)!r} exists and is not a regular file: choose another {what}"
        )
    if not os.access(parent, os.W_OK | os.X_OK):
        raise OutputPathError(
            f"cannot write {what} {str(p)!r}: the directory {str(parent)!r} is not writable; "
            f"choose another {what}"
        )
    if not (p.exists() or p.is_symlink()):
        return p
    for flag, given in inputs:
        if given is not None and _same_file(p, Path(given)):
            raise OutputPathError(
                f"{what} {str(p)!r} is also this run's {flag}: writing it would destroy the "
                f"input; choose another {what}"
            )
    if not p.is_file():
        raise OutputPathError(
            f"{what} {str(p)!r} exists and is not a regular file: choose another {what}"
        )
    if not os.access(p, os.W_OK):
        raise OutputPathError(
            f"{what} {str(p)!r} is read-only: make it writable or choose another {what}"
        )
    if not force and not (replaceable is not None and replaceable(p)):
        raise OutputPathError(
            f"{what} {str(p)!r} already exists and is not a {kind} microgpt wrote: pass "
            f"--force to replace it, or choose another {what}"
        )
    return p


def is_checkpoint_file(path: Path) -> bool:
    """Whether ``path`` starts as a microgpt checkpoint does (``{"format":"microgpt-…``)."""
    head = _head(path, 256)
    return re.match(rb'\s*\{\s*"format"\s*:\s*"microgpt-checkpoint"', head) is not None


#: What each format ``microgpt graph`` writes carries near its start.
_VIEW_MARKS = {
    ".svg": b" data-layout=",  # on the <svg> element the package writes
    ".html": b"microgpt-export-data",
    ".dot": b"digraph microgpt",
    ".json": b'"address"',
    ".txt": b"\naddress: ",
    ".png": b"\x89PNG\r\n\x1a\n",  # dot's PNG carries no mark of its own: any PNG
}


def is_view_file(path: Path) -> bool:
    """Whether ``path`` looks like a view ``microgpt graph`` wrote in its format."""
    mark = _VIEW_MARKS.get(path.suffix.lower())
    return mark is not None and mark in _head(path, 64 * 1024)


def _head(path: Path, n: int) -> bytes:
    if not path.is_file():  # never open a FIFO or a device: it could block
        return b""
    try:
        with open(path, "rb") as f:
            return f.read(n)
    except OSError:
        return b""


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except OSError:
        return False


def _range(lo, hi) -> str:
    if lo is not None and hi is not None:
        return f"between {lo:,} and {hi:,}"
    return f"at least {lo:,}" if lo is not None else f"at most {hi:,}"


def _fix(fix: str) -> str:
    return f": {fix}" if fix else ""


def _short(value) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
