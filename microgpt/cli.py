"""The ``microgpt`` command: ``train``, ``sample``, ``graph`` and ``serve`` (which load the
explorer package only when they run, so importing microgpt never loads it).

The only module that prints. Errors a user can fix (``MicrogptError``) are printed as one line
without a traceback, exit status 2; every output path is checked before any work, and no
output may be an input of the run, named or read by default. Ctrl-C during training finishes
the step under way, saves a checkpoint and exits with status 130 (a second Ctrl-C during the
save is ignored); ``--resume`` continues it bit-identically, on either engine. Standard output
closed early (``| head``) stops training the same way and saves the run (status 141; another
failure to write it, such as a full disk, status 1). A diverged run (a non-finite loss) stops
at the last finite step, is saved to ``--out`` if given, and exits with status 3. Two trainings
writing the same ``--out`` at once: the second is refused at its start (``OutputLock``).
"""

from __future__ import annotations

import argparse
import os
import random
import shlex
import signal
import sys
import tempfile
from importlib import resources
from pathlib import Path

from . import __version__
from .checkpoint import Checkpoint, load_checkpoint, save_checkpoint, shipped_checkpoint_path
from .data import BUNDLED, cache_dir, load_docs
from .errors import DivergedError, MicrogptError
from .files import OutputLock
from .sample import check_temperature, samples
from .train import ENGINES, Hyperparams, Run
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
#: ``--engine``'s help: what 1,000 steps of the article's run took on each (bench/bench_train.py).
_ENGINE_HELP = (
    "the arithmetic training runs on: 'floats' (default; plain floats, no graph: 1,000 steps of "
    "the article's run and 20 samples took 3.7 CPU-seconds) or 'value' (the article's Value "
    "engine, a graph recorded per step: 72 CPU-seconds). Both give the same step lines, "
    "samples and checkpoint, byte for byte; a run may be resumed on either"
)


class StdoutError(MicrogptError):
    """Standard output cannot be written: closed early (``| head``), a full disk, or a terminal
    whose encoding cannot show a character."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


def _say(text: str) -> None:
    """Print a line to standard output now; its failures become one ``StdoutError``."""
    try:
        print(text, flush=True)
    except UnicodeEncodeError as e:
        bad = e.object[e.start : e.end]
        raise StdoutError(
            f"cannot print {bad!r} to this terminal, whose encoding is {e.encoding}: run with "
            "PYTHONIOENCODING=utf-8 (or a UTF-8 locale, e.g. LANG=C.UTF-8)",
            status=1,
        ) from None
    except BrokenPipeError:
        _silence_stdout()
        raise StdoutError("the output was closed before it was all written", 141) from None
    except OSError as e:
        _silence_stdout()
        raise StdoutError(f"cannot write the output ({e.strerror or e})", status=1) from None


def _silence_stdout() -> None:
    """Point standard output at /dev/null, so that Python's flush at exit cannot fail again."""
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, sys.stdout.fileno())
        os.close(null)
    except (OSError, ValueError, AttributeError):  # no file descriptor: nothing to redirect
        pass


def _check_printable(chars, what: str, fix: str = "") -> None:
    """Refuse, before any work, characters standard output cannot encode."""
    encoding = getattr(sys.stdout, "encoding", None) or "utf-8"
    bad = []
    for ch in chars:
        try:
            ch.encode(encoding)
        except UnicodeEncodeError:
            bad.append(ch)
        except LookupError:
            return
    if bad:
        shown = "".join(bad[:10])
        raise StdoutError(
            f"{what} has characters this terminal cannot print (encoding {encoding}): "
            f"{shown!r}. Run with PYTHONIOENCODING=utf-8 (or a UTF-8 locale, e.g. "
            f"LANG=C.UTF-8){fix}",
            status=2,
        )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="microgpt",
        description="Karpathy's microgpt: train a tiny GPT on names and sample from it.",
    )
    parser.add_argument("--version", action="version", version=f"microgpt {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    for add in (_train_parser, _sample_parser, _graph_parser, _serve_parser, _lessons_parser):
        add(sub)
    return parser


def _train_parser(sub) -> None:
    """``microgpt train``."""
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
    t.add_argument("--engine", choices=ENGINES, default="floats", help=_ENGINE_HELP)
    t.add_argument("--force", action="store_true", help=_FORCE_HELP)
    t.set_defaults(func=_cmd_train)


def _sample_parser(sub) -> None:
    """``microgpt sample``."""
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


def _graph_parser(sub) -> None:
    """``microgpt graph``."""
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


def _serve_parser(sub) -> None:
    """``microgpt serve``."""
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
        "classroom dashboard the package holds, the one `microgpt lessons` writes out)",
    )
    v.set_defaults(func=_cmd_serve)


def _lessons_parser(sub) -> None:
    """``microgpt lessons``."""
    n = sub.add_parser(
        "lessons",
        help="write the lessons (JupyterLab notebooks) into a folder to open them",
        description="Write the lessons the package holds (00_tour … 09, the classroom "
        "dashboard) into DIR, then open them with `jupyter lab DIR`. A lesson already there "
        "that differs from the shipped one (your edits) is kept unless --force; equal copies "
        "are left as they are.",
    )
    n.add_argument("dir", nargs="?", default="lessons", metavar="DIR",
                   help="the folder (default ./lessons; created if its parent exists)")  # fmt: skip
    n.add_argument(
        "--force", action="store_true", help="replace lessons in DIR that you have changed"
    )
    n.set_defaults(func=_cmd_lessons)


def main(argv: list[str] | None = None) -> int:
    try:
        os.getcwd()
    except OSError:
        print(
            "microgpt: error: the working directory no longer exists (it was deleted or moved): "
            "cd to an existing folder and run the command again",
            file=sys.stderr,
        )
        return 2
    try:
        parser = build_parser()
        args = parser.parse_args(argv)
        if sys.stdout is None:  # started with standard output closed (`>&-`)
            raise StdoutError(
                "standard output is closed, so nothing can be printed: redirect it instead "
                "(e.g. > /dev/null)",
                status=1,
            )
        status = args.func(args)
        sys.stdout.flush()  # a full disk shows here when the lines were not flushed yet
        return status
    except StdoutError as e:
        print(f"microgpt: error: {e}", file=sys.stderr)
        return e.status
    except MicrogptError as e:
        print(f"microgpt: error: {e}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        _silence_stdout()
        print("microgpt: error: the output was closed before it was all written", file=sys.stderr)
        return 141
    except KeyboardInterrupt:  # before training started: nothing to save
        print("microgpt: interrupted", file=sys.stderr)
        return 130
    except OSError as e:  # no file named: standard output (a full disk, at the last flush)
        if e.filename is not None:
            print(f"microgpt: error: {e.strerror or e}: {e.filename}", file=sys.stderr)
            return 1
        _silence_stdout()
        print(f"microgpt: error: cannot write the output ({e.strerror or e})", file=sys.stderr)
        return 1


# -- train -------------------------------------------------------------------------------
def _settings(args, flags: dict) -> dict:
    """The settings ``flags`` name: the value given on the command line, else the default."""
    return {
        key: default if getattr(args, dest) is None else getattr(args, dest)
        for dest, (key, default) in flags.items()
    }


def _data_file(source) -> Path | None:
    """The file a ``--data`` value reads (the bundled names and the makemore download too)."""
    if source is None or source == BUNDLED:
        return Path(str(resources.files("microgpt").joinpath("data", "names.txt")))
    if source == "makemore":
        return cache_dir() / "makemore_names.txt"
    return Path(source)


def _new_run(args) -> Run:
    source = args.data if args.data is not None else BUNDLED
    docs = load_docs(source)
    source_label = source if source in (BUNDLED, "makemore") else str(Path(source).resolve())
    hp = Hyperparams(**_settings(args, _RUN_FLAGS))
    return Run.start(docs, hp, source=source_label, **_settings(args, _MODEL_FLAGS))


def _resumed_checkpoint(args) -> Checkpoint:
    check_input_file(args.resume, "checkpoint", MAX_CHECKPOINT_BYTES)
    ckpt = load_checkpoint(args.resume)
    saved = {**ckpt.config.to_dict(), **ckpt.hyperparams.to_dict()}
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
    if args.data is None and ckpt.data["source"] is None:
        raise MicrogptError(f"{args.resume!r} does not record its dataset: pass --data")
    return ckpt


def _data_source(args, ckpt: Checkpoint | None):
    return args.data if args.data is not None or ckpt is None else ckpt.data["source"]


def _cmd_train(args) -> int:
    check_temperature(args.temperature)
    ckpt = _resumed_checkpoint(args) if args.resume else None
    source = _data_source(args, ckpt)
    out = _train_output(args, source)  # before any work: never lose a run after training it
    if out is None:
        return _train(args, ckpt, source, None)
    with OutputLock(out, "--out" if args.out else "--resume"):
        return _train(args, ckpt, source, out)


def _train(args, ckpt: Checkpoint | None, source, out: Path | None) -> int:
    if ckpt is not None:
        run = Run.from_checkpoint(ckpt, docs=load_docs(source))
    else:
        run = _new_run(args)
    if args.samples:
        _check_printable(
            run.tokenizer.chars,
            "the vocabulary (which samples are made of)",
            ", or pass --samples 0",
        )
    _say(f"num docs: {len(run.docs)}")
    _say(f"vocab size: {run.tokenizer.vocab_size}")
    _say(f"num params: {len(run.model.params)}")
    truncated = run.truncated_docs()
    if truncated:
        block = run.config.block_size
        needed = max(len(d) for d in truncated) + 1
        print(
            f"microgpt: warning: {len(truncated)} document(s) will be truncated: they have "
            f"{block} or more characters (e.g. {truncated[0][:40]!r}), but the context holds "
            f"{block} positions, so training learns only their first {block} characters and "
            f"never their end. Use --block-size {needed} to keep them whole.",
            file=sys.stderr,
        )
    if run.step:
        _say(f"resuming {args.resume} at step {run.step} / {run.hp.num_steps}")

    interrupted = []  # Ctrl-C, noted between steps and while saving (never lost mid-save)
    stdout_failed: list[StdoutError] = []
    bar = _progress_bar(run) if args.progress else None  # (may refuse: before the handler)
    previous = signal.signal(signal.SIGINT, lambda *_: interrupted.append(True))
    try:
        try:
            if bar is not None:

                def on_step(step, num_steps, loss):
                    bar.update(1)
                    bar.set_postfix_str(f"loss {loss:.4f}", refresh=False)

            else:

                def on_step(step, num_steps, loss):
                    if not stdout_failed:
                        try:
                            _say(f"step {step:4d} / {num_steps:4d} | loss {loss:.4f}")
                        except StdoutError as e:  # stops training, which is then saved
                            stdout_failed.append(e)

            run.train(
                on_step=on_step,
                should_stop=lambda: bool(interrupted or stdout_failed),
                engine=args.engine,
            )
        except DivergedError as e:
            print(f"microgpt: error: {e}", file=sys.stderr)
            if out and run.step:
                saved = _save(run, out)
                print(f"saved the last finite state (step {run.step}) to {saved}", file=sys.stderr)
            return 3
        finally:
            if bar is not None:
                bar.close()
        if interrupted or stdout_failed:
            target = _save(run, out or _interrupt_target(run.step))
            why = "interrupted" if interrupted else f"stopped: {stdout_failed[0]},"
            print(
                f"\n{why} at step {run.step} / {run.hp.num_steps}: saved {target}. "
                f"Continue with: microgpt train --resume {target}",
                file=sys.stderr,
            )
            return 130 if interrupted else stdout_failed[0].status
        if out:
            _save(run, out)
            print(f"saved {out}", file=sys.stderr)
        if interrupted:  # a Ctrl-C during the save: the run is saved, the samples skipped
            return 130
    finally:
        signal.signal(signal.SIGINT, previous)

    if args.samples:
        _say("--- inference (new, hallucinated names) ---")
        names = samples(run.model, run.tokenizer, run.rng, args.samples, args.temperature)
        for i, text in enumerate(names):
            _say(f"sample {i + 1:2d}: {text}")
    return 0


def _train_output(args, source) -> Path | None:
    """Where the run will be saved (``--out``, else the ``--resume`` file), checked now: never
    the dataset the run reads, named or by default."""
    out = args.out or args.resume
    if out is None:
        return None
    data_flag = "--data" if args.data is not None else "--data (read by default)"
    return check_output_path(  # (a resumed checkpoint may be replaced by its continuation)
        out,
        "--out" if args.out else "--resume",
        inputs=[(data_flag, _data_file(source))],
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

    shipped = "--checkpoint (the shipped model, read by default)"
    check_output_path(
        args.out,
        inputs=[
            ("--checkpoint", args.checkpoint)
            if args.checkpoint is not None
            else (shipped, shipped_checkpoint_path())
        ],
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


# -- lessons -----------------------------------------------------------------------------
def _cmd_lessons(args) -> int:
    # the lessons are the explorer's: it loads only here
    from explorer.lessons import lesson_files, write_lessons

    written = write_lessons(args.dir, force=args.force)
    total = len(lesson_files())
    kept = total - len(written)
    print(
        f"wrote {len(written)} of {total} lesson files into {args.dir}"
        + (f" ({kept} already there, unchanged)" if kept else "")
        + f"; open them with: jupyter lab {shlex.quote(str(args.dir))}"
    )
    return 0


# -- sample ------------------------------------------------------------------------------
def _cmd_sample(args) -> int:
    path = args.checkpoint or shipped_checkpoint_path()
    check_input_file(path, "checkpoint", MAX_CHECKPOINT_BYTES)
    run = Run.from_checkpoint(load_checkpoint(path))
    if args.seed is not None:
        run.rng = random.Random(args.seed)
    _check_printable(run.tokenizer.chars + tuple(args.prefix), "the checkpoint's vocabulary")
    names = samples(run.model, run.tokenizer, run.rng, args.num, args.temperature, args.prefix)
    for i, text in enumerate(names):
        _say(f"sample {i + 1:2d}: {text}")
    return 0
