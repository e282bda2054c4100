"""The examples in docstrings run as written."""

from __future__ import annotations

import doctest
import importlib

import pytest

# by name: `microgpt.trace` the attribute is the trace() function the package re-exports
MODULES = ["microgpt.trace", "explorer.forward"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name))
    assert result.attempted > 0 and result.failed == 0
