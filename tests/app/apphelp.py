"""Helpers shared by the AppTest tests (pytest puts this folder on sys.path)."""

from __future__ import annotations

import time

from streamlit.testing.v1 import AppTest


def metric(at: AppTest, label: str) -> str:
    """The displayed value of the st.metric with this label."""
    found = [m.value for m in at.metric if m.label == label]
    assert found, f"no metric {label!r}; have {[m.label for m in at.metric]}"
    return found[0]


def no_exception(at: AppTest) -> None:
    """Fail with the app's own traceback when the run raised."""
    assert not at.exception, "\n".join(str(e.value) for e in at.exception)


def wait_for_training(at: AppTest, timeout: float = 150.0, poll: float = 0.5) -> AppTest:
    """Rerun the app until its training job (``fc_job``) is no longer active; fail after
    ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = at.session_state.get("fc_job")
        if job is not None and not job.active:
            return at.run()
        time.sleep(poll)
        at.run()
    raise AssertionError("training did not finish in time")
