"""Wording helpers for messages that name file rows (header = row 1, first data row = row 2)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

MAX_SHOWN = 5


def first_rows(rows: Sequence[int] | np.ndarray, limit: int = MAX_SHOWN) -> tuple[int, ...]:
    """The first `limit` row numbers, ascending, as plain ints."""
    arr = np.sort(np.asarray(rows, dtype=np.int64))
    return tuple(int(r) for r in arr[:limit])


def describe_rows(rows: Sequence[int] | np.ndarray, limit: int = MAX_SHOWN) -> str:
    """'row 5', 'rows 5, 9 and 12' or 'rows 5, 9, 12, 14, 20 and 37 more'."""
    return describe_count(first_rows(rows, limit), len(rows), limit)


def describe_count(first: Sequence[int], total: int, limit: int = MAX_SHOWN) -> str:
    """`describe_rows` from the first rows and the count alone (the SQL engines fetch no more)."""
    shown = [int(r) for r in sorted(first)[:limit]]
    if total == 0:
        return "no rows"
    if total == 1:
        return f"row {shown[0]}"
    parts = [str(r) for r in shown]
    if total <= limit:
        return "rows " + ", ".join(parts[:-1]) + " and " + parts[-1]
    return "rows " + ", ".join(parts) + f" and {total - limit} more"


def plural(n: int, word: str, words: str | None = None) -> str:
    """'1 row', '3 rows'."""
    return f"{n:,} {word if n == 1 else (words or word + 's')}"
