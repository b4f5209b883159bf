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
The delimiter and the header's line are found by `portfolio.csv_layout`; the text is parsed by
`portfolio.csv_parse` (pyarrow for large well-formed files, else Python's csv module, which gives
exact row numbers for the message); Excel sheets are read by `portfolio.excel`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from portfolio.csv_layout import SNIFF_BYTES, Layout, sniff, unique_headers
from portfolio.csv_parse import parse_fast, parse_python, rows_with_line_breaks
from portfolio.errors import InputError
from portfolio.excel import sheet_rows
from portfolio.input_limits import DEFAULT_MAX_BYTES
from portfolio.rownums import describe_rows

log = logging.getLogger(__name__)

_DELIM_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "": "none (Excel)"}
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
    headers: tuple[str, ...] = ()  # the header's names as written (repeats not yet numbered)
    line_breaks: tuple[int, ...] = ()  # rows with a line break inside a quoted value

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
    _check_binary(data[:SNIFF_BYTES], label)
    start = 0
    if data[:3] == b"\xef\xbb\xbf":
        start, encoding = 3, "utf-8-sig"
    sample = _utf8_sample(data[start : start + SNIFF_BYTES])
    if sample is not None:
        lay = sniff(sample, label)
        skip = len(sample[: lay.skip_chars].encode("utf-8"))
        fast = parse_fast(data, start + skip, sample[lay.skip_chars :], lay)
        if fast is not None:
            body = data[start + skip :] if b'"' in data else b""
            return _csv_table(fast, label, encoding, lay, body=body)
    text, encoding, cut_char = _decode(data, label, encoding)
    lay = sniff(text[:SNIFF_BYTES], label)
    text = text[lay.skip_chars :]
    if encoding in ("latin-1", "cp1252"):
        fast = parse_fast(text.encode("utf-8"), 0, text[:SNIFF_BYTES], lay)
        if fast is not None:
            return _csv_table(fast, label, encoding, lay, body=text if '"' in text else "")
    parsed = parse_python(text, lay, label, cut_char=cut_char)
    return _csv_table(parsed, label, encoding, lay, body=text if '"' in text else "")


def _lines(body: bytes | str) -> int:
    """The physical lines of a text, trailing line ends left out (as the parsers leave them)."""
    data = body.encode("utf-8") if isinstance(body, str) else body
    end = len(data)
    while end and data[end - 1] in b"\r\n":
        end -= 1
    return data.count(b"\n", 0, end) + data.count(b"\r", 0, end) - data.count(b"\r\n", 0, end) + 1


def _csv_table(
    parsed: tuple[pd.DataFrame, int], label: str, encoding: str, lay: Layout, *, body: bytes | str
) -> RawTable:
    """The table, with the rows holding a quoted line break. `body` is the text from the header
    on when it has a quote (else empty): the values are searched only when it has more lines
    than the header and the rows, which is the sign of a line break inside a value."""
    frame, cut = parsed
    breaks: tuple[int, ...] = ()
    if body and _lines(body) > 1 + len(frame) + cut:
        breaks = rows_with_line_breaks(frame)
    return RawTable(frame, label, encoding, lay.delimiter, cut, lay.header_row, lay.header, breaks)


# ---------------------------------------------------------------------------------------------
# text CSV


def _check_binary(sample: bytes, label: str) -> None:
    controls = sum(sample.count(bytes([c])) for c in _CONTROL)
    if b"\x00" in sample or controls > 2 + len(sample) // 100:
        raise InputError(
            f"{label} is not a CSV file: it contains binary data. "
            "Use a CSV (comma, semicolon or tab separated) or an Excel .xlsx file."
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
    headers = unique_headers(header)
    cols = {
        h: pd.array([rec[i] if i < len(rec) else "" for rec in records], dtype="str")
        for i, h in enumerate(headers)
    }
    frame = pd.DataFrame(cols, index=pd.Index(np.asarray(rownums, dtype=np.int64)))
    return RawTable(frame, label, "xlsx", "", 0, header_row, tuple(header))
