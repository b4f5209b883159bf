"""Training in this process against training fanned out on a local Ray with 2 workers.

Usage: ``python -m bench.bench_training [--quick] [--nodes 1000,5000]``

Data: synthetic (``bench.bench_forecast.synthetic_series``: seasonal plan, creep and noise, nodes
of very different sizes), N nodes x 60 monthly periods. The work: ``run_forecast`` with the
default ``ModelSettings`` but 5 members at one lookback (``members=5, lookbacks=1``, the
configuration these figures have been measured in since issue 3) and no backtest, so one stage of 5
independent fits, then the prediction. ``--quick`` is a smoke run (20 nodes, 2 tiny members).

Each run is its own child process (``bench.child.run_child``), in process first, then on Ray:

- wall: ``run_forecast`` alone; for Ray the local Ray is started before the clock
  (``ray start s``, reported apart: a cluster is normally up already);
- CPU: user + system time, from ``/proc/<pid>/stat``, of the child and every process below it
  (Ray's raylet, GCS and worker processes are children of the driver for a local Ray), plus the
  reaped children's time each process carries; read before and after ``run_forecast`` and
  subtracted, before Ray is shut down. For Ray it is split into the driver, the workers
  (processes titled ``ray::...``) and Ray's own services;
- peak MB: the highest sum of resident memory over that process tree, sampled every 0.2 s (shared
  pages such as TensorFlow's libraries count once per process, so the Ray figure is high);
- per fit s: the mean time of a member from its first progress event (epoch 0) to its last, as the
  driver sees them (on Ray relayed through the queue, so 0.25 s coarse);
- same forecast: the SHA-256 of the forecast (node, period, median, lower, upper) of both runs
  compared; same seeds must give bit-identical figures.

If a larger size would take more than ``BUDGET_S`` (40 min) for both runs, projected linearly in
nodes from the first size, ``FALLBACK_NODES`` (2,000) is run instead when it fits that budget, else
the size is left out; the table's note says which and why (see ``within_budget``).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import os
import time
from typing import Any

import pandas as pd

from bench.child import run_child
from bench.process_tree import PeakMemory, tree_cpu

log = logging.getLogger(__name__)

NODE_COUNTS = (1000, 5000)
FALLBACK_NODES = 2000
QUICK_NODES = 20
PERIODS = 60
WORKERS = 2
# Idle, the two 1,000-node runs take about 6 min, so 5,000 nodes project to about 30.
BUDGET_S = 40 * 60
CHILD_TIMEOUT_S = 3 * 3600
MODES = ("in process", "ray")


def _settings(quick: bool) -> Any:
    from forecasting.settings import ModelSettings

    if quick:
        # Every setting fixed: an automatic value starts a time-budgeted search, which may stop
        # at another candidate when the machine is busier, and the quick run compares bit for bit.
        return ModelSettings(
            units=8, lookback=6, horizon=3, learning_rate=3e-3, epochs=2, members=2, patience=1
        )
    # The scaling figures are for 5 networks at one lookback (the configuration the issue-3
    # target names); the shipped default trains 6 networks, half of them at a longer lookback.
    return ModelSettings(members=5, lookbacks=1)


def _digest(forecast: pd.DataFrame) -> str:
    frame = forecast[["node", "period", "median", "lower", "upper"]]
    h = hashlib.sha256("|".join(frame["node"] + "@" + frame["period"]).encode())
    h.update(frame[["median", "lower", "upper"]].to_numpy(dtype="float64").tobytes())
    return h.hexdigest()


def _child(mode: str, nodes: int, quick: bool) -> None:
    from bench.bench_forecast import synthetic_series
    from forecasting.executor import RayExecutor, connect, shutdown
    from forecasting.pipeline import run_forecast
    from forecasting.training import ProgressEvent

    series = synthetic_series(nodes, PERIODS)
    settings = _settings(quick)
    executor = RayExecutor(workers=WORKERS) if mode == "ray" else None
    t0 = time.perf_counter()
    if executor is not None:
        connect(executor)
    start_s = time.perf_counter() - t0
    seen: dict[int, list[float]] = {}

    def record(event: ProgressEvent) -> None:
        seen.setdefault(event.member, []).append(time.perf_counter())

    with PeakMemory() as memory:
        cpu0, wall0 = tree_cpu(), time.perf_counter()
        result = run_forecast(series, settings, backtest_k=0, executor=executor, progress=record)
        wall, cpu1 = time.perf_counter() - wall0, tree_cpu()
    if executor is not None:
        shutdown()
    fits = [max(t) - min(t) for t in seen.values()]
    epochs = [len(h["loss"]) for h in result.ensemble.histories]
    out = {
        "mode": mode,
        "nodes": nodes,
        "members": settings.members,
        "epochs run": sum(epochs) / len(epochs),
        "wall s": wall,
        "ray start s": start_s if executor is not None else None,
        "per fit s": sum(fits) / len(fits),
        **{f"cpu {k} s": cpu1[k] - cpu0[k] for k in cpu0},
        "peak MB": memory.peak / 2**20,
        "digest": _digest(result.forecast),
        "load": os.getloadavg()[0],
    }
    print(json.dumps(out))


def _measure(mode: str, nodes: int, quick: bool) -> dict[str, Any]:
    args = ["bench.bench_training", "--child", mode, str(nodes), *(["--quick"] if quick else [])]
    what = f"training {nodes} nodes ({mode})"
    log.info("== %s", what)
    t0 = time.perf_counter()
    row: dict[str, Any] = run_child(args, timeout=CHILD_TIMEOUT_S, what=what)
    row["child s"] = time.perf_counter() - t0
    log.info("   %.1f s wall (%.1f s for the whole child)", row["wall s"], row["child s"])
    return row


def _table(rows: list[dict[str, Any]], note: str) -> pd.DataFrame:
    table = []
    for here, ray in zip(rows[::2], rows[1::2], strict=True):
        for row in (here, ray):
            cpu = row["cpu driver s"] + row["cpu workers s"] + row["cpu services s"]
            table.append(
                {
                    "nodes": row["nodes"],
                    "periods": PERIODS,
                    "members": row["members"],
                    "where": row["mode"] if row is here else f"Ray, {WORKERS} workers",
                    "wall s": round(row["wall s"], 1),
                    "cpu s": round(cpu, 1),
                    "cpu driver / workers / ray s": (
                        f"{row['cpu driver s']:.0f} / {row['cpu workers s']:.0f} / "
                        f"{row['cpu services s']:.0f}"
                    ),
                    "ray start s": "" if row is here else round(row["ray start s"], 1),
                    "per fit s": round(row["per fit s"], 1),
                    "epochs run": round(row["epochs run"], 1),
                    "peak MB": round(row["peak MB"]),
                    "speed-up": round(here["wall s"] / row["wall s"], 2),
                    "same forecast": row["digest"] == here["digest"],
                    "load avg (1 min)": round(row["load"], 1),
                    "note": note if row is rows[-1] else "",
                }
            )
    return pd.DataFrame(table)


def within_budget(n: int, first: int, spent_s: float) -> tuple[int | None, str]:
    """The size to run instead of ``n`` (None: none) and why, given ``spent_s`` at ``first`` nodes.

    Both runs of a size are projected linearly in nodes from the first size's two children (their
    whole time, imports and Ray's start included). Over ``BUDGET_S``, ``FALLBACK_NODES`` is tried
    under the same budget.
    """
    projected = spent_s * n / first
    if projected <= BUDGET_S:
        return n, ""
    why = (
        f"{n:,} nodes left out: {projected / 60:.0f} min projected for both runs from the "
        f"{spent_s / 60:.0f} min of {first:,} nodes (budget {BUDGET_S // 60} min)"
    )
    fallback = spent_s * FALLBACK_NODES / first
    if first < FALLBACK_NODES < n and fallback <= BUDGET_S:
        return FALLBACK_NODES, f"{why}; {FALLBACK_NODES:,} instead"
    if first < FALLBACK_NODES < n:
        why += f"; {FALLBACK_NODES:,} nodes too ({fallback / 60:.0f} min projected)"
    return None, why


def run(nodes: tuple[int, ...] = NODE_COUNTS, quick: bool = False) -> pd.DataFrame:
    """Both runs per size, in process then on Ray; the table (see the module docstring)."""
    counts = (QUICK_NODES,) if quick else nodes
    rows: list[dict[str, Any]] = []
    notes: list[str] = []
    for n in counts:
        size: int | None = n
        if rows:
            spent = sum(r["child s"] for r in rows[:2])
            size, note = within_budget(n, rows[0]["nodes"], spent)
            if note:
                log.info(note)
                notes.append(note)
        if size is not None:
            rows += [_measure(mode, size, quick) for mode in MODES]
    table = _table(rows, "; ".join(notes))
    print(table.to_string(index=False))
    return table


def main(argv: list[str] | None = None) -> int:
    """Command line: print the table (``--child`` measures one run in this process)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smoke run: 20 nodes, tiny model")
    parser.add_argument("--nodes", default=",".join(map(str, NODE_COUNTS)), help="sizes")
    parser.add_argument("--child", nargs=2, metavar=("MODE", "NODES"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        logging.basicConfig(level=logging.WARNING)
        _child(args.child[0], int(args.child[1]), args.quick)
        return 0
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    pd.set_option("display.width", 250)
    run(tuple(int(n) for n in args.nodes.split(",")), args.quick)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
