"""The training worker: two trainings at once, the rest wait (cancellable); results cached."""

from __future__ import annotations

import threading
import time

from forecasting.errors import ForecastError
from forecasting.training import ProgressEvent, TrainingCancelled
from ui import training


def _until(condition, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not reached"
        time.sleep(0.02)


def test_two_run_at_once_the_third_waits_and_can_be_cancelled():
    release = threading.Event()

    def blocking(progress, cancel):
        progress(ProgressEvent("final", 1, 2, 1, 4, 0.5, None))
        while not release.is_set():
            if cancel.is_set():
                raise TrainingCancelled()
            time.sleep(0.01)
        return "model"

    jobs = [training.start(("slot-test", i), f"job {i}", blocking) for i in range(4)]
    _until(lambda: sum(j.state == "running" for j in jobs) == 2)
    time.sleep(0.3)  # nobody else gets a slot while two are running
    assert sum(j.state == "running" for j in jobs) == 2
    waiting = [j for j in jobs if j.state == "waiting"]
    assert len(waiting) == 2
    assert "Waiting for a free training slot" in waiting[0].message()
    running = next(j for j in jobs if j.state == "running")
    assert running.fraction() == 0.125  # member 1 of 2, epoch 1 of 4
    assert "network 1 of 2, epoch 1 of 4" in running.message()
    waiting[0].cancel.set()
    _until(lambda: waiting[0].state == "cancelled")
    release.set()
    for job in jobs:
        _until(lambda job=job: not job.active)
    assert [j.state for j in jobs].count("done") == 3
    assert all(j.result == "model" for j in jobs if j.state == "done")


def test_errors_become_messages_and_results_are_cached():
    def failing(progress, cancel):
        raise ForecastError("Every node is too short for a lookback of 12.")

    job = training.start(("cache-test", "bad"), "bad", failing)
    _until(lambda: not job.active)
    assert job.state == "failed"
    assert job.message() == "Every node is too short for a lookback of 12."

    def crashing(progress, cancel):
        raise ZeroDivisionError("boom")

    job = training.start(("cache-test", "crash"), "crash", crashing)
    _until(lambda: not job.active)
    assert job.state == "failed" and "boom" in job.message()

    calls = []

    def counting(progress, cancel):
        calls.append(1)
        return object()

    first = training.start(("cache-test", "ok"), "ok", counting)
    _until(lambda: not first.active)
    again = training.start(("cache-test", "ok"), "ok", counting)
    assert again.state == "done" and again.result is first.result
    assert len(calls) == 1


def test_streamlit_no_longer_clears_keras_after_each_run():
    from streamlit.runtime.scriptrunner import script_runner

    # Importing ui.training (the Forecast page does) replaced the hook that would reset Keras
    # under a running training after every progress poll.
    assert script_runner._clean_problem_modules is training._no_cleanup
    assert script_runner._clean_problem_modules() is None
