"""A file of levels whose items stopped reporting says so: how many, since when, and where."""

from __future__ import annotations

from pathlib import Path

from portfolio.load import load_portfolio
from portfolio.mapping import NYC_CAPITAL_MAPPING, ColumnMapping

LEVELS = ColumnMapping(levels=("agency", "project"), measure="level")


def _stale(text: str, mapping: ColumnMapping = LEVELS) -> list[str]:
    notes = load_portfolio(text.encode(), mapping, name="budgets.csv").summary.notes
    return [n for n in notes if "no figures in the last period" in n]


STOPPED = (
    "agency,project,period,planned,actual\n"
    "DOT,a,2024-Q1,100,100\nDOT,a,2024-Q2,100,110\n"  # a stops in Q2
    "DOT,b,2024-Q1,50,50\n"  # b stops in Q1: the oldest
    "DEP,c,2024-Q1,10,10\nDEP,c,2024-Q3,10,12\n"
    "DEP,d,2024-Q3,5,5\n"
    "DDC,e,2024-Q2,7,7\n"
)


def test_items_without_figures_in_the_last_period_are_named() -> None:
    (note,) = _stale(STOPPED)
    assert note.startswith("3 of 5 items have no figures in the last period (2024-Q3)")
    assert "(the oldest from 2024-Q1)" in note
    assert note.endswith("By agency: DOT 2 of 2, DDC 1 of 1.")


def test_every_item_reporting_in_the_last_period_says_nothing() -> None:
    text = (
        "agency,project,period,planned,actual\nA,a,2024-Q1,1,1\nA,a,2024-Q2,1,2\nB,b,2024-Q2,3,3\n"
    )
    assert _stale(text) == []
    # a flow file carries nothing forward, so there is nothing to say
    assert _stale(STOPPED, ColumnMapping(levels=("agency", "project"))) == []


def test_nyc_names_the_projects_carried_from_older_reports(nyc_capital_csv: Path) -> None:
    (note,) = _stale_from(nyc_capital_csv)
    assert note.startswith("83 of 367 items have no figures in the last period (2019-Q3)")
    assert "By Managing Agency: DOT 83 of 83." in note


def _stale_from(path: Path) -> list[str]:
    notes = load_portfolio(path, NYC_CAPITAL_MAPPING).summary.notes
    return [n for n in notes if "no figures in the last period" in n]
