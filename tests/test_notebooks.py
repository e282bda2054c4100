"""Notebooks: each runs top to bottom with no error output, is committed without outputs on
the python3 kernel, and says its goal first."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))


def test_there_are_notebooks():
    names = {p.stem for p in NOTEBOOKS}
    assert {"00_tour", "classroom_dashboard"} <= names


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_committed_clean(path):
    nb = nbformat.read(path, as_version=4)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(not c.outputs and c.execution_count is None for c in code), "strip outputs"
    first = nb.cells[0]
    assert first.cell_type == "markdown" and "**Goal:**" in first.source
    if path.stem[:2].isdigit():
        assert "Exercises" in nb.cells[-1].source and "**Prerequisites:**" in first.source


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_without_errors(path):
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=300, resources={"metadata": {"path": str(path.parent)}}).execute()
    problems = [
        o
        for c in nb.cells
        for o in c.get("outputs", [])
        if o.output_type == "error" or (o.output_type == "stream" and o.name == "stderr")
    ]
    assert not problems, problems
    produced = [c for c in nb.cells if c.cell_type == "code" and c.outputs]
    assert produced, "the notebook shows nothing"
