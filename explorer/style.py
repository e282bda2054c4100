"""The one style table for every picture: shapes per node kind, colours, number formats.

Gradients use a diverging scale centred at 0 (blue below, white at 0, red above), normalised
per picture by the largest |grad| drawn, with a square-root stretch so that small gradients
still show. Probabilities and attention weights use a sequential 0–1 scale (white to purple).
Pure Python: the DOT renderer and the widgets read it.
"""

from __future__ import annotations

import math

__all__ = [
    "EDGE",
    "GRAPH",
    "KIND",
    "PARAM_EDGE",
    "ROLE",
    "diverging",
    "fmt",
    "sequential",
    "text_colour",
]

#: Node attributes per node kind.
KIND = {
    "value": {"shape": "plain"},  # an HTML table: name / data / grad
    "op": {"shape": "circle", "style": "filled", "fillcolor": "#eeeeee", "fontsize": "11",
           "width": "0.3", "margin": "0.02"},
    "sum": {"shape": "circle", "style": "filled", "fillcolor": "#dddddd", "fontsize": "11",
            "width": "0.3", "margin": "0.02"},
    "group": {"shape": "plain"},
    "folded": {"shape": "plain"},
}  # fmt: skip

#: Border of the table per role (root, source, selected node, input from outside the view).
ROLE = {
    None: {"border": "1", "color": "#555555", "style": ""},
    "root": {"border": "3", "color": "#000000", "style": ""},
    "source": {"border": "3", "color": "#1b7837", "style": ""},
    "selected": {"border": "3", "color": "#e08214", "style": ""},
    "input": {"border": "1", "color": "#888888", "style": "dashed"},
}

GRAPH = {"rankdir": "LR", "fontname": "Helvetica", "fontsize": "12", "labelloc": "t",
         "nodesep": "0.15", "ranksep": "0.35"}  # fmt: skip
NODE = {"fontname": "Helvetica", "fontsize": "10"}
EDGE = {"fontname": "Helvetica", "fontsize": "8", "color": "#777777", "arrowsize": "0.6"}
#: Edges out of parameters: lighter, so the flow of activations reads first.
PARAM_EDGE = {"color": "#c8c8c8", "fontcolor": "#999999"}

_NEG = (33, 102, 172)  # blue
_POS = (178, 24, 43)  # red
_SEQ = (84, 39, 143)  # purple


def _mix(rgb: tuple[int, int, int], t: float) -> str:
    """White mixed with ``rgb`` by ``t`` in [0, 1], as #rrggbb."""
    t = min(max(t, 0.0), 1.0)
    r, g, b = (round(255 + (c - 255) * t) for c in rgb)
    return f"#{r:02x}{g:02x}{b:02x}"


def diverging(value: float | None, scale: float) -> str:
    """Fill colour of a gradient: white at 0, blue < 0, red > 0, saturated at |value| = scale."""
    if value is None or not scale or not math.isfinite(value):
        return "#ffffff"
    t = math.sqrt(min(abs(value) / scale, 1.0))
    return _mix(_NEG if value < 0 else _POS, t)


def sequential(p: float | None) -> str:
    """Fill colour of a probability or attention weight in [0, 1]: white to purple."""
    return "#ffffff" if p is None else _mix(_SEQ, p)


def text_colour(fill: str) -> str:
    """Black or white text, whichever reads better on ``fill``."""
    r, g, b = (int(fill[k : k + 2], 16) for k in (1, 3, 5))
    return "#000000" if 0.299 * r + 0.587 * g + 0.114 * b > 140 else "#ffffff"


def fmt(x: float | None) -> str:
    """Numbers in labels: 4 significant digits, fixed across runs."""
    if x is None:
        return "–"
    return f"{x + 0.0:.4g}"  # + 0.0 turns -0.0 into 0.0
