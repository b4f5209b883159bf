"""A whole process measured from outside while it runs: wall and CPU time of its tree, and the peak
of the resident memory summed over the process and its children (Spark's JVM included), sampled
from ``/proc``, or the kernel's peak of the largest single process when that is larger.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
TIMEOUT_S = 3600


def _children(pid: int) -> list[int]:
    out = [pid]
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        try:
            out += [c for k in task.read_text().split() for c in _children(int(k))]
        except (OSError, ValueError):
            continue
    return out


def _tree_rss_mb(pid: int) -> float:
    total = 0
    for p in set(_children(pid)):
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024.0


def measure(command: Sequence[str], env: dict[str, str]) -> dict[str, Any]:
    """Run one process to its end: wall seconds, peak MB of its tree, exit code, stderr tail."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    before, cpu0 = usage.ru_maxrss / 1024.0, usage.ru_utime + usage.ru_stime
    t0 = time.perf_counter()
    with tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(
            list(command), cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=err
        )
        peak = 0.0
        while True:
            # wait4 reaps the process with its own rusage: a run shorter than one sample (raw
            # DuckDB on a tiny file) still gets its peak from the kernel
            pid, status, own = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                proc.returncode = os.waitstatus_to_exitcode(status)
                peak = max(peak, own.ru_maxrss / 1024.0)
                break
            peak = max(peak, _tree_rss_mb(proc.pid))
            if time.perf_counter() - t0 > TIMEOUT_S:
                proc.kill()
            time.sleep(0.2)
        seconds = time.perf_counter() - t0
        err.seek(0)
        tail = err.read().decode(errors="replace")[-2000:]
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    single, cpu = usage.ru_maxrss / 1024.0, usage.ru_utime + usage.ru_stime - cpu0
    if single > before:
        peak = max(peak, single)
    return {"s": seconds, "cpu": cpu, "peak": peak, "rc": proc.returncode, "stderr": tail}
