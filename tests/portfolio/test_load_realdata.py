"""The two real portfolios of ../shared/realdata load with their documented mappings, and the
loaded figures match totals computed independently with plain pandas."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from portfolio.load import load_portfolio
from portfolio.mapping import IT_DASHBOARD_MAPPING, NYC_CAPITAL_MAPPING, ColumnMapping

pytestmark = pytest.mark.realdata

PLANNED, ACTUAL = "Planned Cost ($ M)", "Projected/Actual Cost ($ M)"


def test_it_dashboard_mapping_is_the_documented_one():
    assert (
        ColumnMapping(
            levels=("Agency Name", "Investment Title", "Project ID"),
            period=None,
            planned=PLANNED,
            actual=ACTUAL,
        )
        == IT_DASHBOARD_MAPPING
    )


def test_it_dashboard_loads(it_dashboard_csv: Path):
    p = load_portfolio(it_dashboard_csv, IT_DASHBOARD_MAPPING)
    ref = pd.read_csv(it_dashboard_csv)
    has_cost = ref[PLANNED].notna() | ref[ACTUAL].notna()
    assert (~has_cost).sum() == 17

    s = p.summary
    assert (s.rows_read, s.rows_used, s.rows_rejected) == (2468, 2451, 17)
    assert s.frequency == "single" and p.periods == ("all",) and s.periods == 1
    # Project ID is unique within an investment, so every costed row is its own leaf
    assert s.leaves == 2451 == len(p.data)
    assert p.data["Agency Name"].nunique() == ref.loc[has_cost, "Agency Name"].nunique() == 26
    assert p.data["planned"].sum() == pytest.approx(ref[PLANNED].sum(), rel=1e-12)
    assert p.data["actual"].sum() == pytest.approx(ref[ACTUAL].sum(), rel=1e-12)
    note = next(n for n in s.notes if "no cost figures" in n)
    assert note.startswith("17 rows with no cost figures")
    assert "rows 103, 104, 105, 106, 107 and 12 more" in note


def test_it_dashboard_variance_is_minus_the_files_cost_variance(it_dashboard_csv: Path):
    p = load_portfolio(it_dashboard_csv, IT_DASHBOARD_MAPPING)
    ref = pd.read_csv(it_dashboard_csv).dropna(subset=[PLANNED, ACTUAL])
    ref["Project ID"] = ref["Project ID"].astype(str)
    both = p.data.assign(variance=p.data["actual"] - p.data["planned"]).merge(
        ref[["Project ID", "Cost Variance ($ M)"]], on="Project ID", validate="one_to_one"
    )
    assert len(both) == 2451
    np.testing.assert_allclose(both["variance"], -both["Cost Variance ($ M)"], atol=1e-9)


def test_investment_title_is_a_sound_key_within_an_agency(it_dashboard_csv: Path):
    # a title repeats across agencies, but never names two investments inside one agency
    ref = pd.read_csv(it_dashboard_csv, dtype=str)
    per_title = ref.groupby(["Agency Name", "Investment Title"])["Unique Investment Identifier"]
    assert per_title.nunique().max() == 1
    assert ref.groupby("Investment Title")["Unique Investment Identifier"].nunique().max() == 2


def test_nyc_mapping_is_the_documented_one():
    assert (
        ColumnMapping(
            levels=("Managing Agency", "Category", "PID"),
            period="Date Reported As Of",
            planned="Budget Forecast - Total Budget Changes",
            actual="Budget Forecast",
            measure="level",
        )
        == NYC_CAPITAL_MAPPING
    )


def _nyc_reference(path: Path) -> pd.DataFrame:
    ref = pd.read_csv(path)
    ref["date"] = pd.to_datetime(ref["Date Reported As Of"], format="%m/%d/%Y %I:%M:%S %p")
    ref = ref.dropna(subset=["Budget Forecast"])
    ref["original"] = ref["Budget Forecast"] - ref["Total Budget Changes"].fillna(0)
    return ref.sort_values(["PID", "date"])


def test_nyc_loads(nyc_capital_csv: Path):
    p = load_portfolio(nyc_capital_csv, NYC_CAPITAL_MAPPING)
    ref = _nyc_reference(nyc_capital_csv)
    s = p.summary
    assert (s.rows_read, s.rows_rejected, s.rows_used) == (2259, 106, 2153)
    assert s.leaves == ref["PID"].nunique() == 367  # 11 of the 378 projects never have a figure
    assert p.frequency == "Q" and s.periods == 25
    assert (p.periods[0], p.periods[-1]) == ("2013-Q3", "2019-Q3")
    assert p.measure == "level"
    assert any("106 rows with no cost figures" in n for n in s.notes)
    assert any(
        "'Total Budget Changes' is blank on 53 rows; it was taken as 0" in n for n in s.notes
    )
    # dense from each project's first report to the end of the calendar
    first_q = ref.groupby("PID")["date"].min().dt.to_period("Q")
    last_q = pd.Period("2019Q3", "Q")
    assert len(p.data) == sum((last_q - q).n + 1 for q in first_q)


def test_nyc_flows_add_up_to_the_latest_levels(nyc_capital_csv: Path):
    p = load_portfolio(nyc_capital_csv, NYC_CAPITAL_MAPPING)
    ref = _nyc_reference(nyc_capital_csv)
    latest = ref.groupby("PID").last()
    assert p.data["actual"].sum() == pytest.approx(latest["Budget Forecast"].sum(), rel=1e-9)
    assert p.data["planned"].sum() == pytest.approx(latest["original"].sum(), rel=1e-9)

    # cumulative flows up to a quarter = the last reported level of each project by then
    cut = pd.Period("2016Q2", "Q")
    seen = ref[ref["date"].dt.to_period("Q") <= cut].groupby("PID").last()
    upto = p.data[p.data["period"] <= "2016-Q2"]
    assert upto["actual"].sum() == pytest.approx(seen["Budget Forecast"].sum(), rel=1e-9)
    by_pid = upto.groupby("PID")["actual"].sum()
    by_pid.index = by_pid.index.astype(int)
    pd.testing.assert_series_equal(
        by_pid.sort_index(), seen["Budget Forecast"].sort_index(), check_names=False
    )


def test_nyc_project_name_is_not_a_key(nyc_capital_csv: Path):
    # why the leaf level is PID: two projects share a name inside one agency and category
    ref = pd.read_csv(nyc_capital_csv, dtype=str)
    per_name = ref.groupby(["Managing Agency", "Category", "Project Name"])["PID"].nunique()
    assert per_name.max() == 2
    assert ref.groupby("PID")["Project Name"].nunique().max() == 1


def test_nyc_cumulative_variance_is_the_total_budget_change(nyc_capital_csv: Path):
    # the file repeats each project's Total Budget Changes on all its reports (docs/realdata.md)
    p = load_portfolio(nyc_capital_csv, NYC_CAPITAL_MAPPING)
    ref = _nyc_reference(nyc_capital_csv)
    change = ref.groupby("PID")["Total Budget Changes"].max().fillna(0.0)
    d = p.data.assign(variance=p.data["actual"] - p.data["planned"])
    cum = d.groupby("PID")["variance"].cumsum()
    expected = d["PID"].astype(int).map(change)
    np.testing.assert_allclose(cum, expected, rtol=1e-9, atol=1e-3)


def test_it_dashboard_investments(it_dashboard_csv: Path):
    p = load_portfolio(it_dashboard_csv, IT_DASHBOARD_MAPPING)
    assert p.data.groupby(["Agency Name", "Investment Title"]).ngroups == 599


def test_the_guessed_finest_level_of_each_real_file_is_its_id_column(
    it_dashboard_csv: Path, nyc_capital_csv: Path
):
    # Project names repeat inside an investment (IT) and across projects (NYC); the IDs do not.
    from portfolio.load import read_raw
    from portfolio.mapping import guess_mapping

    for path, documented in (
        (it_dashboard_csv, IT_DASHBOARD_MAPPING),
        (nyc_capital_csv, NYC_CAPITAL_MAPPING),
    ):
        raw = read_raw(path.read_bytes(), name=path.name).frame
        guessed = guess_mapping([str(c) for c in raw.columns], raw)
        assert guessed.levels == documented.levels, path.name


def test_nyc_read_as_spend_gets_the_level_hint_and_as_documented_not(nyc_capital_csv: Path):
    import dataclasses

    as_flow = dataclasses.replace(NYC_CAPITAL_MAPPING, measure="flow")
    notes = load_portfolio(nyc_capital_csv, as_flow).summary.notes
    (hint,) = [n for n in notes if "change little" in n]
    assert "'Budget Forecast'" in hint and "under 1.6%" in hint
    notes = load_portfolio(nyc_capital_csv, NYC_CAPITAL_MAPPING).summary.notes
    assert not [n for n in notes if "change little" in n]
