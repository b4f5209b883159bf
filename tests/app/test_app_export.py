"""The Export page offers every chart and table; the bytes behind its buttons are what they say."""

from __future__ import annotations

import io
from collections.abc import Callable

import openpyxl
from apphelp import no_exception
from streamlit.testing.v1 import AppTest

from portfolio.load import load_portfolio
from ui import exports
from ui.sources import SAMPLE


def test_export_page_lists_every_chart_and_table(make_app: Callable[..., AppTest]):
    at = make_app().run()
    at.switch_page("app_pages/export.py").run()
    no_exception(at)
    assert [h.value for h in at.header] == ["Export"]
    view = at.session_state["_view"]
    charts = exports.portfolio_charts(view)
    frames = exports.portfolio_tables(view)
    levels = load_portfolio(SAMPLE).levels
    # 4 charts + a heat map per level + the attribution waterfall and the EAC chart
    assert len(charts) == 4 + len(levels) + 2
    assert "Estimate at completion against BAC" in charts
    assert any(name.startswith("Attribution of ") for name in charts)
    assert list(frames["At completion"].columns)[:3] == ["node", "level", "bac"]
    assert set(frames["EAC method backtest"]["method"]) == {"plan", "rate"}
    keys = {b.proto.id for b in at.get("download_button")}
    labels = [b.proto.label for b in at.get("download_button")]
    for name in charts:
        for fmt in ("png", "svg", "html"):
            assert any(f"ex_{exports.slug(name)}_{fmt}" in k for k in keys), (name, fmt)
    for name in frames:
        for fmt in ("csv", "xlsx"):
            assert any(f"ex_{exports.slug(name)}_{fmt}" in k for k in keys), (name, fmt)
    assert "One-file HTML report" in labels
    assert "All tables in one Excel workbook" in labels


def test_export_bytes_are_real_files(make_app: Callable[..., AppTest]):
    at = make_app().run()
    view = at.session_state["_view"]
    charts = exports.portfolio_charts(view)
    frames = exports.portfolio_tables(view)
    html = exports.figure_data(charts["Top drifters"], "html")()
    assert html[:15].lower() == b"<!doctype html>"
    assert b"plotly" in html
    csv = exports.csv_data(frames["Alerts"])()
    assert csv.splitlines()[0].decode("utf-8-sig").startswith("node,")
    assert len(csv.splitlines()) == len(frames["Alerts"]) + 1
    small = {name: frames[name] for name in ("Latest status", "Alerts")}
    book = openpyxl.load_workbook(io.BytesIO(exports.excel_data(small)()))
    assert book.sheetnames == list(small)
    assert book["Latest status"].max_row == len(frames["Latest status"]) + 1
    report = exports.report_data(view, charts, frames)().decode("utf-8")
    assert "sample_portfolio.csv" in report
    assert "Rows read / used / rejected" in report
    skipped = sum(name in frames for name in exports.REPORT_SKIP)
    assert report.count("<h2>") == len(charts) + len(frames) - skipped
