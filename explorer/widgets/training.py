"""``TrainingView``: train a fresh model for N steps, live: a progress bar, the loss curve, the
token embeddings and each matrix's gradient norm redrawn in place, a steps-per-second control
and a stop button. The run (with its snapshots) stays in ``view.run``, also when stopped
mid-way or when a step failed.

Floats. The worker trains with ``Run.steps_on_floats``: the engine's arithmetic on plain
floats, bit for bit ``Run.train_step``'s losses, weights and moments, ~20x faster (no graph is
recorded). A step whose loss or weights are not finite, or whose arithmetic fails, is undone
and ends the run with ``DivergedError``'s message: the worker steps with
``Run.checked_step(keep_grads=True)``, which also keeps each step's gradients for the
gradient-norm chart.

Pace. The worker starts a step at most ``steps_per_second`` times a second (None: as fast as
it can). The views are redrawn at most every ``redraw_interval`` seconds, with every step done
since the last redraw, so drawing costs the same at 5 steps a second or at 200.

Threads. The worker thread only computes (``training_worker.work``): it steps the run it was
handed at the start and puts each step's loss, gradient norms and token embeddings into a
lock-protected hand-off (``training_worker.Handoff``). Everything a learner sees (traits, the
progress bar, the text, the pictures) is changed on the kernel's event loop: when a redraw is
due, and none is already waiting, the worker asks the loop to ``refresh`` with
``call_soon_threadsafe``. Without a kernel loop
(scripts, tests) nothing is scheduled: ``wait()`` or ``refresh()``, called from the caller's
thread, shows the worker's latest state. Where no thread can start (Pyodide: the lessons'
browser site) the same steps run as a task on the event loop (``training_worker.work_async``),
redrawing as they go, and the loop handles the stop button between them.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import math
import sys
import threading

import ipywidgets as W
import traitlets

from microgpt.data import load_docs
from microgpt.errors import ArgumentTypeError, MicrogptError
from microgpt.train import Hyperparams, Run
from microgpt.validate import check_docs, check_int, check_number

from .session import _kernel_loop
from .training_charts import embeddings_svg, loss_svg, norms_svg
from .training_worker import Handoff, Pace, work, work_async

__all__ = ["TrainingView"]

#: The most steps the view trains in one run (its "steps" box allows no more).
MAX_STEPS = 100_000
#: The fastest pace that may be asked for, in steps per second (None: unthrottled).
MAX_STEPS_PER_SECOND = 1000.0
#: What the steps-per-second control offers (None: as fast as the machine goes).
PACES = (1.0, 5.0, 20.0, 100.0, None)


class TrainingView(W.VBox):
    """Training on the bundled names (seed 42, the default model), or on ``docs``.

    ``TrainingView(docs=None, steps=100, steps_per_second=20.0, redraw_interval=0.4)``.
    Traits: ``steps`` (of the next run), ``steps_per_second`` (the pace; None: unthrottled;
    it may change while a run trains), ``redraw_interval`` (seconds between redraws at most),
    ``step`` (steps done by the run shown), ``running``, ``redraws`` (how many times the
    pictures were drawn). ``train()`` starts a run, ``stop()`` ends it after the step under way,
    ``wait(timeout)`` joins the worker and shows the end. The run is ``view.run``; a click on
    "train" while one runs is refused. A bad value is refused with one ``MicrogptError``, also
    said in the view's message line.
    """

    steps = traitlets.Any(100)
    steps_per_second = traitlets.Any(20.0)
    redraw_interval = traitlets.Any(0.4)
    step = traitlets.Int(0)
    running = traitlets.Bool(False)
    redraws = traitlets.Int(0)

    def __init__(self, docs: list[str] | None = None, steps: int = 100,
                 steps_per_second: float | None = 20.0, redraw_interval: float = 0.4,
                 **kwargs) -> None:  # fmt: skip
        # every argument is checked before anything is built: a bad one leaves no half widget
        docs = _check_view_docs(docs)
        steps = _check_steps(steps)
        steps_per_second = _check_pace(steps_per_second)
        redraw_interval = _check_interval(redraw_interval)
        unknown = sorted(set(kwargs) - set(W.VBox.class_trait_names()))
        if unknown:
            raise ArgumentTypeError(
                f"TrainingView() got an unknown argument {unknown[0]!r}: it takes docs, steps, "
                "steps_per_second and redraw_interval (and a box's layout)"
            )
        self._docs = docs
        self.run: Run | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._task: asyncio.Task | None = None  # the steps on the loop, where no thread starts
        self._handoff: Handoff | None = None
        self._labels: list[str] = []  # the tokens of the run shown (the embeddings' labels)
        self._drawn = -1  # the step the pictures show
        self._pace = Pace(steps_per_second, redraw_interval)
        self._steps = W.BoundedIntText(description="steps", min=1, max=MAX_STEPS, value=steps)
        self._speed = W.Dropdown(description="speed", layout=W.Layout(width="auto"))
        self._speed.add_class("microgpt-train-speed")
        self._offering = False
        self._speed_options(steps_per_second)
        self._train = W.Button(description="train", icon="play")
        self._train.add_class("microgpt-train")
        self._stop_button = W.Button(description="stop", icon="stop", disabled=True)
        self._stop_button.add_class("microgpt-stop")
        # Before any run: no progress bar and no charts (nothing to show yet).
        self.progress = W.IntProgress(min=0, max=1, layout=W.Layout(visibility="hidden"))
        charts = tuple(W.HTML(layout=W.Layout(display="none")) for _ in range(3))  # no run yet
        self.loss_chart, self.embeddings_chart, self.norms_chart = charts
        for chart, name in zip(charts, ("loss", "embeddings", "norms")):
            chart.add_class(f"microgpt-training-{name}")
        self._charts = charts
        self._info = W.HTML()
        self._info.add_class("microgpt-training-info")
        charts = W.Box(list(charts),
                       layout=W.Layout(flex_flow="row wrap", align_items="flex-start"))  # fmt: skip
        controls = W.HBox([self._steps, self._speed, self._train, self._stop_button],
                          layout=W.Layout(flex_flow="row wrap"))  # fmt: skip
        super().__init__([controls, self.progress, self._info, charts], **kwargs)
        self.add_class("microgpt-training")
        with self.hold_trait_notifications():
            self.steps = steps
            self.steps_per_second = steps_per_second
            self.redraw_interval = redraw_interval
        traitlets.link((self, "steps"), (self._steps, "value"))
        self._speed.observe(self._on_speed_pick, "value")
        self._train.on_click(lambda _: self._on_click())
        self._stop_button.on_click(lambda _: self.stop())
        self._show_empty()

    # -- what a caller does ---------------------------------------------------------------
    @property
    def docs(self) -> list[str] | None:
        """The documents the next run trains on (None: the bundled names)."""
        return self._docs

    @docs.setter
    def docs(self, docs) -> None:
        try:
            self._docs = _check_view_docs(docs)
        except MicrogptError as e:
            self._say(str(e), warn=True)
            raise
        if self.run is None:
            self._show_empty()

    def train(self, background: bool = True) -> bool:
        """Start a new run of ``steps`` steps: in a worker thread (the stop button stays live),
        or here with ``background=False``. Returns False (and says why) if a run is under way."""
        self.refresh()  # a worker that has ended, but whose end is not shown yet, is shown now
        if self.running:
            step = self._handoff.read()["step"] if self._handoff else 0
            self._say(
                f"already training (step {step} of {self.run.hp.num_steps}): press stop, or wait "
                "for it to finish, before starting another run",
                warn=True,
            )
            return False
        docs = self._docs if self._docs is not None else load_docs()
        hp = Hyperparams(num_steps=self.steps, snapshot_every=max(1, self.steps // 10))
        run = Run.start(docs, hp, source="names" if self._docs is None else None)
        handoff = Handoff(run)
        self._labels = [run.tokenizer.label(i) for i in range(run.tokenizer.vocab_size)]
        self.run, self._handoff, self._drawn = run, handoff, -1
        self._stop = stop = threading.Event()
        self.running = True
        self.step = run.step
        self.progress.layout.visibility = "visible"
        self.progress.bar_style = ""
        self.progress.max = hp.num_steps
        self._set_progress(run.step)
        self._say(
            f"training {hp.num_steps} steps on {self._data_name()}, {self._pace_name()}; "
            f"a snapshot of the weights every {hp.snapshot_every} steps"
        )
        loop = _kernel_loop()  # captured here, on the loop's own thread, for the worker to use
        if background and not _threads_start():
            if loop is None and sys.platform == "emscripten":  # Pyodide's loop is always there
                loop = asyncio.get_event_loop()
            if loop is not None:  # steps as a task on the loop: the same steps, no thread
                self._task = loop.create_task(
                    work_async(run, stop, handoff, self.refresh, self._pace)
                )
                self._task.add_done_callback(self._task_ended)
                return True
            background = False  # neither a thread nor a loop: train here
        if not background:
            work(run, stop, handoff, self.refresh, self._pace)
            return True
        notify = (lambda: _call_soon(loop, self.refresh)) if loop is not None else _nothing
        self._thread = threading.Thread(
            target=work,
            args=(run, stop, handoff, notify, self._pace, loop is not None),
            name="microgpt-training",
            daemon=True,
        )
        self._thread.start()
        return True

    def stop(self) -> None:
        """Stop after the step under way (no half-applied update); snapshots are kept. A run
        waiting for its next step (a slow pace) stops at once."""
        self._stop.set()
        if self._handoff is not None:
            self._handoff.shown()  # a worker waiting for a redraw stops now

    def wait(self, timeout: float | None = None) -> bool:
        """Join the worker (at most ``timeout`` seconds) and show where it is; True if it has
        ended. Steps running on the event loop (no threads) cannot be waited for from the
        loop's own thread: then it shows where they are and returns at once."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)
        self.refresh()
        task = self._task  # on a loop (no threads) a wait here would block it: say where it is
        return (thread is None or not thread.is_alive()) and (task is None or task.done())

    def refresh(self) -> None:
        """Show the worker's latest state: progress, the pictures if a step was done since
        they were drawn, and at the end how the run ended. Runs on the kernel's loop (or the
        caller's thread); never in the worker."""
        handoff = self._handoff
        if handoff is None or not self.running:
            return
        state = handoff.read()
        try:
            self.step = state["step"]
            self._set_progress(state["step"])
            if state["ended"]:
                self._end(state)
            elif state["losses"] and state["step"] != self._drawn:
                self._draw(state)
        finally:
            handoff.shown()

    # -- inside -----------------------------------------------------------------------------
    def _task_ended(self, task) -> None:
        """The steps on the loop ended: an error that escaped them (a redraw that failed) is
        said in the view rather than lost in the loop's log."""
        if not task.cancelled() and task.exception() is not None:
            exc = task.exception()
            self.running = False
            self._task = None
            self.progress.bar_style = "danger"
            self._say(f"training stopped: {type(exc).__name__}: {exc}", warn=True)

    def _on_click(self) -> None:
        try:
            self.train()
        except MicrogptError as exc:  # e.g. a dataset with no documents: say so in the view
            self._say(str(exc), warn=True)

    def _end(self, state: dict) -> None:
        run = self.run
        self.running = False
        self._thread = self._task = None
        step, error = state["step"], state["error"]
        if state["losses"] and step != self._drawn:
            self._draw(state)
        kept = ", ".join(str(s) for s in state["snapshots"])
        done = f"{step} of {run.hp.num_steps} steps done; snapshots kept at steps {kept}"
        if error is not None:
            self.progress.bar_style = "danger"
            self._say(f"{error}. Training stopped: {done}", warn=True)
        elif step < run.hp.num_steps:
            self._say(f"stopped at step {step}: {done}")
        else:
            self.progress.bar_style = "success"
            self._say(f"finished at step {step}; final loss {run.loss_history[-1]:.4f}: {done}")

    def _draw(self, state: dict) -> None:
        num_steps = self.run.hp.num_steps
        svgs = (
            loss_svg(state["losses"], num_steps, math.log(len(self._labels))),
            embeddings_svg(state["wte"], self._labels, state["step"]),
            norms_svg(state["norms"], num_steps),
        )
        for chart, svg in zip(self._charts, svgs):
            chart.value = svg
            chart.layout.display = None
        self._drawn = state["step"]
        self.redraws += 1

    def _set_progress(self, step: int) -> None:
        self.progress.value = step
        self.progress.description = f"{step} / {self.progress.max}"

    def _say(self, text: str, warn: bool = False) -> None:
        style = ' style="color:#b00020"' if warn else ""
        self._info.value = f"<span{style}>{html.escape(text)}</span>"

    def _data_name(self) -> str:
        return "the bundled names" if self._docs is None else f"{len(self._docs)} documents"

    def _pace_name(self) -> str:
        rate = self._pace.steps_per_second
        return "unthrottled" if rate is None else f"{rate:g} steps a second at most"

    def _show_empty(self) -> None:
        self._say(
            f"no run yet: press train to start; {self.steps} steps on {self._data_name()} "
            f"(seed 42), {self._pace_name()}"
        )

    def _speed_options(self, rate: float | None) -> None:
        paces = sorted({*(p for p in PACES if p is not None), *([rate] if rate else [])})
        options = [(f"{p:g} step/s" if p == 1 else f"{p:g} steps/s", p) for p in paces]
        # the dropdown's "unthrottled" is 0: a Dropdown's value None means "nothing picked"
        self._offering = True  # new options pass through other values: they are no pick
        try:
            self._speed.options = [*options, ("unthrottled", 0.0)]
            self._speed.value = 0.0 if rate is None else rate
        finally:
            self._offering = False

    def _on_speed_pick(self, change) -> None:
        if change["new"] is not None and not self._offering:
            self.steps_per_second = change["new"] or None

    @traitlets.validate("steps")
    def _valid_steps(self, proposal):
        return self._refused(_check_steps, proposal["value"])

    @traitlets.validate("steps_per_second")
    def _valid_pace(self, proposal):
        return self._refused(_check_pace, proposal["value"])

    @traitlets.validate("redraw_interval")
    def _valid_interval(self, proposal):
        return self._refused(_check_interval, proposal["value"])

    def _refused(self, check, value):
        """``check(value)``; a bad value is said in the message line, then raised."""
        try:
            return check(value)
        except MicrogptError as e:
            self._say(str(e), warn=True)
            raise

    @traitlets.observe("steps")
    def _on_steps(self, change) -> None:
        if self.run is None:
            self._show_empty()

    @traitlets.observe("steps_per_second")
    def _on_pace(self, change) -> None:
        rate = change["new"]
        self._pace.steps_per_second = rate  # a run under way takes it before its next step
        if self._speed.value != (rate or 0.0):
            self._speed_options(rate)
        if self.run is None:
            self._show_empty()

    @traitlets.observe("redraw_interval")
    def _on_interval(self, change) -> None:
        self._pace.redraw_interval = change["new"]

    @traitlets.observe("running")
    def _on_running(self, change) -> None:
        self._train.disabled = change["new"]
        self._steps.disabled = change["new"]
        self._stop_button.disabled = not change["new"]


def _check_view_docs(docs) -> list[str] | None:
    if docs is None:
        return None
    try:
        return check_docs(docs)
    except MicrogptError as e:
        raise type(e)(f"TrainingView(docs=...): {e}") from None


def _check_steps(steps) -> int:
    return check_int(steps, "TrainingView(steps=...)", 1, MAX_STEPS, "pass e.g. steps=100")


def _check_pace(rate) -> float | None:
    if rate is None:
        return None
    what, fix = "TrainingView(steps_per_second=...)", "pass e.g. 20, or None for unthrottled"
    return float(check_number(rate, what, 0, MAX_STEPS_PER_SECOND, lo_open=True, fix=fix))


def _check_interval(seconds) -> float:
    return float(check_number(seconds, "TrainingView(redraw_interval=...)", 0.05, 60,
                              fix="seconds between redraws, e.g. 0.4"))  # fmt: skip


def _threads_start() -> bool:
    """Whether this Python can start a thread: not under Pyodide (the lessons' browser site),
    whose ``Thread.start`` raises; there ``TrainingView`` steps on the event loop instead."""
    if sys.platform == "emscripten":
        return False
    probe = threading.Thread(target=_nothing, name="microgpt-probe", daemon=True)
    try:
        probe.start()
    except RuntimeError:  # "can't start new thread"
        return False
    probe.join()
    return True


def _call_soon(loop, fn) -> None:
    """Ask the kernel's loop to run ``fn`` (from the worker thread)."""
    # A closed loop (the kernel shutting down) raises RuntimeError: nobody is looking then.
    with contextlib.suppress(RuntimeError):
        loop.call_soon_threadsafe(fn)


def _nothing() -> None:
    pass
