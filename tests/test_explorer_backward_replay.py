"""explorer.backward_replay: backward's ``grad +=`` replayed from the record, and the two users
of it (the stepper and the player) agreeing with ``backward()`` to the last bit."""

from __future__ import annotations

import pytest

from explorer import ForwardPass, build_view
from explorer.backward_replay import BackwardReplay, backward_order, backward_rank
from explorer.forward import Expression
from explorer.playback import backward_script
from explorer.stepper import backward_steps
from microgpt.engine import Value
from microgpt.trace import name, trace


def _expression():
    """x is read twice by one node (x * x) and once more by the root."""
    with trace() as t:
        x, w = name(Value(1.5), "x"), name(Value(-0.25), "w")
        y = name(x * x, "y")
        z = name((y * w).exp(), "z")
        L = name(z + x, "L")
    return Expression(t, L)


@pytest.mark.parametrize("root", [None, "loss@3"])
def test_replaying_every_send_from_zero_gives_backward_bit_for_bit(source, root):
    fp = ForwardPass("emma", source=source, **({"root": root} if root else {}))
    index = fp.index
    replay = BackwardReplay(fp, list(index.in_graph))
    grads = [0] * len(index)
    grads[index.root] = 1
    for _, children, local_grads, g in replay.rest():
        for c, local in zip(children, local_grads):
            grads[c] += local * g
    for i in index.in_graph:
        assert grads[i] == index.values[i].grad  # the same floats, not merely close
    assert list(replay.rest()) == []  # each consumer is given once


def test_until_gives_each_consumer_once_in_backward_order():
    fp = _expression()
    rank = backward_rank(fp)
    replay = BackwardReplay(fp, range(len(fp.index)))
    seen = [i for i, *_ in replay.until(1)] + [i for i, *_ in replay.rest()]
    assert [rank[i] for i in seen] == sorted(rank[i] for i in seen)
    assert len(seen) == len(set(seen))
    assert list(backward_order(fp))[0] == fp.index.root


@pytest.mark.parametrize("scope", ["pos1.embed", "pos2.layer0.attn.head1", "pos0.lm_head"])
def test_stepper_steps_in_backwards_order_with_backwards_own_sums(source, scope):
    fp = ForwardPass("emma", source=source)
    rank = backward_rank(fp)
    ids, start, steps = backward_steps(fp, scope, limit=1000)
    assert sorted(s.node for s in steps) == ids
    assert [rank[s.node] for s in steps] == sorted(rank[i] for i in ids)
    for s in steps:
        assert s.grad == fp.index.values[s.node].grad  # bit for bit
    shown = dict(start)  # what the widget shows: start, then each step's updates
    for s in steps:
        assert shown[s.node] == pytest.approx(s.grad, rel=1e-9, abs=1e-15)
        for child, contribution in s.updates:
            shown[child] += contribution


def test_stepper_and_player_agree_on_a_hand_built_expression():
    fp = _expression()
    ids, start, steps = backward_steps(fp, "")
    final = {fp.index.label(s.node): s.grad for s in steps}
    script = backward_script(fp, build_view(fp, "full"))
    last = script.state(len(script))
    for label, grad in final.items():
        if label in last:
            assert last[label] == grad
    assert final["x"] == fp.index.values[fp.index.id_of(fp.trace.find("x"))].grad
    x_step = next(s for s in steps if fp.index.label(s.node) == "y")
    assert len(x_step.updates) == 2  # x * x sends to x twice
