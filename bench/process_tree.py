"""A whole process measured from outside while it runs: wall and CPU time of its tree, and the peak
of the resident memory summed over the process and its children (Spark's JVM included), sampled
from ``/proc``, or the kernel's peak of the largest single process when that is larger
(:func:`measure`); and the same figures for this process's own tree while it runs
(:func:`tree_cpu`, :class:`PeakMemory`), for a run that must be measured from inside.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
TIMEOUT_S = 3600
SAMPLE_S = 0.2


CLK_TCK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


@dataclass(frozen=True)
class ProcStat:
    """What ``/proc/<pid>/stat`` says about one process (CPU in seconds, RSS in bytes)."""

    pid: int
    ppid: int
    cpu_s: float
    rss: int


def _stat(pid: int) -> ProcStat | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:  # the process ended meanwhile
        return None
    # the name (field 2) may hold spaces: split after its closing parenthesis
    fields = text[text.rindex(")") + 2 :].split()
    ticks = sum(int(fields[i]) for i in (11, 12, 13, 14))  # utime stime cutime cstime
    return ProcStat(pid, int(fields[1]), ticks / CLK_TCK, int(fields[21]) * PAGE)


def process_tree(root: int | None = None) -> list[ProcStat]:
    """``root`` (default: this process) and every process below it."""
    root = os.getpid() if root is None else root
    stats = [s for p in Path("/proc").iterdir() if p.name.isdigit() if (s := _stat(int(p.name)))]
    below: dict[int, list[ProcStat]] = {}
    for s in stats:
        below.setdefault(s.ppid, []).append(s)
    found = [s for s in stats if s.pid == root]
    i = 0
    while i < len(found):
        found.extend(below.get(found[i].pid, []))
        i += 1
    return found


def _title(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")[0].decode(errors="replace")
    except OSError:
        return ""


def tree_cpu() -> dict[str, float]:
    """CPU seconds of this process tree: ``driver``, ``workers`` (``ray::``), ``services``."""
    me = os.getpid()
    out = {"driver": 0.0, "workers": 0.0, "services": 0.0}
    for s in process_tree(me):
        kind = "driver" if s.pid == me else "workers" if _title(s.pid).startswith("ray::") else ""
        out[kind or "services"] += s.cpu_s
    return out


class PeakMemory:
    """Samples the summed resident memory of this process tree in a thread."""

    def __init__(self) -> None:
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, sum(s.rss for s in process_tree()))
            self._stop.wait(SAMPLE_S)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def own_peak_mb() -> float:
    """Peak resident memory of this process in MB (``VmHWM``, imports included; ``ru_maxrss``
    where ``/proc`` is missing)."""
    import resource

    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _tree_rss_mb(pid: int) -> float:
    return sum(s.rss for s in process_tree(pid)) / 2**20


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
            time.sleep(SAMPLE_S)
        seconds = time.perf_counter() - t0
        err.seek(0)
        tail = err.read().decode(errors="replace")[-2000:]
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    single, cpu = usage.ru_maxrss / 1024.0, usage.ru_utime + usage.ru_stime - cpu0
    if single > before:
        peak = max(peak, single)
    return {"s": seconds, "cpu": cpu, "peak": peak, "rc": proc.returncode, "stderr": tail}
