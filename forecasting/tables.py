"""Long <-> wide conversions of the forecast tables, with the checks every hierarchy step shares.

The hierarchy steps (``forecasting.bottom_up``, ``forecasting.reconciliation``) work on wide
matrices, one column per node; they take and return long frames (``node`` plus key columns plus
one value column).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from forecasting.errors import ForecastError


def require_columns(frame: pd.DataFrame, columns: Sequence[str], what: str) -> None:
    """Raise a ``ForecastError`` naming the columns of ``columns`` that ``frame`` lacks."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        have = ", ".join(map(str, frame.columns)) or "none"
        raise ForecastError(
            f"The {what} table is missing the column(s) {', '.join(missing)} (it has: {have})."
        )


def pivot_wide(
    frame: pd.DataFrame, keys: list[str], column: str, nodes: Sequence[str], what: str
) -> tuple[np.ndarray, pd.DataFrame]:
    """Wide matrix ``[len(keys combos), len(nodes)]`` of ``column``; every node needs every key.

    Returns:
        The matrix and the frame of the key combinations (its rows in the matrix's row order).

    Raises:
        ForecastError: repeated rows, missing or non-numeric values, or a node without every key.
    """
    dup = frame.duplicated(["node", *keys])
    if dup.any():
        first = frame.loc[dup, ["node", *keys]].head(3).to_dict("records")
        raise ForecastError(f"The {what} table has repeated rows, e.g. {first}.")
    values = pd.to_numeric(frame[column], errors="coerce")
    if values.isna().any() or not np.isfinite(values.to_numpy(dtype=np.float64)).all():
        bad = frame.loc[~np.isfinite(values.to_numpy(dtype=np.float64)), "node"].unique()[:5]
        raise ForecastError(
            f"The {what} table has missing or non-numeric '{column}' values for: "
            f"{', '.join(map(str, bad))}."
        )
    wide = (
        frame.assign(**{column: values.astype(np.float64)})
        .pivot(index=keys, columns="node", values=column)
        .reindex(columns=list(nodes))
    )
    holes = wide.isna()
    if holes.to_numpy().any():
        short = [str(n) for n in wide.columns[holes.any(axis=0).to_numpy()]][:5]
        raise ForecastError(
            f"The {what} table does not cover the same {'/'.join(keys)} combinations for every "
            f"node; incomplete: {', '.join(short)}."
        )
    return wide.to_numpy(dtype=np.float64), wide.index.to_frame(index=False)


def unpivot_long(
    matrix: np.ndarray, index: pd.DataFrame, nodes: Sequence[str], column: str
) -> pd.DataFrame:
    """Long frame ``[node, *keys, column]`` from ``matrix[len(index), len(nodes)]``, node-major."""
    k = len(index)
    out = pd.concat([index] * len(nodes), ignore_index=True)
    out.insert(0, "node", np.repeat(np.asarray(nodes, dtype=object), k))
    out[column] = matrix.T.reshape(-1)
    return out
