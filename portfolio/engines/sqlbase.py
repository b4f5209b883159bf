"""What the SQL checks share: the ``Session`` an SQL engine provides, the ``Cells`` they hand
to the rollup, and the context of one check run, which words a failed check with a template of
``portfolio.messages`` and the row wording of ``portfolio.rownums`` (from a count and the first
rows)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import pyarrow as pa

from portfolio.engines.sqlsums import FLOAT_SUMS, Precision
from portfolio.engines.sqltext import Dialect
from portfolio.errors import InputError
from portfolio.rownums import MAX_SHOWN, describe_count

# A small table as Python values: per column its SQL type (``VARCHAR`` or ``BIGINT``) and values.
# The calendar, the period map and the part offsets are registered this way, not as Arrow built
# from Python lists: pyarrow imports pandas for that (a third of a 1 M-row job's CPU on DuckDB).
Columns = dict[str, tuple[str, list[Any]]]


class Session(Protocol):
    """What the checks and the rollup need from an SQL engine."""

    dialect: Dialect
    engine: str

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        """Run a query; its rows."""
        ...

    def register(self, name: str, table: pa.Table) -> None:
        """Make a (small) Arrow table queryable as ``name``."""
        ...

    def values(self, name: str, columns: Columns) -> None:
        """Make a small table of Python values queryable as ``name`` (see ``Columns``)."""
        ...

    def view(self, name: str, sql: str) -> None:
        """Define (or replace) the view ``name``."""
        ...


@dataclass(frozen=True)
class Cells:
    """The validated long table is the view ``cells``; what the rollup needs beside it.

    Attributes:
        levels: The level column names (as in the file), top to bottom.
        periods: The calendar, in order.
        on_duplicates: Raises the duplicate-rows message given their count, when duplicates
            are (leaf, period label) repeats that the rollup's finest grouping set counts
            (None when they were checked here already, or are summed).
        sums: How the rollup adds up the amounts (``portfolio.engines.sqlsums``): the pandas
            rollup's rule for these amounts.
        shape: What the validation scan counted of ``cells`` (None when it did not: a table
            loaded by pandas), so that the rollup needs no pass of its own to learn it.
    """

    levels: tuple[str, ...]
    periods: tuple[str, ...]
    on_duplicates: Callable[[int], None] | None = None
    sums: Precision = FLOAT_SUMS
    shape: Shape | None = None


@dataclass(frozen=True)
class Shape:
    """Counts of ``cells`` from the validation scan.

    Attributes:
        rows: Rows of ``cells``.
        leaves: Distinct leaf paths among the rows with a cost figure (a superset of those
            of ``cells``: a leaf with plan-ahead rows only is left out of it).
        separator: Some level value holds `` / `` (node ids then write it `` ∕ ``).
        cells: ``rows`` and ``leaves`` are counted on ``cells`` itself, one row per (leaf,
            period) (the level flows), so they hold however repeats were handled.
    """

    rows: int
    leaves: int
    separator: bool
    cells: bool = False


def rows_text(first: Sequence[int], total: int) -> str:
    """``portfolio.rownums.describe_rows`` from the first rows and the count alone."""
    return describe_count(first, total)


@dataclass(frozen=True)
class Ctx:
    s: Session
    file: str
    k: int
    ls: tuple[str, ...]
    cost: str
    planned: str
    actual: str
    p1: str
    a1: str

    def first(self, where: str, view: str = "raw_r") -> list[int]:
        got = self.s.rows(
            f"SELECT __row FROM {view} WHERE {where} ORDER BY __row LIMIT {MAX_SHOWN}"
        )
        return [int(r[0]) for r in got]

    def count(self, where: str, view: str = "raw") -> int:
        return int(self.s.rows(f"SELECT COUNT(*) FROM {view} WHERE {where}")[0][0])

    def raise_rows(self, where: str, total: int, template: str, column: str, **fields: str) -> None:
        """Raise ``template`` (of ``portfolio.messages``) naming the first rows ``where`` holds
        (``total`` of them) and ``column``; ``fields`` fill the rest of the template."""
        first = self.first(where)
        rows = rows_text(first, total)
        message = template.format(file=self.file, column=column, rows=rows, **fields)
        raise InputError(message, column=column, rows=first)
