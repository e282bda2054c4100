"""Matplotlib figures as widget images: sharp PNGs shown at their natural size, and where the
axes sit in them.

A figure of w × h inches is shown at ``CSS_DPI`` · (w × h) CSS pixels (``figure_css_size``)
from a PNG with ``PIXEL_RATIO`` times as many pixels each way, so it is sharp on a projector at
150% and on a high-density laptop. On a panel narrower than that it shrinks (``max-width:
100%``, ``height: auto``); it is never stretched wider than its natural size.
"""

from __future__ import annotations

import base64

import ipywidgets as W
from matplotlib.figure import Figure

from ..plots import hidpi_png
from .args import need

__all__ = ["axes_box", "chart_b64", "chart_image", "show_chart", "size_clickable"]


def chart_b64(fig) -> tuple[str, int, int]:
    """As ``plots.hidpi_png``, the PNG in base64 (for ``attention.HeatmapImage.png``)."""
    png, width, height = hidpi_png(fig)
    return base64.b64encode(png).decode("ascii"), width, height


def _natural_size_layout(layout: W.Layout) -> None:
    layout.max_width = "100%"  # a narrow panel shrinks the chart ...
    layout.height = "auto"  # ... keeping its proportions
    layout.align_self = "flex-start"  # a box never stretches it to its own width
    layout.flex = "0 0 auto"


def chart_image() -> W.Image:
    """An empty ``ipywidgets.Image`` laid out for ``show_chart``."""
    image = W.Image(format="png")
    _natural_size_layout(image.layout)
    image.add_class("microgpt-chart")
    return image


def show_chart(image: W.Image, fig) -> None:
    """Show ``fig`` in ``image`` at its natural CSS size, drawn at ``PIXEL_RATIO``×."""
    need(W.Image, "show_chart(image)", "an ipywidgets Image (chart_image())", image)
    need(Figure, "show_chart(fig)", "a matplotlib Figure (e.g. ax.figure)", fig)
    png, width, height = hidpi_png(fig)
    with image.hold_sync():
        image.value = png
        image.width = str(width)  # the <img>'s width and height attributes: CSS pixels
        image.height = str(height)
    _natural_size_layout(image.layout)


def size_clickable(image, width: int, height: int) -> None:
    """Give a clickable image (``attention.HeatmapImage``) its chart's natural CSS size (its
    page scales the PNG to fit the box, never beyond it)."""
    image.layout.width = f"{width}px"
    image.layout.max_width = "100%"
    image.layout.align_self = "flex-start"


def axes_box(ax, drawn: bool = False) -> dict:
    """The axes' box as fractions of the figure, from its top-left corner, where the cells are
    once drawn (an equal-aspect image's box shrinks when drawn). ``drawn``: the figure was just
    drawn (e.g. saved as the PNG shown), so its layout is final and is not drawn again."""
    if not drawn:
        ax.figure.draw_without_rendering()
    box = ax.get_position()  # figure fractions, the aspect applied
    return {"left": box.x0, "right": box.x1, "top": 1 - box.y1, "bottom": 1 - box.y0}
