"""The alert-threshold flags of the command line and the rule they describe."""

from __future__ import annotations

import argparse
import sys

from portfolio.alert_rule import BASES, DIRECTIONS, AlertRule


def add_threshold_args(parser: argparse.ArgumentParser) -> None:
    """The alert rule flags."""
    group = parser.add_argument_group("alert thresholds")
    rule = AlertRule()
    for band, default in (("amber", rule.amber_pct), ("red", rule.red_pct)):
        group.add_argument(
            f"--{band}",
            type=float,
            default=default,
            metavar="PCT",
            help=f"{band} at |variance %%| >= PCT, in percent (default: {default:g})",
        )
    group.add_argument(
        "--floor",
        type=float,
        default=rule.floor,
        metavar="AMOUNT",
        help=f"no alert while |variance| is below AMOUNT (default: {rule.floor:g})",
    )
    group.add_argument(
        "--basis",
        choices=BASES,
        default=rule.basis,
        help=f"compare to-date figures or each period alone (default: {rule.basis})",
    )
    group.add_argument(
        "--direction",
        choices=DIRECTIONS,
        default=rule.direction,
        help=f"alert on over- and under-runs, or overruns only (default: {rule.direction})",
    )
    group.add_argument(
        "--persistence",
        type=int,
        default=rule.persistence,
        metavar="K",
        help=f"alert only after K consecutive periods in the band (default: {rule.persistence})",
    )


def rule_from_args(args: argparse.Namespace, *, projected: bool = False) -> AlertRule:
    """The alert rule described by the threshold flags (raises InputError when invalid).

    Thresholds that both look like fractions (the outputs print variance % as fractions, 0.12 =
    12 %) are taken as given, in percent, with a note on standard error saying so. ``projected``:
    the command's statuses read one cumulative figure per node (forecast, eac), so a
    ``projection_note`` goes to standard error too.
    """
    rule = AlertRule(
        amber_pct=args.amber,
        red_pct=args.red,
        basis=args.basis,
        floor=args.floor,
        direction=args.direction,
        persistence=args.persistence,
    )
    if 0 < rule.amber_pct < 1 and 0 < rule.red_pct <= 1:
        print(
            f"cost-drift: --amber {rule.amber_pct:g} and --red {rule.red_pct:g} are percent "
            f"({rule.amber_pct:g} % and {rule.red_pct:g} %); for "
            f"{rule.amber_pct * 100:g} % and {rule.red_pct * 100:g} % give --amber "
            f"{rule.amber_pct * 100:g} --red {rule.red_pct * 100:g}.",
            file=sys.stderr,
        )
    note = projection_note(rule) if projected else None
    if note:
        print(f"cost-drift: {note}", file=sys.stderr)
    return rule


def projection_note(rule: AlertRule) -> str | None:
    """A note when ``--persistence`` or ``--basis`` were set for a command whose statuses read
    one cumulative figure per node (the forecast's outlook, the EAC), which do not use them."""
    default = AlertRule()
    unused = [
        flag
        for flag, field in (("--persistence", "persistence"), ("--basis", "basis"))
        if getattr(rule, field) != getattr(default, field)
    ]
    if not unused:
        return None
    verb = "applies" if len(unused) == 1 else "apply"
    return (
        f"{' and '.join(unused)} {verb} to the alerts over the history; the statuses here read one "
        "cumulative figure per node (now, at the horizon or at completion), so they do not use "
        f"{'it' if len(unused) == 1 else 'them'}."
    )
