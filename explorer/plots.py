"""Matplotlib pictures of a model: attention, embeddings, training curves, next-token bars.

Part of the explorer's renderers layer, beside ``render`` (which draws graphs): every function
takes plain data (lists or arrays of numbers and labels, never a ``ForwardPass``), so notebooks,
widgets and tests can feed it from anywhere. The plots compute nothing about the graph; the only
arithmetic here is the picture's own: the PCA of an embedding matrix (numpy SVD), a smoothed loss
line, a temperature applied to a distribution.

Conventions:

- Each plot takes an optional ``ax`` and creates its own figure when it is ``None``; it returns
  the ``Axes`` (``attention_grid`` returns its ``Figure``). Figures are
  ``matplotlib.figure.Figure`` objects made directly, never through ``pyplot``: no global figure
  list, no backend, nothing to close. Nothing here calls ``show()`` or ``display()``;
  ``figure_to_png`` gives the bytes a widget shows.
- Size: a figure is shown at its natural size, ``CSS_DPI`` CSS pixels per inch
  (``figure_css_size``), drawn at ``PIXEL_RATIO`` device pixels per CSS pixel so that it stays
  sharp on high-density screens and projectors (``picture``, ``explorer.widgets.images``).
- Colours follow ``explorer.style``: attention weights and probabilities on its sequential
  white-to-purple scale, fixed to 0–1 so that pictures compare; the highlighted token in its
  "selected" orange; lines in strong colours (``LINE_COLOUR``); red is left to errors.
- Nothing covers the data: legends sit outside the axes, point labels are placed where they
  overlap neither each other nor the points (``place_labels``).
- Bad input (ragged attention rows, as many labels as points) raises a ``MicrogptError`` saying
  what was expected (``ConfigError``, also a ``ValueError``; ``ArgumentTypeError`` for a type).
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.colors import LinearSegmentedColormap
from matplotlib.figure import Figure
from matplotlib.patches import Polygon

from microgpt.errors import ArgumentTypeError, ConfigError
from microgpt.sample import temperature_probs
from microgpt.validate import _short, check_int, check_number

from .style import ROLE, sequential, text_colour

__all__ = [
    "apply_temperature",
    "attention_grid",
    "attention_heatmap",
    "attention_matrix",
    "character_counts",
    "embedding_over_training",
    "embedding_pca",
    "figure_css_size",
    "figure_to_png",
    "grad_norms",
    "length_histogram",
    "loss_curve",
    "next_token_probs",
    "pca_2d",
    "picture",
    "place_labels",
    "smooth_losses",
]

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


# -- helpers --------------------------------------------------------------------------------
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
    texts = []
    for (x, y), label in zip(xy, labels):
        text = ax.annotate(label, (x, y), xytext=(0, 0), textcoords="offset points",
                           ha="center", va="center", fontsize=fontsize, annotation_clip=False,
                           arrowprops={"arrowstyle": "-", "color": LEADER_COLOUR,
                                       "linewidth": 0.6, "shrinkA": 1, "shrinkB": 2},
                           **kw)  # fmt: skip
        text.set_in_layout(False)  # labels never move the axes: their positions stay valid
        texts.append(text)
    if not texts:
        return texts
    fig = _root_figure(ax)
    fig.draw_without_rendering()  # the final layout: aspect applied, constrained layout done
    to_pt = 72.0 / fig.dpi
    points = ax.transData.transform(xy) * to_pt
    f = ax.get_window_extent()
    frame = (f.x0 * to_pt, f.y0 * to_pt, f.x1 * to_pt, f.y1 * to_pt)
    sizes = []
    for text in texts:
        b = text.get_window_extent()
        sizes.append((b.width * to_pt, b.height * to_pt))
    radius = math.sqrt(marker_size) / 2 + 0.5
    markers = [(x - radius, y - radius, x + radius, y + radius) for x, y in points]
    dist = np.hypot(*(points[:, None, :] - points[None, :, :]).transpose(2, 0, 1))
    crowd = (dist < 30.0).sum(axis=1)
    order = sorted(range(len(texts)), key=lambda i: (-crowd[i], i))
    placed: list[tuple] = []
    for i in order:
        (px, py), (w, h) = points[i], sizes[i]
        best = None
        for gap in _LABEL_GAPS:
            for dx, dy in _LABEL_DIRECTIONS:
                cx = px + dx * (radius + gap + w / 2)
                cy = py + dy * (radius + gap + h / 2)
                box = (cx - w / 2 - _LABEL_PAD, cy - h / 2 - _LABEL_PAD,
                       cx + w / 2 + _LABEL_PAD, cy + h / 2 + _LABEL_PAD)  # fmt: skip
                cost = 1e6 * _outside(box, frame)
                cost += sum(_overlap(box, other) for other in placed)
                cost += sum(_overlap(box, m) for j, m in enumerate(markers) if j != i)
                if best is None or cost < best[0]:
                    best = (cost, box, gap, cx - px, cy - py)
                if cost == 0:
                    break
            if best[0] == 0:
                break
        _, box, gap, ox, oy = best
        placed.append(box)
        texts[i].xyann = (ox, oy)
        texts[i].arrow_patch.set_visible(gap >= _LEADER_FROM_GAP)
    return texts


def figure_to_png(fig: Figure | Axes, dpi: int = 100) -> bytes:
    """The figure (or the figure an Axes is on) as PNG bytes, rendered with Agg."""
    dpi = check_int(dpi, "dpi", 10, 1200, fix="dots per inch, e.g. 100")
    buf = io.BytesIO()
    _root_figure(fig).savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()


def figure_css_size(fig: Figure | Axes, dpi: float = CSS_DPI) -> tuple[int, int]:
    """The figure's natural size on a page, in CSS pixels: (width, height) at ``dpi`` CSS px
    per inch. A PNG of it at ``dpi * PIXEL_RATIO`` has exactly ``PIXEL_RATIO`` times as many
    pixels each way (``savefig`` rounds the same way)."""
    w, h = _root_figure(fig).get_size_inches()
    return round(w * dpi), round(h * dpi)


def hidpi_png(fig: Figure, dpi: int = CSS_DPI) -> tuple[bytes, int, int]:
    """``(png, width, height)``: ``fig`` drawn at ``PIXEL_RATIO`` device pixels per CSS pixel,
    and its natural size in CSS pixels (``dpi`` CSS px per inch)."""
    width, height = figure_css_size(fig, dpi)
    return figure_to_png(fig, dpi * PIXEL_RATIO), width, height


class picture:  # noqa: N801 - used like a function: picture(ax) in a notebook cell
    """A plot that Jupyter shows as a PNG: ``picture(loss_curve(losses))``.

    Figures here are made without pyplot (no global state), so Jupyter has no display hook
    for them; this small wrapper gives it one. Nothing is drawn until Jupyter asks. The PNG has
    ``PIXEL_RATIO`` device pixels per CSS pixel and tells Jupyter its natural size (``dpi``
    CSS px per inch), so it is sharp and never shown larger than that (a narrow output
    shrinks it).
    """

    def __init__(self, fig: Figure | Axes, dpi: int = CSS_DPI) -> None:
        self.figure = _root_figure(fig)
        self.dpi = dpi

    def _repr_png_(self) -> tuple[bytes, dict]:
        png, width, height = hidpi_png(self.figure, self.dpi)
        return png, {"width": width, "height": height}

    def __repr__(self) -> str:
        return f"picture({self.figure!r})"


# -- attention ------------------------------------------------------------------------------
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


# -- embeddings -----------------------------------------------------------------------------
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
    ``[s["weights"]["wte"] for s in ckpt["snapshots"]]``. All are projected on one basis
    (default: the last matrix's, see ``pca_2d``), so the axes' limits stay the same whichever
    snapshot is ``current`` (an index into ``matrices``): a slider over steps does not rescale.
    The whole trajectory is drawn faint and its part up to ``current`` darker.
    """
    _sequence(matrices, "matrices", "a list of embedding matrices, one per snapshot")
    _sequence(steps, "steps", "a list of steps, one per matrix")
    current = check_int(current, "current", fix="an index into the snapshots (-1: the last)")
    _check_ax(ax)
    _check_title(title)
    if len(matrices) == 0:
        raise ConfigError("no matrices: give one embedding matrix per snapshot")
    if len(steps) != len(matrices):
        raise ConfigError(f"{len(steps)} steps for {len(matrices)} matrices: give one step each")
    ms = [_as_matrix(m, f"matrix {i}") for i, m in enumerate(matrices)]
    if any(m.shape != ms[0].shape for m in ms):
        raise ConfigError(f"every matrix must have the same shape: got {[m.shape for m in ms]}")
    labels = _check_labels(labels, len(ms[0]), "rows")
    if not -len(ms) <= current < len(ms):
        raise ConfigError(f"current={current} is not an index into {len(ms)} snapshots")
    if basis is None:
        _, basis = pca_2d(ms[-1])
    tracks = np.stack([pca_2d(m, basis)[0] for m in ms])  # snapshots × rows × 2
    if ax is None:
        ax = _new_axes((5.5, 5.0))
    current %= len(ms)
    for r in range(tracks.shape[1]):  # the whole run faint (it fixes the limits), the past less so
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
    now = tracks[current]
    ax.scatter(now[:, 0], now[:, 1], s=18, color=POINT_COLOUR, zorder=2)
    _pca_axes(ax, ms[current], now)
    ax.set_title(title if title is not None else f"step {steps[current]}")
    place_labels(ax, now, labels, marker_size=18)
    return ax


# -- training -------------------------------------------------------------------------------
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


# -- next-token distribution ----------------------------------------------------------------
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


def next_token_probs(
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
    t = None
    if target is not None:
        if isinstance(target, (int, np.integer)) and not isinstance(target, bool):
            if not 0 <= target < len(p):
                raise ConfigError(f"target index {target} is outside 0 … {len(p) - 1}")
            t = int(target)
        elif str(target) in labels:
            t = labels.index(str(target))
        else:
            raise ConfigError(f"target {_short(target)} is not one of the labels {_short(labels)}")
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
        ax.get_xticklabels()[t].set_color(HIGHLIGHT_COLOUR)
        ax.get_xticklabels()[t].set_fontweight("bold")
        ax.annotate(
            f"{p[t]:.2f}",
            (t, p[t]),
            xytext=(0, 2),
            textcoords="offset points",
            ha="center",
            va="bottom",
            fontsize=8,
            color=HIGHLIGHT_COLOUR,
        )
    if title is None:
        title = "next-token probabilities"
        if temperature is not None:
            title += f" (temperature {temperature:g})"
    ax.set_title(title)
    return ax


# -- the dataset ---------------------------------------------------------------------------
def length_histogram(docs: Sequence[str], ax: Axes | None = None, block_size: int | None = None,
                     title: str | None = None) -> Axes:  # fmt: skip
    """How many documents have each length; ``block_size`` marks the longest the model sees
    whole (``block_size - 1`` characters: BOS takes one position)."""
    _check_docs(docs)
    _check_ax(ax)
    _check_title(title)
    if block_size is not None:
        block_size = check_int(block_size, "block_size", 1, fix="the model's context, e.g. 16")
    if not docs:
        raise ConfigError("length_histogram needs at least one document")
    lengths = np.array([len(d) for d in docs])
    if ax is None:
        ax = _new_axes((7.0, 3.2))
    edges = np.arange(lengths.min(), lengths.max() + 2) - 0.5
    ax.hist(lengths, bins=edges, color=BAR_COLOUR)
    if block_size is not None:
        ax.axvline(block_size - 0.5, color=HIGHLIGHT_COLOUR, linestyle="--",
                   label=f"longer than {block_size - 1}: truncated")  # fmt: skip
        _legend_outside(ax)
    ax.set_xlabel("characters in the document")
    ax.set_ylabel("documents")
    if title is not None:
        ax.set_title(title)
    return ax


def character_counts(docs: Sequence[str], ax: Axes | None = None,
                     title: str | None = None) -> Axes:  # fmt: skip
    """How often each character occurs in the documents, in vocabulary (sorted) order."""
    _check_docs(docs)
    _check_ax(ax)
    _check_title(title)
    if not docs:
        raise ConfigError("character_counts needs at least one document")
    chars = sorted(set("".join(docs)))
    counts = [sum(d.count(c) for d in docs) for c in chars]
    if ax is None:
        ax = _new_axes((max(4.0, 0.25 * len(chars) + 1.5), 3.2))
    ax.bar(range(len(chars)), counts, color=BAR_COLOUR)
    ax.set_xticks(range(len(chars)), chars)
    ax.set_ylabel("occurrences")
    if title is not None:
        ax.set_title(title)
    return ax
