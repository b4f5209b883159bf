"""A bad row is named the same way on every engine: Parquet input checked in SQL (duckdb) gives
the pandas loader's message, word for word, naming the column and the file rows."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from portfolio.engines import EngineChoice, InputSpec, Job, run_frame
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
    ):
        path = write_parquet(frame, tmp_path / f"{name}.parquet")
        runs = [
            run_frame(Job(InputSpec(str(path), mapping), choice=EngineChoice(e)))
            for e in ("pandas", "duckdb")
        ]
        assert_same_rows(*runs)
    assert runs[0]["period"].iloc[0] == "2024-01"


def test_what_sql_does_not_read_is_refused_with_advice(tmp_path: Path) -> None:
    text = write_parquet(base().astype({"planned": str}), tmp_path / "text.parquet")
    said = message("duckdb", text)
    assert "column 'planned'" in said and "--engine pandas" in said
    level = ColumnMapping(levels=MAPPING.levels, measure="level")
    path = write_parquet(base(), tmp_path / "p.parquet")
    assert "--engine pandas" in message("duckdb", path, level)
