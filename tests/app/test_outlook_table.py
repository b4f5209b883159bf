"""The drift outlook's crossing table as shown: a dash where a band is not reached, not "None"."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

from ui import outlook_table


def test_a_band_not_reached_reads_as_a_dash(monkeypatch: pytest.MonkeyPatch) -> None:
    shown: dict[str, Any] = {}

    def capture(frame: pd.DataFrame, **kwargs: Any) -> None:
        shown["frame"], shown["kwargs"] = frame, kwargs

    monkeypatch.setattr(outlook_table.st, "dataframe", capture)
    crossing = pd.DataFrame(
        {
            "node": ["A", "B"],
            "status_now": ["red", "green"],
            "first_amber_period": ["2026-01", "2026-03"],
            "first_red_period": ["2026-01", None],
            "p_red": [0.9, 0.1],
        }
    )
    outlook_table.show_crossing(crossing)
    frame = shown["frame"]
    assert frame["first_red_period"].tolist() == ["2026-01", "—"]
    assert frame["first_amber_period"].tolist() == ["2026-01", "2026-03"]
    assert frame["p_red"].tolist() == [0.9, 0.1]  # numbers untouched
    assert crossing["first_red_period"].isna().sum() == 1  # the caller's table untouched
    assert shown["kwargs"]["column_config"] is outlook_table.COLUMNS
