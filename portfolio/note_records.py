"""What a variance note is: the node and period it explains (``NoteKey``), what the analyst
writes (``NoteText``, checked on creation), the stored record (``Note``), and the frames the exports
and the report show. The SQLite store that keeps them is ``portfolio.notes``."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date
from pathlib import Path

import pandas as pd

from portfolio.errors import InputError

TEXT_FIELDS = ("cause", "impact", "action", "owner")
NOTE_COLUMNS = (
    "id",
    "portfolio",
    "node",
    "period",
    *TEXT_FIELDS,
    "date",
    "version",
    "created_at",
    "updated_at",
)
# What the exports and the report show (the id and version are the store's business).
EXPORT_COLUMNS = ("portfolio", "node", "period", *TEXT_FIELDS, "date", "updated_at")
MAX_TEXT = 4000  # characters per field


class NoteConflict(InputError):
    """The note was changed (or deleted) by someone else since it was read."""


@dataclass(frozen=True)
class NoteKey:
    """Which portfolio, node (path id) and period a note explains."""

    portfolio: str
    node: str
    period: str

    def __post_init__(self) -> None:
        for name in ("portfolio", "node", "period"):
            if not str(getattr(self, name)).strip():
                raise InputError(f"A note needs a {name}: it is empty.")


@dataclass(frozen=True)
class NoteText:
    """What the analyst writes: cause, impact, corrective action, owner and a date (YYYY-MM-DD).

    The date is the analyst's own (typically when the action is due); it may be empty.
    """

    cause: str = ""
    impact: str = ""
    action: str = ""
    owner: str = ""
    date: str = ""

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if not isinstance(value, str):
                raise InputError(f"Note {f.name}: expected text, got {type(value).__name__}.")
            if len(value) > MAX_TEXT:
                raise InputError(
                    f"Note {f.name}: {len(value):,} characters, at most {MAX_TEXT:,} allowed."
                )
        if not (self.cause.strip() or self.action.strip()):
            raise InputError("A note needs a cause or a corrective action: both are empty.")
        if self.date.strip():
            try:
                date.fromisoformat(self.date.strip())
            except ValueError:
                raise InputError(
                    f"Note date: {self.date!r} is not a date; write it as YYYY-MM-DD."
                ) from None


@dataclass(frozen=True)
class Note:
    """A stored note: its id, key, text and the version an edit must name."""

    id: int
    key: NoteKey
    text: NoteText
    version: int
    created_at: str
    updated_at: str


def empty_notes() -> pd.DataFrame:
    """A notes frame without rows (the :data:`NOTE_COLUMNS`)."""
    frame = pd.DataFrame({c: pd.Series(dtype=object) for c in NOTE_COLUMNS})
    return frame.astype({"id": "int64", "version": "int64"})


def export_table(notes: pd.DataFrame) -> pd.DataFrame:
    """The notes as the exports and the report show them (:data:`EXPORT_COLUMNS`)."""
    return notes.loc[:, list(EXPORT_COLUMNS)].reset_index(drop=True)


def default_portfolio_name(file_name: str) -> str:
    """The portfolio name notes use unless the analyst sets one: the file's name."""
    return Path(file_name).name.strip() or "portfolio"
