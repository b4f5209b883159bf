"""Amount parsing: the forms analysts export are accepted, everything else is named by row."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portfolio.amounts import parse_amounts
from portfolio.errors import InputError


def _col(values: list[str]) -> pd.Series:
    # index = file row numbers (header = row 1)
    return pd.Series(values, index=range(2, 2 + len(values)), dtype="str")


def test_plain_numbers_take_the_fast_path():
    parsed = parse_amounts(_col(["1", "2.5", "-3", "1e3"]), column="planned", file="f.csv")
    assert parsed.values.tolist() == [1.0, 2.5, -3.0, 1000.0]
    assert not parsed.blank.any()


def test_exported_forms_are_accepted():
    cells = ["1,234.56", "$1,234", "(1,234)", "  42 ", "($5.50)", "€ 7", "1,000,000", "12 USD", ""]
    parsed = parse_amounts(_col(cells), column="actual", file="f.csv")
    assert parsed.values[:8].tolist() == [1234.56, 1234.0, -1234.0, 42.0, -5.5, 7.0, 1e6, 12.0]
    assert np.isnan(parsed.values[8])
    assert parsed.blank.tolist() == [False] * 8 + [True]


def test_result_is_writable_float64():
    parsed = parse_amounts(_col(["1", "2"]), column="planned", file="f.csv")
    assert parsed.values.dtype == np.float64
    parsed.values[0] = 5.0  # pandas 3 hands out read-only arrays; ours must be a copy


def test_non_numeric_amounts_name_column_rows_and_example():
    cells = ["1", "2", "3", "abc", "5", "6", "7", "x1", "9", "10", "n/a?"]
    with pytest.raises(InputError) as err:
        parse_amounts(_col(cells), column="actual", file="sales.csv")
    msg = str(err.value)
    assert "sales.csv" in msg and "column 'actual'" in msg
    assert "rows 5, 9 and 12" in msg
    assert "'abc'" in msg
    assert err.value.column == "actual"
    assert err.value.rows == (5, 9, 12)


@pytest.mark.parametrize("cell", ["1..2", "1.2.3", "12-", "(-5)", "$", "12a", "1,2,3"])
def test_malformed_numbers_are_rejected(cell):
    with pytest.raises(InputError, match="not numbers on row 3"):
        parse_amounts(_col(["1", cell]), column="planned", file="f.csv")


@pytest.mark.parametrize("cell", ["NaN", "nan", "inf", "-Infinity", "#N/A", "#DIV/0!", "1e400"])
def test_non_finite_values_are_rejected(cell):
    with pytest.raises(InputError) as err:
        parse_amounts(_col(["1", "2", cell]), column="planned", file="f.csv")
    msg = str(err.value)
    assert "not finite" in msg and "row 4" in msg and "column 'planned'" in msg
    assert err.value.rows == (4,)


def test_non_finite_among_other_cleaning_is_still_named():
    with pytest.raises(InputError, match=r"not finite amounts on row 3 \(e.g. '#VALUE!'\)"):
        parse_amounts(_col(["$1,000", "#VALUE!", ""]), column="actual", file="f.csv")


def test_many_bad_rows_are_summarised():
    cells = ["bad"] * 12
    with pytest.raises(InputError, match=r"rows 2, 3, 4, 5, 6 and 7 more"):
        parse_amounts(_col(cells), column="actual", file="f.csv")


def _exported(x: float, style: int) -> str:
    # how spreadsheets and finance tools write the same number
    body = f"{abs(x):,.2f}"
    if style == 0:
        return f"{x:.2f}"
    if style == 1:
        return f"-{body}" if x < 0 else body
    if style == 2:
        return f"(${body})" if x < 0 else f"${body}"
    return f"  ({body})  " if x < 0 else f"  {body}  "


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.floats(-1e9, 1e9), st.integers(0, 3)), min_size=1, max_size=30))
def test_exported_forms_round_trip(cells):
    text = [_exported(x, s) for x, s in cells]
    parsed = parse_amounts(_col(text), column="a", file="f.csv")
    expected = [round(x, 2) for x, _ in cells]
    np.testing.assert_allclose(parsed.values, expected, rtol=0, atol=1e-6)


def test_decimal_commas_are_read_when_the_column_shows_them():
    parsed = parse_amounts(_col(["1.234,56", "12,5", "1,234", "(3,25)", "7"]), column="a", file="f")
    assert parsed.decimal_comma
    assert parsed.values.tolist() == [1234.56, 12.5, 1.234, -3.25, 7.0]


def test_thousands_commas_stay_the_default():
    parsed = parse_amounts(_col(["1,234", "1.5", "2,000.25"]), column="a", file="f")
    assert not parsed.decimal_comma
    assert parsed.values.tolist() == [1234.0, 1.5, 2000.25]


def test_a_column_mixing_decimal_styles_is_refused():
    with pytest.raises(InputError) as err:
        parse_amounts(_col(["1,5", "2", "1.25"]), column="actual", file="f.csv")
    msg = str(err.value)
    assert "column 'actual' mixes decimal points (row 4, e.g. '1.25')" in msg
    assert "decimal commas (row 2, e.g. '1,5')" in msg
