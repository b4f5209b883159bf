"""``cost-drift forecast``: LSTM ensemble drift forecasts, backtest against baselines, outlook.

Output (stable names, scripts depend on them):

- ``--format json`` prints one object with the keys ``forecast``, ``backtest``, ``members``,
  ``outlook`` and ``tuning``, each a list of records. ``forecast`` records: ``node, period,
  step, median, lower, upper, planned, model, lstm_median, spread_lower, spread_upper``
  (``model`` the model shown at the node, ``lower``/``upper`` its calibrated band at
  ``--interval``, ``spread_*`` the LSTM members' run-to-run spread); ``backtest`` records:
  ``node, model, rmse, mae, mase, coverage, width`` with the models ``lstm``, ``naive``,
  ``seasonal_naive``, ``mean``, ``drift``, ``rate_naive``, ``auto_arima``, ``auto_ets``,
  ``combo``; ``members`` records: ``node, rmse_mean, rmse_std, rmse_seed_std, rmse_min, rmse_max``
  (the spread of the members' backtest RMSE; ``rmse_seed_std`` between members at one
  lookback); ``tuning`` records: the columns of
  ``forecasting.tuning.TUNING_COLUMNS`` (``lookback, units, learning_rate, score, ...,
  status``), one record per candidate of the automatic settings' search, the chosen one with a
  status starting ``chosen``; none when every searched setting was given or a saved model was
  used.
- ``--format csv`` writes the forecast table to standard output or ``--out FILE``; with ``--out``
  the other tables are written beside it as ``<stem>_backtest.csv``, ``<stem>_members.csv``,
  ``<stem>_outlook.csv`` and ``<stem>_tuning.csv`` (``.parquet`` with ``--format parquet``).

The verdict (the models chosen, the LSTM against the best baseline), the settings trained with and
how the automatic ones were chosen, skipped nodes and the progress bar go to standard error. The
flags are defined in ``cli.forecast_args``.
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
from cli import forecast_args
from cli import thresholds as cli_thresholds
from forecasting.executor import RayExecutor, configured_address
from portfolio.errors import InputError
from portfolio.node_ids import ROOT, SEP
from portfolio.rollup import rollup_portfolio
from workflows import forecast_report
from workflows.forecast_request import ForecastRequest, build_request
from workflows.forecast_tables import rounded

JSON_KEYS = ("forecast", "backtest", "members", "outlook", "tuning")
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
            "model the backtest supports for the level (or the one chosen), a calibrated band "
            "and a drift outlook."
        ),
        epilog=(
            "CSV output: the forecast table; with --out FILE also "
            + ", ".join(f"<stem>_{key}.csv" for key in JSON_KEYS[1:])
            + " beside it. JSON output: one object with the keys "
            + ", ".join(JSON_KEYS)
            + "."
        ),
    )
    forecast_args.add_what_args(p)
    forecast_args.add_model_args(p)
    forecast_args.add_run_args(p)
    p.set_defaults(handler=run)


class _ProgressBar:
    """A one-line text progress bar on standard error; where that is not a terminal (a log file,
    a pipe), one line as each network starts instead of a redrawn line per epoch."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet
        self.started = time.perf_counter()
        self.open = False
        self.terminal = sys.stderr.isatty()

    def __call__(self, e: Any) -> None:
        if self.quiet:
            return
        if not self.terminal:
            if e.epoch == 0:
                sys.stderr.write(
                    f"{e.stage} network {e.member}/{e.members} training "
                    f"({time.perf_counter() - self.started:.0f} s so far)\n"
                )
                sys.stderr.flush()
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


def default_level_from(args: argparse.Namespace, ensemble: Any) -> None:
    """With a loaded model and neither ``--level`` nor ``--node``, model the level the model was
    trained at (the deepest of its nodes), not the file's default level, and say so."""
    if ensemble is None or args.level is not None or getattr(args, "node", None) is not None:
        return
    depths = [0 if n == ROOT else str(n).count(SEP) + 1 for n in ensemble.nodes]
    if not depths:
        return
    args.level = max(depths)
    print(
        f"cost-drift: the saved model was trained at level {args.level}: forecasting that level "
        "(give --level or --node to choose).",
        file=sys.stderr,
    )


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
    if args.load and args.save and Path(args.load).resolve() == Path(args.save).resolve():
        raise InputError("--save and --load name the same folder; save to another one.")
    choices = forecast_args.choices_from_args(args)
    settings = forecast_args.settings_from_args(args)
    rule = cli_thresholds.rule_from_args(args, projected=True)
    portfolio = cli_common.load_from_args(args)
    return build_request(portfolio, rollup_portfolio(portfolio), choices, settings, rule)


def run(args: argparse.Namespace) -> int:
    """Handler of ``cost-drift forecast`` (exit status 0; errors raise InputError/ForecastError)."""
    from forecasting.bundle import save_bundle

    forecast_args.check_load_flags(args)
    ensemble = _load_ensemble(args.load) if args.load else None
    default_level_from(args, ensemble)
    request = request_from_args(args)
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
    _report(result, carried=request.carry_plan)
    places = request.decimals
    tables = {
        "forecast": rounded(result.forecast, "forecast", places),
        "backtest": rounded(result.backtest, "backtest", places),
        "members": rounded(result.members_spread, "members", places),
        "outlook": rounded(result.outlook, "outlook", places),
        "tuning": forecast_report.tuning_table(result),
    }
    if args.format == "json":
        payload = {key: _records(tables[key]) for key in JSON_KEYS}
        cli_common.write_bytes(args, (json.dumps(payload, ensure_ascii=False) + "\n").encode())
        return 0
    cli_common.emit(args, tables["forecast"])
    if args.out:
        for key in JSON_KEYS[1:]:
            cli_common.emit_beside(args, tables[key], key)
    return 0


def _report(result: Any, *, carried: bool = False) -> None:
    """The verdict, where the plan ahead came from, the settings trained with and the skipped
    nodes, on standard error."""
    print(f"cost-drift: {' '.join(forecast_report.shown_verdict(result.verdict))}", file=sys.stderr)
    plan_words = forecast_report.plan_ahead_text(result.forecast, carried=carried)
    if plan_words:
        print(f"cost-drift: {plan_words}", file=sys.stderr)
    if result.ensemble is not None:
        settings = forecast_report.settings_text(
            result.ensemble.settings, result.ensemble.member_lookbacks
        )
        print(f"cost-drift: trained with {settings}.", file=sys.stderr)
    print(f"cost-drift: {forecast_report.tuning_text(result)}", file=sys.stderr)
    if not result.skipped.empty:
        first = result.skipped.iloc[0]
        print(
            f"cost-drift: {len(result.skipped)} node(s) not (fully) modelled, e.g. "
            f"'{first['node']}': {first['reason']}.",
            file=sys.stderr,
        )
