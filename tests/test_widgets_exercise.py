"""``Exercise``: the answer is computed only when revealed, shown as text, HTML, a picture or a
widget, and an answer that raises shows a message. Driven from Python: click the button."""

from __future__ import annotations

import base64
import html

import ipywidgets as W
import pytest

from explorer.widgets import Exercise
from microgpt import MicrogptError


def _click(ex: Exercise) -> None:
    ex._button.click()  # what a click in the page does


def test_answer_is_computed_only_when_revealed():
    calls = []

    def answer():
        calls.append(1)
        return 6 * 7

    ex = Exercise("What is <code>6 × 7</code>?", answer)
    assert "microgpt-exercise" in ex._dom_classes
    assert ex._question.value == "What is <code>6 × 7</code>?"
    assert calls == [] and not ex.computed and ex.shown_html == ""
    assert ex._shown.layout.display == "none"
    _click(ex)
    assert ex.revealed and calls == [1] and ex.result == 42
    assert ex.shown_html == '<pre class="microgpt-exercise-text">42</pre>'
    assert ex._shown.layout.display != "none"
    assert ex._button.description == "hide answer"


def test_hiding_and_revealing_again_keeps_the_first_answer():
    calls = []
    ex = Exercise("q", lambda: calls.append(1) or len(calls))
    _click(ex)
    _click(ex)
    assert not ex.revealed and ex._shown.layout.display == "none"
    assert ex._button.description == "show answer"
    _click(ex)
    assert ex.revealed and calls == [1] and ex.result == 1


def test_text_answers_are_escaped_and_structures_pretty_printed():
    ex = Exercise("q", lambda: "<b>not bold</b>")
    _click(ex)
    assert "&lt;b&gt;not bold&lt;/b&gt;" in ex.shown_html and "<b>" not in ex.shown_html
    long = {f"key{i}": list(range(i, i + 8)) for i in range(6)}
    ex = Exercise("q", lambda: long)
    _click(ex)
    shown = html.unescape(ex.shown_html)
    assert "key5" in shown and shown.count("\n") >= 5  # one key per line, not one long line


def test_rich_answers_show_their_html_or_picture():
    class Table:
        def _repr_html_(self):
            return "<table class='t'><tr><td>1</td></tr></table>"

    ex = Exercise("q", Table)
    _click(ex)
    assert ex.shown_html == "<table class='t'><tr><td>1</td></tr></table>"

    class Picture:
        def _repr_png_(self):
            return b"\x89PNG-bytes"

    ex = Exercise("q", Picture)
    _click(ex)
    src = ex.shown_html.split('src="data:image/png;base64,', 1)[1].split('"', 1)[0]
    assert base64.b64decode(src) == b"\x89PNG-bytes"


def test_a_widget_answer_is_shown_as_itself():
    slider = W.IntSlider(value=3)
    ex = Exercise("q", lambda: slider)
    _click(ex)
    assert ex._shown.children == (slider,) and ex.result is slider


def test_an_answer_that_raises_shows_a_message_not_a_traceback():
    def broken():
        return 1 / 0

    ex = Exercise("q", broken)
    _click(ex)  # does not raise
    assert ex.error == "ZeroDivisionError: division by zero"
    assert 'class="microgpt-message"' in ex.shown_html
    assert "division by zero" in ex.shown_html and "Traceback" not in ex.shown_html

    def explained():
        raise MicrogptError("no node named 'x' <here>")

    ex = Exercise("q", explained)
    _click(ex)
    assert ex.error == "no node named 'x' <here>"
    assert "&lt;here&gt;" in ex.shown_html


def test_answers_from_the_real_model():
    from explorer import ForwardPass

    fp = ForwardPass("emma")
    ex = Exercise("How many positions does <code>emma</code> have?", lambda: fp.positions)
    _click(ex)
    assert ex.result == len("emma") + 1 and ">5<" in ex.shown_html


@pytest.mark.parametrize(
    ("question", "answer"), [("", lambda: 1), ("  ", lambda: 1), (None, lambda: 1), ("q", 42)]
)
def test_bad_arguments_are_clear_errors(question, answer):
    with pytest.raises(MicrogptError, match="question|function"):
        Exercise(question, answer)


def test_a_picture_answer_is_shown_at_its_natural_size():
    """``picture`` gives Jupyter ``(png, {"width", "height"})``: the answer shows the image."""
    from explorer.plots import loss_curve, picture

    ex = Exercise("the curve?", lambda: picture(loss_curve([3.0, 2.0, 1.0])))
    ex.toggle()
    assert ex.error is None
    shown = ex._shown.children[0].value
    assert '<img src="data:image/png;base64,' in shown and 'width="' in shown
