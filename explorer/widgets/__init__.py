"""JupyterLab widgets over a recorded forward pass (ipywidgets 8; anywidget for clicks).

Controls and layout only: they call the explorer's queries and renderers, keep the recorded
pass in a ``Session`` and recompute it only when the document, root or step changes. Each
widget's root carries a stable CSS class (``microgpt-graph``, ``microgpt-inspector``, …).
"""

from .attention import AttentionView
from .compare import CompareView
from .dashboard import Dashboard
from .embeddings import EmbeddingView
from .exercise import Exercise
from .front import show
from .graph import GraphExplorer
from .inspector import NodeInspector
from .panels import PositionsView, WeightView
from .probs import ProbabilitiesView
from .session import Session
from .stepper import BackwardStepper
from .training import TrainingView
from .trainstep import TrainStepView

__all__ = [
    "AttentionView",
    "BackwardStepper",
    "CompareView",
    "Dashboard",
    "EmbeddingView",
    "Exercise",
    "GraphExplorer",
    "NodeInspector",
    "PositionsView",
    "ProbabilitiesView",
    "Session",
    "TrainingView",
    "TrainStepView",
    "WeightView",
    "show",
]
