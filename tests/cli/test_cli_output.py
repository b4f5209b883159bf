"""What `cost-drift rollup` writes: the old writer's CSV bytes, exact JSON, no heavy imports."""

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

from cli.main import ROLLUP_OUTPUT
from portfolio.formulas import neutralise
from portfolio.load import load_portfolio
from portfolio.mapping import ColumnMapping
from portfolio.rollup import rollup_portfolio

SCRIPT = Path(sys.executable).with_name("cost-drift")
COMMAND = [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-m", "cli"]
ENV = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "TF_ENABLE_ONEDNN_OPTS": "0"}
SMALL_FLAGS = ["--levels", "program,project", "--period", "month", "--planned", "plan"]
SMALL_FLAGS += ["--actual", "spend"]


def run(*args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([*COMMAND, *args], capture_output=True, timeout=120, env=ENV)


# Amounts whose sums carry binary noise, a formula-like and a non-ASCII level value, a zero plan.
FILE = (
    "program,project,month,plan,spend\n"
    "Ops,Net,2024-01,0.1,0.2\n"
    "Ops,Net,2024-02,4517914.77,4517914.78\n"
    "Ops,Srv,2024-01,0,20\n"
    "Ops,Srv,2024-02,1e-7,3\n"
    "=Dev,Zürich,2024-01,15000000000.5,14000000000.25\n"
    '"-Q, ""x""",App,2024-02,40,40\n'
)
MAPPING = ColumnMapping(
    levels=("program", "project"), period="month", planned="plan", actual="spend"
)


@pytest.fixture
def rolled(tmp_path: Path) -> tuple[Path, pd.DataFrame]:
    path = tmp_path / "p.csv"
    path.write_text(FILE, encoding="utf-8")
    frame = rollup_portfolio(load_portfolio(path, MAPPING)).loc[:, list(ROLLUP_OUTPUT)]
    return path, frame


def test_rollup_csv_is_the_old_writers_bytes(rolled: tuple[Path, pd.DataFrame]) -> None:
    path, frame = rolled
    done = run("rollup", str(path), *SMALL_FLAGS)
    assert done.returncode == 0, done.stderr
    assert done.stdout == neutralise(frame).to_csv(index=False).encode("utf-8")
    assert b"\n'=Dev," in done.stdout and b'\n"\'-Q, ""x""",' in done.stdout


def test_rollup_json_is_exact(rolled: tuple[Path, pd.DataFrame], tmp_path: Path) -> None:
    path, frame = rolled
    target = tmp_path / "out.json"
    done = run("rollup", str(path), *SMALL_FLAGS, "--format", "json", "--out", str(target))
    assert done.returncode == 0, done.stderr
    records = json.loads(target.read_bytes())
    assert len(records) == len(frame)
    for record, row in zip(records, frame.to_dict("records"), strict=True):
        assert list(record) == list(ROLLUP_OUTPUT)
        for key, value in row.items():
            if isinstance(value, float) and math.isnan(value):
                assert record[key] is None
            else:
                assert record[key] == value  # floats exactly, not rounded to 10 digits
    assert {"=Dev", '-Q, "x"'} <= {r["node"] for r in records}  # JSON is not neutralised
    assert np.isnan(frame["variance_pct"]).any()


def test_an_unwritable_out_is_a_clear_error(rolled: tuple[Path, pd.DataFrame]) -> None:
    path, _ = rolled
    target = path.parent / "no such folder" / "out.csv"
    done = run("rollup", str(path), *SMALL_FLAGS, "--out", str(target))
    assert done.returncode == 2
    assert f"Could not write {target}" in done.stderr.decode()


PROBE = """
import json, sys
from cli.main import main
code = main(sys.argv[1:])
heavy = {"plotly", "kaleido", "tensorflow", "keras", "streamlit", "workflows"}
other = {"cli.forecast", "cli.eac", "cli.explain"}  # only loaded for their own subcommands
print(json.dumps([code, sorted(m for m in sys.modules if m.split(".")[0] in heavy or m in other)]))
"""


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_rollup_imports_no_plotly_tensorflow_nor_other_subcommands(
    rolled: tuple[Path, pd.DataFrame], tmp_path: Path, fmt: str
) -> None:
    path, _ = rolled
    out = tmp_path / f"out.{fmt}"
    args = ["rollup", str(path), *SMALL_FLAGS, "--format", fmt, "--out", str(out)]
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *args], capture_output=True, env=ENV, timeout=120
    )
    assert done.returncode == 0, done.stderr
    code, heavy = json.loads(done.stdout.decode().strip().splitlines()[-1])
    assert code == 0 and out.stat().st_size > 0
    assert heavy == []  # startup is most of a small run: the rollup path stays light


def test_every_subcommand_is_still_listed_and_parsed() -> None:
    done = run("--help")
    assert done.returncode == 0
    for command in ("validate", "rollup", "alerts", "report", "forecast", "eac", "explain"):
        assert command in done.stdout.decode()
    assert run("rollup", "--help").returncode == 0
    assert b"--horizon" in run("forecast", "--help").stdout
