"""How a rollup adds up its amounts (``Precision``) and the bound of the exact branch: the rule
``portfolio.rollup_sums`` applies with numpy and ``portfolio.engines.sqlsums`` writes in SQL."""

from __future__ import annotations

from dataclasses import dataclass

# Sums of whole numbers are exact in a float while every partial sum stays below 2**53.
EXACT_LIMIT = float(2**53)


@dataclass(frozen=True)
class Precision:
    """How a rollup adds up its amounts (the SQL engines follow the same rule).

    Attributes:
        decimals: The amounts' decimal places (None: more than `portfolio.decimals.MAX_DECIMALS`).
        exact: Summed as whole minor units (every total below `EXACT_LIMIT` of them); else as
            floats with the noise snapped to 0, rounded to ``decimals`` when known.
    """

    decimals: int | None
    exact: bool
