"""An analyst's session in a real browser, against the real server (issue 4).

Upload a CSV whose columns need mapping, map them in the sidebar, read the totals and the alert
table, move a threshold slider with the keyboard, train a tiny model, download a PNG chart and an
Excel table. The tests of this module share one browser page and run in order, like the analyst.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from browser_data import ODD_COLUMNS, Expected, expected, make_csv
from playwright.sync_api import Browser, Page, expect
from st_ui import (
    ALERT_TABLE_COLUMN,
    APP_TIMEOUT_MS,
    TINY_FORECAST,
    TRAIN_TIMEOUT_MS,
    assert_metric,
    assert_no_exception,
    by_key,
    go_to,
    grid,
    grid_cells,
    metric,
    multiselect_set,
    open_app,
    selectbox_set,
    set_slider,
    sidebar_errors,
    slider_value,
    upload_file,
)

from portfolio.alerts import AlertRule
from portfolio.mapping import guess_mapping

pytestmark = pytest.mark.browser

FILE_NAME = "team_costs.csv"
DATA = make_csv("Zeta", ODD_COLUMNS)
NEW_AMBER = 20


@dataclass
class Flow:
    """The shared page and what the steps learned."""

    page: Page
    amber: int = 10


@pytest.fixture(scope="module")
def flow(browser: Browser, app_url: str) -> Iterator[Flow]:
    """One browser context and page for the whole module, like one analyst's tab."""
    context = browser.new_context(viewport={"width": 1400, "height": 900}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(APP_TIMEOUT_MS)
    open_app(page, app_url)
    try:
        yield Flow(page)
    finally:
        context.close()


def _check_totals(page: Page, want: Expected) -> None:
    assert_metric(page, "Planned", want.planned)
    assert_metric(page, "Actual", want.actual)
    assert_metric(page, "Variance", want.variance)


def test_upload_and_map_columns(flow: Flow) -> None:
    page = flow.page
    columns = [*ODD_COLUMNS.levels, ODD_COLUMNS.period, ODD_COLUMNS.planned, ODD_COLUMNS.actual]
    odd = (ODD_COLUMNS.levels, ODD_COLUMNS.planned, ODD_COLUMNS.actual)
    by_names = guess_mapping(columns)
    by_data = guess_mapping(columns, pd.read_csv(io.BytesIO(DATA), dtype=str))
    # The premise: the names alone cannot map this file; its data (text columns that nest) can.
    assert (by_names.levels, by_names.planned, by_names.actual) != odd
    assert (by_data.levels, by_data.planned, by_data.actual) == odd

    upload_file(page, FILE_NAME, DATA)
    expect(by_key(page, "map_levels")).to_be_visible()
    expect(page.get_by_test_id("stSidebar")).to_contain_text("rows read / used / rejected")
    assert sidebar_errors(page) == []

    # A wrong choice is refused in words and the app stays up; correcting it loads the file.
    selectbox_set(page, "map_planned", ODD_COLUMNS.levels[0])
    expect(
        page.get_by_test_id("stSidebar").get_by_test_id("stAlertContentError").first
    ).to_be_visible()
    assert any(ODD_COLUMNS.levels[0] in e or "column" in e.lower() for e in sidebar_errors(page))
    assert_no_exception(page)
    selectbox_set(page, "map_planned", ODD_COLUMNS.planned)
    multiselect_set(page, "map_levels", list(ODD_COLUMNS.levels))
    selectbox_set(page, "map_actual", ODD_COLUMNS.actual)
    expect(by_key(page, "map_period").get_by_role("combobox")).to_have_value(ODD_COLUMNS.period)

    want = expected(DATA, ODD_COLUMNS)
    expect(page.get_by_test_id("stSidebar")).to_contain_text("rows read / used / rejected")
    assert sidebar_errors(page) == []
    go_to(page, "Overview")
    _check_totals(page, want)
    rows = len(DATA.decode().splitlines()) - 1
    expect(metric(page, "Rows read")).to_have_text(f"{rows:,}")
    expect(metric(page, "Rows rejected")).to_have_text("0")
    assert_no_exception(page)


def test_alert_table_and_threshold_slider(flow: Flow) -> None:
    page = flow.page
    before = expected(DATA, ODD_COLUMNS, AlertRule(amber_pct=10))
    after = expected(DATA, ODD_COLUMNS, AlertRule(amber_pct=NEW_AMBER))
    assert before.alerts != after.alerts  # the premise: this move changes the count

    go_to(page, "Alerts")
    expect(metric(page, "Alerts")).to_have_text(str(before.alerts))
    expect(grid(page, ALERT_TABLE_COLUMN).locator("tr[role=row]")).to_have_count(before.alerts + 1)
    cells = grid_cells(page, ALERT_TABLE_COLUMN)
    assert {c for c in cells if c.startswith("Zeta") or c == "All"} == set(before.alert_nodes)

    set_slider(page, "amber_pct", NEW_AMBER)
    assert slider_value(page, "amber_pct") == str(NEW_AMBER)
    expect(metric(page, "Alerts")).to_have_text(str(after.alerts))
    # The grid's accessible copy is redrawn a moment after the canvas: wait for the new rows.
    expect(grid(page, ALERT_TABLE_COLUMN).locator("tr[role=row]")).to_have_count(after.alerts + 1)
    cells = grid_cells(page, ALERT_TABLE_COLUMN)
    node_cells = {c for c in cells if c.startswith("Zeta") or c == "All"}
    assert node_cells == set(after.alert_nodes)
    flow.amber = NEW_AMBER
    assert_no_exception(page)


def test_train_tiny_model(flow: Flow) -> None:
    page = flow.page
    go_to(page, "Forecast", timeout=TRAIN_TIMEOUT_MS)
    expect(by_key(page, "fc_train")).to_be_visible()
    for key, value in TINY_FORECAST.items():
        set_slider(page, key, value)
    for key, value in TINY_FORECAST.items():
        expect(by_key(page, key).get_by_role("slider")).to_have_attribute(
            "aria-valuetext", str(value)
        )

    by_key(page, "fc_train").get_by_role("button").click()
    expect(page.get_by_text("Forecast ready")).to_be_visible(timeout=TRAIN_TIMEOUT_MS)
    expect(page.get_by_role("heading", name="Forecast fan chart")).to_be_visible()
    expect(by_key(page, "fc_fan").locator(".main-svg").first).to_be_visible()
    cells = grid_cells(page, "Nodes won")
    for model in ("lstm", "naive"):
        assert any(model == c.lower() for c in cells), f"{model} missing from {cells}"
    assert_no_exception(page)


def test_export_png_and_excel(flow: Flow) -> None:
    page = flow.page
    go_to(page, "Export")

    with page.expect_download(timeout=TRAIN_TIMEOUT_MS) as png_info:
        by_key(page, "ex_planned-vs-actual-over-time_png").get_by_role("button").click()
    png = png_info.value
    assert png.suggested_filename.endswith(".png")
    png_bytes = Path(png.path()).read_bytes()
    assert png_bytes.startswith(b"\x89PNG\r\n\x1a\n")
    assert len(png_bytes) > 5_000  # a rendered chart, not an empty image

    with page.expect_download(timeout=TRAIN_TIMEOUT_MS) as xlsx_info:
        by_key(page, "ex_alerts_xlsx").get_by_role("button").click()
    xlsx = xlsx_info.value
    assert xlsx.suggested_filename.endswith(".xlsx")
    book = openpyxl.load_workbook(io.BytesIO(Path(xlsx.path()).read_bytes()))
    sheet = book.worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    header = [str(c) for c in rows[0]]
    assert header[:3] == ["node", "level_name", "status"]
    assert "cum_variance_pct" in header
    want = expected(DATA, ODD_COLUMNS, AlertRule(amber_pct=flow.amber))
    assert {str(r[0]) for r in rows[1:]} == set(want.alert_nodes)
    assert_no_exception(page)
