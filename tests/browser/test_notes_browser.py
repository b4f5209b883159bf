"""Variance notes in the real app: two browsers writing at once lose nothing; a restart keeps them.

Two threads each drive their own Chromium (their own sync Playwright) against one server, open
the same portfolio, and add notes to the same node and period at the same moment. Every note
must be in the database and on both pages afterwards. Then the server is stopped and started
again on the same data folder, and next month's export of the portfolio (same file name, three
more months) is uploaded: the notes are still shown.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from browser_data import make_csv
from playwright.sync_api import Page, expect, sync_playwright
from st_ui import (
    APP_TIMEOUT_MS,
    assert_no_exception,
    by_key,
    go_to,
    grid_cells,
    open_app,
    upload_file,
    wait_idle,
)
from streamlit_server import CHROMIUM, CHROMIUM_ARGS, StreamlitServer

from portfolio.notes import NotesStore

pytestmark = pytest.mark.browser

FILE = "notes-portfolio.csv"
WRITERS = ("Ash", "Elm")
NOTES_EACH = 3
RUN_TIMEOUT_S = 300.0
# Two browsers and the server share 2 cores here: a page can take over a minute under load.
TWO_BROWSERS_TIMEOUT_MS = APP_TIMEOUT_MS * 4


@dataclass
class Writer:
    """What one browser did (or the error that stopped it)."""

    name: str
    added: list[str] = field(default_factory=list)
    shown: list[str] = field(default_factory=list)
    error: BaseException | None = None


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The data folder both servers of this module use (sessions and notes.sqlite)."""
    if not CHROMIUM.is_file():
        pytest.fail(f"Debian's Chromium is needed at {CHROMIUM}", pytrace=False)
    return tmp_path_factory.mktemp("notes-home")


@pytest.fixture(scope="module")
def server(home: Path) -> Iterator[StreamlitServer]:
    started = StreamlitServer(home=home, log_path=home.parent / "notes-server.log").start()
    try:
        yield started
    finally:
        started.stop()


def _add_note(page: Page, cause: str, owner: str) -> None:
    """Fill the Alerts page's note form and submit it; wait until the form is emptied."""
    cause_box = by_key(page, "al_note_cause").locator("textarea")
    cause_box.fill(cause)
    by_key(page, "al_note_owner").locator("input").fill(owner)
    by_key(page, "al_note_save").get_by_role("button").click()
    expect(page.get_by_text(re.compile(r"Note #\d+ added for "))).to_be_visible()
    expect(cause_box).to_have_value("")
    wait_idle(page)
    assert_no_exception(page)


def _notes_shown(page: Page) -> list[str]:
    """The causes in the notes table (its column 'Cause')."""
    cells = grid_cells(page, "Cause")
    return [c for c in cells if re.fullmatch(r"(Ash|Elm) note \d", c)]


def _write(url: str, writer: Writer, data: bytes, barrier: threading.Barrier) -> None:
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=list(CHROMIUM_ARGS))
            try:
                page = browser.new_page(viewport={"width": 1400, "height": 900})
                page.set_default_timeout(TWO_BROWSERS_TIMEOUT_MS)
                open_app(page, url)
                upload_file(page, FILE, data)
                go_to(page, "Alerts", timeout=TWO_BROWSERS_TIMEOUT_MS)
                barrier.wait(timeout=180)  # both write at the same moment
                for i in range(NOTES_EACH):
                    cause = f"{writer.name} note {i + 1}"
                    _add_note(page, cause, owner=writer.name)
                    writer.added.append(cause)
                barrier.wait(timeout=180)  # both are done: every note is in
                page.reload()
                wait_idle(page, timeout=TWO_BROWSERS_TIMEOUT_MS)
                go_to(page, "Alerts", timeout=TWO_BROWSERS_TIMEOUT_MS)
                expect(
                    page.get_by_text(f"{len(WRITERS) * NOTES_EACH} note(s) under")
                ).to_be_visible()
                writer.shown = _notes_shown(page)
            finally:
                browser.close()
    except BaseException as err:  # reported by the main thread
        writer.error = err
        barrier.abort()


def _brief(text: str, head: int = 400, tail: int = 2000) -> str:
    return text if len(text) <= head + tail else f"{text[:head]} ... {text[-tail:]}"


def test_two_browsers_writing_notes_at_once_lose_nothing(server: StreamlitServer, home: Path):
    data = make_csv("Notes", months=24)
    barrier = threading.Barrier(len(WRITERS))
    writers = [Writer(name) for name in WRITERS]
    threads = [
        threading.Thread(target=_write, args=(server.url, w, data, barrier), daemon=True)
        for w in writers
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=RUN_TIMEOUT_S)
    assert not [t.name for t in threads if t.is_alive()], "browser sessions still running"
    # The head says what failed, the tail holds the page's main area of the aria snapshot.
    errors = {w.name: _brief(repr(w.error)) for w in writers if w.error is not None}
    assert not errors, f"sessions failed: {errors}\n{server.log_tail()}"

    everything = sorted(cause for w in writers for cause in w.added)
    assert len(everything) == len(WRITERS) * NOTES_EACH
    stored = NotesStore(home / "notes.sqlite").notes(FILE)
    assert sorted(stored["cause"]) == everything
    assert sorted(stored["owner"]) == sorted(w.name for w in writers for _ in range(NOTES_EACH))
    for w in writers:  # each browser, after a reload, shows the other's notes too
        assert sorted(w.shown) == everything, w.name


def _reopen(url: str, before: list[str], outcome: dict[str, BaseException]) -> None:
    """Upload next month's file in a fresh browser and check the notes (run in a thread)."""
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=list(CHROMIUM_ARGS))
            try:
                page = browser.new_page(viewport={"width": 1400, "height": 900})
                page.set_default_timeout(TWO_BROWSERS_TIMEOUT_MS)
                open_app(page, url)
                upload_file(page, FILE, make_csv("Notes", months=27))  # three more months
                go_to(page, "Alerts", timeout=TWO_BROWSERS_TIMEOUT_MS)
                period = by_key(page, "al_note_period").get_by_role("combobox")
                expect(period).to_have_value("2025-03")  # the new last period is offered
                assert sorted(_notes_shown(page)) == before
                assert_no_exception(page)
            finally:
                browser.close()
    except BaseException as err:  # reported by the main thread
        outcome["error"] = err


def test_notes_survive_a_restart_and_next_months_file(server: StreamlitServer, home: Path):
    before = NotesStore(home / "notes.sqlite").notes(FILE)
    assert len(before) == len(WRITERS) * NOTES_EACH  # written by the test above
    server.stop()
    restarted = StreamlitServer(home=home, log_path=home.parent / "notes-restarted.log").start()
    outcome: dict[str, BaseException] = {}
    try:
        # Playwright runs in a thread of its own: once another browser test has started
        # Playwright's loop in the main thread, a second sync_playwright() there is refused.
        worker = threading.Thread(
            target=_reopen, args=(restarted.url, sorted(before["cause"]), outcome), daemon=True
        )
        worker.start()
        worker.join(timeout=RUN_TIMEOUT_S)
        assert not worker.is_alive(), "the browser session is still running"
        assert "error" not in outcome, f"{outcome.get('error')!r}\n{restarted.log_tail()}"
    finally:
        restarted.stop()
