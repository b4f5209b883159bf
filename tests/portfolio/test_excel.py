"""Excel sheets: values, dates, error cells and the first sheet in tab order."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import openpyxl
import pytest

from portfolio.errors import InputError
from portfolio.excel import MAX_CELLS, _error_cells, _first_sheet_xml, cell_text, sheet_rows
from portfolio.load import load_portfolio
from portfolio.mapping import ColumnMapping


def _book(rows: list[list[object]], *, first_tab: str | None = None) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Data"
    for r in rows:
        ws.append(r)
    other = wb.create_sheet("Notes")
    other.append(["not", "this", "one"])
    if first_tab == "Notes":
        wb.move_sheet("Notes", offset=-1)
        wb.active = 0
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_cell_texts_match_what_a_csv_would_hold() -> None:
    assert cell_text(None) == ""
    assert cell_text(1022.0) == "1022"
    assert cell_text(1234.5) == "1234.5"
    assert cell_text(3) == "3"
    assert cell_text(True) == "TRUE"
    assert cell_text(dt.datetime(2024, 1, 31)) == "2024-01-31"
    assert cell_text(dt.datetime(2024, 1, 31, 10, 30)) == "2024-01-31 10:30:00"
    assert cell_text(dt.date(2024, 2, 1)) == "2024-02-01"
    assert cell_text(1e20) == "1e+20"


def test_error_cells_come_back_as_their_text_and_are_named_by_the_loader() -> None:
    data = _book(
        [
            ["program", "period", "planned", "actual"],
            ["A", "2024-01", 100, 110],
            ["A", "2024-02", "#N/A", 120],
            ["B", "2024-01", 50, "#DIV/0!"],
        ]
    )
    rows = dict(sheet_rows(data, "book.xlsx"))
    assert rows[3] == ["A", "2024-02", "#N/A", "120"]
    assert rows[4] == ["B", "2024-01", "50", "#DIV/0!"]
    with pytest.raises(InputError) as caught:
        load_portfolio(data, ColumnMapping(levels=("program",)), name="book.xlsx")
    message = str(caught.value)
    assert "planned" in message and "row 3" in message and "#N/A" in message


def test_the_first_sheet_in_tab_order_is_read() -> None:
    data = _book([["program", "planned", "actual"], ["A", 1, 2]], first_tab="Notes")
    rows = dict(sheet_rows(data, "book.xlsx"))
    assert rows[1] == ["not", "this", "one"]


def test_error_cells_are_found_with_formulas_and_prefixed_tags() -> None:
    workbook = (
        b'<workbook xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        b'<sheets><sheet name="S" sheetId="1" r:id="rId7"/></sheets></workbook>'
    )
    rels = (
        b'<Relationships><Relationship Id="rId7" Type="worksheet" '
        b'Target="/xl/worksheets/data.xml"/></Relationships>'
    )
    sheet = (
        b'<x:worksheet><x:sheetData><x:row r="2"><x:c r="B2" s="1" t="e"><x:f>1/0</x:f>'
        b'<x:v>#DIV/0!</x:v></x:c><x:c r="AA2" t="e"><x:v>#N/A</x:v></x:c>'
        b'<x:c r="C2" t="e"/><x:c r="D2"><x:v>5</x:v></x:c></x:row></x:sheetData></x:worksheet>'
    )
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("xl/workbook.xml", workbook)
        z.writestr("xl/_rels/workbook.xml.rels", rels)
        z.writestr("xl/worksheets/data.xml", sheet)
    with zipfile.ZipFile(buf) as z:
        xml = _first_sheet_xml(z)
    assert xml == sheet
    assert _error_cells(sheet) == {2: {1: "#DIV/0!", 26: "#N/A"}}


def test_a_zip_without_a_workbook_is_refused() -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("xl/workbook.xml", b"<workbook/>")
    with pytest.raises(InputError, match=r"zip archive but not an Excel \.xlsx workbook"):
        list(sheet_rows(buf.getvalue(), "odd.xlsx"))


def test_a_stray_cell_far_from_the_table_is_refused_before_reading() -> None:
    # One cell at XFD1048576 would make the reader allocate 17 billion cells at once.
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["program", "planned", "actual"])
    ws.append(["A", 1, 2])
    ws["XFD1048576"] = "stray"
    buf = io.BytesIO()
    wb.save(buf)
    with pytest.raises(InputError) as caught:
        list(sheet_rows(buf.getvalue(), "book.xlsx"))
    message = str(caught.value)
    assert "column XFD and row 1,048,576" in message
    assert f"more than the {MAX_CELLS:,} cells" in message
    assert "delete the rows below and the columns right of your data" in message


def test_a_workbook_that_unpacks_to_too_much_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    import portfolio.excel as excel

    monkeypatch.setattr(excel, "MAX_UNPACKED_BYTES", 10_000)
    data = _book([["program", "planned", "actual"], *[["A", i, i] for i in range(400)]])
    with pytest.raises(InputError, match=r"book\.xlsx unpacks to .* GB, more than"):
        list(sheet_rows(data, "book.xlsx"))


def test_a_sheet_the_workbook_does_not_point_to_is_still_checked() -> None:
    # No xl/workbook.xml to say which sheet is first: every sheet in the zip is measured.
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr(
            "xl/worksheets/odd.xml",
            b'<worksheet><sheetData><row r="3000000">'
            b'<c r="ZZ3000000"><v>1</v></c></row></sheetData></worksheet>',
        )
    with pytest.raises(InputError, match="column ZZ and row 3,000,000"):
        list(sheet_rows(buf.getvalue(), "odd.xlsx"))
