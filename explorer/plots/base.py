"""What every chart of ``explorer.plots`` shares: its colours and sizes, a new figure, the
legend placed outside the axes, and the checks of plain-data arguments (one clear
``MicrogptError`` each). Imported by the chart modules beside it; draws nothing itself."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.colors import LinearSegmentedColormap
from matplotlib.figure import Figure

from microgpt.errors import ArgumentTypeError, ConfigError
from microgpt.validate import _short

from ..style import ROLE, sequential

MASK_COLOUR = "#e4e4e4"
MASK_HATCH_COLOUR = "#b0b0b0"
BAR_COLOUR = sequential(0.75)
HIGHLIGHT_COLOUR = ROLE["selected"]["color"]  # orange: the token the document has next
POINT_COLOUR = sequential(0.85)
#: Lines of a chart (the loss): a saturated blue, dark enough for text contrast on white.
LINE_COLOUR = "#1f5fbf"
#: Reference levels (a baseline): dark grey, dashed.
REFERENCE_COLOUR = "#555555"
#: Leader lines from a point to a label moved away from it.
LEADER_COLOUR = "#777777"


def sequential_cmap() -> LinearSegmentedColormap:
    """The sequential 0–1 scale of ``explorer.style`` (white to purple) as a colormap; cells
    that have no value (the causal mask) are light grey and hatched. Made when a chart asks
    (microseconds): importing this module builds nothing."""
    return LinearSegmentedColormap.from_list(
        "microgpt_sequential", [sequential(0.0), sequential(1.0)]
    ).with_extremes(bad=MASK_COLOUR)


#: CSS pixels per inch of figure: a figure of w × h inches is shown at 100·w × 100·h CSS px.
CSS_DPI = 100
#: Device pixels per CSS pixel in the PNGs widgets and notebooks show (sharp at 2× zoom).
PIXEL_RATIO = 2

#: Annotate heatmap cells with their weights up to this many positions (beyond, they crowd).
ANNOTATE_UP_TO = 8


def _new_axes(figsize: tuple[float, float]) -> Axes:
    fig = Figure(figsize=figsize, layout="constrained")
    return fig.subplots()


def _root_figure(obj: Figure | Axes) -> Figure:
    """The top-level figure of an Axes, SubFigure or Figure."""
    if not isinstance(obj, (Figure, Axes)) and not hasattr(obj, "savefig"):
        raise ArgumentTypeError(f"fig must be a matplotlib Figure or Axes, got {_short(obj)}")
    fig = obj.figure if isinstance(obj, Axes) else obj
    while getattr(fig, "figure", fig) is not fig:  # a SubFigure's .figure is its parent
        fig = fig.figure
    return fig


def _check_labels(labels: Sequence, count: int, what: str) -> list[str]:
    _sequence(labels, "labels", "a list of labels (one string each)")
    labels = [str(x) for x in labels]
    if len(labels) != count:
        raise ConfigError(f"{len(labels)} labels for {count} {what}: give exactly one label each")
    return labels


def _sequence(values, what: str, takes: str) -> None:
    """``values`` must be a list-like (a list, tuple, array; not a string, a number or None)."""
    if isinstance(values, (str, bytes, dict)) or not hasattr(values, "__len__"):
        raise ArgumentTypeError(f"{what} must be {takes}, got {_short(values)}")


def _numbers(values, what: str) -> np.ndarray:
    """``values`` as a float array; a clear error for text, objects or None inside."""
    _sequence(values, what, "a list of numbers")
    try:
        return np.asarray(values, dtype=float)
    except TypeError:  # None or an object among the numbers
        raise ArgumentTypeError(f"{what} must be a list of numbers, got {_short(values)}") from None
    except ValueError:  # text among the numbers, or ragged rows
        raise ConfigError(
            f"{what} must be numbers (a matrix: rows of equal length), got {_short(values)}"
        ) from None


def _check_ax(ax) -> None:
    if ax is not None and not isinstance(ax, Axes):
        raise ArgumentTypeError(f"ax must be a matplotlib Axes or None, got {_short(ax)}")


def _check_title(title) -> None:
    if title is not None and not isinstance(title, str):
        raise ArgumentTypeError(f"title must be a string or None, got {_short(title)}")


def _check_docs(docs) -> None:
    _sequence(docs, "docs", "a list of documents (strings)")
    for i, d in enumerate(docs):
        if not isinstance(d, str):
            raise ArgumentTypeError(f"docs[{i}] must be a string, got {_short(d)}")


def _legend_outside(ax: Axes, **kw):
    """The axes' legend to the right of its frame, top-aligned: it never covers the data."""
    return ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0.0,
                     frameon=False, fontsize="small", **kw)  # fmt: skip
