"""A large upload is rolled up on the duckdb engine, and the pages show the same figures."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from apphelp import no_exception
from streamlit.testing.v1 import AppTest

from portfolio.engines import APP_ROLLUP, AppRollup
from portfolio.load import load_portfolio
from ui import data
from ui.sources import SAMPLE

pytest.importorskip("duckdb")

PAGES = ("app_pages/overview.py", "app_pages/alerts.py", "app_pages/hierarchy.py")


def _pages(at: AppTest) -> dict[str, Any]:
    """Every metric and table cell the three pages show, page by page."""
    shown: dict[str, Any] = {}
    for page in PAGES:
        at.switch_page(page).run()
        no_exception(at)
        assert not at.error, [e.value for e in at.error]
        shown[page] = {
            "metrics": [(m.label, m.value) for m in at.metric],
            "tables": [df.value.to_dict("list") for df in at.dataframe],
        }
    return shown


def _same_cell(a: Any, b: Any) -> bool:
    if isinstance(a, str) or isinstance(b, str):
        return bool(a == b)
    x = np.asarray(a, dtype=float)
    y = np.asarray(b, dtype=float)
    return x.shape == y.shape and bool(np.array_equal(x, y, equal_nan=True))


def _same_pages(got: dict[str, Any], want: dict[str, Any]) -> None:
    """The same metrics (as shown) and the same table cells, figures to the bit (every engine
    adds whole minor units: ``portfolio.engines.sqlsums``)."""
    assert got.keys() == want.keys()
    for page in want:
        assert got[page]["metrics"] == want[page]["metrics"], page
        assert len(got[page]["tables"]) == len(want[page]["tables"]), page
        for g, w in zip(got[page]["tables"], want[page]["tables"], strict=True):
            assert g.keys() == w.keys(), page
            for col in w:
                assert len(g[col]) == len(w[col]), (page, col)
                bad = [(a, b) for a, b in zip(g[col], w[col], strict=True) if not _same_cell(a, b)]
                assert not bad, (page, col, bad[:3])


def _caption(at: AppTest) -> str:
    texts = [c.value for c in at.sidebar.caption if "rows read / used / rejected" in c.value]
    assert texts, [c.value for c in at.sidebar.caption]
    return texts[0]


def _run(make_app: Callable[..., AppTest]) -> tuple[AppTest, dict[str, Any]]:
    data.rolled.clear()  # the cache is keyed by the file: make each engine roll it up itself
    data.statuses.clear()
    at = make_app().run()
    no_exception(at)
    return at, _pages(at)


def test_large_upload_runs_on_duckdb_and_pages_show_the_pandas_figures(
    make_app: Callable[..., AppTest], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(data.DUCKDB_ROWS_ENV, raising=False)
    before = data.CALLS["rollup_duckdb"]
    at, pandas_pages = _run(make_app)
    assert "rolled up on the pandas engine" in _caption(at)
    assert data.CALLS["rollup_duckdb"] == before

    rows = len(load_portfolio(SAMPLE).data)
    monkeypatch.setenv(data.DUCKDB_ROWS_ENV, str(rows))  # the sample counts as a large upload
    at, duck_pages = _run(make_app)
    assert "rolled up on the DuckDB engine" in _caption(at)
    assert data.CALLS["rollup_duckdb"] == before + 1
    assert any(page["metrics"] for page in duck_pages.values())
    assert any(page["tables"] for page in duck_pages.values())
    _same_pages(duck_pages, pandas_pages)
    data.rolled.clear()
    data.statuses.clear()


def test_threshold_setting_and_its_default(monkeypatch: pytest.MonkeyPatch) -> None:
    p = load_portfolio(SAMPLE)
    assert APP_ROLLUP.engine(p) == "pandas"
    assert AppRollup(duckdb_rows=len(p.data)).engine(p) == "duckdb"
    assert AppRollup(duckdb_rows=len(p.data) + 1).engine(p) == "pandas"
    monkeypatch.setenv(data.DUCKDB_ROWS_ENV, "10")
    assert data.app_rollup() == AppRollup(duckdb_rows=10)
    monkeypatch.setenv(data.DUCKDB_ROWS_ENV, "many")
    assert data.app_rollup() == APP_ROLLUP  # a bad setting is logged, not fatal
