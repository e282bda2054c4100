"""What a run remembers of its past: the loss of every step, the document each step trained
on, and snapshots (weights, Adam's moments, gradient norms) every ``snapshot_every`` steps.

Sits below ``train`` (a ``Run`` owns one ``History``); the explorer's "watch training" views
read the snapshots, and replays start from them. Standard library only.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["History"]


@dataclass
class History:
    """``losses`` (one per step done), ``step_docs`` (the document of each), ``snapshots``
    (``{"step", "loss", "weights", "adam", "grad_norms"}`` dicts, shared between copies: a
    snapshot is never changed once taken)."""

    losses: list[float] = field(default_factory=list)
    snapshots: list[dict] = field(default_factory=list)
    step_docs: list[str] = field(default_factory=list)

    def record(self, loss: float, doc: str) -> None:
        """One step done: its loss and the document it trained on."""
        self.losses.append(loss)
        self.step_docs.append(doc)

    def snapshot(self, step: int, loss, weights: dict, adam: dict, grad_norms) -> None:
        self.snapshots.append(
            {"step": step, "loss": loss, "weights": weights, "adam": adam,
             "grad_norms": grad_norms}
        )  # fmt: skip

    def sizes(self) -> tuple[int, int, int]:
        """``(losses, snapshots, step_docs)`` counts, for ``truncate``."""
        return len(self.losses), len(self.snapshots), len(self.step_docs)

    def truncate(self, sizes: tuple[int, int, int]) -> None:
        """Forget what came after ``sizes()`` was taken (an undone step)."""
        num_losses, num_snapshots, num_step_docs = sizes
        del self.losses[num_losses:]
        del self.snapshots[num_snapshots:]
        del self.step_docs[num_step_docs:]

    def copy(self) -> History:
        return History(list(self.losses), list(self.snapshots), list(self.step_docs))
