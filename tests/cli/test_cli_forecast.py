"""``cost-drift forecast`` in a subprocess with tiny models: exit codes, JSON, CSV, bundles."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from forecasting.tuning import TUNING_COLUMNS
from workflows.forecast_tables import MONEY_COLUMNS

SCRIPT = Path(sys.executable).with_name("cost-drift")
COMMAND = [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-m", "cli"]
ENV = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "TF_ENABLE_ONEDNN_OPTS": "0"}
TINY = ["--layers", "1", "--units", "4", "--epochs", "2", "--members", "2", "--lookback", "6"]
TINY += ["--horizon", "2", "--quiet"]
MAPPING = ["--levels", "program,project"]


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*COMMAND, "forecast", *args], capture_output=True, text=True, timeout=900, env=ENV
    )


def _write_programs(path: Path, projects: dict[str, list[str]]) -> Path:
    """30 months of seasonal planned spend and a growing overrun for each program's projects."""
    rows = []
    for p_i, (program, names) in enumerate(projects.items()):
        for j, project in enumerate(names):
            scale = 1000.0 * (1 + p_i + 3 * j)
            for t in range(30):
                planned = scale * (1 + 0.3 * math.sin(2 * math.pi * t / 12))
                actual = planned * (1 + 0.01 * t) + 37.0 * ((t * 7 + j) % 5)
                period = f"{2022 + t // 12}-{t % 12 + 1:02d}"
                rows.append((program, project, period, round(planned, 2), round(actual, 2)))
    frame = pd.DataFrame(rows, columns=["program", "project", "period", "planned", "actual"])
    frame.to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def csv_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cli") / "small.csv"
    return _write_programs(path, {"Ops": ["Alpha", "Beta"], "Dev": ["Alpha", "Beta"]})


@pytest.fixture(scope="module")
def json_run(csv_file: Path, tmp_path_factory: pytest.TempPathFactory):
    model = tmp_path_factory.mktemp("saved") / "model"
    proc = _cli(
        str(csv_file), *MAPPING, *TINY, "--backtest", "2", "--format", "json", "--save", str(model)
    )
    return proc, model


def test_json_has_the_documented_tables_with_stable_names(json_run) -> None:
    proc, model = json_run
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert list(out) == ["forecast", "backtest", "members", "outlook", "tuning"]
    assert all(isinstance(v, list) and v for v in out.values())
    # TINY leaves the learning rate automatic: the search tried the grid's two rates.
    tuning = pd.DataFrame(out["tuning"])
    assert list(tuning.columns) == TUNING_COLUMNS
    assert {"lookback", "units", "learning_rate", "score", "status"} <= set(TUNING_COLUMNS)
    assert sorted(tuning["learning_rate"]) == [0.001, 0.003]
    assert set(tuning["units"]) == {4} and set(tuning["lookback"]) == {6}
    chosen = tuning[tuning["status"] == "chosen"]
    assert len(chosen) == 1 and chosen["score"].iloc[0] == tuning["score"].min()
    rate = f"learning rate {chosen['learning_rate'].iloc[0]:g}"
    # two networks take turns at the chosen lookback and a second one (the saved model's)
    saved = json.loads((model / "bundle.json").read_text())
    partner = saved["members"][1]["lookback"]
    assert [m["lookback"] for m in saved["members"]] == [6, partner] and partner in (3, 12)
    shares = f"lookbacks 6 and {partner} (1 at 6, 1 at {partner} networks)"
    assert f"trained with {shares}, horizon 2, 1 layer of 4 units, {rate}" in proc.stderr
    assert "the lowest validation error" in proc.stderr
    assert set(out["backtest"][0]) == {"node", "model", "rmse", "mae", "mase", "coverage", "width"}
    assert {r["model"] for r in out["backtest"]} == {
        "lstm",
        "naive",
        "seasonal_naive",
        "mean",
        "drift",
        "rate_naive",
        "auto_arima",
        "auto_ets",
        "combo",
    }
    assert set(out["forecast"][0]) == {
        *("node", "period", "step", "median", "lower", "upper", "planned", "planned_source"),
        *("model", "lstm_median", "spread_lower", "spread_upper"),
    }
    # the file has no plan ahead: every forecast period's plan is the forecast's assumption
    assert {r["planned_source"] for r in out["forecast"]} == {"assumed"}
    assert {r["planned_source"] for r in out["outlook"]} == {"assumed"}
    assert "cost-drift: Plan ahead: your file has no plan for " in proc.stderr
    # money is written at the file's places (cents), without float noise
    for key, columns in MONEY_COLUMNS.items():
        for row in out.get(key, []):
            for col in columns:
                value = row.get(col)
                if isinstance(value, float):
                    assert round(value, 2) == value, (key, col, value)
    models = {r["node"]: r["model"] for r in out["forecast"]}
    assert models["All"] == "bottom-up" and models["Ops / Alpha"] in {
        r["model"] for r in out["backtest"]
    }
    assert set(out["members"][0]) == {
        "node",
        "rmse_mean",
        "rmse_std",
        "rmse_seed_std",
        "rmse_min",
        "rmse_max",
    }
    nodes = {r["node"] for r in out["forecast"]}
    # default level, as in the app: the deepest level with at most 60 nodes (the projects),
    # plus their programs and the root bottom-up
    projects = {f"{p} / {j}" for p in ("Ops", "Dev") for j in ("Alpha", "Beta")}
    assert nodes == {"All", "Ops", "Dev", *projects}
    assert {r["period"] for r in out["forecast"]} == {"2024-07", "2024-08"}
    assert "best baseline" in proc.stderr and "Backtest winners per node" in proc.stderr  # verdict


def test_saved_model_is_reused_with_load(json_run, csv_file: Path) -> None:
    proc, model = json_run
    assert (model / "bundle.json").exists()
    again = _cli(
        str(csv_file), *MAPPING, "--load", str(model), "--backtest", "0", "--format", "json"
    )
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["tuning"] == []  # a saved model: nothing was searched
    assert "A saved model was used" in again.stderr
    # the LSTM reproduces; the shown model differs (without a backtest it is the LSTM itself)
    lstm = ["node", "period", "step", "lstm_median", "spread_lower", "spread_upper"]
    first = pd.DataFrame(json.loads(proc.stdout)["forecast"])[lstm]
    second = pd.DataFrame(json.loads(again.stdout)["forecast"])
    pd.testing.assert_frame_equal(first, second[lstm])
    leaves = second[second["node"].str.contains(" / ")]
    assert set(leaves["model"]) == {"lstm"}
    np.testing.assert_allclose(leaves["median"], leaves["lstm_median"])


def test_a_forced_model_and_interval(csv_file: Path) -> None:
    loud = [a for a in TINY if a != "--quiet"]  # progress on: stderr is a pipe here
    proc = _cli(
        str(csv_file), *MAPPING, *loud, "--members", "1", "--backtest", "3", "--model", "naive",
        "--interval", "60", "--format", "json",
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    forecast = pd.DataFrame(json.loads(proc.stdout)["forecast"])
    leaves = forecast[forecast["node"].str.contains(" / ")]
    assert set(leaves["model"]) == {"naive"}
    raw = pd.read_csv(csv_file)
    last = raw[(raw.program == "Ops") & (raw.project == "Alpha")].iloc[-1]
    alpha = leaves[leaves["node"] == "Ops / Alpha"]
    np.testing.assert_allclose(alpha["median"], last["actual"] - last["planned"], rtol=1e-9)
    assert (alpha["upper"] > alpha["median"]).all()
    assert "Shown: naive at every node" in proc.stderr
    # Not a terminal: a line as each network starts, no bar redrawn per epoch.
    assert "\r" not in proc.stderr
    lines = proc.stderr.splitlines()
    for stage in ("backtest", "final"):
        started = [ln for ln in lines if ln.startswith(f"{stage} network 1/1 training (")]
        assert len(started) == 1, proc.stderr


def test_csv_writes_the_other_tables_beside_out(csv_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "fc.csv"
    proc = _cli(
        str(csv_file),
        *MAPPING,
        *TINY,
        "--members",
        "1",
        "--node",
        "Ops / Beta",
        "--backtest",
        "1",
        "--out",
        str(out),
    )
    assert proc.returncode == 0, proc.stderr
    forecast = pd.read_csv(out)
    assert set(forecast["node"]) == {"Ops / Beta"}
    assert list(forecast.columns[:6]) == ["node", "period", "step", "median", "lower", "upper"]
    assert set(pd.read_csv(tmp_path / "fc_backtest.csv")["model"]) >= {"lstm", "naive"}
    assert len(pd.read_csv(tmp_path / "fc_members.csv")) == 1
    assert "first_red_period" in pd.read_csv(tmp_path / "fc_outlook.csv").columns
    tuning = pd.read_csv(tmp_path / "fc_tuning.csv")
    assert (tuning["status"] == "chosen").sum() == 1


@pytest.mark.parametrize(
    ("flags", "words"),
    [
        (["--layers", "5"], "'layers' must be a whole number from 1 to 3"),
        (["--horizon", "soon"], "invalid int value"),
        (["--level", "7"], "level must be from 0"),
        (["--node", "Nope"], "'Nope' is not a node"),
        (["--load", "/nonexistent/model"], "not a usable Cost Drift model"),
        (["--backtest", "-1"], "0 or more"),
        (["--scaler", "robust"], "invalid choice"),
        (["--loss", "hinge"], "invalid choice"),
        (["--tune-seconds", "-2"], "'tune_seconds' must be a number from 0.0 to 3600.0"),
        (["--model", "prophet"], "invalid choice"),
        (["--interval", "99"], "--interval must be from 50 to 95"),
        (["--node", "Ops / Beta", "--level", "1"], "give one or the other"),
        (["--node", "ops/beta"], "Did you mean 'Ops / Beta'?"),
    ],
)
def test_bad_flags_exit_2_with_a_message(csv_file: Path, flags: list[str], words: str) -> None:
    # a saved model keeps its own settings: model flags beside --load are refused themselves
    tiny = ["--quiet"] if "--load" in flags else TINY
    proc = _cli(str(csv_file), *MAPPING, *tiny, *flags)
    assert proc.returncode == 2, (proc.returncode, proc.stderr)
    assert words in proc.stderr
    assert "Traceback" not in proc.stderr


def test_bad_input_file_exits_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("program,project,period,planned,actual\nOps,A,2024-01,abc,1\n")
    proc = _cli(str(bad), *MAPPING, *TINY)
    assert proc.returncode == 2
    assert "planned" in proc.stderr and "Traceback" not in proc.stderr


def test_reconcile_models_every_level_and_returns_coherent_forecasts(tmp_path: Path) -> None:
    projects = {"Ops": ["Alpha", "Beta", "Gamma"], "Dev": ["Alpha", "Beta"]}
    path = _write_programs(tmp_path / "three_levels.csv", projects)

    proc = _cli(
        str(path), *MAPPING, *TINY, "--level", "2", "--reconcile", "mint", "--backtest", "2",
        "--format", "json",
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    forecast = pd.DataFrame(json.loads(proc.stdout)["forecast"])
    median = forecast.set_index(["node", "step"])["median"]
    ops = [f"Ops / {p}" for p in ("Alpha", "Beta", "Gamma")]
    dev = ["Dev / Alpha", "Dev / Beta"]
    assert set(forecast["node"]) == {"All", "Ops", "Dev", *ops, *dev}
    for step in (1, 2):
        for parent, kids in (("Ops", ops), ("Dev", dev), ("All", ["Ops", "Dev"])):
            total = sum(median[(k, step)] for k in kids)
            # written at cents: each figure is within half a cent of the exact coherent one
            slack = 0.005 * (len(kids) + 1)
            assert median[(parent, step)] == pytest.approx(total, abs=slack), (parent, step)
    assert (forecast["lower"] <= forecast["median"]).all()
    assert (forecast["median"] <= forecast["upper"]).all()
    # Without --reconcile only the projects are modelled and summed up; with it every level is
    # modelled and reconciled, so the projects' forecasts are not the same numbers.
    plain = _cli(str(path), *MAPPING, *TINY, "--level", "2", "--backtest", "0", "--format", "json")
    assert plain.returncode == 0, plain.stderr
    summed = pd.DataFrame(json.loads(plain.stdout)["forecast"]).set_index(["node", "step"])
    assert set(summed.index) == set(median.index)
    leaves = [(n, k) for n in ops + dev for k in (1, 2)]
    assert not np.allclose(median.loc[leaves], summed["median"].loc[leaves], rtol=1e-6)


def test_twelve_quarters_forecast_with_the_default_flags(tmp_path: Path) -> None:
    rows = []
    for j, project in enumerate(("Alpha", "Beta", "Gamma")):
        for t in range(12):
            planned = 1000.0 * (1 + j) * (1 + 0.2 * (t % 4))
            period = f"{2022 + t // 4}-Q{t % 4 + 1}"
            rows.append(("Ops", project, period, planned, planned * (1 + 0.02 * t) + 13 * (t % 3)))
    path = tmp_path / "quarters.csv"
    pd.DataFrame(rows, columns=["program", "project", "period", "planned", "actual"]).to_csv(
        path, index=False
    )
    proc = _cli(str(path), *MAPPING, "--format", "json")
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert list(out) == ["forecast", "backtest", "members", "outlook", "tuning"]
    assert {r["period"] for r in out["forecast"]} == {"2025-Q1", "2025-Q2", "2025-Q3"}
    chosen = [r for r in out["tuning"] if r["status"].startswith("chosen")]
    assert len(chosen) == 1 and chosen[0]["lookback"] == 4, out["tuning"]
    projects = {"Ops / Alpha", "Ops / Beta", "Ops / Gamma"}  # the default level, and above it
    assert {r["node"] for r in out["forecast"]} == {"All", "Ops", *projects}
    assert "The backtest used 3 cut-off(s), not 6" in proc.stderr
    # the automatic choice, said once (the verdict leaves it to the lines below it)
    assert proc.stderr.count("Automatic settings") == 1, proc.stderr
    assert "Automatic settings: lookback 4, " in proc.stderr and ", horizon 3, " in proc.stderr
