"""``explorer.tables``: how a value reads (``plain``, ``cell``), ``Table`` and ``Sentence`` (what
lessons show instead of Python reprs), and the query objects' tables built on them."""

from __future__ import annotations

import pytest

from explorer.playback import BackwardScript, PlayStep
from explorer.tables import Sentence, Table, cell, html_table, plain
from microgpt.errors import MicrogptError


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (2.4413308362515127, "2.441"),  # as every picture: 4 significant digits
        (-0.0, "0"),
        (2.220446049250313e-16, "2.22e-16"),
        (43895, "43,895"),
        (True, "yes"),
        (False, "no"),
        ([0, 100, 200], "0, 100, 200"),
        (("a", 0.123456789), "a, 0.1235"),
        ({3, 1, 2}, "1, 2, 3"),
        ([], "none"),
        (None, "–"),
        ("emma", "emma"),
    ],
)
def test_plain_reads_as_text(value, shown):
    assert plain(value) == shown


def test_a_format_spec_is_for_numbers():
    assert plain(11923.83, ",.0f") == "11,924"
    assert plain(0.15928, ".1%") == "15.9%"
    assert plain([0.5, 0.25], ".0%") == "50%, 25%"
    assert plain(True, ".2f") == "yes"  # a bool is not a number here


def test_cell_html_keeps_the_full_value_and_escapes_text():
    assert cell(2.4413308362515127) == '<span title="2.4413308362515127">2.441</span>'
    assert cell("<b>") == "&lt;b&gt;"
    # a long name may wrap at its dots (a narrow screen), and reads the same
    assert cell("pos2.layer0.attn") == "pos2.<wbr>layer0.<wbr>attn"
    assert cell("= 0.006703 + 1") == "= 0.006703 + 1"  # never inside a number
    assert cell(1234) == "1,234"


def test_table_html_aligns_text_left_and_puts_the_caption_above():
    table = Table(["name", "loss", "lower"], [["emma", 2.44133, True], ["", 1.5, False]], "c <1>")
    html = table._repr_html_()
    assert html.startswith('<p class="microgpt-caption">c &lt;1&gt;</p><table')
    assert '<th style="text-align: left">name</th><th>loss</th>' in html
    assert '<td style="text-align: left">yes</td>' in html  # yes / no read as words
    assert '<span title="2.44133">2.441</span>' in html
    assert "True" not in html and "[" not in html


def test_table_repr_is_the_same_table_as_text():
    text = repr(Table(["step", "ok"], [[1000, True], [5, [1, 2]]], "cap"))
    assert text.splitlines() == ["cap", "step   ok  ", "1,000  yes ", "5      1, 2"]


def test_html_table_left_columns():
    html = html_table(["a", "b"], [["1", "x"]], left={1})
    assert html.startswith('<table class="microgpt-table" style="margin-left: 0')
    assert '<th>a</th><th style="text-align: left">b</th>' in html
    assert '<td>1</td><td style="text-align: left">x</td>' in html


def test_html_table_row_styles_mark_rows_and_leave_the_others_plain():
    out = html_table(["a"], [["1"], ["2"], ["3"]], row_styles=["", "background:#fdb863", ""])
    assert out.count("<tr>") == 3  # the header's row and two plain ones
    assert out.count('<tr style="background:#fdb863"><td>2</td>') == 1
    with pytest.raises(MicrogptError, match="3 rows but 1 row styles"):
        html_table(["a"], [["1"], ["2"], ["3"]], row_styles=["x"])  # never a row dropped


def test_sentence_formats_its_numbers_and_names():
    s = Sentence(
        "{doc}: {n} nodes; loss {loss}, by hand {x:,.0f}; agree: {ok}; at {ps}.",
        doc="emma",
        n=43895,
        loss=2.4413308362515127,
        x=11923.83,
        ok=True,
        ps=[2, 3],
    )
    assert (
        repr(s) == str(s) == "emma: 43,895 nodes; loss 2.441, by hand 11,924; agree: yes; at 2, 3."
    )
    html = s._repr_html_()
    assert html.startswith('<p class="microgpt-sentence">emma: 43,895 nodes; loss <span')
    assert 'title="2.4413308362515127"' in html


def test_sentence_escapes_and_checks_its_fields():
    assert Sentence("a < b: {v}", v="<i>")._repr_html_() == (
        '<p class="microgpt-sentence">a &lt; b: &lt;i&gt;</p>'
    )
    assert repr(Sentence("{{literal}} {v}", v=1)) == "{literal} 1"
    with pytest.raises(MicrogptError, match="no value given for loss"):
        Sentence("the loss is {loss}")
    with pytest.raises(ValueError):
        Sentence("unclosed {loss", loss=1.0)


def test_a_backward_script_shows_its_steps_as_a_table():
    steps = tuple(
        PlayStep(node=n, grad=g, op=None, edges=(), changes=((n, g),))
        for n, g in (("loss", 1.0), ("pos0.probs[e]", -14.471948890123))
    )
    script = BackwardScript(("loss", "pos0.probs[e]"), {"loss": 1.0, "pos0.probs[e]": 0.0},
                            steps, scale=14.47, norm_scale=0.0)  # fmt: skip
    html = script._repr_html_()
    assert "2 steps" in html and "overflow-y: auto" in html
    assert '<td style="text-align: left">pos0.<wbr>probs[e]</td>' in html  # wraps at dots
    assert "<td>2</td>" in html and '<span title="-14.471948890123">-14.47</span>' in html
    assert repr(script) == "BackwardScript(2 steps: loss first, pos0.probs[e] last)"
