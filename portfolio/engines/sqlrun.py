"""One rollup job on an SQL engine: the validated ``cells``, the grouping sets, the output query."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass

import pyarrow as pa

from portfolio.engines.sqlbase import Cells, Session
from portfolio.engines.sqltext import OutputQuery, aggregate_sql, level_names, output_sql
from portfolio.rollup import SEP


@dataclass(frozen=True)
class Plan:
    """What the output query needs: its text and the calendar it runs over."""

    sql: str
    periods: tuple[str, ...]


def cells_from_frame(s: Session, data: pa.Table, levels: tuple[str, ...]) -> None:
    """Register a validated long table (``Portfolio.data``) as ``cells``."""
    names = [*level_names(len(levels)), "period", "planned", "actual"]
    s.register("cells", data.select([*levels, "period", "planned", "actual"]).rename_columns(names))


def plan_output(
    s: Session,
    cells: Cells,
    query: Callable[[bool, bool], OutputQuery],
    materialize: Callable[[str, str], None],
) -> Plan:
    """Group ``cells`` into ``g``, check the duplicates it shows, and write the output query.

    Args:
        s: The engine session.
        cells: The validated long table's facts.
        query: Makes the ``OutputQuery`` from (dense, escape: a level value holds `` / ``).
        materialize: Stores a query's result as a table (the engine's own way).
    """
    k = len(cells.levels)
    s.register("calendar", pa.table({"period": pa.array(list(cells.periods), pa.string())}))
    materialize("g", aggregate_sql(k, cells.sums, s.dialect))
    sep = " OR ".join(f"instr({c}, '{SEP}') > 0" for c in level_names(k))
    got = s.rows(
        "SELECT SUM(CASE WHEN leafset = 1 THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN leafset = 0 AND up = 0 THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN leafset = 0 AND up = 0 AND n > 1 THEN n ELSE 0 END), "
        f"SUM(CASE WHEN leafset = 1 AND ({sep}) THEN 1 ELSE 0 END) FROM g"
    )[0]
    leaves, full, dup_rows, with_sep = (int(v or 0) for v in got)
    if dup_rows and cells.on_duplicates is not None:
        cells.on_duplicates(dup_rows)
    dense = full == leaves * len(cells.periods)
    q = dataclasses.replace(query(dense, with_sep > 0), sums=cells.sums)
    return Plan(sql=output_sql(q), periods=cells.periods)
