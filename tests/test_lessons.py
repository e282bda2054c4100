"""The lessons travel with the package (explorer.lessons): where they are, a learner's copy
written out, never over an edited one without force."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from explorer.lessons import DASHBOARD, lesson_files, lessons_dir, write_lessons
from microgpt.errors import MicrogptError

REPO = Path(__file__).resolve().parent.parent


def _hashes(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()}


def test_the_lessons_are_the_notebooks():
    names = {p.name for p in lesson_files()}
    assert names == {
        p.name for p in (REPO / "notebooks").iterdir() if p.suffix in (".ipynb", ".md")
    }
    assert DASHBOARD in names and "00_tour.ipynb" in names
    assert (lessons_dir() / DASHBOARD).is_file()


def test_write_lessons_writes_each_once(tmp_path):
    out = tmp_path / "lessons"
    written = write_lessons(out)
    assert {p.name for p in written} == {p.name for p in lesson_files()}
    for p in lesson_files():
        assert (out / p.name).read_bytes() == p.read_bytes()
    assert write_lessons(out) == []  # equal copies are left as they are


def test_an_edited_copy_is_kept_unless_forced(tmp_path):
    out = tmp_path / "lessons"
    write_lessons(out)
    edited = out / "02_value_and_autograd.ipynb"
    edited.write_text('{"my": "notes"}', encoding="utf-8")
    (out / "00_tour.ipynb").unlink()  # a missing lesson would be written...
    before = _hashes(out)
    with pytest.raises(MicrogptError, match=r"02_value_and_autograd.*--force"):
        write_lessons(out)
    assert _hashes(out) == before  # ...but nothing is written when one is refused
    written = write_lessons(out, force=True)
    assert {p.name for p in written} == {"00_tour.ipynb", "02_value_and_autograd.ipynb"}
    assert edited.read_bytes() == (lessons_dir() / edited.name).read_bytes()


@pytest.mark.parametrize(
    ("target", "word"),
    [
        (lambda d: d / "file.txt", "it is a file"),
        (lambda d: d / "no" / "such" / "dir", "does not exist"),
        (lambda d: 5, "must be a path"),
        (lambda d: "  ", "empty"),
    ],
)
def test_write_lessons_refuses_clearly(tmp_path, monkeypatch, target, word):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "file.txt").write_text("mine\n", encoding="utf-8")
    before = _hashes(tmp_path)
    with pytest.raises(MicrogptError, match=word):
        write_lessons(target(tmp_path))
    assert _hashes(tmp_path) == before


def test_the_lessons_command(tmp_path, monkeypatch, capsys):
    from microgpt.cli import main

    monkeypatch.chdir(tmp_path)
    assert main(["lessons"]) == 0
    out = capsys.readouterr().out
    n = len(lesson_files())
    assert f"wrote {n} of {n} lesson files into lessons" in out and "jupyter lab lessons" in out
    (tmp_path / "lessons" / "00_tour.ipynb").write_text("{}", encoding="utf-8")
    assert main(["lessons"]) == 2
    err = capsys.readouterr().err
    assert "00_tour.ipynb" in err and "--force" in err and "Traceback" not in err
    assert (tmp_path / "lessons" / "00_tour.ipynb").read_text(encoding="utf-8") == "{}"
    assert main(["lessons", "lessons", "--force"]) == 0
    assert f"wrote 1 of {n} lesson files" in capsys.readouterr().out
    assert main(["lessons", str(tmp_path / "my lessons")]) == 0
    assert "jupyter lab '" in capsys.readouterr().out  # a path with a space, quoted


def test_a_folder_in_the_way_is_refused_before_anything_is_written(tmp_path):
    out = tmp_path / "lessons"
    out.mkdir()
    (out / "README.md").mkdir()  # a folder where a lesson file goes
    with pytest.raises(MicrogptError, match="README.md there is a folder"):
        write_lessons(out, force=True)
    assert [p.name for p in out.iterdir()] == ["README.md"]
