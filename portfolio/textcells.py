"""The text cells of one table column, for CSV or JSON, made with Arrow kernels a chunk at a time.

A column is planned once (:func:`plan_column`), then cut into Arrow string arrays of its cells,
one row range at a time (:meth:`ColumnCells.cells`):

- floats: the shortest text that reads back as the same number, laid out as Python's ``repr``
  (``0.1``, ``5.0``, ``-0.0``, ``1e-05``, ``1e+16``); NaN is the missing cell (empty in CSV,
  ``null`` in JSON); infinities are ``inf`` / ``-inf`` in CSV and ``null`` in JSON (as before).
- integers in decimal; booleans ``True`` / ``False`` in CSV (as pandas writes them), ``true`` /
  ``false`` in JSON; a missing value of a nullable column is the missing cell.
- text (``str``, object columns holding only text, categoricals): each distinct value is spelled
  once (CSV: formula-neutralised, quoted when it holds a comma, a quote, a line feed or a carriage
  return; JSON: a JSON string, not neutralised), then taken by code for every row.

Why floats take three roads: Arrow's cast to text writes the same shortest digits as ``repr``
but lays them out differently for whole numbers (``5`` for ``5.0``) and outside
``1e-4 <= |x| < 1e10`` (``0.00001`` for ``1e-05``, ``1.5e+10`` for ``15000000000.5``). Whole
numbers below ``1e16`` are written through the integer cast with ``.0``; the few other values
outside that range through ``repr``; everything else straight from the cast.

A column whose type is none of these (dates, mixed objects, ...) has no plan (``None``); the
writer then keeps pandas' own writer for the whole table.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from portfolio.formulas import neutral_text

_CSV_SPECIAL = (",", '"', "\n", "\r")
_WHOLE_LIMIT = 1e16  # at and above it repr and Arrow both use the exponent form
_FIXED_LOW, _FIXED_HIGH = 1e-4, 1e10  # inside it, Arrow's layout is repr's


def csv_quoted(value: str) -> str:
    """``value`` quoted for CSV when it holds a comma, a quote, a line feed or a return."""
    if any(ch in value for ch in _CSV_SPECIAL):
        return '"' + value.replace('"', '""') + '"'
    return value


def csv_text(value: str) -> str:
    """A text cell as CSV: formula-neutralised, and quoted when it needs to be."""
    return csv_quoted(str(neutral_text(value)))


def json_text(value: str) -> str:
    """A text cell as a JSON string (not neutralised: JSON is read by programs)."""
    return json.dumps(value, ensure_ascii=False)


@dataclass(frozen=True)
class Dialect:
    """How one output format spells the cells that differ between formats."""

    missing: str
    true: str
    false: str
    text: Callable[[str], str]
    infinite_is_missing: bool


CSV = Dialect(missing="", true="True", false="False", text=csv_text, infinite_is_missing=False)
JSON = Dialect(missing="null", true="true", false="false", text=json_text, infinite_is_missing=True)

Kind = Literal["float", "int", "bool", "code"]


@dataclass(frozen=True)
class ColumnCells:
    """One column, ready to be cut into text cells.

    Attributes:
        kind: ``float``, ``int``, ``bool`` or ``code`` (an index into ``lookup`` per row).
        values: The column's numbers (float64, an integer type, bool, or int64 codes).
        valid: False where a nullable column is missing (None when nothing is missing).
        lookup: For ``code``: the spelled distinct values, the missing cell last.
        dialect: The output format.
    """

    kind: Kind
    values: np.ndarray
    valid: np.ndarray | None
    lookup: pa.Array | None
    dialect: Dialect

    def cells(self, start: int, stop: int) -> pa.Array:
        """The text cells of rows ``start:stop`` (an Arrow string array, no nulls)."""
        values = self.values[start:stop]
        if self.kind == "float":
            return _float_cells(values, self.dialect)
        if self.kind == "code":
            assert self.lookup is not None
            return self.lookup.take(pa.array(values))
        valid = None if self.valid is None else self.valid[start:stop]
        if self.kind == "bool":
            codes = values.astype(np.int8)
            if valid is not None:
                codes[~valid] = 2
            words = pa.array([self.dialect.false, self.dialect.true, self.dialect.missing])
            return words.take(pa.array(codes))
        mask = None if valid is None else ~valid
        return pc.cast(pa.array(values, mask=mask), pa.string()).fill_null(self.dialect.missing)


def _float_cells(x: np.ndarray, dialect: Dialect) -> pa.Array:
    finite = np.isfinite(x)
    missing = ~finite if dialect.infinite_is_missing else np.isnan(x)
    text = pc.cast(pa.array(x, mask=missing if missing.any() else None), pa.string())
    size = np.abs(x)
    with np.errstate(invalid="ignore"):
        whole = finite & (x == np.trunc(x)) & (size < _WHOLE_LIMIT)
    negative_zero = whole & (x == 0) & np.signbit(x)
    whole &= ~negative_zero
    odd = finite & ~whole & (size < _WHOLE_LIMIT) & ((size < _FIXED_LOW) | (size >= _FIXED_HIGH))
    if whole.any() or odd.any():
        text = _patched(text, x, whole, odd)
    return text.fill_null(dialect.missing) if missing.any() else text


def _patched(text: pa.Array, x: np.ndarray, whole: np.ndarray, odd: np.ndarray) -> pa.Array:
    """``text`` with whole numbers written ``N.0`` and the ``odd`` values through ``repr``.

    One gather from ``text`` followed by the new cells (cheaper than replacing in place).
    """
    digits = pc.cast(pa.array(x[whole].astype(np.int64)), pa.string())
    dotted = pc.binary_join_element_wise(digits, pa.scalar(".0"), pa.scalar(""))
    spelled = pa.array([repr(v) for v in x[odd].tolist()], type=pa.string())
    n = len(x)
    index = np.arange(n, dtype=np.int64)
    index[whole] = n + np.arange(len(dotted), dtype=np.int64)
    index[odd] = n + len(dotted) + np.arange(len(spelled), dtype=np.int64)
    return pa.concat_arrays([text, dotted, spelled]).take(pa.array(index))


def _lookup(spelled: list[str], dialect: Dialect) -> pa.Array:
    return pa.array([*spelled, dialect.missing], type=pa.string())


def _codes(codes: np.ndarray, n_values: int) -> np.ndarray:
    out = np.asarray(codes, dtype=np.int64).copy()
    out[out < 0] = n_values  # the missing cell sits last in the lookup
    return out


def _text_plan(series: pd.Series, dialect: Dialect) -> ColumnCells | None:
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    distinct = list(uniques)
    if not all(isinstance(v, str) for v in distinct):
        return None
    lookup = _lookup([dialect.text(v) for v in distinct], dialect)
    return ColumnCells("code", _codes(codes, len(distinct)), None, lookup, dialect)


def _categorical_plan(series: pd.Series, dialect: Dialect) -> ColumnCells | None:
    categories = pd.Series(series.cat.categories)
    plan = plan_column(categories, dialect)
    if plan is None:
        return None
    spelled = plan.cells(0, len(categories)).to_pylist()
    codes = _codes(series.cat.codes.to_numpy(), len(categories))
    return ColumnCells("code", codes, None, _lookup(spelled, dialect), dialect)


def _masked_plan(series: pd.Series, kind: Kind, dialect: Dialect) -> ColumnCells:
    """Nullable integers and booleans: the values with a fill, and where they are valid."""
    dtype = series.dtype.numpy_dtype  # type: ignore[union-attr]
    missing = series.isna().to_numpy()
    values = series.to_numpy(dtype=dtype, na_value=dtype.type(0))
    return ColumnCells(kind, values, ~missing if missing.any() else None, None, dialect)


def _float_width(dtype: object) -> int:
    numpy_dtype = dtype if isinstance(dtype, np.dtype) else getattr(dtype, "numpy_dtype", None)
    return int(numpy_dtype.itemsize) if isinstance(numpy_dtype, np.dtype) else 0


def plan_column(series: pd.Series, dialect: Dialect) -> ColumnCells | None:
    """The plan of one column's cells, or None when this writer does not know its type.

    Args:
        series: The column.
        dialect: ``CSV`` or ``JSON``.
    """
    dtype = series.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        return _categorical_plan(series, dialect)
    if pd.api.types.is_bool_dtype(dtype):
        if isinstance(dtype, np.dtype):
            return ColumnCells("bool", series.to_numpy(), None, None, dialect)
        return _masked_plan(series, "bool", dialect)
    if pd.api.types.is_integer_dtype(dtype):
        if isinstance(dtype, np.dtype):
            return ColumnCells("int", series.to_numpy(), None, None, dialect)
        return _masked_plan(series, "int", dialect)
    if pd.api.types.is_float_dtype(dtype):
        if _float_width(dtype) != 8:
            return None  # pandas writes float32 cells at float32 precision: keep its writer
        values = series.to_numpy(dtype=np.float64, na_value=np.nan)
        return ColumnCells("float", values, None, None, dialect)
    if pd.api.types.is_string_dtype(dtype) or pd.api.types.is_object_dtype(dtype):
        return _text_plan(series, dialect)
    return None
