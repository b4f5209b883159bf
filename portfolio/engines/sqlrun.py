"""One rollup job on an SQL engine: the validated ``cells``, the grouping sets, the output query.

The job is one query: the grouping sets (``sqltext.aggregate_sql``) as its first step ``g``,
streamed into the output steps (``sqltext.output_sql``) and out to the engine's writer, so that the
groups are never stored (at 100 M rows they are about as large as the input). What the output
query's shape depends on is known before it runs: whether every leaf has every period (no
densifying join then) and whether some level value holds `` / `` (escaping then) come from the
validation scan (``sqlbase.Shape``), or, for a table loaded by pandas, from one pass over its
distinct leaves and periods. Repeated (leaf, period) rows, which the finest grouping set counts,
stop the query through a guard on that set (``Dialect.fail``); only then is the duplicate message
worked out (the slow path is paid by bad files only).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import pyarrow as pa

from portfolio.engines.sqlbase import Cells, Session, Shape
from portfolio.engines.sqltext import OutputQuery, aggregate_sql, level_names, output_sql
from portfolio.errors import InputError
from portfolio.node_ids import SEP

DUPLICATE_GUARD = "cost-drift: a leaf repeats a period"
T = TypeVar("T")


@dataclass(frozen=True)
class Plan:
    """The output query, the calendar it runs over, and the cells it reads (for its guard)."""

    sql: str
    periods: tuple[str, ...]
    cells: Cells


def cells_from_frame(s: Session, data: pa.Table, levels: tuple[str, ...]) -> None:
    """Register a validated long table (``Portfolio.data``) as ``cells``."""
    names = [*level_names(len(levels)), "period", "planned", "actual"]
    s.register("cells", data.select([*levels, "period", "planned", "actual"]).rename_columns(names))


def _shape(s: Session, cells: Cells) -> Shape:
    """The scan's counts when every row is its own (leaf, period), else counted here."""
    if cells.shape is not None and (cells.shape.cells or cells.on_duplicates is not None):
        return cells.shape  # else a repeat stops the output query (the guard) before it matters
    ls = level_names(len(cells.levels))
    sep = " OR ".join(f"instr({c}, '{SEP}') > 0" for c in ls)
    got = s.rows(
        f"SELECT COUNT(*), COUNT(DISTINCT {s.dialect.row(ls)}), "
        f"SUM(CASE WHEN {sep} THEN 1 ELSE 0 END) "
        f"FROM (SELECT DISTINCT {', '.join(ls)}, period FROM cells) t"
    )[0]
    return Shape(rows=int(got[0]), leaves=int(got[1]), separator=int(got[2] or 0) > 0)


def plan_output(s: Session, cells: Cells, query: Callable[[bool, bool], OutputQuery]) -> Plan:
    """The output query over ``cells``, its grouping sets inside it.

    Args:
        s: The engine session.
        cells: The validated long table's facts.
        query: Makes the ``OutputQuery`` from (dense, escape: a level value holds `` / ``).
    """
    k = len(cells.levels)
    s.values("calendar", {"period": ("VARCHAR", list(cells.periods))})
    shape = _shape(s, cells)
    dense = shape.rows == shape.leaves * len(cells.periods)
    groups = aggregate_sql(k, cells.sums, s.dialect)
    if cells.on_duplicates is not None:
        guard = f"CASE WHEN up = 0 AND n > 1 THEN {s.dialect.fail(DUPLICATE_GUARD)} ELSE TRUE END"
        groups = f"SELECT * FROM ({groups}) grouped WHERE {guard}"
    out = output_sql(dataclasses.replace(query(dense, shape.separator), sums=cells.sums))
    assert out.startswith("WITH ")
    return Plan(
        sql=f"WITH g AS ({groups}),\n{out[len('WITH ') :]}", periods=cells.periods, cells=cells
    )


def run_plan(s: Session, plan: Plan, run: Callable[[str], T]) -> T:
    """``run(plan.sql)``; a stop by the duplicate guard becomes the loader's duplicate message.

    Raises:
        InputError: Repeated (leaf, period) rows, worded as the pandas loader words them.
    """
    try:
        return run(plan.sql)
    except Exception as exc:  # each engine raises its own type; only the guard's is ours
        if DUPLICATE_GUARD not in str(exc) or plan.cells.on_duplicates is None:
            raise
    keys = ", ".join(level_names(len(plan.cells.levels)))
    got = s.rows(
        f"SELECT SUM(n) FROM (SELECT COUNT(*) AS n FROM cells GROUP BY {keys}, period "
        "HAVING COUNT(*) > 1) t"
    )[0]
    plan.cells.on_duplicates(int(got[0] or 0))
    raise InputError("Some rows repeat an item and period.")  # on_duplicates raises first
