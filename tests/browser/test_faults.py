"""Faults in a real browser (issue 5, item 4): an upload over the limit, a cancelled training.

The upload limit is set for one server instance with ``STREAMLIT_SERVER_MAX_UPLOAD_SIZE=1`` (MB),
the same setting as ``server.maxUploadSize`` in ``.streamlit/config.toml``.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from browser_data import expected, make_csv
from playwright.sync_api import FilePayload, Page, expect
from st_ui import (
    APP_TIMEOUT_MS,
    TRAIN_TIMEOUT_MS,
    assert_metric,
    assert_no_exception,
    by_key,
    choose_radio,
    go_to,
    metric,
    open_app,
    set_slider,
    slider_value,
    upload_file,
)
from streamlit_server import StreamlitServer, health_ok

from portfolio.alerts import AlertRule

pytestmark = pytest.mark.browser


def test_upload_over_the_limit_is_refused_with_a_message(
    page: Page, small_upload_server: StreamlitServer
) -> None:
    page.set_default_timeout(APP_TIMEOUT_MS)
    big = make_csv("Bulky", groups=20, leaves_per_group=10, months=96)
    assert len(big) > 1024 * 1024  # the premise: above this server's 1 MB limit

    open_app(page, small_upload_server.url)
    choose_radio(page, "source", "Upload a file")
    uploader = by_key(page, "upload")
    payload: FilePayload = {"name": "bulky.csv", "mimeType": "text/csv", "buffer": big}
    uploader.locator("input[type=file]").set_input_files(files=[payload])
    expect(uploader).to_contain_text(re.compile(r"File must be 1(\.0)?\s?MB or smaller"))
    # Nothing was loaded: the page still asks for a file, and no traceback anywhere.
    expect(
        page.get_by_text("Upload a CSV or Excel file of planned and actual cost")
    ).to_be_visible()
    expect(metric(page, "Planned")).to_have_count(0)
    assert_no_exception(page)
    assert health_ok(small_upload_server.url)

    # The app stays usable: a file within the limit loads and shows its totals.
    small = make_csv("Slim")
    upload_file(page, "slim.csv", small)
    want = expected(small)
    assert_metric(page, "Planned", want.planned)
    assert_no_exception(page)


def _models(server: StreamlitServer, page: Page) -> list[Path]:
    sid = parse_qs(urlparse(page.url).query)["sid"][0]
    folder = server.home / "sessions" / sid / "models"
    return sorted(folder.iterdir()) if folder.is_dir() else []


def test_cancelled_training_leaves_the_app_usable(page: Page, app_server: StreamlitServer) -> None:
    page.set_default_timeout(APP_TIMEOUT_MS)
    data = make_csv("Kappa")
    open_app(page, app_server.url)
    upload_file(page, "kappa.csv", data)
    go_to(page, "Forecast", timeout=TRAIN_TIMEOUT_MS)
    # Switching page right after an upload once made the browser forget the alert sliders
    # (amber and red fell to 0 %); they must still hold their values.
    assert (slider_value(page, "amber_pct"), slider_value(page, "red_pct")) == ("10", "30")
    # Small network but many epochs, so that the run is still going when Cancel is pressed.
    for key, value in (
        ("fc_layers", 1),
        ("fc_units", 4),
        ("fc_members", 2),
        ("fc_lookback", 3),
        ("fc_horizon", 2),
        ("fc_backtest", 1),
        ("fc_epochs", 200),
    ):
        set_slider(page, key, value)

    by_key(page, "fc_train").get_by_role("button").click()
    progress = page.get_by_text(re.compile(r"network \d+ of 2, epoch \d+ of 200"))
    expect(progress).to_be_visible(timeout=TRAIN_TIMEOUT_MS)
    by_key(page, "fc_cancel").get_by_role("button").click()
    expect(page.get_by_text("Training was cancelled; nothing was saved.")).to_be_visible(
        timeout=TRAIN_TIMEOUT_MS
    )
    assert _models(app_server, page) == [], "a cancelled run must not leave a model file"
    assert app_server.alive() and health_ok(app_server.url)
    assert_no_exception(page)

    # The page still renders and works: Train is offered again and a tiny run completes
    # (which also shows the cancelled run gave its training slot back).
    train = by_key(page, "fc_train").get_by_role("button")
    expect(train).to_be_enabled()
    set_slider(page, "fc_epochs", 1)
    set_slider(page, "fc_members", 1)
    train.click()
    expect(page.get_by_text("Forecast ready")).to_be_visible(timeout=TRAIN_TIMEOUT_MS)
    saved = _models(app_server, page)
    assert len(saved) == 1 and saved[0].suffix == ".zip", saved
    assert not [p for p in saved[0].parent.iterdir() if p.name.endswith(".tmp")]

    # Another page still answers with this session's data.
    go_to(page, "Alerts")
    want = expected(data, rule=AlertRule())
    expect(metric(page, "Alerts")).to_have_text(str(want.alerts))
    assert_no_exception(page)
