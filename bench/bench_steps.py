"""Figures for "watch it learn": any training step's pass, one step by hand, snapshot spacing.

Prints, on the shipped model:
1. the forward pass of training step K (``ForwardPass.of_train_step``) from a fresh
   ``ModelSource``, for K whose replay is shortest (1), mid (537) and longest (1000: 99 steps
   replayed from the snapshot at 900); then K + 1 from the same source (one more step replayed);
2. ms per replayed step (the cost the snapshot spacing multiplies), on floats and, for
   comparison, on the Value engine; one step's loss and gradients for "christopher";
3. one training step by hand in the Dashboard's "one step" tab, every view redrawn
   (goal ≤ 0.5 s) and the ``StepLab.take`` alone;
4. what the snapshot spacing costs: checkpoint size and worst-case replay for a few spacings.

Goal for 1: ≤ 3 s. Timings depend on the machine's load (printed). Usage::

    .venv/bin/python bench/bench_steps.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time

from explorer import ForwardPass, ModelSource
from explorer.onestep import StepLab
from microgpt import Run
from microgpt.checkpoint import shipped_checkpoint_path
from microgpt.engine import gc_paused
from microgpt.floats import FloatGPT


def timed(fn, repeat: int) -> tuple[float, float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure (median shown)")
    args = parser.parse_args()
    print(f"load average: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    ckpt = ModelSource().ckpt
    spacing = ckpt.hyperparams.snapshot_every

    print("\n1. the forward pass of training step K (fresh source; then K+1, cached)")
    for k in (1, 537, 1000):
        replayed = (k - 1) % spacing
        med, low = timed(lambda k=k: ForwardPass.of_train_step(k, ModelSource()), args.repeat)
        print(f"   K={k:4d}: {replayed:2d} steps replayed  {med:6.2f} s (min {low:.2f}), goal 3 s")
    source = ModelSource()
    ForwardPass.of_train_step(537, source)
    med, low = timed(lambda: ForwardPass.of_train_step(538, source), 1)
    print(f"   K=538 after K=537 (one more step replayed): {med:.2f} s")

    print("\n2. one replayed training step (on floats, microgpt.floats; vs the Value engine)")
    source = ModelSource()
    source.run_at(500)
    start = time.perf_counter()
    source.run_at(520)
    per_step = (time.perf_counter() - start) / 20
    print(f"   {per_step * 1000:.1f} ms per step (20 steps from a kept run, steps 501-520)")
    docs = ckpt.step_docs[500:520]
    run = Run.replayed(ckpt, 500)
    start = time.perf_counter()
    for doc in docs:  # the same 20 steps through Run.train_step: graph, backward(), adam_move
        run.train_step(doc)
    value_step = (time.perf_counter() - start) / 20
    print(f"   {value_step * 1000:.0f} ms per step on the Value engine (train_step, same steps): "
          f"floats are {value_step / per_step:.0f}x faster")  # fmt: skip
    config = ckpt.config
    weights = [x for mat in ckpt.weights.values() for row in mat for x in row]
    tokens = Run.from_checkpoint(ckpt).tokenizer.encode_doc("christopher")
    floats = FloatGPT(config)
    med, low = timed(lambda: floats.loss_and_grads(weights, tokens), max(args.repeat, 5))
    model = Run.from_checkpoint(ckpt).model

    def value_pass():
        with gc_paused():  # as train_step runs it
            model.loss(tokens)[0].backward()

    v_med, v_low = timed(value_pass, args.repeat)
    print(f"   'christopher' (12 positions), loss and gradients: floats {med * 1000:.1f} ms "
          f"(min {low * 1000:.1f}), Value graph + backward {v_med * 1000:.0f} ms "
          f"(min {v_low * 1000:.0f}); goal for floats: 25 ms")  # fmt: skip

    print("\n3. one training step by hand")
    lab = StepLab(ModelSource(), 500)
    doc = lab.origin.ckpt.step_docs[500]
    med, low = timed(lambda: (lab.take(doc), lab.undo()), args.repeat)
    print(f"   StepLab.take + undo: {med * 1000:.0f} ms (min {low * 1000:.0f})")
    from explorer.widgets import Dashboard

    for tab, where in ((4, "on the one-step tab (where its button is)"),
                       (0, "with the attention tab shown instead")):  # fmt: skip
        dash = Dashboard("emma")
        dash._tabs.selected_index = tab
        dash.trainstep.step = 500
        dash.trainstep.show_next_doc()
        first = timed(dash.trainstep.take, 1)[0]  # the first step also compiles and replays
        dash.trainstep.undo()
        takes, undos = [], []
        for _ in range(max(3, args.repeat)):
            takes.append(timed(dash.trainstep.take, 1)[0])
            undos.append(timed(dash.trainstep.undo, 1)[0])
        print(
            f"   Dashboard, {where}: one step, every view shown redrawn: "
            f"{statistics.median(takes):.2f} s median (min {min(takes):.2f}; goal ≤ 0.5 s), "
            f"undo {statistics.median(undos):.2f} s; the first step {first:.2f} s"
        )

    print("\n4. what the snapshot spacing costs (shipped run: 1000 steps)")
    snap_bytes = len(json.dumps(ckpt.snapshots[-2], separators=(",", ":")))
    base = shipped_checkpoint_path().stat().st_size - len(ckpt.snapshots) * snap_bytes
    for every in (10, 25, 50, 100):
        count = 1000 // every + 1
        size = base + count * snap_bytes
        print(
            f"   every {every:3d} steps: {count:3d} snapshots, checkpoint {size / 1e6:5.1f} MB, "
            f"worst replay {every - 1:2d} steps ≈ {(every - 1) * per_step:5.1f} s"
        )


if __name__ == "__main__":
    main()
