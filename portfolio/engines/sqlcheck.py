"""Validation of Parquet input in SQL, with the messages of ``portfolio.load``.

The pandas loader holds every cell in memory; at 100 M rows that is several times the machine.
So the SQL engines check the rows where they are: one scan counts every per-row problem (and
what the rollup's query needs to know of the rows, ``sqlbase.Shape``, so that the rollup makes no
pass of its own before it runs), the hierarchy and period checks run on grouped rows, and only
when a check fails do further queries fetch the first offending file rows (the slow path is paid
by bad files only). Each message is
worded as the pandas loader words it, naming the file, the column and the rows (the row numbers of
``portfolio.engines.source``), in the same order of checks, so a bad row is named the same way on
every engine (``tests/portfolio/test_engines_validation.py`` compares them).

Checked here: the mapped columns (the same resolution as the loader), amounts stored as numbers
and finite, rows with no cost figure set aside, a file with none, the hierarchy (a blank level
above a filled one, a blank top level, a path that is both an item and a parent), blank periods,
the period formats (parsed by ``portfolio.periods`` over the distinct values), a planned figure
blank beside an actual, a blank actual before an item's last actual (after it: plan ahead, left
out of the rollup), repeated item and period (or summed with ``sum_duplicates``), no actual at all.

Not here (the pandas engine has them): the check that totals overflow a float, and the dense-grid
size limit (it protects the pandas rollup's memory; the SQL engines are out of core). Text amounts
are read by ``portfolio.engines.sqlamounts``; the ``level`` measure's rows, checked here as flow
rows are, are made into flows by ``portfolio.engines.sqllevels``.
The period checks and what follows them live in ``portfolio.engines.sqlperiods``; period format
errors name the exact rows when the file has at most ``EXACT_PERIOD_ROWS`` rows, above that the
first row of each offending value.
"""

from __future__ import annotations

import dataclasses

import pyarrow as pa

from portfolio import messages
from portfolio.columns import Header, map_columns
from portfolio.engines.sqlamounts import NUMBER, is_number, text_amounts
from portfolio.engines.sqlbase import Cells, Ctx, Session, rows_text
from portfolio.engines.sqllevels import level_cells
from portfolio.engines.sqlperiods import periods_and_rest
from portfolio.engines.sqlsums import NOT_MONEY, Precision, places_sql, precision_of
from portfolio.engines.sqltext import level_names
from portfolio.errors import InputError
from portfolio.mapping import AmountSpec, ColumnMapping
from portfolio.node_ids import SEP


def _amount_expr(spec: AmountSpec, alias: dict[str, str]) -> str:
    a = alias[spec.first]
    if spec.second is None:
        return a
    b = alias[spec.second]
    sign = "-" if spec.sign < 0 else "+"
    return f"CASE WHEN {a} IS NULL THEN NULL ELSE {a} {sign} COALESCE({b}, 0) END"


def _amounts(s: Session, schema: pa.Schema, alias: dict[str, str], file: str) -> tuple[str, str]:
    """The select list of the amount columns (doubles) and the joins that read text ones."""
    selects, joins = [], []
    for col, a in alias.items():
        if is_number(schema.field(col).type):
            selects.append(f"CAST(src.{s.dialect.quote(col)} AS DOUBLE) AS {a}")
        else:
            joins.append(text_amounts(s, col, a, file))
            selects.append(f"lk_{a}.{NUMBER} AS {a}")
    return ", ".join(selects), " ".join(joins)


def validated_cells(s: Session, schema: pa.Schema, file: str, mapping: ColumnMapping) -> Cells:
    """Check the rows of the view ``raw_src`` (and ``raw_rows``: the same with ``__row``) and
    define the view ``cells`` (``l1 .. lk``, ``period``, ``planned``, ``actual``).

    Raises:
        InputError: The first problem found, worded as the pandas loader words it.
    """
    names = tuple(str(c) for c in schema.names)
    mapped = map_columns(mapping, Header(names=names, written=names), file, [])
    levels, period_col = mapped.levels, mapped.period
    p_spec, a_spec = mapped.planned, mapped.actual
    amount_cols = list(dict.fromkeys(p_spec.columns + a_spec.columns))
    d = s.dialect
    alias = {c: f"m{i}" for i, c in enumerate(amount_cols)}
    ls = tuple(level_names(len(levels)))
    select = [
        f"{d.strip(f'COALESCE({d.text(d.quote(c))}, {chr(39)}{chr(39)})')} AS {a}"
        for c, a in zip(levels, ls, strict=True)
    ]
    select.append(f"{d.strip(d.text(d.quote(period_col)))} AS per" if period_col else "'' AS per")
    numbers, joins = _amounts(s, schema, alias, file)
    body = ", ".join([*select, numbers])
    s.view("raw", f"SELECT {body} FROM raw_src src {joins}")
    s.view("raw_r", f"SELECT {body}, src.__row FROM raw_rows src {joins}")
    planned, actual = _amount_expr(p_spec, alias), _amount_expr(a_spec, alias)
    p_first, a_first = alias[p_spec.first], alias[a_spec.first]
    cost = f"({p_first} IS NOT NULL OR {a_first} IS NOT NULL)"
    c = Ctx(s, file, len(levels), ls, cost, planned, actual, p_first, a_first)
    planned_name, actual_name = mapped.planned_name, mapped.actual_name

    depth = " + ".join(f"CASE WHEN {lv} <> '' THEN 1 ELSE 0 END" for lv in ls)
    n, sums = _scan(c, alias, depth)
    if n["no_cost"] == n["n"]:
        raise InputError(
            messages.NO_COST.format(file=file, planned=planned_name, actual=actual_name)
        )
    _check_hierarchy(c, n, levels, depth)
    cells = periods_and_rest(
        c, n, levels, period_col, mapping, (p_spec, a_spec), (planned_name, actual_name)
    )
    if mapping.measure != "flow":  # running totals or re-forecasts: made into flows
        return level_cells(c, cells, sums.decimals)
    return dataclasses.replace(cells, sums=sums)


def _scan(c: Ctx, alias: dict[str, str], depth: str) -> tuple[dict[str, int], Precision]:
    """One scan counting every per-row problem and finding the amounts' decimal places and
    gross size (the pandas rollup's exact-sum rule), then a count of the leaves; raises on an
    empty file or amounts not finite."""
    ls, cost = c.ls, c.cost
    checks = {f"bad_{a}": f"NOT ({a} - {a} = 0)" for a in alias.values()}
    checks["no_cost"] = f"NOT {cost}"
    for i, lv in enumerate(ls):
        below = " OR ".join(f"{x} <> ''" for x in ls[i + 1 :]) or "FALSE"
        checks[f"gap_{lv}"] = f"{cost} AND {lv} = '' AND ({below})"
    checks["top"] = f"{cost} AND {ls[0]} = ''"
    checks["ragged"] = f"{cost} AND ({depth}) < {len(ls)}"
    checks["per_blank"] = f"{cost} AND (per IS NULL OR per = '')"
    checks["p_blank"] = f"{cost} AND {c.p1} IS NULL AND {c.a1} IS NOT NULL"
    checks["plan_only"] = f"{cost} AND {c.a1} IS NULL AND {c.p1} IS NOT NULL"
    # what the rollup needs to know of the rows (portfolio.engines.sqlbase.Shape), in this scan
    holds_sep = " OR ".join(f"instr({lv}, '{SEP}') > 0" for lv in ls)
    checks["sep"] = f"{cost} AND ({holds_sep})"
    sums = ", ".join(f"SUM(CASE WHEN {w} THEN 1 ELSE 0 END) AS {n}" for n, w in checks.items())
    places = ", ".join(f"MAX({places_sql(a, c.s.dialect)})" for a in alias.values())
    gross = f"SUM(ABS({c.planned})), SUM(ABS({c.actual}))"
    got = c.s.rows(f"SELECT COUNT(*) AS n, {sums}, {places}, {gross} FROM raw")[0]
    counts, most, sizes = got[: len(checks) + 1], got[len(checks) + 1 : -2], got[-2:]
    n = dict(zip(["n", *checks], (int(v or 0) for v in counts), strict=True))
    if n["n"] == 0:
        raise InputError(messages.NO_DATA_ROWS.format(file=c.file))
    for col, a in alias.items():
        if n[f"bad_{a}"]:
            where = f"NOT ({a} - {a} = 0)"
            first_value = c.s.rows(f"SELECT {a} FROM raw_r WHERE {where} ORDER BY __row LIMIT 1")
            example = str(pa.array([first_value[0][0]], pa.float64()).cast(pa.string())[0])
            c.raise_rows(where, n[f"bad_{a}"], messages.NOT_FINITE, col, example=example)
    # a query of its own: a DISTINCT beside the scan's other sums made DuckDB take its slow
    # path for the whole scan (twice the scan's CPU at 10 M rows)
    leaves = f"SELECT COUNT(*) FROM (SELECT DISTINCT {', '.join(ls)} FROM raw WHERE {cost}) t"
    n["leaves"] = int(c.s.rows(leaves)[0][0] or 0)
    widest = max(int(v or 0) for v in most)
    decimals = None if widest == NOT_MONEY else widest
    return n, precision_of(decimals, sum(float(v or 0.0) for v in sizes))


def _check_hierarchy(c: Ctx, n: dict[str, int], levels: tuple[str, ...], depth: str) -> None:
    ls = c.ls
    for i, lv in enumerate(ls):
        if n[f"gap_{lv}"]:
            below = [levels[j] for j in range(i + 1, len(levels))]
            filled = " OR ".join(f"{x} <> ''" for x in ls[i + 1 :])
            where = f"{c.cost} AND {lv} = '' AND ({filled})"
            c.raise_rows(
                where,
                n[f"gap_{lv}"],
                messages.LEVEL_GAP,
                levels[i],
                below=", ".join(repr(b) for b in below),
            )
    top = f"{c.cost} AND {ls[0]} = ''"
    n_top = n["top"]
    if n_top:
        c.raise_rows(top, n_top, messages.TOP_LEVEL_BLANK, levels[0])
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
            messages.ITEM_AND_PARENT.format(
                file=c.file,
                path=path,
                leaf_rows=leaf_rows,
                column=levels[dd],
                parent_rows=parent_rows,
            ),
            column=levels[dd],
            rows=all_first,
        )
