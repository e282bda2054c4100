"""The explorer's commands: ``microgpt graph``, ``serve`` and ``lessons``.

``microgpt.cli`` never imports this package: it finds ``add_commands`` through the
``microgpt.commands`` entry point (``pyproject.toml``) and calls it only when the command run
is not one of its own (``train``, ``sample``), or ``--help`` lists them all.

``microgpt graph``: one forward pass, one view, one file.

With ``--compare-step S`` or ``--compare-doc NAME`` a second pass (``b``) is recorded and the
view of the first (``a``) is drawn as a diff (``explorer.compare``): every node present in both
carries b's data and grad, coloured by the difference.

Nothing hangs and nothing is lost: ``--out`` is checked before any work (never the checkpoint
read, the package's model or dataset, nor a file microgpt did not write without ``--force``),
and a picture whose layout would take over ``layout.MAX_LAYOUT_SECONDS`` on the engine in use
is drawn with a lower node budget (folded further), saying so in its notes.
"""

from __future__ import annotations

import shlex
import shutil
import time

from microgpt.checkpoint import shipped_checkpoint_path
from microgpt.cli import FORCE_HELP, non_negative_int, positive_int
from microgpt.errors import MicrogptError
from microgpt.validate import MAX_CHECKPOINT_BYTES, check_input_file, check_output_path

from . import layout, serve
from .compare import Comparison, diff_view
from .export import EXPORT_FORMATS, write_view
from .forward import ForwardPass, ModelSource
from .lessons import lesson_files, write_lessons
from .render import check_path
from .style import fmt
from .view_files import is_view_file
from .views import build_view

__all__ = ["add_commands", "add_graph", "add_lessons", "add_serve", "run_graph"]
__all__ += ["within_layout_time"]

_LOWERED = "budget lowered"  # the note of a view folded to lay out in time


# -- the parsers (the microgpt.commands entry point) -----------------------------------------
_GRAPH_HELP = "draw the computation graph of one forward pass (SVG, HTML, PNG, DOT, JSON, text)"
_GRAPH_DESCRIPTION = (
    "Run the model on one document under a trace, back-propagate from the root "
    "and write one view of the recorded graph. The output file's extension picks the "
    "format: .svg .html (with the pan/zoom viewer) .png .dot .json .txt. Every view stays "
    "within --budget drawn nodes, folding what does not fit and saying so."
)

_SERVE_HELP = "serve the classroom dashboard to a class as a Voilà app (pip install '.[voila]')"
_SERVE_DESCRIPTION = (
    "Serve notebooks/classroom_dashboard.ipynb with Voilà: one kernel per "
    "student's tab (about 125 MB of its own, 150 MB after a long name such as "
    "christopher), kernels pre-started, closed tabs' kernels freed. Prints the address to "
    "hand out; Ctrl-C stops."
)

_LESSONS_HELP = "write the lessons (JupyterLab notebooks) into a folder to open them"
_LESSONS_DESCRIPTION = (
    "Write the lessons the package holds (00_tour … 09, the classroom "
    "dashboard) into DIR, then open them with `jupyter lab DIR`. A lesson already there "
    "that differs from the shipped one (your edits) is kept unless --force; equal copies "
    "are left as they are."
)


def add_commands(sub) -> None:
    """Add ``graph``, ``serve`` and ``lessons`` to ``microgpt``'s subparsers ``sub`` (the
    ``microgpt.commands`` entry point), in the order ``--help`` lists them."""
    add_graph(sub)
    add_serve(sub)
    add_lessons(sub)


def add_graph(sub) -> None:
    """``microgpt graph``."""
    g = sub.add_parser("graph", help=_GRAPH_HELP, description=_GRAPH_DESCRIPTION)
    _graph_pass_options(g)
    _graph_view_options(g)
    g.add_argument(
        "--out", required=True, metavar="FILE", help="output: .svg .html .png .dot .json .txt"
    )
    _graph_compare_options(g)
    g.add_argument("--force", action="store_true", help=FORCE_HELP)
    g.set_defaults(func=_cmd_graph)


def _graph_pass_options(g) -> None:
    """Which forward pass: the checkpoint, the step, the document, the root."""
    g.add_argument("--checkpoint", metavar="C", help="checkpoint (default: the shipped one)")
    g.add_argument(
        "--step", type=int, help="use the weights after this many training steps (default: all)"
    )
    g.add_argument("--doc", metavar="NAME", help="the document, e.g. emma")
    g.add_argument(
        "--train-step",
        type=positive_int,
        metavar="K",
        help="the forward pass of training step K: the document the run trained on at step K, "
        "with the weights before that step's update (replayed from the snapshot before it; "
        "implies the document, so leave --doc and --step out)",
    )
    g.add_argument("--pos", type=int, help="a position (slice; default source of --view path)")
    g.add_argument(
        "--root", default="loss", help="loss (the mean), loss@T (position T's), or a node name"
    )


def _graph_view_options(g) -> None:
    """Which view of the pass, and what it holds."""
    g.add_argument(
        "--view",
        default="overview",
        choices=("overview", "model", "scope", "path", "node", "full"),
        help="overview (default): collapsed by scope; model: the tensors of gpt() at --pos "
        "(default: the last position) with their data and grads; scope: zoom into --scope; "
        "path: the "
        "gradient path from --source; node: one node's chain rule; full: every scalar node",
    )
    g.add_argument("--scope", metavar="PREFIX", help="e.g. pos2.layer0.attn.head1")
    g.add_argument("--depth", type=positive_int, help="overview: scope depth (default 2)")
    g.add_argument("--head", type=int, help="slice: one attention head")
    g.add_argument("--pattern", help="slice: names matching a glob, e.g. 'pos3.*.attn_weights[*]'")
    g.add_argument(
        "--source",
        metavar="NAME",
        help="path view: a node name, pattern or parameter row such as wte[e] "
        "(default: the embedding row of the token at --pos)",
    )
    g.add_argument("--node", metavar="NAME", help="node view: the node's name or #id")
    g.add_argument("--top", type=positive_int, default=40, help="path view: nodes drawn (40)")
    g.add_argument(
        "--budget", type=positive_int, default=1000, help="most nodes drawn (default 1000)"
    )


def _graph_compare_options(g) -> None:
    """A second pass to compare with."""
    compare = g.add_mutually_exclusive_group()
    compare.add_argument(
        "--compare-step",
        type=int,
        metavar="S",
        help="compare with the same document after S training steps: nodes show both passes' "
        "numbers, coloured by their difference",
    )
    compare.add_argument(
        "--compare-doc", metavar="NAME", help="compare with another document (same weights)"
    )
    g.add_argument(
        "--compare-by",
        choices=("grad", "data"),
        default="grad",
        help="with --compare-*: colour nodes by Δgrad (default) or Δdata",
    )


def add_serve(sub) -> None:
    """``microgpt serve``."""
    v = sub.add_parser("serve", help=_SERVE_HELP, description=_SERVE_DESCRIPTION)
    v.add_argument(
        "--host",
        default="0.0.0.0",
        help="interface: 0.0.0.0 (default) for the network, 127.0.0.1 for this machine only",
    )
    v.add_argument("--port", type=int, default=8866, help="port (default 8866)")
    v.add_argument(
        "--pool",
        type=non_negative_int,
        default=2,
        help="kernels kept started "
        "with the dashboard already run (default 2; set it to the class size): each holds "
        "~125 MB and took ~3 CPU-s to warm up; a student who finds none waits for a kernel "
        "start and a run (~3 s alone, more in a burst); taken kernels are replaced one "
        "every 4 s; 0 turns it off",
    )
    v.add_argument(
        "--cull-idle",
        type=positive_int,
        default=120,
        metavar="S",
        help="stop a "
        "kernel with no tab open after S idle seconds (default 120): a tab that "
        "closes cleanly frees its kernel at once; a lost one holds ~125-150 MB "
        "until then; open tabs, and pages still loading, are never stopped",
    )
    v.add_argument(
        "--iopub-timeout",
        type=positive_int,
        default=60,
        metavar="S",
        help="wait "
        "up to S seconds for the dashboard's output (default 60; Voilà's 4 left "
        "pages blank when 20 opened at once); costs nothing when the server keeps "
        "up",
    )
    v.add_argument(
        "--notebook",
        metavar="PATH",
        help="the notebook to serve (default: the "
        "classroom dashboard the package holds, the one `microgpt lessons` writes out)",
    )
    v.set_defaults(func=_cmd_serve)


def add_lessons(sub) -> None:
    """``microgpt lessons``."""
    n = sub.add_parser("lessons", help=_LESSONS_HELP, description=_LESSONS_DESCRIPTION)
    n.add_argument("dir", nargs="?", default="lessons", metavar="DIR",
                   help="the folder (default ./lessons; created if its parent exists)")  # fmt: skip
    n.add_argument(
        "--force", action="store_true", help="replace lessons in DIR that you have changed"
    )
    n.set_defaults(func=_cmd_lessons)


# -- graph -------------------------------------------------------------------------------
def _cmd_graph(args) -> int:
    shipped = "--checkpoint (the shipped model, read by default)"
    check_output_path(
        args.out,
        inputs=[
            ("--checkpoint", args.checkpoint)
            if args.checkpoint is not None
            else (shipped, shipped_checkpoint_path())
        ],
        force=args.force,
        replaceable=is_view_file,
        kind="view",
    )
    if args.checkpoint is not None:
        check_input_file(args.checkpoint, "checkpoint", MAX_CHECKPOINT_BYTES)
    line = run_graph(args)
    print(line)
    return 0


# -- serve -------------------------------------------------------------------------------
def _cmd_serve(args) -> int:
    # Voilà loads only here (explorer.serve imports it when it serves)
    checked = serve.plan(args.host, args.port, args.pool, args.cull_idle, args.iopub_timeout,
                   args.notebook)  # fmt: skip
    print("\n".join(checked.lines()), flush=True)
    return serve.serve(checked)


# -- lessons -----------------------------------------------------------------------------
def _cmd_lessons(args) -> int:
    written = write_lessons(args.dir, force=args.force)
    total = len(lesson_files())
    kept = total - len(written)
    print(
        f"wrote {len(written)} of {total} lesson files into {args.dir}"
        + (f" ({kept} already there, unchanged)" if kept else "")
        + f"; open them with: jupyter lab {shlex.quote(str(args.dir))}"
    )
    return 0


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
    fp = _first_pass(args, source, train_step)
    comparison = None
    if compare_step is not None or compare_doc is not None:
        step_b = compare_step if compare_step is not None else fp.step
        fp_b = ForwardPass(compare_doc if compare_doc is not None else fp.doc, args.root,
                           source, step_b)  # fmt: skip
        comparison = Comparison(fp, fp_b)
    draw = _drawer(args, fp, comparison)
    view, roots = within_layout_time(draw, args.budget, engine)
    # an .html page of one pass also plays backward (a diff picture shows two passes: no player)
    write_view(view, args.out, fp=None if roots else fp, force=force)
    seconds = time.perf_counter() - start
    what = f"step {train_step}: {fp.doc!r} | " if train_step is not None else ""
    line = f"{what}trace {len(fp.trace)} nodes | drawn {view.drawn} nodes | {seconds:.2f} s{roots}"
    folded = [n for n in view.notes if n.startswith(_LOWERED)]
    return " | ".join([line, *folded, *fp.notes])  # e.g. the document was cut to the context


def _first_pass(args, source: ModelSource, train_step: int | None) -> ForwardPass:
    """The pass ``args`` asks for: of ``--train-step K``, or of ``--doc`` at ``--step``."""
    if train_step is not None:
        if args.doc is not None or args.step is not None:
            raise MicrogptError(
                "--train-step K implies the document and the weights (those before step K's "
                "update): leave --doc and --step out"
            )
        return ForwardPass.of_train_step(train_step, source, args.root)
    if args.doc is None:
        raise MicrogptError(
            "which forward pass? give --doc NAME (e.g. --doc emma), or --train-step K for the "
            "pass of training step K"
        )
    return ForwardPass(args.doc, args.root, source, args.step)


def _drawer(args, fp: ForwardPass, comparison: Comparison | None):
    """``draw(budget)``: the view ``args`` asks for (a diff of two passes when comparing)
    within ``budget`` drawn nodes, and the extra words of the summary line."""
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

    def draw(budget: int):
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

    return draw


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
