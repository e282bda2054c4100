"""explorer: make a real microgpt forward pass legible.

Layers (each imports only those below it): ``forward`` (a recorded pass: ``ForwardPass``,
``ModelSource``) → ``graph`` / ``fold`` / ``flow`` / ``views`` / ``gradcheck`` / ``adam`` /
``stepper`` (pure-Python queries) → ``render`` / ``export`` / ``plots`` (DOT, SVG, PNG, JSON,
text, HTML; matplotlib figures) → ``widgets`` (JupyterLab). Importing ``explorer`` loads no
graphviz, matplotlib or ipywidgets: import ``explorer.plots`` or ``explorer.widgets`` for them.
"""

from .forward import Address, Expression, ForwardPass, ModelSource
from .graph import GraphEdge, GraphNode, GraphView
from .views import (
    DEFAULT_BUDGET,
    VIEWS,
    build_view,
    full_view,
    node_report,
    node_view,
    overview,
    path_view,
    scope_view,
    select,
)

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
