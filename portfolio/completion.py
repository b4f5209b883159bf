"""At completion: where every node will land (estimate at completion, EAC) and its status there.

Per node (every level), as of the file's last actual period:

- ``bac``: everything planned in the file, the plan ahead included (budget at completion);
  ``planned_to_date``, ``actual_to_date``: the rollup's cumulative figures at the last period;
  ``remaining_plan = bac - planned_to_date``; ``completion_period``: the last period with a
  non-zero plan (empty where nothing was ever planned).
- ``eac_plan = actual_to_date + remaining_plan``: the rest goes as planned.
- ``spend_index = actual_to_date / planned_to_date`` (empty where the plan to date is 0). It is a
  spend index, not a CPI: these files hold no earned value. ``eac_rate = actual_to_date +
  remaining_plan * spend_index``: the rest overruns (or underruns) at the rate so far. Where the
  spend index is empty, ``eac_rate`` is ``actual_to_date`` when nothing remains, else empty.
  A parent's index is its own ratio after summing (never an average of its children's), so a
  parent's ``eac_rate`` is not the sum of its children's; ``eac_plan`` is.
- ``vac_plan = bac - eac_plan``, ``vac_rate = bac - eac_rate``: variance at completion in the
  earned-value convention, **negative is an overrun**, the opposite sign of our variance
  (actual - planned).
- With a forecast of the drift (``DataFrame[node, period, step, median, lower, upper]``, variance
  per future period), ``eac_forecast``, ``eac_lower``, ``eac_upper`` and ``vac_forecast`` (see
  ``portfolio.completion_forecast``).
- ``status`` (green/amber/red): the EAC named in ``eac_basis`` (forecast where the node has one,
  else rate, else plan) judged against the alert bands as a variance at completion
  ``(eac - bac) / bac`` with the rule's amber, red, floor and direction (a single projected
  figure: the basis and persistence of the rule do not apply). Spend against a BAC of 0 is red.

Plan ahead in periods up to the last actual period (an item whose actuals stopped earlier than
the file's) is not in the rollup's plan to date: it counts as remaining plan, and a note says so.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from portfolio.alerts import AlertRule, evaluate
from portfolio.completion_forecast import forecast_eac
from portfolio.decimals import shown_places
from portfolio.errors import InputError
from portfolio.rollup import rollup

if TYPE_CHECKING:
    from portfolio.load import Portfolio

BASE_COLUMNS = (
    "node",
    "level",
    "bac",
    "planned_to_date",
    "actual_to_date",
    "remaining_plan",
    "completion_period",
    "eac_plan",
    "spend_index",
    "eac_rate",
    "vac_plan",
    "vac_rate",
)
FORECAST_COLUMNS = ("eac_forecast", "eac_lower", "eac_upper", "vac_forecast")
STATUS_COLUMNS = ("status", "eac_basis")
_NOT_MONEY = {"node", "level", "completion_period", "spend_index"}
MONEY = frozenset(BASE_COLUMNS + FORECAST_COLUMNS) - _NOT_MONEY
AHEAD_COLUMNS = ("node", "level", "period", "planned")
_SEVERITY = {"green": 0, "amber": 1, "red": 2}


@dataclass(frozen=True)
class Completion:
    """The at-completion table and the plain sentences that go with it.

    Attributes:
        table: One row per node in rollup order: ``BASE_COLUMNS``, then ``FORECAST_COLUMNS``
            when a forecast was given, then ``STATUS_COLUMNS``, then ``parent`` and ``name``.
        as_of: The last actual period (the cut-off of the figures to date).
        notes: How the figures were made where the file or the forecast needed a choice.
    """

    table: pd.DataFrame
    as_of: str
    notes: tuple[str, ...] = ()

    @property
    def output(self) -> pd.DataFrame:
        """The stable output columns (no ``parent``/``name``)."""
        return self.table.drop(columns=["parent", "name"])


def _empty_ahead() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "node": pd.Series(dtype="str"),
            "level": pd.Series(dtype=np.int64),
            "period": pd.Series(dtype="str"),
            "planned": pd.Series(dtype=np.float64),
        }
    )


def plan_ahead(p: Portfolio) -> pd.DataFrame:
    """The plan ahead (``Portfolio.future_plan``) summed to every node, period by period.

    Returns:
        ``DataFrame[node, level, period, planned]``, only the non-zero cells, node ids as the
        rollup makes them; empty when the file has no plan ahead.
    """
    future = p.future_plan
    if future is None or future.empty:
        return _empty_ahead()
    periods = sorted(future["period"].astype(str).unique().tolist())
    rolled = rollup(future.assign(actual=0.0), p.levels, periods, decimals=p.decimals)
    rows = rolled.loc[rolled["planned"] != 0, list(AHEAD_COLUMNS)]
    return rows.reset_index(drop=True)


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    out = np.full(num.shape, np.nan)
    with np.errstate(over="ignore", invalid="ignore"):
        np.divide(num, den, out=out, where=den != 0)
    return out


def _base(rolled: pd.DataFrame, ahead: pd.DataFrame) -> tuple[pd.DataFrame, str]:
    if rolled.empty:
        raise InputError("There is nothing to project: the rollup is empty.")
    last = str(rolled["period"].max())
    end = rolled.loc[rolled["period"] == last]
    nodes = end["node"]
    remaining = ahead.groupby("node")["planned"].sum().reindex(nodes).fillna(0.0)
    remaining = remaining.to_numpy(dtype=np.float64)
    planned_last = rolled.loc[rolled["planned"] != 0].groupby("node")["period"].max()
    ahead_last = ahead.groupby("node")["period"].max()
    both = pd.concat([planned_last, ahead_last]).groupby(level=0).max()
    completion = both.reindex(nodes).astype(object)
    ptd = end["cum_planned"].to_numpy(dtype=np.float64)
    atd = end["cum_actual"].to_numpy(dtype=np.float64)
    index = _ratio(atd, ptd)
    eac_rate = np.where(remaining == 0, atd, atd + remaining * index)
    eac_rate = np.where(np.isnan(index) & (remaining != 0), np.nan, eac_rate)
    bac = ptd + remaining
    table = pd.DataFrame(
        {
            "node": nodes.to_numpy(),
            "level": end["level"].to_numpy(dtype=np.int64),
            "bac": bac,
            "planned_to_date": ptd,
            "actual_to_date": atd,
            "remaining_plan": remaining,
            "completion_period": pd.array(
                [v if isinstance(v, str) else None for v in completion], dtype="str"
            ),
            "eac_plan": atd + remaining,
            "spend_index": index,
            "eac_rate": eac_rate,
            "vac_plan": bac - (atd + remaining),
            "vac_rate": bac - eac_rate,
            "parent": end["parent"].to_numpy(),
            "name": end["name"].to_numpy(),
        }
    )
    return table, last


def _status(table: pd.DataFrame, rule: AlertRule) -> pd.DataFrame:
    """Add ``status`` and ``eac_basis``: the best available EAC judged against the bands."""
    eac = table["eac_plan"].to_numpy(dtype=np.float64).copy()
    basis = np.full(len(table), "plan", dtype=object)
    candidates = [("rate", "eac_rate")]
    if "eac_forecast" in table.columns:
        candidates.append(("forecast", "eac_forecast"))
    for name, column in candidates:
        values = table[column].to_numpy(dtype=np.float64)
        ok = ~np.isnan(values)
        eac[ok] = values[ok]
        basis[ok] = name
    bac = table["bac"].to_numpy(dtype=np.float64)
    variance = eac - bac
    judged = pd.DataFrame(
        {
            "node": table["node"].to_numpy(),
            "period": "completion",
            "cum_variance": variance,
            "cum_variance_pct": _ratio(variance, bac),
        }
    )
    single = dataclasses.replace(rule, basis="cumulative", persistence=1)
    statuses = evaluate(judged, single)["status"].to_numpy()
    return table.assign(status=pd.array(statuses, dtype="str"), eac_basis=pd.array(basis, "str"))


def _ahead_note(ahead: pd.DataFrame, last: str) -> list[str]:
    early = ahead[ahead["period"] <= last]
    if early.empty:
        return []
    leaves = early.loc[early["level"] == early["level"].max(), "node"].nunique()
    return [
        f"Plan ahead in periods up to {last} (items whose actuals stop before the file's last "
        f"period; about {leaves:,} node(s) at the deepest level) is not in the plan to date: "
        "it counts as remaining plan."
    ]


def at_completion(
    rolled: pd.DataFrame,
    ahead: pd.DataFrame,
    *,
    forecast: pd.DataFrame | None = None,
    rule: AlertRule | None = None,
) -> Completion:
    """Estimate at completion of every node by plan, by rate and (optionally) by forecast.

    Args:
        rolled: A rollup (``portfolio.rollup.rollup``).
        ahead: The plan ahead per node and period (:func:`plan_ahead`).
        forecast: Drift forecast ``DataFrame[node, period, step, median, lower, upper]``
            (variance per future period), or None.
        rule: The alert rule for the status at completion (the default rule when None).

    Returns:
        The :class:`Completion` (table and notes).

    Raises:
        InputError: An empty rollup or a forecast frame without its columns.
    """
    table, last = _base(rolled, ahead)
    notes = [f"Figures to date as of {last}, the file's last actual period."]
    notes += _ahead_note(ahead, last)
    undefined = int((table["spend_index"].isna() & (table["remaining_plan"] != 0)).sum())
    if undefined:
        notes.append(
            f"{undefined:,} node(s) have no plan to date but plan remaining: no spend index, "
            "so eac_rate is empty there."
        )
    if forecast is not None:
        projected = forecast_eac(table, ahead, forecast, last)
        table = table.assign(
            eac_forecast=projected.eac,
            eac_lower=projected.lower,
            eac_upper=projected.upper,
            vac_forecast=table["bac"].to_numpy() - projected.eac,
        )
        notes += projected.notes
    table = _status(table, rule or AlertRule())
    columns = [*BASE_COLUMNS]
    if forecast is not None:
        columns += FORECAST_COLUMNS
    table = table[[*columns, *STATUS_COLUMNS, "parent", "name"]]
    return Completion(table=table, as_of=last, notes=tuple(notes))


def completion_of(
    p: Portfolio,
    rolled: pd.DataFrame,
    *,
    forecast: pd.DataFrame | None = None,
    rule: AlertRule | None = None,
) -> Completion:
    """:func:`at_completion` of a loaded portfolio and its rollup; amounts rounded to the file's
    decimal places (at least 2) where known, so a sum of cents prints as cents."""
    done = at_completion(rolled, plan_ahead(p), forecast=forecast, rule=rule)
    if p.decimals is None:
        return done
    money = [c for c in MONEY if c in done.table]
    places = dict.fromkeys(money, shown_places(p.decimals))
    return dataclasses.replace(done, table=done.table.round(places))


def worst_first(table: pd.DataFrame) -> pd.DataFrame:
    """Rows ordered red, amber, green, then by the size of the variance at completion.

    The size is |eac - bac| / |bac| of the node's ``eac_basis`` (unplanned spend counts as the
    largest), then |eac - bac|.
    """
    basis = table["eac_basis"].to_numpy(dtype=object)
    nan = np.full(len(table), np.nan)
    forecast = table["eac_forecast"].to_numpy(dtype=np.float64) if "eac_forecast" in table else nan
    eac = np.select(
        [basis == "forecast", basis == "rate"],
        [forecast, table["eac_rate"].to_numpy(dtype=np.float64)],
        table["eac_plan"].to_numpy(dtype=np.float64),
    )
    gap = np.abs(eac - table["bac"].to_numpy(dtype=np.float64))
    rel = np.abs(_ratio(gap, table["bac"].to_numpy(dtype=np.float64)))
    rel = np.where(np.isnan(rel) & (gap > 0), np.inf, np.nan_to_num(rel))
    keys = pd.DataFrame(
        {
            "s": -table["status"].map(_SEVERITY).to_numpy(dtype=np.int64),
            "r": -rel,
            "g": -gap,
        },
        index=table.index,
    )
    order = keys.sort_values(["s", "r", "g"], kind="stable").index
    return table.loc[order].reset_index(drop=True)
