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


def test_readme_block_of_some_sections_keeps_the_other_rows() -> None:
    from bench.run_all import BEGIN, END, readme_block

    old = (
        f"{BEGIN}\nLast run 2026-01-01 10:00 UTC, 2 CPUs, load average 1.0 at the end.\n\n"
        "| benchmark | case | result | target |\n| --- | --- | --- | --- |\n"
        "| xlsx read | 10k | 0.2 s \\| fast |  |\n| training on Ray | 1,000 nodes | old |  |\n"
        "| app | Overview | 0.4 s |  |\n"
        f"{END}\n"
    )
    new = pd.DataFrame(
        [
            {"benchmark": "training on Ray", "case": "1,000 nodes", "result": "new", "target": ""},
            {"benchmark": "training on Ray", "case": "2,000 nodes", "result": "n2", "target": ""},
        ]
    )
    block = readme_block(old, new, ("training",), "2026-02-02 12:00 UTC")
    lines = block.splitlines()
    assert lines[0].startswith("Rows of training: run 2026-02-02 12:00 UTC")
    assert "the oldest: 2026-01-01 10:00 UTC" in lines[0]
    rows = [line for line in lines if line.startswith("| ")][2:]
    # the run's rows replace the old ones in place; the others are kept as they were
    assert [r.split(" | ")[0] for r in rows] == [
        "| xlsx read",
        "| training on Ray",
        "| training on Ray",
        "| app",
    ]
    assert "0.2 s \\| fast" in rows[0] and "new" in rows[1] and "n2" in rows[2]
    assert "| old |" not in block


def test_training_bench_budget_falls_back_or_leaves_out() -> None:
    from bench.bench_training import BUDGET_S, FALLBACK_NODES, within_budget

    assert within_budget(5000, 1000, BUDGET_S / 5) == (5000, "")
    size, why = within_budget(5000, 1000, BUDGET_S / 3)
    assert size == FALLBACK_NODES and "5,000 nodes left out" in why
    size, why = within_budget(5000, 1000, BUDGET_S)
    assert size is None and f"{FALLBACK_NODES:,} nodes too" in why


def test_training_bench_counts_the_cpu_of_child_processes() -> None:
    import subprocess
    import sys

    from bench.process_tree import process_tree, tree_cpu

    before = sum(tree_cpu().values())
    burn = "import time\nt = time.process_time()\nwhile time.process_time() - t < 1.0: pass\n"
    child = subprocess.Popen([sys.executable, "-c", burn])
    try:
        assert child.pid in {s.pid for s in process_tree()}
    finally:
        child.wait(timeout=120)
    # a finished child's time is carried by its parent once reaped (cutime)
    assert sum(tree_cpu().values()) - before >= 0.9


@pytest.mark.slow
@pytest.mark.timeout(1200)
def test_training_bench_quick_run_gives_the_same_forecast_on_ray() -> None:
    from bench import bench_training

    table = bench_training.run(quick=True)
    assert list(table["where"]) == ["in process", f"Ray, {bench_training.WORKERS} workers"]
    assert table["same forecast"].all()
    assert (table["wall s"] > 0).all() and (table["cpu s"] > 0).all()
    # on Ray the members trained in worker processes, and their CPU was counted
    workers_cpu = float(table["cpu driver / workers / ray s"].iloc[1].split(" / ")[1])
    assert workers_cpu > 0
    assert float(table["ray start s"].iloc[1]) > 0 and table["ray start s"].iloc[0] == ""


@pytest.mark.timeout(600)
def test_bench_cli_output_smallest_size_both_outputs_agree() -> None:
    from bench import bench_cli_output

    table, phases = bench_cli_output.run(["10k"], repeats=1, phases=True)
    assert list(table.columns) == list(bench_cli_output.TABLE_COLUMNS)
    assert table["format"].tolist() == ["csv", "json"]
    for row in table.to_dict("records"):
        assert row["rows"] == 10_000
        assert row["ours s"] > 0 and row["duckdb s"] > 0 and row["ratio"] > 0
        # whole processes: at least an interpreter with pandas / duckdb loaded, far below 1 GB
        assert 20 < row["ours peak MB"] < 1024 and 20 < row["duckdb peak MB"] < 1024
        assert bool(row["agree"])  # same rows, order and figures on both sides
    assert phases["phase"].tolist() == ["interpreter start", "imports", "load", "rollup", "write"]
    assert (phases["s"] > 0).all()


def test_outputs_agree_sees_a_changed_figure(tmp_path: Path) -> None:
    from bench import bench_cli_output

    header = ",".join(bench_cli_output.COLUMNS)
    good = tmp_path / "a.csv"
    good.write_text(f"{header}\nAll,0,2024-01,1.0,2.0,1.0,1.0,1.0,2.0,1.0,1.0\n")
    same = tmp_path / "b.csv"
    same.write_text(f"{header}\nAll,0,2024-01,1.0,2.0,1.0,1.0,1.0,2.0,1.0000000000001,1.0\n")
    other = tmp_path / "c.csv"
    other.write_text(f"{header}\nAll,0,2024-01,1.0,2.0,1.0,1.0,1.0,2.5,1.0,1.0\n")
    assert bench_cli_output.outputs_agree(good, same, "csv")
    assert not bench_cli_output.outputs_agree(good, other, "csv")


def test_a_partial_run_replaces_only_its_rows_and_sections(tmp_path: Path) -> None:
    from bench.results import Kind, Section, parse_summary, update_readme, write_markdown

    order = [Kind("a", "Section A", "bench a"), Kind("b", "Section B", "bench b")]
    old = pd.DataFrame(
        [
            ["bench a", "x", "old a", ""],
            ["bench b", "y", "old b | piped", "met"],
        ],
        columns=["benchmark", "case", "result", "target"],
    )
    first = [Section("Section A", table=pd.DataFrame({"v": [1]})), Section("Section B")]
    results = tmp_path / "RESULTS.md"
    write_markdown(results, old, first, quick=False)
    new = pd.DataFrame(
        [["bench a", "x", "new a", ""], ["bench a", "z", "new a2", ""]],
        columns=["benchmark", "case", "result", "target"],
    )
    write_markdown(
        results, new, [Section("Section A", table=pd.DataFrame({"v": [2]}))], False, order
    )
    merged = parse_summary(results.read_text())
    assert merged["result"].tolist() == ["new a", "new a2", "old b | piped"]
    text = results.read_text()
    assert text.count("## Section A") == 1 and "## Section B" in text
    assert text.index("## Section A") < text.index("## Section B")
    readme = tmp_path / "README.md"
    readme.write_text("intro\n<!-- bench:begin -->\nnothing yet\n<!-- bench:end -->\n")
    update_readme(readme, old)
    assert readme.read_text().count("bench a") == 1
    update_readme(readme, new, ("a",), order)
    assert parse_summary(readme.read_text())["result"].tolist() == [
        "new a",
        "new a2",
        "old b | piped",
    ]
