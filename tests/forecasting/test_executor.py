"""Training fanned out on Ray: the same forecast as in process, progress, Cancel, bad addresses."""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from forecasting.errors import ForecastError
from forecasting.executor import RayExecutor, connect, shutdown
from forecasting.pipeline import run_forecast
from forecasting.settings import ModelSettings
from forecasting.training import ProgressEvent, TrainingCancelled

# Every setting fixed: a time-budgeted search (automatic values) may stop at another candidate
# when the machine is busier, and this test compares two runs bit for bit.
SETTINGS = ModelSettings(
    units=8, lookback=6, horizon=3, learning_rate=3e-3, epochs=3, members=3, patience=2
)


def _series(nodes: int = 5, periods: int = 36) -> pd.DataFrame:
    rng = np.random.default_rng(11)
    rows = [
        (f"n{n}", f"{2020 + t // 12}-{t % 12 + 1:02d}", 100 * np.sin(t / 3 + n) + rng.normal(), 1e3)
        for n in range(nodes)
        for t in range(periods)
    ]
    return pd.DataFrame(rows, columns=["node", "period", "variance", "planned"])


@pytest.fixture(scope="module")
def local_ray():
    """One local Ray (2 CPUs, loopback only) for the module's tests."""
    executor = RayExecutor(workers=2)
    connect(executor)
    yield executor
    shutdown()


@pytest.mark.slow
def test_ray_gives_the_in_process_forecast_bit_for_bit(local_ray: RayExecutor) -> None:
    series = _series()
    here = run_forecast(series, SETTINGS, backtest_k=2)
    events: list[ProgressEvent] = []
    there = run_forecast(series, SETTINGS, backtest_k=2, executor=local_ray, progress=events.append)
    cols = ["median", "lower", "upper"]
    assert np.array_equal(here.forecast[cols].to_numpy(), there.forecast[cols].to_numpy())
    pd.testing.assert_frame_equal(here.backtest, there.backtest)
    pd.testing.assert_frame_equal(here.members, there.members)
    # progress from the workers reaches this process: both stages, every member, every epoch
    assert {(e.stage, e.member) for e in events} == {
        (stage, m) for stage in ("backtest", "final") for m in (1, 2, 3)
    }
    assert any(e.epoch >= 1 for e in events)


@pytest.mark.slow
def test_cancel_stops_the_ray_tasks(local_ray: RayExecutor) -> None:
    import ray

    cancel = threading.Event()
    slow = ModelSettings(
        units=8, lookback=6, horizon=3, learning_rate=3e-3, epochs=200, patience=200, members=4
    )

    def on_progress(event: ProgressEvent) -> None:
        if event.epoch >= 1:
            cancel.set()

    started = time.monotonic()
    with pytest.raises(TrainingCancelled):
        run_forecast(
            _series(), slow, backtest_k=0, executor=local_ray, progress=on_progress, cancel=cancel
        )
    assert time.monotonic() - started < 600
    # the cancelled tasks give their CPUs back: nothing is left training on the cluster
    deadline = time.monotonic() + 60
    total = ray.cluster_resources()["CPU"]
    while time.monotonic() < deadline and ray.available_resources().get("CPU", 0) < total:
        time.sleep(0.5)
    assert ray.available_resources().get("CPU", 0) == total
    assert ray.is_initialized()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.parametrize("scheme", ["", "ray://"])
def test_unreachable_address_is_a_clear_message_at_once(scheme: str) -> None:
    address = f"{scheme}127.0.0.1:{_free_port()}"
    started = time.monotonic()
    with pytest.raises(ForecastError, match="Could not reach the Ray cluster"):
        connect(RayExecutor(address=address))
    assert time.monotonic() - started < 30


def test_malformed_address_is_refused() -> None:
    with pytest.raises(ForecastError, match="not HOST:PORT"):
        connect(RayExecutor(address="just-a-host"))


def test_cli_exit_2_and_nothing_written_when_ray_cannot_be_reached(tmp_path: Path) -> None:
    sample = Path(__file__).resolve().parents[2] / "sample_data" / "sample_portfolio.csv"
    out = tmp_path / "forecast.csv"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "cli",
            "forecast",
            str(sample),
            "--executor",
            "ray",
            "--ray-address",
            f"127.0.0.1:{_free_port()}",
            "--quiet",
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 2, proc.stderr
    assert "Could not reach the Ray cluster" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not out.exists()


def test_cli_ray_address_without_ray_executor_is_refused() -> None:
    sample = Path(__file__).resolve().parents[2] / "sample_data" / "sample_portfolio.csv"
    proc = subprocess.run(
        [sys.executable, "-m", "cli", "forecast", str(sample), "--ray-address", "h:1"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 2
    assert "--ray-address needs --executor ray" in proc.stderr
