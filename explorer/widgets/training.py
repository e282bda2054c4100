"""``TrainingView``: train a fresh model for N steps, live: a progress bar, the loss curve
redrawn in place, a stop button. The run (with its snapshots) stays in ``view.run``, also
when stopped mid-way or when a step failed.

Threads. A background run is trained by a worker thread that only computes: it steps the run
it was handed at the start and puts each step's loss into a lock-protected hand-off
(``_Handoff``). Everything a learner sees (traits, the progress bar, the text, the matplotlib
picture) is changed on the kernel's event loop: the worker asks the loop to ``refresh`` with
``call_soon_threadsafe``, through the same "latest request wins" ``Latest`` the other widgets
render with. Without a kernel loop (scripts, tests) nothing is scheduled: ``wait()`` or
``refresh()``, called from the caller's thread, shows the worker's latest state.
"""

from __future__ import annotations

import contextlib
import gc
import html
import threading

import ipywidgets as W
import traitlets

from microgpt.data import load_docs
from microgpt.errors import MicrogptError
from microgpt.train import Hyperparams, Run

from ..plots import loss_curve
from .images import chart_image, show_chart
from .session import Latest, _kernel_loop

__all__ = ["TrainingView"]


class _Handoff:
    """What the worker hands to the loop: the steps done, their losses, the snapshots' steps
    and how the run ended. Written by the worker, read by the loop, always under the lock."""

    def __init__(self, run: Run) -> None:
        self._lock = threading.Lock()
        self._step = run.step
        self._losses = list(run.loss_history)
        self._snapshots = [s["step"] for s in run.snapshots]
        self._ended = False
        self._error: str | None = None

    def put_step(self, step: int, loss: float, snapshots: list[int] | None) -> None:
        with self._lock:
            self._step = step
            self._losses.append(loss)
            if snapshots is not None:
                self._snapshots = snapshots

    def put_end(self, error: str | None) -> None:
        with self._lock:
            self._ended = True
            self._error = error

    def read(self) -> tuple[int, list[float], list[int], bool, str | None]:
        """(step, losses, snapshot steps, ended, error), copied."""
        with self._lock:
            return self._step, list(self._losses), list(self._snapshots), self._ended, self._error


def _message(exc: BaseException) -> str:
    if isinstance(exc, MicrogptError):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"


def _work(run: Run, stop: threading.Event, handoff: _Handoff, notify) -> None:
    """Step ``run`` until it is done or ``stop`` is set; report through ``handoff``.

    Runs in the worker thread (or in the caller's, for ``train(background=False)``) and touches
    no widget. Garbage collection: ``Run.train_step`` pauses Python's cyclic collector
    (``microgpt.engine.gc_paused``) around its own forward and backward pass only. The
    collector is process-wide, so while a step builds its graph the main thread's cyclic
    garbage waits too; it is collected as soon as that step ends (between steps the collector
    is on), at most a step later (a fraction of a second). Nothing else changes: the pause
    changes when memory is freed, never a value computed. The view adds no pause of its own.
    """
    error = None
    try:
        while not run.done and not stop.is_set():
            shots = len(run.snapshots)
            try:
                loss = run.checked_step()  # a diverged step is undone and raises
            except Exception as exc:  # shown in the widget; the run keeps its steps done
                error = f"step {run.step + 1} failed: {_message(exc)}"
                break
            snapshots = [s["step"] for s in run.snapshots] if len(run.snapshots) != shots else None
            handoff.put_step(run.step, loss, snapshots)
            notify()
    finally:
        handoff.put_end(error)
        notify()


class TrainingView(W.VBox):
    """Training on the bundled names (seed 42, the default model), or on ``docs``.

    Traits: ``steps`` (of the next run), ``step`` (steps done by the run shown), ``running``,
    ``redraw_every`` (redraw the loss curve every so many steps). ``train()`` starts a run,
    ``stop()`` ends it after the step under way, ``wait(timeout)`` joins the worker and shows
    the end. The run is ``view.run``; a click on "train" while one runs is refused.
    """

    steps = traitlets.Int(100)
    step = traitlets.Int(0)
    running = traitlets.Bool(False)
    redraw_every = traitlets.Int(10)

    def __init__(self, docs: list[str] | None = None, **kwargs) -> None:
        self.docs = docs
        self.run: Run | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._handoff: _Handoff | None = None
        self._drawn = -1  # the step the picture shows
        self._gc_was_enabled = True
        self._pulse = Latest(self.refresh)
        self._steps = W.BoundedIntText(description="steps", min=1, max=100_000)
        self._train = W.Button(description="train", icon="play")
        self._train.add_class("microgpt-train")
        self._stop_button = W.Button(description="stop", icon="stop", disabled=True)
        self._stop_button.add_class("microgpt-stop")
        # Before any run: no progress bar and no picture (an empty Image draws as a broken one).
        self.progress = W.IntProgress(min=0, max=1, layout=W.Layout(visibility="hidden"))
        self.image = chart_image()  # at its natural size, never stretched
        self.image.layout.display = "none"  # no broken image before the first run
        self._info = W.HTML()
        self._info.add_class("microgpt-training-info")
        super().__init__([W.HBox([self._steps, self._train, self._stop_button]), self.progress,
                          self._info, self.image], **kwargs)  # fmt: skip
        self.add_class("microgpt-training")
        traitlets.link((self, "steps"), (self._steps, "value"))
        self._train.on_click(lambda _: self._on_click())
        self._stop_button.on_click(lambda _: self.stop())
        self._show_empty()

    # -- what a caller does ---------------------------------------------------------------
    def train(self, background: bool = True) -> bool:
        """Start a new run of ``steps`` steps: in a worker thread (the stop button stays live),
        or here with ``background=False``. Returns False (and says why) if a run is under way."""
        self.refresh()  # a worker that has ended, but whose end is not shown yet, is shown now
        if self.running:
            step = self._handoff.read()[0] if self._handoff else 0
            self._say(
                f"already training (step {step} of {self.run.hp.num_steps}): press stop, or wait "
                "for it to finish, before starting another run",
                warn=True,
            )
            return False
        docs = self.docs if self.docs is not None else load_docs()
        hp = Hyperparams(num_steps=self.steps, snapshot_every=max(1, self.steps // 10))
        run = Run.start(docs, hp, source="names" if self.docs is None else None)
        handoff = _Handoff(run)
        self.run, self._handoff, self._drawn = run, handoff, -1
        self._stop = stop = threading.Event()
        self._gc_was_enabled = gc.isenabled()
        self.running = True
        self.step = run.step
        self.progress.layout.visibility = "visible"
        self.progress.bar_style = ""
        self.progress.max = hp.num_steps
        self._set_progress(run.step)
        self._say(
            f"training {hp.num_steps} steps on {self._data_name()}; "
            f"a snapshot of the weights every {hp.snapshot_every} steps"
        )
        if not background:
            _work(run, stop, handoff, self.refresh)
            return True
        loop = _kernel_loop()  # captured here, on the loop's own thread, for the worker to use
        notify = (lambda: _call_soon(loop, self._pulse)) if loop is not None else _nothing
        self._thread = threading.Thread(
            target=_work, args=(run, stop, handoff, notify), name="microgpt-training", daemon=True
        )
        self._thread.start()
        return True

    def stop(self) -> None:
        """Stop after the step under way (no half-applied update); snapshots are kept."""
        self._stop.set()

    def wait(self, timeout: float | None = None) -> bool:
        """Join the worker (at most ``timeout`` seconds) and show where it is; True if it has
        ended."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)
        self.refresh()
        return thread is None or not thread.is_alive()

    def refresh(self) -> None:
        """Show the worker's latest state: progress, the loss curve every ``redraw_every``
        steps, and at the end how the run ended. Runs on the kernel's loop (or the caller's
        thread); never in the worker."""
        handoff = self._handoff
        if handoff is None or not self.running:
            return
        step, losses, snapshots, ended, error = handoff.read()
        self.step = step
        self._set_progress(step)
        if ended:
            self._end(step, snapshots, error)
        else:
            every = max(1, self.redraw_every)
            if losses and step // every != self._drawn // every:  # the first step, then every
                self._draw(losses)

    # -- inside -----------------------------------------------------------------------------
    def _on_click(self) -> None:
        try:
            self.train()
        except MicrogptError as exc:  # e.g. a dataset with no documents: say so in the view
            self._say(str(exc), warn=True)

    def _end(self, step: int, snapshots: list[int], error: str | None) -> None:
        run = self.run
        self.running = False
        self._thread = None
        if self._gc_was_enabled and not gc.isenabled():
            # microgpt's gc_paused reads and sets the process-wide switch without a lock; a
            # pause on the main thread overlapping a step's pause can, in a rare interleaving,
            # leave the collector off. The worker has ended and no pause is under way here.
            gc.enable()
        if run.loss_history:
            self._draw(list(run.loss_history))
        kept = ", ".join(str(s) for s in snapshots)
        done = f"{step} of {run.hp.num_steps} steps done; snapshots kept at steps {kept}"
        if error is not None:
            self.progress.bar_style = "danger"
            self._say(f"{error}. Training stopped: {done}", warn=True)
        elif step < run.hp.num_steps:
            self._say(f"stopped at step {step}: {done}")
        else:
            self.progress.bar_style = "success"
            self._say(f"finished at step {step}; final loss {run.loss_history[-1]:.4f}: {done}")

    def _draw(self, losses: list[float]) -> None:
        ax = loss_curve(losses, title=f"training loss, {len(losses)} steps")
        show_chart(self.image, ax.figure)
        self.image.layout.display = None
        self._drawn = len(losses)

    def _set_progress(self, step: int) -> None:
        self.progress.value = step
        self.progress.description = f"{step} / {self.progress.max}"

    def _say(self, text: str, warn: bool = False) -> None:
        style = ' style="color:#b00020"' if warn else ""
        self._info.value = f"<span{style}>{html.escape(text)}</span>"

    def _data_name(self) -> str:
        return "the bundled names" if self.docs is None else f"{len(self.docs)} documents"

    def _show_empty(self) -> None:
        self._say(
            f"no run yet: press train to start; {self.steps} steps on {self._data_name()} (seed 42)"
        )

    @traitlets.observe("steps")
    def _on_steps(self, change) -> None:
        if self.run is None:
            self._show_empty()

    @traitlets.observe("running")
    def _on_running(self, change) -> None:
        self._train.disabled = change["new"]
        self._steps.disabled = change["new"]
        self._stop_button.disabled = not change["new"]


def _call_soon(loop, fn) -> None:
    """Ask the kernel's loop to run ``fn`` (from the worker thread)."""
    # A closed loop (the kernel shutting down) raises RuntimeError: nobody is looking then.
    with contextlib.suppress(RuntimeError):
        loop.call_soon_threadsafe(fn)


def _nothing() -> None:
    pass
