"""The one style table for every picture: fonts, node shapes, colours, number formats.

Gradients of single values use a diverging scale centred at 0 (blue below, white at 0, red
above), normalised per picture by the largest |grad| drawn, with a square-root stretch so that
small gradients still show. Gradient norms of groups (never negative) use a sequential scale
(white to teal); probabilities and attention weights another one (white to purple). Hover,
selection and search marks use colours that none of these scales use.

Text is set in a monospace font: every glyph is 0.6 em wide in all common monospace fonts, so
box sizes computed here in Python hold in any browser, with no font metrics at hand, and the
numbers of a column line up. Pure Python: the layout, the SVG writer and the widgets read it.
"""

from __future__ import annotations

import math
import unicodedata

__all__ = [
    "EDGE",
    "FONT_FAMILY",
    "GRAPH",
    "ROLE",
    "diverging",
    "edge_width",
    "fmt",
    "norm_colour",
    "sequential",
    "text_colour",
    "text_width",
]

#: Monospace first: box sizes below assume at most ``CHAR_EM`` em per character.
FONT_FAMILY = "'DejaVu Sans Mono', Menlo, Consolas, 'Liberation Mono', 'Courier New', monospace"
#: Width of one character in em. Monospace fonts measure 0.50-0.602 em; 0.62 leaves room.
CHAR_EM = 0.62
FONT_SIZE = 10.0  # px, node text
SMALL_SIZE = 8.0  # px, edge labels and "in scope …" lines
TITLE_SIZE = 13.0  # px, a picture's title
LINE_EM = 1.3  # line height in em
PAD_X = 6.0  # px, text to the side of a box
PAD_Y = 4.0  # px, above the first and below the last line

#: Graph attributes handed to graphviz (layout only: the SVG is written by explorer.svg).
GRAPH = {"nodesep": "0.15", "ranksep": "0.35", "margin": "0"}
EDGE = {"color": "#777777", "width": 1.0, "ink": "#555555"}
#: Edges out of parameters: lighter, so the flow of activations reads first.
PARAM_EDGE = {"color": "#c8c8c8", "ink": "#999999"}

#: Border per role: the root, the source of a path, the selected node, an input from outside.
ROLE = {
    None: {"width": 1.0, "color": "#555555", "dash": None},
    "root": {"width": 3.0, "color": "#000000", "dash": None},
    "source": {"width": 3.0, "color": "#1b7837", "dash": None},
    "selected": {"width": 3.0, "color": "#e08214", "dash": None},
    "input": {"width": 1.0, "color": "#888888", "dash": "4 2"},
}
#: Fills of the node kinds that carry no gradient colour.
OP_FILL = "#eeeeee"
SUM_FILL = "#dddddd"
FOLDED_FILL = "#f3f3f3"

_NEG = (33, 102, 172)  # blue
_POS = (178, 24, 43)  # red
_SEQ = (84, 39, 143)  # purple: probabilities
_NORM = (1, 102, 94)  # teal: gradient norms


def _mix(rgb: tuple[int, int, int], t: float) -> str:
    """White mixed with ``rgb`` by ``t`` in [0, 1], as #rrggbb."""
    t = min(max(t, 0.0), 1.0)
    r, g, b = (round(255 + (c - 255) * t) for c in rgb)
    return f"#{r:02x}{g:02x}{b:02x}"


def diverging(value: float | None, scale: float) -> str:
    """Fill colour of a gradient: white at 0, blue < 0, red > 0, saturated at |value| = scale
    (and at ±inf: an overflowed gradient is the strongest there is); NaN is white."""
    if value is None or math.isnan(value) or not (scale or math.isinf(value)):
        return "#ffffff"
    t = 1.0 if math.isinf(value) else math.sqrt(min(abs(value) / scale, 1.0))
    return _mix(_NEG if value < 0 else _POS, t)


def norm_colour(value: float | None, scale: float) -> str:
    """Fill colour of a gradient norm (>= 0): white at 0 to teal at ``scale``, square root
    stretched like ``diverging``."""
    if value is None or not scale or not math.isfinite(value):
        return "#ffffff"
    return _mix(_NORM, math.sqrt(min(abs(value) / scale, 1.0)))


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


def edge_width(count: int) -> float:
    """Stroke width of an edge that stands for ``count`` scalar edges (1 px for one)."""
    return 1.0 if count <= 1 else min(1 + math.log10(count), 4.0)


def text_width(text: str, size: float = FONT_SIZE) -> float:
    """An upper bound on ``text``'s width in px in the monospace font at ``size`` px: wide
    (East Asian) characters count twice, combining marks not at all."""
    cells = 0
    for ch in text:
        if unicodedata.combining(ch):
            continue
        cells += 2 if unicodedata.east_asian_width(ch) in "WF" else 1
    return cells * CHAR_EM * size
