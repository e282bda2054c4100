"""Attention as heatmaps: one head (``attention_heatmap``) or every layer × head
(``attention_grid``), queries down and keys across on a fixed 0–1 scale, the causal mask hatched."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Polygon

from microgpt.errors import ConfigError

from ..style import sequential, text_colour
from .base import (
    ANNOTATE_UP_TO,
    MASK_COLOUR,
    MASK_HATCH_COLOUR,
    _check_labels,
    _check_title,
    _new_axes,
    _numbers,
    _sequence,
    sequential_cmap,
)

__all__ = ["attention_grid", "attention_heatmap", "attention_matrix"]


def attention_matrix(rows: Sequence[Sequence[float]]) -> np.ndarray:
    """Attention rows (row p holds query p's weights on keys 0 … p) as an n × n array.

    Cells above the diagonal (keys in the query's future, which the causal mask hides) are NaN.
    """
    _sequence(rows, "rows", "attention rows (a list of lists of weights)")
    n = len(rows)
    if n == 0:
        raise ConfigError("no attention rows: expected one row per position")
    out = np.full((n, n), np.nan)
    for p, row in enumerate(rows):
        _sequence(row, f"attention row {p}", "a list of weights")
        if len(row) != p + 1:
            raise ConfigError(
                f"attention row {p} has {len(row)} weights; row p must have p + 1 (keys 0 … p): "
                f"expected the causal triangle, row lengths 1, 2, …, {n}"
            )
        out[p, : p + 1] = _numbers(row, f"attention row {p}")
    lower = out[np.tril_indices(n)]
    if not np.all(np.isfinite(lower)):
        raise ConfigError("attention weights must be finite numbers")
    if lower.min() < -1e-9 or lower.max() > 1 + 1e-9:
        raise ConfigError(
            f"attention weights must lie in [0, 1]; got values from {lower.min():.4g} to "
            f"{lower.max():.4g}"
        )
    return out


def _mask_patch(n: int) -> Polygon:
    """A hatched staircase over the cells above the diagonal (image coordinates)."""
    corners = [(n - 0.5, -0.5)]
    for r in range(n - 1):
        corners += [(r + 0.5, r - 0.5), (r + 0.5, r + 0.5)]
    corners.append((n - 0.5, n - 1.5))
    return Polygon(
        corners,
        closed=True,
        facecolor=MASK_COLOUR,
        edgecolor=MASK_HATCH_COLOUR,
        hatch="///",
        linewidth=0,
        label="causal mask",
        gid="causal-mask",
    )


def _draw_attention(
    ax: Axes,
    matrix: np.ndarray,
    tokens: list[str],
    *,
    annotate: bool,
    fontsize: float = 10,
    axis_labels: tuple[bool, bool] = (True, True),
):
    n = len(matrix)
    im = ax.imshow(matrix, cmap=sequential_cmap(), vmin=0.0, vmax=1.0, interpolation="nearest")
    if n > 1:
        ax.add_patch(_mask_patch(n))
    ax.set_xticks(range(n), labels=tokens, fontsize=fontsize)
    ax.set_yticks(range(n), labels=tokens, fontsize=fontsize)
    ax.tick_params(length=0)
    if axis_labels[0]:
        ax.set_xlabel("key (attended to)")
    if axis_labels[1]:
        ax.set_ylabel("query (position)")
    if annotate:
        for p in range(n):
            for k in range(p + 1):
                w = float(matrix[p, k])
                ax.text(
                    k,
                    p,
                    f"{w:.2f}",
                    ha="center",
                    va="center",
                    fontsize=8,
                    color=text_colour(sequential(w)),
                )
    return im


def attention_heatmap(
    weights: Sequence[Sequence[float]],
    tokens: Sequence[str],
    ax: Axes | None = None,
    title: str | None = None,
    *,
    colorbar: bool = True,
    annotate: bool | None = None,
) -> Axes:
    """One head's attention: queries down, keys across, on a fixed 0–1 scale.

    ``weights`` are rows as ``ForwardPass.attention`` gives them (row p has p + 1 weights);
    ``tokens`` label both axes (the input token at each position). The future cells are hatched
    grey. ``annotate`` writes each weight in its cell (default: up to ``ANNOTATE_UP_TO``
    positions).
    """
    matrix = attention_matrix(weights)
    tokens = _check_labels(tokens, len(matrix), "positions")
    if ax is None:
        n = len(matrix)
        side = max(3.0, 0.32 * n + 1.6)
        ax = _new_axes((side + (0.9 if colorbar else 0.0), side))
    if annotate is None:
        annotate = len(matrix) <= ANNOTATE_UP_TO
    im = _draw_attention(ax, matrix, tokens, annotate=annotate)
    if title is not None:
        ax.set_title(title)
    if colorbar:
        ax.figure.colorbar(im, ax=ax, label="attention weight", shrink=0.85)
    return ax


def attention_grid(
    attn: Sequence[Sequence[Sequence[Sequence[float]]]],
    tokens: Sequence[str],
    fig: Figure | None = None,
    *,
    title: str | None = None,
) -> Figure:
    """Every head: ``attn[layer][head]`` are rows as in ``attention_heatmap``.

    A layer × head grid of heatmaps on one 0–1 scale with one shared colourbar. ``fig``, when
    given, is cleared and reused (a widget can redraw into the same figure).
    """
    _sequence(attn, "attn", "attention rows by layer and head (fp.attention of each)")
    for heads in attn:
        _sequence(heads, "each layer of attn", "a list of heads (each attention rows)")
    _check_title(title)
    n_layer = len(attn)
    if n_layer == 0 or any(len(heads) == 0 for heads in attn):
        raise ConfigError("attn must be a non-empty list of layers, each a non-empty list of heads")
    n_head = len(attn[0])
    if any(len(heads) != n_head for heads in attn):
        raise ConfigError(
            f"every layer must have the same number of heads: got {[len(h) for h in attn]}"
        )
    matrices = [[attention_matrix(rows) for rows in heads] for heads in attn]
    n = len(matrices[0][0])
    if any(len(m) != n for heads in matrices for m in heads):
        raise ConfigError("every head must cover the same positions (same number of rows)")
    tokens = _check_labels(tokens, n, "positions")
    cell = max(1.9, 0.19 * n + 0.7)  # inches per heatmap
    if fig is None:
        size = (cell * n_head + 0.9, cell * n_layer + 1.1 + (0.3 if title else 0.0))
        fig = Figure(figsize=size, layout="constrained")
    else:
        fig.clear()
    axes = fig.subplots(n_layer, n_head, squeeze=False, sharex=True, sharey=True)
    im = None
    for layer in range(n_layer):
        for head in range(n_head):
            ax = axes[layer][head]
            im = _draw_attention(
                ax,
                matrices[layer][head],
                tokens,
                annotate=False,
                fontsize=8 if n > 8 else 9,
                axis_labels=(layer == n_layer - 1, head == 0),
            )
            ax.set_title(f"layer {layer} · head {head}", fontsize=10)
    fig.colorbar(im, ax=axes.ravel().tolist(), label="attention weight", shrink=0.85)
    if title is not None:
        fig.suptitle(title)
    return fig
