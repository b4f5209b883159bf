"""Plan versions on the command line: ``cost-drift plan-changes`` and the report's section.

``--baseline COL`` (a mapping flag of every subcommand) maps the original plan beside the current
one; ``rollup`` and ``alerts`` then add ``baseline, baseline_variance`` to their columns, and
``plan-changes`` writes the current plan minus the baseline per node and period
(``portfolio.planversions.PLAN_CHANGE_COLUMNS``) or, with ``--latest``, one row per node with the
periods the plan moved (``REBASELINED_COLUMNS``).
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

import pandas as pd

from cli import common as cli_common
from portfolio.errors import InputError
from portfolio.planversions import has_baseline, plan_changes, rebaselined
from portfolio.rollup import BASELINE_COLUMNS, ROOT, rollup_portfolio

if TYPE_CHECKING:
    import plotly.graph_objects as go

REPORT_ROWS = 200


def with_baseline(columns: tuple[str, ...], frame: pd.DataFrame) -> list[str]:
    """``columns`` with the baseline columns after the rollup's, when the frame has them."""
    extra = [c for c in BASELINE_COLUMNS if c in frame.columns]
    if "status" in columns:
        return [*[c for c in columns if c != "status"], *extra, "status"]
    return [*columns, *extra]


def cmd_plan_changes(args: argparse.Namespace) -> int:
    if not args.baseline:
        raise InputError("plan-changes needs the baseline plan column: --baseline COL.")
    rolled = rollup_portfolio(cli_common.load_from_args(args))
    cli_common.emit(args, rebaselined(rolled) if args.latest else plan_changes(rolled))
    return 0


def report_parts(
    rolled: pd.DataFrame, currency: str = ""
) -> tuple[list[str], list[tuple[str, go.Figure]], list[tuple[str, pd.DataFrame]]]:
    """The report's plan-versions summary line, chart and table (nothing without a baseline)."""
    if not has_baseline(rolled):
        return [], [], []
    moved = rebaselined(rolled)
    root = moved.set_index("node").loc[ROOT]
    line = (
        f"Plan versions at {root['period']}: current plan {currency}{root['cum_planned']:,.2f}, "
        f"baseline {currency}{root['cum_baseline']:,.2f}, plan change "
        f"{currency}{root['cum_plan_change']:,.2f}; {int((moved['changes'] > 0).sum()):,} "
        "node(s) had their plan changed against the baseline."
    )
    from portfolio.plancharts import plan_versions_chart  # plotly: only when a report is made

    chart = plan_versions_chart(plan_changes(rolled), ROOT, currency=currency)
    table = moved[moved["changes"] > 0].head(REPORT_ROWS)
    return (
        [line],
        [("Plan versions of the whole portfolio", chart)],
        [("Plan changes against the baseline (largest first)", table)],
    )


def register(
    subparsers: argparse._SubParsersAction,  # type: ignore[type-arg]
    parents: dict[str, argparse.ArgumentParser],
) -> None:
    """Add ``cost-drift plan-changes``."""
    parser = subparsers.add_parser(
        "plan-changes",
        parents=[parents["input"], parents["output"], parents["common"]],
        help="current plan minus the baseline (--baseline COL) per node and period",
        description="Where and when the plan moved against the baseline: current plan minus "
        "baseline per node and period, or one row per node with --latest.",
    )
    parser.add_argument(
        "--latest",
        action="store_true",
        help="one row per node at the last period: the variance against each plan and the "
        "periods the plan changed",
    )
    parser.set_defaults(handler=cmd_plan_changes)
