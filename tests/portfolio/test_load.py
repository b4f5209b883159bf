"""build_portfolio / load_portfolio: every bad-input case named by column and rows, and the rules
for ragged hierarchies, plan-ahead rows, duplicates, levels and the calendar."""

from __future__ import annotations

import io

import numpy as np
import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portfolio.errors import InputError
from portfolio.load import (
    LoadSummary,
    Portfolio,
    RawTable,
    build_portfolio,
    load_portfolio,
    read_raw,
)
from portfolio.mapping import ColumnMapping

HEADER = "portfolio,program,project,item,period,planned,actual\n"
GOOD = HEADER + (
    "P,Ops,Net,r1,2024-01,100,110\n"
    "P,Ops,Net,r1,2024-02,100,90\n"
    "P,Ops,Net,r2,2024-01,50,50\n"
    "P,Ops,Net,r2,2024-03,50,80\n"
    "P,Dev,App,a1,2024-02,20,25\n"
)


def load(text: str, mapping: ColumnMapping | None = None, **kw) -> Portfolio:
    return load_portfolio(text.encode(), mapping or ColumnMapping(), name="sales.csv", **kw)


def err(text: str, mapping: ColumnMapping | None = None, **kw) -> InputError:
    with pytest.raises(InputError) as info:
        load(text, mapping, **kw)
    return info.value


def check_counts(s: LoadSummary) -> None:
    assert s.rows_read == s.rows_used + s.rows_rejected


def test_good_file():
    p = load(GOOD)
    assert p.levels == ("portfolio", "program", "project", "item")
    assert p.periods == ("2024-01", "2024-02", "2024-03")
    assert p.frequency == "M" and p.measure == "flow"
    assert list(p.data.columns) == [*p.levels, "period", "planned", "actual"]
    assert p.data["planned"].dtype == np.float64 and p.data["actual"].dtype == np.float64
    assert p.data["period"].tolist() == ["2024-01", "2024-02", "2024-01", "2024-03", "2024-02"]
    assert p.data["actual"].sum() == 355 and p.data["planned"].sum() == 320
    s = p.summary
    assert (s.rows_read, s.rows_used, s.rows_rejected, s.leaves, s.periods) == (5, 5, 0, 3, 3)
    assert s.frequency == "M" and s.negative_planned_rows == 0 and s.source == "sales.csv"
    assert any("comma-separated" in n for n in s.notes)
    assert p.future_plan.empty and list(p.future_plan.columns) == [*p.levels, "period", "planned"]


def test_row_order_does_not_change_the_result():
    lines = GOOD.splitlines(keepends=True)
    shuffled = lines[0] + "".join(reversed(lines[1:]))
    a, b = load(GOOD).data, load(shuffled).data
    key = ["item", "period"]
    pd.testing.assert_frame_equal(
        a.sort_values(key).reset_index(drop=True), b.sort_values(key).reset_index(drop=True)
    )


def test_read_raw_then_build_like_the_app():
    raw = read_raw(GOOD.encode(), name="up.csv")
    assert isinstance(raw, RawTable)
    p = build_portfolio(raw, ColumnMapping())
    assert p.summary.source == "up.csv" and len(p.data) == 5


def test_raw_frame_without_row_numbers_is_numbered_like_a_csv():
    raw = read_raw(GOOD.encode(), name="up.csv")
    bare = RawTable(raw.frame.reset_index(drop=True).astype(object), "up.csv", "utf-8", ",", 0)
    assert build_portfolio(bare).data["actual"].sum() == 355
    frame = bare.frame.copy()
    frame.loc[1, "actual"] = "oops"
    with pytest.raises(InputError, match="not numbers on row 3"):
        build_portfolio(RawTable(frame, "up.csv", "utf-8", ",", 0))


def test_calendar_note_names_periods_without_rows():
    p = load(GOOD.replace("2024-03", "2024-06"))
    assert p.periods == ("2024-01", "2024-02", "2024-03", "2024-04", "2024-05", "2024-06")
    note = next(n for n in p.summary.notes if n.startswith("Monthly calendar"))
    assert "from 2024-01 to 2024-06 (6 periods)" in note
    assert "3 periods of it have no row in the file (2024-03, 2024-04, 2024-05)" in note


def test_names_containing_the_path_separator_are_noted():
    p = load(GOOD.replace("Dev,App", "Dev / Test,App"))
    assert any("'program' contain '/'" in n for n in p.summary.notes)


def test_empty_file():
    e = err("")
    assert "sales.csv is empty" in str(e)


def test_header_only():
    e = err(HEADER)
    assert "sales.csv has a header but no data rows" in str(e)


def test_missing_column_lists_the_columns():
    e = err(GOOD.replace("actual", "spend"))
    msg = str(e)
    assert "the actual column 'actual' is not in the file" in msg
    assert "'spend'" in msg and "'portfolio'" in msg  # the available columns are listed
    assert e.column == "actual"


def test_misspelt_column_suggests_the_closest_name():
    msg = str(err(GOOD.replace(",planned,", ",planed,")))
    assert "the planned column 'planned' is not in the file. Did you mean 'planed'?" in msg


def test_column_name_differing_in_case_and_spaces_is_matched_and_noted():
    p = load(GOOD.replace(",planned,", ", Planned ,"))
    assert p.data["planned"].sum() == 320
    assert any("matched to the file's column ' Planned '" in n for n in p.summary.notes)


def test_non_numeric_amounts_name_column_and_rows():
    text = GOOD.replace("P,Ops,Net,r1,2024-02,100,90", "P,Ops,Net,r1,2024-02,100,ninety")
    e = err(text)
    assert "sales.csv: column 'actual' has amounts that are not numbers on row 3" in str(e)
    assert "(1,234) for negatives" in str(e)
    assert e.column == "actual" and e.rows == (3,)


def test_exported_amount_forms_are_accepted():
    text = HEADER + (
        'P,Ops,Net,r1,2024-01,"1,234.56",$1,234\n'.replace("$1,234", '"$1,234"')
        + "P,Ops,Net,r2,2024-01,(1,234),  7  \n".replace("(1,234)", '"(1,234)"')
    )
    p = load(text)
    assert p.data["planned"].tolist() == [1234.56, -1234.0]
    assert p.data["actual"].tolist() == [1234.0, 7.0]
    assert p.summary.negative_planned_rows == 1


def test_nan_and_infinite_values_are_refused():
    e = err(GOOD.replace("2024-02,20,25", "2024-02,inf,25"))
    assert "column 'planned' has values that are not finite amounts on row 6" in str(e)
    e = err(GOOD.replace("2024-01,50,50", "2024-01,50,NaN"))
    assert "column 'actual'" in str(e) and "row 4" in str(e)


def test_unparseable_period_names_rows():
    e = err(GOOD.replace("2024-03", "March-ish"))
    assert "column 'period' has values that are not periods on row 5" in str(e)


def test_mixed_period_formats_name_rows():
    e = err(GOOD.replace("P,Ops,Net,r2,2024-03", "P,Ops,Net,r2,2024-Q1"))
    msg = str(e)
    assert "mixes period formats" in msg and "2024-Q1 style on row 5" in msg
    assert e.rows == (5,)


def test_blank_level_above_a_filled_one():
    e = err(GOOD.replace("P,Dev,App,a1", "P,,App,a1"))
    assert "column 'program' is blank on row 6 while a lower level" in str(e)
    assert e.column == "program" and e.rows == (6,)


def test_ragged_hierarchy_blank_lower_level_is_a_leaf_above():
    text = GOOD + "P,Dev,Web,,2024-01,5,6\nP,Hr,,,2024-01,1,1\n"
    p = load(text)
    assert p.summary.leaves == 5
    web = p.data[p.data["project"] == "Web"]
    assert web["item"].tolist() == [""]
    hr = p.data[p.data["program"] == "Hr"]
    assert hr[["project", "item"]].values.tolist() == [["", ""]]


def test_a_leaf_that_also_has_children_is_refused():
    e = err(GOOD + "P,Ops,Net,,2024-02,5,5\n")
    msg = str(e)
    assert "'P / Ops / Net' is an item on row 7 (column 'item' blank)" in msg
    assert "has items below it on rows 2, 3, 4 and 5" in msg
    assert e.column == "item" and e.rows == (7,)


def test_duplicate_rows_are_an_error_naming_them():
    text = GOOD + "P,Ops,Net,r1,2024-02,1,2\n"
    e = err(text)
    msg = str(e)
    assert "1 row repeats an item and period already in the file (among rows 3 and 7)" in msg
    assert "'P / Ops / Net / r1' in '2024-02'" in msg
    assert "Sum duplicate rows" in msg
    assert "choose a finest level column ('item' now) that names each item once" in msg
    assert e.rows == (3, 7)


def test_a_single_period_file_repeating_an_item_is_told_about_the_item_only():
    text = "program,project,planned,actual\nOps,Net,10,12\nOps,Net,5,5\nDev,App,3,3\n"
    e = err(text, ColumnMapping(levels=("program", "project"), period=None))
    msg = str(e)
    assert "1 row repeats an item already in the file (among rows 2 and 3)" in msg
    assert "and period" not in msg and "('project' now)" in msg
    assert e.column == "project" and e.rows == (2, 3)


def test_duplicates_are_summed_when_asked():
    text = GOOD + "P,Ops,Net,r1,2024-02,1,2\nP,Ops,Net,r1,2024-02,1,2\n"
    assert "2 rows repeat an item and period already in the file (among rows 3, 7 and 8)" in str(
        err(text)
    )
    p = load(text, ColumnMapping(sum_duplicates=True))
    r1 = p.data[(p.data["item"] == "r1") & (p.data["period"] == "2024-02")]
    assert r1[["planned", "actual"]].values.tolist() == [[102.0, 94.0]]
    assert len(p.data) == 5
    note = next(n for n in p.summary.notes if "duplicate" in n)
    assert "3 duplicate rows summed into 1" in note and "2 rows merged" in note
    assert p.summary.rows_used == 7 and p.summary.rows_rejected == 0


def test_negative_planned_is_allowed_and_flagged():
    p = load(
        GOOD.replace("2024-01,50,50", "2024-01,-50,50").replace("2024-02,20,25", "2024-02,-1,25")
    )
    assert p.summary.negative_planned_rows == 2
    assert any(
        "2 rows with a negative planned figure" in n and "rows 4 and 6" in n
        for n in p.summary.notes
    )


def test_binary_file_via_load():
    with pytest.raises(InputError, match="not a CSV file"):
        load_portfolio(bytes(range(256)) * 10, name="photo.jpg")


def test_single_column_file_via_load():
    with pytest.raises(InputError, match="only one column"):
        load(GOOD.replace(",", "|"))


@pytest.mark.parametrize("delim", [";", "\t"])
def test_semicolon_and_tab_files_load(delim: str):
    p = load(GOOD.replace(",", delim))
    assert p.data["actual"].sum() == 355
    assert any(("semicolon" if delim == ";" else "tab") in n for n in p.summary.notes)


def test_latin1_and_bom_files_load():
    text = GOOD.replace("Dev", "Développement")
    p1 = load_portfolio(text.encode("latin-1"), name="l1.csv")
    p2 = load_portfolio(b"\xef\xbb\xbf" + text.encode("utf-8"), name="bom.csv")
    for p in (p1, p2):
        assert "Développement" in set(p.data["program"])
        assert p.data["actual"].sum() == 355
    assert any("LATIN-1" in n for n in p1.summary.notes)
    assert any("UTF-8-SIG" in n for n in p2.summary.notes)


def test_more_than_eight_levels():
    cols = [f"l{i}" for i in range(9)]
    with pytest.raises(InputError, match="at most 8"):
        load(
            ",".join(cols) + ",planned,actual\n" + ",".join("x" * 9) + ",1,1\n",
            ColumnMapping(levels=tuple(cols), period=None),
        )


def test_eight_levels_load():
    cols = [f"l{i}" for i in range(8)]
    p = load(
        ",".join(cols) + ",planned,actual\n" + ",".join("abcdefgh") + ",1,1\n",
        ColumnMapping(levels=tuple(cols), period=None),
    )
    assert p.levels == tuple(cols) and p.summary.leaves == 1


def test_file_over_the_size_limit():
    with pytest.raises(InputError, match=r"sales.csv is .* over the limit of 100 bytes"):
        load(GOOD, max_bytes=100)


def test_cut_file_needs_the_analysts_agreement():
    cut = GOOD + "P,Dev,App,a1,2024-03,2"
    e = err(cut)
    msg = str(e)
    assert "looks cut off: 1 row at the end is incomplete" in msg
    assert "5 complete rows can be loaded without it if you agree" in msg
    p = load(cut, accept_cut=True)
    assert p.data["actual"].sum() == 355
    s = p.summary
    assert (s.rows_read, s.rows_used, s.rows_rejected) == (6, 5, 1)
    assert any("1 incomplete row at the end left out" in n for n in s.notes)


def test_rows_with_no_cost_figures_are_left_out_and_noted():
    p = load(GOOD + "P,Dev,App,a2,2024-01,,\nP,Dev,App,a3,2024-02, , \n")
    s = p.summary
    assert (s.rows_read, s.rows_used, s.rows_rejected) == (7, 5, 2)
    assert any("2 rows with no cost figures" in n and "rows 7 and 8" in n for n in s.notes)
    assert "a2" not in set(p.data["item"])


def test_empty_rows_are_left_out_and_noted():
    p = load(GOOD + ",,,,,,\n")
    assert p.summary.rows_rejected == 1
    assert any("1 empty row" in n and "row 7" in n for n in p.summary.notes)
    check_counts(p.summary)


def test_all_rows_without_cost_figures():
    assert "no row has a cost figure" in str(err(HEADER + "P,A,B,C,2024-01,,\n"))


def test_plan_ahead_rows_after_the_last_actual():
    text = GOOD + "P,Ops,Net,r1,2024-03,100,\nP,Ops,Net,r1,2024-04,100,\nP,Dev,App,a1,2024-03,20,\n"
    p = load(text)
    assert p.periods == ("2024-01", "2024-02", "2024-03")  # the calendar of the actuals
    fut = p.future_plan
    assert fut[["item", "period", "planned"]].values.tolist() == [
        ["r1", "2024-03", 100.0],
        ["r1", "2024-04", 100.0],
        ["a1", "2024-03", 20.0],
    ]
    s = p.summary
    assert s.rows_used == 8 and s.rows_rejected == 0
    assert any(
        "3 rows with a planned figure but no actual yet" in n and "rows 7, 8 and 9" in n
        for n in s.notes
    )


def test_blank_actual_before_the_last_actual_is_an_error():
    e = err(GOOD.replace("P,Ops,Net,r1,2024-01,100,110", "P,Ops,Net,r1,2024-01,100,"))
    assert "column 'actual' is blank on row 2" in str(e)
    assert e.rows == (2,)


def test_blank_planned_with_an_actual_is_an_error():
    e = err(GOOD.replace("P,Dev,App,a1,2024-02,20,25", "P,Dev,App,a1,2024-02,,25"))
    assert "column 'planned' is blank on row 6" in str(e) and e.column == "planned"


def test_single_period_file():
    text = "program,project,planned,actual\nA,x,1,2\nA,y,3,4\nB,z,5,5\n"
    p = load(text, ColumnMapping(levels=("program", "project"), period=None))
    assert p.periods == ("all",) and p.frequency == "single"
    assert p.data["period"].tolist() == ["all"] * 3
    assert p.summary.frequency == "single" and p.summary.periods == 1
    named = load(
        text, ColumnMapping(levels=("program", "project"), period=None, period_label="FY2012")
    )
    assert named.periods == ("FY2012",)


def test_single_period_duplicates_and_blank_actuals():
    m = ColumnMapping(levels=("program", "project"), period=None)
    e = err("program,project,planned,actual\nA,x,1,2\nA,x,3,4\n", m)
    assert "rows 2 and 3" in str(e)
    e = err("program,project,planned,actual\nA,x,1,\n", m)
    assert "column 'actual' is blank on row 2" in str(e)


def test_amount_expressions():
    text = "program,period,forecast,changes,spent\nA,2024-01,100,10,90\nB,2024-01,50,,60\n"
    m = ColumnMapping(levels=("program",), planned="forecast - changes", actual="spent")
    p = load(text, m)
    assert p.data["planned"].tolist() == [90.0, 50.0]
    assert any("'changes' is blank on 1 row; it was taken as 0" in n for n in p.summary.notes)
    plus = load(
        text, ColumnMapping(levels=("program",), planned="forecast + changes", actual="spent")
    )
    assert plus.data["planned"].tolist() == [110.0, 50.0]
    e = err(text, ColumnMapping(levels=("program",), planned="forecast - chnges", actual="spent"))
    assert "'chnges' is not in the file. Did you mean 'changes'?" in str(e)


def test_level_measure_is_carried_forward_and_differenced():
    text = "program,period,planned,actual\nA,2024-01,100,100\nA,2024-03,100,130\nB,2024-02,10,10\n"
    p = load(text, ColumnMapping(levels=("program",), measure="level"))
    assert p.measure == "level" and p.periods == ("2024-01", "2024-02", "2024-03")
    a = p.data[p.data["program"] == "A"]
    assert a["period"].tolist() == ["2024-01", "2024-02", "2024-03"]
    assert a["actual"].tolist() == [100.0, 0.0, 30.0]  # first flow = the level
    assert a["actual"].cumsum().tolist() == [100.0, 100.0, 130.0]  # carried forward
    b = p.data[p.data["program"] == "B"]
    assert b["period"].tolist() == ["2024-02", "2024-03"] and b["actual"].tolist() == [10.0, 0.0]


def test_level_measure_last_report_in_a_period_wins():
    text = (
        "program,date,planned,actual\n"
        "A,2024-01-10,100,100\nA,2024-01-25,100,120\nA,2024-02-10,100,125\n"
        "B,2024-01-11,5,5\nB,2024-01-20,5,7\n"
    )
    p = load(text, ColumnMapping(levels=("program",), period="date", measure="level"))
    assert p.frequency == "M"
    a = p.data[p.data["program"] == "A"]
    assert a["actual"].tolist() == [120.0, 5.0]
    assert any("monthly calendar" in n for n in p.summary.notes)


def test_irregular_dates_go_on_a_quarterly_calendar():
    text = (
        "program,date,planned,actual\n"
        "A,05/01/2014 12:00:00 AM,10,10\nA,08/01/2014 12:00:00 AM,10,11\n"
        "A,02/01/2015 12:00:00 AM,10,12\nB,08/01/2014 12:00:00 AM,3,3\n"
    )
    p = load(text, ColumnMapping(levels=("program",), period="date", measure="level"))
    # A reports twice in 2014, never twice in a quarter: quarterly
    assert p.frequency == "Q"
    assert p.periods == ("2014-Q2", "2014-Q3", "2014-Q4", "2015-Q1")
    a = p.data[p.data["program"] == "A"]
    assert a["actual"].tolist() == [10.0, 1.0, 0.0, 1.0]
    b = p.data[p.data["program"] == "B"]
    assert b["period"].tolist() == ["2014-Q3", "2014-Q4", "2015-Q1"]


def test_flows_of_several_dates_in_one_period_are_summed():
    text = "program,date,planned,actual\nA,2024-01-10,1,2\nA,2024-01-20,3,4\nA,2024-02-05,1,1\n"
    p = load(text, ColumnMapping(levels=("program",), period="date"))
    assert p.frequency == "M"
    assert p.data[["period", "planned", "actual"]].values.tolist() == [
        ["2024-01", 4.0, 6.0],
        ["2024-02", 1.0, 1.0],
    ]


def test_same_date_twice_is_a_duplicate_for_dates_too():
    text = "program,date,planned,actual\nA,2024-01-10,1,2\nA,2024-01-10,3,4\n"
    e = err(text, ColumnMapping(levels=("program",), period="date"))
    assert "rows 2 and 3" in str(e)


def test_frequency_can_be_made_coarser():
    p = load(GOOD, ColumnMapping(frequency="Q"))
    assert p.periods == ("2024-Q1",) and p.frequency == "Q"
    r2 = p.data[p.data["item"] == "r2"]
    assert r2[["planned", "actual"]].values.tolist() == [[100.0, 130.0]]
    e = err(GOOD.replace("2024-0", "2024-Q"), ColumnMapping(frequency="M"))
    assert "cannot be split into monthly" in str(e)


def test_level_measure_future_plan_is_a_flow():
    text = "program,period,planned,actual\nA,2024-01,100,90\nA,2024-02,120,\nA,2024-03,150,\n"
    p = load(text, ColumnMapping(levels=("program",), measure="level"))
    assert p.future_plan[["period", "planned"]].values.tolist() == [
        ["2024-02", 20.0],
        ["2024-03", 30.0],
    ]


def test_excel_file_loads():
    wb = openpyxl.Workbook()
    ws = wb.active
    for line in GOOD.splitlines():
        ws.append([float(c) if c.isdigit() else c for c in line.split(",")])
    buf = io.BytesIO()
    wb.save(buf)
    p = load_portfolio(buf.getvalue(), name="book.xlsx")
    assert p.data["actual"].sum() == 355 and p.summary.leaves == 3
    assert any("Excel workbook book.xlsx" in n for n in p.summary.notes)


def test_counts_always_add_up_with_every_kind_of_rejection():
    text = GOOD + ",,,,,,\nP,Dev,App,a9,2024-01,,\nP,Dev,App,a1,2024-03,5,\n" + "P,X,Y,Z,2024-01,1"
    p = load(text, accept_cut=True)
    s = p.summary
    check_counts(s)
    assert (s.rows_read, s.rows_used, s.rows_rejected) == (9, 6, 3)


_rows = st.lists(
    st.tuples(
        st.sampled_from(["Ops", "Dev", "Hr"]),
        st.sampled_from(["a", "b", "c", ""]),
        st.integers(1, 6),
        st.integers(-50, 500),
        st.one_of(st.integers(0, 500), st.none()),
    ),
    min_size=1,
    max_size=40,
)


@settings(max_examples=60, deadline=None)
@given(_rows, st.randoms(use_true_random=False))
def test_flows_keep_every_amount_whatever_the_row_order(rows, rnd):
    # duplicates summed; blank actuals only after the leaf's last actual are plan ahead
    lines = [f"{p},{i},2024-{m:02d},{pl},{'' if a is None else a}\n" for p, i, m, pl, a in rows]
    rnd.shuffle(lines)
    text = "program,item,period,planned,actual\n" + "".join(lines)
    m = ColumnMapping(levels=("program", "item"), sum_duplicates=True)
    try:
        p = load(text, m)
    except InputError as e:
        # the only refusals possible here: a blank actual before a later actual, or none at all
        assert "blank" in str(e) or "no row has an actual figure" in str(e)
        return
    s = p.summary
    check_counts(s)
    assert s.rows_rejected == 0
    total_planned = sum(pl for *_, pl, _ in rows)
    got = p.data["planned"].sum() + p.future_plan["planned"].sum()
    assert got == pytest.approx(total_planned)
    assert p.data["actual"].sum() == pytest.approx(sum(a for *_, a in rows if a is not None))
    assert list(p.periods) == sorted(p.periods)
    assert set(p.data["period"]) <= set(p.periods)


def test_blank_amount_message_names_the_role_of_a_renamed_column():
    text = "program,period,Budget,Spend\nA,2024-01,,5\n"
    e = err(text, ColumnMapping(levels=("program",), planned="Budget", actual="Spend"))
    assert "column 'Budget' (planned) is blank on row 2 although 'Spend' has a figure" in str(e)
    assert e.column == "Budget" and e.rows == (2,)


def test_semicolon_file_with_decimal_commas_loads_and_says_so():
    text = GOOD.replace(",", ";").replace(";100;110", ";100,5;110,25")
    p = load(text)
    assert p.data["planned"].sum() == pytest.approx(320.5)
    assert p.data["actual"].sum() == pytest.approx(355.25)
    assert any("'planned' uses decimal commas" in n for n in p.summary.notes)


def test_skipped_title_lines_are_noted():
    p = load("Cost report\n\n" + GOOD)
    assert p.data["actual"].sum() == 355
    assert any("The header is on row 3; the 2 lines above it" in n for n in p.summary.notes)
    e = err("Cost report\n" + GOOD.replace("2024-02,20,25", "2024-02,20,x"))
    assert "row 7" in str(e)  # row numbers stay those of the file


def test_amounts_whose_total_overflows_are_refused():
    text = GOOD.replace("2024-01,100,110", "2024-01,1e308,110").replace(
        "2024-02,20,25", "2024-02,1.5e308,25"
    )
    e = err(text)
    msg = str(e)
    assert "column 'planned' has amounts too large to add up" in msg
    assert "row 6 (1.5e+308), row 2 (1e+308)" in msg
    assert e.rows[:2] == (6, 2)


def test_planned_and_actual_that_overflow_only_together_are_refused():
    # Each column adds up (1e308 < 1.8e308), but their difference does not: an overrun of 1e308
    # beside an underrun of -1e308 would make the variance infinite (or snap it to 0).
    text = GOOD.replace("2024-01,100,110", "2024-01,1e308,110").replace(
        "2024-02,20,25", "2024-02,20,-1e308"
    )
    e = err(text)
    assert "has amounts too large to add up" in str(e)
    assert e.column in ("planned", "actual") and e.rows


def test_a_wrong_year_that_would_make_a_huge_calendar_is_refused_with_its_rows():
    # 2,000 items and one report in 9999: a dense grid of 216 million item-periods.
    lines = ["portfolio,program,project,item,period,planned,actual"]
    lines += [f"P,G{i % 10},J{i % 100},I{i},1000-01,1,2" for i in range(2000)]
    lines.append("P,G0,J0,I0,9999-12,1,2")
    e = err("\n".join(lines) + "\n")
    msg = str(e)
    assert "2,000 items over 108,000 periods" in msg
    assert "1000-01 on row 2 to 9999-12 on row 2002" in msg
    assert "more than the 10,000,000 that can be held" in msg
    assert e.rows == (2, 2002)
    # The same items over a sane calendar load.
    ok = load("\n".join([*lines[:-1], "P,G0,J0,I0,1001-12,1,2"]) + "\n")
    assert len(ok.periods) == 24


def test_fiscal_year_labels_load_as_years_and_say_so():
    text = "program,period,planned,actual\nA,FY2023,100,110\nA,FY2024,100,90\nB,FY2024,50,50\n"
    p = load(text, ColumnMapping(levels=("program",)))
    assert list(p.periods) == ["2023", "2024"] and p.frequency == "Y"
    assert any(
        "holds fiscal years, labelled by their number (FY2024 is shown as 2024" in n
        for n in p.summary.notes
    )


def test_a_text_column_as_the_period_is_told_apart_from_blank_periods():
    # 'Borough' picked as the period: its blanks are not the news, its values are not periods.
    text = "program,project,period,planned,actual\nOps,Net,Brooklyn,1,1\nOps,Web,,2,2\n"
    e = err(text, ColumnMapping(levels=("program", "project")))
    assert "has values that are not periods on row 2 (e.g. 'Brooklyn')" in str(e)
    assert e.column == "period" and e.rows == (2,)
    only_blank = "program,project,period,planned,actual\nOps,Net,2024-01,1,1\nOps,Web,,2,2\n"
    assert "is blank on row 3" in str(err(only_blank, ColumnMapping(levels=("program", "project"))))


def test_text_and_not_a_number_markers_in_one_column_are_named_together():
    text = GOOD + "P,Ops,Net,r3,2024-01,10,abc\nP,Ops,Net,r3,2024-02,10,n/a\n"
    e = err(text)
    msg = str(e)
    assert "not numbers on row 7 (e.g. 'abc')" in msg
    assert "Row 8 holds no amount either (e.g. 'n/a')" in msg
    assert e.column == "actual" and e.rows == (7, 8)


def test_every_amount_column_that_is_not_numbers_is_named_at_once():
    text = GOOD + "P,Ops,Net,r3,2024-01,twelve,10\nP,Ops,Net,r3,2024-02,10,abc\n"
    e = err(text)
    msg = str(e)
    assert "column 'planned'" in msg and "'twelve'" in msg and "row 7" in msg
    assert "column 'actual'" in msg and "'abc'" in msg and "row 8" in msg
    assert msg.index("'planned'") < msg.index("'actual'")
    assert e.column == "planned" and e.rows == (7,)
    # a column used by two roles ("A - B" and A) is named once
    both = ColumnMapping(planned="actual - planned", actual="actual")
    assert str(err(GOOD + "P,Ops,Net,r3,2024-01,1,x\n", both)).count("column 'actual'") == 1
