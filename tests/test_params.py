"""The run's parts: the parameter layout (``microgpt.params``), the optimizer
(``microgpt.optim``) and the history (``microgpt.history``), each against what it replaced."""

from __future__ import annotations

import math
import random

import pytest
from conftest import TINY_DOCS, TINY_SHAPE

from microgpt import MicrogptError, load_checkpoint
from microgpt.history import History
from microgpt.model import GPT, GPTConfig
from microgpt.optim import Adam, adam_move, learning_rate_at
from microgpt.params import ParamLayout
from microgpt.train import Hyperparams, Run

CONFIG = GPTConfig(vocab_size=7, n_embd=4, n_head=2, n_layer=2, block_size=5)


def test_the_layout_walks_params_in_the_models_order():
    model = GPT(CONFIG, random.Random(3))
    layout = ParamLayout(CONFIG)
    flat = [p.data for p in model.params]
    assert layout.size == len(flat) == CONFIG.num_params()
    assert layout.split(flat) == model.weights()
    assert layout.flatten(model.weights()) == flat
    assert [[row for row in m] for m in layout.matrices(flat)] == list(model.weights().values())
    for i, (name, _) in enumerate(model.named_parameters()):
        key, r, c = layout.locate(i)
        assert name.startswith(f"{key}[") and name.endswith(f",{c}]")
        assert model.state_dict[key][r][c] is model.params[i]
    with pytest.raises(MicrogptError, match="parameter index"):
        layout.locate(layout.size)


def test_the_layout_norms_are_each_matrix_s_own():
    layout = ParamLayout(CONFIG)
    grads = [0.0] * layout.size
    key, r, c = layout.locate(layout.size - 1)
    grads[-1], grads[-2] = 3.0, 4.0  # both in the last matrix
    norms = layout.norms(grads)
    assert list(norms) == list(CONFIG.matrix_shapes())
    assert norms[key] == 5.0 and sum(norms.values()) == 5.0


def test_adam_moves_are_adam_move_applied_to_each_parameter():
    hp = Hyperparams(num_steps=10)
    adam = Adam(hp, 3)
    adam.m, adam.v = [0.1, -0.2, 0.0], [0.01, 0.02, 0.0]
    grads = [0.5, -1.5, 2.0]
    m, v, deltas = adam.moves(grads, 4)
    assert adam.m == [0.1, -0.2, 0.0]  # unchanged until committed
    lr = learning_rate_at(hp, 4)
    for i, g in enumerate(grads):
        want = adam_move(g, adam.m[i], adam.v[i], 4, lr, hp.beta1, hp.beta2, hp.eps_adam)
        assert (m[i], v[i], deltas[i]) == (want[0], want[1], want[4])
    adam.commit(m, v)
    assert adam.m == m and adam.copy().v == v and adam.copy().m is not adam.m


def test_the_history_forgets_what_came_after_its_sizes():
    history = History()
    history.record(1.5, "emma")
    sizes = history.sizes()
    history.record(1.2, "ava")
    history.snapshot(2, 1.2, {}, {}, None)
    history.truncate(sizes)
    assert history == History([1.5], [], ["emma"])
    twin = history.copy()
    twin.record(1.0, "mia")
    assert history.losses == [1.5]


def test_a_run_reads_its_parts_state():
    run = Run.start(TINY_DOCS, Hyperparams(num_steps=3, snapshot_every=2), **TINY_SHAPE)
    run.train()
    assert run.adam_m is run.adam.m and run.loss_history is run.history.losses
    assert run.snapshots is run.history.snapshots and run.step_docs is run.history.step_docs
    assert run.moments() == run.to_checkpoint().adam
    assert all(math.isfinite(x) for x in run.adam_v)


def test_checked_step_keeps_the_gradients_when_asked():
    hp = Hyperparams(num_steps=3)
    run = Run.start(TINY_DOCS, hp, **TINY_SHAPE)
    twin = run.copy()
    run.checked_step(keep_grads=True)
    twin.train_step(keep_grads=True)
    assert run.last_grads == twin.last_grads and len(run.last_grads) == len(run.model.params)
    assert run.to_checkpoint() == twin.to_checkpoint()


def test_the_layout_refuses_what_it_cannot_lay_out():
    from microgpt.errors import ArgumentTypeError, ConfigError
    from microgpt.params import ParamLayout

    layout = load_checkpoint().layout
    for bad in (None, "config"):
        with pytest.raises(ArgumentTypeError, match="takes a GPTConfig"):
            ParamLayout(bad)
    for flat in (None, [1.0, 2.0], [0.0] * (layout.size + 1)):
        with pytest.raises(ConfigError, match=f"holds {layout.size} parameters"):
            layout.split(flat)
    for index in (-1, layout.size, "3"):
        with pytest.raises(MicrogptError, match="parameter index"):
            layout.locate(index)
    assert layout.locate(layout.size - 1)[0] == list(layout.shapes)[-1]
