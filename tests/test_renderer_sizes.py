"""The renderers stay in small rooms: no function of theirs runs over 60 lines (their
modules: the SVG and DOT writers, the shapes, the panels, the pictures, the plots package,
the style table). Read from the source with ast, so a long function fails here before review."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import explorer

EXPLORER = Path(explorer.__file__).parent
RENDERERS = [
    *(EXPLORER / name for name in (
        "render.py", "svg.py", "layout.py", "shapes.py", "tensor_shapes.py", "panels_svg.py",
        "pictures.py", "compare_plots.py", "export.py", "style.py",
    )),
    *sorted((EXPLORER / "plots").glob("*.py")),
    *sorted((EXPLORER / "viewer").glob("*.py")),
]  # fmt: skip
MOST_LINES = 60


def _long_functions(source: str, most: int = MOST_LINES) -> list[tuple[str, int]]:
    """``(name, lines)`` of every function (methods and nested ones too) over ``most`` lines."""
    return [
        (node.name, node.end_lineno - node.lineno + 1)
        for node in ast.walk(ast.parse(source))
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
        and node.end_lineno - node.lineno + 1 > most
    ]


@pytest.mark.parametrize("path", RENDERERS, ids=lambda p: p.relative_to(EXPLORER).as_posix())
def test_no_renderer_function_runs_over_60_lines(path):
    assert path.exists(), f"{path} is gone: update RENDERERS"
    assert _long_functions(path.read_text(encoding="utf-8")) == []


def test_the_size_check_sees_a_long_function():
    body = "\n".join(f"    x{k} = {k}" for k in range(MOST_LINES))
    assert _long_functions(f"def long():\n{body}\n") == [("long", MOST_LINES + 1)]
    assert _long_functions("def short():\n    return 1\n") == []
