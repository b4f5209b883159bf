"""The forecast-backed estimate at completion (the forecast comes in as a DataFrame).

``eac_forecast = actual_to_date + remaining_plan +`` the forecast variance over the remaining
periods, for the nodes in the forecast frame (``node, period, step, median, lower, upper``:
variance per future period, as the forecasting core makes it):

- Within the horizon, the forecast's ``median`` of every period after the last actual period up
  to the node's completion period is added (a node that has finished adds nothing).
- Past the horizon, the rest is carried at the last forecast rate: the node's forecast variance
  per unit of planned spend over the horizon (the sum of the median over the sum of its plan
  ahead in the horizon's periods) is applied to its plan ahead after the horizon. A node that
  plans nothing within the horizon gets nothing added after it (there is no rate to carry).
- ``eac_lower`` / ``eac_upper`` do the same with the band's ``lower`` and ``upper`` figures,
  period by period. Adding per-period bounds gives a band at least as wide as the band of the
  total (the errors of different periods partly cancel): a generous band, and said so.

No forecasting import: any frame with those columns works.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from portfolio.errors import InputError

FORECAST_INPUT = ("node", "period", "median", "lower", "upper")
_FIGURES = ["median", "lower", "upper"]


@dataclass(frozen=True)
class ForecastEac:
    """The forecast-backed EAC per row of the completion table (NaN where not forecast)."""

    eac: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    notes: tuple[str, ...] = ()


def _check(forecast: pd.DataFrame) -> None:
    missing = [c for c in FORECAST_INPUT if c not in forecast.columns]
    if missing:
        raise InputError(
            "The forecast frame needs the columns "
            + ", ".join(FORECAST_INPUT)
            + "; it lacks "
            + ", ".join(missing)
            + ".",
            column=missing[0],
        )


def _sums(frame: pd.DataFrame, nodes: pd.Series) -> pd.DataFrame:
    return frame.groupby("node")[_FIGURES].sum().reindex(nodes).fillna(0.0)


def forecast_eac(
    table: pd.DataFrame, ahead: pd.DataFrame, forecast: pd.DataFrame, last: str
) -> ForecastEac:
    """The forecast-backed EAC and its band for every row of ``table``.

    Args:
        table: The completion table so far (``node``, ``actual_to_date``, ``remaining_plan``,
            ``completion_period``).
        ahead: The plan ahead per node and period (``portfolio.completion.plan_ahead``).
        forecast: ``DataFrame[node, period, median, lower, upper]`` (``step`` may be there).
        last: The last actual period.

    Raises:
        InputError: When the forecast frame lacks a column.
    """
    _check(forecast)
    nodes = table["node"]
    fc = forecast.loc[forecast["period"].astype(str) > last, list(FORECAST_INPUT)].copy()
    fc["period"] = fc["period"].astype(str)
    n = len(table)
    if fc.empty:
        nan = np.full(n, np.nan)
        return ForecastEac(nan, nan, nan, ("The forecast has no period after the last actual.",))
    horizon_end = str(fc["period"].max())
    completion = table.set_index("node")["completion_period"]
    fc_completion = fc["node"].map(completion)
    within = fc[fc_completion.notna() & (fc["period"] <= fc_completion.fillna(""))]
    inside = _sums(within, nodes)

    future = ahead[ahead["period"] > last]
    horizon_plan = future[future["period"] <= horizon_end].groupby("node")["planned"].sum()
    tail_plan = future[future["period"] > horizon_end].groupby("node")["planned"].sum()
    horizon_plan = horizon_plan.reindex(nodes).fillna(0.0).to_numpy(dtype=np.float64)
    tail_plan = tail_plan.reindex(nodes).fillna(0.0).to_numpy(dtype=np.float64)
    totals = _sums(fc, nodes)
    base = (table["actual_to_date"] + table["remaining_plan"]).to_numpy(dtype=np.float64)
    modelled = nodes.isin(set(fc["node"])).to_numpy()
    out = {}
    for figure in _FIGURES:
        rate = np.zeros(n)
        np.divide(
            totals[figure].to_numpy(dtype=np.float64),
            horizon_plan,
            out=rate,
            where=horizon_plan != 0,
        )
        value = base + inside[figure].to_numpy(dtype=np.float64) + rate * tail_plan
        out[figure] = np.where(modelled, value, np.nan)
    lower = np.fmin(out["lower"], out["upper"])
    upper = np.fmax(out["lower"], out["upper"])

    first = str(fc["period"].min())
    notes = [
        f"eac_forecast adds the forecast variance (median) from {first} to {horizon_end}, up to "
        "each node's completion period; eac_lower and eac_upper add the band's lower and upper "
        "figures period by period, a band at least as wide as that of the total (the errors of "
        "different periods partly cancel)."
    ]
    beyond = modelled & (tail_plan != 0)
    if beyond.any():
        latest = str(table.loc[beyond, "completion_period"].max())
        notes.append(
            f"{int(beyond.sum()):,} forecast node(s) complete after the horizon ({horizon_end}; "
            f"the latest in {latest}): the rest is carried at the last forecast rate, the "
            "forecast variance per unit of planned spend over the horizon applied to the plan "
            "ahead after it."
        )
        flat = beyond & (horizon_plan == 0)
        if flat.any():
            notes.append(
                f"{int(flat.sum()):,} of them plan nothing within the horizon: nothing is added "
                "after it (there is no rate to carry)."
            )
    missing = int((~modelled).sum())
    if missing:
        notes.append(f"{missing:,} node(s) are not in the forecast: eac_forecast is empty there.")
    return ForecastEac(out["median"], lower, upper, tuple(notes))
