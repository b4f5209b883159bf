"""A bad row is named the same way on every engine: Parquet input checked in SQL (duckdb) gives
the pandas loader's message, word for word, naming the column and the file rows."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from portfolio.engines import EngineChoice, InputSpec, Job, run_frame, sqlamounts
from portfolio.errors import InputError
from portfolio.mapping import ColumnMapping
from tests.portfolio.engine_cases import assert_same_rows, write_parquet

pytest.importorskip("duckdb")

MAPPING = ColumnMapping(levels=("portfolio", "program", "project"))


def base(n_leaves: int = 3, months: int = 4) -> pd.DataFrame:
    rows = []
    for leaf in range(n_leaves):
        for m in range(months):
            rows.append(
                {
                    "portfolio": "P1" if leaf < 2 else "P2",
                    "program": f"G{leaf % 2}",
                    "project": f"J{leaf}",
                    "period": f"2024-{m + 1:02d}",
                    "planned": 100.0 + leaf,
                    "actual": 90.0 + m,
                }
            )
    return pd.DataFrame(rows)


def edit(**cells: tuple[int, object]) -> Callable[[pd.DataFrame], pd.DataFrame]:
    def apply(frame: pd.DataFrame) -> pd.DataFrame:
        frame = frame.copy()
        for col, (row, value) in cells.items():
            frame[col] = frame[col].astype(object)
            frame.at[row, col] = value
        return frame

    return apply


def dup_rows(frame: pd.DataFrame) -> pd.DataFrame:
    return pd.concat([frame, frame.iloc[[5, 1, 5]]], ignore_index=True)


def clash(frame: pd.DataFrame) -> pd.DataFrame:
    extra = frame.iloc[[0, 1]].copy()
    extra["project"] = None  # P1 / G0 an item on these rows, and a parent of J0 elsewhere
    return pd.concat([frame, extra], ignore_index=True)


def inside_blank(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.copy()
    frame.loc[[1, 6], "actual"] = np.nan
    frame["actual"] = frame["actual"].where(~frame.index.isin([1, 6]), None)
    return frame


def future_plan(frame: pd.DataFrame) -> pd.DataFrame:
    more = frame[frame["period"] == "2024-04"].copy()
    more["period"] = "2024-05"
    more["actual"] = None
    return pd.concat([frame, more], ignore_index=True)


def dated(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.copy()
    frame["period"] = pd.to_datetime(frame["period"] + "-15").dt.date
    return pd.concat([frame, frame.iloc[[2]]], ignore_index=True)


BAD: dict[str, Callable[[pd.DataFrame], pd.DataFrame]] = {
    "not finite": edit(planned=(3, float("nan"))),
    "infinite actual": edit(actual=(7, float("inf"))),
    "blank level above a filled one": edit(program=(4, None)),
    "blank top level": edit(portfolio=(2, "  ")),
    "item and parent": clash,
    "blank period": edit(period=(6, None)),
    "not a period": edit(period=(5, "banana")),
    "a text column as the period, blank in places": lambda f: edit(period=(6, None))(
        f.assign(period="Brooklyn")
    ),
    "impossible month": edit(period=(2, "2024-13")),
    "planned blank beside an actual": edit(planned=(8, None)),
    "actual blank before the last actual": inside_blank,
    "repeated item and period": dup_rows,
    "repeated date": dated,
    "no cost at all": lambda f: f.assign(planned=None, actual=None),
    "no data rows": lambda f: f.iloc[0:0],
    "no actual yet": lambda f: f.assign(actual=None),
}


def refusal(engine: str, path: Path, mapping: ColumnMapping = MAPPING) -> InputError:
    with pytest.raises(InputError) as err:
        run_frame(Job(InputSpec(str(path), mapping), choice=EngineChoice(engine)))
    return err.value


def message(engine: str, path: Path, mapping: ColumnMapping = MAPPING) -> str:
    return str(refusal(engine, path, mapping))


def said(err: InputError) -> tuple[str, str | None, tuple[int, ...]]:
    """The message and what it points at: the column and the first rows (the app marks them)."""
    return err.message, err.column, err.rows


@pytest.mark.parametrize("case", list(BAD))
def test_bad_row_named_the_same_way(case: str, tmp_path: Path) -> None:
    frame = BAD[case](base())
    path = write_parquet(
        frame.astype({"planned": "float64", "actual": "float64"}), tmp_path / "bad.parquet"
    )
    expected = refusal("pandas", path)
    assert said(refusal("duckdb", path)) == said(expected)
    assert str(path) in expected.message


LEVEL = ColumnMapping(levels=MAPPING.levels, measure="level")


@pytest.mark.parametrize("case", list(BAD))
def test_bad_row_of_a_level_file_named_the_same_way(case: str, tmp_path: Path) -> None:
    """Running totals (``--measure level``) are checked as flows are, with the same words; the
    repeats included, which the level flows no longer show to the rollup's guard."""
    frame = BAD[case](base()).astype({"planned": "float64", "actual": "float64"})
    path = write_parquet(frame, tmp_path / "bad.parquet")
    expected = refusal("pandas", path, LEVEL)
    assert said(refusal("duckdb", path, LEVEL)) == said(expected)
    assert str(path) in expected.message


def test_rows_numbered_across_parts(tmp_path: Path) -> None:
    frame = edit(planned=(10, float("nan")))(base())
    folder = write_parquet(frame, tmp_path / "lake", parts=3)
    expected = message("pandas", folder)
    assert "row 12 " in expected  # the 11th data row, in the second part
    assert message("duckdb", folder) == expected


def test_missing_column_and_single_period(tmp_path: Path) -> None:
    path = write_parquet(base(), tmp_path / "p.parquet")
    wrong = ColumnMapping(levels=("portfolio", "programme", "project"))
    assert message("duckdb", path, wrong) == message("pandas", path, wrong)
    assert "Did you mean 'program'" in message("duckdb", path, wrong)
    one = base().drop(columns="period").drop_duplicates(["project"]).assign(actual=None)
    one = write_parquet(one, tmp_path / "one.parquet")
    single = ColumnMapping(levels=MAPPING.levels, period=None)
    assert message("duckdb", one, single) == message("pandas", one, single)


def test_summed_duplicates_and_plan_ahead_same_rows(tmp_path: Path) -> None:
    for name, frame, mapping in (
        ("dups", dup_rows(base()), ColumnMapping(levels=MAPPING.levels, sum_duplicates=True)),
        ("ahead", future_plan(base()), MAPPING),
        ("quarters", base(), ColumnMapping(levels=MAPPING.levels, frequency="Q")),
        ("dates", dated(base()).iloc[:-1], MAPPING),
        ("level dups", dup_rows(base()), dataclasses.replace(LEVEL, sum_duplicates=True)),
        ("level ahead", future_plan(base()), LEVEL),
        ("level quarters", base(), dataclasses.replace(LEVEL, frequency="Q")),
        ("level dates", dated(base()).iloc[:-1], LEVEL),
    ):
        path = write_parquet(frame, tmp_path / f"{name}.parquet")
        runs = [
            run_frame(Job(InputSpec(str(path), mapping), choice=EngineChoice(e)))
            for e in ("pandas", "duckdb")
        ]
        assert_same_rows(*runs)
    assert runs[0]["period"].iloc[0] == "2024-01"


def text_amounts(frame: pd.DataFrame) -> pd.DataFrame:
    """The amounts as an export keeps them as text: currency, thousands, negatives in brackets,
    a blank actual on an item's last period (plan ahead)."""
    frame = frame.copy()
    frame["planned"] = [f"${v * 1000:,.2f}" for v in frame["planned"]]
    frame["actual"] = [
        f"({v:,.2f})" if i % 3 == 0 else str(v) for i, v in enumerate(frame["actual"])
    ]
    frame.loc[11, "actual"] = ""
    return frame


def decimal_commas(value: float) -> str:
    """``1234.5`` written ``1.234,50``."""
    return f"{value:,.2f}".replace(",", " ").replace(".", ",").replace(" ", ".")


def on(engine: str, path: Path, mapping: ColumnMapping = MAPPING) -> pd.DataFrame:
    return run_frame(Job(InputSpec(str(path), mapping), choice=EngineChoice(engine)))


def test_text_amounts_in_parquet_read_as_pandas_reads_them(tmp_path: Path) -> None:
    path = write_parquet(text_amounts(base()), tmp_path / "text.parquet")
    pandas, duck = on("pandas", path), on("duckdb", path)
    assert_same_rows(pandas, duck)
    root = duck[(duck["level"] == 0) & (duck["period"] == "2024-01")].iloc[0]
    assert (root["planned"], root["actual"]) == (303_000.0, 90.0)  # $100,000.00 ...; (90.00) ...
    assert duck["period"].iloc[-1] == "2024-04"  # the blank actual is the plan ahead
    euro = base().assign(planned=[decimal_commas(v * 1000) for v in base()["planned"]])
    euro_path = write_parquet(euro, tmp_path / "euro.parquet")
    assert_same_rows(on("pandas", euro_path), on("duckdb", euro_path))
    assert on("duckdb", euro_path)["planned"].iloc[0] == 303_000.0


@pytest.mark.parametrize(
    "bad", ["twelve", "#N/A", "1.234,5"], ids=["not a number", "not finite", "mixed styles"]
)
def test_bad_text_amount_named_the_same_way(bad: str, tmp_path: Path) -> None:
    frame = text_amounts(base())
    frame.loc[[4, 9], "actual"] = bad
    path = write_parquet(frame, tmp_path / "bad.parquet")
    expected = refusal("pandas", path)
    assert said(refusal("duckdb", path)) == said(expected)
    assert expected.column == "actual" and 6 in expected.rows


def test_what_sql_does_not_do_is_refused_with_advice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with_baseline = base().assign(original=lambda f: f["planned"])
    csv = tmp_path / "b.csv"
    with_baseline.to_csv(csv, index=False)
    baseline = ColumnMapping(levels=MAPPING.levels, baseline="original")
    for source in (csv, write_parquet(with_baseline, tmp_path / "b.parquet")):
        err = refusal("duckdb", source, baseline)
        assert err.column == "original" and str(source) in err.message
        assert "--engine pandas" in err.message and "--baseline 'original'" in err.message
    monkeypatch.setattr(sqlamounts, "MAX_DISTINCT", 2)  # planned has 3
    err = refusal("duckdb", write_parquet(text_amounts(base()), tmp_path / "many.parquet"))
    assert err.column == "planned" and "--engine pandas" in err.message
