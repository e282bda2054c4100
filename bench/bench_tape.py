"""Tape vs ``floats.py`` (issue 21, item 4): is a tape compiled from a recorded ``Value`` trace
fast enough to replace the hand-ordered float backward?

Prints, on the default config (the article's shape) and the first ``--docs`` documents of the
bundled dataset (microgpt/data/names.txt, file order; the tokenizer and the initial weights of
``Run.start`` with seed 42):

1. what compiling costs: the target recordings (once, ``vocab_size`` documents of full length),
   then per document length 1..16 the two recordings, the generated statements, the compile
   time, and the memory the tape keeps (code objects and tables, by ``sys.getsizeof``);
2. exactness, checked here: for every document, the tape's loss and every gradient against
   ``model.loss`` + ``backward()`` and ``FloatGPT.loss_and_grads``, bit for bit; then training
   the documents one step each (Adam) on the tape, on floats and on the engine
   (``Run.train_step``) ends with the same losses and weights, bit for bit;
3. time per training step, forward + backward and the full step with Adam: the tape,
   ``FloatGPT.loss_and_grads`` (what ``Run.steps_on_floats`` runs) and the ``Value`` engine;
   medians over ``--repeat`` passes (the engine: one pass), with their ratios.

The issue's rule: within 1.5x of floats.py, the tape should become the fast path. Usage::

    .venv/bin/python bench/bench_tape.py [--docs 200] [--repeat 5] [--engine-docs 200]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import struct
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from tape import TapeCompiler, record  # noqa: E402  (bench/ is not a package)

from microgpt import Run, load_docs  # noqa: E402
from microgpt.engine import gc_paused  # noqa: E402
from microgpt.floats import FloatGPT  # noqa: E402
from microgpt.train import Hyperparams, adam_moves, learning_rate_at  # noqa: E402


def bits(xs) -> list:
    """Each number's type and the bytes of its double (so -0.0 differs from 0.0, 0 from 0.0)."""
    return [(type(x), struct.pack("d", x)) for x in xs]


def code_bytes(fn, seen: set) -> int:
    """What a compiled function keeps: its code object, bytecode tables and constants."""
    code = fn.__code__
    if id(code) in seen:
        return 0
    seen.add(id(code))
    size = sys.getsizeof(code) + sys.getsizeof(code.co_consts)
    size += sum(sys.getsizeof(c) for c in code.co_consts)
    for attr in ("co_linetable", "co_exceptiontable", "co_names", "co_varnames"):
        size += sys.getsizeof(getattr(code, attr, b""))
    return size


def tape_code_bytes(tape, seen: set) -> int:
    """The tape's compiled chunks (those shared with a length already counted are not counted
    again) and its variant functions compiled so far."""
    size = sum(code_bytes(f, seen) for f in tape.forward + tape.backward + tape.params)
    for variant in tape.variants:
        size += sys.getsizeof(variant) + sum(code_bytes(f, seen) for f in variant.values())
    return size


def train(loss_and_grads, weights, docs_tokens, hp) -> tuple[list, list]:
    """``Run.steps_on_floats``' loop: one step with Adam per document; (losses, weights)."""
    m = [0.0] * len(weights)
    v = [0.0] * len(weights)
    losses = []
    for step, tokens in enumerate(docs_tokens):
        loss, grads = loss_and_grads(weights, tokens)
        lr_t = learning_rate_at(hp, step)
        m, v, deltas = adam_moves(grads, m, v, step, lr_t, hp.beta1, hp.beta2, hp.eps_adam)
        weights = [w - d for w, d in zip(weights, deltas)]
        losses.append(loss)
    return losses, weights


def cpu(fn) -> float:
    """CPU seconds of this process for one call of ``fn`` (the box is shared: wall time
    counts the other agents' work too)."""
    start = time.process_time()
    fn()
    return time.process_time() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--docs", type=int, default=200, help="documents (file order)")
    parser.add_argument("--repeat", type=int, default=5, help="passes for tape and floats")
    parser.add_argument("--engine-docs", type=int, default=200, help="documents on the engine")
    args = parser.parse_args()
    print(f"load average: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores; "
          "every time below is CPU time of this process (time.process_time)")  # fmt: skip

    all_docs = load_docs()
    run = Run.start(all_docs, Hyperparams(num_steps=max(args.docs, 1)))
    config, model, hp = run.config, run.model, run.hp
    docs = all_docs[: args.docs]
    docs_tokens = [run.tokenizer.encode_doc(d) for d in docs]
    weights0 = [p.data for p in model.params]
    lengths = [min(config.block_size, len(t) - 1) for t in docs_tokens]
    print(f"{config}\n{len(docs)} documents, {min(lengths)} to {max(lengths)} positions, "
          f"mean {sum(lengths) / len(lengths):.1f}")  # fmt: skip

    print("\n1. compiling")
    compiler = TapeCompiler(config)
    targets_s = cpu(compiler.compile_targets)
    print(f"   target recordings ({config.vocab_size} documents of {config.block_size} "
          f"positions): {targets_s:.1f} s, {len(compiler.variant_ids)} variant nodes")  # fmt: skip
    print("   positions   nodes  statements  one record  compile (2 records + code)"
          "  new code  flat tape")  # fmt: skip
    seen: set = set()
    total_s = 0.0
    total_code = 0
    for n in range(1, config.block_size + 1):
        toks = [j % config.vocab_size for j in range(n + 1)]
        with gc_paused():
            rec_s = cpu(lambda toks=toks: record(model, toks))
        compile_s = cpu(lambda n=n: compiler.tape(n))
        tape = compiler.tape(n)
        code = tape_code_bytes(tape, seen)
        total_s += compile_s
        total_code += code
        flat = tape.flat.itemsize * len(tape.flat)
        print(f"   {n:9d} {tape.num_nodes:7d} {tape.statements:11d} {rec_s:9.2f} s "
              f"{compile_s:16.2f} s {'':9s}{code / 1e6:6.1f} MB {flat / 1e6:7.2f} MB")  # fmt: skip
    print(f"   all lengths: {total_s:.1f} s, {total_code / 1e6:.1f} MB of code")

    print(f"\n2. exactness on {len(docs)} documents (tape vs engine vs floats, bit for bit)")
    floats = FloatGPT(config)

    def first_pass():  # the first replay of each target compiles its variant functions
        for tokens in docs_tokens:
            compiler.loss_and_grads(weights0, tokens)

    warm = cpu(first_pass)
    variant_code = sum(code_bytes(f, set()) for f in compiler._variant_fns.values())
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"   first pass over the documents: {warm:.1f} s, compiling "
          f"{len(compiler._variant_fns)} variant functions ({variant_code / 1e6:.1f} MB); "
          f"process max RSS {rss:.0f} MB")  # fmt: skip
    engine_times = []
    wrong = 0
    for tokens in docs_tokens[: args.engine_docs]:
        for p in model.params:
            p.grad = 0

        def engine_step(tokens=tokens):
            with gc_paused():  # as Run.train_step does
                loss, _ = model.loss(tokens)
                loss.backward()
            return loss

        start = time.process_time()
        loss = engine_step()
        engine_times.append(time.process_time() - start)
        engine = bits([loss.data] + [p.grad for p in model.params])
        t_loss, t_grads = compiler.loss_and_grads(weights0, tokens)
        f_loss, f_grads = floats.loss_and_grads(weights0, tokens)
        wrong += bits([t_loss, *t_grads]) != engine or bits([f_loss, *f_grads]) != engine
    for p in model.params:
        p.grad = 0
    checked = len(engine_times)
    print(f"   loss and {len(weights0)} gradients at the initial weights: "
          f"{checked - wrong} of {checked} documents equal on all three")  # fmt: skip

    t_losses, t_weights = train(compiler.loss_and_grads, weights0, docs_tokens, hp)
    f_losses, f_weights = train(floats.loss_and_grads, weights0, docs_tokens, hp)
    e_run = run.copy()
    e_losses = []
    engine_full = cpu(lambda: e_losses.extend(e_run.train_step(doc) for doc in docs))
    e_weights = [p.data for p in e_run.model.params]
    same = bits(t_losses + t_weights) == bits(f_losses + f_weights) == bits(e_losses + e_weights)
    print(f"   {len(docs)} training steps with Adam, one per document: every loss and the final "
          f"weights {'equal on all three' if same else 'DIFFER'}")  # fmt: skip

    print(
        f"\n3. CPU time per training step, {len(docs)} documents (median of {args.repeat} "
        "passes, best in brackets)"
    )

    def pass_of(loss_and_grads, order):
        def one_pass():
            for tokens in order:
                loss_and_grads(weights0, tokens)

        return one_pass

    # the same documents grouped by length: one tape's code stays in the CPU's caches
    by_length = sorted(docs_tokens, key=len)

    fb = {"tape": [], "floats": []}
    full = {"tape": [], "floats": []}
    grouped = {"tape": [], "floats": []}
    steps = {"tape": compiler.loss_and_grads, "floats": floats.loss_and_grads}
    for _ in range(args.repeat):  # interleaved, so a change of load hits both
        for key, fn in steps.items():
            fb[key].append(cpu(pass_of(fn, docs_tokens)) / len(docs) * 1000)
            grouped[key].append(cpu(pass_of(fn, by_length)) / len(docs) * 1000)
            full[key].append(cpu(lambda fn=fn: train(fn, weights0, docs_tokens, hp)) /
                             len(docs) * 1000)  # fmt: skip
    med = {k: statistics.median(x) for k, x in fb.items()}
    med_full = {k: statistics.median(x) for k, x in full.items()}
    engine_fb = sum(engine_times) / len(engine_times) * 1000
    engine_step = engine_full / len(docs) * 1000
    print("   forward + backward (loss and gradients):")
    for key in steps:
        print(f"     {key:14s} {med[key]:7.2f} ms  ({min(fb[key]):.2f})")
    print(f"     Value engine   {engine_fb:7.2f} ms  (one pass over {len(engine_times)})")
    print("   forward + backward, the documents grouped by length (not training's order):")
    for key in steps:
        print(f"     {key:14s} {statistics.median(grouped[key]):7.2f} ms  "
              f"({min(grouped[key]):.2f})")  # fmt: skip
    print("   full step with Adam (Run.steps_on_floats' loop; the engine: Run.train_step):")
    for key in steps:
        print(f"     {key:14s} {med_full[key]:7.2f} ms  ({min(full[key]):.2f})")
    print(f"     Value engine   {engine_step:7.2f} ms  (one pass)")
    fb_ratio, full_ratio = med["tape"] / med["floats"], med_full["tape"] / med_full["floats"]
    print("   ratios:")
    print(
        f"     tape / floats.py: forward + backward {fb_ratio:.2f}x "
        f"(best passes {min(fb['tape']) / min(fb['floats']):.2f}x), full step {full_ratio:.2f}x, "
        f"grouped by length "
        f"{statistics.median(grouped['tape']) / statistics.median(grouped['floats']):.2f}x"
    )
    print(
        f"     Value engine / tape: forward + backward {engine_fb / med['tape']:.1f}x, "
        f"full step {engine_step / med_full['tape']:.1f}x"
    )
    verdict = "within" if full_ratio <= 1.5 else "NOT within"
    print(f"   the issue's rule (a step within 1.5x of floats.py): {verdict}")


if __name__ == "__main__":
    main()
