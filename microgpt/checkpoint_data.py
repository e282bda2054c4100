"""``Checkpoint``: a training run as data (what a checkpoint file holds), and its JSON form.

Sits between the model's settings (``model.GPTConfig``, ``hyperparams``, ``params``) and
``train`` (``Run.to_checkpoint`` makes one, ``Run.from_checkpoint`` reads one); ``checkpoint``
reads and writes the files, validating a file's JSON before it becomes a ``Checkpoint``.
Standard library only.
"""

from __future__ import annotations

from dataclasses import dataclass

from .hyperparams import Hyperparams
from .model import GPTConfig
from .params import ParamLayout

__all__ = ["FORMAT", "REQUIRED_FIELDS", "VERSION", "Checkpoint"]

FORMAT = "microgpt-checkpoint"
VERSION = 2
REQUIRED_FIELDS = (
    "config",
    "hyperparams",
    "vocab",
    "data",
    "step",
    "weights",
    "adam",
    "rng_state",
    "loss_history",
    "snapshots",
)


@dataclass(frozen=True)
class Checkpoint:
    """A training run as a checkpoint holds it (``load_checkpoint``, ``Run.to_checkpoint``):
    its fields are the file's, with ``config`` a ``GPTConfig`` and ``hyperparams`` a
    ``Hyperparams``; ``step_docs`` is None in a version 1 file. The lists and dicts inside are
    the file's JSON data (treat them as read-only). The JSON form lives in the loader and the
    saver only (``from_dict`` / ``to_dict``): everywhere else a checkpoint is read by its
    attributes (``ckpt.loss_history``).
    """

    config: GPTConfig
    hyperparams: Hyperparams
    vocab: list[str]
    data: dict
    step: int
    weights: dict[str, list[list[float]]]
    adam: dict[str, dict[str, list[list[float]]]]
    rng_state: list
    loss_history: list[float]
    snapshots: list[dict]
    step_docs: list[str] | None = None
    version: int = VERSION

    @classmethod
    def from_dict(cls, d: dict) -> Checkpoint:
        """From a checkpoint's JSON data (validated by the loader first)."""
        return cls(
            GPTConfig(**d["config"]), Hyperparams(**d["hyperparams"]), d["vocab"], d["data"],
            d["step"], d["weights"], d["adam"], d["rng_state"], d["loss_history"],
            d["snapshots"], d.get("step_docs"), d.get("version", VERSION),
        )  # fmt: skip

    def to_dict(self) -> dict:
        """The file's JSON data, its fields in the file's order (the saver writes this)."""
        d = {"format": FORMAT, "version": self.version}
        for key in REQUIRED_FIELDS:
            value = getattr(self, key)
            d[key] = value.to_dict() if key in ("config", "hyperparams") else value
        if self.step_docs is not None:
            d["step_docs"] = self.step_docs
        return d

    @property
    def layout(self) -> ParamLayout:
        return ParamLayout(self.config)
