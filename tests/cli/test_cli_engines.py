"""``--engine``, Parquet in and out, and the clear refusals (exit 2, nothing half-written)."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from tests.cli.test_cli import ENV, ROLLUP_COLUMNS, run
from tests.portfolio.engine_cases import assert_same_rows, write_parquet

pytest.importorskip("duckdb")


def csv_frame(data: bytes) -> pd.DataFrame:
    return pd.read_csv(io.BytesIO(data), keep_default_na=False, na_values=[""])


def lake(sample_csv: Path, folder: Path) -> Path:
    frame = pd.read_csv(
        sample_csv, keep_default_na=False, na_values={"planned": [""], "actual": [""]}
    )
    return write_parquet(frame, folder, parts=2)


def test_engines_give_the_same_csv(sample_csv: Path) -> None:
    pandas = run("alerts", str(sample_csv), "--engine", "pandas", "--persistence", "2")
    duck = run("alerts", str(sample_csv), "--engine", "duckdb", "--persistence", "2")
    assert pandas.returncode == 0 and duck.returncode == 0, duck.stderr
    assert_same_rows(csv_frame(pandas.stdout), csv_frame(duck.stdout))


def test_parquet_folder_in_parquet_out_round_trip(sample_csv: Path, tmp_path: Path) -> None:
    folder = lake(sample_csv, tmp_path / "lake")
    reference = csv_frame(run("rollup", str(sample_csv)).stdout)
    for engine in ("pandas", "duckdb"):
        out = tmp_path / f"rollup-{engine}.parquet"
        done = run(
            "rollup", str(folder), "--engine", engine, "--format", "parquet", "--out", str(out)
        )
        assert done.returncode == 0, done.stderr
        back = pq.read_table(out).to_pandas()
        assert list(back.columns) == ROLLUP_COLUMNS
        assert_same_rows(reference, back)
    glob = run("alerts", str(tmp_path / "lake" / "*.parquet"), "--latest", "--format", "json")
    assert glob.returncode == 0 and glob.stdout.startswith(b"[{")


def test_bad_row_exit_2_and_nothing_written(sample_csv: Path, tmp_path: Path) -> None:
    frame = pd.read_csv(
        sample_csv, keep_default_na=False, na_values={"planned": [""], "actual": [""]}
    )
    frame.loc[4, "planned"] = float("inf")
    path = write_parquet(frame, tmp_path / "bad.parquet")
    out = tmp_path / "out.parquet"
    said = []
    for engine in ("pandas", "duckdb"):
        done = run(
            "rollup", str(path), "--engine", engine, "--format", "parquet", "--out", str(out)
        )
        assert done.returncode == 2
        assert b"Traceback" not in done.stderr
        said.append(done.stderr)
    assert said[0] == said[1] and b"row 6 " in said[0] and b"column 'planned'" in said[0]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.parquet"]


def test_parquet_needs_out(sample_csv: Path) -> None:
    done = run("rollup", str(sample_csv), "--format", "parquet")
    assert done.returncode == 2 and b"--out" in done.stderr


def test_spark_without_java_or_master_is_exit_2(sample_csv: Path, tmp_path: Path) -> None:
    pytest.importorskip("pyspark")
    out = tmp_path / "out.parquet"
    no_java = {k: v for k, v in ENV.items() if k != "JAVA_HOME"}
    no_java["PATH"] = str(Path(os.sys.executable).parent)
    done = run_env(
        no_java,
        "rollup",
        str(sample_csv),
        "--engine",
        "spark",
        "--out",
        str(out),
        "--format",
        "parquet",
    )
    assert done.returncode == 2, done.stderr
    assert b"needs Java 17" in done.stderr
    done = run(
        "rollup",
        str(sample_csv),
        "--engine",
        "spark",
        "--spark-master",
        "spark://127.0.0.1:9",
        "--format",
        "parquet",
        "--out",
        str(out),
    )
    assert done.returncode == 2, done.stderr
    assert b"cannot be reached" in done.stderr and b"spark://127.0.0.1:9" in done.stderr
    remote = {**ENV, "SPARK_REMOTE": "sc://127.0.0.1:9"}
    done = run_env(remote, "rollup", str(sample_csv), "--engine", "spark")
    assert done.returncode == 2 and b"cannot be reached" in done.stderr
    assert not out.exists() and list(tmp_path.iterdir()) == []


def run_env(env: dict[str, str], *args: str):
    import subprocess

    from tests.cli.test_cli import COMMAND

    return subprocess.run([*COMMAND, *args], capture_output=True, timeout=120, env=env)


def test_baseline_on_an_sql_engine_is_exit_2_with_advice(sample_csv: Path, tmp_path: Path) -> None:
    frame = pd.read_csv(sample_csv, keep_default_na=False, na_values=[""])
    csv = tmp_path / "with-baseline.csv"
    frame.assign(original=frame["planned"]).to_csv(csv, index=False)
    out = tmp_path / "out.parquet"
    done = run(
        "alerts", str(csv), "--baseline", "original", "--engine", "duckdb",
        "--format", "parquet", "--out", str(out),
    )  # fmt: skip
    assert done.returncode == 2 and b"Traceback" not in done.stderr
    assert b"--engine pandas" in done.stderr and b"--baseline 'original'" in done.stderr
    assert not out.exists()
    pandas = run("alerts", str(csv), "--baseline", "original", "--engine", "pandas")
    assert pandas.returncode == 0 and b"baseline_variance" in pandas.stdout.splitlines()[0]


def test_level_measure_from_parquet_on_duckdb(tmp_path: Path) -> None:
    """``--measure level`` from a Parquet folder runs on duckdb (made into flows in SQL) and
    gives the rows the pandas engine gives."""
    frame = pd.DataFrame(
        {
            "program": ["Ops", "Ops", "Ops", "Ops", "Dev"],
            "project": ["Net", "Net", "Net", "Srv", "App"],
            "month": ["2024-01", "2024-02", "2024-04", "2024-02", "2024-03"],
            "plan": [100.10, 150.25, 150.25, 40.0, 70.0],
            "spend": [90.05, 180.15, 200.0, 10.0, 75.5],
        }
    )
    folder = write_parquet(frame, tmp_path / "levels", parts=2)
    flags = ["--levels", "program,project", "--period", "month", "--planned", "plan"]
    flags += ["--actual", "spend", "--measure", "level"]
    done = {
        engine: run("rollup", str(folder), *flags, "--engine", engine)
        for engine in ("pandas", "duckdb")
    }
    assert done["duckdb"].returncode == 0, done["duckdb"].stderr
    pandas, duck = csv_frame(done["pandas"].stdout), csv_frame(done["duckdb"].stdout)
    assert_same_rows(pandas, duck)
    net = duck[duck["node"] == "Ops / Net"]
    assert net["actual"].tolist() == [90.05, 90.1, 0.0, 19.85]  # differences of the levels
