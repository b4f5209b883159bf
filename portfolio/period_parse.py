"""Parsing the period column: each row's period start month and exact report moment.

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

The formats themselves (names, examples, patterns) are in ``portfolio.period_formats``. Every
distinct label is parsed once and mapped back to the rows, so a million rows cost no more
than their few hundred distinct periods.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from portfolio import messages
from portfolio.errors import InputError
from portfolio.period_formats import ADVICE, FAMILIES, LABEL_FREQ, MONTHS
from portfolio.rownums import describe_rows, first_rows


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


@dataclass(frozen=True)
class _Labels:
    """The distinct labels of a period column and where they occur."""

    codes: np.ndarray  # label code per row
    rows: np.ndarray  # file row number per row
    uniq: pd.Series  # the distinct labels, stripped
    column: str
    file: str

    def rows_of(self, label_mask: np.ndarray) -> np.ndarray:
        """File rows whose label is selected by the mask over the distinct labels."""
        return self.rows[np.isin(self.codes, np.flatnonzero(label_mask))]


def _distinct(col: pd.Series, column: str, file: str) -> _Labels:
    rows = np.asarray(col.index)
    codes, uniques = pd.factorize(col.astype("str").str.strip(), sort=False)
    uniq = pd.Series(np.asarray(uniques, dtype=object), dtype="str")
    if (codes < 0).any() or (uniq == "").any():
        blank_codes = np.flatnonzero((uniq == "").to_numpy())
        blank = (codes < 0) | np.isin(codes, blank_codes)
        if not blank.all():  # values that are not periods say more than the blanks beside them
            _match_families(_distinct(col[~blank], column, file))
        raise InputError(
            messages.PERIOD_BLANK.format(file=file, column=column, rows=describe_rows(rows[blank])),
            column=column,
            rows=first_rows(rows[blank]),
        )
    return _Labels(np.asarray(codes), rows, uniq, column, file)


def _match_families(labels: _Labels) -> tuple[np.ndarray, dict[int, pd.DataFrame]]:
    """The format (index into `FAMILIES`) of each distinct label and its regex groups."""
    uniq = labels.uniq
    family_of = np.full(len(uniq), -1, dtype=np.int64)
    extracted: dict[int, pd.DataFrame] = {}
    for i, (_, _, rx) in enumerate(FAMILIES):
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
        _raise_rows(labels, unknown, "has values that are not periods")
    return family_of, extracted


def _check_one_format(labels: _Labels, family_of: np.ndarray) -> np.ndarray:
    """The formats used (sorted indices); refuses a column mixing formats, naming the rows."""
    used = np.unique(family_of)
    if len({_family_group(FAMILIES[i][0]) for i in used}) <= 1:
        return used
    parts = [
        f"{FAMILIES[i][1]} style on {describe_rows(labels.rows_of(family_of == i))}" for i in used
    ]
    minority = min(used, key=lambda i: len(labels.rows_of(family_of == i)))
    raise InputError(
        f"{labels.file}: column '{labels.column}' mixes period formats: {'; '.join(parts)}. "
        f"{ADVICE}",
        column=labels.column,
        rows=first_rows(labels.rows_of(family_of == minority)),
    )


def _label_months(name: str, ex: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Month index and invalid flag of labels (months, quarters, years) of one format."""
    y = ex["y"].astype(np.int64).to_numpy()
    invalid = np.zeros(len(ex), dtype=bool)
    if name == "month":
        m = ex["m"].astype(np.int64).to_numpy()
        return _month_index(y, np.clip(m, 1, 12)), (m < 1) | (m > 12)
    if name == "month name":
        m = ex["mn"].str.lower().map(MONTHS).to_numpy(dtype=float, na_value=np.nan)
        return _month_index(y, np.nan_to_num(m, nan=1.0).astype(np.int64)), np.isnan(m)
    if name in ("quarter", "quarter first", "fiscal quarter"):
        q = ex["q"].astype(np.int64).to_numpy()
        return _month_index(y, (q - 1) * 3 + 1), invalid
    return y * 12, invalid  # year, fiscal year


def parse_periods(col: pd.Series, *, column: str, file: str) -> ParsedPeriods:
    """Parse a period column (strings; index = file row numbers), each distinct label once.

    Raises:
        InputError: Blank periods, values that are not periods, mixed formats, or impossible
            dates; the message names the rows.
    """
    labels = _distinct(col, column, file)
    family_of, extracted = _match_families(labels)
    used = _check_one_format(labels, family_of)
    n = len(labels.uniq)
    month_u = np.zeros(n, dtype=np.int64)
    stamp_u = np.zeros(n, dtype=np.int64)
    invalid = np.zeros(n, dtype=bool)
    family = FAMILIES[int(used[0])][0]
    native = LABEL_FREQ.get(family, "D")
    for i in used:
        ex = extracted[int(i)]
        idx = ex.index.to_numpy()
        name = FAMILIES[int(i)][0]
        if name in LABEL_FREQ:
            month_u[idx], invalid[idx] = _label_months(name, ex)
            continue
        stamps, bad = _date_stamps(ex, name, labels, idx)
        invalid[idx] = bad
        stamp_u[idx] = stamps
        days = stamps.astype("datetime64[ns]").astype("datetime64[M]").astype(np.int64)
        month_u[idx] = days + 1970 * 12
    if invalid.any():
        _raise_rows(labels, invalid, "has impossible dates or months")
    if native != "D":
        stamp_u = month_u  # one label per period: the month orders reports inside a coarser period
    codes = labels.codes
    return ParsedPeriods(month=month_u[codes], stamp=stamp_u[codes], native=native, family=family)


def _family_group(name: str) -> str:
    # spellings of the same kind of label may be mixed ("2024-Q1" and "Q1 2024" are one format)
    return {"month name": "month", "quarter first": "quarter"}.get(name, name)


def _date_stamps(
    ex: pd.DataFrame, name: str, labels: _Labels, idx: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    y = ex["y"].astype(np.int64).to_numpy()
    if name != "US date":
        m = ex["m"].astype(np.int64).to_numpy()
        d = ex["d"].astype(np.int64).to_numpy()
    else:
        a = ex["a"].astype(np.int64).to_numpy()
        b = ex["b"].astype(np.int64).to_numpy()
        if (a > 12).any() and (b > 12).any():
            mask_a = np.isin(labels.codes, idx[a > 12])
            mask_b = np.isin(labels.codes, idx[b > 12])
            rows = labels.rows
            raise InputError(
                f"{labels.file}: column '{labels.column}' has slash dates read day first on "
                f"{describe_rows(rows[mask_a])} but month first on {describe_rows(rows[mask_b])}. "
                f"{ADVICE}",
                column=labels.column,
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


def _raise_rows(labels: _Labels, bad_u: np.ndarray, what: str) -> None:
    mask = np.isin(labels.codes, np.flatnonzero(bad_u))
    bad_rows = labels.rows[mask]
    example = labels.uniq.iloc[int(labels.codes[np.flatnonzero(mask)[0]])]
    raise InputError(
        f"{labels.file}: column '{labels.column}' {what} on {describe_rows(bad_rows)} "
        f"(e.g. {example!r}). {ADVICE}",
        column=labels.column,
        rows=first_rows(bad_rows),
    )
