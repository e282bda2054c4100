"""Point labels that cover neither each other nor the points (``place_labels``): the scatter
charts' labelling, measured on the laid-out figure rather than guessed."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from matplotlib.axes import Axes

from .base import LEADER_COLOUR, _check_labels, _root_figure

__all__ = ["place_labels"]

#: Where a point's label may go, in order of preference: a unit step in x and y from the point.
_LABEL_DIRECTIONS = ((1, 1), (-1, 1), (1, -1), (-1, -1), (1, 0), (-1, 0), (0, 1), (0, -1))
#: Gaps (points) between a point's marker and its label, nearest first; beyond the first two a
#: leader line joins them.
_LABEL_GAPS = (0.5, 2.5, 6.0, 11.0, 18.0, 27.0, 40.0)
_LEADER_FROM_GAP = 6.0
_LABEL_PAD = 0.75  # points kept clear around each label


def _overlap(a, b) -> float:
    """Area shared by two boxes (x0, y0, x1, y1)."""
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    return w * h if w > 0 and h > 0 else 0.0


def _outside(box, frame) -> float:
    """Area of ``box`` that lies outside ``frame``."""
    area = (box[2] - box[0]) * (box[3] - box[1])
    return area - _overlap(box, frame)


def place_labels(
    ax: Axes,
    coords,
    labels: Sequence[str],
    *,
    marker_size: float = 18.0,
    fontsize: float = 9,
    **kw,
) -> list:
    """Label each point (``coords``, data units) with no two labels overlapping, no label over
    a point's marker and every label inside the axes, where the picture has room.

    Positions are computed, not guessed: the figure is laid out once (``draw_without_rendering``,
    so equal aspect and constrained layout are applied), each label is measured, and labels are
    placed one by one, the most crowded point first, at the first of 8 directions × growing
    gaps that collides with nothing placed so far (else the least-overlapping one). A label
    moved away from its point gets a thin leader line. Offsets are kept in points, so the result
    holds at any dpi; call this after everything else is on the axes (titles and axis labels
    change the layout). ``marker_size`` is the scatter's ``s`` (points²). Returns the
    annotations, in the order of ``labels``.
    """
    xy = np.asarray(coords, dtype=float).reshape(-1, 2)
    labels = _check_labels(labels, len(xy), "points")
    texts = [_annotation(ax, x, y, label, fontsize, kw) for (x, y), label in zip(xy, labels)]
    if not texts:
        return texts
    points, frame, sizes = _measure(ax, xy, texts)
    radius = math.sqrt(marker_size) / 2 + 0.5
    markers = [(x - radius, y - radius, x + radius, y + radius) for x, y in points]
    dist = np.hypot(*(points[:, None, :] - points[None, :, :]).transpose(2, 0, 1))
    crowd = (dist < 30.0).sum(axis=1)
    order = sorted(range(len(texts)), key=lambda i: (-crowd[i], i))
    placed: list[tuple] = []
    for i in order:
        others = [m for j, m in enumerate(markers) if j != i]
        box, gap, ox, oy = _best_spot(points[i], sizes[i], radius, frame, placed, others)
        placed.append(box)
        texts[i].xyann = (ox, oy)
        texts[i].arrow_patch.set_visible(gap >= _LEADER_FROM_GAP)
    return texts


def _annotation(ax: Axes, x: float, y: float, label: str, fontsize: float, kw: dict):
    """One label at its point, with a leader line hidden until the label moves away."""
    text = ax.annotate(label, (x, y), xytext=(0, 0), textcoords="offset points",
                       ha="center", va="center", fontsize=fontsize, annotation_clip=False,
                       arrowprops={"arrowstyle": "-", "color": LEADER_COLOUR,
                                   "linewidth": 0.6, "shrinkA": 1, "shrinkB": 2},
                       **kw)  # fmt: skip
    text.set_in_layout(False)  # labels never move the axes: their positions stay valid
    return text


def _measure(ax: Axes, xy: np.ndarray, texts: list):
    """The points, the axes' frame and each label's (width, height), in points, once the
    figure has its final layout (aspect applied, constrained layout done)."""
    fig = _root_figure(ax)
    fig.draw_without_rendering()
    to_pt = 72.0 / fig.dpi
    points = ax.transData.transform(xy) * to_pt
    f = ax.get_window_extent()
    frame = (f.x0 * to_pt, f.y0 * to_pt, f.x1 * to_pt, f.y1 * to_pt)
    sizes = []
    for text in texts:
        b = text.get_window_extent()
        sizes.append((b.width * to_pt, b.height * to_pt))
    return points, frame, sizes


def _best_spot(point, size, radius: float, frame, placed: list, markers: list):
    """``(box, gap, dx, dy)``: the first spot, nearest gaps first, where a label of ``size``
    covers nothing (else the least-covering one), and its offset from ``point``."""
    (px, py), (w, h) = point, size
    best = None
    for gap in _LABEL_GAPS:
        for dx, dy in _LABEL_DIRECTIONS:
            cx = px + dx * (radius + gap + w / 2)
            cy = py + dy * (radius + gap + h / 2)
            box = (cx - w / 2 - _LABEL_PAD, cy - h / 2 - _LABEL_PAD,
                   cx + w / 2 + _LABEL_PAD, cy + h / 2 + _LABEL_PAD)  # fmt: skip
            cost = 1e6 * _outside(box, frame)
            cost += sum(_overlap(box, other) for other in placed)
            cost += sum(_overlap(box, m) for m in markers)
            if best is None or cost < best[0]:
                best = (cost, box, gap, cx - px, cy - py)
            if cost == 0:
                break
        if best[0] == 0:
            break
    return best[1:]
