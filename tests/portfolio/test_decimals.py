"""Amounts summed exactly at the input's precision: no binary noise in the rollup's figures."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

from portfolio.decimals import MAX_DECIMALS, decimals_of, widest
from portfolio.load import load_portfolio
from portfolio.mapping import ColumnMapping
from portfolio.rollup import ROOT, rollup, rollup_portfolio

FIGURES = ["planned", "actual", "variance", "cum_planned", "cum_actual", "cum_variance"]

# Float sums of these show noise: 1233084.45 + 1230866.54 + 1218781.04 = 3682732.0300000003,
# 0.1 + 0.2 = 0.30000000000000004, 0.7 + 0.2 = 0.8999999999999999.
NOISY = (
    "portfolio,program,period,planned,actual\n"
    "P,A,2024-01,1233084.45,0.1\n"
    "P,A,2024-02,1230866.54,0.2\n"
    "P,B,2024-01,1218781.04,0.7\n"
    "P,B,2024-02,1.1,0.2\n"
)
MAPPING = ColumnMapping(levels=("portfolio", "program"))


def test_decimals_of_finds_the_fewest_places() -> None:
    assert decimals_of(np.array([1.0, 20.0, -3.0])) == 0
    assert decimals_of(np.array([4517914.78, 0.1, 12.0])) == 2
    assert decimals_of(np.array([0.125, np.nan, 0.0])) == 3
    assert decimals_of(np.array([], dtype=float)) == 0
    assert decimals_of(np.array([1e-12])) is None  # more than MAX_DECIMALS places
    assert decimals_of(np.array([1 / 3])) is None
    assert decimals_of(np.array([np.inf])) is None
    assert decimals_of(np.array([10.0**-MAX_DECIMALS])) == MAX_DECIMALS
    assert widest(2, 0) == 2 and widest(2, None) is None and widest() == 0


def test_the_loader_records_the_places_of_the_amounts() -> None:
    p = load_portfolio(NOISY.encode(), MAPPING, name="noisy.csv")
    assert p.decimals == 2
    whole = load_portfolio(NOISY.replace(".", "").encode(), MAPPING, name="whole.csv")
    assert whole.decimals == 0
    # "A - B": the places of both columns
    combined = "p,period,budget,changes,actual\nX,2024-01,100,0.125,90\n"
    m = ColumnMapping(levels=("p",), planned="budget - changes")
    assert load_portfolio(combined.encode(), m, name="c.csv").decimals == 3


def _exact_sums(csv: str) -> dict[tuple[str, str], tuple[Decimal, Decimal]]:
    raw = pd.read_csv(pd.io.common.StringIO(csv), dtype=str)
    out: dict[tuple[str, str], tuple[Decimal, Decimal]] = {}
    for _, r in raw.iterrows():
        for node in (ROOT, r["portfolio"], f"{r['portfolio']} / {r['program']}"):
            p, a = out.get((node, r["period"]), (Decimal(0), Decimal(0)))
            out[(node, r["period"])] = (p + Decimal(r["planned"]), a + Decimal(r["actual"]))
    return out


def test_rollup_figures_are_the_exact_decimal_sums() -> None:
    rolled = rollup_portfolio(load_portfolio(NOISY.encode(), MAPPING, name="noisy.csv"))
    exact = _exact_sums(NOISY)
    for (node, period), (p, a) in exact.items():
        row = rolled[(rolled["node"] == node) & (rolled["period"] == period)].iloc[0]
        assert row["planned"] == float(p) and row["actual"] == float(a)
        assert row["variance"] == float(a - p)
    root = rolled[rolled["node"] == ROOT].set_index("period")
    assert root.loc["2024-01", "planned"] == 2451865.49
    assert root.loc["2024-02", "cum_planned"] == 3682733.13
    assert root.loc["2024-01", "actual"] == 0.8  # 0.1 + 0.7, not 0.7999999999999999
    assert root.loc["2024-02", "cum_actual"] == 1.2
    # written as the analyst would write them
    text = rolled.to_csv(index=False)
    assert "3682733.13," in text and "3682733.1300000004" not in text
    assert "0.8999999999999999" not in text and "0.30000000000000004" not in text


def test_many_rows_of_cents_sum_exactly() -> None:
    rng = np.random.default_rng(7)
    n = 20_000
    cents = rng.integers(-(10**8), 10**9, size=(n, 2))
    data = pd.DataFrame(
        {
            "program": rng.choice(["A", "B", "C"], size=n),
            "item": [f"i{k}" for k in range(n)],
            "period": rng.choice(["2024-01", "2024-02", "2024-03"], size=n),
            "planned": cents[:, 0] / 100,
            "actual": cents[:, 1] / 100,
        }
    )
    rolled = rollup(data, ["program", "item"], ["2024-01", "2024-02", "2024-03"])
    root = rolled[rolled["node"] == ROOT]
    by_period = data.assign(p=cents[:, 0], a=cents[:, 1]).groupby("period")[["p", "a"]].sum()
    cum = by_period.cumsum()
    for _, r in root.iterrows():
        assert r["planned"] == int(by_period.loc[r["period"], "p"]) / 100
        assert r["cum_actual"] == int(cum.loc[r["period"], "a"]) / 100
        cum_var = int(cum.loc[r["period"], "a"] - cum.loc[r["period"], "p"])
        assert r["cum_variance"] == cum_var / 100
    for col in FIGURES:  # every figure is a whole number of cents
        assert decimals_of(rolled[col].to_numpy()) in (0, 1, 2)


def test_a_level_measure_differences_without_noise() -> None:
    csv = (
        "p,period,planned,actual\n"
        "X,2024-01,100000.1,100000.1\n"
        "X,2024-02,100000.3,100000.2\n"
        "X,2024-03,100000.6,100000.7\n"
    )
    m = ColumnMapping(levels=("p",), measure="level")
    p = load_portfolio(csv.encode(), m, name="lvl.csv")
    assert p.decimals == 1
    # the loaded flows themselves (what a lake export of the data holds) carry no noise
    assert p.data["planned"].tolist() == [100000.1, 0.2, 0.3]
    assert p.data["actual"].tolist() == [100000.1, 0.1, 0.5]
    rolled = rollup_portfolio(p)
    x = rolled[rolled["node"] == "X"].set_index("period")
    assert x["planned"].tolist() == [100000.1, 0.2, 0.3]
    assert x["actual"].tolist() == [100000.1, 0.1, 0.5]
    assert x["cum_planned"].tolist() == [100000.1, 100000.3, 100000.6]
    assert x["variance"].tolist() == [0.0, -0.1, 0.2]


def test_more_places_than_money_has_keep_float_sums() -> None:
    data = pd.DataFrame(
        {
            "program": ["A", "A", "A"],
            "period": ["2024-01"] * 3,
            "planned": [1 / 3, 1 / 3, 1 / 3],
            "actual": [0.1, 0.2, -0.3],
        }
    )
    rolled = rollup(data, ["program"], ["2024-01"])
    a = rolled[rolled["node"] == "A"].iloc[0]
    assert a["planned"] == pytest.approx(1.0, abs=1e-12)
    assert a["actual"] == 0.0  # the float path still snaps noise to zero


def test_totals_beyond_exact_floats_are_rounded_to_the_places() -> None:
    # 2**53 cents is about 90 trillion: beyond it the sums are floats rounded to 2 places
    big = 6e13
    data = pd.DataFrame(
        {
            "program": ["A", "A", "B"],
            "period": ["2024-01"] * 3,
            "planned": [big + 0.01, big + 0.02, 0.05],
            "actual": [0.1, 0.2, 0.3],
        }
    )
    rolled = rollup(data, ["program"], ["2024-01"], decimals=2)
    root = rolled[rolled["node"] == ROOT].iloc[0]
    assert root["actual"] == 0.6
    assert root["planned"] == pytest.approx(2 * big + 0.08, rel=1e-15)
    assert decimals_of(rolled["actual"].to_numpy()) == 1
