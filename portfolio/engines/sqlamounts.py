"""Amounts kept as text in Parquet (``$1,234.50``, ``(12)``, ``1.234,56``), read on the SQL
engines by the pandas loader's own parser.

An export to a lake may keep amounts as text. The distinct values of such a column (at most
``MAX_DISTINCT``; a column with more is refused with advice) are parsed by
``portfolio.amounts.parse_amounts``, so the numbers, the decimal-comma rule and the messages are
the pandas engine's, and registered as a small table that the raw views join. A value that does
not parse is parsed again with its file rows (every row up to ``EXACT_ROWS`` rows; above that the
first row of each value: the rows named are true, the count is of values), so the message names
the rows as the pandas loader does.
"""

from __future__ import annotations

import pyarrow as pa

from portfolio import messages
from portfolio.engines.sqlbase import Session
from portfolio.errors import InputError

MAX_DISTINCT = 2_000_000
EXACT_ROWS = 2_000_000
TEXT, NUMBER = "__text", "__num"  # the lookup table's columns (names no file uses)


def is_number(t: pa.DataType) -> bool:
    """A Parquet column type the SQL reads as numbers (any other is read as text)."""
    return bool(
        pa.types.is_integer(t)
        or pa.types.is_floating(t)
        or pa.types.is_decimal(t)
        or pa.types.is_null(t)
    )


def _cell(s: Session, column: str, table: str = "") -> str:
    d = s.dialect
    ref = f"{table}.{d.quote(column)}" if table else d.quote(column)
    return f"COALESCE({d.text(ref)}, '')"


def text_amounts(s: Session, column: str, alias: str, file: str) -> str:
    """Parse the text column ``column`` of ``raw_src``; register its lookup ``lk_<alias>`` and
    return the join that gives the raw views its number as ``lk_<alias>.__num``.

    Raises:
        InputError: The pandas loader's message for a value that is not a number (naming the
            file rows), or a column with too many distinct values for the lookup.
    """
    import numpy as np  # the loader's parser: only for a file with text amounts
    import pandas as pd

    from portfolio.amounts import parse_amounts

    cell = _cell(s, column)
    got = s.rows(f"SELECT DISTINCT {cell} FROM raw_src LIMIT {MAX_DISTINCT + 1}")
    if len(got) > MAX_DISTINCT:
        text = messages.SQL_TEXT_AMOUNTS.format(
            file=file, column=column, limit=MAX_DISTINCT, engine=s.engine
        )
        raise InputError(text, column=column)
    values = sorted(str(r[0]) for r in got)
    series = pd.Series(values, index=pd.RangeIndex(2, 2 + len(values)), dtype="str")
    try:
        parsed = parse_amounts(series, column=column, file=file)
    except InputError:
        _raise_with_rows(s, column, file)
        raise
    numbers = np.where(parsed.blank, np.nan, parsed.values)
    lookup = pa.table(
        {
            TEXT: pa.array(values, pa.string()),
            NUMBER: pa.array(numbers, pa.float64(), from_pandas=True),
        }
    )
    name = f"lk_{alias}"
    s.register(name, lookup)
    return f"LEFT JOIN {name} ON {_cell(s, column, 'src')} = {name}.{TEXT}"


def _raise_with_rows(s: Session, column: str, file: str) -> None:
    """Parse the column again with its file rows, so the message names them as pandas does."""
    import numpy as np
    import pandas as pd

    from portfolio.amounts import parse_amounts

    cell = _cell(s, column)
    total = int(s.rows("SELECT COUNT(*) FROM raw_rows")[0][0])
    if total <= EXACT_ROWS:
        got = s.rows(f"SELECT __row, {cell} FROM raw_rows ORDER BY __row")
    else:
        got = s.rows(f"SELECT MIN(__row), {cell} FROM raw_rows GROUP BY {cell} ORDER BY MIN(__row)")
    rows = np.array([int(r[0]) for r in got], dtype=np.int64)
    parse_amounts(
        pd.Series([str(r[1]) for r in got], index=rows, dtype="str"), column=column, file=file
    )
