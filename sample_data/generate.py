"""Generate the sample portfolio that Cost Drift opens with.

Run ``python -m sample_data.generate`` (or ``python sample_data/generate.py``) from the repository
root to rewrite ``sample_data/sample_portfolio.csv``. The output depends only on the seed and on
this file, so regenerating reproduces the committed file byte for byte (a test checks it).

What the file holds
-------------------
Long format with the default column names ``portfolio, program, project, item, period, planned,
actual``: one portfolio > 5 programs > 25 projects > 200 purchase orders (``item``), monthly periods
``YYYY-MM`` from 2022-01 to 2025-12 (48 months). Amounts are US dollars rounded to cents. An item
has rows only while it is active. Items still active in 2025-12 also carry ``PLAN_AHEAD`` (6) rows,
2026-01 to 2026-06, with ``planned`` filled and ``actual`` blank: the plan known ahead, which the
loader keeps as the future plan and the forecast uses as its covariate.

How the numbers are made (every constant is a module-level name below)
-----------------------------------------------------------------------
All randomness comes from one ``numpy.random.Generator`` seeded with ``seed``; the draws happen in
a fixed order, so one seed gives one file.

- Size: each item gets a base monthly plan drawn log-normally (median ``BASE_MEDIAN``, log spread
  ``BASE_LOG_SD``).
- Life: most items run for the whole 48 months; ``P_LATE_START`` of them start at a random month
  in the first ``LATE_START_MAX`` months, and ``P_EARLY_END`` of them end early (after at least
  ``MIN_LIFE`` months). Rows exist only for active months.
- Plan: ``planned = base * season[month] * (1 + PLAN_GROWTH * years since start)``. The season is
  the US federal fiscal year (ends 30 September): spend builds in the fourth quarter of the fiscal
  year and peaks in September (``SEASON``), dips in December and January.
- Actual: ``actual = planned * (1 + effect(t)) * (1 + noise)``, never negative, where ``noise`` is
  normal with sd ``NOISE_SD`` and ``effect`` follows the item's behaviour:

  * ``on_plan`` (the rest): no effect beyond noise and a small constant bias (sd ``BIAS_SD``).
  * ``drift`` (share ``P_DRIFT``): a slow upward creep, ``effect = rate * months active`` with
    ``rate`` uniform in ``DRIFT_RATE``; the creep is what a forecast model can learn (it carries
    on into the plan-ahead months, and a seasonal-naive forecast that copies last year's variance
    falls behind it).
  * ``step`` (share ``P_STEP``): a step overrun of size uniform in ``STEP_SIZE`` from a random month
    in the middle of the item's life (a change order, a price rise).
  * ``underrun`` (share ``P_UNDERRUN``): actual stays below plan by a fraction uniform in
    ``UNDERRUN_SIZE``, reached over the first ``UNDERRUN_RAMP`` months (a delayed start of work).

  Behaviours are drawn per item. On top of them, each project is ``troubled`` with probability
  ``P_TROUBLED_PROJECT``: all its items then share a calendar-time creep (a vendor's price
  escalation, scope growth), ``effect += creep * months since 2022-01`` with ``creep`` uniform in
  ``PROJECT_CREEP``. That is the drift a project-level forecast can learn. Year-end rush: in
  September every item's actual gets an extra ``YEAR_END_RUSH`` share on top (money spent before
  it lapses), so the variance series itself is seasonal.

With the default seed, at the default alert thresholds (10 % amber, 30 % red, cumulative basis) the
latest statuses are mostly green with fewer amber and fewer still red at every level (items: 130
green, 49 amber, 21 red; projects: 19, 4, 2; programs: 4, 1, 0; the portfolio green);
``sample_data/README.md`` lists the figures.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

DEFAULT_SEED = 20240101
OUTPUT = Path(__file__).resolve().parent / "sample_portfolio.csv"

FIRST_PERIOD = "2022-01"
N_MONTHS = 48
PLAN_AHEAD = 6

PORTFOLIO = "Enterprise IT"
PROGRAMS: dict[str, tuple[str, ...]] = {
    "Infrastructure": (
        "Data centre consolidation",
        "Network refresh",
        "Cloud migration",
        "Storage upgrade",
        "Disaster recovery site",
    ),
    "Applications": (
        "ERP modernisation",
        "Case management system",
        "Payroll replacement",
        "Citizen portal",
        "Document management",
    ),
    "Security": (
        "Identity and access",
        "Security operations centre",
        "Endpoint protection",
        "Zero trust network",
        "Vulnerability management",
    ),
    "Data and Analytics": (
        "Data warehouse",
        "Reporting platform",
        "Master data",
        "Data governance",
        "Machine learning platform",
    ),
    "Workplace": (
        "Laptop refresh",
        "Collaboration suite",
        "Service desk",
        "Printing consolidation",
        "Mobile devices",
    ),
}
ITEM_KINDS = (
    "Hardware",
    "Software licences",
    "Consulting",
    "Integration services",
    "Support contract",
    "Training",
    "Cloud subscription",
    "Staff augmentation",
    "Maintenance",
    "Testing services",
    "Project management",
    "Telecom services",
)
N_ITEMS = 200
ITEMS_PER_PROJECT = (5, 12)  # min and max purchase orders per project

BASE_MEDIAN = 25_000.0
BASE_LOG_SD = 0.8
P_LATE_START = 0.25
LATE_START_MAX = 30
P_EARLY_END = 0.2
MIN_LIFE = 12
PLAN_GROWTH = 0.03
# Monthly plan profile, January..December: federal fiscal year ends in September.
SEASON = (0.80, 0.90, 1.00, 0.95, 1.00, 1.05, 1.10, 1.25, 1.60, 0.95, 0.95, 0.80)
YEAR_END_RUSH = 0.06
NOISE_SD = 0.06
BIAS_SD = 0.025

P_DRIFT = 0.12
P_STEP = 0.06
P_UNDERRUN = 0.05
P_TROUBLED_PROJECT = 0.2
PROJECT_CREEP = (0.004, 0.014)
DRIFT_RATE = (0.003, 0.010)
STEP_SIZE = (0.25, 0.7)
UNDERRUN_SIZE = (0.12, 0.4)
UNDERRUN_RAMP = 6

COLUMNS = ("portfolio", "program", "project", "item", "period", "planned", "actual")


def _month_labels(first: str, n: int) -> list[str]:
    return [str(p) for p in pd.period_range(first, periods=n, freq="M")]


def _items_per_project(rng: np.random.Generator, n_projects: int) -> np.ndarray:
    """Split N_ITEMS over the projects, each between the ITEMS_PER_PROJECT bounds."""
    low, high = ITEMS_PER_PROJECT
    counts = np.full(n_projects, N_ITEMS // n_projects)
    counts[: N_ITEMS - counts.sum()] += 1
    for _ in range(4 * n_projects):
        give, take = rng.integers(0, n_projects, size=2)
        if counts[give] > low and counts[take] < high and give != take:
            counts[give] -= 1
            counts[take] += 1
    return counts


def _behaviour(rng: np.random.Generator) -> str:
    u = rng.random()
    if u < P_DRIFT:
        return "drift"
    if u < P_DRIFT + P_STEP:
        return "step"
    if u < P_DRIFT + P_STEP + P_UNDERRUN:
        return "underrun"
    return "on_plan"


def _effect(rng: np.random.Generator, behaviour: str, life: int) -> np.ndarray:
    """The fractional overrun (negative: under-run) of each active month, before noise."""
    t = np.arange(life, dtype=float)
    bias = rng.normal(0.0, BIAS_SD)
    if behaviour == "drift":
        return bias + rng.uniform(*DRIFT_RATE) * t
    if behaviour == "step":
        onset = int(rng.integers(max(1, life // 5), max(2, (4 * life) // 5)))
        return bias + np.where(t >= onset, rng.uniform(*STEP_SIZE), 0.0)
    if behaviour == "underrun":
        ramp = np.minimum(1.0, (t + 1) / UNDERRUN_RAMP)
        return bias - rng.uniform(*UNDERRUN_SIZE) * ramp
    return np.full(life, bias)


def generate(seed: int = DEFAULT_SEED) -> pd.DataFrame:
    """Build the sample portfolio.

    Args:
        seed: Seed of the one random generator every draw comes from.

    Returns:
        The long table with columns ``COLUMNS``; ``actual`` is NaN on the plan-ahead rows.
    """
    rng = np.random.default_rng(seed)
    periods = _month_labels(FIRST_PERIOD, N_MONTHS + PLAN_AHEAD)
    month_of_year = np.array([int(p[5:7]) for p in periods]) - 1
    season = np.asarray(SEASON)[month_of_year]
    projects = [(prog, proj) for prog, projs in PROGRAMS.items() for proj in projs]
    counts = _items_per_project(rng, len(projects))

    parts: list[pd.DataFrame] = []
    po_number = 4_500_100
    for (program, project), n_items in zip(projects, counts, strict=True):
        troubled = bool(rng.random() < P_TROUBLED_PROJECT)
        creep = rng.uniform(*PROJECT_CREEP) if troubled else 0.0
        kinds = rng.choice(len(ITEM_KINDS), size=n_items, replace=n_items > len(ITEM_KINDS))
        for kind in kinds:
            po_number += int(rng.integers(1, 40))
            item = f"PO-{po_number} {ITEM_KINDS[kind]}"
            base = BASE_MEDIAN * float(np.exp(rng.normal(0.0, BASE_LOG_SD)))
            start = int(rng.integers(1, LATE_START_MAX + 1)) if rng.random() < P_LATE_START else 0
            end = N_MONTHS  # exclusive; N_MONTHS means "active at the end"
            if rng.random() < P_EARLY_END and N_MONTHS - start > MIN_LIFE + 1:
                end = int(rng.integers(start + MIN_LIFE, N_MONTHS))
            life = end - start
            behaviour = _behaviour(rng)
            effect = _effect(rng, behaviour, life) + creep * np.arange(start, end)
            noise = rng.normal(0.0, NOISE_SD, size=life)

            ahead = PLAN_AHEAD if end == N_MONTHS else 0
            span = slice(start, end + ahead)
            years = np.arange(life + ahead) / 12.0
            planned = base * season[span] * (1.0 + PLAN_GROWTH * years)
            rush = np.where(month_of_year[start:end] == 8, YEAR_END_RUSH, 0.0)
            actual = planned[:life] * (1.0 + effect + rush) * (1.0 + noise)
            actual_full = np.concatenate([np.maximum(actual, 0.0), np.full(ahead, np.nan)])
            parts.append(
                pd.DataFrame(
                    {
                        "portfolio": PORTFOLIO,
                        "program": program,
                        "project": project,
                        "item": item,
                        "period": periods[span],
                        "planned": np.round(planned, 2),
                        "actual": np.round(actual_full, 2),
                    }
                )
            )
    return pd.concat(parts, ignore_index=True)[list(COLUMNS)]


def to_csv_text(frame: pd.DataFrame) -> str:
    """The CSV text written for ``frame`` (cents, ``\\n`` line ends, blank for a missing actual)."""
    return frame.to_csv(index=False, float_format="%.2f", lineterminator="\n")


def main(argv: list[str] | None = None) -> int:
    """Write the sample portfolio to ``sample_data/sample_portfolio.csv`` (or the path given)."""
    args = sys.argv[1:] if argv is None else argv
    out = Path(args[0]) if args else OUTPUT
    out.write_text(to_csv_text(generate()), encoding="utf-8", newline="")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
