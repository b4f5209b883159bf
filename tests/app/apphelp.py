"""Helpers shared by the AppTest tests (pytest puts this folder on sys.path)."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest


def metric(at: AppTest, label: str) -> str:
    """The displayed value of the st.metric with this label."""
    found = [m.value for m in at.metric if m.label == label]
    assert found, f"no metric {label!r}; have {[m.label for m in at.metric]}"
    return found[0]


def no_exception(at: AppTest) -> None:
    """Fail with the app's own traceback when the run raised."""
    assert not at.exception, "\n".join(str(e.value) for e in at.exception)
