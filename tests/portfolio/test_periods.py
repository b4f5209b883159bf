"""Period parsing, frequency inference, the regular calendar and next_periods."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from portfolio.errors import InputError
from portfolio.periods import (
    calendar,
    check_frequency,
    infer_frequency,
    label_of,
    next_periods,
    ordinal_of,
    parse_periods,
    to_ordinal,
)


def _col(values: list[str]) -> pd.Series:
    return pd.Series(values, index=range(2, 2 + len(values)), dtype="str")


def _labels(values: list[str], freq: str) -> list[str]:
    parsed = parse_periods(_col(values), column="period", file="f.csv")
    return [label_of(o, freq) for o in to_ordinal(parsed.month, freq)]


def test_month_labels():
    parsed = parse_periods(_col(["2024-01", "2024-12", "2023/7"]), column="period", file="f.csv")
    assert parsed.native == "M"
    assert [label_of(o, "M") for o in parsed.month] == ["2024-01", "2024-12", "2023-07"]


def test_month_names():
    assert _labels(["Jan 2024", "February-2024", "Sept 2024"], "M") == [
        "2024-01",
        "2024-02",
        "2024-09",
    ]


def test_quarter_labels_in_several_spellings():
    parsed = parse_periods(_col(["2024-Q1", "2024Q4", "Q2 2023"]), column="p", file="f.csv")
    assert parsed.native == "Q"
    assert [label_of(o, "Q") for o in to_ordinal(parsed.month, "Q")] == [
        "2024-Q1",
        "2024-Q4",
        "2023-Q2",
    ]


def test_year_labels():
    parsed = parse_periods(_col(["2020", "2021"]), column="p", file="f.csv")
    assert parsed.native == "Y"
    assert _labels(["2020", "2021"], "Y") == ["2020", "2021"]


def test_fiscal_years_and_quarters_in_several_spellings():
    parsed = parse_periods(_col(["FY2024", "fy 2022", "FY-2023"]), column="p", file="f.csv")
    assert (parsed.native, parsed.family) == ("Y", "fiscal year")
    assert _labels(["FY2024", "fy 2022", "FY-2023"], "Y") == ["2024", "2022", "2023"]
    quarters = ["FY2024 Q1", "FY2024-Q4", "fy2023q2"]
    parsed = parse_periods(_col(quarters), column="p", file="f.csv")
    assert (parsed.native, parsed.family) == ("Q", "fiscal quarter")
    assert _labels(quarters, "Q") == ["2024-Q1", "2024-Q4", "2023-Q2"]


def test_fiscal_and_calendar_years_are_not_mixed():
    with pytest.raises(InputError, match=r"mixes period formats: .*FY2024 style on row 3"):
        parse_periods(_col(["2023", "FY2024", "2024"]), column="p", file="f.csv")
    with pytest.raises(InputError, match="not periods on row 2"):
        parse_periods(_col(["FY24", "FY2024"]), column="p", file="f.csv")


def test_iso_dates_and_timestamps():
    values = ["2024-01-31", "2024-02-01T10:22:25Z", "2024-03-15 08:00"]
    parsed = parse_periods(_col(values), column="p", file="f.csv")
    assert parsed.native == "D"
    assert _labels(values, "M") == ["2024-01", "2024-02", "2024-03"]
    assert _labels(values, "Q") == ["2024-Q1"] * 3
    # the timestamp keeps the time of day, to order reports inside a period
    assert (
        parsed.stamp[1] - np.datetime64("2024-02-01", "ns").astype(np.int64)
        == ((10 * 60 + 22) * 60 + 25) * 1_000_000_000
    )


def test_us_dates_with_am_pm():
    values = ["05/01/2014 12:00:00 AM", "02/01/2015 12:00:00 PM", "8/1/2015 1:30:00 PM"]
    parsed = parse_periods(_col(values), column="p", file="f.csv")
    assert _labels(values, "M") == ["2014-05", "2015-02", "2015-08"]
    day = np.datetime64("2015-02-01", "ns").astype(np.int64)
    assert parsed.stamp[1] - day == 12 * 3600 * 1_000_000_000  # 12 PM is noon
    assert parsed.stamp[0] == np.datetime64("2014-05-01", "ns").astype(np.int64)  # 12 AM: midnight


def test_slash_dates_read_day_first_when_a_day_exceeds_12():
    assert _labels(["31/01/2024", "01/02/2024"], "M") == ["2024-01", "2024-02"]


def test_slash_dates_that_contradict_each_other_are_refused():
    with pytest.raises(InputError, match=r"day first on row 2 but month first on row 3"):
        parse_periods(_col(["31/01/2024", "01/31/2024"]), column="date", file="f.csv")


def test_unparseable_periods_name_rows():
    with pytest.raises(InputError) as err:
        parse_periods(_col(["2024-01", "soon", "2024-03", "later"]), column="month", file="f.csv")
    msg = str(err.value)
    assert "column 'month'" in msg and "rows 3 and 5" in msg and "'soon'" in msg
    assert err.value.rows == (3, 5)


def test_impossible_dates_name_rows():
    with pytest.raises(
        InputError, match=r"impossible dates or months on row 3 \(e.g. '2024-02-30'\)"
    ):
        parse_periods(_col(["2024-01-31", "2024-02-30"]), column="date", file="f.csv")
    with pytest.raises(InputError, match=r"on row 2 \(e.g. '2024-13'\)"):
        parse_periods(_col(["2024-13", "2024-01"]), column="date", file="f.csv")


def test_mixed_formats_name_the_rows_of_each():
    values = ["2024-01", "2024-02", "2024-Q1", "2024-03", "2024"]
    with pytest.raises(InputError) as err:
        parse_periods(_col(values), column="period", file="f.csv")
    msg = str(err.value)
    assert "mixes period formats" in msg
    assert "2024-01 style on rows 2, 3 and 5" in msg
    assert "2024-Q1 style on row 4" in msg
    assert "2024 style on row 6" in msg


def test_iso_and_us_dates_mixed_are_refused():
    with pytest.raises(InputError, match="mixes period formats"):
        parse_periods(_col(["2024-01-31", "02/29/2024"]), column="d", file="f.csv")


def test_blank_periods_name_rows():
    with pytest.raises(InputError, match=r"column 'period' is blank on row 3"):
        parse_periods(_col(["2024-01", "  ", "2024-02"]), column="period", file="f.csv")


def test_frequency_inference_per_leaf():
    def freq(dates: list[str], leaves: list[int]) -> str:
        parsed = parse_periods(_col(dates), column="d", file="f.csv")
        return infer_frequency(parsed, np.asarray(leaves))

    monthly = [f"2024-{m:02d}-15" for m in range(1, 7)]
    assert freq(monthly, [0] * 6) == "M"
    quarter_ends = ["2024-03-31", "2024-06-30", "2024-09-30", "2024-12-31"]
    assert freq(quarter_ends, [0] * 4) == "Q"
    year_ends = ["2021-12-31", "2022-12-31", "2023-12-31"]
    assert freq(year_ends, [0] * 3) == "Y"
    # two leaves reporting in the same quarter on different days: still quarterly
    assert freq(["2024-01-05", "2024-02-20", "2024-04-05", "2024-05-20"], [0, 1, 0, 1]) == "Q"
    assert freq(["2024-01-05", "2024-01-05"], [0, 1]) == "M"  # a single date
    assert freq(["2024-01-05", "2024-01-20"], [0, 0]) == "M"  # twice a month: monthly, summed


def test_label_frequency_is_native_and_cannot_be_split():
    parsed = parse_periods(_col(["2024-Q1", "2024-Q2"]), column="p", file="f.csv")
    assert infer_frequency(parsed, np.zeros(2, dtype=np.int64)) == "Q"
    assert check_frequency("Q", "Y", column="p", file="f.csv") == "Y"
    with pytest.raises(InputError, match="cannot be split into monthly"):
        check_frequency("Q", "M", column="p", file="f.csv")


def test_calendar_has_no_gaps_and_sorts_as_strings():
    first, last = ordinal_of("2023-11", "M"), ordinal_of("2024-02", "M")
    cal = calendar(first, last, "M")
    assert cal == ["2023-11", "2023-12", "2024-01", "2024-02"]
    assert sorted(cal) == cal
    assert calendar(ordinal_of("2023-Q4", "Q"), ordinal_of("2024-Q2", "Q"), "Q") == [
        "2023-Q4",
        "2024-Q1",
        "2024-Q2",
    ]


def test_next_periods():
    assert next_periods("2024-11", 3, "M") == ["2024-12", "2025-01", "2025-02"]
    assert next_periods("2024-Q4", 2, "Q") == ["2025-Q1", "2025-Q2"]
    assert next_periods("2024", 2, "Y") == ["2025", "2026"]
    with pytest.raises(InputError):
        next_periods("2024-Q4", 2, "M")
    with pytest.raises(InputError):
        next_periods("all", 2, "single")


def test_year_first_slashed_and_dotted_day_first_dates():
    assert _labels(["2024/01/31", "2024/2/1 10:00"], "M") == ["2024-01", "2024-02"]
    assert _labels(["31.01.2024", "01.02.2024 08:30"], "M") == ["2024-01", "2024-02"]
    with pytest.raises(InputError, match="mixes period formats"):
        parse_periods(_col(["31.01.2024", "2024-02-01"]), column="d", file="f.csv")
