"""Fast development loop for the LSTM on the forecast suite: the LSTM ensemble alone.

Usage: ``python -m bench.dev_lstm_suite [--jobs 2] [--groups QM] [--windows 3]
[--set name=value ...] [--label TEXT]``

Runs only what decides the LSTM's forecast in ``bench.bench_forecast_suite`` (the automatic
settings' search with the same backtest cut-offs, then the final ensemble and its median over the
held-out window; no backtest, no baselines) on the same splits, and scores it by the same MASE.
AutoARIMA's per series and window MASE comes from statsforecast, computed once and cached in
``bench/.cache/arima_suite.csv`` (the same figures as the full suite's ``sf_auto_arima``), so an
experiment prints the LSTM against AutoARIMA per group, per series and per window in a few minutes.
It also prints the members' spread on the held-out window (std / mean of the networks' RMSE per
node, over all networks and between networks at the same lookback, as ``members_spread``): one
window instead of the suite's six backtest cut-offs, so it is noisier than the suite's figure, but
it compares configurations in the same few minutes.
``--set`` overrides a ``ModelSettings`` field (``--set dropout=0``). The figures of the shipped
configuration are the full suite's; this script is for iterating, and its results are appended to
``bench/.cache/dev_lstm_log.csv`` with the label.
"""

from __future__ import annotations

import argparse
import ast
import logging
import os
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

from bench.bench_forecast import node_spread_ratios
from bench.suite_data import BACKTEST_K, WINDOWS, history_frame, load_suite
from forecasting import metrics
from forecasting.backtest_scores import members_spread
from forecasting.settings import ModelSettings

log = logging.getLogger(__name__)

CACHE = Path(__file__).resolve().parent / ".cache"


def lstm_split(group: str, w: int, overrides: dict[str, object]) -> pd.DataFrame:
    """The LSTM's MASE per series for window ``w`` of ``group`` (the product's path)."""
    from forecasting.ensemble import fit_ensemble, predict_members
    from forecasting.forecast_nodes import prepare
    from forecasting.tuning import choose_settings

    split = next(s for s in load_suite() if s.group == group)
    settings = ModelSettings(**{"horizon": split.horizon, **overrides})  # type: ignore[arg-type]
    end = split.values.shape[1] - w * split.horizon
    t0 = time.process_time()
    prep = prepare(history_frame(split, end), settings, None, None)
    choice = choose_settings(prep.work, prep.requested, prep.settings, backtest_k=BACKTEST_K)
    ens = fit_ensemble(prep.work, choice.settings)
    values = predict_members(
        ens, prep.work, end - 1, future_covariate=np.zeros((len(prep.work.nodes), split.horizon))
    )
    point = np.median(values, axis=0)
    mean_point = np.mean(values, axis=0)
    actual = np.stack(
        [split.values[split.names.index(nd), end : end + split.horizon] for nd in prep.work.nodes]
    )
    whole, seed = held_out_spread(values, actual, ens.lookbacks)
    rows = []
    for i, node in enumerate(prep.work.nodes):
        y = actual[i]
        scale = metrics.mase_scale(split.values[split.names.index(node), :end], split.season)
        rows.append(
            {
                "group": group,
                "series": node,
                "window": end,
                "lstm": float(np.mean(np.abs(y - point[i])) / scale),
                "lstm_mean": float(np.mean(np.abs(y - mean_point[i])) / scale),
                "spread": float(whole[i]),
                "seed_spread": float(seed[i]),
                "chosen": f"lb{choice.settings.lookback}/u{choice.settings.units}"
                f"/lr{choice.settings.learning_rate:g}",
                "cpu s": time.process_time() - t0,
            }
        )
    log.info("%s %d: %.0f s CPU, %s", group, end, time.process_time() - t0, rows[0]["chosen"])
    return pd.DataFrame(rows)


def held_out_spread(
    values: np.ndarray, actual: np.ndarray, lookbacks: tuple[int, ...]
) -> tuple[np.ndarray, np.ndarray]:
    """Per node, the members' RMSE std / mean over one window: over all networks and between
    networks at the same lookback (``values``: members, nodes, steps; ``actual``: nodes, steps)."""
    nodes = [str(i) for i in range(actual.shape[0])]
    spread = members_spread(nodes, values[:, :, None, :], actual[:, None, :], lookbacks)
    whole, seed = node_spread_ratios(spread)
    return whole.to_numpy(), seed.to_numpy()


def arima_reference() -> pd.DataFrame:
    """statsforecast AutoARIMA's MASE per series and window (cached)."""
    path = CACHE / "arima_suite.csv"
    if path.exists():
        return pd.read_csv(path)
    from bench.bench_forecast_suite import reference_forecasts, score_window

    parts = []
    for split in load_suite():
        for w in range(1, WINDOWS + 1):
            end = split.values.shape[1] - w * split.horizon
            fc, _ = reference_forecasts(split, end)
            sc = score_window(split, end, fc[fc["model"] == "sf_auto_arima"])
            kept = sc[["group", "series", "window", "mase"]]
            parts.append(kept.rename(columns={"mase": "arima"}))
    out = pd.concat(parts, ignore_index=True)
    CACHE.mkdir(exist_ok=True)
    out.to_csv(path, index=False)
    return out


def _parse(pairs: list[str]) -> dict[str, object]:
    out: dict[str, object] = {}
    for p in pairs:
        name, _, raw = p.partition("=")
        try:
            out[name] = ast.literal_eval(raw)
        except (ValueError, SyntaxError):
            out[name] = raw
    return out


def main(argv: list[str] | None = None) -> int:
    """Run the LSTM over the chosen splits, print it against AutoARIMA, log the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--groups", default="YQM")
    parser.add_argument("--windows", type=int, default=WINDOWS)
    parser.add_argument("--set", action="append", default=[], dest="sets")
    parser.add_argument("--label", default="")
    parser.add_argument("--detail", action="store_true", help="print per series and window")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    overrides = _parse(args.sets)
    ref = arima_reference()
    tasks = [(g, w) for w in range(1, args.windows + 1) for g in args.groups]
    t0 = time.perf_counter()
    if args.jobs <= 1:
        parts = [lstm_split(g, w, overrides) for g, w in tasks]
    else:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        ctx = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=args.jobs, mp_context=ctx) as pool:
            futures = [pool.submit(lstm_split, g, w, overrides) for g, w in tasks]
            parts = [f.result() for f in futures]
    res = pd.concat(parts, ignore_index=True).merge(ref, on=["group", "series", "window"])
    if args.detail:
        print(res.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    cols = ["lstm", "lstm_mean", "arima", "spread", "seed_spread"]
    by = res.groupby("group")[cols].mean()
    by.loc["all"] = res[cols].mean()
    print(by.to_string(float_format=lambda v: f"{v:.3f}"))
    per_split = res.groupby(["group", "window"])[["spread", "seed_spread"]].mean()
    print("members' held-out RMSE std / mean per split")
    print(per_split.T.to_string(float_format=lambda v: f"{v:.3f}"))
    wall = time.perf_counter() - t0
    print(f"wall {wall:.0f} s; chosen: {sorted(set(res['chosen']))}")
    CACHE.mkdir(exist_ok=True)
    row = {"label": args.label, "sets": " ".join(args.sets), "groups": args.groups}
    row.update({f"{g}": float(v) for g, v in by["lstm"].items()})
    row.update({f"spread {g}": float(v) for g, v in by["spread"].items()})
    row.update({f"seed spread {g}": float(v) for g, v in by["seed_spread"].items()})
    row["wall s"] = wall
    logp = CACHE / "dev_lstm_log.csv"
    # columns grew over time: rewrite the whole log rather than append under an older header
    old = pd.read_csv(logp) if logp.exists() else pd.DataFrame()
    pd.concat([old, pd.DataFrame([row])], ignore_index=True).to_csv(logp, index=False)
    res.to_csv(CACHE / f"dev_{args.label or 'run'}.csv", index=False)
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
