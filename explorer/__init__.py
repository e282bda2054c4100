"""explorer: make a real microgpt forward pass legible.

Layers, bottom up; a module imports only from its own layer or those below, never above:

1. ``graph`` (``GraphIndex`` over a trace; ``GraphView``, the plain data every view returns),
   then ``fold`` / ``flow`` on it (folded constants and add chains; gradient flow).
2. ``forward`` (a recorded pass: ``ForwardPass``, ``ModelSource``): it builds a pass's index,
   folding and flow from layer 1.
3. The queries, pure Python over a ``ForwardPass``: ``selection`` / ``levels`` → ``budget`` →
   ``path`` / ``node`` → ``views``; ``gradcheck``, ``adam``, ``stepper``.
4. The renderers: ``shapes`` → ``layout`` (graphviz places the nodes) → ``svg`` (the package
   writes the picture) → ``render`` → ``export`` (SVG, DOT, PNG, JSON, text; HTML with the
   viewer, ``viewer/``) and ``plots`` (matplotlib figures). They draw the queries'
   ``GraphView``s and data.
5. ``cli`` and ``widgets`` (JupyterLab): they call queries and renderers.

``style`` (the number format and the style table) imports nothing; queries and renderers share
it. Importing ``explorer`` loads no graphviz, matplotlib or ipywidgets: import
``explorer.plots`` or ``explorer.widgets`` for them.
"""

from .budget import DEFAULT_BUDGET
from .forward import Address, Expression, ForwardPass, ModelSource
from .graph import GraphEdge, GraphNode, GraphView, TensorNode
from .model_view import model_view
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
    "TensorNode",
    "build_view",
    "full_view",
    "model_view",
    "node_report",
    "node_view",
    "overview",
    "path_view",
    "scope_view",
    "select",
]
