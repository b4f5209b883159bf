"""The duckdb engine gives the pandas engine's rows (rollup and alerts), on Parquet checked in
SQL and on CSV checked by the pandas loader; random ragged hierarchies and the real files."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings

from portfolio.alerts import AlertRule
from portfolio.engines import (
    ALERTS_COLUMNS,
    EngineChoice,
    InputSpec,
    Job,
    choose_engine,
    load_input,
    rollup_frame,
    run_frame,
    write_parquet,
)
from portfolio.mapping import IT_DASHBOARD_MAPPING, NYC_CAPITAL_MAPPING, ColumnMapping
from portfolio.rollup import ROLLUP_COLUMNS, rollup_portfolio
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

pytest.importorskip("duckdb")


def both(job: Job) -> tuple[pd.DataFrame, pd.DataFrame]:
    pandas = run_frame(Job(job.input, job.rule, job.latest, EngineChoice("pandas")))
    duck = run_frame(Job(job.input, job.rule, job.latest, EngineChoice("duckdb")))
    return pandas, duck


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(frame=portfolios(), rule=rules)
def test_random_ragged_portfolios_same_rows(
    tmp_path: Path, frame: pd.DataFrame, rule: AlertRule
) -> None:
    k = len(frame.columns) - 3
    path = write_frame(frame, tmp_path / "p.parquet")
    spec = InputSpec(str(path), ColumnMapping(levels=LEVELS[:k]))
    for r in (None, rule):
        pandas, duck = both(Job(spec, r))
        assert_same_rows(pandas, duck)
    pandas, duck = both(Job(spec, rule, latest=True))
    assert_same_rows(pandas, duck)
    assert list(duck.columns) == list(ALERTS_COLUMNS)


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(case=level_portfolios(), rule=rules)
def test_random_level_portfolios_same_rows(
    tmp_path: Path, case: tuple[pd.DataFrame, bool], rule: AlertRule
) -> None:
    """Running totals and re-forecasts (``--measure level``) from Parquet: made into flows in SQL
    as the pandas loader makes them, gaps, late starts, plan ahead and repeats summed included."""
    frame, summed = case
    k = len(frame.columns) - 3
    folder = Path(tempfile.mkdtemp(dir=tmp_path))  # one per example: tmp_path is shared
    path = write_frame(frame, folder / "levels", parts=2) if len(frame) > 3 else None
    path = path or write_frame(frame, folder / "levels.parquet")
    mapping = ColumnMapping(levels=LEVELS[:k], measure="level", sum_duplicates=summed)
    spec = InputSpec(str(path), mapping)
    for r in (None, rule):
        pandas, duck = both(Job(spec, r))
        assert_same_rows(pandas, duck)
    pandas, duck = both(Job(spec, rule, latest=True))
    assert_same_rows(pandas, duck)


def test_level_rows_made_into_flows(tmp_path: Path) -> None:
    """A small level file worked by hand: the last report of a month wins, a month without a
    report keeps the level (flow 0), a late leaf starts at its level, the plan ahead is left out,
    and a difference of cents carries no float noise."""
    frame = pd.DataFrame(
        {
            "portfolio": ["P"] * 6,
            "item": ["a", "a", "a", "a", "b", "b"],
            "period": [
                "2024-01-10",
                "2024-01-31",
                "2024-03-15",
                "2024-04-02",
                "2024-03-01",
                "2024-04-20",
            ],
            "planned": [1000.12, 1000.12, 1234.57, 1300.0, 50.0, 40.0],
            "actual": [10.0, 20.0, 1234.57, None, 5.0, 7.25],
        }
    )
    path = write_frame(frame, tmp_path / "levels.parquet")
    spec = InputSpec(str(path), ColumnMapping(levels=("portfolio", "item"), measure="level"))
    duck = run_frame(Job(spec, choice=EngineChoice("duckdb")))
    leaf_a = duck[duck["node"] == "P / a"]
    assert leaf_a["period"].tolist() == ["2024-01", "2024-02", "2024-03", "2024-04"]
    assert leaf_a["planned"].tolist() == [1000.12, 0.0, 234.45, 0.0]  # not 234.44999999999993
    assert leaf_a["actual"].tolist() == [20.0, 0.0, 1214.57, 0.0]
    leaf_b = duck[duck["node"] == "P / b"]
    assert leaf_b["planned"].tolist() == [0.0, 0.0, 50.0, -10.0]
    assert leaf_b["cum_actual"].tolist() == [0.0, 0.0, 5.0, 7.25]
    assert_same_rows(run_frame(Job(spec, choice=EngineChoice("pandas"))), duck)


def test_sample_csv_and_parquet_parts_same_rows(sample_csv: Path, tmp_path: Path) -> None:
    rule = AlertRule(persistence=2, floor=50.0)
    csv_pandas, csv_duck = both(Job(InputSpec(str(sample_csv)), rule))
    assert_same_rows(csv_pandas, csv_duck)
    frame = pd.read_csv(
        sample_csv,
        dtype={"planned": float, "actual": float},
        keep_default_na=False,
        na_values={"planned": [""], "actual": [""]},
    )
    folder = write_frame(frame, tmp_path / "lake", parts=3)
    for source in (folder, tmp_path / "lake" / "part-*.parquet"):
        pandas, duck = both(Job(InputSpec(str(source)), rule))
        assert_same_rows(csv_pandas, pandas)
        assert_same_rows(pandas, duck)
    assert (csv_duck["status"] != "green").any()  # the rule bites, so the statuses are compared


def test_rollup_frame_for_the_app(sample_csv: Path) -> None:
    p = load_input(InputSpec(str(sample_csv)))
    assert_same_rows(rollup_portfolio(p), rollup_frame(p, EngineChoice("duckdb")))
    assert choose_engine(Job(InputSpec(str(sample_csv)))) == "pandas"


def test_parquet_round_trip(sample_csv: Path, tmp_path: Path) -> None:
    for engine in ("pandas", "duckdb"):
        out = tmp_path / f"{engine}.parquet"
        job = Job(InputSpec(str(sample_csv)), choice=EngineChoice(engine))
        write_parquet(job, out)
        back = pq.read_table(out).to_pandas()
        assert list(back.columns) == list(ROLLUP_COLUMNS)
        assert_same_rows(run_frame(Job(job.input)), back)
        # the output is itself an input of the same shape: read it back as a lake would
        assert not list(tmp_path.glob(".*"))  # no temporary left beside it


@pytest.mark.realdata
def test_real_files_same_rows(
    it_dashboard_csv: Path, nyc_capital_csv: Path, tmp_path: Path
) -> None:
    for path, mapping in (
        (it_dashboard_csv, IT_DASHBOARD_MAPPING),
        (nyc_capital_csv, NYC_CAPITAL_MAPPING),
    ):
        spec = InputSpec(str(path), mapping)
        pandas, duck = both(Job(spec, AlertRule()))
        assert_same_rows(pandas, duck)  # amounts to the bit, the statuses the same
        assert (duck["status"] != "green").any()
        # the validated long table as Parquet: checked again in SQL, rolled up the same
        lake_pandas, lake_duck = both(Job(lake_of(spec, tmp_path), AlertRule()))
        assert_same_rows(lake_pandas, lake_duck)
        assert_same_rows(pandas, lake_duck)
    # the NYC file's own rows (re-forecast levels, dated reports) as Parquet: levels made into
    # flows in SQL give the rows of the CSV on pandas
    nyc = InputSpec(str(nyc_capital_csv), NYC_CAPITAL_MAPPING)
    csv_pandas = run_frame(Job(nyc, AlertRule(), choice=EngineChoice("pandas")))
    lake_pandas, lake_duck = both(Job(nyc_lake(nyc_capital_csv, tmp_path), AlertRule()))
    assert_same_rows(csv_pandas, lake_pandas)
    assert_same_rows(lake_pandas, lake_duck)
    # NYC has nodes whose cumulative plan is negative: an overrun there has a negative variance
    # %, and both engines flag it by its size
    pandas, duck = both(Job(nyc, AlertRule(direction="overrun")))
    assert_same_rows(pandas, duck)
    negative = (duck["cum_planned"] < 0) & (duck["cum_variance"] > 0)
    assert (duck.loc[negative & (duck["cum_variance_pct"] <= -0.3), "status"] == "red").all()
    assert (negative & (duck["status"] == "red")).any()


def test_duckdb_session_draws_no_progress_bar_and_spills_to_its_own_folder() -> None:
    """A long CLI job must not draw DuckDB's bar between our messages on stderr."""
    from portfolio.engines.duck import DuckSession

    session = DuckSession()
    try:
        (bar,) = session.rows("SELECT current_setting('enable_progress_bar')")[0]
        (order,) = session.rows("SELECT current_setting('preserve_insertion_order')")[0]
        (tmp,) = session.rows("SELECT current_setting('temp_directory')")[0]
        assert bar is False and order is False
        assert "cost-drift-duckdb-" in tmp
    finally:
        session.close()
