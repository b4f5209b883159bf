"""How the SQL engines add up amounts: the rule of ``portfolio.rollup_sums``, written in SQL.

The pandas rollup sums whole minor units (cents for two decimal places) when the amounts' places
are known and every total stays below 2**53 of them (``portfolio.rollup_sums.Precision``); the
SQL engines take the same branch from the same ``Precision``:

- exact: each amount becomes the whole number ``round(x * 10^d)`` (a double, as pandas's
  ``np.rint``), the grouping sets and the window sums add those whole numbers as doubles (exact:
  the 2**53 bound keeps every partial sum a whole number a double holds, in any order of
  addition; DOUBLE sums are also half the width of DuckDB's HUGEINT sums of BIGINTs, which
  spill less and add faster), and every figure is divided once by ``10^d``: the same IEEE
  operations as pandas, so planned, actual, variance and the cumulative figures are the pandas
  engine's to the bit, and so are the percentages and statuses computed from them.
- float: doubles summed, a figure below ``1e-9`` of the gross amount behind it snapped to 0, and
  every figure rounded to ``d`` places when ``d`` is known (as pandas does beyond 2**53).

For Parquet input (checked in SQL, ``portfolio.engines.sqlcheck``) the places come from
``places_sql``, the test of ``portfolio.decimals.decimals_of`` on every value, run in the same
scan as the row checks.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from portfolio.decimals import MAX_DECIMALS
from portfolio.sum_rule import EXACT_LIMIT, Precision

if TYPE_CHECKING:  # sqltext imports this module
    from portfolio.engines.sqltext import Dialect

__all__ = [
    "EXACT_LIMIT",
    "FLOAT_SUMS",
    "Precision",
    "aggregate_columns",
    "carried",
    "figure_steps",
    "places_sql",
    "precision_of",
    "zero",
]

FLOAT_SUMS = Precision(decimals=None, exact=False)
SNAP = "1e-9"
DOUBLE_ZERO = "CAST(0 AS DOUBLE)"
# decimals_of's tolerance (4 machine epsilons), written so that it reads back to the same double
_TOL = "CAST(8.881784197001252e-16 AS DOUBLE)"
NOT_MONEY = 99  # places_sql's value for more than MAX_DECIMALS places


def _scale(decimals: int) -> str:
    return f"CAST({10**decimals} AS DOUBLE)"


def precision_of(decimals: int | None, gross: float) -> Precision:
    """The ``Precision`` of amounts with ``decimals`` places whose sizes add up to ``gross``
    (in currency units): exact while ``gross * 10^decimals`` stays below 2**53."""
    if decimals is None:
        return FLOAT_SUMS
    return Precision(decimals, gross * 10.0**decimals < EXACT_LIMIT)


def places_sql(expr: str, d: Dialect) -> str:
    """The fewest decimal places of the double ``expr`` (``decimals_of`` on one value: 0 for
    NULL and 0, ``NOT_MONEY`` beyond ``MAX_DECIMALS``); its ``MAX`` over a column is the
    column's places."""
    size = f"ABS({expr})"
    whens = [f"WHEN {expr} IS NULL OR {expr} = 0 THEN 0"]
    for places in range(MAX_DECIMALS + 1):
        scaled = f"{size} * {_scale(places)}"
        whole = f"ABS({scaled} - {d.rint(scaled)}) <= {scaled} * {_TOL}"
        whens.append(f"WHEN {whole} THEN {places}")
    return f"CASE {' '.join(whens)} ELSE {NOT_MONEY} END"


def _minor(expr: str, p: Precision, d: Dialect) -> str:
    assert p.decimals is not None
    return d.rint(f"{expr} * {_scale(p.decimals)}")


def aggregate_columns(p: Precision, d: Dialect) -> str:
    """The sums of the grouping sets: ``p`` and ``a`` (minor units, or doubles with their gross
    sizes ``gp`` and ``ga`` for the snap)."""
    if p.exact:
        return f"SUM({_minor('planned', p, d)}) AS p, SUM({_minor('actual', p, d)}) AS a"
    return "SUM(planned) AS p, SUM(actual) AS a, SUM(ABS(planned)) AS gp, SUM(ABS(actual)) AS ga"


def carried(p: Precision) -> tuple[str, ...]:
    """The sum columns carried from the grouping sets to the window step."""
    return ("p", "a") if p.exact else ("p", "a", "gp", "ga")


def zero(p: Precision) -> str:
    """A zero of the sums' type (for the periods a node lacks)."""
    return DOUBLE_ZERO


def _snap(value: str, gross: str) -> str:
    return f"CASE WHEN ABS({value}) <= {SNAP} * ({gross}) THEN {DOUBLE_ZERO} ELSE {value} END"


def figure_steps(p: Precision, keys: str) -> str:
    """The steps ``s`` and ``v`` over the window step ``w`` (``keys`` and the sums, ``cp``,
    ``ca`` their running totals): ``keys`` and the six figures of ``portfolio.rollup``."""
    if p.exact:
        assert p.decimals is not None
        scale = _scale(p.decimals)

        def money(units: str) -> str:
            return f"({units}) / {scale}"

        return f"""
s AS (
  SELECT {keys}, {money("p")} AS planned, {money("a")} AS actual,
         {money("cp")} AS cum_planned, {money("ca")} AS cum_actual,
         {money("a - p")} AS variance, {money("ca - cp")} AS cum_variance
  FROM w
),
v AS (SELECT * FROM s)"""

    def rounded(expr: str) -> str:
        return expr if p.decimals is None else f"round({expr}, {p.decimals})"

    return f"""
s AS (
  SELECT {keys}, gp, ga, cgp, cga,
         {_snap("p", "gp")} AS pu, {_snap("a", "ga")} AS au,
         {_snap("cp", "cgp")} AS cpu, {_snap("ca", "cga")} AS cau
  FROM w
),
v AS (
  SELECT {keys}, {rounded("pu")} AS planned, {rounded("au")} AS actual,
         {rounded("cpu")} AS cum_planned, {rounded("cau")} AS cum_actual,
         {rounded(_snap("au - pu", "gp + ga"))} AS variance,
         {rounded(_snap("cau - cpu", "cgp + cga"))} AS cum_variance
  FROM s
)"""
