"""explorer.lite outside a browser: setup does nothing and shows nothing; misuse is one clear
MicrogptError (the browser side is tests/browser/test_lite.py)."""

from __future__ import annotations

import pytest

import explorer.lite as lite
from microgpt.errors import ArgumentTypeError, MicrogptError


def _finished(coroutine):
    """The value of a coroutine that awaits nothing (setup outside a browser), run here: the
    test process may already have an event loop running in this thread."""
    try:
        coroutine.send(None)
    except StopIteration as done:
        return done.value
    coroutine.close()
    raise AssertionError("setup awaited something outside a browser")


def test_setup_does_nothing_outside_a_browser():
    assert not lite.in_browser()
    assert _finished(lite.setup()) is None
    assert _finished(lite.setup(charts=True)) is None


@pytest.mark.parametrize("charts", [1, "yes", None])
def test_setup_takes_a_flag(charts):
    with pytest.raises(ArgumentTypeError, match="True or False"):
        _finished(lite.setup(charts=charts))


def test_render_json0_says_where_it_runs():
    with pytest.raises(MicrogptError, match="in a browser"):
        lite.render_json0("digraph { a -> b }")
