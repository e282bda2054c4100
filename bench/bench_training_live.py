"""Live training in the widget: steps a second and redraws a second, unthrottled and throttled.

Headless: a ``TrainingView`` is made in Python and trains the bundled names in its worker
thread, while this script's main thread runs an asyncio loop standing in for the kernel's (the
view asks that loop to redraw, as it asks the kernel's). Counted: the steps done, the redraws
(loss curve, embeddings and gradient norms: one redraw draws all three), the time each redraw
took, and the longest gap between two redraws while training.

Targets (issue 21): unthrottled, >= 100 steps/s with the views redrawn >= 2 times a second.
For comparison, the same number of steps on the ``Value`` engine (``Run.train_step``) and on
floats with no widget (``Run.steps_on_floats``).

    .venv/bin/python bench/bench_training_live.py [--steps 1000] [--engine-steps 20]
"""

from __future__ import annotations

import argparse
import asyncio
import time

from explorer.widgets import TrainingView, training
from microgpt.data import load_docs
from microgpt.train import Hyperparams, Run


def live(steps: int, steps_per_second: float | None) -> dict:
    """Train ``steps`` steps in a view at that pace, on a loop of this thread's; the figures."""
    view = TrainingView(steps=steps, steps_per_second=steps_per_second)
    draws: list[tuple[float, float]] = []  # (start, end) of each redraw
    draw = view._draw

    def timed_draw(state):
        start = time.perf_counter()
        draw(state)
        draws.append((start, time.perf_counter()))

    view._draw = timed_draw

    async def main() -> float:
        training._kernel_loop = asyncio.get_running_loop  # the view's loop: this one
        start = time.perf_counter()
        assert view.train()
        while view.running:
            await asyncio.sleep(0.05)  # the loop waits; its callbacks still run at once
        return time.perf_counter() - start

    seconds = asyncio.run(main())
    assert view.run.step == steps, view._info.value
    during = [d for d in draws if d[1] - draws[0][0] < seconds]
    starts = [d[0] for d in during]
    gaps = [b - a for a, b in zip(starts, starts[1:])]
    return {
        "seconds": seconds,
        "steps_per_s": steps / seconds,
        "redraws": len(draws),
        "redraws_per_s": len(draws) / seconds,
        "draw_ms": 1000 * sum(e - s for s, e in draws) / max(1, len(draws)),
        "max_gap_s": max(gaps, default=float("nan")),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--engine-steps", type=int, default=20)
    args = parser.parse_args()
    docs = load_docs()
    hp = Hyperparams(num_steps=args.steps, snapshot_every=max(1, args.steps // 10))

    run = Run.start(docs, hp)
    start = time.perf_counter()
    for _ in range(args.engine_steps):
        run.train_step()
    engine = args.engine_steps / (time.perf_counter() - start)

    run = Run.start(docs, hp)
    start = time.perf_counter()
    run.steps_on_floats([run.docs[k % len(run.docs)] for k in range(args.steps)])
    floats = args.steps / (time.perf_counter() - start)

    run = Run.start(docs, hp)
    start = time.perf_counter()
    for k in range(args.steps):  # one call a step, as the widget steps (it can stop between)
        run.steps_on_floats([run.docs[k % len(run.docs)]])
    floats_one = args.steps / (time.perf_counter() - start)

    print(f"{args.steps} steps of the default model on the bundled names")
    print(f"  Value engine, no widget ({args.engine_steps} steps): {engine:7.1f} steps/s")
    print(f"  floats, no widget, one call:              {floats:7.1f} steps/s")
    print(f"  floats, no widget, one call a step:       {floats_one:7.1f} steps/s")
    for pace in (None, 100.0, 20.0):
        steps = args.steps if pace is None else min(args.steps, int(pace * 3))
        r = live(steps, pace)
        name = "unthrottled" if pace is None else f"at most {pace:g}/s"
        print(
            f"  widget, {name:<12} {steps:5d} steps in {r['seconds']:5.2f} s: "
            f"{r['steps_per_s']:7.1f} steps/s ({r['steps_per_s'] / engine:5.1f}x the engine, "
            f"{r['steps_per_s'] / floats_one:4.2f}x floats), "
            f"{r['redraws']} redraws = {r['redraws_per_s']:.2f}/s, "
            f"{r['draw_ms']:.0f} ms each, longest gap {r['max_gap_s']:.2f} s"
        )
    print("targets unthrottled: >= 100 steps/s, >= 2 redraws/s")


if __name__ == "__main__":
    main()
