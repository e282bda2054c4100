"""TrainingView: the worker thread only computes; the view's state changes on the caller's
thread (or the kernel's loop); the run trained is the one started; a failing step is shown.

No timing luck: the worker is held at a chosen step by events, every wait has a timeout."""

from __future__ import annotations

import asyncio
import gc
import threading

import pytest

from explorer.widgets import EmbeddingView, Session, TrainingView, training
from microgpt.train import Run

DOCS = ["emma", "olivia", "ava", "mia"]
TIMEOUT = 120  # seconds; only reached if something is broken


class Gate:
    """Wraps ``Run.train_step``: records who stepped, and holds the worker after step ``hold``
    (``reached`` is set) until ``release`` is set. ``fail_at`` makes that step raise."""

    def __init__(self, monkeypatch, hold: int | None = None, fail_at: int | None = None):
        self.hold, self.fail_at = hold, fail_at
        self.reached, self.release = threading.Event(), threading.Event()
        self.runs, self.threads, self.gc_on_after_step = set(), set(), []
        original = Run.train_step

        def train_step(run):
            self.runs.add(id(run))
            self.threads.add(threading.current_thread())
            if self.fail_at is not None and run.step + 1 == self.fail_at:
                raise ValueError(f"boom at step {self.fail_at}")
            loss = original(run)
            self.gc_on_after_step.append(gc.isenabled())
            if run.step == self.hold:
                self.reached.set()
                assert self.release.wait(TIMEOUT), "the test never released the worker"
            return loss

        monkeypatch.setattr(Run, "train_step", train_step)


def _watch(view):
    """The threads on which the view's visible state changed."""
    threads = []

    def seen(_change):
        threads.append(threading.current_thread())

    view.observe(seen, names=["step", "running"])
    for widget, name in [(view.progress, "value"), (view.progress, "description"),
                         (view.image, "value"), (view._info, "value")]:  # fmt: skip
        widget.observe(seen, names=[name])
    return threads


def test_empty_state_before_any_run():
    view = TrainingView(docs=DOCS)
    assert view.run is None and not view.running
    assert view.image.value == b"" and view.image.layout.display == "none"  # no broken image
    assert view.progress.layout.visibility == "hidden" and "0 / 0" not in view.progress.description
    assert "press train to start" in view._info.value and "100 steps" in view._info.value
    view.steps = 7
    assert "7 steps" in view._info.value and "0 / 0" not in view._info.value
    assert not view._train.disabled and view._stop_button.disabled


def test_trains_in_the_foreground_and_finishes():
    view = TrainingView(docs=DOCS)
    view.steps = 3
    assert view.train(background=False)
    assert view.run.step == 3 and view.step == 3 and view.progress.value == 3
    assert not view.running and view.progress.description == "3 / 3"
    assert view.image.value[:4] == b"\x89PNG" and view.image.layout.display != "none"
    assert [s["step"] for s in view.run.snapshots] == [0, 1, 2, 3]
    assert "finished at step 3" in view._info.value
    assert f"{view.run.loss_history[-1]:.4f}" in view._info.value


def test_stopped_while_the_main_thread_changes_traits(monkeypatch):
    gate = Gate(monkeypatch, hold=7)
    view = TrainingView(docs=DOCS)
    embeddings = EmbeddingView(Session().source)
    threads = _watch(view)
    view.steps = 30  # a snapshot every 3 steps
    assert view.train()
    started = view.run
    changes = 0
    while not gate.reached.wait(0.005):  # the worker trains steps 1..7 meanwhile
        view.steps = 5 + changes % 50
        view.redraw_every = 1 + changes % 3
        view.refresh()
        embeddings.step = [0, 100, 500][changes % 3]
        assert not view.train()  # refused: the run is not swapped
        changes += 1
        assert changes < 100_000, "the worker never reached step 7"
    assert view.run is started and view.running
    view.stop()
    gate.release.set()
    assert view.wait(TIMEOUT)
    assert view.run is started and not view.running and gate.runs == {id(started)}
    assert started.step == 7 and view.step == 7 and view.progress.value == 7
    assert [s["step"] for s in started.snapshots] == [0, 3, 6]  # none lost, none past the stop
    assert len(started.loss_history) == 7
    assert "stopped at step 7" in view._info.value and "0, 3, 6" in view._info.value
    assert view.image.value[:4] == b"\x89PNG"
    # the worker only computed; every visible change happened here, on the main thread
    assert gate.threads and threading.main_thread() not in gate.threads
    assert set(threads) == {threading.main_thread()}
    # the collector was paused for each step's forward and backward only
    assert gate.gc_on_after_step == [True] * 7 and gc.isenabled()


@pytest.mark.parametrize("background", [True, False])
def test_a_failing_step_is_shown_and_ends_the_run(monkeypatch, background):
    Gate(monkeypatch, fail_at=3)
    view = TrainingView(docs=DOCS)
    view.steps = 10
    view.train(background=background)
    assert view.wait(TIMEOUT)
    assert not view.running and not view._train.disabled and view._stop_button.disabled
    assert view.run.step == 2 and [s["step"] for s in view.run.snapshots] == [0, 1, 2]
    text = view._info.value
    # a step that raises is undone like a diverged one (Run.checked_step) and says why
    assert "step 3 failed: training diverged at step 3" in text and "boom at step 3" in text
    assert "stopped at step" not in text
    assert "Traceback" not in text and view.progress.bar_style == "danger"


def test_a_second_click_while_running_does_not_swap_the_run(monkeypatch):
    gate = Gate(monkeypatch, hold=1)
    view = TrainingView(docs=DOCS)
    view.steps = 20
    view._train.click()
    started = view.run
    assert gate.reached.wait(TIMEOUT) and view.running
    view.steps = 4
    view._train.click()  # a click that raced the disabled button
    assert view.run is started and "already training" in view._info.value
    view.stop()
    gate.release.set()
    assert view.wait(TIMEOUT) and view.run is started and started.step == 1
    assert gate.runs == {id(started)} and started.hp.num_steps == 20
    view.train(background=False)  # once it has ended, a new run starts
    assert view.run is not started and view.run.step == 4


def test_a_bad_dataset_clicked_is_said_in_the_view():
    view = TrainingView(docs=[])
    view._train.click()
    assert "no documents" in view._info.value and view.run is None and not view.running


def test_on_a_kernel_loop_the_view_changes_on_the_loop(monkeypatch):
    view = TrainingView(docs=DOCS)
    view.steps = 4
    threads = _watch(view)

    async def main():
        monkeypatch.setattr(training, "_kernel_loop", asyncio.get_running_loop)
        assert view.train()
        while view.running:  # no wait(): the worker's notes reach the loop on their own
            await asyncio.sleep(0.01)

    # the loop gets a thread of its own: in a full test session another library's loop (the
    # browser tests' Playwright) may already run in the main thread, and asyncio.run refuses
    loop_threads = []

    def run_loop():
        loop_threads.append(threading.current_thread())
        asyncio.run(asyncio.wait_for(main(), TIMEOUT))

    runner = threading.Thread(target=run_loop)
    runner.start()
    runner.join(TIMEOUT + 5)
    assert not runner.is_alive()
    assert view.run.step == 4 and view.progress.value == 4 and "finished" in view._info.value
    assert view.image.value[:4] == b"\x89PNG"
    assert set(threads) == set(loop_threads)  # every change on the loop's thread, not the worker
