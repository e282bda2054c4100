"""``microgpt graph``: one forward pass, one view, one file. Called by ``microgpt.cli``.

With ``--compare-step S`` or ``--compare-doc NAME`` a second pass (``b``) is recorded and the
view of the first (``a``) is drawn as a diff (``explorer.compare``): every node present in both
carries b's data and grad, coloured by the difference.
"""

from __future__ import annotations

import time

from microgpt.errors import MicrogptError

from .compare import Comparison, diff_view
from .export import EXPORT_FORMATS, write_view
from .forward import ForwardPass, ModelSource
from .style import fmt
from .views import build_view

__all__ = ["run_graph"]


def run_graph(args) -> str:
    """Build the view ``args`` asks for, write it to ``args.out``; return the summary line
    ``trace N nodes | drawn M nodes | S.SS s`` (and both roots when comparing)."""
    start = time.perf_counter()
    if not any(args.out.lower().endswith(ext) for ext in EXPORT_FORMATS):
        raise MicrogptError(
            f"cannot write {args.out!r}: give --out a file ending in one of "
            f"{', '.join(EXPORT_FORMATS)}"
        )
    source = ModelSource(args.checkpoint)
    compare_step = getattr(args, "compare_step", None)
    compare_doc = getattr(args, "compare_doc", None)
    if compare_step is not None:
        try:
            source.check_step(compare_step)
        except MicrogptError as e:
            raise MicrogptError(f"--compare-step {compare_step}: {e}") from None
    train_step = getattr(args, "train_step", None)
    if train_step is not None:
        if args.doc is not None or args.step is not None:
            raise MicrogptError(
                "--train-step K implies the document and the weights (those before step K's "
                "update): leave --doc and --step out"
            )
        fp = ForwardPass.of_train_step(train_step, source, args.root)
    elif args.doc is None:
        raise MicrogptError(
            "which forward pass? give --doc NAME (e.g. --doc emma), or --train-step K for the "
            "pass of training step K"
        )
    else:
        fp = ForwardPass(args.doc, args.root, source, args.step)
    options = dict(
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
    view = build_view(fp, args.view, **options)
    roots = ""
    if compare_step is not None or compare_doc is not None:
        step_b = compare_step if compare_step is not None else fp.step
        fp_b = ForwardPass(compare_doc if compare_doc is not None else fp.doc, args.root,
                           source, step_b)  # fmt: skip
        try:  # the same view of b, for the groups an overview draws
            view_b = build_view(fp_b, args.view, **options)
        except MicrogptError:
            view_b = None
        comparison = Comparison(fp, fp_b)
        view = diff_view(view, comparison, getattr(args, "compare_by", "grad"), view_b)
        a, b = comparison.root_values()
        roots = f" | root {fmt(a)} (a) → {fmt(b)} (b)"
    # an .html page of one pass also plays backward (a diff picture shows two passes: no player)
    write_view(view, args.out, fp=None if roots else fp)
    seconds = time.perf_counter() - start
    what = f"step {train_step}: {fp.doc!r} | " if train_step is not None else ""
    line = f"{what}trace {len(fp.trace)} nodes | drawn {view.drawn} nodes | {seconds:.2f} s{roots}"
    return " | ".join([line, *fp.notes])  # e.g. the document was cut to the context
