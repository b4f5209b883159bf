"""The sample portfolio: reproducible from its seed, the promised shape and behaviour."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sample_data import generate as gen

REPO = Path(__file__).resolve().parents[1]

LEVELS = ["portfolio", "program", "project", "item"]


@pytest.fixture(scope="module")
def frame(sample_csv: Path) -> pd.DataFrame:
    return pd.read_csv(sample_csv, dtype={c: str for c in [*LEVELS, "period"]})


@pytest.fixture(scope="module")
def history(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[frame["actual"].notna()]


def cumulative_pct(history: pd.DataFrame, depth: int) -> pd.Series:
    """Cumulative variance % to the last period, per node at the given depth (1 = portfolio)."""
    sums = history.groupby(LEVELS[:depth])[["planned", "actual"]].sum()
    return (sums["actual"] - sums["planned"]) / sums["planned"]


def test_generator_reproduces_committed_file_exactly(sample_csv: Path) -> None:
    assert gen.to_csv_text(gen.generate()).encode("utf-8") == sample_csv.read_bytes()


def test_generator_is_deterministic_and_seed_matters() -> None:
    first = gen.generate(seed=5)
    pd.testing.assert_frame_equal(first, gen.generate(seed=5))
    assert not first.equals(gen.generate(seed=6))


def test_main_writes_the_same_bytes(tmp_path: Path, sample_csv: Path) -> None:
    out = tmp_path / "again.csv"
    assert gen.main([str(out)]) == 0
    assert out.read_bytes() == sample_csv.read_bytes()


def test_script_runs_as_module(tmp_path: Path, sample_csv: Path) -> None:
    out = tmp_path / "module.csv"
    done = subprocess.run(
        [sys.executable, "-m", "sample_data.generate", str(out)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert out.read_bytes() == sample_csv.read_bytes()


def test_columns_and_hierarchy(frame: pd.DataFrame) -> None:
    assert list(frame.columns) == [*LEVELS, "period", "planned", "actual"]
    assert frame["portfolio"].nunique() == 1
    assert frame["program"].nunique() == 5
    assert frame[["program", "project"]].drop_duplicates().shape[0] == 25
    assert frame[["program", "project", "item"]].drop_duplicates().shape[0] == 200
    # an item name belongs to one project only, so the leaf id is unambiguous
    assert frame.groupby("item")["project"].nunique().max() == 1
    assert not frame.duplicated([*LEVELS, "period"]).any()
    assert frame[[*LEVELS, "period", "planned"]].notna().all().all()


def test_forty_eight_months_then_six_months_of_plan(frame: pd.DataFrame) -> None:
    months = [str(p) for p in pd.period_range("2022-01", "2025-12", freq="M")]
    ahead = [str(p) for p in pd.period_range("2026-01", "2026-06", freq="M")]
    assert sorted(frame.loc[frame["actual"].notna(), "period"].unique()) == months
    plan_only = frame[frame["actual"].isna()]
    assert sorted(plan_only["period"].unique()) == ahead
    # plan-ahead rows only for items active in the last month, six each, and never before it
    active_at_end = set(frame.loc[frame["period"] == "2025-12", "item"])
    assert set(plan_only["item"]) == active_at_end
    assert (plan_only.groupby("item").size() == 6).all()
    assert frame.groupby("item")["period"].apply(lambda s: s.is_monotonic_increasing).all()


def test_amounts_in_cents_and_not_negative(frame: pd.DataFrame) -> None:
    for column in ("planned", "actual"):
        values = frame[column].dropna().to_numpy()
        assert (values >= 0).all()
        assert np.allclose(values * 100, np.round(values * 100), atol=1e-6)


def test_items_start_and_end_midway(history: pd.DataFrame) -> None:
    spans = history.groupby("item")["period"].agg(["min", "max", "size"])
    starts_late = spans["min"] > "2022-01"
    ends_early = spans["max"] < "2025-12"
    assert starts_late.sum() >= 10
    assert ends_early.sum() >= 10
    assert (starts_late & ~ends_early).any() and (ends_early & ~starts_late).any()
    # rows only while active: no gaps inside an item's life
    first = pd.PeriodIndex(spans["min"], freq="M")
    last = pd.PeriodIndex(spans["max"], freq="M")
    expected = np.asarray((last - first).map(lambda d: d.n)) + 1
    assert (spans["size"].to_numpy() == expected).all()


def test_alert_mix_at_default_thresholds(history: pd.DataFrame) -> None:
    items = cumulative_pct(history, 4).abs()
    red = (items >= 0.30).sum()
    amber = ((items >= 0.10) & (items < 0.30)).sum()
    green = (items < 0.10).sum()
    assert 5 <= red < amber < green
    projects = cumulative_pct(history, 3).abs()
    assert (projects >= 0.30).sum() >= 1
    assert ((projects >= 0.10) & (projects < 0.30)).sum() >= 2
    assert (projects < 0.10).sum() > len(projects) / 2


def test_some_under_runs(history: pd.DataFrame) -> None:
    items = cumulative_pct(history, 4)
    assert (items <= -0.10).sum() >= 3


def test_fiscal_year_end_peak(history: pd.DataFrame) -> None:
    by_month = history.groupby(history["period"].str[5:7])[["planned", "actual"]].sum()
    assert by_month["planned"].idxmax() == "09"
    assert by_month["actual"].idxmax() == "09"
    assert by_month.loc["09", "planned"] > 1.3 * by_month["planned"].median()
    # the year-end rush: September's actual exceeds its plan by more than a typical month's does
    ratio = by_month["actual"] / by_month["planned"]
    assert ratio["09"] > ratio.drop("09").max()


def test_step_overrun_items_exist(history: pd.DataFrame) -> None:
    """Some item jumps: its mean actual/planned after some month is far above before it."""

    def biggest_jump(group: pd.DataFrame) -> float:
        r = (group["actual"] / group["planned"]).to_numpy()
        if len(r) < 12:
            return 0.0
        return max(r[k:].mean() - r[:k].mean() for k in range(6, len(r) - 5))

    jumps = history.groupby("item")[["planned", "actual"]].apply(biggest_jump)
    assert (jumps > 0.2).sum() >= 3


def test_drift_is_learnable_at_project_level(history: pd.DataFrame) -> None:
    """The variance of some projects trends upward year on year, so last year's copy lags."""
    project_year = history.assign(year=history["period"].str[:4]).groupby(["project", "year"])
    pct = project_year["actual"].sum() / project_year["planned"].sum() - 1
    wide = pct.unstack("year")
    rising = (wide["2025"] - wide["2022"] > 0.10) & (wide.diff(axis=1).iloc[:, 1:] > 0).all(axis=1)
    assert rising.sum() >= 3
