"""The rollup's CSV written by DuckDB's own CSV writer with the bytes of
``portfolio.tablewriter.write_csv`` for the same rows, without pandas.

The output query's final select list neutralises its text columns as ``portfolio.formulas`` does
(a leading apostrophe before ``=``, ``+``, ``-``, ``@``, a tab, a carriage return), and DuckDB's
``COPY ... (FORMAT csv, HEADER, COMMENT '')`` writes the rest as the table writer does (without
``COMMENT ''`` it quotes any value holding a ``#``): a header line, ``\\n``
line ends, text quoted (quotes doubled) when it holds a comma, a quote, a line feed or a carriage
return, NULL empty, whole numbers in decimal, and floats as Python's ``repr`` (the shortest text
that reads back as the number: ``5.0``, ``1e-05``, ``1e+16``). The tests hold it to the table
writer's bytes on tricky text and to ``repr`` on many doubles. At 10 M rows it took the CPU of
the pandas writer and 30 % less memory (no table in pandas).

JSON stays on the table writer: its strings are ``json.dumps`` escapes (control characters,
quotes, backslashes), which DuckDB's JSON writer spells otherwise.
"""

from __future__ import annotations

from portfolio.formulas import FORMULA_PREFIXES

# the rollup's text columns (the others are numbers, which DuckDB writes as the table writer does)
TEXT_COLUMNS = ("node", "period", "status", "parent", "name")


def _neutral(col: str) -> str:
    starts = " OR ".join(f"starts_with({col}, chr({ord(p)}))" for p in FORMULA_PREFIXES)
    return f"CASE WHEN {starts} THEN chr(39) || {col} ELSE {col} END"


def csv_sql(sql: str) -> str:
    """The output query ``sql`` with its text columns formula-neutralised in its final select
    list (so that its ``ORDER BY`` still orders the rows), for DuckDB's CSV writer.

    ``sql`` ends as ``sqltext.output_sql`` ends it: ``SELECT cols FROM step ... ORDER BY ...``.
    """
    head, tail = sql.rsplit("\nSELECT ", 1)
    cols, rest = tail.split(" FROM ", 1)
    columns = [c.strip() for c in cols.split(",")]
    step = rest.split()[0]
    select = ", ".join(f"{_neutral(c)} AS {c}" if c in TEXT_COLUMNS else c for c in columns)
    # ordered by the step's own columns, not by the neutralised text of the same names
    order = "ORDER BY level, node, period"
    assert rest.rstrip().endswith(order), rest[-80:]
    rest = rest.rstrip()[: -len(order)] + f"ORDER BY {step}.level, {step}.node, {step}.period"
    return f"{head}\nSELECT {select} FROM {rest}"
