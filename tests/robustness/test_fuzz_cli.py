"""Fuzzing the command line: hostile files on stdin never crash ``cost-drift``.

Each case runs the real console script in a subprocess (``validate -`` or ``rollup -``): the exit
status is 0 (it loaded) or 2 (bad input, explained on stderr), never 1 (an internal fault), and
stderr never shows a Python traceback. Fewer examples than the loader fuzzing: every case starts
a Python process.
"""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hostile import hostile_csv, plausible_csv
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

SCRIPT = Path(sys.executable).with_name("cost-drift")
COMMAND = (
    [str(SCRIPT)]
    if SCRIPT.exists()
    else [sys.executable, "-c", "import sys; from cli.main import main; sys.exit(main())"]
)
CASE_TIMEOUT_S = 60
CLI_FUZZ = settings(
    # a Python process per case: few examples by default, more with COST_DRIFT_FUZZ_CLI_EXAMPLES
    max_examples=int(os.environ.get("COST_DRIFT_FUZZ_CLI_EXAMPLES", "6")),
    deadline=None,  # each case is bounded by the subprocess timeout instead
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
HEADER = b"portfolio,program,project,item,period,planned,actual\n"


def run_cli(subcommand: str, data: bytes) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "TF_ENABLE_ONEDNN_OPTS": "0"}
    return subprocess.run(
        [*COMMAND, subcommand, "-"],
        input=data,
        capture_output=True,
        timeout=CASE_TIMEOUT_S,
        env=env,
    )


def check_outcome(done: subprocess.CompletedProcess[bytes]) -> None:
    stderr = done.stderr.decode("utf-8", errors="replace")
    assert "Traceback" not in stderr, stderr[-3000:]
    assert done.returncode in (0, 2), f"exit {done.returncode}: {stderr[-3000:]}"
    if done.returncode == 2:
        assert stderr.strip(), "exit 2 must explain the bad input on stderr"
    else:
        assert done.stdout.strip(), "a successful run prints its result"


@pytest.mark.slow
@pytest.mark.timeout(600)
@CLI_FUZZ
@given(st.one_of(st.binary(max_size=2000), hostile_csv()))
@example(b"")
@example(b"\x00\xff\xfe garbage")
@example(HEADER + b'"a,b,c,d,2024-01,1,2\n')
@example(HEADER + b"=1,+2,-3,@4,2024-01,1,2\n")
@example(HEADER.replace(b"\n", b"\r") + b"a,b,c,d,2024-01,1,2\r")  # old Mac line ends
def test_validate_stdin_exits_0_or_2(data: bytes) -> None:
    check_outcome(run_cli("validate", data))


@pytest.mark.slow
@pytest.mark.timeout(600)
@CLI_FUZZ
@given(st.one_of(plausible_csv(), hostile_csv()))
@example(HEADER + "名前,🚀,a,=cmd,2024-01,1,2\n".encode())
@example(HEADER + b"a,b,c,d,2024-01,(1,234),$5\n")
def test_rollup_stdin_exits_0_or_2(data: bytes) -> None:
    done = run_cli("rollup", data)
    check_outcome(done)
    if done.returncode == 0:
        text = done.stdout.decode("utf-8")
        rows = list(csv.reader(io.StringIO(text, newline="")))
        assert rows[0][:7] == [
            *("node", "level", "period", "planned", "actual", "variance", "variance_pct"),
        ]
        # text cells that a spreadsheet would run as a formula are neutralised
        risky = [r[0] for r in rows[1:] if r and r[0][:1] in ("=", "+", "-", "@", "\t", "\r")]
        assert not risky, f"formula-like node ids in the CSV: {risky[:3]}"


GOOD = HEADER + (
    b"Ops,Net,Routers,PO-1,2024-01,100,110\n"
    b"Ops,Net,Routers,PO-1,2024-02,100,150\n"
    b"Ops,Net,Switches,PO-2,2024-01,200,180\n"
)
column_word = st.sampled_from(
    [
        *("portfolio", "program", "project", "item", "period", "planned", "actual"),
        *("Planned", "", "名前", "a,b"),
    ]
)
flag_value = st.one_of(
    st.sampled_from(["0", "-1", "1e309", "nan", "inf", "abc", "", "10", "30", "200", "-0"]),
    st.text(alphabet=st.characters(codec="utf-8", min_codepoint=32), max_size=8),
)


@st.composite
def alerts_flags(draw: st.DrawFn) -> list[str]:
    """Mapping and threshold flags for `cost-drift alerts`: valid, odd and plain wrong."""
    args: list[str] = []
    if draw(st.booleans()):
        args += ["--levels", ",".join(draw(st.lists(column_word, max_size=9)))]
    if draw(st.booleans()):
        args += ["--period", draw(column_word)]
    if draw(st.booleans()):
        args += ["--planned", draw(st.sampled_from(["planned", "planned - actual", "x + y"]))]
    for flag in ("--amber", "--red", "--floor", "--persistence", "--max-mb"):
        if draw(st.booleans()):
            args += [flag, draw(flag_value)]
    if draw(st.booleans()):
        args += ["--measure", draw(st.sampled_from(["flow", "level", "stock"]))]
    if draw(st.booleans()):
        args += ["--basis", draw(st.sampled_from(["cumulative", "period", "weekly"]))]
    if draw(st.booleans()):
        args.append("--sum-duplicates")
    if draw(st.booleans()):
        args += ["--format", draw(st.sampled_from(["csv", "json"]))]
    return args


@pytest.mark.slow
@pytest.mark.timeout(600)
@CLI_FUZZ
@given(alerts_flags())
@example(["--amber", "50", "--red", "10"])
@example(["--levels", "", "--period", "planned"])
@example(["--max-mb", "-1"])
@example(["--max-mb", "inf"])
@example(["--persistence", "0", "--floor", "nan"])
def test_alerts_flags_exit_0_or_2(flags: list[str]) -> None:
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "TF_ENABLE_ONEDNN_OPTS": "0"}
    done = subprocess.run(
        [*COMMAND, "alerts", "-", *flags],
        input=GOOD,
        capture_output=True,
        timeout=CASE_TIMEOUT_S,
        env=env,
    )
    check_outcome(done)
