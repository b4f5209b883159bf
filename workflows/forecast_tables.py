"""A forecast run's tables as both shells write them: money rounded to the file's places.

Sums over nodes and model outputs are floats whose last digits are noise (a plan of
``1278318.5499999998``, a forecast of ``185595.59597991756``). The CLI's forecast files and the
app's table exports round the money columns to the places an amount derived from the file prints
at (``portfolio.decimals.shown_places``: the file's own, at least cents); ratios, percentages,
probabilities, counts and labels are written as they are, like the rollup's. A file whose places
are unknown (more than ``portfolio.decimals.MAX_DECIMALS``) keeps every digit. Each figure is
rounded on its own, so a parent as written can differ from the sum of its written children by
half a cent per figure (the run itself stays exactly coherent).
"""

from __future__ import annotations

import pandas as pd

from portfolio.decimals import shown_places

_BACKTEST_MONEY = ("rmse", "mae", "width")
# The money columns of each table (a table's other columns are not amounts).
MONEY_COLUMNS: dict[str, tuple[str, ...]] = {
    "forecast": (
        "median",
        "lower",
        "upper",
        "planned",
        "lstm_median",
        "spread_lower",
        "spread_upper",
    ),
    "backtest": _BACKTEST_MONEY,
    "backtest_summary": _BACKTEST_MONEY,
    "members": ("rmse_mean", "rmse_std", "rmse_seed_std", "rmse_min", "rmse_max"),
    "outlook": (
        "cum_planned_now",
        "cum_variance_now",
        "projected_cum_planned",
        "projected_cum_variance",
        "projected_cum_actual",
    ),
}


def rounded(frame: pd.DataFrame, table: str, decimals: int | None) -> pd.DataFrame:
    """``frame`` (the run's table named ``table``, a key of ``MONEY_COLUMNS``) with its money
    columns rounded to ``shown_places(decimals)``; unchanged when ``decimals`` is None.

    Raises:
        KeyError: ``table`` is not one of ``MONEY_COLUMNS``.
    """
    money = MONEY_COLUMNS[table]
    if decimals is None or frame.empty:
        return frame
    places = shown_places(decimals)
    present = [c for c in money if c in frame.columns]
    if not present:
        return frame
    out = frame.copy()
    # + 0.0 turns the -0.0 of a small negative amount rounded away into 0.0
    out[present] = out[present].round(places) + 0.0
    return out
