"""Variance explanations in the browser: the portfolio name, the notes table, the add/edit form.

The notes live in the SQLite store of ``portfolio.notes`` (shared by every browser session and
the command line); this module only draws them. The portfolio name the notes go under is set in
the sidebar (the file name by default) and remembered per browser session for each file name,
so next month's file can be given the same name and find its notes again.

Widget keys (``<p>`` is the page prefix, ``al`` on Alerts, ``hier`` on Hierarchy):
``notes_portfolio`` (sidebar), ``<p>_note_pick`` (which note to edit), and in the form
``<p>_note_node``, ``<p>_note_period``, ``<p>_note_cause``, ``<p>_note_impact``,
``<p>_note_action``, ``<p>_note_owner``, ``<p>_note_date``, ``<p>_note_save``;
``<p>_note_delete`` deletes the picked note.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from portfolio.alerts import latest_status
from portfolio.errors import InputError
from portfolio.notes import (
    EXPORT_COLUMNS,
    TEXT_FIELDS,
    NoteKey,
    NotesStore,
    NoteText,
    default_portfolio_name,
    export_table,
)
from ui.view import View

log = logging.getLogger(__name__)

NAME_KEY = "notes_portfolio"
NEW = 0  # the "pick" option that starts a new note
FIELD_LABELS = {
    "cause": "Cause",
    "impact": "Impact",
    "action": "Corrective action",
    "owner": "Owner",
    "date": "Date",
}
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


def store() -> NotesStore:
    """The notes database (``$COST_DRIFT_NOTES``, else ``notes.sqlite`` in the data folder)."""
    return NotesStore()


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


@dataclass(frozen=True)
class FormPlace:
    """Where a notes form is drawn: key prefix, the portfolio name and its choices.

    ``node`` fixes the node (the Hierarchy page's history); otherwise ``nodes`` are offered.
    """

    prefix: str
    portfolio: str
    nodes: tuple[str, ...]
    periods: tuple[str, ...]
    node: str | None = None


def _key(place: FormPlace, name: str) -> str:
    return f"{place.prefix}_note_{name}"


def _label(row: pd.Series) -> str:
    cause = str(row["cause"] or row["action"])
    cause = cause if len(cause) <= 40 else cause[:39] + "..."
    return f"#{row['id']} {row['node']} @ {row['period']}: {cause}"


def _clear(place: FormPlace) -> None:
    """Empty the form (the node and period stay as chosen)."""
    for name in TEXT_FIELDS:
        st.session_state[_key(place, name)] = ""
    st.session_state[_key(place, "date")] = None
    st.session_state[_key(place, "pick")] = NEW


def _on_pick(place: FormPlace) -> None:
    """Callback: fill the form with the picked note (or empty it for a new one)."""
    state = st.session_state
    picked = int(state.get(_key(place, "pick")) or NEW)
    note = store().get(picked) if picked != NEW else None
    if note is None:
        for name in TEXT_FIELDS:
            state[_key(place, name)] = ""
        state[_key(place, "date")] = None
        state.pop(f"_{place.prefix}_note_editing", None)
        return
    for name in TEXT_FIELDS:
        state[_key(place, name)] = getattr(note.text, name)
    state[_key(place, "date")] = dt.date.fromisoformat(note.text.date) if note.text.date else None
    state[_key(place, "node")] = note.key.node
    state[_key(place, "period")] = note.key.period
    state[f"_{place.prefix}_note_editing"] = (note.id, note.version)


def _message(place: FormPlace, kind: str, text: str) -> None:
    st.session_state[f"_{place.prefix}_note_msg"] = (kind, text)


def _on_save(place: FormPlace) -> None:
    """Form callback: add the note, or save the edit of the picked note."""
    state = st.session_state
    when = state.get(_key(place, "date"))
    try:
        text = NoteText(
            **{name: str(state.get(_key(place, name)) or "") for name in TEXT_FIELDS},
            date=when.isoformat() if isinstance(when, dt.date) else "",
        )
        editing = state.get(f"_{place.prefix}_note_editing")
        if editing and int(state.get(_key(place, "pick")) or NEW) == editing[0]:
            note = store().update(editing[0], text, editing[1])
            _message(place, "success", f"Note #{note.id} saved.")
        else:
            node = place.node or str(state.get(_key(place, "node")) or "")
            key = NoteKey(place.portfolio, node, str(state.get(_key(place, "period")) or ""))
            note = store().add(key, text)
            _message(place, "success", f"Note #{note.id} added for {node} at {key.period}.")
    except InputError as err:  # the form keeps what was typed
        _message(place, "error", str(err))
        return
    state.pop(f"_{place.prefix}_note_editing", None)
    _clear(place)


def _on_delete(place: FormPlace) -> None:
    state = st.session_state
    editing = state.get(f"_{place.prefix}_note_editing")
    if not editing:
        return
    try:
        store().delete(editing[0], editing[1])
    except InputError as err:
        _message(place, "error", str(err))
        return
    _message(place, "success", f"Note #{editing[0]} deleted.")
    state.pop(f"_{place.prefix}_note_editing", None)
    _clear(place)


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
            key=_key(place, "table"),
        )
        st.caption(f"{len(notes):,} note(s) under the portfolio name **{place.portfolio}**.")
    _form(place, notes)


def _form(place: FormPlace, notes: pd.DataFrame) -> None:
    state = st.session_state
    shown = state.pop(f"_{place.prefix}_note_msg", None)
    if shown is not None:
        (st.success if shown[0] == "success" else st.error)(shown[1])
    labels = {NEW: "(new note)", **{int(r["id"]): _label(r) for _, r in notes.iterrows()}}
    if state.get(_key(place, "pick")) not in labels:
        state[_key(place, "pick")] = NEW
    options = list(labels)
    picked = st.selectbox(
        "Add a note or edit one",
        options,
        index=options.index(state[_key(place, "pick")]),
        format_func=lambda i: labels.get(int(i), str(i)),
        key=_key(place, "pick"),
        on_change=_on_pick,
        args=(place,),
    )
    editing = picked != NEW
    with st.form(_key(place, "form"), border=True):
        if place.node is None:
            _choice(place, "node", "Node", place.nodes, disabled=editing)
        _choice(place, "period", "Period", place.periods, disabled=editing)
        for name in TEXT_FIELDS:
            widget = st.text_area if name in ("cause", "action") else st.text_input
            state.setdefault(_key(place, name), "")
            widget(
                FIELD_LABELS[name],
                value=str(state[_key(place, name)]),
                key=_key(place, name),
                max_chars=4000,
            )
        state.setdefault(_key(place, "date"), None)
        st.date_input(
            FIELD_LABELS["date"],
            value=state[_key(place, "date")],
            key=_key(place, "date"),
            format="YYYY-MM-DD",
            help="Your date for this note, e.g. when the corrective action is due.",
        )
        st.form_submit_button(
            "Save changes" if editing else "Add note",
            key=_key(place, "save"),
            on_click=_on_save,
            args=(place,),
        )
    if editing:
        st.button("Delete this note", key=_key(place, "delete"), on_click=_on_delete, args=(place,))


def _choice(
    place: FormPlace, name: str, label: str, options: tuple[str, ...], *, disabled: bool
) -> None:
    key = _key(place, name)
    choices = list(options)
    current = st.session_state.get(key)
    if disabled and isinstance(current, str) and current not in choices:
        choices.append(current)  # a note about a node or period this file no longer has
    if current not in choices:
        st.session_state[key] = choices[-1] if name == "period" else choices[0]
    st.selectbox(
        label,
        choices,
        index=choices.index(st.session_state[key]),
        key=key,
        disabled=disabled,
    )


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
