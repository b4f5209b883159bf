"""Save and load a trained ensemble: one ``.keras`` file per member plus ``bundle.json``.

``bundle.json`` holds the format name and version, the settings, the scaler state, the node list,
the training calendar, its season length and, per member file, its SHA-256 and its lookback (no
pickle anywhere; a bundle saved before members took turns at lookbacks has every member at the
settings' lookback).
Version 2 added the season, calendar inputs and the ``es`` scaler; a version 1 bundle is read as
it was trained (no calendar inputs). Saving writes to a
temporary folder beside the target and renames it into place, so a crash or a cancel never leaves a
half-written bundle. Loading checks the manifest and every hash before Keras reads a file, then
loads each member with ``keras.saving.load_model(safe_mode=True)``.
"""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import tempfile
import zipfile
from pathlib import Path
from typing import Any

from forecasting.calendar import CALENDAR_FEATURES, uses_calendar
from forecasting.ensemble import Ensemble
from forecasting.errors import ForecastError
from forecasting.model import quiet_tensorflow
from forecasting.scaling import Scaler
from forecasting.settings import ModelSettings

FORMAT = "cost-drift-lstm-ensemble"
VERSION = 2
MANIFEST = "bundle.json"
MAX_ZIP_BYTES = 500 * 1024 * 1024


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _member_file(i: int) -> str:
    return f"member_{i + 1:02d}.keras"


def save_bundle(ensemble: Ensemble, path: str | Path) -> Path:
    """Write the ensemble to the folder ``path`` atomically.

    An existing bundle at ``path`` is replaced; any other existing file or non-empty folder is
    left alone and reported.

    Raises:
        ForecastError: ``path`` is taken by something that is not a bundle, or the write failed.
    """
    target = Path(path)
    if target.exists() and (
        target.is_file() or (any(target.iterdir()) and not (target / MANIFEST).exists())
    ):
        raise ForecastError(
            f"'{target}' already exists and is not a saved model; choose another folder."
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent))
    try:
        files = []
        for i, (model, lookback) in enumerate(
            zip(ensemble.models, ensemble.member_lookbacks, strict=True)
        ):
            name = _member_file(i)
            model.save(tmp / name)
            files.append({"file": name, "sha256": _sha256(tmp / name), "lookback": lookback})
        manifest = {
            "format": FORMAT,
            "version": VERSION,
            "settings": ensemble.settings.to_dict(),
            "scaler": ensemble.scaler.to_dict(),
            "nodes": list(ensemble.nodes),
            "periods": list(ensemble.periods),
            "trained_upto": ensemble.trained_upto,
            "season": ensemble.season,
            "members": files,
        }
        (tmp / MANIFEST).write_text(json.dumps(manifest, indent=1), encoding="utf-8")
        old = None
        if target.exists():
            old = target.with_name(f".{target.name}.old-{tmp.name}")
            target.rename(old)
        tmp.rename(target)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        if isinstance(exc, OSError):
            raise ForecastError(f"Could not save the model to '{target}': {exc}.") from exc
        raise
    return target


def _bad(path: Path, why: str) -> ForecastError:
    return ForecastError(f"'{path}' is not a usable Cost Drift model: {why}.")


def read_manifest(path: str | Path) -> dict[str, Any]:
    """Parse and check ``bundle.json`` and every member file's hash (no Keras involved).

    Raises:
        ForecastError: missing folder or manifest, foreign format, newer version, missing or
            altered member file.
    """
    folder = Path(path)
    if not folder.is_dir():
        raise _bad(folder, "it is not a folder (a saved model is a folder with bundle.json)")
    mf = folder / MANIFEST
    if not mf.is_file():
        raise _bad(folder, f"it has no {MANIFEST}")
    try:
        manifest = json.loads(mf.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise _bad(folder, f"{MANIFEST} is not valid JSON ({exc})") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise _bad(folder, f"{MANIFEST} does not describe a Cost Drift LSTM ensemble")
    version = manifest.get("version")
    if not isinstance(version, int) or version > VERSION or version < 1:
        raise _bad(
            folder, f"it has format version {version!r}; this program reads version {VERSION}"
        )
    members = manifest.get("members")
    if not isinstance(members, list) or not members:
        raise _bad(folder, "the manifest lists no member networks")
    for entry in members:
        if not isinstance(entry, dict) or not isinstance(entry.get("file"), str):
            raise _bad(folder, "the manifest's member list is malformed")
        name = entry["file"]
        if Path(name).name != name or not name.endswith(".keras"):
            raise _bad(folder, f"the member file name '{name}' is not allowed")
        f = folder / name
        if not f.is_file():
            raise _bad(folder, f"the member file {name} is missing")
        if _sha256(f) != entry.get("sha256"):
            raise _bad(folder, f"the member file {name} was changed after saving (hash mismatch)")
    for key in ("settings", "scaler", "nodes", "periods", "trained_upto"):
        if key not in manifest:
            raise _bad(folder, f"the manifest has no '{key}'")
    return manifest


def load_bundle(path: str | Path) -> Ensemble:
    """Load a saved ensemble after verifying its manifest and hashes (Keras safe mode on).

    Raises:
        ForecastError: anything wrong with the bundle, in plain words.
    """
    folder = Path(path)
    manifest = read_manifest(folder)
    saved = manifest["settings"]
    if manifest["version"] == 1 and isinstance(saved, dict):
        saved = {**saved, "calendar": False}  # version 1 had no calendar inputs
    if isinstance(saved, dict) and "log_positive" not in saved:
        saved = {**saved, "log_positive": False}  # saved before logs: its scaler has none
    if isinstance(saved, dict) and "refit" not in saved:
        saved = {**saved, "refit": False}  # saved before refits: its members had none
    if isinstance(saved, dict) and "lookbacks" not in saved:
        saved = {**saved, "lookbacks": 1}  # saved before members took turns at lookbacks
    season = manifest.get("season", 1)
    if season not in (1, 4, 12):
        raise _bad(folder, f"the season length {season!r} is not 1, 4 or 12")
    try:
        settings = ModelSettings.from_dict(saved)
        scaler = Scaler.from_dict(manifest["scaler"])
    except ForecastError as exc:
        raise _bad(folder, str(exc).rstrip(".")) from exc
    nodes = tuple(str(n) for n in manifest["nodes"])
    periods = tuple(str(p) for p in manifest["periods"])
    if len(nodes) != len(scaler.target_loc):
        raise _bad(folder, "the node list and the scaler state do not match")
    quiet_tensorflow()
    import keras

    models, lookbacks = [], []
    for entry in manifest["members"]:
        lookback = entry.get("lookback", settings.lookback)
        if isinstance(lookback, bool) or not isinstance(lookback, int) or lookback < 1:
            raise _bad(folder, f"the lookback of {entry['file']} is not a whole number")
        try:
            model = keras.saving.load_model(folder / entry["file"], safe_mode=True, compile=False)
        except Exception as exc:
            raise _bad(
                folder, f"Keras could not read {entry['file']} ({type(exc).__name__})"
            ) from exc
        shapes = [tuple(t.shape[1:]) for t in model.inputs]
        cal = CALENDAR_FEATURES if uses_calendar(settings.calendar, season) else 0
        if shapes != [(lookback, 2 + cal), (settings.horizon, 1 + cal)]:
            raise _bad(folder, f"{entry['file']} does not match the saved settings")
        models.append(model)
        lookbacks.append(lookback)
    return Ensemble(
        settings=settings,
        scaler=scaler,
        nodes=nodes,
        periods=periods,
        trained_upto=int(manifest["trained_upto"]),
        models=tuple(models),
        season=int(season),
        lookbacks=tuple(lookbacks),
    )


def bundle_to_zip(ensemble: Ensemble) -> bytes:
    """The saved bundle as zip bytes (for a download)."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = save_bundle(ensemble, Path(tmp) / "model")
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            for f in sorted(folder.iterdir()):
                zf.write(f, arcname=f.name)
        return buf.getvalue()


def bundle_from_zip(data: bytes) -> Ensemble:
    """Load an ensemble from zip bytes made by :func:`bundle_to_zip` (an upload).

    Raises:
        ForecastError: not a zip, unexpected or oversized entries, or a bad bundle.
    """
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise ForecastError("The uploaded file is not a zip of a saved Cost Drift model.") from exc
    with zf, tempfile.TemporaryDirectory() as tmp:
        infos = zf.infolist()
        names = [i.filename for i in infos]
        if MANIFEST not in names:
            raise ForecastError(
                f"The uploaded zip has no {MANIFEST}: it is not a saved Cost Drift model."
            )
        if sum(i.file_size for i in infos) > MAX_ZIP_BYTES:
            raise ForecastError("The uploaded zip is too large to be a saved Cost Drift model.")
        for info in infos:
            name = info.filename
            if Path(name).name != name or not (name == MANIFEST or name.endswith(".keras")):
                raise ForecastError(f"The uploaded zip holds an unexpected entry '{name}'.")
            (Path(tmp) / name).write_bytes(zf.read(info))
        return load_bundle(tmp)
