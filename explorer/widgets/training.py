"""``TrainingView``: train a fresh model for N steps, live: a progress bar, the loss curve
redrawn in place, a stop button. The run (with its snapshots) stays in ``view.run``, also
when stopped mid-way."""

from __future__ import annotations

import threading

import ipywidgets as W
import traitlets

from microgpt.data import load_docs
from microgpt.train import Hyperparams, Run

from ..plots import figure_to_png, loss_curve

__all__ = ["TrainingView"]


class TrainingView(W.VBox):
    """Training on the bundled names (seed 42, the default model). Traits:"""

    steps = traitlets.Int(100)
    step = traitlets.Int(0)
    running = traitlets.Bool(False)
    redraw_every = traitlets.Int(10)

    def __init__(self, docs: list[str] | None = None, **kwargs) -> None:
        self.docs = docs
        self.run = None
        self._stop = threading.Event()
        self._thread = None
        self._steps = W.BoundedIntText(description="steps", min=1, max=100_000)
        self._train = W.Button(description="train", icon="play")
        self._train.add_class("microgpt-train")
        self._stop_button = W.Button(description="stop", icon="stop", disabled=True)
        self._stop_button.add_class("microgpt-stop")
        self.progress = W.IntProgress(min=0, max=1, description="0 / 0")
        self.image = W.Image(format="png")
        self._info = W.HTML()
        super().__init__([W.HBox([self._steps, self._train, self._stop_button]), self.progress,
                          self._info, self.image], **kwargs)  # fmt: skip
        self.add_class("microgpt-training")
        traitlets.link((self, "steps"), (self._steps, "value"))
        self._train.on_click(lambda _: self.train())
        self._stop_button.on_click(lambda _: self.stop())

    def train(self, background: bool = True) -> None:
        """Start a new run of ``steps`` steps (in a thread, so the stop button stays live)."""
        if self.running:
            return
        docs = self.docs if self.docs is not None else load_docs()
        hp = Hyperparams(num_steps=self.steps, snapshot_every=max(1, self.steps // 10))
        self.run = Run.start(docs, hp, source="names" if self.docs is None else None)
        self._stop.clear()
        self.running = True
        self.progress.max = self.steps
        self._set_progress()
        if background:
            self._thread = threading.Thread(target=self._loop, daemon=True)
            self._thread.start()
        else:
            self._loop()

    def stop(self) -> None:
        """Stop after the step under way (no half-applied update); snapshots are kept."""
        self._stop.set()

    def wait(self, timeout: float | None = None) -> None:
        if self._thread is not None:
            self._thread.join(timeout)

    def _loop(self) -> None:
        try:
            self.run.train(on_step=self._on_step, should_stop=self._stop.is_set)
        finally:
            self.running = False
            self._draw()
            done = self.run.step
            kept = ", ".join(str(s["step"]) for s in self.run.snapshots)
            verb = "stopped" if done < self.run.hp.num_steps else "finished"
            self._info.value = f"{verb} at step {done}; snapshots kept at steps {kept}"

    def _on_step(self, step: int, num_steps: int, loss: float) -> None:
        self.step = step
        self._set_progress()
        if step % self.redraw_every == 0:
            self._draw()

    def _set_progress(self) -> None:
        done = self.run.step if self.run else 0
        self.progress.value = done
        self.progress.description = f"{done} / {self.steps}"

    @traitlets.observe("running")
    def _on_running(self, change) -> None:
        self._train.disabled = change["new"]
        self._stop_button.disabled = not change["new"]

    def _draw(self) -> None:
        if self.run is None or not self.run.loss_history:
            return
        ax = loss_curve(self.run.loss_history, title=f"training loss, {self.run.step} steps")
        self.image.value = figure_to_png(ax.figure)
