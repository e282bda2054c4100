"""Two passes compared (``explorer.compare``): Δ = b − a exactly, nodes matched by name (and
anonymous nodes by their place in the code), the diff picture with both numbers on each node,
``microgpt graph --compare-step / --compare-doc``, and the ``CompareView`` widget."""

from __future__ import annotations

import json
import math

import pytest

from explorer import ForwardPass, ModelSource, overview, scope_view
from explorer.compare import Comparison, DiffNode, diff_view, node_keys
from explorer.layout import layout
from explorer.render import to_json, to_svg, to_text
from explorer.shapes import node_shape, scales_of
from explorer.style import PAD_X, fmt, text_width
from microgpt.cli import main
from microgpt.errors import MicrogptError

HEAD = "pos2.layer0.attn.head1"


@pytest.fixture(scope="module")
def source():
    return ModelSource()


@pytest.fixture(scope="module")
def emma(source):
    return ForwardPass("emma", source=source)


@pytest.fixture(scope="module")
def emma100(source):
    return ForwardPass("emma", source=source, step=100)


@pytest.fixture(scope="module")
def steps(emma, emma100):
    return Comparison(emma, emma100)


def test_delta_is_b_minus_a_exactly(steps, emma, emma100):
    diffs = steps.diffs()
    assert len(diffs) == len(emma.index.in_graph)  # one model, two steps: every node matches
    assert any(d.d_grad != 0 for d in diffs) and any(d.d_data != 0 for d in diffs)
    for d in diffs:
        va, vb = emma.index.values[d.id_a], emma100.index.values[d.id_b]
        assert (d.data_a, d.grad_a, d.data_b, d.grad_b) == (va.data, va.grad, vb.data, vb.grad)
        assert d.d_data == vb.data - va.data and d.d_grad == vb.grad - va.grad
    view = diff_view(scope_view(emma, HEAD), steps)
    nodes = [n for n in view.nodes if isinstance(n, DiffNode)]
    assert nodes and all(n.kind == "value" for n in nodes)
    for n in nodes:
        vb = emma100.index.values[steps.match(n.ref)]
        assert (n.data_b, n.grad_b) == (vb.data, vb.grad)
        assert n.d_data == n.data_b - n.data and n.d_grad == n.grad_b - n.grad
    assert view.stats["compare_root_value"] == emma100.loss.data
    assert view.stats["root_value"] == emma.loss.data


def test_named_nodes_match_by_name_across_documents(source, emma):
    other = ForwardPass("olivia", source=source)
    cmp = Comparison(emma, other)
    name = "pos2.layer0.attn.head1.attn_weights[k=1]"
    d = cmp.node(name)
    assert d.data_a == emma.node(name).data and d.data_b == other.node(name).data
    assert d.id_b == other.index.id_of(other.node(name))
    # named nodes match by name, never by id
    for i in range(len(emma.index)):
        j = cmp.match(i)
        if emma.index.name[i] is not None:  # olivia is longer: every name of emma is there
            assert j is not None and other.index.name[j] == emma.index.name[i]
    # positions olivia has and emma lacks are in b only; emma's positions all exist in olivia
    assert cmp.only_b > 0
    with pytest.raises(MicrogptError, match="not in both passes"):
        cmp.probs(5)
    with pytest.raises(MicrogptError, match="only in"):
        Comparison(other, emma).node("pos6.loss")


def test_anonymous_nodes_match_by_scope_rank_op_and_inputs(source, emma):
    longer = ForwardPass("emmanuel", source=source)
    cmp = Comparison(emma, longer)
    ka, kb = node_keys(emma), node_keys(longer)
    anonymous = [i for i in range(len(emma.index)) if emma.index.name[i] is None]
    in_positions = [i for i in anonymous if emma.index.scope[i].startswith("pos")]
    # every anonymous node inside a position (products, partial sums) is found in the longer
    # document, at the same key, with inputs of the same keys
    for i in in_positions:
        j = cmp.match(i)
        assert j is not None and ka[i] == kb[j]
        assert longer.index.op[j] == emma.index.op[i]
        kids_a = [ka[c] for c in emma.index.children[i]]
        assert kids_a == [kb[c] for c in longer.index.children[j]]
    # emma's first positions equal emmanuel's (causal attention): identical numbers there
    assert cmp.node("pos3.loss").data_a == cmp.node("pos3.loss").data_b
    # the mean over 5 positions is not the mean over 9: its constant 1/5 is left unmatched
    unmatched = [i for i in anonymous if cmp.match(i) is None]
    assert unmatched and all(not emma.index.scope[i].startswith("pos") for i in unmatched)


def test_same_document_same_step_gives_all_deltas_zero(source, emma):
    again = ForwardPass("emma", source=source)
    cmp = Comparison(emma, again)
    assert cmp.only_a == 0 and cmp.only_b == 0
    assert all(d.d_data == 0 and d.d_grad == 0 for d in cmp.diffs())
    view = diff_view(overview(emma), cmp, "grad", overview(again))
    assert all(isinstance(n, DiffNode) for n in view.nodes if n.kind in ("value", "group"))
    assert all(n.d_grad == 0 for n in view.nodes if isinstance(n, DiffNode))
    assert scales_of(view).diff == 0.0
    assert "0 (a and b equal)" in to_svg(view)


def test_side_by_side_queries(steps, emma, emma100):
    la, lb = steps.losses()
    assert la == [v.data for v in emma.losses] and lb == [v.data for v in emma100.losses]
    aa, ab = steps.attention(0, 1)
    assert aa == emma.attention(0, 1) and ab == emma100.attention(0, 1)
    pa, pb = steps.probs(2)
    assert pa == emma.probs(2) and pb == emma100.probs(2) and pa != pb
    assert steps.root_values() == (emma.loss.data, emma100.loss.data)
    assert steps.labels == ("'emma' at step 1000", "'emma' at step 100")
    with pytest.raises(MicrogptError, match="colour by"):
        diff_view(scope_view(emma, HEAD), steps, "flow")


@pytest.mark.parametrize("by", ["grad", "data"])
def test_diff_picture_shows_both_numbers_inside_each_box(steps, emma, by):
    view = diff_view(scope_view(emma, HEAD), steps, by)
    scales = scales_of(view)
    assert scales.diff_by == by and scales.diff > 0
    svg = to_svg(view)
    assert f"Δ{by}" in svg and "b − a" in svg
    for node in view.nodes:
        if not isinstance(node, DiffNode):
            continue
        shape = node_shape(node, scales)
        texts = [line.text for line in shape.lines]
        assert any(fmt(node.data) in t and fmt(node.data_b) in t for t in texts)
        assert any(fmt(node.grad) in t and fmt(node.grad_b) in t for t in texts)
        for line in shape.lines:  # nothing clipped: every line fits inside its box
            assert text_width(line.text, line.size) + 2 * PAD_X <= shape.width
    lay = layout(view)
    assert set(lay.centres) == {n.id for n in view.nodes}
    # the legend numbers: the diverging scale's ends are ± the largest |Δ| drawn
    assert f">{fmt(scales.diff)}<" in svg and f">{fmt(-scales.diff)}<" in svg
    assert "data_b" in to_json(view) and "compare_root_value" in to_text(view)


def test_overview_groups_compare_their_gradient_norms(steps, emma, emma100):
    view = diff_view(overview(emma), steps, "grad", overview(emma100))
    view_b = {n.id: n for n in overview(emma100).nodes}
    groups = [n for n in view.nodes if isinstance(n, DiffNode) and n.kind == "group"]
    assert groups
    for n in groups:
        assert n.grad_b == view_b[n.id].grad and n.d_grad == n.grad_b - n.grad
    without = diff_view(overview(emma), steps, "grad")
    assert any("groups are not compared" in note for note in without.notes)


# -- the command ------------------------------------------------------------------------
def _cli(capsys, *args):
    capsys.readouterr()
    try:
        code = main([str(a) for a in args])
    except SystemExit as e:
        code = e.code
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("view", [[], ["--view", "scope", "--scope", HEAD]])
def test_cli_compare_step_equals_that_step_alone(tmp_path, capsys, view):
    c, s = tmp_path / "c.json", tmp_path / "s.json"
    code, out, _ = _cli(capsys, "graph", "--doc", "emma", *view, "--compare-step", 100,
                        "--out", c)  # fmt: skip
    assert code == 0 and "(a) →" in out and "(b)" in out
    assert _cli(capsys, "graph", "--doc", "emma", *view, "--step", 100, "--out", s)[0] == 0
    cj, sj = json.loads(c.read_text()), json.loads(s.read_text())
    assert cj["stats"]["compare_root_value"] == sj["stats"]["root_value"]
    alone = {n["id"]: n for n in sj["nodes"]}
    compared = [n for n in cj["nodes"] if "grad_b" in n]
    assert compared
    for n in compared:
        assert n["grad_b"] == alone[n["id"]]["grad"]
        if n["kind"] == "value":
            assert n["data_b"] == alone[n["id"]]["data"]
    values = [n for n in cj["nodes"] if n["kind"] == "value"]
    assert all("data_b" in n and "grad_b" in n for n in values)  # one model: all present


def test_cli_compare_doc_and_formats(tmp_path, capsys):
    txt = tmp_path / "c.txt"
    code, out, _ = _cli(capsys, "graph", "--doc", "emma", "--compare-doc", "olivia",
                        "--view", "scope", "--scope", HEAD, "--out", txt)  # fmt: skip
    assert code == 0
    text = txt.read_text()
    assert "compare_root_value:" in text and "root_value:" in text
    svg = tmp_path / "c.svg"
    assert _cli(capsys, "graph", "--doc", "emma", "--compare-doc", "olivia", "--compare-by",
                "data", "--out", svg)[0] == 0  # fmt: skip
    assert "Δdata" in svg.read_text()


def test_cli_compare_bad_values(tmp_path, capsys):
    out = tmp_path / "x.json"
    code, _, err = _cli(capsys, "graph", "--doc", "emma", "--compare-step", 1001, "--out", out)
    assert code == 2 and "--compare-step 1001" in err and "1000" in err
    assert "Traceback" not in err
    code, _, err = _cli(capsys, "graph", "--doc", "emma", "--compare-step", 100,
                        "--compare-doc", "ann", "--out", out)  # fmt: skip
    assert code == 2 and "not allowed with" in err
    code, _, err = _cli(capsys, "graph", "--doc", "emma", "--compare-doc", "", "--out", out)
    assert code == 2 and "empty" in err
    code, _, err = _cli(capsys, "graph", "--doc", "emma", "--compare-step", "x", "--out", out)
    assert code == 2 and "invalid int" in err
    assert not out.exists()


# -- the widget -------------------------------------------------------------------------
def test_compare_view_controls_change_the_compared_pass(source):
    pytest.importorskip("ipywidgets")
    from explorer.widgets import CompareView, Session

    w = CompareView(Session(source, keep=4))
    assert (w.comparison.a.step, w.comparison.b.step) == (1000, 100)
    first = w.view
    assert first.stats["compare_root_value"] == w.comparison.b.loss.data
    w._step_b.value = 500  # the dropdown, as a learner changes it
    assert w.comparison.b.step == 500 and w.view is not first
    assert w.view.stats["compare_address"].split(":")[0].endswith("@500")
    w._doc_b.value = "olivia"
    assert w.comparison.b.doc == "olivia" and "'olivia'" in w.view.title
    w._pos.value = 3
    assert w.view.stats["selected_nodes"] and "pos3" in w.view.title
    w.by = "data"
    assert w.view.stats["compare_by"] == "data"
    w._doc_a.value = ""
    assert "empty" in w.message and w.comparison.a.doc == "emma"
    for image in (w.loss_image, w.attention_image, w.probs_image):
        assert image.value[:4] == b"\x89PNG" and int(image.width) > 0
    assert math.isfinite(w.comparison.root_values()[1])
