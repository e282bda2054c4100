"""Small rooms: no Python function of the library (microgpt/ and explorer/, methods and nested
functions too) runs over 60 lines, but the float kernel, whose one long function keeps the
article's arithmetic in the article's order. Read from the source with ast, so a long function
fails here before review."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MOST_LINES = 60
#: (module path, function) allowed to be longer, with the reason.
LONG_ON_PURPOSE = {
    # the training step on plain floats: forward and backward written out in the engine's
    # order of operations, one function so a reader can set it beside the article's
    ("microgpt/floats.py", "loss_and_grads"),
}
SOURCES = sorted(
    p for package in ("microgpt", "explorer") for p in (ROOT / package).rglob("*.py")
    if "__pycache__" not in p.parts
)  # fmt: skip


def _long_functions(source: str, most: int = MOST_LINES) -> list[tuple[str, int]]:
    """``(name, lines)`` of every function (methods and nested ones too) over ``most`` lines."""
    return [
        (node.name, node.end_lineno - node.lineno + 1)
        for node in ast.walk(ast.parse(source))
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
        and node.end_lineno - node.lineno + 1 > most
    ]


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_no_library_function_runs_over_60_lines(path):
    where = path.relative_to(ROOT).as_posix()
    long = [(name, n) for name, n in _long_functions(path.read_text(encoding="utf-8"))
            if (where, name) not in LONG_ON_PURPOSE]  # fmt: skip
    assert long == [], f"{where}: split {long} (functions over {MOST_LINES} lines)"


def test_every_long_function_allowed_is_still_long():
    for where, name in sorted(LONG_ON_PURPOSE):
        found = dict(_long_functions((ROOT / where).read_text(encoding="utf-8")))
        assert name in found, f"{where}: {name} is short now: remove it from LONG_ON_PURPOSE"


def test_the_size_check_sees_a_long_function():
    body = "\n".join(f"    x{k} = {k}" for k in range(MOST_LINES))
    assert _long_functions(f"def long():\n{body}\n") == [("long", MOST_LINES + 1)]
    assert _long_functions("def short():\n    return 1\n") == []
    nested = "class C:\n    def m(self):\n" + "\n".join(f"        y{k} = {k}" for k in range(70))
    assert _long_functions(nested) == [("m", 71)]
