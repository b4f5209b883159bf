"""Where the independent fits of a forecast run: in this process, or fanned out as Ray tasks.

The members of an ensemble are independent fits (same windows, seeds ``seed .. seed + N - 1``):
``train_members`` trains them one after another in this process, or, with a :class:`RayExecutor`,
as one Ray task each. A task trains its member in a worker process and sends back the weights and
the loss history; the network is rebuilt here from the same settings and shapes, so the same
seeds give bit-identical forecasts on both paths (training is seeded and TensorFlow's ops are
deterministic, see ``training.seed_everything``).

Progress: workers put their ``ProgressEvent`` on a Ray queue; this process drains it while it
waits and calls ``progress`` as the in-process path does. Cancel: when the cancel event is set,
every pending task is cancelled (its worker is stopped) and ``TrainingCancelled`` is raised.

Ray is imported only inside the functions of this module. A cluster needs Cost Drift installed
on its workers (``pip install cost-drift``); a local Ray needs nothing else.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from forecasting.errors import ForecastError
from forecasting.settings import ModelSettings
from forecasting.training import ProgressEvent, ProgressFn, TrainingCancelled, train_member
from forecasting.windows import Windows

log = logging.getLogger(__name__)

POLL_SECONDS = 0.25
CONNECT_SECONDS = 5.0
# What this process's Ray connection points at (Ray itself keeps one connection per process).
_CONNECTED: dict[str, str] = {}
DEFAULT_LOCAL_WORKERS = 2


@dataclass(frozen=True)
class MemberFit:
    """One member to train: its seed and where it stands in the ensemble (for progress)."""

    seed: int
    stage: str
    member: int
    members: int


@dataclass(frozen=True)
class RayExecutor:
    """Train members as Ray tasks.

    Attributes:
        address: a running cluster (``ray://host:10001`` or ``host:6379``); None starts a local Ray.
        workers: CPUs of a local Ray (ignored with an address); each task takes one.
    """

    address: str | None = None
    workers: int = DEFAULT_LOCAL_WORKERS


Executor = RayExecutor | None  # None: train in this process


@dataclass(frozen=True)
class _RayRun:
    """One ``train_members`` call sent to Ray: the shared inputs, the members, where, and how to
    report and stop."""

    train: Windows
    val: Windows
    settings: ModelSettings
    fits: tuple[MemberFit, ...]
    executor: RayExecutor
    progress: ProgressFn | None = None
    cancel: threading.Event | None = None


# Where a deployment names its cluster: Cost Drift's own variable first, then Ray's.
ADDRESS_ENV = ("COST_DRIFT_RAY_ADDRESS", "RAY_ADDRESS")


def configured_address() -> str | None:
    """The Ray address set in the environment (``ADDRESS_ENV``), or None."""
    return next((os.environ[k] for k in ADDRESS_ENV if os.environ.get(k)), None)


def train_members(
    train: Windows,
    val: Windows,
    settings: ModelSettings,
    fits: Sequence[MemberFit],
    *,
    executor: Executor = None,
    progress: ProgressFn | None = None,
    cancel: threading.Event | None = None,
) -> list[tuple[Any, dict[str, list[float]]]]:
    """Train every member of ``fits`` on the same windows; returns (model, history) per member.

    Raises:
        TrainingCancelled: the cancel event was set (pending Ray tasks are cancelled).
        ForecastError: Ray is missing, its cluster cannot be reached, or a task failed.
    """
    if executor is None:
        return [
            train_member(
                train,
                val,
                settings,
                f.seed,
                stage=f.stage,
                member=f.member,
                members=f.members,
                progress=progress,
                cancel=cancel,
            )
            for f in fits
        ]
    return _train_on_ray(
        _RayRun(train, val, settings, tuple(fits), executor, progress=progress, cancel=cancel)
    )


def connect(executor: RayExecutor) -> Any:
    """The ``ray`` module, connected to the executor's cluster (a local Ray when no address).

    Raises:
        ForecastError: Ray is not installed or the address cannot be reached.
    """
    try:
        import ray
    except ImportError as exc:  # pragma: no cover - ray is a declared dependency
        raise ForecastError("Training on Ray needs the 'ray' package (pip install ray).") from exc
    if executor.address:
        _check_reachable(executor.address)
    target = executor.address or f"local:{executor.workers}"
    if ray.is_initialized():
        if _CONNECTED.get("target") == target:
            return ray
        ray.shutdown()  # Ray holds one connection per process: move it to the new target
    try:
        if executor.address:
            ray.init(address=executor.address, log_to_driver=False, logging_level=logging.ERROR)
        else:
            # A local Ray listens on the loopback address only.
            ray.init(
                num_cpus=max(1, int(executor.workers)),
                include_dashboard=False,
                log_to_driver=False,
                logging_level=logging.ERROR,
                _node_ip_address="127.0.0.1",
            )
    except Exception as exc:
        where = f"at {executor.address}" if executor.address else "on this machine"
        raise ForecastError(
            f"Could not start or reach Ray {where}: {str(exc).strip().splitlines()[0]}. Check "
            "the address (ray://HOST:10001 or HOST:6379) and that the cluster is running."
        ) from exc
    _CONNECTED["target"] = target
    return ray


def _check_reachable(address: str) -> None:
    """Fail fast on an address nobody answers (Ray itself would retry for minutes)."""
    target = address.removeprefix("ray://")
    host, _, port = target.rpartition(":")
    if not host or not port.isdigit():
        raise ForecastError(
            f"The Ray address '{address}' is not HOST:PORT or ray://HOST:PORT "
            "(e.g. ray://10.0.0.5:10001 or 10.0.0.5:6379)."
        )
    try:
        with socket.create_connection((host.strip("[]"), int(port)), timeout=CONNECT_SECONDS):
            pass
    except OSError as exc:
        raise ForecastError(
            f"Could not reach the Ray cluster at {address}: {exc.strerror or exc}. Check the "
            "address and that the cluster is running; nothing was trained."
        ) from exc


def shutdown() -> None:
    """Disconnect from Ray (and stop a local Ray) if this process is connected."""
    import ray

    if ray.is_initialized():
        ray.shutdown()
    _CONNECTED.clear()


def _fit_remote(
    train: Windows,
    val: Windows,
    settings_dict: dict[str, Any],
    fit: MemberFit,
    queue: Any,
) -> tuple[list[np.ndarray], dict[str, list[float]]]:
    """Body of one Ray task: train a member, return its weights and history."""
    settings = ModelSettings.from_dict(settings_dict)

    def relay(event: ProgressEvent) -> None:
        queue.put_nowait(event)

    model, history = train_member(
        train,
        val,
        settings,
        fit.seed,
        stage=fit.stage,
        member=fit.member,
        members=fit.members,
        progress=relay,
    )
    return [np.asarray(w) for w in model.get_weights()], history


def _rebuild(settings: ModelSettings, train: Windows, weights: list[np.ndarray]) -> Any:
    from forecasting.model import build_model

    model = build_model(settings, train.past.shape[1:], train.future.shape[1:])
    model.set_weights(weights)
    return model


def _drain(queue: Any, progress: ProgressFn | None) -> None:
    while not queue.empty():
        event = queue.get_nowait()
        if progress is not None:
            progress(event)


def _train_on_ray(run: _RayRun) -> list[tuple[Any, dict[str, list[float]]]]:
    cancel, progress = run.cancel, run.progress
    if cancel is not None and cancel.is_set():
        raise TrainingCancelled()
    ray = connect(run.executor)
    from ray.util.queue import Queue

    queue = Queue()
    task: Callable[..., Any] = ray.remote(num_cpus=1, max_retries=0)(_fit_remote)
    train_ref, val_ref = ray.put(run.train), ray.put(run.val)
    settings_dict = run.settings.to_dict()
    refs = [
        task.remote(train_ref, val_ref, settings_dict, f, queue)  # type: ignore[attr-defined]
        for f in run.fits
    ]
    pending = list(refs)
    try:
        while pending:
            _, pending = ray.wait(pending, num_returns=len(pending), timeout=POLL_SECONDS)
            _drain(queue, progress)
            if cancel is not None and cancel.is_set():
                for ref in refs:
                    ray.cancel(ref, force=True)
                raise TrainingCancelled()
        results = ray.get(refs)
        _drain(queue, progress)
    except TrainingCancelled:
        raise
    except Exception as exc:
        raise ForecastError(
            f"A training task on Ray failed: {str(exc).strip().splitlines()[-1]}"
        ) from exc
    finally:
        queue.shutdown()
    return [(_rebuild(run.settings, run.train, w), history) for w, history in results]
