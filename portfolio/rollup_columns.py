"""The rollup's output columns, in order: what the pandas rollup returns, what the SQL engines
write and what the CLI promises (kept apart from ``portfolio.rollup`` so that a shell and the SQL
engines read them without importing pandas)."""

from __future__ import annotations

ROLLUP_COLUMNS = (
    "node",
    "level",
    "period",
    "planned",
    "actual",
    "variance",
    "variance_pct",
    "cum_planned",
    "cum_actual",
    "cum_variance",
    "cum_variance_pct",
)
OUTPUT_COLUMNS = (*ROLLUP_COLUMNS, "parent", "name")
# Added after ROLLUP_COLUMNS (before parent and name) only when the data has a "baseline" column.
BASELINE_COLUMNS = ("baseline", "baseline_variance")
