"""Issue 9: a file of 12 quarters forecasts with the Forecast page's defaults, and the verdict area
says what the automatic settings became and how they were chosen."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import pytest
from apphelp import no_exception, wait_for_training
from streamlit.testing.v1 import AppTest

from forecasting.settings import ModelSettings
from forecasting.tuning import TUNING_COLUMNS


def _twelve_quarters() -> bytes:
    """Three projects of one program over 2022-Q1..2024-Q4 with a season and a growing overrun."""
    rows = []
    for j, project in enumerate(("Alpha", "Beta", "Gamma")):
        for t in range(12):
            planned = 1000.0 * (1 + j) * (1 + 0.2 * (t % 4))
            actual = planned * (1 + 0.02 * t) + 13 * (t % 3)
            rows.append(("Ops", project, f"{2022 + t // 4}-Q{t % 4 + 1}", planned, actual))
    frame = pd.DataFrame(rows, columns=["program", "project", "period", "planned", "actual"])
    return frame.to_csv(index=False).encode()


@pytest.mark.slow
def test_twelve_quarters_forecast_with_the_default_settings(make_app: Callable[..., AppTest]):
    at = make_app().run()
    at.radio(key="source").set_value("Upload a file").run()
    at.file_uploader(key="upload").set_value(("quarters.csv", _twelve_quarters(), "text/csv"))
    at.run()
    no_exception(at)
    assert not at.error, [e.value for e in at.error]
    at.switch_page("app_pages/forecast.py").run()
    no_exception(at)
    request = at.session_state["fc_request"]
    # Nothing was touched: the sliders are the core's defaults, the horizon fixed for 12 quarters.
    assert request.forecast.settings.units == ModelSettings().units == 0
    assert request.forecast.future_periods() == ["2025-Q1", "2025-Q2", "2025-Q3"]
    at.button(key="fc_train").click().run()
    at = wait_for_training(at, timeout=600, poll=1.0)
    no_exception(at)
    job = at.session_state["fc_job"]
    assert job.state == "done", job.message()
    assert not at.error, [e.value for e in at.error]
    assert [c for c in at.get("plotly_chart") if getattr(c, "key", None) == "fc_fan"]
    run = job.result
    leaves = run.forecast[run.forecast["node"].str.contains(" / ")]
    assert set(leaves["node"]) == {"Ops / Alpha", "Ops / Beta", "Ops / Gamma"}
    assert set(leaves["period"]) == {"2025-Q1", "2025-Q2", "2025-Q3"}
    # The verdict area: what the networks were trained with and how the automatic ones were chosen.
    used = run.ensemble.settings
    captions = " ".join(c.value for c in at.caption)
    # 12 quarters: the chosen lookback is paired with half of it (twice would leave too few
    # windows), and the networks take turns at the two
    half = used.lookback // 2
    assert run.ensemble.member_lookbacks == (used.lookback, half) * 3
    shares = f"lookbacks {used.lookback} and {half} (3 at {used.lookback}, 3 at {half} networks)"
    assert f"Trained with {shares}, horizon 3," in captions
    assert f"{used.units} units, learning rate {used.learning_rate:g}" in captions
    assert "Automatic settings: " in captions
    # the file stops at 2024-Q4: the plan of the forecast quarters is the forecast's assumption
    assert (
        "Plan ahead: your file has no plan for 2025-Q1 to 2025-Q3, so the forecast assumes each "
        "node's plan repeats its last season" in captions
    )
    tables = [df.value for df in at.dataframe if list(df.value.columns) == TUNING_COLUMNS]
    assert tables and tables[0].equals(run.tuning.reset_index(drop=True))
    chosen = tables[0][tables[0]["status"].str.startswith("chosen")]
    assert len(chosen) == 1
    assert (int(chosen["lookback"].iloc[0]), int(chosen["units"].iloc[0])) == (
        used.lookback,
        used.units,
    )
