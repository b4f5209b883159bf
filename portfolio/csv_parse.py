"""Parsing CSV text into a frame of strings whose index is the file's row numbers.

Large, well-formed files are parsed by pyarrow (multithreaded, every column as text); anything odd
falls back to Python's csv module, which gives exact row numbers for the message. A quoted value
may hold a line break: a row is a CSV record, numbered as a spreadsheet numbers it.
"""

from __future__ import annotations

import csv
import io
import logging

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from portfolio.csv_layout import SNIFF_BYTES, Layout, unique_headers
from portfolio.errors import InputError
from portfolio.rownums import describe_rows, plural

log = logging.getLogger(__name__)


def parse_fast(
    data: bytes, start: int, sample: str, lay: Layout
) -> tuple[pd.DataFrame, int] | None:
    """pyarrow parse of UTF-8 bytes -> (frame, cut rows); None when anything is irregular.

    A short last line without a line end is the one irregularity handled here (a file cut
    mid-row). Otherwise the Python parser reads the file again and explains the problem with exact
    row numbers.
    """
    ends = [i for i in (sample.find("\n"), sample.find("\r")) if i >= 0]
    nl = min(ends) if ends else -1
    first_line = sample if nl < 0 else sample[:nl]
    if first_line.count('"') % 2 or (nl < 0 and len(sample) >= SNIFF_BYTES - 4):
        return None  # a header spanning lines: leave it to the csv module
    delimiter = lay.delimiter
    headers = unique_headers(next(csv.reader([first_line], delimiter=delimiter)))
    end = len(data)
    while end > start and data[end - 1] in b"\r\n":
        end -= 1  # trailing line ends would read as blank rows
    buf = pa.py_buffer(data)[start:end]
    bad: list[pacsv.InvalidRow] = []

    def on_invalid(row: pacsv.InvalidRow) -> str:
        bad.append(row)
        return "skip"

    try:
        table = pacsv.read_csv(
            pa.BufferReader(buf),
            read_options=pacsv.ReadOptions(
                column_names=headers, skip_rows=1, use_threads=True, block_size=8 << 20
            ),
            parse_options=pacsv.ParseOptions(
                delimiter=delimiter,
                newlines_in_values=data.find(b'"') >= 0,
                ignore_empty_lines=False,
                invalid_row_handler=on_invalid,
            ),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(headers, pa.large_string()),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowTypeError, ValueError) as exc:
        log.debug("pyarrow could not parse the file, using the csv module: %s", exc)
        return None
    cut = 0
    if bad:
        tail = data[data.rfind(b"\n", start, end) + 1 : end]
        cut_at_end = (
            len(bad) == 1
            and end == len(data)  # no line end after the last row
            and bad[0].actual_columns < bad[0].expected_columns
            and b'"' not in tail
            and bad[0].text == tail.decode("utf-8", errors="replace").rstrip("\r")
        )
        if not cut_at_end:
            return None
        cut = 1
    cols = {h: pd.arrays.ArrowStringArray(table.column(i)) for i, h in enumerate(headers)}
    first_row = lay.header_row + 1
    frame = pd.DataFrame(
        cols, index=pd.RangeIndex(first_row, first_row + table.num_rows), copy=False
    )
    return frame, cut


def parse_python(
    text: str, lay: Layout, label: str, *, cut_char: bool = False
) -> tuple[pd.DataFrame, int]:
    """The csv module's parse, for files pyarrow found irregular: exact rows for every message.

    Every record is one row (a blank line is a row with every cell blank), so row numbers are the
    record numbers, as a spreadsheet shows them.
    """
    ends_clean = text.endswith(("\n", "\r"))
    body = text.rstrip("\r\n")
    reader = csv.reader(io.StringIO(body, newline=""), delimiter=lay.delimiter)
    row0 = lay.header_row + 1  # the first data row's number
    try:
        header = next(reader)
    except (StopIteration, csv.Error) as exc:  # pragma: no cover - sniffed before
        raise InputError(f"{label}: the header row cannot be read ({exc}).") from None
    headers = unique_headers(header)
    width = len(headers)
    records: list[list[str]] = []
    try:
        records.extend(reader)
    except csv.Error as exc:
        raise InputError(
            f"{label}: row {row0 + len(records)} cannot be read as CSV ({exc}). "
            "Check the quotes on that row."
        ) from None

    cut = 0
    if records:
        last = records[-1]
        open_quote = body.count('"') % 2 == 1
        if open_quote and (len(last) > width or any("\n" in c or "\r" in c for c in last)):
            raise InputError(
                f"{label}: a quote opened on row {row0 + len(records) - 1} is never closed, so the "
                "rest "
                "of the file would be read as one value. Check the quotes on that row."
            )
        short_at_end = 0 < len(last) < width and not (len(last) == 1 and not last[0].strip())
        if open_quote or cut_char or (short_at_end and not ends_clean):
            cut = 1
            records.pop()
    lens = np.fromiter(map(len, records), dtype=np.int64, count=len(records))
    odd = np.flatnonzero(lens != width)
    wrong: list[int] = []
    wrong_counts: list[int] = []
    for i in odd.tolist():  # only the irregular records: blank lines, or an error to report
        rec = records[i]
        if not rec or (len(rec) == 1 and not rec[0].strip()):
            records[i] = [""] * width
        else:
            wrong.append(row0 + i)
            wrong_counts.append(len(rec))
    if wrong:
        many = [r for r, n in zip(wrong, wrong_counts, strict=True) if n > width]
        few = [r for r, n in zip(wrong, wrong_counts, strict=True) if n < width]
        parts = []
        if few:
            parts.append(f"{describe_rows(few)} {'has' if len(few) == 1 else 'have'} fewer values")
        if many:
            parts.append(f"{describe_rows(many)} {'has' if len(many) == 1 else 'have'} more values")
        raise InputError(
            f"{label}: {' and '.join(parts)} than the header's {plural(width, 'column')} "
            f"({plural(len(wrong), 'row')} in all). Check the delimiter and the quotes on those "
            "rows.",
            rows=wrong[:5],
        )
    cols: dict[str, pd.api.extensions.ExtensionArray] = {}
    columns = list(zip(*records, strict=True)) if records else [() for _ in headers]
    for h, c in zip(headers, columns, strict=True):
        cols[h] = pd.arrays.ArrowStringArray(pa.array(c, type=pa.large_string()))
    frame = pd.DataFrame(cols, index=pd.RangeIndex(row0, row0 + len(records)), copy=False)
    return frame, cut


def rows_with_line_breaks(frame: pd.DataFrame) -> tuple[int, ...]:
    """The row numbers (the frame's index) of rows with a line break inside a value."""
    hit = np.zeros(len(frame), dtype=bool)
    for name in frame.columns:
        arr = pa.array(frame[name], from_pandas=True, type=pa.large_string())
        for end in ("\n", "\r"):
            found = pc.fill_null(pc.match_substring(arr, end), False)
            hit |= np.asarray(found.to_numpy(zero_copy_only=False), dtype=bool)
    return tuple(int(r) for r in np.asarray(frame.index)[hit])
