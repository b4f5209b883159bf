"""``cost-drift forecast``: LSTM ensemble drift forecasts, backtest against baselines, outlook.

Output (stable names, scripts depend on them):

- ``--format json`` prints one object with the keys ``forecast``, ``backtest``, ``members`` and
  ``outlook``, each a list of records. ``forecast`` records: ``node, period, step, median, lower,
  upper, planned, model, lstm_median, spread_lower, spread_upper`` (``model`` the model shown at
  the node, ``lower``/``upper`` its calibrated band at ``--interval``, ``spread_*`` the LSTM
  members' run-to-run spread); ``backtest`` records: ``node, model, rmse, mae, mase, coverage,
  width`` with the models ``lstm``, ``naive``, ``seasonal_naive``, ``mean``, ``drift``,
  ``rate_naive``, ``auto_arima``, ``auto_ets``, ``combo``; ``members`` records: ``node,
  rmse_mean, rmse_std, rmse_min, rmse_max`` (the spread of the members' backtest RMSE).
- ``--format csv`` writes the forecast table to standard output or ``--out FILE``; with ``--out``
  the other tables are written beside it as ``<stem>_backtest.csv``, ``<stem>_members.csv`` and
  ``<stem>_outlook.csv``.

The verdict (the models chosen, the LSTM against the best baseline), skipped nodes and the
progress bar go to standard error.
The forecasting package (and TensorFlow) is imported only when the command runs.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pandas as pd

from cli import common as cli_common
from forecasting.choice import MODEL_CHOICES, ChoiceSettings
from forecasting.executor import DEFAULT_LOCAL_WORKERS, RayExecutor, configured_address
from portfolio.errors import InputError
from portfolio.rollup import rollup_portfolio
from portfolio.tablewriter import csv_bytes
from workflows.forecast_request import (
    DEFAULT_LEVEL_MAX_NODES,
    ForecastChoices,
    ForecastRequest,
    build_request,
)

JSON_KEYS = ("forecast", "backtest", "members", "outlook")
_BAR = 24


def register(
    subparsers: argparse._SubParsersAction, parents: dict[str, argparse.ArgumentParser]
) -> None:
    """Add the ``forecast`` subcommand (see the module docstring for its output)."""
    p = subparsers.add_parser(
        "forecast",
        parents=[parents["input"], parents["thresholds"], parents["output"], parents["common"]],
        help="drift forecast: LSTM ensemble, statistical models and baselines, calibrated bands",
        description=(
            "Train an ensemble of LSTM networks on the per-period variance of every node at one "
            "level (or one node), backtest it against AutoARIMA, AutoETS, naive, seasonal naive, "
            "mean, drift and rate naive over the last K cut-offs, and forecast the drift with the "
            "best model per node (or the one chosen), a calibrated band and a drift outlook."
        ),
        epilog=(
            "CSV output: the forecast table; with --out FILE also <stem>_backtest.csv, "
            "<stem>_members.csv and <stem>_outlook.csv beside it. JSON output: one object with "
            "the keys forecast, backtest, members, outlook."
        ),
    )
    g = p.add_argument_group("what to forecast")
    g.add_argument(
        "--level",
        type=int,
        default=None,
        metavar="N",
        help="hierarchy level to model, 0 = whole portfolio (default: the deepest level with at "
        f"most {DEFAULT_LEVEL_MAX_NODES} nodes, as in the app)",
    )
    g.add_argument(
        "--node", default=None, metavar="ID", help="model this one node alone (its full path id)"
    )
    g.add_argument(
        "--backtest",
        type=int,
        default=ForecastChoices().backtest_k,
        metavar="K",
        help="rolling-origin cut-offs for the backtest, 0 for none (default: %(default)s)",
    )
    g.add_argument(
        "--model",
        choices=MODEL_CHOICES,
        default="best",
        help="model shown: best = per node the backtest winner by MASE (default), or force one",
    )
    g.add_argument(
        "--interval",
        type=float,
        default=80.0,
        metavar="PCT",
        help="nominal level of the calibrated band in percent, 50-95 (default: %(default).0f)",
    )
    g.add_argument(
        "--reconcile",
        choices=("ols", "wls", "mint"),
        default=None,
        help="model every level down to --level and reconcile them (default: bottom-up only)",
    )
    m = p.add_argument_group(
        "model",
        "defaults as in the app (forecasting.settings.ModelSettings): 1 LSTM layer of 32 units, "
        "dropout 0.1, lookback 12, horizon 6, up to 60 epochs with patience 5, automatic batch "
        "size, learning rate 0.003, window-relative scaling, 5 members, seed 7",
    )
    m.add_argument("--horizon", type=int, default=None, metavar="H", help="periods ahead")
    m.add_argument("--lookback", type=int, default=None, metavar="L", help="periods of history")
    m.add_argument("--layers", type=int, default=None, metavar="N", help="stacked LSTM layers 1-3")
    m.add_argument("--units", type=int, default=None, metavar="N", help="units per LSTM layer")
    m.add_argument("--dropout", type=float, default=None, metavar="P", help="dropout 0-0.9")
    m.add_argument("--epochs", type=int, default=None, metavar="N", help="maximum epochs")
    m.add_argument("--patience", type=int, default=None, metavar="N", help="early stopping")
    m.add_argument("--batch-size", type=int, default=None, metavar="N", help="0 = automatic")
    m.add_argument("--learning-rate", type=float, default=None, metavar="LR", help="Adam rate")
    m.add_argument("--members", type=int, default=None, metavar="N", help="ensemble size")
    m.add_argument("--seed", type=int, default=None, metavar="S", help="first member's seed")
    m.add_argument(
        "--scaler", choices=("standard", "minmax", "window"), default=None, help="scaling"
    )
    m.add_argument("--difference", action="store_true", help="model period-to-period changes")
    s = p.add_argument_group("saved models")
    s.add_argument("--save", default=None, metavar="DIR", help="save the trained ensemble to DIR")
    s.add_argument(
        "--load",
        default=None,
        metavar="PATH",
        help="use a saved ensemble instead of training: a folder written by --save or the .zip "
        "the app offers for download",
    )
    s.add_argument("--quiet", action="store_true", help="no progress bar")
    x = p.add_argument_group(
        "where to train",
        "the ensemble's networks are independent fits: train them here, one after another, or "
        "as Ray tasks (same seeds, same forecast)",
    )
    x.add_argument(
        "--executor",
        choices=("local", "ray"),
        default="local",
        help="local: in this process (default); ray: one Ray task per network",
    )
    x.add_argument(
        "--ray-address",
        default=None,
        metavar="ADDR",
        help="a running Ray cluster (ray://HOST:10001 or HOST:6379); default: the "
        "COST_DRIFT_RAY_ADDRESS or RAY_ADDRESS environment variable, else a local Ray started "
        "for the run",
    )
    x.add_argument(
        "--ray-workers",
        type=int,
        default=DEFAULT_LOCAL_WORKERS,
        metavar="N",
        help="CPUs of a local Ray (default: %(default)s)",
    )
    p.set_defaults(handler=run)


_SETTING_FLAGS = {
    "horizon": "horizon",
    "lookback": "lookback",
    "layers": "layers",
    "units": "units",
    "dropout": "dropout",
    "epochs": "epochs",
    "patience": "patience",
    "batch_size": "batch_size",
    "learning_rate": "learning_rate",
    "members": "members",
    "seed": "seed",
    "scaler": "scaler",
}


class _ProgressBar:
    """A one-line text progress bar on standard error."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet
        self.started = time.perf_counter()
        self.open = False

    def __call__(self, e: Any) -> None:
        if self.quiet:
            return
        done = e.epoch / max(e.epochs, 1)
        filled = round(done * _BAR)
        loss = "" if e.loss is None else f" loss {e.loss:.4f}"
        val = "" if e.val_loss is None else f" val {e.val_loss:.4f}"
        line = (
            f"\r{e.stage:8s} member {e.member}/{e.members} [{'#' * filled}{'.' * (_BAR - filled)}]"
            f" epoch {e.epoch}/{e.epochs}{loss}{val}  {time.perf_counter() - self.started:5.0f}s"
        )
        sys.stderr.write(line.ljust(100))
        sys.stderr.flush()
        self.open = True

    def close(self) -> None:
        if self.open:
            sys.stderr.write("\n")
            sys.stderr.flush()
            self.open = False


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    text = frame.to_json(orient="records", double_precision=10, force_ascii=False)
    return list(json.loads(text or "[]"))


def _load_ensemble(path: str) -> Any:
    """A saved ensemble: a folder written by ``--save`` or the zip the app offers for download."""
    from forecasting.bundle import bundle_from_zip, load_bundle

    source = Path(path)
    if source.is_file():
        try:
            data = source.read_bytes()
        except OSError as exc:
            raise InputError(f"Could not read {source}: {exc.strerror or exc}.") from exc
        return bundle_from_zip(data)
    return load_bundle(source)


def _executor_from_args(args: argparse.Namespace) -> RayExecutor | None:
    if args.executor != "ray":
        if args.ray_address:
            raise InputError("--ray-address needs --executor ray.")
        return None
    if args.ray_workers < 1:
        raise InputError(f"--ray-workers must be 1 or more (got {args.ray_workers}).")
    address = args.ray_address or configured_address()
    return RayExecutor(address=address, workers=args.ray_workers)


def request_from_args(args: argparse.Namespace) -> ForecastRequest:
    """The forecast request the flags describe (built like the app's, by the same workflow)."""
    from forecasting.settings import ModelSettings

    if args.load and args.save and Path(args.load).resolve() == Path(args.save).resolve():
        raise InputError("--save and --load name the same folder; save to another one.")
    if args.backtest < 0:
        raise InputError(f"--backtest must be 0 or more cut-offs (got {args.backtest}).")
    overrides = {
        field: getattr(args, flag)
        for flag, field in _SETTING_FLAGS.items()
        if getattr(args, flag) is not None
    }
    if args.difference:
        overrides["difference"] = True
    portfolio = cli_common.load_from_args(args)
    if not 50.0 <= args.interval <= 95.0:
        raise InputError(f"--interval must be from 50 to 95 percent (got {args.interval:g}).")
    choices = ForecastChoices(
        level=args.level,
        node=args.node,
        backtest_k=args.backtest,
        reconcile=args.reconcile,
        choice=ChoiceSettings(model=args.model, interval=args.interval / 100.0),
    )
    return build_request(
        portfolio,
        rollup_portfolio(portfolio),
        choices,
        ModelSettings(**overrides),
        cli_common.rule_from_args(args),
    )


def run(args: argparse.Namespace) -> int:
    """Handler of ``cost-drift forecast`` (exit status 0; errors raise InputError/ForecastError)."""
    from forecasting.bundle import save_bundle

    request = request_from_args(args)
    ensemble = _load_ensemble(args.load) if args.load else None
    executor = _executor_from_args(args)
    bar = _ProgressBar(args.quiet)
    cancel = threading.Event()
    try:
        result = request.run(progress=bar, cancel=cancel, ensemble=ensemble, executor=executor)
    except KeyboardInterrupt:
        cancel.set()
        raise
    finally:
        bar.close()
    if args.save:
        saved = save_bundle(result.ensemble, args.save)
        print(f"cost-drift: model saved to {saved}", file=sys.stderr)
    print(f"cost-drift: {result.verdict}", file=sys.stderr)
    if not result.skipped.empty:
        first = result.skipped.iloc[0]
        print(
            f"cost-drift: {len(result.skipped)} node(s) not (fully) modelled, e.g. "
            f"'{first['node']}': {first['reason']}.",
            file=sys.stderr,
        )
    tables = {
        "forecast": result.forecast,
        "backtest": result.backtest,
        "members": result.members_spread,
        "outlook": result.outlook,
    }
    if args.format == "json":
        payload = {key: _records(tables[key]) for key in JSON_KEYS}
        cli_common.write_bytes(args, (json.dumps(payload, ensure_ascii=False) + "\n").encode())
        return 0
    cli_common.emit(args, tables["forecast"])
    if args.out:
        out = Path(args.out)
        for key in JSON_KEYS[1:]:
            target = out.with_name(f"{out.stem}_{key}.csv")
            try:
                target.write_bytes(csv_bytes(tables[key]))
            except OSError as exc:
                raise InputError(f"Could not write {target}: {exc.strerror or exc}.") from exc
    return 0
