"""Training: a ``Run`` holds everything a training run is, and steps it with Adam.

The article's algorithm exactly: the RNG is seeded once and used, in order, to shuffle the
documents and draw every initial weight (training itself draws nothing); step k trains on
document ``docs[k % len(docs)]``; Adam with a learning rate decaying linearly to 0.

A ``Run`` also keeps what the explorer's "watch training" views need (a loss per step, and
snapshots of the weights and Adam's moments every ``snapshot_every`` steps), what resuming needs
(Adam's moments, the RNG state, the step), so that a run stopped at step k and resumed ends
bit-identical to an uninterrupted one, and the document each step trained on, so that any step
can be re-created exactly by replaying from the snapshot before it (``Run.replayed``). Library
code reports progress through ``on_step`` and prints nothing.

Two arithmetics, one run: ``Run.train`` and ``Run.checked_step`` step on plain floats by
default (``engine="floats"``: ``microgpt.floats``, no graph, ~25x faster) or on the ``Value``
engine (``engine="value"``: ``train_step``, the article's code). Their losses, weights, moments,
snapshots and RNG state are equal bit for bit, so a checkpoint does not depend on the engine,
and a run may be resumed on either.

Adam's update is written once, in ``adam_move``: the ``Value`` step applies it to every
parameter, and the explorer's preview of "what the next step would do" calls the same function.
Steps on floats apply ``adam_moves``, the same expressions over all parameters at once (a test
keeps the two equal bit for bit).
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass, replace

from .checkpoint_data import Checkpoint
from .data import Tokenizer, docs_fingerprint
from .engine import gc_paused
from .errors import ArgumentTypeError, ConfigError, DivergedError, MicrogptError
from .floats import FloatGPT
from .history import History
from .hyperparams import MAX_STEPS, Hyperparams
from .model import GPT, GPTConfig
from .optim import Adam, adam_move, adam_moves, learning_rate_at
from .params import ParamLayout
from .validate import check_docs, human_bytes

#: The most floats the snapshots of the weights may hold (~32 bytes each in memory and JSON).
MAX_SNAPSHOT_FLOATS = 20_000_000

__all__ = [
    "ENGINES",
    "MAX_STEPS",
    "Hyperparams",
    "Run",
    "RunState",
    "adam_move",
    "adam_moves",
    "check_engine",
    "learning_rate_at",
]

#: What a run can step on: plain floats (the default) or the ``Value`` engine (the article's).
ENGINES = ("floats", "value")


@dataclass(frozen=True)
class RunState:
    """What one training step changes in a ``Run``, copied (``Run.state()`` / ``restore``)."""

    step: int
    weights: tuple[float, ...]
    adam_m: tuple[float, ...]
    adam_v: tuple[float, ...]
    num_losses: int
    num_snapshots: int
    num_step_docs: int


def _part(part: str, attr: str, doc: str) -> property:
    """A read-only ``Run`` attribute that is one of its parts' (``run.adam.m`` as
    ``run.adam_m``): the state lives in the part, once."""
    return property(lambda run: getattr(getattr(run, part), attr), doc=doc)


class Run:
    """A training run: model, tokenizer, documents in training order, optimizer, history.

    Make one with ``Run.start(docs, ...)`` (a new run) or ``Run.from_checkpoint(...)``.
    Attributes a caller reads: ``model``, ``tokenizer``, ``docs`` (shuffled), ``step`` (steps
    done), ``hp`` (``Hyperparams``), ``loss_history`` (one loss per step done), ``snapshots``
    (``{"step", "loss", "weights", "adam", "grad_norms"}`` dicts; ``adam`` holds the moments
    ``{"m", "v"}`` after that step), ``step_docs`` (the document each step trained on),
    ``rng`` (for sampling afterwards). The optimizer's state is ``adam`` (``microgpt.optim``),
    the past ``history`` (``microgpt.history``); ``adam_m`` / ``adam_v`` are its moments.
    """

    def __init__(
        self,
        model: GPT,
        tokenizer: Tokenizer,
        docs: list[str] | None,
        hp: Hyperparams,
        rng: random.Random,
        data_info: dict,
    ) -> None:
        self.model = model
        self.tokenizer = tokenizer
        self.docs = docs
        self.hp = hp
        self.rng = rng
        self.data_info = data_info
        self.step = 0
        self.layout = ParamLayout(model.config)
        self.adam = Adam(hp, len(model.params))
        self.history = History()
        self.last_grads: list[float] | None = None
        self._floats: FloatGPT | None = None  # made on first use (steps_on_floats)

    # -- the parts' state, under the names callers read -----------------------------------
    adam_m = _part("adam", "m", "Adam's first moments (flat, ``params`` order).")
    adam_v = _part("adam", "v", "Adam's second moments (flat, ``params`` order).")
    loss_history = _part("history", "losses", "One loss per step done.")
    snapshots = _part("history", "snapshots", "The snapshots taken (``History``).")
    step_docs = _part("history", "step_docs", "The document each step trained on.")

    def moments(self) -> dict[str, dict[str, list[list[float]]]]:
        """Adam's moments by matrix key, as a checkpoint keeps them: ``{"m": ..., "v": ...}``."""
        return self.adam.by_key(self.layout)

    # -- making a run ---------------------------------------------------------------------
    @classmethod
    def start(
        cls,
        docs: list[str],
        hp: Hyperparams | None = None,
        *,
        n_embd: int = 16,
        n_head: int = 4,
        n_layer: int = 1,
        block_size: int = 16,
        source: str | None = None,
    ) -> Run:
        """A new run on ``docs`` (in file order; the run shuffles a copy with the seed)."""
        docs = check_docs(docs)
        if hp is None:
            hp = Hyperparams()
        elif not isinstance(hp, Hyperparams):
            raise ArgumentTypeError(
                f"hp must be a Hyperparams, got {type(hp).__name__}: e.g. Hyperparams(num_steps=50)"
            )
        data_info = {"source": source, "num_docs": len(docs), "sha256": docs_fingerprint(docs)}
        rng = random.Random(hp.seed)
        docs = list(docs)
        rng.shuffle(docs)
        tokenizer = Tokenizer.from_docs(docs)
        config = GPTConfig(
            vocab_size=tokenizer.vocab_size,
            n_embd=n_embd,
            n_head=n_head,
            n_layer=n_layer,
            block_size=block_size,
        )
        _check_snapshots(hp, config)
        model = GPT(config, rng, _labels(tokenizer))
        run = cls(model, tokenizer, docs, hp, rng, data_info)
        run._snapshot(loss=None, grad_norms=None)
        return run

    @classmethod
    def from_checkpoint(cls, ckpt: Checkpoint, docs: list[str] | None = None) -> Run:
        """Rebuild a run from a checkpoint (``microgpt.checkpoint.load_checkpoint``).

        With ``docs`` (the same dataset, in file order) the run can continue training; without,
        it can sample and be inspected.
        """
        if not isinstance(ckpt, Checkpoint):
            raise ArgumentTypeError(
                f"ckpt must be a Checkpoint, got {type(ckpt).__name__}: e.g. load_checkpoint(path)"
            )
        tokenizer = Tokenizer(tuple(ckpt.vocab))
        config, hp = ckpt.config, ckpt.hyperparams
        rng = random.Random()
        rng.setstate(_rng_state_from_json(ckpt.rng_state))
        shuffled = None
        if docs is not None:
            if docs_fingerprint(docs) != ckpt.data["sha256"]:
                raise MicrogptError(
                    f"this dataset is not the one the checkpoint was trained on "
                    f"({len(docs)} documents; the checkpoint's had {ckpt.data['num_docs']}, "
                    f"from {ckpt.data['source']!r}): resume with the same --data"
                )
            # The run's document order comes from the seed; the shuffle happens before any
            # weight is drawn, so replaying it on a fresh RNG gives the same order.
            shuffled = list(docs)
            random.Random(hp.seed).shuffle(shuffled)
        model = GPT(config, token_labels=_labels(tokenizer), weights=ckpt.weights)
        run = cls(model, tokenizer, shuffled, hp, rng, ckpt.data)
        run.step = ckpt.step
        run.adam.load(ckpt.adam, run.layout)
        run.history = History(
            list(ckpt.loss_history), list(ckpt.snapshots), list(ckpt.step_docs or [])
        )
        return run

    @classmethod
    def replayed(cls, ckpt: Checkpoint, step: int, base: Run | None = None) -> Run:
        """The run as it was after ``step`` training steps, re-created exactly.

        Starts from the latest snapshot at or before ``step`` (or from ``base``, a run of the
        same checkpoint, when it is closer and not past ``step``) and replays the steps in
        between on the documents they trained on (``step_docs``), with the moments the
        snapshot kept: the weights and moments are bit-identical to those the training run
        had. At most ``snapshot_every - 1`` steps are replayed, on plain floats
        (``microgpt.floats``: the engine's arithmetic without its graph, ~10x faster).
        """
        final = ckpt.step
        if isinstance(step, bool) or not isinstance(step, int) or not 0 <= step <= final:
            raise MicrogptError(
                f"step {step!r} is not a step of this run: choose one from 0 to {final}"
            )
        if step == final:
            return cls.from_checkpoint(ckpt)
        snaps = [s for s in ckpt.snapshots if s["step"] <= step and "adam" in s]
        steps_docs = ckpt.step_docs
        if not snaps or steps_docs is None:
            raise MicrogptError(
                f"this checkpoint cannot re-create step {step}: it keeps no Adam moments with "
                "its snapshots or no record of the documents each step trained on (it was "
                "written by an older microgpt). Train it again with this version (--out)"
            )
        snap = max(snaps, key=lambda s: s["step"])
        if base is not None and snap["step"] <= base.step <= step:
            run = base.copy()
        else:
            at = snap["step"]
            run = cls.from_checkpoint(
                replace(ckpt, step=at, weights=snap["weights"], adam=snap["adam"])
            )
            run.history.losses = run.history.losses[:at]
        run.history.snapshots = [s for s in ckpt.snapshots if s["step"] <= run.step]
        run.history.step_docs = list(steps_docs[: run.step])
        run.steps_on_floats(steps_docs[run.step : step])
        return run

    def copy(self) -> Run:
        """An independent copy (its own model and moments; histories copied, snapshots shared)."""
        twin = Run(
            GPT(self.config, token_labels=_labels(self.tokenizer), weights=self.model.weights()),
            self.tokenizer, self.docs, self.hp, random.Random(), self.data_info,
        )  # fmt: skip
        twin.rng.setstate(self.rng.getstate())
        twin.step = self.step
        twin.adam = self.adam.copy()
        twin.history = self.history.copy()
        return twin

    def state(self) -> RunState:
        """Everything the next training step will change, for ``restore``."""
        return RunState(
            self.step,
            tuple(p.data for p in self.model.params),
            tuple(self.adam.m),
            tuple(self.adam.v),
            *self.history.sizes(),
        )

    def restore(self, state: RunState) -> None:
        """Undo the steps done since ``state()`` was taken: weights and moments bit for bit."""
        if state.step > self.step or len(state.weights) != len(self.model.params):
            raise MicrogptError("this state was not taken from this run before its last steps")
        for p, x in zip(self.model.params, state.weights):
            p.data, p.grad = x, 0
        self.step = state.step
        self.adam.m, self.adam.v = list(state.adam_m), list(state.adam_v)
        self.history.truncate((state.num_losses, state.num_snapshots, state.num_step_docs))

    # -- what the run knows ---------------------------------------------------------------
    @property
    def config(self) -> GPTConfig:
        return self.model.config

    @property
    def done(self) -> bool:
        return self.step >= self.hp.num_steps

    def truncated_docs(self) -> list[str]:
        """Documents too long for the context: training sees only their first ``block_size``
        positions (a document of L characters has L + 1 positions)."""
        docs = self.docs or []
        return [d for d in docs if len(d) + 1 > self.config.block_size]

    def to_checkpoint(self) -> Checkpoint:
        """Everything the run is, as a ``Checkpoint`` (``microgpt.checkpoint`` saves it)."""
        return Checkpoint(
            config=self.config,
            hyperparams=self.hp,
            vocab=list(self.tokenizer.chars),
            data=dict(self.data_info),
            step=self.step,
            weights=self.model.weights(),
            adam=self.moments(),
            rng_state=_rng_state_to_json(self.rng.getstate()),
            loss_history=list(self.loss_history),
            snapshots=list(self.snapshots),
            step_docs=list(self.step_docs),
        )

    # -- steps on floats ------------------------------------------------------------------
    def steps_on_floats(self, docs: list[str], keep_grads: bool = False) -> list[float]:
        """``train_step(doc)`` for each of ``docs``, on plain floats (``microgpt.floats``): the
        same losses, gradients, Adam updates, history and snapshots, bit for bit, ~25x faster
        (no graph is recorded). Replays use it; so do ``checked_step`` and the explorer's step
        taken by hand. No divergence check (``checked_step`` has one). With ``keep_grads`` the
        last step's gradients are kept in ``last_grads``. Returns the steps' losses."""
        params = self.model.params
        weights = [p.data for p in params]
        losses = []
        try:
            for doc in docs:
                self._check_not_done()
                loss, grads, moved = self._float_step(weights, doc)
                weights = self._commit_float_step(moved, doc, loss, grads, keep_grads)
                losses.append(loss)
        finally:  # the model holds the weights of the last step done, even if one raised
            for p, x in zip(params, weights):
                p.data = x
        return losses

    def _float_step(self, weights: list[float], doc: str) -> tuple[float, list, tuple]:
        """One step's arithmetic on floats from ``weights``, changing nothing in the run:
        ``(loss, grads, (m, v, new weights))``."""
        loss, grads = self._float_model().loss_and_grads(weights, self.tokenizer.encode_doc(doc))
        m, v, deltas = self.adam.moves(grads, self.step)
        return loss, grads, (m, v, [w - d for w, d in zip(weights, deltas)])

    def _commit_float_step(
        self, moved: tuple, doc: str, loss: float, grads: list, keep_grads: bool
    ) -> list[float]:
        """Make a ``_float_step`` the run's: moments, step, history, snapshot (the model's
        weights are set at a snapshot; ``steps_on_floats`` sets them at its end). Returns the
        new weights."""
        m, v, weights = moved
        step = self.step
        self.adam.commit(m, v)
        self.step = step + 1
        self.history.record(loss, doc)
        if keep_grads:
            self.last_grads = list(grads)
        if self._snapshot_due(step):
            for p, x in zip(self.model.params, weights):
                p.data = x
            self._snapshot(loss=loss, grad_norms=self.layout.norms(grads))
        return weights

    def loss_on_floats(self, doc: str) -> float:
        """The loss of ``doc`` with the current weights, on plain floats (no step, no graph):
        bit for bit ``model.loss(encode_doc(doc))[0].data``."""
        weights = [p.data for p in self.model.params]
        return self._float_model().loss_and_grads(weights, self.tokenizer.encode_doc(doc))[0]

    def _next_doc(self) -> str:
        if self.docs is None:
            raise MicrogptError(
                "this run was loaded without its dataset, so it cannot train: pass the "
                "documents it was trained on (--data)"
            )
        return self.docs[self.step % len(self.docs)]

    def _check_not_done(self) -> None:
        if self.done:
            raise MicrogptError(
                f"the run has done all its {self.hp.num_steps} steps; start a new run to train more"
            )

    def _float_model(self) -> FloatGPT:
        # one per run: it compiles its dot-product kernels once
        if self._floats is None:
            self._floats = FloatGPT(self.config)
        return self._floats

    def _snapshot_due(self, step: int) -> bool:
        """Whether step index ``step`` (0-based) ends with a snapshot (and the last always)."""
        return (step + 1) % self.hp.snapshot_every == 0 or step + 1 == self.hp.num_steps

    # -- training -------------------------------------------------------------------------
    def train_step(self, doc: str | None = None, keep_grads: bool = False) -> float:
        """One step of the article's training loop, on the ``Value`` engine; returns its loss.

        The step trains on the run's next document (``docs[step % len(docs)]``), or on ``doc``
        when one is given (the explorer's "train one step on this name"). With ``keep_grads``
        the gradients the step used are kept in ``last_grads`` (``params`` order).
        """
        self._check_not_done()
        if doc is None:
            doc = self._next_doc()
        model, step = self.model, self.step
        tokens = self.tokenizer.encode_doc(doc)
        with gc_paused():
            loss, _ = model.loss(tokens)
            loss.backward()

        snapshot_due = self._snapshot_due(step)
        grads = [p.grad for p in model.params] if snapshot_due or keep_grads else None
        if keep_grads:
            self.last_grads = grads
        self.adam.values_step(model.params, step)
        self.step = step + 1
        self.history.record(loss.data, doc)
        if snapshot_due:
            self._snapshot(loss=loss.data, grad_norms=self.layout.norms(grads))
        return loss.data

    def train(
        self,
        on_step: Callable[[int, int, float], object] | None = None,
        should_stop: Callable[[], bool] | None = None,
        engine: str = "floats",
    ) -> list[float]:
        """Train until ``hp.num_steps`` steps are done, or ``should_stop()`` says so.

        ``on_step(step, num_steps, loss)`` is called after every step (step counts from 1).
        ``should_stop`` is checked between steps, so a stop never leaves a half-applied update.
        ``engine``: ``"floats"`` (default, ~25x faster) or ``"value"`` (the article's ``Value``
        step); the run ends bit for bit the same on either. A diverged step raises
        ``DivergedError`` (see ``checked_step``). Returns the losses of the steps done by this
        call.
        """
        for what, f in (("on_step", on_step), ("should_stop", should_stop)):
            if f is not None and not callable(f):
                raise ArgumentTypeError(f"{what} must be a function or None, got {f!r}")
        engine = check_engine(engine)
        losses = []
        while not self.done:
            if should_stop is not None and should_stop():
                break
            loss = self.checked_step(engine)
            losses.append(loss)
            if on_step is not None:
                on_step(self.step, self.hp.num_steps, loss)
        return losses

    # -- divergence: the last finite state is kept ----------------------------------------
    def checked_step(self, engine: str = "floats", keep_grads: bool = False) -> float:
        """One training step on the run's next document, on ``engine`` (``"floats"``, the
        default: ``steps_on_floats``, or ``"value"``: ``train_step``); returns its loss. A
        step whose loss or weights are not finite (or whose arithmetic fails) is undone and
        raises ``DivergedError``: the run keeps its last finite state, on either engine. So
        is a step stopped by any other exception (a ``KeyboardInterrupt``), which is raised
        again. With ``keep_grads`` the step's gradients are kept in ``last_grads``.

        Copying the state costs about 0.2 ms at the article's shape; a step on floats ~4 ms,
        on the engine 100+ ms."""
        engine = check_engine(engine)
        self._check_not_done()
        before = self.state()
        try:
            if engine == "value":
                loss = self.train_step(keep_grads=keep_grads)
            else:
                (loss,) = self.steps_on_floats([self._next_doc()], keep_grads=keep_grads)
        except MicrogptError:
            raise
        except (OverflowError, ZeroDivisionError, ValueError) as e:  # math range / domain
            self.restore(before)
            raise self._diverged(f"the arithmetic failed ({e})") from None
        except BaseException:  # anything else (a stop of the interpreter): no half-applied step
            self.restore(before)
            raise
        # a sum is not finite if any term is nan or inf (only nan, inf, or ~1e308 weights)
        weights_finite = math.isfinite(sum(p.data for p in self.model.params))
        if not (math.isfinite(loss) and weights_finite):
            self.restore(before)
            raise self._diverged(
                f"the loss is {loss}" if not math.isfinite(loss) else "a weight is not finite"
            )
        return loss

    def _diverged(self, what: str) -> DivergedError:
        return DivergedError(
            f"training diverged at step {self.step + 1} / {self.hp.num_steps}: {what}. The run "
            f"is kept as it was after step {self.step}, the last finite one. Try a lower "
            f"learning rate (it is {self.hp.learning_rate})",
            step=self.step,
        )

    def _snapshot(self, loss: float | None, grad_norms: dict | None) -> None:
        self.history.snapshot(self.step, loss, self.model.weights(), self.moments(), grad_norms)


def check_engine(engine) -> str:
    """``engine`` if it is one of ``ENGINES``; else a ``ConfigError`` saying the choices."""
    if engine not in ENGINES:
        raise ConfigError(
            f"engine must be one of {', '.join(map(repr, ENGINES))}, got {engine!r}: "
            "'floats' (the default, fast) or 'value' (the article's Value engine)"
        )
    return engine


def _check_snapshots(hp: Hyperparams, config: GPTConfig) -> None:
    floats = (hp.num_steps // hp.snapshot_every + 2) * config.num_params()
    if floats > MAX_SNAPSHOT_FLOATS:
        raise ConfigError(
            f"{hp.num_steps:,} steps with a snapshot every {hp.snapshot_every:,} keep "
            f"{floats:,} weights (~{human_bytes(floats * 32)} in memory and in the checkpoint); "
            f"the limit is {MAX_SNAPSHOT_FLOATS:,}: pass a larger --snapshot-every"
        )


def _labels(tokenizer: Tokenizer) -> list[str]:
    return [tokenizer.label(i) for i in range(tokenizer.vocab_size)]


def _rng_state_to_json(state: tuple) -> list:
    version, internal, gauss_next = state
    return [version, list(internal), gauss_next]


def _rng_state_from_json(state: list) -> tuple:
    version, internal, gauss_next = state
    return (version, tuple(internal), gauss_next)
