"""Export a view as one standalone HTML file (the SVG inline, nothing loaded from a network),
or in any format ``explorer.render`` writes (.svg .png .dot .json .txt)."""

from __future__ import annotations

import html
import os
from pathlib import Path

from . import render
from .graph import GraphView

__all__ = ["EXPORT_FORMATS", "to_html", "write_view"]

EXPORT_FORMATS = (".html", *render.FORMATS)

_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{title}</title>
<style>
body {{ font-family: Helvetica, Arial, sans-serif; margin: 1.5em; color: #222; }}
h1 {{ font-size: 1.2em; }}
.microgpt-export-graph {{ overflow: auto; border: 1px solid #ddd; }}
.microgpt-export-notes {{ color: #555; font-size: 0.9em; }}
</style>
</head>
<body>
<h1>{title}</h1>
<p class="microgpt-export-notes">{address}<br>{notes}</p>
<div class="microgpt-export-graph">
{svg}
</div>
</body>
</html>
"""


def to_html(view: GraphView) -> str:
    """One self-contained page: title, address, notes and the SVG inline."""
    svg = render.to_svg(view)
    svg = svg[svg.find("<svg") :]  # drop the XML prolog and DOCTYPE: it is inline HTML now
    notes = "<br>".join(html.escape(n) for n in view.notes)
    return _PAGE.format(
        title=html.escape(view.title),
        address=html.escape(view.address or ""),
        notes=notes,
        svg=svg,
    )


def write_view(view: GraphView, path: str | os.PathLike) -> Path:
    """Write ``view`` to ``path``; the extension picks the format (``.html`` included)."""
    path = Path(path)
    if path.suffix.lower() != ".html":
        return render.write(view, path)
    render.check_directory(path)
    return render.write_atomically(path, to_html(view).encode("utf-8"))
