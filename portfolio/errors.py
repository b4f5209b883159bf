"""The one exception type the portfolio core raises for bad input or bad settings."""

from __future__ import annotations

from collections.abc import Sequence


class InputError(Exception):
    """Bad input, explained in the analyst's words.

    Args:
        message: The full message shown to the analyst. It names the file, the column and the
            first offending rows (row numbers as in the file: the header is row 1).
        column: The column at fault, when there is one.
        rows: The file row numbers at fault (the first few), when there are some.
    """

    def __init__(self, message: str, *, column: str | None = None, rows: Sequence[int] = ()):
        super().__init__(message)
        self.message = message
        self.column = column
        self.rows = tuple(rows)

    def __str__(self) -> str:
        return self.message
