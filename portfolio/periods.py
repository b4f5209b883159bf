"""Periods: parsing the period column, inferring the frequency, the regular calendar.

Accepted formats (one per file; a column that mixes them is refused, naming the rows of each):

- months ``2024-01`` (also ``2024/01``, ``Jan 2024``, ``January-2024``);
- quarters ``2024-Q1`` (also ``2024Q1``, ``2024 Q1``, ``Q1 2024``);
- years ``2024``;
- fiscal years ``FY2024`` (also ``FY 2024``, ``FY-2024``) and fiscal quarters ``FY2024 Q1`` (also
  ``FY2024-Q1``, ``FY2024Q1``): labelled by their number (``2024``, ``2024-Q1``), which keeps
  them in order whatever month the fiscal year starts in; they are not mixed with calendar labels;
- ISO dates and timestamps ``2024-01-31``, ``2024-01-31T10:22:25Z``, ``2024-01-31 10:22``;
- ``2024/01/31`` (year first, slashes) and ``31.01.2024`` (day first, dots, as in much of Europe);
- US dates ``01/31/2024``, ``1/31/2024 10:22``, ``05/01/2014 12:00:00 AM``. Slash dates are read
  month first; when a first number is above 12 (and no second one is) the column is read day first.

Every distinct label is parsed once and mapped back to the rows, so a million rows cost no more
than their few hundred distinct periods.

Calendar rule. Month, quarter and year labels are their own periods. Dates are put on a regular
calendar: the frequency is the coarsest of yearly, quarterly and monthly on which no leaf has two
different report days in the same period (monthly when even that fails, and when the file has a
single date). A date belongs to the period that contains it. The calendar runs without gaps from
the first to the last period of the data. When several dates of one leaf fall in one period, their
flows are summed, and for a level the last report in the period wins. A level is carried forward
to every later period of the calendar (the last value stands until a new one is reported), and its
flows are its differences (the first period's flow is the level itself).

Labels: monthly ``YYYY-MM``, quarterly ``YYYY-Qn``, yearly ``YYYY``; labels of one frequency sort
correctly as strings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from portfolio.errors import InputError
from portfolio.rownums import describe_rows, first_rows

FREQUENCY_NAMES = {"M": "monthly", "Q": "quarterly", "Y": "yearly", "single": "single period"}
_RANK = {"M": 0, "Q": 1, "Y": 2}
_MONTHS = {
    m: i
    for i, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for m in names
}

# (family name, example shown to the analyst, regex); checked in order
_FAMILIES: tuple[tuple[str, str, str], ...] = (
    ("month", "2024-01", r"^(?P<y>\d{4})[-/](?P<m>\d{1,2})$"),
    ("month name", "Jan 2024", r"^(?P<mn>[A-Za-z]{3,9})\.?[ -](?P<y>\d{4})$"),
    ("quarter", "2024-Q1", r"^(?P<y>\d{4})\s*-?\s*[Qq](?P<q>[1-4])$"),
    ("quarter first", "Q1 2024", r"^[Qq](?P<q>[1-4])\s*-?\s*(?P<y>\d{4})$"),
    ("year", "2024", r"^(?P<y>\d{4})$"),
    ("fiscal year", "FY2024", r"^[Ff][Yy]\s*-?\s*(?P<y>\d{4})$"),
    (
        "fiscal quarter",
        "FY2024 Q1",
        r"^[Ff][Yy]\s*-?\s*(?P<y>\d{4})\s*[- ]?\s*[Qq](?P<q>[1-4])$",
    ),
    (
        "ISO date",
        "2024-01-31",
        r"^(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})"
        r"(?:[T ](?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?:\.\d+)?)?)?"
        r"\s*(?:Z|[+-]\d{2}:?\d{2})?$",
    ),
    (
        "slashed ISO date",
        "2024/01/31",
        r"^(?P<y>\d{4})/(?P<m>\d{1,2})/(?P<d>\d{1,2})"
        r"(?:[T ](?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?:\.\d+)?)?)?$",
    ),
    (
        "dotted date",
        "31.01.2024",
        r"^(?P<d>\d{1,2})\.(?P<m>\d{1,2})\.(?P<y>\d{4})"
        r"(?:\s+(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2}))?)?$",
    ),
    (
        "US date",
        "01/31/2024",
        r"^(?P<a>\d{1,2})/(?P<b>\d{1,2})/(?P<y>\d{4})"
        r"(?:\s+(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2}))?\s*(?P<p>[AaPp][Mm])?)?$",
    ),
)
_LABEL_FREQ = {
    "month": "M",
    "month name": "M",
    "quarter": "Q",
    "quarter first": "Q",
    "year": "Y",
    "fiscal year": "Y",
    "fiscal quarter": "Q",
}
ADVICE = (
    "Use one format for the whole column: dates (2024-01-31 or 01/31/2024), "
    "months (2024-01), quarters (2024-Q1), years (2024) or fiscal years (FY2024)."
)


@dataclass(frozen=True)
class ParsedPeriods:
    """The period column parsed, per row.

    Attributes:
        month: Month index of the period start (year * 12 + month - 1), per row.
        stamp: Exact moment of the report (nanoseconds since 1970; the month index for labels),
            per row: orders reports inside a period and tells true duplicates apart.
        native: ``"M"``, ``"Q"`` or ``"Y"`` for labels, ``"D"`` for dates.
        family: The format found (e.g. ``"ISO date"``).
    """

    month: np.ndarray
    stamp: np.ndarray
    native: str
    family: str


def _month_index(y: np.ndarray, m: np.ndarray) -> np.ndarray:
    return y.astype(np.int64) * 12 + m.astype(np.int64) - 1


def parse_periods(col: pd.Series, *, column: str, file: str) -> ParsedPeriods:
    """Parse a period column (strings; index = file row numbers), each distinct label once.

    Raises:
        InputError: Blank periods, values that are not periods, mixed formats, or impossible
            dates; the message names the rows.
    """
    rows = np.asarray(col.index)
    codes, uniques = pd.factorize(col.astype("str").str.strip(), sort=False)
    uniq = pd.Series(np.asarray(uniques, dtype=object), dtype="str")
    if (codes < 0).any() or (uniq == "").any():
        blank_codes = np.flatnonzero((uniq == "").to_numpy())
        blank = (codes < 0) | np.isin(codes, blank_codes)
        raise InputError(
            f"{file}: column '{column}' is blank on {describe_rows(rows[blank])}. "
            "Every row needs its period.",
            column=column,
            rows=first_rows(rows[blank]),
        )
    family_of = np.full(len(uniq), -1, dtype=np.int64)
    extracted: dict[int, pd.DataFrame] = {}
    for i, (_, _, rx) in enumerate(_FAMILIES):
        todo = family_of < 0
        if not todo.any():
            break
        ex = uniq[todo].str.extract(rx)
        # the first named group of every pattern is mandatory: it is set exactly on a match
        hit = ex.iloc[:, 0].notna().to_numpy()
        idx = np.flatnonzero(todo)[hit]
        family_of[idx] = i
        extracted[i] = ex[hit].set_axis(idx)
    unknown = family_of < 0
    if unknown.any():
        _raise_rows(codes, rows, unknown, uniq, column, file, "has values that are not periods")
    used = np.unique(family_of)
    names = {i: _FAMILIES[i][0] for i in used}
    if len({_family_group(n) for n in names.values()}) > 1:
        parts = []
        for i in used:
            mask = np.isin(codes, np.flatnonzero(family_of == i))
            parts.append(f"{_FAMILIES[i][1]} style on {describe_rows(rows[mask])}")
        minority = min(
            used, key=lambda i: int(np.isin(codes, np.flatnonzero(family_of == i)).sum())
        )
        bad_rows = rows[np.isin(codes, np.flatnonzero(family_of == minority))]
        raise InputError(
            f"{file}: column '{column}' mixes period formats: {'; '.join(parts)}. {ADVICE}",
            column=column,
            rows=first_rows(bad_rows),
        )
    month_u = np.zeros(len(uniq), dtype=np.int64)
    stamp_u = np.zeros(len(uniq), dtype=np.int64)
    invalid = np.zeros(len(uniq), dtype=bool)
    family = names[int(used[0])]
    native = _LABEL_FREQ.get(family, "D")
    for i in used:
        ex = extracted[int(i)]
        idx = ex.index.to_numpy()
        name = _FAMILIES[int(i)][0]
        y = ex["y"].astype(np.int64).to_numpy()
        if name == "month":
            m = ex["m"].astype(np.int64).to_numpy()
            invalid[idx] = (m < 1) | (m > 12)
            month_u[idx] = _month_index(y, np.clip(m, 1, 12))
        elif name == "month name":
            m = ex["mn"].str.lower().map(_MONTHS).to_numpy(dtype=float, na_value=np.nan)
            invalid[idx] = np.isnan(m)
            month_u[idx] = _month_index(y, np.nan_to_num(m, nan=1.0).astype(np.int64))
        elif name in ("quarter", "quarter first", "fiscal quarter"):
            q = ex["q"].astype(np.int64).to_numpy()
            month_u[idx] = _month_index(y, (q - 1) * 3 + 1)
        elif name in ("year", "fiscal year"):
            month_u[idx] = y * 12
        else:
            stamps, bad = _date_stamps(ex, name, column, file, codes, rows, idx)
            invalid[idx] = bad
            stamp_u[idx] = stamps
            days = stamps.astype("datetime64[ns]").astype("datetime64[M]").astype(np.int64)
            month_u[idx] = days + 1970 * 12
    if invalid.any():
        _raise_rows(codes, rows, invalid, uniq, column, file, "has impossible dates or months")
    if native != "D":
        stamp_u = month_u  # one label per period: the month orders reports inside a coarser period
    return ParsedPeriods(month=month_u[codes], stamp=stamp_u[codes], native=native, family=family)


def _family_group(name: str) -> str:
    # spellings of the same kind of label may be mixed ("2024-Q1" and "Q1 2024" are one format)
    return {"month name": "month", "quarter first": "quarter"}.get(name, name)


def _date_stamps(
    ex: pd.DataFrame,
    name: str,
    column: str,
    file: str,
    codes: np.ndarray,
    rows: np.ndarray,
    idx: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    y = ex["y"].astype(np.int64).to_numpy()
    if name != "US date":
        m = ex["m"].astype(np.int64).to_numpy()
        d = ex["d"].astype(np.int64).to_numpy()
    else:
        a = ex["a"].astype(np.int64).to_numpy()
        b = ex["b"].astype(np.int64).to_numpy()
        if (a > 12).any() and (b > 12).any():
            mask_a = np.isin(codes, idx[a > 12])
            mask_b = np.isin(codes, idx[b > 12])
            raise InputError(
                f"{file}: column '{column}' has slash dates read day first on "
                f"{describe_rows(rows[mask_a])} but month first on {describe_rows(rows[mask_b])}. "
                f"{ADVICE}",
                column=column,
                rows=first_rows(rows[mask_a | mask_b]),
            )
        m, d = (b, a) if (a > 12).any() else (a, b)
    hours = ex["H"].fillna("0").astype(np.int64).to_numpy()
    mins = ex["M"].fillna("0").astype(np.int64).to_numpy()
    secs = ex["S"].fillna("0").astype(np.int64).to_numpy()
    if "p" in ex:
        ampm = ex["p"].fillna("").str.lower().to_numpy(dtype=object)
        pm = ampm == "pm"
        am = ampm == "am"
        hours = np.where(am & (hours == 12), 0, hours)
        hours = np.where(pm & (hours < 12), hours + 12, hours)
    dates = pd.to_datetime({"year": y, "month": m, "day": d}, errors="coerce").to_numpy(
        dtype="datetime64[ns]"
    )
    bad = np.isnat(dates) | (hours > 23) | (mins > 59) | (secs > 59)
    stamps = np.where(bad, 0, dates.astype(np.int64))
    stamps = stamps + ((hours * 60 + mins) * 60 + secs) * 1_000_000_000
    return stamps, bad


def _raise_rows(
    codes: np.ndarray,
    rows: np.ndarray,
    bad_u: np.ndarray,
    uniq: pd.Series,
    column: str,
    file: str,
    what: str,
) -> None:
    mask = np.isin(codes, np.flatnonzero(bad_u))
    bad_rows = rows[mask]
    example = uniq.iloc[int(codes[np.flatnonzero(mask)[0]])]
    raise InputError(
        f"{file}: column '{column}' {what} on {describe_rows(bad_rows)} (e.g. {example!r}). "
        f"{ADVICE}",
        column=column,
        rows=first_rows(bad_rows),
    )


def infer_frequency(parsed: ParsedPeriods, leaf: np.ndarray) -> str:
    """The calendar frequency for parsed periods (see the module docstring for the rule).

    Args:
        parsed: The parsed period column.
        leaf: Integer leaf code per row (the same length).
    """
    if parsed.native != "D":
        return parsed.native
    day = parsed.stamp // (86_400 * 1_000_000_000)
    if len(np.unique(day)) <= 1:
        return "M"
    pairs_day = np.unique(
        leaf.astype(np.int64) * (int(day.max() - day.min()) + 1) + (day - day.min())
    )
    for freq in ("Y", "Q"):
        ordinal = to_ordinal(parsed.month, freq)
        span = int(ordinal.max() - ordinal.min()) + 1
        pairs = np.unique(leaf.astype(np.int64) * span + (ordinal - ordinal.min()))
        if len(pairs) == len(pairs_day):
            return freq
    return "M"


def check_frequency(native: str, wanted: str, *, column: str, file: str) -> str:
    """Resolve a requested frequency against the data's own ("auto" keeps it)."""
    if wanted == "auto":
        return native
    if native != "D" and _RANK[wanted] < _RANK[native]:
        raise InputError(
            f"{file}: column '{column}' holds {FREQUENCY_NAMES[native]} periods; they cannot be "
            f"split into {FREQUENCY_NAMES[wanted]} ones. Choose {FREQUENCY_NAMES[native]} or "
            "coarser.",
            column=column,
        )
    return wanted


def to_ordinal(month: np.ndarray | int, frequency: str) -> np.ndarray:
    """Period ordinal at `frequency` from a month index (year * 12 + month - 1)."""
    m = np.asarray(month, dtype=np.int64)
    if frequency == "M":
        return m
    if frequency == "Q":
        return m // 3
    if frequency == "Y":
        return m // 12
    raise ValueError(f"unknown frequency {frequency!r}")


def label_of(ordinal: int, frequency: str) -> str:
    """The label of a period ordinal: ``2024-01``, ``2024-Q1`` or ``2024``."""
    if frequency == "M":
        y, m = divmod(int(ordinal), 12)
        return f"{y:04d}-{m + 1:02d}"
    if frequency == "Q":
        y, q = divmod(int(ordinal), 4)
        return f"{y:04d}-Q{q + 1}"
    if frequency == "Y":
        return f"{int(ordinal):04d}"
    raise ValueError(f"unknown frequency {frequency!r}")


def calendar(first: int, last: int, frequency: str) -> list[str]:
    """Every period label from ordinal `first` to `last` inclusive, without gaps."""
    return [label_of(o, frequency) for o in range(int(first), int(last) + 1)]


_LABEL_RX = {
    "M": re.compile(r"^(\d{4})-(\d{2})$"),
    "Q": re.compile(r"^(\d{4})-Q([1-4])$"),
    "Y": re.compile(r"^(\d{4})$"),
}


def ordinal_of(label: str, frequency: str) -> int:
    """The ordinal of a period label of the given frequency (inverse of `label_of`)."""
    rx = _LABEL_RX.get(frequency)
    match = rx.match(label.strip()) if rx else None
    if match is None:
        raise InputError(
            f"{label!r} is not a {FREQUENCY_NAMES.get(frequency, frequency)} period label "
            "(expected 2024-01, 2024-Q1 or 2024)."
        )
    y = int(match.group(1))
    if frequency == "M":
        m = int(match.group(2))
        if not 1 <= m <= 12:
            raise InputError(f"{label!r} is not a month (expected 2024-01 to 2024-12).")
        return y * 12 + m - 1
    if frequency == "Q":
        return y * 4 + int(match.group(2)) - 1
    return y


def next_periods(last: str, n: int, frequency: str) -> list[str]:
    """The `n` period labels that follow `last` on the calendar of `frequency` ("M", "Q", "Y").

    Raises:
        InputError: `last` is not a label of that frequency, or the portfolio has a single period.
    """
    if frequency == "single":
        raise InputError("A single-period portfolio has no next periods to forecast.")
    start = ordinal_of(last, frequency)
    return [label_of(start + k, frequency) for k in range(1, int(n) + 1)]
