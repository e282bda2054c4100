"""Benchmark the widgets' reactions, driven from Python as a learner's clicks would be.

Prints medians (min) over ``--repeat`` runs for the goals of the widgets issue:
- a position change in the dashboard, from a cached pass (graph, attention and probabilities
  redrawn): goal <= 0.3 s;
- a node click (the inspector updates): goal <= 0.1 s;
- a new document (trace + backward + default view, and the linked views): goal <= 1.5 s.

Run from the repository root: ``.venv/bin/python bench/bench_widgets.py``.
"""

from __future__ import annotations

import argparse
import statistics
import time

from explorer.widgets import Dashboard


def timed(fn, repeat: int) -> tuple[float, float]:
    times = []
    for k in range(repeat):
        start = time.perf_counter()
        fn(k)
        times.append(time.perf_counter() - start)
    return statistics.median(times), min(times)


def report(what: str, goal: float, med: float, best: float) -> None:
    verdict = "met" if med <= goal else "MISSED"
    print(f"  {what:<52} {med * 1000:7.0f} ms {best * 1000:7.0f} ms  goal <= "
          f"{goal * 1000:.0f} ms: {verdict}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5, help="runs per figure (5)")
    args = parser.parse_args()
    d = Dashboard(doc="christopher")
    print(f"widgets benchmark: 'christopher' ({len(d.graph.fp.trace):,} nodes), {args.repeat} runs")
    print(f"  {'what':<52} {'median':>10} {'min':>10}")
    n = d.graph.fp.positions

    med, best = timed(lambda k: setattr(d, "pos", (d.pos + 1) % n), args.repeat)
    report("position change (overview view)", 0.3, med, best)
    d.graph.view = "position"
    med, best = timed(lambda k: setattr(d, "pos", (d.pos + 1) % n), args.repeat)
    report("position change (position view: graph re-rendered)", 0.3, med, best)

    names = [f"pos{p}.layer0.attn.head1.attn_weights[k=0]" for p in range(n)]

    def click(k: int) -> None:
        d.graph.graph.clicked = names[k % n]
        d.graph.graph.clicks += 1

    med, best = timed(click, args.repeat)
    report("node click -> inspector", 0.1, med, best)

    docs = ["emmanuel", "sophia", "alexander", "isabella", "benjamin", "charlotte", "oliver"]
    med, best = timed(lambda k: setattr(d, "doc", docs[k % len(docs)]), args.repeat)
    report("new document (pass + views)", 1.5, med, best)


if __name__ == "__main__":
    main()
