"""The engines benchmark's synthetic lake: Parquet parts generated once by DuckDB SQL into a cache
folder outside the repository (``COST_DRIFT_BENCH_CACHE``, by default ``~/.cache/cost-drift-bench``)
and reused. 4 levels (4 portfolios > 20 programs > 200 projects > the leaves), 100 months from
2017-01, every leaf at every month, amounts with two decimals; ``1M`` = 10,000 leaves, ``10M`` =
100,000, ``100M`` = 1,000,000, in parts of at most ``PART_LEAVES`` leaves (10 M rows, the shape a
lake holds). Synthetic data, seeded by hashes: the same on every run and thread count.
"""

from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path

log = logging.getLogger(__name__)

SIZES = {"1M": 10_000, "10M": 100_000, "100M": 1_000_000}
MONTHS = 100
PART_LEAVES = 100_000
DATA_VERSION = "sql1"  # part of the cache folder's name: a new generator makes new data


def cache_dir() -> Path:
    """Where the generated Parquet data lives (outside the repository)."""
    default = Path.home() / ".cache" / "cost-drift-bench"
    return Path(os.environ.get("COST_DRIFT_BENCH_CACHE", default))


# One part of the synthetic lake, made by DuckDB itself (no array of the part in Python): leaf
# ``i``'s base amount is lognormal(9, 1) and its drift normal(0, 0.004) per month, the month's
# noise normal(1, 0.08), every draw a Box-Muller pair of uniforms from ``hash`` of the leaf (and
# month), so the data is the same on every run and every thread count.
PART_SQL = """
COPY (
  WITH leaf AS (
    SELECT range AS leaf,
           (hash(range, 'u1') % 4294967296 + 0.5) / 4294967296 AS u1,
           (hash(range, 'u2') % 4294967296 + 0.5) / 4294967296 AS u2,
           (hash(range, 'u3') % 4294967296 + 0.5) / 4294967296 AS u3
    FROM range($first, $last)
  ),
  b AS (
    SELECT leaf, leaf % 200 AS project,
           exp(9.0 + sqrt(-2 * ln(u1)) * cos(2 * pi() * u2)) AS base,
           0.004 * sqrt(-2 * ln(u3)) * cos(2 * pi() * u2) AS drift
    FROM leaf
  ),
  m AS (
    SELECT b.*, t.range AS t,
           base * (1 + 0.3 * sin(2 * pi() * t.range / 12)) AS plan,
           (hash(leaf, t.range, 'n1') % 4294967296 + 0.5) / 4294967296 AS n1,
           (hash(leaf, t.range, 'n2') % 4294967296 + 0.5) / 4294967296 AS n2
    FROM b CROSS JOIN range($months) t
  )
  SELECT 'Portfolio ' || (project % 4) AS portfolio, 'Program ' || (project % 20) AS program,
         'Project ' || project AS project, 'PO-' || leaf AS item,
         strftime(DATE '2017-01-01' + to_months(CAST(t AS INTEGER)), '%Y-%m') AS period,
         round(plan, 2) AS planned,
         round(greatest(plan * (1 + drift * t)
                        * (1 + 0.08 * sqrt(-2 * ln(n1)) * cos(2 * pi() * n2)), 0), 2) AS actual
  FROM m
  ORDER BY leaf, t
) TO $path (FORMAT parquet, ROW_GROUP_SIZE 1000000)
"""


def dataset(size: str) -> Path:
    """The folder of Parquet parts for ``size``, generated on first use (by DuckDB, part by part,
    so that 100 M rows cost what writing them costs)."""
    import duckdb

    folder = cache_dir() / f"portfolio_{size}_{DATA_VERSION}"
    done = folder / "_COMPLETE"
    if done.exists():
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    leaves = SIZES[size]
    with tempfile.TemporaryDirectory(prefix="cost-drift-bench-gen-") as spill:
        con = duckdb.connect(config={"memory_limit": "2GB", "temp_directory": spill})
        for i, first in enumerate(range(0, leaves, PART_LEAVES)):
            last = min(first + PART_LEAVES, leaves)
            path = str(folder / f"part-{i:05d}.parquet")
            con.execute(PART_SQL, {"first": first, "last": last, "months": MONTHS, "path": path})
        con.close()
    done.write_text("ok\n")
    log.info("generated %s (%d rows)", folder, leaves * MONTHS)
    return folder
