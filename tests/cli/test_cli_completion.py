"""``cost-drift eac`` and ``cost-drift explain`` in a subprocess: columns, figures, exit codes."""

from __future__ import annotations

import io
import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

SCRIPT = Path(sys.executable).with_name("cost-drift")
COMMAND = [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-m", "cli"]
ENV = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "TF_ENABLE_ONEDNN_OPTS": "0"}
EAC_COLUMNS = [
    "node",
    "level",
    "bac",
    "planned_to_date",
    "actual_to_date",
    "remaining_plan",
    "completion_period",
    "eac_plan",
    "spend_index",
    "eac_rate",
    "vac_plan",
    "vac_rate",
]
FORECAST_COLUMNS = ["eac_forecast", "eac_lower", "eac_upper", "vac_forecast"]
STATUS_COLUMNS = ["status", "eac_basis"]
BACKTEST_COLUMNS = ["cutoff", "method", "items", "mae", "wape", "bias"]
EXPLAIN_COLUMNS = ["node", "child", "variance", "share"]
SMALL = """program,project,month,planned,actual
Ops,Net,2024-01,100,110
Ops,Net,2024-02,100,130
Ops,Net,2024-03,100,120
Ops,Net,2024-04,100,
Ops,Net,2024-05,50,
Ops,Srv,2024-01,50,40
Ops,Srv,2024-02,50,70
Ops,Srv,2024-03,0,0
Dev,New,2024-01,0,0
Dev,New,2024-02,0,0
Dev,New,2024-03,0,5
Dev,New,2024-04,80,
"""
LEVELS = ["--levels", "program,project"]


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*COMMAND, *args], capture_output=True, text=True, timeout=900, env=ENV)


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("eac") / "small.csv"
    path.write_text(SMALL, encoding="utf-8")
    return path


def test_eac_csv_has_the_documented_columns_and_figures(small: Path, tmp_path: Path) -> None:
    out = tmp_path / "eac.csv"
    proc = _cli("eac", str(small), *LEVELS, "--period", "month", "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    table = pd.read_csv(out)
    assert list(table.columns) == [*EAC_COLUMNS, *STATUS_COLUMNS]
    net = table.set_index("node").loc["Ops / Net"]
    assert (net["bac"], net["eac_plan"], net["eac_rate"], net["vac_rate"]) == (450, 510, 540, -90)
    assert math.isnan(table.set_index("node").loc["Dev / New", "spend_index"])
    backtest = pd.read_csv(tmp_path / "eac_backtest.csv")
    assert list(backtest.columns) == BACKTEST_COLUMNS
    assert "as of 2024-03" in proc.stderr and "plan method came closer" in proc.stderr


def test_eac_json_has_the_four_keys(small: Path) -> None:
    proc = _cli("eac", str(small), *LEVELS, "--period", "month", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    payload = json.loads(proc.stdout)
    assert list(payload) == ["eac", "backtest", "notes", "verdict"]
    assert list(payload["eac"][0]) == [*EAC_COLUMNS, *STATUS_COLUMNS]
    assert payload["eac"][0]["node"] == "All" and payload["eac"][0]["bac"] == 630
    assert isinstance(payload["verdict"], str) and payload["notes"]


def test_explain_children_leaves_and_windows(small: Path) -> None:
    flags = [str(small), *LEVELS, "--period-column", "month"]
    proc = _cli("explain", *flags, "--node", "All")
    assert proc.returncode == 0, proc.stderr
    table = pd.read_csv(io.StringIO(proc.stdout))
    assert list(table.columns) == EXPLAIN_COLUMNS
    assert table["child"].tolist() == ["Ops", "Dev"] and table["variance"].sum() == 75
    assert table["share"].sum() == pytest.approx(1.0)
    leaves = pd.read_csv(io.StringIO(_cli("explain", *flags, "--node", "All", "--leaves").stdout))
    assert set(leaves["child"]) == {"Ops / Net", "Ops / Srv", "Dev / New"}
    one = _cli("explain", *flags, "--node", "Ops", "--period", "2024-03")
    assert pd.read_csv(io.StringIO(one.stdout))["variance"].tolist() == [20, 0]
    change = _cli("explain", *flags, "--node", "Ops", "--since", "2024-01")
    assert pd.read_csv(io.StringIO(change.stdout)).set_index("child")["variance"].to_dict() == {
        "Ops / Net": 50,
        "Ops / Srv": 20,
    }


def test_eac_and_explain_print_sums_of_cents_as_cents() -> None:
    # the sample's amounts have cents: differences of exact sums must not print float noise
    sample = str(Path(__file__).resolve().parents[2] / "sample_data" / "sample_portfolio.csv")
    eac = _cli("eac", sample)
    node = "Enterprise IT / Applications"
    explain = _cli("explain", sample, "--node", node, "--since", "2025-06")
    assert eac.returncode == 0 and explain.returncode == 0, eac.stderr + explain.stderr
    money = {"eac": ["bac", "remaining_plan", "eac_plan", "eac_rate", "vac_plan", "vac_rate"]}
    for out, columns in ((eac.stdout, money["eac"]), (explain.stdout, ["variance"])):
        table = pd.read_csv(io.StringIO(out), dtype=str, keep_default_na=False)
        cells = [v for c in columns for v in table[c] if v]
        assert cells and all(len(v.partition(".")[2]) <= 2 for v in cells), cells[:5]


def test_explain_zero_variance_share_is_empty(tmp_path: Path) -> None:
    path = tmp_path / "flat.csv"
    path.write_text("a,b,period,planned,actual\nX,Y,2024-01,5,7\nX,Z,2024-01,5,3\n")
    proc = _cli("explain", str(path), "--levels", "a,b", "--node", "X")
    assert proc.returncode == 0, proc.stderr
    table = pd.read_csv(io.StringIO(proc.stdout))
    assert table["variance"].tolist() == [2, -2] and table["share"].isna().all()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--node", "Ops / Nope"], "no node 'Ops / Nope'"),
        (["--node", "Ops", "--since", "2024-03", "--period", "2024-02"], "must come before"),
        (["--node", "Ops", "--period", "2023-12"], "not a period of this file"),
        (["--node", "Ops", "--since", "2024-01", "--to-date"], "--to-date"),
        (["--node", "Ops / Net"], "no children"),
    ],
)
def test_explain_bad_input_exits_2(small: Path, args: list[str], message: str) -> None:
    proc = _cli("explain", str(small), *LEVELS, "--period-column", "month", *args)
    assert proc.returncode == 2, proc.stderr
    assert message in proc.stderr and "Traceback" not in proc.stderr


def test_eac_bad_input_exits_2(small: Path) -> None:
    proc = _cli("eac", str(small), *LEVELS, "--period", "month", "--cutoffs", "0")
    assert proc.returncode == 2 and "--cutoffs" in proc.stderr
    proc = _cli("eac", str(small), *LEVELS, "--period", "month", "--forecast", "--level", "7")
    assert proc.returncode == 2 and "level" in proc.stderr


def _long_file(path: Path) -> Path:
    """30 months of history for 4 projects, 4 months of plan ahead for 2 of them."""
    rows = []
    for p_i, (program, project) in enumerate([("Ops", "A"), ("Ops", "B"), ("Dev", "C")]):
        scale = 1000.0 * (1 + p_i)
        for t in range(34 if project != "B" else 30):
            planned = scale * (1 + 0.3 * math.sin(2 * math.pi * t / 12))
            actual = planned * (1 + 0.01 * t) if t < 30 else None
            period = f"{2022 + t // 12}-{t % 12 + 1:02d}"
            rows.append((program, project, period, round(planned, 2), actual))
    pd.DataFrame(rows, columns=["program", "project", "period", "planned", "actual"]).to_csv(
        path, index=False
    )
    return path


def test_eac_with_a_trained_forecast(tmp_path: Path) -> None:
    path = _long_file(tmp_path / "long.csv")
    tiny = ["--units", "4", "--epochs", "1", "--members", "1", "--lookback", "4", "--horizon", "2"]
    flags = ["--forecast", "--level", "1", *tiny, "--quiet", "--format", "json"]
    proc = _cli("eac", str(path), *LEVELS, *flags)
    assert proc.returncode == 0, proc.stderr
    payload = json.loads(proc.stdout)
    rows = {r["node"]: r for r in payload["eac"]}
    assert list(rows["All"]) == [*EAC_COLUMNS, *FORECAST_COLUMNS, *STATUS_COLUMNS]
    for node in ("All", "Ops", "Dev"):  # the modelled level and the root above it
        row = rows[node]
        assert row["eac_lower"] <= row["eac_forecast"] <= row["eac_upper"]
        assert row["vac_forecast"] == pytest.approx(row["bac"] - row["eac_forecast"])
    assert rows["Ops / A"]["eac_forecast"] is None  # below the modelled level
    assert any("carried at the last forecast rate" in n for n in payload["notes"])
    # with its backtest (6 cut-offs by default, as the Forecast page) the band is calibrated
    assert not any("not a calibrated band" in n for n in payload["notes"])


def test_eac_forecast_without_a_backtest_says_its_band_is_not_calibrated(tmp_path: Path) -> None:
    path = _long_file(tmp_path / "long.csv")
    tiny = ["--units", "4", "--epochs", "1", "--members", "2", "--lookback", "4", "--horizon", "2"]
    flags = ["--forecast", "--level", "1", "--backtest", "0", *tiny, "--quiet", "--format", "json"]
    proc = _cli("eac", str(path), *LEVELS, *flags)
    assert proc.returncode == 0, proc.stderr
    notes = json.loads(proc.stdout)["notes"]
    assert any(
        "without a backtest (0 cut-offs)" in n and "not a calibrated band" in n for n in notes
    )
    refused = _cli("eac", str(path), *LEVELS, "--backtest", "2")
    assert refused.returncode == 2
    assert "--backtest only applies to the drift forecast" in refused.stderr
