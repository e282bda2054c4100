"""Model: parameter count and order, softmax and attention rows sum to 1, the name vocabulary,
names unique per position, config validation."""

from __future__ import annotations

import math
import random

import pytest

from microgpt import MicrogptError
from microgpt.data import Tokenizer
from microgpt.engine import Value
from microgpt.model import GPT, NAME_RE, GPTConfig, rmsnorm, softmax
from microgpt.trace import trace


def test_default_parameter_count_is_4192():
    cfg = GPTConfig(vocab_size=27)
    model = GPT(cfg, random.Random(42))
    assert cfg.num_params() == len(model.params) == 4192


def test_parameters_are_drawn_in_the_article_order():
    cfg = GPTConfig(vocab_size=5, n_embd=4, n_head=2, block_size=3)
    rng = random.Random(7)
    expected = [rng.gauss(0, 0.08) for _ in range(cfg.num_params())]
    model = GPT(cfg, random.Random(7))
    assert [p.data for p in model.params] == expected
    assert list(model.state_dict) == [
        "wte", "wpe", "lm_head",
        "layer0.attn_wq", "layer0.attn_wk", "layer0.attn_wv", "layer0.attn_wo",
        "layer0.mlp_fc1", "layer0.mlp_fc2",
    ]  # fmt: skip
    assert all(p.op == "param" for p in model.params)


def test_softmax_sums_to_one_and_uses_a_plain_max():
    probs = softmax([Value(x) for x in (1.0, 3.0, -2.0, 1000.0)])
    assert math.fsum(p.data for p in probs) == pytest.approx(1.0, abs=1e-12)
    assert probs[3].data == pytest.approx(1.0)


def test_rmsnorm_gives_unit_mean_square():
    out = rmsnorm([Value(x) for x in (1.0, -2.0, 3.0, 0.5)])
    assert sum(v.data**2 for v in out) / 4 == pytest.approx(1.0, rel=1e-4)


@pytest.fixture(scope="module")
def traced_pass():
    tok = Tokenizer.from_docs(["abc", "b'c-x y"])
    labels = [tok.label(i) for i in range(tok.vocab_size)]
    cfg = GPTConfig(vocab_size=tok.vocab_size, n_embd=8, n_head=2, n_layer=2, block_size=8)
    model = GPT(cfg, random.Random(3), labels)
    with trace() as t:
        t.adopt(model.named_parameters())
        loss, losses = model.loss(tok.encode_doc("b'c-x y"))
    return t, model, loss, losses


def test_attention_rows_sum_to_one(traced_pass):
    t, model, *_ = traced_pass
    rows = {}
    for v in t.match("pos*.layer*.attn.head*.attn_weights[*]"):
        rows.setdefault(t.name_of(v).rsplit(".", 1)[0], []).append(v.data)
    assert len(rows) == 8 * 2 * 2  # positions x layers x heads
    for key, row in rows.items():
        p = int(key.split(".")[0][3:])
        assert len(row) == p + 1, key  # causal: position p attends to 0..p
        assert math.fsum(row) == pytest.approx(1.0, abs=1e-12)


def test_probs_sum_to_one_and_loss_is_the_mean(traced_pass):
    t, model, loss, losses = traced_pass
    for p in range(len(losses)):
        probs = t.match(f"pos{p}.probs[*]")
        assert len(probs) == model.config.vocab_size
        assert math.fsum(v.data for v in probs) == pytest.approx(1.0, abs=1e-12)
        assert t.find(f"pos{p}.loss") is losses[p]
    assert t.find("loss") is loss
    assert loss.data == pytest.approx(sum(v.data for v in losses) / len(losses))


def test_every_name_fits_the_vocabulary_and_is_unique(traced_pass):
    t, *_ = traced_pass
    names = [t.name_of(v) for v in t.nodes if t.name_of(v) is not None]
    assert len(names) == len(set(names))
    bad = [n for n in names if not NAME_RE.fullmatch(n)]
    assert not bad, bad[:10]
    # characters outside [A-Za-z0-9_'-] appear as code points
    assert "wte[U+0020,0]" in names and "wte[',0]" in names and "pos0.probs[BOS]" in names


def test_every_point_of_the_vocabulary_is_named(traced_pass):
    t, *_ = traced_pass
    for pattern, count in [
        ("pos3.embed.x_emb[*]", 8),
        ("pos3.embed.resid_pre[*]", 8),
        ("pos3.embed.rmsnorm.*", 3),
        ("pos3.layer1.attn.q[*]", 8),
        ("pos3.layer1.attn.head1.attn_logits[k=*]", 4),
        ("pos3.layer1.attn.head1.softmax.inv_total[*]", 4),
        ("pos3.layer1.attn.head1.head_out[*]", 4),
        ("pos3.layer1.attn.attn_out[*]", 8),
        ("pos3.layer1.resid_mid[*]", 8),
        ("pos3.layer1.mlp.fc1[*]", 32),
        ("pos3.layer1.mlp.relu[*]", 32),
        ("pos3.layer1.resid_post[*]", 8),
        ("pos3.lm_head.logits[*]", 9),
        ("pos3.log_prob", 1),
    ]:
        assert len(t.match(pattern)) == count, pattern


def test_scopes_follow_the_model_structure(traced_pass):
    t, *_ = traced_pass
    scopes = {t.scope_of(i) for i in range(len(t))}
    assert {"", "pos2.embed.rmsnorm", "pos2.layer0.attn.head1.softmax", "pos2.layer1.mlp",
            "pos2.lm_head", "pos2.softmax"} <= scopes  # fmt: skip


def test_name_regex_rejects_malformed_names():
    for bad in ["pos3.q[1]", "wte[ab,1]", "pos.layer0.resid_mid[1]", "layer0.attn_wx[1,2]",
                "pos1.layer0.attn.head0.attn_weights[0]"]:  # fmt: skip
        assert not NAME_RE.fullmatch(bad), bad


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"vocab_size": 27, "n_embd": 10, "n_head": 4}, "divisible"),
        ({"vocab_size": 27, "n_head": 0}, "positive"),
        ({"vocab_size": 1}, "at least 2"),
        ({"vocab_size": 27, "block_size": -1}, "positive"),
    ],
)
def test_config_errors_say_what_to_fix(kwargs, match):
    with pytest.raises(MicrogptError, match=match):
        GPTConfig(**kwargs)


def test_any_layer_count_and_head_split_run():
    cfg = GPTConfig(vocab_size=4, n_embd=6, n_head=3, n_layer=3, block_size=5)
    model = GPT(cfg, random.Random(0))
    loss, _ = model.loss([3, 0, 1, 2, 0, 1, 3])
    loss.backward()
    assert math.isfinite(loss.data)
    assert any(p.grad != 0 for p in model.state_dict["layer2.mlp_fc2"][0])
