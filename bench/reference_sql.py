"""The reference rollup of the benchmarks, written once: the SQL that raw DuckDB runs beside ours.

``bench.bench_portfolio`` (CSV, with alerts), ``bench.bench_cli_output`` (CSV, node ids escaped as
ours writes them) and ``bench.bench_engines`` (Parquet parts) all run ``reference_sql`` with their
own source. It is the job without what only our engines do (no validation, no trimming, no
densifying, no snapping of rounding residue): one ``GROUP BY ROLLUP`` over the four levels and the
period, the node id path and level, variance and its percentage (NULL where the plan is 0), the
cumulative sums by a window over each node's periods, ordered by level, node, period. With
``alerts`` it also has ``parent``, ``name`` and ``status`` under the default rule's shape
(cumulative basis, both directions), its floor and bands given as the parameters ``$floor``,
``$amber`` and ``$red``.
"""

from __future__ import annotations

from dataclasses import dataclass

LEVELS = ("portfolio", "program", "project", "item")
ROOT = "All"
SEP = " / "
ESCAPED_SEP = " ∕ "  # what ours writes for a " / " inside a level value (portfolio.tree)

# A CSV of the bench's shape, the column types given (no sniffing); the path is ``$path``.
CSV_SOURCE = """read_csv($path, header = true, auto_detect = false, delim = ',', quote = '"',
        columns = {'portfolio': 'VARCHAR', 'program': 'VARCHAR', 'project': 'VARCHAR',
                   'item': 'VARCHAR', 'period': 'VARCHAR', 'planned': 'DOUBLE',
                   'actual': 'DOUBLE'})"""
# Parquet parts; the list of files is ``$files``.
PARQUET_SOURCE = "read_parquet($files)"

_ROLLUP_COLUMNS = """node, level, period, planned, actual, variance,
       variance / NULLIF(planned, 0) AS variance_pct,
       cum_planned, cum_actual, cum_actual - cum_planned AS cum_variance,
       (cum_actual - cum_planned) / NULLIF(cum_planned, 0) AS cum_variance_pct"""

_STATUS = """parent, name,
       CASE WHEN abs(cum_actual - cum_planned) < $floor THEN 'green'
            WHEN cum_planned = 0 THEN 'red'
            WHEN abs((cum_actual - cum_planned) / cum_planned) >= $red THEN 'red'
            WHEN abs((cum_actual - cum_planned) / cum_planned) >= $amber THEN 'amber'
            ELSE 'green' END AS status"""


@dataclass(frozen=True)
class Reference:
    """What the reference reads and outputs.

    Attributes:
        source: The table expression of the input rows (``CSV_SOURCE``, ``PARQUET_SOURCE``).
        escape: Write a `` / `` inside a level value as `` ∕ `` in node ids (as ours does); the
            data of ``bench_portfolio`` and ``bench_engines`` holds none, so they skip it.
        alerts: Also output ``parent``, ``name`` and ``status``.
    """

    source: str
    escape: bool = False
    alerts: bool = False


def _level(name: str, escape: bool) -> str:
    return f"replace({name}, '{SEP}', '{ESCAPED_SEP}')" if escape else name


def reference_sql(ref: Reference) -> str:
    """The reference query of ``ref`` (see the module docstring)."""
    levels = ", ".join(LEVELS)
    path = ", ".join(_level(c, ref.escape) for c in LEVELS)
    node = f"CASE level WHEN 0 THEN '{ROOT}' ELSE concat_ws('{SEP}', {path}) END AS node"
    extra = ""
    if ref.alerts:
        above = ", ".join(
            f"CASE WHEN level > {d} THEN {_level(c, ref.escape)} END"
            for d, c in enumerate(LEVELS[1:-1], 2)
        )
        first = _level(LEVELS[0], ref.escape)
        names = " ".join(f"WHEN {d} THEN {c}" for d, c in enumerate(LEVELS[:-1], 1))
        extra = f""",
           CASE level WHEN 0 THEN '' WHEN 1 THEN '{ROOT}'
                ELSE concat_ws('{SEP}', {first}, {above}) END AS parent,
           CASE level WHEN 0 THEN '{ROOT}' {names} ELSE {LEVELS[-1]} END AS name"""
    outputs = _ROLLUP_COLUMNS + (",\n       " + _STATUS if ref.alerts else "")
    return f"""
WITH g AS (
    SELECT {levels}, period,
           {len(LEVELS)} - bit_count(GROUPING({levels})::UTINYINT) AS level,
           SUM(planned) AS planned, SUM(actual) AS actual
    FROM {ref.source}
    GROUP BY ROLLUP ({levels}), period
),
n AS (
    SELECT {node},
           level, period, planned, actual{extra}
    FROM g
),
c AS (
    SELECT *, actual - planned AS variance,
           SUM(planned) OVER w AS cum_planned, SUM(actual) OVER w AS cum_actual
    FROM n
    WINDOW w AS (PARTITION BY node ORDER BY period ROWS UNBOUNDED PRECEDING)
)
SELECT {outputs}
FROM c
ORDER BY level, node, period
"""
