"""Where Cost Drift keeps the analyst's files: one data folder shared by both shells.

``$COST_DRIFT_HOME`` when that variable is set, else ``~/.local/share/cost-drift``. The browser
keeps its saved sessions under ``sessions/`` there (``ui.store``) and the variance notes of every
portfolio in ``notes.sqlite`` (``portfolio.notes``; ``$COST_DRIFT_NOTES`` moves that one file).
"""

from __future__ import annotations

import os
from pathlib import Path

HOME_ENV = "COST_DRIFT_HOME"
NOTES_ENV = "COST_DRIFT_NOTES"
NOTES_FILE = "notes.sqlite"


def data_home() -> Path:
    """The data folder: ``$COST_DRIFT_HOME``, else ``~/.local/share/cost-drift``."""
    home = os.environ.get(HOME_ENV)
    if home:
        return Path(home).expanduser()
    return Path.home() / ".local" / "share" / "cost-drift"


def notes_path() -> Path:
    """The notes database: ``$COST_DRIFT_NOTES``, else ``notes.sqlite`` in the data folder."""
    override = os.environ.get(NOTES_ENV)
    if override:
        return Path(override).expanduser()
    return data_home() / NOTES_FILE
