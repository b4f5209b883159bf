"""A flow file whose figures change as little as levels do gets a note suggesting 'level'."""

from __future__ import annotations

import numpy as np

from portfolio.load import load_portfolio
from portfolio.mapping import ColumnMapping
from portfolio.measure_hint import MIN_PAIRS

MAPPING = ColumnMapping(levels=("program", "project"))
MONTHS = [f"2024-{m:02d}" for m in range(1, 13)]


def _file(figures: dict[str, list[float]]) -> bytes:
    lines = ["program,project,period,planned,actual"]
    for project, values in figures.items():
        lines += [f"Ops,{project},{m},{v:.2f},{v:.2f}" for m, v in zip(MONTHS, values, strict=True)]
    return "\n".join(lines).encode()


def _hints(data: bytes, mapping: ColumnMapping = MAPPING) -> list[str]:
    notes = load_portfolio(data, mapping, name="costs.csv").summary.notes
    return [n for n in notes if "change little" in n]


def test_running_totals_read_as_flows_get_the_note() -> None:
    # re-forecasts: 1,000 moving by 1 % at about half of the reports
    rng = np.random.default_rng(1)
    levels = {p: list(1000 * np.cumprod(1 + 0.01 * rng.integers(0, 2, 12))) for p in ("N", "S")}
    (hint,) = _hints(_file(levels))
    assert "'actual' change little" in hint and "--measure level" in hint
    assert "under 0.0%" in hint or "under 1.0%" in hint
    # read as levels, as the note says, there is nothing to hint
    assert _hints(_file(levels), ColumnMapping(levels=MAPPING.levels, measure="level")) == []


def test_spend_that_moves_by_its_own_size_gets_no_note() -> None:
    rng = np.random.default_rng(2)
    spend = {p: list(rng.uniform(50, 150, 12)) for p in ("Net", "Srv")}
    assert _hints(_file(spend)) == []


def test_too_few_pairs_say_nothing() -> None:
    flat = {"Net": [100.0] * 12}  # 11 pairs, all equal: too few to judge
    assert MIN_PAIRS > 11 and _hints(_file(flat)) == []
    # the same repeated over two projects is enough pairs, and reads like levels
    assert len(_hints(_file({"Net": [100.0] * 12, "Srv": [80.0] * 12}))) == 1


def test_changes_too_large_for_a_float_are_counted_without_a_warning() -> None:
    import warnings

    from portfolio.measure_hint import median_change
    from portfolio.regular import LeafRows

    actual = np.array([1e-300, 1e300, 1e-300, 1e300] * 6)
    n = len(actual)
    src = LeafRows(
        values=(),
        levels=(),
        leaf=np.zeros(n, dtype=np.int64),
        ordinal=np.arange(n),
        stamp=np.arange(n),
        planned=actual,
        actual=actual,
        data_sel=np.arange(n),
        fut_sel=np.arange(0),
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        median, pairs = median_change(src)
    assert pairs == n - 1 and median > 1
