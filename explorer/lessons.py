"""The lessons that travel with the package: where they are, and writing a learner's copy.

The lessons are the notebooks of ``notebooks/`` (``00_tour`` … ``09_…``, the classroom
dashboard, their README). A wheel holds them as package data, ``explorer/lessons/`` (see
``pyproject.toml``), so a ``pip install`` gives the lessons with the CLI and the API; a source
tree (a clone, an editable install) reads ``notebooks/`` itself. ``microgpt lessons DIR``
writes them out (``write_lessons``); ``microgpt serve`` serves the dashboard from here and
``make lite`` puts the wheel's lessons in its site.

Writing never loses a learner's work: a file already in ``DIR`` that differs from the shipped
lesson (an edited copy) is replaced only with ``force``, and then all or nothing is checked
before anything is written.
"""

from __future__ import annotations

import os
from pathlib import Path

from microgpt.errors import ArgumentTypeError, MicrogptError, OutputPathError
from microgpt.files import write_atomically
from microgpt.validate import quoted

__all__ = ["DASHBOARD", "lessons_dir", "lesson_files", "write_lessons"]

#: The classroom dashboard, the notebook ``microgpt serve`` serves.
DASHBOARD = "classroom_dashboard.ipynb"


def lessons_dir() -> Path:
    """The folder holding the lessons: the package's ``lessons/`` (a wheel), else the source
    tree's ``notebooks/``."""
    here = Path(__file__).resolve().parent
    for folder in (here / "lessons", here.parent / "notebooks"):
        if (folder / DASHBOARD).is_file():
            return folder
    raise MicrogptError(
        f"the lessons are not installed: neither {here / 'lessons'} nor "
        f"{here.parent / 'notebooks'} holds them. Reinstall the package (pip install "
        "--force-reinstall microgpt-explorer) or run from a clone of the repository"
    )


def lesson_files() -> list[Path]:
    """The lessons (notebooks, then the README that lists them), sorted by name."""
    folder = lessons_dir()
    return sorted(folder.glob("*.ipynb")) + [p for p in [folder / "README.md"] if p.is_file()]


def write_lessons(directory: str | os.PathLike, force: bool = False) -> list[Path]:
    """Write every lesson into ``directory`` (created if its parent exists); returns the files
    written. A file there that differs from its lesson is replaced only with ``force``; a copy
    equal to the lesson is left as it is (and not counted)."""
    if isinstance(directory, bool) or not isinstance(directory, (str, os.PathLike)):
        raise ArgumentTypeError(
            f"the lessons' folder must be a path, got {type(directory).__name__}"
        )
    if not isinstance(force, bool):
        raise ArgumentTypeError(f"force must be True or False, got {type(force).__name__}")
    target = Path(directory)
    if not str(directory).strip():
        raise OutputPathError("the lessons' folder is empty: give a folder name, e.g. lessons/")
    if target.exists() and not target.is_dir():
        raise OutputPathError(
            f"cannot write the lessons into {quoted(str(target))}: it is a file; give a folder"
        )
    if not target.exists() and not target.parent.is_dir():
        raise OutputPathError(
            f"cannot write the lessons into {quoted(str(target))}: its parent folder "
            f"{quoted(str(target.parent))} does not exist; create it first"
        )
    lessons = [(p, p.read_bytes()) for p in lesson_files()]
    folders = [p.name for p, _ in lessons if (target / p.name).is_dir()]
    if folders:  # checked before anything is written: all or nothing
        raise OutputPathError(
            f"cannot write the lessons into {quoted(str(target))}: {', '.join(folders[:4])} "
            "there is a folder; move it away or choose another folder"
        )
    edited = [
        p.name
        for p, data in lessons
        if (target / p.name).exists() and _read(target / p.name) != data
    ]
    if edited and not force:
        raise OutputPathError(
            f"{len(edited)} lesson(s) in {quoted(str(target))} differ from the shipped ones "
            f"({', '.join(edited[:4])}{', …' if len(edited) > 4 else ''}), perhaps your own "
            "edits: nothing was written. Choose another folder, or replace them with --force "
            "(force=True)"
        )
    target.mkdir(exist_ok=True)
    written = []
    for p, data in lessons:
        if _read(target / p.name) != data:
            written.append(write_atomically(target / p.name, data, what="lesson"))
    return written


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except (FileNotFoundError, IsADirectoryError):
        return None
    except OSError as e:
        raise OutputPathError(f"cannot read {quoted(str(path))}: {e.strerror or e}") from None
