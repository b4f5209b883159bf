"""Variance explanations in the browser: the portfolio name, the notes table, the add/edit form.

The notes live in the SQLite store of ``portfolio.notes`` (shared by every browser session and
the command line); this module only draws them. The portfolio name the notes go under is set in
the sidebar (the file name by default) and remembered per browser session for each file name,
so next month's file can be given the same name and find its notes again.

Widget keys (``<p>`` is the page prefix, ``al`` on Alerts, ``hier`` on Hierarchy):
``notes_portfolio`` (sidebar), ``<p>_note_pick`` (which note to edit), and in the form
``<p>_note_node``, ``<p>_note_period``, ``<p>_note_cause``, ``<p>_note_impact``,
``<p>_note_action``, ``<p>_note_owner``, ``<p>_note_date``, ``<p>_note_save``;
``<p>_note_delete`` deletes the picked note. The form and its callbacks are in ``ui.notes_form``.
"""

from __future__ import annotations

import logging

import pandas as pd
import streamlit as st

from portfolio.alerts import latest_status
from portfolio.errors import InputError
from portfolio.notes import (
    EXPORT_COLUMNS,
    default_portfolio_name,
    export_table,
)
from ui.notes_form import FormPlace, field_key, form, store
from ui.view import View

log = logging.getLogger(__name__)

NAME_KEY = "notes_portfolio"
COLUMNS = {
    "node": st.column_config.TextColumn("Node", width="medium"),
    "period": st.column_config.TextColumn("Period"),
    "status": st.column_config.TextColumn("Status now"),
    "cause": st.column_config.TextColumn("Cause", width="medium"),
    "impact": st.column_config.TextColumn("Impact"),
    "action": st.column_config.TextColumn("Corrective action", width="medium"),
    "owner": st.column_config.TextColumn("Owner"),
    "date": st.column_config.TextColumn("Date"),
    "updated_at": st.column_config.TextColumn("Updated"),
}


# --- the portfolio name ------------------------------------------------------------------------


def portfolio_name(view: View) -> str | None:
    """Draw the sidebar's portfolio-name box; returns the name the notes go under (or None)."""
    if view.file_name is None:
        return None
    state = st.session_state
    default = default_portfolio_name(view.file_name)
    if state.get("_notes_for") != view.file_name or not isinstance(state.get(NAME_KEY), str):
        state[NAME_KEY] = view.store.load_note_names().get(view.file_name, default)
        state["_notes_for"] = view.file_name
    with st.sidebar:
        st.text_input(
            "Portfolio name (for notes)",
            value=str(state[NAME_KEY]),
            key=NAME_KEY,
            max_chars=200,
            help="Variance notes are kept under this name and each node's path, so that next "
            "month's file of the same portfolio finds them again. Default: the file name.",
            persist_state="session",
        )
    name = str(state.get(NAME_KEY) or "").strip() or default
    _remember(view, name, default)
    return name


def _remember(view: View, name: str, default: str) -> None:
    """Save a chosen name for this file name (nothing to save while it is the default)."""
    assert view.file_name is not None
    saved = view.store.load_note_names() if view.store.exists() else {}
    if saved.get(view.file_name, default) == name:
        return
    saved[view.file_name] = name
    try:
        view.store.save_note_names(saved)
    except OSError as err:  # a read-only home must not break the app
        log.warning("could not save the notes' portfolio name: %s", err)


def current_name(view: View) -> str | None:
    """The portfolio name of this run's notes (the sidebar drew it before the page runs)."""
    if view.file_name is None:
        return None
    name = str(st.session_state.get(NAME_KEY) or "").strip()
    return name or default_portfolio_name(view.file_name)


def notes_for_export(view: View) -> pd.DataFrame | None:
    """The portfolio's notes as exported (:data:`portfolio.notes.EXPORT_COLUMNS`), or None."""
    name = current_name(view)
    if name is None:
        return None
    try:
        return export_table(store().notes(name))
    except InputError as err:
        st.warning(str(err))
        return None


# --- the table and the form --------------------------------------------------------------------


def notes_table(notes: pd.DataFrame, status: pd.Series | None = None) -> pd.DataFrame:
    """The notes as the pages show them, with the node's current status when given."""
    table = notes.loc[:, [c for c in EXPORT_COLUMNS if c != "portfolio"]].copy()
    if status is not None:
        table.insert(2, "status", table["node"].map(status).fillna("not in this file"))
    return table


def section(place: FormPlace, notes: pd.DataFrame, status: pd.Series | None = None) -> None:
    """The notes table and the add/edit form."""
    if notes.empty:
        st.caption(f"No notes yet under the portfolio name **{place.portfolio}**.")
    else:
        st.dataframe(
            notes_table(notes, status),
            column_config=COLUMNS,
            hide_index=True,
            key=field_key(place, "table"),
        )
        st.caption(f"{len(notes):,} note(s) under the portfolio name **{place.portfolio}**.")
    form(place, notes)


# --- the two places the notes are shown ----------------------------------------------------------


def _load(name: str, node: str | None = None) -> pd.DataFrame | None:
    try:
        return store().notes(name, node=node)
    except InputError as err:
        st.error(str(err))
        return None


def alerts_notes(view: View, alerts: pd.DataFrame) -> None:
    """The Alerts page's section: every note of the portfolio, the status of its node now."""
    assert view.portfolio is not None and view.statuses is not None
    name = current_name(view)
    st.subheader("Variance explanations")
    st.caption(
        "Why a node drifted and what is being done: cause, impact, corrective action, owner and "
        "a date, for a node and period. Kept on this computer for every session and for the "
        "command line's report, under the portfolio name set in the sidebar."
    )
    notes = _load(str(name))
    if name is None or notes is None:
        return
    latest = latest_status(view.statuses)
    alerting = [str(n) for n in alerts["node"]]
    others = [str(n) for n in latest["node"] if n not in set(alerting)]
    place = FormPlace("al", name, tuple(alerting + others), tuple(view.portfolio.periods))
    section(place, notes, latest.set_index("node")["status"])


def node_notes(view: View, node: str) -> None:
    """The notes of one node under its history (Hierarchy page), with the form for that node."""
    assert view.portfolio is not None
    name = current_name(view)
    notes = _load(str(name), node=node)
    if name is None or notes is None:
        return
    st.markdown(f"**Variance notes for {node}**")
    section(FormPlace("hier", name, (node,), tuple(view.portfolio.periods), node=node), notes)
