"""The viewer's script is written in parts (explorer/viewer/*.js) and shipped as one: every part
is joined, in a fixed order, and the joined script keeps the viewer's rules (a plain script,
only function declarations at top level, so it can be inlined twice into one page). The
browser tests (tests/browser/test_viewer.py, test_player.py) run what it does."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from explorer import export, overview
from explorer.forward import ForwardPass
from explorer.viewer import PARTS, viewer_script

HERE = Path(__file__).resolve().parents[1] / "explorer" / "viewer"
TOP_LEVEL = re.compile(r"^(?!function |\}|//|\s|$)(.*)", re.M)
DECLARED = re.compile(r"^function (\w+)\(", re.M)


def test_every_part_is_joined_once_in_order():
    assert sorted(PARTS) == sorted(p.name for p in HERE.glob("*.js"))
    assert len(set(PARTS)) == len(PARTS) and PARTS[0] == "core.js"
    script = viewer_script()
    at = [script.index(HERE.joinpath(part).read_text(encoding="utf-8")) for part in PARTS]
    assert at == sorted(at) and at[0] == 0
    assert script.startswith("// The graph viewer:")  # core.js's header describes the whole


@pytest.mark.parametrize("part", PARTS)
def test_each_part_holds_only_function_declarations(part):
    source = HERE.joinpath(part).read_text(encoding="utf-8")
    assert not re.search(r"^\s*(import|export)\b", source, re.M)
    assert TOP_LEVEL.findall(source) == [], "only function declarations at top level"
    assert DECLARED.findall(source), "a part declares at least one function"


def test_no_function_is_declared_twice_and_every_one_called_is_declared():
    script = viewer_script()
    names = DECLARED.findall(script)
    assert len(names) == len(set(names))
    called = set(re.findall(r"\b(microgpt\w+)\(", script))
    assert called <= set(names), sorted(called - set(names))
    assert "microgptViewer" in names and "microgptPlayer" in names


def test_the_rule_check_sees_a_top_level_statement():
    """The check above can fail: a const at top level is caught."""
    assert TOP_LEVEL.findall("function a() {\n  const x = 1;\n}\nconst y = 2;\n") == [
        "const y = 2;"
    ]


@pytest.mark.skipif(not shutil.which("node"), reason="node checks the joined script's syntax")
def test_the_joined_script_parses(tmp_path):
    path = tmp_path / "viewer.js"
    path.write_text(viewer_script(), encoding="utf-8")
    done = subprocess.run(["node", "--check", str(path)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_exported_html_and_the_widget_inline_the_joined_script():
    from explorer.widgets.front import SvgGraph

    script = viewer_script()
    assert SvgGraph._esm.startswith(script)
    page = export.to_html(overview(ForwardPass("emma")))
    assert script in page
