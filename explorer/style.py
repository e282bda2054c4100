"""The one style table for every picture: fonts, node shapes, colours, number formats.

Gradients of single values use a diverging scale centred at 0 (blue below, white at 0, red
above), normalised per picture by the largest |grad| drawn, with a square-root stretch so that
small gradients still show. Gradient norms of groups (never negative) use a sequential scale
(white to teal); probabilities and attention weights another one (white to purple). Hover,
selection and search marks use colours that none of these scales use.

When one value dominates a picture (its largest |value| is more than ``DOMINANCE`` times the
90th percentile of the non-zero ones: one softmax's |grad| of 50.6 among norms of 0.07–2.9),
a linear scale would leave every other box white. ``log_floor`` then gives the floor of a
logarithmic scale (about the smallest non-zero |value|): the same colours, spread by order of
magnitude, each non-zero value at least a faint tint, 0 still white; the legend says "log
scale", why, and shows its powers of ten.

Text on a fill is black or white, whichever contrasts more with it by the WCAG 2 formula
(``contrast``): at least 4.58:1 on any fill.

Text is set in a monospace font: every glyph is 0.6 em wide in all common monospace fonts, so
box sizes computed here in Python hold in any browser, with no font metrics at hand, and the
numbers of a column line up. ``scales_of`` gives a picture's colour scales (``Scales``) from
its view's numbers, for the renderers and for the backward player (a query), which colours as
the picture does. Pure Python: the layout, the SVG writer and the widgets read it.
"""

from __future__ import annotations

import math
import numbers
import unicodedata
from dataclasses import dataclass

from microgpt.errors import ArgumentTypeError, ConfigError
from microgpt.validate import _short

__all__ = [
    "EDGE",
    "FONT_FAMILY",
    "GRAPH",
    "ROLE",
    "Scales",
    "contrast",
    "diverging",
    "diverging_swatches",
    "dominance",
    "edge_width",
    "fmt",
    "log_floor",
    "log_ticks",
    "loss_colour",
    "loss_swatches",
    "luminance",
    "norm_colour",
    "scales_of",
    "sequential",
    "sequential_swatches",
    "strength",
    "text_colour",
    "text_width",
    "wrap",
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
#: Edges out of parameters: lighter, so the flow of activations reads first (their numbers
#: still 4.5:1 on the white halo they are written on).
PARAM_EDGE = {"color": "#c8c8c8", "ink": "#707070"}

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
_LOSS = (140, 81, 10)  # brown: a loss (red means an error, blue and red a sign)
#: Swatches in a colour bar (a legend's picture of a scale).
SWATCHES = 20


def _mix(rgb: tuple[int, int, int], t: float) -> str:
    """White mixed with ``rgb`` by ``t`` in [0, 1], as #rrggbb."""
    t = min(max(t, 0.0), 1.0)
    r, g, b = (round(255 + (c - 255) * t) for c in rgb)
    return f"#{r:02x}{g:02x}{b:02x}"


#: A scale turns logarithmic when its largest |value| exceeds this many times the 90th
#: percentile of the non-zero |values| it colours ...
DOMINANCE = 10.0
#: ... and then spans at most this many decades (smaller values get the faintest tint).
LOG_DECADES = 3
#: On a log scale, the tint of a value at the floor: only 0 stays white.
LOG_TINT = 0.12


def dominance(values) -> tuple[float, float]:
    """The largest of the finite, non-zero |``values``| and their 90th percentile (nearest
    rank); ``(0.0, 0.0)`` when there are none."""
    try:
        mags = sorted(abs(v) for v in values if v is not None and v and math.isfinite(v))
    except TypeError:  # checked here, off the common path
        raise _not_numbers(values) from None
    if not mags:
        return 0.0, 0.0
    return mags[-1], mags[math.ceil(0.9 * len(mags)) - 1]


def log_floor(values) -> float:
    """The floor of a log scale for ``values`` when one of them dominates (the largest |value|
    is more than ``DOMINANCE`` times their 90th percentile), 0.0 when the usual linear scale
    serves. The floor is the smallest non-zero |value|, or ``LOG_DECADES`` decades below the
    largest if that one is smaller still, but never above the 10th percentile: at least 90%
    of the values are spread by the scale (the rest get its faintest tint)."""
    if not isinstance(values, (list, tuple)):
        try:
            values = list(values)
        except TypeError:
            raise _not_numbers(values) from None
    top, p90 = dominance(values)
    if not top or top <= DOMINANCE * p90:
        return 0.0
    mags = sorted(abs(v) for v in values if v is not None and v and math.isfinite(v))
    p10 = mags[math.ceil(0.1 * len(mags)) - 1]
    return min(p10, max(mags[0], top / 10**LOG_DECADES))


def strength(value: float, scale: float, floor: float = 0.0) -> float:
    """How far along its scale ``value`` is coloured, 0 (white) to 1 (the full colour), by
    |value|: square-root stretched from 0 to ``scale``, or, with a ``floor`` (``log_floor``),
    logarithmic from ``floor`` (tint ``LOG_TINT``) to ``scale``; 0 is 0, ±inf is 1."""
    try:
        a = abs(value)
        if math.isinf(a):
            return 1.0
        if not scale or not a:
            return 0.0
        if 0 < floor < scale:
            u = math.log(max(a, floor) / floor) / math.log(scale / floor)
            return LOG_TINT + (1 - LOG_TINT) * min(u, 1.0)
        s = math.sqrt(min(a / scale, 1.0))
    except (TypeError, ValueError):  # the arguments checked here, off the common path
        if value is None:
            raise ArgumentTypeError("value must be a number, got None") from None
        _check_scale(value, scale, floor)
        raise
    if s != s:  # NaN: a NaN value or scale
        _check_scale(value, scale, floor)
    return s


def log_ticks(scale: float, floor: float) -> list[float]:
    """The powers of ten strictly between ``floor`` and ``scale`` (a log scale's tick values)."""
    _check_scale(0.0, scale, floor)
    if not 0 < floor < scale:
        return []
    first, last = math.ceil(math.log10(floor)), math.floor(math.log10(scale))
    return [10.0**k for k in range(first, last + 1) if floor < 10.0**k < scale]


def diverging(value: float | None, scale: float, floor: float = 0.0) -> str:
    """Fill colour of a gradient: white at 0, blue < 0, red > 0, saturated at |value| = scale
    (and at ±inf: an overflowed gradient is the strongest there is); NaN is white. ``floor``:
    a log scale (``log_floor``)."""
    if value is not None and not _is_number(value):
        _check_scale(value, scale, floor)
    if value is None or math.isnan(value) or not (scale or math.isinf(value)):
        return "#ffffff"
    return _mix(_NEG if value < 0 else _POS, strength(value, scale, floor))


def norm_colour(value: float | None, scale: float, floor: float = 0.0) -> str:
    """Fill colour of a gradient norm (>= 0): white at 0 to teal at ``scale``, square root
    stretched like ``diverging`` (or logarithmic from ``floor``)."""
    if value is not None and not _is_number(value):
        _check_scale(value, scale, floor)
    if value is None or not scale or not math.isfinite(value):
        return "#ffffff"
    return _mix(_NORM, strength(value, scale, floor))


def sequential(p: float | None) -> str:
    """Fill colour of a probability or attention weight in [0, 1]: white to purple."""
    if p is not None and not (_is_number(p) and p == p):  # NaN is not a probability
        raise ArgumentTypeError(f"p must be a probability (a number from 0 to 1), got {_short(p)}")
    return "#ffffff" if p is None else _mix(_SEQ, p)


def loss_colour(loss: float, scale: float) -> str:
    """Fill colour of a loss (>= 0): white at 0 to brown at ``scale``, linear; an infinite
    or NaN loss, or any loss on a scale of 0, is full brown."""
    if not _is_number(loss):
        raise ArgumentTypeError(f"loss must be a number, got {_short(loss)}")
    t = min(max(loss / scale, 0.0), 1.0) if scale and math.isfinite(loss) else 1.0
    return _mix(_LOSS, t)


def diverging_swatches(scale: float) -> list[str]:
    """A colour bar of ``diverging`` from ``-scale`` to ``+scale`` (linear), left to right."""
    return [diverging(scale * (-1 + 2 * (k + 0.5) / SWATCHES), scale) for k in range(SWATCHES)]


def sequential_swatches() -> list[str]:
    """A colour bar of ``sequential`` from 0 to 1."""
    return [sequential((k + 0.5) / SWATCHES) for k in range(SWATCHES)]


def loss_swatches(scale: float) -> list[str]:
    """A colour bar of ``loss_colour`` from 0 to ``scale``."""
    return [loss_colour(scale * (k + 0.5) / SWATCHES, scale) for k in range(SWATCHES)]


def luminance(colour: str) -> float:
    """The WCAG 2 relative luminance of ``#rrggbb`` (0 black … 1 white)."""

    def linear(c: int) -> float:
        c = c / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    if type(colour) is not str or len(colour) != 7 or colour[0] != "#":
        raise _not_colour(colour)
    try:
        r, g, b = (linear(int(colour[k : k + 2], 16)) for k in (1, 3, 5))
    except ValueError:
        raise _not_colour(colour) from None
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    """The WCAG 2 contrast ratio of two ``#rrggbb`` colours, 1 to 21 (4.5 reads as text)."""
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def text_colour(fill: str) -> str:
    """Black or white text, whichever contrasts more with ``fill`` (at least 4.58:1)."""
    return "#000000" if contrast(fill, "#000000") >= contrast(fill, "#ffffff") else "#ffffff"


def fmt(x: float | None) -> str:
    """Numbers in labels: 4 significant digits, fixed across runs."""
    if x is None:
        return "–"
    try:
        return f"{x + 0.0:.4g}"  # + 0.0 turns -0.0 into 0.0
    except (TypeError, ValueError):  # checked here, off the common path
        raise ArgumentTypeError(f"fmt formats a number, got {_short(x)}") from None


@dataclass(frozen=True)
class Scales:
    """The colour scales of one picture: the largest |grad| of its value nodes, the most
    negative and most positive grads (for the legend), the largest group norm. A ``*_floor``
    above 0 makes that scale logarithmic from it (``style.log_floor``: one value dominates);
    ``*_p90`` is the 90th percentile of the non-zero |values| it colours (the legend says
    how far the largest lies above it)."""

    grad: float
    grad_min: float
    grad_max: float
    norm: float
    #: A diff picture (``explorer.compare``): what it colours by (``"grad"`` or ``"data"``)
    #: and the largest |Δ| drawn; ``None`` for a picture of one pass.
    diff_by: str | None = None
    diff: float = 0.0
    grad_floor: float = 0.0
    norm_floor: float = 0.0
    diff_floor: float = 0.0
    grad_p90: float = 0.0
    norm_p90: float = 0.0
    diff_p90: float = 0.0


def scales_of(view) -> Scales:
    """The colour scales of ``view``'s picture (a ``GraphView``: its nodes' grads, group norms
    and, in a diff picture, |Δ|)."""
    grads = [n.grad for n in view.nodes if n.kind == "value" and n.grad is not None]
    grads = [g for g in grads if math.isfinite(g)]
    norms = [n.grad for n in view.nodes if n.kind == "group" and n.grad is not None]
    norms = [g for g in norms if math.isfinite(g)]
    by = view.stats.get("compare_by")
    deltas = [getattr(n, f"d_{by}", None) for n in view.nodes] if by else []
    deltas = [abs(d) for d in deltas if d is not None and math.isfinite(d)]
    return Scales(
        grad=max((abs(g) for g in grads), default=0.0),
        grad_min=min(grads, default=0.0),
        grad_max=max(grads, default=0.0),
        norm=max(norms, default=0.0),
        diff_by=by,
        diff=max(deltas, default=0.0),
        grad_floor=log_floor(grads),
        norm_floor=log_floor(norms),
        diff_floor=log_floor(deltas),
        grad_p90=dominance(grads)[1],
        norm_p90=dominance(norms)[1],
        diff_p90=dominance(deltas)[1],
    )


def edge_width(count: int) -> float:
    """Stroke width of an edge that stands for ``count`` scalar edges (1 px for one)."""
    if type(count) is not int and not (_is_number(count) and count == count):
        raise ArgumentTypeError(f"count must be a number of edges, got {_short(count)}")
    return 1.0 if count <= 1 else min(1 + math.log10(count), 4.0)


def text_width(text: str, size: float = FONT_SIZE) -> float:
    """An upper bound on ``text``'s width in px in the monospace font at ``size`` px: wide
    (East Asian) characters count twice, combining marks not at all."""
    if not isinstance(text, str):
        raise ArgumentTypeError(f"text must be a string, got {_short(text)}")
    if not (_is_number(size) and math.isfinite(size) and size >= 0):
        raise ArgumentTypeError(f"size must be a font size in px (a number), got {_short(size)}")
    cells = 0
    for ch in text:
        if unicodedata.combining(ch):
            continue
        cells += 2 if unicodedata.east_asian_width(ch) in "WF" else 1
    return cells * CHAR_EM * size


def wrap(text: str, size: float, width: float, least: int = 20) -> list[str]:
    """``text`` in lines at most ``width`` px wide at ``size`` px (broken at spaces; a word
    longer than a line stays whole), at least ``least`` characters a line."""
    per_line = max(least, int(width / (CHAR_EM * size)))
    lines, line = [], ""
    for word in text.split(" "):
        if line and len(line) + 1 + len(word) > per_line:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    return [*lines, line]


# -- argument checks, run off the common path (these functions are called once per drawn node)
def _is_number(x) -> bool:
    return isinstance(x, numbers.Real) and not isinstance(x, bool)


def _not_colour(colour) -> ArgumentTypeError:
    return ArgumentTypeError(f"a colour must be '#rrggbb' (e.g. '#1f77b4'), got {_short(colour)}")


def _not_numbers(values) -> ArgumentTypeError:
    return ArgumentTypeError(f"values must be a list of numbers (or None), got {_short(values)}")


def _check_scale(value, scale, floor) -> None:
    """A clear error for what a colour scale cannot read: a value that is not a number, a
    scale or floor that is not a finite number >= 0."""
    if value is not None and not _is_number(value):
        raise ArgumentTypeError(f"value must be a number, got {_short(value)}")
    for what, x in (("scale", scale), ("floor", floor)):
        if not _is_number(x):
            raise ArgumentTypeError(f"{what} must be a number >= 0, got {_short(x)}")
        if not (math.isfinite(x) and x >= 0):
            raise ConfigError(f"{what} must be a finite number >= 0, got {_short(x)}")
