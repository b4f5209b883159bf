"""The decimal places of amounts, so that sums are exact at the input's precision.

A figure read from text (``4517914.78``) is the float nearest to a decimal with a few places.
`decimals_of` finds the fewest places that every value has: scaled by ``10**d`` each value is then
an integer up to the float's own rounding (a relative ``4 * eps``). The rollup sums those integers
(minor units: cents for two places) exactly and divides once at the end, so a total is written as
``4517914.78``, never ``4517914.779999999``.
"""

from __future__ import annotations

import numpy as np

# Amounts with more places than this are not money as analysts export it; they are summed as
# plain floats (and written as such).
MAX_DECIMALS = 9
_TOL = 4 * float(np.finfo(np.float64).eps)


def decimals_of(values: np.ndarray) -> int | None:
    """The fewest decimal places (0 to `MAX_DECIMALS`) that every finite value has.

    Args:
        values: Amounts as parsed from text (NaN where blank is ignored).

    Returns:
        The number of places, or None when some value has more than `MAX_DECIMALS` places or is
        infinite.
    """
    v = np.abs(np.asarray(values, dtype=np.float64))
    v = v[~np.isnan(v)]
    if not np.isfinite(v).all():
        return None
    rest = v[v != 0]
    for d in range(MAX_DECIMALS + 1):
        scaled = rest * 10.0**d
        whole = np.abs(scaled - np.rint(scaled)) <= scaled * _TOL
        rest = rest[~whole]
        if rest.size == 0:
            return d
    return None


def widest(*places: int | None) -> int | None:
    """The most places among several columns (None, unknown, wins)."""
    if any(p is None for p in places):
        return None
    return max((p for p in places if p is not None), default=0)


def shown_places(decimals: int) -> int:
    """The places an amount derived from a file's figures is printed at: the file's own, at
    least cents (an estimate on whole amounts keeps its cents; float noise goes)."""
    return max(decimals, 2)
