"""Plan versions on the command line: --baseline, plan-changes, and the NYC original budget.

The NYC capital projects file is the real case (docs/realdata.md): the current plan is the budget
in force before each report's latest change (``Budget Forecast - Latest Budget Changes``), the
baseline the original budget (``Budget Forecast - Total Budget Changes``) and the actual the
reported forecast (``Budget Forecast``). Every figure is checked against plain pandas.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from portfolio.planversions import PLAN_CHANGE_COLUMNS, REBASELINED_COLUMNS
from portfolio.rollup import BASELINE_COLUMNS, ROLLUP_COLUMNS

SCRIPT = Path(sys.executable).with_name("cost-drift")
COMMAND = [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-m", "cli"]
ENV = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "TF_ENABLE_ONEDNN_OPTS": "0"}

NYC_FLAGS = [
    "--levels",
    "Managing Agency,Category,PID",
    "--period",
    "Date Reported As Of",
    "--measure",
    "level",
    "--planned",
    "Budget Forecast - Latest Budget Changes",
    "--actual",
    "Budget Forecast",
    "--baseline",
    "Budget Forecast - Total Budget Changes",
]
SMALL = (
    "program,project,month,plan,original,spend\n"
    "Ops,Net,2024-01,100,100,110\n"
    "Ops,Net,2024-02,140,100,150\n"
    "Ops,Srv,2024-01,50,50,50\n"
    "Ops,Srv,2024-02,50,n/a,45\n"
)
SMALL_FLAGS = ["--levels", "program,project", "--period", "month", "--planned", "plan"]
SMALL_FLAGS += ["--actual", "spend"]


def run(*args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([*COMMAND, *args], capture_output=True, timeout=300, env=ENV)


def read(out: bytes) -> pd.DataFrame:
    return pd.read_csv(io.BytesIO(out), keep_default_na=False, na_values=[""])


def _nyc_latest(path: Path, upto: pd.Period | None = None) -> pd.DataFrame:
    """Each project's last report (by the end of ``upto`` when given), in plain pandas."""
    ref = pd.read_csv(path)
    ref["date"] = pd.to_datetime(ref["Date Reported As Of"], format="%m/%d/%Y %I:%M:%S %p")
    ref = ref.dropna(subset=["Budget Forecast"])  # no cost figure: left out by the loader
    if upto is not None:
        ref = ref[ref["date"].dt.to_period("Q") <= upto]
    ref = ref.sort_values(["PID", "date"]).drop_duplicates("PID", keep="last")
    ref["current"] = ref["Budget Forecast"] - ref["Latest Budget Changes"].fillna(0)
    ref["original"] = ref["Budget Forecast"] - ref["Total Budget Changes"].fillna(0)
    return ref


@pytest.mark.realdata
def test_nyc_baseline_through_the_cli_matches_pandas(nyc_capital_csv: Path):
    done = run("plan-changes", str(nyc_capital_csv), *NYC_FLAGS, "--latest")
    assert done.returncode == 0, done.stderr.decode()
    table = read(done.stdout)
    assert tuple(table.columns) == REBASELINED_COLUMNS
    ref = _nyc_latest(nyc_capital_csv)
    agencies = table[table["level"] == 1].set_index("node")
    want = ref.groupby("Managing Agency")[["current", "original", "Budget Forecast"]].sum()
    assert sorted(agencies.index) == sorted(want.index)
    for agency, row in want.iterrows():
        got = agencies.loc[agency]
        assert got["cum_planned"] == pytest.approx(row["current"], rel=1e-9)
        assert got["cum_baseline"] == pytest.approx(row["original"], rel=1e-9)
        assert got["cum_plan_change"] == pytest.approx(row["current"] - row["original"], rel=1e-9)
        assert got["cum_baseline_variance"] == pytest.approx(
            row["Budget Forecast"] - row["original"], rel=1e-9, abs=1e-3
        )
    root = table[table["node"] == "All"].iloc[0]
    total_changes = ref["Total Budget Changes"].fillna(0).sum()
    latest_changes = ref["Latest Budget Changes"].fillna(0).sum()
    assert root["cum_baseline_variance"] == pytest.approx(total_changes, rel=1e-9)
    assert root["cum_variance"] == pytest.approx(latest_changes, rel=1e-9)
    assert root["period"] == "2019-Q3"
    # drift hidden by re-baselining: against the current plan far less than against the baseline
    assert abs(root["cum_variance"]) < abs(root["cum_baseline_variance"])


@pytest.mark.realdata
def test_nyc_rollup_gains_the_baseline_columns_per_period(nyc_capital_csv: Path):
    done = run("rollup", str(nyc_capital_csv), *NYC_FLAGS)
    assert done.returncode == 0, done.stderr.decode()
    rolled = read(done.stdout)
    assert tuple(rolled.columns) == (*ROLLUP_COLUMNS, *BASELINE_COLUMNS)
    cut = pd.Period("2016Q2", "Q")
    ref = _nyc_latest(nyc_capital_csv, upto=cut)
    upto = rolled[(rolled["level"] == 2) & (rolled["period"] <= "2016-Q2")]
    got = upto.groupby("node")[["baseline", "planned"]].sum()
    ref["node"] = ref["Managing Agency"] + " / " + ref["Category"]
    want = ref.groupby("node")[["original", "current"]].sum()
    assert sorted(got.index[(got != 0).any(axis=1)]) == sorted(want.index[(want != 0).any(axis=1)])
    for node, row in want.iterrows():
        assert got.loc[node, "baseline"] == pytest.approx(row["original"], rel=1e-9, abs=1e-3)
        assert got.loc[node, "planned"] == pytest.approx(row["current"], rel=1e-9, abs=1e-3)
    gap = rolled["actual"] - rolled["baseline"]
    assert np.allclose(rolled["baseline_variance"], gap, rtol=1e-9, atol=1e-3)


def test_rollup_columns_are_unchanged_without_a_baseline(tmp_path: Path):
    path = tmp_path / "small.csv"
    path.write_text(SMALL.replace("n/a", "50"), encoding="utf-8")
    done = run("rollup", str(path), *SMALL_FLAGS)
    assert done.returncode == 0, done.stderr.decode()
    assert tuple(read(done.stdout).columns) == ROLLUP_COLUMNS
    alerts = run("alerts", str(path), *SMALL_FLAGS, "--baseline", "original")
    assert alerts.returncode == 0, alerts.stderr.decode()
    columns = tuple(read(alerts.stdout).columns)
    assert columns == (*ROLLUP_COLUMNS, *BASELINE_COLUMNS, "status")


def test_plan_changes_per_period_by_hand(tmp_path: Path):
    path = tmp_path / "small.csv"
    path.write_text(SMALL.replace("n/a", "50"), encoding="utf-8")
    done = run("plan-changes", str(path), *SMALL_FLAGS, "--baseline", "original")
    assert done.returncode == 0, done.stderr.decode()
    table = read(done.stdout)
    assert tuple(table.columns) == PLAN_CHANGE_COLUMNS
    net = table[table["node"] == "Ops / Net"]
    assert net["plan_change"].tolist() == [0.0, 40.0]
    assert net["cum_baseline_variance"].tolist() == [10.0, 60.0]


def test_a_baseline_that_is_not_numeric_exits_2_naming_column_and_row(tmp_path: Path):
    path = tmp_path / "small.csv"
    path.write_text(SMALL, encoding="utf-8")
    done = run("rollup", str(path), *SMALL_FLAGS, "--baseline", "original")
    assert done.returncode == 2
    err = done.stderr.decode()
    assert "original" in err and "row 5" in err and "n/a" in err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--baseline", "origin"], "Did you mean 'original'"),
        (["--baseline", "plan"], "same as the planned amount"),
        ([], "needs the baseline plan column"),
    ],
)
def test_bad_baseline_flags_exit_2(tmp_path: Path, flags: list[str], message: str):
    path = tmp_path / "small.csv"
    path.write_text(SMALL.replace("n/a", "50"), encoding="utf-8")
    done = run("plan-changes", str(path), *SMALL_FLAGS, *flags)
    assert done.returncode == 2, done.stdout
    assert message in done.stderr.decode()


def test_report_has_a_plan_versions_section_only_with_a_baseline(tmp_path: Path):
    path = tmp_path / "small.csv"
    path.write_text(SMALL.replace("n/a", "50"), encoding="utf-8")
    with_base, without = tmp_path / "with.html", tmp_path / "without.html"
    done = run("report", str(path), *SMALL_FLAGS, "--baseline", "original", "--out", str(with_base))
    assert done.returncode == 0, done.stderr.decode()
    assert run("report", str(path), *SMALL_FLAGS, "--out", str(without)).returncode == 0
    page = with_base.read_text(encoding="utf-8")
    assert "<h2>Plan changes against the baseline (largest first)</h2>" in page
    assert "plan change 40.00" in page
    assert "Plan changes against the baseline" not in without.read_text(encoding="utf-8")
