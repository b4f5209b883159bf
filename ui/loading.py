"""The sidebar's loading: read, map and roll up the chosen source, then evaluate the alerts.

Every failure of the cores becomes a message (``st.error``) and an entry of ``View.errors``;
nothing here raises on bad input.
"""

from __future__ import annotations

import dataclasses
import logging
from typing import Any

import streamlit as st

from portfolio.alerts import AlertRule
from portfolio.errors import InputError
from portfolio.load import Portfolio, RawTable
from ui import data, widget_state
from ui.mapping_form import mapping_form, mapping_values, prefill_mapping
from ui.sources import source_bytes
from ui.store import SessionStore
from ui.view import View

log = logging.getLogger(__name__)


def replace_view(view: View, **changes: Any) -> View:
    """A copy of ``view`` with some fields changed."""
    return dataclasses.replace(view, **changes)


def _accept_cut(name: str, raw: RawTable) -> bool:
    """For a file cut mid-row: the warning and the choice to load its complete rows only."""
    if not raw.cut_rows:
        return False
    st.warning(
        f"{name} ends in the middle of a row: {raw.cut_rows} incomplete row(s) at the end "
        "(the file may have been cut off while copying or downloading)."
    )
    return st.checkbox(
        "Load the complete rows only",
        value=widget_state.flag("accept_cut"),
        key="accept_cut",
    )


ENGINE_NAMES = {"pandas": "pandas", "duckdb": "DuckDB"}


def _caption(name: str, port: Portfolio) -> None:
    s = port.summary
    engine = ENGINE_NAMES.get(data.rollup_engine(port), "pandas")
    st.caption(
        f"**{name}**: rows read / used / rejected: {s.rows_read:,} / {s.rows_used:,} / "
        f"{s.rows_rejected:,}; {s.leaves:,} items over {s.periods:,} period(s); "
        f"rolled up on the {engine} engine."
    )


def _rolled_up(view: View, raw_bytes: bytes) -> View:
    """The portfolio and rollup of ``view.key``, or the view with the message of the failure."""
    assert view.key is not None and view.file_name is not None
    name = view.file_name
    try:
        port = data.portfolio(view.key, raw_bytes)
        rolled = data.rolled(view.key, raw_bytes)
    except InputError as err:
        st.error(str(err))
        return replace_view(view, errors=(str(err),))
    except MemoryError:
        message = (
            f"{name} is too large for this server's memory once rolled up. Filter it or aggregate "
            "it first (fewer items or periods), or use the cost-drift command line on a larger "
            "machine."
        )
        log.warning("out of memory loading %s", name)
        st.error(message)
        return replace_view(view, errors=(message,))
    _caption(name, port)
    return replace_view(view, data=raw_bytes, portfolio=port, rolled=rolled)


def load(store: SessionStore, source: str) -> View:
    """Read, map and roll up the chosen source; errors become messages in the view."""
    chosen = source_bytes(source)
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
        prefill_mapping(file_digest, source, raw)
    accept_cut = _accept_cut(name, raw)
    mapping = mapping_form([str(c) for c in raw.frame.columns])
    if mapping is None:
        return View(store=store, source=source, file_name=name, errors=("mapping incomplete",))
    st.session_state["_mapping_saved"] = {**mapping_values(mapping), "digest": file_digest}
    key = data.DataKey(file_digest, name, mapping, accept_cut)
    return _rolled_up(View(store=store, source=source, file_name=name, key=key), raw_bytes)


def evaluate(view: View, rule: AlertRule) -> View:
    """The view with the alert statuses of ``rule`` (or with the message of why not)."""
    assert view.key is not None and view.data is not None
    try:
        statuses = data.statuses(view.key, rule, view.data)
    except InputError as err:
        st.error(str(err))
        return replace_view(view, rule=rule, errors=(*view.errors, str(err)))
    return replace_view(view, rule=rule, statuses=statuses)
