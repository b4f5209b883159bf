"""The variance notes store: round trip, edits, WAL, and concurrent writers losing nothing."""

from __future__ import annotations

import io
import multiprocessing
import sqlite3
import threading
from pathlib import Path

import openpyxl
import pytest

from portfolio.datahome import notes_path
from portfolio.errors import InputError
from portfolio.export import to_csv_bytes, to_excel_bytes
from portfolio.notes import (
    EXPORT_COLUMNS,
    NOTE_COLUMNS,
    NoteConflict,
    NoteKey,
    NotesStore,
    NoteText,
    default_portfolio_name,
    export_table,
)

KEY = NoteKey("Capital programme", "Ops / Network / Router refresh", "2024-03")
TEXT = NoteText(
    cause="Vendor price rise",
    impact="+12,000 over the quarter",
    action="Re-tender the second batch",
    owner="J. Doe",
    date="2024-04-30",
)


def test_round_trip(tmp_path: Path):
    store = NotesStore(tmp_path / "n.sqlite")
    note = store.add(KEY, TEXT)
    assert note.id >= 1 and note.version == 1
    frame = store.notes("Capital programme")
    assert tuple(frame.columns) == NOTE_COLUMNS
    assert len(frame) == 1
    row = frame.iloc[0]
    assert (row["node"], row["period"]) == (KEY.node, KEY.period)
    assert (row["cause"], row["impact"], row["action"], row["owner"], row["date"]) == (
        TEXT.cause,
        TEXT.impact,
        TEXT.action,
        TEXT.owner,
        TEXT.date,
    )
    again = store.get(note.id)
    assert again is not None and again.key == KEY and again.text == TEXT


def test_notes_are_kept_per_portfolio_and_node(tmp_path: Path):
    store = NotesStore(tmp_path / "n.sqlite")
    store.add(KEY, TEXT)
    store.add(NoteKey("Capital programme", "Ops", "2024-03"), NoteText(cause="Roll-up"))
    store.add(NoteKey("Other", KEY.node, KEY.period), NoteText(cause="Elsewhere"))
    assert len(store.notes("Capital programme")) == 2
    assert store.notes("Capital programme", node="Ops")["cause"].tolist() == ["Roll-up"]
    assert store.notes("Other")["cause"].tolist() == ["Elsewhere"]
    assert store.portfolios() == ["Capital programme", "Other"]


def test_update_bumps_the_version_and_a_stale_edit_is_refused(tmp_path: Path):
    store = NotesStore(tmp_path / "n.sqlite")
    note = store.add(KEY, TEXT)
    edited = store.update(note.id, NoteText(cause="Price rise and delay", owner="A. Roe"), 1)
    assert edited.version == 2
    assert edited.text.cause == "Price rise and delay" and edited.text.owner == "A. Roe"
    with pytest.raises(NoteConflict, match="changed by someone else"):
        store.update(note.id, NoteText(cause="stale"), 1)
    assert store.notes(KEY.portfolio)["cause"].tolist() == ["Price rise and delay"]
    store.delete(note.id, 2)
    assert store.notes(KEY.portfolio).empty
    with pytest.raises(NoteConflict, match="deleted"):
        store.update(note.id, NoteText(cause="late"), 2)


def test_the_database_is_in_wal_mode(tmp_path: Path):
    path = tmp_path / "deep" / "folder" / "n.sqlite"
    store = NotesStore(path)
    store.add(KEY, TEXT)
    assert store.journal_mode() == "wal"
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_reading_a_missing_database_creates_nothing(tmp_path: Path):
    store = NotesStore(tmp_path / "missing.sqlite")
    assert store.notes("x").empty and tuple(store.notes("x").columns) == NOTE_COLUMNS
    assert store.portfolios() == [] and store.get(1) is None
    assert not (tmp_path / "missing.sqlite").exists()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (dict(cause="", action=" "), "cause or a corrective action"),
        (dict(cause="x", date="2024-13-01"), "not a date"),
        (dict(cause="x" * 5000), "at most"),
    ],
)
def test_bad_notes_are_refused_clearly(text: dict[str, str], message: str):
    with pytest.raises(InputError, match=message):
        NoteText(**text)


def test_a_key_needs_every_part():
    with pytest.raises(InputError, match="node"):
        NoteKey("p", " ", "2024-01")


def test_an_unwritable_database_is_a_clear_error(tmp_path: Path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(InputError, match="notes database"):
        NotesStore(blocker / "n.sqlite").add(KEY, TEXT)


def test_the_path_follows_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("COST_DRIFT_NOTES", raising=False)
    monkeypatch.setenv("COST_DRIFT_HOME", str(tmp_path / "home"))
    assert notes_path() == tmp_path / "home" / "notes.sqlite"
    assert NotesStore().file == tmp_path / "home" / "notes.sqlite"
    monkeypatch.setenv("COST_DRIFT_NOTES", str(tmp_path / "elsewhere.db"))
    assert NotesStore().file == tmp_path / "elsewhere.db"


def test_default_portfolio_name_is_the_file_name():
    assert default_portfolio_name("/tmp/exports/capital_2024.csv") == "capital_2024.csv"


WRITERS = 6
NOTES_EACH = 25


def _write_many(path: str, writer: int) -> None:
    store = NotesStore(Path(path))
    for i in range(NOTES_EACH):
        store.add(NoteKey("P", f"Node {writer}", f"2024-{i % 12 + 1:02d}"), NoteText(cause=f"{i}"))


def _expected_causes() -> dict[str, list[str]]:
    return {f"Node {w}": sorted(str(i) for i in range(NOTES_EACH)) for w in range(WRITERS)}


def _causes(store: NotesStore) -> dict[str, list[str]]:
    frame = store.notes("P")
    return {str(node): sorted(group["cause"].tolist()) for node, group in frame.groupby("node")}


def test_concurrent_threads_lose_nothing(tmp_path: Path):
    path = tmp_path / "n.sqlite"
    threads = [threading.Thread(target=_write_many, args=(str(path), w)) for w in range(WRITERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads)
    store = NotesStore(path)
    assert len(store.notes("P")) == WRITERS * NOTES_EACH
    assert _causes(store) == _expected_causes()


def test_concurrent_processes_lose_nothing(tmp_path: Path):
    path = tmp_path / "n.sqlite"
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_write_many, args=(str(path), w)) for w in range(WRITERS)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=180)
    assert [p.exitcode for p in procs] == [0] * WRITERS
    store = NotesStore(path)
    assert _causes(store) == _expected_causes()


def test_concurrent_edits_of_one_note_keep_exactly_one_and_refuse_the_rest(tmp_path: Path):
    store = NotesStore(tmp_path / "n.sqlite")
    note = store.add(KEY, TEXT)
    outcomes: list[str] = []
    lock = threading.Lock()

    def edit(i: int) -> None:
        try:
            store.update(note.id, NoteText(cause=f"edit {i}"), note.version)
            result = f"ok {i}"
        except NoteConflict:
            result = "conflict"
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=edit, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    winners = [o for o in outcomes if o.startswith("ok")]
    assert len(winners) == 1 and outcomes.count("conflict") == 7
    saved = store.get(note.id)
    assert saved is not None and saved.version == 2
    assert saved.text.cause == "edit " + winners[0].split()[1]


def test_exports_neutralise_formula_looking_notes(tmp_path: Path):
    store = NotesStore(tmp_path / "n.sqlite")
    store.add(KEY, NoteText(cause='=HYPERLINK("http://evil","x")', action="+SUM(A1)", owner="@me"))
    table = export_table(store.notes(KEY.portfolio))
    assert tuple(table.columns) == EXPORT_COLUMNS
    csv = to_csv_bytes(table).decode()
    assert "'=HYPERLINK" in csv and "'+SUM(A1)" in csv and "'@me" in csv
    assert ",=HYPERLINK" not in csv.replace('"', "")
    xlsx = to_excel_bytes({"Notes": table})
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx)).active
    assert sheet is not None
    values = [c.value for row in sheet.iter_rows() for c in row]
    assert '\'=HYPERLINK("http://evil","x")' in values
    assert not any(isinstance(v, str) and v.startswith("=") for v in values)
