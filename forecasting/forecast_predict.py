"""The final ensemble's forecast over the horizon, beside the plan and the history (a stage of
``pipeline.run_forecast``), and the labels of the forecast periods.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from forecasting.ensemble import Ensemble, member_paths, predict_members
from forecasting.errors import ForecastError
from forecasting.forecast_nodes import Prepared
from forecasting.plan_ahead import ASSUMED_CELLS, PLAN_CELLS, future_covariate_matrix, given_mask

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")
_YEAR = re.compile(r"^(\d{4})$")


def next_period_labels(last: str, n: int) -> list[str]:
    """The ``n`` labels after ``last`` for ``YYYY-MM``, ``YYYY-Qn`` and ``YYYY`` labels; other
    labels get ``"<last>+1"``, ``"<last>+2"``, ... (pass ``future_periods`` for those)."""
    if m := _MONTH.match(last):
        y, mo = int(m.group(1)), int(m.group(2)) - 1
        return [f"{y + (mo + i) // 12:04d}-{(mo + i) % 12 + 1:02d}" for i in range(1, n + 1)]
    if m := _QUARTER.match(last):
        y, q = int(m.group(1)), int(m.group(2)) - 1
        return [f"{y + (q + i) // 4:04d}-Q{(q + i) % 4 + 1}" for i in range(1, n + 1)]
    if m := _YEAR.match(last):
        return [f"{int(m.group(1)) + i:04d}" for i in range(1, n + 1)]
    return [f"{last}+{i}" for i in range(1, n + 1)]


@dataclass(frozen=True)
class Predicted:
    """The final ensemble's forecast: period labels, the plan over the horizon ``(n, h)``, the
    members' values ``(members, n, h)`` and paths, and the plan and history frames."""

    periods: list[str]
    plan: np.ndarray
    values: np.ndarray
    paths: pd.DataFrame
    planned: pd.DataFrame
    history: pd.DataFrame


def predict_stage(
    prep: Prepared, ens: Ensemble, future: pd.DataFrame | None, labels: Sequence[str] | None
) -> Predicted:
    """The members' forecast of the modelled nodes over the horizon, beside the plan and history.

    Raises:
        ForecastError: the number of forecast period ``labels`` is not the horizon.
    """
    settings, work, h = prep.settings, prep.work, prep.settings.horizon
    periods = list(labels) if labels is not None else next_period_labels(work.periods[-1], h)
    if len(periods) != h:
        raise ForecastError(
            f"{len(periods)} forecast period label(s) were given for a horizon of {h}."
        )
    plan = future_covariate_matrix(work, future, periods, settings.covariate, prep.season)
    values = predict_members(ens, work, len(work.periods) - 1, future_covariate=plan)
    given = given_mask(work, future, periods, settings.covariate)
    planned = pd.DataFrame(
        {
            "node": np.repeat(np.asarray(work.nodes, dtype=object), h),
            "period": np.tile(np.asarray(periods, dtype=object), len(work.nodes)),
            "planned": plan.reshape(-1),
            ASSUMED_CELLS: (~given).reshape(-1).astype(np.float64),
            PLAN_CELLS: 1.0,
        }
    )
    series = prep.series
    history = series.loc[series["node"].astype(str).isin(set(work.nodes))].rename(
        columns={settings.target: "variance", settings.covariate: "planned"}
    )[["node", "period", "variance", "planned"]]
    history = history.assign(node=history["node"].astype(str), period=history["period"].astype(str))
    paths = member_paths(values, work.nodes, periods)
    return Predicted(periods, plan, values, paths, planned, history)
