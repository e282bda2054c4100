"""The charts ``TrainingView`` redraws while a run trains, as SVG: the loss at each step with its
moving mean, each matrix's gradient norm per step (log scale), and the token embeddings
(``wte``) on two principal components.

Written by hand rather than by matplotlib: a redraw here costs a few milliseconds of Python,
where three matplotlib PNGs cost ~0.2 s of the same interpreter the training thread needs (it
halved the steps a second). The browser draws the SVG, sharp at any zoom. A line of more
points than its chart has columns (``COLUMNS``, 2 px each) is drawn as each column's lowest
and highest value, so the text sent stays small however long the run, and no spike is lost.

Pure string building, like ``explorer.panels_svg``: the numbers come from the run, as given.
"""

from __future__ import annotations

import math
from html import escape

import numpy as np

from .. import style
from ..plots import LINE_COLOUR, POINT_COLOUR, REFERENCE_COLOUR, pca_2d, smooth_losses

__all__ = ["embeddings_svg", "loss_svg", "norms_svg", "smoothing_window"]

TITLE, TEXT, SMALL = 13.0, 12.0, 11.0  # px
INK, MUTED, GRID = "#222222", "#555555", "#e6e6e6"
#: One colour per matrix (matplotlib's tab10 without its red: red is left to errors); a
#: second round of matrices (2 layers and more) is dashed.
SERIES = ("#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
          "#bcbd22", "#17becf")  # fmt: skip
PLOT_W, PLOT_H = 430.0, 180.0  # px: the loss and the norms charts' plotting area
LEFT, TOP, BOTTOM = 56.0, 26.0, 38.0  # px: room for the y ticks, the title, the x ticks
#: Columns a long line is reduced to (2 px each): ~430 points a line whatever the run's length,
#: so a redraw sends ~50 KB however many steps were taken.
COLUMNS = int(PLOT_W / 2)


def smoothing_window(steps: int) -> int:
    """The moving mean's window for ``steps`` steps: about 5% of them, as ``loss_curve``'s."""
    return max(1, round(steps / 20))


# -- pieces ----------------------------------------------------------------------------------
def _n(x: float) -> str:
    return f"{x:.1f}".rstrip("0").rstrip(".")


def _text(x, y, text, size=TEXT, anchor="start", fill=INK, extra="") -> str:
    anchor = "" if anchor == "start" else f' text-anchor="{anchor}"'
    colour = "" if fill == INK else f' fill="{fill}"'
    return (f'<text x="{_n(x)}" y="{_n(y)}" font-size="{_n(size)}"{anchor}{colour}{extra}>'
            f"{escape(str(text))}</text>")  # fmt: skip


def _line(x1, y1, x2, y2, stroke, width=1.0, dash="", opacity=1.0) -> str:
    extra = f' stroke-dasharray="{dash}"' if dash else ""
    extra += f' stroke-opacity="{opacity:g}"' if opacity != 1 else ""
    return (f'<line x1="{_n(x1)}" y1="{_n(y1)}" x2="{_n(x2)}" y2="{_n(y2)}" '
            f'stroke="{stroke}" stroke-width="{_n(width)}"{extra}/>')  # fmt: skip


def _polyline(xs: np.ndarray, ys: np.ndarray, stroke, width=1.5, opacity=1.0, dash="") -> str:
    if len(xs) == 0:
        return ""
    points = " ".join(f"{x:.1f},{y:.1f}" for x, y in zip(xs.tolist(), ys.tolist()))
    extra = f' stroke-opacity="{opacity:g}"' if opacity != 1 else ""
    extra += f' stroke-dasharray="{dash}"' if dash else ""
    return (f'<polyline points="{points}" fill="none" stroke="{stroke}" '
            f'stroke-width="{_n(width)}" stroke-linejoin="round"{extra}/>')  # fmt: skip


def _document(parts: list[str], width: float, height: float, cls: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="microgpt-panel {cls}" '
        f'width="{_n(width)}" height="{_n(height)}" viewBox="0 0 {_n(width)} {_n(height)}" '
        f'font-family="{escape(style.FONT_FAMILY, quote=True)}" fill="{INK}">'
        f'<rect width="100%" height="100%" fill="#ffffff"/>{"".join(parts)}</svg>'
    )


def _nice_ticks(lo: float, hi: float, count: int = 5) -> list[float]:
    """Round numbers (1, 2 or 5 times a power of ten apart) from ``lo`` to ``hi``."""
    if not hi > lo:
        return [lo]
    raw = (hi - lo) / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    first = math.ceil(lo / step - 1e-9)
    return [k * step for k in range(first, math.floor(hi / step + 1e-9) + 1)]


def _log_ticks(lo: float, hi: float) -> list[float]:
    """Powers of ten from ``lo`` to ``hi`` (with 2 and 5 times them when under two decades)."""
    first, last = math.floor(math.log10(lo)), math.ceil(math.log10(hi))
    ms = (1,) if last - first > 2 else (1, 2, 5)
    return [m * 10.0**e for e in range(first, last + 1) for m in ms if lo <= m * 10.0**e <= hi]


def _label(v: float) -> str:
    return f"{v:g}"


def _envelope(xs: np.ndarray, ys: np.ndarray, columns: int) -> tuple[np.ndarray, np.ndarray]:
    """The line with at most 2 points a column: each column's lowest and highest."""
    if len(xs) <= 2 * columns:
        return xs, ys
    edges = np.linspace(0, len(xs), columns + 1).astype(int)[:-1]  # each column's first point
    lows, highs = np.minimum.reduceat(ys, edges), np.maximum.reduceat(ys, edges)
    return np.repeat(xs[edges], 2), np.column_stack([lows, highs]).ravel()


class _Axes:
    """A plotting area of ``PLOT_W`` × ``PLOT_H`` px at (``LEFT``, ``TOP``): x from 1 to the
    run's steps, y linear or log from ``lo`` to ``hi``."""

    def __init__(self, num_steps: int, lo: float, hi: float, log: bool = False) -> None:
        self.x1, self.log = max(num_steps, 2), log
        self.lo, self.hi = (math.log10(lo), math.log10(hi)) if log else (lo, hi)

    def px(self, steps: np.ndarray) -> np.ndarray:
        return LEFT + (steps - 1) / (self.x1 - 1) * PLOT_W

    def py(self, values: np.ndarray) -> np.ndarray:
        v = np.log10(values) if self.log else values
        return TOP + PLOT_H - (v - self.lo) / (self.hi - self.lo) * PLOT_H

    def frame(self, y_ticks: list[float], y_name: str) -> list[str]:
        parts = []
        for t in y_ticks:
            y = float(self.py(np.array(t)))
            parts.append(_line(LEFT, y, LEFT + PLOT_W, y, GRID))
            parts.append(_text(LEFT - 5, y + 4, _label(t), SMALL, "end", MUTED))
        for t in _nice_ticks(1, self.x1, 6):
            if t < 1:
                continue
            x = float(self.px(np.array(t)))
            parts.append(_line(x, TOP + PLOT_H, x, TOP + PLOT_H + 4, MUTED))
            parts.append(_text(x, TOP + PLOT_H + 16, _label(t), SMALL, "middle", MUTED))
        parts.append(f'<rect x="{_n(LEFT)}" y="{_n(TOP)}" width="{_n(PLOT_W)}" '
                     f'height="{_n(PLOT_H)}" fill="none" stroke="{MUTED}"/>')  # fmt: skip
        parts.append(_text(LEFT + PLOT_W / 2, TOP + PLOT_H + 32, "step", SMALL, "middle", MUTED))
        cy = TOP + PLOT_H / 2
        parts.append(_text(14, cy, y_name, SMALL, "middle", MUTED,
                           f' transform="rotate(-90 14 {_n(cy)})"'))  # fmt: skip
        return parts

    def curve(self, steps: np.ndarray, values: np.ndarray, stroke, **kw) -> str:
        keep = np.isfinite(values) & ((values > 0) if self.log else True)
        xs, ys = _envelope(self.px(steps[keep]), self.py(values[keep]), COLUMNS)
        return _polyline(xs, ys, stroke, **kw)


def _legend(entries: list[tuple[str, str, str, float]], x: float, y: float) -> list[str]:
    """One line per entry (text, colour, dash, opacity) from (x, y) down."""
    parts = []
    for k, (name, colour, dash, opacity) in enumerate(entries):
        yy = y + 15 * k
        parts.append(_line(x, yy - 4, x + 18, yy - 4, colour, 2, dash, opacity))
        parts.append(_text(x + 23, yy, name, SMALL))
    return parts


# -- the charts ------------------------------------------------------------------------------
def loss_svg(losses, num_steps: int, baseline: float) -> str:
    """The loss at each step (faint), its centred moving mean, and the loss of a uniform guess
    (``baseline``, dashed), on an x axis as long as the whole run."""
    y = np.asarray(losses, dtype=float)
    steps = np.arange(1, len(y) + 1, dtype=float)
    finite = y[np.isfinite(y)]
    lo = min(baseline, float(finite.min())) if finite.size else baseline
    hi = max(baseline, float(finite.max())) if finite.size else baseline
    pad = 0.06 * (hi - lo) or 0.1
    ax = _Axes(num_steps, lo - pad, hi + pad)
    window = smoothing_window(len(y))
    parts = ax.frame(_nice_ticks(lo - pad, hi + pad), "loss")
    base_y = float(ax.py(np.array(baseline)))
    parts.append(_line(LEFT, base_y, LEFT + PLOT_W, base_y, REFERENCE_COLOUR, 1, "5 3"))
    entries = [("loss at each step", LINE_COLOUR, "", 0.35 if window > 1 else 1.0)]
    parts.append(ax.curve(steps, y, LINE_COLOUR, width=1, opacity=entries[0][3]))
    if window > 1:
        parts.append(ax.curve(steps, smooth_losses(y, window), LINE_COLOUR, width=2.2))
        entries.append((f"mean over {2 * (window // 2) + 1} steps", LINE_COLOUR, "", 1.0))
    entries.append((f"uniform guess ({baseline:.3g})", REFERENCE_COLOUR, "5 3", 1.0))
    last = f", loss {y[-1]:.4f}" if len(y) else ""
    parts.append(_text(LEFT, 17, f"training loss, step {len(y)} of {num_steps}{last}", TITLE))
    parts += _legend(entries, LEFT + PLOT_W + 14, TOP + 10)
    return _document(parts, LEFT + PLOT_W + 190, TOP + PLOT_H + BOTTOM, "microgpt-loss-chart")


def norms_svg(norms: dict[str, list[float]], num_steps: int) -> str:
    """Each matrix's gradient norm at every step (``norms[key][k]``: step k + 1's), as its
    centred moving mean over the same window as the loss's, on a log scale."""
    series = {key: np.asarray(values, dtype=float) for key, values in norms.items()}
    count = max((len(v) for v in series.values()), default=0)
    window = smoothing_window(count)
    steps = np.arange(1, count + 1, dtype=float)
    smoothed = {key: smooth_losses(v, window) for key, v in series.items()}
    positive = [v[np.isfinite(v) & (v > 0)] for v in smoothed.values()]
    positive = np.concatenate(positive) if positive else np.array([])
    lo, hi = (float(positive.min()), float(positive.max())) if positive.size else (0.1, 1.0)
    lo, hi = lo / 1.25, max(hi * 1.25, lo * 2)  # a tenth of a decade's room each side
    ax = _Axes(num_steps, lo, hi, log=True)
    parts = ax.frame(_log_ticks(lo, hi), "gradient norm")
    entries = []
    for k, (key, values) in enumerate(smoothed.items()):
        colour, dash = SERIES[k % len(SERIES)], "" if k < len(SERIES) else "5 2"
        parts.append(ax.curve(steps[: len(values)], values, colour, width=1.4, dash=dash))
        entries.append((key, colour, dash, 1.0))
    mean = f", mean over {2 * (window // 2) + 1} steps" if window > 1 else ""
    parts.append(_text(LEFT, 17, f"gradient norm per matrix{mean}", TITLE))
    parts += _legend(entries, LEFT + PLOT_W + 14, TOP + 10)
    height = max(TOP + PLOT_H + BOTTOM, TOP + 15 * len(entries) + 10)
    return _document(parts, LEFT + PLOT_W + 190, height, "microgpt-norms-chart")


def embeddings_svg(wte, labels: list[str], step: int) -> str:
    """The rows of ``wte`` on their own two principal components (``plots.pca_2d``: the signs
    fixed, so a component does not flip from one redraw to the next unless the weights turn
    it), equal scales, each point labelled with its token."""
    m = np.asarray(wte, dtype=float)
    coords, _ = pca_2d(m)
    centred = m - m.mean(axis=0)
    total = centred.var(axis=0).sum()
    share = coords.var(axis=0) / total if total > 0 else np.zeros(2)
    size, left, top = 260.0, 44.0, 26.0
    (x0, y0), (x1, y1) = coords.min(axis=0), coords.max(axis=0)
    span = max(x1 - x0, y1 - y0, 1e-12) * 1.12  # equal scales, room for the outermost labels
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    scale = size / span
    px = left + size / 2 + (coords[:, 0] - cx) * scale
    py = top + size / 2 - (coords[:, 1] - cy) * scale
    parts = [_text(left, 17, f"token embeddings (wte), step {step}", TITLE)]
    zero_x, zero_y = left + size / 2 - cx * scale, top + size / 2 + cy * scale
    if left <= zero_x <= left + size:
        parts.append(_line(zero_x, top, zero_x, top + size, GRID))
    if top <= zero_y <= top + size:
        parts.append(_line(left, zero_y, left + size, zero_y, GRID))
    parts.append(f'<rect x="{_n(left)}" y="{_n(top)}" width="{_n(size)}" height="{_n(size)}" '
                 f'fill="none" stroke="{MUTED}"/>')  # fmt: skip
    for x, y, label in zip(px.tolist(), py.tolist(), labels):
        parts.append(f'<circle cx="{_n(x)}" cy="{_n(y)}" r="3" fill="{POINT_COLOUR}"/>')
        parts.append(_text(x + 4, y - 3, label, SMALL))
    parts.append(_text(left + size / 2, top + size + 18, f"PC1 ({share[0]:.0%} of variance)",
                       SMALL, "middle", MUTED))  # fmt: skip
    mid = top + size / 2
    parts.append(_text(16, mid, f"PC2 ({share[1]:.0%} of variance)", SMALL, "middle", MUTED,
                       f' transform="rotate(-90 16 {_n(mid)})"'))  # fmt: skip
    return _document(parts, left + size + 16, top + size + 28, "microgpt-embeddings-chart")
