"""The period checks of ``portfolio.engines.sqlcheck`` and what follows them: the period values
parsed by ``portfolio.periods`` (the distinct ones), the calendar's frequency, blank planned and
actual figures (plan ahead), repeated item and period, and the view ``cells``.

Month labels as the calendar writes them (``2024-01``: four digits, a dash, a month 01 to 12, the
shape a lake's period column usually has) are read without pandas (``sqlmonths``): every such value
is what the pandas parser reads as that month, so nothing else needs its parser; any other
value sends the column through ``portfolio.period_parse`` (pandas) and its messages.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa

from portfolio import messages
from portfolio.columns import named
from portfolio.engines.sqlbase import Cells, Ctx, Shape, rows_text
from portfolio.engines.sqldups import raise_duplicates
from portfolio.engines.sqlmonths import PeriodSet, month_labels
from portfolio.errors import InputError
from portfolio.mapping import AmountSpec, ColumnMapping
from portfolio.periods import calendar, check_frequency, label_of, to_ordinal

if TYPE_CHECKING:
    import pandas as pd

EXACT_PERIOD_ROWS = 2_000_000
_NS_PER_DAY = 86_400 * 1_000_000_000


def _distinct_periods(c: Ctx) -> list[str]:
    got = c.s.rows(f"SELECT DISTINCT per FROM raw WHERE {c.cost} AND per IS NOT NULL")
    return sorted(v for r in got if (v := str(r[0])).strip())


def _parse_distinct(c: Ctx, values: list[str], column: str) -> tuple[pd.DataFrame, str, str]:
    """Each distinct period value parsed (value, month, stamp), the native frequency, family."""
    import pandas as pd  # the loader's parser, for any period format but month labels

    from portfolio.period_parse import parse_periods

    series = pd.Series(values, index=pd.RangeIndex(2, 2 + len(values)), dtype="str")
    try:
        parsed = parse_periods(series, column=column, file=c.file)
    except InputError:
        _raise_period_rows(c, column)
        raise
    frame = pd.DataFrame({"value": values, "month": parsed.month, "stamp": parsed.stamp})
    return frame, parsed.native, parsed.family


def _raise_period_rows(c: Ctx, column: str) -> None:
    """Re-parse with the true file rows, so the message names them as the pandas loader does."""
    import pandas as pd

    from portfolio.period_parse import parse_periods

    total = c.count(c.cost)
    if total <= EXACT_PERIOD_ROWS:
        got = c.s.rows(f"SELECT __row, per FROM raw_r WHERE {c.cost} ORDER BY __row")
    else:  # the first row of each distinct value: the rows named are true, the count is not
        got = c.s.rows(
            f"SELECT MIN(__row), per FROM raw_r WHERE {c.cost} GROUP BY per ORDER BY MIN(__row)"
        )
    rows = np.array([int(r[0]) for r in got], dtype=np.int64)
    series = pd.Series(["" if r[1] is None else str(r[1]) for r in got], index=rows, dtype="str")
    parse_periods(series, column=column, file=c.file)


def _frequency(c: Ctx, pm: pd.DataFrame, native: str, wanted: str, column: str) -> str:
    if wanted != "auto":
        return check_frequency(native, wanted, column=column, file=c.file)
    if native != "D":
        return native
    # dates: the coarsest calendar that keeps every item's dates apart (portfolio.periods)
    day = pm["stamp"].to_numpy() // _NS_PER_DAY
    if len(np.unique(day)) <= 1:
        return "M"
    keys = ", ".join(c.ls)

    def pairs(expr: str) -> int:
        sql = (
            f"SELECT COUNT(*) FROM (SELECT DISTINCT {keys}, {expr} FROM raw "
            f"JOIN pmap ON raw.per = pmap.value WHERE {c.cost}) t"
        )
        return int(c.s.rows(sql)[0][0])

    by_day = pairs("pmap.day")
    for freq in ("Y", "Q"):
        if pairs(f"pmap.o{freq}") == by_day:
            return freq
    return "M"


def _periods(c: Ctx, n: dict[str, int], column: str, mapping: ColumnMapping) -> PeriodSet:
    if n["per_blank"]:
        filled = _distinct_periods(c)
        if filled:  # values that are not periods are named first, as the pandas loader does
            _parse_distinct(c, filled, column)
        c.raise_rows(
            f"{c.cost} AND (per IS NULL OR per = '')", n["per_blank"], messages.PERIOD_BLANK, column
        )
    values = _distinct_periods(c)
    monthly = month_labels(c, values, mapping.frequency, column)
    if monthly is not None:
        return monthly
    pm, native, _family = _parse_distinct(c, values, column)
    month = pm["month"].to_numpy(dtype=np.int64)
    pm["day"] = pm["stamp"].to_numpy() // _NS_PER_DAY
    pm["oY"] = to_ordinal(month, "Y")
    pm["oQ"] = to_ordinal(month, "Q")
    c.s.register("pmap", pa.Table.from_pandas(pm, preserve_index=False))
    frequency = _frequency(c, pm, native, mapping.frequency, column)
    pm["ord"] = to_ordinal(month, frequency)
    pm["label"] = [label_of(int(o), frequency) for o in pm["ord"]]
    if native != "D":
        pm["stamp"] = pm["month"]
    c.s.register("pmap", pa.Table.from_pandas(pm, preserve_index=False))
    identity = bool((pm["value"] == pm["label"]).all())
    return PeriodSet(frequency=frequency, labels=(), native=native, identity=identity)


def periods_and_rest(
    c: Ctx,
    n: dict[str, int],
    levels: tuple[str, ...],
    period_col: str | None,
    mapping: ColumnMapping,
    specs: tuple[AmountSpec, AmountSpec],
    names: tuple[str, str],
) -> Cells:
    p_spec, a_spec = specs
    planned_name, actual_name = names
    per = _period_map(c, n, period_col, mapping)
    join = "JOIN pmap ON raw.per = pmap.value"
    join_r = "JOIN pmap ON raw_r.per = pmap.value"
    if n["p_blank"]:
        col = p_spec.first
        c.raise_rows(
            f"{c.cost} AND {c.p1} IS NULL AND {c.a1} IS NOT NULL",
            n["p_blank"],
            messages.PLANNED_BLANK,
            col,
            named=named(col, "planned"),
            actual=actual_name,
        )
    keys = ", ".join(c.ls)
    future = "FALSE"
    if n["plan_only"]:
        future, join, join_r = _plan_ahead(
            c, n["plan_only"], per, (join, join_r), a_spec.first, planned_name
        )
    c.s.view(
        "kept", f"SELECT raw.*, pmap.ord, pmap.stamp, pmap.label FROM raw {join} WHERE {c.cost}"
    )
    c.s.view(
        "kept_r",
        f"SELECT raw_r.*, pmap.ord, pmap.stamp, pmap.label FROM raw_r {join_r} WHERE {c.cost}",
    )
    by_label = n["plan_only"] == 0 and per.native != "D" and per.frequency == per.native
    if not by_label and not mapping.sum_duplicates:
        dups = c.s.rows(
            f"SELECT COUNT(*), SUM(n) FROM (SELECT COUNT(*) AS n FROM kept "
            f"GROUP BY {keys}, stamp HAVING COUNT(*) > 1) t"
        )[0]
        if int(dups[0] or 0):
            raise_duplicates(c, levels, period_col, int(dups[1]))
    amounts = f"{c.planned} AS planned, COALESCE({c.actual}, CAST(0 AS DOUBLE)) AS actual"
    if per.identity and not n["plan_only"]:  # no join: the values are the labels
        cells = f"SELECT {keys}, per AS period, {amounts} FROM raw WHERE {c.cost}"
    else:
        cells = (
            f"SELECT {keys}, pmap.label AS period, {amounts} FROM raw {join} "
            f"WHERE {c.cost} AND NOT {future}"
        )
    c.s.view("cells", cells)
    first_ord, last_ord, rows = _span(c, n, f"FROM raw {join} WHERE {c.cost} AND NOT {future}")
    if not rows:
        raise InputError(messages.NO_ACTUAL_YET.format(file=c.file, actual=actual_name))
    if per.frequency == "single":
        labels: tuple[str, ...] = (mapping.label,)
    else:
        labels = tuple(calendar(first_ord, last_ord, per.frequency))
    on_dup = None
    if by_label and not mapping.sum_duplicates:

        def on_dup(total: int) -> None:
            raise_duplicates(c, levels, period_col, total)

    shape = Shape(rows=rows, leaves=n["leaves"], separator=n["sep"] > 0)
    return Cells(levels=levels, periods=labels, on_duplicates=on_dup, shape=shape)


def _period_map(
    c: Ctx, n: dict[str, int], period_col: str | None, mapping: ColumnMapping
) -> PeriodSet:
    """The periods parsed and registered as ``pmap`` (one empty value for a single period)."""
    if period_col is not None:
        return _periods(c, n, period_col, mapping)
    c.s.values(
        "pmap",
        {
            "value": ("VARCHAR", [""]),
            "ord": ("BIGINT", [0]),
            "stamp": ("BIGINT", [0]),
            "label": ("VARCHAR", [mapping.label]),
        },
    )
    return PeriodSet(frequency="single", labels=(mapping.label,), native="single")


def _span(c: Ctx, n: dict[str, int], kept: str) -> tuple[int, int, int]:
    """The first and last period ordinal of ``cells`` and its rows (``kept``: the rows of
    ``cells`` as ``FROM ... WHERE ...`` over ``raw`` and ``pmap``, when plan-ahead rows are
    left out; else every period and every row with a cost figure count)."""
    if n["plan_only"]:
        got = c.s.rows(f"SELECT COUNT(*), MIN(pmap.ord), MAX(pmap.ord) {kept}")[0]
        if not int(got[0]):
            return 0, 0, 0
        return int(got[1]), int(got[2]), int(got[0])
    got = c.s.rows("SELECT MIN(ord), MAX(ord) FROM pmap")[0]
    return int(got[0]), int(got[1]), n["n"] - n["no_cost"]


def _plan_ahead(
    c: Ctx, count: int, per: PeriodSet, joins: tuple[str, str], actual_col: str, planned_name: str
) -> tuple[str, str, str]:
    """Rows with a plan but no actual: an error before the item's last actual, else plan ahead.

    Returns:
        The condition of the plan-ahead rows (left out of ``cells``) and the two joins with the
        items' last actual period added.
    """
    join, join_r = joins
    keys = ", ".join(c.ls)
    plan_only = f"{c.cost} AND {c.a1} IS NULL AND {c.p1} IS NOT NULL"
    if per.frequency == "single":
        c.raise_rows(
            plan_only,
            count,
            messages.ACTUAL_BLANK,
            actual_col,
            named=named(actual_col, "actual"),
            planned=planned_name,
        )
    c.s.view(
        "last_actual",
        f"SELECT {keys}, MAX(pmap.ord) AS la FROM raw {join} "
        f"WHERE {c.cost} AND {c.a1} IS NOT NULL GROUP BY {keys}",
    )
    inside = f"{plan_only} AND la IS NOT NULL AND ord <= la"
    c.s.view(
        "raw_la",
        f"SELECT raw_r.*, pmap.ord, last_actual.la FROM raw_r {join_r} "
        f"LEFT JOIN last_actual USING ({keys})",
    )
    n_inside = c.count(inside, "raw_la")
    if n_inside:
        first = c.first(inside, "raw_la")
        raise InputError(
            messages.ACTUAL_BLANK_BEFORE_LAST.format(
                file=c.file, named=named(actual_col, "actual"), rows=rows_text(first, n_inside)
            ),
            column=actual_col,
            rows=first,
        )
    future = f"({plan_only} AND (la IS NULL OR pmap.ord > la))"
    join = join + f" LEFT JOIN last_actual USING ({keys})"
    join_r = join_r + f" LEFT JOIN last_actual USING ({keys})"
    return future, join, join_r
