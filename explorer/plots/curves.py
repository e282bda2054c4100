"""Training curves: the loss per step with its centred moving average (``loss_curve``) and
each matrix's gradient norm at the snapshot steps (``grad_norms``)."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from matplotlib.axes import Axes

from microgpt.errors import ConfigError
from microgpt.validate import check_int, check_number

from .base import (
    LINE_COLOUR,
    REFERENCE_COLOUR,
    _check_ax,
    _check_title,
    _legend_outside,
    _new_axes,
    _numbers,
    _sequence,
)

__all__ = ["grad_norms", "loss_curve", "smooth_losses"]


def smooth_losses(losses: Sequence[float], window: int) -> np.ndarray:
    """Centred moving average: step i's value is the mean of the losses within ``window // 2``
    steps of it (fewer at the two ends), so the line has one value per step and no lag."""
    y = _numbers(losses, "losses")
    window = check_int(window, "window", fix="a smoothing window in steps, e.g. 50")
    if window <= 1 or len(y) == 0:
        return y.copy()
    h = window // 2
    c = np.concatenate([[0.0], np.cumsum(y)])
    i = np.arange(len(y))
    lo, hi = np.maximum(i - h, 0), np.minimum(i + h + 1, len(y))
    return (c[hi] - c[lo]) / (hi - lo)


def loss_curve(
    losses: Sequence[float],
    ax: Axes | None = None,
    window: int | None = None,
    *,
    baseline: float | None = None,
    title: str | None = None,
    mark: int | None = None,
) -> Axes:
    """Training loss per step (faint, steps from 1) and its centred moving average.

    ``mark`` draws a vertical line at that step (the step a view shows) and its loss as a dot.
    ``window`` is the smoothing window in steps (``smooth_losses``); default about 5% of the
    run, at least 1 (then no smoothed line is drawn). ``baseline`` draws a dashed level, e.g.
    ``math.log(vocab_size)``, the loss of a uniform guess.
    """
    y = _numbers(losses, "losses")
    _check_ax(ax)
    _check_title(title)
    if window is not None:
        window = check_int(window, "window", 1, fix="a smoothing window in steps")
    if baseline is not None:
        baseline = check_number(baseline, "baseline", fix="e.g. math.log(vocab_size)")
    if mark is not None:
        mark = check_int(mark, "mark", fix="the step to mark")
    if y.ndim != 1:
        raise ConfigError(f"losses must be a flat list of numbers; got shape {y.shape}")
    if window is None:
        window = max(1, round(len(y) / 20))
    if ax is None:
        ax = _new_axes((7.5, 3.6))
    _loss_lines(ax, y, window)
    if baseline is not None:
        ax.axhline(
            baseline,
            color=REFERENCE_COLOUR,
            linestyle="--",
            linewidth=1,
            label=f"uniform guess ({baseline:.3g})",
        )
    if mark is not None:
        ax.axvline(mark, color=REFERENCE_COLOUR, linewidth=1.2, label=f"step {mark}")
        if 1 <= mark <= len(y):
            ax.plot([mark], [y[mark - 1]], "o", color=LINE_COLOUR, markersize=6)
    ax.set_xlabel("step")
    ax.set_ylabel("loss")
    if len(y):
        ax.set_xlim(0 if mark == 0 else 1, max(len(y), 2))
    _legend_outside(ax)
    ax.set_title(title if title is not None else "training loss")
    return ax


def _loss_lines(ax: Axes, y: np.ndarray, window: int) -> None:
    """The loss at each step (from 1), and its moving average when ``window`` > 1."""
    steps = np.arange(1, len(y) + 1)
    smoothed = window > 1 and len(y) > 0
    # alone, the per-step line is the curve (full colour); under a mean it is its faint noise
    ax.plot(steps, y, color=LINE_COLOUR, alpha=0.3 if smoothed else 1.0,
            linewidth=0.8 if smoothed else 1.6, label="loss at each step")  # fmt: skip
    if smoothed:
        h = window // 2
        ax.plot(
            steps,
            smooth_losses(y, window),
            color=LINE_COLOUR,
            linewidth=2,
            label=f"mean over {2 * h + 1} steps",
        )


def grad_norms(
    snapshots: Sequence[dict],
    ax: Axes | None = None,
    keys: Sequence[str] | None = None,
    title: str | None = None,
) -> Axes:
    """Each matrix's gradient norm at the snapshot steps (log scale), one line per matrix.

    ``snapshots`` are dicts with ``"step"`` and ``"grad_norms"`` (``{matrix: norm}``, or None
    where no gradient was taken, e.g. step 0: skipped), as a checkpoint's ``"snapshots"``.
    ``keys`` picks and orders the matrices (default: all, in the order first seen).
    """
    _sequence(snapshots, "snapshots", "a list of snapshot dicts (a checkpoint's 'snapshots')")
    if keys is not None:
        _sequence(keys, "keys", "a list of matrix keys or None")
    _check_ax(ax)
    _check_title(title)
    for s in snapshots:
        if not isinstance(s, dict) or "step" not in s or "grad_norms" not in s:
            raise ConfigError('each snapshot must be a dict with "step" and "grad_norms"')
        if s["grad_norms"] is not None and not isinstance(s["grad_norms"], dict):
            raise ConfigError('each snapshot\'s "grad_norms" must be a dict by matrix, or None')
    taken = [s for s in snapshots if s["grad_norms"] is not None]
    if keys is None:
        keys = list(dict.fromkeys(k for s in taken for k in s["grad_norms"]))
    if ax is None:
        ax = _new_axes((7.5, 3.8))
    for key in keys:
        xs = [s["step"] for s in taken]
        ys = [s["grad_norms"].get(key, math.nan) for s in taken]
        ax.plot(xs, ys, marker="o", markersize=3, linewidth=1.4, label=key)
    ax.set_xlabel("step")
    ax.set_ylabel("gradient norm")
    if taken:
        ax.set_yscale("log")
        _legend_outside(ax)
    else:
        ax.text(
            0.5,
            0.5,
            "no gradient norms recorded yet",
            transform=ax.transAxes,
            ha="center",
            va="center",
            color="#888888",
        )
    ax.set_title(title if title is not None else "gradient norm per matrix")
    return ax
