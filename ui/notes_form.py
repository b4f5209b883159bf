"""The add/edit form of the variance notes and its callbacks (drawn by ``ui.notes_ui``).

Writes happen in the callbacks, against the notes database of ``portfolio.notes``; a conflict or
bad input becomes a message shown above the form on the next run, and the typed text stays.
Widget keys: see ``ui.notes_ui``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from portfolio.errors import InputError
from portfolio.notes import TEXT_FIELDS, NoteKey, NotesStore, NoteText
from ui import widget_state

NEW = 0  # the "pick" option that starts a new note
FIELD_LABELS = {
    "cause": "Cause",
    "impact": "Impact",
    "action": "Corrective action",
    "owner": "Owner",
    "date": "Date",
}


def store() -> NotesStore:
    """The notes database (``$COST_DRIFT_NOTES``, else ``notes.sqlite`` in the data folder)."""
    return NotesStore()


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


def field_key(place: FormPlace, name: str) -> str:
    """The widget key of ``name`` in this place's form (``<prefix>_note_<name>``)."""
    return f"{place.prefix}_note_{name}"


def _label(row: pd.Series) -> str:
    cause = str(row["cause"] or row["action"])
    cause = cause if len(cause) <= 40 else cause[:39] + "..."
    return f"#{row['id']} {row['node']} @ {row['period']}: {cause}"


def _clear(place: FormPlace) -> None:
    """Empty the form (the node and period stay as chosen)."""
    for name in TEXT_FIELDS:
        st.session_state[field_key(place, name)] = ""
    st.session_state[field_key(place, "date")] = None
    st.session_state[field_key(place, "pick")] = NEW


def _on_pick(place: FormPlace) -> None:
    """Callback: fill the form with the picked note (or empty it for a new one)."""
    state = st.session_state
    picked = int(state.get(field_key(place, "pick")) or NEW)
    note = store().get(picked) if picked != NEW else None
    if note is None:
        for name in TEXT_FIELDS:
            state[field_key(place, name)] = ""
        state[field_key(place, "date")] = None
        state.pop(f"_{place.prefix}_note_editing", None)
        return
    for name in TEXT_FIELDS:
        state[field_key(place, name)] = getattr(note.text, name)
    when = dt.date.fromisoformat(note.text.date) if note.text.date else None
    state[field_key(place, "date")] = when
    state[field_key(place, "node")] = note.key.node
    state[field_key(place, "period")] = note.key.period
    state[f"_{place.prefix}_note_editing"] = (note.id, note.version)


def _message(place: FormPlace, kind: str, text: str) -> None:
    st.session_state[f"_{place.prefix}_note_msg"] = (kind, text)


def _on_save(place: FormPlace) -> None:
    """Form callback: add the note, or save the edit of the picked note."""
    state = st.session_state
    when = state.get(field_key(place, "date"))
    try:
        text = NoteText(
            **{name: str(state.get(field_key(place, name)) or "") for name in TEXT_FIELDS},
            date=when.isoformat() if isinstance(when, dt.date) else "",
        )
        editing = state.get(f"_{place.prefix}_note_editing")
        if editing and int(state.get(field_key(place, "pick")) or NEW) == editing[0]:
            note = store().update(editing[0], text, editing[1])
            _message(place, "success", f"Note #{note.id} saved.")
        else:
            node = place.node or str(state.get(field_key(place, "node")) or "")
            key = NoteKey(place.portfolio, node, str(state.get(field_key(place, "period")) or ""))
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


def form(place: FormPlace, notes: pd.DataFrame) -> None:
    """The pick box (a new note or one of ``notes``) and the add/edit form with its buttons."""
    state = st.session_state
    shown = state.pop(f"_{place.prefix}_note_msg", None)
    if shown is not None:
        (st.success if shown[0] == "success" else st.error)(shown[1])
    labels = {NEW: "(new note)", **{int(r["id"]): _label(r) for _, r in notes.iterrows()}}
    widget_state.keep_option(field_key(place, "pick"), list(labels), NEW)
    options = list(labels)
    picked = st.selectbox(
        "Add a note or edit one",
        options,
        index=options.index(state[field_key(place, "pick")]),
        format_func=lambda i: labels.get(int(i), str(i)),
        key=field_key(place, "pick"),
        on_change=_on_pick,
        args=(place,),
    )
    editing = picked != NEW
    with st.form(field_key(place, "form"), border=True):
        if place.node is None:
            _choice(place, "node", "Node", place.nodes, disabled=editing)
        _choice(place, "period", "Period", place.periods, disabled=editing)
        for name in TEXT_FIELDS:
            widget = st.text_area if name in ("cause", "action") else st.text_input
            state.setdefault(field_key(place, name), "")
            widget(
                FIELD_LABELS[name],
                value=str(state[field_key(place, name)]),
                key=field_key(place, name),
                max_chars=4000,
            )
        state.setdefault(field_key(place, "date"), None)
        st.date_input(
            FIELD_LABELS["date"],
            value=state[field_key(place, "date")],
            key=field_key(place, "date"),
            format="YYYY-MM-DD",
            help="Your date for this note, e.g. when the corrective action is due.",
        )
        st.form_submit_button(
            "Save changes" if editing else "Add note",
            key=field_key(place, "save"),
            on_click=_on_save,
            args=(place,),
        )
    if editing:
        st.button(
            "Delete this note",
            key=field_key(place, "delete"),
            on_click=_on_delete,
            args=(place,),
        )


def _choice(
    place: FormPlace, name: str, label: str, options: tuple[str, ...], *, disabled: bool
) -> None:
    key = field_key(place, name)
    choices = list(options)
    current = st.session_state.get(key)
    if disabled and isinstance(current, str) and current not in choices:
        choices.append(current)  # a note about a node or period this file no longer has
    widget_state.keep_option(key, choices, choices[-1] if name == "period" else choices[0])
    st.selectbox(
        label,
        choices,
        index=choices.index(st.session_state[key]),
        key=key,
        disabled=disabled,
    )
