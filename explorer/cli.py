"""``microgpt graph``: one forward pass, one view, one file. Called by ``microgpt.cli``.

With ``--compare-step S`` or ``--compare-doc NAME`` a second pass (``b``) is recorded and the
view of the first (``a``) is drawn as a diff (``explorer.compare``): every node present in both
carries b's data and grad, coloured by the difference.

Nothing hangs and nothing is lost: ``--out`` is checked before any work (never the checkpoint
read, the package's model or dataset, nor a file microgpt did not write without ``--force``),
and a picture whose layout would take over ``layout.MAX_LAYOUT_SECONDS`` on the engine in use
is drawn with a lower node budget (folded further), saying so in its notes.
"""

from __future__ import annotations

import shutil
import time

from microgpt.checkpoint import shipped_checkpoint_path
from microgpt.errors import MicrogptError

from . import layout
from .compare import Comparison, diff_view
from .export import EXPORT_FORMATS, write_view
from .forward import ForwardPass, ModelSource
from .render import check_path
from .style import fmt
from .views import build_view

__all__ = ["run_graph", "within_layout_time"]

_LOWERED = "budget lowered"  # the note of a view folded to lay out in time


def run_graph(args) -> str:
    """Build the view ``args`` asks for, write it to ``args.out``; return the summary line
    ``trace N nodes | drawn M nodes | S.SS s`` (and both roots when comparing)."""
    start = time.perf_counter()
    force = bool(getattr(args, "force", False))
    read = args.checkpoint if args.checkpoint is not None else shipped_checkpoint_path()
    check_path(args.out, EXPORT_FORMATS, force, [("--checkpoint", read)], what="--out")
    engine = _engine(args.out)  # before any work: a PNG without dot is refused now
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
        pos=args.pos,
        head=args.head,
        scope=args.scope,
        pattern=args.pattern,
        depth=args.depth,
        source=args.source,
        top=args.top,
        node=args.node,
    )

    comparison = None
    if compare_step is not None or compare_doc is not None:
        step_b = compare_step if compare_step is not None else fp.step
        fp_b = ForwardPass(compare_doc if compare_doc is not None else fp.doc, args.root,
                           source, step_b)  # fmt: skip
        comparison = Comparison(fp, fp_b)

    def draw(budget: int):
        """The view (a diff of two passes when comparing) within ``budget`` drawn nodes."""
        view = build_view(fp, args.view, **{**options, "budget": budget})
        if comparison is None:
            return view, ""
        try:  # the same view of b, for the groups an overview draws
            view_b = build_view(comparison.b, args.view, **{**options, "budget": budget})
        except MicrogptError:
            view_b = None
        view = diff_view(view, comparison, getattr(args, "compare_by", "grad"), view_b)
        a, b = comparison.root_values()
        return view, f" | root {fmt(a)} (a) → {fmt(b)} (b)"

    view, roots = within_layout_time(draw, args.budget, engine)
    # an .html page of one pass also plays backward (a diff picture shows two passes: no player)
    write_view(view, args.out, fp=None if roots else fp, force=force)
    seconds = time.perf_counter() - start
    what = f"step {train_step}: {fp.doc!r} | " if train_step is not None else ""
    line = f"{what}trace {len(fp.trace)} nodes | drawn {view.drawn} nodes | {seconds:.2f} s{roots}"
    folded = [n for n in view.notes if n.startswith(_LOWERED)]
    return " | ".join([line, *folded, *fp.notes])  # e.g. the document was cut to the context


def _engine(out: str) -> str | None:
    """What lays ``out`` out: ``dot`` for a PNG, the SVG engine for .svg and .html, nothing
    for .json, .txt and .dot (they need no layout)."""
    ext = out.lower().rsplit(".", 1)[-1]
    if ext == "png":
        if not shutil.which("dot"):
            raise MicrogptError(
                "PNG output needs the `dot` executable (apt-get install graphviz); without it, "
                "write .svg or .html instead"
            )
        return "dot"
    return layout.svg_backend() if ext in ("svg", "html") else None


def within_layout_time(draw, budget: int, engine: str | None, tries: int = 4):
    """``draw(budget)`` (a ``(view, extra)`` pair), drawn again with a lower budget while
    laying it out with ``engine`` would take over ``layout.MAX_LAYOUT_SECONDS``; the view's
    notes say so. A view that cannot be folded enough is refused with the numbers."""
    view, extra = draw(budget)
    if engine is None:
        return view, extra
    first_nodes, first_seconds = len(view.nodes), layout.layout_seconds(view, engine)
    asked = budget
    for _ in range(tries):
        if layout.layout_seconds(view, engine) <= layout.MAX_LAYOUT_SECONDS:
            break
        lower = min(len(view.nodes) - 1, int(0.9 * layout.nodes_within(view, engine)))
        if lower < 1 or lower >= budget:
            break
        try:
            folded, extra_folded = draw(lower)
        except MicrogptError:  # not even the coarsest level fits so few nodes
            break
        if len(folded.nodes) >= len(view.nodes):
            break
        view, extra, budget = folded, extra_folded, lower
    layout.check_layout_time(view, engine)  # still too slow: refused, with the numbers
    if budget != asked:
        view.notes.insert(
            0,
            f"{_LOWERED} from {asked:,} to {budget:,} nodes: the {first_nodes:,} nodes of the "
            f"view would take about {first_seconds:,.0f} s to lay out with {engine} (the limit "
            f"is {layout.MAX_LAYOUT_SECONDS:g} s); .json, .txt and .dot keep them all",
        )
    return view, extra
