"""The worker side of ``TrainingView``: what trains, on floats, and hands each step to the
view: a thread (``work``), or a task on the event loop where threads cannot start (``work_async``:
Pyodide, in the lessons' browser site), both running the same ``steps``.

It only computes and never touches a widget: ``work`` steps the run with
``Run.checked_step(keep_grads=True)`` (on ``Run.steps_on_floats``: bit for bit the engine's
step, ~20x faster), keeps the pace asked for (``Pace``), and puts each step's loss,
gradient norms and token embeddings into a ``Handoff`` that the view reads on its own thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import threading
import time

from microgpt.errors import MicrogptError
from microgpt.train import Run

__all__ = ["REDRAW_WAIT", "Handoff", "Pace", "steps"]
__all__ += ["work", "work_async"]

#: The longest the worker waits for a redraw it asked for (the loop may be busy elsewhere).
REDRAW_WAIT = 1.0


def _now() -> float:
    return time.monotonic()


def _pause(stop: threading.Event, seconds: float) -> bool:
    """Wait ``seconds`` unless ``stop`` is set first; True if it was (a stop needs no wait)."""
    return stop.wait(seconds)


class Pace:
    """What the view tells the worker while it runs: its pace and how often to redraw. Each is
    one attribute, written by the loop and read by the worker (a read sees the old or the new
    value, never a mix)."""

    def __init__(self, steps_per_second: float | None, redraw_interval: float) -> None:
        self.steps_per_second = steps_per_second
        self.redraw_interval = redraw_interval


class Handoff:
    """What the worker hands to the loop: the steps done, their losses and gradient norms, the
    latest token embeddings, the snapshots' steps and how the run ended. Written by the worker,
    read by the loop, always under the lock. ``put_step`` says when a redraw is due."""

    def __init__(self, run: Run) -> None:
        self._lock = threading.Lock()
        self._step = run.step
        self._losses = list(run.loss_history)
        self._norms: dict[str, list[float]] = {key: [] for key in run.config.matrix_shapes()}
        self._wte = run.model.weights()["wte"]
        self._snapshots = [s["step"] for s in run.snapshots]
        self._ended = False
        self._error: str | None = None
        self._waiting = False  # a refresh is asked for and has not read yet
        self._asked = -math.inf  # when the last refresh was asked for
        self._shown = threading.Event()  # set when a refresh has drawn what it read

    def put_step(self, step: int, loss: float, norms: dict[str, float], wte: list[list[float]],
                 snapshots: list[int] | None, now: float, interval: float) -> bool:  # fmt: skip
        """Record a step; True if the worker should ask for a refresh now: none is waiting,
        and the last was asked for at least ``interval`` seconds ago."""
        with self._lock:
            self._step = step
            self._losses.append(loss)
            for key, norm in norms.items():
                self._norms[key].append(norm)
            self._wte = wte
            if snapshots is not None:
                self._snapshots = snapshots
            due = not self._waiting and now - self._asked >= interval
            if due:
                self._waiting, self._asked = True, now
                self._shown.clear()
            return due

    def shown(self) -> None:
        """The loop has shown the state it read (or the run is stopping): the worker goes on."""
        self._shown.set()

    def await_shown(self, timeout: float) -> None:
        """Wait (in the worker) until the refresh asked for has drawn, at most ``timeout``."""
        self._shown.wait(timeout)

    def put_end(self, error: str | None) -> None:
        with self._lock:
            self._ended = True
            self._error = error

    def read(self) -> dict:
        """The latest state, copied: step, losses, norms, wte, snapshots, ended, error."""
        with self._lock:
            self._waiting = False
            return {
                "step": self._step,
                "losses": list(self._losses),
                "norms": {key: list(values) for key, values in self._norms.items()},
                "wte": self._wte,  # replaced by the worker, never changed in place
                "snapshots": list(self._snapshots),
                "ended": self._ended,
                "error": self._error,
            }


def _message(exc: BaseException) -> str:
    if isinstance(exc, MicrogptError):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"


def steps(run: Run, stop: threading.Event, handoff: Handoff, pace: Pace):
    """The worker's loop as a generator its driver runs (``work`` in a thread, ``work_async``
    on an event loop): it steps ``run`` until it is done or ``stop`` is set, reports each step
    through ``handoff``, and yields ``("wait", seconds)`` when the pace holds the next step
    back (no step starts less than ``1 / steps_per_second`` after the one before it started)
    and ``("redraw", 0.0)`` when a redraw is due. At its end, or when closed, it reports how
    the run ended (``handoff.put_end``). Touches no widget. Floats record no graph, so unlike
    ``Run.train_step`` a step pauses nothing."""
    shapes = run.config.matrix_shapes()
    rows, cols = shapes["wte"]  # the first matrix of ``params``
    params = run.model.params
    error = None
    started = None  # when the last step started
    try:
        while not run.done and not stop.is_set():
            rate = pace.steps_per_second
            if rate is not None and started is not None:
                wait = started + 1 / rate - _now()
                if wait > 0:
                    yield "wait", wait
                    if stop.is_set():
                        break
            started = _now()
            shots = len(run.snapshots)
            try:
                # on floats, its gradients kept; a diverged step is undone and raises
                loss = run.checked_step(keep_grads=True)
            except Exception as exc:  # shown in the widget; the run keeps its steps done
                error = f"step {run.step + 1} failed: {_message(exc)}"
                break
            norms = run.layout.norms(run.last_grads)
            wte = [[params[r * cols + c].data for c in range(cols)] for r in range(rows)]
            snapshots = [s["step"] for s in run.snapshots] if len(run.snapshots) != shots else None
            if handoff.put_step(run.step, loss, norms, wte, snapshots, _now(),
                                pace.redraw_interval):  # fmt: skip
                yield "redraw", 0.0
    finally:
        handoff.put_end(error)


def work(run: Run, stop: threading.Event, handoff: Handoff, notify, pace: Pace,
          await_redraw: bool = True) -> None:  # fmt: skip
    """Run ``steps`` in this thread (the worker's, or the caller's for
    ``train(background=False)``); call ``notify`` when a redraw is due and at the end.

    With ``await_redraw`` (someone redraws when notified), the worker waits for the redraw
    before its next step, at most ``REDRAW_WAIT`` seconds. Both need the GIL: side by side,
    each waits for the other in turns of the interpreter's switch interval and the redraw
    comes late; in turn, the redraw costs its own time only (a few ms for the SVG charts) and
    the steps between redraws go as fast as floats go. If the loop is busy elsewhere, no more
    redraws are asked for (nor waited for) until it has done the one asked.
    """
    try:
        with contextlib.closing(steps(run, stop, handoff, pace)) as each:
            for kind, seconds in each:
                if kind == "wait":
                    _pause(stop, seconds)
                else:
                    notify()
                    if await_redraw:
                        handoff.await_shown(REDRAW_WAIT)
    finally:
        notify()


async def work_async(run: Run, stop: threading.Event, handoff: Handoff, refresh,
                     pace: Pace) -> None:  # fmt: skip
    """Run ``steps`` as a task on the event loop, where threads cannot start (Pyodide, in the
    lessons' browser site): the same steps, the same numbers. ``refresh`` (the view's) is
    called on the loop when a redraw is due and at the end; between them, and while the pace
    waits, the loop runs everything else (the stop button's click among it)."""
    try:
        with contextlib.closing(steps(run, stop, handoff, pace)) as each:
            for kind, seconds in each:
                if kind == "wait":
                    await _sleep_unless(stop, seconds)
                else:
                    refresh()
                    await asyncio.sleep(0)
    finally:
        refresh()


async def _sleep_unless(stop: threading.Event, seconds: float) -> None:
    """Sleep ``seconds`` on the loop, waking early (within 50 ms) once ``stop`` is set."""
    end = _now() + seconds
    while not stop.is_set() and (left := end - _now()) > 0:
        await asyncio.sleep(min(left, 0.05))
