"""Shared by the engine tests: random ragged portfolios (hypothesis), Parquet writing, and the
row-by-row comparison of two engines' outputs (amounts to the bit, percentages to 1e-9
relative)."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from hypothesis import strategies as st

from portfolio.alerts import AlertRule
from portfolio.engines import InputSpec, load_input
from portfolio.mapping import NYC_CAPITAL_MAPPING, ColumnMapping

LEVELS = ("portfolio", "program", "project", "item")
NAMES = ("A", "B", "Ops / Net", " c ", "Ünï", "=x")
MONTHS = tuple(f"2024-{m:02d}" for m in range(1, 9))
RTOL = 1e-9


@st.composite
def portfolios(draw: st.DrawFn) -> pd.DataFrame:
    """A random flow portfolio: 1-4 levels, ragged leaves, gaps in the calendar, planned 0 rows,
    negative amounts; amounts in cents (not exact in binary: float sums would carry noise),
    actuals often a round percentage off the plan (a status threshold's edge)."""
    k = draw(st.integers(1, 4))
    rows = []
    for path in _leaf_paths(draw, k):
        months = draw(st.lists(st.sampled_from(MONTHS), min_size=1, max_size=5, unique=True))
        for month in months:
            cents = draw(st.integers(-4_000, 40_000)) * draw(st.sampled_from([0, 1, 1, 1]))
            off = draw(st.sampled_from([None, -30, -10, -5, 0, 5, 10, 20, 30]))
            if off is None:
                actual_cents = draw(st.integers(-4_000, 40_000))
            else:  # exactly off % from the plan, when the cents allow
                actual_cents = cents + cents * off // 100
            planned, actual = cents / 100, actual_cents / 100
            cells = list(path) + [""] * (k - len(path))
            rows.append([*cells, month, planned, actual])
    return pd.DataFrame(rows, columns=[*LEVELS[:k], "period", "planned", "actual"])


def _leaf_paths(draw: st.DrawFn, k: int) -> list[tuple[str, ...]]:
    """1-8 distinct leaf paths of at most ``k`` levels, ragged, none the parent of another."""
    n_leaves = draw(st.integers(1, 8))
    paths: list[tuple[str, ...]] = []
    for _ in range(n_leaves):
        depth = draw(st.integers(1, k))
        paths.append(tuple(draw(st.sampled_from(NAMES)) for _ in range(depth)))
    # a path that is a leaf cannot also have items below it: keep the deeper ones
    stripped = {tuple(v.strip() for v in p) for p in paths}
    leaves = sorted(
        {
            p
            for p in paths
            if not any(
                len(q) > len(p) and q[: len(p)] == tuple(v.strip() for v in p) for q in stripped
            )
        }
    )
    uniq: dict[tuple[str, ...], tuple[str, ...]] = {}
    for p in leaves:
        uniq.setdefault(tuple(v.strip() for v in p), p)
    return list(uniq.values())


@st.composite
def level_portfolios(draw: st.DrawFn) -> tuple[pd.DataFrame, bool]:
    """A random level portfolio (running totals and re-forecasts, ``--measure level``) and
    whether it asks for ``sum_duplicates``: ragged leaves that report in some months only and
    start late, month labels or dates (several reports of a leaf in one month: the last wins),
    plan-ahead rows (a planned level, no actual, after the leaf's last report; a leaf may have
    only those), levels that fall, and with ``sum_duplicates`` a report repeated."""
    k = draw(st.integers(1, 4))
    dated = draw(st.booleans())
    rows: list[list[object]] = []
    for i, path in enumerate(_leaf_paths(draw, k)):
        cells = list(path) + [""] * (k - len(path))
        months = draw(st.lists(st.integers(1, 8), min_size=0 if i else 1, max_size=5, unique=True))
        planned_c, actual_c = draw(st.integers(0, 40_000)), draw(st.integers(-4_000, 40_000))
        for month in sorted(months):
            days = draw(
                st.sets(st.sampled_from([3, 17, 28]), min_size=1, max_size=3 if dated else 1)
            )
            for day in sorted(days):
                planned_c += draw(st.integers(-5_000, 5_000)) * draw(st.sampled_from([0, 1]))
                actual_c += draw(st.integers(-2_000, 9_000))
                period = f"2024-{month:02d}-{day:02d}" if dated else f"2024-{month:02d}"
                rows.append([*cells, period, planned_c / 100, actual_c / 100])
        for month in range(max(months, default=0) + 1, 11)[: draw(st.integers(0, 2))]:
            planned_c += draw(st.integers(-5_000, 5_000))
            period = f"2024-{month:02d}-03" if dated else f"2024-{month:02d}"
            rows.append([*cells, period, planned_c / 100, None])
    frame = pd.DataFrame(rows, columns=[*LEVELS[:k], "period", "planned", "actual"])
    summed = draw(st.booleans())
    if summed:
        reported = frame.index[frame["actual"].notna()]
        frame = pd.concat([frame, frame.loc[[draw(st.sampled_from(list(reported)))]]])
    return frame.astype({"planned": "float64", "actual": "float64"}), summed


rules = st.builds(
    AlertRule,
    amber_pct=st.sampled_from([0.0, 5.0, 10.0]),
    red_pct=st.sampled_from([20.0, 30.0]),
    basis=st.sampled_from(["cumulative", "period"]),
    floor=st.sampled_from([0.0, 10.0]),
    direction=st.sampled_from(["both", "overrun"]),
    persistence=st.integers(1, 3),
)


def write_parquet(frame: pd.DataFrame, path: Path, parts: int = 1) -> Path:
    """Write ``frame`` as one Parquet file (``parts`` 1) or a folder of parts; returns the path."""
    table = pa.Table.from_pandas(frame, preserve_index=False)
    if parts == 1:
        pq.write_table(table, path)
        return path
    path.mkdir(parents=True, exist_ok=True)
    bounds = np.linspace(0, len(frame), parts + 1).astype(int)
    for i, (lo, hi) in enumerate(itertools.pairwise(bounds)):
        pq.write_table(table.slice(lo, hi - lo), path / f"part-{i:05d}.parquet")
    return path


def assert_same_rows(a: pd.DataFrame, b: pd.DataFrame, exact: bool = True) -> None:
    """Same columns, same rows in the same order, the same text (status, node ...); the amounts
    equal to the bit (``exact``: both engines sum whole minor units) and the percentages equal to
    1e-9 relative, NaN where the other is NaN. ``exact`` False: amounts to 1e-9 relative too (an
    absolute slack of 1e-9 times the column's largest size covers sums that cancel to about 0)."""
    assert list(a.columns) == list(b.columns)
    assert len(a) == len(b)
    for col in a.columns:
        x, y = a[col].to_numpy(), b[col].to_numpy()
        if a[col].dtype.kind == "f" or b[col].dtype.kind == "f":
            x, y = x.astype(np.float64), y.astype(np.float64)
            assert np.array_equal(np.isnan(x), np.isnan(y)), col
            both = ~np.isnan(x)
            if col.endswith("_pct"):
                close = np.isclose(x[both], y[both], rtol=RTOL, atol=0.0)
            elif exact:
                close = x[both] == y[both]
            else:
                scale = float(np.nanmax(np.abs(np.where(np.isinf(x), 0, x)), initial=0.0))
                close = np.isclose(x[both], y[both], rtol=RTOL, atol=RTOL * scale)
            assert close.all(), (col, x[both][~close][:5], y[both][~close][:5])
        else:
            assert [str(v) for v in x] == [str(v) for v in y], col


def lake_of(spec: InputSpec, folder: Path) -> InputSpec:
    """The validated long table of ``spec`` written as a Parquet lake, and the spec that reads it.

    The loaded flows carry the file's decimal places exactly (level files included), so the lake
    takes the exact-sum branch as the file does.
    """
    p = load_input(spec)
    assert p.decimals is not None
    flows = write_parquet(p.data, folder / f"{Path(spec.file).stem}.parquet")
    if p.frequency == "single":
        mapping = ColumnMapping(levels=p.levels, period=None, period_label=p.periods[0])
    else:
        mapping = ColumnMapping(levels=p.levels, period="period")
    return InputSpec(str(flows), mapping)


def nyc_lake(csv: Path, folder: Path, parts: int = 3) -> InputSpec:
    """The NYC capital projects file as it is (levels: budget re-forecasts at report dates)
    written as a folder of Parquet parts, amounts as numbers, and the spec that reads it."""
    frame = pd.read_csv(csv, dtype={"Date Reported As Of": str})
    lake = write_parquet(frame, folder / "nyc_lake", parts=parts)
    return InputSpec(str(lake), NYC_CAPITAL_MAPPING)
