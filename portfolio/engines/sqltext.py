"""The rollup and the status rule, written once as SQL for every SQL engine (DuckDB, Spark).

Input: a view ``cells`` with the level columns ``l1 .. lk`` (text, ``''`` below a ragged leaf),
``period`` (a label of the calendar), ``planned`` and ``actual`` (flows, doubles), and a small
table ``calendar(period)`` holding every period of the calendar. Period labels (``2024-01``,
``2024-Q1``, ``2024``) sort in calendar order, so they order the windows and the output.
How amounts are added up (exact minor units, or floats snapped) is ``portfolio.engines.sqlsums``.

1. ``aggregate_sql``: one ``GROUP BY GROUPING SETS`` pass: ``(period)``, ``(l1, period)``, ...
   ``(l1 .. lk, period)`` (the rollup; ``leafset`` is 0 on every group). Each group carries the
   sums of planned and actual (``sqlsums.aggregate_columns``) and the row count (``n > 1`` at the
   finest set is a duplicate leaf and period). ``portfolio.engines.sqlrun`` puts it in the output
   query as the step ``g``, so the groups stream into the windows and are never stored.
2. ``output_sql``: drop the groups whose deepest level is blank (a ragged leaf is already its
   parent's group: a blank lower level makes a leaf at the level above), build the node id,
   parent and name as ``portfolio.rollup`` does (`` / `` inside a value written `` ∕ ``), make the
   table dense over the calendar when some node lacks a period, the cumulative figures by window
   sums over each node's periods, the figures from the sums (``sqlsums.figure_steps``), the
   variance percentages (NULL where the plan is 0), and, for alerts, the rule of
   ``portfolio.alerts``:
   basis, direction, floor, amber/red bands, unplanned spend, and persistence as a window count
   of the last ``k`` periods in the band (the table is dense, so ``k`` rows are ``k`` periods).
   Ordered by level, node id (binary order, as Python sorts str), period.
"""

from __future__ import annotations

from dataclasses import dataclass

from portfolio.alert_rule import AlertRule
from portfolio.engines.sqlsums import (
    DOUBLE_ZERO,
    FLOAT_SUMS,
    Precision,
    aggregate_columns,
    carried,
    figure_steps,
    zero,
)
from portfolio.node_ids import ESCAPED_SEP, ROOT, SEP


@dataclass(frozen=True)
class Dialect:
    """The few spellings in which DuckDB and Spark SQL differ.

    Attributes:
        name: ``duckdb`` or ``spark``.
        quote_char: Identifier quote (``"`` or a backtick).
    """

    name: str
    quote_char: str

    def quote(self, ident: str) -> str:
        """A quoted identifier."""
        q = self.quote_char
        return q + ident.replace(q, q + q) + q

    def strip(self, expr: str) -> str:
        """``expr`` without leading and trailing whitespace (space, tab, LF, VT, FF, CR)."""
        chars = "' ' || chr(9) || chr(10) || chr(11) || chr(12) || chr(13)"
        if self.name == "duckdb":
            return f"trim({expr}, {chars})"
        return f"btrim({expr}, {chars})"

    def text(self, expr: str) -> str:
        """``expr`` cast to text."""
        return f"CAST({expr} AS {'VARCHAR' if self.name == 'duckdb' else 'STRING'})"

    def rint(self, expr: str) -> str:
        """The double ``expr`` rounded to a whole number (a double)."""
        return f"round({expr})" if self.name == "duckdb" else f"rint({expr})"

    def fail(self, message: str) -> str:
        """An expression that stops the query with ``message`` (plain text, no quotes)."""
        return f"{'error' if self.name == 'duckdb' else 'raise_error'}('{message}')"

    def row(self, columns: list[str]) -> str:
        """The tuple of ``columns`` as one value (for ``COUNT(DISTINCT ...)`` over several)."""
        return f"{'row' if self.name == 'duckdb' else 'struct'}({', '.join(columns)})"


DUCKDB = Dialect("duckdb", '"')
SPARK = Dialect("spark", "`")


def level_names(k: int) -> list[str]:
    """``l1 .. lk``."""
    return [f"l{i}" for i in range(1, k + 1)]


def aggregate_sql(k: int, sums: Precision = FLOAT_SUMS, dialect: Dialect = DUCKDB) -> str:
    """Step 1: the grouping sets over ``cells`` (see the module docstring)."""
    ls = level_names(k)
    sets = ["(period)"] + [f"({', '.join(ls[:d])}, period)" for d in range(1, k + 1)]
    up = " + ".join(f"GROUPING({c})" for c in ls)
    return f"""
SELECT {", ".join(ls)}, period,
       CAST({up} AS INT) AS up, CAST(GROUPING(period) AS INT) AS leafset,
       {aggregate_columns(sums, dialect)}, COUNT(*) AS n
FROM cells
GROUP BY GROUPING SETS ({", ".join(sets)})
"""


def _esc(col: str, escape: bool = True) -> str:
    return f"replace({col}, '{SEP}', '{ESCAPED_SEP}')" if escape else col


def _status_sql(rule: AlertRule) -> tuple[str, str]:
    """The band flags and the status expression of ``rule`` over columns of the ``r`` step."""
    prefix = "cum_" if rule.basis == "cumulative" else ""
    var, pct = f"{prefix}variance", f"{prefix}variance_pct"
    if rule.direction == "overrun":
        size_var = f"CASE WHEN {var} > 0 THEN {var} ELSE {DOUBLE_ZERO} END"
        # read only where variance > 0 (above the floor needs a positive size); ABS: under a
        # negative plan an overrun's variance % is negative
        size_pct = f"ABS({pct})"
    else:
        size_var, size_pct = f"ABS({var})", f"ABS({pct})"
    floor, amber, red = repr(rule.floor), repr(rule.amber_pct), repr(rule.red_pct)
    above = f"({size_var} >= CAST({floor} AS DOUBLE) AND {size_var} > 0)"
    hundred = "CAST(100 AS DOUBLE)"

    def band(threshold: str) -> str:
        return (
            f"CASE WHEN {above} AND ({pct} IS NULL OR {size_pct} * {hundred} >= "
            f"CAST({threshold} AS DOUBLE)) THEN 1 ELSE 0 END"
        )

    flags = f"{band(amber)} AS amber_band, {band(red)} AS red_band"
    k = rule.persistence
    if k > 1:
        frame = (
            f"OVER (PARTITION BY node ORDER BY period ROWS BETWEEN {k - 1} PRECEDING "
            "AND CURRENT ROW)"
        )
        red_on, amber_on = f"SUM(red_band) {frame} >= {k}", f"SUM(amber_band) {frame} >= {k}"
    else:
        red_on, amber_on = "red_band = 1", "amber_band = 1"
    status = f"CASE WHEN {red_on} THEN 'red' WHEN {amber_on} THEN 'amber' ELSE 'green' END"
    return flags, status


ROLLUP_COLUMNS_SQL = (
    "node, level, period, planned, actual, variance, variance_pct, cum_planned, cum_actual, "
    "cum_variance, cum_variance_pct"
)


@dataclass(frozen=True)
class OutputQuery:
    """What the output step computes.

    Attributes:
        levels: Number of hierarchy levels ``k``.
        dense: Every node has a row at every period already (no densifying join needed).
        rule: The alert rule (adds ``status``), or None for the rollup alone.
        latest: Keep only the last period of every node (after the persistence windows).
        escape: Some level value holds `` / ``: write it `` ∕ `` inside node ids.
        extra: Also output ``parent`` and ``name``.
        sums: How the amounts are added up (``sqlsums``; the grouping sets must agree).
    """

    levels: int
    dense: bool
    rule: AlertRule | None = None
    latest: bool = False
    escape: bool = True
    extra: bool = False
    sums: Precision = FLOAT_SUMS


def output_sql(q: OutputQuery, source: str = "g") -> str:
    """Step 2 over the grouped table ``source`` (see the module docstring)."""
    ls = level_names(q.levels)
    depth = f"({q.levels} - up)"
    deepest = "CASE " + " ".join(f"WHEN {depth} = {d} THEN {c}" for d, c in enumerate(ls, 1))
    deepest += " END"
    path = ", ".join(_esc(c, q.escape) for c in ls)
    node = f"CASE WHEN up = {q.levels} THEN '{ROOT}' ELSE concat_ws('{SEP}', {path}) END"
    parent_parts = ", ".join(
        f"CASE WHEN {depth} > {d} THEN {_esc(c, q.escape)} END" for d, c in enumerate(ls, 1)
    )
    parent = (
        f"CASE WHEN up = {q.levels} THEN '' WHEN {depth} = 1 THEN '{ROOT}' "
        f"ELSE concat_ws('{SEP}', {parent_parts}) END"
    )
    name = f"CASE WHEN up = {q.levels} THEN '{ROOT}' ELSE {deepest} END"
    sums = carried(q.sums)
    nodes = f"""
n AS (
  SELECT {node} AS node, CAST({depth} AS BIGINT) AS level, {parent} AS parent, {name} AS name,
         period, {", ".join(sums)}
  FROM {source}
  WHERE leafset = 0 AND (up = {q.levels} OR {deepest} <> '')
)"""
    if q.dense:
        grid = """
d AS (SELECT * FROM n)"""
    else:
        filled = ", ".join(f"COALESCE(n.{c}, {zero(q.sums)}) AS {c}" for c in sums)
        grid = f"""
x AS (SELECT DISTINCT node, level, parent, name FROM n),
d AS (
  SELECT x.node, x.level, x.parent, x.name, c.period, {filled}
  FROM x CROSS JOIN calendar c
  LEFT JOIN n ON n.node = x.node AND n.period = c.period
)"""
    cum = "PARTITION BY node ORDER BY period ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW"
    running = ", ".join(f"SUM({c}) OVER cw AS c{c}" for c in sums)
    keys = "node, level, parent, name, period"
    steps = f"""
w AS (
  SELECT {keys}, {", ".join(sums)}, {running}
  FROM d
  WINDOW cw AS ({cum})
),{figure_steps(q.sums, keys)},
r AS (
  SELECT *, CASE WHEN planned <> 0 THEN variance / planned END AS variance_pct,
         CASE WHEN cum_planned <> 0 THEN cum_variance / cum_planned END AS cum_variance_pct
  FROM v
)"""
    cols = ROLLUP_COLUMNS_SQL + (", parent, name" if q.extra else "")
    where = "WHERE period = (SELECT MAX(period) FROM calendar)" if q.latest else ""
    ctes = [nodes.strip(), grid.strip(), steps.strip()]
    last = "r"
    if q.rule is not None:
        flags, status = _status_sql(q.rule)
        ctes.append(f"b AS (SELECT *, {flags} FROM r)")
        ctes.append(f"t AS (SELECT *, {status} AS status FROM b)")
        cols += ", status"
        last = "t"
    return (
        "WITH "
        + ",\n".join(ctes)
        + f"\nSELECT {cols} FROM {last} {where} ORDER BY level, node, period"
    )
