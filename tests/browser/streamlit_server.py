"""Start the real Cost Drift server (``streamlit run app.py``) as a subprocess on a loopback port.

Used by the browser test fixtures and by ``scripts/screenshots.py``. No Streamlit import here: the
server runs in its own process, exactly as an analyst starts it.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)

log = logging.getLogger(__name__)


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that is free right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def health_ok(url: str, timeout: float = 5.0) -> bool:
    """True when ``GET <url>/_stcore/health`` answers 200 ``ok``."""
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=timeout) as resp:
            return resp.status == 200 and resp.read().strip() == b"ok"
    except (urllib.error.URLError, OSError):
        return False


def _children(pid: int) -> list[int]:
    kids: list[int] = []
    task_dir = Path(f"/proc/{pid}/task")
    try:
        tasks = list(task_dir.iterdir())
    except OSError:
        return kids
    for task in tasks:
        try:
            kids.extend(int(c) for c in (task / "children").read_text().split())
        except OSError:
            continue
    return kids


def _vm_rss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def tree_rss_bytes(pid: int) -> int:
    """Resident memory (VmRSS) of a process and all its descendants, in bytes."""
    total = 0
    seen: set[int] = set()
    stack = [pid]
    while stack:
        current = stack.pop()
        if current in seen:
            continue
        seen.add(current)
        total += _vm_rss_kib(current)
        stack.extend(_children(current))
    return total * 1024


@dataclass
class StreamlitServer:
    """A running ``streamlit run app.py`` on 127.0.0.1.

    Args:
        home: the folder given to the app as ``COST_DRIFT_HOME`` (its per-browser store).
        log_path: where the server's stdout and stderr go.
        extra_env: more environment variables for this server only.
    """

    home: Path
    log_path: Path
    extra_env: dict[str, str] = field(default_factory=dict)
    app: Path = REPO / "app.py"
    port: int = 0
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """Base URL, e.g. ``http://127.0.0.1:8765``."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        """Process id of the server."""
        assert self.process is not None, "server not started"
        return self.process.pid

    def start(self, timeout: float = 90.0) -> StreamlitServer:
        """Start the server and wait until its health endpoint answers.

        Raises:
            RuntimeError: the server exited or did not become healthy in time (the message holds
                the end of its log).
        """
        self.home.mkdir(parents=True, exist_ok=True)
        env = dict(os.environ)
        env.update(
            {
                "COST_DRIFT_HOME": str(self.home),
                "TF_CPP_MIN_LOG_LEVEL": "3",
                "TF_ENABLE_ONEDNN_OPTS": "0",
                "PYTHONUNBUFFERED": "1",
                # Keep a test run from inheriting a developer's Streamlit settings.
                "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false",
            }
        )
        env.update(self.extra_env)
        last_error: str = ""
        for _attempt in range(3):
            self.port = free_port()
            cmd = [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                str(self.app),
                "--server.headless",
                "true",
                "--browser.gatherUsageStats",
                "false",
                "--server.address",
                "127.0.0.1",
                "--server.port",
                str(self.port),
                "--server.fileWatcherType",
                "none",
            ]
            with self.log_path.open("ab") as out:
                self.process = subprocess.Popen(
                    cmd,
                    cwd=self.app.parent,
                    env=env,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                if self.process.poll() is not None:
                    break
                if health_ok(self.url, timeout=2.0):
                    log.info("server up at %s (pid %d)", self.url, self.pid)
                    return self
                time.sleep(0.25)
            last_error = self.log_tail()
            self.stop()
            # A port taken between free_port() and the bind is the one retryable failure.
            if "address already in use" not in last_error.lower():
                break
        raise RuntimeError(f"Streamlit server did not become healthy:\n{last_error}")

    def alive(self) -> bool:
        """True while the server process runs."""
        return self.process is not None and self.process.poll() is None

    def rss_bytes(self) -> int:
        """Resident memory of the server and its children."""
        return tree_rss_bytes(self.pid) if self.alive() else 0

    def log_tail(self, chars: int = 4000) -> str:
        """The end of the server log."""
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except OSError:
            return ""

    def stop(self, timeout: float = 15.0) -> None:
        """Terminate the server's process group (SIGTERM, then SIGKILL when it lingers)."""
        proc = self.process
        if proc is None or proc.poll() is not None:
            return
        try:
            os.killpg(proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=timeout)
