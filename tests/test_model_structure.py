"""The recorded graph's structure is pinned: every node's id, name, scope, op, exponent and
children, for the shipped model on "christopher" and for a 2-layer, 3-head model.

The digests were computed before ``GPT.forward`` was split into ``embed`` / ``attention`` /
``head`` / ``mlp`` / ``GPT.block`` and must never change: the same graph built in the same
order gives the same floats (the faithfulness tests pin the floats themselves). No float is
hashed here, so a platform's ``exp`` or ``log`` cannot change a digest.
"""

from __future__ import annotations

import hashlib
import random

from microgpt.data import Tokenizer
from microgpt.model import GPT, GPTConfig
from microgpt.trace import Trace, trace

#: sha256 of ``structure(ForwardPass("christopher").trace)`` (103,675 nodes, shipped model).
CHRISTOPHER = "81897a0867ecfb8b5aad42b359bd4fe787bc4e0125a57c9183c090119cc9951f"
#: sha256 of ``structure`` for ``small_model_trace()`` below.
SMALL = "a73f8bd763119259e9ca3c1747b95cbad3d96a0b426d3cd1cb4523a97116603c"


def structure(t: Trace) -> str:
    """One line per node, by id: name, scope, op, exponent, children's ids."""
    ids = {v: i for i, v in enumerate(t.nodes)}
    names, scopes = t.node_names(), t.node_scopes()
    lines = [
        f"{i}|{names[i]}|{scopes[i]}|{v.op}|{v.exponent}|"
        + ",".join(str(ids[c]) for c in v.children)
        for i, v in enumerate(t.nodes)
    ]
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def small_model_trace() -> Trace:
    tok = Tokenizer.from_docs(["abc", "cab"])
    labels = [tok.label(i) for i in range(tok.vocab_size)]
    cfg = GPTConfig(vocab_size=tok.vocab_size, n_embd=6, n_head=3, n_layer=2, block_size=4)
    model = GPT(cfg, random.Random(11), labels)
    with trace() as t:
        t.adopt(model.named_parameters())
        model.loss(tok.encode_doc("cabba"))  # 6 tokens: cut to the 4 positions of the context
    return t


def test_the_shipped_models_graph_is_unchanged(fp):
    assert len(fp.trace) == 103_675
    assert structure(fp.trace) == CHRISTOPHER


def test_a_deeper_models_graph_is_unchanged():
    t = small_model_trace()
    scopes = set(t.node_scopes())
    assert {s.split(".")[1] for s in scopes if s.startswith("pos3.")} == {
        "embed",
        "layer0",
        "layer1",
        "lm_head",
        "softmax",
    }
    assert not any(s.startswith("pos4") for s in scopes)
    assert structure(t) == SMALL
