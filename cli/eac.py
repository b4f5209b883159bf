"""``cost-drift eac``: where every node lands at completion, by plan, by rate and by forecast.

Output (stable names, scripts depend on them):

- ``--format csv`` writes the at-completion table: ``node, level, bac, planned_to_date,
  actual_to_date, remaining_plan, completion_period, eac_plan, spend_index, eac_rate, vac_plan,
  vac_rate``, with ``--forecast`` or ``--load`` also ``eac_forecast, eac_lower, eac_upper,
  vac_forecast``, then ``status, eac_basis``. With ``--out FILE`` the method backtest is
  written beside it as ``<stem>_backtest.csv`` (``cutoff, method, items, mae, wape, bias``;
  ``.parquet`` with ``--format parquet``).
  The notes and the backtest verdict go to standard error.
- ``--format json`` prints one object with the keys ``eac``, ``backtest`` (lists of records),
  ``notes`` (sentences) and ``verdict``.

VAC follows the earned-value convention: negative is an overrun (our variance is actual -
planned, the opposite sign).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from cli import common as cli_common
from cli import flag_checks
from cli import thresholds as cli_thresholds
from portfolio.completion import completion_of
from portfolio.completion_backtest import DEFAULT_CUTOFFS, backtest_methods
from portfolio.decimals import shown_places
from portfolio.engines import EngineChoice, rollup_frame
from portfolio.errors import InputError
from workflows.completion import DEFAULT_CHOICES, UNCALIBRATED_NOTE

JSON_KEYS = ("eac", "backtest", "notes", "verdict")
_MODEL_FLAGS = ("horizon", "lookback", "units", "epochs", "members", "seed")


def register(
    subparsers: argparse._SubParsersAction, parents: dict[str, argparse.ArgumentParser]
) -> None:
    """Add the ``eac`` subcommand (see the module docstring for its output)."""
    p = subparsers.add_parser(
        "eac",
        parents=[
            parents["input"],
            parents["thresholds"],
            parents["engine"],
            parents["output"],
            parents["common"],
        ],
        help="estimate at completion per node: by plan, by rate, by forecast; with its status",
        description=(
            "Estimate at completion of every node as of the last actual period: BAC, EAC by "
            "plan (the rest as planned), by rate (the rest at the spend index so far) and, with "
            "--forecast or --load, by the drift forecast with its band; VAC (negative is an "
            "overrun); the status at completion under the alert thresholds; and a backtest of "
            "the methods on the items that have finished."
        ),
        epilog=(
            "CSV output: the EAC table; with --out FILE also <stem>_backtest.csv. JSON output: "
            "one object with the keys eac, backtest, notes, verdict."
        ),
    )
    p.add_argument(
        "--cutoffs",
        type=int,
        default=DEFAULT_CUTOFFS,
        metavar="K",
        help="past cut-offs for the method backtest (default: %(default)s)",
    )
    f = p.add_argument_group("forecast (optional)")
    f.add_argument(
        "--forecast", action="store_true", help="train a drift forecast for eac_forecast"
    )
    f.add_argument(
        "--load",
        default=None,
        metavar="PATH",
        help="use a saved model instead of training: a folder from --save or the app's .zip",
    )
    f.add_argument(
        "--level",
        type=int,
        default=None,
        metavar="N",
        help="level to model, 0 = whole portfolio (default: as cost-drift forecast)",
    )
    f.add_argument(
        "--backtest",
        type=int,
        default=None,
        metavar="K",
        help="cut-offs of the forecast's backtest, which choose the model shown and calibrate its "
        f"band (default: {DEFAULT_CHOICES.backtest_k}, as cost-drift forecast; 0: none, the band "
        "is then the networks' spread)",
    )
    for flag in _MODEL_FLAGS:
        f.add_argument(f"--{flag}", type=int, default=None, metavar="N", help=f"model {flag}")
    f.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(handler=run)


def _forecast(args: argparse.Namespace, portfolio: Any, rolled: Any, rule: Any) -> Any:
    from cli.forecast import _load_ensemble, _ProgressBar, default_level_from
    from forecasting.settings import ModelSettings
    from workflows.completion import forecast_frame
    from workflows.forecast_request import ForecastChoices

    ensemble = _load_ensemble(args.load) if args.load else None
    default_level_from(args, ensemble)
    overrides = {k: getattr(args, k) for k in _MODEL_FLAGS if getattr(args, k) is not None}
    settings = ensemble.settings if ensemble is not None else ModelSettings(**overrides)
    bar = _ProgressBar(args.quiet)
    try:
        return forecast_frame(
            portfolio,
            rolled,
            settings,
            rule,
            choices=ForecastChoices(level=args.level, backtest_k=_backtest(args)),
            ensemble=ensemble,
            progress=bar,
        )
    finally:
        bar.close()


def _backtest(args: argparse.Namespace) -> int:
    """The forecast's backtest cut-offs: ``--backtest``, else the Forecast page's default."""
    return DEFAULT_CHOICES.backtest_k if args.backtest is None else int(args.backtest)


def _check_forecast_flags(args: argparse.Namespace) -> None:
    """Refuse forecast flags that would be ignored: without --forecast or --load, or model
    settings with --load (a saved model keeps its own)."""
    flags = flag_checks.given_flags(args, ("level", "backtest", *_MODEL_FLAGS))
    if flags and not (args.forecast or args.load):
        verb = "applies" if len(flags) == 1 else "apply"
        raise InputError(
            f"{', '.join(flags)} only {verb} to the drift forecast: add --forecast (or --load a "
            "saved model), or leave them out."
        )
    flag_checks.check_backtest(args.backtest)
    flag_checks.refuse_with_load(args, flag_checks.given_flags(args, _MODEL_FLAGS))


def _forecast_notes(args: argparse.Namespace, forecast: Any) -> list[str]:
    """What the analyst must know of the forecast behind eac_forecast: uncalibrated without a
    backtest."""
    if forecast is None or _backtest(args) > 0:
        return []
    return [UNCALIBRATED_NOTE]


def run(args: argparse.Namespace) -> int:
    """Handler of ``cost-drift eac`` (exit 0; errors raise InputError/ForecastError)."""
    if args.cutoffs < 1:
        raise InputError(f"--cutoffs must be 1 or more (got {args.cutoffs}).")
    _check_forecast_flags(args)
    rule = cli_thresholds.rule_from_args(args, projected=True)
    portfolio = cli_common.load_from_args(args)
    rolled = rollup_frame(portfolio, EngineChoice(args.engine, args.spark_master))
    forecast = None
    if args.forecast or args.load:
        forecast = _forecast(args, portfolio, rolled, rule)
    done = completion_of(portfolio, rolled, forecast=forecast, rule=rule)
    scored = backtest_methods(rolled, done.table, cutoffs=args.cutoffs, measure=portfolio.measure)
    methods = scored.table
    if portfolio.decimals is not None:  # the mean error is money: at the file's places
        methods = methods.round({"mae": shown_places(portfolio.decimals)})
    if args.format == "json":
        payload = {
            "eac": json.loads(cli_common.frame_bytes(done.output, "json")),
            "backtest": json.loads(cli_common.frame_bytes(methods, "json")),
            "notes": [*done.notes, *_forecast_notes(args, forecast)],
            "verdict": scored.verdict,
        }
        cli_common.write_bytes(args, (json.dumps(payload, ensure_ascii=False) + "\n").encode())
        return 0
    notes = (*done.notes, *_forecast_notes(args, forecast))
    for note in (*notes, scored.verdict):
        print(f"cost-drift: {note}", file=sys.stderr)
    cli_common.emit(args, done.output)
    if args.out:
        cli_common.emit_beside(args, methods, "backtest")
    return 0
