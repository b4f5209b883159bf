"""Hypothesis strategies that build hostile CSV files as bytes.

Three families:

- ``random_bytes``: anything at all (binary, empty, a few stray characters).
- ``hostile_csv``: a CSV-shaped file with every kind of trouble mixed in: random delimiters
  (``, ; \\t |``), quoting done right, everywhere, not at all or broken (lone quotes), line ends
  ``\\n``, ``\\r\\n`` or ``\\r``, duplicated, missing, renamed or extra headers, ragged rows, empty
  cells everywhere, huge and malformed numbers, formula-like cells (``= + - @``), unicode level
  names, very long cells (longer than Python's csv field limit), and encodings utf-8,
  utf-8 with BOM, latin-1 and utf-16.
- ``plausible_csv``: the default columns with valid monthly periods and numeric amounts, but
  hostile level names and amounts; most of these load, so they drive the rollup and alerts too.
"""

from __future__ import annotations

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


@st.composite
def plausible_csv(draw: st.DrawFn) -> bytes:
    """Default columns, valid months, numeric amounts; hostile names and some hostile amounts."""
    n_leaves = draw(st.integers(1, 4))
    names = st.one_of(printable_text, printable_text, level_name)
    leaves = [tuple(draw(names) for _ in LEVELS) for _ in range(n_leaves)]
    months = sorted(draw(st.sets(valid_month, min_size=1, max_size=5)))
    money = st.floats(-1e12, 1e12, allow_nan=False).map(lambda x: f"{x:.2f}")
    amount = st.one_of(money, money, money, st.integers(0, 10**9).map(str), number_cell)
    rows: list[list[str]] = [list(DEFAULT_COLUMNS)]
    for leaf in leaves:
        for month in months:
            rows.append([*leaf, month, draw(amount), draw(amount)])
    delimiter = draw(st.sampled_from((",", ";", "\t")))
    return _render(rows, delimiter, "minimal", "\n", "utf-8") + b"\n"
