"""Export a view as one standalone HTML file — the same viewer as in JupyterLab (fitted to the
window, pan and zoom, title, notes and legend in sight; a click on a node shows its numbers) with
the picture and the viewer's script inline, nothing loaded from a network — or in any format
``explorer.render`` writes (.svg .png .dot .json .txt)."""

from __future__ import annotations

import html
import json
import os
from pathlib import Path

from microgpt import files

from . import layout, render, svg
from .graph import GraphView
from .playback import backward_json
from .viewer import viewer_script

__all__ = ["EXPORT_FORMATS", "to_html", "write_view"]

EXPORT_FORMATS = (".html", *render.FORMATS)

_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
body {{ font-family: Helvetica, Arial, sans-serif; margin: 1em; color: #222; }}
.microgpt-viewer-title {{ font-weight: bold; font-size: 1.15em; overflow-wrap: anywhere; }}
.microgpt-viewer-notes, .microgpt-export-address {{ color: #444; font-size: 0.9em;
  overflow-wrap: anywhere; }}
.microgpt-export-node {{ font-family: monospace; min-height: 1.3em; }}
.microgpt-viewer-legend svg {{ max-width: 100%; height: auto; }}
</style>
</head>
<body>
<div class="microgpt-export-graph"></div>
<script type="application/json" id="microgpt-export-data">{data}</script>
<script>
{viewer}
(function () {{
  const data = JSON.parse(document.getElementById("microgpt-export-data").textContent);
  const host = document.querySelector(".microgpt-export-graph");
  const info = document.createElement("div");
  info.className = "microgpt-export-node";
  const viewer = microgptViewer(host, {{
    onNodeClick: (id) => {{
      viewer.select(id);
      const g = viewer.svg.querySelector('g.node[data-id="' + CSS.escape(id) + '"]');
      const d = (g && g.dataset) || {{}};
      const numbers =
        d.kind === "value" ? "  data " + d.data + "  grad " + d.grad
        : d.kind === "group" ? "  |grad| " + d.grad
        : "";
      info.textContent = id + numbers;
    }},
  }});
  const line = (cls, text) => {{
    const div = document.createElement("div");
    div.className = cls;
    div.textContent = text;
    return div;
  }};
  viewer.header.append(line("microgpt-viewer-title", data.title));
  for (const note of data.notes) viewer.header.append(line("microgpt-viewer-notes", note));
  viewer.header.append(line("microgpt-export-address", data.address), info);
  const legend = line("microgpt-viewer-legend", "");
  legend.innerHTML = data.legend;
  viewer.footer.append(legend);
  viewer.setSvg(data.svg);
}})();
</script>
</body>
</html>
"""


def to_html(view: GraphView, fp=None) -> str:
    """One self-contained page: the viewer with the picture, its title, notes and legend;
    given the view's ``ForwardPass``, also the player of its backward pass
    (``explorer.playback``), which plays in the page with no kernel."""
    lay = layout.layout(view)
    title, *notes = svg.header_lines(view)
    data = {
        "title": title,
        "notes": notes,
        "address": view.address or "",
        "legend": svg.legend_svg(view, lay.scales),
        "svg": svg.canvas_svg(view, lay, backward_json(fp, view) if fp is not None else None),
    }
    # inside <script>, "</script" or "<!--" would change how the page parses: no "<" at all
    text = json.dumps(data, ensure_ascii=False).replace("<", "\\u003c")
    return _PAGE.format(
        title=html.escape(view.title),
        data=text,
        viewer=viewer_script(),
    )


def write_view(view: GraphView, path: str | os.PathLike, fp=None, force: bool = False) -> Path:
    """Write ``view`` to ``path``; the extension picks the format (``.html`` included, with
    the backward player when the view's ``ForwardPass`` ``fp`` is given). An existing file is
    replaced only if it is a view this package wrote, or with ``force=True`` (never the
    package's model or dataset, nor the checkpoint ``fp`` was read from). Checked before any
    work; written atomically."""
    source = getattr(getattr(fp, "source", None), "path", None)
    inputs = [("checkpoint", source)] if isinstance(source, (str, os.PathLike)) else []
    path = render.check_path(path, EXPORT_FORMATS, force, inputs)
    if path.suffix.lower() != ".html":
        return render.write(view, path, force=True)  # checked above, with the pass's inputs
    return files.write_atomically(path, to_html(view, fp).encode("utf-8"), "picture")
