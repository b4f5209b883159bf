"""Hypothesis strategies that build hostile CSV files as bytes.

Three families:

- ``random_bytes``: anything at all (binary, empty, a few stray characters).
- ``hostile_csv``: a CSV-shaped file with every kind of trouble mixed in: random delimiters
  (``, ; \\t |``), quoting done right, everywhere, not at all or broken (lone quotes), line ends
  ``\\n``, ``\\r\\n`` or ``\\r``, duplicated, missing, renamed or extra headers, ragged rows, empty
  cells everywhere, huge and malformed numbers, formula-like cells (``= + - @``), unicode level
  names, very long cells (longer than Python's csv field limit), and encodings utf-8,
  utf-8 with BOM, latin-1 and utf-16.
- ``plausible_csv``: the default columns with valid periods of one style (months, quarters,
  years, ISO dates or US date-times; now and then a second style mixed in) and numeric amounts,
  but hostile level names and amounts; many of these load, so they drive the rollup and alerts.
- ``hostile_xlsx``: the same as an Excel workbook with typed cells (floats, integers, blanks,
  booleans, date-times, formula text, error text, 40,000-character text), sometimes on a second
  sheet or with an odd header cell.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from hypothesis import strategies as st

DEFAULT_COLUMNS = ("portfolio", "program", "project", "item", "period", "planned", "actual")
LEVELS = DEFAULT_COLUMNS[:4]

FORMULAS = (
    "=1+1",
    '=HYPERLINK("http://example.invalid","x")',
    "=cmd|' /C calc'!A0",
    "+1",
    "-1",
    "+A1",
    "-A1",
    "@SUM(A1:A2)",
    "\t=1",
    "\r=1",
)
NUMBERS = (
    "0",
    "-0",
    "1e308",
    "-1e308",
    "1e309",
    "9" * 400,
    "-" + "9" * 400,
    "1" + "0" * 30,
    "1e-320",
    "nan",
    "NaN",
    "inf",
    "-inf",
    "Infinity",
    "0x1F",
    "1_000",
    "١٢٣",
    "１２３",
    "$-1,234",
    "(1,234)",
    "($1,234.50)",
    "1,234.56",
    " 12 ",
    "1.2.3",
    "--1",
    "(-1)",
    "$",
    ",",
    "()",
    "1e",
    "€1.234,56",
    "1 234",
    "12%",
)
PERIODS = (
    "2024-01",
    "2024-13",
    "2024-00",
    "2024-Q1",
    "2024-Q5",
    "2024",
    "01/02/2024",
    "2024-01-31",
    "0000-00",
    "9999-12",
    "1677-09",
    "2262-05",
    "abc",
    "2024-1",
    "２０２４-０１",
    "1/1/1970 12:00:00 AM",
    "2024-02-30",
)
ODD = ("", " ", '"', '""', "'", "\n", "\r\n", "\x00", "\ufeff", "\u200b", "N/A", "-", "#VALUE!")

unicode_text = st.text(
    alphabet=st.characters(codec="utf-8"),
    max_size=12,
)
printable_text = st.text(alphabet=st.characters(codec="utf-8", min_codepoint=32), max_size=12)
level_name = st.one_of(
    printable_text,
    unicode_text,
    st.sampled_from(("", " ", "Ops / Network", "All", "名前", "Ωmega", "🚀 launch", "a\u0301")),
    st.sampled_from(FORMULAS),
)
number_cell = st.one_of(
    st.sampled_from(NUMBERS),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.decimals(allow_nan=False, allow_infinity=False, places=2).map(str),
)
any_cell = st.one_of(
    st.sampled_from(ODD + FORMULAS + NUMBERS + PERIODS),
    unicode_text,
    number_cell,
)
valid_month = st.builds(lambda y, m: f"{y}-{m:02d}", st.integers(2019, 2026), st.integers(1, 12))


def _quote(cell: str, delimiter: str, mode: str) -> str:
    if mode == "all" or (
        mode == "minimal" and any(c in cell for c in (delimiter, '"', "\n", "\r"))
    ):
        return '"' + cell.replace('"', '""') + '"'
    return cell


def _render(
    rows: Sequence[Sequence[str]], delimiter: str, quoting: str, line_end: str, encoding: str
) -> bytes:
    text = line_end.join(
        delimiter.join(_quote(cell, delimiter, quoting) for cell in row) for row in rows
    )
    if encoding == "latin-1":
        return text.encode("latin-1", errors="replace")
    return text.encode(encoding)


@st.composite
def hostile_csv(draw: st.DrawFn) -> bytes:
    """A CSV-shaped file with trouble of every kind mixed in (see the module docstring)."""
    header = list(DEFAULT_COLUMNS)
    fault = draw(st.sampled_from(("none", "dup", "missing", "extra", "case", "shuffle", "junk")))
    if fault == "dup":
        header.insert(draw(st.integers(0, len(header))), draw(st.sampled_from(DEFAULT_COLUMNS)))
    elif fault == "missing":
        header.pop(draw(st.integers(0, len(header) - 1)))
    elif fault == "extra":
        header.append(draw(unicode_text))
    elif fault == "case":
        header = [h.upper() if draw(st.booleans()) else f" {h} " for h in header]
    elif fault == "shuffle":
        header = draw(st.permutations(header))
    elif fault == "junk":
        header = draw(st.lists(any_cell, min_size=1, max_size=8))

    def cell_for(column: str) -> st.SearchStrategy[str]:
        if column in LEVELS:
            typed = level_name
        elif column == "period":
            typed = st.one_of(valid_month, st.sampled_from(PERIODS))
        elif column in ("planned", "actual"):
            typed = number_cell
        else:
            typed = any_cell
        return st.one_of(typed, typed, typed, any_cell)

    n_rows = draw(st.integers(0, 8))
    rows: list[list[str]] = [header]
    for _ in range(n_rows):
        row = [draw(cell_for(h)) for h in header]
        if draw(st.integers(0, 9)) == 0:  # ragged row
            cut = draw(st.integers(0, len(row) + 2))
            row = row[:cut] if cut <= len(row) else row + ["x"] * (cut - len(row))
        rows.append(row)
    if n_rows and draw(st.integers(0, 7)) == 0:  # a line longer than csv's field limit
        r = draw(st.integers(1, n_rows))
        c = draw(st.integers(0, len(rows[r]) - 1)) if rows[r] else 0
        if rows[r]:
            rows[r][c] = draw(st.sampled_from(("x", "9", "é", '"'))) * draw(
                st.sampled_from((70_000, 140_000, 300_000))
            )
    if draw(st.integers(0, 5)) == 0:  # empty cells everywhere
        rows = [rows[0]] + [[""] * len(r) for r in rows[1:]]
    delimiter = draw(st.sampled_from((",", ",", ";", "\t", "|")))
    quoting = draw(st.sampled_from(("minimal", "minimal", "all", "none", "broken")))
    line_end = draw(st.sampled_from(("\n", "\r\n", "\r")))
    encoding = draw(st.sampled_from(("utf-8", "utf-8", "utf-8-sig", "latin-1", "utf-16")))
    if quoting == "broken":
        for row in rows[1:]:
            flip = draw(st.booleans())
            if row and flip:
                k = draw(st.integers(0, len(row) - 1))
                row[k] = draw(st.sampled_from(('"', 'a"b', '"abc', 'abc"', '""x'))) + row[k]
        quoting = "none"
    body = _render(rows, delimiter, quoting, line_end, encoding)
    if draw(st.booleans()):
        body += line_end.encode("utf-8")
    return body


PERIOD_STYLES = {
    "month": lambda y, m, d: f"{y}-{m:02d}",
    "quarter": lambda y, m, d: f"{y}-Q{(m - 1) // 3 + 1}",
    "year": lambda y, m, d: f"{y}",
    "iso date": lambda y, m, d: f"{y}-{m:02d}-{d:02d}",
    "us datetime": lambda y, m, d: f"{m:02d}/{d:02d}/{y} 12:00:00 AM",
}


@st.composite
def _leaves_and_dates(
    draw: st.DrawFn, clean: bool = False
) -> tuple[list[tuple[str, ...]], list[str]]:
    n_leaves = draw(st.integers(1, 4))
    filled = printable_text.filter(lambda t: t.strip() != "")
    names = filled if clean else st.one_of(filled, filled, filled, filled, level_name)
    leaves = [tuple(draw(names) for _ in LEVELS) for _ in range(n_leaves)]
    style = PERIOD_STYLES[draw(st.sampled_from(sorted(PERIOD_STYLES)))]
    dates = st.tuples(st.integers(2019, 2026), st.integers(1, 12), st.integers(1, 28))
    labels = sorted({style(*d) for d in draw(st.lists(dates, min_size=1, max_size=5))})
    if not clean and draw(st.integers(0, 9)) == 0:  # a second format mixed in
        labels.append(draw(st.sampled_from(PERIODS)))
    return leaves, labels


@st.composite
def plausible_csv(draw: st.DrawFn, amount_faults: bool = True) -> bytes:
    """Default columns, valid periods of one style, numeric amounts; hostile names and amounts.

    Args:
        draw: Hypothesis's draw.
        amount_faults: Mix malformed, huge and non-finite amounts, blank or control-character
            names and a second period format in; False keeps every name printable and every
            amount a plain number, so that most files load and reach the rollup and the alerts.
    """
    leaves, labels = draw(_leaves_and_dates(clean=not amount_faults))
    money = st.floats(-1e12, 1e12, allow_nan=False).map(lambda x: f"{x:.2f}")
    amount = st.one_of(money, st.integers(0, 10**9).map(str))
    if amount_faults:
        amount = st.one_of(*[money] * 6, st.integers(0, 10**9).map(str), number_cell)
    rows: list[list[str]] = [list(DEFAULT_COLUMNS)]
    for leaf in leaves:
        for label in labels:
            rows.append([*leaf, label, draw(amount), draw(amount)])
    delimiter = draw(st.sampled_from((",", ";", "\t")))
    return _render(rows, delimiter, "minimal", "\n", "utf-8") + b"\n"


@st.composite
def hostile_xlsx(draw: st.DrawFn) -> bytes:
    """An Excel workbook with typed cells: numbers, dates, booleans, blanks, formulas, long text."""
    import datetime as dt
    import io

    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    def clean(value: object) -> object:  # openpyxl refuses control characters in cells
        return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value

    leaves, labels = draw(_leaves_and_dates())
    number = st.one_of(st.floats(-1e12, 1e12, allow_nan=False), st.integers(-(10**12), 10**12))
    cell = st.one_of(
        *[number] * 12,
        st.none(),
        st.booleans(),
        st.sampled_from(FORMULAS + NUMBERS[:12] + ("#DIV/0!", "x" * 40_000)),
        st.datetimes(dt.datetime(1900, 3, 1), dt.datetime(2100, 1, 1)),
    )
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    if draw(st.integers(0, 9)) == 9:  # the data on a second sheet, the first one empty
        sheet = book.create_sheet("data")
    header: list[object] = list(DEFAULT_COLUMNS)
    if draw(st.integers(0, 9)) == 9:
        header[draw(st.integers(0, 6))] = draw(st.sampled_from((None, 1, "planned", "=A1")))
    sheet.append([clean(h) for h in header])
    as_dates = draw(st.booleans())
    for leaf in leaves:
        for label in labels:
            period: object = label
            if as_dates and re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", label):
                period = dt.datetime(int(label[:4]), int(label[5:7]), 1)
            sheet.append([clean(v) for v in (*leaf, period, draw(cell), draw(cell))])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
