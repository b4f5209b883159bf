"""The first sheet of an Excel ``.xlsx`` workbook as rows of cell texts, with sheet row numbers.

The cells are read with python-calamine (a compiled reader, about 12 times faster than openpyxl
on 100,000 rows: see ``bench/bench_portfolio.py``). Calamine gives error cells (``#N/A``,
``#DIV/0!``) as blanks, which would turn a broken formula into a missing figure; the few error
cells are therefore read from the sheet's XML and put back as their text, so that the amount
parser names them as errors.

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

    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        grid = book.get_sheet_by_index(0).to_python(skip_empty_area=False)
    except Exception:  # calamine raises several types (zip, XML, missing sheet) for a non-workbook
        raise InputError(
            f"{label} is a zip archive but not an Excel .xlsx workbook. "
            "Upload a CSV or an .xlsx file."
        ) from None
    errors = _error_cells(data)
    for r, values in enumerate(grid, start=1):
        cells = [cell_text(v) for v in values]
        for c, text in errors.get(r, {}).items():
            if c < len(cells) and not cells[c]:
                cells[c] = text
        yield r, cells


def _first_sheet_xml(book: zipfile.ZipFile) -> bytes | None:
    """The XML of the workbook's first sheet (in tab order), or None when it cannot be found."""
    sheet = _SHEET.search(book.read("xl/workbook.xml"))
    if sheet is None:
        return None
    rid = sheet.group(1)
    for rel in _REL.findall(book.read("xl/_rels/workbook.xml.rels")):
        if f'Id="{rid.decode()}"'.encode() in rel:
            target = re.search(rb"\bTarget=\"([^\"]+)\"", rel)
            if target is None:
                return None
            path = target.group(1).decode()
            path = path.lstrip("/") if path.startswith("/") else f"xl/{path}"
            return book.read(path)
    return None


def _column_index(letters: bytes) -> int:
    index = 0
    for ch in letters:
        index = index * 26 + (ch - ord("A") + 1)
    return index - 1


def _error_cells(data: bytes) -> dict[int, dict[int, str]]:
    """``{row: {column index: "#N/A"}}`` for the error cells of the first sheet (often none)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as book:
            xml = _first_sheet_xml(book)
    except (KeyError, zipfile.BadZipFile, OSError, UnicodeDecodeError):
        return {}
    if xml is None or b't="e"' not in xml:
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
