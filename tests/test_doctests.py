"""The examples in docstrings run as written."""

from __future__ import annotations

import doctest

import pytest

import explorer.forward
import microgpt.trace


@pytest.mark.parametrize("module", [microgpt.trace, explorer.forward], ids=lambda m: m.__name__)
def test_docstring_examples(module):
    result = doctest.testmod(module)
    assert result.attempted > 0 and result.failed == 0
