"""The one-file HTML report: plotly.js once, offline, escaped and neutralised tables."""

from __future__ import annotations

import re

import pandas as pd
import plotly.graph_objects as go
from plotly.offline import get_plotlyjs

from portfolio.report import build_report


def fig(label: str) -> go.Figure:
    return go.Figure(go.Bar(x=[label], y=[1]), layout={"title": {"text": label}})


def test_plotlyjs_embedded_once_and_no_remote_scripts() -> None:
    page = build_report("Drift", ["one"], [("A", fig("a")), ("B", fig("b"))], [])
    marker = get_plotlyjs()[:200]
    assert page.count(marker) == 1
    assert page.count("Plotly.newPlot") == 2
    assert not re.search(r"<script[^>]*\bsrc\s*=", page, re.IGNORECASE)
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")


def test_text_is_escaped() -> None:
    evil = "</script><script>alert(1)</script>"
    page = build_report(f"T {evil}", [f"summary {evil}"], [(evil, fig(evil))], [])
    assert "alert(1)" in page
    assert "<script>alert(1)" not in page
    assert "&lt;/script&gt;" in page


def test_tables_escaped_neutralised_and_formatted() -> None:
    table = pd.DataFrame(
        {
            "node": ["=HYPERLINK(1)", "<b>bold</b>", "plain"],
            "cum_variance": [1234.5, -20.0, float("nan")],
            "cum_variance_pct": [0.125, float("nan"), -0.05],
            "level": [1, 2, 3],
        }
    )
    page = build_report("T", [], [], [("Alerts", table)])
    assert "<td>&#x27;=HYPERLINK(1)</td>" in page
    assert "&lt;b&gt;bold&lt;/b&gt;" in page and "<b>bold</b>" not in page
    assert '<td class="num">1,234.50</td>' in page
    assert '<td class="num">-20.00</td>' in page  # numbers are not given an apostrophe
    assert '<td class="num">+12.5 %</td>' in page and '<td class="num">-5.0 %</td>' in page
    assert "<h2>Alerts</h2>" in page


def test_long_tables_are_cut_with_a_note() -> None:
    table = pd.DataFrame({"n": range(30)})
    page = build_report("T", [], [], [("Many", table)], max_rows=10)
    assert page.count("<tr>") == 11  # header + 10 rows
    assert "First 10 of 30 rows." in page


def test_empty_table_says_so() -> None:
    page = build_report("T", [], [], [("None", pd.DataFrame({"a": []}))])
    assert "No rows." in page
