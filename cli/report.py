"""``cost-drift report``: a one-file HTML report (charts, alert table, plan versions, notes).

Moved out of ``cli.main`` unchanged. ``report`` is one of ``cli.main.CORE_COMMANDS``: its parser is
always built, and the charts and the report builder are imported only when the command runs.
"""

from __future__ import annotations

import argparse

import pandas as pd

from cli import common as cli_common
from cli import notes as notes_cli
from cli import plans as plans_cli
from cli import thresholds as cli_thresholds

HEATMAP_MAX_NODES = 60


def register(
    subparsers: argparse._SubParsersAction, parents: dict[str, argparse.ArgumentParser]
) -> None:
    """Add the ``report`` subcommand."""
    report = subparsers.add_parser(
        "report",
        parents=[parents["input"], parents["common"], parents["thresholds"]],
        help="a one-file HTML report (charts, alert table); works offline",
        description="Write a one-file HTML report: overview, treemap, heat map, alerts.",
    )
    report.add_argument("--title", default="Cost drift report", help="the report's title")
    report.add_argument(
        "--currency", default="", metavar="SYMBOL", help="currency shown with amounts, e.g. '$'"
    )
    report.add_argument(
        "--out", default=None, metavar="FILE", help="write to FILE instead of standard output"
    )
    notes_cli.add_notes_args(report)
    report.set_defaults(handler=cmd_report)


def _heatmap_level(latest: pd.DataFrame) -> int:
    """The deepest level with at most HEATMAP_MAX_NODES nodes (level 1 at least)."""
    counts = latest.groupby("level")["node"].size()
    fitting = [int(lv) for lv, n in counts.items() if int(lv) >= 1 and n <= HEATMAP_MAX_NODES]
    if fitting:
        return max(fitting)
    return 1 if (counts.index == 1).any() else 0


def cmd_report(args: argparse.Namespace) -> int:
    """Handler of ``cost-drift report``: the summary, charts and tables as one HTML page."""
    from portfolio import charts
    from portfolio.alerts import alert_table, evaluate, latest_status
    from portfolio.report import build_report
    from portfolio.rollup import ROOT, rollup_portfolio

    rule = cli_thresholds.rule_from_args(args)
    p = cli_common.load_from_args(args)
    notes_name, notes = notes_cli.notes_from_args(args)
    cur = args.currency
    rolled = rollup_portfolio(p)
    plan_lines, plan_figures, plan_tables = plans_cli.report_parts(rolled, cur)
    statuses = evaluate(rolled, rule)
    latest = latest_status(statuses)
    alerts = alert_table(statuses)
    counts = latest["status"].value_counts()
    s = p.summary
    root = latest[latest["node"] == ROOT].iloc[0]
    pct = root["cum_variance_pct"]
    pct_text = "n/a" if pd.isna(pct) else f"{pct * 100:+.1f} %"
    summary = [
        f"File {s.source}: {s.rows_read:,} rows read, {s.rows_used:,} used, "
        f"{s.rows_rejected:,} rejected; {s.leaves:,} leaves over {s.periods:,} periods "
        f"({p.periods[0]} to {p.periods[-1]}).",
        f"To {root['period']}: planned {cur}{root['cum_planned']:,.2f}, actual "
        f"{cur}{root['cum_actual']:,.2f}, variance {cur}{root['cum_variance']:,.2f} "
        f"({pct_text}).",
        f"Status at the last period: {int(counts.get('red', 0)):,} red, "
        f"{int(counts.get('amber', 0)):,} amber, {int(counts.get('green', 0)):,} green nodes.",
        f"Rule: amber at {rule.amber_pct:g} %, red at {rule.red_pct:g} % of |variance| on the "
        f"{rule.basis} basis, floor {rule.floor:g}, direction {rule.direction}, persistence "
        f"{rule.persistence}.",
        *plan_lines,
        notes_cli.notes_summary(notes_name, notes),
        *s.notes,
    ]
    level = _heatmap_level(latest)
    figures = [
        ("Overview", charts.totals_over_time(statuses, ROOT, currency=cur, measure=p.measure)),
        ("Hierarchy", charts.hierarchy_treemap(latest, currency=cur)),
        (f"Status heat map (level {level})", charts.status_heatmap(statuses, level)),
        ("Top drifters", charts.top_drifters(latest, currency=cur)),
        *plan_figures,
    ]
    columns = [
        "node",
        "level",
        "status",
        "periods_in_status",
        "cum_planned",
        "cum_actual",
        "cum_variance",
        "cum_variance_pct",
    ]
    page = build_report(
        args.title,
        summary,
        figures,
        [
            (f"Alerts at {root['period']} (worst first)", alerts.loc[:, columns]),
            *plan_tables,
            ("Variance notes", notes),
        ],
    )
    cli_common.write_bytes(args, page.encode("utf-8"))
    return 0
