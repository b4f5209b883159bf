"""One rollup, three engines: ``pandas`` (in memory), ``duckdb`` (embedded, out of core) and
``spark`` (PySpark: local, a cluster, or Spark Connect).

The job is the same on each: read and validate the input, roll it up, apply the alert rule. The
pandas engine is ``portfolio.load`` + ``portfolio.rollup`` + ``portfolio.alerts``; the SQL engines
run the SQL of ``portfolio.engines.sqltext`` over a validated long table: for Parquet input the
table is checked in SQL (``portfolio.engines.sqlcheck``, the same messages), for CSV/Excel input
the pandas loader validates it (those files are bounded by ``--max-mb``) and the SQL does the
rollup. ``duckdb`` and ``pyspark`` are imported only inside the functions that use them.

``auto`` picks ``duckdb`` for Parquet input of more than ``AUTO_DUCKDB_ROWS`` rows (where the
pandas loader's memory would grow past about 1.5 GB), else ``pandas``. The app rolls a loaded
upload up on the engine ``AppRollup`` picks by its size.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from portfolio import messages
from portfolio.engines.local import ALERTS_COLUMNS, InputSpec, load_input, rollup_table
from portfolio.engines.replacing import replacing
from portfolio.errors import InputError
from portfolio.rollup_columns import OUTPUT_COLUMNS

if TYPE_CHECKING:  # pandas only where a frame is made: the duckdb engine writing Parquet needs none
    import pandas as pd

    from portfolio.alert_rule import AlertRule
    from portfolio.engines.sqlrun import Plan
    from portfolio.load import Portfolio

ENGINES = ("auto", "pandas", "duckdb", "spark")
AUTO_DUCKDB_ROWS = 2_000_000

__all__ = [
    "ALERTS_COLUMNS",
    "APP_ROLLUP",
    "AUTO_DUCKDB_ROWS",
    "ENGINES",
    "AppRollup",
    "EngineChoice",
    "InputSpec",
    "Job",
    "choose_engine",
    "load_input",
    "rollup_frame",
    "run_frame",
    "write_csv",
    "write_parquet",
]


@dataclass(frozen=True)
class EngineChoice:
    """Which engine runs the job, and where Spark runs.

    Attributes:
        engine: One of ``ENGINES``.
        spark_master: A Spark master URL (``local[*]`` when None; ``sc://`` for Spark Connect;
            ``SPARK_REMOTE`` is read when neither is given).
    """

    engine: str = "auto"
    spark_master: str | None = None

    def __post_init__(self) -> None:
        if self.engine not in ENGINES:
            raise InputError(f"Unknown engine {self.engine!r}; choose one of {', '.join(ENGINES)}.")


@dataclass(frozen=True)
class AppRollup:
    """Which engine rolls up a portfolio the app has loaded (the pandas loader ran already: the
    pages need its ``Portfolio``).

    Attributes:
        duckdb_rows: Loaded rows from which the duckdb engine rolls up. Measured with
            ``bench/bench_app_engines.py`` (README, Benchmarks; 2026-12-02): on the bench's
            uploads of 100 k, 1 M and 3 M rows (3 M is 197 MB, just under the 200 MB upload
            limit) load + rollup + alerts took 1.8x to 2.2x the time, 2.3x to 2.5x the CPU and
            1.4x to 1.7x the memory on the duckdb engine: the pandas loader runs either way and
            the numpy rollup beats SQL over a table in memory plus the copies to and from
            Arrow. No measured size is a crossover, so the default lies above any upload the
            app accepts (the app stays on pandas); a server with a larger upload limit may set
            ``COST_DRIFT_APP_DUCKDB_ROWS``.
    """

    duckdb_rows: int = 8_000_000

    def engine(self, p: Portfolio) -> str:
        """``duckdb`` for a portfolio of ``duckdb_rows`` rows or more without a baseline plan
        (which only the pandas rollup carries), else ``pandas``."""
        if len(p.data) >= self.duckdb_rows and "baseline" not in p.data.columns:
            return "duckdb"
        return "pandas"


APP_ROLLUP = AppRollup()


@dataclass(frozen=True)
class Job:
    """A rollup (``rule`` None) or alerts job.

    Attributes:
        input: What to read.
        rule: The alert rule; None for the rollup alone.
        latest: Keep only each node's last period.
        choice: The engine.
    """

    input: InputSpec
    rule: AlertRule | None = None
    latest: bool = False
    choice: EngineChoice = EngineChoice()


def choose_engine(job: Job) -> str:
    """The engine ``job`` runs on (``auto`` resolved by the input's size)."""
    if job.choice.engine != "auto":
        return job.choice.engine
    source = job.input.parquet()
    if source is not None and source.total_rows > AUTO_DUCKDB_ROWS:
        return "duckdb"
    return "pandas"


@contextmanager
def _session(engine: str, choice: EngineChoice) -> Iterator[Any]:
    if engine == "duckdb":
        from portfolio.engines.duck import DuckSession

        session: Any = DuckSession()
    else:
        from portfolio.engines.spark import SparkSqlSession

        session = SparkSqlSession(choice.spark_master)
    try:
        yield session
    finally:
        session.close()


def _plan(session: Any, job: Job) -> Plan:
    from portfolio.engines.sqlbase import Cells
    from portfolio.engines.sqlcheck import validated_cells
    from portfolio.engines.sqlrun import cells_from_frame, plan_output
    from portfolio.engines.sqltext import OutputQuery

    source = job.input.parquet()
    if source is not None:
        session.open_parquet(source)
        cells = validated_cells(session, source.schema(), job.input.file, job.input.mapping)
    else:
        from portfolio.rollup_sums import precision

        p = load_input(job.input)
        table = pa.Table.from_pandas(p.data, preserve_index=False)
        cells_from_frame(session, table, p.levels)
        cells = Cells(levels=p.levels, periods=p.periods, sums=precision(p.data, p.decimals))
    k = len(cells.levels)

    def query(dense: bool, escape: bool) -> OutputQuery:
        return OutputQuery(k, dense, job.rule, job.latest, escape=escape)

    return plan_output(session, cells, query)


def _pandas_only(job: Job, engine: str) -> None:
    """Refuse, before an SQL engine starts, what only the pandas engine does: the baseline
    plan's columns (``--baseline``)."""
    baseline = job.input.mapping.baseline
    if engine != "pandas" and baseline is not None:
        text = messages.SQL_BASELINE.format(file=job.input.file, engine=engine, column=baseline)
        raise InputError(text, column=baseline)


def run_frame(job: Job) -> pd.DataFrame:
    """Run ``job``; its output table (``ROLLUP_COLUMNS``, plus ``status`` for alerts).

    Raises:
        InputError: Bad input (the same message on every engine), what only the pandas engine
            does (``messages.SQL_*``), or an engine that cannot run.
    """
    engine = choose_engine(job)
    _pandas_only(job, engine)
    if engine == "pandas":
        return rollup_table(load_input(job.input), job.rule, job.latest)
    from portfolio.engines.sqlrun import run_plan

    with _session(engine, job.choice) as session:
        return _to_pandas(run_plan(session, _plan(session, job), session.arrow))


def _to_pandas(table: pa.Table) -> pd.DataFrame:
    frame = table.to_pandas()
    if "level" in frame.columns:
        frame["level"] = frame["level"].astype("int64")
    return frame


def _pandas_parquet(frame: pd.DataFrame, path: Path) -> None:
    import pyarrow.parquet as pq

    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), path)


@contextmanager
def _output(out: Path) -> Iterator[Path]:
    """``replacing(out)``, with a failure to write said as an ``InputError`` naming ``out``."""
    try:
        with replacing(Path(out)) as tmp:
            yield tmp
    except OSError as exc:
        raise InputError(f"Could not write {out}: {exc.strerror or exc}.") from exc


def _run_into(job: Job, engine: str, write: Callable[[Any, str], None]) -> None:
    """Run ``job`` on the SQL ``engine``, its output query handed to ``write(session, sql)``."""
    from portfolio.engines.sqlrun import run_plan

    with _session(engine, job.choice) as session:
        run_plan(session, _plan(session, job), lambda sql: write(session, sql))


def write_parquet(job: Job, out: Path) -> None:
    """Run ``job`` and write its output as Parquet to ``out`` (a file; a folder of parts from
    Spark). Nothing appears at ``out`` unless the whole job succeeded.

    Raises:
        InputError: As ``run_frame``, or ``out`` cannot be written.
    """
    engine = choose_engine(job)
    _pandas_only(job, engine)
    with _output(out) as tmp:
        if engine == "pandas":
            _pandas_parquet(run_frame(job), tmp)
        else:
            _run_into(job, engine, lambda session, sql: session.write_parquet(sql, tmp))


def write_csv(job: Job, out: Path) -> None:
    """Run ``job`` on the duckdb engine and have DuckDB write its CSV to ``out`` (the bytes of
    ``portfolio.tablewriter.write_csv`` for the same rows; ``sqlcsv``). Nothing appears at
    ``out`` unless the whole job succeeded.

    Raises:
        InputError: As ``run_frame``, or ``out`` cannot be written.
        ValueError: ``job`` does not run on duckdb (the other engines write through pandas).
    """
    engine = choose_engine(job)
    if engine != "duckdb":
        raise ValueError(f"CSV is written by the duckdb engine itself only, not by {engine}")
    _pandas_only(job, engine)
    with _output(out) as tmp:
        _run_into(job, engine, lambda session, sql: session.write_csv(sql, tmp))


def rollup_frame(p: Portfolio, choice: EngineChoice = EngineChoice()) -> pd.DataFrame:
    """The rollup of a loaded portfolio with ``parent`` and ``name`` (``portfolio.rollup``'s
    columns) on the engine chosen.

    ``auto`` is pandas here: the portfolio is in memory already, and on 1 M loaded rows the
    numpy rollup was 5 times faster and lighter than handing the table to DuckDB (measured with
    bench data; see the README). The SQL engines give the same rows (tested).
    """
    engine = "pandas" if choice.engine == "auto" else choice.engine
    if engine == "pandas":
        from portfolio.rollup import rollup_portfolio

        return rollup_portfolio(p)
    from portfolio.engines.sqlbase import Cells
    from portfolio.engines.sqlrun import cells_from_frame, plan_output, run_plan
    from portfolio.engines.sqltext import OutputQuery
    from portfolio.rollup_sums import precision

    with _session(engine, choice) as session:
        cells_from_frame(session, pa.Table.from_pandas(p.data, preserve_index=False), p.levels)
        cells = Cells(levels=p.levels, periods=p.periods, sums=precision(p.data, p.decimals))
        k = len(p.levels)

        def query(dense: bool, escape: bool) -> OutputQuery:
            return OutputQuery(k, dense, None, False, escape=escape, extra=True)

        plan = plan_output(session, cells, query)
        frame = _to_pandas(run_plan(session, plan, session.arrow))
    return frame.loc[:, list(OUTPUT_COLUMNS)]
