"""The tensor level's panels as objects a notebook shows: one call from a pass to a picture.

Renderer layer: each function runs a query (``explorer.positions``,
``explorer.attention_weight``) and draws it with ``explorer.panels_svg``; the ``Picture`` it
returns shows itself in Jupyter (as inline SVG in a panel that scrolls sideways when the picture
is wider than the notebook) and saves itself to a file atomically. Nothing is computed here.

- ``stream_picture(fp, layer)``: the loss of each character, then the layer's residual stream,
  q, k, v and ReLU mask across positions (data and grad heatmaps).
- ``letters_picture(fp)``: the name coloured by each character's loss.
- ``weight_picture(fp, layer, head, query, key)``: one attention weight explained, from q and k
  to the softmax, with data and grad.
"""

from __future__ import annotations

import os
from pathlib import Path

from microgpt import files
from microgpt.errors import MicrogptError
from microgpt.validate import check_instance, check_output_path, check_str

from . import panels_svg
from .attention_weight import explain_weight
from .positions import letters, stream
from .view_files import is_view_file

__all__ = ["Picture", "letters_picture", "stream_picture", "weight_picture"]


class Picture:
    """An SVG picture of a pass (``svg``: the document's text) with a one-line ``title``."""

    def __init__(self, svg: str, title: str) -> None:
        check_str(svg, "svg", fix="an SVG document's text")
        check_str(title, "title", empty_ok=True)
        self.svg = svg
        self.title = title

    def __repr__(self) -> str:
        return f"Picture({self.title}; {len(self.svg):,} characters of SVG)"

    def _repr_svg_(self) -> str:
        return self.svg

    def _repr_html_(self) -> str:
        # the SVG inline, in a box that scrolls sideways rather than shrinking its text
        return f'<div class="microgpt-picture" style="overflow-x: auto">{self.svg}</div>'

    def save(self, path: str | os.PathLike, force: bool = False) -> Path:
        """Write the picture to ``path`` (a ``.svg`` file), atomically. An existing file is
        replaced only if it is a picture this package wrote (``force=True`` replaces any)."""
        check_instance(force, "force", bool, "True or False")
        path = check_output_path(
            path, "the picture", force=force, replaceable=_ours, kind="picture"
        )
        if path.suffix.lower() != ".svg":
            raise MicrogptError(f"a picture is saved as .svg, got {str(path)!r}")
        return files.write_atomically(path, self.svg.encode("utf-8"), "picture")


def _ours(path: Path) -> bool:
    """Whether ``path`` is an SVG this package wrote: a panel or a view."""
    with open(path, "rb") as f:
        head = f.read(4096)
    return b'class="microgpt-panel' in head or is_view_file(path)


def stream_picture(fp, layer: int = 0) -> Picture:
    """The loss of each character, then layer ``layer`` across positions."""
    svg = panels_svg.stream_svg(stream(fp, layer), letters(fp))
    return Picture(svg, f"{fp.doc!r} · layer {layer} across positions")


def letters_picture(fp) -> Picture:
    """The document's characters, each coloured by its position's loss."""
    return Picture(panels_svg.letters_svg(letters(fp)), f"{fp.doc!r} · the loss of each character")


def weight_picture(fp, layer: int = 0, head: int = 0, query: int = 1, key: int = 0) -> Picture:
    """Attention weight ``attn_weights[k=key]`` of ``head`` at position ``query``, explained."""
    explained = explain_weight(fp, layer, head, query, key)
    title = f"{fp.doc!r} · layer {layer} head {head}: query {query} on key {key}"
    return Picture(panels_svg.weight_svg(explained), title)
