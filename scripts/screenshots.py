"""Make the README screenshots: one PNG per page of the real app, driven in Debian's Chromium.

Usage: ``.venv/bin/python scripts/screenshots.py [--out docs/screenshots]``

Starts ``streamlit run app.py`` on a free loopback port with a temporary store, opens it at
1400 x 900 in /usr/bin/chromium, and saves a PNG of the overview, hierarchy, alerts and
attribution pages, of the forecast page after a training run on the sample portfolio with the
settings as shipped (a few minutes on 2 cores), then of at completion (with the forecast's EAC) and
export. Nothing is downloaded.
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO / "tests" / "browser"), str(REPO)]

from playwright.sync_api import Page, expect, sync_playwright  # noqa: E402
from st_ui import (  # noqa: E402
    APP_TIMEOUT_MS,
    TRAIN_TIMEOUT_MS,
    by_key,
    go_to,
    open_app,
    wait_idle,
)
from streamlit_server import CHROMIUM, CHROMIUM_ARGS, StreamlitServer  # noqa: E402

log = logging.getLogger("screenshots")

# The shipped defaults train 6 networks, search their settings and backtest every model.
DEFAULT_TRAIN_TIMEOUT_MS = 1_200_000


def _charts_drawn(page: Page) -> None:
    charts = page.get_by_test_id("stPlotlyChart")
    for i in range(charts.count()):
        chart = charts.nth(i)
        if chart.is_visible():
            expect(chart.locator(".main-svg").first).to_be_visible(timeout=APP_TIMEOUT_MS)
    wait_idle(page)


def _shoot(page: Page, out: Path, name: str) -> None:
    _charts_drawn(page)
    path = out / f"{name}.png"
    page.screenshot(path=str(path))
    log.info("saved %s", path)


def make_screenshots(out: Path) -> None:
    """Start the app, visit every page and save one PNG per page in ``out``."""
    if not CHROMIUM.is_file():
        raise SystemExit(f"Debian's Chromium is needed at {CHROMIUM} (apt-get install chromium)")
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="cost-drift-shots-") as tmp:
        server = StreamlitServer(home=Path(tmp) / "home", log_path=Path(tmp) / "server.log")
        server.start()
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(
                    executable_path=str(CHROMIUM), args=list(CHROMIUM_ARGS)
                )
                page = browser.new_page(viewport={"width": 1400, "height": 900})
                page.set_default_timeout(APP_TIMEOUT_MS)
                open_app(page, server.url)
                for title in ("Overview", "Hierarchy", "Alerts"):
                    go_to(page, title)
                    _shoot(page, out, title.lower())
                go_to(page, "Attribution")
                _shoot(page, out, "attribution")

                go_to(page, "Forecast", timeout=TRAIN_TIMEOUT_MS)
                by_key(page, "fc_train").get_by_role("button").click()
                ready = page.get_by_text("Forecast ready")
                expect(ready).to_be_visible(timeout=DEFAULT_TRAIN_TIMEOUT_MS)
                # The fan chart (the shown model's calibrated band, the LSTM beside it) rather
                # than the sliders at the top of the page; the verdict is just above it.
                page.get_by_role("heading", name="Forecast fan chart").evaluate(
                    "e => e.scrollIntoView({block: 'start'})"
                )
                _shoot(page, out, "forecast")

                # After the training, At completion adds the forecast's EAC and its band.
                go_to(page, "At completion")
                _shoot(page, out, "completion")
                go_to(page, "Export")
                _shoot(page, out, "export")
                browser.close()
        finally:
            server.stop()


def main(argv: list[str] | None = None) -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "screenshots")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    make_screenshots(args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
