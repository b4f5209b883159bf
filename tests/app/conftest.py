"""Fixtures for the AppTest tests: a private store folder and helpers to drive the app."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

REPO = Path(__file__).resolve().parents[2]
APP = REPO / "app.py"
TIMEOUT = 120


@pytest.fixture(autouse=True)
def cost_drift_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test saves its sessions in its own folder, never in the user's home."""
    home = tmp_path / "home"
    monkeypatch.setenv("COST_DRIFT_HOME", str(home))
    return home


@pytest.fixture
def make_app() -> Callable[..., AppTest]:
    """A factory of fresh app sessions (optionally with a given ?sid=)."""

    def make(sid: str | None = None) -> AppTest:
        at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
        if sid is not None:
            at.query_params["sid"] = sid
        return at

    return make
