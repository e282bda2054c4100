"""Charts of two passes side by side (matplotlib, no pyplot), for ``explorer.compare``.

Same conventions as ``explorer.plots``: figures at a natural size in inches (shown with
``plots.picture`` or ``plots.hidpi_png``), legends outside the axes, every tick label drawn
whole. Pass ``a`` is drawn in the line colour of ``plots``, pass ``b`` in orange.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from microgpt.errors import ArgumentTypeError, ConfigError
from microgpt.validate import _short, check_int

from .plots import attention_heatmap
from .plots.base import (
    LINE_COLOUR,
    _check_ax,
    _check_labels,
    _check_title,
    _legend_outside,
    _new_axes,
    _numbers,
    _sequence,
)

__all__ = ["A_COLOUR", "B_COLOUR", "attention_pair", "loss_pair", "probs_pair"]

A_COLOUR = LINE_COLOUR  # blue
B_COLOUR = "#e08214"  # orange


def _pair_labels(labels) -> tuple[str, str]:
    """How the two passes are named: a pair of strings (``Comparison.labels``)."""
    if not isinstance(labels, (list, tuple)) or len(labels) != 2:
        raise ArgumentTypeError(
            f"labels must be a pair of names (a's, b's), got {_short(labels)}: e.g. "
            "comparison.labels"
        )
    return str(labels[0]), str(labels[1])


def loss_pair(
    losses_a: Sequence[float],
    losses_b: Sequence[float],
    chars_a: Sequence[str],
    chars_b: Sequence[str],
    labels: tuple[str, str],
    ax: Axes | None = None,
    title: str | None = None,
) -> Axes:
    """The loss at every position in both passes, as paired bars (a left, b right). Ticks
    show the input token at each position (a's above b's when the documents differ)."""
    losses_a, losses_b = _numbers(losses_a, "losses_a"), _numbers(losses_b, "losses_b")
    chars_a = _check_labels(chars_a, len(losses_a), "losses of a")
    chars_b = _check_labels(chars_b, len(losses_b), "losses of b")
    labels = _pair_labels(labels)
    _check_ax(ax)
    _check_title(title)
    n = max(len(losses_a), len(losses_b))
    if ax is None:
        ax = _new_axes((max(4.5, 0.55 * n + 2.8), 3.0))
    w = 0.4
    xa = np.arange(len(losses_a))
    xb = np.arange(len(losses_b))
    ax.bar(xa - w / 2, losses_a, width=w, color=A_COLOUR, label=f"a: {labels[0]}")
    ax.bar(xb + w / 2, losses_b, width=w, color=B_COLOUR, label=f"b: {labels[1]}")
    same = list(chars_a) == list(chars_b)  # one document: one row of tokens, else two
    ticks = [
        chars_a[p]
        if same
        else f"{chars_a[p] if p < len(chars_a) else ''}\n{chars_b[p] if p < len(chars_b) else ''}"
        for p in range(n)
    ]
    ax.set_xticks(range(n), labels=[f"{p}\n{t}" for p, t in enumerate(ticks)], fontsize=8)
    ax.tick_params(axis="x", length=0)
    ax.set_xlim(-0.6, n - 0.4)
    ax.set_xlabel("position (input token)")
    ax.set_ylabel("loss")
    _legend_outside(ax)
    ax.set_title(title if title is not None else "loss at each position")
    return ax


def attention_pair(
    rows_a: Sequence[Sequence[float]],
    rows_b: Sequence[Sequence[float]],
    tokens_a: Sequence[str],
    tokens_b: Sequence[str],
    labels: tuple[str, str],
    title: str | None = None,
) -> Figure:
    """One head's attention in both passes, side by side, on the one 0–1 scale."""
    _sequence(rows_a, "rows_a", "attention rows (a list of lists of weights)")
    _sequence(rows_b, "rows_b", "attention rows (a list of lists of weights)")
    labels = _pair_labels(labels)
    _check_title(title)
    n = max(len(rows_a), len(rows_b))
    side = max(2.6, 0.26 * n + 1.4)
    fig = Figure(figsize=(2 * side + 1.0, side + (0.35 if title else 0.0)), layout="constrained")
    ax_a, ax_b = fig.subplots(1, 2)
    small = n > 8
    attention_heatmap(rows_a, tokens_a, ax_a, f"a: {labels[0]}", colorbar=False)
    attention_heatmap(rows_b, tokens_b, ax_b, f"b: {labels[1]}", colorbar=True)
    for ax in (ax_a, ax_b):
        ax.title.set_fontsize(9)
        if small:
            ax.tick_params(labelsize=8)
    if title is not None:
        fig.suptitle(title, fontsize=11)
    return fig


def probs_pair(
    probs_a: Sequence[float],
    probs_b: Sequence[float],
    token_labels: Sequence[str],
    labels: tuple[str, str],
    targets: tuple[int | None, int | None] = (None, None),
    ax: Axes | None = None,
    title: str | None = None,
) -> Axes:
    """Both next-token distributions in vocabulary order, overlaid as paired bars (a left,
    b right) on a 0–1 scale; each pass's actual next token is marked by a dot above its bar."""
    pa, pb = _numbers(probs_a, "probs_a"), _numbers(probs_b, "probs_b")
    _sequence(token_labels, "token_labels", "a list of token labels")
    labels = _pair_labels(labels)
    _check_ax(ax)
    _check_title(title)
    if not isinstance(targets, (list, tuple)) or len(targets) != 2:
        raise ArgumentTypeError(
            f"targets must be a pair (target of a, target of b), each a token id or None, got "
            f"{_short(targets)}"
        )
    targets = tuple(
        None if t is None else check_int(t, "a target", 0, len(pa) - 1, fix="a token id")
        for t in targets
    )
    if pa.shape != pb.shape or pa.ndim != 1 or len(pa) != len(token_labels):
        raise ConfigError("give both distributions over the same vocabulary, one label each")
    n = len(pa)
    if ax is None:
        ax = _new_axes((max(5.0, 0.28 * n + 1.2), 3.0))
    w = 0.42
    x = np.arange(n)
    ax.bar(x - w / 2, pa, width=w, color=A_COLOUR, label=f"a: {labels[0]}")
    ax.bar(x + w / 2, pb, width=w, color=B_COLOUR, label=f"b: {labels[1]}")
    for t, p, dx, colour, which in ((targets[0], pa, -w / 2, A_COLOUR, "a"),
                                    (targets[1], pb, w / 2, B_COLOUR, "b")):  # fmt: skip
        if t is not None:
            ax.plot([t + dx], [p[t] + 0.04], marker="v", color=colour, markersize=5,
                    linestyle="none", label=f"next token in {which}")  # fmt: skip
    rotate = 90 if n > 12 and max(len(s) for s in token_labels) > 3 else 0
    ax.set_xticks(range(n), labels=list(token_labels), rotation=rotate, fontsize=8)
    ax.tick_params(axis="x", length=0)
    ax.set_xlim(-0.6, n - 0.4)
    ax.set_ylim(0, 1.08)
    ax.set_ylabel("probability")
    _legend_outside(ax)
    ax.set_title(title if title is not None else "next-token probabilities")
    return ax
