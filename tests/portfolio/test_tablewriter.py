"""The fast table writer: pandas' CSV bytes, the same JSON values, formulas neutralised."""

from __future__ import annotations

import csv
import io
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portfolio import tablewriter
from portfolio.formulas import FORMULA_PREFIXES, neutralise
from portfolio.tablewriter import csv_bytes, json_bytes, write_csv, write_json

EDGE_FLOATS = [
    0.0,
    -0.0,
    5.0,
    -3.0,
    0.1,
    1 / 3,
    4517914.78,
    4517914.779999999,
    1e-4,
    9.999999999999999e-05,
    1e-5,
    2.5e-7,
    5e-324,
    9999999999.5,
    1e10,
    15000000000.5,
    1e15,
    1234567890123456.0,
    1e16,
    1.2345678901234568e16,
    1e22,
    1.7976931348623157e308,
    -1.7976931348623157e308,
    math.inf,
    -math.inf,
    math.nan,
]
# Text that looks like formulas, needs quoting, or is not ASCII (no carriage return: see below).
EDGE_TEXT = [
    '=HYPERLINK("http://x")',
    "+1+2",
    "-3",
    "@SUM(A1)",
    "\tlead",
    "plain",
    "",
    "a,b",
    'say "hi"',
    "two\nlines",
    "Ops / Net",
    "Zürich – Œuvre ∕ 東京 🚀",
    "\u2028sep",
    " spaced ",
    "back\\slash",
    "nul\x00byte",
    "'already",
]


def old_csv(frame: pd.DataFrame) -> bytes:
    """The writer the CLI used before: pandas on the neutralised table."""
    return neutralise(frame).to_csv(index=False).encode("utf-8")


def expected_records(frame: pd.DataFrame) -> list[dict[str, object]]:
    """Records as Python reads them: NaN and infinities None, numbers exact."""
    records = []
    for row in frame.astype(object).itertuples(index=False):
        record: dict[str, object] = {}
        for key, value in zip(frame.columns, row, strict=True):
            if (
                value is None
                or value is pd.NA
                or (isinstance(value, float) and not math.isfinite(value))
            ):
                record[str(key)] = None
            elif isinstance(value, np.generic):
                record[str(key)] = value.item()
            else:
                record[str(key)] = value
        records.append(record)
    return records


floats = st.one_of(
    st.sampled_from(EDGE_FLOATS),
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(min_value=-1e12, max_value=1e12).map(lambda v: round(v, 2)),
    st.integers(min_value=-(2**53), max_value=2**53).map(float),
)
texts = st.one_of(
    st.sampled_from(EDGE_TEXT),
    st.text(st.characters(exclude_categories=["Cs"], exclude_characters="\r"), max_size=12),
)


@st.composite
def frames(draw: st.DrawFn) -> pd.DataFrame:
    n_rows = draw(st.integers(min_value=0, max_value=12))
    kinds = draw(
        st.lists(
            st.sampled_from(["float", "int", "bool", "str", "object", "category", "Int64"]),
            min_size=1,
            max_size=5,
        )
    )
    data: dict[str, pd.Series] = {}
    for i, kind in enumerate(kinds):
        name = draw(st.sampled_from([f"c{i}", f"=c{i}", f"c,{i}", f"col {i} é"]))
        if kind == "float":
            column = pd.Series(draw(st.lists(floats, min_size=n_rows, max_size=n_rows)))
            column = column.astype(np.float64)
        elif kind == "int":
            ints = st.integers(min_value=-(2**63), max_value=2**63 - 1)
            values = draw(st.lists(ints, min_size=n_rows, max_size=n_rows))
            column = pd.Series(values, dtype=np.int64)
        elif kind == "Int64":
            maybe = st.one_of(st.none(), st.integers(min_value=-(10**12), max_value=10**12))
            values = draw(st.lists(maybe, min_size=n_rows, max_size=n_rows))
            column = pd.Series(values, dtype="Int64")
        elif kind == "bool":
            values = draw(st.lists(st.booleans(), min_size=n_rows, max_size=n_rows))
            column = pd.Series(values, dtype=bool)
        else:
            maybe_text = st.one_of(st.none(), texts)
            values = draw(st.lists(maybe_text, min_size=n_rows, max_size=n_rows))
            dtype = {"str": "str", "object": object, "category": "category"}[kind]
            column = pd.Series(values, dtype=dtype)
        data[name] = column
    return pd.DataFrame(data)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(frames())
def test_csv_is_byte_for_byte_the_old_writers(frame: pd.DataFrame) -> None:
    assert csv_bytes(frame) == old_csv(frame)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(frames())
def test_json_reads_back_as_the_table_and_as_the_old_writers(frame: pd.DataFrame) -> None:
    text = json_bytes(frame)
    assert text.endswith(b"\n")
    records = json.loads(text)
    assert records == expected_records(frame)  # every float exactly, NaN and inf as null
    old = json.loads(frame.to_json(orient="records", double_precision=10, force_ascii=False))
    for new_record, old_record in zip(records, old, strict=True):
        assert list(new_record) == list(old_record)
        for key, value in new_record.items():
            if isinstance(value, float):  # the old writer rounded to 10 digits ...
                old_value = old_record[key]
                assert math.isclose(value, old_value, rel_tol=1e-9, abs_tol=1e-10) or (
                    # ... which took the largest floats past the maximum, to infinity
                    old_value is not None and math.isinf(old_value) and abs(value) > 1.79e308
                )
            else:
                assert value == old_record[key]


@given(st.lists(floats, min_size=1, max_size=40))
def test_floats_are_written_as_repr(values: list[float]) -> None:
    frame = pd.DataFrame({"i": range(len(values)), "x": values})
    cells = [line.split(",")[1] for line in csv_bytes(frame).decode().splitlines()[1:]]
    assert cells == ["" if math.isnan(v) else repr(v) for v in values]


def test_float_layout_at_every_boundary() -> None:
    around = []
    for edge in (1e-4, 1e10, 1e15, 1e16):
        for v in (edge, np.nextafter(edge, 0.0), np.nextafter(edge, np.inf)):
            around += [float(v), -float(v), float(v) + 0.5, float(v) * 1.5]
    frame = pd.DataFrame({"x": around})
    lines = csv_bytes(frame).decode().splitlines()[1:]
    assert lines == [repr(v) for v in around]
    assert "4517914.78" in csv_bytes(pd.DataFrame({"x": [4517914.78]})).decode()


def test_formulas_are_neutralised_on_the_fast_path(monkeypatch: pytest.MonkeyPatch) -> None:
    def pandas_writer(*args: object, **kwargs: object) -> None:
        raise AssertionError("the fast path must not fall back to pandas")

    monkeypatch.setattr(pd.DataFrame, "to_csv", pandas_writer)
    risky = ["=1+1", "+2", "-3", "@A1", "\tx", "\ry", "fine"]
    frame = pd.DataFrame(
        {
            "=header": pd.Series(risky, dtype="str"),
            "as_object": pd.Series(risky, dtype=object),
            "as_category": pd.Series(risky, dtype="category"),
            "amount": [-1.5, -2.0, 3.0, 4.0, 5.0, 6.0, 7.0],
        }
    )
    rows = list(csv.reader(io.StringIO(csv_bytes(frame).decode(), newline="")))
    assert rows[0] == ["'=header", "as_object", "as_category", "amount"]
    for row, value in zip(rows[1:], risky, strict=True):
        want = "'" + value if value.startswith(FORMULA_PREFIXES) else value
        assert row[:3] == [want, want, want]
    assert [row[3] for row in rows[1:3]] == ["-1.5", "-2.0"]  # numbers are never touched
    records = json.loads(json_bytes(frame))
    assert [r["=header"] for r in records] == risky  # JSON is read by programs: as is


def test_carriage_return_is_quoted_and_reads_back() -> None:
    frame = pd.DataFrame({"a": ["x\ry", "\rlead", "ok"], "b": [1, 2, 3]})
    text = csv_bytes(frame).decode()
    assert '"x\ry"' in text and '"\'\rlead"' in text
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows == [["a", "b"], ["x\ry", "1"], ["'\rlead", "2"], ["ok", "3"]]


@pytest.mark.parametrize("chunk", [1, 2, 3, 7])
def test_blocks_and_threads_give_the_same_text(monkeypatch: pytest.MonkeyPatch, chunk: int) -> None:
    rng = np.random.default_rng(3)
    n = 50
    frame = pd.DataFrame(
        {
            "node": pd.Series(rng.choice(EDGE_TEXT, n), dtype="str"),
            "level": rng.integers(0, 4, n),
            "amount": rng.choice(EDGE_FLOATS, n),
            "pct": rng.normal(0, 1, n),
            "flag": rng.integers(0, 2, n).astype(bool),
        }
    )
    whole_csv, whole_json = old_csv(frame), json.loads(json_bytes(frame))
    monkeypatch.setattr(tablewriter, "CHUNK_ROWS", chunk)
    monkeypatch.setattr(tablewriter, "WORKERS", 2)
    assert csv_bytes(frame) == whole_csv
    assert json.loads(json_bytes(frame)) == whole_json == expected_records(frame)


def test_one_record_per_line_and_empty_tables() -> None:
    frame = pd.DataFrame({"a": [1.5, np.nan], "b": ["x", None]})
    assert json_bytes(frame) == b'[{"a":1.5,"b":"x"},\n{"a":null,"b":null}]\n'
    assert json_bytes(frame.iloc[:0]) == b"[]\n"
    # text columns carry the literal text beside them: alone, side by side, last
    assert json_bytes(pd.DataFrame({"a": ["x", None]})) == b'[{"a":"x"},\n{"a":null}]\n'
    pair = pd.DataFrame({"a": ["x"], "b": pd.Series(["y"], dtype="category"), "c": [1]})
    assert json_bytes(pair) == b'[{"a":"x","b":"y","c":1}]\n'
    assert json_bytes(pair.iloc[:, ::-1]) == b'[{"c":1,"b":"y","a":"x"}]\n'
    assert csv_bytes(frame.iloc[:0]) == b"a,b\n"
    assert csv_bytes(pd.DataFrame({"a": ["", None, "x"]})) == b'a\n""\n""\nx\n'
    assert csv_bytes(pd.DataFrame({"": ["x"]})) == b'""\nx\n'


def test_tables_it_does_not_know_go_to_pandas() -> None:
    dates = pd.DataFrame({"when": pd.to_datetime(["2024-01-31", "2024-02-29"]), "v": [1.0, 2.0]})
    assert csv_bytes(dates) == old_csv(dates)
    mixed = pd.DataFrame({"m": pd.Series(["=x", 1, 2.5, None], dtype=object)})
    assert csv_bytes(mixed) == old_csv(mixed) == b'm\n\'=x\n1\n2.5\n""\n'
    assert csv_bytes(pd.DataFrame(index=range(2))) == old_csv(pd.DataFrame(index=range(2)))
    assert json.loads(json_bytes(mixed)) == [{"m": "=x"}, {"m": 1}, {"m": 2.5}, {"m": None}]
    halves = pd.DataFrame({"f": np.array([0.1, 2.5], dtype=np.float32)})
    assert csv_bytes(halves) == old_csv(halves) == b"f\n0.1\n2.5\n"


def test_writes_into_a_binary_file(tmp_path: Path) -> None:
    frame = pd.DataFrame({"node": ["All", "=Dev"], "planned": [290.0, np.nan]})
    target = tmp_path / "out.csv"
    with target.open("wb") as handle:
        write_csv(frame, handle)
    assert target.read_bytes() == b"node,planned\nAll,290.0\n'=Dev,\n"
    target = tmp_path / "out.json"
    with target.open("wb") as handle:
        write_json(frame, handle)
    assert json.loads(target.read_bytes()) == [
        {"node": "All", "planned": 290.0},
        {"node": "=Dev", "planned": None},
    ]
