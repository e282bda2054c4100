"""The training step on plain floats (``microgpt.floats``) against the ``Value`` engine: the loss
and every parameter's gradient bit for bit (``==`` and the bytes of the double, so -0.0 and 0.0
differ, and int 0 vs 0.0), for many shapes and documents; and ``Run.replayed``, which uses it,
re-creating runs exactly (a tiny run, and the shipped model's 1,000 steps)."""

from __future__ import annotations

import random
import struct

import pytest
from conftest import TINY_DOCS, TINY_SHAPE
from hypothesis import given, settings
from hypothesis import strategies as st

from microgpt import (
    MicrogptError,
    Run,
    Tokenizer,
    floats,
    load_checkpoint,
    shipped_checkpoint_path,
)
from microgpt.floats import FloatGPT, loss_and_grads
from microgpt.model import GPT, GPTConfig
from microgpt.train import Hyperparams, adam_move, adam_moves

TOKENIZER = Tokenizer(tuple("abcdefghijklmnopqrstuvwxyz"))
LABELS = [TOKENIZER.label(i) for i in range(TOKENIZER.vocab_size)]
NAMES = [
    "emma", "olivia", "isabella", "christopher", "zoe", "jax", "quinn", "bartholomew",
    "a", "z",  # one character: two positions
    "aaaaaa", "anna", "hannah",  # repeated characters share wte rows
    "maximilianalexander",  # 19 characters: longer than the default block_size
]  # fmt: skip
CONFIGS = {
    "default": GPTConfig(27),
    "two-layers": GPTConfig(27, n_layer=2),
    "one-head": GPTConfig(27, n_head=1),
    "eight-heads": GPTConfig(27, n_head=8),
    "small-block4": GPTConfig(27, n_embd=8, block_size=4),
    "three-layers-odd": GPTConfig(27, n_embd=12, n_head=3, n_layer=3, block_size=7),
}


def bits(x) -> tuple:
    """A number's type and the bytes of its double: equal iff the numbers are the same float
    (or the same int), sign of zero included."""
    return type(x), struct.pack("d", x)


def engine(model: GPT, tokens: list[int]) -> tuple[float, list]:
    loss, _ = model.loss(tokens)
    loss.backward()
    return loss.data, [p.grad for p in model.params]


def assert_same(model: GPT, tokens: list[int]) -> bool:
    """Float step == engine, bit for bit; or both raise the same error (then False)."""
    weights = [p.data for p in model.params]
    try:
        loss, grads = engine(model, tokens)
    except (ArithmeticError, ValueError) as e:  # e.g. log(0): a probability underflowed
        with pytest.raises(type(e), match=str(e)):
            loss_and_grads(model.config, weights, tokens)
        return False
    f_loss, f_grads = loss_and_grads(model.config, weights, tokens)
    assert f_loss == loss and bits(f_loss) == bits(loss)
    assert len(f_grads) == len(grads)
    assert f_grads == grads
    wrong = [i for i, (a, b) in enumerate(zip(f_grads, grads)) if bits(a) != bits(b)]
    names = [n for n, _ in model.named_parameters()]
    assert not wrong, f"{len(wrong)} gradients differ, first {[names[i] for i in wrong[:5]]}"
    return True


#: For the shapes other than the default: one and two characters, repeats, a long name.
FEW_NAMES = ["a", "jo", "anna", "aaaaaa", "emma", "christopher", "maximilianalexander"]


@pytest.mark.parametrize("shape", list(CONFIGS))
def test_loss_and_every_gradient_are_the_engines(shape):
    config = CONFIGS[shape]
    for k, doc in enumerate(NAMES if shape == "default" else FEW_NAMES):
        model = GPT(config, random.Random(k), LABELS)
        assert assert_same(model, TOKENIZER.encode_doc(doc))


def test_the_generic_kernels_give_the_same_floats(monkeypatch):
    """With every dot product on ``map``/``reduce`` (as vectors longer than MAX_UNROLLED are),
    the step is still the engine's; and both kernels agree on zeros of either sign."""
    monkeypatch.setattr(floats, "MAX_UNROLLED", 0)
    model = GPT(CONFIGS["two-layers"], random.Random(5), LABELS)
    assert assert_same(model, TOKENIZER.encode_doc("hannah"))
    rng = random.Random(3)
    for length in (1, 2, 7, 64, 300):
        rows = [[rng.choice([0.0, -0.0, rng.gauss(0, 1)]) for _ in range(length)] for _ in range(5)]
        x = [rng.choice([0.0, -0.0, rng.gauss(0, 1)]) for _ in range(length)]
        want = floats._generic_matvec(rows, x)
        assert _all_bits(floats._unrolled_matvec(length)(rows, x)) == _all_bits(want)


def test_one_float_model_serves_many_documents():
    config = CONFIGS["default"]
    model = GPT(config, random.Random(11), LABELS)
    weights = [p.data for p in model.params]
    reused = FloatGPT(config)
    for doc in ("christopher", "a", "anna", "maximilianalexander", "emma"):
        tokens = TOKENIZER.encode_doc(doc)
        assert _all_bits(reused.loss_and_grads(weights, tokens)) == _all_bits(
            loss_and_grads(config, weights, tokens)
        )


def test_weights_far_from_the_initial_ones_too():
    """Large weights: peaked softmaxes, many dead relus (their int 0), big gradients."""
    config = CONFIGS["default"]
    compared = []
    for seed, sigma in ((1, 0.5), (2, 1.0), (3, 2.0)):
        rng = random.Random(seed)
        weights = _random_weights(config, rng, sigma)
        for doc in ("christopher", "anna", "x"):
            compared.append(assert_same(GPT(config, weights=weights), TOKENIZER.encode_doc(doc)))
    assert sum(compared) >= 6, compared  # most of them computed (no log(0))


def test_parameters_the_document_never_reaches_keep_int_zero():
    config = CONFIGS["small-block4"]  # block_size 4: "bob" has 4 positions, "ab" 3
    model = GPT(config, random.Random(7), LABELS)
    for doc, n in (("bob", 4), ("ab", 3), ("maximilian", 4)):
        tokens = TOKENIZER.encode_doc(doc)
        _, grads = loss_and_grads(config, [p.data for p in model.params], tokens)
        ints = {name for (name, _), g in zip(model.named_parameters(), grads) if type(g) is int}
        used = {TOKENIZER.label(t) for t in tokens[:n]}
        absent = {f"wte[{TOKENIZER.label(t)},{i}]" for t in range(27) for i in range(8)}
        absent -= {f"wte[{c},{i}]" for c in used for i in range(8)}
        absent |= {f"wpe[{p},{i}]" for p in range(n, 4) for i in range(8)}
        assert ints == absent
        assert all(g == 0 for (name, _), g in zip(model.named_parameters(), grads) if name in ints)


@settings(max_examples=30, deadline=None)
@given(
    embd_heads=st.sampled_from([(2, 1), (2, 2), (4, 2), (6, 3), (8, 4), (8, 1), (4, 4)]),
    n_layer=st.integers(1, 2),
    block_size=st.integers(1, 6),
    vocab_size=st.integers(2, 6),
    body=st.lists(st.integers(0, 4), min_size=0, max_size=8),
    seed=st.integers(0, 2**32 - 1),
    sigma=st.sampled_from([0.08, 0.5, 2.0]),
)
def test_random_shapes_documents_and_weights(
    embd_heads, n_layer, block_size, vocab_size, body, seed, sigma
):
    n_embd, n_head = embd_heads
    config = GPTConfig(vocab_size, n_embd, n_head, n_layer, block_size)
    bos = vocab_size - 1
    tokens = [bos] + [t % bos for t in body] + [bos]
    model = GPT(config, weights=_random_weights(config, random.Random(seed), sigma))
    assert_same(model, tokens)


def _random_weights(config: GPTConfig, rng: random.Random, sigma: float) -> dict:
    return {
        key: [[rng.gauss(0, sigma) for _ in range(cols)] for _ in range(rows)]
        for key, (rows, cols) in config.matrix_shapes().items()
    }


# -- Adam over all parameters at once -------------------------------------------------------
finite = st.floats(-1e6, 1e6, allow_nan=False)


@settings(max_examples=200, deadline=None)
@given(
    params=st.lists(
        st.tuples(finite | st.just(0) | st.just(-0.0), finite, st.floats(0, 1e6)), max_size=6
    ),
    step=st.integers(0, 2000),
    lr_t=st.floats(0, 1),
    betas=st.tuples(st.floats(0, 0.999), st.floats(0, 0.999)),
    eps=st.floats(1e-12, 1e-3),
)
def test_adam_moves_is_adam_move_for_each_parameter(params, step, lr_t, betas, eps):
    grads, ms, vs = (list(column) for column in zip(*params)) if params else ([], [], [])
    got = adam_moves(grads, ms, vs, step, lr_t, *betas, eps)
    want = [adam_move(g, m, v, step, lr_t, *betas, eps) for g, m, v in params]
    assert [list(column) for column in got] == [
        [w[0] for w in want],
        [w[1] for w in want],
        [w[4] for w in want],
    ]
    assert _all_bits(got) == _all_bits([[w[k] for w in want] for k in (0, 1, 4)])


# -- replay: Run.replayed steps on floats ----------------------------------------------------
def test_replaying_a_run_on_floats_is_training_it(monkeypatch):
    """A tiny run trained with ``train_step``, and a copy of its start replayed on floats
    through snapshots and the last step: the same checkpoint, every float of it."""
    hp = Hyperparams(num_steps=10, snapshot_every=3)
    trained = Run.start(TINY_DOCS, hp, **TINY_SHAPE)
    replayed = trained.copy()
    while not trained.done:
        trained.train_step()
    monkeypatch.setattr(Run, "train_step", _no_engine)  # the replay must not use the engine
    replayed.steps_on_floats(trained.step_docs)
    want, got = trained.to_checkpoint(), replayed.to_checkpoint()
    assert [s["step"] for s in got.snapshots] == [0, 3, 6, 9, 10]
    assert got == want
    assert _all_bits(got.to_dict()) == _all_bits(want.to_dict())
    assert all(p.grad == 0 and type(p.grad) is int for p in replayed.model.params)


def test_replaying_past_the_last_step_is_refused_as_training_refuses_it():
    run = Run.start(TINY_DOCS, Hyperparams(num_steps=2), **TINY_SHAPE)
    run.steps_on_floats(["emma", "mia"])
    assert run.done
    with pytest.raises(MicrogptError, match="has done all its 2 steps"):
        run.steps_on_floats(["ava"])
    assert run.step == 2 and len(run.loss_history) == 2


def test_replayed_uses_the_float_step(monkeypatch):
    path = shipped_checkpoint_path()
    ckpt = load_checkpoint(path)
    monkeypatch.setattr(Run, "train_step", _no_engine)
    run = Run.replayed(ckpt, 905)
    assert run.step == 905 and run.loss_history == ckpt.loss_history[:905]


def _no_engine(self, *args, **kwargs):
    raise AssertionError("replay called train_step")


def _all_bits(tree) -> list:
    """Every number in a JSON-like tree, as ``bits``, in order."""
    if isinstance(tree, dict):
        return [b for key in sorted(tree) for b in _all_bits(tree[key])]
    if isinstance(tree, list | tuple):
        return [b for item in tree for b in _all_bits(item)]
    if isinstance(tree, float | int) and not isinstance(tree, bool):
        return [bits(tree)]
    return [tree]


# -- the shipped model: every snapshot interval replayed to the next snapshot ---------------
@pytest.fixture(scope="module")
def shipped():
    return load_checkpoint(shipped_checkpoint_path())


def _replay_interval(ckpt: dict, start: int) -> None:
    """Replay from the snapshot at ``start`` through the next one: the snapshot the replay
    takes is the checkpoint's, and every loss is the one training recorded."""
    every = ckpt.hyperparams.snapshot_every
    end = min(start + every, ckpt.step)
    run = Run.replayed(ckpt, start)
    assert run.step == start
    run.steps_on_floats(ckpt.step_docs[start:end])
    assert run.loss_history == ckpt.loss_history[:end]
    assert _all_bits(run.loss_history) == _all_bits(ckpt.loss_history[:end])
    ours, theirs = run.snapshots[-1], next(s for s in ckpt.snapshots if s["step"] == end)
    assert ours is not theirs and ours["step"] == end
    for field in ("weights", "adam", "loss", "grad_norms"):
        assert ours[field] == theirs[field], field
        assert _all_bits(ours[field]) == _all_bits(theirs[field]), field
    if end == ckpt.step:
        assert run.model.weights() == ckpt.weights


# ~1.2 s each on the 2-core box (the Value engine took ~23 s each)
@pytest.mark.parametrize("start", range(0, 1000, 100))
def test_shipped_model_every_interval_is_replayed_exactly(shipped, start):
    _replay_interval(shipped, start)


def test_a_step_by_hand_on_floats_is_train_step_on_any_document():
    """The explorer's step taken by hand: any name (not the run's next document), its
    gradients kept, the loss after it: the engine's, bit for bit."""
    hp = Hyperparams(num_steps=10, snapshot_every=3)
    engine = Run.start(TINY_DOCS, hp, **TINY_SHAPE)
    engine.train_step()
    floats = engine.copy()
    for doc in ("mia", "bella"):  # characters of the tiny vocabulary
        want = engine.train_step(doc, keep_grads=True)
        (got,) = floats.steps_on_floats([doc], keep_grads=True)
        assert _all_bits([got, floats.last_grads]) == _all_bits([want, engine.last_grads])
        tokens = engine.tokenizer.encode_doc(doc)
        assert _all_bits([floats.loss_on_floats(doc)]) == _all_bits(
            [engine.model.loss(tokens)[0].data]
        )
    assert _all_bits(floats.to_checkpoint().to_dict()) == _all_bits(
        engine.to_checkpoint().to_dict()
    )


# -- inference on floats: the forward pass with a KV cache, and sampling's softmax ---------------
@pytest.mark.parametrize("shape", list(CONFIGS))
def test_the_cached_forward_gives_the_engines_logits(shape):
    """``FloatGPT.forward`` position by position: every logit bit for bit ``GPT.forward``'s."""
    config = CONFIGS[shape]
    for k, doc in enumerate(FEW_NAMES):
        model = GPT(config, random.Random(k + 40), LABELS)
        floats_model = FloatGPT(config)
        mats = floats_model.matrices([p.data for p in model.params])
        keys, values = model.new_cache()
        cache = floats.FloatCache(config)
        tokens = TOKENIZER.encode_doc(doc)[: config.block_size]
        for pos, token in enumerate(tokens):
            want = [v.data for v in model.forward(token, pos, keys, values)]
            got = floats_model.forward(mats, token, pos, cache)
            assert _all_bits(got) == _all_bits(want), (shape, doc, pos)


@pytest.mark.parametrize("temperature", [0.001, 0.3, 0.5, 1, 1.0, 2.7, 1000])
def test_temperature_softmax_is_the_nodes_sampling_builds(temperature):
    from microgpt.sample import temperature_probs

    rng = random.Random(int(temperature * 1000))
    for _ in range(20):
        logits = [rng.gauss(0, 3) for _ in range(27)]
        got = floats.temperature_softmax(logits, temperature)
        assert _all_bits(got) == _all_bits(temperature_probs(logits, temperature))
