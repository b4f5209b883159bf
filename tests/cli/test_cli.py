"""The cost-drift command line, run in a subprocess like a scheduled job would run it."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

SCRIPT = Path(sys.executable).with_name("cost-drift")
COMMAND = [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-m", "cli"]
ROLLUP_COLUMNS = [
    "node",
    "level",
    "period",
    "planned",
    "actual",
    "variance",
    "variance_pct",
    "cum_planned",
    "cum_actual",
    "cum_variance",
    "cum_variance_pct",
]
ENV = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "TF_ENABLE_ONEDNN_OPTS": "0"}

SMALL = (
    "program,project,month,plan,spend\n"
    "Ops,Net,2024-01,100,110\n"
    "Ops,Net,2024-02,100,150\n"
    "Ops,Srv,2024-01,50,50\n"
    "Ops,Srv,2024-02,0,20\n"
    "=Dev,App,2024-02,40,40\n"
)
SMALL_FLAGS = ["--levels", "program,project", "--period", "month", "--planned", "plan"]
SMALL_FLAGS += ["--actual", "spend"]


def run(*args: str, stdin: bytes | None = None, command: list[str] | None = None):
    return subprocess.run(
        [*(command or COMMAND), *args],
        input=stdin,
        capture_output=True,
        timeout=120,
        env=ENV,
    )


@pytest.fixture
def small_csv(tmp_path: Path) -> Path:
    path = tmp_path / "small.csv"
    path.write_text(SMALL, encoding="utf-8")
    return path


def read_csv_out(stdout: bytes) -> pd.DataFrame:
    return pd.read_csv(io.BytesIO(stdout), keep_default_na=True)


def test_validate_prints_the_summary(small_csv: Path) -> None:
    done = run("validate", str(small_csv), *SMALL_FLAGS)
    assert done.returncode == 0, done.stderr
    out = done.stdout.decode()
    for line in ("Rows read: 5", "Rows used: 5", "Rows rejected: 0", "Leaves: 3", "Periods: 2"):
        assert line in out
    assert "Frequency: M" in out


def test_rollup_columns_and_figures(small_csv: Path) -> None:
    done = run("rollup", str(small_csv), *SMALL_FLAGS)
    assert done.returncode == 0, done.stderr
    out = read_csv_out(done.stdout)
    assert list(out.columns) == ROLLUP_COLUMNS
    root = out[out["node"] == "All"].set_index("period")
    assert root["level"].tolist() == [0, 0]
    assert root.loc["2024-02", "cum_planned"] == 290.0
    assert root.loc["2024-02", "cum_actual"] == 370.0
    srv = out[(out["node"] == "Ops / Srv") & (out["period"] == "2024-02")].iloc[0]
    assert srv["variance"] == 20.0 and np.isnan(srv["variance_pct"])
    # the formula-like level value is neutralised in CSV
    assert "'=Dev" in set(out["node"]) and "'=Dev / App" in set(out["node"])


def test_alerts_statuses_for_every_node_and_period(small_csv: Path) -> None:
    done = run("alerts", str(small_csv), *SMALL_FLAGS)
    assert done.returncode == 0, done.stderr
    out = read_csv_out(done.stdout)
    assert list(out.columns) == [*ROLLUP_COLUMNS, "status"]
    assert len(out) == 6 * 2  # All, =Dev, Ops, =Dev / App, Ops / Net, Ops / Srv
    assert set(out["status"]) <= {"green", "amber", "red"}
    net = out[out["node"] == "Ops / Net"]["status"].tolist()
    assert net == ["amber", "red"]  # cumulative 10 %, then 60 / 200 = 30 % (bands inclusive)
    latest = run("alerts", str(small_csv), *SMALL_FLAGS, "--latest")
    latest_out = read_csv_out(latest.stdout)
    assert latest_out["node"].is_unique and (latest_out["period"] == "2024-02").all()
    assert len(latest_out) == 6


def test_alert_thresholds_are_applied(small_csv: Path) -> None:
    strict = run("alerts", str(small_csv), *SMALL_FLAGS, "--latest", "--amber", "40", "--red", "50")
    loose = run("alerts", str(small_csv), *SMALL_FLAGS, "--latest")
    s = read_csv_out(strict.stdout).set_index("node")["status"]
    lo = read_csv_out(loose.stdout).set_index("node")["status"]
    assert lo["Ops / Net"] == "red" and s["Ops / Net"] == "green"  # 30 % to date
    assert lo["Ops / Srv"] == "red" and s["Ops / Srv"] == "amber"  # 20 / 50 = 40 % to date
    over = run("alerts", str(small_csv), *SMALL_FLAGS, "--latest", "--floor", "1000")
    assert set(read_csv_out(over.stdout)["status"]) == {"green"}


def test_thresholds_typed_as_fractions_are_percent_with_a_note(small_csv: Path) -> None:
    tiny = run("alerts", str(small_csv), *SMALL_FLAGS, "--latest", "--amber", "0.1", "--red", "0.3")
    assert tiny.returncode == 0
    note = tiny.stderr.decode()
    assert "--amber 0.1 and --red 0.3 are percent" in note and "give --amber 10 --red 30" in note
    assert "are percent" not in run("alerts", str(small_csv), *SMALL_FLAGS).stderr.decode()


def test_the_out_files_extension_sets_the_format_unless_one_is_given(
    small_csv: Path, tmp_path: Path
) -> None:
    out = tmp_path / "rolled.json"
    assert run("rollup", str(small_csv), *SMALL_FLAGS, "--out", str(out)).returncode == 0
    records = json.loads(out.read_text(encoding="utf-8"))
    assert isinstance(records, list) and "node" in records[0]
    parquet = tmp_path / "rolled.parquet"
    assert run("rollup", str(small_csv), *SMALL_FLAGS, "--out", str(parquet)).returncode == 0
    assert parquet.read_bytes()[:4] == b"PAR1"
    forced = tmp_path / "forced.json"
    run("rollup", str(small_csv), *SMALL_FLAGS, "--out", str(forced), "--format", "csv")
    assert forced.read_text(encoding="utf-8").startswith("node,")
    plain = tmp_path / "rolled.txt"
    run("rollup", str(small_csv), *SMALL_FLAGS, "--out", str(plain))
    assert plain.read_text(encoding="utf-8").startswith("node,")


def test_json_output_has_the_same_fields_and_null_for_nan(small_csv: Path) -> None:
    done = run("alerts", str(small_csv), *SMALL_FLAGS, "--format", "json")
    assert done.returncode == 0, done.stderr
    records = json.loads(done.stdout)
    assert isinstance(records, list) and len(records) == 12
    assert list(records[0]) == [*ROLLUP_COLUMNS, "status"]
    srv = next(r for r in records if r["node"] == "Ops / Srv" and r["period"] == "2024-02")
    assert srv["variance_pct"] is None and srv["variance"] == 20.0
    assert any(r["node"] == "=Dev" for r in records)  # JSON is not neutralised


def test_stdin_input(small_csv: Path) -> None:
    done = run("rollup", "-", *SMALL_FLAGS, stdin=small_csv.read_bytes())
    assert done.returncode == 0, done.stderr
    assert read_csv_out(done.stdout).shape == (12, len(ROLLUP_COLUMNS))


def test_out_file(small_csv: Path, tmp_path: Path) -> None:
    target = tmp_path / "rolled.json"
    done = run("rollup", str(small_csv), *SMALL_FLAGS, "--format", "json", "--out", str(target))
    assert done.returncode == 0, done.stderr
    assert done.stdout == b""
    assert len(json.loads(target.read_text())) == 12


BAD_AMOUNT = b"program,project,month,plan,spend\nA,B,2024-01,10,2\nA,C,2024-01,x1,2\n"


@pytest.mark.parametrize(
    ("args", "stdin", "fragments"),
    [
        (["rollup", "{small}", "--levels", "program,projet"], None, ["'projet'", "'project'"]),
        (["rollup", "missing.csv"], None, ["missing.csv", "no such file"]),
        (["rollup", "-"], b"", ["empty"]),
        (["alerts", "{small}", "--amber", "50", "--red", "20"], None, ["below the red"]),
        (["alerts", "{small}", "--persistence", "0"], None, ["Persistence"]),
        (["rollup", "{small}", "--max-mb", "inf"], None, ["--max-mb"]),
        (["rollup", "{small}", "--max-mb", "0.00001"], None, ["over the limit"]),
        (["rollup", "-"], BAD_AMOUNT, ["column 'plan'", "row 3", "'x1'"]),
    ],
)
def test_bad_input_exit_2_with_message(
    small_csv: Path, args: list[str], stdin: bytes | None, fragments: list[str]
) -> None:
    argv = [a.replace("{small}", str(small_csv)) for a in args]
    defaults = dict(zip(SMALL_FLAGS[::2], SMALL_FLAGS[1::2], strict=True))
    for flag, value in defaults.items():
        if flag not in argv:
            argv += [flag, value]
    done = run(*argv, stdin=stdin)
    stderr = done.stderr.decode()
    assert done.returncode == 2, stderr
    assert "Traceback" not in stderr
    assert len(stderr.strip().splitlines()) >= 1
    for fragment in fragments:
        assert fragment.lower() in stderr.lower(), stderr
    assert done.stdout == b""


def test_unknown_flag_is_a_usage_error() -> None:
    done = run("rollup", "x.csv", "--no-such-flag")
    assert done.returncode == 2
    assert "--no-such-flag" in done.stderr.decode()


FAULT = (
    "import sys, portfolio.rollup as r\n"
    "def broken(p):\n"
    "    raise RuntimeError('simulated fault')\n"
    "r.rollup_portfolio = broken\n"
    "from cli.main import main\n"
    "sys.exit(main(sys.argv[1:]))\n"
)


def test_internal_fault_exit_1_one_line_then_debug_traceback(small_csv: Path) -> None:
    command = [sys.executable, "-c", FAULT]
    done = run("rollup", str(small_csv), *SMALL_FLAGS, command=command)
    stderr = done.stderr.decode()
    assert done.returncode == 1
    assert "Traceback" not in stderr
    assert "simulated fault" in stderr and "run with --debug for details" in stderr
    assert len(stderr.strip().splitlines()) == 1
    debug = run("rollup", str(small_csv), *SMALL_FLAGS, "--debug", command=command)
    assert debug.returncode == 1
    assert "Traceback" in debug.stderr.decode()


def test_report_is_one_offline_html_file(small_csv: Path, tmp_path: Path) -> None:
    target = tmp_path / "report.html"
    flags = ["--out", str(target), "--title", "Q1 <drift>", "--currency", "€"]
    done = run("report", str(small_csv), *SMALL_FLAGS, *flags)
    assert done.returncode == 0, done.stderr
    page = target.read_text(encoding="utf-8")
    assert "<h1>Q1 &lt;drift&gt;</h1>" in page
    assert page.count("Plotly.newPlot") == 4  # overview, treemap, heat map, top drifters
    assert "Alerts at 2024-02" in page
    assert "planned €290.00, actual €370.00, variance €80.00 (+27.6 %)" in page
    assert "<script src=" not in page


def test_module_entry_point(small_csv: Path) -> None:
    command = [sys.executable, "-m", "cli"]
    done = run("validate", str(small_csv), *SMALL_FLAGS, command=command)
    assert done.returncode == 0, done.stderr
    assert b"Rows read: 5" in done.stdout


def test_sample_portfolio_rollup_matches_pandas(sample_csv: Path) -> None:
    done = run("rollup", str(sample_csv))
    assert done.returncode == 0, done.stderr
    out = read_csv_out(done.stdout)
    raw = pd.read_csv(sample_csv)
    used = raw[raw["actual"].notna()]
    last = out[(out["node"] == "All")].iloc[-1]
    assert last["cum_planned"] == pytest.approx(used["planned"].sum(), rel=1e-12)
    assert last["cum_actual"] == pytest.approx(used["actual"].sum(), rel=1e-12)
    leaves = out[out["level"] == 4]["node"].nunique()
    assert leaves == raw.groupby(["portfolio", "program", "project", "item"]).ngroups
