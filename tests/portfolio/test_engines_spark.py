"""The spark engine (a local master, one SparkSession for the whole test session, small data, two
shuffle partitions) gives the pandas engine's rows and messages."""

from __future__ import annotations

import dataclasses
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings

from portfolio.alerts import AlertRule
from portfolio.engines import EngineChoice, InputSpec, Job, run_frame, write_parquet
from portfolio.errors import InputError
from portfolio.mapping import IT_DASHBOARD_MAPPING, NYC_CAPITAL_MAPPING, ColumnMapping
from tests.portfolio.engine_cases import (
    LEVELS,
    assert_same_rows,
    lake_of,
    level_portfolios,
    nyc_lake,
    portfolios,
    rules,
)
from tests.portfolio.engine_cases import write_parquet as write_frame
from tests.portfolio.test_engines_validation import BAD, MAPPING, base, said, text_amounts

pytest.importorskip("pyspark")


@pytest.fixture(scope="session", autouse=True)
def spark() -> Iterator[Any]:
    """One local SparkSession for every Spark test (started once: the JVM takes seconds)."""
    os.environ.setdefault("COST_DRIFT_SPARK_PARTITIONS", "2")
    from portfolio.engines.spark import spark_session

    session = spark_session("local[2]")
    yield session
    session.stop()


def on(engine: str, spec: InputSpec, rule: AlertRule | None = None) -> pd.DataFrame:
    return run_frame(Job(spec, rule, choice=EngineChoice(engine, "local[2]")))


@settings(
    max_examples=3, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(frame=portfolios(), rule=rules)
def test_random_ragged_portfolios_same_rows(
    tmp_path: Path, frame: pd.DataFrame, rule: AlertRule
) -> None:
    k = len(frame.columns) - 3
    spec = InputSpec(
        str(write_frame(frame, tmp_path / "p.parquet")), ColumnMapping(levels=LEVELS[:k])
    )
    assert_same_rows(on("pandas", spec, rule), on("spark", spec, rule))


@settings(
    max_examples=3, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(case=level_portfolios(), rule=rules)
def test_random_level_portfolios_same_rows(
    tmp_path: Path, case: tuple[pd.DataFrame, bool], rule: AlertRule
) -> None:
    frame, summed = case
    k = len(frame.columns) - 3
    mapping = ColumnMapping(levels=LEVELS[:k], measure="level", sum_duplicates=summed)
    path = write_frame(frame, Path(tempfile.mkdtemp(dir=tmp_path)) / "levels.parquet")
    spec = InputSpec(str(path), mapping)
    assert_same_rows(on("pandas", spec, rule), on("spark", spec, rule))


def test_sample_csv_and_parquet_parts(sample_csv: Path, tmp_path: Path) -> None:
    rule = AlertRule(persistence=2, floor=50.0, direction="overrun")
    pandas = on("pandas", InputSpec(str(sample_csv)), rule)
    assert_same_rows(pandas, on("spark", InputSpec(str(sample_csv)), rule))
    frame = pd.read_csv(
        sample_csv, keep_default_na=False, na_values={"planned": [""], "actual": [""]}
    )
    folder = write_frame(frame, tmp_path / "lake", parts=2)
    out = tmp_path / "out.parquet"
    write_parquet(Job(InputSpec(str(folder)), rule, choice=EngineChoice("spark", "local[2]")), out)
    back = pq.read_table(out).to_pandas()  # a folder of parts, in order
    assert_same_rows(pandas, back)
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


@pytest.mark.parametrize(
    "case", ["not finite", "item and parent", "not a period", "repeated item and period"]
)
def test_bad_row_named_the_same_way(case: str, tmp_path: Path) -> None:
    frame = BAD[case](base()).astype({"planned": "float64", "actual": "float64"})
    # two parts in a folder whose name Spark writes URL-encoded: rows numbered across the parts
    spec = InputSpec(str(write_frame(frame, tmp_path / "bad lake", parts=2)), MAPPING)
    told = []
    for engine in ("pandas", "spark"):
        with pytest.raises(InputError) as err:
            on(engine, spec)
        told.append(said(err.value))
    assert told[0] == told[1]


def test_repeated_report_of_a_level_file_named_the_same_way(tmp_path: Path) -> None:
    """Repeats in running totals, which the level flows hide from the rollup's guard."""
    frame = BAD["repeated item and period"](base()).astype({"actual": "float64"})
    level = dataclasses.replace(MAPPING, measure="level")
    spec = InputSpec(str(write_frame(frame, tmp_path / "levels.parquet")), level)
    told = []
    for engine in ("pandas", "spark"):
        with pytest.raises(InputError) as err:
            on(engine, spec)
        told.append(said(err.value))
    assert told[0] == told[1] and "repeat an item and period" in told[0][0]


def test_text_amounts_read_and_refused_as_pandas_does(tmp_path: Path) -> None:
    spec = InputSpec(str(write_frame(text_amounts(base()), tmp_path / "text.parquet")), MAPPING)
    assert_same_rows(on("pandas", spec), on("spark", spec))
    bad = text_amounts(base())
    bad.loc[[4, 9], "actual"] = "twelve"
    bad_spec = InputSpec(str(write_frame(bad, tmp_path / "bad.parquet")), MAPPING)
    told = []
    for engine in ("pandas", "spark"):
        with pytest.raises(InputError) as err:
            on(engine, bad_spec)
        told.append(said(err.value))
    assert told[0] == told[1] and told[0][1] == "actual"


@pytest.mark.realdata
def test_real_files_same_rows(
    it_dashboard_csv: Path, nyc_capital_csv: Path, tmp_path: Path
) -> None:
    for path, mapping in (
        (it_dashboard_csv, IT_DASHBOARD_MAPPING),
        (nyc_capital_csv, NYC_CAPITAL_MAPPING),
    ):
        spec = InputSpec(str(path), mapping)
        pandas = on("pandas", spec, AlertRule())
        assert_same_rows(pandas, on("spark", spec, AlertRule()))  # amounts to the bit
        assert_same_rows(pandas, on("spark", lake_of(spec, tmp_path), AlertRule()))
    # the NYC file's own rows (re-forecast levels) as Parquet parts: made into flows in SQL
    nyc = nyc_lake(nyc_capital_csv, tmp_path)
    pandas = on("pandas", nyc, AlertRule())
    assert_same_rows(pandas, on("spark", nyc, AlertRule()))
    assert (pandas["status"] != "green").any()
