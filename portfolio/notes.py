"""Variance explanations: why a node drifted in a period, and what is being done about it.

A note holds a cause, an impact, a corrective action, an owner and a date for one node (its path
id, as in the rollup) and one period, under a portfolio name the analyst chooses (the file name
by default). Notes are keyed by that name and the node path, never by the file's bytes, so next
month's export of the same portfolio finds them again.

Storage: one SQLite file (``portfolio.datahome.notes_path``), in WAL mode so readers never block
the writer; every write is one ``BEGIN IMMEDIATE`` transaction, and a connection waits up to
``busy_timeout_s`` for another writer instead of failing. Adding never overwrites (each note has
its own id), and an edit names the version it was made from: an edit of a note that someone
else changed since raises :class:`NoteConflict` instead of silently replacing their text. So two
analysts writing at once lose nothing. Reading a database that does not exist returns no notes
and creates nothing. The records (key, text, note) and the export frames are in
``portfolio.note_records``.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from portfolio.datahome import notes_path
from portfolio.errors import InputError
from portfolio.note_records import (
    EXPORT_COLUMNS,
    MAX_TEXT,
    NOTE_COLUMNS,
    TEXT_FIELDS,
    Note,
    NoteConflict,
    NoteKey,
    NoteText,
    default_portfolio_name,
    empty_notes,
    export_table,
)

# The notes' records are defined in ``portfolio.note_records`` and named here too, so that a
# shell imports everything about notes from one place.
__all__ = [
    "EXPORT_COLUMNS",
    "MAX_TEXT",
    "NOTE_COLUMNS",
    "SCHEMA_VERSION",
    "TEXT_FIELDS",
    "Note",
    "NoteConflict",
    "NoteKey",
    "NoteText",
    "NotesStore",
    "default_portfolio_name",
    "empty_notes",
    "export_table",
]

SCHEMA_VERSION = 1

_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS notes (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        portfolio TEXT NOT NULL,
        node TEXT NOT NULL,
        period TEXT NOT NULL,
        cause TEXT NOT NULL DEFAULT '',
        impact TEXT NOT NULL DEFAULT '',
        action TEXT NOT NULL DEFAULT '',
        owner TEXT NOT NULL DEFAULT '',
        date TEXT NOT NULL DEFAULT '',
        version INTEGER NOT NULL DEFAULT 1,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    )""",
    "CREATE INDEX IF NOT EXISTS notes_by_node ON notes (portfolio, node, period)",
    f"PRAGMA user_version = {SCHEMA_VERSION}",
)


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


@dataclass(frozen=True)
class NotesStore:
    """The notes database at ``path`` (``portfolio.datahome.notes_path()`` when omitted).

    Args:
        path: The SQLite file; its folder is created on the first write.
        busy_timeout_s: How long a write waits for another writer's transaction to end.
    """

    path: Path | None = None
    busy_timeout_s: float = 30.0

    @property
    def file(self) -> Path:
        """The database file."""
        return self.path if self.path is not None else notes_path()

    @contextmanager
    def _connect(self, *, write: bool) -> Iterator[sqlite3.Connection]:
        """A connection for one operation; a write runs in one ``BEGIN IMMEDIATE`` transaction."""
        file = self.file
        try:
            if write:
                file.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(file, timeout=self.busy_timeout_s, isolation_level=None)
        except (OSError, sqlite3.Error) as err:
            raise InputError(f"The notes database {file} cannot be opened: {err}.") from err
        try:
            conn.row_factory = sqlite3.Row
            if write:
                if conn.execute("PRAGMA journal_mode=WAL").fetchone()[0].lower() != "wal":
                    raise InputError(f"The notes database {file} cannot switch to WAL mode.")
                conn.execute("BEGIN IMMEDIATE")
                try:
                    for statement in _SCHEMA:  # inside the transaction: one writer creates it
                        conn.execute(statement)
                    yield conn
                except BaseException:
                    conn.execute("ROLLBACK")
                    raise
                conn.execute("COMMIT")
            else:
                yield conn
        except sqlite3.Error as err:
            raise InputError(f"The notes database {file} could not be used: {err}.") from err
        finally:
            conn.close()

    def journal_mode(self) -> str:
        """The database's journal mode (``wal`` once anything was written)."""
        with self._connect(write=False) as conn:
            return str(conn.execute("PRAGMA journal_mode").fetchone()[0]).lower()

    def add(self, key: NoteKey, text: NoteText) -> Note:
        """Store a new note; never replaces another one."""
        now = _now()
        with self._connect(write=True) as conn:
            cur = conn.execute(
                "INSERT INTO notes (portfolio, node, period, cause, impact, action, owner, date,"
                " version, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)",
                (key.portfolio, key.node, key.period, *_text_values(text), now, now),
            )
            note_id = int(cur.lastrowid or 0)
        return Note(note_id, key, text, 1, now, now)

    def update(self, note_id: int, text: NoteText, version: int) -> Note:
        """Replace the text of note ``note_id``, read at ``version``.

        Raises:
            NoteConflict: the note changed (or was deleted) since that version was read.
        """
        now = _now()
        with self._connect(write=True) as conn:
            cur = conn.execute(
                "UPDATE notes SET cause = ?, impact = ?, action = ?, owner = ?, date = ?,"
                " version = version + 1, updated_at = ? WHERE id = ? AND version = ?",
                (*_text_values(text), now, int(note_id), int(version)),
            )
            if cur.rowcount != 1:
                raise NoteConflict(_conflict_message(conn, note_id))
            row = conn.execute("SELECT * FROM notes WHERE id = ?", (int(note_id),)).fetchone()
        return _note(row)

    def delete(self, note_id: int, version: int) -> None:
        """Delete note ``note_id`` read at ``version`` (:class:`NoteConflict` if it changed)."""
        with self._connect(write=True) as conn:
            cur = conn.execute(
                "DELETE FROM notes WHERE id = ? AND version = ?", (int(note_id), int(version))
            )
            if cur.rowcount != 1:
                raise NoteConflict(_conflict_message(conn, note_id))

    def get(self, note_id: int) -> Note | None:
        """The note with this id, or None."""
        if not self.file.is_file():
            return None
        with self._connect(write=False) as conn:
            if not _has_table(conn):
                return None
            row = conn.execute("SELECT * FROM notes WHERE id = ?", (int(note_id),)).fetchone()
        return None if row is None else _note(row)

    def notes(self, portfolio: str, node: str | None = None) -> pd.DataFrame:
        """The notes of a portfolio (of one node when given): :data:`NOTE_COLUMNS`, oldest first."""
        if not self.file.is_file():
            return empty_notes()
        query = "SELECT * FROM notes WHERE portfolio = ?"
        params: list[object] = [portfolio]
        if node is not None:
            query += " AND node = ?"
            params.append(node)
        with self._connect(write=False) as conn:
            if not _has_table(conn):
                return empty_notes()
            rows = conn.execute(query + " ORDER BY node, period, id", params).fetchall()
        frame = pd.DataFrame([tuple(r) for r in rows], columns=list(NOTE_COLUMNS))
        return frame.astype({"id": "int64", "version": "int64"}) if len(frame) else empty_notes()

    def portfolios(self) -> list[str]:
        """The portfolio names that have notes, sorted."""
        if not self.file.is_file():
            return []
        with self._connect(write=False) as conn:
            if not _has_table(conn):
                return []
            rows = conn.execute("SELECT DISTINCT portfolio FROM notes ORDER BY 1").fetchall()
        return [str(r[0]) for r in rows]


def _text_values(text: NoteText) -> tuple[str, ...]:
    return (*(getattr(text, name) for name in TEXT_FIELDS), text.date.strip())


def _has_table(conn: sqlite3.Connection) -> bool:
    found = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'notes'"
    ).fetchone()
    return found is not None


def _conflict_message(conn: sqlite3.Connection, note_id: int) -> str:
    row = conn.execute("SELECT updated_at FROM notes WHERE id = ?", (int(note_id),)).fetchone()
    if row is None:
        return f"Note {note_id} was deleted by someone else; nothing was changed."
    return (
        f"Note {note_id} was changed by someone else at {row[0]}; nothing was overwritten. "
        "Open it again to see their text, then make your change."
    )


def _note(row: sqlite3.Row) -> Note:
    key = NoteKey(row["portfolio"], row["node"], row["period"])
    text = NoteText(**{name: row[name] for name in (*TEXT_FIELDS, "date")})
    return Note(
        int(row["id"]), key, text, int(row["version"]), row["created_at"], row["updated_at"]
    )
