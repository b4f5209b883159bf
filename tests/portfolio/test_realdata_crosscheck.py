"""Cross-checks of the rollup against the real portfolios' own figures, through the CLI.

IT Dashboard: for every project, the rolled-up variance (actual - planned) equals minus the file's
own ``Cost Variance ($ M)`` (the file reports planned - actual). NYC capital projects (measure
``level``, planned = ``Budget Forecast - Total Budget Changes``): every project's cumulative
variance at the last period equals the ``Total Budget Changes`` of its last report (see
docs/realdata.md). Expectations are computed here with plain pandas from the raw file.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from portfolio.rollup import ROOT, path_id

pytestmark = pytest.mark.realdata

SCRIPT = Path(sys.executable).with_name("cost-drift")
COMMAND = [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-m", "cli"]
ENV = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "TF_ENABLE_ONEDNN_OPTS": "0"}

IT_FLAGS = [
    "--levels",
    "Agency Name,Investment Title,Project ID",
    "--no-period",
    "--planned",
    "Planned Cost ($ M)",
    "--actual",
    "Projected/Actual Cost ($ M)",
]
NYC_FLAGS = [
    "--levels",
    "Managing Agency,Category,PID",
    "--period",
    "Date Reported As Of",
    "--planned",
    "Budget Forecast - Total Budget Changes",
    "--actual",
    "Budget Forecast",
    "--measure",
    "level",
]


def cli_json(*args: str) -> pd.DataFrame:
    done = subprocess.run(
        [*COMMAND, *args, "--format", "json"], capture_output=True, timeout=300, env=ENV
    )
    assert done.returncode == 0, done.stderr.decode()
    assert b"Traceback" not in done.stderr
    return pd.DataFrame(json.loads(done.stdout))


def key(*values: str) -> str:
    """Node id of a path; the loader trims spaces around level values (one title ends in one)."""
    return path_id([v.strip() for v in values])


def number(column: pd.Series) -> pd.Series:
    return pd.to_numeric(column.str.strip().replace("", np.nan))


def test_it_dashboard_variance_is_minus_the_files_cost_variance(it_dashboard_csv: Path) -> None:
    raw = pd.read_csv(it_dashboard_csv, dtype=str, keep_default_na=False)
    planned = number(raw["Planned Cost ($ M)"])
    actual = number(raw["Projected/Actual Cost ($ M)"])
    with_cost = planned.notna() | actual.notna()
    assert int((~with_cost).sum()) == 17
    projects = raw[with_cost]
    expected = pd.Series(
        -number(projects["Cost Variance ($ M)"]).to_numpy(),
        index=[
            key(a, i, p)
            for a, i, p in zip(
                projects["Agency Name"],
                projects["Investment Title"],
                projects["Project ID"],
                strict=True,
            )
        ],
    )
    assert expected.index.is_unique

    rolled = cli_json("rollup", str(it_dashboard_csv), *IT_FLAGS).set_index("node")
    leaves = rolled[rolled["level"] == 3]
    assert len(leaves) == len(expected) == 2451
    assert set(leaves.index) == set(expected.index)
    got = leaves.loc[expected.index, "variance"].to_numpy(dtype=float)
    np.testing.assert_allclose(got, expected.to_numpy(), rtol=0, atol=1e-6)
    np.testing.assert_allclose(
        leaves.loc[expected.index, "cum_variance"].to_numpy(dtype=float), got, atol=1e-9
    )
    # the parents add up too: the whole portfolio's variance is the sum over projects
    assert rolled.loc[ROOT, "variance"] == pytest.approx(expected.sum(), abs=1e-6)
    assert (rolled["period"] == "all").all()


def test_it_dashboard_validate_reports_the_rows_without_cost(it_dashboard_csv: Path) -> None:
    done = subprocess.run(
        [*COMMAND, "validate", str(it_dashboard_csv), *IT_FLAGS, "--period-label", "2012"],
        capture_output=True,
        timeout=300,
        env=ENV,
    )
    out = done.stdout.decode()
    assert done.returncode == 0, done.stderr.decode()
    assert "Rows read: 2,468" in out and "Rows used: 2,451" in out
    assert "Rows rejected: 17" in out and "17 rows with no cost figures" in out
    alerts = cli_json("alerts", str(it_dashboard_csv), *IT_FLAGS, "--period-label", "2012")
    assert set(alerts["period"]) == {"2012"}
    assert set(alerts["status"]) == {"green", "amber", "red"}


def test_nyc_loads_as_levels_and_cumulative_variance_is_the_budget_change(
    nyc_capital_csv: Path,
) -> None:
    raw = pd.read_csv(nyc_capital_csv, dtype=str, keep_default_na=False)
    raw["forecast"] = number(raw["Budget Forecast"])
    raw["change"] = number(raw["Total Budget Changes"]).fillna(0.0)
    raw["date"] = pd.to_datetime(raw["Date Reported As Of"], format="%m/%d/%Y %I:%M:%S %p")
    reported = raw[raw["forecast"].notna()].sort_values("date", kind="stable")
    last = reported.groupby("PID").tail(1)
    expected = pd.Series(
        last["change"].to_numpy(),
        index=[
            key(a, c, p)
            for a, c, p in zip(last["Managing Agency"], last["Category"], last["PID"], strict=True)
        ],
    )
    assert len(expected) == 367

    rolled = cli_json("rollup", str(nyc_capital_csv), *NYC_FLAGS)
    periods = sorted(rolled["period"].unique())
    assert periods[0] == "2013-Q3" and periods[-1] == "2019-Q3" and len(periods) == 25
    final = rolled[(rolled["period"] == periods[-1]) & (rolled["level"] == 3)].set_index("node")
    assert set(final.index) == set(expected.index)
    np.testing.assert_allclose(
        final.loc[expected.index, "cum_variance"].to_numpy(dtype=float),
        expected.to_numpy(),
        rtol=1e-9,
        atol=1e-3,
    )
    # the cumulative actual of a level measure is the last reported forecast
    forecast = pd.Series(last["forecast"].to_numpy(), index=expected.index)
    np.testing.assert_allclose(
        final.loc[expected.index, "cum_actual"].to_numpy(dtype=float),
        forecast.to_numpy(),
        rtol=1e-9,
        atol=1e-3,
    )
