"""Calibration study on the forecast suite: coverage and width per group, model and step.

Usage: ``python -m bench.dev_calibration [--cache DIR] [--level 0.8]``

A development script, not the suite's benchmark (``bench/bench_forecast_suite.py`` is): it
reproduces, for every model of the product that does not need the LSTM (the baselines, AutoARIMA,
AutoETS), the product's backtest errors inside each split's training part (``BACKTEST_K``
cut-offs, the same origins and node scales as ``run_backtest``), the final forecast from the whole
training part, and the held-out window after it. Those arrays are cached in ``--cache`` (one
``.npz`` per split), so that calibration rules can be compared in seconds. Each rule's band is
scored like the suite (coverage of the held-out values, width divided by the seasonal-naive MAE)
and by the interval score (Gneiting and Raftery 2007: width plus ``2 / a`` times the distance by
which a value falls outside, for a ``1 - a`` band; divided by the same MAE; lower is better). The
interval score is a proper score: it rewards a band for being narrow and for covering at the
nominal rate together, so a rule that moves one group's coverage towards 80 % by giving up
elsewhere shows a worse score. The data is the suite's public real series (not synthetic).
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from unittest import mock

import numpy as np
import pandas as pd

from bench.suite_data import BACKTEST_K, WINDOWS, Split, load_suite
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


def interval_score(
    actual: np.ndarray, lower: np.ndarray, upper: np.ndarray, level: float
) -> np.ndarray:
    """The interval score of a ``level`` band at every value (same shapes in and out)."""
    a = 1.0 - level
    below = np.clip(lower - actual, 0.0, None)
    above = np.clip(actual - upper, 0.0, None)
    return (upper - lower) + (2.0 / a) * (below + above)


def score(
    data: dict[tuple[str, int], dict[str, np.ndarray]], rule: Rule, level: float
) -> pd.DataFrame:
    """Per group, model and step: coverage, scaled width and scaled interval score of ``rule``'s
    bands."""
    rows = []
    for (group, end), a in data.items():
        for name in MODELS:
            half = rule(a[f"err_{name}"], a["bt_scales"], a["scales"], level)
            point = a[f"point_{name}"]
            err = a["actual"] - point
            inside = np.abs(err) <= half
            scale = a["mase_scale"][:, None]
            width = 2 * half / scale
            iscore = interval_score(a["actual"], point - half, point + half, level) / scale
            for i in range(err.shape[0]):
                for s in range(err.shape[1]):
                    rows.append(
                        (group, end, name, i, s + 1, inside[i, s], width[i, s], iscore[i, s])
                    )
    columns = ["group", "end", "model", "series", "step", "in", "width", "interval_score"]
    return pd.DataFrame(rows, columns=columns)


def table(scored: pd.DataFrame) -> pd.DataFrame:
    """Coverage, width and interval score per model, per group (the suite's mean over series) and
    overall."""
    keys = ["group", "model", "series", "end"]
    cols = ["in", "width", "interval_score"]
    per = scored.groupby(keys, as_index=False)[cols].mean()
    parts = [per.groupby(["group", "model"], as_index=False)[cols].mean()]
    parts.append(per.groupby("model", as_index=False)[cols].mean().assign(group="all"))
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


def _abs_rows(e: np.ndarray) -> list[np.ndarray]:
    a = np.abs(e.reshape(e.shape[0], -1))
    return [r[np.isfinite(r)] for r in a]


def _median_abs(e: np.ndarray) -> np.ndarray:
    return np.asarray([float(np.median(r)) if r.size else np.nan for r in _abs_rows(e)])


def _iqm_abs(e: np.ndarray) -> np.ndarray:
    out = []
    for r in _abs_rows(e):
        r = np.sort(r)
        lo, hi = int(np.floor(0.25 * r.size)), int(np.ceil(0.75 * r.size))
        out.append(float(r[lo:hi].mean()) if hi > lo else np.nan)
    return np.asarray(out)


def with_node_scale(scale: Callable[[np.ndarray], np.ndarray]) -> Rule:
    """The product's rule with another per-node error scale in place of the mean absolute error
    (``conformal._mean_abs``, swapped only while the rule runs)."""

    def rule(e: np.ndarray, ref: np.ndarray, final_ref: np.ndarray, level: float) -> np.ndarray:
        with mock.patch.object(conformal, "_mean_abs", scale):
            return current(e, ref, final_ref, level)

    return rule


RULES: dict[str, Rule] = {
    "naive scale (before)": naive_scaled,
    "current": current,
    "median scale": with_node_scale(_median_abs),
    "interquartile-mean scale": with_node_scale(_iqm_abs),
}


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
        t = table(scored).pivot(
            index="model", columns="group", values=["coverage", "width", "interval_score"]
        )
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
