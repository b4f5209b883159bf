"""The Forecast page's crossing table names every outlook column in the analyst's words."""

from __future__ import annotations

from forecasting.outlook import OUTLOOK_COLUMNS
from ui import outlook_table


def test_every_outlook_column_has_a_label_and_percentages_show_as_percent() -> None:
    assert set(outlook_table.COLUMNS) == set(OUTLOOK_COLUMNS)
    labels = {name: cfg["label"] for name, cfg in outlook_table.COLUMNS.items()}
    assert all(label and "_" not in label for label in labels.values()), labels
    for name in ("cum_variance_pct_now", "projected_cum_variance_pct", "p_amber", "p_red"):
        assert outlook_table.COLUMNS[name]["type_config"]["format"] == "percent", name
