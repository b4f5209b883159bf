"""The hierarchy of a file: level values per row, ragged leaves, leaf codes, and its checks.

A blank lower level makes the row an item directly under the level above (a ragged hierarchy).
Refused, naming the rows: a blank level above a filled one, and a path that is an item on some rows
while other rows have items below it (its own figures would make it differ from the sum of its
children). Everything is vectorised on integer codes of the level values.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from portfolio import messages
from portfolio.errors import InputError
from portfolio.rownums import describe_rows, first_rows

SEP = " / "


@dataclass(frozen=True)
class Hierarchy:
    """Level values and codes of the rows of a frame.

    Attributes:
        values: The level columns, whitespace stripped ("" below a ragged leaf).
        depth: Number of filled levels per row (1..len(levels)).
        leaf: Leaf code per row, numbered in order of first appearance.
        n_leaves: Number of distinct leaves.
    """

    values: tuple[pd.Series, ...]
    depth: np.ndarray
    leaf: np.ndarray
    n_leaves: int
    notes: tuple[str, ...] = ()


def _strip(col: pd.Series) -> pd.Series:
    arr = pa.array(col, from_pandas=True)
    if not pa.types.is_string(arr.type) and not pa.types.is_large_string(arr.type):
        arr = pc.cast(arr, pa.large_string())
    if arr.null_count:
        arr = pc.fill_null(arr, "")
    return pd.Series(pd.arrays.ArrowStringArray(pc.utf8_trim_whitespace(arr)), copy=False)


def build_hierarchy(frame: pd.DataFrame, levels: Sequence[str], *, file: str) -> Hierarchy:
    """Check the hierarchy of `frame` (index = file row numbers) and code its leaves.

    Raises:
        InputError: A blank level above a filled one, a top level blank, or a path that is both
            an item and a parent of items.
    """
    rows = np.asarray(frame.index)
    values = tuple(_strip(frame[c]) for c in levels)
    blank = [(v == "").to_numpy(dtype=bool, na_value=True) for v in values]
    filled_below = np.zeros(len(frame), dtype=bool)
    bad_at: list[np.ndarray] = [np.zeros(len(frame), dtype=bool) for _ in levels]
    for k in range(len(levels) - 1, -1, -1):
        bad_at[k] = blank[k] & filled_below
        filled_below |= ~blank[k]
    for k, lvl in enumerate(levels):
        if bad_at[k].any():
            below = [levels[j] for j in range(k + 1, len(levels))]
            raise InputError(
                messages.LEVEL_GAP.format(
                    file=file,
                    column=lvl,
                    rows=describe_rows(rows[bad_at[k]]),
                    below=", ".join(repr(b) for b in below),
                ),
                column=lvl,
                rows=first_rows(rows[bad_at[k]]),
            )
    if blank[0].any():
        raise InputError(
            messages.TOP_LEVEL_BLANK.format(
                file=file, column=levels[0], rows=describe_rows(rows[blank[0]])
            ),
            column=levels[0],
            rows=first_rows(rows[blank[0]]),
        )
    depth = np.zeros(len(frame), dtype=np.int64)
    for b in blank:
        depth += ~b
    prefixes: list[np.ndarray] = []
    code = np.zeros(len(frame), dtype=np.int64)
    with_sep: list[str] = []
    for lvl, v in zip(levels, values, strict=True):
        c, u = pd.factorize(v, sort=False)
        if pd.Series(u, dtype="str").str.contains(SEP, regex=False).any():
            with_sep.append(lvl)
        combined = code * (len(u) + 1) + c.astype(np.int64)
        code, _ = pd.factorize(combined, sort=False)
        code = code.astype(np.int64)
        prefixes.append(code)
    _check_leaf_parents(prefixes, depth, values, _Source(levels, rows, file))
    n_leaves = int(code.max()) + 1 if len(code) else 0
    notes: tuple[str, ...] = ()
    if with_sep:
        notes = (
            f"Some names in {', '.join(repr(c) for c in with_sep)} contain '{SEP.strip()}' with "
            f"spaces around it, which also separates the levels in node paths: read such paths "
            "with care.",
        )
    return Hierarchy(values=values, depth=depth, leaf=code, n_leaves=n_leaves, notes=notes)


@dataclass(frozen=True)
class _Source:
    """Where the hierarchy's rows come from, for messages: the level names, the file row
    numbers and the file."""

    levels: Sequence[str]
    rows: np.ndarray
    file: str


def _check_leaf_parents(
    prefixes: list[np.ndarray], depth: np.ndarray, values: tuple[pd.Series, ...], src: _Source
) -> None:
    levels, rows, file = src.levels, src.rows, src.file
    for d in range(1, len(levels)):
        at = depth == d
        deeper = depth > d
        if not at.any() or not deeper.any():
            continue
        p = prefixes[d - 1]
        clash = at & np.isin(p, np.unique(p[deeper]))
        if clash.any():
            first = int(np.flatnonzero(clash)[0])
            path = SEP.join(str(values[j].iloc[first]) for j in range(d))
            parent_rows = rows[deeper & (p == p[first])]
            leaf_rows = rows[clash & (p == p[first])]
            raise InputError(
                messages.ITEM_AND_PARENT.format(
                    file=file,
                    path=path,
                    leaf_rows=describe_rows(leaf_rows),
                    column=levels[d],
                    parent_rows=describe_rows(parent_rows),
                ),
                column=levels[d],
                rows=first_rows(rows[clash]),
            )
