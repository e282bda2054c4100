"""Benchmark comparing two passes (``explorer.compare``), goal: a compare view <= 1.5 s.

A compare view is two recorded passes (trace + backward each), their pairing and the diff
picture drawn to SVG. Prints medians (min) over ``--repeat`` runs of:
- a compare view from nothing: "emma" at the final step vs at step 100, the overview and the
  same overview of b (groups compared), paired and drawn: goal <= 1.5 s;
- the same for "christopher" (the graph twice as large);
- one head's scope view at position 2 of "emma" as a diff, from cached passes;
- the ``CompareView`` widget's reaction to a new step b (pass b, charts, diff picture).

Run from the repository root: ``.venv/bin/python bench/bench_compare.py``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

from explorer import ForwardPass, ModelSource, overview, scope_view
from explorer.compare import Comparison, diff_view
from explorer.svg import to_svg


def timed(fn, repeat: int) -> tuple[float, float]:
    times = []
    for k in range(repeat):
        start = time.perf_counter()
        fn(k)
        times.append(time.perf_counter() - start)
    return statistics.median(times), min(times)


def report(what: str, goal: float | None, med: float, best: float) -> None:
    verdict = "" if goal is None else (
        f"  goal <= {goal * 1000:.0f} ms: {'met' if med <= goal else 'MISSED'}"
    )  # fmt: skip
    print(f"  {what:<58} {med * 1000:7.0f} ms {best * 1000:7.0f} ms{verdict}")


def compare_view(source: ModelSource, doc: str, step_b: int) -> str:
    a = ForwardPass(doc, source=source)
    b = ForwardPass(doc, source=source, step=step_b)
    view = diff_view(overview(a), Comparison(a, b), "grad", overview(b))
    return to_svg(view)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5, help="runs per figure (5)")
    args = parser.parse_args()
    source = ModelSource()
    print(f"load average {os.getloadavg()[0]:.2f} · median and min of {args.repeat} runs")
    for doc, goal in (("emma", 1.5), ("christopher", None)):
        med, best = timed(lambda k, d=doc: compare_view(source, d, 100), args.repeat)
        report(f"compare view: {doc!r} @1000 vs @100 (2 passes + overview)", goal, med, best)
    a = ForwardPass("emma", source=source)
    b = ForwardPass("emma", source=source, step=100)
    cmp = Comparison(a, b)
    cmp.match(0)  # pairing built once, as a widget keeps it
    head = "pos2.layer0.attn.head1"

    def head_diff(k):
        to_svg(diff_view(scope_view(a, head), cmp, "grad", scope_view(b, head)))

    report("head diff picture from cached passes", None, *timed(head_diff, args.repeat))
    try:
        from explorer.widgets import CompareView
    except ImportError:
        return
    w = CompareView()
    steps = [s for s in source.steps if s not in (w.step_a, w.step_b)]

    def new_step(k):
        w.step_b = steps[k % len(steps)]

    report("CompareView: a new step b (pass, charts, diff picture)", None,
           *timed(new_step, min(args.repeat, len(steps))))  # fmt: skip


if __name__ == "__main__":
    main()
