"""Matplotlib figures as widget images: PNG bytes, base64, and where the axes sit in them."""

from __future__ import annotations

import base64

from ..plots import figure_to_png

__all__ = ["axes_box", "png_b64"]


def png_b64(fig, dpi: int = 100) -> str:
    """The figure as base64 PNG (for ``ClickableImage.png``)."""
    return base64.b64encode(figure_to_png(fig, dpi=dpi)).decode("ascii")


def axes_box(ax) -> dict:
    """The axes' box as fractions of the figure, from its top-left corner (after drawing, so
    that an equal-aspect image's shrunken box is what is measured)."""
    fig = ax.figure
    fig.draw_without_rendering()  # applies the equal aspect, so the box is where cells are
    box = ax.get_window_extent()
    width, height = fig.bbox.width, fig.bbox.height
    return {
        "left": box.x0 / width,
        "right": box.x1 / width,
        "top": 1 - box.y1 / height,
        "bottom": 1 - box.y0 / height,
    }
