"""Sampling: the article's temperature sampling, one character at a time, optionally from a prefix.

Each sample starts from BOS with a fresh KV cache; at each position the next token is drawn with
``rng.choices`` from ``softmax(logits / temperature)``; BOS ends the sample, and a sample that
never draws it ends after ``block_size`` positions. Sits on ``microgpt.model``; prints nothing.
"""

from __future__ import annotations

import random

from .data import Tokenizer
from .errors import MicrogptError
from .model import GPT, softmax
from .trace import name_all, scope

__all__ = ["next_token_probs", "sample", "check_temperature"]


def check_temperature(temperature: float) -> None:
    """Refuse a temperature sampling cannot use (it divides the logits by it)."""
    if isinstance(temperature, bool) or not isinstance(temperature, (int, float)):
        raise MicrogptError(f"temperature must be a number, got {temperature!r}")
    if not temperature > 0 or temperature == float("inf"):
        raise MicrogptError(
            f"temperature must be a positive, finite number, got {temperature}: "
            "try 0.5 (the article's), lower for safer names, higher for wilder ones"
        )


def next_token_probs(model: GPT, logits, temperature: float, pos_id: int):
    """``softmax(logits / temperature)`` as nodes, named under ``pos{p}``."""
    labels = model.token_labels
    with scope(f"pos{pos_id}"):
        scaled = name_all([logit / temperature for logit in logits], "scaled_logits", labels)
        return name_all(softmax(scaled, labels), "probs", labels)


def sample(
    model: GPT,
    tokenizer: Tokenizer,
    rng: random.Random,
    temperature: float = 0.5,
    prefix: str = "",
) -> str:
    """One sampled document. With ``prefix``, the model is fed BOS and the prefix first (drawing
    nothing), then continues; the result starts with the prefix."""
    check_temperature(temperature)
    block_size = model.config.block_size
    prefix_ids = tokenizer.encode(prefix)
    if len(prefix_ids) >= block_size:
        raise MicrogptError(
            f"the prefix {prefix!r} has {len(prefix_ids)} characters; the model's context holds "
            f"{block_size} positions (BOS and {block_size - 1} characters): use a shorter prefix"
        )
    keys, values = model.new_cache()
    token_id = tokenizer.BOS
    out = list(prefix)
    for pos_id, forced in enumerate(prefix_ids):
        model.forward(token_id, pos_id, keys, values)
        token_id = forced
    for pos_id in range(len(prefix_ids), block_size):
        logits = model.forward(token_id, pos_id, keys, values)
        probs = next_token_probs(model, logits, temperature, pos_id)
        token_id = rng.choices(range(tokenizer.vocab_size), weights=[p.data for p in probs])[0]
        if token_id == tokenizer.BOS:
            break
        out.append(tokenizer.chars[token_id])
    return "".join(out)
