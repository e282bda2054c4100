"""Matplotlib pictures of a model: attention, embeddings, training curves, next-token bars.

Part of the explorer's renderers layer, beside ``render`` (which draws graphs). A package split
by subject, every public name importable from ``explorer.plots`` itself:

- ``heatmaps``: attention, one head or the layer × head grid;
- ``pca``: embeddings on two principal components, once or over training;
- ``curves``: the loss per step and the gradient norms;
- ``next_token``: the next-token bars and a temperature applied to them;
- ``corpus``: the dataset's lengths and characters;
- ``labels``: point labels that overlap nothing; ``png``: PNG bytes and ``picture``;
- ``base``: the colours, sizes and argument checks they share.

Every function takes plain data (lists or arrays of numbers and labels, never a
``ForwardPass``), so notebooks, widgets and tests can feed it from anywhere. The plots compute
nothing about the graph; the only arithmetic here is the picture's own: the PCA of an embedding
matrix (numpy SVD), a smoothed loss line, a temperature applied to a distribution.

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

from .base import (
    ANNOTATE_UP_TO,
    BAR_COLOUR,
    CSS_DPI,
    HIGHLIGHT_COLOUR,
    LEADER_COLOUR,
    LINE_COLOUR,
    MASK_COLOUR,
    MASK_HATCH_COLOUR,
    PIXEL_RATIO,
    POINT_COLOUR,
    REFERENCE_COLOUR,
    sequential_cmap,
)
from .corpus import character_counts, length_histogram
from .curves import grad_norms, loss_curve, smooth_losses
from .heatmaps import attention_grid, attention_heatmap, attention_matrix
from .labels import place_labels
from .next_token import apply_temperature, next_token_chart
from .pca import embedding_over_training, embedding_pca, pca_2d
from .png import figure_css_size, figure_to_png, hidpi_png, picture

__all__ = [
    "ANNOTATE_UP_TO",
    "BAR_COLOUR",
    "CSS_DPI",
    "HIGHLIGHT_COLOUR",
    "LEADER_COLOUR",
    "LINE_COLOUR",
    "MASK_COLOUR",
    "MASK_HATCH_COLOUR",
    "PIXEL_RATIO",
    "POINT_COLOUR",
    "REFERENCE_COLOUR",
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
    "hidpi_png",
    "length_histogram",
    "loss_curve",
    "next_token_chart",
    "pca_2d",
    "picture",
    "place_labels",
    "sequential_cmap",
    "smooth_losses",
]
