"""The benchmarks' one reference query (``bench.reference_sql``) gives our rows, row by row."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from bench import bench_cli_output, bench_engines, bench_portfolio
from bench.reference_sql import CSV_SOURCE, PARQUET_SOURCE, Reference, reference_sql
from portfolio.alerts import AlertRule, evaluate
from portfolio.load import load_portfolio
from portfolio.rollup import ROLLUP_COLUMNS, rollup_portfolio

duckdb = pytest.importorskip("duckdb")

FIGURES = [c for c in ROLLUP_COLUMNS if c not in ("node", "level", "period")]


@pytest.fixture()
def portfolio_csv(tmp_path: Path) -> Path:
    path = tmp_path / "p.csv"
    bench_portfolio.write_portfolio_csv(path, leaves=40, months=6)
    frame = pd.read_csv(path, dtype=str)
    frame.loc[frame["item"] == "PO-100007", "item"] = "PO / 7"  # a separator inside a value
    frame.to_csv(path, index=False)
    return path


def _same_rows(ours: pd.DataFrame, ref: pd.DataFrame) -> None:
    assert len(ours) == len(ref)
    for col in ("node", "period"):
        assert ours[col].astype(str).tolist() == ref[col].astype(str).tolist()
    assert ours["level"].astype(int).tolist() == ref["level"].astype(int).tolist()
    for col in FIGURES:
        x = ours[col].to_numpy(dtype=float, na_value=np.nan)
        y = ref[col].to_numpy(dtype=float, na_value=np.nan)
        np.testing.assert_allclose(x, y, rtol=1e-9, atol=1e-6, err_msg=col)


def test_escaped_reference_matches_our_rollup_row_by_row(portfolio_csv: Path) -> None:
    sql = reference_sql(Reference(CSV_SOURCE, escape=True))
    assert sql == bench_cli_output.ROLLUP_SQL
    ref = duckdb.connect().execute(sql, {"path": str(portfolio_csv)}).df()
    ours = rollup_portfolio(load_portfolio(portfolio_csv)).loc[:, list(ROLLUP_COLUMNS)]
    assert (ref["node"] == "Portfolio 3 / Program 7 / Project 7 / PO ∕ 7").any()
    _same_rows(ours, ref)


def test_unescaped_reference_differs_only_where_a_value_holds_the_separator(
    portfolio_csv: Path,
) -> None:
    ref = duckdb.connect().execute(
        reference_sql(Reference(CSV_SOURCE)), {"path": str(portfolio_csv)}
    )
    nodes = set(ref.df()["node"])
    assert "Portfolio 3 / Program 7 / Project 7 / PO / 7" in nodes
    assert "Portfolio 3 / Program 7 / Project 7 / PO ∕ 7" not in nodes


def test_alerts_reference_matches_our_parents_names_and_statuses(portfolio_csv: Path) -> None:
    sql = reference_sql(Reference(CSV_SOURCE, escape=True, alerts=True))
    params = {"path": str(portfolio_csv), "floor": 0.0, "amber": 0.10, "red": 0.30}
    ref = duckdb.connect().execute(sql, params).df()
    ours = evaluate(rollup_portfolio(load_portfolio(portfolio_csv)), AlertRule())
    _same_rows(ours, ref)
    for col in ("parent", "name", "status"):
        assert ours[col].astype(str).tolist() == ref[col].astype(str).tolist(), col
    assert reference_sql(Reference(CSV_SOURCE, alerts=True)) == bench_portfolio.DUCKDB_SQL


def test_parquet_reference_reads_the_parts_given(portfolio_csv: Path, tmp_path: Path) -> None:
    frame = pd.read_csv(portfolio_csv, dtype={"planned": float, "actual": float})
    half = len(frame) // 2
    parts = [tmp_path / "a.parquet", tmp_path / "b.parquet"]
    frame.iloc[:half].to_parquet(parts[0])
    frame.iloc[half:].to_parquet(parts[1])
    sql = reference_sql(Reference(PARQUET_SOURCE, escape=True))
    ref = duckdb.connect().execute(sql, {"files": [str(p) for p in parts]}).df()
    ours = rollup_portfolio(load_portfolio(portfolio_csv)).loc[:, list(ROLLUP_COLUMNS)]
    _same_rows(ours, ref)
    assert reference_sql(Reference(PARQUET_SOURCE)) == bench_engines.REFERENCE_SQL
