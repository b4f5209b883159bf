"""Fuzzing the loader: every hostile file either loads or raises InputError, in bounded time.

Whatever loads is then rolled up and evaluated, so the hostile cells that get through (unicode
names, huge amounts, formula-like text) reach the rest of the core too.
"""

from __future__ import annotations

import os

import numpy as np
import pandas as pd
import pytest
from hostile import DEFAULT_COLUMNS, hostile_csv, hostile_xlsx, plausible_csv
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from portfolio.alerts import AlertRule, evaluate
from portfolio.errors import InputError
from portfolio.load import build_portfolio, load_portfolio, read_raw
from portfolio.mapping import ColumnMapping
from portfolio.rollup import rollup_portfolio

FUZZ = settings(
    max_examples=int(os.environ.get("COST_DRIFT_FUZZ_EXAMPLES", "120")),
    deadline=10_000,  # ms per case: generous for a shared 2-core machine, still catches hangs
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def load_or_input_error(data: bytes) -> object:
    """Load ``data``; an InputError is a fine answer, anything else fails the test."""
    try:
        return load_portfolio(data, name="fuzz.csv")
    except InputError as err:
        assert str(err).strip(), "an InputError must carry a message"
        assert "Traceback" not in str(err)
        return err


def check_loaded(p: object) -> None:
    """A portfolio that loaded is sound, and the rollup and alerts accept it."""
    if isinstance(p, InputError):
        return
    data = p.data  # type: ignore[attr-defined]
    assert list(data.columns[: len(p.levels)]) == list(p.levels)  # type: ignore[attr-defined]
    for column in ("planned", "actual"):
        assert data[column].dtype == np.float64
        assert not np.isinf(data[column].to_numpy()).any(), f"infinite {column} got through"
    summary = p.summary  # type: ignore[attr-defined]
    assert summary.rows_read == summary.rows_used + summary.rows_rejected
    assert set(data["period"]) <= set(p.periods)  # type: ignore[attr-defined]
    try:
        rolled = rollup_portfolio(p)  # type: ignore[arg-type]
        statuses = evaluate(rolled, AlertRule())
    except InputError:
        return
    assert set(statuses["status"]) <= {"green", "amber", "red"}
    numeric = rolled[["planned", "actual", "cum_planned", "cum_actual"]].to_numpy()
    assert not np.isinf(numeric).any(), "the rollup produced an infinite total"
    assert not rolled.duplicated(["node", "period"]).any(), "two nodes share one node id"
    root = rolled[(rolled["level"] == 0) & (rolled["period"] == p.periods[-1])]  # type: ignore[attr-defined]
    for column in ("planned", "actual"):
        total = float(data[column].sum())
        gross = float(data[column].abs().sum())
        assert np.isfinite(total), f"the {column} total overflows: such amounts must be refused"
        got = float(root[f"cum_{column}"].iloc[0])
        assert abs(got - total) <= 1e-9 * gross + 1e-6, f"root {column} {got} != sum {total}"


@pytest.mark.timeout(180)
@FUZZ
@given(st.binary(max_size=3000))
@example(b"")
@example(b"\x00\x01\x02\xff\xfe")
@example(b"\xff\xfeP\x00")
@example(b'"')
@example(b"portfolio,program,project,item,period,planned,actual\n")
@example(b"PK\x03\x04garbage")
def test_random_bytes_load_or_input_error(data: bytes) -> None:
    check_loaded(load_or_input_error(data))


@pytest.mark.timeout(240)
@FUZZ
@given(hostile_csv())
@example(b'portfolio,program,project,item,period,planned,actual\n"a,b,c,d,2024-01,1,2\n')
@example(
    b"portfolio,program,project,item,period,planned,actual\na,b,c,d,2024-01,"
    + b"9" * 200_000
    + b",1\n"
)
@example(
    b"portfolio,program,project,item,period,planned,actual\na,b,c,"
    + b"x" * 140_000
    + b",2024-01,1,2\n"
)
@example(b"portfolio,program,project,item,period,planned,planned,actual\na,b,c,d,2024-01,1,2,3\n")
@example(b"portfolio,program,project,item,period,planned,actual\n,,,,,,\n,,,,,,\n")
@example(b"portfolio,program,project,item,period,planned,actual\n=1,+2,-3,@4,2024-01,1,2\n")
def test_hostile_csv_load_or_input_error(data: bytes) -> None:
    check_loaded(load_or_input_error(data))


@pytest.mark.timeout(240)
@FUZZ
@given(st.one_of(plausible_csv(), plausible_csv(amount_faults=False)))
@example(
    b"portfolio,program,project,item,period,planned,actual\n"
    b"a,b,c,d,2024-01,1e308,1e308\na,b,c,e,2024-01,1e308,1e308\n"
)
@example(
    (
        "portfolio,program,project,item,period,planned,actual\n"
        "\u540d,\U0001f680,a / b,=cmd,2024-01,1,2\n"
    ).encode()
)
def test_plausible_csv_load_roll_up_and_alert(data: bytes) -> None:
    check_loaded(load_or_input_error(data))


@pytest.mark.timeout(240)
@settings(FUZZ, max_examples=max(1, FUZZ.max_examples // 4))
@given(hostile_xlsx())
def test_hostile_xlsx_load_or_input_error(data: bytes) -> None:
    check_loaded(load_or_input_error(data))


@st.composite
def raw_and_mapping(draw: st.DrawFn) -> tuple[bytes, dict[str, object]]:
    """A hostile file and a mapping drawn from its header (or from the default names)."""
    data = draw(st.one_of(hostile_csv(), plausible_csv(), hostile_xlsx()))
    header = data.split(b"\n", 1)[0].decode("utf-8", errors="replace").split(",")
    names = st.sampled_from([*header, *DEFAULT_COLUMNS])
    kwargs: dict[str, object] = {
        "levels": tuple(draw(st.lists(names, min_size=0, max_size=9))),
        "period": draw(st.one_of(st.none(), names)),
        "planned": draw(st.one_of(names, st.builds(lambda a, b: f"{a} - {b}", names, names))),
        "actual": draw(names),
        "measure": draw(st.sampled_from(("flow", "level"))),
        "sum_duplicates": draw(st.booleans()),
        "frequency": draw(st.sampled_from(("auto", "M", "Q", "Y"))),
    }
    return data, kwargs


@pytest.mark.timeout(240)
@FUZZ
@given(raw_and_mapping())
def test_read_raw_then_build_with_any_mapping(case: tuple[bytes, dict[str, object]]) -> None:
    data, kwargs = case
    try:
        raw = read_raw(data, name="fuzz.csv")
    except InputError as err:
        assert str(err).strip()
        return
    assert isinstance(raw.frame, pd.DataFrame)
    assert all(isinstance(c, str) for c in raw.frame.columns)
    assert raw.frame.map(lambda v: isinstance(v, str)).all().all(), "every raw cell is a str"
    try:
        mapping = ColumnMapping(**kwargs)  # type: ignore[arg-type]
        p = build_portfolio(raw, mapping)
    except InputError as err:
        assert str(err).strip()
        return
    check_loaded(p)


# Cases the fuzzing found, kept as plain examples (they must hold on every run).

HEADER = b"portfolio,program,project,item,period,planned,actual"


@pytest.mark.parametrize("line_end", [b"\r", b"\r\n", b"\n"])
def test_any_line_ending_loads_or_input_error(line_end: bytes) -> None:
    """Old Mac/Excel exports end lines with a bare CR."""
    body = line_end.join([HEADER, b"a,b,c,d,2024-01,1,2", b"a,b,c,d,2024-02,3,4", b""])
    result = load_or_input_error(body)
    check_loaded(result)


def test_amounts_whose_total_overflows_are_not_summed_silently() -> None:
    body = HEADER + b"\na,b,c,d,2024-01,1e308,1e308\na,b,c,e,2024-01,1e308,1e308\n"
    check_loaded(load_or_input_error(body))


def test_level_values_containing_the_separator_keep_nodes_apart() -> None:
    """("a / b", "c") and ("a", "b / c") are different paths; their node ids must differ."""
    body = HEADER + b"\na / b,c,d,e,2024-01,1,2\na,b / c,d,e,2024-01,10,20\n"
    check_loaded(load_or_input_error(body))
