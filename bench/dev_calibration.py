"""Calibration study on the forecast suite: coverage and width per group, model and step.

Usage: ``python -m bench.dev_calibration [--cache DIR] [--level 0.8]``

A development script, not the suite's benchmark (``bench/bench_forecast_suite.py`` is): it
reproduces, for every model of the product that does not need the LSTM (the baselines, AutoARIMA,
AutoETS), the product's backtest errors inside each split's training part (``BACKTEST_K``
cut-offs, the same origins and node scales as ``run_backtest``), the final forecast from the whole
training part, and the held-out window after it. Those arrays are cached in ``--cache`` (one
``.npz`` per split), so that calibration rules can be compared in seconds. Each rule's band is
scored like the suite (coverage of the held-out values, width divided by the seasonal-naive MAE).
The data is the suite's public real series (not synthetic).
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from bench.bench_forecast_suite import BACKTEST_K, WINDOWS, Split, load_suite
from forecasting import conformal, metrics, stat_models
from forecasting.backtest import origins_for
from forecasting.backtest_models import baseline_predictions
from forecasting.baselines import BASELINE_NAMES, baseline_matrix
from forecasting.windows import Panel

log = logging.getLogger(__name__)

MODELS = (*BASELINE_NAMES, *stat_models.STAT_NAMES)
# A rule: (errors (n, k, h), reference scales at the first cut-off (n,), reference scales of the
# whole training part (n,), level) -> half-widths (n, h) of the final forecast's band
Rule = Callable[[np.ndarray, np.ndarray, np.ndarray, float], np.ndarray]


def _arrays(split: Split, end: int) -> dict[str, np.ndarray]:
    """Backtest errors, final points, scales and held-out actuals of one split."""
    h, m = split.horizon, split.season
    n = len(split.names)
    target = split.values[:, :end]
    panel = Panel(
        nodes=split.names,
        periods=split.labels[:end],
        target=target,
        covariate=np.zeros_like(target),
        start=np.zeros(n, dtype=np.int64),
    )
    origins = origins_for(end, h, BACKTEST_K)
    rows = np.arange(n)
    preds = baseline_predictions(panel, rows, origins, h, m)
    actual = np.stack([target[:, o + 1 : o + 1 + h] for o in origins], axis=1)
    out: dict[str, np.ndarray] = {
        "actual": split.values[:, end : end + h],
        "bt_scales": conformal.node_scales(target, panel.start, origins[0] + 1),
        "scales": conformal.node_scales(target, panel.start, end),
        "mase_scale": np.asarray([metrics.mase_scale(target[i], m) for i in range(n)]),
        "origins": np.asarray(origins),
    }
    for name in MODELS:
        out[f"err_{name}"] = actual - preds[name]
        if name in BASELINE_NAMES:
            out[f"point_{name}"] = baseline_matrix(name, target, h, m)
        else:
            out[f"point_{name}"] = np.stack(
                [stat_models.forecast(name, target[i], h, m) for i in range(n)]
            )
    return out


def load(cache: Path) -> dict[tuple[str, int], dict[str, np.ndarray]]:
    """Every split's arrays, computed once and cached."""
    cache.mkdir(parents=True, exist_ok=True)
    data = {}
    for split in load_suite():
        for w in range(1, WINDOWS + 1):
            end = split.values.shape[1] - w * split.horizon
            path = cache / f"{split.group}_{end}.npz"
            if not path.exists():
                log.info("computing %s %d", split.group, end)
                np.savez(path, allow_pickle=False, **_arrays(split, end))
            with np.load(path) as z:
                data[(split.group, end)] = {k: z[k] for k in z.files}
    return data


def score(
    data: dict[tuple[str, int], dict[str, np.ndarray]], rule: Rule, level: float
) -> pd.DataFrame:
    """Per group, model and step: coverage and scaled width of ``rule``'s bands."""
    rows = []
    for (group, end), a in data.items():
        for name in MODELS:
            half = rule(a[f"err_{name}"], a["bt_scales"], a["scales"], level)
            err = a["actual"] - a[f"point_{name}"]
            inside = np.abs(err) <= half
            width = 2 * half / a["mase_scale"][:, None]
            for i in range(err.shape[0]):
                for s in range(err.shape[1]):
                    rows.append((group, end, name, i, s + 1, inside[i, s], width[i, s]))
    return pd.DataFrame(rows, columns=["group", "end", "model", "series", "step", "in", "width"])


def table(scored: pd.DataFrame) -> pd.DataFrame:
    """Coverage and width per model, per group (the suite's mean over series) and overall."""
    keys = ["group", "model", "series", "end"]
    per = scored.groupby(keys, as_index=False)[["in", "width"]].mean()
    parts = [per.groupby(["group", "model"], as_index=False)[["in", "width"]].mean()]
    parts.append(per.groupby("model", as_index=False)[["in", "width"]].mean().assign(group="all"))
    return pd.concat(parts, ignore_index=True).rename(columns={"in": "coverage"})


def current(e: np.ndarray, ref: np.ndarray, final_ref: np.ndarray, level: float) -> np.ndarray:
    """The product's rule: ``conformal.calibrate`` and ``conformal.band_scales``."""
    cal = conformal.calibrate(e, ref, level)
    return conformal.band_scales(cal, np.arange(e.shape[0]), final_ref)[:, None] * cal.quantiles


def naive_scaled(e: np.ndarray, ref: np.ndarray, final_ref: np.ndarray, level: float) -> np.ndarray:
    """The rule before (2026-12-02): errors divided by the naive-MAE reference scale alone."""
    paths = np.abs(e / ref[:, None, None]).reshape(-1, e.shape[2])
    q = [conformal.conformal_quantile(paths[:, h], level) for h in range(e.shape[2])]
    return final_ref[:, None] * conformal.isotonic(np.asarray(q))[None, :]


RULES: dict[str, Rule] = {"naive scale (before)": naive_scaled, "current": current}


def main(argv: list[str] | None = None) -> int:
    """Print coverage and width of every rule."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", type=Path, default=Path("/tmp/cover_cache"))
    parser.add_argument("--level", type=float, default=0.8)
    parser.add_argument("--steps", action="store_true", help="also coverage per step")
    parser.add_argument(
        "--per-series", metavar="MODEL", help="also MODEL's coverage per series and window"
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    data = load(args.cache)
    for name, rule in RULES.items():
        scored = score(data, rule, args.level)
        t = table(scored).pivot(index="model", columns="group", values=["coverage", "width"])
        sys.stdout.write(f"\n== {name} (level {args.level}) ==\n{t.round(3).to_string()}\n")
        if args.steps:
            st = scored.groupby(["group", "step"])["in"].mean().unstack("group")
            sys.stdout.write(f"coverage per step (all models)\n{st.round(3).to_string()}\n")
        if args.per_series:
            mine = scored[scored["model"] == args.per_series]
            per = mine.groupby(["group", "series", "end"])["in"].mean().unstack("end")
            sys.stdout.write(f"{args.per_series} coverage per series and window\n")
            sys.stdout.write(f"{per.round(3).to_string()}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
