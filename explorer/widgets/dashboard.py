"""``Dashboard``: the graph, the inspector, attention, probabilities, backward step by step,
embeddings and training, linked on one forward pass (document + position + selection).

Runs in JupyterLab and under Voilà (``voila notebooks/classroom_dashboard.ipynb``).
``presenter=True`` enlarges the type for a classroom projector.
"""

from __future__ import annotations

import ipywidgets as W
import traitlets

from .attention import AttentionView
from .embeddings import EmbeddingView
from .graph import GraphExplorer
from .inspector import NodeInspector
from .probs import ProbabilitiesView
from .session import Session
from .stepper import BackwardStepper
from .training import TrainingView

__all__ = ["Dashboard"]

_STYLE = """<style>
.microgpt-table { border-collapse: collapse; font-size: 0.9em; }
.microgpt-table td, .microgpt-table th { padding: 1px 6px; border-bottom: 1px solid #eee;
  text-align: right; }
.microgpt-table td:first-child, .microgpt-table th:first-child { text-align: left; }
.microgpt-message { color: #b2182b; }
.microgpt-presenter .widget-html-content { font-size: 125%; }
.microgpt-presenter .microgpt-inspector-name { font-size: 150%; }
</style>"""


class Dashboard(W.VBox):
    """Every view of one forward pass, linked. Traits a learner changes:"""

    doc = traitlets.Unicode("emma")
    pos = traitlets.Int(1)
    selected = traitlets.Unicode("")
    presenter = traitlets.Bool(False)

    def __init__(self, doc: str = "emma", checkpoint=None, presenter: bool = False,
                 **kwargs) -> None:  # fmt: skip
        self.session = Session(checkpoint)
        self.graph = GraphExplorer(self.session, doc=doc)
        self.inspector = NodeInspector()
        self.attention = AttentionView()
        self.probs = ProbabilitiesView()
        self.stepper = BackwardStepper()
        self.embeddings = EmbeddingView(self.session.source)
        self.training = TrainingView()
        tabs = W.Tab(children=[self.attention, self.probs, self.stepper, self.embeddings,
                               self.training])  # fmt: skip
        for k, title in enumerate(
            ["attention", "next token", "backward, step by step", "embeddings", "training"]
        ):
            tabs.set_title(k, title)
        self.inspector.layout.width = "34%"
        self.graph.layout.width = "66%"
        super().__init__([W.HTML(_STYLE), W.HBox([self.graph, self.inspector]), tabs], **kwargs)
        self.add_class("microgpt-dashboard")
        # The graph refuses a bad document (and keeps its pass): its answer is synced back.
        self._syncing = False
        self.observe(self._on_doc, "doc")
        self.graph.observe(self._on_graph_doc, "doc")
        traitlets.link((self, "pos"), (self.graph, "pos"))
        traitlets.link((self, "selected"), (self.graph, "selected"))
        traitlets.link((self.graph, "selected"), (self.inspector, "selected"))
        traitlets.link((self.graph, "pos"), (self.attention, "pos"))
        traitlets.link((self.graph, "pos"), (self.probs, "pos"))
        self.graph.observe(self._on_pass, "pass_version")
        self.attention.observe(self._on_attention_click, "selected")
        self.probs.observe(self._on_sample, "sample_count")
        self.doc = self.graph.doc
        self.pos = self.graph.pos
        self.presenter = presenter
        self._on_pass(None)

    def _on_doc(self, change) -> None:
        if self._syncing:
            return
        self._syncing = True
        try:
            self.graph.doc = change["new"]
            self.doc = self.graph.doc
        finally:
            self._syncing = False

    def _on_graph_doc(self, change) -> None:
        if not self._syncing:
            self.doc = change["new"]

    def _on_pass(self, change) -> None:
        fp = self.graph.fp
        if fp is None:  # the first document was refused: the graph shows why
            return
        for view in (self.inspector, self.attention, self.probs, self.stepper):
            view.show(fp)

    def _on_attention_click(self, change) -> None:
        name = change["new"]
        if not name:
            return
        head_scope = name.rsplit(".", 1)[0]
        self.graph.scope = head_scope
        self.graph.view = "scope"
        self.selected = name

    def _on_sample(self, change) -> None:
        char = self.probs.sampled
        if char == "":  # BOS: the model ends the name here
            self.graph.message = "the model drew BOS: it ends the name here"
            return
        if len(self.doc) + 1 >= self.graph.fp.source.config.block_size:
            self.graph.message = "the name fills the model's context: it cannot grow further"
            return
        self.doc = self.doc + char

    @traitlets.observe("presenter")
    def _on_presenter(self, change) -> None:
        for widget in (self, self.graph, self.inspector):
            if change["new"]:
                widget.add_class("microgpt-presenter")
            else:
                widget.remove_class("microgpt-presenter")
