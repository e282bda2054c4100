"""explorer.lite outside a browser: setup does nothing and shows nothing; misuse is one clear
MicrogptError (the browser side is tests/browser/test_lite.py)."""

from __future__ import annotations

import asyncio

import pytest

import explorer.lite as lite
from microgpt.errors import ArgumentTypeError, MicrogptError


def test_setup_does_nothing_outside_a_browser():
    assert not lite.in_browser()
    assert asyncio.run(lite.setup()) is None
    assert asyncio.run(lite.setup(charts=True)) is None


@pytest.mark.parametrize("charts", [1, "yes", None])
def test_setup_takes_a_flag(charts):
    with pytest.raises(ArgumentTypeError, match="True or False"):
        asyncio.run(lite.setup(charts=charts))


def test_render_json0_says_where_it_runs():
    with pytest.raises(MicrogptError, match="in a browser"):
        lite.render_json0("digraph { a -> b }")
