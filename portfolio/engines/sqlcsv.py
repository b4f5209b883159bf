"""The rollup's CSV text made by DuckDB itself: the bytes of ``portfolio.tablewriter.write_csv``
for the same rows, streamed from the query to the file without pandas.

The output query's final select list becomes one text column, the row's line
(``csv_lines_sql``; its ``ORDER BY`` then orders the lines), cell by cell as the table writer
spells them: text formula-neutralised (``portfolio.formulas``: a leading apostrophe before ``=``,
``+``, ``-``, ``@``, a tab, a carriage return) and quoted when it holds a comma, a quote, a line
feed or a carriage return; whole numbers in decimal; floats as DuckDB's ``CAST(x AS VARCHAR)``,
which writes Python's ``repr`` (the shortest text that reads back as the number: ``5.0``,
``1e-05``, ``1e+16``; tested against ``repr``); NULL empty, infinities ``inf`` / ``-inf``. The
lines are fetched in Arrow batches and written straight from Arrow's buffers (``write_lines``).

JSON stays on the pandas writer: its strings are ``json.dumps`` escapes (control characters,
quotes, backslashes, lone surrogates), which SQL would have to spell character by character.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, BinaryIO

from portfolio.formulas import FORMULA_PREFIXES, neutral_text

TEXT, WHOLE, FLOAT = "text", "whole", "float"
TEXT_COLUMNS = ("node", "period", "status", "parent", "name")
WHOLE_COLUMNS = ("level",)
BATCH_ROWS = 100_000
_SPECIAL = (",", '"', "\n", "\r")


def _text_cell(col: str) -> str:
    starts = " OR ".join(f"starts_with({col}, chr({ord(p)}))" for p in FORMULA_PREFIXES)
    neutral = f"(CASE WHEN {starts} THEN chr(39) || {col} ELSE {col} END)"
    # the apostrophe adds no comma, quote or line end: the test reads the value itself
    special = " OR ".join(f"contains({col}, chr({ord(ch)}))" for ch in _SPECIAL)
    quoted = f"chr(34) || replace({neutral}, chr(34), chr(34) || chr(34)) || chr(34)"
    return f"COALESCE(CASE WHEN {special} THEN {quoted} ELSE {neutral} END, '')"


def _float_cell(col: str) -> str:
    return (
        f"CASE WHEN {col} IS NULL OR isnan({col}) THEN '' "
        f"WHEN isinf({col}) THEN CASE WHEN {col} > 0 THEN 'inf' ELSE '-inf' END "
        f"ELSE CAST({col} AS VARCHAR) END"
    )


def kind_of(column: str) -> str:
    """How the rollup's column ``column`` is spelled (``TEXT``, ``WHOLE`` or ``FLOAT``)."""
    if column in TEXT_COLUMNS:
        return TEXT
    return WHOLE if column in WHOLE_COLUMNS else FLOAT


def _cell(column: str) -> str:
    ref = '"' + column.replace('"', '""') + '"'
    kind = kind_of(column)
    if kind == TEXT:
        return _text_cell(ref)
    if kind == FLOAT:
        return _float_cell(ref)
    return f"COALESCE(CAST({ref} AS VARCHAR), '')"


def header_line(columns: Sequence[str]) -> bytes:
    """The header line as the table writer writes it."""
    cells = []
    for name in columns:
        text = str(neutral_text(name))
        if any(ch in text for ch in _SPECIAL):
            text = '"' + text.replace('"', '""') + '"'
        cells.append(text)
    return (",".join(cells) + "\n").encode("utf-8")


def csv_lines_sql(sql: str) -> tuple[str, list[str]]:
    """The output query ``sql`` with its final select list made one text column ``line`` per row
    (ending in a line feed), so that its ``ORDER BY`` orders the lines; and its columns.

    ``sql`` ends as ``sqltext.output_sql`` ends it: ``SELECT cols FROM step ... ORDER BY ...``.
    """
    head, tail = sql.rsplit("\nSELECT ", 1)
    cols, rest = tail.split(" FROM ", 1)
    columns = [c.strip() for c in cols.split(",")]
    cells = " || ',' || ".join(_cell(c) for c in columns)
    return f"{head}\nSELECT {cells} || chr(10) AS line FROM {rest}", columns


def write_lines(batches: Iterable[Any], target: BinaryIO) -> None:
    """Write the ``line`` column of Arrow record batches, straight from Arrow's buffers."""
    for batch in batches:
        lines = batch.column(0)
        if len(lines) == 0:
            continue
        _, offsets, data = lines.buffers()
        width = 8 if str(lines.type) == "large_string" else 4
        view = memoryview(offsets)
        first = int.from_bytes(view[lines.offset * width : (lines.offset + 1) * width], "little")
        end_at = (lines.offset + len(lines)) * width
        end = int.from_bytes(view[end_at : end_at + width], "little")
        target.write(memoryview(data)[first:end])
