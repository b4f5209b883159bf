"""Run a benchmark step in a fresh Python process, so that its time and peak memory are its own."""

from __future__ import annotations

import json
import os
import subprocess
import sys
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
