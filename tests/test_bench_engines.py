"""Smoke test of the engines benchmark on a tiny generated lake (speed is never asserted)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench import bench_engines, lake


@pytest.mark.timeout(600)
def test_bench_engines_tiny_size_same_output_rows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("duckdb")
    monkeypatch.setenv("COST_DRIFT_BENCH_CACHE", str(tmp_path))
    monkeypatch.setattr(lake, "SIZES", {"tiny": 30})
    monkeypatch.setattr(lake, "PART_LEAVES", 20)  # two parts
    table = bench_engines.run(["tiny"], ["pandas", "duckdb"])
    assert list(table.columns) == list(bench_engines.TABLE_COLUMNS)
    assert list(table["case"]) == ["raw duckdb", "pandas", "duckdb"]
    folder = tmp_path / f"portfolio_tiny_{lake.DATA_VERSION}"
    assert len(list(folder.glob("*.parquet"))) == 2
    nodes = 1 + 4 + 20 + 30 + 30  # root, portfolios, programs, projects (30 < 200), leaves
    assert (table["out rows"] == nodes * lake.MONTHS).all(), table
    assert (table["s"] > 0).all() and (table["peak MB"] > 0).all()
    assert table["note"].fillna("").eq("").all()
    # both engines' outputs were compared with the reference's, row by row
    assert table.loc[table["case"] != "raw duckdb", "rows differing"].tolist() == [0, 0]
    assert (table["cpu s"] > 0).all()


def test_rows_differing_counts_a_changed_figure_and_a_moved_row(tmp_path: Path) -> None:
    pytest.importorskip("duckdb")
    import pandas as pd

    frame = pd.DataFrame(
        {
            "node": ["All", "All", "All / A"],
            "level": [0, 0, 1],
            "period": ["2024-01", "2024-02", "2024-01"],
            **{c: [1.0, 2.0, None] for c in bench_engines.ROLLUP_FIGURES},
        }
    )
    ref, same, off, moved = (tmp_path / f"{n}.parquet" for n in ("ref", "same", "off", "moved"))
    frame.to_parquet(ref)
    frame.to_parquet(same)
    frame.assign(cum_actual=[1.0, 2.0 + 1e-3, None]).to_parquet(off)
    frame.iloc[[1, 0, 2]].to_parquet(moved)
    assert bench_engines.rows_differing(same, ref) == 0
    assert bench_engines.rows_differing(off, ref) == 1
    assert bench_engines.rows_differing(moved, ref) == 2


@pytest.mark.timeout(600)
def test_bench_app_engines_tiny_size_same_rows(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("duckdb")
    from bench import bench_app_engines

    monkeypatch.setattr(bench_app_engines, "SIZES", {"tiny": 30})
    table = bench_app_engines.run(["tiny"])
    assert list(table.columns) == list(bench_app_engines.TABLE_COLUMNS)
    row = table.iloc[0]
    assert row["rows"] == 30 * bench_app_engines.MONTHS
    assert bool(row["same"])  # the two rollups and their statuses agree row by row
    assert row["pandas s"] > 0 and row["duckdb s"] > 0 and row["duckdb peak MB"] > 0


@pytest.mark.timeout(600)
def test_a_comparison_that_fails_keeps_the_timings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """At 100 M rows the row-by-row join once filled the disk: the run's figures must survive."""
    pytest.importorskip("duckdb")
    monkeypatch.setenv("COST_DRIFT_BENCH_CACHE", str(tmp_path))
    monkeypatch.setattr(lake, "SIZES", {"tiny": 30})
    monkeypatch.setattr(lake, "PART_LEAVES", 20)

    def full_disk(ours: Path, reference: Path) -> int:
        raise OSError("No space left on device")

    monkeypatch.setattr(bench_engines, "rows_differing", full_disk)
    table = bench_engines.run(["tiny"], ["duckdb"])
    engine = table[table["case"] == "duckdb"].iloc[0]
    assert engine["s"] > 0 and engine["cpu s"] > 0 and engine["vs raw DuckDB"] > 0
    assert engine["note"].startswith("not compared: OSError: No space left on device")


def test_streamed_comparison_across_parts_and_batches(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Parts and batches cut at other rows on each side still line up; a missing row, one figure
    off and two rows swapped are each found; NULL only matches NULL."""
    import pandas as pd

    from bench import compare_outputs

    monkeypatch.setattr(compare_outputs, "BATCH_ROWS", 3)
    n = 10
    frame = pd.DataFrame(
        {
            "node": [f"All / N{i}" for i in range(n)],
            "level": [1] * n,
            "period": ["2024-01"] * n,
            **{c: [float(i) * 1e6 + 0.25 for i in range(n)] for c in bench_engines.ROLLUP_FIGURES},
        }
    )
    frame.loc[2, "variance_pct"] = None
    ref = tmp_path / "ref.parquet"
    frame.to_parquet(ref)
    parted = tmp_path / "parted"
    parted.mkdir()
    frame.iloc[:4].to_parquet(parted / "part-0.parquet")
    frame.iloc[4:].to_parquet(parted / "part-1.parquet")
    assert bench_engines.rows_differing(parted, ref) == 0
    close = frame.copy()
    close.loc[5, "cum_actual"] *= 1 + 1e-12  # within 1e-9 relative
    close.to_parquet(tmp_path / "close.parquet")
    assert bench_engines.rows_differing(tmp_path / "close.parquet", ref) == 0
    off = frame.copy()
    off.loc[7, "planned"] *= 1 + 1e-7
    off.to_parquet(tmp_path / "off.parquet")
    assert bench_engines.rows_differing(tmp_path / "off.parquet", ref) == 1
    null = frame.copy()
    null.loc[3, "variance_pct"] = None
    null.to_parquet(tmp_path / "null.parquet")
    assert bench_engines.rows_differing(tmp_path / "null.parquet", ref) == 1
    frame.iloc[:-1].to_parquet(tmp_path / "short.parquet")
    assert bench_engines.rows_differing(tmp_path / "short.parquet", ref) == 1
    assert bench_engines.rows_differing(ref, tmp_path / "short.parquet") == 1
    frame.iloc[[0, 1, 2, 3, 4, 6, 5, 7, 8, 9]].to_parquet(tmp_path / "swapped.parquet")
    assert bench_engines.rows_differing(tmp_path / "swapped.parquet", ref) == 2
