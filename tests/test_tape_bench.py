"""The tape of ``bench/tape.py`` (issue 21 item 4, an experiment the benchmark
``bench/bench_tape.py`` times): its loss and every gradient are the ``Value`` engine's and
``microgpt.floats``', bit for bit (the type and the bytes of the double, so -0.0 and 0.0 differ,
and int 0 vs 0.0), on a tiny shape, on the default shape, unfused, and for a learner's edit of
the model; and what it cannot replay, it refuses."""

from __future__ import annotations

import random
import struct
import sys
from pathlib import Path

import pytest

from microgpt import Tokenizer
from microgpt.floats import FloatGPT
from microgpt.model import GPT, GPTConfig, attention, linear, rmsnorm
from microgpt.trace import scope

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
import tape  # noqa: E402  (bench/ is not a package)

TOKENIZER = Tokenizer(tuple("abcdefghijklmnopqrstuvwxyz"))
TINY = GPTConfig(27, n_embd=8, n_head=2, block_size=6)
#: one character (two positions), repeated characters (shared wte rows), longer than the block
DOCS = ["a", "jo", "emma", "anna", "aaaaaa", "zoe", "christopher"]


def bits(xs) -> list:
    return [(type(x), struct.pack("d", x)) for x in xs]


def engine(model, tokens) -> tuple[float, list]:
    for p in model.params:
        p.grad = 0
    loss, _ = model.loss(tokens)
    loss.backward()
    return loss.data, [p.grad for p in model.params]


def assert_exact(compiler, model, doc: str) -> None:
    tokens = TOKENIZER.encode_doc(doc)
    weights = [p.data for p in model.params]
    loss, grads = compiler.loss_and_grads(weights, tokens)
    e_loss, e_grads = engine(model, tokens)
    assert bits([loss]) == bits([e_loss]), doc
    wrong = [i for i, (x, y) in enumerate(zip(bits(grads), bits(e_grads))) if x != y]
    assert len(grads) == len(e_grads) and not wrong, f"{doc}: {len(wrong)} gradients differ"
    if type(model) is GPT:
        f_loss, f_grads = FloatGPT(model.config).loss_and_grads(weights, tokens)
        assert bits([loss, *grads]) == bits([f_loss, *f_grads]), doc


@pytest.fixture(scope="module")
def tiny_compiler():
    return tape.TapeCompiler(TINY)


@pytest.mark.parametrize("doc", DOCS)
def test_the_tape_is_the_engine_and_floats_on_a_tiny_shape(tiny_compiler, doc):
    model = GPT(TINY, random.Random(len(doc)))
    assert_exact(tiny_compiler, model, doc)


def test_one_tape_serves_every_document_of_its_length(tiny_compiler):
    """The tape of a length is compiled from other tokens and other weights; documents with
    other letters, repeats and targets replay through it, weights changing between steps."""
    rng = random.Random(0)
    model = GPT(TINY, random.Random(9))
    for _ in range(6):
        doc = "".join(rng.choice("abcdez") for _ in range(3))
        assert_exact(tiny_compiler, model, doc)
        for p in model.params:
            p.data += rng.gauss(0, 0.05)
    assert set(tiny_compiler.tapes) >= {4}


def test_unfused_tape_is_exact_too():
    """Without fusing expressions or aliasing gradients: one statement per node and edge."""
    compiler = tape.TapeCompiler(TINY, fuse=False, max_length=5)
    model = GPT(TINY, random.Random(3))
    for doc in ("anna", "jo"):
        assert_exact(compiler, model, doc)
    fused = tape.TapeCompiler(TINY, max_length=5)
    assert fused.tape(5).statements < compiler.tape(5).statements / 3


def test_the_default_shape_for_a_few_documents():
    config = GPTConfig(27)
    compiler = tape.TapeCompiler(config, max_length=7)
    model = GPT(config, random.Random(42))
    for doc in ("emma", "anna", "olivia", "ava"):
        assert_exact(compiler, model, doc)


class SquaredReluGPT(GPT):
    """A learner's edit: the MLP's ReLU squared and half the residual. No tape code knows it."""

    def block(self, li, x, keys, values):
        sd, w = self.state_dict, f"layer{li}."
        with scope(f"layer{li}"):
            wts = (sd[w + "attn_wq"], sd[w + "attn_wk"], sd[w + "attn_wv"], sd[w + "attn_wo"])
            a = attention(x, wts, keys, values, self.config.n_head)
            x = [ai + xi for ai, xi in zip(a, x)]
            h = [hi.relu() ** 2 for hi in linear(rmsnorm(x), sd[w + "mlp_fc1"])]
            m = linear(h, sd[w + "mlp_fc2"])
            return [mi * 0.5 + xi for mi, xi in zip(m, x)]


def test_a_learners_edit_replays_exactly():
    compiler = tape.TapeCompiler(TINY, make_model=SquaredReluGPT, max_length=5)
    model = SquaredReluGPT(TINY, random.Random(4))
    for doc in ("emma", "jo", "zz"):
        assert_exact(compiler, model, doc)


class DataDependentGPT(GPT):
    """A loss scaled by its own value as a plain number: a constant no rule reproduces."""

    def loss(self, tokens):
        loss, losses = super().loss(tokens)
        return loss * loss.data, losses


def test_what_it_cannot_replay_it_refuses():
    compiler = tape.TapeCompiler(TINY, make_model=DataDependentGPT, max_length=3)
    with pytest.raises(tape.TapeError, match="depends on the data"):
        compiler.tape(3)
    with pytest.raises(tape.TapeError, match="serve 1 to 3"):
        compiler.tape(4)
    short = tape.TapeCompiler(TINY, max_length=2).tape(2)
    with pytest.raises(tape.TapeError, match="needs 3 tokens or more, got 2"):
        short.loss_and_grads([0.0] * TINY.num_params(), [26, 0])
