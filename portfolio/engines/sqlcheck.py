"""Validation of Parquet input in SQL, with the messages of ``portfolio.load``.

The pandas loader holds every cell in memory; at 100 M rows that is several times the machine.
So the SQL engines check the rows where they are: one scan counts every per-row problem, the
hierarchy and period checks run on grouped rows, and only when a check fails do further queries
fetch the first offending file rows (the slow path is paid by bad files only). Each message is
worded as the pandas loader words it, naming the file, the column and the rows (the row numbers of
``portfolio.engines.source``), in the same order of checks, so a bad row is named the same way on
every engine (``tests/portfolio/test_engines_validation.py`` compares them).

Checked here: the mapped columns (the same resolution as the loader), amounts stored as numbers
and finite, rows with no cost figure set aside, a file with none, the hierarchy (a blank level
above a filled one, a blank top level, a path that is both an item and a parent), blank periods,
the period formats (parsed by ``portfolio.periods`` over the distinct values), a planned figure
blank beside an actual, a blank actual before an item's last actual (after it: plan ahead, left
out of the rollup), repeated item and period (or summed with ``sum_duplicates``), no actual at all.

Not here (the pandas engine has them): text amounts (``$1,234``, decimal commas; refused with
advice), the ``level`` measure, the check that totals overflow a float, and the dense-grid size
limit (it protects the pandas rollup's memory; the SQL engines are out of core).
Period format errors name the exact rows when the file has at most ``EXACT_PERIOD_ROWS`` rows;
above that, the first row of each offending value.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import pandas as pd
import pyarrow as pa

from portfolio.engines.sqltext import Dialect, level_names
from portfolio.errors import InputError
from portfolio.load import _resolve_amount, _resolve_column
from portfolio.mapping import AmountSpec, ColumnMapping
from portfolio.periods import (
    calendar,
    check_frequency,
    label_of,
    parse_periods,
    to_ordinal,
)
from portfolio.rownums import MAX_SHOWN, plural

EXACT_PERIOD_ROWS = 2_000_000
_NS_PER_DAY = 86_400 * 1_000_000_000


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
    """

    levels: tuple[str, ...]
    periods: tuple[str, ...]
    on_duplicates: Callable[[int], None] | None = None


def rows_text(first: Sequence[int], total: int) -> str:
    """``portfolio.rownums.describe_rows`` from the first rows and the count alone."""
    shown = [int(r) for r in sorted(first)[:MAX_SHOWN]]
    if total == 0:
        return "no rows"
    if total == 1:
        return f"row {shown[0]}"
    parts = [str(r) for r in shown]
    if total <= MAX_SHOWN:
        return "rows " + ", ".join(parts[:-1]) + " and " + parts[-1]
    return "rows " + ", ".join(parts) + f" and {total - MAX_SHOWN} more"


def _named(column: str, role: str) -> str:
    norm = " ".join(str(column).casefold().split())
    return f"column '{column}'" if norm == role else f"column '{column}' ({role})"


@dataclass(frozen=True)
class _Ctx:
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

    def raise_rows(self, where: str, total: int, text: str, column: str) -> None:
        first = self.first(where)
        raise InputError(text.format(rows=rows_text(first, total)), column=column, rows=first)


def _amount_expr(spec: AmountSpec, alias: dict[str, str]) -> str:
    a = alias[spec.first]
    if spec.second is None:
        return a
    b = alias[spec.second]
    sign = "-" if spec.sign < 0 else "+"
    return f"CASE WHEN {a} IS NULL THEN NULL ELSE {a} {sign} COALESCE({b}, 0) END"


def _check_types(schema: pa.Schema, amounts: Sequence[str], file: str, engine: str) -> None:
    for col in amounts:
        t = schema.field(col).type
        if not (
            pa.types.is_integer(t)
            or pa.types.is_floating(t)
            or pa.types.is_decimal(t)
            or pa.types.is_null(t)
        ):
            raise InputError(
                f"{file}: column '{col}' holds {t} values in the Parquet file; the {engine} "
                "engine reads amounts stored as numbers. Use --engine pandas (it reads text "
                "amounts such as '$1,234.56'), or write the column as numbers.",
                column=col,
            )


def validated_cells(s: Session, schema: pa.Schema, file: str, mapping: ColumnMapping) -> Cells:
    """Check the rows of the view ``raw_src`` (and ``raw_rows``: the same with ``__row``) and
    define the view ``cells`` (``l1 .. lk``, ``period``, ``planned``, ``actual``).

    Raises:
        InputError: The first problem found, worded as the pandas loader words it.
    """
    if mapping.measure != "flow":
        raise InputError(
            f"The {s.engine} engine rolls up flows (spend per period) only; for a running total "
            "or re-forecast (--measure level) use --engine pandas."
        )
    columns = [str(c) for c in schema.names]
    notes: list[str] = []
    levels = tuple(
        _resolve_column(c, columns, "hierarchy level", file, notes) for c in mapping.levels
    )
    period_col = (
        _resolve_column(mapping.period, columns, "period", file, notes)
        if mapping.period is not None
        else None
    )
    p_spec = _resolve_amount(mapping.planned, columns, "planned", file, notes)
    a_spec = _resolve_amount(mapping.actual, columns, "actual", file, notes)
    structural = [*levels, *([period_col] if period_col else [])]
    if len(set(structural)) < len(structural) or set(structural) & set(
        p_spec.columns + a_spec.columns
    ):
        raise InputError(
            f"{file}: a column is mapped to two roles ({', '.join(structural)}; planned "
            f"{mapping.planned}; actual {mapping.actual}). Each column can play one role only."
        )
    amount_cols = list(dict.fromkeys(p_spec.columns + a_spec.columns))
    _check_types(schema, amount_cols, file, s.engine)
    d = s.dialect
    alias = {c: f"m{i}" for i, c in enumerate(amount_cols)}
    ls = tuple(level_names(len(levels)))
    select = [
        f"{d.strip(f'COALESCE({d.text(d.quote(c))}, {chr(39)}{chr(39)})')} AS {a}"
        for c, a in zip(levels, ls, strict=True)
    ]
    select.append(f"{d.strip(d.text(d.quote(period_col)))} AS per" if period_col else "'' AS per")
    select += [f"CAST({d.quote(c)} AS DOUBLE) AS {a}" for c, a in alias.items()]
    body = ", ".join(select)
    s.view("raw", f"SELECT {body} FROM raw_src")
    s.view("raw_r", f"SELECT {body}, __row FROM raw_rows")
    planned, actual = _amount_expr(p_spec, alias), _amount_expr(a_spec, alias)
    p_first, a_first = alias[p_spec.first], alias[a_spec.first]
    cost = f"({p_first} IS NOT NULL OR {a_first} IS NOT NULL)"
    c = _Ctx(s, file, len(levels), ls, cost, planned, actual, p_first, a_first)
    planned_name = (" - " if p_spec.sign < 0 else " + ").join(p_spec.columns)
    actual_name = (" - " if a_spec.sign < 0 else " + ").join(a_spec.columns)

    # one scan counts every per-row problem
    depth = " + ".join(f"CASE WHEN {lv} <> '' THEN 1 ELSE 0 END" for lv in ls)
    checks = {f"bad_{a}": f"NOT ({a} - {a} = 0)" for a in alias.values()}
    checks["no_cost"] = f"NOT {cost}"
    for i, lv in enumerate(ls):
        below = " OR ".join(f"{x} <> ''" for x in ls[i + 1 :]) or "FALSE"
        checks[f"gap_{lv}"] = f"{cost} AND {lv} = '' AND ({below})"
    checks["top"] = f"{cost} AND {ls[0]} = ''"
    checks["ragged"] = f"{cost} AND ({depth}) < {len(ls)}"
    checks["per_blank"] = f"{cost} AND (per IS NULL OR per = '')"
    checks["p_blank"] = f"{cost} AND {p_first} IS NULL AND {a_first} IS NOT NULL"
    checks["plan_only"] = f"{cost} AND {a_first} IS NULL AND {p_first} IS NOT NULL"
    sums = ", ".join(f"SUM(CASE WHEN {w} THEN 1 ELSE 0 END) AS {n}" for n, w in checks.items())
    got = s.rows(f"SELECT COUNT(*) AS n, {sums} FROM raw")[0]
    n = dict(zip(["n", *checks], (int(v or 0) for v in got), strict=True))
    if n["n"] == 0:
        raise InputError(f"{file} has a header but no data rows.")
    for col, a in alias.items():
        if n[f"bad_{a}"]:
            where = f"NOT ({a} - {a} = 0)"
            first_value = s.rows(f"SELECT {a} FROM raw_r WHERE {where} ORDER BY __row LIMIT 1")
            example = str(pa.array([first_value[0][0]], pa.float64()).cast(pa.string())[0])
            c.raise_rows(
                where,
                n[f"bad_{a}"],
                f"{file}: column '{col}' has values that are not finite amounts on {{rows}} "
                f"(e.g. {example!r}): NaN, infinity, numbers too large, or spreadsheet errors "
                "such as #N/A cannot be added up. Fix them in the source, or leave the cell blank "
                "if there is no figure.",
                col,
            )
    if n["no_cost"] == n["n"]:
        raise InputError(
            f"{file}: no row has a cost figure: '{planned_name}' and '{actual_name}' are blank "
            "on every row."
        )
    _check_hierarchy(c, n, levels, depth)
    return _periods_and_rest(
        c, n, levels, period_col, mapping, (p_spec, a_spec), (planned_name, actual_name)
    )


def _check_hierarchy(c: _Ctx, n: dict[str, int], levels: tuple[str, ...], depth: str) -> None:
    ls = c.ls
    for i, lv in enumerate(ls):
        if n[f"gap_{lv}"]:
            below = [levels[j] for j in range(i + 1, len(levels))]
            filled = " OR ".join(f"{x} <> ''" for x in ls[i + 1 :])
            where = f"{c.cost} AND {lv} = '' AND ({filled})"
            c.raise_rows(
                where,
                n[f"gap_{lv}"],
                f"{c.file}: column '{levels[i]}' is blank on {{rows}} while a lower level "
                f"({', '.join(repr(b) for b in below)}) is filled. Only the lowest levels may be "
                "blank (the row is then an item directly under the level above).",
                levels[i],
            )
    top = f"{c.cost} AND {ls[0]} = ''"
    n_top = n["top"]
    if n_top:
        c.raise_rows(
            top,
            n_top,
            f"{c.file}: column '{levels[0]}' is blank on {{rows}}: every row needs at least its "
            "top hierarchy level.",
            levels[0],
        )
    if not n["ragged"]:
        return
    for dd in range(1, len(ls)):
        prefix = ", ".join(ls[:dd])
        clash = (
            f"SELECT {prefix} FROM raw WHERE {c.cost} GROUP BY {prefix} "
            f"HAVING MAX(CASE WHEN ({depth}) = {dd} THEN 1 ELSE 0 END) = 1 "
            f"AND MAX(CASE WHEN ({depth}) > {dd} THEN 1 ELSE 0 END) = 1"
        )
        c.s.view("clash", clash)
        on = f"{c.cost} AND ({depth}) = {dd}"
        hit = c.s.rows(
            f"SELECT r.__row, {', '.join(f'r.{x}' for x in ls[:dd])} FROM raw_r r "
            f"JOIN clash USING ({prefix}) WHERE {on} ORDER BY r.__row LIMIT 1"
        )
        if not hit:
            continue
        path_values = [str(v) for v in hit[0][1:]]
        c.s.register("pick", pa.table({x: [v] for x, v in zip(ls[:dd], path_values, strict=True)}))
        c.s.view("raw_pick", f"SELECT r.* FROM raw_r r JOIN pick USING ({prefix})")
        deeper = f"{c.cost} AND ({depth}) > {dd}"
        leaf_where = f"{c.cost} AND ({depth}) = {dd}"
        parent_rows = rows_text(c.first(deeper, "raw_pick"), c.count(deeper, "raw_pick"))
        leaf_rows = rows_text(c.first(leaf_where, "raw_pick"), c.count(leaf_where, "raw_pick"))
        c.s.view("raw_clash", f"SELECT r.* FROM raw_r r JOIN clash USING ({prefix})")
        all_first = c.first(leaf_where, "raw_clash")
        path = " / ".join(path_values)
        raise InputError(
            f"{c.file}: '{path}' is an item on {leaf_rows} (column '{levels[dd]}' blank) but has "
            f"items below it on {parent_rows}. A parent's figures must be the sum of its "
            f"children: put those amounts on a child row (fill in '{levels[dd]}'), or move them.",
            column=levels[dd],
            rows=all_first,
        )


@dataclass(frozen=True)
class _Periods:
    """The distinct period values parsed: ``map`` is registered as ``pmap``."""

    frequency: str
    labels: tuple[str, ...]
    native: str
    identity: bool = False  # every value is already its calendar label (2024-01 as 2024-01)


def _parse_distinct(c: _Ctx, column: str) -> tuple[pd.DataFrame, str, str]:
    """Each distinct period value parsed (value, month, stamp), the native frequency, family."""
    values = [str(r[0]) for r in c.s.rows(f"SELECT DISTINCT per FROM raw WHERE {c.cost}")]
    values.sort()
    series = pd.Series(values, index=pd.RangeIndex(2, 2 + len(values)), dtype="str")
    try:
        parsed = parse_periods(series, column=column, file=c.file)
    except InputError:
        _raise_period_rows(c, column)
        raise
    frame = pd.DataFrame({"value": values, "month": parsed.month, "stamp": parsed.stamp})
    return frame, parsed.native, parsed.family


def _raise_period_rows(c: _Ctx, column: str) -> None:
    """Re-parse with the true file rows, so the message names them as the pandas loader does."""
    total = c.count(c.cost)
    if total <= EXACT_PERIOD_ROWS:
        got = c.s.rows(f"SELECT __row, per FROM raw_r WHERE {c.cost} ORDER BY __row")
    else:  # the first row of each distinct value: the rows named are true, the count is not
        got = c.s.rows(
            f"SELECT MIN(__row), per FROM raw_r WHERE {c.cost} GROUP BY per ORDER BY MIN(__row)"
        )
    rows = np.array([int(r[0]) for r in got], dtype=np.int64)
    series = pd.Series([str(r[1]) for r in got], index=rows, dtype="str")
    parse_periods(series, column=column, file=c.file)


def _frequency(c: _Ctx, pm: pd.DataFrame, native: str, wanted: str, column: str) -> str:
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


def _periods(c: _Ctx, n: dict[str, int], column: str, mapping: ColumnMapping) -> _Periods:
    if n["per_blank"]:
        c.raise_rows(
            f"{c.cost} AND (per IS NULL OR per = '')",
            n["per_blank"],
            f"{c.file}: column '{column}' is blank on {{rows}}. Every row needs its period.",
            column,
        )
    pm, native, _family = _parse_distinct(c, column)
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
    return _Periods(frequency=frequency, labels=(), native=native, identity=identity)


def _periods_and_rest(
    c: _Ctx,
    n: dict[str, int],
    levels: tuple[str, ...],
    period_col: str | None,
    mapping: ColumnMapping,
    specs: tuple[AmountSpec, AmountSpec],
    names: tuple[str, str],
) -> Cells:
    p_spec, a_spec = specs
    planned_name, actual_name = names
    if period_col is not None:
        per = _periods(c, n, period_col, mapping)
        join = "JOIN pmap ON raw.per = pmap.value"
        join_r = "JOIN pmap ON raw_r.per = pmap.value"
    else:
        per = _Periods(frequency="single", labels=(mapping.label,), native="single")
        c.s.register(
            "pmap",
            pa.table({"value": [""], "ord": [0], "stamp": [0], "label": [mapping.label]}),
        )
        join = "JOIN pmap ON raw.per = pmap.value"
        join_r = "JOIN pmap ON raw_r.per = pmap.value"
    if n["p_blank"]:
        col = p_spec.first
        c.raise_rows(
            f"{c.cost} AND {c.p1} IS NULL AND {c.a1} IS NOT NULL",
            n["p_blank"],
            f"{c.file}: {_named(col, 'planned')} is blank on {{rows}} although "
            f"'{actual_name}' has a figure. Enter 0 where nothing was planned.",
            col,
        )
    keys = ", ".join(c.ls)
    plan_only = f"{c.cost} AND {c.a1} IS NULL AND {c.p1} IS NOT NULL"
    future = "FALSE"
    if n["plan_only"]:
        if per.frequency == "single":
            c.raise_rows(
                plan_only,
                n["plan_only"],
                f"{c.file}: {_named(a_spec.first, 'actual')} is blank on {{rows}} although "
                f"'{planned_name}' has a figure. Enter 0 where nothing was spent.",
                a_spec.first,
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
                f"{c.file}: {_named(a_spec.first, 'actual')} is blank on "
                f"{rows_text(first, n_inside)}, in periods up to the item's last actual figure. "
                "Enter 0 where nothing was spent (a blank actual is only read as plan ahead after "
                "an item's last actual).",
                column=a_spec.first,
                rows=first,
            )
        future = f"({plan_only} AND (la IS NULL OR pmap.ord > la))"
        join = join + f" LEFT JOIN last_actual USING ({keys})"
        join_r = join_r + f" LEFT JOIN last_actual USING ({keys})"
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
    if n["plan_only"]:
        got = c.s.rows(
            f"SELECT COUNT(*), MIN(pmap.ord), MAX(pmap.ord) FROM raw {join} "
            f"WHERE {c.cost} AND NOT {future}"
        )[0]
        if not int(got[0]):
            raise InputError(
                f"{c.file}: no row has an actual figure ('{actual_name}' is blank everywhere), "
                "so there is nothing to compare the plan with yet."
            )
        first_ord, last_ord = int(got[1]), int(got[2])
    else:
        got = c.s.rows("SELECT MIN(ord), MAX(ord) FROM pmap")[0]
        first_ord, last_ord = int(got[0]), int(got[1])
    if per.frequency == "single":
        labels: tuple[str, ...] = (mapping.label,)
    else:
        labels = tuple(calendar(first_ord, last_ord, per.frequency))
    on_dup = None
    if by_label and not mapping.sum_duplicates:

        def on_dup(total: int) -> None:
            raise_duplicates(c, levels, period_col, total)

    return Cells(levels=levels, periods=labels, on_duplicates=on_dup)


def raise_duplicates(c: _Ctx, levels: tuple[str, ...], period_col: str | None, total: int) -> None:
    """The pandas loader's message for repeated (item, period) rows, from the view ``kept_r``."""
    keys = ", ".join(c.ls)
    c.s.view(
        "dup",
        f"SELECT {keys}, stamp, COUNT(*) AS n FROM kept_r GROUP BY {keys}, stamp "
        "HAVING COUNT(*) > 1",
    )
    c.s.view("leaf_first", f"SELECT {keys}, MIN(__row) AS lr FROM kept_r GROUP BY {keys}")
    pick = c.s.rows(
        f"SELECT {keys}, dup.stamp, dup.n FROM dup JOIN leaf_first USING ({keys}) "
        f"JOIN (SELECT DISTINCT stamp, ord FROM pmap) o ON dup.stamp = o.stamp "
        f"ORDER BY leaf_first.lr, o.ord, dup.stamp LIMIT 1"
    )[0]
    values = [str(v) for v in pick[: c.k]]
    stamp, n_group = int(pick[c.k]), int(pick[c.k + 1])
    c.s.register(
        "pick", pa.table({**{x: [v] for x, v in zip(c.ls, values, strict=True)}, "stamp": [stamp]})
    )
    c.s.view("dup_rows", f"SELECT kept_r.* FROM kept_r JOIN dup USING ({keys}, stamp)")
    c.s.view("pick_rows", f"SELECT kept_r.* FROM kept_r JOIN pick USING ({keys}, stamp)")
    bad_first = c.first("TRUE", "dup_rows")
    group_first = c.first("TRUE", "pick_rows")
    path = " / ".join(v for v in values if v != "")
    when = ""
    if period_col is not None:
        cell = c.s.rows(f"SELECT per FROM pick_rows WHERE __row = {group_first[0]}")[0][0]
        when = f" in {str(cell).strip()!r}"
    raise InputError(
        f"{c.file}: {plural(total, 'row')} repeat an item and period already in the file "
        f"({rows_text(bad_first, total)}); for example '{path}'{when} is on "
        f"{rows_text(group_first, n_group)}. Remove the repeats, or tick 'Sum duplicate "
        "rows' (--sum-duplicates) to add them up.",
        column=levels[-1] if period_col is None else period_col,
        rows=bad_first,
    )
