"""Variance notes on the command line: the report includes them, ``notes`` lists them."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from portfolio.notes import EXPORT_COLUMNS, NoteKey, NotesStore, NoteText

SCRIPT = Path(sys.executable).with_name("cost-drift")
COMMAND = [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-m", "cli"]
SMALL = (
    "program,project,month,plan,spend\n"
    "Ops,Net,2024-01,100,110\n"
    "Ops,Net,2024-02,100,150\n"
    "Ops,Srv,2024-01,50,50\n"
)
FLAGS = ["--levels", "program,project", "--period", "month", "--planned", "plan"]
FLAGS += ["--actual", "spend"]


def run(home: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "COST_DRIFT_HOME": str(home)}
    env.pop("COST_DRIFT_NOTES", None)
    return subprocess.run([*COMMAND, *args], capture_output=True, timeout=120, env=env)


@pytest.fixture
def small_csv(tmp_path: Path) -> Path:
    path = tmp_path / "small.csv"
    path.write_text(SMALL, encoding="utf-8")
    return path


def test_report_includes_the_notes_of_the_file_name_from_the_data_folder(
    small_csv: Path, tmp_path: Path
):
    home = tmp_path / "home"
    store = NotesStore(home / "notes.sqlite")  # where the app writes them by default
    store.add(NoteKey("small.csv", "Ops / Net", "2024-02"), NoteText(cause="Router <price> rise"))
    store.add(NoteKey("other.csv", "Ops / Net", "2024-02"), NoteText(cause="Not this one"))
    out = tmp_path / "report.html"
    done = run(home, "report", str(small_csv), *FLAGS, "--out", str(out))
    assert done.returncode == 0, done.stderr
    page = out.read_text(encoding="utf-8")
    assert "<h2>Variance notes</h2>" in page
    assert "Router &lt;price&gt; rise" in page and "Ops / Net" in page
    assert "Not this one" not in page
    assert "Variance notes: 1 under the portfolio name &#x27;small.csv&#x27;." in page


def test_report_reads_the_named_portfolio_from_the_given_database(small_csv: Path, tmp_path: Path):
    db = tmp_path / "team-notes.sqlite"
    NotesStore(db).add(
        NoteKey("Network programme", "Ops / Net", "2024-01"),
        NoteText(cause='=HYPERLINK("http://x")', action="Re-tender", owner="@ops"),
    )
    out = tmp_path / "report.html"
    args = ["--notes", str(db), "--portfolio", "Network programme", "--out", str(out)]
    done = run(tmp_path / "empty-home", "report", str(small_csv), *FLAGS, *args)
    assert done.returncode == 0, done.stderr
    page = out.read_text(encoding="utf-8")
    assert "&#x27;=HYPERLINK" in page and "&#x27;@ops" in page  # neutralised, then escaped
    assert "Re-tender" in page


def test_notes_command_lists_them_with_stable_columns(tmp_path: Path):
    db = tmp_path / "n.sqlite"
    store = NotesStore(db)
    store.add(NoteKey("P", "A / B", "2024-01"), NoteText(cause="-5 % rate cut", date="2024-02-01"))
    store.add(NoteKey("P", "A", "2024-02"), NoteText(action="Escalate"))
    done = run(tmp_path, "notes", "--notes", str(db), "--portfolio", "P")
    assert done.returncode == 0, done.stderr
    frame = pd.read_csv(io.BytesIO(done.stdout), keep_default_na=False)
    assert tuple(frame.columns) == EXPORT_COLUMNS
    assert frame["node"].tolist() == ["A", "A / B"]
    assert frame["cause"].tolist() == ["", "'-5 % rate cut"]
    assert frame["date"].tolist() == ["", "2024-02-01"]
    assert b"no notes under" not in done.stderr
    # a name typed otherwise than the app's: an empty table, and the names that have notes
    other = run(tmp_path, "notes", "--notes", str(db), "--portfolio", "p")
    assert other.returncode == 0 and len(pd.read_csv(io.BytesIO(other.stdout))) == 0
    assert "no notes under the portfolio name 'p'; the database has notes for 'P'." in (
        other.stderr.decode()
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["notes", "--notes", "MISSING"], "no notes database"),
        (["notes"], "needs --portfolio"),
    ],
)
def test_bad_notes_flags_exit_2_with_a_message(tmp_path: Path, args: list[str], message: str):
    args = [a if a != "MISSING" else str(tmp_path / "missing.sqlite") for a in args]
    if "--portfolio" not in args and message != "needs --portfolio":
        args += ["--portfolio", "P"]
    done = run(tmp_path, *args)
    assert done.returncode == 2
    assert message in done.stderr.decode()
    assert "Traceback" not in done.stderr.decode()
