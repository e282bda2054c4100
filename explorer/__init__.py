"""explorer: make a real microgpt forward pass legible.

Layers (each imports only those below it): ``forward`` (a recorded pass: ``ForwardPass``,
``ModelSource``) → ``graph`` / ``fold`` / ``flow`` / ``views`` / ``gradcheck`` / ``adam`` /
``stepper`` (pure-Python queries) → ``render`` / ``export`` / ``plots`` (DOT, SVG, PNG, JSON,
text, HTML; matplotlib figures) → ``widgets`` (JupyterLab). Importing ``explorer`` loads no
graphviz, matplotlib or ipywidgets: import ``explorer.plots`` or ``explorer.widgets`` for them.
"""

from .budget import DEFAULT_BUDGET
from .forward import Address, Expression, ForwardPass, ModelSource
from .graph import GraphEdge, GraphNode, GraphView
from .node import node_report, node_view
from .path import path_view
from .selection import select
from .views import VIEWS, build_view, full_view, overview, scope_view

__all__ = [
    "DEFAULT_BUDGET",
    "VIEWS",
    "Address",
    "Expression",
    "ForwardPass",
    "GraphEdge",
    "GraphNode",
    "GraphView",
    "ModelSource",
    "build_view",
    "full_view",
    "node_report",
    "node_view",
    "overview",
    "path_view",
    "scope_view",
    "select",
]
