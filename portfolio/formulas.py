"""Formula neutralising: text that a spreadsheet would run as a formula gets a leading apostrophe.

A text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return would be run
as a formula by a spreadsheet, so such cells (and column headers) get a leading apostrophe.
Numbers are never touched, so a negative amount stays a number. Every export of Cost Drift (CSV,
Excel, the HTML report) goes through this rule; it lives apart from ``portfolio.export`` so the
fast table writer (``portfolio.tablewriter``) can use it without importing plotly.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the rule itself needs no pandas (the SQL engines' CSV writer spells it)
    import pandas as pd

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutral_text(value: object) -> object:
    """``value`` with a leading apostrophe when it is text that starts like a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def neutralise(df: pd.DataFrame) -> pd.DataFrame:
    """Prefix formula-like text cells and headers with an apostrophe.

    Args:
        df: Any table.

    Returns:
        A copy in which every text cell (and column name) starting with ``=``, ``+``, ``-``,
        ``@``, a tab or a carriage return starts with ``'`` instead; other cells are unchanged.
    """
    import pandas as pd

    out = df.copy()
    for column in out.columns:
        series = out[column]
        if pd.api.types.is_numeric_dtype(series.dtype) or pd.api.types.is_bool_dtype(series.dtype):
            continue
        if pd.api.types.is_datetime64_any_dtype(series.dtype):
            continue
        if isinstance(series.dtype, pd.CategoricalDtype):
            series = series.astype(object)
        if pd.api.types.is_string_dtype(series.dtype) and series.dtype != object:
            risky = series.str.startswith(FORMULA_PREFIXES).fillna(False).to_numpy(dtype=bool)
            if risky.any():
                out[column] = series.where(~risky, "'" + series)
        else:
            out[column] = series.map(neutral_text)
    out.columns = [neutral_text(c) if isinstance(c, str) else c for c in out.columns]
    return out
