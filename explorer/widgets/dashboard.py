"""``Dashboard``: the graph, the inspector, attention, probabilities, backward step by step,
embeddings and training, linked on one forward pass (document + position + selection).

The graph opens on the model view (``explorer.model_view``: the position's ``gpt()`` as
tensors) at the selected position; a click on a tensor shows it in the inspector as a table
and opens its scalar nodes, and the breadcrumb's "model" leads back at the same position.

Runs in JupyterLab and under Voilà (``voila notebooks/classroom_dashboard.ipynb``).
``presenter=True`` lays it out as a slide for a classroom projector: the controls in one
toolbar row (those that do not fit behind its "⋯" menu), a one-line title (the notes behind a
toggle), the graph filling the rest of the visible height, a full-screen button, the inspector
below; one "text size" (100% to 250%) for everything (node text, legend, notes, controls, tabs,
tables); a high-contrast palette. A clicker's keys (PageDown/PageUp, ArrowRight/ArrowLeft,
space) step the backward player when the picture has one, else the position.
"""

from __future__ import annotations

import ipywidgets as W
import traitlets

from microgpt.model import parse_name

from ..graph import NodeKey
from ..memory import trim
from ..node import resolve_node
from .args import Checked, choice, flag, integer, number, text
from .attention import AttentionView
from .backward_stepper import BackwardStepper
from .embeddings import EmbeddingView
from .graph_explorer import VIEW_CHOICES, GraphExplorer
from .inspector import NodeInspector, names_a_node
from .lazy import ShownLater
from .panels import PositionsView, WeightView
from .probs import ProbabilitiesView
from .session import Session
from .training import TrainingView
from .trainstep import TrainStepView

__all__ = ["Dashboard"]

#: The text sizes the control offers (``font_scale``: any value from the first to the last).
TEXT_SIZES = (1.0, 1.25, 1.5, 1.75, 2.0, 2.25, 2.5)

#: Presenter mode at text size S (``{scale}``): ipywidgets' own sizes (type, control heights,
#: label widths, tabs, slider handles) times S, and ``--microgpt-text-scale`` for the viewer
#: (node text opens at S × the readable size; legend, title, notes and its buttons grow). "high
#: contrast" deepens every colour of the graph and the charts (a washed-out projector loses
#: pale fills first).
_PRESENTER_STYLE = """<style>
.microgpt-dashboard.microgpt-presenter {{
  --microgpt-text-scale: {scale};
  --jp-widgets-font-size: calc(13px * {scale});
  --jp-widgets-inline-height: calc(12px + 16px * {scale});
  --jp-widgets-inline-margin: calc(4px * min({scale}, 1.5));
  --jp-widgets-inline-label-width: calc(80px * {scale});
  --jp-widgets-inline-width: calc(300px * {scale});
  --jp-widgets-inline-width-short: calc(148px * {scale});
  --jp-widgets-inline-width-tiny: calc(72px * {scale});
  --jp-widgets-horizontal-tab-height: calc(24px * {scale});
  --jp-widgets-horizontal-tab-width: calc(144px * {scale});
  --jp-widgets-slider-handle-size: calc(16px * min({scale}, 2));
  --jp-widgets-slider-track-thickness: calc(4px * {scale});
  --jp-widgets-container-padding: calc(15px * min({scale}, 1.5));
  font-size: var(--jp-widgets-font-size);
}}
</style>"""

#: Presenter mode at every text size: what grows wraps rather than shrink or be cut (rows of
#: controls, labels, buttons, tabs); tables wider than their panel scroll inside it. The
#: one-line title (it scrolls sideways when long) stops growing at 22 px, already bold and
#: large: at 250% it would show only the name of the pass.
_PRESENTER_LAYOUT = """
.microgpt-presenter .microgpt-viewer { font-size: var(--jp-widgets-font-size); }
.microgpt-presenter .microgpt-viewer-toolbar { font-size: min(1em, calc(13px * 1.5)); }
.microgpt-presenter .microgpt-viewer-title { font-size: min(1.15em, 22px); }
.microgpt-presenter .widget-hbox { flex-wrap: wrap; }
.microgpt-presenter .jupyter-widgets { max-width: 100%; }
.microgpt-presenter .widget-label { overflow: visible; text-overflow: clip;
  flex-shrink: 0; }
.microgpt-presenter .widget-inline-hbox { height: auto;
  min-height: var(--jp-widgets-inline-height); }
.microgpt-presenter .widget-hslider { width: calc(150px + 6em); flex-wrap: wrap; }
.microgpt-presenter .widget-hslider .slider-container { flex: 1 1 4em; min-width: 4em; }
.microgpt-presenter .widget-readout { min-width: 0; max-width: none;
  padding: 0 0.25em; }
.microgpt-presenter .jupyter-button { width: auto; max-width: 100%; height: auto;
  min-height: var(--jp-widgets-inline-height); white-space: normal; overflow-wrap: anywhere;
  text-overflow: clip; line-height: 1.25; padding-top: 0.15em; padding-bottom: 0.15em; }
.microgpt-presenter .widget-dropdown { width: auto; }
.microgpt-presenter .widget-dropdown > select { font-size: inherit;
  height: var(--jp-widgets-inline-height); }
.microgpt-presenter .widget-tab > .lm-TabBar .lm-TabBar-content { flex-wrap: wrap; }
.microgpt-presenter .widget-tab > .lm-TabBar { height: auto; }
.microgpt-presenter .widget-html-content {
  line-height: 1.35; overflow-x: auto; }
"""

_BASE_CSS = """
.microgpt-table { border-collapse: collapse; font-size: 0.9em; }
.microgpt-table td, .microgpt-table th { padding: 1px 6px; text-align: right;
  border-bottom: 1px solid var(--jp-border-color2, #eeeeee); }
.microgpt-table td:first-child, .microgpt-table th:first-child { text-align: left; }
.microgpt-message { color: var(--jp-error-color1, #b2182b); }
.microgpt-note { color: var(--microgpt-muted, var(--jp-content-font-color2, #555555)); }
.microgpt-dashboard .lm-TabBar-tab { max-width: none; flex: 0 0 auto; }
.microgpt-dashboard .microgpt-inspector { overflow-x: auto; overflow-wrap: anywhere; }
.microgpt-dashboard .microgpt-inspector th, .microgpt-dashboard .microgpt-inspector td {
  white-space: nowrap; overflow-wrap: normal; }
.microgpt-dashboard .microgpt-inspector td:first-child { white-space: normal;
  overflow-wrap: anywhere; min-width: 12em; }
.microgpt-dashboard .microgpt-tensor-table td:first-child { min-width: 0; }
.microgpt-presenter .microgpt-inspector-name { font-size: 130%; }
"""

_STYLE = f"<style>{_BASE_CSS}{_PRESENTER_LAYOUT}</style>"


class Dashboard(Checked, W.VBox):
    """Every view of one forward pass, linked. Traits a learner changes: ``doc``, ``pos``,
    ``selected``, ``presenter``, ``font_scale`` and ``high_contrast``; each is checked where it
    is set (``args.Checked``): a bad value raises from the constructor, and set later it is
    refused with a message in the graph's message area."""

    doc = traitlets.Unicode("emma")
    pos = traitlets.Int(1)
    selected = traitlets.Unicode("")
    presenter = traitlets.Bool(False)
    #: Presenter mode's text size, 1.0 to 2.5 (1 = as in a notebook: the "text size" control's
    #: 100% to 250%), and its high-contrast palette.
    font_scale = traitlets.Float(1.5)
    high_contrast = traitlets.Bool(False)
    _checks = {
        "doc": text(),
        "pos": integer(0),
        "selected": text(),
        "presenter": flag(),
        "font_scale": number(
            TEXT_SIZES[0], TEXT_SIZES[-1], "the text size, 1.0 to 2.5 (100% to 250%)"
        ),
        "high_contrast": flag(),
    }

    def __init__(self, doc: str = "emma", checkpoint=None, presenter: bool = False,
                 keep: int = 3, view: str = "model", **kwargs) -> None:  # fmt: skip
        """``keep``: how many recorded passes stay cached for going back to a document at once
        (each costs 10-40 MB: ``keep=1`` for a server that hosts a whole class). ``view``: the
        graph's first view (``GraphExplorer.view``: the model view, or e.g. the overview)."""
        doc = self._checks["doc"](self, doc, "Dashboard(doc=...)")
        view = choice(VIEW_CHOICES)(self, view, "Dashboard(view=...)")
        asked = self.take_traits(kwargs, ("pos", "selected", "font_scale", "high_contrast"))
        self.session = Session(checkpoint, keep=keep)
        #: The selection every view shows (the session's): set it, or any view's trait.
        self.state = self.session.state
        self._make_views(doc, view)
        self._make_presenter_tools()
        self._main = W.Box([self.graph, self.inspector])
        self._style = W.HTML(_STYLE, layout=W.Layout(display="none"))
        super().__init__([self._style, self._main, self._tabs], **kwargs)
        self.add_class("microgpt-dashboard")
        self.state.join(self, "doc", "pos", "selected")
        self._wire()
        self.apply(asked)  # into the state, and every view
        self.presenter = presenter
        if not presenter:  # the default value sends no change event: lay out once here
            self._on_presenter({"new": False})
        self._on_pass(None)
        self._live = True  # from now on a bad value is refused with a message

    def _make_views(self, doc: str, view: str) -> None:
        """The graph (it leads the state: it holds the pass), the inspector beside it, and the
        tabs under them, all on the session's state; only the selected tab draws."""
        state = self.state
        self.graph = GraphExplorer(self.session, state=state, doc=doc, view=view)
        self.inspector = NodeInspector(tensors=self.graph.tensors, state=state)  # tensors drawn
        self.attention = AttentionView(state=state)
        self.probs = ProbabilitiesView(state=state)
        self.stepper = BackwardStepper(state=state)
        self.embeddings = EmbeddingView(self.session.source, concealed=True)
        self.training = TrainingView()
        self.trainstep = TrainStepView(self.session, concealed=True, state=state)
        self.weight = WeightView(state=state)  # under the attention map: the weight explained
        self.positions = PositionsView(concealed=True, state=state)
        attention = W.VBox([self.attention, self.weight])
        tabs = W.Tab(children=[attention, self.positions, self.probs, self.stepper,
                               self.embeddings, self.trainstep, self.training])  # fmt: skip
        titles = ["attention", "across positions", "next token", "backward", "embeddings",
                  "one step", "training"]  # fmt: skip
        for k, title in enumerate(titles):
            tabs.set_title(k, title)
        self._tabs = tabs
        # only the selected tab draws: a new pass or new weights redraw what is on screen
        tabs.observe(self._on_tab, "selected_index")
        self._on_tab({"new": tabs.selected_index})

    def _make_presenter_tools(self) -> None:
        """Presenter mode's own tools, at the end of the graph's toolbar (or in its menu)."""
        self._presenter_style = W.HTML(layout=W.Layout(display="none"))  # a <style>: no room
        self._font = W.Dropdown(description="text size", layout=W.Layout(width="auto"))
        self._font.style.description_width = "initial"
        self._font.add_class("microgpt-text-size")
        self._font_options(self.font_scale)
        self._font.observe(self._on_font_pick, "value")
        self._contrast = W.ToggleButton(description="high contrast", icon="adjust",
                                        layout=W.Layout(width="auto"))  # fmt: skip
        self._contrast.add_class("microgpt-contrast-toggle")
        traitlets.link((self, "high_contrast"), (self._contrast, "value"))

    def _wire(self) -> None:
        """What is not a shared trait: a new pass or new weights for every view, a click that
        opens a node, a sampled character, a new document's memory."""
        self.state.observe(self._on_doc, "doc")
        self.graph.observe(self._on_pass, "pass_version")
        self.attention.observe(self._on_attention_click, "selected")
        for panel in (self.weight, self.positions):  # a click on a cell: its node in the graph
            panel.picture.observe(self._on_panel_click, "clicks")
        self.trainstep.observe(self._on_weights, "weights_version")
        self.probs.observe(self._on_sample, "sample_count")

    def refuse(self, text: str) -> None:
        """A value refused (``args.Checked``): said in the graph's message area."""
        self.graph.message = text

    @traitlets.validate("pos")
    def _clamp_pos(self, proposal) -> int:
        """A position outside the document: the graph's message, and its last position (the
        views linked to it all show the same one)."""
        graph = getattr(self, "graph", None)
        return proposal["value"] if graph is None else graph._clamp_pos(proposal)

    def _on_doc(self, change) -> None:
        trim()  # every view has the new pass: the old one's pages go back to the system

    def _on_pass(self, change) -> None:
        fp = self.graph.fp
        if fp is None:  # the first document was refused: the graph shows why
            return
        for view in (self.inspector, self.attention, self.probs, self.stepper, self.weight,
                     self.positions):  # fmt: skip
            view.show(fp)

    def _on_tab(self, change) -> None:
        for k, tab in enumerate(self._tabs.children):
            views = tab.children if type(tab) is W.VBox else (tab,)  # attention + its weight
            for view in views:
                if isinstance(view, ShownLater):
                    (view.reveal if k == change["new"] else view.conceal)()

    def _on_weights(self, change) -> None:
        """New weights (a step chosen, taken by hand or undone): every view redraws."""
        self.graph.reload()
        self.embeddings.set_source(self.session.source, self.session.step)

    def _on_attention_click(self, change) -> None:
        name = change["new"]
        if not name:
            return
        self.weight.select(name)
        self.state.scope = parse_name(name).where  # the head's graph, the weight in it
        self.state.view = "scope"
        self.state.selected = name

    def _on_panel_click(self, change) -> None:
        self.show_node(change["owner"].clicked)

    def show_node(self, node_id: str) -> None:
        """A node named by a panel (a click on a cell of the weight explained or of the
        across-positions heatmaps): the graph opens the scalars around it and selects it. A
        named entry of a tensor opens the tensor's scalar nodes (``q[4]``: the 16 of ``q``); an
        anonymous one (a product inside q·k) the scope it was computed in; ``group/posP`` (a
        position's number) moves the position."""
        fp = self.graph.fp
        key = NodeKey.parse(node_id)
        node_id = key.ref if key.kind == "op" else node_id
        if fp is None or not node_id:
            return
        pos = parse_name(key.ref).pos if key.kind in ("node", "op", "group") else None
        if pos is not None and pos < fp.positions:
            self.pos = pos
        if key.kind == "group":
            return
        if "[" in node_id and not node_id.startswith("#"):
            base = node_id.split("[", 1)[0]
            tensor = node_id if base in ("wte", "wpe") else base  # an embedding row: its path
            if not self.graph.open_tensor(tensor):
                return
        elif names_a_node(fp, node_id):
            self.graph.scope = fp.index.scope[resolve_node(fp, node_id)]
            self.graph.view = "scope"
        else:
            return
        self.selected = node_id

    def _on_sample(self, change) -> None:
        """A character sampled (the next-token tab, which moved every view to the position it
        was drawn at): the document grows by it and the pass is recorded again."""
        char = self.probs.sampled
        if char == "":  # BOS ends the name: the next-token view says so, in its own message
            return
        self.doc = self.doc + char

    @traitlets.observe("presenter")
    def _on_presenter(self, change) -> None:
        """Presenter mode lays out a slide: the graph's controls in one toolbar row (the text
        size and the high-contrast toggle at its end; what does not fit behind "⋯"), the graph
        filling the rest of the visible height, the inspector below it at full width."""
        on = change["new"]
        for widget in (self, self.graph, self.inspector):
            (widget.add_class if on else widget.remove_class)("microgpt-presenter")
        self.graph.toolbar.add([self._font, self._contrast] if on else [])
        self.graph.compact = on
        self.graph.graph.min_height, self.graph.graph.max_height = (0.5, 0.8) if on else (0, 0.7)
        if on:  # stacked: nothing beside the graph to squeeze it or be cut
            self._main.layout = W.Layout(display="flex", flex_flow="column")
            self.graph.layout.width = self.inspector.layout.width = "100%"
            self.children = [self._style, self._presenter_style, self._main, self._tabs]
        else:
            self._main.layout = W.Layout(display="flex", flex_flow="row")
            self.graph.layout.width, self.inspector.layout.width = "66%", "34%"
            self.children = [self._style, self._main, self._tabs]
        self._restyle(None)

    def _font_options(self, scale: float) -> None:
        sizes = sorted({*TEXT_SIZES, scale})  # a size set in code is offered too
        self._font.options = [(f"{size:.0%}", size) for size in sizes]
        self._font.value = scale

    def _on_font_pick(self, change) -> None:
        if change["new"] is not None:
            self.font_scale = change["new"]

    @traitlets.observe("font_scale", "high_contrast")
    def _restyle(self, change) -> None:
        self._presenter_style.value = _PRESENTER_STYLE.format(scale=self.font_scale)
        if self._font.value != self.font_scale:
            self._font_options(self.font_scale)
        self.graph.toolbar.set_text_scale(self.font_scale)  # after the style: the toolbar refits
        (self.add_class if self.high_contrast else self.remove_class)("microgpt-contrast")
