"""The shared sidebar: data source, column mapping, measure, alert thresholds, saved session.

Widget keys and labels are a contract with the browser tests (docs/ARCHITECTURE.md, "app"). Every
widget is driven through ``st.session_state`` (defaults set before it renders, never passed as a
``value``), which lets a restored session and a newly chosen file pre-fill them.
"""

from __future__ import annotations

import logging
import math
from dataclasses import asdict
from pathlib import Path
from typing import Any

import streamlit as st

from portfolio.alerts import AlertRule
from portfolio.errors import InputError
from portfolio.load import RawTable
from portfolio.mapping import (
    IT_DASHBOARD_MAPPING,
    MAX_LEVELS,
    NYC_CAPITAL_MAPPING,
    ColumnMapping,
    guess_mapping,
)
from ui import data, widget_state
from ui.store import SID_PARAM, SessionStore, new_sid, valid_sid
from ui.view import VIEW_KEY, View

log = logging.getLogger(__name__)

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "sample_data" / "sample_portfolio.csv"
REALDATA = REPO.parent / "shared" / "realdata"

SRC_SAMPLE = "Sample portfolio"
SRC_UPLOAD = "Upload a file"
SRC_IT = "Example: US federal IT Dashboard"
SRC_NYC = "Example: NYC capital projects"
NO_PERIOD = "(none: single period)"
MAX_UPLOAD_MB = 200  # the default of .streamlit/config.toml; the server's setting wins


def upload_limit_mb() -> int:
    """The upload limit the server enforces (server.maxUploadSize), for the help text."""
    try:
        return int(st.get_option("server.maxUploadSize"))
    except Exception:  # an unknown option in some future Streamlit: fall back to our default
        return MAX_UPLOAD_MB


# The two real examples and the mapping that reads them (docs/realdata.md).
EXAMPLES: dict[str, tuple[str, ColumnMapping]] = {
    SRC_IT: ("it_dashboard_projects.csv", IT_DASHBOARD_MAPPING),
    SRC_NYC: ("nyc_capital_projects.csv", NYC_CAPITAL_MAPPING),
}

THRESHOLD_DEFAULTS: dict[str, Any] = {
    "amber_pct": 10,
    "red_pct": 30,
    "floor": 0.0,
    "basis": "cumulative",
    "direction": "both",
    "persistence": 1,
}
# The threshold widgets' ranges, also used to clamp restored values.
THRESHOLD_RANGES: dict[str, tuple[float, float]] = {
    "amber_pct": (0, 100),
    "red_pct": (0, 200),
    "floor": (0.0, 1e15),
    "persistence": (1, 12),
}
THRESHOLD_CHOICES: dict[str, tuple[str, ...]] = {
    "basis": ("cumulative", "period"),
    "direction": ("both", "overrun"),
}
FORECAST_KEYS = (
    "fc_scope",
    "fc_level",
    "fc_node",
    "fc_layers",
    "fc_units",
    "fc_dropout",
    "fc_lookback",
    "fc_horizon",
    "fc_epochs",
    "fc_members",
    "fc_lr",
    "fc_seed",
    "fc_backtest",
)


def sources() -> list[str]:
    """The data source choices: the examples only where ../shared/realdata holds them."""
    options = [SRC_SAMPLE, SRC_UPLOAD]
    options += [label for label, (fname, _) in EXAMPLES.items() if (REALDATA / fname).is_file()]
    return options


# --- session id and restore -------------------------------------------------------------------


def session_store() -> SessionStore:
    """This browser session's store; the id lives in the address (``?sid=``) to survive a reload."""
    kept = st.session_state.get("_sid")
    if isinstance(kept, str) and valid_sid(kept):
        sid = kept
    else:
        asked = st.query_params.get(SID_PARAM)
        sid = asked if isinstance(asked, str) and valid_sid(asked) else new_sid()
        st.session_state["_sid"] = sid
        _restore(SessionStore(sid))
    if st.query_params.get(SID_PARAM) != sid:
        st.query_params[SID_PARAM] = sid
    return SessionStore(sid)


def _restore(store: SessionStore) -> None:
    """Put what was saved under this id back into the widgets (first run of a session only)."""
    saved = store.load_settings()
    if not saved:
        return
    log.info("restoring saved session %s", store.sid[:6])
    if saved.get("source") in sources():
        st.session_state["source"] = saved["source"]
    thresholds = saved.get("thresholds", {})
    for key, default in THRESHOLD_DEFAULTS.items():
        value = thresholds.get(key)
        if isinstance(default, str) and value in THRESHOLD_CHOICES[key]:
            st.session_state[key] = value
        elif _finite_number(value):
            lo, hi = THRESHOLD_RANGES[key]
            st.session_state[key] = type(default)(min(max(value, lo), hi))
    for key, value in saved.get("forecast", {}).items():
        if key in FORECAST_KEYS:
            st.session_state[key] = value  # range-checked by the Forecast page
    upload = store.load_upload()
    if upload is not None:
        name, raw = upload
        st.session_state["_upload"] = (name, raw, data.digest(raw))
        st.session_state["_upload_restored"] = True
    if isinstance(saved.get("mapping"), dict):
        st.session_state["_pending_mapping"] = saved["mapping"]


def _finite_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _settings_to_save() -> dict[str, Any]:
    state = st.session_state
    mapping = state.get("_mapping_saved")
    return {
        "source": state.get("source"),
        "thresholds": {k: state.get(k, v) for k, v in THRESHOLD_DEFAULTS.items()},
        "mapping": mapping if isinstance(mapping, dict) else None,
        "forecast": {k: state[k] for k in FORECAST_KEYS if k in state},
    }


def save(store: SessionStore) -> None:
    """Write the settings (and a new upload) to the store when they changed since the last save."""
    settings = _settings_to_save()
    if settings != st.session_state.get("_last_saved"):
        try:
            store.save_settings(settings)
            st.session_state["_last_saved"] = settings
        except OSError as err:  # a read-only home must not break the app
            log.warning("could not save the session: %s", err)
    upload = st.session_state.get("_upload")
    if upload is not None and st.session_state.get("_upload_saved") != upload[2]:
        try:
            store.save_upload(upload[0], upload[1])
            st.session_state["_upload_saved"] = upload[2]
        except OSError as err:
            log.warning("could not save the upload: %s", err)


def _forget() -> None:
    """Button callback: delete the saved session and start again fresh under a new id."""
    SessionStore(st.session_state["_sid"]).forget()
    keep = {"_sid"}
    for key in list(st.session_state.keys()):
        if key not in keep and key != "upload":
            del st.session_state[key]
    st.session_state["_sid"] = new_sid()
    st.session_state["_forgotten"] = True


# --- data source -------------------------------------------------------------------------------


def _source_bytes(source: str) -> tuple[str, bytes] | None:
    """The (name, bytes) of the chosen source, or None when nothing is uploaded yet."""
    if source == SRC_SAMPLE:
        return SAMPLE.name, data.file_bytes(str(SAMPLE), SAMPLE.stat().st_mtime)
    if source in EXAMPLES:
        path = REALDATA / EXAMPLES[source][0]
        return path.name, data.file_bytes(str(path), path.stat().st_mtime)
    uploaded = st.file_uploader(
        "Upload CSV or Excel",
        type=["csv", "txt", "tsv", "xlsx"],
        key="upload",
        help=(
            f"A CSV (comma, semicolon or tab separated) or an Excel .xlsx file of at most "
            f"{upload_limit_mb()} MB: one row per item and period, with planned and actual "
            "amounts. Larger files: filter or aggregate them first, or use the cost-drift "
            "command line."
        ),
    )
    seen = st.session_state.get("_upload_seen")
    if uploaded is not None:
        if uploaded.file_id != seen:
            raw = uploaded.getvalue()
            st.session_state["_upload"] = (uploaded.name, raw, data.digest(raw))
            st.session_state["_upload_seen"] = uploaded.file_id
            st.session_state["_upload_restored"] = False
    elif seen is not None:  # the analyst removed the file
        st.session_state.pop("_upload", None)
        st.session_state["_upload_seen"] = None
    upload = st.session_state.get("_upload")
    if upload is None:
        st.info("Upload a CSV or Excel file of planned and actual cost per item and period.")
        return None
    if st.session_state.get("_upload_restored"):
        st.caption(f"Using your saved file **{upload[0]}** (restored from your last visit).")
    return upload[0], upload[1]


# --- column mapping ----------------------------------------------------------------------------


def _prefill_mapping(file_digest: str, source: str, raw: RawTable) -> None:
    """Set the mapping widgets for a newly chosen file: saved mapping, example preset or guess."""
    columns = [str(c) for c in raw.frame.columns]
    pending = st.session_state.pop("_pending_mapping", None)
    if isinstance(pending, dict) and pending.get("digest") == file_digest:
        values = pending
    elif source in EXAMPLES:
        values = _mapping_values(EXAMPLES[source][1])
    else:
        try:
            values = _mapping_values(guess_mapping(columns))
        except InputError:
            values = {}
    # A saved mapping is cut to the widget's limit (only an edited store can hold more).
    levels = [c for c in values.get("map_levels", []) if c in columns][:MAX_LEVELS]
    st.session_state["map_levels"] = levels
    period = values.get("map_period")
    st.session_state["map_period"] = period if period in columns else NO_PERIOD
    for key in ("map_planned", "map_actual"):
        value = values.get(key)
        st.session_state[key] = value if isinstance(value, str) and value else None
    st.session_state["measure"] = "level" if values.get("measure") == "level" else "flow"
    st.session_state["sum_duplicates"] = bool(values.get("sum_duplicates", False))
    st.session_state["_map_extra"] = {
        "period_label": values.get("period_label"),
        "frequency": values.get("frequency", "auto"),
    }
    st.session_state["_mapping_for"] = file_digest


def _mapping_values(mapping: ColumnMapping) -> dict[str, Any]:
    return {
        "map_levels": list(mapping.levels),
        "map_period": mapping.period,
        "map_planned": mapping.planned,
        "map_actual": mapping.actual,
        "measure": mapping.measure,
        "sum_duplicates": mapping.sum_duplicates,
        "period_label": mapping.period_label,
        "frequency": mapping.frequency,
    }


def _mapping_form(columns: list[str]) -> ColumnMapping | None:
    """The mapping widgets; returns the mapping, or None (with a message) while it is incomplete."""
    state = st.session_state
    st.subheader("Column mapping")
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
    for key, label in (("map_planned", "Planned column"), ("map_actual", "Actual column")):
        current = state.get(key)
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
    extra = state.get("_map_extra") or {}
    try:
        mapping = ColumnMapping(
            levels=levels,
            period=None if period in (None, NO_PERIOD) else str(period),
            planned=str(planned),
            actual=str(actual),
            measure="level" if state.get("measure") == "level" else "flow",
            sum_duplicates=bool(state.get("sum_duplicates")),
            period_label=extra.get("period_label"),
            frequency=extra.get("frequency") or "auto",
        )
    except InputError as err:
        st.error(str(err))
        return None
    return mapping


# --- thresholds --------------------------------------------------------------------------------


def _int_range(key: str) -> tuple[int, int]:
    lo, hi = THRESHOLD_RANGES[key]
    return int(lo), int(hi)


def _thresholds() -> tuple[AlertRule | None, str | None]:
    for key, default in THRESHOLD_DEFAULTS.items():
        st.session_state.setdefault(key, default)
    state = st.session_state
    # Each widget's default is its current value (see ui/widget_state.py).
    st.subheader("Alert thresholds")
    st.slider(
        "Amber at abs variance %",
        *_int_range("amber_pct"),
        value=int(state["amber_pct"]),
        step=1,
        key="amber_pct",
        persist_state="session",
    )
    st.slider(
        "Red at abs variance %",
        *_int_range("red_pct"),
        value=int(state["red_pct"]),
        step=1,
        key="red_pct",
        persist_state="session",
    )
    st.number_input(
        "Floor on abs variance",
        min_value=float(THRESHOLD_RANGES["floor"][0]),
        value=float(state["floor"]),
        step=1000.0,
        key="floor",
        help="Nothing alerts while its absolute variance (in currency) is below this.",
        persist_state="session",
    )
    st.radio(
        "Basis",
        list(THRESHOLD_CHOICES["basis"]),
        index=widget_state.index_of("basis", THRESHOLD_CHOICES["basis"]),
        key="basis",
        horizontal=True,
        help="cumulative: variance to date. period: the variance of each period alone.",
        persist_state="session",
    )
    st.radio(
        "Direction",
        list(THRESHOLD_CHOICES["direction"]),
        index=widget_state.index_of("direction", THRESHOLD_CHOICES["direction"]),
        key="direction",
        horizontal=True,
        help="both: overruns and underruns alert. overrun: only spending above plan.",
        persist_state="session",
    )
    st.slider(
        "Persistence (periods)",
        *_int_range("persistence"),
        value=int(state["persistence"]),
        step=1,
        key="persistence",
        help="Alert only after this many consecutive periods in the band.",
        persist_state="session",
    )
    state = st.session_state
    try:
        rule = AlertRule(
            amber_pct=float(state["amber_pct"]),
            red_pct=float(state["red_pct"]),
            basis=state["basis"],
            floor=float(state["floor"]),
            direction=state["direction"],
            persistence=int(state["persistence"]),
        )
    except InputError as err:
        st.error(str(err))
        return None, str(err)
    return rule, None


# --- the whole sidebar -------------------------------------------------------------------------


def render(store: SessionStore) -> View:
    """Draw the sidebar and load what it selects; never raises on bad input (shows st.error)."""
    with st.sidebar:
        st.title("Cost Drift")
        if st.session_state.pop("_forgotten", False):
            st.success("Your saved session was deleted; this one starts afresh.")
        options = sources()
        if st.session_state.get("source") not in options:
            st.session_state["source"] = SRC_SAMPLE
        source = st.radio(
            "Data source",
            options,
            index=widget_state.index_of("source", options),
            key="source",
            persist_state="session",
        )
        view = _load(store, str(source))
        if view.rule is None:
            rule, error = _thresholds()
            if rule is not None and view.key is not None and view.data is not None:
                view = _evaluate(view, rule)
            elif error:
                view = _replace(view, errors=(*view.errors, error))
        st.divider()
        st.button(
            "Forget my saved session",
            key="forget_session",
            on_click=_forget,
            help="Delete the file, mapping, thresholds and models saved for this browser "
            "(kept so that a reload brings them back).",
        )
        st.caption(
            "Your file and settings are saved on this computer under a private id in the page "
            "address, so that reloading the page brings them back."
        )
    st.session_state[VIEW_KEY] = view
    return view


def _replace(view: View, **changes: Any) -> View:
    fields = {k: getattr(view, k) for k in view.__dataclass_fields__}
    fields.update(changes)
    return View(**fields)


def _load(store: SessionStore, source: str) -> View:
    """Read, map and roll up the chosen source; errors become messages in the view."""
    chosen = _source_bytes(source)
    if chosen is None:
        st.session_state["_mapping_saved"] = None
        return View(store=store, source=source)
    name, raw_bytes = chosen
    file_digest = data.digest(raw_bytes)
    try:
        raw = data.raw_table(file_digest, name, raw_bytes)
    except InputError as err:
        st.error(str(err))
        return View(store=store, source=source, file_name=name, errors=(str(err),))
    if st.session_state.get("_mapping_for") != file_digest:
        _prefill_mapping(file_digest, source, raw)
    accept_cut = False
    if raw.cut_rows:
        st.warning(
            f"{name} ends in the middle of a row: {raw.cut_rows} incomplete row(s) at the end "
            "(the file may have been cut off while copying or downloading)."
        )
        accept_cut = st.checkbox(
            "Load the complete rows only",
            value=widget_state.flag("accept_cut"),
            key="accept_cut",
        )
    mapping = _mapping_form([str(c) for c in raw.frame.columns])
    if mapping is None:
        return View(store=store, source=source, file_name=name, errors=("mapping incomplete",))
    saved = _mapping_values(mapping)
    saved["digest"] = file_digest
    st.session_state["_mapping_saved"] = saved
    key = data.DataKey(file_digest, name, mapping, accept_cut)
    try:
        port = data.portfolio(key, raw_bytes)
        rolled = data.rolled(key, raw_bytes)
    except InputError as err:
        st.error(str(err))
        return View(store=store, source=source, file_name=name, key=key, errors=(str(err),))
    except MemoryError:
        message = (
            f"{name} is too large for this server's memory once rolled up. Filter it or aggregate "
            "it first (fewer items or periods), or use the cost-drift command line on a larger "
            "machine."
        )
        log.warning("out of memory loading %s", name)
        st.error(message)
        return View(store=store, source=source, file_name=name, key=key, errors=(message,))
    s = port.summary
    st.caption(
        f"**{name}**: rows read / used / rejected: {s.rows_read:,} / {s.rows_used:,} / "
        f"{s.rows_rejected:,}; {s.leaves:,} items over {s.periods:,} period(s)."
    )
    return View(
        store=store,
        source=source,
        file_name=name,
        key=key,
        data=raw_bytes,
        portfolio=port,
        rolled=rolled,
    )


def _evaluate(view: View, rule: AlertRule) -> View:
    assert view.key is not None and view.data is not None
    try:
        statuses = data.statuses(view.key, rule, view.data)
    except InputError as err:
        st.error(str(err))
        return _replace(view, rule=rule, errors=(*view.errors, str(err)))
    return _replace(view, rule=rule, statuses=statuses)


def mapping_summary(mapping: ColumnMapping) -> dict[str, Any]:
    """The mapping as plain values (for the report and the Export page)."""
    return asdict(mapping)
