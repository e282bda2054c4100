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
import operator
import os
import re
import stat
from collections.abc import Callable, Iterable
from pathlib import Path

from .errors import ArgumentTypeError, ConfigError, DataError, OutputPathError

__all__ = [
    "BYTES_PER_NODE",
    "MAX_STEP_NODES",
    "MAX_INPUT_BYTES",
    "MAX_CHECKPOINT_BYTES",
    "is_checkpoint_file",
    "file_head",
    "check_int",
    "check_number",
    "check_str",
    "check_choice",
    "check_instance",
    "check_docs",
    "step_nodes",
    "check_model_size",
    "check_input_file",
    "check_output_path",
    "human_bytes",
    "quoted",
    "read_input_file",
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
    Integers of other libraries (``numpy.int64``, anything with ``__index__``) are accepted
    and returned as ``int``."""
    if isinstance(value, bool) or not (
        isinstance(value, numbers.Integral) or hasattr(type(value), "__index__")
    ):
        raise ArgumentTypeError(f"{what} must be an integer, got {_short(value)}{_fix(fix)}")
    value = operator.index(value)
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
        raise ArgumentTypeError(f"{what} must be a string, got {_short(value)}{_fix(fix)}")
    if not value and not empty_ok:
        raise ConfigError(f"{what} is empty{_fix(fix)}")
    return value


def check_choice(value, what: str, choices: Iterable[str], fix: str = "") -> str:
    """``value`` as one of the strings ``choices`` (a wrong type or an unknown choice is one
    clear error that lists them)."""
    choices = tuple(choices)
    listed = ", ".join(repr(c) for c in choices)
    if not isinstance(value, str):
        raise ArgumentTypeError(f"{what} must be one of {listed}, got {_short(value)}{_fix(fix)}")
    if value not in choices:
        raise ConfigError(f"{what} must be one of {listed}, got {_short(value)}{_fix(fix)}")
    return value


def check_instance(value, what: str, types: type | tuple[type, ...], takes: str, fix: str = ""):
    """``value`` if it is an instance of ``types`` (``takes`` says what that is in words, e.g.
    ``"a ForwardPass"``), else an ``ArgumentTypeError`` naming ``what`` and what it got."""
    if not isinstance(value, types) or (isinstance(value, bool) and bool not in _tuple(types)):
        raise ArgumentTypeError(
            f"{what} must be {takes}, got {type(value).__name__} {_short(value)}{_fix(fix)}"
        )
    return value


def _tuple(types) -> tuple:
    return types if isinstance(types, tuple) else (types,)


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
    device, which could block or never end). A file that says it is empty (``/proc`` and
    ``/sys`` files do, whatever they hold) is measured by reading at most ``max_bytes + 1``
    bytes of it."""
    p = _input_path(path, what, fix)
    try:
        st = p.stat()
    except OSError as e:
        raise _unreadable(e, p, what, fix) from None
    _check_regular(st, p, what, fix)
    size = st.st_size
    if size > max_bytes:
        raise DataError(_too_large(what, p, size, max_bytes))
    if not os.access(p, os.R_OK):
        raise DataError(f"{what} {quoted(str(p))} is not readable: check its permissions")
    if size == 0:  # a pseudo-file's size says nothing: count what it holds
        read_input_file(p, what, max_bytes, fix)
    return p


def _unreadable(e: OSError, p: Path, what: str, fix: str) -> DataError:
    """The ``DataError`` for a failed stat or open of input ``p``: missing, a folder, other."""
    if isinstance(e, FileNotFoundError):
        return DataError(f"{what} {quoted(str(p))} does not exist{_fix(fix)}")
    if isinstance(e, IsADirectoryError):
        return DataError(f"{what} {quoted(str(p))} is a directory: give a file{_fix(fix)}")
    return DataError(f"cannot read {what} {quoted(str(p))}: {e.strerror or e}{_fix(fix)}")


def _check_regular(st: os.stat_result, p: Path, what: str, fix: str) -> None:
    """A ``DataError`` unless ``st`` is a regular file's (a folder, a device, a pipe)."""
    if stat.S_ISDIR(st.st_mode):
        raise DataError(f"{what} {quoted(str(p))} is a directory: give a file{_fix(fix)}")
    if not stat.S_ISREG(st.st_mode):
        raise DataError(
            f"{what} {quoted(str(p))} is not a regular file (a device, pipe or socket): give a file"
        )


def read_input_file(path, what: str, max_bytes: int = MAX_INPUT_BYTES, fix: str = "") -> bytes:
    """The bytes of the regular file ``path``, read through one descriptor checked to be a
    regular file, and at most ``max_bytes + 1`` of them (a file larger than its size said, or
    than ``max_bytes``, is refused). Opened non-blocking: a file that would wait for data (a
    FIFO put in its place, ``/proc/kmsg``) is refused, never waited for."""
    p = _input_path(path, what, fix)
    try:
        fd = os.open(p, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except OSError as e:
        raise _unreadable(e, p, what, fix) from None
    try:
        _check_regular(os.fstat(fd), p, what, fix)
        chunks, total = [], 0
        while total <= max_bytes:
            chunk = os.read(fd, 1 << 16)  # whole blocks: /proc/*/pagemap reads 8 at a time
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
    except BlockingIOError:
        raise DataError(
            f"{what} {quoted(str(p))} has no data to read now (it waits for more, as a pipe "
            "does): give a file"
        ) from None
    except OSError as e:
        raise DataError(
            f"cannot read {what} {quoted(str(p))}: {e.strerror or e}{_fix(fix)}"
        ) from None
    finally:
        os.close(fd)
    if total > max_bytes:
        raise DataError(_too_large(what, p, total, max_bytes, at_least=True))
    return b"".join(chunks)


def _input_path(path, what: str, fix: str) -> Path:
    if isinstance(path, bool) or not isinstance(path, (str, os.PathLike)):
        raise ArgumentTypeError(f"{what} must be a path, got {_short(path)}")
    if isinstance(path, str) and not path:
        raise DataError(f"{what} is empty: give a file{_fix(fix)}")
    return Path(path)


def _too_large(what: str, p: Path, size: int, max_bytes: int, at_least: bool = False) -> str:
    more = "more than " if at_least else ""
    return (
        f"{what} {quoted(str(p))} is {more}{human_bytes(size if not at_least else max_bytes)}; "
        f"the limit is {human_bytes(max_bytes)}: use a smaller file"
    )


def quoted(text: str, limit: int = 120) -> str:
    """``text`` quoted for a message; longer than ``limit`` characters, its start and end with
    its length: ``'xxxx…xx' (31,000,000 characters)``. A message stays one short line whatever
    a user passed (a document, a path, a pattern), and a long path keeps its file name."""
    text = str(text)
    shown = repr(text)
    if len(shown) <= limit:
        return shown
    tail = limit // 3
    head = limit - tail
    while head > 1 and len(repr(text[:head])) > limit - tail:  # escapes (\x00) are longer
        head -= 1
    while tail > 1 and len(repr(text[-tail:])) > limit // 3:
        tail -= 1
    start, end = repr(text[:head]), repr(text[-tail:])
    return f"{start[:-1]}…{end[1:]} ({len(text):,} characters)"


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
    raw = _output_text(path, what)
    p = Path(raw)
    _check_output_place(raw, what, "model.json" if kind == "checkpoint" else "view.svg")
    if not (p.exists() or p.is_symlink()):
        return p
    _check_replaceable(p, what, inputs, force, replaceable, kind)
    return p


def _output_text(path, what: str) -> str:
    """An output path as text: a ``str`` or ``PathLike`` (not bytes), not blank."""
    if isinstance(path, bool) or not isinstance(path, (str, os.PathLike)):
        raise ArgumentTypeError(f"{what} must be a path, got {_short(path)}")
    raw = os.fspath(path)
    if isinstance(raw, bytes):
        raise ArgumentTypeError(f"{what} must be a text path, got bytes {_short(raw)}")
    if not raw.strip():
        raise OutputPathError(f"{what} is empty: give a file name")
    return raw


def _check_output_place(raw: str, what: str, example: str) -> None:
    """Where ``raw`` would be written: a file name (not a folder) in a writable folder."""
    p = Path(raw)
    try:  # a name too long, a loop of links, a folder that may not be searched
        os.stat(raw)
    except (FileNotFoundError, NotADirectoryError):
        pass
    except OSError as e:
        raise OutputPathError(
            f"cannot write {what} {quoted(raw)}: {e.strerror or e}; choose another {what}"
        ) from None
    if p.is_dir():
        raise OutputPathError(
            f"{what} {quoted(str(p))} is a directory: give a file name inside it, e.g. "
            f"{quoted(str(p / example))}"
        )
    # Path() drops a trailing "/" and a last "." ("newdir/" would become a file "newdir")
    seps = tuple(s for s in (os.sep, os.altsep) if s)
    last = re.split("|".join(map(re.escape, seps)), raw.rstrip("".join(seps)) or raw)[-1]
    if raw.endswith(seps) or last in (".", ".."):
        raise OutputPathError(
            f"{what} {quoted(raw)} names a folder, which does not exist: give a file name, "
            f"e.g. {quoted(str(p / example))} (create the folder first)"
        )
    parent = p.parent if str(p.parent) else Path(".")
    if not parent.exists():
        raise OutputPathError(
            f"cannot write {what} {quoted(str(p))}: the directory {quoted(str(parent))} does "
            f"not exist; create it or choose another {what}"
        )
    if not parent.is_dir():
        raise OutputPathError(
            f"cannot write {what} {quoted(str(p))}: {quoted(str(parent))} is not a directory"
        )
    if p.exists() and not p.is_file():
        raise OutputPathError(
            f"{what} {quoted(str(p))} exists and is not a regular file: choose another {what}"
        )
    if not os.access(parent, os.W_OK | os.X_OK):
        raise OutputPathError(
            f"cannot write {what} {quoted(str(p))}: the directory {quoted(str(parent))} is "
            f"not writable; choose another {what}"
        )


def _check_replaceable(p: Path, what: str, inputs, force: bool, replaceable, kind: str) -> None:
    """An existing output: never an input of the run; a writable regular file; one this
    command writes (``replaceable``), else only with ``force``."""
    for flag, given in inputs:
        if given is not None and _same_file(p, Path(given)):
            raise OutputPathError(
                f"{what} {quoted(str(p))} is also this run's {flag}: writing it would destroy the "
                f"input; choose another {what}"
            )
    if not p.is_file():
        raise OutputPathError(
            f"{what} {quoted(str(p))} exists and is not a regular file: choose another {what}"
        )
    if not os.access(p, os.W_OK):
        raise OutputPathError(
            f"{what} {quoted(str(p))} is read-only: make it writable or choose another {what}"
        )
    if not force and not (replaceable is not None and replaceable(p)):
        raise OutputPathError(
            f"{what} {quoted(str(p))} already exists and is not a {kind} microgpt wrote: pass "
            f"{'--force' if what.startswith('--') else 'force=True'} to replace it, or choose "
            f"another {what.removeprefix('the ')}"
        )


def is_checkpoint_file(path: Path) -> bool:
    """Whether ``path`` starts as a microgpt checkpoint does (``{"format":"microgpt-…``)."""
    head = file_head(path, 256)
    return re.match(rb'\s*\{\s*"format"\s*:\s*"microgpt-checkpoint"', head) is not None


def file_head(path: Path, n: int) -> bytes:
    """The first ``n`` bytes of a regular file (``b""`` for anything else, never waiting: a
    FIFO or a device put in its place is not read)."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except OSError:
        return b""
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return b""
        return os.read(fd, n)
    except OSError:
        return b""
    finally:
        os.close(fd)


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except OSError:
        return False


def _range(lo, hi) -> str:
    if lo is not None and lo == hi:
        return f"{lo:,}"
    if lo is not None and hi is not None:
        return f"between {lo:,} and {hi:,}"
    return f"at least {lo:,}" if lo is not None else f"at most {hi:,}"


def _fix(fix: str) -> str:
    return f": {fix}" if fix else ""


def _short(value) -> str:
    """A one-line repr of at most 60 characters (a message names what it got, never a page)."""
    try:
        text = repr(value)
    except Exception:  # a broken __repr__ must not hide the message
        text = f"<{type(value).__name__}>"
    text = " ".join(text.split("\n"))
    return text if len(text) <= 60 else text[:57] + "..."
