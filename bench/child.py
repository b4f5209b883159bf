"""Run a benchmark step in a fresh Python process, so that its time and peak memory are its own."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]


def run_child(args: list[str], *, timeout: float, what: str) -> Any:
    """Run ``python -m <args>`` from the repo root; the JSON on its last stdout line.

    Args:
        args: The module and its arguments, e.g. ``["bench.bench_app", "--child"]``.
        timeout: Seconds before the child is stopped.
        what: Names the step in the error message.

    Raises:
        RuntimeError: When the child fails (with the tail of its stderr).
    """
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "TF_ENABLE_ONEDNN_OPTS": "0"}
    done = subprocess.run(
        [sys.executable, "-m", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if done.returncode != 0:
        raise RuntimeError(f"{what} failed:\n{done.stderr[-4000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


@dataclass(frozen=True)
class ProcessRun:
    """What one whole process cost: wall time, CPU time (user + system) and peak memory."""

    seconds: float
    cpu_seconds: float
    peak_mb: float


# A small launcher forks and execs the measured command, then reports what wait4 says of it. The
# launcher keeps the parent's memory out of the figure: Linux carries the peak resident set of the
# memory image a process had before exec into its ``ru_maxrss``, and a large benchmark parent
# would otherwise be counted in every child it starts.
_LAUNCHER = """
import json, os, sys, time
start = time.perf_counter()
pid = os.fork()
if pid == 0:
    try:
        os.dup2(2, 1)  # the command's standard output goes to standard error
        os.execv(sys.argv[1], sys.argv[1:])
    finally:
        os._exit(127)
_, status, usage = os.wait4(pid, 0)
seconds = time.perf_counter() - start
code = os.waitstatus_to_exitcode(status)
cpu = usage.ru_utime + usage.ru_stime
print(json.dumps({"seconds": seconds, "cpu": cpu, "kb": usage.ru_maxrss, "code": code}))
"""


def run_process(command: list[str], *, timeout: float, what: str) -> ProcessRun:
    """Run ``command`` from the repo root as one whole process and measure it from outside.

    Wall time runs from the fork to the end of the process (the interpreter's start and every
    import included). The peak memory is the process's ``ru_maxrss`` from ``wait4`` (Linux: its
    peak resident set, the same figure as the ``VmHWM`` that ``bench_portfolio`` children report
    of themselves); a small launcher process starts it, so that nothing else is counted.

    Raises:
        RuntimeError: When the process fails or runs past ``timeout`` (with its stderr's tail).
    """
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "TF_ENABLE_ONEDNN_OPTS": "0"}
    launcher = [sys.executable, "-c", _LAUNCHER, *command]
    proc = subprocess.Popen(
        launcher,
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        raise RuntimeError(f"{what} ran past {timeout:.0f} s") from exc
    report = json.loads(out.decode().strip().splitlines()[-1]) if out.strip() else {"code": -1}
    if proc.returncode != 0 or report["code"] != 0:
        tail = err[-4000:].decode("utf-8", "replace")
        raise RuntimeError(f"{what} failed (exit {report['code']}):\n{tail}")
    return ProcessRun(report["seconds"], report["cpu"], report["kb"] / 1024.0)
