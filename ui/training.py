"""Background training for the Forecast page: one worker thread per session, progress and cancel.

- A training job runs in its own thread so that the page (and every other session) stays
  responsive; the page polls the job with an ``st.fragment(run_every=...)``.
- At most :data:`MAX_CONCURRENT` trainings run at once in the whole server process (the two CPU
  cores of a small machine); the others wait, cancellable, with a message saying so. The
  semaphore lives in ``st.cache_resource``, the one process-wide object in the app.
- Finished runs are kept in a small process-wide cache keyed by the data's digest, the series
  chosen and the model settings, so the same request returns at once; a session can only reach an
  entry by holding the same file bytes.

The worker never calls Streamlit: it only updates the job object, which the page reads.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any

import streamlit as st

from forecasting.errors import ForecastError
from forecasting.training import ProgressEvent, TrainingCancelled

log = logging.getLogger(__name__)

MAX_CONCURRENT = 2
MAX_CACHED_RUNS = 8


def _keep_keras_session() -> None:
    """Stop Streamlit from clearing Keras' global session after every script run.

    Streamlit 1.67 calls ``keras.backend.clear_session()`` after each run (a guard for apps that
    build models in the script thread). Here models are built in a worker thread, and the
    progress bar reruns a fragment twice a second: each clear would reset Keras' global state
    under the running training and force a full garbage collection, which slowed training in
    the server about tenfold (measured: the first epoch of the default model took over a minute
    with the page open, ~20 s per network with the page closed). The app keeps no Keras state in
    the script thread and does not use matplotlib (the other module Streamlit tidies), so the
    hook is replaced by a no-op. Only the Forecast page imports this module.
    """
    from streamlit.runtime.scriptrunner import script_runner

    if getattr(script_runner, "_clean_problem_modules", None) is not _no_cleanup:
        script_runner._clean_problem_modules = _no_cleanup


def _no_cleanup() -> None:
    return None


_keep_keras_session()

TrainFn = Callable[[Callable[[ProgressEvent], None], threading.Event], Any]


@st.cache_resource
def warm_up() -> threading.Thread:
    """Import TensorFlow in the background, once per process, when the Forecast page opens.

    Importing TensorFlow takes seconds (much longer on a busy machine); starting it while the
    analyst sets the sliders makes Train answer sooner. Other pages never call this.
    """

    def load() -> None:
        from forecasting.model import quiet_tensorflow

        quiet_tensorflow()
        import keras  # noqa: F401
        import tensorflow  # noqa: F401

        log.info("TensorFlow loaded in the background")

    thread = threading.Thread(target=load, name="tensorflow-warm-up", daemon=True)
    thread.start()
    return thread


@st.cache_resource
def _slots() -> threading.BoundedSemaphore:
    return threading.BoundedSemaphore(MAX_CONCURRENT)


class _RunCache:
    """A small LRU of finished runs (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._runs: OrderedDict[Hashable, Any] = OrderedDict()

    def get(self, key: Hashable) -> Any | None:
        with self._lock:
            run = self._runs.get(key)
            if run is not None:
                self._runs.move_to_end(key)
            return run

    def put(self, key: Hashable, run: Any) -> None:
        with self._lock:
            self._runs[key] = run
            self._runs.move_to_end(key)
            while len(self._runs) > MAX_CACHED_RUNS:
                self._runs.popitem(last=False)


@st.cache_resource
def run_cache() -> _RunCache:
    """The process-wide cache of finished training runs."""
    return _RunCache()


@dataclass(eq=False)
class TrainingJob:
    """One training request of one session, shared between its worker thread and the page."""

    key: Hashable
    label: str
    id: str = field(default_factory=lambda: uuid.uuid4().hex[:8])
    cancel: threading.Event = field(default_factory=threading.Event)
    state: str = "waiting"  # waiting, running, done, failed, cancelled
    event: ProgressEvent | None = None
    result: Any = None
    error: str | None = None
    started: float = field(default_factory=time.monotonic)
    finished: float | None = None
    thread: threading.Thread | None = field(default=None, repr=False)

    @property
    def active(self) -> bool:
        """Whether the job is waiting for a slot or training."""
        return self.state in ("waiting", "running")

    def fraction(self) -> float:
        """Progress through the current stage, 0 to 1."""
        e = self.event
        if e is None or e.members <= 0 or e.epochs <= 0:
            return 0.0
        done = (e.member - 1 + min(e.epoch, e.epochs) / e.epochs) / e.members
        return max(0.0, min(1.0, done))

    def message(self) -> str:
        """A one-line description of where the job is."""
        if self.state == "waiting":
            return (
                f"Waiting for a free training slot (at most {MAX_CONCURRENT} trainings run at "
                "once on this server) ..."
            )
        e = self.event
        if self.active and self.cancel.is_set():
            return "Cancelling: training stops at the end of the current batch ..."
        if self.state == "running" and e is not None:
            stage = {"tuning": "Choosing settings", "backtest": "Backtest"}.get(
                e.stage, "Final fit"
            )
            loss = f", loss {e.loss:.4g}" if e.loss is not None else ""
            return (
                f"{stage}: network {e.member} of {e.members}, epoch {e.epoch} of {e.epochs}{loss}"
            )
        if self.state == "running":
            return "Preparing the data and loading TensorFlow ..."
        if self.state == "done":
            return f"Trained in {self.elapsed():.1f} s."
        if self.state == "cancelled":
            return "Training was cancelled; nothing was saved."
        return self.error or "Training failed."

    def elapsed(self) -> float:
        """Seconds since the job was started (until it finished)."""
        return (self.finished or time.monotonic()) - self.started


def start(key: Hashable, label: str, train: TrainFn) -> TrainingJob:
    """Start ``train(progress, cancel)`` in a worker thread (or reuse a cached run).

    Args:
        key: Identifies the request (data digest, series, settings) for the run cache.
        label: Shown while it runs.
        train: The work; it must call ``progress`` with events and stop when ``cancel`` is set
            (raising ``TrainingCancelled``).
    """
    job = TrainingJob(key=key, label=label)
    cached = run_cache().get(key)
    if cached is not None:
        job.result, job.state, job.finished = cached, "done", time.monotonic()
        return job
    slots = _slots()

    def work() -> None:
        while not slots.acquire(timeout=0.25):
            if job.cancel.is_set():
                job.state, job.finished = "cancelled", time.monotonic()
                return
        try:
            if job.cancel.is_set():
                raise TrainingCancelled()
            job.state = "running"

            def progress(event: ProgressEvent) -> None:
                job.event = event

            result = train(progress, job.cancel)
            run_cache().put(key, result)
            job.result, job.state = result, "done"
        except TrainingCancelled:
            job.state = "cancelled"
        except ForecastError as err:
            job.error, job.state = str(err), "failed"
        except Exception as err:  # a worker must never die silently
            log.exception("training failed")
            job.error, job.state = f"Training failed unexpectedly: {err}", "failed"
        finally:
            job.finished = time.monotonic()
            slots.release()

    job.thread = threading.Thread(target=work, name=f"train-{job.id}", daemon=True)
    job.thread.start()
    return job
