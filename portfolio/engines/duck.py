"""The ``duckdb`` engine: the SQL of ``portfolio.engines.sqltext`` run by embedded DuckDB.

DuckDB streams Parquet and spills to a temporary folder beyond its memory limit, so the rows
never have to fit in memory. The limit is ``COST_DRIFT_DUCKDB_MEMORY`` (a DuckDB size such as
``4GB``), by default ``DEFAULT_MEMORY_LIMIT``: with DuckDB's own allocations beside its buffer
pool, the process stays under 8 GB (bench/bench_engines.py measures it). ``duckdb`` is imported
inside the functions only.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import pyarrow as pa

from portfolio.engines.source import ParquetSource
from portfolio.engines.sqlbase import Columns
from portfolio.engines.sqltext import DUCKDB, Dialect

DEFAULT_MEMORY_LIMIT = "5GB"


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


class DuckSession:
    """One DuckDB connection (in memory) with the ``Session`` methods of ``sqlcheck``."""

    engine = "duckdb"
    dialect: Dialect = DUCKDB

    def __init__(self) -> None:
        import duckdb

        self._tmp = tempfile.TemporaryDirectory(prefix="cost-drift-duckdb-")
        config: dict[str, Any] = {
            "memory_limit": os.environ.get("COST_DRIFT_DUCKDB_MEMORY", DEFAULT_MEMORY_LIMIT),
            "temp_directory": self._tmp.name,
            # the output query orders its rows itself: the rest may stream in any order
            "preserve_insertion_order": False,
        }
        self.con = duckdb.connect(config=config)
        # a long job would draw DuckDB's bar on the CLI's stderr, between our own messages
        self.con.execute("SET enable_progress_bar = false")
        self._registered: set[str] = set()

    def close(self) -> None:
        """Close the connection and remove its spill folder."""
        self.con.close()
        self._tmp.cleanup()

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        """Run a query; its rows."""
        return list(self.con.execute(sql).fetchall())

    def register(self, name: str, table: pa.Table) -> None:
        """Make an Arrow table queryable as ``name`` (replacing an earlier one)."""
        if name in self._registered:
            self.con.unregister(name)
        self.con.register(name, table)
        self._registered.add(name)

    def values(self, name: str, columns: Columns) -> None:
        """A temporary table of Python values (lists passed as parameters and unnested)."""
        names = list(columns)
        select = ", ".join(
            f"CAST(unnest($c{i}) AS {columns[c][0]}) AS {DUCKDB.quote(c)}"
            for i, c in enumerate(names)
        )
        params = {f"c{i}": list(columns[c][1]) for i, c in enumerate(names)}
        self.con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT {select}", params)

    def view(self, name: str, sql: str) -> None:
        """Define (or replace) a temporary view."""
        self.con.execute(f"CREATE OR REPLACE TEMP VIEW {name} AS {sql}")

    def arrow(self, sql: str) -> pa.Table:
        """A query's result as an Arrow table."""
        return pa.table(self.con.sql(sql).to_arrow_table())

    def write_parquet(self, sql: str, path: Path) -> None:
        """Stream a query's result into one Parquet file (nothing held in memory)."""
        self.con.execute(f"COPY ({sql}) TO {_literal(str(path))} (FORMAT parquet)")

    def write_csv(self, sql: str, path: Path) -> None:
        """Stream a rollup output query's rows into a CSV file with the table writer's bytes
        (``portfolio.engines.sqlcsv``)."""
        from portfolio.engines.sqlcsv import csv_sql

        # COMMENT '': DuckDB otherwise quotes every value holding its comment character, '#'
        target = _literal(str(path))
        self.con.execute(f"COPY ({csv_sql(sql)}) TO {target} (FORMAT csv, HEADER, COMMENT '')")

    def open_parquet(self, source: ParquetSource) -> None:
        """Views ``raw_src`` (the parts as they are) and ``raw_rows`` (plus ``__row``)."""
        files = "[" + ", ".join(_literal(str(f)) for f in source.files) + "]"
        self.view("raw_src", f"SELECT * FROM read_parquet({files}, union_by_name = true)")
        files_and_offsets: Columns = {
            "filename": ("VARCHAR", [str(f) for f in source.files]),
            "off": ("BIGINT", list(source.offsets)),
        }
        self.values("part_offsets", files_and_offsets)
        self.view(
            "raw_rows",
            f"SELECT r.* EXCLUDE (filename, file_row_number), "
            f"o.off + r.file_row_number + 2 AS __row FROM read_parquet({files}, "
            "union_by_name = true, filename = true, file_row_number = true) r "
            "JOIN part_offsets o ON r.filename = o.filename",
        )
