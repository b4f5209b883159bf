"""The SQL engines add up amounts by the pandas rollup's rule (``portfolio.engines.sqlsums``):
whole minor units when the places are known (cents add up to the cent, to the bit), floats
snapped and rounded otherwise; the places found in SQL are ``decimals_of``'s."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portfolio.alerts import AlertRule
from portfolio.decimals import decimals_of
from portfolio.engines import EngineChoice, InputSpec, Job, load_input, run_frame
from portfolio.engines.sqlsums import NOT_MONEY, places_sql
from portfolio.engines.sqltext import DUCKDB
from portfolio.mapping import ColumnMapping
from portfolio.rollup_sums import precision
from tests.portfolio.engine_cases import assert_same_rows, write_parquet

duckdb = pytest.importorskip("duckdb")

MAPPING = ColumnMapping(levels=("program", "project"))
RULE = AlertRule(amber_pct=10.0, red_pct=30.0)


def cents_frame() -> pd.DataFrame:
    """Two projects whose plans (0.1 and 0.2) and actuals add up to decimals that no double
    holds exactly; one sits at exactly -10 % (amber by the rule's edge)."""
    return pd.DataFrame(
        {
            "program": ["P", "P", "P", "P"],
            "project": ["a", "b", "a", "b"],
            "period": ["2024-01", "2024-01", "2024-02", "2024-02"],
            "planned": [0.1, 0.2, 1234567.89, 0.7],
            "actual": [0.2, 0.1, 1111111.101, 0.63],
        }
    )


def on(engine: str, spec: InputSpec, rule: AlertRule | None = RULE) -> pd.DataFrame:
    return run_frame(Job(spec, rule, choice=EngineChoice(engine)))


def node_row(frame: pd.DataFrame, node: str, period: str) -> pd.Series:
    return frame[(frame["node"] == node) & (frame["period"] == period)].iloc[0]


def test_cents_add_up_to_the_cent(tmp_path: Path) -> None:
    frame = cents_frame()
    csv = tmp_path / "cents.csv"
    frame.to_csv(csv, index=False)
    lake = write_parquet(frame, tmp_path / "cents.parquet")
    for source in (csv, lake):
        spec = InputSpec(str(source), MAPPING)
        pandas, duck = on("pandas", spec), on("duckdb", spec)
        assert_same_rows(pandas, duck)
        january = node_row(duck, "P", "2024-01")
        assert january["planned"] == 0.3 and january["actual"] == 0.3  # 0.1 + 0.2 is 0.3 here
        assert january["variance"] == 0.0 and january["variance_pct"] == 0.0
        b = node_row(duck, "P / b", "2024-02")
        assert b["variance"] == -0.07 and b["status"] == pandas.loc[b.name, "status"]
        assert node_row(duck, "P", "2024-02")["cum_planned"] == 1234568.89 + 0.0
        # the rollup_frame path and the loader agree on the places: 3 (1111111.101)
        assert load_input(spec).decimals == 3


@pytest.mark.parametrize(
    ("case", "scale"),
    [("more places than money has", 1e-12), ("totals past 2**53 minor units", 1e14)],
)
def test_float_sums_where_exact_sums_are_not_possible(
    case: str, scale: float, tmp_path: Path
) -> None:
    frame = cents_frame()
    frame["planned"] = frame["planned"] * scale + (scale / 7 if scale < 1 else 0.0)
    frame["actual"] = frame["actual"] * scale
    spec = InputSpec(str(write_parquet(frame, tmp_path / "f.parquet")), MAPPING)
    p = load_input(spec)
    assert not precision(p.data, p.decimals).exact, case
    pandas, duck = on("pandas", spec), on("duckdb", spec)
    assert_same_rows(pandas, duck, exact=False)  # to 1e-9 relative, the same statuses
    assert (duck["status"] != "green").any()


amounts = st.one_of(
    st.integers(-(10**12), 10**12).flatmap(lambda n: st.integers(0, 11).map(lambda d: n / 10**d)),
    st.floats(-1e12, 1e12, allow_nan=False),
    st.just(0.0),
)


@settings(max_examples=60, deadline=None)
@given(values=st.lists(amounts, min_size=1, max_size=12), blanks=st.integers(0, 2))
def test_places_found_in_sql_are_decimals_of(values: list[float], blanks: int) -> None:
    column = pa.array([*values, *([None] * blanks)], pa.float64())
    expected = decimals_of(np.array(values, dtype=np.float64))
    con = duckdb.connect()
    con.register("t", pa.table({"x": column}))
    got = con.execute(f"SELECT MAX({places_sql('x', DUCKDB)}) FROM t").fetchall()[0][0]
    assert (None if got == NOT_MONEY else got) == expected
