"""Hierarchy levels read from the data: text columns that nest, ordered coarse to fine.

A finer column nests in a coarser one when each of its values belongs to one value of the coarser
column (on the rows where both are filled) and it has more distinct values. Only text columns are
considered: a column whose figures all read as amounts or as periods is not a level, nor is one
with a single value, or one with a different value on every row (a description or a row id nests
under anything). A column with as many values as a level it maps to one to one (``Agency Code``
beside ``Agency Name``) is that level under another name: it is not finer, so it is not added.

The check runs on the first `SAMPLE_ROWS` rows, once per pair of columns, on integer codes.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from portfolio.amounts import parse_amounts
from portfolio.column_words import ID_WORDS, normalise
from portfolio.errors import InputError
from portfolio.period_parse import parse_periods

SAMPLE_ROWS = 20_000


@dataclass(frozen=True)
class Coded:
    """Columns of a sample as integer codes (-1 where blank) and their distinct counts.

    `eligible` are the columns that may be guessed as levels (text, several values, not one per
    row); the others are coded only to check what nests under them.
    """

    codes: dict[str, np.ndarray]
    distinct: dict[str, int]
    eligible: frozenset[str]

    def nests(self, fine: str, coarse: str) -> bool:
        """Each value of `fine` belongs to one value of `coarse` (where both are filled)."""
        f, c = self.codes[fine], self.codes[coarse]
        both = (f >= 0) & (c >= 0)
        if not both.any():
            return False
        f, c = f[both], c[both]
        pairs = np.unique(f.astype(np.int64) * (int(c.max()) + 1) + c)
        return len(pairs) == len(np.unique(f))

    def finer(self, fine: str, coarse: str) -> bool:
        """`fine` nests in `coarse` and has more distinct values: a level below it."""
        return self.distinct[fine] > self.distinct[coarse] and self.nests(fine, coarse)


def reads_as_amounts(sample: pd.DataFrame, name: str) -> bool:
    """True when every filled value of the column (in the first `SAMPLE_ROWS` rows) is an amount."""
    col = sample[name] if name in sample.columns else None
    if not isinstance(col, pd.Series):
        return False
    text = col.head(SAMPLE_ROWS).astype("str").str.strip()
    filled = text[text != ""]
    if filled.empty:
        return False
    try:
        parse_amounts(filled, column=name, file="")
    except InputError:
        return False
    return True


def _reads_as(col: pd.Series, name: str) -> bool:
    """True when every filled value is an amount, or every value a period."""
    try:
        parse_amounts(col, column=name, file="")
        return True
    except InputError:
        pass
    try:
        parse_periods(col, column=name, file="")
        return True
    except InputError:
        return False


def code_columns(sample: pd.DataFrame, levels: Sequence[str], candidates: Sequence[str]) -> Coded:
    """Code the chosen `levels` and the `candidates` of `sample`; mark the eligible candidates."""
    head = sample.head(SAMPLE_ROWS)
    codes: dict[str, np.ndarray] = {}
    distinct: dict[str, int] = {}
    eligible: set[str] = set()
    for name in dict.fromkeys([*levels, *candidates]):
        if name not in head.columns or not isinstance(head[name], pd.Series):
            continue  # a repeated header (a frame, not a column) is no level
        text = head[name].astype("str").str.strip()
        code, uniques = pd.factorize(text.where(text != "", None), sort=False)
        codes[name] = np.asarray(code, dtype=np.int64)
        distinct[name] = n = len(uniques)
        filled = text[text != ""]
        # one value for all, or one per row, is no level; nor are amounts or periods
        if name in levels or n < 2 or n == len(filled) or _reads_as(filled, name):
            continue
        eligible.add(name)
    return Coded(codes, distinct, frozenset(eligible))


def _position(levels: list[str], col: str, coded: Coded) -> int | None:
    """Where `col` fits between its coarser and finer neighbours in `levels`, if anywhere."""
    for i in range(len(levels) + 1):
        above = levels[i - 1] if i else None
        below = levels[i] if i < len(levels) else None
        if above is not None and (above not in coded.codes or not coded.finer(col, above)):
            continue
        if below is not None and (below not in coded.codes or not coded.finer(below, col)):
            continue
        return i
    return None


def add_nested_levels(
    levels: Sequence[str], candidates: Sequence[str], sample: pd.DataFrame, limit: int
) -> list[str]:
    """The `levels` with every candidate text column that nests between them inserted in place.

    Args:
        levels: Levels already chosen (from the names), top to bottom; kept in their order.
        candidates: Other columns that may be levels (not the period or the amounts).
        sample: The file's rows (strings), as read.
        limit: The most levels to return.

    Returns:
        The levels, coarse to fine, at most `limit` of them.
    """
    coded = code_columns(sample, levels, candidates)
    out = list(levels)
    extra = [c for c in candidates if c in coded.eligible and c not in out]
    for col in sorted(extra, key=lambda c: coded.distinct[c]):  # coarse first; stable by position
        if len(out) >= limit:
            break
        at = _position(out, col, coded)
        if at is not None:
            out.insert(at, col)
    return out


def _words(name: str) -> set[str]:
    return set(normalise(name).split())


def _id_like(name: str) -> bool:
    """``Project ID``, ``Item number``, ``PID``: a column that names items by a key."""
    return any(w in ID_WORDS or re.fullmatch(r"[a-z]{1,2}id", w) for w in _words(name))


def _repeats(head: pd.DataFrame, keys: Sequence[str | None]) -> bool:
    cols = [k for k in keys if k is not None and k in head.columns]
    return bool(cols) and bool(head.duplicated(subset=cols).any())


def _names_one(head: pd.DataFrame, key: str, leaf: str) -> bool:
    filled = head[(head[key] != "") & (head[leaf] != "")]
    return not filled.empty and int(filled.groupby(key)[leaf].nunique().max()) <= 1


def unique_leaf(
    levels: Sequence[str], candidates: Sequence[str], sample: pd.DataFrame, period: str | None
) -> list[str]:
    """The `levels` with the finest one swapped for an ID column of the same items when the finest
    one repeats an item in a period and the ID column does not (``Project ID`` for ``Project
    Name``: two projects of one investment may share a name, never an ID).

    An ID column (by its name: ``id``, ``code``, ``number``..., or a short ``pid``) is of the same
    items when it shares a word with the finest level's name or each of its values has one value
    of the finest level (an item's ID names one item name). Without such a column the levels are
    returned as they are, and loading names the repeated rows.
    """
    if not levels:
        return list(levels)
    head = sample.head(SAMPLE_ROWS)
    leaf = levels[-1]
    if leaf not in head.columns or not _repeats(head, [*levels, period]):
        return list(levels)
    kind = _words(leaf) - ID_WORDS - {"name", "title", "description"}
    for col in candidates:
        if col in levels or col not in head.columns or not _id_like(col):
            continue
        same = bool(_words(col) & kind) or _names_one(head, col, leaf)
        if same and not _repeats(head, [*levels[:-1], col, period]):
            return [*levels[:-1], col]
    return list(levels)
