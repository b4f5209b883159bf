"""The first sheet of an Excel ``.xlsx`` workbook as rows of cell texts, with sheet row numbers.

The cells are read with python-calamine (a compiled reader, about 12 times faster than openpyxl
on 100,000 rows: see ``bench/bench_portfolio.py``). Calamine gives error cells (``#N/A``,
``#DIV/0!``) as blanks, which would turn a broken formula into a missing figure; the few error
cells are therefore read from the sheet's XML and put back as their text, so that the amount
parser names them as errors.

A small workbook can claim a huge sheet (one stray cell at ``XFD1048576`` makes a grid of 17
billion cells, which the reader would try to allocate at once), or unpack to gigabytes. Both are
measured from the zip directory and the sheet's XML before any cell is read, and refused with a
message saying what to delete.

Cell texts: numbers without a trailing ``.0`` when whole, dates as ISO ``2024-01-31`` (with the
time when it is not midnight), booleans as ``TRUE``/``FALSE``, blanks as ``""``.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterator

from portfolio.errors import InputError

MAX_CELLS = 20_000_000  # rows x columns of the first sheet; Excel's own 1,048,576 rows x 19 columns
MAX_UNPACKED_BYTES = 2_000_000_000  # the workbook's files unpacked (a 1M-row sheet is ~0.5 GB)

_ROW_NUMBER = re.compile(rb' r="([0-9]+)"')
_SHEET = re.compile(rb"<(?:\w+:)?sheet\b[^>]*?\br:id=\"([^\"]+)\"")
_REL = re.compile(rb"<Relationship\b[^>]*>")
_ERROR_CELL = re.compile(rb"<(?:\w+:)?c\b[^>]*\bt=\"e\"[^>]*>")
_CELL_REF = re.compile(rb"\br=\"([A-Z]{1,3})(\d+)\"")
_VALUE = re.compile(rb"<(?:\w+:)?v>([^<]*)</(?:\w+:)?v>")
_CELL_END = re.compile(rb"</(?:\w+:)?c>")


def cell_text(v: object) -> str:
    """One cell's value as the text the CSV reader would have given."""
    if v is None:
        return ""
    if isinstance(v, str):
        return v
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if v.is_integer() and abs(v) < 1e15:
            return str(int(v))
        return repr(v)
    if isinstance(v, dt.datetime):
        if v.time() == dt.time(0, 0):
            return v.date().isoformat()
        return v.isoformat(sep=" ")
    if isinstance(v, dt.date | dt.time):
        return v.isoformat()
    return str(v)


def sheet_rows(data: bytes, label: str) -> Iterator[tuple[int, list[str]]]:
    """Yield ``(sheet row number, cell texts)`` for every row of the first sheet, from row 1.

    Raises:
        InputError: the bytes are a zip archive but not an ``.xlsx`` workbook.
    """
    from python_calamine import CalamineWorkbook

    not_a_workbook = InputError(
        f"{label} is a zip archive but not an Excel .xlsx workbook. Use a CSV or an .xlsx file."
    )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            sheets = _sheet_xmls(archive, label)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError, NotImplementedError, RuntimeError):
        raise not_a_workbook from None
    for xml in sheets:
        _check_extent(xml, label)
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        grid = book.get_sheet_by_index(0).to_python(skip_empty_area=False)
    except Exception:  # calamine raises several types (zip, XML, missing sheet) for a non-workbook
        raise not_a_workbook from None
    errors = _error_cells(sheets[0]) if len(sheets) == 1 else {}
    for r, values in enumerate(grid, start=1):
        cells = [cell_text(v) for v in values]
        for c, text in errors.get(r, {}).items():
            if c < len(cells) and not cells[c]:
                cells[c] = text
        yield r, cells


def _first_sheet_xml(book: zipfile.ZipFile) -> bytes | None:
    """The XML of the workbook's first sheet (in tab order), or None when it cannot be found."""
    try:
        sheet = _SHEET.search(book.read("xl/workbook.xml"))
        rels = book.read("xl/_rels/workbook.xml.rels")
    except KeyError:
        return None
    if sheet is None:
        return None
    rid = sheet.group(1)
    for rel in _REL.findall(rels):
        if b'Id="' + rid + b'"' in rel:
            target = re.search(rb"\bTarget=\"([^\"]+)\"", rel)
            if target is None:
                return None
            path = target.group(1).decode("utf-8", "replace")
            path = path.lstrip("/") if path.startswith("/") else f"xl/{path}"
            try:
                return book.read(path)
            except KeyError:
                return None
    return None


def _column_index(letters: bytes) -> int:
    index = 0
    for ch in letters:
        index = index * 26 + (ch - ord("A") + 1)
    return index - 1


def _error_cells(xml: bytes) -> dict[int, dict[int, str]]:
    """``{row: {column index: "#N/A"}}`` for the error cells of a sheet's XML (often none)."""
    if b't="e"' not in xml:
        return {}
    found: dict[int, dict[int, str]] = {}
    for tag in _ERROR_CELL.finditer(xml):
        ref = _CELL_REF.search(tag.group(0))
        if ref is None or tag.group(0).endswith(b"/>"):
            continue
        close = _CELL_END.search(xml, tag.end())
        value = _VALUE.search(xml, tag.end(), close.start() if close else len(xml))
        if value is None:
            continue
        row, col = int(ref.group(2)), _column_index(ref.group(1))
        found.setdefault(row, {})[col] = value.group(1).decode("utf-8", "replace")
    return found


def _sheet_xmls(archive: zipfile.ZipFile, label: str) -> list[bytes]:
    """The first sheet's XML, or every sheet's when the first cannot be told (checked in full).

    Raises:
        InputError: the workbook unpacks to more than ``MAX_UNPACKED_BYTES``.
    """
    unpacked = sum(info.file_size for info in archive.infolist())
    if unpacked > MAX_UNPACKED_BYTES:
        raise InputError(
            f"{label} unpacks to {unpacked / 1e9:,.1f} GB, more than the "
            f"{MAX_UNPACKED_BYTES / 1e9:,.0f} GB a workbook may hold here. Save the sheet as CSV "
            "and upload that."
        )
    first = _first_sheet_xml(archive)
    if first is not None:
        return [first]
    sheets = [
        xml
        for name in archive.namelist()
        if name.endswith(".xml") and b"sheetData" in (xml := archive.read(name))
    ]
    if not sheets:
        raise KeyError("no worksheet")
    return sheets


def _check_extent(xml: bytes, label: str) -> None:
    """Refuse a sheet whose cells span more than ``MAX_CELLS`` (rows x columns, as allocated)."""
    rows = max((int(n) for n in _ROW_NUMBER.findall(xml)), default=0)
    columns, farthest = 0, b""
    for letters in (3, 2, 1):
        refs = set(re.findall(rb' r="([A-Z]{%d})[0-9]' % letters, xml))
        if refs:
            farthest = max(refs, key=_column_index)
            columns = _column_index(farthest) + 1
            break
    if rows * columns > MAX_CELLS:
        raise InputError(
            f"{label}: the first sheet reaches column {farthest.decode()} and row {rows:,} "
            f"({rows:,} rows x {columns:,} columns = {rows * columns:,} cells), more than the "
            f"{MAX_CELLS:,} cells that can be read. Something far from the table makes it that "
            "big: delete the rows below and the columns right of your data, or save the sheet "
            "as CSV."
        )
