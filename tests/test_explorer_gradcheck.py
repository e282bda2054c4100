"""explorer.gradcheck: the replay goes through the engine's own op table and reproduces every
recorded value bit for bit; finite differences agree with backward."""

from __future__ import annotations

import pytest

from explorer import ForwardPass
from explorer.gradcheck import finite_difference, replay


@pytest.fixture(scope="module")
def ann(source):
    return ForwardPass("ann", source=source)


def test_an_unnudged_replay_reproduces_every_recorded_value_exactly(ann):
    index = ann.index
    kinds = set(index.op)
    assert {"add", "mul", "pow", "log", "exp", "relu"} <= kinds  # every op of the table replayed
    data = replay(index, {0: index.values[0].data})
    assert data == [v.data for v in index.values]
    assert [type(x) for x in data] == [type(v.data) for v in index.values]


def test_a_nudge_moves_the_root_by_about_the_gradient(ann):
    index = ann.index
    for name in ("wte[a,3]", "pos1.layer0.attn.head0.attn_weights[k=0]"):
        check = finite_difference(ann, name)
        assert check.agrees, check
    i = next(i for i in sorted(index.in_graph) if index.op[i] == "param")
    x = index.values[i].data
    up = replay(index, {i: x + 1e-3})[index.root]
    assert up != index.values[index.root].data
