"""``Hyperparams``: what a training run does, besides the model's shape.

Sits beside ``model``'s ``GPTConfig``, below ``checkpoint`` (which validates a file's
hyperparameters) and ``train`` (which runs them); ``microgpt.train`` re-exports it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from .validate import check_int, check_number

__all__ = ["MAX_STEPS", "Hyperparams"]

#: The most steps a run may take (each keeps its loss; a step takes ~0.1 s at the default shape).
MAX_STEPS = 10_000_000


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
