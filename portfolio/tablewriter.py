"""CSV and JSON text of a table, written straight to a binary file at engine speed.

The cells of every column are made with Arrow kernels (``portfolio.textcells``), a block of
``CHUNK_ROWS`` rows at a time, joined into lines and written from Arrow's buffer to the file
without a copy into Python. Two blocks are made at once on two threads (the kernels release the
GIL), and only a few blocks are held at a time, so memory stays small whatever the table's size.

Output, the same as pandas' ``to_csv(index=False)`` of the formula-neutralised table and
``to_json(orient="records")`` in meaning:

- CSV: a header line, one line per row, ``\\n`` line ends; text cells formula-neutralised
  (``portfolio.formulas``) and quoted when they hold a comma, a quote, a line feed or a carriage
  return (pandas leaves a lone carriage return unquoted, which spreadsheets read as a line break);
  NaN empty; floats as Python's ``repr``.
- JSON: an array of records, one record per line, keys in column order; NaN and infinities
  ``null``; floats as Python's ``repr`` (the shortest text that reads back as the same number;
  pandas rounded them to 10 decimals, which wrote ``133114015.8400000036``).

A table with a column this writer does not know (dates, mixed objects), no columns, or (JSON)
repeated column names is written by pandas as before.
"""

from __future__ import annotations

import io
import json
import os
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace
from typing import BinaryIO

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from portfolio.formulas import neutralise
from portfolio.textcells import CSV, JSON, ColumnCells, Dialect, csv_quoted, csv_text, plan_column

CHUNK_ROWS = 1 << 16
WORKERS = max(1, min(2, os.cpu_count() or 1))


def _plans(frame: pd.DataFrame, dialect: Dialect) -> list[ColumnCells] | None:
    if frame.shape[1] == 0:
        return None
    if dialect is JSON and frame.columns.has_duplicates:
        return None
    plans = []
    for i in range(frame.shape[1]):
        plan = plan_column(frame.iloc[:, i], dialect)
        if plan is None:
            return None
        plans.append(plan)
    return plans


def _csv_lines(plans: list[ColumnCells], start: int, stop: int) -> pa.Array:
    cells = [plan.cells(start, stop) for plan in plans]
    if len(cells) == 1:
        # A line with one empty field is written as "" (as the csv module does), not blank.
        cells[0] = pc.if_else(pc.equal(cells[0], ""), pa.scalar('""'), cells[0])
    last = pc.binary_join_element_wise(cells[-1], pa.scalar("\n"), pa.scalar(""))
    if len(cells) == 1:
        return last
    return pc.binary_join_element_wise(*cells[:-1], last, pa.scalar(","))


def _json_parts(plans: list[ColumnCells], keys: list[str]) -> list[ColumnCells | str]:
    """A record's pieces in order: the plans and the literal text between them.

    The literal text beside a text column is baked into its lookup (once per table), so that
    fewer pieces are joined on every row.
    """
    literals = [("{" if i == 0 else ",") + key + ":" for i, key in enumerate(keys)] + ["},\n"]
    columns: list[ColumnCells] = []
    for i, plan in enumerate(plans):
        if plan.kind == "code" and plan.lookup is not None:
            before, after = literals[i], literals[i + 1]
            spelled = [before + v + after for v in plan.lookup.to_pylist()]
            plan = replace(plan, lookup=pa.array(spelled, type=pa.string()))
            literals[i] = literals[i + 1] = ""
        columns.append(plan)
    parts: list[ColumnCells | str] = []
    for i, literal in enumerate(literals):
        if literal:
            parts.append(literal)
        if i < len(columns):
            parts.append(columns[i])
    return parts


def _json_lines(parts: list[ColumnCells | str], start: int, stop: int) -> pa.Array:
    pieces = [pa.scalar(p) if isinstance(p, str) else p.cells(start, stop) for p in parts]
    if len(pieces) == 1:
        return pieces[0]
    return pc.binary_join_element_wise(*pieces, pa.scalar(""))


Lines = Callable[[int, int], pa.Array]


def _blocks(n_rows: int, make: Lines) -> Iterator[pa.Array]:
    """The lines of the table, block by block, in order; two blocks made at a time."""
    starts = range(0, n_rows, CHUNK_ROWS)
    if len(starts) <= 1 or WORKERS == 1:
        for start in starts:
            yield make(start, min(start + CHUNK_ROWS, n_rows))
        return
    with ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="table-writer") as pool:
        pending: deque[Future[pa.Array]] = deque()
        for start in starts:
            pending.append(pool.submit(make, start, min(start + CHUNK_ROWS, n_rows)))
            if len(pending) > WORKERS:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


def _text_bytes(lines: pa.Array) -> memoryview:
    """The concatenated values of a string array, as a view of Arrow's buffer (no copy)."""
    if len(lines) == 0:
        return memoryview(b"")
    _, offsets_buffer, data = lines.buffers()
    if data is None:
        return memoryview(b"")
    offsets = np.frombuffer(offsets_buffer, dtype=np.int32)
    first, end = offsets[lines.offset], offsets[lines.offset + len(lines)]
    return memoryview(data)[int(first) : int(end)]


def _header(frame: pd.DataFrame) -> bytes:
    cells = [csv_text(c) if isinstance(c, str) else csv_quoted(str(c)) for c in frame.columns]
    if cells == [""]:
        cells = ['""']
    return (",".join(cells) + "\n").encode("utf-8")


def write_csv(frame: pd.DataFrame, target: BinaryIO) -> None:
    """Write ``frame`` as formula-safe UTF-8 CSV (no index) to a binary file.

    Args:
        frame: Any table.
        target: An open binary file (or ``sys.stdout.buffer``).
    """
    plans = _plans(frame, CSV)
    if plans is None:
        target.write(neutralise(frame).to_csv(index=False).encode("utf-8"))
        return
    target.write(_header(frame))
    for lines in _blocks(len(frame), lambda start, stop: _csv_lines(plans, start, stop)):
        target.write(_text_bytes(lines))


def write_json(frame: pd.DataFrame, target: BinaryIO) -> None:
    """Write ``frame`` as a UTF-8 JSON array of records (NaN as null) to a binary file.

    Args:
        frame: Any table.
        target: An open binary file (or ``sys.stdout.buffer``).
    """
    plans = _plans(frame, JSON)
    if plans is None:
        text = frame.to_json(orient="records", double_precision=10, force_ascii=False)
        target.write((text or "[]").encode("utf-8") + b"\n")
        return
    keys = [json.dumps(str(c), ensure_ascii=False) for c in frame.columns.tolist()]
    parts = _json_parts(plans, keys)
    n_blocks = -(-len(frame) // CHUNK_ROWS)
    target.write(b"[")

    def make(start: int, stop: int) -> pa.Array:
        return _json_lines(parts, start, stop)

    for i, lines in enumerate(_blocks(len(frame), make)):
        text = _text_bytes(lines)
        target.write(text[:-2] if i == n_blocks - 1 else text)  # the last record has no ",\n"
    target.write(b"]\n")


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """The table as formula-safe UTF-8 CSV bytes (see :func:`write_csv`)."""
    buffer = io.BytesIO()
    write_csv(frame, buffer)
    return buffer.getvalue()


def json_bytes(frame: pd.DataFrame) -> bytes:
    """The table as UTF-8 JSON records bytes (see :func:`write_json`)."""
    buffer = io.BytesIO()
    write_json(frame, buffer)
    return buffer.getvalue()
