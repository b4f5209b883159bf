"""The private Streamlit API the app patches is still where the patch expects it.

``ui/training.py`` replaces ``streamlit.runtime.scriptrunner.script_runner._clean_problem_modules``
(which clears Keras' session after every script run) with a no-op. If an upgrade renames or moves
that hook, the patch silently does nothing and training in the server slows down about tenfold:
these tests fail first, saying what moved.
"""

from __future__ import annotations

import inspect
import sys
import types
from pathlib import Path

import pytest
import streamlit
from streamlit.runtime.scriptrunner import script_runner
from streamlit.runtime.scriptrunner.script_runner import ScriptRunner
from streamlit.testing.v1 import AppTest

from ui import training

HOOK = "_clean_problem_modules"
REPO = Path(__file__).resolve().parents[2]
MOVED = (
    f"Streamlit {streamlit.__version__} moved the hook ui/training.py patches "
    f"(script_runner.{HOOK}, called after every script run to clear the Keras session): find "
    "where it now calls keras.backend.clear_session and patch that in "
    "ui.training._keep_keras_session, then update this test and the Streamlit pin."
)


def _names(code: types.CodeType) -> set[str]:
    """Every global or attribute name used by ``code`` and the functions nested in it."""
    names = set(code.co_names)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            names |= _names(const)
    return names


def test_the_script_runner_still_calls_the_patched_hook_by_name() -> None:
    assert hasattr(script_runner, HOOK), MOVED
    assert HOOK in _names(ScriptRunner._run_script.__code__), MOVED


def test_the_hook_is_still_the_one_that_clears_keras() -> None:
    source = inspect.getsource(script_runner)
    start = source.find(f"def {HOOK}(")
    assert start >= 0, MOVED
    body = source[start : source.find("\ndef ", start + 1)]
    assert "keras" in body and "clear_session" in body, MOVED


def test_a_script_run_no_longer_clears_the_keras_session(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cleared: list[int] = []
    fake = types.ModuleType("keras")
    fake.backend = types.SimpleNamespace(clear_session=lambda: cleared.append(1))  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "keras", fake)
    assert script_runner._clean_problem_modules is training._no_cleanup
    script = f"import sys\nsys.path.insert(0, {str(REPO)!r})\nimport ui.training\n"
    at = AppTest.from_string(script, default_timeout=120).run()
    assert not at.exception
    assert cleared == [], MOVED
    # The check above can fail: Streamlit does call the hook, by that name, after a run.
    calls: list[int] = []
    with monkeypatch.context() as m:
        m.setattr(script_runner, HOOK, lambda: calls.append(1))
        AppTest.from_string("x = 1\n", default_timeout=120).run()
    assert calls == [1], MOVED
