"""The run_all sections turn each benchmark's table into summary lines in words."""

from __future__ import annotations

import pandas as pd
import pytest

from bench import sections, sections_forecast


def test_app_and_export_sections_read_their_tables(monkeypatch: pytest.MonkeyPatch) -> None:
    from bench import bench_app, bench_export

    app = pd.DataFrame({"step": ["Overview, first render"], "s": [0.391]})
    monkeypatch.setattr(bench_app, "run", lambda: app)
    assert sections.app(True).summary == [
        {"benchmark": "app", "case": "Overview, first render", "result": "0.39 s", "target": ""}
    ]
    export = pd.DataFrame(
        {"format": ["png", "png", "svg"], "first s": [2.7, 2.0, 0.45], "warm s": [0.4, 0.5, 0.38]}
    )
    monkeypatch.setattr(bench_export, "run", lambda: export)
    lines = sections.export(True).summary
    assert [line["case"] for line in lines] == ["PNG", "SVG"]
    assert lines[0]["result"] == "first 2.70 s, warm 0.45 s"


def test_the_accuracy_section_names_the_best_baseline(monkeypatch: pytest.MonkeyPatch) -> None:
    table = pd.DataFrame(
        {
            "case": "NYC",
            "model": ["lstm", "naive", "auto_arima", "combo"],
            "mase": [17.8, 15.0, 13.9, 13.0],
            "rmse": [1.0, 1.0, 1.0, 1.0],
        }
    )

    class Module:
        @staticmethod
        def run_accuracy(quick: bool) -> pd.DataFrame:
            return table

    monkeypatch.setattr(sections_forecast, "_forecast_module", lambda: Module)
    (line,) = sections_forecast.accuracy(True).summary
    assert line["benchmark"] == "forecast accuracy" and line["case"] == "NYC"
    assert "best baseline auto_arima 13.9" in line["result"]
    assert line["target"] == "LSTM beats the best baseline: NO"
