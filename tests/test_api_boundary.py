"""The Python API's argument boundary (issue 19, item 1): a wrong argument to any public
function of ``microgpt`` or ``explorer`` (not the widgets) is one ``MicrogptError`` whose
one-line message names the argument, what it got and what it takes, raised where the user
called it; integers of other libraries (``numpy.int64``) work wherever an int does.

Two parts: ``CASES``, a table of chosen wrong calls (and a few numpy integers that must
work), each run in an empty working directory that must stay empty; then Hypothesis, which
calls a list of public callables with arguments of random types and values and accepts no
exception but a ``MicrogptError`` with a one-line message (in a scratch working directory).
"""

from __future__ import annotations

import inspect
import math
import os
from collections import Counter
from types import SimpleNamespace

import numpy as np
import pytest
from conftest import TINY_DOCS
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from explorer import (
    ForwardPass,
    ModelSource,
    adam,
    attention_weight,
    build_view,
    compare,
    compare_plots,
    flow,
    fold,
    full_view,
    gradcheck,
    levels,
    model_view,
    node_report,
    node_view,
    onestep,
    overview,
    panels_svg,
    path_view,
    pictures,
    playback,
    plots,
    positions,
    render,
    roles,
    scope_view,
    select,
    stepper,
    style,
    svg,
    tables,
    tensors,
)
from explorer.forward import Address, Expression
from explorer.graph import GraphIndex
from explorer.model_view import default_pos, scalar_view_of, tensor_table
from explorer.node import resolve_node
from explorer.path import resolve_source
from microgpt import GPT, GPTConfig, Tokenizer, Value
from microgpt import data as mdata
from microgpt.errors import MicrogptError
from microgpt.trace import name as name_node
from microgpt.trace import scope, trace

I64 = np.int64


# -- the passes every case reads (built once; no case modifies them) ---------------------------
@pytest.fixture(scope="module")
def ctx(source, tiny_finished):
    """A short pass on the shipped model (fast views), a tiny checkpoint (cheap replays), a
    hand-built expression and what the panels read."""
    fp = ForwardPass("ab", source=source)
    fp2 = ForwardPass("ba", source=source)
    tiny = ModelSource(tiny_finished[0])
    with trace() as t:
        a, b = name_node(Value(2.0), "a"), name_node(Value(3.0), "b")
        out = name_node(a * b + a, "L")
    view = node_view(fp, "pos1.loss")
    return SimpleNamespace(
        fp=fp,
        source=source,
        tiny=tiny,
        expr=Expression(t, out),
        trace=t,
        view=view,
        cmp=compare.Comparison(fp, fp2),
        script=playback.backward_script(fp, view),
        stream=positions.stream(fp),
        letters=positions.letters(fp),
        explained=attention_weight.explain_weight(fp, 0, 0, 1, 0),
        tensor=tensors.parameter(fp, "wpe"),
        tokenizer=Tokenizer.from_docs(TINY_DOCS),
        report=onestep.StepLab(tiny, 3).take("emma"),
        config=GPTConfig(vocab_size=5, n_embd=4, n_head=2, block_size=4),
    )


def _c(f):
    """A case's call: ``f(ctx)``."""
    return f


# (kind, id, call, expected word); kind "works" means the call must succeed (numpy integers
# wherever an int is taken; None for an option means "not given").
CASES = [
    # -- microgpt.engine: Value with non-numbers ----------------------------------------------
    ("engine", "value-str", _c(lambda c: Value("2")), "number"),
    ("engine", "value-list", _c(lambda c: Value([1.0])), "number"),
    ("engine", "value-none", _c(lambda c: Value(None)), "number"),
    ("engine", "add-str", _c(lambda c: Value(1.0) + "a"), "number"),
    ("engine", "mul-list", _c(lambda c: Value(1.0) * [1]), "number"),
    ("engine", "rmul-str", _c(lambda c: "ab" * Value(2.0)), "number"),
    ("engine", "sub-none", _c(lambda c: Value(1.0) - None), "number"),
    ("engine", "rtruediv-str", _c(lambda c: "a" / Value(2.0)), "number"),
    ("engine", "pow-str", _c(lambda c: Value(2.0) ** "2"), "exponent"),
    ("engine", "pow-value", _c(lambda c: Value(2.0) ** Value(2.0)), "exponent"),
    ("engine", "pow-none", _c(lambda c: Value(2.0) ** None), "exponent"),
    # -- microgpt.model / data / trace --------------------------------------------------------
    ("model", "config-float", _c(lambda c: GPTConfig(vocab_size=27.0)), "vocab_size"),
    ("model", "config-str", _c(lambda c: GPTConfig(vocab_size=27, n_embd="16")), "n_embd"),
    ("model", "config-zero-layer", _c(lambda c: GPTConfig(vocab_size=27, n_layer=0)), "n_layer"),
    ("model", "gpt-config-dict", _c(lambda c: GPT({"vocab_size": 27})), "GPTConfig"),
    ("model", "gpt-rng-int", _c(lambda c: GPT(c.config, rng=42)), "rng"),
    ("model", "gpt-labels-short", _c(lambda c: GPT(c.config, token_labels=["a"])), "token_labels"),
    ("model", "gpt-labels-str", _c(lambda c: GPT(c.config, token_labels="abcde")), "token_labels"),
    ("model", "gpt-weights-list", _c(lambda c: GPT(c.config, weights=[1, 2])), "weights"),
    ("model", "gpt-weights-missing", _c(lambda c: GPT(c.config, weights={})), "wte"),
    ("model", "loss-str", _c(lambda c: GPT(c.config).loss("ab")), "tokens"),
    ("model", "loss-one-token", _c(lambda c: GPT(c.config).loss([4])), "tokens"),
    ("model", "loss-token-range", _c(lambda c: GPT(c.config).loss([4, 9, 4])), "token"),
    ("data", "tokenizer-str", _c(lambda c: Tokenizer("abc")), "chars"),
    ("data", "tokenizer-dup", _c(lambda c: Tokenizer(("a", "a"))), "chars"),
    ("data", "from-docs-str", _c(lambda c: Tokenizer.from_docs("emma")), "docs"),
    ("data", "encode-int", _c(lambda c: c.tokenizer.encode(5)), "text"),
    ("data", "encode-unknown", _c(lambda c: c.tokenizer.encode("EMMA")), "vocabulary"),
    ("data", "decode-str", _c(lambda c: c.tokenizer.decode("ab")), "ids"),
    ("data", "decode-range", _c(lambda c: c.tokenizer.decode([99])), "token"),
    ("data", "label-range", _c(lambda c: c.tokenizer.label(-1)), "token"),
    ("data", "label-str", _c(lambda c: c.tokenizer.label("a")), "token"),
    ("data", "char-label-int", _c(lambda c: mdata.char_label(5)), "character"),
    ("trace", "find-int", _c(lambda c: c.trace.find(5)), "name"),
    ("trace", "find-unknown", _c(lambda c: c.trace.find("nope")), "nope"),
    ("trace", "node-str", _c(lambda c: c.trace.node("a")), "node_id"),
    ("trace", "node-range", _c(lambda c: c.trace.node(99)), "99"),
    ("trace", "id-of-float", _c(lambda c: c.trace.id_of(2.0)), "Value"),
    ("trace", "id-of-outside", _c(lambda c: c.trace.id_of(Value(1.0))), "not recorded"),
    ("trace", "label-str", _c(lambda c: c.trace.label("a")), "node"),
    ("trace", "match-int", _c(lambda c: c.trace.match(5)), "pattern"),
    ("trace", "scope-dot", _c(lambda c: scope("a.b").__enter__()), "scope"),
    ("trace", "scope-int", _c(lambda c: scope(3).__enter__()), "scope"),
    # -- explorer.forward ---------------------------------------------------------------------
    ("forward", "probs-str", _c(lambda c: c.fp.probs("2")), "pos"),
    ("forward", "probs-range", _c(lambda c: c.fp.probs(9)), "position"),
    ("forward", "probs-float", _c(lambda c: c.fp.probs(1.0)), "pos"),
    ("forward", "node-int", _c(lambda c: c.fp.node(5)), "name"),
    ("forward", "node-unknown", _c(lambda c: c.fp.node("pos1.los")), "pos1.loss"),
    ("forward", "attention-str", _c(lambda c: c.fp.attention("0")), "layer"),
    ("forward", "attention-head", _c(lambda c: c.fp.attention(0, 4)), "head"),
    ("forward", "check-pos-none", _c(lambda c: c.fp.check_pos(None)), "pos"),
    ("forward", "flow-int", _c(lambda c: c.fp.flow(3)), "sources"),
    ("forward", "flow-range", _c(lambda c: c.fp.flow([10**9])), "source id"),
    ("forward", "step-float", _c(lambda c: c.source.check_step(1.5)), "step"),
    ("forward", "step-range", _c(lambda c: c.tiny.check_step(99)), "step"),
    ("forward", "weights-str", _c(lambda c: c.tiny.weights_at("3")), "step"),
    ("forward", "moments-neg", _c(lambda c: c.tiny.moments_at(-1)), "step"),
    ("forward", "train-step-str", _c(lambda c: c.tiny.doc_of_train_step("1")), "step"),
    ("forward", "train-step-zero", _c(lambda c: c.tiny.doc_of_train_step(0)), "step"),
    ("forward", "of-run-str", _c(lambda c: ModelSource.of_run("run", "x")), "Run"),
    ("forward", "address-int", _c(lambda c: Address.parse(5)), "address"),
    ("forward", "at-int", _c(lambda c: ForwardPass.at(5)), "address"),
    ("forward", "of-train-step-str", _c(lambda c: ForwardPass.of_train_step("1", c.tiny)), "step"),
    ("forward", "expression-str", _c(lambda c: Expression(c.trace, "L")), "root"),
    ("forward", "expression-trace", _c(lambda c: Expression([], Value(1.0))), "trace"),
    ("forward", "source-int", _c(lambda c: ModelSource(5)), "path"),
    # -- explorer views -----------------------------------------------------------------------
    ("views", "overview-budget-float", _c(lambda c: overview(c.fp, budget=10.0)), "budget"),
    ("views", "overview-depth-zero", _c(lambda c: overview(c.fp, depth=0)), "depth"),
    ("views", "full-budget-huge", _c(lambda c: full_view(c.fp, budget=10**9)), "budget"),
    ("views", "scope-none", _c(lambda c: scope_view(c.fp, None)), "scope"),
    ("views", "scope-unknown", _c(lambda c: scope_view(c.fp, "pos9")), "pos9"),
    ("views", "build-view-int", _c(lambda c: build_view(c.fp, 3)), "view"),
    ("views", "build-view-name", _c(lambda c: build_view(c.fp, "tree")), "view"),
    ("views", "path-source-int", _c(lambda c: path_view(c.fp, source=3)), "source"),
    ("views", "path-top-float", _c(lambda c: path_view(c.fp, top=2.5)), "top"),
    ("views", "node-view-list", _c(lambda c: node_view(c.fp, [1])), "node"),
    ("views", "node-view-range", _c(lambda c: node_view(c.fp, 10**9)), "id"),
    ("views", "node-report-bool", _c(lambda c: node_report(c.fp, True)), "node"),
    ("views", "resolve-node-neg", _c(lambda c: resolve_node(c.fp, -1)), "id"),
    ("views", "resolve-source-int", _c(lambda c: resolve_source(c.fp, 5)), "source"),
    ("views", "scope-huge", _c(lambda c: scope_view(c.fp, "x" * 10**6)), "characters"),
    ("views", "pattern-huge", _c(lambda c: select(c.fp, pattern="*" * 10**6)), "characters"),
    ("trace", "match-huge", _c(lambda c: c.trace.match("a" * 10**6)), "characters"),
    ("views", "select-pos-str", _c(lambda c: select(c.fp, pos="1")), "pos"),
    ("views", "select-head-range", _c(lambda c: select(c.fp, head=9)), "head"),
    ("views", "model-view-pos", _c(lambda c: model_view(c.fp, pos=9)), "position"),
    ("views", "model-view-expr", _c(lambda c: model_view(c.expr)), "expression"),
    ("views", "default-pos-str", _c(lambda c: default_pos("emma")), "pass"),
    ("views", "scalar-view-pos", _c(lambda c: scalar_view_of("wte", "1")), "pos"),
    ("views", "tensor-table-str", _c(lambda c: tensor_table("wte")), "tensor"),
    # -- explorer tensors and panels ----------------------------------------------------------
    ("tensors", "vector-int", _c(lambda c: tensors.vector(c.fp, 5)), "name"),
    ("tensors", "vector-labels-str", _c(lambda c: tensors.vector(c.fp, "pos0.probs", 5)), "labels"),
    ("tensors", "scalar-unknown", _c(lambda c: tensors.scalar(c.fp, "nope")), "nope"),
    ("tensors", "parameter-int", _c(lambda c: tensors.parameter(c.fp, 0)), "key"),
    ("tensors", "row-int", _c(lambda c: tensors.parameter_row(c.fp, "wte", 3.5)), "row"),
    ("tensors", "cache-pos", _c(lambda c: tensors.cache(c.fp, "1", 0, "k")), "pos"),
    ("tensors", "cache-which", _c(lambda c: tensors.cache(c.fp, 1, 0, "q")), "which"),
    ("tensors", "cache-layer", _c(lambda c: tensors.cache(c.fp, 1, 5, "k")), "layer"),
    ("tensors", "position-tensors", _c(lambda c: tensors.position_tensors(c.fp, 7)), "position"),
    ("tensors", "across-int", _c(lambda c: tensors.across_positions(c.fp, 3)), "what"),
    ("tensors", "entry-int", _c(lambda c: c.tensor.entry(3)), "label"),
    ("positions", "stream-str", _c(lambda c: positions.stream(c.fp, "0")), "layer"),
    ("positions", "stream-tensor-int", _c(lambda c: c.stream.tensor(0)), "name"),
    ("positions", "dead-layer", _c(lambda c: positions.dead_units(c.fp, 3)), "layer"),
    ("positions", "norms-expr", _c(lambda c: positions.sublayer_norms(c.expr)), "expression"),
    (
        "panels",
        "weight-head",
        _c(lambda c: attention_weight.explain_weight(c.fp, 0, 7, 1, 0)),
        "head",
    ),
    (
        "panels",
        "weight-key",
        _c(lambda c: attention_weight.explain_weight(c.fp, 0, 0, 1, 2)),
        "key",
    ),
    ("panels", "picture-svg-int", _c(lambda c: pictures.Picture(5, "t")), "svg"),
    ("panels", "picture-save-int", _c(lambda c: pictures.Picture("<svg/>", "t").save(5)), "path"),
    (
        "panels",
        "picture-save-png",
        _c(lambda c: pictures.Picture("<svg/>", "t").save("a.png")),
        ".svg",
    ),
    (
        "panels",
        "picture-force",
        _c(lambda c: pictures.Picture("<svg/>", "t").save("a.svg", 1)),
        "force",
    ),
    ("panels", "stream-picture", _c(lambda c: pictures.stream_picture(c.fp, None)), "layer"),
    ("panels", "weight-picture", _c(lambda c: pictures.weight_picture(c.fp, query="1")), "query"),
    # -- gradcheck, adam, compare, stepper, playback -------------------------------------------
    ("gradcheck", "h-zero", _c(lambda c: gradcheck.finite_difference(c.fp, "wte[e,3]", h=0)), "h"),
    ("gradcheck", "h-str", _c(lambda c: gradcheck.finite_difference(c.fp, "wte[e,3]", "1")), "h"),
    ("gradcheck", "h-nan", _c(lambda c: gradcheck.finite_difference(c.fp, 0, math.nan)), "h"),
    ("gradcheck", "node-float", _c(lambda c: gradcheck.finite_difference(c.fp, 1.5)), "node"),
    ("gradcheck", "fp-str", _c(lambda c: gradcheck.finite_difference("emma", 0)), "pass"),
    ("adam", "preview-str", _c(lambda c: adam.adam_preview(c.fp, "0")), "node"),
    (
        "adam",
        "preview-not-param",
        _c(lambda c: adam.adam_preview(c.fp, len(c.fp.trace) - 1)),
        "parameter",
    ),
    ("adam", "location-neg", _c(lambda c: adam.param_location(c.fp, -1)), "parameter"),
    ("compare", "comparison-none", _c(lambda c: compare.Comparison(c.fp, None)), "b"),
    ("compare", "comparison-str", _c(lambda c: compare.Comparison("emma", c.fp)), "a"),
    ("compare", "node-float", _c(lambda c: c.cmp.node(2.5)), "node"),
    ("compare", "probs-str", _c(lambda c: c.cmp.probs("1")), "pos"),
    ("compare", "attention-head", _c(lambda c: c.cmp.attention(0, 9)), "head"),
    ("compare", "match-str", _c(lambda c: c.cmp.match("x")), "id"),
    ("compare", "diff-by", _c(lambda c: compare.diff_view(c.view, c.cmp, by="size")), "by"),
    ("compare", "diff-view-str", _c(lambda c: compare.diff_view("v", c.cmp)), "view"),
    ("compare", "diff-cmp-none", _c(lambda c: compare.diff_view(c.view, None)), "comparison"),
    ("stepper", "scope-int", _c(lambda c: stepper.backward_steps(c.fp, 3)), "scope"),
    ("stepper", "limit-zero", _c(lambda c: stepper.backward_steps(c.fp, "pos0", 0)), "limit"),
    ("playback", "script-view-str", _c(lambda c: playback.backward_script(c.fp, "v")), "view"),
    ("playback", "state-str", _c(lambda c: c.script.state("1")), "k"),
    ("playback", "state-range", _c(lambda c: c.script.state(10**6)), "k"),
    ("playback", "final-none", _c(lambda c: c.script.final(None)), "k"),
    ("playback", "order-str", _c(lambda c: playback.backward_order("fp")), "pass"),
    # -- roles, style, tables -----------------------------------------------------------------
    ("roles", "role-str", _c(lambda c: roles.role(c.fp, "3")), "i"),
    ("roles", "describe-range", _c(lambda c: roles.describe(c.fp, 10**9)), "id"),
    ("roles", "short-name-int", _c(lambda c: roles.short_name(5)), "name"),
    ("style", "fmt-str", _c(lambda c: style.fmt("1")), "number"),
    ("style", "diverging-str", _c(lambda c: style.diverging(0.5, "1")), "scale"),
    ("style", "sequential-str", _c(lambda c: style.sequential("x")), "p"),
    ("style", "contrast-int", _c(lambda c: style.contrast(1, "#000000")), "colour"),
    ("style", "text-colour-bad", _c(lambda c: style.text_colour("red")), "colour"),
    ("style", "text-width-int", _c(lambda c: style.text_width(5)), "text"),
    ("style", "edge-width-str", _c(lambda c: style.edge_width("3")), "count"),
    ("tables", "table-header-int", _c(lambda c: tables.Table(3, [])), "header"),
    ("tables", "table-rows-str", _c(lambda c: tables.Table(["a"], "rows")), "rows"),
    ("tables", "sentence-int", _c(lambda c: tables.Sentence(5)), "template"),
    ("tables", "sentence-missing", _c(lambda c: tables.Sentence("{x}")), "x"),
    ("tables", "sentence-syntax", _c(lambda c: tables.Sentence("{x")), "template"),
    ("onestep", "steplab-str", _c(lambda c: onestep.StepLab("shipped")), "ModelSource"),
    ("onestep", "steplab-step", _c(lambda c: onestep.StepLab(c.tiny, "3")), "step"),
    ("onestep", "take-int", _c(lambda c: onestep.StepLab(c.tiny, 3).take(5)), "doc"),
    ("onestep", "param-range", _c(lambda c: c.report.param(10**7)), "parameter"),
    ("panels", "heatmap-str", _c(lambda c: panels_svg.heatmap_svg("t", c.stream.rows)), "Tensor"),
    ("panels", "letters-svg-none", _c(lambda c: panels_svg.letters_svg(None)), "letters"),
    ("panels", "stream-svg-letters", _c(lambda c: panels_svg.stream_svg(c.stream, 5)), "letters"),
    (
        "panels",
        "width-str",
        _c(lambda c: panels_svg.letters_svg(c.letters, max_width="9")),
        "max_width",
    ),
    ("svg", "header-str", _c(lambda c: svg.header_lines("view")), "view"),
    ("svg", "to-svg-int", _c(lambda c: svg.to_svg(3)), "view"),
    ("svg", "canvas-backward", _c(lambda c: svg.canvas_svg(c.view, None, 5)), "backward"),
    ("svg", "to-dot-str", _c(lambda c: render.to_dot("view")), "view"),
    ("svg", "to-json-none", _c(lambda c: render.to_json(None)), "view"),
    ("svg", "to-text-int", _c(lambda c: render.to_text(5)), "view"),
    ("graph", "detailed-fp", _c(lambda c: levels.detailed("fp", {1})), "pass"),
    ("graph", "collapsed-depth", _c(lambda c: levels.collapsed(c.fp, {1}, "2")), "depth"),
    ("graph", "max-depth-ids", _c(lambda c: levels.max_depth(c.fp.index, 5)), "ids"),
    ("graph", "flow-empty", _c(lambda c: flow.gradient_flow(c.fp.index, [])), "source"),
    ("graph", "folding-fp", _c(lambda c: fold.Folding(c.fp)), "index"),
    ("graph", "index-root", _c(lambda c: GraphIndex(c.trace, 3)), "root"),
    ("plots", "loss-curve-str", _c(lambda c: plots.loss_curve("abc")), "losses"),
    (
        "plots",
        "loss-curve-window",
        _c(lambda c: plots.loss_curve([1.0, 2.0], window=2.5)),
        "window",
    ),
    ("plots", "loss-curve-ax", _c(lambda c: plots.loss_curve([1.0], ax="left")), "ax"),
    (
        "plots",
        "temperature-str",
        _c(lambda c: plots.apply_temperature([0.5, 0.5], "hot")),
        "temperature",
    ),
    ("plots", "probs-none", _c(lambda c: plots.next_token_chart([0.5, None], ["a", "b"])), "probs"),
    ("plots", "histogram-ints", _c(lambda c: plots.length_histogram([1, 2])), "docs"),
    ("plots", "png-dpi", _c(lambda c: plots.figure_to_png(plots.loss_curve([1.0]), 10**6)), "dpi"),
    ("plots", "png-fig-str", _c(lambda c: plots.figure_to_png("figure")), "fig"),
    (
        "plots",
        "pair-labels",
        _c(lambda c: compare_plots.loss_pair([1.0], [1.0], "a", "b", "ab")),
        "labels",
    ),
    (
        "plots",
        "pair-targets",
        _c(
            lambda c: compare_plots.probs_pair(
                [0.5, 0.5], [0.5, 0.5], ["a", "b"], ("x", "y"), targets=5
            )
        ),
        "targets",
    ),
    ("tables", "plain-spec-int", _c(lambda c: tables.plain(1.0, 5)), "spec"),
    # -- numpy integers work wherever an int does ---------------------------------------------
    ("works", "overview-budget-none", _c(lambda c: overview(c.fp, budget=None)), ""),
    ("works", "np-probs", _c(lambda c: c.fp.probs(I64(1))), ""),
    ("works", "np-attention", _c(lambda c: c.fp.attention(I64(0), I64(1))), ""),
    ("works", "np-overview", _c(lambda c: overview(c.fp, depth=I64(2), budget=I64(500))), ""),
    ("works", "np-node-view", _c(lambda c: node_view(c.fp, I64(3))), ""),
    ("works", "np-select", _c(lambda c: select(c.fp, pos=I64(1), head=I64(0))), ""),
    ("works", "np-model-view", _c(lambda c: model_view(c.fp, pos=I64(1))), ""),
    (
        "works",
        "np-weight",
        _c(lambda c: attention_weight.explain_weight(c.fp, *map(I64, (0, 1, 1, 1)))),
        "",
    ),
    ("works", "np-stream", _c(lambda c: positions.stream(c.fp, I64(0))), ""),
    ("works", "np-cache", _c(lambda c: tensors.cache(c.fp, I64(1), I64(0), "k")), ""),
    ("works", "np-adam", _c(lambda c: adam.adam_preview(c.fp, I64(3))), ""),
    ("works", "np-finite-difference", _c(lambda c: gradcheck.finite_difference(c.fp, I64(3))), ""),
    ("works", "np-step", _c(lambda c: c.tiny.weights_at(I64(2))), ""),
    ("works", "np-state", _c(lambda c: c.script.state(I64(1))), ""),
    ("works", "np-label", _c(lambda c: c.tokenizer.label(I64(0))), ""),
    ("works", "np-value", _c(lambda c: Value(2.0) * np.float64(3.0) + I64(1)), ""),
]


@pytest.mark.parametrize(
    ("kind", "call", "word"),
    [pytest.param(k, call, w, id=f"{k}-{i}") for k, i, call, w in CASES if k != "works"],
)
def test_refused(ctx, tmp_path, monkeypatch, kind, call, word):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(MicrogptError) as caught:
        call(ctx)
    message = str(caught.value)
    assert message and "\n" not in message, message
    assert word.lower() in message.lower(), message
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize(
    "call", [pytest.param(call, id=i) for k, i, call, _ in CASES if k == "works"]
)
def test_works(ctx, tmp_path, monkeypatch, call):
    monkeypatch.chdir(tmp_path)
    call(ctx)
    assert os.listdir(tmp_path) == []


def test_case_counts():
    kinds = Counter(k for k, *_ in CASES)
    assert sum(kinds.values()) >= 70, kinds
    assert kinds["works"] >= 5, kinds
    assert len({(k, i) for k, i, *_ in CASES}) == len(CASES), "case ids must be unique"


# -- Hypothesis: random types and values for every argument -----------------------------------
#: Public callables, each ``f(ctx, arg=default, ...)``: the keyword defaults are valid values,
#: and the property replaces some of them with random ones.
CALLABLES = {
    "Value": lambda c, x=1.0: Value(x),
    "Value.add": lambda c, x=1.0: Value(2.0) + x,
    "Value.radd": lambda c, x=1.0: x + Value(2.0),
    "Value.mul": lambda c, x=1.0: Value(2.0) * x,
    "Value.rmul": lambda c, x=1.0: x * Value(2.0),
    "Value.sub": lambda c, x=1.0: Value(2.0) - x,
    "Value.rsub": lambda c, x=1.0: x - Value(2.0),
    "Value.truediv": lambda c, x=1.0: Value(2.0) / x,
    "Value.rtruediv": lambda c, x=1.0: x / Value(2.0),
    "Value.pow": lambda c, x=2: Value(2.0) ** x,
    "GPTConfig": lambda c, v=5, e=4, h=2, n=1, b=4: GPTConfig(v, e, h, n, b),
    "GPT": lambda c, rng=None, labels=None, weights=None: GPT(c.config, rng, labels, weights),
    "GPT.loss": lambda c, tokens=(4, 0, 4): GPT(c.config).loss(
        list(tokens) if isinstance(tokens, tuple) else tokens
    ),
    "Tokenizer": lambda c, chars=("a", "b"): Tokenizer(chars),
    "Tokenizer.from_docs": lambda c, docs=("ab",): Tokenizer.from_docs(
        list(docs) if isinstance(docs, tuple) else docs
    ),
    "Tokenizer.encode": lambda c, text="emma": c.tokenizer.encode(text),
    "Tokenizer.encode_doc": lambda c, text="emma": c.tokenizer.encode_doc(text),
    "Tokenizer.decode": lambda c, ids=(0, 1): c.tokenizer.decode(
        list(ids) if isinstance(ids, tuple) else ids
    ),
    "Tokenizer.label": lambda c, i=0: c.tokenizer.label(i),
    "char_label": lambda c, ch="a": mdata.char_label(ch),
    "Trace.find": lambda c, name="a": c.trace.find(name),
    "Trace.node": lambda c, i=0: c.trace.node(i),
    "Trace.id_of": lambda c, v=None: c.trace.id_of(c.trace.nodes[0] if v is None else v),
    "Trace.label": lambda c, i=0: c.trace.label(i),
    "Trace.name_of": lambda c, i=0: c.trace.name_of(i),
    "Trace.scope_of": lambda c, i=0: c.trace.scope_of(i),
    "Trace.match": lambda c, p="*": c.trace.match(p),
    "scope": lambda c, part="s": scope(part).__enter__(),
    "ModelSource.check_step": lambda c, s=1: c.tiny.check_step(s),
    "ModelSource.weights_at": lambda c, s=1: c.tiny.weights_at(s),
    "ModelSource.moments_at": lambda c, s=1: c.tiny.moments_at(s),
    "ModelSource.run_at": lambda c, s=1: c.tiny.run_at(s),
    "ModelSource.model_at": lambda c, s=1: c.tiny.model_at(s),
    "ModelSource.doc_of_train_step": lambda c, k=1: c.tiny.doc_of_train_step(k),
    "ModelSource.of_run": lambda c, run=None, label="x": ModelSource.of_run(
        c.tiny.run_at(2) if run is None else run, label
    ),
    "ForwardPass": lambda c, doc="ab", root="loss", step=1: ForwardPass(doc, root, c.tiny, step),
    "ForwardPass.of_train_step": lambda c, k=1, root="loss": ForwardPass.of_train_step(
        k, c.tiny, root
    ),
    "ForwardPass.at": lambda c, address="x#0123456789ab@0:ab:loss": ForwardPass.at(address, c.tiny),
    "Address.parse": lambda c, text="x#0123456789ab@0:ab:loss": Address.parse(text),
    "fp.node": lambda c, name="loss": c.fp.node(name),
    "fp.probs": lambda c, pos=0: c.fp.probs(pos),
    "fp.attention": lambda c, layer=0, head=0: c.fp.attention(layer, head),
    "fp.check_pos": lambda c, pos=0: c.fp.check_pos(pos),
    "fp.flow": lambda c, sources=(0,): c.fp.flow(
        list(sources) if isinstance(sources, tuple) else sources
    ),
    "Expression": lambda c, root=None, title="e": Expression(
        c.trace, c.trace.find("L") if root is None else root, title
    ),
    "expr.node": lambda c, name="a": c.expr.node(name),
    "full_view": lambda c, budget=300, pos=None, head=None: full_view(
        c.fp, budget, pos=pos, head=head
    ),
    "overview": lambda c, depth=2, budget=300, pos=None: overview(c.fp, depth, budget, pos=pos),
    "scope_view": lambda c, scope="pos1.layer0", budget=300: scope_view(c.fp, scope, budget),
    "build_view": lambda c, view="overview", budget=300, pos=None, node=None: build_view(
        c.fp, view, budget=budget, pos=pos, node=node
    ),
    "path_view": lambda c, source=None, pos=None, top=5, budget=300: path_view(
        c.fp, source, pos, top, budget
    ),
    "node_view": lambda c, node="loss", budget=300: node_view(c.fp, node, budget),
    "node_report": lambda c, node="loss": node_report(c.fp, node),
    "resolve_node": lambda c, node="loss": resolve_node(c.fp, node),
    "resolve_source": lambda c, source=None, pos=None: resolve_source(c.fp, source, pos),
    "select": lambda c, pos=None, head=None, scope=None, pattern=None: select(
        c.fp, pos=pos, head=head, scope=scope, pattern=pattern
    ),
    "model_view": lambda c, pos=None, budget=None: model_view(c.fp, pos, budget),
    "default_pos": lambda c, fp=None: default_pos(c.fp if fp is None else fp),
    "scalar_view_of": lambda c, node_id="wte", pos=1, view=None: scalar_view_of(node_id, pos, view),
    "tensor_table": lambda c, node=None: tensor_table(
        model_view(c.fp).nodes[0] if node is None else node
    ),
    "tensors.vector": lambda c, name="pos0.probs", labels=None: tensors.vector(c.fp, name, labels),
    "tensors.scalar": lambda c, name="loss": tensors.scalar(c.fp, name),
    "tensors.parameter": lambda c, key="wpe": tensors.parameter(c.fp, key),
    "tensors.parameter_row": lambda c, key="wpe", row="1": tensors.parameter_row(c.fp, key, row),
    "tensors.cache": lambda c, pos=1, layer=0, which="k": tensors.cache(c.fp, pos, layer, which),
    "tensors.position_tensors": lambda c, pos=1: tensors.position_tensors(c.fp, pos),
    "tensors.across_positions": lambda c, what="probs": tensors.across_positions(c.fp, what),
    "Tensor.entry": lambda c, label="0,0": c.tensor.entry(label),
    "positions.stream": lambda c, layer=0: positions.stream(c.fp, layer),
    "Stream.tensor": lambda c, name="layer0.attn.q": c.stream.tensor(name),
    "positions.sublayer_norms": lambda c, layer=0: positions.sublayer_norms(c.fp, layer),
    "positions.dead_units": lambda c, layer=0: positions.dead_units(c.fp, layer),
    "positions.always_dead": lambda c, layer=0: positions.always_dead(c.fp, layer),
    "explain_weight": lambda c, layer=0, head=0, query=1, key=0: attention_weight.explain_weight(
        c.fp, layer, head, query, key
    ),
    "Picture": lambda c, svg="<svg/>", title="t": pictures.Picture(svg, title),
    "Picture.save": lambda c, path="p.svg", force=False: pictures.Picture("<svg/>", "t").save(
        path, force
    ),
    "stream_picture": lambda c, layer=0: pictures.stream_picture(c.fp, layer),
    "weight_picture": lambda c, layer=0, head=0, query=1, key=0: pictures.weight_picture(
        c.fp, layer, head, query, key
    ),
    "finite_difference": lambda c, node="wte[a,0]", h=None: gradcheck.finite_difference(
        c.fp, node, h
    ),
    "param_location": lambda c, i=0: adam.param_location(c.fp, i),
    "adam_preview": lambda c, i=0: adam.adam_preview(c.fp, i),
    "Comparison": lambda c, a=None, b=None: compare.Comparison(
        c.fp if a is None else a, c.fp if b is None else b
    ),
    "Comparison.node": lambda c, name="loss": c.cmp.node(name),
    "Comparison.match": lambda c, i=0: c.cmp.match(i),
    "Comparison.probs": lambda c, pos=0: c.cmp.probs(pos),
    "Comparison.attention": lambda c, layer=0, head=0: c.cmp.attention(layer, head),
    "Comparison.check_pos": lambda c, pos=0: c.cmp.check_pos(pos),
    "diff_view": lambda c, view=None, by="grad", view_b=None: compare.diff_view(
        c.view if view is None else view, c.cmp, by, view_b
    ),
    "node_keys": lambda c, fp=None: compare.node_keys(c.fp if fp is None else fp),
    "backward_steps": lambda c, scope="pos0.lm_head", limit=50: stepper.backward_steps(
        c.fp, scope, limit
    ),
    "backward_script": lambda c, view=None: playback.backward_script(
        c.fp, c.view if view is None else view
    ),
    "backward_json": lambda c, view=None: playback.backward_json(
        c.fp, c.view if view is None else view
    ),
    "BackwardScript.state": lambda c, k=0: c.script.state(k),
    "BackwardScript.final": lambda c, k=0: c.script.final(k),
    "roles.role": lambda c, i=0: roles.role(c.fp, i),
    "roles.describe": lambda c, i=0: roles.describe(c.fp, i),
    "roles.short_name": lambda c, name="pos0.loss", layers=False: roles.short_name(name, layers),
    "style.fmt": lambda c, x=1.0: style.fmt(x),
    "style.strength": lambda c, v=0.5, s=1.0, f=0.0: style.strength(v, s, f),
    "style.diverging": lambda c, v=0.5, s=1.0, f=0.0: style.diverging(v, s, f),
    "style.norm_colour": lambda c, v=0.5, s=1.0, f=0.0: style.norm_colour(v, s, f),
    "style.sequential": lambda c, p=0.5: style.sequential(p),
    "style.log_ticks": lambda c, s=1.0, f=0.01: style.log_ticks(s, f),
    "style.dominance": lambda c, values=(1.0, 2.0): style.dominance(values),
    "style.log_floor": lambda c, values=(1.0, 2.0): style.log_floor(values),
    "style.luminance": lambda c, colour="#ffffff": style.luminance(colour),
    "style.contrast": lambda c, a="#ffffff", b="#000000": style.contrast(a, b),
    "style.text_colour": lambda c, fill="#ffffff": style.text_colour(fill),
    "style.edge_width": lambda c, count=2: style.edge_width(count),
    "style.text_width": lambda c, text="ab", size=12.0: style.text_width(text, size),
    "tables.number": lambda c, x=1.0: tables.number(x),
    "tables.text": lambda c, s="a": tables.text(s),
    "tables.plain": lambda c, value=1.0, spec="": tables.plain(value, spec),
    "tables.cell": lambda c, value=1.0, spec="": tables.cell(value, spec),
    "Table": lambda c, header=("a",), rows=((1,),), caption=None: (
        repr(tables.Table(header, rows, caption))
        + tables.Table(header, rows, caption)._repr_html_()
    ),
    "Sentence": lambda c, template="{x}", x=1.0: repr(tables.Sentence(template, x=x)),
    "StepLab": lambda c, source=None, step=3: onestep.StepLab(
        c.tiny if source is None else source, step
    ),
    "StepLab.take": lambda c, doc="emma": onestep.StepLab(c.tiny, 3).take(doc),
    "StepReport.param": lambda c, i=0: c.report.param(i),
    "heatmap_svg": lambda c, tensor=None, rows=None, title=None, group=None, width=800: (
        panels_svg.heatmap_svg(
            c.stream.tensors[0] if tensor is None else tensor,
            c.stream.rows if rows is None else rows,
            title=title,
            group=group,
            max_width=width,
        )
    ),
    "letters_svg": lambda c, letters=None, width=800: panels_svg.letters_svg(
        c.letters if letters is None else letters, max_width=width
    ),
    "stream_svg": lambda c, stream=None, letters=None, width=800: panels_svg.stream_svg(
        c.stream if stream is None else stream, letters, max_width=width
    ),
    "weight_svg": lambda c, explained=None, width=800: panels_svg.weight_svg(
        c.explained if explained is None else explained, max_width=width
    ),
    "render.to_dot": lambda c, view=None: render.to_dot(c.view if view is None else view),
    "render.to_json": lambda c, view=None: render.to_json(c.view if view is None else view),
    "render.to_text": lambda c, view=None: render.to_text(c.view if view is None else view),
    "svg.header_lines": lambda c, view=None: svg.header_lines(c.view if view is None else view),
    "svg.canvas_svg": lambda c, view=None, backward=None: svg.canvas_svg(
        c.view if view is None else view, None, backward
    ),
    "gradient_flow": lambda c, sources=(0,): flow.gradient_flow(
        c.fp.index, list(sources) if isinstance(sources, tuple) else sources
    ),
    "Folding": lambda c, index=None: fold.Folding(c.fp.index if index is None else index),
    "plots.attention_matrix": lambda c, rows=((1.0,), (0.5, 0.5)): plots.attention_matrix(rows),
    "plots.attention_heatmap": lambda c, rows=((1.0,), (0.5, 0.5)), tokens=("a", "b"), title=None: (
        plots.attention_heatmap(rows, tokens, title=title)
    ),
    "plots.apply_temperature": lambda c, probs=(0.5, 0.5), t=1.0: plots.apply_temperature(probs, t),
    "plots.smooth_losses": lambda c, losses=(1.0, 2.0, 3.0), window=2: plots.smooth_losses(
        losses, window
    ),
    "plots.loss_curve": lambda c, losses=(1.0, 2.0), window=None, baseline=None, mark=None: (
        plots.loss_curve(losses, window=window, baseline=baseline, mark=mark)
    ),
    "plots.next_token_chart": lambda c, probs=(0.5, 0.5), labels=("a", "b"), target=None, t=None: (
        plots.next_token_chart(probs, labels, target=target, temperature=t)
    ),
    "plots.length_histogram": lambda c, docs=("ab", "c"), block=None: plots.length_histogram(
        docs, block_size=block
    ),
    "plots.character_counts": lambda c, docs=("ab", "c"), title=None: plots.character_counts(
        docs, title=title
    ),
    "plots.pca_2d": lambda c, matrix=((1.0, 0.0), (0.0, 1.0), (1.0, 1.0)): plots.pca_2d(matrix),
    "plots.embedding_pca": lambda c, matrix=((1.0, 0.0), (0.0, 1.0), (1.0, 1.0)), labels="abc": (
        plots.embedding_pca(matrix, list(labels) if isinstance(labels, str) else labels)
    ),
    "plots.grad_norms": lambda c, snapshots=None, keys=None: plots.grad_norms(
        [{"step": 1, "grad_norms": {"wte": 1.0}}] if snapshots is None else snapshots, keys=keys
    ),
    "plots.figure_to_png": lambda c, fig=None, dpi=50: plots.figure_to_png(
        plots.loss_curve([1.0, 2.0]) if fig is None else fig, dpi
    ),
    "plots.attention_grid": lambda c, attn=None, tokens=("a", "b"), title=None: (
        plots.attention_grid([[[[1.0], [0.5, 0.5]]]] if attn is None else attn, tokens, title=title)
    ),
    "plots.embedding_over_training": lambda c, matrices=None, steps=(0, 1), current=-1: (
        plots.embedding_over_training(
            [[[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]] * 2 if matrices is None else matrices,
            ["a", "b", "c"],
            steps,
            current=current,
        )
    ),
    "docs_fingerprint": lambda c, docs=("emma",): mdata.docs_fingerprint(
        list(docs) if isinstance(docs, tuple) else docs
    ),
    "compare_plots.loss_pair": lambda c, a=(1.0, 2.0), b=(1.0,), labels=("a", "b"): (
        compare_plots.loss_pair(a, b, ("x", "y"), ("x",), labels)
    ),
    "compare_plots.probs_pair": lambda c, a=(0.5, 0.5), b=(0.2, 0.8), targets=(0, 1): (
        compare_plots.probs_pair(a, b, ("x", "y"), ("a", "b"), targets)
    ),
    "levels.detail_size": lambda c, ids=None: levels.detail_size(
        c.fp, select(c.fp, pos=1) if ids is None else ids
    ),
    "levels.collapsed": lambda c, depth=2: levels.collapsed(c.fp, select(c.fp, pos=1), depth),
    "levels.max_depth": lambda c, ids=None: levels.max_depth(
        c.fp.index, select(c.fp, pos=1) if ids is None else ids
    ),
    "GraphIndex": lambda c, trace=None, root=None: GraphIndex(
        c.trace if trace is None else trace, c.trace.find("L") if root is None else root
    ),
}

#: Any value a careless or curious user might pass.
ANYTHING = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.lists(st.integers(), max_size=3),
    st.just(object()),
)


def _parameters(name: str) -> list[str]:
    return list(inspect.signature(CALLABLES[name]).parameters)[1:]


@settings(
    max_examples=1500,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_random_arguments(ctx, tmp_path, data):
    """Whatever the arguments, a public callable returns or raises a ``MicrogptError`` with a
    one-line message."""
    name = data.draw(st.sampled_from(sorted(CALLABLES)), label="callable")
    params = _parameters(name)
    chosen = data.draw(st.lists(st.sampled_from(params), min_size=1, unique=True), label="args")
    kwargs = {p: data.draw(ANYTHING, label=p) for p in chosen}
    here = os.getcwd()
    os.chdir(tmp_path)
    try:
        CALLABLES[name](ctx, **kwargs)
    except MicrogptError as e:
        message = str(e)
        assert message and "\n" not in message, (name, kwargs, message)
    except ArithmeticError:
        # The engine's arithmetic on two numbers keeps Python's overflow and division by zero
        # (training catches them to roll back a diverged step): only for numbers.
        assert name.startswith("Value") and all(
            isinstance(v, (int, float)) for v in kwargs.values()
        ), (name, kwargs)
    finally:
        os.chdir(here)
