"""Browser test fixtures: the real Cost Drift server in a subprocess, Debian's Chromium.

Every test module here sets ``pytestmark = pytest.mark.browser``. They are never skipped: without
/usr/bin/chromium they fail with a message saying how to install it (``scripts/test.sh`` installs
it where it can).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
from streamlit_server import CHROMIUM, CHROMIUM_ARGS, StreamlitServer


def require_chromium() -> None:
    """Fail (never skip) when Debian's Chromium is missing."""
    if not CHROMIUM.is_file():
        pytest.fail(
            f"The browser tests need Debian's Chromium at {CHROMIUM}: run scripts/test.sh (it "
            "installs it as root) or 'sudo apt-get install -y chromium'.",
            pytrace=False,
        )


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """pytest-playwright launches /usr/bin/chromium (never a downloaded browser)."""
    require_chromium()
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "args": list(CHROMIUM_ARGS),
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    """Every page is 1400 x 900 and accepts downloads."""
    return {
        **browser_context_args,
        "viewport": {"width": 1400, "height": 900},
        "accept_downloads": True,
    }


@pytest.fixture(autouse=True)
def _expect_timeout() -> None:
    expect.set_options(timeout=30_000)


def _serve(tmp: Path, name: str, extra_env: dict[str, str] | None = None) -> StreamlitServer:
    return StreamlitServer(
        home=tmp / f"{name}-home",
        log_path=tmp / f"{name}.log",
        extra_env=extra_env or {},
    ).start()


@pytest.fixture(scope="session")
def app_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StreamlitServer]:
    """The real app (``streamlit run app.py``) on a free loopback port, with its own store."""
    require_chromium()
    server = _serve(tmp_path_factory.mktemp("server"), "app")
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def app_url(app_server: StreamlitServer) -> str:
    """Base URL of the shared app server, e.g. ``http://127.0.0.1:41234``."""
    return app_server.url


@pytest.fixture(scope="session")
def small_upload_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StreamlitServer]:
    """A second server whose upload limit is 1 MB (``STREAMLIT_SERVER_MAX_UPLOAD_SIZE=1``)."""
    require_chromium()
    server = _serve(
        tmp_path_factory.mktemp("small"),
        "small",
        {"STREAMLIT_SERVER_MAX_UPLOAD_SIZE": "1"},
    )
    try:
        yield server
    finally:
        server.stop()
