"""Benchmark microgpt's engine: step time, the cost of recording, bytes per node.

Run from the repository root (about a minute with the defaults on a 2-core box)::

    .venv/bin/python bench/bench_engine.py            # --repeat 5
    .venv/bin/python bench/bench_engine.py --help

It prints the figures issue 2 asks for ("Performance"):

1. ms per training step (``Run.train_step``: forward + backward + Adam), default config, seed 42;
2. the cost of recording: forward + backward of one document with ``with trace():`` vs without,
   interleaved (off, on, ref, off, on, ref, ...), ratio of medians (goal <= 1.15); the same for
   whole training steps;
3. bytes per recorded node (tracemalloc), for the model and for a long add/mul chain, next to an
   article-style ``Value`` defined here as a yardstick (goal <= 200 B; the article's ~161 B);
4. forward + backward time and node counts for one document ("christopher", 12 positions);
5. our step time against the article script's ~260 ms/step quoted in the issue (not measured).

Timing: ``time.perf_counter``; ``gc.collect()`` before every timed run. Python's cyclic garbage
collector is a large part of a step (it re-scans the growing graph), so every timing is given
twice: "gc on" (as ``microgpt train`` runs) and "gc off" (``gc.disable()`` inside the timed run
only: the engine's own cost). Medians over runs, with the minimum.
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import gc
import math
import os
import platform
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

from microgpt import Hyperparams, MicrogptError, Run, Value, load_docs
from microgpt.engine import OP_RULES
from microgpt.trace import trace

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = REPO_ROOT.parent / "shared" / "data" / "names.txt"
ARTICLE_MS_PER_STEP = 260.0  # issue 2: "about 0.26 s per step on a 2-core box" (not measured here)
RECORDING_GOAL = 1.15
BYTES_GOAL = 200
ARTICLE_BYTES = 161
CHAIN_LENGTH = 50_000  # chain steps; each makes a mul node and an add node

perf_counter = time.perf_counter


# -- an article-style node, the yardstick ------------------------------------------------------
class RefValue:
    """A node as the article builds it: four slots, no op, no recording.

    Only a yardstick for speed and memory: the article's node and its inline operators (they
    are what the engine's ``Value`` is measured against, so they stay the article's, not
    imported), so the model's forward pass, run on parameters of this class, builds the
    identical graph (the bench checks the loss is bit-identical). The walk and ``backward`` are
    the engine's own, imported: they read only ``_children``, ``_local_grads`` and ``grad``, and
    visit nodes in the article's order (tests/test_engine.py), without its recursion limit.
    """

    __slots__ = ("data", "grad", "_children", "_local_grads")

    def __init__(self, data, children=(), local_grads=()):
        self.data = data
        self.grad = 0
        self._children = children
        self._local_grads = local_grads

    def __add__(self, other):
        if not isinstance(other, RefValue):
            other = RefValue(other)
        return RefValue(self.data + other.data, (self, other), (1, 1))

    def __mul__(self, other):
        if not isinstance(other, RefValue):
            other = RefValue(other)
        return RefValue(self.data * other.data, (self, other), (other.data, self.data))

    def __pow__(self, n):
        return RefValue(self.data**n, (self,), (n * self.data ** (n - 1),))

    def log(self):
        return RefValue(math.log(self.data), (self,), (1 / self.data,))

    def exp(self):
        return RefValue(math.exp(self.data), (self,), (math.exp(self.data),))

    def relu(self):
        return RefValue(max(0, self.data), (self,), (float(self.data > 0),))

    def __neg__(self):
        return self * -1

    def __radd__(self, other):
        return self + other

    def __sub__(self, other):
        return self + (-other)

    def __rsub__(self, other):
        return other + (-self)

    def __rmul__(self, other):
        return self * other

    def __truediv__(self, other):
        return self * other**-1

    def __rtruediv__(self, other):
        return other * self**-1

    topological_order = Value.topological_order
    backward = Value.backward


def ref_follows_the_op_table() -> bool:
    """Whether each of RefValue's operators computes the engine's rule for it
    (``microgpt.engine.OP_RULES``) bit for bit, on a few operands: the yardstick's inline copy
    of the ops cannot drift from the engine's without the report saying so."""
    ops = {
        "add": lambda a, b: a + b,
        "mul": lambda a, b: a * b,
        "pow": lambda a, n: a**n,
        "log": RefValue.log,
        "exp": RefValue.exp,
        "relu": RefValue.relu,
    }
    for op, rule in OP_RULES.items():
        for x in (-1.5, 0.5, 2.0):
            if op == "log" and x <= 0:
                continue
            rest = (RefValue(0.75),) if op in ("add", "mul") else (3,) if op == "pow" else ()
            node = ops[op](RefValue(x), *rest)
            args = (x, 0.75) if op in ("add", "mul") else (x, 3) if op == "pow" else (x,)
            if (node.data, node._local_grads) != (rule.value(*args), rule.local_grads(*args)):
                return False
    return True


def ref_model_of(model):
    """A shallow copy of ``model`` whose parameters are ``RefValue``s with the same values."""
    ref = copy.copy(model)
    ref.state_dict = {
        key: [[RefValue(p.data) for p in row] for row in mat]
        for key, mat in model.state_dict.items()
    }
    ref.params = [p for mat in ref.state_dict.values() for row in mat for p in row]
    return ref


# -- timing helpers ---------------------------------------------------------------------------
def gc_guard(gc_off: bool):
    """Collect now; disable the cyclic GC for the timed run if asked. Returns the undo."""
    gc.collect()
    if gc_off:
        gc.disable()
    return gc.enable if gc_off else (lambda: None)


def fwd_bwd(model, tokens, record: bool) -> tuple[float, float, float, int | None]:
    """Forward + backward of one document, then free the graph: (fwd, bwd, free) seconds and
    the number of recorded nodes (``None`` when not recording)."""
    recorded = None
    if record:
        t0 = perf_counter()
        with trace() as tr:
            loss, losses = model.loss(tokens)
            t1 = perf_counter()
            loss.backward()
        t2 = perf_counter()
        recorded = len(tr)
        del tr, loss, losses
    else:
        t0 = perf_counter()
        loss, losses = model.loss(tokens)
        t1 = perf_counter()
        loss.backward()
        t2 = perf_counter()
        del loss, losses
    t3 = perf_counter()
    return t1 - t0, t2 - t1, t3 - t2, recorded


def zero_grads(model) -> None:
    for p in model.params:
        p.grad = 0


def time_step(run, record: bool, gc_off: bool) -> tuple[float, float]:
    """One ``run.train_step()`` (inside ``with trace():`` if ``record``): (seconds, loss)."""
    undo = gc_guard(gc_off)
    try:
        t0 = perf_counter()
        if record:
            with trace():
                loss = run.train_step()
        else:
            loss = run.train_step()
        elapsed = perf_counter() - t0
    finally:
        undo()
    return elapsed, loss


def measure_bytes(build) -> tuple[int, int]:
    """(retained, peak) bytes allocated by ``build()`` while what it returns is alive."""
    gc.collect()
    gc.disable()
    tracemalloc.start()
    try:
        base, _ = tracemalloc.get_traced_memory()
        kept = build()
        current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
        gc.enable()
    del kept
    return current - base, peak - base


def chain(cls, n: int):
    """``acc = acc * w + b``, n times, from three leaves: 2n + 3 nodes."""
    acc, w, b = cls(0.5), cls(0.5), cls(0.5)
    for _ in range(n):
        acc = acc * w + b
    return acc


# -- printing ---------------------------------------------------------------------------------
def table(header: list[str], rows: list[list[str]]) -> None:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    fmt = "  ".join(f"{{:{'<' if i == 0 else '>'}{w}}}" for i, w in enumerate(widths))
    print(("  " + fmt.format(*header)).rstrip())
    print("  " + "  ".join("-" * w for w in widths))
    for row in rows:
        print(("  " + fmt.format(*row)).rstrip())


def med_min(xs: list[float], scale: float = 1000.0) -> list[str]:
    return [f"{statistics.median(xs) * scale:.1f}", f"{min(xs) * scale:.1f}"]


def verdict(ok: bool) -> str:
    return "meets the goal" if ok else "MISSES the goal"


# -- main ---------------------------------------------------------------------------------------
def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Benchmark microgpt's engine: ms per training step, the cost of recording "
        "(trace on / off), bytes per recorded node, forward + backward of one document.",
        epilog="Figures are medians (with the minimum) over runs; gc.collect() runs before each "
        "timed run; each timing is given with the cyclic GC on (as `microgpt train` runs) and "
        "off (gc.disable() inside the timed run only).",
    )
    parser.add_argument(
        "--repeat", type=int, default=5, help="timed runs per figure (default: %(default)s)"
    )
    parser.add_argument(
        "--data",
        default=None,
        help="dataset: a text file, one document per line, or 'names' / 'makemore' (default: "
        "../shared/data/names.txt next to the repository if it exists, else the bundled names)",
    )
    parser.add_argument(
        "--steps",
        type=int,
        default=8,
        help="training steps per timed run, from a fresh seed-42 run (default: %(default)s)",
    )
    parser.add_argument(
        "--pairs",
        type=int,
        default=None,
        help="interleaved off/on/reference forward+backward rounds (default: 3 x --repeat)",
    )
    parser.add_argument(
        "--doc", default="christopher", help="the document for sections 2-4 (default: %(default)s)"
    )
    args = parser.parse_args(argv)
    for opt in ("repeat", "steps", "pairs"):
        value = getattr(args, opt)
        if value is not None and value < 1:
            parser.error(f"--{opt} must be at least 1, got {value}")
    if args.pairs is None:
        args.pairs = 3 * args.repeat
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    started = perf_counter()
    if args.data is not None:
        source = args.data
    elif DEFAULT_DATA.exists():
        source = str(DEFAULT_DATA)
    else:
        source = None
    try:
        docs = load_docs(source)
    except MicrogptError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    probe = Run.start(docs, Hyperparams(seed=42))
    cfg = probe.config
    doc_note = None
    try:
        tokens = probe.tokenizer.encode_doc(args.doc)
        doc = args.doc
    except MicrogptError:
        doc = probe.docs[0]
        tokens = probe.tokenizer.encode_doc(doc)
        doc_note = f"  note: {args.doc!r} is not in this vocabulary; using {doc!r} instead"
    positions = min(cfg.block_size, len(tokens) - 1)
    step_docs = probe.docs[: args.steps]
    mean_pos = statistics.mean(min(cfg.block_size, len(d) + 1) for d in step_docs)
    data_mean_pos = statistics.mean(min(cfg.block_size, len(d) + 1) for d in docs)

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    cpus = os.cpu_count() or 1
    print("microgpt engine benchmark")
    print(
        f"  {platform.python_implementation()} {platform.python_version()} on "
        f"{platform.system()} {platform.machine()}, {cpus} CPUs, load average {load:.2f}"
        + (" (busy: figures are inflated and noisy)" if load > cpus - 0.5 else "")
    )
    print(f"  data: {source or 'bundled names'} ({len(docs):,} documents)")
    print(
        f"  config: vocab {cfg.vocab_size}, n_embd {cfg.n_embd}, n_head {cfg.n_head}, "
        f"n_layer {cfg.n_layer}, block_size {cfg.block_size}; {cfg.num_params():,} params; "
        "seed 42"
    )
    print(
        f"  timing: perf_counter; gc.collect() before each timed run; medians (min) over "
        f"{args.repeat} x {args.steps} steps\n"
        f"          or {args.pairs} interleaved rounds; 'gc on' = as `microgpt train` runs, "
        "'gc off' = gc.disable()\n          inside the timed run only"
    )
    if doc_note:
        print(doc_note)

    # warm up (imports, caches, allocator arenas)
    warm = Run.start(docs, Hyperparams(seed=42))
    fwd_bwd(warm.model, tokens, record=False)
    fwd_bwd(warm.model, tokens, record=True)
    del warm

    # 1 + 2b. training steps: per repeat, one fresh seed-42 run per mode, stepped in turn
    # (step 1 in every mode, then step 2, ...), so all modes see the same documents and drift
    modes = [(False, False), (True, False), (False, True), (True, True)]  # (record, gc_off)
    step_s: dict[tuple[bool, bool], list[float]] = {m: [] for m in modes}
    first_losses = set()
    for r in range(args.repeat):
        runs = {m: Run.start(docs, Hyperparams(seed=42)) for m in modes}
        spent = dict.fromkeys(modes, 0.0)
        for i in range(args.steps):
            for mode in modes[(r + i) % 4 :] + modes[: (r + i) % 4]:
                elapsed, loss = time_step(runs[mode], *mode)
                spent[mode] += elapsed
                if i == 0:
                    first_losses.add(loss)
        for mode in modes:
            step_s[mode].append(spent[mode] / args.steps)
        del runs

    # 2 + 4. forward + backward of one document: off, on, article-style reference, interleaved
    bench = Run.start(docs, Hyperparams(seed=42))
    model = bench.model
    ref = ref_model_of(model)
    kinds = ("off", "on", "ref")
    fb: dict[tuple[str, bool], list[tuple[float, float, float]]] = {}
    recorded_nodes = None
    for gc_off in (True, False):
        for kind in kinds:
            fb[(kind, gc_off)] = []
        for _ in range(args.pairs):
            for kind in kinds:
                target = ref if kind == "ref" else model
                zero_grads(target)
                undo = gc_guard(gc_off)
                try:
                    f, b, free, n = fwd_bwd(target, tokens, record=kind == "on")
                finally:
                    undo()
                fb[(kind, gc_off)].append((f, b, free))
                recorded_nodes = n if n is not None else recorded_nodes

    # graph sizes and the reference's faithfulness (same graph, same loss, bit for bit)
    zero_grads(model)
    zero_grads(ref)
    loss, _ = model.loss(tokens)
    ref_loss, _ = ref.loss(tokens)
    graph_nodes = len(loss.topological_order())
    ref_graph_nodes = len(ref_loss.topological_order())
    same_loss = loss.data == ref_loss.data
    del loss, ref_loss, _

    # 3. bytes per node
    def model_pass(target, record: bool, backward: bool):
        def build():
            with trace() if record else contextlib.nullcontext() as tr:
                loss, losses = target.loss(tokens)
                if backward:
                    loss.backward()
            return tr, loss, losses

        return build

    def chain_pass(cls, record: bool):
        def build():
            with trace() if record else contextlib.nullcontext() as tr:
                root = chain(cls, CHAIN_LENGTH)
                root.backward()  # the engine's walk: no recursion, any depth
            return tr, root

        return build

    chain_nodes = 2 * CHAIN_LENGTH + 3
    mem = {}
    for kind, target, cls, record in (
        ("off", model, Value, False),
        ("on", model, Value, True),
        ("ref", ref, RefValue, False),
    ):
        for key, build in (
            ("fwd", model_pass(target, record, backward=False)),
            ("model", model_pass(target, record, backward=True)),
            ("chain", chain_pass(cls, record)),
        ):
            zero_grads(model)
            zero_grads(ref)
            mem[(key, kind)] = measure_bytes(build)

    # -- report -----------------------------------------------------------------------------
    def median_total(kind, gc_off):
        return statistics.median(sum(t) for t in fb[(kind, gc_off)])

    first_loss_text = ", ".join(f"{x:.4f}" for x in sorted(first_losses))
    print()
    print(
        f"1. Training step (Run.train_step: forward + backward + Adam), steps 1-{args.steps} of "
        f"a fresh seed-42 run\n   (those documents average {mean_pos:.1f} positions; the "
        f"dataset {data_mean_pos:.1f}); first-step loss {first_loss_text}"
    )
    rows = []
    for record, gc_off in modes:
        label = f"recording {'on ' if record else 'off'}, gc {'off' if gc_off else 'on'}"
        rows.append([label, *med_min(step_s[(record, gc_off)])])
    table(["mode", "median ms/step", "min ms/step"], rows)
    gc_cost = statistics.median(step_s[(False, False)]) / statistics.median(step_s[(False, True)])
    print(f"   cyclic GC: a step with gc on takes {gc_cost:.2f}x the time with gc off")

    print()
    print(
        f"2. Recording on vs off (goal: ratio <= {RECORDING_GOAL}); on = `with trace():` around "
        "forward + backward"
    )
    rows = []
    for gc_off in (True, False):
        off = median_total("off", gc_off)
        on = median_total("on", gc_off)
        rows.append(
            [
                f"forward+backward {doc!r}, gc {'off' if gc_off else 'on'}",
                f"{off * 1000:.1f}",
                f"{on * 1000:.1f}",
                f"{on / off:.3f}",
                verdict(on / off <= RECORDING_GOAL),
            ]
        )
    for gc_off in (True, False):
        off = statistics.median(step_s[(False, gc_off)])
        on = statistics.median(step_s[(True, gc_off)])
        rows.append(
            [
                f"training step, gc {'off' if gc_off else 'on'}",
                f"{off * 1000:.1f}",
                f"{on * 1000:.1f}",
                f"{on / off:.3f}",
                verdict(on / off <= RECORDING_GOAL),
            ]
        )
    table(["what (medians, ms)", "off", "on", "on/off", ""], rows)
    print(
        f"   forward+backward: {args.pairs} interleaved rounds (off, on, ref) per gc setting;\n"
        f"   training steps: {args.steps} steps of 4 fresh runs stepped in turn, x {args.repeat}"
    )

    print()
    print(
        f"3. Bytes per node (tracemalloc: what stays allocated after the pass, i.e. nodes, tuples, "
        f"floats,\n   grads after backward, the trace's list and names; (peak) adds backward's "
        f"temporaries).\n   Goal <= {BYTES_GOAL} B per recorded node; the article's engine "
        f"~{ARTICLE_BYTES} B (issue 2)"
    )
    rows = []
    for kind, label in (
        ("off", "microgpt Value, recording off"),
        ("on", "microgpt Value, recording on"),
        ("ref", "article-style Value (in this script)"),
    ):
        rows.append(
            [
                label,
                f"{mem[('fwd', kind)][0] / recorded_nodes:.0f}",
                f"{mem[('model', kind)][0] / recorded_nodes:.0f}",
                f"{mem[('model', kind)][1] / recorded_nodes:.0f}",
                f"{mem[('chain', kind)][0] / chain_nodes:.0f}",
                f"{mem[('chain', kind)][1] / chain_nodes:.0f}",
            ]
        )
    table(
        ["B per node", "model fwd", "model fwd+bwd", "(peak)", "chain fwd+bwd", "(peak)"],
        rows,
    )
    on_bytes = mem[("model", "on")][0] / recorded_nodes
    print(
        f"   model: {doc!r}, {recorded_nodes:,} nodes created; chain: acc = acc * w + b "
        f"x {CHAIN_LENGTH:,}, {chain_nodes:,} nodes"
    )
    ref_bytes = mem[("model", "ref")][0] / recorded_nodes
    print(
        f"   recorded model pass: {on_bytes:.0f} B/node, {verdict(on_bytes <= BYTES_GOAL)}; "
        f"like for like, {on_bytes / ref_bytes:.2f}x the article-style Value\n"
        f"   (whose {mem[('fwd', 'ref')][0] / recorded_nodes:.0f} B/node before backward is "
        f"near the issue's ~{ARTICLE_BYTES})"
    )

    print()
    print(
        f"4. Forward + backward of {doc!r} ({positions} positions): {recorded_nodes:,} nodes "
        f"created (= recorded),\n   {graph_nodes:,} in the graph with the parameters it reaches"
    )
    rows = []
    for gc_off in (True, False):
        for kind, label in (("off", "recording off"), ("on", "recording on"), ("ref", "article")):
            runs = fb[(kind, gc_off)]
            fwd = [t[0] for t in runs]
            bwd = [t[1] for t in runs]
            free = [t[2] for t in runs]
            total = [sum(t) for t in runs]
            rows.append(
                [
                    f"{label}, gc {'off' if gc_off else 'on'}",
                    f"{statistics.median(fwd) * 1000:.1f}",
                    f"{statistics.median(bwd) * 1000:.1f}",
                    f"{statistics.median(free) * 1000:.1f}",
                    *med_min(total),
                ]
            )
    table(["mode (ms)", "forward", "backward", "free", "total median", "total min"], rows)
    print(
        "   'article' = the article-style Value (RefValue, in this script) through the same "
        f"model code:\n   same graph size: {ref_graph_nodes == graph_nodes}, same loss bit for "
        f"bit: {same_loss}, its ops are the engine's OP_RULES: {ref_follows_the_op_table()};\n"
        "   'free' = dropping the graph (and trace)"
    )

    print()
    ours = statistics.median(step_s[(False, False)]) * 1000
    print("5. Against the article's script (goal: a run no slower than it on the same machine)")
    rows = [
        ["microgpt train step (recording off, gc on), measured", f"{ours:.1f}", ""],
        [
            "article's script, REFERENCE figure from issue 2 (not measured)",
            f"{ARTICLE_MS_PER_STEP:.0f}",
            f"ours / article: {ours / ARTICLE_MS_PER_STEP:.2f}",
        ],
    ]
    for gc_off in (False, True):
        ratio = median_total("off", gc_off) / median_total("ref", gc_off)
        rows.append(
            [
                f"forward+backward, microgpt / article-style Value, gc {'off' if gc_off else 'on'}",
                "",
                f"measured ratio: {ratio:.2f}",
            ]
        )
    table(["", "ms/step", ""], rows)
    print(f"\ntotal benchmark time {perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
