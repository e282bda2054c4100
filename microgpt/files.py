"""Writing files so that nothing is ever half-written: one atomic writer for every output, and a
lock for outputs that a long run writes at its end.

``write_atomically`` writes to a temporary file beside the target (``.NAME.PID.XXXX.tmp``, unique
per writer), flushes it to disk, renames it over the target and flushes the directory: a reader
sees the old file or the new one, never a mix, and a failed or killed write leaves the old file
as it was. A killed write can leave its temporary file behind; the next successful write of the
same target removes the leftovers of writers that are no longer running, never a temporary file
another process (or this one, in another thread) is still writing.

``OutputLock`` keeps two runs from writing the same output: a lock file beside it
(``.NAME.lock``), created exclusively, holding the writer's process id; a second run is refused
while the first runs; a lock left by a process that died is taken over.
Checkpoints (``microgpt.checkpoint``) and pictures (``explorer.render``) write through
``write_atomically``; ``microgpt train`` holds an ``OutputLock`` on its ``--out``.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from .errors import MicrogptError, OutputPathError

__all__ = ["write_atomically", "temporary_files", "OutputLock", "lock_path"]


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
        fd, tmp = tempfile.mkstemp(
            prefix=f".{path.name}.{os.getpid()}.", suffix=".tmp", dir=directory
        )
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
        _sync_directory(directory)
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
        if not _pid_alive(_writer_pid(stale, path)):
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


def _writer_pid(temporary: Path, path: Path) -> int | None:
    """The process id in a temporary file's name (``.NAME.PID.XXXX.tmp``), if it has one."""
    middle = temporary.name[len(path.name) + 2 : -len(".tmp")]
    pid = middle.split(".")[0]
    return int(pid) if pid.isdigit() and len(pid) <= 10 else None


def _pid_alive(pid: int | None) -> bool:
    """Whether a process ``pid`` runs (any user's); ``None`` (no pid known) counts as gone."""
    if pid is None or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # e.g. PermissionError: it runs, as another user
        return True
    return True


def _sync_directory(directory: Path) -> None:
    """Flush a directory's entries (the rename) to disk, where the system allows it."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:  # some file systems cannot sync a directory
        pass
    finally:
        os.close(fd)


def lock_path(path: str | os.PathLike) -> Path:
    """The lock file of an output: ``.NAME.lock`` beside it."""
    path = Path(path)
    return path.parent / f".{path.name}.lock"


class OutputLock:
    """``with OutputLock(path):`` this process alone writes ``path`` until the block ends.

    Refuses (``OutputPathError``, naming the other process) while another live process holds
    the lock; takes over a lock whose process is gone (killed before it could remove it). Not
    guarded: two processes taking over the same stale lock in the same millisecond (each
    removes it, the second may remove the first's new one), and a dead holder's id reused by
    a new process (the lock then looks live: remove it by hand, the message names it).
    """

    def __init__(self, path: str | os.PathLike, what: str = "--out") -> None:
        self.path = Path(path)
        self.what = what
        self.lock = lock_path(self.path)
        self.held = False

    def __enter__(self) -> OutputLock:
        for _ in range(3):  # a stale lock is removed, then made again
            try:
                self._create()
            except FileExistsError:
                holder = self._holder()
                if _pid_alive(holder) and holder != os.getpid():
                    raise OutputPathError(
                        f"{self.what} {str(self.path)!r} is being written by another microgpt "
                        f"run (process {holder}, lock {str(self.lock)!r}): wait for it to end, "
                        f"or choose another {self.what}"
                    ) from None
                self.lock.unlink(missing_ok=True)  # its process is gone: a stale lock
                continue
            except OSError as e:
                raise OutputPathError(
                    f"cannot lock {self.what} {str(self.path)!r} ({e.strerror or e}): choose a "
                    f"folder you can write to"
                ) from None
            self.held = True
            return self
        raise OutputPathError(
            f"cannot lock {self.what} {str(self.path)!r}: other runs keep taking its lock "
            f"{str(self.lock)!r}; choose another {self.what}"
        )

    def _create(self) -> None:
        """Make the lock holding this process's id, or raise ``FileExistsError``. The id is
        written to a file of this process first (``O_EXCL``), then linked to the lock's name
        (which fails if it exists), so no one ever reads a lock without its id."""
        mine = self.lock.with_name(f"{self.lock.name}.{os.getpid()}")
        mine.unlink(missing_ok=True)  # left by a killed process that had this id
        fd = os.open(mine, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        try:
            try:
                os.write(fd, str(os.getpid()).encode())
                os.fsync(fd)
            finally:
                os.close(fd)
            try:
                os.link(mine, self.lock)
            except FileExistsError:
                raise
            except OSError:  # a file system without hard links: an exclusive create
                fd = os.open(self.lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
                try:
                    os.write(fd, str(os.getpid()).encode())
                finally:
                    os.close(fd)
        finally:
            mine.unlink(missing_ok=True)

    def __exit__(self, *exc) -> None:
        if self.held and self._holder() == os.getpid():  # never another run's lock
            self.lock.unlink(missing_ok=True)
        self.held = False

    def _holder(self) -> int | None:
        try:
            text = self.lock.read_text(encoding="ascii").strip()
        except (OSError, UnicodeDecodeError):
            return None
        return int(text) if text.isdigit() and len(text) <= 10 else None


def _glob_escape(name: str) -> str:
    return "".join(f"[{c}]" if c in "*?[" else c for c in name)


def _new_file_mode() -> int:
    """The mode ``open()`` gives a new file: 0o666 less the umask."""
    umask = os.umask(0o022)
    os.umask(umask)
    return 0o666 & ~umask
