"""Plan versions: the current plan beside the original baseline, and where the plan moved.

With a baseline mapped (``ColumnMapping.baseline``) the rollup carries ``baseline`` and
``baseline_variance`` (actual - baseline) per node and period. This module reads them:

- :func:`plan_changes`: per node and period, ``plan_change = planned - baseline`` (the period's
  flows) and ``cum_plan_change`` (to date). A period where ``plan_change`` is not 0 is one where
  the current plan and the baseline moved apart (for a ``level`` measure: the re-baselining
  reported in that period).
- :func:`rebaselined`: one row per node at the last period, the nodes whose plan moved most
  first: the variance against each plan, how much of the drift against the baseline the current
  plan absorbs, and the first and last period the plan changed.
- :func:`against_baseline`: the rollup with the baseline in place of the plan, so the alert rule,
  the charts and the tables can be applied against the baseline exactly as against the plan.

Signs: ``plan_change`` > 0 means the current plan is above the baseline (the budget was raised).
Variance keeps the rollup's convention, actual - plan.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from portfolio.decimals import decimals_of, widest
from portfolio.errors import InputError

PLAN_CHANGE_COLUMNS = (
    "node",
    "level",
    "period",
    "planned",
    "baseline",
    "plan_change",
    "cum_planned",
    "cum_baseline",
    "cum_plan_change",
    "cum_actual",
    "cum_variance",
    "cum_baseline_variance",
)
REBASELINED_COLUMNS = (
    "node",
    "level",
    "period",
    "cum_planned",
    "cum_baseline",
    "cum_plan_change",
    "cum_variance",
    "cum_variance_pct",
    "cum_baseline_variance",
    "cum_baseline_variance_pct",
    "changes",
    "first_change",
    "last_change",
)
_SNAP = 1e-9
_AMOUNTS = ("planned", "actual", "baseline")


def has_baseline(rolled: pd.DataFrame) -> bool:
    """Whether the rollup carries a baseline plan."""
    return "baseline" in rolled.columns


def _require(rolled: pd.DataFrame) -> None:
    if not has_baseline(rolled):
        raise InputError(
            "No baseline plan is mapped: choose a baseline plan column (--baseline COL).",
            column="baseline",
        )


def _ratio(num: pd.Series, den: pd.Series) -> pd.Series:
    values = num.to_numpy(dtype=float)
    base = den.to_numpy(dtype=float)
    out = np.full(len(values), np.nan)
    with np.errstate(over="ignore"):
        np.divide(values, base, out=out, where=base != 0)
    return pd.Series(out, index=num.index)


def _cum(rolled: pd.DataFrame, column: str) -> pd.Series:
    """Running total per node (the rollup is sorted by node, then period)."""
    return rolled.groupby("node", sort=False)[column].cumsum()


def _snapped(values: pd.Series, gross: pd.Series) -> pd.Series:
    return values.where(values.abs() > _SNAP * gross, 0.0)


def _places(rolled: pd.DataFrame) -> int | None:
    """The decimal places of the rolled-up figures, to write running totals without noise."""
    return widest(*(decimals_of(rolled[c].to_numpy(dtype=float)) for c in _AMOUNTS))


def _tidy(values: pd.Series, places: int | None) -> pd.Series:
    """Round a running total to the figures' places (sums of rounded floats carry noise)."""
    return values if places is None else values.round(places)


def plan_changes(rolled: pd.DataFrame) -> pd.DataFrame:
    """Current plan minus baseline per node and period (:data:`PLAN_CHANGE_COLUMNS`).

    Raises:
        InputError: The rollup has no baseline.
    """
    _require(rolled)
    places = _places(rolled)
    out = rolled.loc[:, ["node", "level", "period", "planned", "baseline", "cum_planned"]].copy()
    gross = rolled["planned"].abs() + rolled["baseline"].abs()
    change = _snapped(rolled["planned"] - rolled["baseline"], gross)
    out["plan_change"] = _tidy(change, places)
    out["cum_baseline"] = _tidy(_cum(rolled, "baseline"), places)
    cum_gross = _cum(rolled.assign(_g=gross), "_g")
    cum_change = _snapped(out["cum_planned"] - out["cum_baseline"], cum_gross)
    out["cum_plan_change"] = _tidy(cum_change, places)
    out["cum_actual"] = rolled["cum_actual"]
    out["cum_variance"] = rolled["cum_variance"]
    out["cum_baseline_variance"] = _tidy(
        _baseline_cum_variance(rolled, out["cum_baseline"]), places
    )
    return out.loc[:, list(PLAN_CHANGE_COLUMNS)].reset_index(drop=True)


def _baseline_cum_variance(rolled: pd.DataFrame, cum_baseline: pd.Series) -> pd.Series:
    gross = _cum(rolled.assign(_g=rolled["baseline"].abs() + rolled["actual"].abs()), "_g")
    return _snapped(rolled["cum_actual"] - cum_baseline, gross)


def rebaselined(rolled: pd.DataFrame) -> pd.DataFrame:
    """One row per node at the last period (:data:`REBASELINED_COLUMNS`), largest move first.

    ``changes`` counts the periods in which the plan moved against the baseline;
    ``first_change`` / ``last_change`` name the first and last of them (empty when none).
    Sorted by ``|cum_plan_change|`` descending, then level and node.

    Raises:
        InputError: The rollup has no baseline.
    """
    changes = plan_changes(rolled)
    moved = changes[changes["plan_change"] != 0]
    when = moved.groupby("node", sort=False)["period"].agg(["size", "first", "last"])
    last = changes.groupby("node", sort=False).tail(1).set_index("node")
    out = last.loc[:, ["level", "period", "cum_planned", "cum_baseline", "cum_plan_change"]].copy()
    out["cum_variance"] = last["cum_variance"]
    out["cum_variance_pct"] = _ratio(last["cum_variance"], last["cum_planned"])
    out["cum_baseline_variance"] = last["cum_baseline_variance"]
    out["cum_baseline_variance_pct"] = _ratio(last["cum_baseline_variance"], last["cum_baseline"])
    out["changes"] = when["size"].reindex(out.index).fillna(0).astype("int64")
    out["first_change"] = when["first"].reindex(out.index).fillna("").astype(str)
    out["last_change"] = when["last"].reindex(out.index).fillna("").astype(str)
    out = out.reset_index()
    out["_size"] = out["cum_plan_change"].abs()
    out = out.sort_values(["_size", "level", "node"], ascending=[False, True, True], kind="stable")
    return out.loc[:, list(REBASELINED_COLUMNS)].reset_index(drop=True)


def against_baseline(rolled: pd.DataFrame) -> pd.DataFrame:
    """The rollup with the baseline as its plan: planned, variance and the cumulative columns
    recomputed against the baseline (same columns, so alerts and charts apply unchanged).

    Raises:
        InputError: The rollup has no baseline.
    """
    _require(rolled)
    out = rolled.copy()
    out["planned"] = rolled["baseline"]
    out["variance"] = rolled["baseline_variance"]
    out["variance_pct"] = _ratio(out["variance"], out["planned"])
    places = _places(rolled)
    out["cum_planned"] = _tidy(_cum(rolled, "baseline"), places)
    out["cum_variance"] = _tidy(_baseline_cum_variance(rolled, out["cum_planned"]), places)
    out["cum_variance_pct"] = _ratio(out["cum_variance"], out["cum_planned"])
    return out
