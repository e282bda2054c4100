"""A chart as pixels: PNG bytes at a given dpi, the figure's natural size on a page, and
``picture``, the wrapper Jupyter shows (sharp at ``PIXEL_RATIO`` device pixels per CSS pixel)."""

from __future__ import annotations

import io

from matplotlib.axes import Axes
from matplotlib.figure import Figure

from microgpt.validate import check_int

from .base import CSS_DPI, PIXEL_RATIO, _root_figure

__all__ = ["figure_css_size", "figure_to_png", "hidpi_png", "picture"]


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
