"""The ``microgpt`` command: ``train`` and ``sample``, and the commands other packages add
through ``microgpt.commands`` entry points (the explorer's ``graph``, ``serve`` and
``lessons``). This module never imports them: it loads an entry point only when the command
run is not one of its own, or ``--help`` lists them all.

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
import signal
import sys
import tempfile
from importlib import metadata, resources
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
    check_int,
    check_number,
    check_output_path,
    is_checkpoint_file,
)

__all__ = ["FORCE_HELP", "build_parser", "main", "non_negative_int", "positive_float"]
__all__ += ["positive_int"]

#: The entry-point group other packages add subcommands to (``explorer``: graph, serve,
#: lessons). Each entry point names a package's function ``add(sub)``, which adds its
#: commands' parsers to ``sub`` (argparse's subparsers), each with ``func`` as its default.
COMMANDS_GROUP = "microgpt.commands"

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


def _arg_type(parse, kind: str, check, rule: str):
    """An argparse ``type``: ``parse`` the text (else "'x' is not {kind}"), then ``check`` the
    value (``validate.check_int`` / ``check_number``; else "must be {rule}, got x")."""

    def convert(text: str):
        try:
            value = parse(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not {kind}") from None
        try:
            return check(value)
        except MicrogptError:
            shown = text if parse is float else value  # a float as typed, an int as read
            raise argparse.ArgumentTypeError(f"must be {rule}, got {shown}") from None

    return convert


#: The command line's numbers (``microgpt.commands`` entry points use them too).
positive_int = _arg_type(int, "an integer", lambda v: check_int(v, "it", 1), "a positive integer")
non_negative_int = _arg_type(int, "an integer", lambda v: check_int(v, "it", 0), "0 or more")
positive_float = _arg_type(
    float, "a number", lambda v: check_number(v, "it", 0, lo_open=True), "a positive number"
)

FORCE_HELP = "replace an existing --out file that microgpt did not write"
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


def build_parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
    """The ``microgpt`` parser: ``train`` and ``sample``, then the commands other packages add
    through ``COMMANDS_GROUP`` entry points. Those load only when ``argv`` runs none of
    microgpt's own (``microgpt train`` never imports the explorer); a package whose commands
    fail to load is one ``MicrogptError``."""
    parser = argparse.ArgumentParser(
        prog="microgpt",
        description="Karpathy's microgpt: train a tiny GPT on names and sample from it.",
    )
    parser.add_argument("--version", action="version", version=f"microgpt {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    _train_parser(sub)
    _sample_parser(sub)
    if _command_named(argv) not in ("train", "sample"):
        for entry in sorted(metadata.entry_points(group=COMMANDS_GROUP), key=lambda e: e.name):
            _add_commands(sub, entry)
    return parser


def _command_named(argv: list[str] | None) -> str | None:
    """The command ``argv`` runs (its first word that is not an option), if any."""
    if argv is None:
        return None
    return next((a for a in argv if isinstance(a, str) and not a.startswith("-")), None)


def _add_commands(sub, entry) -> None:
    """Load one entry point and let it add its parsers; its failure is one clear error."""
    try:
        entry.load()(sub)
    except Exception as e:  # a broken or half-installed package: say which and how to fix it
        raise MicrogptError(
            f"the commands of {entry.name!r} could not be loaded from {entry.value} "
            f"({type(e).__name__}: {e}): reinstall the package that provides them "
            "(pip install --force-reinstall microgpt-explorer)"
        ) from None


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
    t.add_argument("--steps", type=positive_int, help="training steps (default 1000)")
    t.add_argument("--seed", type=int, help="random seed (default 42)")
    t.add_argument("--n-layer", type=positive_int, help="transformer layers (default 1)")
    t.add_argument("--n-embd", type=positive_int, help="embedding width (default 16)")
    t.add_argument("--n-head", type=positive_int, help="attention heads (default 4)")
    t.add_argument("--block-size", type=positive_int, help="context length (default 16)")
    t.add_argument("--lr", type=positive_float, help="learning rate (default 0.01)")
    t.add_argument(
        "--temperature", type=positive_float, default=0.5, help="sampling temperature (0.5)"
    )
    t.add_argument(
        "--samples", type=non_negative_int, default=20, help="names to sample after (20)"
    )
    t.add_argument("--out", metavar="CKPT", help="save the trained run to this JSON checkpoint")
    t.add_argument(
        "--resume",
        metavar="CKPT",
        help="continue a run saved by --out or by Ctrl-C (its settings and data are reused)",
    )
    t.add_argument(
        "--snapshot-every",
        type=positive_int,
        help="keep the weights every N steps for the explorer (default 100)",
    )
    t.add_argument(
        "--progress", action="store_true", help="show a progress bar instead of step lines"
    )
    t.add_argument("--engine", choices=ENGINES, default="floats", help=_ENGINE_HELP)
    t.add_argument("--force", action="store_true", help=FORCE_HELP)
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
    s.add_argument("--num", type=non_negative_int, default=20, help="how many samples (20)")
    s.add_argument("--temperature", type=positive_float, default=0.5, help="temperature (0.5)")
    s.add_argument("--seed", type=int, help="random seed (default: the checkpoint's RNG state)")
    s.add_argument("--prefix", default="", help="start every sample with this text")
    s.set_defaults(func=_cmd_sample)


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
        argv = sys.argv[1:] if argv is None else list(argv)
        args = build_parser(argv).parse_args(argv)
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
    _announce(run, args)
    interrupted = []  # Ctrl-C, noted between steps and while saving (never lost mid-save)
    stdout_failed: list[StdoutError] = []
    bar = _progress_bar(run) if args.progress else None  # (may refuse: before the handler)
    previous = signal.signal(signal.SIGINT, lambda *_: interrupted.append(True))
    try:
        try:
            run.train(
                on_step=_step_reporter(bar, stdout_failed),
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
            return _stopped(run, out, interrupted, stdout_failed)
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


def _announce(run: Run, args) -> None:
    """Before training: what the run is (and refuse a vocabulary the terminal cannot print
    when samples will be printed); warn of documents the context cuts."""
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


def _step_reporter(bar, stdout_failed: list):
    """``on_step`` for training: the progress bar, else a line per step; a failure to print
    is kept in ``stdout_failed`` (which stops training, and the run is then saved)."""
    if bar is not None:

        def on_bar(step, num_steps, loss):
            bar.update(1)
            bar.set_postfix_str(f"loss {loss:.4f}", refresh=False)

        return on_bar

    def on_line(step, num_steps, loss):
        if not stdout_failed:
            try:
                _say(f"step {step:4d} / {num_steps:4d} | loss {loss:.4f}")
            except StdoutError as e:
                stdout_failed.append(e)

    return on_line


def _stopped(run: Run, out: Path | None, interrupted: list, stdout_failed: list) -> int:
    """A run stopped by Ctrl-C or by its output closing: saved, and how to continue said."""
    target = _save(run, out or _interrupt_target(run.step))
    why = "interrupted" if interrupted else f"stopped: {stdout_failed[0]},"
    print(
        f"\n{why} at step {run.step} / {run.hp.num_steps}: saved {target}. "
        f"Continue with: microgpt train --resume {target}",
        file=sys.stderr,
    )
    return 130 if interrupted else stdout_failed[0].status


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
