"""The next-token distribution as bars (``next_token_chart``; the numbers themselves are
``microgpt.sample``'s), and the distribution a temperature gives (``apply_temperature``)."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from matplotlib.axes import Axes

from microgpt.errors import ConfigError
from microgpt.sample import temperature_probs
from microgpt.validate import _short, check_number

from .base import (
    BAR_COLOUR,
    HIGHLIGHT_COLOUR,
    _check_ax,
    _check_labels,
    _check_title,
    _new_axes,
    _numbers,
)

__all__ = ["apply_temperature", "next_token_chart"]


def apply_temperature(probs: Sequence[float], temperature: float) -> np.ndarray:
    """The distribution sampling at ``temperature`` draws from, given the probabilities at
    temperature 1: ``microgpt.sample.temperature_probs`` of their logarithms (softmax does not
    change when every logit moves by the same amount, so ``log p`` serves as the logits; a zero
    stays zero). Equal to sampling's weights up to rounding; from the logits themselves
    ``temperature_probs`` gives them bit for bit."""
    temperature = check_number(temperature, "temperature", 0, lo_open=True, fix="e.g. 0.5")
    p = _numbers(probs, "probs")
    if p.ndim != 1 or len(p) == 0 or not np.all(np.isfinite(p)) or p.min() < 0 or p.sum() <= 0:
        raise ConfigError("probs must be a flat list of finite, non-negative numbers, not all 0")
    logits = [math.log(x) if x > 0 else -math.inf for x in p.tolist()]
    return np.array(temperature_probs(logits, temperature))


def next_token_chart(
    probs: Sequence[float],
    labels: Sequence[str],
    ax: Axes | None = None,
    target: str | int | None = None,
    temperature: float | None = None,
    title: str | None = None,
    *,
    ymax: float | None = 1.0,
) -> Axes:
    """Bars of the next-token distribution in vocabulary order, on a fixed 0–1 scale.

    ``labels`` name the tokens; ``target`` (a label or an index) is the token that actually
    comes next, drawn in orange with its probability written above it. ``temperature``, if
    given, draws the distribution sampling would use at that temperature (``apply_temperature``).
    ``ymax`` tops the y axis (default 1, so pictures compare; None fits the tallest bar).
    """
    p = _numbers(probs, "probs")
    _check_ax(ax)
    _check_title(title)
    if ymax is not None:
        ymax = check_number(ymax, "ymax", 0, lo_open=True, fix="the top of the y axis, e.g. 1")
    if p.ndim != 1 or len(p) == 0:
        raise ConfigError(f"probs must be a flat, non-empty list of numbers; got shape {p.shape}")
    labels = _check_labels(labels, len(p), "probabilities")
    if not np.all(np.isfinite(p)) or p.min() < 0 or p.sum() <= 0:
        raise ConfigError("probs must be finite, non-negative and not all zero")
    if temperature is not None:
        p = apply_temperature(p, temperature)
    t = _target_index(target, labels)
    if ax is None:
        ax = _new_axes((max(5.0, 0.28 * len(p) + 1.2), 3.2))
    colours = [HIGHLIGHT_COLOUR if i == t else BAR_COLOUR for i in range(len(p))]
    ax.bar(range(len(p)), p, color=colours, width=0.8)
    rotate = 90 if len(p) > 12 and max(len(s) for s in labels) > 3 else 0
    ax.set_xticks(range(len(p)), labels=labels, rotation=rotate)
    ax.tick_params(axis="x", length=0)
    ax.set_xlim(-0.6, len(p) - 0.4)
    ax.set_ylim(0, ymax)
    ax.set_ylabel("probability")
    if t is not None:
        _highlight(ax, t, p[t])
    if title is None:
        title = "next-token probabilities"
        if temperature is not None:
            title += f" (temperature {temperature:g})"
    ax.set_title(title)
    return ax


def _target_index(target, labels: list[str]) -> int | None:
    """The index of ``target`` (an index, or one of the labels) among the bars, or None."""
    if target is None:
        return None
    if isinstance(target, (int, np.integer)) and not isinstance(target, bool):
        if not 0 <= target < len(labels):
            raise ConfigError(f"target index {target} is outside 0 … {len(labels) - 1}")
        return int(target)
    if str(target) in labels:
        return labels.index(str(target))
    raise ConfigError(f"target {_short(target)} is not one of the labels {_short(labels)}")


def _highlight(ax: Axes, t: int, prob: float) -> None:
    """The target's tick in bold orange, its probability written above its bar."""
    ax.get_xticklabels()[t].set_color(HIGHLIGHT_COLOUR)
    ax.get_xticklabels()[t].set_fontweight("bold")
    ax.annotate(
        f"{prob:.2f}",
        (t, prob),
        xytext=(0, 2),
        textcoords="offset points",
        ha="center",
        va="bottom",
        fontsize=8,
        color=HIGHLIGHT_COLOUR,
    )
