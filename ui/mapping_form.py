"""The sidebar's column mapping: prefill for a new file, the widgets, and the mapping they make.

A newly chosen file's widgets are filled, in this order of preference, from the mapping saved for
the same bytes, the example's documented mapping, or ``portfolio.mapping.guess_mapping``.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

import streamlit as st

from portfolio.errors import InputError
from portfolio.load import RawTable
from portfolio.mapping import MAX_LEVELS, ColumnMapping, guess_mapping
from ui import widget_state
from ui.sources import EXAMPLES

NO_PERIOD = "(none: single period)"
NO_BASELINE = "(none)"


def _guessed_values(raw: RawTable, columns: list[str]) -> dict[str, Any]:
    """The guessed mapping of a file (empty when nothing can be guessed), from the column names
    and the values (levels that nest in the data)."""
    try:
        return mapping_values(guess_mapping(columns, raw.frame))
    except InputError:
        return {}


def prefill_mapping(file_digest: str, source: str, raw: RawTable) -> None:
    """Set the mapping widgets for a newly chosen file: saved mapping, example preset or guess."""
    columns = [str(c) for c in raw.frame.columns]
    pending = st.session_state.pop("_pending_mapping", None)
    if isinstance(pending, dict) and pending.get("digest") == file_digest:
        values = pending
    elif source in EXAMPLES:
        values = mapping_values(EXAMPLES[source][1])
    else:
        values = _guessed_values(raw, columns)
    # A saved mapping is cut to the widget's limit (only an edited store can hold more).
    levels = [c for c in values.get("map_levels", []) if c in columns][:MAX_LEVELS]
    st.session_state["map_levels"] = levels
    period = values.get("map_period")
    st.session_state["map_period"] = period if period in columns else NO_PERIOD
    for key in ("map_planned", "map_actual"):
        value = values.get(key)
        st.session_state[key] = value if isinstance(value, str) and value else None
    baseline = values.get("map_baseline")
    st.session_state["map_baseline"] = (
        baseline if isinstance(baseline, str) and baseline else NO_BASELINE
    )
    st.session_state["measure"] = "level" if values.get("measure") == "level" else "flow"
    st.session_state["sum_duplicates"] = bool(values.get("sum_duplicates", False))
    label = values.get("period_label")
    st.session_state["map_period_label"] = label if isinstance(label, str) else ""
    st.session_state["_map_extra"] = {"frequency": values.get("frequency", "auto")}
    st.session_state["_mapping_for"] = file_digest


def mapping_values(mapping: ColumnMapping) -> dict[str, Any]:
    """A mapping as the widgets' values (widget key -> value), as saved with the session."""
    return {
        "map_levels": list(mapping.levels),
        "map_period": mapping.period,
        "map_planned": mapping.planned,
        "map_actual": mapping.actual,
        "map_baseline": mapping.baseline,
        "measure": mapping.measure,
        "sum_duplicates": mapping.sum_duplicates,
        "period_label": mapping.period_label,
        "frequency": mapping.frequency,
    }


def _column_widgets(columns: list[str]) -> None:
    """The hierarchy, period and amount column choices."""
    st.multiselect(
        "Hierarchy levels (top to bottom)",
        columns,
        default=widget_state.chosen("map_levels", columns)[:MAX_LEVELS],
        key="map_levels",
        help="The columns of the hierarchy, from the top (e.g. portfolio) to the item, at most 8.",
        max_selections=MAX_LEVELS,
        persist_state="session",
    )
    st.selectbox(
        "Period column",
        [NO_PERIOD, *columns],
        index=widget_state.index_of("map_period", [NO_PERIOD, *columns]),
        key="map_period",
        help="Dates, YYYY-MM, YYYY-Qn, YYYY or FY2024. Choose none for a single snapshot.",
        persist_state="session",
    )
    if st.session_state.get("map_period") in (None, NO_PERIOD):
        st.session_state.setdefault("map_period_label", "")
        st.text_input(
            "Name of the single period",
            key="map_period_label",
            placeholder=ColumnMapping().label,
            help="How the one snapshot is named on the pages and in exports (e.g. 2012 or "
            f"FY2024); empty: '{ColumnMapping().label}'.",
            persist_state="session",
        )
    for key, label in (("map_planned", "Planned column"), ("map_actual", "Actual column")):
        current = st.session_state.get(key)
        options = list(columns)
        if isinstance(current, str) and current and current not in options:
            options.append(current)  # an expression such as "A - B"
        st.selectbox(
            label,
            options,
            key=key,
            index=widget_state.index_of(key, options, fallback=None),
            placeholder="Choose a column",
            accept_new_options=True,
            help='A column, or two joined by " - " or " + " (type it, e.g. "Budget - Changes").',
            persist_state="session",
        )


def _baseline_widget(columns: list[str]) -> None:
    """The optional second plan: the original baseline beside the current plan."""
    current = st.session_state.get("map_baseline")
    options = [NO_BASELINE, *columns]
    if isinstance(current, str) and current and current not in options:
        options.append(current)  # an expression such as "A - B"
    st.selectbox(
        "Baseline plan column (optional)",
        options,
        key="map_baseline",
        index=widget_state.index_of("map_baseline", options),
        accept_new_options=True,
        help="The original plan (baseline) beside the current one, to see the variance against "
        'each and where the plan was changed. A column, or two joined by " - " or " + ".',
        persist_state="session",
    )


def _reading_widgets() -> None:
    """How the amounts are read: the measure and whether duplicates are summed."""
    st.radio(
        "Measure",
        ["flow", "level"],
        index=widget_state.index_of("measure", ["flow", "level"]),
        key="measure",
        horizontal=True,
        help="flow: the amount of each period. level: a running total or re-forecast "
        "(differenced into flows).",
        persist_state="session",
    )
    st.checkbox(
        "Sum duplicate rows",
        value=widget_state.flag("sum_duplicates"),
        key="sum_duplicates",
        help="Add up rows of the same item and period instead of reporting them as an error.",
        persist_state="session",
    )


def _period_label(period: object) -> str | None:
    """The single period's name as typed (None: the default), only for a file without periods."""
    label = st.session_state.get("map_period_label")
    if period not in (None, NO_PERIOD) or not isinstance(label, str) or not label.strip():
        return None
    return label.strip()


def _mapping_from_state() -> ColumnMapping | None:
    """The mapping the widgets hold, or None (with a message) while it is incomplete or bad."""
    state = st.session_state
    levels = tuple(state.get("map_levels") or ())
    planned, actual = state.get("map_planned"), state.get("map_actual")
    if not levels or not planned or not actual:
        missing = [
            name
            for name, ok in (("hierarchy levels", levels), ("planned", planned), ("actual", actual))
            if not ok
        ]
        st.warning("Choose the " + ", ".join(missing) + " column(s) to load the file.")
        return None
    period = state.get("map_period")
    baseline = state.get("map_baseline")
    extra = state.get("_map_extra") or {}
    try:
        return ColumnMapping(
            levels=levels,
            period=None if period in (None, NO_PERIOD) else str(period),
            planned=str(planned),
            actual=str(actual),
            measure="level" if state.get("measure") == "level" else "flow",
            sum_duplicates=bool(state.get("sum_duplicates")),
            period_label=_period_label(period),
            frequency=extra.get("frequency") or "auto",
            baseline=None if baseline in (None, "", NO_BASELINE) else str(baseline),
        )
    except InputError as err:
        st.error(str(err))
        return None


def mapping_form(columns: list[str]) -> ColumnMapping | None:
    """The mapping widgets; returns the mapping, or None (with a message) while it is incomplete."""
    st.subheader("Column mapping")
    _column_widgets(columns)
    _baseline_widget(columns)
    _reading_widgets()
    return _mapping_from_state()


def mapping_summary(mapping: ColumnMapping) -> dict[str, Any]:
    """The mapping as plain values (for the report and the Export page)."""
    return asdict(mapping)
