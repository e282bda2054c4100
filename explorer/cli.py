"""``microgpt graph``: one forward pass, one view, one file. Called by ``microgpt.cli``."""

from __future__ import annotations

import time

from microgpt.errors import MicrogptError

from .export import EXPORT_FORMATS, write_view
from .forward import ForwardPass
from .views import build_view

__all__ = ["run_graph"]


def run_graph(args) -> str:
    """Build the view ``args`` asks for, write it to ``args.out``; return the summary line
    ``trace N nodes | drawn M nodes | S.SS s``."""
    start = time.perf_counter()
    if not any(args.out.lower().endswith(ext) for ext in EXPORT_FORMATS):
        raise MicrogptError(
            f"cannot write {args.out!r}: give --out a file ending in one of "
            f"{', '.join(EXPORT_FORMATS)}"
        )
    fp = ForwardPass(args.doc, args.root, args.checkpoint, args.step)
    view = build_view(
        fp,
        args.view,
        budget=args.budget,
        pos=args.pos,
        head=args.head,
        scope=args.scope,
        pattern=args.pattern,
        depth=args.depth,
        source=args.source,
        top=args.top,
        node=args.node,
    )
    write_view(view, args.out, fp=fp)  # an .html page also plays backward
    seconds = time.perf_counter() - start
    return f"trace {len(fp.trace)} nodes | drawn {view.drawn} nodes | {seconds:.2f} s"
