"""Embeddings on their two principal components: one matrix (``embedding_pca``) or its rows'
trajectories over training on one fixed basis (``embedding_over_training``)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.axes import Axes

from microgpt.errors import ConfigError
from microgpt.validate import check_int

from .base import (
    POINT_COLOUR,
    _check_ax,
    _check_labels,
    _check_title,
    _new_axes,
    _numbers,
    _sequence,
)
from .labels import place_labels

__all__ = ["embedding_over_training", "embedding_pca", "pca_2d"]


def _as_matrix(matrix, what: str = "matrix") -> np.ndarray:
    m = _numbers(matrix, what)
    if m.ndim != 2 or min(m.shape) < 2:
        raise ConfigError(
            f"{what} must be 2-D with at least 2 rows and 2 columns (rows × dims); "
            f"got shape {m.shape}"
        )
    if not np.all(np.isfinite(m)):
        raise ConfigError(f"{what} holds NaN or infinite values")
    return m


def pca_2d(matrix, basis: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Project the rows of ``matrix`` (rows × dims) on two principal components.

    Returns ``(coords, basis)``: coords is rows × 2, basis is 2 × dims (unit component vectors,
    the first explaining the most variance). The rows are centred on their own mean. With
    ``basis=None`` it is computed by SVD of the centred matrix, each component's sign chosen so
    that its largest-magnitude loading is positive (the same matrix always gives the same
    picture). Pass a basis to project several matrices, e.g. training snapshots, on one fixed
    pair of axes (typically the final step's), so points move only when the weights do.
    """
    m = _as_matrix(matrix)
    centred = m - m.mean(axis=0)
    if basis is None:
        _, _, vt = np.linalg.svd(centred, full_matrices=False)
        basis = vt[:2].copy()
        for comp in basis:
            if comp[np.argmax(np.abs(comp))] < 0:
                comp *= -1
    else:
        basis = np.asarray(basis, dtype=float)
        if basis.shape != (2, m.shape[1]):
            raise ConfigError(
                f"basis must be 2 × {m.shape[1]} (two components over the matrix's dims); "
                f"got shape {basis.shape}"
            )
    return centred @ basis.T, basis


def _explained(matrix: np.ndarray, coords: np.ndarray) -> np.ndarray:
    """The fraction of the matrix's variance along each plotted axis."""
    total = (matrix - matrix.mean(axis=0)).var(axis=0).sum()
    return coords.var(axis=0) / total if total > 0 else np.zeros(2)


def _pca_axes(ax: Axes, matrix: np.ndarray, coords: np.ndarray) -> None:
    ex = _explained(matrix, coords)
    ax.set_xlabel(f"PC1 ({ex[0]:.0%} of variance)")
    ax.set_ylabel(f"PC2 ({ex[1]:.0%} of variance)")
    ax.axhline(0, color="#dddddd", linewidth=0.8, zorder=0)
    ax.axvline(0, color="#dddddd", linewidth=0.8, zorder=0)
    ax.set_aspect("equal", adjustable="datalim")
    ax.margins(0.08)  # room for the labels of the outermost points


def embedding_pca(
    matrix,
    labels: Sequence[str],
    ax: Axes | None = None,
    basis: np.ndarray | None = None,
    title: str | None = None,
) -> Axes:
    """Scatter of an embedding matrix's rows on two principal components, one label per row.

    ``matrix`` is rows × dims (``wte``: one row per token, label it with the characters;
    ``wpe``: one row per position, label it with the positions). ``basis`` as in ``pca_2d``.
    Axes are equal-scaled and name the share of variance each component holds.
    """
    m = _as_matrix(matrix)
    labels = _check_labels(labels, len(m), "rows")
    coords, _ = pca_2d(m, basis)
    if ax is None:
        ax = _new_axes((5.5, 5.0))
    ax.scatter(coords[:, 0], coords[:, 1], s=18, color=POINT_COLOUR, zorder=2)
    _pca_axes(ax, m, coords)
    if title is not None:
        ax.set_title(title)
    place_labels(ax, coords, labels, marker_size=18)
    return ax


def embedding_over_training(
    matrices: Sequence,
    labels: Sequence[str],
    steps: Sequence[int],
    ax: Axes | None = None,
    basis: np.ndarray | None = None,
    current: int = -1,
    title: str | None = None,
) -> Axes:
    """An embedding matrix over training: each row's trajectory, the ``current`` snapshot labelled.

    ``matrices[i]`` is the matrix (rows × dims) after ``steps[i]`` steps, e.g.
    ``[s["weights"]["wte"] for s in ckpt.snapshots]``. All are projected on one basis
    (default: the last matrix's, see ``pca_2d``), so the axes' limits stay the same whichever
    snapshot is ``current`` (an index into ``matrices``): a slider over steps does not rescale.
    The whole trajectory is drawn faint and its part up to ``current`` darker.
    """
    _check_ax(ax)
    _check_title(title)
    ms, current = _snapshots(matrices, steps, current)
    labels = _check_labels(labels, len(ms[0]), "rows")
    if basis is None:
        _, basis = pca_2d(ms[-1])
    tracks = np.stack([pca_2d(m, basis)[0] for m in ms])  # snapshots × rows × 2
    if ax is None:
        ax = _new_axes((5.5, 5.0))
    _trajectories(ax, tracks, current)
    now = tracks[current]
    ax.scatter(now[:, 0], now[:, 1], s=18, color=POINT_COLOUR, zorder=2)
    _pca_axes(ax, ms[current], now)
    ax.set_title(title if title is not None else f"step {steps[current]}")
    place_labels(ax, now, labels, marker_size=18)
    return ax


def _snapshots(matrices, steps, current) -> tuple[list[np.ndarray], int]:
    """The checked matrices (one shape, one step each) and ``current`` as an index from 0."""
    _sequence(matrices, "matrices", "a list of embedding matrices, one per snapshot")
    _sequence(steps, "steps", "a list of steps, one per matrix")
    current = check_int(current, "current", fix="an index into the snapshots (-1: the last)")
    if len(matrices) == 0:
        raise ConfigError("no matrices: give one embedding matrix per snapshot")
    if len(steps) != len(matrices):
        raise ConfigError(f"{len(steps)} steps for {len(matrices)} matrices: give one step each")
    ms = [_as_matrix(m, f"matrix {i}") for i, m in enumerate(matrices)]
    if any(m.shape != ms[0].shape for m in ms):
        raise ConfigError(f"every matrix must have the same shape: got {[m.shape for m in ms]}")
    if not -len(ms) <= current < len(ms):
        raise ConfigError(f"current={current} is not an index into {len(ms)} snapshots")
    return ms, current % len(ms)


def _trajectories(ax: Axes, tracks: np.ndarray, current: int) -> None:
    """Each row's path: the whole run faint (it fixes the limits), the past less so."""
    for r in range(tracks.shape[1]):
        ax.plot(
            tracks[:, r, 0],
            tracks[:, r, 1],
            color=POINT_COLOUR,
            alpha=0.12,
            linewidth=1,
            zorder=1,
            gid="trajectory",
        )
        ax.plot(
            tracks[: current + 1, r, 0],
            tracks[: current + 1, r, 1],
            color=POINT_COLOUR,
            alpha=0.35,
            linewidth=1.2,
            zorder=1,
            gid="trajectory-so-far",
        )
