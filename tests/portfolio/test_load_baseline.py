"""The loader's baseline plan: validated like planned, carried like it through the calendar."""

from __future__ import annotations

import re

import pytest

from portfolio.errors import InputError
from portfolio.load import load_portfolio
from portfolio.mapping import ColumnMapping
from portfolio.rollup import BASELINE_COLUMNS, OUTPUT_COLUMNS, rollup_portfolio

HEAD = "program,project,month,plan,original,spend\n"
BASE = ColumnMapping(levels=("program", "project"), period="month", planned="plan", actual="spend")


def mapping(**changes: object) -> ColumnMapping:
    fields = {k: getattr(BASE, k) for k in BASE.__dataclass_fields__}
    fields.update(changes)
    return ColumnMapping(**fields)  # type: ignore[arg-type]


def test_without_a_baseline_the_data_has_no_baseline_column():
    p = load_portfolio((HEAD + "Ops,Net,2024-01,1,1,1\n").encode(), BASE, name="f.csv")
    assert "baseline" not in p.data.columns
    assert tuple(rollup_portfolio(p).columns) == OUTPUT_COLUMNS


def test_flows_with_summed_duplicates_and_a_plan_ahead():
    text = HEAD + (
        "Ops,Net,2024-01,100,90,110\n"
        "Ops,Net,2024-01,10,5,0\n"  # a repeat, summed on request
        "Ops,Net,2024-02,100,90,95\n"
        "Ops,Net,2024-03,100,,\n"  # plan ahead: no actual, no baseline needed
    )
    p = load_portfolio(text.encode(), mapping(baseline="original", sum_duplicates=True), name="f")
    assert p.data["baseline"].tolist() == [95.0, 90.0]
    assert p.data["planned"].tolist() == [110.0, 100.0]
    assert p.future_plan["planned"].tolist() == [100.0]
    rolled = rollup_portfolio(p)
    assert tuple(rolled.columns[len(OUTPUT_COLUMNS) - 2 : len(OUTPUT_COLUMNS)]) == BASELINE_COLUMNS
    net = rolled[rolled["node"] == "Ops / Net"]
    assert net["baseline_variance"].tolist() == [15.0, 5.0]


def test_levels_are_carried_forward_and_differenced_like_the_plan():
    text = HEAD + (
        "Ops,Net,2024-01,100,100,100\n"
        "Ops,Net,2024-03,150,100,160\n"  # re-baselined in March; February carried forward
    )
    p = load_portfolio(text.encode(), mapping(baseline="original", measure="level"), name="f")
    assert p.periods == ("2024-01", "2024-02", "2024-03")
    assert p.data["planned"].tolist() == [100.0, 0.0, 50.0]
    assert p.data["baseline"].tolist() == [100.0, 0.0, 0.0]
    assert p.data["actual"].tolist() == [100.0, 0.0, 60.0]


def test_a_combined_baseline_and_its_blank_adjustment_note():
    text = "program,project,month,plan,budget,changes,spend\n" + (
        "Ops,Net,2024-01,100,120,20,110\nOps,Net,2024-02,100,130,,120\n"
    )
    m = mapping(baseline="budget - changes")
    p = load_portfolio(text.encode(), m, name="f.csv")
    assert p.data["baseline"].tolist() == [100.0, 130.0]
    assert any("baseline amount 'budget - changes'" in n and "1 row" in n for n in p.summary.notes)


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ("Ops,Net,2024-01,100,abc,110\n", "column 'original' has amounts that are not numbers"),
        ("Ops,Net,2024-01,100,,110\n", "is blank on row 2"),
    ],
)
def test_a_bad_baseline_names_the_column_and_the_row(rows: str, message: str):
    with pytest.raises(InputError, match=re.escape(message)) as err:
        load_portfolio((HEAD + rows).encode(), mapping(baseline="original"), name="f.csv")
    assert err.value.column == "original"
    assert err.value.rows == (2,)


def test_a_missing_baseline_column_suggests_the_closest():
    with pytest.raises(InputError, match="Did you mean 'original'"):
        load_portfolio((HEAD + "Ops,Net,2024-01,1,1,1\n").encode(), mapping(baseline="orignal"))


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (dict(baseline="plan"), "same as the planned amount"),
        (dict(baseline="spend"), "same as the actual amount"),
        (dict(baseline="month"), "used twice"),
    ],
)
def test_the_mapping_refuses_a_baseline_that_plays_another_role(
    changes: dict[str, str], message: str
):
    with pytest.raises(InputError, match=message):
        mapping(**changes)


def test_a_blank_baseline_means_none():
    assert mapping(baseline="  ").baseline is None
