"""The ``level`` measure on the SQL engines: running totals or re-forecasts made into flows, as
``portfolio.regular.levels`` makes them on the pandas engine.

Each row of a level file holds where a figure stands at its report moment, not the spend of the
period. On the pandas engine the last report of each (leaf, period) is carried forward over the
regular calendar to its end, and the flow of a period is the difference from the level in force
in the period before (the first period of a leaf: the level itself), rounded to the input's
decimal places. Here the same is one query over the view ``kept`` of
``portfolio.engines.sqlperiods``:

1. the rows with an actual figure (after validation every row without one is plan ahead, which
   the rollup leaves out), summed per (leaf, report moment) (only repeats that
   ``--sum-duplicates`` asked to add up are several rows),
2. the last report of each (leaf, period) by report moment (``ROW_NUMBER``),
3. its flow: the level minus the leaf's previous level (``LAG`` per leaf ordered by period),
   rounded as ``numpy.round`` rounds (times ``10^d``, to a whole number, divided by ``10^d``: the
   same IEEE operations, so the flows are the pandas engine's to the bit).

Only the periods with a report get a row: in a period without one the carried level does not
change, so its flow is 0, which is what the rollup's densifying step gives the periods a leaf lacks
(the cumulative sums are the same, the exact sums add whole minor units). The flows' sizes decide
how the rollup adds them up (``sqlsums.precision_of``), as ``portfolio.rollup_sums.precision``
decides from the pandas engine's flows; that costs one pass over the flows.

Repeated (leaf, report moment) rows without ``--sum-duplicates`` are refused with the loader's
message before the flows are made (the flow rollup's guard counts rows per period, which the
flows here no longer show).
"""

from __future__ import annotations

import dataclasses

from portfolio.engines.sqlbase import Cells, Ctx
from portfolio.engines.sqlsums import precision_of


def _rounded(expr: str, decimals: int | None, c: Ctx) -> str:
    """``expr`` rounded to ``decimals`` places as ``numpy.round`` does it (unchanged for None)."""
    if decimals is None:
        return expr
    scale = f"CAST({10**decimals} AS DOUBLE)"
    return f"{c.s.dialect.rint(f'({expr}) * {scale}')} / {scale}"


def level_flows_sql(c: Ctx, decimals: int | None) -> str:
    """The flows of the level rows of ``kept``: ``l1 .. lk``, ``period``, ``planned``,
    ``actual`` (one row per leaf and period with a report)."""
    keys = ", ".join(c.ls)
    leaf = f"PARTITION BY {keys}"

    def flow(col: str) -> str:
        prev = f"COALESCE(LAG({col}) OVER (PARTITION BY {keys} ORDER BY ord), CAST(0 AS DOUBLE))"
        return _rounded(f"{col} - {prev}", decimals, c)

    return f"""
WITH reports AS (
  SELECT {keys}, ord, label, stamp, SUM({c.planned}) AS lp, SUM({c.actual}) AS la
  FROM kept WHERE {c.a1} IS NOT NULL
  GROUP BY {keys}, ord, label, stamp
),
last_reports AS (
  SELECT *, ROW_NUMBER() OVER ({leaf}, ord ORDER BY stamp DESC) AS newest FROM reports
)
SELECT {keys}, label AS period, {flow("lp")} AS planned, {flow("la")} AS actual
FROM last_reports WHERE newest = 1
"""


def _refuse_repeats(c: Ctx, cells: Cells) -> None:
    """Raise the loader's message for repeated (leaf, report moment) rows, when the period
    checks left that to the rollup (``cells.on_duplicates``)."""
    if cells.on_duplicates is None:
        return
    keys = ", ".join(c.ls)
    got = c.s.rows(
        f"SELECT SUM(n) FROM (SELECT COUNT(*) AS n FROM kept GROUP BY {keys}, stamp "
        "HAVING COUNT(*) > 1) t"
    )[0]
    if int(got[0] or 0):
        cells.on_duplicates(int(got[0]))


def level_cells(c: Ctx, cells: Cells, decimals: int | None) -> Cells:
    """Define the view ``cells`` as the flows of the level rows of ``kept``; the ``Cells`` the
    rollup needs for them.

    Args:
        c: The check run's context (``kept`` and ``pmap`` are defined).
        cells: What the period checks found (calendar, duplicate handling).
        decimals: The amounts' decimal places (None: more than can be summed exactly).

    Raises:
        InputError: Repeated (leaf, report moment) rows, worded as the pandas loader words them.
    """
    _refuse_repeats(c, cells)
    c.s.view("cells", level_flows_sql(c, decimals))
    gross = c.s.rows("SELECT SUM(ABS(planned)) + SUM(ABS(actual)) FROM cells")[0][0]
    sums = precision_of(decimals, float(gross or 0.0))
    # the rollup counts the shape of these flows itself; repeats were refused above
    return dataclasses.replace(cells, sums=sums, on_duplicates=None, shape=None)
