"""Argument helpers shared by every ``cost-drift`` subcommand (and ``cli.forecast``).

Each ``add_*_args`` function adds one group of flags to a parser (usually a parent parser made
with ``add_help=False``); ``load_from_args``, ``rule_from_args`` and ``emit`` turn the parsed
flags into a loaded portfolio, an alert rule and written output.

Output: CSV text cells that would run as spreadsheet formulas (``=``, ``+``, ``-``, ``@``...) get
a leading apostrophe, like every export of Cost Drift; JSON is written as is (NaN as ``null``).
Tables are written by ``portfolio.tablewriter`` straight into the file or standard output.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from cli.flag_checks import check_period_flags
from portfolio.engines.local import InputSpec, load_input
from portfolio.errors import InputError
from portfolio.input_limits import DEFAULT_MAX_BYTES
from portfolio.mapping import DEFAULT_LEVELS, ColumnMapping

if TYPE_CHECKING:  # pandas only where a table is written: a Parquet job of an SQL engine has none
    import pandas as pd

    from portfolio.load import Portfolio

STDIN = "-"
_MAX_BYTES_CAP = 1 << 50  # beyond any real file; keeps the byte count a machine integer
_CHUNK = 1 << 20
_MAPPING = ColumnMapping()  # the defaults, typed once in the core


def read_stdin(limit: int) -> bytes:
    """Standard input up to ``limit`` bytes, read in chunks (never preallocating ``limit``)."""
    chunks: list[bytes] = []
    size = 0
    while size < limit:
        chunk = sys.stdin.buffer.read(min(_CHUNK, limit - size))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


def _add_amount_args(group: argparse._ArgumentGroup) -> None:
    """The amount roles (planned, actual, baseline) and how they are measured."""
    group.add_argument(
        "--planned",
        default=_MAPPING.planned,
        metavar="COL",
        help="planned column, or 'A - B' / 'A + B' (default: %(default)s)",
    )
    group.add_argument(
        "--actual",
        default=_MAPPING.actual,
        metavar="COL",
        help="actual column, or 'A - B' / 'A + B' (default: %(default)s)",
    )
    group.add_argument(
        "--baseline",
        default=None,
        metavar="COL",
        help="the original plan beside the current one, or 'A - B' / 'A + B': rollup and alerts "
        "add baseline, baseline_variance; see plan-changes (default: none)",
    )
    group.add_argument(
        "--measure",
        choices=("flow", "level"),
        default="flow",
        help="flow: spend in the period; level: a running total or re-forecast (default: flow)",
    )


def add_input_args(parser: argparse.ArgumentParser, *, period_flag: str = "--period") -> None:
    """The input file and the column mapping flags (same roles as the app's sidebar).

    ``period_flag`` names the period column's flag (``explain`` uses ``--period`` for the
    period it explains and takes the column as ``--period-column``).
    """
    parser.add_argument(
        "file",
        metavar="FILE",
        help="CSV or Excel (.xlsx) file, a Parquet file, or a folder or glob of Parquet parts; "
        "'-' reads stdin",
    )
    group = parser.add_argument_group("column mapping")
    group.add_argument(
        "--levels",
        default=",".join(DEFAULT_LEVELS),
        help="hierarchy columns, top to bottom, comma-separated (default: %(default)s)",
    )
    group.add_argument(
        period_flag,
        dest="period",
        default=None,
        metavar="COL",
        help=f"period column (default: {_MAPPING.period})",
    )
    parser.set_defaults(period_flag=period_flag)
    group.add_argument(
        "--no-period",
        action="store_true",
        help="the file has no period column: a single-period portfolio",
    )
    group.add_argument(
        "--period-label",
        default=None,
        metavar="LABEL",
        help="the name of the single period with --no-period (default: all)",
    )
    _add_amount_args(group)
    group.add_argument(
        "--sum-duplicates",
        action="store_true",
        help="sum rows that repeat a (leaf, period) instead of refusing the file",
    )
    group.add_argument(
        "--frequency",
        choices=("auto", "M", "Q", "Y"),
        default="auto",
        help="calendar: inferred, or monthly/quarterly/yearly (default: auto)",
    )
    group.add_argument(
        "--max-mb",
        type=float,
        default=DEFAULT_MAX_BYTES / (1024 * 1024),
        metavar="N",
        help="refuse files larger than N megabytes (default: %(default)g)",
    )
    group.add_argument(
        "--accept-cut",
        action="store_true",
        help="accept a CSV cut off mid-line: drop the incomplete last rows (they are counted)",
    )


FORMATS = ("csv", "json", "parquet")


def add_output_args(parser: argparse.ArgumentParser) -> None:
    """Output format and destination."""
    group = parser.add_argument_group("output")
    group.add_argument(
        "--format",
        choices=FORMATS,
        default=None,
        help="output format (default: the --out file's extension, .json or .parquet, else csv; "
        "parquet needs --out)",
    )
    group.add_argument(
        "--out", default=None, metavar="FILE", help="write to FILE instead of standard output"
    )


def resolve_format(args: argparse.Namespace) -> None:
    """Set ``args.format`` when it was not given: from the ``--out`` file's extension (``.json``,
    ``.parquet``), else csv (writing CSV into ``x.json`` helps nobody)."""
    if not hasattr(args, "format") or args.format is not None:
        return
    suffix = Path(str(getattr(args, "out", None) or "")).suffix.lower().lstrip(".")
    args.format = suffix if suffix in FORMATS else "csv"


def add_common_args(parser: argparse.ArgumentParser) -> None:
    """Flags every subcommand has."""
    parser.add_argument(
        "--debug", action="store_true", help="show the Python traceback of an internal fault"
    )


def mapping_from_args(args: argparse.Namespace) -> ColumnMapping:
    """The column mapping described by the flags (raises InputError when it is inconsistent)."""
    check_period_flags(args)
    levels = tuple(part.strip() for part in str(args.levels).split(",") if part.strip())
    period = None if args.no_period else (args.period or _MAPPING.period)
    return ColumnMapping(
        levels=levels,
        period=period,
        planned=args.planned,
        actual=args.actual,
        measure=args.measure,
        sum_duplicates=bool(args.sum_duplicates),
        period_label=args.period_label,
        frequency=args.frequency,
        baseline=args.baseline,
    )


def max_bytes_from_args(args: argparse.Namespace) -> int:
    """``--max-mb`` in bytes (raises InputError when it is not a positive number)."""
    max_mb = args.max_mb
    if max_mb is None or not math.isfinite(max_mb) or not max_mb > 0:
        raise InputError(f"--max-mb must be a positive number of megabytes, got {max_mb}.")
    return min(int(max_mb * 1024 * 1024), _MAX_BYTES_CAP)


def load_from_args(args: argparse.Namespace) -> Portfolio:
    """Load the FILE argument (or standard input for ``-``) with the mapping flags.

    FILE may be CSV, Excel, or Parquet (a file, a folder or a glob of parts).

    Raises:
        InputError: Unreadable or invalid input, with the analyst-facing message.
    """
    mapping = mapping_from_args(args)
    max_bytes = max_bytes_from_args(args)
    if args.file == STDIN:
        data = read_stdin(max_bytes + 1)
        spec = InputSpec("standard input", mapping, data, max_bytes, args.accept_cut)
    else:
        spec = InputSpec(args.file, mapping, None, max_bytes, args.accept_cut)
    return load_input(spec)


def frame_bytes(frame: pd.DataFrame, fmt: str) -> bytes:
    """A table as CSV (formula-like text neutralised) or JSON records (NaN as null) bytes."""
    from portfolio.tablewriter import csv_bytes, json_bytes

    return json_bytes(frame) if fmt == "json" else csv_bytes(frame)


def write_bytes(args: argparse.Namespace, data: bytes) -> None:
    """Write to ``--out`` (when given) or standard output."""
    if getattr(args, "out", None):
        try:
            Path(args.out).write_bytes(data)
        except OSError as exc:
            raise InputError(f"Could not write {args.out}: {exc.strerror or exc}.") from exc
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()


def write_parquet_frame(args: argparse.Namespace, frame: pd.DataFrame) -> None:
    """Write a table as a Parquet file at ``--out`` (a temporary file renamed when complete)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    if not getattr(args, "out", None):
        raise InputError("--format parquet writes a file: give it with --out FILE.")
    out = Path(args.out)
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    try:
        pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), tmp)
        os.replace(tmp, out)
    except OSError as exc:
        raise InputError(f"Could not write {args.out}: {exc.strerror or exc}.") from exc
    finally:
        tmp.unlink(missing_ok=True)


def emit_beside(args: argparse.Namespace, frame: pd.DataFrame, key: str) -> None:
    """Write a side table beside ``--out FILE`` as ``<stem>_<key>`` in the same format (CSV for
    CSV and JSON outputs, whose JSON carries every table in one object; Parquet for Parquet)."""
    out = Path(args.out)
    suffix = "parquet" if getattr(args, "format", "csv") == "parquet" else "csv"
    target = out.with_name(f"{out.stem}_{key}.{suffix}")
    emit(argparse.Namespace(format=suffix, out=str(target)), frame)


def emit(args: argparse.Namespace, frame: pd.DataFrame) -> None:
    """Write a table in the ``--format`` chosen, to ``--out`` or standard output.

    The text goes into the file block by block as it is made (never the whole of it in memory).

    Raises:
        InputError: When ``--out`` cannot be written.
    """
    if getattr(args, "format", "csv") == "parquet":
        write_parquet_frame(args, frame)
        return
    from portfolio.tablewriter import write_csv, write_json

    write = write_json if getattr(args, "format", "csv") == "json" else write_csv
    out = getattr(args, "out", None)
    if not out:
        write(frame, sys.stdout.buffer)
        sys.stdout.buffer.flush()
        return
    try:
        with open(out, "wb") as target:
            write(frame, target)
    except OSError as exc:
        raise InputError(f"Could not write {out}: {exc.strerror or exc}.") from exc
