"""Live training in the widget: steps a second and redraws a second, unthrottled and throttled.

Headless: a ``TrainingView`` is made in Python and trains the bundled names in its worker
thread, while this script's main thread runs an asyncio loop standing in for the kernel's (the
view asks that loop to redraw, as it asks the kernel's). Counted: the steps done, the redraws
(loss curve, embeddings and gradient norms: one redraw draws all three), the time each redraw
took, and the longest gap between two redraws while training.

Targets (issue 21): unthrottled, >= 100 steps/s with the views redrawn >= 2 times a second.
For comparison, the same number of steps on the ``Value`` engine (``Run.train_step``) and on
floats with no widget (``Run.steps_on_floats``).

    .venv/bin/python bench/bench_training_live.py [--steps 1000] [--engine-steps 10] [--repeat 3]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
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

    cpu = time.process_time()
    seconds = asyncio.run(main())
    cpu = time.process_time() - cpu
    assert view.run.step == steps, view._info.value
    during = [d for d in draws if d[1] - draws[0][0] < seconds]
    starts = [d[0] for d in during]
    gaps = [b - a for a, b in zip(starts, starts[1:])]
    return {
        "seconds": seconds,
        "cpu_ms_per_step": 1000 * cpu / steps,
        "steps_per_s": steps / seconds,
        "redraws": len(draws),
        "redraws_per_s": len(draws) / seconds,
        "draw_ms": 1000 * sum(e - s for s, e in draws) / max(1, len(draws)),
        "max_gap_s": max(gaps, default=float("nan")),
    }


def floats_alone(docs: list[str], hp: Hyperparams) -> float:
    """Steps a second of ``Run.steps_on_floats``, one call a step as the widget makes them."""
    run = Run.start(docs, hp)
    start, cpu = time.perf_counter(), time.process_time()
    for k in range(hp.num_steps):
        run.steps_on_floats([run.docs[k % len(run.docs)]])
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    return {"steps_per_s": hp.num_steps / seconds, "cpu_ms_per_step": 1000 * cpu / hp.num_steps}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--engine-steps", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=3, help="paired runs, median reported")
    args = parser.parse_args()
    docs = load_docs()
    hp = Hyperparams(num_steps=args.steps, snapshot_every=max(1, args.steps // 10))

    run = Run.start(docs, hp)
    start = time.perf_counter()
    for _ in range(args.engine_steps):
        run.train_step()
    engine = args.engine_steps / (time.perf_counter() - start)

    # floats alone and the widget, in pairs: the machine's load changes both alike
    pairs = [(floats_alone(docs, hp), live(args.steps, None)) for _ in range(args.repeat)]
    floats = statistics.median(f["steps_per_s"] for f, _ in pairs)
    widget = statistics.median(r["steps_per_s"] for _, r in pairs)
    redraws = statistics.median(r["redraws_per_s"] for _, r in pairs)
    ratio = statistics.median(r["steps_per_s"] / f["steps_per_s"] for f, r in pairs)
    # CPU time of the process: what a step costs whatever else the machine runs
    cpu_floats = statistics.median(f["cpu_ms_per_step"] for f, _ in pairs)
    cpu_widget = statistics.median(r["cpu_ms_per_step"] for _, r in pairs)

    print(f"{args.steps} steps of the default model on the bundled names (median of {args.repeat})")
    print(f"  Value engine, no widget ({args.engine_steps} steps): {engine:7.1f} steps/s")
    print(f"  floats, no widget (one call a step):      {floats:7.1f} steps/s")
    print(
        f"  widget, unthrottled:                      {widget:7.1f} steps/s "
        f"({widget / engine:.1f}x the engine, {ratio:.2f}x floats alone), "
        f"{redraws:.2f} redraws/s"
    )
    print(
        f"  CPU per step: floats alone {cpu_floats:.2f} ms, in the widget {cpu_widget:.2f} ms "
        f"({cpu_widget / cpu_floats:.2f}x): on an idle core the widget would make "
        f"{1000 / cpu_widget:.0f} steps/s"
    )
    for k, (_, r) in enumerate(pairs):
        print(
            f"    run {k + 1}: {r['seconds']:5.2f} s, {r['steps_per_s']:6.1f} steps/s, "
            f"{r['redraws']} redraws ({r['redraws_per_s']:.2f}/s), {r['draw_ms']:.1f} ms each, "
            f"longest gap {r['max_gap_s']:.2f} s"
        )
    for pace in (100.0, 20.0):
        steps = min(args.steps, int(pace * 3))
        r = live(steps, pace)
        print(
            f"  widget, at most {pace:g}/s: {steps} steps in {r['seconds']:5.2f} s = "
            f"{r['steps_per_s']:6.1f} steps/s, {r['redraws_per_s']:.2f} redraws/s, "
            f"{r['draw_ms']:.1f} ms each, longest gap {r['max_gap_s']:.2f} s"
        )
    ok = widget >= 100 and redraws >= 2
    print(f"targets unthrottled: >= 100 steps/s, >= 2 redraws/s: {'met' if ok else 'NOT met'}")


if __name__ == "__main__":
    main()
