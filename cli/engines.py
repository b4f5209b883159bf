"""The ``--engine`` choice, shared by every subcommand that rolls up (``rollup``, ``alerts``,
``eac``): ``add_engine_args`` adds the flags, ``job_from_args`` builds the
``portfolio.engines.Job``, ``run_to_output`` runs it into ``--format`` / ``--out``.

``--format parquet`` writes through the engine itself (DuckDB streams it, Spark writes a folder of
parts), to a temporary file beside ``--out`` that is renamed only when the job succeeded.
``--format csv --out FILE`` on duckdb is written by DuckDB too (``portfolio.engines.sqlcsv``: the
table writer's bytes); JSON, CSV to standard output and CSV on spark go through the table
writer.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from cli import common as cli_common
from portfolio.alert_rule import AlertRule
from portfolio.engines import (
    ENGINES,
    EngineChoice,
    InputSpec,
    Job,
    choose_engine,
    run_frame,
    write_csv,
    write_parquet,
)
from portfolio.errors import InputError


def add_engine_args(parser: argparse.ArgumentParser) -> None:
    """``--engine`` and ``--spark-master``."""
    group = parser.add_argument_group("engine")
    group.add_argument(
        "--engine",
        choices=ENGINES,
        default="auto",
        help="pandas (in memory), duckdb (out of core), spark (local or a cluster); auto picks "
        "duckdb for large Parquet input (default: auto)",
    )
    group.add_argument(
        "--spark-master",
        default=None,
        metavar="URL",
        help="Spark master for --engine spark: local[*] by default, spark://host:7077, or "
        "sc://host:15002 for Spark Connect (SPARK_REMOTE is read when not given)",
    )


def input_from_args(args: argparse.Namespace) -> InputSpec:
    """The input described by FILE and the mapping flags (standard input read for ``-``)."""
    mapping = cli_common.mapping_from_args(args)
    max_bytes = cli_common.max_bytes_from_args(args)
    if args.file == cli_common.STDIN:
        data = cli_common.read_stdin(max_bytes + 1)
        return InputSpec("standard input", mapping, data, max_bytes, args.accept_cut)
    return InputSpec(args.file, mapping, None, max_bytes, args.accept_cut)


def job_from_args(args: argparse.Namespace, rule: AlertRule | None = None) -> Job:
    """The job of a rollup (``rule`` None) or alerts subcommand."""
    choice = EngineChoice(args.engine, args.spark_master)
    return Job(input_from_args(args), rule, bool(getattr(args, "latest", False)), choice)


def run_to_output(args: argparse.Namespace, job: Job) -> None:
    """Run ``job`` and write its table in the ``--format`` chosen."""
    if args.format == "parquet":
        if not args.out:
            raise InputError("--format parquet writes a file: give it with --out FILE.")
        write_parquet(job, Path(args.out))
        return
    if args.format == "csv" and args.out and choose_engine(job) == "duckdb":
        write_csv(job, Path(args.out))
        return
    cli_common.emit(args, run_frame(job))
