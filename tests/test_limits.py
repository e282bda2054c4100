"""The limits behind the validation boundary: the size estimate against real counts, the
article's line rule, the bounded caches of a pass, strict JSON, and training that diverges."""

from __future__ import annotations

import json
import math
import random

import pytest
from conftest import TINY_DOCS, TINY_SHAPE

from microgpt import Run, trace
from microgpt.data import read_docs
from microgpt.errors import DivergedError
from microgpt.model import GPT, GPTConfig
from microgpt.train import Hyperparams
from microgpt.validate import check_output_path, num_params, step_nodes


@pytest.mark.parametrize(
    "shape",
    [
        {"n_embd": 16, "n_head": 4, "n_layer": 1, "block_size": 16},
        {"n_embd": 8, "n_head": 2, "n_layer": 2, "block_size": 8},
        {"n_embd": 24, "n_head": 3, "n_layer": 1, "block_size": 12},
    ],
)
def test_step_nodes_estimates_a_full_context_within_5_percent(shape):
    config = GPTConfig(vocab_size=27, **shape)
    assert num_params(config) == config.num_params()
    model = GPT(config, random.Random(0))
    tokens = [i % 26 for i in range(config.block_size + 1)]
    with trace() as t:
        model.loss(tokens)
    recorded = len(t) + config.num_params()
    assert abs(step_nodes(config) - recorded) / recorded < 0.05, (step_nodes(config), recorded)


def test_lines_split_on_newline_only_as_the_article(tmp_path):
    path = tmp_path / "d.txt"
    path.write_bytes("ann\r\nbo\x0cb\rcy\u2028d\n\n  eve  \n".encode())
    # text mode turns \r\n and \r into \n; a form feed or U+2028 stays inside its line
    assert read_docs(path) == ["ann", "bo\x0cb", "cy\u2028d", "eve"]


def test_a_pass_keeps_a_few_flows_and_drops_its_topological_order():
    from explorer import ForwardPass
    from explorer.forward import FLOW_CACHE

    fp = ForwardPass("emma")
    assert fp.index is not None and fp._topo is None
    first = fp.flow([0])
    assert fp.flow([0]) is first  # cached
    for i in range(1, FLOW_CACHE + 1):
        fp.flow([i])
    assert len(fp._flows) == FLOW_CACHE
    assert fp.flow([0]) is not first  # the least recently used one went first
    assert fp.flow([0]).flow == first.flow  # and comes back the same


def test_json_view_holds_no_nan_or_infinity():
    from explorer.graph import GraphNode, GraphView
    from explorer.render import to_json

    node = GraphNode(id="x", kind="value", label="x", data=math.nan, grad=math.inf)
    text = to_json(GraphView("full", "t", [node], [], {"max": -math.inf}, [], "a"))
    data = json.loads(text)  # strict JSON: NaN / Infinity are not in it
    assert "NaN" not in text and "Infinity" not in text
    assert data["nodes"][0]["data"] is None and data["stats"]["max"] is None


def test_diverged_training_rolls_back_to_the_last_finite_step():
    run = Run.start(TINY_DOCS, Hyperparams(num_steps=5, learning_rate=1e300), **TINY_SHAPE)
    seen = []
    with pytest.raises(DivergedError) as caught:
        run.train(on_step=lambda step, n, loss: seen.append(loss))
    assert caught.value.step == run.step == len(run.loss_history) == len(seen)
    assert all(math.isfinite(p.data) and p.grad == 0 for p in run.model.params)
    assert all(math.isfinite(x) for x in run.adam_m + run.adam_v)


def test_training_that_does_not_diverge_is_unchanged():
    """The divergence check only reads: the same run with and without it ends the same."""
    a = Run.start(TINY_DOCS, Hyperparams(num_steps=4), **TINY_SHAPE)
    b = Run.start(TINY_DOCS, Hyperparams(num_steps=4), **TINY_SHAPE)
    a.train()
    while not b.done:
        b.train_step()
    assert a.loss_history == b.loss_history
    assert [p.data for p in a.model.params] == [p.data for p in b.model.params]


def test_an_output_may_replace_a_checkpoint_or_its_own_view(tmp_path):
    from microgpt.checkpoint import save_checkpoint
    from microgpt.validate import is_checkpoint_file

    run = Run.start(TINY_DOCS, Hyperparams(num_steps=1), **TINY_SHAPE)
    ckpt = save_checkpoint(run.to_checkpoint(), tmp_path / "c.json")
    assert is_checkpoint_file(ckpt)
    check_output_path(ckpt, replaceable=is_checkpoint_file, kind="checkpoint")


def test_ctrl_c_without_out_never_replaces_an_unrelated_file(tmp_path, monkeypatch):
    from microgpt.cli import _interrupt_target

    monkeypatch.chdir(tmp_path)
    (tmp_path / "microgpt-step3.json").write_text("someone's notes\n", encoding="utf-8")
    assert _interrupt_target(3).name == "microgpt-step3.1.json"
    assert _interrupt_target(4).name == "microgpt-step4.json"


def test_a_failed_final_save_keeps_the_run_in_the_temp_folder(tmp_path):
    from pathlib import Path

    from microgpt.checkpoint import load_checkpoint
    from microgpt.cli import _save
    from microgpt.errors import MicrogptError

    run = Run.start(TINY_DOCS, Hyperparams(num_steps=1), **TINY_SHAPE)
    with pytest.raises(MicrogptError, match="saved to .* instead") as caught:
        _save(run, tmp_path / "gone" / "c.json")  # its folder vanished after the check
    spare = Path(str(caught.value).rsplit("saved to ", 1)[1].removesuffix(" instead"))
    try:
        assert load_checkpoint(spare)["step"] == run.step
    finally:
        spare.unlink()
