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
    train_step = getattr(args, "train_step", None)
    if train_step is not None:
        if args.doc is not None or args.step is not None:
            raise MicrogptError(
                "--train-step K implies the document and the weights (those before step K's "
                "update): leave --doc and --step out"
            )
        fp = ForwardPass.of_train_step(train_step, args.checkpoint, args.root)
    elif args.doc is None:
        raise MicrogptError(
            "which forward pass? give --doc NAME (e.g. --doc emma), or --train-step K for the "
            "pass of training step K"
        )
    else:
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
    write_view(view, args.out)
    seconds = time.perf_counter() - start
    what = f"step {train_step}: {fp.doc!r} | " if train_step is not None else ""
    return f"{what}trace {len(fp.trace)} nodes | drawn {view.drawn} nodes | {seconds:.2f} s"
