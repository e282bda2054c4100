"""The files the explorer writes, recognised by how they begin: only such a file is replaced
without ``--force`` (``microgpt.validate.check_output_path`` takes ``is_view_file`` as its
``replaceable`` test; ``microgpt`` itself knows no view format).

Sits with the writers (``render`` marks each PNG with ``PNG_VIEW_TEXT``; ``export``, ``cli``,
``pictures`` and the graph widget pass ``is_view_file``). Standard library only.
"""

from __future__ import annotations

import re
from pathlib import Path

from microgpt.validate import file_head

__all__ = ["PNG_VIEW_TEXT", "is_view_file"]

#: The chunk every PNG view carries right after its header (``explorer.render`` adds it to the
#: PNG ``dot`` draws): a ``tEXt`` chunk, keyword ``Software``. PNGs written by anything else
#: (a photo, a plot, graphviz itself) do not have it.
PNG_VIEW_TEXT = b"Software\x00microgpt graph"
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_PNG_TEXT_AT = 8 + 25  # the signature, then IHDR: length, type, 13 bytes of data, CRC


def _png_view(head: bytes) -> bool:
    at = _PNG_TEXT_AT
    return (
        head.startswith(_PNG_SIGNATURE)
        and head[12:16] == b"IHDR"
        and head[at + 4 : at + 8] == b"tEXt"
        and head[at + 8 : at + 8 + len(PNG_VIEW_TEXT)] == PNG_VIEW_TEXT
    )


#: How each format ``microgpt graph`` writes begins (after an XML or DOCTYPE line): a JSON view
#: starts with its kind, then its title and address; the text form's second line is its address.
_VIEW_MARKS = {
    ".svg": lambda h: re.search(rb"<svg\b[^>]* data-layout=", h) is not None,
    ".html": lambda h: (
        h.lstrip().startswith(b"<!DOCTYPE html>") and b'id="microgpt-export-data"' in h
    ),
    ".dot": lambda h: h.startswith(b"digraph microgpt {"),
    ".json": lambda h: (
        re.match(rb'\{\s*"kind": "[a-z]+",\s*"title": ', h) is not None
        and re.search(rb'\n "address": ', h) is not None
    ),
    ".txt": lambda h: re.match(rb"[^\n]*\naddress: [^\n]*\ntrace_nodes: ", h) is not None,
    ".png": _png_view,
}


def is_view_file(path: Path) -> bool:
    """Whether ``path`` is a view ``microgpt graph`` (or ``explorer``'s exports) wrote, in the
    format of its extension: only such a file is replaced without ``--force``."""
    looks = _VIEW_MARKS.get(path.suffix.lower())
    return looks is not None and bool(looks(file_head(path, 64 * 1024)))
