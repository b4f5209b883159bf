"""Smoke test of the portfolio benchmark at its smallest size (speed is never asserted)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from bench import bench_portfolio


@pytest.mark.timeout(300)
def test_bench_portfolio_smallest_size_both_engines_agree() -> None:
    table = bench_portfolio.run(["10k"])
    assert isinstance(table, pd.DataFrame)
    assert list(table.columns[: len(bench_portfolio.TABLE_COLUMNS)]) == list(
        bench_portfolio.TABLE_COLUMNS
    )
    assert set(bench_portfolio.DETAIL_COLUMNS) <= set(table.columns)
    row = table.iloc[0]
    assert row["size"] == "10k"
    assert row["rows"] == 10_000
    for column in ("ours s", "duckdb s", "ours peak MB", "duckdb peak MB"):
        assert row[column] > 0
    # the comparison is only fair when both sides computed the same thing
    assert np.isclose(row["ours root cum planned"], row["duckdb root cum planned"], rtol=1e-9)
    assert np.isclose(row["ours root cum actual"], row["duckdb root cum actual"], rtol=1e-9)
    assert row["ours status counts"] == row["duckdb status counts"]
    # one status per node at the last period: root + 4 portfolios + 20 programs + 100 + 100
    assert sum(row["ours status counts"].values()) == 1 + 4 + 20 + 100 + 100
    assert bool(row["agree"])


def test_generated_portfolio_has_the_promised_shape(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    n = bench_portfolio.write_portfolio_csv(path, leaves=50, months=7)
    frame = pd.read_csv(path, dtype=str)
    assert n == len(frame) == 350
    assert list(frame.columns) == [*bench_portfolio.LEVELS, "period", "planned", "actual"]
    assert frame["item"].nunique() == 50
    assert sorted(frame["period"].unique()) == [f"2017-0{m}" for m in range(1, 8)]
    assert frame.groupby("item")["project"].nunique().max() == 1


def test_readme_block_is_replaced_between_markers() -> None:
    from bench.run_all import BEGIN, END, replace_block

    text = f"intro\n{BEGIN}\nold table\n{END}\noutro\n"
    out = replace_block(text, "| a |\n| - |\n")
    assert out == f"intro\n{BEGIN}\n| a |\n| - |\n{END}\noutro\n"
    with pytest.raises(ValueError):
        replace_block("no markers here", "x")


def test_bench_excel_smallest_size_reads_the_same_cells_as_pandas() -> None:
    from bench import bench_excel

    table = bench_excel.run(["10k"])
    assert list(table.columns) == list(bench_excel.TABLE_COLUMNS)
    row = table.iloc[0]
    assert row["rows"] == 10_000 and row["MB"] > 0
    assert row["ours s"] > 0 and row["pandas+openpyxl s"] > 0
    assert bool(row["agree"])
