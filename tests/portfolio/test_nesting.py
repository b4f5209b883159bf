"""Guessing hierarchy levels from the data: text columns that nest, coarse to fine."""

from __future__ import annotations

import pandas as pd

from portfolio.load import load_portfolio, read_raw
from portfolio.mapping import ColumnMapping, guess_mapping
from portfolio.nesting import add_nested_levels, code_columns

# Division > Cost Centre > Contract; "Cost Centre" is no level word, so names alone miss it.
HEADER = "Division;Cost Centre;Contract;Quarter;Budget;Spend"
ROWS = [
    "North;CC-10;K-100;2024-Q1;100;90",
    "North;CC-10;K-100;2024-Q2;100;110",
    "North;CC-10;K-101;2024-Q1;50;50",
    "North;CC-11;K-110;2024-Q1;70;75",
    "North;CC-11;K-110;2024-Q2;70;60",
    "South;CC-20;K-200;2024-Q1;80;60",
    "South;CC-20;K-200;2024-Q2;80;85",
    "South;CC-21;K-210;2024-Q1;30;30",
]


def _raw(header: str, rows: list[str]) -> pd.DataFrame:
    return read_raw("\n".join([header, *rows]).encode(), name="costs.csv").frame


def _with_column(name: str, values: list[str]) -> pd.DataFrame:
    """The file with one more column before Quarter."""
    head = HEADER.replace(";Quarter", f";{name};Quarter")
    rows = []
    for row, value in zip(ROWS, values, strict=True):
        cells = row.split(";")
        rows.append(";".join([*cells[:3], value, *cells[3:]]))
    return _raw(head, rows)


def test_the_middle_level_is_found_in_the_data() -> None:
    frame = _raw(HEADER, ROWS)
    columns = list(frame.columns)
    assert guess_mapping(columns).levels == ("Division", "Contract")  # names alone
    m = guess_mapping(columns, frame)
    assert m.levels == ("Division", "Cost Centre", "Contract")
    assert (m.period, m.planned, m.actual) == ("Quarter", "Budget", "Spend")
    # the guess loads the file: 3 levels, the middle one rolls up its contracts
    p = load_portfolio("\n".join([HEADER, *ROWS]).encode(), m, name="costs.csv")
    assert p.levels == m.levels and p.summary.leaves == 5


def test_levels_are_ordered_coarse_to_fine_whatever_the_column_order() -> None:
    # no level names at all: the levels come from the data alone
    header = "Leaf;Group;Top;period;planned;actual"
    rows = [
        "a1;g1;T1;2024-01;1;1",
        "a1;g1;T1;2024-02;1;1",
        "a2;g1;T1;2024-01;1;1",
        "a3;g2;T1;2024-01;1;1",
        "a4;g3;T2;2024-01;1;1",
        "a4;g3;T2;2024-02;1;1",
    ]
    frame = _raw(header, rows)
    assert guess_mapping(list(frame.columns), frame).levels == ("Top", "Group", "Leaf")


def test_a_numeric_column_that_nests_is_no_level() -> None:
    frame = _with_column("Centre No", ["10", "10", "10", "11", "11", "20", "20", "21"])
    assert guess_mapping(list(frame.columns), frame).levels == (
        "Division",
        "Cost Centre",
        "Contract",
    )
    coded = code_columns(frame, ["Division"], ["Centre No", "Cost Centre"])
    assert coded.nests("Centre No", "Division")  # it does nest...
    assert "Centre No" not in coded.eligible  # ...but its values are numbers


def test_periods_and_amounts_are_no_levels() -> None:
    # a date per contract and a third amount nest under Division too; neither is a level
    dates = ["2023-01-05"] * 2 + ["2023-02-01", "2023-03-01", "2023-03-01"] + ["2023-04-01"] * 2
    frame = _with_column("Start Date", [*dates, "2023-05-01"])
    m = guess_mapping(list(frame.columns), frame)
    assert m.levels == ("Division", "Cost Centre", "Contract")
    forecast = _with_column("Forecast", ["$1,000", "$1,000", "500", "700", "700", "80", "80", "30"])
    m = guess_mapping(list(forecast.columns), forecast)
    assert m.levels == ("Division", "Cost Centre", "Contract")
    # the period column itself is never a level, even though each quarter is a text value
    cands = add_nested_levels(["Division"], ["Cost Centre", "Quarter"], frame, 8)
    assert "Quarter" not in cands


def test_a_column_that_does_not_nest_is_no_level() -> None:
    # Region crosses the cost centres (CC-10 is in two regions): it fits nowhere in the chain
    frame = _with_column("Region", ["East", "West", "East", "West", "East", "West", "East", "West"])
    assert guess_mapping(list(frame.columns), frame).levels == (
        "Division",
        "Cost Centre",
        "Contract",
    )
    coded = code_columns(frame, ["Division", "Contract"], ["Region"])
    assert not coded.nests("Contract", "Region")


def test_descriptions_constants_and_aliases_are_no_levels() -> None:
    per_row = _with_column("Note", [f"line {i}" for i in range(len(ROWS))])  # one value per row
    constant = _with_column("Currency", ["EUR"] * len(ROWS))
    alias = _with_column("Area", ["Nord"] * 5 + ["Sud"] * 3)  # Division under another name
    for frame in (per_row, constant, alias):
        assert guess_mapping(list(frame.columns), frame).levels == (
            "Division",
            "Cost Centre",
            "Contract",
        )


def test_a_sample_prefers_columns_of_numbers_for_unnamed_amounts() -> None:
    header = "Region;Cost Centre;Quarter;X;Y"
    rows = ["N;C1;2024-Q1;1;2", "N;C2;2024-Q1;3;4", "S;C3;2024-Q2;5;6", "S;C3;2024-Q1;5;6"]
    frame = _raw(header, rows)
    by_name = guess_mapping(list(frame.columns))
    assert by_name.planned == "Cost Centre"  # "cost" is a money word
    m = guess_mapping(list(frame.columns), frame)
    assert (m.planned, m.actual) == ("X", "Y")
    assert m.levels == ("Region", "Cost Centre")


def test_the_old_call_and_the_sample_agree_on_plain_files() -> None:
    cols = ["portfolio", "program", "project", "item", "period", "planned", "actual"]
    frame = pd.DataFrame([["P", "A", "x", "i1", "2024-01", "1", "1"]], columns=cols)
    assert guess_mapping(cols) == guess_mapping(cols, frame) == ColumnMapping()


# Two different projects of one program share a name; their IDs tell them apart.
NAMED = "Program;Project Name;Project ID;Quarter;Budget;Spend"
NAMED_ROWS = [
    "Ops;Upgrade;P-1;2024-Q1;100;90",
    "Ops;Upgrade;P-2;2024-Q1;40;45",
    "Ops;Network;P-3;2024-Q1;70;75",
    "Dev;Portal;P-4;2024-Q1;30;30",
]


def test_an_id_column_replaces_a_leaf_name_that_repeats_an_item() -> None:
    frame = _raw(NAMED, NAMED_ROWS)
    guessed = guess_mapping(list(frame.columns), frame)
    assert guessed.levels == ("Program", "Project ID")
    # and the file then loads as guessed, every row its own project
    data = "\n".join([NAMED, *NAMED_ROWS]).encode()
    assert load_portfolio(data, guessed, name="costs.csv").summary.rows_used == 4


def test_a_leaf_name_that_names_each_item_once_is_kept() -> None:
    rows = [r.replace("Ops;Upgrade;P-2", "Ops;Upgrade 2;P-2") for r in NAMED_ROWS]
    frame = _raw(NAMED, rows)
    assert guess_mapping(list(frame.columns), frame).levels == ("Program", "Project Name")


def test_a_short_id_that_names_one_item_each_replaces_a_repeated_name() -> None:
    frame = _raw(NAMED.replace("Project ID", "PID"), NAMED_ROWS)
    assert guess_mapping(list(frame.columns), frame).levels == ("Program", "PID")
    # a code shared by items of different names is no key of the items
    coded = [r.replace(";P-3;", ";P-1;") for r in NAMED_ROWS]
    frame = _raw(NAMED.replace("Project ID", "Region code"), coded)
    assert guess_mapping(list(frame.columns), frame).levels[-1] == "Project Name"
