"""Writing files so that nothing is ever half-written: one atomic writer for every output.

``write_atomically`` writes to a temporary file beside the target (``.NAME.XXXX.tmp``), flushes
it to disk, then renames it over the target: a reader sees the old file or the new one, never a
mix, and a failed or killed write leaves the old file as it was. A killed write can leave its
temporary file behind; the next successful write of the same target removes such leftovers.
Checkpoints (``microgpt.checkpoint``) and pictures (``explorer.render``) both write through it.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from .errors import MicrogptError

__all__ = ["write_atomically", "temporary_files"]


def write_atomically(path: str | os.PathLike, data: bytes, what: str = "file") -> Path:
    """Write ``data`` to ``path`` atomically; returns the path.

    The file keeps the mode of the file it replaces (a new one gets the mode ``open()`` would
    give it). Errors are ``MicrogptError`` naming ``what`` and saying that nothing changed.
    """
    path = Path(path)
    directory = path.parent if str(path.parent) else Path(".")
    if not directory.is_dir():
        raise MicrogptError(
            f"cannot write the {what} {str(path)!r}: the directory {str(directory)!r} does not "
            "exist; create it or choose another path"
        )
    if path.is_dir():
        raise MicrogptError(
            f"cannot write the {what} {str(path)!r}: it is a directory; give a file name"
        )
    # mkstemp makes the file private (0o600): keep the mode of the file it replaces, or give
    # it the mode open() would give a new file.
    mode = path.stat().st_mode & 0o777 if path.exists() else _new_file_mode()
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    except OSError as e:
        raise MicrogptError(
            f"cannot write the {what} {str(path)!r} ({e.strerror or e}); nothing was changed "
            "there: choose a folder you can write to"
        ) from None
    try:
        os.chmod(tmp, mode)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except OSError as e:
        Path(tmp).unlink(missing_ok=True)
        raise MicrogptError(
            f"could not write the {what} {str(path)!r} ({e.strerror or e}); any earlier file "
            "there is unchanged. Free some space or choose another path"
        ) from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    for stale in temporary_files(path):  # left by writes that were killed
        stale.unlink(missing_ok=True)
    return path


def temporary_files(path: str | os.PathLike) -> list[Path]:
    """Temporary files of unfinished writes of ``path`` (``.NAME.*.tmp`` beside it)."""
    path = Path(path)
    directory = path.parent if str(path.parent) else Path(".")
    try:
        return sorted(directory.glob(f".{_glob_escape(path.name)}.*.tmp"))
    except OSError:
        return []


def _glob_escape(name: str) -> str:
    return "".join(f"[{c}]" if c in "*?[" else c for c in name)


def _new_file_mode() -> int:
    """The mode ``open()`` gives a new file: 0o666 less the umask."""
    umask = os.umask(0o022)
    os.umask(umask)
    return 0o666 & ~umask
