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
from dataclasses import asdict, dataclass

from .data import Tokenizer, docs_fingerprint
from .engine import gc_paused
from .errors import ArgumentTypeError, ConfigError, DivergedError, MicrogptError
from .floats import FloatGPT
from .model import GPT, GPTConfig
from .validate import check_docs, check_int, check_number, human_bytes

#: The most steps a run may take (each keeps its loss; a step takes ~0.1 s at the default shape).
MAX_STEPS = 10_000_000
#: The most floats the snapshots of the weights may hold (~32 bytes each in memory and JSON).
MAX_SNAPSHOT_FLOATS = 20_000_000

__all__ = [
    "ENGINES",
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
class Hyperparams:
    """What a training run does, besides the model's shape."""

    num_steps: int = 1000
    learning_rate: float = 0.01
    beta1: float = 0.85
    beta2: float = 0.99
    eps_adam: float = 1e-8
    seed: int = 42
    snapshot_every: int = 100

    def __post_init__(self) -> None:
        checked = {
            "num_steps": check_int(
                self.num_steps, "the number of steps", 1, MAX_STEPS, "pass e.g. --steps 1000"
            ),
            "learning_rate": check_number(
                self.learning_rate, "the learning rate", 0, lo_open=True, fix="try --lr 0.01"
            ),
            "beta1": check_number(
                self.beta1, "beta1", 0, 1, hi_open=True, fix="the article's is 0.85"
            ),
            "beta2": check_number(
                self.beta2, "beta2", 0, 1, hi_open=True, fix="the article's is 0.99"
            ),
            "eps_adam": check_number(
                self.eps_adam, "eps_adam", 0, lo_open=True, fix="the article's is 1e-8"
            ),
            "seed": check_int(self.seed, "the seed", fix="pass e.g. --seed 42"),
            "snapshot_every": check_int(
                self.snapshot_every, "snapshot_every", 1, fix="pass e.g. --snapshot-every 100"
            ),
        }
        for field, value in checked.items():  # numpy numbers become Python's (JSON-able)
            object.__setattr__(self, field, value)

    def to_dict(self) -> dict:
        return asdict(self)


def learning_rate_at(hp: Hyperparams, step: int) -> float:
    """The learning rate of the step with index ``step`` (0-based): linear decay to 0."""
    return hp.learning_rate * (1 - step / hp.num_steps)


def adam_move(
    grad: float, m: float, v: float, step: int, lr_t: float, beta1: float, beta2: float, eps: float
) -> tuple[float, float, float, float, float]:
    """Adam's update of one parameter at step index ``step`` (0-based), as the article writes it.

    Returns ``(m, v, m_hat, v_hat, delta)``: the new moments, their bias-corrected values and
    ``delta = lr_t · m̂ / (√v̂ + eps)``, which the step subtracts from the parameter's value.
    The expressions and their order are the article's, so the floats are too.
    """
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad**2
    m_hat = m / (1 - beta1 ** (step + 1))
    v_hat = v / (1 - beta2 ** (step + 1))
    return m, v, m_hat, v_hat, lr_t * m_hat / (v_hat**0.5 + eps)


def adam_moves(
    grads: list, ms: list, vs: list, step: int, lr_t: float, beta1: float, beta2: float, eps: float
) -> tuple[list[float], list[float], list[float]]:
    """``adam_move`` for every parameter at once: ``(ms, vs, deltas)``, bit for bit its floats.

    The same expressions in the same order; only the terms that do not depend on the parameter
    (``1 - beta1``, the bias corrections) are computed once instead of once per parameter,
    which gives the same floats. ``Run`` replays steps with it (~5x faster than a call per
    parameter); ``tests/test_floats.py`` checks it against ``adam_move``.
    """
    c1, c2 = 1 - beta1, 1 - beta2
    d1, d2 = 1 - beta1 ** (step + 1), 1 - beta2 ** (step + 1)
    ms = [beta1 * m + c1 * g for m, g in zip(ms, grads)]
    vs = [beta2 * v + c2 * g**2 for v, g in zip(vs, grads)]
    deltas = [lr_t * (m / d1) / ((v / d2) ** 0.5 + eps) for m, v in zip(ms, vs)]
    return ms, vs, deltas


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


class Run:
    """A training run: model, tokenizer, documents in training order, optimizer state, history.

    Make one with ``Run.start(docs, ...)`` (a new run) or ``Run.from_checkpoint(...)``.
    Attributes a caller reads: ``model``, ``tokenizer``, ``docs`` (shuffled), ``step`` (steps
    done), ``hp`` (``Hyperparams``), ``loss_history`` (one loss per step done), ``snapshots``
    (``{"step", "loss", "weights", "adam", "grad_norms"}`` dicts; ``adam`` holds the moments
    ``{"m", "v"}`` after that step), ``step_docs`` (the document each step trained on),
    ``rng`` (for sampling afterwards).
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
        self.adam_m = [0.0] * len(model.params)
        self.adam_v = [0.0] * len(model.params)
        self.loss_history: list[float] = []
        self.snapshots: list[dict] = []
        self.step_docs: list[str] = []
        self.last_grads: list[float] | None = None
        self._floats: FloatGPT | None = None  # made on first use (steps_on_floats)

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
    def from_checkpoint(cls, ckpt: dict, docs: list[str] | None = None) -> Run:
        """Rebuild a run from a validated checkpoint dict (see ``microgpt.checkpoint``).

        With ``docs`` (the same dataset, in file order) the run can continue training; without,
        it can sample and be inspected.
        """
        tokenizer = Tokenizer(tuple(ckpt["vocab"]))
        config = GPTConfig(**ckpt["config"])
        hp = Hyperparams(**ckpt["hyperparams"])
        rng = random.Random()
        rng.setstate(_rng_state_from_json(ckpt["rng_state"]))
        shuffled = None
        if docs is not None:
            if docs_fingerprint(docs) != ckpt["data"]["sha256"]:
                raise MicrogptError(
                    f"this dataset is not the one the checkpoint was trained on "
                    f"({len(docs)} documents; the checkpoint's had {ckpt['data']['num_docs']}, "
                    f"from {ckpt['data']['source']!r}): resume with the same --data"
                )
            # The run's document order comes from the seed; the shuffle happens before any
            # weight is drawn, so replaying it on a fresh RNG gives the same order.
            shuffled = list(docs)
            random.Random(hp.seed).shuffle(shuffled)
        model = GPT(config, token_labels=_labels(tokenizer), weights=ckpt["weights"])
        run = cls(model, tokenizer, shuffled, hp, rng, ckpt["data"])
        run.step = ckpt["step"]
        run.adam_m = _flatten(ckpt["adam"]["m"], config)
        run.adam_v = _flatten(ckpt["adam"]["v"], config)
        run.loss_history = list(ckpt["loss_history"])
        run.snapshots = list(ckpt["snapshots"])
        run.step_docs = list(ckpt.get("step_docs") or [])
        return run

    @classmethod
    def replayed(cls, ckpt: dict, step: int, base: Run | None = None) -> Run:
        """The run as it was after ``step`` training steps, re-created exactly.

        Starts from the latest snapshot at or before ``step`` (or from ``base``, a run of the
        same checkpoint, when it is closer and not past ``step``) and replays the steps in
        between on the documents they trained on (``step_docs``), with the moments the
        snapshot kept: the weights and moments are bit-identical to those the training run
        had. At most ``snapshot_every - 1`` steps are replayed, on plain floats
        (``microgpt.floats``: the engine's arithmetic without its graph, ~10x faster).
        """
        final = ckpt["step"]
        if isinstance(step, bool) or not isinstance(step, int) or not 0 <= step <= final:
            raise MicrogptError(
                f"step {step!r} is not a step of this run: choose one from 0 to {final}"
            )
        if step == final:
            return cls.from_checkpoint(ckpt)
        snaps = [s for s in ckpt["snapshots"] if s["step"] <= step and "adam" in s]
        steps_docs = ckpt.get("step_docs")
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
            run = cls.from_checkpoint(
                {**ckpt, "step": snap["step"], "weights": snap["weights"], "adam": snap["adam"]}
            )
            run.loss_history = run.loss_history[: snap["step"]]
        run.snapshots = [s for s in ckpt["snapshots"] if s["step"] <= run.step]
        run.step_docs = list(steps_docs[: run.step])
        run.steps_on_floats(steps_docs[run.step : step])
        return run

    def steps_on_floats(self, docs: list[str], keep_grads: bool = False) -> list[float]:
        """``train_step(doc)`` for each of ``docs``, on plain floats (``microgpt.floats``): the
        same losses, gradients, Adam updates, history and snapshots, bit for bit, ~25x faster
        (no graph is recorded). Replays use it; so does the explorer's step taken by hand.
        No divergence check (``checked_step`` has one). With ``keep_grads`` the last step's
        gradients are kept in ``last_grads``. Returns the steps' losses."""
        params = self.model.params
        weights = [p.data for p in params]
        losses = []
        try:
            for doc in docs:
                self._check_not_done()
                loss, grads, moved = self._float_step(weights, doc)
                weights = self._commit_float_step(moved, doc, loss, grads, keep_grads, sync=False)
                losses.append(loss)
        finally:  # the model holds the weights of the last step done, even if one raised
            for p, x in zip(params, weights):
                p.data = x
        return losses

    def _float_step(self, weights: list[float], doc: str) -> tuple[float, list, tuple]:
        """One step's arithmetic on floats from ``weights``, changing nothing in the run:
        ``(loss, grads, (m, v, new weights))``."""
        hp, step = self.hp, self.step
        loss, grads = self._float_model().loss_and_grads(weights, self.tokenizer.encode_doc(doc))
        lr_t = learning_rate_at(hp, step)
        m, v, deltas = adam_moves(
            grads, self.adam_m, self.adam_v, step, lr_t, hp.beta1, hp.beta2, hp.eps_adam
        )
        return loss, grads, (m, v, [w - d for w, d in zip(weights, deltas)])

    def _commit_float_step(
        self, moved: tuple, doc: str, loss: float, grads: list, keep_grads: bool, sync: bool
    ) -> list[float]:
        """Make a ``_float_step`` the run's: moments, step, history, snapshot; the model's
        weights too when ``sync`` (else only at a snapshot). Returns the new weights."""
        m, v, weights = moved
        step = self.step
        self.adam_m[:], self.adam_v[:] = m, v
        self.step = step + 1
        self.loss_history.append(loss)
        self.step_docs.append(doc)
        if keep_grads:
            self.last_grads = list(grads)
        snapshot_due = (step + 1) % self.hp.snapshot_every == 0 or step + 1 == self.hp.num_steps
        if sync or snapshot_due:
            for p, x in zip(self.model.params, weights):
                p.data = x
        if snapshot_due:
            self._snapshot(loss=loss, grad_norms=_grad_norms(grads, self.config))
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

    def copy(self) -> Run:
        """An independent copy (its own model and moments; histories copied, snapshots shared)."""
        twin = Run(
            GPT(self.config, token_labels=_labels(self.tokenizer), weights=self.model.weights()),
            self.tokenizer, self.docs, self.hp, random.Random(), self.data_info,
        )  # fmt: skip
        twin.rng.setstate(self.rng.getstate())
        twin.step = self.step
        twin.adam_m, twin.adam_v = list(self.adam_m), list(self.adam_v)
        twin.loss_history = list(self.loss_history)
        twin.snapshots = list(self.snapshots)
        twin.step_docs = list(self.step_docs)
        return twin

    def state(self) -> RunState:
        """Everything the next training step will change, for ``restore``."""
        return RunState(
            self.step,
            tuple(p.data for p in self.model.params),
            tuple(self.adam_m),
            tuple(self.adam_v),
            len(self.loss_history),
            len(self.snapshots),
            len(self.step_docs),
        )

    def restore(self, state: RunState) -> None:
        """Undo the steps done since ``state()`` was taken: weights and moments bit for bit."""
        if state.step > self.step or len(state.weights) != len(self.model.params):
            raise MicrogptError("this state was not taken from this run before its last steps")
        for p, x in zip(self.model.params, state.weights):
            p.data, p.grad = x, 0
        self.step = state.step
        self.adam_m, self.adam_v = list(state.adam_m), list(state.adam_v)
        del self.loss_history[state.num_losses :]
        del self.snapshots[state.num_snapshots :]
        del self.step_docs[state.num_step_docs :]

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

    def to_checkpoint(self) -> dict:
        """Everything the run is, as plain JSON-able data (see ``microgpt.checkpoint``)."""
        return {
            "config": self.config.to_dict(),
            "hyperparams": self.hp.to_dict(),
            "vocab": list(self.tokenizer.chars),
            "data": dict(self.data_info),
            "step": self.step,
            "weights": self.model.weights(),
            "adam": {"m": self._by_key(self.adam_m), "v": self._by_key(self.adam_v)},
            "rng_state": _rng_state_to_json(self.rng.getstate()),
            "loss_history": list(self.loss_history),
            "snapshots": list(self.snapshots),
            "step_docs": list(self.step_docs),
        }

    # -- training -------------------------------------------------------------------------
    def train_step(self, doc: str | None = None, keep_grads: bool = False) -> float:
        """One step of the article's training loop; returns its loss.

        The step trains on the run's next document (``docs[step % len(docs)]``), or on ``doc``
        when one is given (the explorer's "train one step on this name"). With ``keep_grads``
        the gradients the step used are kept in ``last_grads`` (``params`` order).
        """
        self._check_not_done()
        if doc is None:
            doc = self._next_doc()
        hp, model, step = self.hp, self.model, self.step
        tokens = self.tokenizer.encode_doc(doc)
        with gc_paused():
            loss, _ = model.loss(tokens)
            loss.backward()

        snapshot_due = (step + 1) % hp.snapshot_every == 0 or step + 1 == hp.num_steps
        grad_norms = (
            _grad_norms([p.grad for p in model.params], self.config) if snapshot_due else None
        )
        if keep_grads:
            self.last_grads = [p.grad for p in model.params]

        lr_t = learning_rate_at(hp, step)
        beta1, beta2, eps = hp.beta1, hp.beta2, hp.eps_adam
        m, v = self.adam_m, self.adam_v
        for i, p in enumerate(model.params):
            m[i], v[i], _, _, delta = adam_move(p.grad, m[i], v[i], step, lr_t, beta1, beta2, eps)
            p.data -= delta
            p.grad = 0

        self.step = step + 1
        self.loss_history.append(loss.data)
        self.step_docs.append(doc)
        if snapshot_due:
            self._snapshot(loss=loss.data, grad_norms=grad_norms)
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
    def checked_step(self, engine: str = "floats") -> float:
        """One training step on the run's next document, on ``engine`` (``"floats"``, the
        default, or ``"value"``: ``train_step``); returns its loss. A step whose loss or
        weights are not finite (or whose arithmetic fails) is undone and raises
        ``DivergedError``: the run keeps its last finite state, on either engine."""
        engine = check_engine(engine)
        if engine == "value":
            return self._checked_value_step()
        self._check_not_done()
        doc = self._next_doc()
        weights = [p.data for p in self.model.params]
        try:  # nothing of the run changes before the step is known to be finite
            loss, grads, moved = self._float_step(weights, doc)
        except MicrogptError:
            raise
        except (OverflowError, ZeroDivisionError, ValueError) as e:  # math range / domain
            raise self._diverged(f"the arithmetic failed ({e})") from None
        weights_finite = math.isfinite(sum(moved[2]))  # the same sum as the Value step's
        if not (math.isfinite(loss) and weights_finite):
            raise self._diverged(
                f"the loss is {loss}" if not math.isfinite(loss) else "a weight is not finite"
            )
        self._commit_float_step(moved, doc, loss, grads, keep_grads=False, sync=True)
        return loss

    def _checked_value_step(self) -> float:
        """``train_step`` with the divergence check. Copying the state costs about 0.2 ms at
        the article's shape; a step on the engine, 100+ ms."""
        before = self.state()
        try:
            loss = self.train_step()
        except MicrogptError:
            raise
        except (OverflowError, ZeroDivisionError, ValueError) as e:  # math range / domain
            self.restore(before)
            raise self._diverged(f"the arithmetic failed ({e})") from None
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

    # -- helpers --------------------------------------------------------------------------
    def _by_key(self, flat: list[float]) -> dict[str, list[list[float]]]:
        out, i = {}, 0
        for key, (rows, cols) in self.config.matrix_shapes().items():
            out[key] = [flat[i + r * cols : i + (r + 1) * cols] for r in range(rows)]
            i += rows * cols
        return out

    def _snapshot(self, loss: float | None, grad_norms: dict | None) -> None:
        self.snapshots.append(
            {
                "step": self.step,
                "loss": loss,
                "weights": self.model.weights(),
                "adam": {"m": self._by_key(self.adam_m), "v": self._by_key(self.adam_v)},
                "grad_norms": grad_norms,
            }
        )


def check_engine(engine) -> str:
    """``engine`` if it is one of ``ENGINES``; else a ``ConfigError`` saying the choices."""
    if engine not in ENGINES:
        raise ConfigError(
            f"engine must be one of {', '.join(map(repr, ENGINES))}, got {engine!r}: "
            "'floats' (the default, fast) or 'value' (the article's Value engine)"
        )
    return engine


def _grad_norms(grads: list, config: GPTConfig) -> dict[str, float]:
    """Each matrix's gradient norm, from the gradients in ``params`` order. Training and the
    replay (``Run.steps_on_floats``) both call this, so their snapshots hold the same floats."""
    out, i = {}, 0
    for key, (rows, cols) in config.matrix_shapes().items():
        out[key] = math.sqrt(sum(g * g for g in grads[i : i + rows * cols]))
        i += rows * cols
    return out


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


def _flatten(by_key: dict[str, list[list[float]]], config: GPTConfig) -> list[float]:
    return [x for key in config.matrix_shapes() for row in by_key[key] for x in row]


def _rng_state_to_json(state: tuple) -> list:
    version, internal, gauss_next = state
    return [version, list(internal), gauss_next]


def _rng_state_from_json(state: list) -> tuple:
    version, internal, gauss_next = state
    return (version, tuple(internal), gauss_next)
