"""Exports: formula neutralising in CSV and Excel, sheet names, chart bytes."""

from __future__ import annotations

import io
import re
import shutil
import threading

import numpy as np
import openpyxl
import pandas as pd
import plotly.graph_objects as go
import pytest

from portfolio.errors import InputError
from portfolio.export import (
    figure_bytes,
    neutralise,
    sheet_names,
    to_csv_bytes,
    to_excel_bytes,
)

RISKY = ['=HYPERLINK("http://x")', "+1+2", "-3+4", "@SUM(A1)", "\tlead", "\rcr", "plain", ""]


@pytest.fixture
def table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "node": RISKY,
            "variance": [-1.5, 2.0, -3.0, 4.0, 5.0, 6.0, 7.0, np.nan],
            "level": [1, 2, 3, 4, 5, 6, 7, 8],
        }
    )


def test_neutralise_prefixes_text_only(table: pd.DataFrame) -> None:
    out = neutralise(table)
    assert out["node"].tolist()[:6] == ["'" + v for v in RISKY[:6]]
    assert out["node"].tolist()[6:] == ["plain", ""]
    pd.testing.assert_series_equal(out["variance"], table["variance"])
    assert out["level"].tolist() == table["level"].tolist()
    assert table["node"].tolist() == RISKY  # input untouched


def test_neutralise_object_and_header_cells() -> None:
    df = pd.DataFrame({"=bad header": pd.Series(["=1", 3, None], dtype=object)})
    out = neutralise(df)
    assert list(out.columns) == ["'=bad header"]
    assert out.iloc[0, 0] == "'=1" and out.iloc[1, 0] == 3


def test_csv_bytes_are_neutralised(table: pd.DataFrame) -> None:
    back = pd.read_csv(io.BytesIO(to_csv_bytes(table)), keep_default_na=False)
    assert back["node"].iloc[0] == '\'=HYPERLINK("http://x")'
    assert back["node"].iloc[2] == "'-3+4"
    assert back["variance"].iloc[0] == "-1.5"  # numbers untouched (read as text here: blank NaN)
    assert b"\n=" not in to_csv_bytes(table) and b",=" not in to_csv_bytes(table)


def test_excel_round_trip_neutralised(table: pd.DataFrame) -> None:
    blob = to_excel_bytes({"Alerts": table, "Roll/up: [x]": table.head(2)})
    book = openpyxl.load_workbook(io.BytesIO(blob))
    assert book.sheetnames == ["Alerts", "Roll_up_ _x_"]
    sheet = book["Alerts"]
    values = [c.value for c in sheet["A"]][1:]
    assert values[0] == '\'=HYPERLINK("http://x")'
    assert values[3] == "'@SUM(A1)"
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)
    assert sheet["B2"].value == -1.5 and sheet["C2"].value == 1


def test_excel_strips_control_characters() -> None:
    df = pd.DataFrame({"node": ["bell\x07here"]})
    book = openpyxl.load_workbook(io.BytesIO(to_excel_bytes({"t": df})))
    assert book["t"]["A2"].value == "bellhere"


def test_excel_needs_a_table() -> None:
    with pytest.raises(InputError, match="no table"):
        to_excel_bytes({})


def test_sheet_names_are_safe_and_unique() -> None:
    names = sheet_names(["a" * 40, "a" * 40, "x?y", "", "A" * 40])
    assert all(len(n) <= 31 for n in names)
    assert len({n.lower() for n in names}) == len(names)
    assert names[2] == "x_y" and names[3] == "Sheet"


def chart() -> go.Figure:
    return go.Figure(go.Bar(x=["a", "b"], y=[1, 2]), layout={"title": {"text": "T"}})


def test_html_embeds_plotlyjs_without_cdn() -> None:
    html = figure_bytes(chart(), "html").decode("utf-8")
    assert "<html" in html.lower()
    assert "Plotly.newPlot" in html
    assert len(html) > 1_000_000  # plotly.js itself is inside
    assert not re.search(r"<script[^>]*\bsrc\s*=\s*[\"']?(https?:)?//", html, re.IGNORECASE)


def test_unknown_format() -> None:
    with pytest.raises(InputError, match="png, svg or html"):
        figure_bytes(chart(), "gif")  # type: ignore[arg-type]


needs_chromium = pytest.mark.skipif(
    shutil.which("chromium") is None, reason="Debian chromium not installed (.ci/run installs it)"
)


@needs_chromium
def test_png_and_svg_bytes() -> None:
    png = figure_bytes(chart(), "png")
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    svg = figure_bytes(chart(), "svg")
    assert b"<svg" in svg[:200]
    again = figure_bytes(chart(), "png")  # the shared server is reused
    assert again.startswith(b"\x89PNG")


@needs_chromium
def test_figure_bytes_from_several_threads() -> None:
    """Streamlit runs each session in its own thread; they share the one kaleido server."""
    results: dict[int, bytes] = {}

    def work(i: int) -> None:
        results[i] = figure_bytes(chart(), "png" if i % 2 else "svg")

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert sorted(results) == [0, 1, 2, 3]
    assert all(results[i].startswith(b"\x89PNG") for i in (1, 3))
    assert all(b"<svg" in results[i][:200] for i in (0, 2))


def test_excel_refuses_a_table_larger_than_a_sheet() -> None:
    big = pd.DataFrame({"n": np.zeros(1_048_576, dtype=np.int8)})
    with pytest.raises(InputError, match="export it as CSV"):
        to_excel_bytes({"Rollup": big})
