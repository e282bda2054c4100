"""JupyterLab widgets over a recorded forward pass (ipywidgets 8; anywidget for clicks).

Controls and layout only: they call the explorer's queries and renderers, keep the recorded
pass in a ``Session`` and recompute it only when the document, root or step changes. Each
widget's root carries a stable CSS class (``microgpt-graph``, ``microgpt-inspector``, …).

Each widget's module loads on first use (``from explorer.widgets import show`` loads ``show``'s
alone): the graph widgets need neither numpy nor matplotlib, which only the charts import, so a
graph lesson runs where they are absent (the lessons' browser site, offline) and starts faster.
"""

from __future__ import annotations

import importlib

#: Each public name and the module that defines it.
_WHERE = {
    "AttentionView": "attention",
    "BackwardStepper": "backward_stepper",
    "CompareView": "compare_view",
    "Dashboard": "dashboard",
    "EmbeddingView": "embeddings",
    "Exercise": "exercise",
    "GraphExplorer": "graph_explorer",
    "NodeInspector": "inspector",
    "PassState": "state",
    "PositionsView": "panels",
    "ProbabilitiesView": "probs",
    "Session": "session",
    "TrainingView": "training",
    "TrainStepView": "trainstep",
    "WeightView": "panels",
    "show": "front",
}

__all__ = sorted(_WHERE, key=str.lower)


def __getattr__(name: str):
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'explorer.widgets' has no attribute {name!r}")
    return getattr(importlib.import_module(f".{module}", __name__), name)


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_WHERE))
