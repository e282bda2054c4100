"""The ``microgpt`` command: ``train``, ``sample``, ``graph`` and ``serve`` (which load the
explorer package only when they run, so importing microgpt never loads it).

The only module that prints. Errors a user can fix (``MicrogptError``) are printed as one line
without a traceback, exit status 2; every output path is checked before any work. Ctrl-C
during training finishes the step under way, saves a checkpoint and exits with status 130;
``--resume`` continues it bit-identically. A diverged run (a non-finite loss) stops at the last
finite step, is saved to ``--out`` if given, and exits with status 3.
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import sys
import tempfile
from pathlib import Path

from . import __version__
from .checkpoint import load_checkpoint, save_checkpoint, shipped_checkpoint_path
from .data import BUNDLED, load_docs
from .errors import DivergedError, MicrogptError
from .sample import check_temperature, sample
from .train import Hyperparams, Run
from .validate import (
    MAX_CHECKPOINT_BYTES,
    check_input_file,
    check_output_path,
    is_checkpoint_file,
    is_view_file,
)

__all__ = ["main", "build_parser"]

_MODEL_FLAGS = {  # flag dest -> (config key, default)
    "n_layer": ("n_layer", 1),
    "n_embd": ("n_embd", 16),
    "n_head": ("n_head", 4),
    "block_size": ("block_size", 16),
}
_RUN_FLAGS = {  # flag dest -> (hyperparams key, default)
    "steps": ("num_steps", 1000),
    "seed": ("seed", 42),
    "lr": ("learning_rate", 0.01),
    "snapshot_every": ("snapshot_every", 100),
}


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an integer") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {value}")
    return value


def _non_negative_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an integer") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, got {value}")
    return value


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError(f"must be a positive number, got {text}")
    return value


_FORCE_HELP = "replace an existing --out file that microgpt did not write"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="microgpt",
        description="Karpathy's microgpt: train a tiny GPT on names and sample from it.",
    )
    parser.add_argument("--version", action="version", version=f"microgpt {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    t = sub.add_parser(
        "train",
        help="train a model (prints the loss of every step, then samples)",
        description="Train microgpt exactly as the article does: one document per step, Adam, "
        "linear learning-rate decay; then print samples.",
    )
    t.add_argument(
        "--data",
        default=None,
        metavar="D",
        help=f"'{BUNDLED}' (the bundled SSA names, default), 'makemore' (the article's file, "
        "downloaded once into ~/.cache/microgpt), or a text file with one document per line",
    )
    t.add_argument("--steps", type=_positive_int, help="training steps (default 1000)")
    t.add_argument("--seed", type=int, help="random seed (default 42)")
    t.add_argument("--n-layer", type=_positive_int, help="transformer layers (default 1)")
    t.add_argument("--n-embd", type=_positive_int, help="embedding width (default 16)")
    t.add_argument("--n-head", type=_positive_int, help="attention heads (default 4)")
    t.add_argument("--block-size", type=_positive_int, help="context length (default 16)")
    t.add_argument("--lr", type=_positive_float, help="learning rate (default 0.01)")
    t.add_argument(
        "--temperature", type=_positive_float, default=0.5, help="sampling temperature (0.5)"
    )
    t.add_argument(
        "--samples", type=_non_negative_int, default=20, help="names to sample after (20)"
    )
    t.add_argument("--out", metavar="CKPT", help="save the trained run to this JSON checkpoint")
    t.add_argument(
        "--resume",
        metavar="CKPT",
        help="continue a run saved by --out or by Ctrl-C (its settings and data are reused)",
    )
    t.add_argument(
        "--snapshot-every",
        type=_positive_int,
        help="keep the weights every N steps for the explorer (default 100)",
    )
    t.add_argument(
        "--progress", action="store_true", help="show a progress bar instead of step lines"
    )
    t.add_argument("--force", action="store_true", help=_FORCE_HELP)
    t.set_defaults(func=_cmd_train)

    s = sub.add_parser(
        "sample",
        help="sample names from a checkpoint",
        description="Sample from a checkpoint (default: the model shipped with microgpt). "
        "Without --seed, the checkpoint's own random state is used, so the shipped model "
        "prints the same names its training run did.",
    )
    s.add_argument("--checkpoint", metavar="CKPT", help="checkpoint (default: the shipped one)")
    s.add_argument("--num", type=_non_negative_int, default=20, help="how many samples (20)")
    s.add_argument("--temperature", type=_positive_float, default=0.5, help="temperature (0.5)")
    s.add_argument("--seed", type=int, help="random seed (default: the checkpoint's RNG state)")
    s.add_argument("--prefix", default="", help="start every sample with this text")
    s.set_defaults(func=_cmd_sample)

    g = sub.add_parser(
        "graph",
        help="draw the computation graph of one forward pass (SVG, HTML, PNG, DOT, JSON, text)",
        description="Run the model on one document under a trace, back-propagate from the root "
        "and write one view of the recorded graph. The output file's extension picks the "
        "format: .svg .html (with the pan/zoom viewer) .png .dot .json .txt. Every view stays "
        "within --budget drawn nodes, folding what does not fit and saying so.",
    )
    g.add_argument("--checkpoint", metavar="C", help="checkpoint (default: the shipped one)")
    g.add_argument(
        "--step", type=int, help="use the weights after this many training steps (default: all)"
    )
    g.add_argument("--doc", metavar="NAME", help="the document, e.g. emma")
    g.add_argument(
        "--train-step",
        type=_positive_int,
        metavar="K",
        help="the forward pass of training step K: the document the run trained on at step K, "
        "with the weights before that step's update (replayed from the snapshot before it; "
        "implies the document, so leave --doc and --step out)",
    )
    g.add_argument("--pos", type=int, help="a position (slice; default source of --view path)")
    g.add_argument(
        "--root", default="loss", help="loss (the mean), loss@T (position T's), or a node name"
    )
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
    g.add_argument("--depth", type=_positive_int, help="overview: scope depth (default 2)")
    g.add_argument("--head", type=int, help="slice: one attention head")
    g.add_argument("--pattern", help="slice: names matching a glob, e.g. 'pos3.*.attn_weights[*]'")
    g.add_argument(
        "--source",
        metavar="NAME",
        help="path view: a node name, pattern or parameter row such as wte[e] "
        "(default: the embedding row of the token at --pos)",
    )
    g.add_argument("--node", metavar="NAME", help="node view: the node's name or #id")
    g.add_argument("--top", type=_positive_int, default=40, help="path view: nodes drawn (40)")
    g.add_argument(
        "--budget", type=_positive_int, default=1000, help="most nodes drawn (default 1000)"
    )
    g.add_argument(
        "--out", required=True, metavar="FILE", help="output: .svg .html .png .dot .json .txt"
    )
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
    g.add_argument("--force", action="store_true", help=_FORCE_HELP)
    g.set_defaults(func=_cmd_graph)

    v = sub.add_parser(
        "serve",
        help="serve the classroom dashboard to a class as a Voilà app (pip install '.[voila]')",
        description="Serve notebooks/classroom_dashboard.ipynb with Voilà: one kernel per "
        "student's tab (about 125 MB of its own, 150 MB after a long name such as "
        "christopher), kernels pre-started, closed tabs' kernels freed. Prints the address to "
        "hand out; Ctrl-C stops.",
    )
    v.add_argument(
        "--host",
        default="0.0.0.0",
        help="interface: 0.0.0.0 (default) for the network, 127.0.0.1 for this machine only",
    )
    v.add_argument("--port", type=int, default=8866, help="port (default 8866)")
    v.add_argument(
        "--pool",
        type=_non_negative_int,
        default=2,
        help="kernels kept started "
        "with the dashboard already run (default 2; set it to the class size): each holds "
        "~125 MB and took ~3 CPU-s to warm up; a student who finds none waits for a kernel "
        "start and a run (~3 s alone, more in a burst); taken kernels are replaced one "
        "every 4 s; 0 turns it off",
    )
    v.add_argument(
        "--cull-idle",
        type=_positive_int,
        default=120,
        metavar="S",
        help="stop a "
        "kernel with no tab open after S idle seconds (default 120): a tab that "
        "closes cleanly frees its kernel at once; a lost one holds ~125-150 MB "
        "until then; open tabs, and pages still loading, are never stopped",
    )
    v.add_argument(
        "--iopub-timeout",
        type=_positive_int,
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
        "classroom dashboard in the source tree; a wheel does not ship notebooks)",
    )
    v.set_defaults(func=_cmd_serve)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except MicrogptError as e:
        print(f"microgpt: error: {e}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # e.g. `microgpt sample | head`
        return 0
    except KeyboardInterrupt:  # before training started: nothing to save
        print("microgpt: interrupted", file=sys.stderr)
        return 130


# -- train -------------------------------------------------------------------------------
def _settings(args, flags: dict) -> dict:
    """The settings ``flags`` name: the value given on the command line, else the default."""
    return {
        key: default if getattr(args, dest) is None else getattr(args, dest)
        for dest, (key, default) in flags.items()
    }


def _new_run(args) -> Run:
    source = args.data if args.data is not None else BUNDLED
    docs = load_docs(source)
    source_label = source if source in (BUNDLED, "makemore") else str(Path(source).resolve())
    hp = Hyperparams(**_settings(args, _RUN_FLAGS))
    return Run.start(docs, hp, source=source_label, **_settings(args, _MODEL_FLAGS))


def _resumed_run(args) -> Run:
    check_input_file(args.resume, "checkpoint", MAX_CHECKPOINT_BYTES)
    ckpt = load_checkpoint(args.resume)
    saved = {**ckpt["config"], **ckpt["hyperparams"]}
    differ = [
        f"--{dest.replace('_', '-')} {value} (the checkpoint has {saved[key]})"
        for dest, (key, _) in {**_MODEL_FLAGS, **_RUN_FLAGS}.items()
        if (value := getattr(args, dest)) is not None and value != saved[key]
    ]
    if differ:
        raise MicrogptError(
            f"cannot resume {args.resume!r} with different settings: {'; '.join(differ)}. "
            "Drop these flags to continue the run as it was, or start a new run without --resume"
        )
    source = args.data if args.data is not None else ckpt["data"]["source"]
    if source is None:
        raise MicrogptError(f"{args.resume!r} does not record its dataset: pass --data")
    return Run.from_checkpoint(ckpt, docs=load_docs(source))


def _cmd_train(args) -> int:
    check_temperature(args.temperature)
    out = _train_output(args)  # before any work: never lose a run after training it
    run = _resumed_run(args) if args.resume else _new_run(args)
    print(f"num docs: {len(run.docs)}")
    print(f"vocab size: {run.tokenizer.vocab_size}")
    print(f"num params: {len(run.model.params)}")
    truncated = run.truncated_docs()
    if truncated:
        block = run.config.block_size
        needed = max(len(d) for d in truncated) + 1
        print(
            f"microgpt: warning: {len(truncated)} document(s) will be truncated: they have "
            f"{block} or more characters (e.g. {truncated[0]!r}), but the context holds {block} "
            f"positions, so training learns only their first {block} characters and never "
            f"their end. Use --block-size {needed} to keep them whole.",
            file=sys.stderr,
        )
    if run.step:
        print(f"resuming {args.resume} at step {run.step} / {run.hp.num_steps}")

    interrupted = []
    bar = _progress_bar(run) if args.progress else None  # (may refuse: before the handler)
    previous = signal.signal(signal.SIGINT, lambda *_: interrupted.append(True))
    try:
        if bar is not None:

            def on_step(step, num_steps, loss):
                bar.update(1)
                bar.set_postfix_str(f"loss {loss:.4f}", refresh=False)

        else:

            def on_step(step, num_steps, loss):
                print(f"step {step:4d} / {num_steps:4d} | loss {loss:.4f}", flush=True)

        run.train(on_step=on_step, should_stop=lambda: bool(interrupted))
    except DivergedError as e:
        print(f"microgpt: error: {e}", file=sys.stderr)
        if out and run.step:
            saved = _save(run, out)
            print(f"saved the last finite state (step {run.step}) to {saved}", file=sys.stderr)
        return 3
    finally:
        if bar is not None:
            bar.close()
        signal.signal(signal.SIGINT, previous)

    if interrupted:
        target = _save(run, out or _interrupt_target(run.step))
        print(
            f"\ninterrupted at step {run.step} / {run.hp.num_steps}: saved {target}. "
            f"Continue with: microgpt train --resume {target}",
            file=sys.stderr,
        )
        return 130
    if out:
        _save(run, out)
        print(f"saved {out}", file=sys.stderr)
    if args.samples:
        print("--- inference (new, hallucinated names) ---")
        for i in range(args.samples):
            text = sample(run.model, run.tokenizer, run.rng, args.temperature)
            print(f"sample {i + 1:2d}: {text}")
    return 0


def _train_output(args) -> Path | None:
    """Where the run will be saved (``--out``, else the ``--resume`` file), checked now."""
    out = args.out or args.resume
    if out is None:
        return None
    data = args.data if args.data not in (None, BUNDLED, "makemore") else None
    return check_output_path(  # (a resumed checkpoint may be replaced by its continuation)
        out,
        "--out" if args.out else "--resume",
        inputs=[("--data", data)],
        force=args.force,
        replaceable=is_checkpoint_file,
        kind="checkpoint",
    )


def _interrupt_target(step: int) -> Path:
    """Ctrl-C without --out: a new file in the working directory, else in the temp folder."""
    folder = Path(".") if os.access(".", os.W_OK | os.X_OK) else Path(tempfile.gettempdir())
    target = folder / f"microgpt-step{step}.json"
    n = 1
    while target.exists() and not is_checkpoint_file(target):
        target = folder / f"microgpt-step{step}.{n}.json"
        n += 1
    return target


def _save(run: Run, target) -> Path:
    """Save the run; if that fails (a full disk, a folder gone read-only), save it in the temp
    folder instead and say where, so a finished run is never lost."""
    try:
        return save_checkpoint(run.to_checkpoint(), target)
    except MicrogptError as e:
        spare = Path(tempfile.gettempdir()) / f"microgpt-step{run.step}-{os.getpid()}.json"
        try:
            save_checkpoint(run.to_checkpoint(), spare)
        except MicrogptError:
            raise e from None
        raise MicrogptError(f"{e}. The run was saved to {spare} instead") from None


def _progress_bar(run: Run):
    try:
        from tqdm import tqdm
    except ImportError:
        raise MicrogptError(
            "--progress needs tqdm: pip install tqdm (or drop --progress for step lines)"
        ) from None
    return tqdm(
        total=run.hp.num_steps, initial=run.step, unit="step", desc="training", file=sys.stderr
    )


# -- graph -------------------------------------------------------------------------------
def _cmd_graph(args) -> int:
    # The explorer (and graphviz) load only here: importing microgpt never loads them.
    from explorer.cli import run_graph

    check_output_path(
        args.out,
        inputs=[("--checkpoint", args.checkpoint)],
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
    # Voilà and the explorer load only here.
    from explorer.serve import plan, serve

    checked = plan(args.host, args.port, args.pool, args.cull_idle, args.iopub_timeout,
                   args.notebook)  # fmt: skip
    print("\n".join(checked.lines()), flush=True)
    return serve(checked)


# -- sample ------------------------------------------------------------------------------
def _cmd_sample(args) -> int:
    path = args.checkpoint or shipped_checkpoint_path()
    check_input_file(path, "checkpoint", MAX_CHECKPOINT_BYTES)
    run = Run.from_checkpoint(load_checkpoint(path))
    if args.seed is not None:
        run.rng = random.Random(args.seed)
    for i in range(args.num):
        text = sample(run.model, run.tokenizer, run.rng, args.temperature, args.prefix)
        print(f"sample {i + 1:2d}: {text}")
    return 0
