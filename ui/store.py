"""Per-browser persistence: what survives a reload, and how to forget it.

The rule (also in docs/app.md):

- Each browser session gets a random id, kept in the page address as ``?sid=<id>`` (128 random
  bits, URL-safe). Reloading the same address restores the analyst's last data source (the bytes
  of the uploaded file), the column mapping, the alert thresholds, the model settings and the
  trained models. A browser that opens the app without that id starts fresh, so one analyst never
  sees another's data unless the address itself is shared (the id works like a private link).
- The store lives in the user's data folder: ``$COST_DRIFT_HOME`` when that variable is set, else
  ``~/.local/share/cost-drift``; one folder per id under ``sessions/``:
  ``settings.json``, ``upload.bin`` + ``upload.json`` (file name), ``notes.json`` (the portfolio
  name the notes of each file go under) and ``models/<name>.zip``. The variance notes themselves
  are not per browser: they live in ``notes.sqlite`` beside ``sessions/`` (``portfolio.notes``).
  Every write goes to a temporary file first and is then renamed, so a crash never leaves half a
  file behind.
- "Forget my saved session" deletes that folder; the session then continues unsaved under a new id.

This module does not import Streamlit: ``ui.persistence`` connects it to ``st.query_params``.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from portfolio.datahome import data_home

SID_PARAM = "sid"
_SID_RE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
_MODEL_RE = re.compile(r"^[A-Za-z0-9_.-]{1,80}$")
MAX_MODELS = 5  # per session; the oldest is dropped beyond this


def store_root() -> Path:
    """The folder of all saved sessions: the data folder of ``portfolio.datahome``."""
    return data_home()


def new_sid() -> str:
    """A fresh random session id (22 URL-safe characters)."""
    return secrets.token_urlsafe(16)


def valid_sid(sid: object) -> bool:
    """Whether ``sid`` looks like an id this app made (guards the file system against odd ids)."""
    return isinstance(sid, str) and bool(_SID_RE.match(sid))


def _write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


@dataclass(frozen=True)
class SessionStore:
    """Files kept for one browser session id.

    Args:
        sid: The session id (must satisfy :func:`valid_sid`).
        root: The store folder; :func:`store_root` when omitted.
    """

    sid: str
    root: Path | None = None

    def __post_init__(self) -> None:
        if not valid_sid(self.sid):
            raise ValueError(f"not a session id: {self.sid!r}")

    @property
    def folder(self) -> Path:
        """The folder of this session."""
        return (self.root or store_root()) / "sessions" / self.sid

    def exists(self) -> bool:
        """Whether anything was saved under this id."""
        return self.folder.is_dir()

    def save_settings(self, settings: dict[str, Any]) -> None:
        """Save the widget settings (JSON-serialisable values only)."""
        _write_atomic(self.folder / "settings.json", json.dumps(settings, sort_keys=True).encode())

    def load_settings(self) -> dict[str, Any]:
        """The saved settings, or ``{}`` when none were saved or the file is unreadable."""
        path = self.folder / "settings.json"
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def save_upload(self, name: str, data: bytes) -> None:
        """Save the uploaded file (its bytes and its name)."""
        _write_atomic(self.folder / "upload.bin", data)
        _write_atomic(self.folder / "upload.json", json.dumps({"name": name}).encode())

    def load_upload(self) -> tuple[str, bytes] | None:
        """The saved upload as ``(name, bytes)``, or None."""
        try:
            meta = json.loads((self.folder / "upload.json").read_text(encoding="utf-8"))
            data = (self.folder / "upload.bin").read_bytes()
        except (OSError, ValueError):
            return None
        name = meta.get("name") if isinstance(meta, dict) else None
        return (str(name), data) if name else None

    def save_model(self, name: str, data: bytes) -> str:
        """Save a trained model bundle (zip bytes) under a safe file name; returns that name."""
        safe = re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-.")[:80] or "model"
        _write_atomic(self.folder / "models" / f"{safe}.zip", data)
        models = sorted(
            (self.folder / "models").glob("*.zip"), key=lambda p: (p.stat().st_mtime, p.name)
        )
        for old in models[:-MAX_MODELS]:
            old.unlink(missing_ok=True)
        return safe

    def list_models(self) -> list[str]:
        """Names of the saved models, newest first."""
        folder = self.folder / "models"
        if not folder.is_dir():
            return []
        models = sorted(folder.glob("*.zip"), key=lambda p: (p.stat().st_mtime, p.name))
        return [p.stem for p in reversed(models)]

    def load_model(self, name: str) -> bytes | None:
        """The zip bytes of a saved model, or None."""
        if not _MODEL_RE.match(name):
            return None
        try:
            return (self.folder / "models" / f"{name}.zip").read_bytes()
        except OSError:
            return None

    def save_note_names(self, names: dict[str, str]) -> None:
        """Save the portfolio name chosen for the notes of each file name."""
        _write_atomic(self.folder / "notes.json", json.dumps(names, sort_keys=True).encode())

    def load_note_names(self) -> dict[str, str]:
        """The saved ``{file name: portfolio name}`` of the notes, or ``{}``."""
        try:
            data = json.loads((self.folder / "notes.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        if not isinstance(data, dict):
            return {}
        return {str(k): str(v) for k, v in data.items() if isinstance(v, str) and v.strip()}

    def forget(self) -> None:
        """Delete everything saved under this id."""
        shutil.rmtree(self.folder, ignore_errors=True)
