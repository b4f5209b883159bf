"""The command line on awkward input: exact amounts, line breaks in values, repeated headers."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd

SCRIPT = Path(sys.executable).with_name("cost-drift")
COMMAND = [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-m", "cli"]
ENV = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "TF_ENABLE_ONEDNN_OPTS": "0"}
FIGURES = ["planned", "actual", "variance", "cum_planned", "cum_actual", "cum_variance"]

# Float sums of these amounts show binary noise (3682732.0300000003, 0.7999999999999999).
NOISY = (
    "portfolio,program,period,planned,actual\n"
    "P,A,2024-01,1233084.45,0.1\n"
    "P,A,2024-02,1230866.54,0.2\n"
    "P,B,2024-01,1218781.04,0.7\n"
    "P,B,2024-02,1.1,0.2\n"
)
NOISY_FLAGS = ["--levels", "portfolio,program"]
# the exact decimal sums at the root, period by period
ROOT_EXPECTED = {
    "2024-01": {"planned": "2451865.49", "actual": "0.8", "cum_planned": "2451865.49"},
    "2024-02": {"planned": "1230867.64", "actual": "0.4", "cum_planned": "3682733.13"},
}


def run(*args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([*COMMAND, *args], capture_output=True, timeout=120, env=ENV)


def test_rollup_csv_writes_the_exact_decimal_sums(tmp_path: Path) -> None:
    path = tmp_path / "noisy.csv"
    path.write_text(NOISY, encoding="utf-8")
    done = run("rollup", str(path), *NOISY_FLAGS, "--format", "csv")
    assert done.returncode == 0, done.stderr
    text = done.stdout.decode()
    out = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    root = out[out["node"] == "All"].set_index("period")
    for period, expected in ROOT_EXPECTED.items():
        for col, value in expected.items():
            assert root.loc[period, col] == value, (period, col)
    assert root.loc["2024-02", "cum_actual"] == "1.2"
    assert root.loc["2024-02", "cum_variance"] == "-3682731.93"
    for cell in out[FIGURES].to_numpy().ravel():  # no figure carries more than the input's cents
        assert len(cell.partition(".")[2]) <= 2, cell


def test_rollup_json_holds_the_exact_decimal_sums(tmp_path: Path) -> None:
    path = tmp_path / "noisy.csv"
    path.write_text(NOISY, encoding="utf-8")
    done = run("rollup", str(path), *NOISY_FLAGS, "--format", "json")
    assert done.returncode == 0, done.stderr
    records = json.loads(done.stdout)
    root = {r["period"]: r for r in records if r["node"] == "All"}
    for period, expected in ROOT_EXPECTED.items():
        for col, value in expected.items():
            # the number read back is the float nearest to the exact decimal sum
            assert root[period][col] == float(value), (period, col)
    assert root["2024-02"]["cum_variance"] == -3682731.93


LEVELS = ["--levels", "program,project"]


def test_validate_accepts_a_quoted_line_break_and_says_so(tmp_path: Path) -> None:
    path = tmp_path / "broken.csv"
    path.write_text(
        'program,project,period,planned,actual\nOps,"Net\nwork",2024-01,10,12\n'
        "Ops,Srv,2024-01,5,4\n",
        encoding="utf-8",
    )
    done = run("validate", str(path), *LEVELS)
    assert done.returncode == 0, done.stderr
    out = done.stdout.decode()
    assert "Rows read: 2" in out and "Leaves: 2" in out
    assert "Row 2 holds a line break inside a quoted value" in out


def test_validate_names_the_row_after_a_line_break_as_a_spreadsheet_does(tmp_path: Path) -> None:
    path = tmp_path / "broken.csv"
    path.write_text(
        'program,project,period,planned,actual\nOps,"Net\nwork",2024-01,10,12\n'
        "Ops,Srv,2024-01,5,lots\n",
        encoding="utf-8",
    )
    done = run("validate", str(path), *LEVELS)
    assert done.returncode == 2
    err = done.stderr.decode()
    assert "column 'actual' has amounts that are not numbers on row 3" in err
    assert "header but no data rows" not in err and "Traceback" not in err


def test_validate_says_a_name_appears_twice(tmp_path: Path) -> None:
    path = tmp_path / "twice.csv"
    path.write_text(
        "program,project,period,planned,planned,actual\nOps,Net,2024-01,1,3,2\n", encoding="utf-8"
    )
    done = run("validate", str(path), *LEVELS)
    assert done.returncode == 2
    err = done.stderr.decode()
    assert "the planned column 'planned' appears twice in the header (columns 4 and 5" in err
    assert "not in the file" not in err and "Traceback" not in err
    # the second one, chosen by the name it was read as, loads
    done = run("validate", str(path), *LEVELS, "--planned", "planned (2)")
    assert done.returncode == 0, done.stderr
