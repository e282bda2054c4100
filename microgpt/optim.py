"""The optimizer: Adam's update (``adam_move``, ``adam_moves``), its moments (``Adam``) and the
learning rate's linear decay (``learning_rate_at``), as the article writes them.

Sits below ``train`` (whose ``Run`` owns one ``Adam``) and beside ``params`` (the moments are
kept flat, in ``GPT.params`` order, and shown by matrix through a ``ParamLayout``). The
explorer's preview of "what the next step would do" calls ``adam_move`` too, so the update is
written once. Standard library only.
"""

from __future__ import annotations

from .params import ParamLayout

__all__ = ["Adam", "adam_move", "adam_moves", "learning_rate_at"]


def learning_rate_at(hp, step: int) -> float:
    """The learning rate of the step with index ``step`` (0-based): linear decay to 0.
    ``hp`` is a ``Hyperparams`` (its ``learning_rate`` and ``num_steps``)."""
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


class Adam:
    """Adam's state for one run: the moments ``m`` and ``v`` (flat, ``GPT.params`` order) and
    the hyperparameters they move with (a ``Hyperparams``). ``moves`` computes a step without
    changing anything; ``values_step`` applies one to ``Value`` parameters in place."""

    def __init__(self, hp, size: int) -> None:
        self.hp = hp
        self.m = [0.0] * size
        self.v = [0.0] * size

    def moves(self, grads: list, step: int) -> tuple[list[float], list[float], list[float]]:
        """``(m, v, deltas)`` of step index ``step`` from ``grads``; the state is unchanged
        (``commit`` makes the moments the state's)."""
        hp = self.hp
        lr_t = learning_rate_at(hp, step)
        return adam_moves(grads, self.m, self.v, step, lr_t, hp.beta1, hp.beta2, hp.eps_adam)

    def commit(self, m: list[float], v: list[float]) -> None:
        self.m[:], self.v[:] = m, v

    def values_step(self, params: list, step: int) -> None:
        """The article's update of every ``Value`` parameter from its ``grad``, in order, one
        ``adam_move`` each; the gradients are zeroed."""
        hp = self.hp
        lr_t = learning_rate_at(hp, step)
        beta1, beta2, eps = hp.beta1, hp.beta2, hp.eps_adam
        m, v = self.m, self.v
        for i, p in enumerate(params):
            m[i], v[i], _, _, delta = adam_move(p.grad, m[i], v[i], step, lr_t, beta1, beta2, eps)
            p.data -= delta
            p.grad = 0

    def by_key(self, layout: ParamLayout) -> dict[str, dict[str, list[list[float]]]]:
        """The moments as a checkpoint keeps them: ``{"m": {key: matrix}, "v": {...}}``."""
        return {"m": layout.split(self.m), "v": layout.split(self.v)}

    def load(self, moments: dict, layout: ParamLayout) -> None:
        """Take ``{"m", "v"}`` by key (a checkpoint's or a snapshot's) as the state."""
        self.m = layout.flatten(moments["m"])
        self.v = layout.flatten(moments["v"])

    def copy(self) -> Adam:
        twin = Adam(self.hp, 0)
        twin.m, twin.v = list(self.m), list(self.v)
        return twin
