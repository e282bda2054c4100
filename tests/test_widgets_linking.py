"""Presenter mode's Python side (issue 18, item 2): widgets driven from Python, no kernel, no
browser. A clicker's key with no backward player moves the position; the page's toolbar fit
rearranges the toolbar's row and menu; the text size is checked.

(The page's fitting and the keys themselves are tested in the browser:
tests/browser/test_presenter.py.)
"""

from __future__ import annotations

import pytest

from explorer.widgets import Dashboard
from microgpt import MicrogptError


# -- item 2: presenter mode's Python side -----------------------------------------------------
def test_a_clickers_key_moves_the_position_when_there_is_no_player():
    d = Dashboard(doc="emma", presenter=True)
    g = d.graph
    last = g.fp.positions - 1
    g._on_front_msg(g._front, {"step": 1}, [])  # PageDown with no backward player
    assert d.pos == g.pos == d.attention.pos == d.probs.pos == 2
    g._on_front_msg(g._front, {"step": -1}, [])
    assert d.pos == 1
    d.pos = last
    g._on_front_msg(g._front, {"step": 1}, [])  # the last position: it stays, no message
    assert d.pos == last and g.message == ""
    for junk in ({"step": 2}, {"step": True}, {"step": "1"}, ["step"], {"fit": -1}, None):
        g._on_front_msg(g._front, junk, [])
    assert d.pos == last and len(g._toolbar.children) == len(g.tools()) + 1


def test_the_pages_fit_splits_the_toolbar_into_its_row_and_menu():
    d = Dashboard(doc="emma", presenter=True)
    g = d.graph
    tools = g.tools()
    assert tools[0] is g._pos_slider and tools[-2:] == [d._font, d._contrast]
    assert g._more.layout.visibility == "hidden"  # all in the row until the page says
    g._on_front_msg(g._front, {"fit": 2}, [])  # a narrow screen: position and document fit
    assert list(g._toolbar.children) == [*tools[:2], g._more]
    assert list(g._menu.children) == tools[2:] and g._more.layout.visibility == "visible"
    assert g._menu.layout.visibility == "hidden" and g._menu.layout.height == "0px"
    g._more.value = True  # "⋯": the menu shows
    assert g._menu.layout.visibility is None and g._menu.layout.height is None
    g._on_front_msg(g._front, {"fit": 99}, [])  # a wide one: everything in the row
    assert list(g._toolbar.children) == [*tools, g._more] and g._menu.children == ()
    assert g._more.value is False and g._more.layout.visibility == "hidden"


def test_the_text_size_is_checked():
    with pytest.raises(MicrogptError, match="100% to 250%"):
        Dashboard(doc="emma", presenter=True, font_scale=3)
    with pytest.raises(MicrogptError, match="expected a number"):
        Dashboard(doc="emma", font_scale="large")
    d = Dashboard(doc="emma", presenter=True, font_scale=2.5)
    assert "--microgpt-text-scale: 2.5;" in d._presenter_style.value
    with pytest.raises(MicrogptError, match="100% to 250%"):
        d.font_scale = 0.5
    assert d.font_scale == 2.5
