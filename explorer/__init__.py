"""explorer: make a real microgpt forward pass legible.

Layers (each imports only those below it): ``forward`` (a recorded pass: ``ForwardPass``,
``ModelSource``) → ``graph`` / ``fold`` / ``flow`` / ``views`` (pure-Python queries returning a
``GraphView``) → ``render`` (DOT, SVG, PNG, JSON, text). Importing ``explorer`` loads no
graphviz: renderers import it when they run.
"""

from .forward import Address, ForwardPass, ModelSource
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
