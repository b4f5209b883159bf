"""Two loader messages that used to mislead: a quoted line break, and a name written twice."""

from __future__ import annotations

import io

import openpyxl
import pytest

from portfolio.errors import InputError
from portfolio.load import load_portfolio, read_raw
from portfolio.mapping import ColumnMapping

MAPPING = ColumnMapping(levels=("program", "project"))
HEADER = "program,project,period,planned,actual\n"
# row 2 is one record over two lines of the file: its project is "Net\nwork"
BROKEN = HEADER + 'Ops,"Net\nwork",2024-01,10,12\nOps,Srv,2024-01,5,4\nDev,App,2024-02,3,3\n'


def test_a_quoted_line_break_in_a_level_value_is_read_as_one_row() -> None:
    p = load_portfolio(BROKEN.encode(), MAPPING, name="broken.csv")
    assert p.summary.rows_read == 3 and p.summary.leaves == 3
    assert "Net\nwork" in p.data["project"].tolist()
    assert any(n.startswith("Row 2 holds a line break") for n in p.summary.notes)


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_rows_after_a_line_break_keep_their_spreadsheet_numbers(newline: str) -> None:
    # the 'x' is on row 4 as a spreadsheet numbers the rows (line 5 of the file)
    text = BROKEN.replace("\n", newline).replace("Dev,App,2024-02,3,3", "Dev,App,2024-02,3,x")
    raw = read_raw(text.encode(), name="broken.csv")
    assert raw.frame.index.tolist() == [2, 3, 4] and raw.line_breaks == (2,)
    with pytest.raises(
        InputError, match=r"column 'actual' has amounts that are not numbers on row 4"
    ):
        load_portfolio(text.encode(), MAPPING, name="broken.csv")


def test_a_line_break_under_a_title_and_in_the_slow_parser() -> None:
    # a title above the header, and a row with a missing value (the csv module's path)
    text = "Spend report\n" + BROKEN + "Dev,App,2024-03,1\n"
    with pytest.raises(InputError, match=r"row 6 has fewer values than the header's 5 columns"):
        read_raw(text.encode(), name="t.csv")
    ok = read_raw(("Spend report\n" + BROKEN).encode("latin-1"), name="t.csv")
    assert ok.header_row == 2 and ok.frame.index.tolist() == [3, 4, 5]
    assert ok.line_breaks == (3,)


def test_a_file_with_only_a_broken_row_is_not_empty() -> None:
    p = load_portfolio((HEADER + 'Ops,"Net\nwork",2024-01,1,2\n').encode(), MAPPING, name="b.csv")
    assert p.summary.rows_read == 1
    assert p.data["project"].tolist() == ["Net\nwork"]


@pytest.mark.parametrize(
    ("header", "role", "name", "columns"),
    [
        ("program,project,period,planned,planned,actual", "planned", "planned", "4 and 5"),
        ("program,project,period,period,planned,actual", "period", "period", "3 and 4"),
        ("program,project,project,period,planned,actual", "hierarchy level", "project", "2 and 3"),
        ("project,program,project,period,planned,actual", "hierarchy level", "project", "1 and 3"),
        ("program,project,period,planned,actual,actual", "actual", "actual", "5 and 6"),
    ],
)
def test_a_mapped_name_written_twice_is_named_with_its_positions(
    header: str, role: str, name: str, columns: str
) -> None:
    width = header.count(",") + 1
    row = ",".join(["Ops", "Net", "2024-01"] + ["1"] * (width - 3))
    if header.startswith("project,program,project"):
        row = "Net,Ops,Net,2024-01,1,2"
    with pytest.raises(InputError) as err:
        load_portfolio(f"{header}\n{row}\n".encode(), MAPPING, name="twice.csv")
    message = str(err.value)
    assert f"the {role} column '{name}' appears twice in the header (columns {columns}" in message
    assert "is not in the file" not in message
    assert err.value.column == name


def test_a_name_written_three_times_and_case_variants() -> None:
    header = "program,project,period,planned,planned,planned,actual"
    with pytest.raises(InputError, match=r"'planned' appears 3 times .*columns 4, 5 and 6"):
        load_portfolio(f"{header}\nOps,Net,2024-01,1,2,3,4\n".encode(), MAPPING, name="t.csv")
    # two loose matches of the mapped name: the same message, not "not in the file"
    header = "program,Project,PROJECT,period,planned,actual"
    with pytest.raises(InputError, match=r"'project' appears twice .*'Project' and 'PROJECT'"):
        load_portfolio(f"{header}\nOps,Net,x,2024-01,1,2\n".encode(), MAPPING, name="t.csv")


def test_the_second_column_can_be_chosen_by_the_name_it_was_read_as() -> None:
    text = "program,project,period,planned,planned,actual\nOps,Net,2024-01,1,3,2\n"
    m = ColumnMapping(levels=("program", "project"), planned="planned (2)")
    p = load_portfolio(text.encode(), m, name="t.csv")
    assert p.data["planned"].tolist() == [3.0]
    # a repeated name that is not mapped is no problem
    text = "program,project,note,note,period,planned,actual\nOps,Net,a,b,2024-01,1,2\n"
    assert load_portfolio(text.encode(), MAPPING, name="t.csv").summary.rows_used == 1


def test_a_name_written_twice_in_an_excel_sheet() -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["program", "project", "period", "planned", "actual", "actual"])
    sheet.append(["Ops", "Net", "2024-01", 1, 2, 3])
    buf = io.BytesIO()
    book.save(buf)
    with pytest.raises(InputError, match=r"'actual' appears twice .*columns 5 and 6"):
        load_portfolio(buf.getvalue(), MAPPING, name="t.xlsx")


def test_quoted_values_without_line_breaks_name_no_row() -> None:
    text = '"program","project","period","planned","actual"\n"Ops","Net","2024-01","1","2"\n\n'
    raw = read_raw(text.encode(), name="q.csv")
    assert raw.line_breaks == () and raw.frame.index.tolist() == [2]
    p = load_portfolio(text.encode(), MAPPING, name="q.csv")
    assert not any("line break" in n for n in p.summary.notes)
