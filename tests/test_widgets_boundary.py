"""The widgets' argument boundary (issue 19, item 1), as a table: every case is a call a
careless or curious learner makes, and what must come of it.

- an error class: the call raises exactly that ``MicrogptError`` subclass, its one-line message
  holds the word (the argument it names), and nothing is written;
- ``"ok"``: the call works (documented traits in any order); the word is in what it returns;
- ``"refused"``: a bad value set on a live widget (from code or by its linked control) is
  shown in the widget's own message area (the word is in it) and the widget keeps its state.

Each case runs in an empty working directory holding one file the learner wrote
(``mydata.txt``): afterwards it holds that file, unchanged, and nothing else.
"""

from __future__ import annotations

import html
from types import SimpleNamespace

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from explorer import overview
from explorer.widgets import (
    AttentionView,
    BackwardStepper,
    CompareView,
    EmbeddingView,
    Exercise,
    GraphExplorer,
    NodeInspector,
    PositionsView,
    ProbabilitiesView,
    Session,
    TrainStepView,
    WeightView,
    show,
)
from microgpt.errors import (
    ArgumentTypeError,
    ConfigError,
    DataError,
    MicrogptError,
    OutputPathError,
    UnknownNameError,
)

FOREIGN = "mydata.txt"
FOREIGN_TEXT = "my own data: not a view\n"
WEIGHT = "pos3.layer0.attn.head2.attn_weights[k=1]"


@pytest.fixture(scope="module")
def ctx():
    session = Session(keep=6)
    fp = session.forward_pass("emma")
    return SimpleNamespace(session=session, fp=fp, steps=session.source.steps)


def _said(widget) -> str:
    """What the widget's message area shows (its ``message`` trait, else its ``_message``)."""
    if widget.has_trait("message"):
        return widget.message
    area = getattr(widget, "_message", None) or getattr(widget, "_refused", None)
    return html.unescape(area.value)


def refused(widget, trait: str, value, state=None):
    """Set ``widget.trait = value`` on a live widget: returns (what it says, its state before,
    its state after). ``state``: what must not change (default: the trait itself)."""
    state = state or (lambda: getattr(widget, trait))
    before = state()
    setattr(widget, trait, value)
    return _said(widget), before, state()


def from_control(widget, control, value, state):
    """A linked control set to ``value`` (what a learner's typing does): returns what the
    widget says, and its ``state()`` before and after."""
    before = state()
    control.value = value
    return _said(widget), before, state()


def _graph(c, **kw):
    return GraphExplorer(c.session, **{"doc": "emma", **kw})


def _numpy_graph(c):
    return _graph(c, pos=np.int64(3), budget=np.int32(900), view="model")


def _graph_state(g):
    return lambda: (g.view, g.pos, g.depth, g.budget, g.root, g.doc, g.graph.svg)


def _live_graph(c, trait, value):
    g = _graph(c, view="model", pos=2)
    return refused(g, trait, value, _graph_state(g))


def _attention(c):
    view = AttentionView()
    view.show(c.fp)
    return view


def _stepper(c):
    stepper = BackwardStepper()
    stepper.show(c.fp)
    stepper.step = 2
    return stepper


def _stepper_state(s):
    return lambda: (s.scope, s.step, s.steps, s._table.value)


def _stepper_refused(c, scope):
    s = _stepper(c)
    return refused(s, "scope", scope, _stepper_state(s))


def _stepper_typed(c, scope):
    s = _stepper(c)
    return from_control(s, s._scope, scope, _stepper_state(s))


def _trainstep(c, **kw):
    view = TrainStepView(Session(), concealed=True, **kw)  # its own session: it sets weights
    return f"{view.step} {view.doc} {view.session.step}"


def _probs(c):
    view = ProbabilitiesView()
    view.show(c.fp)
    return view


def _export(c, path, **kw):
    return _graph(c).export(path, **kw)


def _export_refused(c):
    g = _graph(c)
    with pytest.raises(OutputPathError) as e:
        g.export(FOREIGN)
    return str(e.value), FOREIGN_TEXT, open(FOREIGN, encoding="utf-8").read()


def _late(widget_cls, trait, value, c, **kw):
    """A trait given to the constructor before the data it depends on: checked once shown."""
    view = widget_cls(**{trait: value}, **kw)
    view.show(c.fp)
    return f"{getattr(view, trait)} {_said(view)}"


# fmt: off
CASES = [
    # -- GraphExplorer: every documented trait in its constructor, in any order -----------------
    ("ok", "graph-view-path", lambda c: _graph(c, view="path").current_view.kind, "path"),
    ("ok", "graph-budget", lambda c: _graph(c, budget=500).budget, "500"),
    ("ok", "graph-depth", lambda c: _graph(c, depth=3).current_view.kind, "overview"),
    ("ok", "graph-scope", lambda c: _graph(c, scope="pos2", view="scope").scope, "pos2"),
    ("ok", "graph-scope-alone", lambda c: _graph(c, scope="pos2").scope, "pos2"),
    ("ok", "graph-numpy-ints", lambda c: _numpy_graph(c).current_view.stats["pos"], "3"),
    ("ok", "graph-order", lambda c: GraphExplorer(c.session, view="model", compact=True,
                                                  pos=2, doc="anna").fp.doc, "anna"),
    ("ok", "graph-root-node", lambda c: _graph(c, root="pos2.loss").fp.root_name, "pos2.loss"),
    ("ok", "graph-pos-past-end", lambda c: _graph(c, pos=99).message, "outside 'emma'"),
    ("ok", "graph-bad-doc-message", lambda c: GraphExplorer(c.session, doc="em<ma").message,
     "vocabulary"),
    ("ok", "graph-max-budget", lambda c: _graph(c, budget=20_000).budget, "20000"),
    (UnknownNameError, "graph-view-unknown", lambda c: _graph(c, view="bogus"), "view"),
    (ArgumentTypeError, "graph-view-int", lambda c: _graph(c, view=3), "view"),
    (ArgumentTypeError, "graph-budget-str", lambda c: _graph(c, budget="500"), "budget"),
    (ArgumentTypeError, "graph-budget-none", lambda c: _graph(c, budget=None), "budget"),
    (ConfigError, "graph-budget-negative", lambda c: _graph(c, budget=-5), "budget"),
    (ConfigError, "graph-budget-huge", lambda c: _graph(c, budget=10**9), "budget"),
    (ConfigError, "graph-depth-99", lambda c: _graph(c, depth=99), "depth"),
    (ArgumentTypeError, "graph-depth-float", lambda c: _graph(c, depth=2.0), "depth"),
    (ConfigError, "graph-pos-negative", lambda c: _graph(c, pos=-1), "pos"),
    (ArgumentTypeError, "graph-pos-bool", lambda c: _graph(c, pos=True), "pos"),
    (ArgumentTypeError, "graph-doc-int", lambda c: _graph(c, doc=5), "doc"),
    (ArgumentTypeError, "graph-scope-list", lambda c: _graph(c, scope=["pos2"]), "scope"),
    (ArgumentTypeError, "graph-compact-int", lambda c: _graph(c, compact=1), "compact"),
    (ArgumentTypeError, "graph-session", lambda c: GraphExplorer("shipped"), "session"),
    # -- GraphExplorer, live: refused with a message, the picture and the traits kept ----------
    ("refused", "graph-live-view", lambda c: _live_graph(c, "view", "bogus"), "view"),
    ("refused", "graph-live-depth", lambda c: _live_graph(c, "depth", 99), "depth"),
    ("refused", "graph-live-budget", lambda c: _live_graph(c, "budget", 0), "budget"),
    ("refused", "graph-live-budget-type", lambda c: _live_graph(c, "budget", "x"), "integer"),
    ("refused", "graph-live-pos", lambda c: _live_graph(c, "pos", -3), "pos"),
    ("refused", "graph-live-root", lambda c: _live_graph(c, "root", "bogus"), "root"),
    ("refused", "graph-live-compact", lambda c: _live_graph(c, "compact", "yes"), "compact"),
    ("refused", "graph-live-scope", lambda c: _live_graph(c, "scope", 7), "scope"),
    # -- GraphExplorer.export: never over a file it did not write without force=True ------------
    ("refused", "export-foreign-file", _export_refused, "force"),
    (OutputPathError, "export-foreign-svg", lambda c: _export(c, FOREIGN), "already exists"),
    (ArgumentTypeError, "export-path-int", lambda c: _export(c, 5), "path"),
    (ArgumentTypeError, "export-force-str", lambda c: _export(c, "v.svg", force="yes"), "force"),
    (OutputPathError, "export-directory", lambda c: _export(c, "."), "directory"),
    (OutputPathError, "export-missing-dir", lambda c: _export(c, "no/such/v.svg"), "directory"),
    # -- show -------------------------------------------------------------------------------
    (ArgumentTypeError, "show-int", lambda c: show(5), "show(view)"),
    (ArgumentTypeError, "show-fp-str", lambda c: show(overview(c.fp), "emma"), "show(fp)"),
    ("ok", "show-view", lambda c: show(overview(c.fp), c.fp).title, "emma"),
    # -- NodeInspector ----------------------------------------------------------------------
    ("ok", "inspector-selected", lambda c: NodeInspector(selected="pos1.loss").selected, "loss"),
    (ArgumentTypeError, "inspector-selected-int", lambda c: NodeInspector(selected=3), "selected"),
    (ConfigError, "inspector-pos", lambda c: NodeInspector(pos=-5), "pos"),
    (ArgumentTypeError, "inspector-tensors", lambda c: NodeInspector(tensors="x"), "tensors"),
    (ArgumentTypeError, "inspector-show", lambda c: NodeInspector().show("emma"), "show(fp)"),
    # -- AttentionView: layer and head applied once a pass is shown --------------------------
    ("ok", "attention-head-before-show", lambda c: _late(AttentionView, "head", 2, c), "2"),
    ("ok", "attention-head-too-big", lambda c: _late(AttentionView, "head", 7, c),
     "not in this model's heads"),
    (ConfigError, "attention-layer-negative", lambda c: AttentionView(layer=-1), "layer"),
    (ArgumentTypeError, "attention-head-str", lambda c: AttentionView(head="1"), "head"),
    (ArgumentTypeError, "attention-show", lambda c: AttentionView().show(None), "show(fp)"),
    ("refused", "attention-live-head", lambda c: refused(_attention(c), "head", 9), "head"),
    ("refused", "attention-live-layer", lambda c: refused(_attention(c), "layer", 1), "layer"),
    ("ok", "attention-numpy-head", lambda c: _late(AttentionView, "head", np.int64(3), c), "3"),
    # -- ProbabilitiesView ------------------------------------------------------------------
    ("ok", "probs-temperature", lambda c: ProbabilitiesView(temperature=0.5).temperature, "0.5"),
    (ConfigError, "probs-temperature-big", lambda c: ProbabilitiesView(temperature=5),
     "temperature"),
    (ConfigError, "probs-temperature-nan", lambda c: ProbabilitiesView(temperature=float("nan")),
     "temperature"),
    (ArgumentTypeError, "probs-seed", lambda c: ProbabilitiesView(seed="7"), "seed"),
    (ArgumentTypeError, "probs-pos", lambda c: ProbabilitiesView(pos=1.5), "pos"),
    ("refused", "probs-live-temperature", lambda c: refused(_probs(c), "temperature", 0.0),
     "temperature"),
    (MicrogptError, "probs-no-pass", lambda c: ProbabilitiesView().distribution(), "show"),
    (ArgumentTypeError, "probs-distribution-pos", lambda c: _probs(c).distribution("2"), "pos"),
    # -- BackwardStepper: step applied once a pass is shown; a scope too big refused ----------
    ("ok", "stepper-step-before-show", lambda c: _late(BackwardStepper, "step", 3, c), "3"),
    ("ok", "stepper-step-too-big", lambda c: _late(BackwardStepper, "step", 10**6, c),
     "between 0 and"),
    (ArgumentTypeError, "stepper-scope-int", lambda c: BackwardStepper(scope=5), "scope"),
    ("refused", "stepper-live-scope", lambda c: _stepper_refused(c, "pos1"), "smaller"),
    ("refused", "stepper-typed-scope", lambda c: _stepper_typed(c, "pos9.nowhere"), "scope"),
    ("refused", "stepper-live-step", lambda c: refused(_stepper(c), "step", -1), "step"),
    (ArgumentTypeError, "stepper-follow", lambda c: _stepper(c).follow(3), "scope"),
    # -- EmbeddingView ----------------------------------------------------------------------
    (DataError, "embeddings-shipped-str", lambda c: EmbeddingView("shipped"), "shipped"),
    (ArgumentTypeError, "embeddings-int", lambda c: EmbeddingView(5), "source"),
    ("ok", "embeddings-session", lambda c: EmbeddingView(c.session, step=0).step, "0"),
    ("ok", "embeddings-matrix", lambda c: EmbeddingView(c.session, matrix="wpe").matrix, "wpe"),
    (ConfigError, "embeddings-step", lambda c: EmbeddingView(c.session, step=7), "step"),
    (UnknownNameError, "embeddings-matrix-bad",
     lambda c: EmbeddingView(c.session, matrix="wqe"), "matrix"),
    ("refused", "embeddings-live-step", lambda c: refused(EmbeddingView(c.session), "step", 3),
     "snapshots"),
    # -- CompareView ------------------------------------------------------------------------
    ("ok", "compare-traits", lambda c: CompareView(c.session, doc_a="anna", step_b=c.steps[0],
                                                   head=3, pos=2).message, "loss"),
    (ConfigError, "compare-step", lambda c: CompareView(c.session, step_a=7), "step_a"),
    (ConfigError, "compare-head", lambda c: CompareView(c.session, head=4), "head"),
    (UnknownNameError, "compare-by", lambda c: CompareView(c.session, by="loss"), "by"),
    (ArgumentTypeError, "compare-session", lambda c: CompareView("shipped"), "session"),
    ("refused", "compare-live-doc", lambda c: refused(CompareView(c.session), "doc_a", "em!"),
     "doc_a"),
    # -- TrainStepView, PositionsView, WeightView, Exercise, Session ---------------------------
    (ArgumentTypeError, "trainstep-session", lambda c: TrainStepView(None), "session"),
    ("ok", "trainstep-traits", lambda c: _trainstep(c, doc="anna", step=np.int64(500)), "500 anna"),
    (ConfigError, "trainstep-step", lambda c: TrainStepView(c.session, step=10**6), "step"),
    ("ok", "positions-layer-late", lambda c: _late(PositionsView, "layer", 3, c), "0"),
    (ArgumentTypeError, "positions-concealed", lambda c: PositionsView(concealed="no"),
     "concealed"),
    (UnknownNameError, "weight-selected", lambda c: WeightView(selected="wte[e,0]"), "selected"),
    ("ok", "weight-selected-ok", lambda c: WeightView(selected=WEIGHT).selected, "k=1"),
    (ArgumentTypeError, "weight-select-int", lambda c: WeightView().select(5), "name"),
    ("ok", "exercise-revealed-ok", lambda c: Exercise("why?", lambda: 42, revealed=True).shown_html,
     "42"),
    (ArgumentTypeError, "exercise-question", lambda c: Exercise(5, lambda: 1), "question"),
    (ConfigError, "exercise-empty", lambda c: Exercise("  ", lambda: 1), "question"),
    (ArgumentTypeError, "exercise-answer", lambda c: Exercise("why?", 42), "answer"),
    (ArgumentTypeError, "exercise-revealed", lambda c: Exercise("why?", int, revealed=1),
     "revealed"),
    (ArgumentTypeError, "session-int", lambda c: Session(5), "checkpoint"),
    (DataError, "session-missing", lambda c: Session("no-such-model.json"), "no-such-model"),
    (ConfigError, "session-keep", lambda c: Session(keep=0), "keep"),
    (ArgumentTypeError, "session-pass-doc", lambda c: c.session.forward_pass(["emma"]), "doc"),
    (ArgumentTypeError, "session-pass-step",
     lambda c: c.session.forward_pass("emma", step=[1]), "step"),
    ("ok", "session-pass-numpy-step",
     lambda c: c.session.forward_pass("emma", step=np.int64(100)).step, "100"),
    (ArgumentTypeError, "session-set-weights", lambda c: c.session.set_weights("x"), "source"),
]
# fmt: on


@pytest.mark.parametrize("kind, case, call, word", CASES, ids=[c[1] for c in CASES])
def test_widget_boundary(kind, case, call, word, ctx, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / FOREIGN).write_text(FOREIGN_TEXT, encoding="utf-8")
    if kind == "ok":
        assert word in str(call(ctx))
    elif kind == "refused":
        said, before, after = call(ctx)
        assert word in said and after == before
    else:
        with pytest.raises(MicrogptError) as raised:
            call(ctx)
        assert type(raised.value) is kind, f"{type(raised.value).__name__}: {raised.value}"
        message = str(raised.value)
        assert word in message and "\n" not in message
    assert sorted(p.name for p in tmp_path.iterdir()) == [FOREIGN]  # nothing written ...
    assert (tmp_path / FOREIGN).read_text(encoding="utf-8") == FOREIGN_TEXT  # ... or replaced


def test_the_table_is_large_and_its_ids_unique():
    assert len(CASES) >= 50 and len({c[1] for c in CASES}) == len(CASES)


# -- export: a file it did not write is replaced only with force=True ---------------------------
def test_export_writes_replaces_its_own_and_refuses_others_unless_forced(ctx, tmp_path):
    g = _graph(ctx)
    page = tmp_path / "view.html"
    assert g.export(page) == str(page) and "microgpt-export-data" in page.read_text()
    g.export(page)  # its own export: replaced without a question
    mine = tmp_path / "notes.svg"
    mine.write_text("<svg>my drawing</svg>", encoding="utf-8")
    with pytest.raises(OutputPathError, match="force"):
        g.export(mine)
    assert mine.read_text(encoding="utf-8") == "<svg>my drawing</svg>"
    g.export(mine, force=True)
    assert "data-layout=" in mine.read_text(encoding="utf-8")
    g.export(mine)  # now it is a view this package wrote
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.svg", "view.html"]


# -- live assignments: the controls follow, and a refusal leaves the controls as they were -------
def test_a_refused_view_leaves_the_controls_and_picture_as_they_were(ctx):
    g = _graph(ctx, view="model", pos=2)
    svg, kind = g.graph.svg, g.current_view.kind
    for trait, value in (("view", "bogus"), ("depth", 0), ("budget", 10**6), ("pos", "2")):
        setattr(g, trait, value)
        assert trait in g.message and g._message.layout.display != "none"
    assert (g._view_pick.value, g._depth_slider.value, g._budget_box.value) == ("model", 2, 1000)
    assert g._pos_slider.value == 2 and g.graph.svg == svg and g.current_view.kind == kind
    g.view = "overview"  # a good value afterwards works as before
    assert g.current_view.kind == "overview"


def test_attention_choices_out_of_range_never_reach_the_controls(ctx):
    view = _attention(ctx)
    view.head = 3
    png = view.image.png
    for value in (4, -1, np.int64(9), "2", 2.5, None):
        view.head = value
        assert "head" in view.message and view.head == 3 and view._head.value == 3
    assert view.image.png == png
    view.head = np.int64(1)  # numpy's integers are integers
    assert view.head == 1 and view._head.value == 1 and type(view.head) is int


def test_an_embedding_step_that_is_no_snapshot_is_refused(ctx):
    view = EmbeddingView(ctx.session)
    shown = view.figure
    view.step = 150
    assert view.step == ctx.steps[-1] and view._step.value == ctx.steps[-1]
    assert "snapshots" in html.unescape(view._message.value) and view.figure is shown
    view.step = ctx.steps[0]
    assert view._message.value == "" and view.figure is not shown


# -- Hypothesis: random types and values, no exception but MicrogptError -----------------------
VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**12), 10**12),
    st.integers(-3, 12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.lists(st.integers(0, 3), max_size=2),
    st.integers(-3, 12).map(np.int64),
    st.sampled_from(["emma", "pos2", "pos1.layer0", "model", "full", "wte", "wpe", "grad",
                     "loss", "loss@2", "pos1.loss", WEIGHT, "pos3.*", "#12", ""]),
)  # fmt: skip

#: Widgets made in a few milliseconds, with how to make one from keyword arguments.
MAKERS = {
    AttentionView: lambda c, kw: AttentionView(**kw),
    ProbabilitiesView: lambda c, kw: ProbabilitiesView(**kw),
    NodeInspector: lambda c, kw: NodeInspector(**kw),
    BackwardStepper: lambda c, kw: BackwardStepper(**kw),
    WeightView: lambda c, kw: WeightView(**kw),
    PositionsView: lambda c, kw: PositionsView(concealed=True, **kw),
    EmbeddingView: lambda c, kw: EmbeddingView(c.session, concealed=True, **kw),
    Exercise: lambda c, kw: Exercise("why?", lambda: 1, **kw),
}


def _valid(widget) -> None:
    """Every checked trait holds a value its own check accepts; except a stepper's scope given
    before the pass it names was shown: kept, and the stepper says why it shows no steps."""
    for name, check in widget._checks.items():
        try:
            check(widget, getattr(widget, name), name)
        except MicrogptError:
            if not (isinstance(widget, BackwardStepper) and name == "scope"):
                raise
            assert not widget.steps and "microgpt-message" in widget._table.value


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_random_constructor_arguments_give_a_widget_or_a_microgpt_error(ctx, data):
    cls = data.draw(st.sampled_from(list(MAKERS)), label="widget")
    names = data.draw(st.lists(st.sampled_from(sorted(cls._checks)), max_size=3, unique=True))
    kwargs = {n: data.draw(VALUES, label=n) for n in names}
    try:
        widget = MAKERS[cls](ctx, kwargs)
    except MicrogptError:
        return
    if hasattr(widget, "show") and cls is not EmbeddingView:
        widget.show(ctx.fp)
    _valid(widget)


@pytest.fixture(scope="module")
def live(ctx):
    """One of each widget, with a pass shown: random assignments land on them."""
    widgets = [maker(ctx, {}) for maker in MAKERS.values()]
    for w in widgets:
        if hasattr(w, "show") and not isinstance(w, EmbeddingView):
            w.show(ctx.fp)
    return [*widgets, _graph(ctx, view="model")]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_random_assignments_on_live_widgets_never_raise(live, data):
    widget = data.draw(st.sampled_from(live), label="widget")
    name = data.draw(st.sampled_from(sorted(widget._checks)), label="trait")
    value = data.draw(VALUES, label="value")
    setattr(widget, name, value)  # refused with a message, or taken: never an exception
    _valid(widget)


def test_the_dashboard_checks_its_traits(monkeypatch, tmp_path):
    """The Dashboard's own traits: a bad value raises one MicrogptError naming it from the
    constructor; set later it is refused, said in the graph's message area, the state kept."""
    import re

    import numpy as np

    from explorer.widgets import Dashboard

    monkeypatch.chdir(tmp_path)
    bad = [
        ({"pos": "x"}, ArgumentTypeError, "Dashboard(pos=...)"),
        ({"pos": -1}, ConfigError, "Dashboard(pos=...)"),
        ({"presenter": "yes"}, ArgumentTypeError, "Dashboard(presenter=...)"),
        ({"presenter": 1}, ArgumentTypeError, "True or False"),
        ({"font_scale": 9}, ConfigError, "text size"),
        ({"high_contrast": "no"}, ArgumentTypeError, "Dashboard(high_contrast=...)"),
        ({"doc": 5}, ArgumentTypeError, "Dashboard(doc=...)"),
        ({"selected": 3}, ArgumentTypeError, "Dashboard(selected=...)"),
    ]
    for kwargs, kind, word in bad:
        with pytest.raises(kind, match=re.escape(word)):
            Dashboard(**kwargs)
    d = Dashboard(pos=np.int64(2), font_scale=2.0, presenter=True, high_contrast=True)
    assert (d.pos, d.font_scale, d.presenter, d.high_contrast) == (2, 2.0, True, True)
    later = [("pos", "x", "integer"), ("font_scale", 9, "text size")]
    later += [("selected", 3, "string"), ("presenter", "no", "True or False")]
    for name, value, word in later:
        before = getattr(d, name)
        setattr(d, name, value)
        assert getattr(d, name) == before
        assert f"Dashboard.{name}" in d.graph.message and word in d.graph.message
    assert list(tmp_path.iterdir()) == []
