"""Small portfolios for the browser tests, and what the portfolio core says about them.

Each file has its own node names (a prefix) and scale, so that a test can tell whose data a
browser session shows. The expected figures come from the portfolio core (load, rollup, alerts),
never from numbers typed into a test.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass

from portfolio.alerts import AlertRule, alert_table, evaluate, latest_status
from portfolio.load import load_portfolio
from portfolio.mapping import ColumnMapping
from portfolio.rollup import ROOT, rollup_portfolio

# Cumulative drift of each leaf (actual / planned - 1): a spread across the 10 % and 30 % bands so
# that moving a threshold changes the alert count.
DRIFTS = (0.02, 0.07, 0.13, 0.18, 0.24, 0.41, -0.05, -0.16, 0.33, 0.09, 0.27, -0.36)


@dataclass(frozen=True)
class Columns:
    """The column names a generated file uses for each role."""

    levels: tuple[str, ...]
    period: str
    planned: str
    actual: str


DEFAULT_COLUMNS = Columns(
    ("portfolio", "program", "project", "item"), "period", "planned", "actual"
)
# Names the mapping guesser cannot place: the analyst has to map them in the sidebar.
ODD_COLUMNS = Columns(("Unit", "Team"), "Reporting Month", "Forecast", "Booked")


def make_csv(
    prefix: str,
    columns: Columns = DEFAULT_COLUMNS,
    *,
    groups: int = 2,
    leaves_per_group: int = 3,
    months: int = 24,
    scale: float = 1000.0,
) -> bytes:
    """A long-format CSV: ``groups`` x ``leaves_per_group`` leaves over ``months`` months.

    Node names all start with ``prefix``; amounts are deterministic (no randomness), planned
    following a gentle season and actual drifting by the leaf's entry of :data:`DRIFTS`.
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([*columns.levels, columns.period, columns.planned, columns.actual])
    depth = len(columns.levels)
    leaf = 0
    for g in range(groups):
        for k in range(leaves_per_group):
            path = [f"{prefix} {columns.levels[0]} {g + 1}"]
            path += [f"{prefix} {name} {g + 1}.{k + 1}" for name in columns.levels[1:]]
            if depth > 2:  # the middle levels group the leaves in pairs
                path[1:-1] = [
                    f"{prefix} {name} {g + 1}.{k // 2 + 1}" for name in columns.levels[1:-1]
                ]
            drift = DRIFTS[leaf % len(DRIFTS)]
            base = scale * (1 + leaf % 4)
            for m in range(months):
                planned = base * (1 + 0.15 * math.sin(2 * math.pi * m / 12))
                actual = planned * (1 + drift) + scale * 0.01 * ((m * 7 + leaf) % 5 - 2)
                period = f"{2023 + m // 12}-{m % 12 + 1:02d}"
                writer.writerow([*path, period, f"{planned:.2f}", f"{actual:.2f}"])
            leaf += 1
    return out.getvalue().encode()


def mapping_for(columns: Columns) -> ColumnMapping:
    """The column mapping that reads a file made with ``columns``."""
    return ColumnMapping(
        levels=columns.levels,
        period=columns.period,
        planned=columns.planned,
        actual=columns.actual,
    )


@dataclass(frozen=True)
class Expected:
    """What the app should show for a file, according to the portfolio core."""

    planned: float
    actual: float
    variance: float
    alerts: int
    alert_nodes: frozenset[str]
    node_names: frozenset[str]  # every name below the root


def expected(
    data: bytes, columns: Columns = DEFAULT_COLUMNS, rule: AlertRule | None = None
) -> Expected:
    """Totals at the last period and the alerts, from the portfolio core."""
    port = load_portfolio(data, mapping_for(columns), name="expected.csv")
    rolled = rollup_portfolio(port)
    statuses = evaluate(rolled, rule or AlertRule())
    latest = latest_status(statuses)
    root = latest.loc[latest["node"] == ROOT].iloc[0]
    alerts = alert_table(statuses)
    names = frozenset(str(n) for n in latest.loc[latest["node"] != ROOT, "name"])
    return Expected(
        planned=float(root["cum_planned"]),
        actual=float(root["cum_actual"]),
        variance=float(root["cum_variance"]),
        alerts=len(alerts),
        alert_nodes=frozenset(str(n) for n in alerts["node"]),
        node_names=names,
    )
