"""TrainingView: it trains on floats, bit for bit the engine's steps; the pace bounds the rate;
the views are redrawn at most once an interval, with every step since; the worker thread only
computes and the view's state changes on the caller's thread (or the kernel's loop); the run
trained is the one started; a failing or diverging step is undone and said; bad arguments are
one clear error.

No timing luck: the worker is held at a chosen step by events, the pace is checked on a fake
clock, and every wait has a timeout."""

from __future__ import annotations

import asyncio
import math
import threading
import time

import pytest

from explorer.widgets import EmbeddingView, Session, TrainingView, training, training_worker
from microgpt.errors import MicrogptError
from microgpt.train import Hyperparams, Run

DOCS = ["emma", "olivia", "ava", "mia"]
TIMEOUT = 120  # seconds; only reached if something is broken


class Gate:
    """Wraps ``Run.steps_on_floats``: records who stepped, and holds the worker after step
    ``hold`` (``reached`` is set) until ``release`` is set. ``fail_at`` makes that step raise,
    ``nan_weight_at`` / ``nan_loss_at`` make it end with a weight / a loss that is nan."""

    def __init__(self, monkeypatch, hold=None, fail_at=None, nan_weight_at=None, nan_loss_at=None):
        self.hold, self.fail_at = hold, fail_at
        self.reached, self.release = threading.Event(), threading.Event()
        self.runs, self.threads = set(), set()
        original = Run.steps_on_floats

        def steps_on_floats(run, docs, keep_grads=False):
            self.runs.add(id(run))
            self.threads.add(threading.current_thread())
            step = run.step + 1
            if step == fail_at:
                raise ValueError(f"boom at step {fail_at}")
            losses = original(run, docs, keep_grads)
            if step == nan_weight_at:
                run.model.params[5].data = math.nan
            if step == nan_loss_at:
                losses = [math.nan]
            if run.step == self.hold:
                self.reached.set()
                assert self.release.wait(TIMEOUT), "the test never released the worker"
            return losses

        monkeypatch.setattr(Run, "steps_on_floats", steps_on_floats)


class FakeClock:
    """The worker's clock and its pause: time moves only when the worker pauses (or when a
    test says a step takes ``step_seconds``). ``starts``: the time each step started."""

    def __init__(self, monkeypatch, step_seconds: float = 0.0) -> None:
        self.now, self.starts, self.pauses = 0.0, [], []
        original = Run.steps_on_floats

        def steps_on_floats(run, docs, keep_grads=False):
            self.starts.append(self.now)
            self.now += step_seconds
            return original(run, docs, keep_grads)

        def pause(stop, seconds):
            self.pauses.append(seconds)
            self.now += seconds
            return stop.is_set()

        monkeypatch.setattr(Run, "steps_on_floats", steps_on_floats)
        monkeypatch.setattr(training_worker, "_now", lambda: self.now)
        monkeypatch.setattr(training_worker, "_pause", pause)


def _watch(view):
    """The threads on which the view's visible state changed."""
    threads = []

    def seen(_change):
        threads.append(threading.current_thread())

    view.observe(seen, names=["step", "running", "redraws"])
    watched = [(view.progress, "value"), (view.progress, "description"), (view._info, "value")]
    watched += [(chart, "value") for chart in view._charts]
    for widget, name in watched:
        widget.observe(seen, names=[name])
    return threads


def _engine_twin(steps: int, num_steps: int | None = None) -> Run:
    """A run of ``num_steps`` (default ``steps``) as the view starts it, trained ``steps``
    steps on the ``Value`` engine."""
    num_steps = num_steps or steps
    run = Run.start(DOCS, Hyperparams(num_steps=num_steps, snapshot_every=max(1, num_steps // 10)))
    for _ in range(steps):
        run.train_step()
    return run


def _weights(run: Run) -> list[float]:
    return [p.data for p in run.model.params]


def test_empty_state_before_any_run():
    view = TrainingView(docs=DOCS)
    assert view.run is None and not view.running
    assert all(chart.value == "" and chart.layout.display == "none" for chart in view._charts)
    assert view.progress.layout.visibility == "hidden" and "0 / 0" not in view.progress.description
    text = view._info.value
    assert "press train to start" in text and "100 steps" in text and "20 steps a second" in text
    view.steps = 7
    assert "7 steps" in view._info.value and "0 / 0" not in view._info.value
    view.steps_per_second = None
    assert "unthrottled" in view._info.value
    assert not view._train.disabled and view._stop_button.disabled


def test_trains_in_the_foreground_and_finishes():
    view = TrainingView(docs=DOCS, steps=3, steps_per_second=None)
    assert view.train(background=False)
    assert view.run.step == 3 and view.step == 3 and view.progress.value == 3
    assert not view.running and view.progress.description == "3 / 3"
    assert [s["step"] for s in view.run.snapshots] == [0, 1, 2, 3]
    assert "finished at step 3" in view._info.value
    assert f"{view.run.loss_history[-1]:.4f}" in view._info.value
    loss, embeddings, norms = (chart.value for chart in view._charts)
    assert all(c.layout.display != "none" for c in view._charts)
    assert loss.startswith("<svg") and "step 3 of 3" in loss
    assert f"loss {view.run.loss_history[-1]:.4f}" in loss and "uniform guess" in loss
    assert "wte), step 3" in embeddings
    for label in (view.run.tokenizer.label(i) for i in range(view.run.tokenizer.vocab_size)):
        assert f">{label}</text>" in embeddings
    for key in view.run.config.matrix_shapes():
        assert f">{key}</text>" in norms


@pytest.mark.parametrize("background", [False, True])
def test_the_widget_trains_as_the_engine_bit_for_bit(background):
    view = TrainingView(docs=DOCS, steps=12, steps_per_second=None)
    assert view.train(background=background) and view.wait(TIMEOUT)
    twin, run = _engine_twin(12), view.run
    assert run.loss_history == twin.loss_history and run.step_docs == twin.step_docs
    assert _weights(run) == _weights(twin)
    assert run.adam_m == twin.adam_m and run.adam_v == twin.adam_v
    assert run.snapshots == twin.snapshots  # weights, moments, losses and gradient norms
    # the gradient norms drawn are the snapshots' at their steps
    norms = view._handoff.read()["norms"]
    for snap in twin.snapshots[1:]:
        assert {k: v[snap["step"] - 1] for k, v in norms.items()} == snap["grad_norms"]


def test_the_pace_bounds_the_rate_and_may_change_while_training(monkeypatch):
    clock = FakeClock(monkeypatch)
    view = TrainingView(docs=DOCS, steps=9, steps_per_second=4)
    original = Run.steps_on_floats
    slowed = []

    def steps_on_floats(run, docs, keep_grads=False):
        if run.step == 4 and not slowed:  # after step 4 of the first run: half the pace
            view.steps_per_second = 2
            slowed.append(run.step)
        return original(run, docs, keep_grads)

    monkeypatch.setattr(Run, "steps_on_floats", steps_on_floats)
    view.train(background=False)
    assert view.run.step == 9
    gaps = [b - a for a, b in zip(clock.starts, clock.starts[1:])]
    assert gaps[:4] == [0.25] * 4 and gaps[4:] == [0.5] * 4  # never sooner than the pace
    clock.pauses.clear()
    view.steps_per_second = None  # unthrottled: no step waits
    view.train(background=False)
    assert view.run.step == 9 and clock.pauses == []


def test_a_slow_step_is_not_followed_by_a_wait(monkeypatch):
    clock = FakeClock(monkeypatch, step_seconds=0.5)  # each step takes longer than the pace
    view = TrainingView(docs=DOCS, steps=4, steps_per_second=5)
    view.train(background=False)
    assert clock.pauses == [] and clock.starts == [0.0, 0.5, 1.0, 1.5]


def test_the_pace_holds_in_real_time():
    view = TrainingView(docs=DOCS, steps=5, steps_per_second=20)
    start = time.monotonic()
    view.train(background=False)
    assert time.monotonic() - start >= 4 / 20  # five starts, four gaps of at least 1/20 s


def test_redraws_coalesce_the_steps_between_them(monkeypatch):
    FakeClock(monkeypatch, step_seconds=0.125)
    view = TrainingView(docs=DOCS, steps=20, steps_per_second=None, redraw_interval=0.5)
    drawn = []
    view.observe(lambda _: drawn.append(view.step), "redraws")
    view.train(background=False)
    # the first step, then the first step at least 0.5 s (4 steps) after it, ..., and the end
    assert drawn == [1, 5, 9, 13, 17, 20] and view.redraws == 6


def test_stop_between_steps_while_the_main_thread_changes_traits(monkeypatch):
    gate = Gate(monkeypatch, hold=7)
    view = TrainingView(docs=DOCS, steps_per_second=None)
    embeddings = EmbeddingView(Session().source)
    threads = _watch(view)
    view.steps = 30  # a snapshot every 3 steps
    assert view.train()
    started = view.run
    changes = 0
    while not gate.reached.wait(0.005):  # the worker trains steps 1..7 meanwhile
        view.steps = 5 + changes % 50
        view.redraw_interval = 0.1 + changes % 3
        view.steps_per_second = [None, 1000][changes % 2]
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
    assert len(started.loss_history) == 7 and _weights(started) == _weights(_engine_twin(7, 30))
    assert "stopped at step 7" in view._info.value and "0, 3, 6" in view._info.value
    assert "step 7 of 30" in view.loss_chart.value
    # the worker only computed; every visible change happened here, on the main thread
    assert gate.threads and threading.main_thread() not in gate.threads
    assert set(threads) == {threading.main_thread()}


def test_a_stop_during_a_slow_pace_ends_the_wait():
    view = TrainingView(docs=DOCS, steps=5, steps_per_second=1 / 600)  # a step every 10 min
    assert view.train()
    deadline = time.monotonic() + TIMEOUT
    while view._handoff.read()["step"] < 1 and time.monotonic() < deadline:
        time.sleep(0.01)
    view.stop()  # the worker waits ten minutes for step 2: the stop ends the wait
    assert view.wait(TIMEOUT) and view.run.step == 1 and "stopped at step 1" in view._info.value


@pytest.mark.parametrize("background", [True, False])
def test_a_failing_step_is_shown_and_ends_the_run(monkeypatch, background):
    Gate(monkeypatch, fail_at=3)
    view = TrainingView(docs=DOCS, steps=10, steps_per_second=None)
    view.train(background=background)
    assert view.wait(TIMEOUT)
    assert not view.running and not view._train.disabled and view._stop_button.disabled
    assert view.run.step == 2 and [s["step"] for s in view.run.snapshots] == [0, 1, 2]
    text = view._info.value
    # a step that raises is undone like a diverged one (Run.checked_step) and says why
    assert "step 3 failed: training diverged at step 3" in text and "boom at step 3" in text
    assert "stopped at step" not in text
    assert "Traceback" not in text and view.progress.bar_style == "danger"


@pytest.mark.parametrize(
    ("gate", "said"),
    [({"nan_weight_at": 3}, "a weight is not finite"), ({"nan_loss_at": 3}, "the loss is nan")],
)
def test_a_diverged_step_is_undone_to_the_last_finite_one(monkeypatch, gate, said):
    Gate(monkeypatch, **gate)
    view = TrainingView(docs=DOCS, steps=10, steps_per_second=None)
    view.train(background=False)
    twin, run = _engine_twin(2, 10), view.run
    assert run.step == 2 and run.loss_history == twin.loss_history
    assert _weights(run) == _weights(twin) and run.adam_m == twin.adam_m
    assert run.adam_v == twin.adam_v and run.step_docs == twin.step_docs
    assert [s["step"] for s in run.snapshots] == [0, 1, 2]
    text = view._info.value
    assert "step 3 failed: training diverged at step 3 / 10" in text and said in text
    assert "kept as it was after step 2" in text and "learning rate" in text
    assert view.progress.bar_style == "danger" and "step 2 of 10" in view.loss_chart.value


def test_a_second_click_while_running_does_not_swap_the_run(monkeypatch):
    gate = Gate(monkeypatch, hold=1)
    view = TrainingView(docs=DOCS, steps_per_second=None)
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


@pytest.mark.parametrize(
    ("kwargs", "said"),
    [
        ({"docs": []}, "TrainingView(docs=...): the dataset holds no documents"),
        ({"docs": "emma"}, "TrainingView(docs=...): docs must be a list of strings"),
        ({"docs": ["emma", 3]}, "TrainingView(docs=...): docs[1] is 3, not a string"),
        ({"steps": 0}, "TrainingView(steps=...) must be between 1 and 100,000, got 0"),
        ({"steps": 2.5}, "TrainingView(steps=...) must be an integer, got 2.5"),
        ({"steps": True}, "TrainingView(steps=...) must be an integer, got True"),
        ({"steps_per_second": 0}, "TrainingView(steps_per_second=...) must be above 0"),
        ({"steps_per_second": "fast"}, "TrainingView(steps_per_second=...) must be a number"),
        ({"steps_per_second": math.inf}, "TrainingView(steps_per_second=...) must be a finite"),
        ({"redraw_interval": 0}, "TrainingView(redraw_interval=...) must be at least 0.05"),
        ({"step_per_second": 5}, "TrainingView() got an unknown argument 'step_per_second'"),
    ],
)
def test_bad_arguments_are_one_clear_error(kwargs, said):
    with pytest.raises(MicrogptError) as caught:
        TrainingView(**kwargs)
    assert str(caught.value).startswith(said) and "\n" not in str(caught.value)


@pytest.mark.parametrize(
    ("name", "value", "said"),
    [
        ("steps", -3, "TrainingView(steps=...) must be between 1 and 100,000, got -3"),
        ("steps_per_second", -1, "TrainingView(steps_per_second=...) must be above 0"),
        ("redraw_interval", "soon", "TrainingView(redraw_interval=...) must be a number"),
        ("docs", [""], "TrainingView(docs=...): docs[0] is empty"),
    ],
)
def test_a_bad_value_set_later_is_refused_and_said_in_the_view(name, value, said):
    view = TrainingView(docs=DOCS, steps=8, steps_per_second=5)
    before = getattr(view, name)
    with pytest.raises(MicrogptError) as caught:
        setattr(view, name, value)
    assert str(caught.value).startswith(said)
    assert getattr(view, name) == before  # the old value is kept
    assert said.replace("'", "&#x27;") in view._info.value and "color:#b00020" in view._info.value
    view.train(background=False)  # and the view still trains with the values it kept
    assert view.run.step == 8 and sorted(view.run.docs) == sorted(DOCS)


def test_the_speed_control_and_the_trait_agree():
    view = TrainingView(docs=DOCS)
    labels = [label for label, _ in view._speed.options]
    assert labels == ["1 step/s", "5 steps/s", "20 steps/s", "100 steps/s", "unthrottled"]
    assert view._speed.value == 20
    view._speed.value = 0.0
    assert view.steps_per_second is None and view._pace.steps_per_second is None
    view._speed.value = 5.0
    assert view.steps_per_second == 5 and view._pace.steps_per_second == 5
    view.steps_per_second = 7  # a pace set in code is offered too
    assert ("7 steps/s", 7.0) in view._speed.options and view._speed.value == 7
    assert view.steps_per_second == 7


def test_on_a_kernel_loop_the_view_changes_on_the_loop(monkeypatch):
    view = TrainingView(docs=DOCS, steps=40, steps_per_second=None, redraw_interval=0.05)
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
    assert view.run.step == 40 and view.progress.value == 40 and "finished" in view._info.value
    assert "step 40 of 40" in view.loss_chart.value and view.redraws >= 1
    assert set(threads) == set(loop_threads)  # every change on the loop's thread, not the worker
    assert view.run.loss_history == _engine_twin(40).loss_history


def test_trains_on_the_event_loop_where_no_thread_starts(monkeypatch):
    """Pyodide (the lessons' browser site) cannot start a thread: the view steps as a task on
    the event loop instead, redrawing as it goes, with the engine's numbers bit for bit; a
    stop between steps ends it."""

    start = threading.Thread.start  # the test's own runner thread still starts

    def no_thread(self):
        raise RuntimeError("can't start new thread")

    monkeypatch.setattr(threading.Thread, "start", no_thread)

    def on_a_fresh_loop(steps: int, stop_after: int | None = None) -> TrainingView:
        # in a thread of its own: the test process may already run a loop in this one
        done: dict = {}

        def target() -> None:
            try:
                done["view"] = asyncio.run(main(steps, stop_after))
            except BaseException as exc:  # shown by the test's thread
                done["error"] = exc

        runner = threading.Thread(target=target, name="test-loop")
        start(runner)
        runner.join(TIMEOUT)
        if "error" in done:
            raise done["error"]
        return done["view"]

    async def main(steps: int, stop_after: int | None = None) -> TrainingView:
        monkeypatch.setattr(training, "_kernel_loop", asyncio.get_running_loop)
        view = TrainingView(docs=DOCS, steps=steps, steps_per_second=None)
        view.redraw_interval = 0.05  # the loop gets a turn (and a redraw) every 50 ms
        assert view.train()
        assert view._thread is None and view._task is not None and view.running
        while view.running:
            if stop_after is not None and view.step >= stop_after:
                view.stop()
            await asyncio.sleep(0)
        return view

    view = on_a_fresh_loop(12)
    twin, run = _engine_twin(12), view.run
    assert run.loss_history == twin.loss_history and _weights(run) == _weights(twin)
    assert run.snapshots == twin.snapshots
    assert view.redraws >= 1 and "finished at step 12" in view._info.value
    assert view.wait(0)

    stopped = on_a_fresh_loop(300, stop_after=3)
    assert 3 <= stopped.run.step < 300 and "stopped at step" in stopped._info.value
    assert stopped.run.loss_history == _engine_twin(stopped.run.step, 300).loss_history


def test_an_error_in_the_steps_on_the_loop_is_said_in_the_view(monkeypatch):
    start = threading.Thread.start

    def no_thread(self):
        raise RuntimeError("can't start new thread")

    monkeypatch.setattr(threading.Thread, "start", no_thread)
    done: dict = {}

    async def main() -> None:
        monkeypatch.setattr(training, "_kernel_loop", asyncio.get_running_loop)
        view = TrainingView(docs=DOCS, steps=50, steps_per_second=None)
        view.redraw_interval = 0.05

        def broken(state) -> None:
            raise ValueError("a redraw failed")

        assert view.train()
        view._draw = broken  # the next redraw, inside the steps' task, fails
        while view.running:
            await asyncio.sleep(0.01)
        done["view"] = view

    runner = threading.Thread(target=lambda: asyncio.run(main()), name="test-loop")
    start(runner)
    runner.join(TIMEOUT)
    view = done["view"]
    assert "training stopped: ValueError: a redraw failed" in view._info.value
    assert view.progress.bar_style == "danger" and view._task is None
