"""The ``spark`` engine: the SQL of ``portfolio.engines.sqltext`` run by PySpark.

Where it runs: ``local[*]`` (every core of this machine) by default, a cluster with
``--spark-master spark://host:7077`` (or any master URL Spark accepts), or a Spark Connect
server when ``SPARK_REMOTE`` (or a master URL) is ``sc://host:port``. A standalone or Connect
master that does not answer, or a missing Java, is an ``InputError`` (exit 2 on the command line)
raised before anything runs; the address is tried with a plain TCP connection first, so a wrong
address fails in seconds instead of Spark's minutes of retries. One SparkSession serves the whole
process. ``pyspark`` is imported inside the functions only.

Settings read from the environment: ``COST_DRIFT_SPARK_PARTITIONS`` (shuffle partitions, default
``DEFAULT_PARTITIONS``) and ``COST_DRIFT_SPARK_DRIVER_MEMORY`` (default ``DEFAULT_DRIVER_MEMORY``;
for a local master the driver does all the work).
"""

from __future__ import annotations

import os
import shutil
import socket
import warnings
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pyarrow as pa

from portfolio.engines.source import ParquetSource
from portfolio.engines.sqlbase import Columns
from portfolio.engines.sqltext import SPARK, Dialect
from portfolio.errors import InputError

DEFAULT_MASTER = "local[*]"
DEFAULT_PARTITIONS = "8"
DEFAULT_DRIVER_MEMORY = "4g"
CONNECT_TIMEOUT_S = 5.0


def _reachable(url: str, default_port: int) -> None:
    parsed = urlparse(url)
    hosts = [h for h in (parsed.netloc.split(",") if parsed.netloc else []) if h]
    if not hosts:
        raise InputError(
            f"The Spark master address {url!r} names no host (e.g. spark://host:7077)."
        )
    for host in hosts:
        name, _, port = host.partition(":")
        try:
            with socket.create_connection((name, int(port or default_port)), CONNECT_TIMEOUT_S):
                return
        except (OSError, ValueError):
            continue
    raise InputError(
        f"The Spark master at {url} cannot be reached (no answer within {CONNECT_TIMEOUT_S:g} s). "
        "Check the address and that the master is running, or leave --spark-master out to run "
        "Spark on this machine."
    )


def _java_missing() -> bool:
    home = os.environ.get("JAVA_HOME")
    if home and (Path(home) / "bin" / "java").exists():
        return False
    return shutil.which("java") is None


def spark_session(master: str | None = None) -> Any:
    """The process's SparkSession (created on first use).

    Raises:
        InputError: pyspark is not installed, Java is missing, or the master cannot be reached.
    """
    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:
        raise InputError(
            "The spark engine needs PySpark: pip install 'cost-drift[spark]' (and Java 17 or "
            "newer), or choose --engine duckdb."
        ) from exc
    remote = master if master and master.startswith("sc://") else None
    remote = remote or (os.environ.get("SPARK_REMOTE") if not master else None)
    if remote:
        _reachable(remote, 15002)
        try:
            return SparkSession.builder.remote(remote).getOrCreate()
        except ImportError as exc:
            raise InputError(
                "Spark Connect needs its client libraries: pip install 'pyspark[connect]'."
            ) from exc
    master = master or DEFAULT_MASTER
    if master.startswith("local"):
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")  # no lookup of this host's name
    if master.startswith("spark://"):
        _reachable(master, 7077)
    if _java_missing():
        raise InputError(
            "The spark engine needs Java 17 or newer, and none was found (no java on PATH, no "
            "JAVA_HOME). Install it (Debian: apt-get install openjdk-17-jre-headless) or choose "
            "--engine duckdb."
        )
    builder = (
        SparkSession.builder.master(master)
        .appName("cost-drift")
        .config(
            "spark.sql.shuffle.partitions",
            os.environ.get("COST_DRIFT_SPARK_PARTITIONS", DEFAULT_PARTITIONS),
        )
        .config(
            "spark.driver.memory",
            os.environ.get("COST_DRIFT_SPARK_DRIVER_MEMORY", DEFAULT_DRIVER_MEMORY),
        )
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
    )
    try:
        spark = builder.getOrCreate()
    except Exception as exc:  # the JVM did not start: say so in words, not a Java trace
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise InputError(f"Spark could not start on master {master}: {first}") from exc
    spark.sparkContext.setLogLevel("ERROR")
    return spark


class SparkSqlSession:
    """A SparkSession with the ``Session`` methods of ``sqlcheck``."""

    engine = "spark"
    dialect: Dialect = SPARK

    def __init__(self, master: str | None = None) -> None:
        self.spark = spark_session(master)

    def close(self) -> None:
        """Nothing to release: the session is kept for the process, the job cached nothing."""

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        """Run a query; its rows."""
        return [tuple(r) for r in self.spark.sql(sql).collect()]

    def register(self, name: str, table: pa.Table) -> None:
        """Make an Arrow table queryable as ``name``."""
        with warnings.catch_warnings():
            # pyspark warns about pandas 3 on every conversion; the Arrow path is exact
            warnings.simplefilter("ignore", FutureWarning)
            frame = self.spark.createDataFrame(table)
        frame.createOrReplaceTempView(name)

    def values(self, name: str, columns: Columns) -> None:
        """A table of Python values (through Arrow: Spark's path imports pandas anyway)."""
        types = {"VARCHAR": pa.string(), "BIGINT": pa.int64()}
        self.register(name, pa.table({c: pa.array(v, types[t]) for c, (t, v) in columns.items()}))

    def view(self, name: str, sql: str) -> None:
        """Define (or replace) a temporary view."""
        self.spark.sql(f"CREATE OR REPLACE TEMP VIEW {name} AS {sql}")

    def arrow(self, sql: str) -> pa.Table:
        """A query's result as an Arrow table (collected to the driver)."""
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            return pa.table(self.spark.sql(sql).toArrow())

    def write_parquet(self, sql: str, path: Path) -> None:
        """Write a query's result as a folder of Parquet parts (in order: part 0 first)."""
        self.spark.sql(sql).write.mode("overwrite").parquet(str(path))

    def open_parquet(self, source: ParquetSource) -> None:
        """Views ``raw_src`` (the parts as they are) and ``raw_rows`` (plus ``__row``)."""
        frame = self.spark.read.parquet(*[str(f) for f in source.files])
        frame.createOrReplaceTempView("raw_src")
        with_meta = frame.select("*", "_metadata.file_path", "_metadata.row_index")
        with_meta.createOrReplaceTempView("raw_meta")
        paths = [str(f.resolve()) for f in source.files]
        self.register(
            "part_offsets",
            pa.table({"local_path": paths, "off": pa.array(source.offsets, pa.int64())}),
        )
        cols = ", ".join(self.dialect.quote(c) for c in frame.columns)
        self.view(
            "raw_rows",
            f"SELECT {cols}, o.off + r.row_index + 2 AS __row FROM raw_meta r "
            "JOIN part_offsets o "
            "ON url_decode(regexp_replace(r.file_path, '^file:(//)?', '')) = o.local_path",
        )
