"""Notebooks: each runs top to bottom with no error output, is committed without outputs on
the python3 kernel, says its goal first, and shows tables and sentences, never raw reprs.

Each notebook is executed once (``executed``, a module-scoped cache) and every check reads that
run. After the lesson's last cell one more cell reveals every exercise answer (as a click on
"show answer" does) and hands their HTML back, so answers are checked too."""

from __future__ import annotations

import ast
import html
import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))

#: Outputs with one of these are shown as HTML, a picture or a widget, not as their text.
RICH = ("text/html", "text/markdown", "image/svg+xml", "image/png",
        "application/vnd.jupyter.widget-view+json")  # fmt: skip
ANSWERS_MIME = "application/x-microgpt-answers+json"
#: Run after the lesson: reveal every Exercise (in display order: by the outputs' model ids).
REVEAL = f"""\
import gc as _gc
from IPython.display import display as _display
from explorer.widgets import Exercise as _Exercise
_answers = {{}}
for _ex in [o for o in _gc.get_objects() if isinstance(o, _Exercise)]:
    _ex.revealed = True
    _answers[_ex.model_id] = {{"question": _ex.question, "html": _ex.shown_html,
                              "error": _ex.error}}
_display({{"{ANSWERS_MIME}": _answers}}, raw=True)
"""


def execute(path: Path) -> tuple[nbformat.NotebookNode, list[dict]]:
    """The notebook executed top to bottom, and its exercises' answers in display order."""
    nb = nbformat.read(path, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(REVEAL))
    NotebookClient(nb, timeout=300, resources={"metadata": {"path": str(path.parent)}}).execute()
    reveal = nb.cells.pop()
    found = [o for o in reveal.outputs if ANSWERS_MIME in o.get("data", {})]
    assert found, f"revealing the exercises failed: {reveal.outputs}"
    answers = found[0]["data"][ANSWERS_MIME]
    shown = [
        o["data"]["application/vnd.jupyter.widget-view+json"]["model_id"]
        for c in nb.cells
        for o in c.get("outputs", [])
        if "application/vnd.jupyter.widget-view+json" in o.get("data", {})
    ]
    return nb, [answers[m] for m in shown if m in answers]


@pytest.fixture(scope="module")
def executed():
    """``executed(path)``: the notebook's one execution in this module (run on first use)."""
    cache: dict[Path, tuple] = {}

    def get(path: Path):
        if path not in cache:
            cache[path] = execute(path)
        return cache[path]

    return get


# -- what a raw repr looks like ------------------------------------------------------------------

_FLOAT = re.compile(r"(?<![\w.])[-+]?(?:\d+\.\d*|\.\d+)(?:[eE][-+]?\d+)?(?![\w.])")
_OBJECT = re.compile(r"^[A-Z]\w*\(|<[\w.]+ object at 0x")


def significant_digits(number: str) -> int:
    """How many significant digits a written float has (``0.0012340`` → 5)."""
    mantissa = re.split("[eE]", number.lstrip("+-"))[0].replace(".", "")
    return len(mantissa.lstrip("0")) or 1


def long_floats(text: str) -> list[str]:
    """The floats in ``text`` written with more than 6 significant digits."""
    return [m for m in _FLOAT.findall(text) if significant_digits(m) > 6]


def raw_reprs(text: str, result: bool = False) -> list[str]:
    """Why ``text`` (an output shown as plain text) reads as Python rather than as a sentence
    or a table: a tuple, list or dict, an object's repr, a float with more than 6 significant
    digits; and for a cell's value (``result``) a quoted string or a bare True/False/None."""
    problems = []
    for line in text.splitlines():
        start = line.lstrip()
        if start[:1] in ("(", "[", "{"):
            problems.append(f"a Python tuple, list or dict: {line[:80]!r}")
        elif _OBJECT.search(start):
            problems.append(f"an object's repr: {line[:80]!r}")
    problems += [f"a float with more than 6 significant digits: {f}" for f in long_floats(text)]
    if result and text.strip():
        try:
            value = ast.literal_eval(text.strip())
        except (ValueError, SyntaxError, MemoryError, RecursionError):
            value = ...
        if isinstance(value, str):
            problems.append(f"a quoted string (show it as text): {text.strip()[:80]!r}")
        elif value is None or isinstance(value, bool):
            problems.append(f"a bare {value} (say what it means)")
    return problems


def output_problems(output) -> list[str]:
    """The raw reprs in one cell output (text shown as text; HTML, pictures, widgets pass)."""
    if output.output_type == "stream":
        return raw_reprs(output.text)
    if output.output_type in ("execute_result", "display_data"):
        if any(k in output.data for k in RICH):
            return []
        return raw_reprs(output.data.get("text/plain", ""), result=True)
    return []


def _text_of_html(shown: str) -> str:
    """The text an HTML answer shows outside its tables (tags and tooltips removed)."""
    outside = re.sub(r"<table\b.*?</table>", " ", shown, flags=re.S)
    return html.unescape(re.sub(r"<[^>]*>", " ", outside))


def answer_problems(answer: dict) -> list[str]:
    """The raw reprs in one revealed exercise answer."""
    if answer["error"]:
        return [f"the answer raised: {answer['error']}"]
    shown = answer["html"]
    if '<pre class="microgpt-exercise-text">' in shown:  # not a table, picture or sentence
        text = html.unescape(re.sub(r"<[^>]*>", "", shown))
        return [f"shown as a repr (give a Table or a sentence): {text[:80]!r}"]
    return [f"{p} (outside a table)" for p in raw_reprs(_text_of_html(shown))]


# -- the checks --------------------------------------------------------------------------------


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
def test_notebook_runs_without_errors(path, executed):
    nb, _ = executed(path)
    problems = [
        o
        for c in nb.cells
        for o in c.get("outputs", [])
        if o.output_type == "error" or (o.output_type == "stream" and o.name == "stderr")
    ]
    assert not problems, problems
    produced = [c for c in nb.cells if c.cell_type == "code" and c.outputs]
    assert produced, "the notebook shows nothing"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_shows_no_raw_reprs(path, executed):
    """Every output a learner reads is a table, a picture, a widget or a sentence: no Python
    tuples, lists, dicts or object reprs, no floats with more than 6 significant digits
    outside tables; the same for every exercise's revealed answer."""
    nb, answers = executed(path)
    problems = [
        f"cell {k} ({c.source.splitlines()[0][:40]!r}): {p}"
        for k, c in enumerate(nb.cells)
        for o in c.get("outputs", [])
        for p in output_problems(o)
    ]
    problems += [
        f"exercise {k + 1} ({html.unescape(a['question'])[:40]!r}): {p}"
        for k, a in enumerate(answers)
        for p in answer_problems(a)
    ]
    assert not problems, "\n".join(problems)
    exercises = sum("Exercise(" in c.source for c in nb.cells if c.cell_type == "code")
    assert exercises == 0 or answers, "the exercises' answers were not revealed"


# -- the detector itself -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "result", "found"),
    [
        ("{'loss': 2.4413308362515127}", True, 2),  # a dict, and a 17-digit float
        ("(16, 0)", True, 1),
        ("['emali', 'eman']", True, 1),
        ("2.220446049250313e-16", True, 1),
        ("'pos5.layer0.attn.head1.attn_weights[k=2]'", True, 1),
        ("True", True, 1),
        ("BackwardScript(75 steps: a first, b last)", True, 1),
        ("<explorer.x.Thing object at 0x7f21>", True, 1),
        ("step 537: ajax, loss 3.211013429114791", False, 1),
        ("the loss is 2.44133 at position 0.", False, 0),  # 6 significant digits: fine
        ("pos1.layer0.attn.x_norm[3] reads 0.0012345 (25,315 nodes)", False, 0),
        ("True", False, 0),  # a printed word, not a cell's value
    ],
)
def test_the_detector_finds_raw_reprs(text, result, found):
    assert len(raw_reprs(text, result)) == found, raw_reprs(text, result)


def test_a_planted_raw_dict_is_caught():
    """An answer and an output of the kind the lessons used to show fail the check."""
    dict_answer = {
        "question": "q",
        "html": "<pre class=\"microgpt-exercise-text\">{'loss': 2.4413308362515127}</pre>",
        "error": None,
    }
    assert answer_problems(dict_answer)
    table = {"question": "q", "html": '<table><td title="2.4413308362515127">2.441</td></table>',
             "error": None}  # fmt: skip
    assert answer_problems(table) == []
    out = nbformat.v4.new_output("execute_result", {"text/plain": "{'a': 0.1234567}"})
    assert len(output_problems(out)) == 2
    out.data["text/html"] = "<table></table>"
    assert output_problems(out) == []


#: What draws with matplotlib (numpy): a lesson that uses one loads the charts in its site.
CHART_USERS = ("explorer.plots", "explorer.compare_plots", "AttentionView", "EmbeddingView")
CHART_USERS += ("ProbabilitiesView", "TrainingView", "Dashboard")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_first_code_cell_readies_the_browser_site(path):
    """The lessons' static site (make lite) runs Python in the browser: each notebook's first
    code cell awaits ``explorer.lite.setup`` (the graph layout), with ``charts=True`` exactly
    when the notebook draws with matplotlib, which the site loads only then."""
    nb = nbformat.read(path, as_version=4)
    code = [c.source for c in nb.cells if c.cell_type == "code"]
    assert "await explorer.lite.setup(" in code[0], code[0]
    charts = any(user in source for source in code[1:] for user in CHART_USERS)
    assert ("setup(charts=True)" in code[0]) == charts, (path.stem, charts)
