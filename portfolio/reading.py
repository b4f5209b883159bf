"""Reading a file as it is: CSV or Excel bytes -> `RawTable` of strings, with file row numbers.

What is detected, in order:

- size over the limit, empty file;
- Excel `.xlsx` by its magic bytes (a zip archive): the first sheet is read (`portfolio/excel.py`);
  the first non-empty row is the header; old `.xls` files are refused with advice;
- binary content (NUL bytes or many control characters): refused as not a CSV;
- the encoding: UTF-16 with a BOM, UTF-8 with or without a BOM, else Windows-1252 when its
  characters 0x80-0x9F occur, else Latin-1;
- the delimiter among comma, semicolon and tab (the one giving a consistent number of columns, most
  columns first); one column only means the file is not a CSV we can read;
- a last row cut mid-line (fewer values than the header at the very end, or an unclosed quote):
  it is left out of the frame and counted in `RawTable.cut_rows`; `build_portfolio` then refuses the
  file unless the analyst agrees to load it without those rows.

The frame's index holds each row's number as the analyst sees it in the file (the header is row 1),
so every later message can name rows exactly. Blank lines count as rows with every cell blank.
Large, well-formed CSVs are parsed by pyarrow (multithreaded, every column as text); anything odd
falls back to Python's csv module, which gives exact row numbers for the message.
"""

from __future__ import annotations

import csv
import io
import logging
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from portfolio.errors import InputError
from portfolio.excel import sheet_rows
from portfolio.rownums import describe_rows, plural

log = logging.getLogger(__name__)

DEFAULT_MAX_BYTES = 200 * 1024 * 1024
DELIMITERS = (",", ";", "\t")
_DELIM_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "": "none (Excel)"}
_SNIFF_BYTES = 64 * 1024
_CONTROL = bytes([*range(0, 9), 11, 12, *range(14, 32), 127])


@dataclass(frozen=True)
class RawTable:
    """The file as read: every cell a str ("" for blank), original headers.

    Headers that are blank or repeated are made unique (``column 3``, ``amount (2)``) so that every
    column can be named. The frame's index is the row number in the file (header = row 1).
    """

    frame: pd.DataFrame
    name: str  # file name shown in messages
    encoding: str  # e.g. "utf-8", "utf-8-sig", "latin-1", "cp1252", "utf-16", "xlsx"
    delimiter: str  # ",", ";", "\t" or "" for Excel
    cut_rows: int = 0  # incomplete rows at the end of a CSV that was cut mid-line
    header_row: int = 1  # the header's row number (above it: blank lines or a title, skipped)

    def __post_init__(self) -> None:
        if len(self.frame) == 0 and len(self.frame.columns):
            # zero rows: plain object columns, which every pandas reduction accepts
            object.__setattr__(self, "frame", self.frame.astype(object))

    @property
    def delimiter_name(self) -> str:
        """The delimiter in words (comma, semicolon, tab)."""
        return _DELIM_NAMES.get(self.delimiter, repr(self.delimiter))


def _fmt_size(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):.1f} MB"
    if n >= 1024:
        return f"{n / 1024:.1f} KB"
    return f"{n} bytes"


def _read_source(source: str | Path | bytes, name: str | None, max_bytes: int) -> tuple[bytes, str]:
    if isinstance(source, bytes | bytearray | memoryview):
        data = bytes(source)
        label = name or "uploaded file"
        if len(data) > max_bytes:
            raise InputError(
                f"{label} is {_fmt_size(len(data))}, over the limit of {_fmt_size(max_bytes)}. "
                "Split the file, or raise the limit if this machine has the memory for it."
            )
        return data, label
    path = Path(source)
    label = name or path.name
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise InputError(f"{label}: no such file ({path}).") from None
    except OSError as exc:
        raise InputError(f"{label}: the file cannot be opened ({exc.strerror}).") from None
    if path.is_dir():
        raise InputError(f"{label} is a folder, not a file.")
    if size > max_bytes:
        raise InputError(
            f"{label} is {_fmt_size(size)}, over the limit of {_fmt_size(max_bytes)}. "
            "Split the file, or raise the limit if this machine has the memory for it."
        )
    try:
        return path.read_bytes(), label
    except OSError as exc:
        raise InputError(f"{label}: the file cannot be read ({exc.strerror}).") from None


def read_raw(
    source: str | Path | bytes, *, name: str | None = None, max_bytes: int = DEFAULT_MAX_BYTES
) -> RawTable:
    """Read a CSV or Excel file (a path or its bytes) into a `RawTable` of strings.

    Args:
        source: A path, or the file's bytes (an upload, or stdin read by the CLI).
        name: The file name to use in messages (defaults to the path's name, or "uploaded file").
        max_bytes: Size limit; a larger file is refused with its size and the limit.

    Raises:
        InputError: Empty, too large, binary, not a CSV/Excel file, or rows with the wrong number
            of values.
    """
    data, label = _read_source(source, name, max_bytes)
    if not data[:4096].strip() and not data.strip():
        raise InputError(f"{label} is empty: there is no header and no data.")
    if data[:4] == b"PK\x03\x04":
        return _read_xlsx(data, label)
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise InputError(
            f"{label} is an old Excel .xls workbook, which cannot be read. "
            "Save it as .xlsx or as CSV and upload that."
        )
    encoding = "utf-8"
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        try:
            data = data.decode("utf-16").encode("utf-8")
        except UnicodeDecodeError:
            raise InputError(
                f"{label}: the file says it is UTF-16 but cannot be read as such."
            ) from None
        encoding = "utf-16"
    _check_binary(data[:_SNIFF_BYTES], label)
    start = 0
    if data[:3] == b"\xef\xbb\xbf":
        start, encoding = 3, "utf-8-sig"
    sample = _utf8_sample(data[start : start + _SNIFF_BYTES])
    if sample is not None:
        lay = _sniff(sample, label)
        skip = len(sample[: lay.skip_chars].encode("utf-8"))
        fast = _parse_fast(data, start + skip, sample[lay.skip_chars :], lay)
        if fast is not None:
            return RawTable(fast[0], label, encoding, lay.delimiter, fast[1], lay.header_row)
    text, encoding, cut_char = _decode(data, label, encoding)
    lay = _sniff(text[:_SNIFF_BYTES], label)
    text = text[lay.skip_chars :]
    if encoding in ("latin-1", "cp1252"):
        fast = _parse_fast(text.encode("utf-8"), 0, text[:_SNIFF_BYTES], lay)
        if fast is not None:
            return RawTable(fast[0], label, encoding, lay.delimiter, fast[1], lay.header_row)
    frame, cut = _parse_python(text, lay, label, cut_char=cut_char)
    return RawTable(frame, label, encoding, lay.delimiter, cut, lay.header_row)


# ---------------------------------------------------------------------------------------------
# text CSV


def _check_binary(sample: bytes, label: str) -> None:
    controls = sum(sample.count(bytes([c])) for c in _CONTROL)
    if b"\x00" in sample or controls > 2 + len(sample) // 100:
        raise InputError(
            f"{label} is not a CSV file: it contains binary data. "
            "Upload a CSV (comma, semicolon or tab separated) or an Excel .xlsx file."
        )


def _utf8_sample(sample: bytes) -> str | None:
    """The sample as text when it is UTF-8 (a character cut by the sample's end is dropped)."""
    try:
        return sample.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.reason == "unexpected end of data" and exc.start >= len(sample) - 3:
            return sample[: exc.start].decode("utf-8", errors="strict")
        return None


def _decode(data: bytes, label: str, encoding: str) -> tuple[str, str, bool]:
    """The text, its encoding, and whether the file ends in the middle of a character."""
    if encoding == "utf-16":
        return data.decode("utf-8"), encoding, False
    if encoding == "utf-8-sig":
        data = data[3:]
    try:
        return data.decode("utf-8"), encoding, False
    except UnicodeDecodeError as exc:
        if exc.reason == "unexpected end of data" and exc.start >= len(data) - 3:
            # a file cut in the middle of a character: its last row is cut too
            return data[: exc.start].decode("utf-8"), encoding, True
    if any(0x80 <= b <= 0x9F for b in set(data)):
        try:
            return data.decode("cp1252"), "cp1252", False
        except UnicodeDecodeError:
            pass
    return data.decode("latin-1"), "latin-1", False


@dataclass(frozen=True)
class _Layout:
    delimiter: str
    skip_chars: int  # characters before the header line (blank lines, a title, "sep=;")
    header_row: int  # the header's row number in the file


def _fields(line: str, delimiter: str) -> list[str]:
    try:
        return next(csv.reader([line], delimiter=delimiter), [])
    except csv.Error:
        return [line]


def _sniff(sample: str, label: str) -> _Layout:
    """The delimiter, and where the header is.

    Lines above the header are skipped when they are blank, a title (at most one filled cell) or
    Excel's ``sep=;`` hint. The delimiter is the one whose header width the following lines repeat
    most consistently (less skipping, then more columns, break ties).
    """
    lines = sample.splitlines(keepends=True)
    if len(sample) >= _SNIFF_BYTES - 4 and len(lines) > 1:
        lines = lines[:-1]  # the sample may end mid-line
    lines = lines[:200]
    texts = [ln.rstrip("\r\n") for ln in lines]
    if not any(t.strip() for t in texts):
        raise InputError(f"{label} is empty: there is no header and no data.")
    first = next(i for i, t in enumerate(texts) if t.strip())
    candidates: tuple[str, ...] = DELIMITERS
    hint = re.fullmatch(r"sep=(.)", texts[first].strip())
    if hint:
        candidates, first = (hint.group(1),), first + 1
    best: tuple[tuple[float, int, int], _Layout] | None = None
    for d in candidates:
        widths = [len(_fields(t, d)) if t.strip() else 0 for t in texts]
        filled = [sum(1 for f in _fields(t, d) if f.strip()) for t in texts]
        nxt = [next((w for w in widths[i + 1 :] if w), w0) for i, w0 in enumerate(widths)]
        # the header: the first line with two filled cells whose width the next line repeats
        # (a title such as "Spend report, March 2024" does not); else the first with two cells
        head = next(
            (
                i
                for i in range(first, min(len(texts), first + 10))
                if filled[i] >= 2 and widths[i] == nxt[i]
            ),
            next((i for i in range(first, len(texts)) if filled[i] >= 2), None),
        )
        if head is None:
            continue
        width = widths[head]
        after = [w for w in widths[head + 1 : head + 51] if w]
        same = sum(1 for w in after if w == width) / len(after) if after else 1.0
        score = (same, -head, width)
        if best is None or score > best[0]:
            skip = sum(len(ln) for ln in lines[:head])
            best = (score, _Layout(d, skip, head + 1))
    if best is None:
        raise InputError(
            f"{label} does not look like a CSV file: its lines have only one column. "
            "Columns must be separated by commas, semicolons or tabs "
            "(or upload an Excel .xlsx file)."
        )
    return best[1]


def _unique_headers(headers: list[str]) -> list[str]:
    out: list[str] = []
    seen: set[str] = set()
    for i, h in enumerate(headers, start=1):
        base = h if h.strip() else f"column {i}"
        cand, k = base, 2
        while cand in seen:
            cand, k = f"{base} ({k})", k + 1
        seen.add(cand)
        out.append(cand)
    return out


def _parse_fast(
    data: bytes, start: int, sample: str, lay: _Layout
) -> tuple[pd.DataFrame, int] | None:
    """pyarrow parse of UTF-8 bytes -> (frame, cut rows); None when anything is irregular.

    A short last line without a line end is the one irregularity handled here (a file cut
    mid-row). Otherwise the Python parser reads the file again and explains the problem with exact
    row numbers.
    """
    ends = [i for i in (sample.find("\n"), sample.find("\r")) if i >= 0]
    nl = min(ends) if ends else -1
    first_line = sample if nl < 0 else sample[:nl]
    if first_line.count('"') % 2 or (nl < 0 and len(sample) >= _SNIFF_BYTES - 4):
        return None  # a header spanning lines: leave it to the csv module
    delimiter = lay.delimiter
    headers = _unique_headers(next(csv.reader([first_line], delimiter=delimiter)))
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


def _parse_python(
    text: str, lay: _Layout, label: str, *, cut_char: bool = False
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
    headers = _unique_headers(header)
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


# ---------------------------------------------------------------------------------------------
# Excel


def _read_xlsx(data: bytes, label: str) -> RawTable:
    header: list[str] | None = None
    header_row = 1
    records: list[list[str]] = []
    rownums: list[int] = []
    for r, cells in sheet_rows(data, label):
        if header is None:
            if any(c.strip() for c in cells):
                while cells and not cells[-1].strip():
                    cells.pop()
                header, header_row = cells, r
            continue
        records.append(cells)
        rownums.append(r)
    if header is None:
        raise InputError(f"{label} is empty: its first sheet has no header and no data.")
    width = len(header)
    if width < 2:
        raise InputError(
            f"{label}: the first sheet has only one column ({header[0]!r}). "
            "The data needs separate columns for the levels, the period and the amounts."
        )
    extra = [
        r for r, rec in zip(rownums, records, strict=True) if any(c.strip() for c in rec[width:])
    ]
    if extra:
        raise InputError(
            f"{label}: {describe_rows(extra)} {'has' if len(extra) == 1 else 'have'} values to the "
            f"right of the last titled column. Give those columns a title or remove them.",
            rows=extra[:5],
        )
    while records and not any(c.strip() for c in records[-1]):
        records.pop()
        rownums.pop()
    headers = _unique_headers(header)
    cols = {
        h: pd.array([rec[i] if i < len(rec) else "" for rec in records], dtype="str")
        for i, h in enumerate(headers)
    }
    frame = pd.DataFrame(cols, index=pd.Index(np.asarray(rownums, dtype=np.int64)))
    return RawTable(frame, label, "xlsx", "", 0, header_row)
