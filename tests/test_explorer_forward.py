"""explorer.forward: a recorded forward pass, its roots, its address, what it keeps."""

from __future__ import annotations

import math
import shutil

import pytest

from explorer import Address, ForwardPass, ModelSource
from microgpt.errors import MicrogptError, UnknownNameError

DOC = "christopher"  # 11 characters: 12 positions (BOS, c, h, r, i, s, t, o, p, h, e, r)


# source, fp (christopher) and fp3 (its root loss@3): shared fixtures in conftest.py


# -- what a pass holds ----------------------------------------------------------------------
def test_pass_shape(fp, source):
    cfg = source.config
    assert fp.positions == len(DOC) + 1 == 12
    assert fp.chars == ["BOS", *DOC]
    assert fp.tokens == [source.tokenizer.BOS, *source.tokenizer.encode(DOC), source.tokenizer.BOS]
    assert fp.num_params == cfg.num_params()
    # parameters first (ids 0 … P-1, in the model's order), then the forward pass
    names = fp.trace.node_names()
    assert names[0] == "wte[a,0]" and names[fp.num_params - 1] == "layer0.mlp_fc2[15,63]"
    assert all(fp.trace.nodes[i].op == "param" for i in range(fp.num_params))
    assert fp.trace.nodes[fp.num_params].op != "param"


def test_mean_loss_root(fp):
    assert fp.root is fp.loss and fp.root_name == "loss"
    assert fp.root.grad == 1
    assert fp.loss.data == pytest.approx(math.fsum(x.data for x in fp.losses) / 12, rel=1e-12)
    assert all(x.grad == pytest.approx(1 / 12, rel=1e-12) for x in fp.losses)
    assert fp.index.root == fp.index.id_of(fp.loss)
    # every non-target probability is outside the root's graph, with grad 0
    other = fp.node("pos0.probs[z]")  # the target of position 0 is c
    assert other.grad == 0 and fp.index.id_of(other) not in fp.index.in_graph


def test_position_loss_root(fp, fp3):
    assert fp3.root is fp3.losses[3] and fp3.root.grad == 1
    assert fp3.root.data == fp.losses[3].data  # same weights, same forward pass
    assert fp3.loss.grad == 0
    assert [x.grad for x in fp3.losses] == [0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0]
    assert fp3.node("pos5.loss").grad == 0
    assert fp3.node("pos2.layer0.attn.k[0]").grad != 0  # position 3 attends to position 2
    assert len(fp3.index.in_graph) < len(fp.index.in_graph)


def test_named_node_root(source, fp):
    root = "pos2.layer0.attn.head1.attn_weights[k=0]"
    p = ForwardPass(DOC, root=root, source=source)
    assert p.root is p.node(root) and p.root.grad == 1
    assert p.root.data == fp.node(root).data
    assert p.loss.grad == 0 and p.node("pos2.loss").grad == 0
    assert p.node("pos0.layer0.attn.k[4]").grad != 0
    assert p.node("pos3.layer0.attn.k[4]").grad == 0  # later positions: not in this graph
    assert str(p.address).endswith(f":{DOC}:{root}")


def test_gradients_equal_a_fresh_backward_of_the_model(source, fp):
    """The pass's gradients are the model's own: a fresh model, loss, backward."""
    model = source.model_at()
    loss, _ = model.loss(fp.tokens)
    loss.backward()
    assert loss.data == fp.loss.data
    ours = [p.grad for p in fp.model.params]
    theirs = [p.grad for p in model.params]
    assert ours == theirs


def test_attention_rows(fp, source):
    for head in range(source.config.n_head):
        rows = fp.attention(0, head)
        assert len(rows) == fp.positions
        for p, row in enumerate(rows):
            assert len(row) == p + 1
            assert math.fsum(row) == pytest.approx(1.0, rel=1e-12)
            assert all(w > 0 for w in row)
        assert rows[0] == [1.0]
        w = fp.node(f"pos5.layer0.attn.head{head}.attn_weights[k=2]").data
        assert rows[5][2] == w


@pytest.mark.parametrize(("layer", "head"), [(1, 0), (0, 4), (-1, 0), (0, -1)])
def test_attention_out_of_range(fp, layer, head):
    what = "layer" if (layer, head) in ((1, 0), (-1, 0)) else "head"
    with pytest.raises(MicrogptError, match=rf"^{what} {layer or head} is out of range: "):
        fp.attention(layer, head)


def test_probs(fp, source):
    for p in range(fp.positions):
        probs = fp.probs(p)
        assert len(probs) == source.config.vocab_size
        assert math.fsum(probs) == pytest.approx(1.0, rel=1e-12)
        target = fp.tokens[p + 1]
        assert -math.log(probs[target]) == pytest.approx(fp.losses[p].data, rel=1e-12)


@pytest.mark.parametrize("pos", [-1, 12, 100])
def test_positions_out_of_range(fp, pos):
    with pytest.raises(MicrogptError, match=rf"position {pos} is out of range.*0 to 11"):
        fp.probs(pos)
    with pytest.raises(MicrogptError, match="out of range"):
        fp.check_pos(pos)


def test_position_loss_root_out_of_range(source):
    with pytest.raises(MicrogptError, match="position 12 is out of range"):
        ForwardPass(DOC, root="loss@12", source=source)
    with pytest.raises(MicrogptError, match="position -1 is out of range"):
        ForwardPass(DOC, root="loss@-1", source=source)


def test_unknown_root_suggests_names(source):
    with pytest.raises(UnknownNameError, match=r"pos0\.los.*Did you mean: .*pos0\.loss"):
        ForwardPass(DOC, root="pos0.los", source=source)


def test_unknown_node_suggests_names(fp):
    with pytest.raises(UnknownNameError, match=r"Did you mean: .*pos3\.layer0\.attn\.q\[2\]"):
        fp.node("pos3.layer0.atn.q[2]")
    with pytest.raises(KeyError):  # UnknownNameError is also a KeyError
        fp.node("nothing like it")


# -- documents ------------------------------------------------------------------------------
def test_empty_document(source):
    with pytest.raises(MicrogptError, match="empty"):
        ForwardPass("", source=source)


@pytest.mark.parametrize(
    ("doc", "named"), [("Zoë", "'Z', 'ë'"), ("ann-marie", "'-'"), ("a b", "' '")]
)
def test_characters_outside_the_vocabulary(source, doc, named):
    with pytest.raises(MicrogptError, match="outside the vocabulary") as err:
        ForwardPass(doc, source=source)
    assert named in str(err.value)
    assert "abcdefghijklmnopqrstuvwxyz" in str(err.value)


def test_long_document_is_truncated_to_the_block_size(source):
    fp = ForwardPass("abcdefghijklmnopqrst", source=source)  # 20 characters
    assert fp.positions == source.config.block_size == 16
    with pytest.raises(MicrogptError, match="truncated to the block size"):
        fp.check_pos(16)
    fp.check_pos(15)


# -- the address ----------------------------------------------------------------------------
def test_address_fields(fp, source):
    a = fp.address
    assert a == Address("shipped", source.sha, 1000, DOC, "loss")
    assert len(a.sha) == 12 and int(a.sha, 16) >= 0
    assert str(a) == f"shipped#{source.sha}@1000:{DOC}:loss"


@pytest.mark.parametrize("root", ["loss", "loss@3", "pos2.layer0.attn.head1.attn_weights[k=0]"])
def test_address_text_round_trips(source, root):
    a = Address("shipped", source.sha, 1000, DOC, root)
    assert Address.parse(str(a)) == a
    b = Address("/tmp/some dir/x#1.json", "0123456789ab", 0, "emma", root)
    assert Address.parse(str(b)) == b


@pytest.mark.parametrize("text", ["", "emma", "shipped@1000:emma:loss", "shipped#xyz@1:emma:loss"])
def test_address_parse_rejects_garbage(text):
    with pytest.raises(MicrogptError, match="not a forward-pass address"):
        Address.parse(text)


def test_at_recreates_the_same_graph(fp, fp3, source):
    for original in (fp, fp3):
        again = ForwardPass.at(str(original.address))  # loads the shipped checkpoint itself
        assert again.address == original.address
        assert len(again.trace) == len(original.trace)
        assert again.root.data == original.root.data
        assert again.index.root == original.index.root
        assert again.root.grad == 1
        again2 = ForwardPass.at(original.address, source)
        assert len(again2.trace) == len(original.trace)


def test_at_refuses_a_changed_checkpoint(source):
    stale = Address("shipped", "0" * 12, 1000, "emma", "loss")
    with pytest.raises(MicrogptError, match="has changed"):
        ForwardPass.at(stale, source)


def test_address_of_another_checkpoint(tmp_path, source):
    path = tmp_path / "copy.json"
    shutil.copyfile(source.path, path)
    other = ModelSource(path)
    assert other.label == "copy.json" and other.sha == source.sha
    fp = ForwardPass("emma", root="loss@2", source=other, step=500)
    assert fp.address.checkpoint == str(path)
    again = ForwardPass.at(str(fp.address))
    assert again.source.path == path
    assert again.step == 500 and again.root.data == fp.root.data
    assert len(again.trace) == len(fp.trace)
    path.write_text(path.read_text() + "\n")  # a different file at the same path
    with pytest.raises(MicrogptError, match="has changed"):
        ForwardPass.at(str(fp.address))


# -- steps ----------------------------------------------------------------------------------
def test_steps_are_the_snapshots(source):
    assert source.steps == list(range(0, 1001, 100))
    assert source.step == 1000


def test_step_selects_snapshot_weights(source):
    early = ForwardPass("emma", source=source, step=0)
    late = ForwardPass("emma", source=source, step=1000)
    default = ForwardPass("emma", source=source)
    assert early.address.step == 0 and late.address.step == 1000
    assert default.loss.data == late.loss.data
    assert early.loss.data != late.loss.data
    assert early.loss.data > late.loss.data  # training lowered the loss on a common name
    assert early.model.state_dict["wte"][0][0].data == source.weights_at(0)["wte"][0][0]
    assert len(early.trace) == len(late.trace)


def test_a_step_outside_the_run_says_which_steps_exist(source):
    with pytest.raises(MicrogptError, match=r"no step 1001.*choose one from 0 to 1000"):
        ForwardPass("emma", source=source, step=1001)


# -- ids are stable -------------------------------------------------------------------------
def test_two_passes_give_the_same_ids(fp, source):
    again = ForwardPass(DOC, source=source)
    assert len(again.trace) == len(fp.trace)
    ours = [(fp.trace.label(i), v.op) for i, v in enumerate(fp.trace.nodes)]
    theirs = [(again.trace.label(i), v.op) for i, v in enumerate(again.trace.nodes)]
    assert ours == theirs
    assert [v.data for v in fp.trace.nodes] == [v.data for v in again.trace.nodes]
    assert [v.grad for v in fp.trace.nodes] == [v.grad for v in again.trace.nodes]
    assert fp.index.scope == again.index.scope
    assert fp.index.in_graph == again.index.in_graph


def test_passes_do_not_share_parameter_nodes(fp, fp3):
    """Each pass has its own model: one pass's backward never touches another's grads."""
    assert fp.model.params[0] is not fp3.model.params[0]
    assert fp.node("wte[c,0]").grad != fp3.node("wte[c,0]").grad


def test_an_expression_built_twice_on_one_trace_does_not_double_gradients():
    from explorer import Expression
    from microgpt.engine import Value
    from microgpt.trace import name, trace

    with trace() as t:
        a, b = name(Value(2.0), "a"), name(Value(3.0), "b")
        L = name(name(a * b, "c") + a, "L")  # noqa: N806 - the article's name
    Expression(t, L)
    Expression(t, L)  # a notebook cell run again
    assert (a.grad, b.grad) == (4.0, 2.0)


def test_an_address_names_its_checkpoint_absolutely(tmp_path, monkeypatch):
    from microgpt.checkpoint import save_checkpoint
    from microgpt.train import Hyperparams, Run

    run = Run.start(["ab", "ba"], Hyperparams(num_steps=1), n_embd=4, n_head=2)
    save_checkpoint(run.to_checkpoint(), tmp_path / "c.json")
    monkeypatch.chdir(tmp_path)
    address = str(ForwardPass("ab", source="c.json").address)
    monkeypatch.chdir("/")
    assert ForwardPass.at(address).doc == "ab"
