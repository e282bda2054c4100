"""The dataset at a glance: how long the documents are (``length_histogram``) and how often
each character occurs (``character_counts``)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.axes import Axes

from microgpt.errors import ConfigError
from microgpt.validate import check_int

from .base import (
    BAR_COLOUR,
    HIGHLIGHT_COLOUR,
    _check_ax,
    _check_docs,
    _check_title,
    _legend_outside,
    _new_axes,
)

__all__ = ["character_counts", "length_histogram"]


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
