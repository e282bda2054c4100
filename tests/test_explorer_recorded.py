"""explorer.recorded: the protocol of a recorded pass that the queries depend on (not the
checkpoint loader), and check_pass / check_model_pass against it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import explorer
from explorer import ForwardPass
from explorer.checks import check_model_pass, check_pass
from explorer.forward import Expression
from explorer.recorded import MODEL_PASS_ATTRS, RECORDED_ATTRS, has_attrs
from microgpt.engine import Value
from microgpt.errors import ArgumentTypeError
from microgpt.trace import name, trace

EXPLORER = Path(explorer.__file__).parent


class _Duck:
    """Any object with what the views read is a recorded pass."""

    trace = root = doc = index = None
    memo: dict = {}

    def check_pos(self, pos):
        return pos


def test_checking_a_pass_does_not_build_its_index(source):
    fp = ForwardPass("ann", source=source)
    assert check_pass(fp) is fp
    check_model_pass(fp, "a model query")
    assert "index" not in vars(fp)  # the cached property was not run


def test_an_expression_is_a_recorded_pass_but_not_a_pass_of_the_model():
    with trace() as t:
        a = name(Value(2.0), "a")
        L = name(a * a, "L")
    expr = Expression(t, L)
    assert check_pass(expr) is expr
    with pytest.raises(ArgumentTypeError, match="forward pass of the model"):
        check_model_pass(expr, "tensors")


def test_any_object_with_the_protocols_members_passes_and_one_without_is_refused():
    assert check_pass(_Duck()) is not None
    assert has_attrs(_Duck(), RECORDED_ATTRS) and not has_attrs(_Duck(), MODEL_PASS_ATTRS)
    del_one = type("NoIndex", (), {a: None for a in RECORDED_ATTRS if a != "index"})
    with pytest.raises(ArgumentTypeError, match="takes a recorded pass"):
        check_pass(del_one(), "some view")


@pytest.mark.parametrize("module", ["checks", "recorded", "backward_replay", "stepper", "playback"])
def test_the_validation_boundary_and_backward_queries_do_not_import_the_loader(module):
    """explorer.forward loads checkpoints: checks (and so every query) must not depend on it."""
    tree = ast.parse((EXPLORER / f"{module}.py").read_text(encoding="utf-8"))
    imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    assert "forward" not in imported and "explorer.forward" not in imported
    assert "shapes" not in imported  # nor a renderer
