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
decides from the pandas engine's flows; the same pass counts the flows' rows and leaves for the
rollup (``sqlbase.Shape``), so that it makes none of its own.

Repeated (leaf, report moment) rows without ``--sum-duplicates``, when the period checks left
them to the flow rollup's guard (which counts rows per leaf and period: the flows here have one),
are counted in that same pass and refused with the loader's message.
"""

from __future__ import annotations

import dataclasses

from portfolio.engines.sqlbase import Cells, Ctx, Shape
from portfolio.engines.sqlsums import precision_of


def _rounded(expr: str, decimals: int | None, c: Ctx) -> str:
    """``expr`` rounded to ``decimals`` places as ``numpy.round`` does it (unchanged for None).

    DuckDB's ``round`` breaks a tie away from zero where numpy's ``rint`` breaks it to even; no
    tie arises here: a difference of two amounts of ``decimals`` places is a whole number of
    minor units give or take float noise, never half of one.
    """
    if decimals is None:
        return expr
    scale = f"CAST({10**decimals} AS DOUBLE)"
    return f"{c.s.dialect.rint(f'({expr}) * {scale}')} / {scale}"


def level_flows_sql(c: Ctx, decimals: int | None) -> str:
    """The flows of the level rows of ``kept``: ``l1 .. lk``, ``period``, ``planned``,
    ``actual`` (one row per leaf and period with a report), and ``repeats``: the rows of the
    period's repeated (leaf, report moment) groups."""
    keys = ", ".join(c.ls)
    period = f"PARTITION BY {keys}, ord"

    def flow(col: str) -> str:
        prev = f"COALESCE(LAG({col}) OVER (PARTITION BY {keys} ORDER BY ord), CAST(0 AS DOUBLE))"
        return _rounded(f"{col} - {prev}", decimals, c)

    return f"""
WITH reports AS (
  SELECT {keys}, ord, label, stamp, SUM({c.planned}) AS lp, SUM({c.actual}) AS la,
         COUNT(*) AS n
  FROM kept WHERE {c.a1} IS NOT NULL
  GROUP BY {keys}, ord, label, stamp
),
last_reports AS (
  SELECT *, ROW_NUMBER() OVER ({period} ORDER BY stamp DESC) AS newest,
         SUM(CASE WHEN n > 1 THEN n ELSE 0 END) OVER ({period}) AS repeats
  FROM reports
)
SELECT {keys}, label AS period, {flow("lp")} AS planned, {flow("la")} AS actual, repeats
FROM last_reports WHERE newest = 1
"""


def level_cells(c: Ctx, cells: Cells, decimals: int | None) -> Cells:
    """Define the view ``cells`` as the flows of the level rows of ``kept``; the ``Cells`` the
    rollup needs for them.

    Args:
        c: The check run's context (``kept`` and ``pmap`` are defined).
        cells: What the period checks found (calendar, duplicate handling).
        decimals: The amounts' decimal places (None: more than can be summed exactly).

    Raises:
        InputError: Repeated (leaf, report moment) rows that the period checks left to the
            rollup (``cells.on_duplicates``), worded as the pandas loader words them.
    """
    c.s.view("cells", level_flows_sql(c, decimals))
    gross, rows, leaves, repeats = c.s.rows(
        "SELECT SUM(ABS(planned)) + SUM(ABS(actual)), COUNT(*), "
        f"COUNT(DISTINCT {c.s.dialect.row(list(c.ls))}), SUM(repeats) FROM cells"
    )[0]
    if cells.on_duplicates is not None and int(repeats or 0):
        cells.on_duplicates(int(repeats))
    sums = precision_of(decimals, float(gross or 0.0))
    separator = cells.shape is None or cells.shape.separator
    shape = Shape(rows=int(rows), leaves=int(leaves), separator=separator, cells=True)
    return dataclasses.replace(cells, sums=sums, on_duplicates=None, shape=shape)
