"""The graph viewer's script: plain JavaScript, no dependencies, nothing to build.

Part of the explorer's renderers layer. The viewer is written in parts, one subject each, beside
this file (``core.js``: the host, its state and API; ``panzoom.js``; ``selection.js``;
``minimap.js``; ``player.js``: backward, played; ``picture.js``; ``style.js``; ``colours.js``).
``viewer_script`` joins them, in the fixed order of ``PARTS``, into the one script that the
widgets (``explorer.widgets.front``) and the exported HTML (``explorer.export``) inline: the
wheel ships the parts and users need no build step. Each part holds only comments and
function declarations at top level, so the joined script may be inlined twice into one page.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["PARTS", "viewer_script"]

#: The parts, in the order they are joined (core.js first: its header describes the whole).
PARTS = (
    "core.js",
    "panzoom.js",
    "selection.js",
    "minimap.js",
    "player.js",
    "picture.js",
    "style.js",
    "colours.js",
)


def viewer_script() -> str:
    """The viewer's one script: its parts joined in the order of ``PARTS``."""
    here = Path(__file__).resolve().parent
    return "\n".join((here / part).read_text(encoding="utf-8") for part in PARTS)
