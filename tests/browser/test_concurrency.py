"""Four analysts at once on one real server (issue 5, item 3).

Each of four threads drives its own Chromium (its own sync Playwright) against the same server,
uploads its own file (own node names, own totals) and checks what it is shown against the
portfolio core; one of them also trains a tiny model meanwhile. Afterwards the server is still up
and its resident memory, after a short settle, is within 20 % of the level measured after a
warm-up that did the same work once. Everything is bounded: thread joins, waits and polls.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from browser_data import Expected, expected, make_csv
from playwright.sync_api import Page, expect, sync_playwright
from st_ui import (
    ALERT_TABLE_COLUMN,
    APP_TIMEOUT_MS,
    TINY_FORECAST,
    TRAIN_TIMEOUT_MS,
    assert_metric,
    assert_no_exception,
    by_key,
    go_to,
    grid_cells,
    metric,
    open_app,
    set_slider,
    upload_file,
)
from streamlit_server import CHROMIUM, CHROMIUM_ARGS, StreamlitServer, health_ok

pytestmark = pytest.mark.browser

SESSIONS = ("Amber", "Birch", "Cedar", "Delta")  # node-name prefixes, one per browser
TRAINER = "Cedar"
RUN_TIMEOUT_S = 420.0
SETTLE_TIMEOUT_S = 60.0
MEMORY_TOLERANCE = 0.20


@dataclass
class Outcome:
    """What one browser session saw (or the error that stopped it)."""

    prefix: str
    text: str = ""
    error: BaseException | None = None
    seconds: float = 0.0
    checks: list[str] = field(default_factory=list)


@pytest.fixture(scope="module")
def busy_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StreamlitServer]:
    """A server of its own, so that other tests do not move its memory."""
    if not CHROMIUM.is_file():
        pytest.fail(f"Debian's Chromium is needed at {CHROMIUM}", pytrace=False)
    tmp = tmp_path_factory.mktemp("concurrency")
    server = StreamlitServer(home=tmp / "home", log_path=tmp / "server.log").start()
    try:
        yield server
    finally:
        server.stop()


def _train_tiny(page: Page) -> None:
    go_to(page, "Forecast", timeout=TRAIN_TIMEOUT_MS)
    for key, value in TINY_FORECAST.items():
        set_slider(page, key, value)
    by_key(page, "fc_train").get_by_role("button").click()
    expect(page.get_by_text("Forecast ready")).to_be_visible(timeout=TRAIN_TIMEOUT_MS)


def _session(
    url: str,
    prefix: str,
    data: bytes,
    want: Expected,
    train: bool,
    barrier: threading.Barrier,
    out: Outcome,
) -> None:
    """One analyst: upload, read the totals and the alerts, maybe train; record the page text."""
    started = time.monotonic()
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=list(CHROMIUM_ARGS))
            try:
                page = browser.new_page(viewport={"width": 1400, "height": 900})
                page.set_default_timeout(APP_TIMEOUT_MS * 2)
                open_app(page, url)
                barrier.wait(timeout=180)  # everyone uploads at the same moment
                upload_file(page, f"{prefix.lower()}.csv", data)
                go_to(page, "Overview", timeout=APP_TIMEOUT_MS * 2)
                assert_metric(page, "Planned", want.planned)
                assert_metric(page, "Actual", want.actual)
                out.checks.append("totals")
                texts = [page.locator("body").text_content() or ""]
                if train:
                    _train_tiny(page)
                    out.checks.append("trained")
                    texts.append(page.locator("body").text_content() or "")
                go_to(page, "Alerts", timeout=APP_TIMEOUT_MS * 2)
                expect(metric(page, "Alerts")).to_have_text(str(want.alerts))
                out.checks.append("alerts")
                texts.append(" ".join(grid_cells(page, ALERT_TABLE_COLUMN)))
                texts.append(page.locator("body").text_content() or "")
                assert_no_exception(page)
                out.text = "\n".join(texts)
            finally:
                browser.close()
    except BaseException as err:  # reported by the main thread
        out.error = err
        barrier.abort()
    finally:
        out.seconds = time.monotonic() - started


def _run_sessions(url: str, files: dict[str, bytes], trainer: str | None) -> list[Outcome]:
    barrier = threading.Barrier(len(files))
    outcomes = {prefix: Outcome(prefix) for prefix in files}
    threads = [
        threading.Thread(
            target=_session,
            args=(url, prefix, data, expected(data), prefix == trainer, barrier, outcomes[prefix]),
            name=f"browser-{prefix}",
            daemon=True,
        )
        for prefix, data in files.items()
    ]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + RUN_TIMEOUT_S
    for thread in threads:
        thread.join(timeout=max(1.0, deadline - time.monotonic()))
    stuck = [t.name for t in threads if t.is_alive()]
    assert not stuck, f"browser sessions still running after {RUN_TIMEOUT_S:.0f} s: {stuck}"
    return list(outcomes.values())


def _settled_rss(server: StreamlitServer, limit: float) -> int:
    """Poll the server's RSS until it is at or below ``limit`` (bounded); return the last value."""
    deadline = time.monotonic() + SETTLE_TIMEOUT_S
    rss = server.rss_bytes()
    while rss > limit and time.monotonic() < deadline:
        time.sleep(2.0)  # memory has no event to wait for: poll it
        rss = server.rss_bytes()
    return rss


def test_four_sessions_at_once_keep_their_own_data(busy_server: StreamlitServer) -> None:
    url = busy_server.url
    # Warm-up: one session does the same work once (TensorFlow loaded, caches filled).
    warm = make_csv("Warmup", scale=700.0)
    [warm_outcome] = _run_sessions(url, {"Warmup": warm}, trainer="Warmup")
    assert warm_outcome.error is None, f"warm-up failed: {warm_outcome.error!r}"
    time.sleep(5.0)  # let the closed session's objects go before the baseline
    baseline = busy_server.rss_bytes()
    assert baseline > 0

    files = {
        prefix: make_csv(prefix, scale=1000.0 * (i + 1), groups=2 + i % 2)
        for i, prefix in enumerate(SESSIONS)
    }
    totals = {prefix: expected(data).planned for prefix, data in files.items()}
    assert len(set(totals.values())) == len(totals)  # the premise: every file has its own totals

    outcomes = _run_sessions(url, files, trainer=TRAINER)
    errors = {o.prefix: repr(o.error)[:1500] for o in outcomes if o.error is not None}
    assert not errors, f"sessions failed: {errors}"

    for outcome in outcomes:
        assert {"totals", "alerts"} <= set(outcome.checks)
        own = expected(files[outcome.prefix]).node_names
        assert any(name in outcome.text for name in own), outcome.prefix
        for other in SESSIONS:
            if other != outcome.prefix:
                assert f"{other} portfolio" not in outcome.text, (
                    f"session {outcome.prefix} shows {other}'s data"
                )
        assert "Warmup portfolio" not in outcome.text
    trainer = next(o for o in outcomes if o.prefix == TRAINER)
    assert "trained" in trainer.checks

    assert busy_server.alive(), busy_server.log_tail()
    assert health_ok(url)
    limit = baseline * (1 + MEMORY_TOLERANCE)
    after = _settled_rss(busy_server, limit)
    Path(busy_server.log_path.parent / "memory.txt").write_text(
        f"baseline {baseline / 2**20:.0f} MiB, after {after / 2**20:.0f} MiB, "
        + ", ".join(f"{o.prefix} {o.seconds:.0f} s" for o in outcomes)
        + "\n"
    )
    print(  # shown with -s; the figures for the report
        f"server RSS after warm-up {baseline / 2**20:.0f} MiB, after the run "
        f"{after / 2**20:.0f} MiB ({(after / baseline - 1) * 100:+.1f} %); "
        + ", ".join(f"{o.prefix} {o.seconds:.0f} s" for o in outcomes)
    )
    assert after <= limit, (
        f"server RSS {after / 2**20:.0f} MiB stayed above {limit / 2**20:.0f} MiB "
        f"(baseline {baseline / 2**20:.0f} MiB + 20 %)"
    )
