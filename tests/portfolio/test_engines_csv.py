"""CSV written by DuckDB for the duckdb engine (``portfolio.engines.sqlcsv``) is the table
writer's CSV of the same rows, byte for byte: tricky text (formula-like, commas, quotes, line
feeds and carriage returns, a `` / `` inside a value), percentages that are NULL, alerts; through
the core and the CLI."""

from __future__ import annotations

import math
import random
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from portfolio.alerts import AlertRule
from portfolio.engines import EngineChoice, InputSpec, Job, run_frame, write_csv
from portfolio.errors import InputError
from portfolio.mapping import ColumnMapping
from portfolio.tablewriter import csv_bytes
from tests.portfolio.engine_cases import write_parquet

duckdb = pytest.importorskip("duckdb")

LEVELS = ("portfolio", "project")
NAMES = ["=SUM(A1)", "+1 555", "-minus", "@at", 'say "hi"', "a,b", "line\nbreak", "x / y", "ü∕é"]
NAMES += ["car\rret", "tab\tin", "'quoted'", "Mainframe #103"]


def tricky() -> pd.DataFrame:
    rows = []
    for leaf, name in enumerate(NAMES):
        for month in range(1, 4):
            planned = 0.0 if leaf == 2 and month == 1 else 1234567.89 * (leaf + 1) + month / 100
            rows.append(
                {
                    "portfolio": NAMES[leaf % 3],
                    "project": name,
                    "period": f"2024-{month:02d}",
                    "planned": planned,
                    "actual": round(planned * (0.7 + 0.1 * month) + 0.05, 2),
                }
            )
    return pd.DataFrame(rows)


RULE = AlertRule(amber_pct=5, red_pct=20, persistence=2)


@pytest.mark.parametrize(("rule", "latest"), [(None, False), (RULE, False), (RULE, True)])
def test_duckdbs_csv_is_the_table_writers_bytes(
    tmp_path: Path, rule: AlertRule | None, latest: bool
) -> None:
    path = write_parquet(tricky(), tmp_path / "lake", parts=2)
    spec = InputSpec(str(path), ColumnMapping(levels=LEVELS))
    duck = Job(spec, rule, latest, choice=EngineChoice("duckdb"))
    expected = csv_bytes(run_frame(Job(spec, rule, latest, choice=EngineChoice("pandas"))))
    assert csv_bytes(run_frame(duck)) == expected  # the two engines' rows agree first
    out = tmp_path / "out.csv"
    write_csv(duck, out)
    assert out.read_bytes() == expected
    assert b"'=SUM(A1)," in expected  # the cases were exercised: neutralised, quoted
    assert b'"\'=SUM(A1) / line\nbreak"' in expected


def test_a_failed_job_writes_no_csv(tmp_path: Path) -> None:
    frame = tricky()
    frame = pd.concat([frame, frame.iloc[[4]]], ignore_index=True)  # a leaf repeats a period
    path = write_parquet(frame, tmp_path / "dups.parquet")
    job = Job(InputSpec(str(path), ColumnMapping(levels=LEVELS)), choice=EngineChoice("duckdb"))
    out = tmp_path / "out.csv"
    with pytest.raises(InputError, match="repeat"):
        write_csv(job, out)
    assert not out.exists() and list(tmp_path.glob(".out.csv*")) == []
    with pytest.raises(ValueError, match="duckdb"):
        write_csv(Job(job.input, choice=EngineChoice("pandas")), out)


def test_cli_csv_on_duckdb_matches_pandas(tmp_path: Path) -> None:
    path = write_parquet(tricky(), tmp_path / "lake.parquet")
    outputs = []
    for engine, out in (("pandas", None), ("duckdb", None), ("duckdb", "d.csv")):
        words = ["alerts", str(path), "--engine", engine, "--levels", ",".join(LEVELS)]
        words += ["--format", "csv"] + (["--out", str(tmp_path / out)] if out else [])
        done = subprocess.run(
            [sys.executable, "-m", "cli", *words], capture_output=True, timeout=120
        )
        assert done.returncode == 0, done.stderr
        outputs.append((tmp_path / out).read_bytes() if out else done.stdout)
    assert outputs[0] == outputs[1] == outputs[2] and outputs[0].count(b"\n") > 20


def test_duckdb_writes_a_double_as_python_repr() -> None:
    """What the streamed CSV relies on: ``CAST(x AS VARCHAR)`` is ``repr(x)``."""
    rng = random.Random(7)
    values = [rng.uniform(-1e7, 1e7) for _ in range(3000)]
    values += [round(rng.uniform(-1e9, 1e9), 2) for _ in range(3000)]
    values += [math.ldexp(rng.random(), rng.randint(-60, 80)) for _ in range(3000)]
    values += [5.0, -0.0, 0.0, 1e-05, 1e-4, 1e16, 1e15, 1.5e10, 15000000000.5, 0.1, 1e22, 2.5e-7]
    values += [9999999999999998.0, 123456789012345.67, 5e-324, 1.7976931348623157e308]
    con = duckdb.connect()
    con.execute("CREATE TABLE t AS SELECT unnest($v)::DOUBLE AS x", {"v": values})
    got = [r[0] for r in con.execute("SELECT CAST(x AS VARCHAR) FROM t").fetchall()]
    assert [g for g, v in zip(got, values, strict=True) if g != repr(v)] == []
