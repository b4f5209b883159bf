"""The ``cost-drift`` command line: validate, rollup, alerts, report, forecast, eac, explain.

Exit status: 0 ok; 2 bad input or bad settings (the message on stderr, no traceback); 1 an
internal fault (one line on stderr; ``--debug`` shows the traceback).

Output columns (scripts depend on them, keep them stable): ``rollup`` writes
``node, level, period, planned, actual, variance, variance_pct, cum_planned, cum_actual,
cum_variance, cum_variance_pct`` for every node and period; ``alerts`` adds ``status``
(``green``, ``amber``, ``red``); ``--latest`` keeps only each node's last period. Percentages
are fractions (0.12 = 12 %), empty (CSV) or null (JSON) where the planned figure is 0.

With ``--baseline COL`` (a second, original plan) ``rollup`` and ``alerts`` add ``baseline,
baseline_variance`` after the rollup columns, ``report`` adds a plan-versions section, and
``plan-changes`` writes the plan's moves against the baseline (``cli.plans``).

``report`` (the one-file HTML report) lives in ``cli.report``. ``notes`` lists a portfolio's
variance notes (``cli.notes``: ``portfolio, node, period, cause,
impact, action, owner, date, updated_at``); ``report`` includes them (``--notes``, ``--portfolio``).

The ``forecast`` subcommand lives in ``cli.forecast`` (it imports the Keras side of the
forecasting package only when it runs). Its ``register(subparsers, parents)`` receives the
subparsers action and a mapping of argparse parent parsers with the keys ``input``,
``thresholds``, ``output``, ``engine`` (``--engine``, ``--spark-master``: see ``cli.engines``) and
``common``; the parser it adds must ``set_defaults(handler=fn)``
with ``fn(args) -> int``. ``cli.eac`` and ``cli.explain`` follow the same contract. A run of a
core subcommand (``CORE_COMMANDS``) builds only the core parsers, so that these three modules and
what they import are not loaded: the interpreter's start and imports are most of a small run
(``validate``, ``rollup`` and ``alerts`` build only their own three: see ``TABLE_COMMANDS``).
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import traceback
from collections.abc import Callable, Sequence
from typing import Any, cast

from cli import common as cli_common
from cli import engines as cli_engines
from cli import flag_checks
from cli import thresholds as cli_thresholds
from forecasting.errors import ForecastError
from portfolio.engines import choose_engine, load_input
from portfolio.errors import InputError
from portfolio.rollup_columns import ROLLUP_COLUMNS

log = logging.getLogger(__name__)

ROLLUP_OUTPUT = ROLLUP_COLUMNS  # the stable CSV/JSON columns of `rollup`
ALERTS_OUTPUT = (*ROLLUP_OUTPUT, "status")
# The cores' documented exceptions for bad input or settings: exit 2 with their message.
USER_ERRORS = (InputError, ForecastError)


def summary_text(p: object) -> str:
    """The load summary as plain lines for ``validate``."""
    s = p.summary  # type: ignore[attr-defined]
    lines = [
        f"File: {s.source}",
        f"Rows read: {s.rows_read:,}",
        f"Rows used: {s.rows_used:,}",
        f"Rows rejected: {s.rows_rejected:,}",
        f"Leaves: {s.leaves:,}",
        f"Periods: {s.periods:,}",
        f"Frequency: {s.frequency}",
        f"Measure: {p.measure}",  # type: ignore[attr-defined]
        f"Levels: {' > '.join(p.levels)}",  # type: ignore[attr-defined]
        f"Negative planned rows: {s.negative_planned_rows:,}",
    ]
    periods = p.periods  # type: ignore[attr-defined]
    if periods:
        lines.append(f"Calendar: {periods[0]} to {periods[-1]}")
    if s.notes:
        lines.append("Notes:")
        lines.extend(f"- {note}" for note in s.notes)
    return "\n".join(lines) + "\n"


def cmd_validate(args: argparse.Namespace) -> int:
    p = cli_common.load_from_args(args)
    cli_common.write_bytes(args, summary_text(p).encode("utf-8"))
    return 0


def cmd_rollup(args: argparse.Namespace) -> int:
    job = cli_engines.job_from_args(args)
    if choose_engine(job) != "pandas":
        cli_engines.run_to_output(args, job)
        return 0
    from cli import plans as plans_cli
    from portfolio.rollup import rollup_portfolio

    rolled = rollup_portfolio(load_input(job.input))
    cli_common.emit(args, rolled.loc[:, plans_cli.with_baseline(ROLLUP_OUTPUT, rolled)])
    return 0


def cmd_alerts(args: argparse.Namespace) -> int:
    rule = cli_thresholds.rule_from_args(args)
    job = cli_engines.job_from_args(args, rule)
    if choose_engine(job) != "pandas":
        cli_engines.run_to_output(args, job)
        return 0
    from cli import plans as plans_cli
    from portfolio.alerts import evaluate, latest_status
    from portfolio.rollup import rollup_portfolio

    statuses = evaluate(rollup_portfolio(load_input(job.input)), rule)
    if args.latest:
        statuses = latest_status(statuses)
    cli_common.emit(args, statuses.loc[:, plans_cli.with_baseline(ALERTS_OUTPUT, statuses)])
    return 0


def _parents() -> dict[str, argparse.ArgumentParser]:
    parents = {name: argparse.ArgumentParser(add_help=False) for name in ("input", "thresholds")}
    parents["output"] = argparse.ArgumentParser(add_help=False)
    parents["common"] = argparse.ArgumentParser(add_help=False)
    parents["engine"] = argparse.ArgumentParser(add_help=False)
    cli_engines.add_engine_args(parents["engine"])
    cli_common.add_input_args(parents["input"])
    cli_thresholds.add_threshold_args(parents["thresholds"])
    cli_common.add_output_args(parents["output"])
    cli_common.add_common_args(parents["common"])
    return parents


CORE_COMMANDS = ("validate", "rollup", "alerts", "report")
# A run of one of these builds only their parsers: ``report`` and what it imports (pandas) are
# not loaded, so that ``rollup --engine duckdb --format parquet`` imports no pandas at all.
TABLE_COMMANDS = ("validate", "rollup", "alerts")


class _Parser(argparse.ArgumentParser):
    """A parser that takes flags only as written: argparse's abbreviations read ``--level`` as
    ``--levels`` and ``--period`` as ``explain``'s ``--period-column``, with baffling errors."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("allow_abbrev", False)
        super().__init__(*args, **kwargs)


def build_parser(core_only: bool = False, tables_only: bool = False) -> argparse.ArgumentParser:
    """The argument parser with every subcommand (only ``CORE_COMMANDS`` with ``core_only``,
    only ``TABLE_COMMANDS`` with ``tables_only``)."""
    parser = _Parser(
        prog="cost-drift",
        description="Planned vs actual cost drift across a portfolio hierarchy.",
        epilog="Exit status: 0 ok, 2 bad input (message on stderr), 1 internal fault.",
    )
    action = parser.add_subparsers(
        dest="command", metavar="COMMAND", required=True, parser_class=_Parser
    )
    subparsers = cast("argparse._SubParsersAction[argparse.ArgumentParser]", action)
    parents = _parents()
    data_parents = [parents["input"], parents["common"]]

    validate = subparsers.add_parser(
        "validate",
        parents=data_parents,
        help="load the file and print the load summary",
        description="Load the file and print what was read, used and rejected.",
    )
    validate.add_argument("--out", default=None, metavar="FILE", help="write to FILE")
    validate.set_defaults(handler=cmd_validate)

    rollup = subparsers.add_parser(
        "rollup",
        parents=[*data_parents, parents["engine"], parents["output"]],
        help="planned, actual and variance for every node and period",
        description="Roll planned and actual up to every node of the hierarchy, every period.",
    )
    rollup.set_defaults(handler=cmd_rollup)

    alerts = subparsers.add_parser(
        "alerts",
        parents=[*data_parents, parents["thresholds"], parents["engine"], parents["output"]],
        help="the rollup with a green/amber/red status per node and period",
        description="The rollup with a RAG status for every node and period.",
    )
    alerts.add_argument("--latest", action="store_true", help="only the last period of every node")
    alerts.set_defaults(handler=cmd_alerts)

    if tables_only:
        return parser
    from cli import report as report_cli

    report_cli.register(subparsers, parents)

    if not core_only:
        from cli import eac, explain, forecast
        from cli import notes as notes_cli
        from cli import plans as plans_cli

        forecast.register(subparsers, parents)
        eac.register(subparsers, parents)
        explain.register(subparsers, parents)
        notes_cli.register(subparsers, parents)
        plans_cli.register(subparsers, parents)
    return parser


def _run(handler: Callable[[argparse.Namespace], int], args: argparse.Namespace) -> int:
    debug = bool(getattr(args, "debug", False))
    try:
        flag_checks.check_output(args)
        return int(handler(args) or 0)
    except KeyboardInterrupt:
        print("cost-drift: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (e.g. `| head`): not a fault. Silence the flush at exit.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except Exception as exc:
        if isinstance(exc, USER_ERRORS):
            print(f"cost-drift: {exc}", file=sys.stderr)
            return 2
        if isinstance(exc, MemoryError):
            print(
                "cost-drift: out of memory: the portfolio is too large for this machine "
                "(try fewer levels or a coarser --frequency).",
                file=sys.stderr,
            )
            return 1
        if debug:
            traceback.print_exc()
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        detail = f"{type(exc).__name__}: {first}" if first else type(exc).__name__
        print(
            f"cost-drift: internal error ({detail}); run with --debug for details", file=sys.stderr
        )
        return 1


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    logging.basicConfig(level=logging.WARNING, format="cost-drift: %(message)s")
    words = list(sys.argv[1:] if argv is None else argv)
    first = words[0] if words else ""
    parser = build_parser(core_only=first in CORE_COMMANDS, tables_only=first in TABLE_COMMANDS)
    args = parser.parse_args(words)
    cli_common.resolve_format(args)
    return _run(args.handler, args)


if __name__ == "__main__":
    sys.exit(main())
