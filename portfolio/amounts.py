"""Amounts as analysts export them -> float64, vectorised (pyarrow compute; no Python loop per row).

Accepted: plain numbers (``1234.56``, ``-12``, ``1e6``), thousands separators (``1,234.56``; the
groups must be of three digits), currency symbols and codes (``$1,234``, ``€ 12``, ``1,234 USD``),
negatives in parentheses (``(1,234)``), surrounding and inner spaces. Blank cells stay blank (NaN)
and are reported to the caller through `ParsedAmounts.blank`.

Decimal commas (``1.234,56``, ``12,5``), as many European exports write them, are read as such
when a column shows them unambiguously (a comma followed by other than three digits, or dots
grouping thousands before a comma) and has no number that only reads with a decimal point; a column
mixing both styles is refused. ``1,234`` alone reads as one thousand two hundred and thirty-four.

Rejected with a message naming the column and rows: text that is not a number, and values that are
not finite (``NaN``, ``inf``, numbers too large for a float, spreadsheet errors such as ``#N/A``,
``#VALUE!`` or ``#DIV/0!``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from portfolio import messages
from portfolio.decimals import decimals_of
from portfolio.errors import InputError
from portfolio.rownums import describe_rows, first_rows

ADVICE = "Use plain numbers such as 1234.56, 1,234.56, $1,234 or (1,234) for negatives."

_CURRENCY = r"[\s$€£¥₹]|(?i:usd|eur|gbp|cad|aud|chf|jpy)"
_NUMBER = (
    r"^[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d*)?(?:[eE][+-]?\d+)?$"
    r"|^[+-]?\.\d+(?:[eE][+-]?\d+)?$"
)
# decimal commas, as exported in many European locales: 1.234,56 or 1234,5
_EU_NUMBER = r"^[+-]?(?:\d{1,3}(?:\.\d{3})+|\d+)(?:,\d*)?$"
_NOT_FINITE = r"^(?i:[+-]?(?:nan|inf|infinity)|#.*|n/?a|null|none)$"


@dataclass(frozen=True)
class ParsedAmounts:
    """A parsed amount column: `values` (float64, NaN where blank) and the `blank` mask.

    `decimal_comma` is True when the column was read with decimal commas (``1.234,56``);
    `decimals` is the fewest decimal places every figure has (None: more than
    `portfolio.decimals.MAX_DECIMALS`).
    """

    values: np.ndarray
    blank: np.ndarray
    decimal_comma: bool = False
    decimals: int | None = 0


def _as_arrow(col: pd.Series) -> pa.Array:
    arr = pa.array(col, from_pandas=True)
    if isinstance(arr, pa.ChunkedArray):  # pragma: no cover - pa.array returns one array
        arr = arr.combine_chunks()
    if not pa.types.is_string(arr.type) and not pa.types.is_large_string(arr.type):
        arr = pc.cast(arr, pa.large_string())
    if arr.null_count:
        arr = pc.fill_null(arr, "")
    return arr


def _to_numpy(arr: pa.Array) -> np.ndarray:
    return np.asarray(arr.to_numpy(zero_copy_only=False), dtype=np.float64).copy()


def parse_amounts(col: pd.Series, *, column: str, file: str) -> ParsedAmounts:
    """Parse one amount column of a raw frame (strings; index = file row numbers).

    Args:
        col: The column as read (str cells, "" for blank).
        column: The column's name, for messages.
        file: The file's name, for messages.

    Raises:
        InputError: Cells that are not numbers, or not finite; the message names the rows.
    """
    arr = _as_arrow(col)
    rows = np.asarray(col.index)
    decimal_comma = False
    try:
        values = _to_numpy(pc.cast(arr, pa.float64()))
        blank = np.zeros(len(values), dtype=bool)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        values, blank, decimal_comma = _parse_slow(arr, rows, column, file)
    bad = ~np.isfinite(values) & ~blank
    if bad.any():
        _raise_not_finite(arr, rows, bad, column, file)
    return ParsedAmounts(
        values=values,
        blank=blank,
        decimal_comma=decimal_comma,
        decimals=decimals_of(values[~blank] if blank.any() else values),
    )


def _mask(arr: pa.Array) -> np.ndarray:
    return np.asarray(pc.fill_null(arr, False).to_numpy(zero_copy_only=False), dtype=bool)


def _parse_slow(
    arr: pa.Array, rows: np.ndarray, column: str, file: str
) -> tuple[np.ndarray, np.ndarray, bool]:
    trimmed = pc.utf8_trim_whitespace(arr)
    blank_arr = pc.equal(trimmed, "")
    blank = np.asarray(blank_arr.to_numpy(zero_copy_only=False), dtype=bool)
    nulled = pc.if_else(blank_arr, pa.scalar(None, type=trimmed.type), trimmed)
    try:
        return _to_numpy(pc.cast(nulled, pa.float64())), blank, False
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        pass
    plain = pc.replace_substring_regex(nulled, _CURRENCY, "")
    paren = pc.match_substring_regex(plain, r"^\(.*\)$")
    inner = pc.replace_substring_regex(plain, r"^\((.*)\)$", r"\1")
    us = _mask(pc.match_substring_regex(inner, _NUMBER))
    eu = _mask(pc.match_substring_regex(inner, _EU_NUMBER))
    eu_only, us_only = eu & ~us, us & ~eu
    if eu_only.any() and us_only.any():
        raise InputError(
            f"{file}: column '{column}' mixes decimal points ({describe_rows(rows[us_only])}, "
            f"e.g. {trimmed[int(np.flatnonzero(us_only)[0])].as_py()!r}) and decimal commas "
            f"({describe_rows(rows[eu_only])}, e.g. "
            f"{trimmed[int(np.flatnonzero(eu_only)[0])].as_py()!r}). Use one style for the "
            "whole column.",
            column=column,
            rows=first_rows(rows[eu_only | us_only]),
        )
    decimal_comma = bool(eu_only.any())
    negative_paren = _mask(pc.and_(paren, pc.starts_with(inner, "-")))
    valid_np = (eu if decimal_comma else us) & ~negative_paren
    valid = pa.array(valid_np)
    failed = ~valid_np & ~blank
    if failed.any():
        not_finite = np.asarray(
            pc.fill_null(pc.match_substring_regex(trimmed, _NOT_FINITE), False).to_numpy(
                zero_copy_only=False
            ),
            dtype=bool,
        )
        text, markers = failed & ~not_finite, failed & not_finite
        if not text.any():
            _raise_not_finite(arr, rows, markers, column, file)
        values_text = trimmed.to_pylist()
        example = values_text[int(np.flatnonzero(text)[0])]
        also = ""
        if markers.any():  # named too, so that one pass finds every bad cell
            marker = values_text[int(np.flatnonzero(markers)[0])]
            verb = "holds" if int(markers.sum()) == 1 else "hold"
            also = (
                f" {describe_rows(rows[markers]).capitalize()} {verb} no amount "
                f"either (e.g. {marker!r}): enter the figure, or leave the cell blank."
            )
        raise InputError(
            f"{file}: column '{column}' has amounts that are not numbers on "
            f"{describe_rows(rows[text])} (e.g. {example!r}). {ADVICE}{also}",
            column=column,
            rows=first_rows(rows[failed]),
        )
    kept = pc.if_else(valid, inner, pa.scalar(None, type=inner.type))
    if decimal_comma:
        cleaned = pc.replace_substring(pc.replace_substring(kept, ".", ""), ",", ".")
    else:
        cleaned = pc.replace_substring(kept, ",", "")
    values = _to_numpy(pc.cast(cleaned, pa.float64()))
    paren_np = _mask(paren)
    values[paren_np] = -values[paren_np]
    return values, blank, decimal_comma


def _raise_not_finite(
    arr: pa.Array, rows: np.ndarray, bad: np.ndarray, column: str, file: str
) -> None:
    bad_rows = rows[bad]
    example = str(arr[int(np.flatnonzero(bad)[0])].as_py()).strip()
    raise InputError(
        messages.NOT_FINITE.format(
            file=file, column=column, rows=describe_rows(bad_rows), example=example
        ),
        column=column,
        rows=first_rows(bad_rows),
    )
