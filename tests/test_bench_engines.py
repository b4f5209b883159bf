"""Smoke test of the engines benchmark on a tiny generated lake (speed is never asserted)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench import bench_engines


@pytest.mark.timeout(600)
def test_bench_engines_tiny_size_same_output_rows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("duckdb")
    monkeypatch.setenv("COST_DRIFT_BENCH_CACHE", str(tmp_path))
    monkeypatch.setattr(bench_engines, "SIZES", {"tiny": 30})
    monkeypatch.setattr(bench_engines, "PART_LEAVES", 20)  # two parts
    table = bench_engines.run(["tiny"], ["pandas", "duckdb"])
    assert list(table.columns) == list(bench_engines.TABLE_COLUMNS)
    assert list(table["case"]) == ["raw duckdb", "pandas", "duckdb"]
    assert len(list((tmp_path / "portfolio_tiny").glob("*.parquet"))) == 2
    nodes = 1 + 4 + 20 + 30 + 30  # root, portfolios, programs, projects (30 < 200), leaves
    assert (table["out rows"] == nodes * bench_engines.MONTHS).all(), table
    assert (table["s"] > 0).all() and (table["peak MB"] > 0).all()
    assert table["note"].fillna("").eq("").all()
