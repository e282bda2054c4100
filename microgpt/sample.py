"""Sampling: the article's temperature sampling, one character at a time, optionally from a prefix.

Each sample starts from BOS with a fresh KV cache; at each position the next token is drawn with
``rng.choices`` from ``softmax(logits / temperature)``; BOS ends the sample, and a sample that
never draws it ends after ``block_size`` positions. Sits on ``microgpt.model``; prints nothing.

Two arithmetics, one result: on plain floats (``microgpt.floats``: no graph, ~30x faster) or on
the ``Value`` engine (every node recorded by an open ``trace()``). Both draw the same tokens
from the same floats, so a seed gives the same names on either. ``engine=None`` (the default)
samples on floats unless a trace is open, whose caller wants the nodes.
"""

from __future__ import annotations

import contextvars
import math
import random
from collections.abc import Sequence

from .data import Tokenizer
from .engine import RECORDER, Value
from .errors import ArgumentTypeError, ConfigError, MicrogptError
from .floats import FloatCache, FloatGPT, temperature_softmax
from .model import GPT, softmax
from .trace import name_all, scope
from .train import check_engine
from .validate import check_int, check_str, quoted

__all__ = [
    "next_token_probs",
    "temperature_probs",
    "sample",
    "samples",
    "check_temperature",
    "MIN_TEMPERATURE",
    "MAX_TEMPERATURE",
]


#: The temperatures sampling accepts: below, logits / T overflows (or every draw is the argmax
#: anyway); above, every draw is uniform to many digits.
MIN_TEMPERATURE, MAX_TEMPERATURE = 1e-3, 1e3


def check_temperature(temperature: float) -> None:
    """Refuse a temperature sampling cannot use (it divides the logits by it)."""
    if isinstance(temperature, bool) or not isinstance(temperature, (int, float)):
        raise ArgumentTypeError(f"temperature must be a number, got {temperature!r}")
    if not temperature > 0 or temperature == float("inf"):
        raise ConfigError(
            f"temperature must be a positive, finite number, got {temperature}: "
            "try 0.5 (the article's), lower for safer names, higher for wilder ones"
        )
    if not MIN_TEMPERATURE <= temperature <= MAX_TEMPERATURE:
        raise ConfigError(
            f"temperature must be between {MIN_TEMPERATURE:g} and {MAX_TEMPERATURE:g}, got "
            f"{temperature:g}: try 0.5 (the article's), lower for safer names, higher for "
            "wilder ones"
        )


def next_token_probs(model: GPT, logits, temperature: float, pos_id: int):
    """``softmax(logits / temperature)`` as nodes, named under ``pos{p}``."""
    with scope(f"pos{pos_id}"):
        return _temperature_softmax(logits, temperature, model.token_labels)


def _temperature_softmax(logits: list[Value], temperature: float, labels=None) -> list[Value]:
    """The one place sampling's distribution is computed (as nodes): each logit divided by the
    temperature, then ``softmax``."""
    scaled = name_all([logit / temperature for logit in logits], "scaled_logits", labels)
    return name_all(softmax(scaled, labels), "probs", labels)


def temperature_probs(logits: Sequence[float], temperature: float) -> list[float]:
    """``softmax(logits / temperature)`` as plain numbers: the weights ``sample`` draws from,
    bit for bit (the same nodes ``next_token_probs`` builds, made in an empty context so that no
    open trace records them). A logit of ``-inf`` is a token that is never drawn."""
    check_temperature(temperature)
    if isinstance(logits, (str, bytes)) or not isinstance(logits, Sequence) or not logits:
        raise ArgumentTypeError(f"logits must be a non-empty list of numbers, got {logits!r}")
    plain = []
    for x in logits:
        if isinstance(x, bool) or not isinstance(x, (int, float)):
            raise ArgumentTypeError(f"logits must be numbers, got {x!r}")
        if math.isnan(x) or x == math.inf:
            raise ConfigError(f"logits must be finite (or -inf for an impossible token), got {x}")
        plain.append(float(x))
    if max(plain) == -math.inf:
        raise ConfigError("every logit is -inf: at least one token must be possible")

    def weights() -> list[float]:
        return [p.data for p in _temperature_softmax([Value(x) for x in plain], temperature)]

    return contextvars.Context().run(weights)


def sample(
    model: GPT,
    tokenizer: Tokenizer,
    rng: random.Random,
    temperature: float = 0.5,
    prefix: str = "",
    engine: str | None = None,
) -> str:
    """One sampled document. With ``prefix``, the model is fed BOS and the prefix first (drawing
    nothing), then continues; the result starts with the prefix.

    ``engine``: ``"floats"`` (no graph), ``"value"`` (``Value`` nodes, which an open
    ``trace()`` records), or ``None``: floats unless a trace is open. The same names either way.
    """
    return samples(model, tokenizer, rng, 1, temperature, prefix, engine)[0]


def samples(
    model: GPT,
    tokenizer: Tokenizer,
    rng: random.Random,
    num: int,
    temperature: float = 0.5,
    prefix: str = "",
    engine: str | None = None,
) -> list[str]:
    """``num`` samples drawn one after the other from ``rng``: ``[sample(...) for _ in
    range(num)]``, with the float model made once (it compiles its kernels)."""
    check_temperature(temperature)
    num = check_int(num, "num", 0, fix="the number of samples, e.g. 20")
    prefix = check_str(prefix, "prefix", empty_ok=True)
    if engine is None:
        engine = "value" if RECORDER.get() is not None else "floats"
    else:
        engine = check_engine(engine)
    block_size = model.config.block_size
    prefix_ids = tokenizer.encode(prefix)
    if len(prefix_ids) >= block_size:
        raise MicrogptError(
            f"the prefix {quoted(prefix)} has {len(prefix_ids)} characters; the model's context "
            f"holds {block_size} positions (BOS and {block_size - 1} characters): use a shorter "
            "prefix"
        )
    new_pass = (
        _float_passes(model, temperature)
        if engine == "floats"
        else _value_passes(model, temperature)
    )
    try:
        return [
            _one(new_pass(), tokenizer, rng, prefix, prefix_ids, block_size) for _ in range(num)
        ]
    except (OverflowError, ZeroDivisionError, ValueError) as e:  # nan / inf from the weights
        raise MicrogptError(
            f"sampling failed at temperature {temperature:g}: the model's numbers are not finite "
            f"({e}); the checkpoint's weights may come from a diverged run"
        ) from None


def _float_passes(model: GPT, temperature: float):
    """``new_pass()`` on plain floats: ``(forward, probs)`` over a fresh ``FloatCache``."""
    floats = FloatGPT(model.config)
    mats = floats.matrices([p.data for p in model.params])

    def new_pass():
        cache = FloatCache(model.config)

        def forward(token_id, pos_id):
            return floats.forward(mats, token_id, pos_id, cache)

        def probs(logits, pos_id):
            return temperature_softmax(logits, temperature)

        return forward, probs

    return new_pass


def _value_passes(model: GPT, temperature: float):
    """``new_pass()`` on the ``Value`` engine: ``(forward, probs)`` over a fresh KV cache
    (recorded, with names, inside a ``trace()``)."""

    def new_pass():
        keys, values = model.new_cache()

        def forward(token_id, pos_id):
            return model.forward(token_id, pos_id, keys, values)

        def probs(logits, pos_id):
            return [p.data for p in next_token_probs(model, logits, temperature, pos_id)]

        return forward, probs

    return new_pass


def _one(new_pass, tokenizer: Tokenizer, rng, prefix: str, prefix_ids, block_size: int) -> str:
    """One sample: ``new_pass`` is ``(forward, probs)`` over a fresh KV cache."""
    forward, probs = new_pass
    token_id = tokenizer.BOS
    out = list(prefix)
    for pos_id, forced in enumerate(prefix_ids):
        forward(token_id, pos_id)
        token_id = forced
    for pos_id in range(len(prefix_ids), block_size):
        weights = probs(forward(token_id, pos_id), pos_id)
        if not math.isfinite(sum(weights)):
            raise ValueError(f"probabilities {weights[:3]}…")
        token_id = rng.choices(range(tokenizer.vocab_size), weights=weights)[0]
        if token_id == tokenizer.BOS:
            break
        out.append(tokenizer.chars[token_id])
    return "".join(out)
