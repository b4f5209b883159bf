"""Reading files as they are: formats, encodings, delimiters, sizes, cut files, row numbers."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import openpyxl
import pytest

from portfolio.errors import InputError
from portfolio.reading import read_raw

CSV = (
    "portfolio,program,project,item,period,planned,actual\n"
    "P,A,X,i1,2024-01,10,12\n"
    "P,A,X,i1,2024-02,10,9\n"
)


def test_path_and_bytes_give_the_same_table(tmp_path: Path):
    f = tmp_path / "sales.csv"
    f.write_text(CSV)
    from_path = read_raw(f)
    from_bytes = read_raw(CSV.encode(), name="sales.csv")
    assert from_path.name == from_bytes.name == "sales.csv"
    assert from_path.frame.equals(from_bytes.frame)
    assert list(from_path.frame.columns) == CSV.splitlines()[0].split(",")
    assert from_path.frame.loc[3, "actual"] == "9"
    assert list(from_path.frame.index) == [2, 3]  # file row numbers
    assert (from_path.encoding, from_path.delimiter, from_path.cut_rows) == ("utf-8", ",", 0)


def test_bytes_default_name():
    assert read_raw(CSV.encode()).name == "uploaded file"


def test_cells_are_strings_and_blanks_are_empty():
    raw = read_raw(b"a,b,c\n1,,x\n", name="f.csv")
    assert raw.frame.iloc[0].tolist() == ["1", "", "x"]


def test_empty_file():
    with pytest.raises(InputError, match=r"empty\.csv is empty"):
        read_raw(b"", name="empty.csv")
    with pytest.raises(InputError, match="is empty"):
        read_raw(b"  \n\n", name="blank.csv")


def test_missing_file(tmp_path: Path):
    with pytest.raises(InputError, match="no such file"):
        read_raw(tmp_path / "nope.csv")


@pytest.mark.parametrize(("delim", "name"), [(";", "semicolon"), ("\t", "tab")])
def test_semicolon_and_tab_are_detected(delim: str, name: str):
    raw = read_raw(CSV.replace(",", delim).encode(), name="f.csv")
    assert raw.delimiter == delim and raw.delimiter_name == name
    assert raw.frame.shape == (2, 7)
    assert raw.frame.loc[2, "planned"] == "10"


def test_semicolon_file_with_decimal_commas_is_not_split_on_commas():
    text = "program;planned;actual\nA;1,5;2,5\nB;3,25;4\n"
    raw = read_raw(text.encode(), name="f.csv")
    assert raw.delimiter == ";"
    assert raw.frame["planned"].tolist() == ["1,5", "3,25"]


def test_single_column_is_not_a_csv():
    with pytest.raises(InputError) as err:
        read_raw(b"a|b|c\n1|2|3\n", name="pipes.csv")
    msg = str(err.value)
    assert "pipes.csv does not look like a CSV file" in msg
    assert "commas, semicolons or tabs" in msg


def test_binary_is_not_a_csv():
    with pytest.raises(InputError, match="not a CSV file: it contains binary data"):
        read_raw(bytes(range(256)) * 20, name="image.png")
    with pytest.raises(InputError, match="binary"):
        read_raw(b"a,b\n1,\x00\x002\n", name="nul.csv")


def test_latin1_is_decoded():
    raw = read_raw("program,planned,actual\nCaf\xe9,1,2\n".encode("latin-1"), name="f.csv")
    assert raw.encoding == "latin-1"
    assert raw.frame.loc[2, "program"] == "Café"


def test_cp1252_is_detected_by_its_extra_characters():
    raw = read_raw("program,planned,actual\n\u201cX\u201d \u2013 \u20ac,1,2\n".encode("cp1252"))
    assert raw.encoding == "cp1252"
    assert raw.frame.iloc[0, 0] == "\u201cX\u201d \u2013 \u20ac"


def test_utf8_with_bom():
    raw = read_raw(b"\xef\xbb\xbf" + "program,planned,actual\nZ\u00fcrich,1,2\n".encode())
    assert raw.encoding == "utf-8-sig"
    assert list(raw.frame.columns) == ["program", "planned", "actual"]  # no BOM in the header
    assert raw.frame.loc[2, "program"] == "Zürich"


def test_utf16_with_bom():
    raw = read_raw("program\tplanned\tactual\nA,1\t1\t2\n".encode("utf-16"))
    assert raw.encoding == "utf-16" and raw.delimiter == "\t"
    assert raw.frame.loc[2, "program"] == "A,1"


def test_size_limit_names_size_and_limit(tmp_path: Path):
    f = tmp_path / "big.csv"
    body = "".join(CSV.splitlines(keepends=True)[1:])
    f.write_text(CSV + body * 99)
    with pytest.raises(InputError) as err:
        read_raw(f, max_bytes=1024)
    msg = str(err.value)
    assert "big.csv is" in msg and "KB" in msg and "over the limit of 1.0 KB" in msg
    with pytest.raises(InputError, match=r"over the limit of 1\.0 KB"):
        read_raw((CSV * 100).encode(), name="up.csv", max_bytes=1024)
    assert read_raw(f, max_bytes=1024 * 1024).frame.shape[0] == 200


def test_cut_mid_line_is_counted_not_loaded():
    text = CSV + "P,A,X,i2,2024-01,1"  # the last row stops after 6 of 7 values, no newline
    raw = read_raw(text.encode(), name="cut.csv")
    assert raw.cut_rows == 1
    assert len(raw.frame) == 2


def test_cut_inside_a_quoted_value_is_counted():
    raw = read_raw((CSV + 'P,A,"Router refre').encode(), name="cut.csv")
    assert raw.cut_rows == 1 and len(raw.frame) == 2


def test_cut_inside_a_multibyte_character():
    text = (CSV + "P,A,X,i2,2024-01,1,\u20ac").encode()[:-1]
    raw = read_raw(text, name="cut.csv")
    assert raw.encoding == "utf-8"
    assert raw.cut_rows == 1 and len(raw.frame) == 2


def test_short_row_in_the_middle_is_an_error_naming_it():
    text = "a,b,c\n1,2,3\n4,5\n6,7,8\n9,10,11,12\n"
    with pytest.raises(InputError) as err:
        read_raw(text.encode(), name="ragged.csv")
    msg = str(err.value)
    assert "row 3 has fewer values" in msg and "row 5 has more values" in msg
    assert "3 columns" in msg
    assert err.value.rows == (3, 5)


def test_short_last_row_with_newline_is_an_error_not_a_cut():
    with pytest.raises(InputError, match="row 3 has fewer values"):
        read_raw(b"a,b,c\n1,2,3\n4,5\n", name="f.csv")


def test_blank_lines_keep_row_numbers():
    raw = read_raw(b"a,b,c\n1,2,3\n\n4,5,6\n\n\n", name="f.csv")
    assert list(raw.frame.index) == [2, 3, 4]
    assert raw.frame.loc[3].tolist() == ["", "", ""]
    assert raw.frame.loc[4, "a"] == "4"


def test_quoted_values_with_delimiters_and_newlines():
    text = 'name,planned,actual\n"Ops, North","1,234",5\n"two\nlines",1,2\nlast,3,4\n'
    raw = read_raw(text.encode(), name="f.csv")
    assert raw.frame["name"].tolist() == ["Ops, North", "two\nlines", "last"]
    assert raw.frame.loc[2, "planned"] == "1,234"
    assert list(raw.frame.index) == [2, 3, 4]


def test_blank_and_duplicate_headers_get_unique_names():
    raw = read_raw(b"amount,,amount\n1,2,3\n", name="f.csv")
    assert list(raw.frame.columns) == ["amount", "column 2", "amount (2)"]


def test_crlf_line_ends():
    raw = read_raw(CSV.replace("\n", "\r\n").encode(), name="f.csv")
    assert raw.frame.loc[3, "actual"] == "9"
    assert raw.cut_rows == 0


def _xlsx(rows: list[list[object]], *, title_rows: int = 0) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    for _ in range(title_rows):
        ws.append([])
    for r in rows:
        ws.append(r)
    wb.create_sheet("second").append(["ignored"])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_xlsx_first_sheet_is_read_with_sheet_row_numbers():
    import datetime as dt

    data = _xlsx(
        [
            ["program", "period", "planned", "actual"],
            ["A", dt.datetime(2024, 1, 31), 1234.5, 1000],
            [None, None, None, None],
            ["B", dt.datetime(2024, 2, 1, 10, 30), "$1,000", 3.0],
        ],
        title_rows=2,
    )
    raw = read_raw(data, name="book.xlsx")
    assert (raw.encoding, raw.delimiter) == ("xlsx", "")
    assert list(raw.frame.columns) == ["program", "period", "planned", "actual"]
    assert list(raw.frame.index) == [4, 5, 6]  # the header is on sheet row 3
    assert raw.frame.loc[4].tolist() == ["A", "2024-01-31", "1234.5", "1000"]
    assert raw.frame.loc[6].tolist() == ["B", "2024-02-01 10:30:00", "$1,000", "3"]


def test_zip_that_is_not_a_workbook():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("hello.txt", "hi")
    with pytest.raises(InputError, match=r"zip archive but not an Excel \.xlsx workbook"):
        read_raw(buf.getvalue(), name="archive.zip")


def test_old_xls_is_refused_with_advice():
    with pytest.raises(InputError, match=r"old Excel .xls.*Save it as .xlsx or as CSV"):
        read_raw(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, name="old.xls")


def test_large_file_uses_the_same_row_numbers_as_the_python_reader():
    body = "".join(f"P,A,X,i{i},2024-01,{i},{i}\n" for i in range(5000))
    fast = read_raw(("portfolio,program,project,item,period,planned,actual\n" + body).encode())
    assert fast.frame.index[0] == 2 and fast.frame.index[-1] == 5001
    assert fast.frame.loc[5001, "item"] == "i4999"


def test_old_mac_line_ends():
    raw = read_raw(CSV.replace("\n", "\r").encode(), name="mac.csv")
    assert raw.frame.shape == (2, 7) and raw.frame.loc[3, "actual"] == "9"


def test_short_random_bytes_are_binary():
    noise = b"\xfe/,\x97\xcc\xf8\x14\xf3\xe3\xea \xfc\xa7u\rV\xe0\xbe<\xf0\xe17\xea$\x02\x0f\x1c"
    with pytest.raises(InputError, match="binary"):
        read_raw(noise, name="noise.bin")


def test_xlsx_values_right_of_the_last_titled_column_are_named():
    data = _xlsx([["program", "planned", "actual"], ["A", 1, 2], ["B", 3, 4, "stray"]])
    with pytest.raises(InputError, match=r"row 3 has values to the right of the last titled"):
        read_raw(data, name="book.xlsx")


def test_xlsx_without_data_or_columns():
    with pytest.raises(InputError, match=r"book\.xlsx is empty"):
        read_raw(_xlsx([]), name="book.xlsx")
    with pytest.raises(InputError, match="only one column"):
        read_raw(_xlsx([["program"], ["A"]]), name="book.xlsx")
    header_only = read_raw(_xlsx([["program", "planned", "actual"]]), name="book.xlsx")
    assert header_only.frame.shape == (0, 3)


def test_blank_lines_and_a_title_above_the_header_are_skipped():
    raw = read_raw(b"\n\n" + CSV.encode(), name="f.csv")
    assert raw.header_row == 3 and list(raw.frame.index) == [4, 5]
    assert list(raw.frame.columns) == CSV.splitlines()[0].split(",")
    titled = read_raw(b"Spend report, March 2024\n,,,\n" + CSV.encode(), name="f.csv")
    assert titled.header_row == 3 and titled.delimiter == ","
    assert titled.frame.loc[5, "actual"] == "9"


def test_excel_sep_hint_line():
    raw = read_raw(b"sep=;\n" + CSV.replace(",", ";").encode(), name="f.csv")
    assert raw.delimiter == ";" and raw.header_row == 2
    assert list(raw.frame.index) == [3, 4]


def test_title_line_with_commas_above_a_semicolon_table():
    text = "Report, 2024\nprogram;planned;actual\nA;1,5;2\nB;3;4,25\n"
    raw = read_raw(text.encode(), name="f.csv")
    assert raw.delimiter == ";" and raw.header_row == 2
    assert raw.frame["planned"].tolist() == ["1,5", "3"]


def test_rows_below_a_title_are_numbered_as_in_the_file_in_messages():
    text = "Title\n" + "a,b,c\n1,2,3\n4,5\n6,7,8\n"
    with pytest.raises(InputError, match="row 4 has fewer values"):
        read_raw(text.encode(), name="f.csv")


def test_xlsx_header_row_is_recorded():
    raw = read_raw(_xlsx([["program", "planned", "actual"], ["A", 1, 2]], title_rows=2))
    assert raw.header_row == 3 and list(raw.frame.index) == [4]


def test_a_header_over_one_row_with_a_stray_comma_is_kept_as_the_header():
    # the lone data row is one value wider: it is the row at fault, not a header under a title
    text = "portfolio,program,project,item,period,planned,actual\nP,A,X,i1,2024-01,$1,234.50,110\n"
    with pytest.raises(InputError) as err:
        read_raw(text.encode(), name="one.csv")
    assert "row 2 has more values than the header's 7 columns" in str(err.value)
    # a title over a header still is skipped
    titled = "Spend report, March 2024\nportfolio,program,planned,actual\nP,A,1,2\n"
    raw = read_raw(titled.encode(), name="titled.csv")
    assert raw.header_row == 2 and list(raw.frame.columns) == [
        "portfolio",
        "program",
        "planned",
        "actual",
    ]
