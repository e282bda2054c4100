"""What Adam would do next to one parameter: its recorded moments and the next update.

A training step uses one document, so the gradient of a forward pass on a document is exactly
the gradient the next training step would use if it drew that document. Given a parameter of a
``ForwardPass``, this reads Adam's first and second moments at the pass's step (kept with every
snapshot, replayed for other steps) and evaluates the article's update with the function
training uses (``microgpt.train.adam_move``) and the checkpoint's hyperparameters.
Pure Python; the node inspector shows the result.
"""

from __future__ import annotations

from dataclasses import dataclass

from microgpt.errors import ConfigError
from microgpt.hyperparams import Hyperparams
from microgpt.optim import adam_move, learning_rate_at
from microgpt.params import ParamLayout
from microgpt.validate import check_int

from .checks import check_pass
from .recorded import ModelPass
from .style import fmt
from .tables import html_table, number, text

__all__ = ["AdamPreview", "AdamStep", "adam_preview", "param_location"]


@dataclass(frozen=True)
class AdamStep:
    """One Adam update of one parameter, the one table of it: the moments before (``m``,
    ``v``) and after (``m_new``, ``v_new``), the bias-corrected ones, the learning rate at step
    ``step`` (the k of lr_k and of β₁ᵏ⁺¹) and ``delta``, subtracted from the parameter's value.
    ``of`` evaluates it with the function training applies (``microgpt.train.adam_move``)."""

    name: str
    step: int  # steps done before this one (its index k)
    grad: float
    m: float
    v: float
    lr: float  # lr_k = lr · (1 − k / num_steps)
    m_new: float
    v_new: float
    m_hat: float
    v_hat: float
    delta: float

    @classmethod
    def of(cls, name: str, step: int, grad: float, m: float, v: float, lr: float,
           hp: Hyperparams, **more):  # fmt: skip
        """The step training takes from moments ``m``, ``v`` with gradient ``grad``
        (``more``: a subclass's own fields)."""
        m_new, v_new, m_hat, v_hat, delta = adam_move(grad, m, v, step, lr, hp.beta1, hp.beta2,
                                                      hp.eps_adam)  # fmt: skip
        return cls(name, step, grad, m, v, lr, m_new, v_new, m_hat, v_hat, delta, **more)

    @property
    def update(self) -> float:
        """The change to the parameter's value: −lr_k · m̂ / (v̂^0.5 + eps)."""
        return -self.delta

    def rows(self) -> list[list[str]]:
        """The table's rows (HTML cells: a formula, its numbers; full values on hover)."""
        return [
            [text("gradient g (this document)"), number(self.grad)],
            [text("m = β₁·m + (1 − β₁)·g"), f"{number(self.m)} → {number(self.m_new)}"],
            [text("v = β₂·v + (1 − β₂)·g²"), f"{number(self.v)} → {number(self.v_new)}"],
            [text("m̂ = m / (1 − β₁ᵏ⁺¹)"), number(self.m_hat)],
            [text("v̂ = v / (1 − β₂ᵏ⁺¹)"), number(self.v_hat)],
            [text(f"learning rate lr_k at step {self.step}"), number(self.lr)],
            [text("update −lr_k·m̂ / (√v̂ + ε)"), f"<b>{number(self.update)}</b>"],
        ]

    def table(self, caption: str, more: list[list[str]] = ()) -> str:
        """The rows (and ``more``) as one HTML table."""
        return html_table(["", ""], [*self.rows(), *more], caption, left={0})


@dataclass(frozen=True)
class AdamPreview(AdamStep):
    """Adam's state for one parameter and the update the next step would apply."""

    note: str = ""

    def __repr__(self) -> str:
        return (
            f"AdamPreview({self.name}: grad {fmt(self.grad)}, next update {fmt(self.update)} "
            f"at step {self.step})"
        )

    def _repr_html_(self) -> str:
        """Adam's state now and after the next step, as a table (full values on hover)."""
        note = f"<p><i>{text(self.note)}</i></p>" if self.note else ""
        table = self.table(f"Adam's next step for <code>{text(self.name)}</code>")
        return f'<div class="microgpt-adam">{table}{note}</div>'


def param_location(fp: ModelPass, node_id: int) -> tuple[str, int, int]:
    """``(matrix key, row, column)`` of a parameter node (parameters have ids 0 … P-1)."""
    check_pass(fp, "param_location")
    node_id = check_int(node_id, "node_id", 0, fix="a parameter's id (parameters come first)")
    if node_id >= fp.num_params:
        label = fp.index.label(node_id) if node_id < len(fp.index) else f"id {node_id}"
        raise ConfigError(
            f"{label} is not a parameter: parameters have ids 0 to {fp.num_params - 1}"
        )
    return ParamLayout(fp.source.config).locate(node_id)


def adam_preview(fp: ModelPass, node_id: int) -> AdamPreview:
    """The next Adam update of parameter ``node_id`` with this pass's gradient.

    The moments are the run's after ``fp.step`` steps (a snapshot's, or replayed); the update
    is computed by ``microgpt.train.adam_move``, the function training itself applies.
    """
    key, r, c = param_location(fp, node_id)
    node_id = int(node_id)
    hp = fp.source.ckpt.hyperparams
    k = fp.step
    moments = fp.source.moments_at(k)
    g = fp.index.values[node_id].grad
    m = moments["m"][key][r][c]
    v = moments["v"][key][r][c]
    lr_k = learning_rate_at(hp, k)
    note = ""
    if k >= hp.num_steps:
        note = (
            f"the run has done all {hp.num_steps} steps: the schedule's learning rate is now 0 "
            "(choose an earlier step to see a real update)"
        )
    return AdamPreview.of(fp.index.label(node_id), k, g, m, v, lr_k, hp, note=note)
