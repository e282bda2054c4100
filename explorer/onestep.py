"""One training step, explained: a real Adam step taken by hand on a chosen document, undoable.

``StepLab`` holds a training run re-created at any step of a checkpoint (``ModelSource.run_at``:
the weights and Adam's moments the run had, bit for bit). ``take(doc)`` runs one real step of
``microgpt.train.Run.train_step`` on ``doc`` — the same code ``microgpt train`` runs, so stepping
on the document the run would have drawn gives the weights ``microgpt train --resume`` gives —
and returns a ``StepReport``: the document's loss before and after the step, and for any
parameter its gradient, moments, bias-corrected moments, learning rate and update, evaluated by
the function training applies (``microgpt.train.adam_move``). ``undo()`` restores the weights and
moments exactly. ``source`` is a ``ModelSource`` of the current weights, for every view.

Pure Python over ``microgpt`` and ``explorer.forward``; the Dashboard's "training step" tab
draws it.
"""

from __future__ import annotations

from dataclasses import dataclass

from microgpt.errors import MicrogptError
from microgpt.train import Hyperparams, RunState, learning_rate_at
from microgpt.validate import check_instance, check_int, check_str

from .adam import AdamStep
from .forward import ModelSource
from .style import fmt
from .tables import html_table, number, text

__all__ = ["ParamStep", "StepLab", "StepReport"]


@dataclass(frozen=True)
class ParamStep(AdamStep):
    """What one step did to one parameter: Adam's table (``m``, ``v`` before the step,
    ``m_new``, ``v_new`` after) and the value ``before`` and ``after`` (``before − delta``)."""

    before: float
    after: float

    def __repr__(self) -> str:
        return (
            f"ParamStep({self.name}: grad {fmt(self.grad)}, update {fmt(self.update)}, "
            f"value {fmt(self.before)} → {fmt(self.after)})"
        )

    def _repr_html_(self) -> str:
        value = [text("value"), f"{number(self.before)} → <b>{number(self.after)}</b>"]
        return self.table(f"Adam on <code>{text(self.name)}</code>", [value])


@dataclass(frozen=True)
class StepReport:
    """One step taken: its index ``k`` (0-based; the run had done ``k`` steps), the document,
    the document's loss before (the step's own loss) and after the update."""

    k: int
    doc: str
    loss_before: float
    loss_after: float
    lr: float
    grads: tuple[float, ...]
    before: RunState
    after: RunState
    names: tuple[str, ...]
    hp: Hyperparams

    def __repr__(self) -> str:
        return (
            f"StepReport(step {self.k + 1} on {self.doc!r}: loss {fmt(self.loss_before)} → "
            f"{fmt(self.loss_after)}, lr {fmt(self.lr)})"
        )

    def param(self, i: int) -> ParamStep:
        """What the step did to parameter ``i`` (ids 0 … P-1, the model's ``params`` order)."""
        last = len(self.grads) - 1
        i = check_int(i, "parameter i", 0, last, fix=f"parameters are numbered 0 to {last}")
        before, after = self.before, self.after
        return ParamStep.of(
            self.names[i], self.k, self.grads[i], before.adam_m[i], before.adam_v[i], self.lr,
            self.hp, before=before.weights[i], after=after.weights[i],
        )  # fmt: skip

    def _repr_html_(self) -> str:
        rows = [
            [text("document"), text(self.doc)],
            [text(f"loss before step {self.k + 1}"), number(self.loss_before)],
            [text("loss after (same document, new weights)"), f"<b>{number(self.loss_after)}</b>"],
            [text("learning rate lr_k"), number(self.lr)],
        ]
        return html_table(["", ""], rows, f"training step {self.k + 1}", left={0})


class StepLab:
    """A run at ``step`` of ``source``'s training, stepped by hand (``take``, ``undo``)."""

    def __init__(self, source: ModelSource, step: int | None = None) -> None:
        check_instance(source, "source", ModelSource, "a ModelSource",
                       fix="e.g. StepLab(ModelSource()) for the shipped model")  # fmt: skip
        self.origin = source
        start = source.step if step is None else source.check_step(step)
        self.run = source.run_at(start).copy()
        self.start = start
        self.reports: list[StepReport] = []
        self._sources = [source]  # one per state: undo returns to the very same object

    @property
    def step(self) -> int:
        """Steps done by the run (the next step's index k)."""
        return self.run.step

    @property
    def source(self) -> ModelSource:
        """The current weights as a ``ModelSource`` (the checkpoint's own before any step)."""
        return self._sources[-1]

    def refusal(self) -> str:
        """Why no step can be taken now ("" if one can)."""
        return self.refusal_at(self.origin, self.run.step)

    @staticmethod
    def refusal_at(source: ModelSource, step: int) -> str:
        """Why no step can be taken from ``source``'s weights after ``step`` steps ("" if one
        can): the schedule decays the learning rate to 0 at its last step."""
        num_steps = source.ckpt.hyperparams.num_steps
        if step >= num_steps:
            return (
                f"the run's schedule is over: it has done all {num_steps} steps and its "
                "learning rate has decayed to 0. Choose an earlier step to train from there"
            )
        if not source.replayable and step != source.step:
            return "this checkpoint (an older format) cannot re-create earlier steps"
        return ""

    def take(self, doc: str) -> StepReport:
        """One real Adam step on ``doc``; returns what it did."""
        check_str(doc, "doc", fix="a training step needs a document (a name), e.g. 'emma'")
        refusal = self.refusal()
        if refusal:
            raise MicrogptError(refusal)
        if not isinstance(doc, str) or not doc:
            raise MicrogptError(f"a training step needs a document (a name), got {doc!r}")
        self.run.tokenizer.encode(doc)  # names any character outside the vocabulary
        before = self.run.state()
        k = self.run.step
        # The article's step on plain floats (microgpt.floats): bit for bit train_step's, ~20x
        # faster; the views then record the new weights' pass with the engine.
        (loss_before,) = self.run.steps_on_floats([doc], keep_grads=True)
        grads = tuple(self.run.last_grads)
        after = self.run.state()
        loss_after = self.run.loss_on_floats(doc)
        names = tuple(name for name, _ in self.run.model.named_parameters())
        report = StepReport(k, doc, loss_before, loss_after, learning_rate_at(self.run.hp, k),
                            grads, before, after, names, self.run.hp)  # fmt: skip
        self.reports.append(report)
        label = f"{self.origin.label} + {len(self.reports)} step(s) by hand"
        self._sources.append(ModelSource.of_run(self.run, label))
        return report

    def undo(self) -> StepReport | None:
        """Undo the last step taken (weights and moments restored bit for bit); returns it."""
        if not self.reports:
            return None
        report = self.reports.pop()
        self.run.restore(report.before)
        self._sources.pop()
        return report
