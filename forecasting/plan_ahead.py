"""The plan over the forecast periods: the known future input, and which of it the file gave.

Missing future covariate rule: when the planned spend of a forecast period is not given for a
node, its last season is repeated (the plan of the same period one season earlier; for a season of
1, or a node shorter than a season, the last value is repeated), except that a negative planned
flow (a cut: a re-forecast budget lowered, a credit) is not repeated but taken as 0. Repeating
cuts drove projected plans to 0 and below within a few periods, and the outlook's variance % to
thousands, on NYC's capital budgets.

A cell of the plan ahead is *given* where the future table has it and its ``assumed`` column (when
there is one) is not true: a caller that fills cells by a rule of its own (the plan of a file of
levels held where it stands) marks them ``assumed``, so that the forecast and the drift outlook
say the plan there is an assumption, not the analyst's.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from forecasting.errors import ForecastError
from forecasting.windows import Panel

ASSUMED = "assumed"
# Counts carried beside a node's planned flow, summed up the tree with it: of the modelled nodes'
# cells behind a cell, how many were assumed and how many there were.
ASSUMED_CELLS, PLAN_CELLS = "_plan_assumed", "_plan_cells"
SOURCES = ("plan", "assumed", "mixed")


def repeat_last_season(
    covariate: np.ndarray, start: np.ndarray, horizon: int, season: int
) -> np.ndarray:
    """Future covariate (nodes, horizon): each node's last season repeated (module docstring)."""
    n, total = covariate.shape
    out = np.empty((n, horizon))
    steps = np.arange(horizon)
    for i in range(n):
        length = total - int(start[i])
        s = season if 1 < season <= length else 1
        src = total - s + (steps % s)
        out[i] = np.maximum(covariate[i, src], 0.0)
    return out


def _future_values(
    panel: Panel,
    future: pd.DataFrame,
    future_periods: Sequence[str],
    covariate: str,
    *,
    given_only: bool,
) -> np.ndarray:
    """(nodes, horizon) the values ``future`` has (summed per cell), NaN elsewhere; with
    ``given_only`` the rows marked ``assumed`` left out."""
    missing = [c for c in ("node", "period", covariate) if c not in future.columns]
    if missing:
        raise ForecastError(f"The future plan table is missing the column(s) {', '.join(missing)}.")
    f = future[["node", "period", covariate]].copy()
    if given_only and ASSUMED in future.columns:
        f = f[~future[ASSUMED].fillna(False).astype(bool).to_numpy()]
    f["node"] = f["node"].astype(str)
    f["period"] = f["period"].astype(str)
    f[covariate] = pd.to_numeric(f[covariate], errors="coerce")
    f = f.dropna(subset=[covariate]).groupby(["node", "period"], as_index=False)[covariate].sum()
    return (
        f.pivot(index="node", columns="period", values=covariate)
        .reindex(index=list(panel.nodes), columns=list(future_periods))
        .to_numpy(dtype="float64", copy=True)
    )


def future_covariate_matrix(
    panel: Panel,
    future: pd.DataFrame | None,
    future_periods: Sequence[str],
    covariate: str,
    season: int,
) -> np.ndarray:
    """The known future covariate (nodes, horizon): the values ``future`` has (given or
    assumed), the repeated last season elsewhere (cell by cell)."""
    out = repeat_last_season(panel.covariate, panel.start, len(future_periods), season)
    if future is None or future.empty:
        return out
    values = _future_values(panel, future, future_periods, covariate, given_only=False)
    has = ~np.isnan(values)
    out[has] = values[has]
    return out


def given_mask(
    panel: Panel, future: pd.DataFrame | None, future_periods: Sequence[str], covariate: str
) -> np.ndarray:
    """(nodes, horizon) True where the plan ahead is the file's (given, not ``assumed``)."""
    shape = (len(panel.nodes), len(future_periods))
    if future is None or future.empty:
        return np.zeros(shape, dtype=bool)
    return ~np.isnan(_future_values(panel, future, future_periods, covariate, given_only=True))


def source_words(assumed: np.ndarray, cells: np.ndarray) -> np.ndarray:
    """Each cell's plan source from its counts: ``plan`` (all from the file), ``assumed`` (none
    from it) or ``mixed`` (a sum of both)."""
    a = np.asarray(assumed, dtype=np.float64)
    n = np.asarray(cells, dtype=np.float64)
    return np.where(a <= 0, SOURCES[0], np.where(a >= n, SOURCES[1], SOURCES[2])).astype(object)
