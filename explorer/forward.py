"""A recorded forward pass: one checkpoint, one document, one root, traced and back-propagated.

Pure Python, on ``microgpt`` and on the layer below it (``explorer.graph`` / ``fold`` /
``flow``): ``ModelSource`` is a loaded checkpoint (its weights at the final step and at every
training snapshot); ``ForwardPass`` runs the model on a document under ``microgpt.trace.trace``,
back-propagates from the chosen root and keeps everything the views read: the trace, its
``GraphIndex`` and ``Folding``, per-position losses, attention weights. The queries above it
(``explorer.views`` and the other view modules, ``gradcheck``, ``adam``, ``stepper``) take a
``ForwardPass``; the renderers draw what they return. This module imports neither.

A pass has an ``Address`` (checkpoint identity + step + document + root) whose text form, e.g.
``model.json#3f2a9c1d0b7e@1000:emma:loss@2``, re-creates the same graph with ``ForwardPass.at``.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import OrderedDict
from dataclasses import dataclass
from functools import cached_property
from os import PathLike
from pathlib import Path

from microgpt.checkpoint import load_checkpoint, shipped_checkpoint_path
from microgpt.data import Tokenizer
from microgpt.engine import Value, gc_paused
from microgpt.errors import ArgumentTypeError, ConfigError, MicrogptError
from microgpt.model import GPT, loss_position
from microgpt.trace import Trace, trace
from microgpt.train import Run
from microgpt.validate import (
    MAX_CHECKPOINT_BYTES,
    _short,
    check_input_file,
    check_instance,
    check_int,
    check_str,
    quoted,
)

from .checks import check_head, check_layer, check_position
from .flow import Flow, gradient_flow
from .fold import Folding
from .graph import GraphIndex

__all__ = ["Address", "Expression", "ForwardPass", "ModelSource"]

#: How many gradient flows (one per source set) a pass keeps.
FLOW_CACHE = 4
#: The longest document a pass accepts (the model reads at most block_size positions of it).
MAX_DOC_CHARS = 10_000


def _check_arguments(doc, root, source, step) -> None:
    if not isinstance(doc, str):
        raise ArgumentTypeError(
            f"the document must be a string, got {type(doc).__name__} {_short(doc)}: e.g. "
            "ForwardPass('emma')"
        )
    if len(doc) > MAX_DOC_CHARS:
        raise ConfigError(
            f"the document has {len(doc):,} characters; the limit is {MAX_DOC_CHARS:,} (the "
            "model reads only its first block_size positions anyway): pass a shorter one"
        )
    if not isinstance(root, str) or not root:
        raise ArgumentTypeError(f"root must be 'loss', 'loss@T' or a node name, got {_short(root)}")
    if not (source is None or isinstance(source, (ModelSource, str, PathLike))) or isinstance(
        source, bool
    ):
        raise ArgumentTypeError(
            f"source must be a ModelSource, a checkpoint path or None, got {_short(source)}"
        )
    if step is not None:
        check_int(step, "step", 0, fix="a step of the run, from 0 to its last, e.g. 100")


class ModelSource:
    """A checkpoint, loaded once: config, tokenizer, and weights after any training step.

    The weights (and Adam's moments) of a step that is not a snapshot are re-created exactly by
    replaying the training steps from the snapshot before it (``microgpt.train.Run.replayed``);
    the last few replayed runs are kept, so moving one step on replays one step.
    """

    #: How many replayed runs are kept (each is a model with its moments: ~0.5 MB).
    KEEP_RUNS = 4

    def __init__(self, path: str | Path | None = None) -> None:
        if path is not None:
            check_input_file(path, "checkpoint", MAX_CHECKPOINT_BYTES)
        self.path = Path(path) if path is not None else shipped_checkpoint_path()
        self.ckpt = load_checkpoint(self.path)
        self.sha = hashlib.sha256(self.path.read_bytes()).hexdigest()[:12]
        self.config = self.ckpt.config
        self.tokenizer = Tokenizer(tuple(self.ckpt.vocab))
        self.token_labels = [self.tokenizer.label(i) for i in range(self.tokenizer.vocab_size)]
        self._runs: dict[int, Run] = {}  # replayed runs by step, oldest use first

    @classmethod
    def of_run(cls, run: Run, label: str) -> ModelSource:
        """The weights of a run in memory (e.g. after steps taken by hand), as a source that
        every view reads like a loaded checkpoint. It has no file: ``label`` names it."""
        check_instance(run, "run", Run, "a microgpt Run", fix="e.g. Run.start(['emma'])")
        check_str(label, "label", fix="a short name for the run, e.g. 'my run'")
        source = cls.__new__(cls)
        source.path = None
        source._label = label
        source.ckpt = run.to_checkpoint()
        weights = json.dumps(source.ckpt.weights).encode("utf-8")
        source.sha = hashlib.sha256(weights).hexdigest()[:12]
        source.config = run.config
        source.tokenizer = run.tokenizer
        source.token_labels = [run.tokenizer.label(i) for i in range(run.tokenizer.vocab_size)]
        source._runs = {}
        return source

    @property
    def label(self) -> str:
        """A short name for the checkpoint: ``shipped``, its file name, or an in-memory run's
        label."""
        if self.path is None:
            return self._label
        return "shipped" if self.path == shipped_checkpoint_path() else self.path.name

    @property
    def step(self) -> int:
        """The checkpoint's final step."""
        return self.ckpt.step

    @property
    def steps(self) -> list[int]:
        """Every step whose weights are recorded (the snapshots and the final step)."""
        return sorted({s["step"] for s in self.ckpt.snapshots} | {self.step})

    @property
    def replayable(self) -> bool:
        """Whether any step can be re-created (format 2 keeps what replaying needs)."""
        return self.ckpt.step_docs is not None and all("adam" in s for s in self.ckpt.snapshots)

    def check_step(self, step: int) -> int:
        """``step`` if the weights after it can be had, else a clear error."""
        step = check_int(step, "step", fix=f"a step of the run, from 0 to {self.step}")
        if step in self.steps or (self.replayable and 0 <= step <= self.step):
            return step
        if self.replayable:
            raise ConfigError(
                f"checkpoint {self.label} has no step {step}: it trained steps 1 to {self.step} "
                f"(step 0 is the initial weights); choose one from 0 to {self.step}"
            )
        raise MicrogptError(
            f"checkpoint {self.label} has no weights for step {step}: recorded steps are "
            f"{', '.join(map(str, self.steps))} (an older checkpoint format; train it again "
            "with this microgpt to reach any step)"
        )

    def weights_at(self, step: int | None = None) -> dict:
        """The weights after ``step`` training steps (default: the final step)."""
        if step is None or step == self.step:
            return self.ckpt.weights
        step = self.check_step(step)
        for snap in self.ckpt.snapshots:
            if snap["step"] == step:
                return snap["weights"]
        return self.run_at(step).model.weights()

    def moments_at(self, step: int | None = None) -> dict:
        """Adam's moments ``{"m", "v"}`` (by matrix key) after ``step`` training steps."""
        if step is None or step == self.step:
            return self.ckpt.adam
        step = self.check_step(step)
        for snap in self.ckpt.snapshots:
            if snap["step"] == step and "adam" in snap:
                return snap["adam"]
        if not self.replayable:
            raise MicrogptError(
                f"checkpoint {self.label} keeps Adam's moments for its final step "
                f"({self.step}) only (an older format): train it again with this microgpt"
            )
        run = self.run_at(step)
        return run.moments()

    def run_at(self, step: int) -> Run:
        """The training run as it was after ``step`` steps (replayed; do not modify it)."""
        step = self.check_step(step)
        if step in self._runs:
            run = self._runs.pop(step)
        else:
            below = [s for s in self._runs if s <= step]
            base = self._runs[max(below)] if below else None
            run = Run.replayed(self.ckpt, step, base=base)
        self._runs[step] = run
        while len(self._runs) > self.KEEP_RUNS:
            del self._runs[next(iter(self._runs))]
        return run

    def doc_of_train_step(self, k: int) -> str:
        """The document training step ``k`` (1 … final step) trained on."""
        docs = self.ckpt.step_docs
        if docs is None:
            raise MicrogptError(
                f"checkpoint {self.label} does not record the document of each step (an older "
                "format): train it again with this microgpt"
            )
        k = check_int(k, "the training step", 1, len(docs),
                      fix=f"choose one from 1 to {len(docs)}")  # fmt: skip
        return docs[k - 1]

    def model_at(self, step: int | None = None) -> GPT:
        """A fresh model (its own parameter nodes, gradients at 0) with the weights at ``step``."""
        return GPT(self.config, token_labels=self.token_labels, weights=self.weights_at(step))


@dataclass(frozen=True)
class Address:
    """What identifies a forward pass; ``str()`` gives its text form, ``parse`` reads it."""

    checkpoint: str  # "shipped" or a path
    sha: str  # the first 12 hex digits of the checkpoint file's SHA-256
    step: int
    doc: str
    root: str

    def __str__(self) -> str:
        return f"{self.checkpoint}#{self.sha}@{self.step}:{self.doc}:{self.root}"

    @classmethod
    def parse(cls, text: str) -> Address:
        check_str(text, "the address", empty_ok=True)  # "" is refused below, with the form
        m = re.fullmatch(r"(.+)#([0-9a-f]{12})@(\d+):(.*):(.+)", text)
        if not m:
            raise MicrogptError(
                f"{_short(text)} is not a forward-pass address: expected "
                "CHECKPOINT#SHA@STEP:DOC:ROOT, e.g. shipped#3f2a9c1d0b7e@1000:emma:loss"
            )
        return cls(m[1], m[2], int(m[3]), m[4], m[5])


class ForwardPass:
    """The model run on ``doc`` under a trace, back-propagated from ``root``.

    ``root`` is ``"loss"`` (the mean over positions), ``"loss@T"`` (position T's loss) or the
    name of any recorded node. Attributes: ``trace`` (parameters first, ids 0 … P-1, then the
    forward pass), ``tokens``, ``loss``, ``losses`` (per position), ``root`` (the node),
    ``address``, ``source`` (the ``ModelSource``) and ``model``.
    """

    def __init__(
        self,
        doc: str,
        root: str = "loss",
        source: ModelSource | str | Path | None = None,
        step: int | None = None,
    ) -> None:
        _check_arguments(doc, root, source, step)
        self.source = source if isinstance(source, ModelSource) else ModelSource(source)
        self.step = self.source.step if step is None else self.source.check_step(step)
        #: The training step this pass re-creates (``of_train_step``), else None.
        self.train_step: int | None = None
        tokenizer = self.source.tokenizer
        if not doc:
            raise MicrogptError(
                "the document is empty: type a name (the model predicts each next character)"
            )
        self.doc = doc
        self.tokens = tokenizer.encode_doc(doc)  # names any character outside the vocabulary
        #: What every view of this pass notes (e.g. a document cut to the model's context).
        self.notes: list[str] = []
        block = self.source.config.block_size
        if len(doc) + 1 > block:
            self.notes.append(
                f"{quoted(doc)} has {len(doc)} characters; the context holds {block} positions, "
                f"so only BOS and its first {block - 1} characters are run (the model never sees "
                "the rest)"
            )
        self.model = self.source.model_at(self.step)
        with gc_paused(), trace() as t:
            t.adopt(self.model.named_parameters())
            self.loss, self.losses = self.model.loss(self.tokens)
        self.trace: Trace = t
        self.num_params = len(self.model.params)
        self.root_name = root
        self.root: Value = self._resolve_root(root)
        with gc_paused():
            self._topo = self.root.backward()  # dropped once the index is built
        self._flows: OrderedDict[tuple[int, ...], Flow] = OrderedDict()
        #: What query modules compute once per pass and keep with it (e.g. the roles of
        #: anonymous nodes), by the module's name.
        self.memo: dict[str, object] = {}
        src = self.source
        self.address = Address(
            src.label if src.label == "shipped" or src.path is None else str(src.path.resolve()),
            src.sha,
            self.step,
            doc,
            root,
        )

    @classmethod
    def of_train_step(
        cls, k: int, source: ModelSource | str | Path | None = None, root: str = "loss"
    ) -> ForwardPass:
        """The forward pass of training step ``k``: the document the run trained on at step
        ``k``, with the weights before that step's update (after ``k - 1`` steps). Its loss is
        the loss the run recorded for step ``k``, bit for bit."""
        source = source if isinstance(source, ModelSource) else ModelSource(source)
        doc = source.doc_of_train_step(k)  # checks k
        fp = cls(doc, root, source, int(k) - 1)
        fp.train_step = k
        return fp

    @classmethod
    def at(cls, address: Address | str, source: ModelSource | None = None) -> ForwardPass:
        """Re-create the pass an address names (checking the checkpoint is the same file)."""
        if not isinstance(address, Address):
            address = Address.parse(address)  # a string, or one clear error
        if source is not None:
            check_instance(source, "source", ModelSource, "a ModelSource or None")
        if source is None:
            source = ModelSource(None if address.checkpoint == "shipped" else address.checkpoint)
        if source.sha != address.sha:
            raise MicrogptError(
                f"checkpoint {source.label} has changed since the address {address} was made "
                f"(its SHA-256 now starts {source.sha})"
            )
        return cls(address.doc, address.root, source, address.step)

    # -- query structures, built on first use and kept with the pass ------------------------
    @cached_property
    def index(self) -> GraphIndex:
        """Id-based arrays over the trace (children, consumers, ops, scopes, names)."""
        index = GraphIndex(self.trace, self.root, self._topo)
        self._topo = None  # a list as long as the graph, read only here
        return index

    @cached_property
    def folding(self) -> Folding:
        """Which nodes every view folds away (constants, inner adds of sum chains)."""
        return Folding(self.index)

    def flow(self, sources: list[int]) -> Flow:
        """Gradient flow from these source ids, cached for the ``FLOW_CACHE`` most recently
        used source sets (each flow holds lists as long as the trace)."""
        check_instance(sources, "sources", (list, tuple, set), "a list of node ids")
        n = len(self.index)
        sources = [check_int(i, "a source id", 0, n - 1, fix=f"node ids are 0 to {n - 1}")
                   for i in sources]  # fmt: skip
        if not sources:
            raise ConfigError("sources is empty: give at least one node id")
        key = tuple(sorted(sources))
        if key in self._flows:
            self._flows.move_to_end(key)
        else:
            self._flows[key] = gradient_flow(self.index, list(key))
            while len(self._flows) > FLOW_CACHE:
                self._flows.popitem(last=False)
        return self._flows[key]

    # -- what the pass holds ----------------------------------------------------------------
    @property
    def positions(self) -> int:
        """How many positions were run (each predicts the next token)."""
        return len(self.losses)

    @property
    def chars(self) -> list[str]:
        """The input token of every position, as text (``BOS`` first)."""
        return [self.source.tokenizer.label(t) for t in self.tokens[: self.positions]]

    def node(self, name: str) -> Value:
        """The recorded node with this name (suggests close names if there is none)."""
        return self.trace.find(name)  # checks that name is a string

    def attention(self, layer: int = 0, head: int = 0) -> list[list[float]]:
        """Attention weights as rows: row p holds position p's weights on keys 0 … p."""
        layer, head = self._check_layer_head(layer, head)
        return [
            [
                self.trace.find(f"pos{p}.layer{layer}.attn.head{head}.attn_weights[k={k}]").data
                for k in range(p + 1)
            ]
            for p in range(self.positions)
        ]

    def probs(self, pos: int) -> list[float]:
        """The next-token distribution at position ``pos`` (vocabulary order)."""
        pos = self.check_pos(pos)
        labels = self.source.token_labels
        return [self.trace.find(f"pos{pos}.probs[{c}]").data for c in labels]

    def check_pos(self, pos: int) -> int:
        """``pos`` as an int if it is a position of this pass, else one clear error."""
        truncated = ", truncated to the block size" if len(self.doc) + 1 > self.positions else ""
        return check_position(pos, self.positions, "of the pass", lambda pos: (
            f"position {pos} is out of range: {quoted(self.doc)} has positions 0 to "
            f"{self.positions - 1} (BOS, then one per character{truncated})"
        ))  # fmt: skip

    def _check_layer_head(self, layer: int, head: int) -> tuple[int, int]:
        return check_layer(self, layer), check_head(self, head)

    def _resolve_root(self, root: str) -> Value:
        if root == "loss":
            return self.loss
        pos = loss_position(root)
        if pos is not None:
            return self.losses[self.check_pos(pos)]
        return self.trace.find(root)

    def __repr__(self) -> str:
        return f"ForwardPass({self.address}, {len(self.trace)} nodes)"


class Expression:
    """A small hand-built graph as the views see a forward pass: ``full_view(expr)``,
    ``node_view(expr, "L")``, ``finite_difference(expr, "a")`` and backward step by step.

    Build it inside ``microgpt.trace.trace()`` (name nodes with ``microgpt.trace.name``), then
    ``Expression(t, root)`` runs backward from ``root``:

    >>> from microgpt.engine import Value
    >>> from microgpt.trace import name, trace
    >>> with trace() as t:
    ...     a, b = name(Value(2.0), "a"), name(Value(3.0), "b")
    ...     L = name(name(a * b, "c") + a, "L")
    >>> e = Expression(t, L)
    >>> a.grad, b.grad
    (4.0, 2.0)
    """

    def __init__(self, trace: Trace, root: Value, title: str = "expression") -> None:
        check_instance(trace, "trace", Trace, "a Trace", fix="record it with `with trace() as t:`")
        check_instance(root, "root", Value, "a Value recorded in the trace",
                       fix="e.g. Expression(t, L) for the node L")  # fmt: skip
        check_str(title, "title")
        trace.id_of(root)  # recorded in this trace, or one clear error
        self.trace = trace
        self.root = root
        self.doc = title
        self.root_name = trace.label(root)
        self.address = f"{title}:{self.root_name}"
        self.num_params = 0
        self._flows: OrderedDict[tuple[int, ...], Flow] = OrderedDict()
        self.memo: dict[str, object] = {}  # as ForwardPass.memo
        for v in root.topological_order():  # gradients accumulate: start from 0 every time
            v.grad = 0
        self._topo = root.backward()

    index = ForwardPass.index
    folding = ForwardPass.folding
    flow = ForwardPass.flow

    def node(self, name: str) -> Value:
        return self.trace.find(name)

    def check_pos(self, pos: int) -> int:
        raise MicrogptError("an expression has no positions: leave --pos out")
