"""Month labels (``2024-01``) are read by the SQL engines without the pandas parser: the period
map, the rollup and the messages must be what the pandas parser gives; and a duckdb job on
Parquet written as Parquet imports no pandas at all."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from portfolio.engines import EngineChoice, InputSpec, Job, run_frame, sqlmonths, sqlperiods
from portfolio.errors import InputError
from portfolio.mapping import ColumnMapping
from tests.portfolio.engine_cases import assert_same_rows, write_parquet

pytest.importorskip("duckdb")

LEVELS = ("portfolio", "project")
NEVER = re.compile(r"(?!)")  # matches nothing: every value goes through the pandas parser


def frame_of(periods: list[str]) -> pd.DataFrame:
    rows = [
        {
            "portfolio": f"P{leaf % 2}",
            "project": f"J{leaf}",
            "period": period,
            "planned": 100.25 + leaf,
            "actual": 90.5 + i,
        }
        for leaf in range(3)
        for i, period in enumerate(periods)
    ]
    return pd.DataFrame(rows)


def pmap_of(path: Path, mapping: ColumnMapping) -> list[tuple[object, ...]]:
    from portfolio.engines.duck import DuckSession
    from portfolio.engines.source import parquet_source
    from portfolio.engines.sqlcheck import validated_cells

    source = parquet_source(str(path))
    assert source is not None
    session = DuckSession()
    try:
        session.open_parquet(source)
        validated_cells(session, source.schema(), str(path), mapping)
        return session.rows("SELECT value, month, stamp, ord, label FROM pmap ORDER BY value")
    finally:
        session.close()


MONTHS = ["1999-11", "1999-12", "2000-01", "2024-02", "2024-03", "2024-12", "2025-01"]


@pytest.mark.parametrize("frequency", ["auto", "M", "Q", "Y"])
def test_month_labels_map_and_roll_up_as_the_pandas_parser_reads_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, frequency: str
) -> None:
    path = write_parquet(frame_of(MONTHS), tmp_path / "months.parquet")
    mapping = ColumnMapping(levels=LEVELS, frequency=frequency)  # type: ignore[arg-type]
    spec = InputSpec(str(path), mapping)
    parser = sqlperiods._parse_distinct

    def refuse(*args: object) -> None:
        raise AssertionError("month labels went through the pandas parser")

    monkeypatch.setattr(sqlperiods, "_parse_distinct", refuse)
    fast_map = pmap_of(path, mapping)
    fast = run_frame(Job(spec, choice=EngineChoice("duckdb")))
    monkeypatch.setattr(sqlperiods, "_parse_distinct", parser)
    monkeypatch.setattr(sqlmonths, "MONTH_LABEL", NEVER)
    assert pmap_of(path, mapping) == fast_map
    assert_same_rows(fast, run_frame(Job(spec, choice=EngineChoice("duckdb"))))
    assert_same_rows(fast, run_frame(Job(spec, choice=EngineChoice("pandas"))))
    assert len(fast_map) == len(MONTHS)


def test_other_period_shapes_still_go_through_the_pandas_parser(tmp_path: Path) -> None:
    """``2024-1`` and ``2024/02`` are months to the pandas parser, not calendar labels."""
    path = write_parquet(frame_of(["2024-1", "2024/02", "2024-03"]), tmp_path / "odd.parquet")
    spec = InputSpec(str(path), ColumnMapping(levels=LEVELS))
    got = run_frame(Job(spec, choice=EngineChoice("duckdb")))
    assert_same_rows(got, run_frame(Job(spec, choice=EngineChoice("pandas"))))
    assert sorted(set(got["period"])) == ["2024-01", "2024-02", "2024-03"]


def test_a_bad_month_is_named_as_the_pandas_loader_names_it(tmp_path: Path) -> None:
    path = write_parquet(frame_of(["2024-01", "2024-13"]), tmp_path / "bad.parquet")
    spec = InputSpec(str(path), ColumnMapping(levels=LEVELS))
    messages = []
    for engine in ("pandas", "duckdb"):
        with pytest.raises(InputError) as err:
            run_frame(Job(spec, choice=EngineChoice(engine)))
        messages.append(str(err.value))
    assert messages[0] == messages[1]
    assert "period" in messages[0] and "3" in messages[0]  # the column, the first bad file row


PROBE = """
import json, sys
from cli.main import main
code = main(sys.argv[1:])
print(json.dumps([code, sorted(m for m in sys.modules if m.split(".")[0] == "pandas")[:3]]))
"""


def test_a_duckdb_job_on_parquet_written_as_parquet_imports_no_pandas(tmp_path: Path) -> None:
    path = write_parquet(frame_of(MONTHS), tmp_path / "lake", parts=2)
    out = tmp_path / "out.parquet"
    words = ["rollup", str(path), "--engine", "duckdb", "--format", "parquet", "--out", str(out)]
    words += ["--levels", ",".join(LEVELS)]
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *words], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    code, pandas_modules = json.loads(done.stdout.strip().splitlines()[-1])
    assert code == 0 and pandas_modules == []
    got = pd.read_parquet(out)
    spec = InputSpec(str(path), ColumnMapping(levels=LEVELS))
    assert_same_rows(got, run_frame(Job(spec, choice=EngineChoice("pandas"))))
