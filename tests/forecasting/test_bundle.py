"""Saved models: identical predictions after a round trip, atomic saves, clear errors."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from forecasting import bundle
from forecasting.bundle import bundle_from_zip, bundle_to_zip, load_bundle, save_bundle
from forecasting.ensemble import Ensemble, fit_ensemble, predict_members
from forecasting.errors import ForecastError
from forecasting.settings import ModelSettings
from forecasting.training import TrainingCancelled
from forecasting.windows import Panel, to_panel

TINY = ModelSettings(
    layers=1, units=4, dropout=0.1, lookback=4, horizon=2, epochs=2, members=2, patience=1
)


def _panel() -> Panel:
    rows = []
    for node, scale in {"a": 1.0, "b": 500.0}.items():
        for t in range(16):
            rows.append(
                (
                    node,
                    f"2021-{t % 12 + 1:02d}" if t < 12 else f"2022-{t - 11:02d}",
                    scale * np.sin(t),
                    scale * 3,
                )
            )
    return to_panel(
        pd.DataFrame(rows, columns=["node", "period", "variance", "planned"]), "variance", "planned"
    )


@pytest.fixture(scope="module")
def trained() -> tuple[Ensemble, Panel]:
    panel = _panel()
    return fit_ensemble(panel, TINY), panel


@pytest.fixture()
def saved(trained, tmp_path: Path) -> Path:
    return save_bundle(trained[0], tmp_path / "model")


def test_save_then_load_gives_identical_predictions(trained, saved: Path) -> None:
    ens, panel = trained
    assert sorted(p.name for p in saved.iterdir()) == [
        "bundle.json",
        "member_01.keras",
        "member_02.keras",
    ]
    loaded = load_bundle(saved)
    assert loaded.settings == ens.settings
    assert loaded.nodes == ens.nodes and loaded.periods == ens.periods
    np.testing.assert_array_equal(loaded.scaler.target_scale, ens.scaler.target_scale)
    fut = np.full((2, 2), 7.0)
    np.testing.assert_array_equal(
        predict_members(loaded, panel, 15, future_covariate=fut),
        predict_members(ens, panel, 15, future_covariate=fut),
    )
    manifest = json.loads((saved / "bundle.json").read_text())
    assert manifest["format"] == bundle.FORMAT and manifest["version"] == bundle.VERSION
    assert all(len(m["sha256"]) == 64 for m in manifest["members"])


def test_zip_round_trip_for_the_app(trained) -> None:
    ens, panel = trained
    loaded = bundle_from_zip(bundle_to_zip(ens))
    np.testing.assert_array_equal(
        predict_members(loaded, panel, 13), predict_members(ens, panel, 13)
    )


def test_tampered_member_file_is_refused(saved: Path) -> None:
    member = saved / "member_01.keras"
    member.write_bytes(member.read_bytes() + b"x")
    with pytest.raises(ForecastError, match=r"member_01\.keras was changed after saving"):
        load_bundle(saved)


@pytest.mark.parametrize(
    ("damage", "words"),
    [
        (lambda d: (d / "bundle.json").unlink(), "it has no bundle.json"),
        (lambda d: (d / "bundle.json").write_text("{not json"), "not valid JSON"),
        (lambda d: (d / "bundle.json").write_text('{"format": "other"}'), "does not describe"),
        (lambda d: (d / "member_02.keras").unlink(), "member_02.keras is missing"),
    ],
)
def test_broken_bundles_get_plain_errors(saved: Path, damage, words: str) -> None:
    damage(saved)
    with pytest.raises(ForecastError, match=words):
        load_bundle(saved)


def test_newer_version_and_foreign_folders_are_refused(saved: Path, tmp_path: Path) -> None:
    manifest = json.loads((saved / "bundle.json").read_text())
    manifest["version"] = 99
    (saved / "bundle.json").write_text(json.dumps(manifest))
    with pytest.raises(ForecastError, match="format version 99"):
        load_bundle(saved)
    foreign = tmp_path / "photos"
    foreign.mkdir()
    (foreign / "cat.jpg").write_bytes(b"\xff\xd8")
    with pytest.raises(ForecastError, match=r"not a usable Cost Drift model: it has no bundle"):
        load_bundle(foreign)
    with pytest.raises(ForecastError, match="not a folder"):
        load_bundle(tmp_path / "absent")
    with pytest.raises(ForecastError, match="not a zip"):
        bundle_from_zip(b"plain text")


def test_a_keras_file_that_is_not_ours_is_refused(saved: Path) -> None:
    fake = saved / "member_01.keras"
    fake.write_bytes(b"PK\x03\x04 not really a keras file")
    manifest = json.loads((saved / "bundle.json").read_text())
    manifest["members"][0]["sha256"] = bundle._sha256(fake)
    (saved / "bundle.json").write_text(json.dumps(manifest))
    with pytest.raises(ForecastError, match=r"Keras could not read member_01\.keras"):
        load_bundle(saved)


def test_save_never_overwrites_something_else(trained, tmp_path: Path) -> None:
    other = tmp_path / "notes"
    other.mkdir()
    (other / "keep.txt").write_text("mine")
    with pytest.raises(ForecastError, match="already exists and is not a saved model"):
        save_bundle(trained[0], other)
    assert (other / "keep.txt").read_text() == "mine"


def test_resaving_replaces_an_older_bundle(trained, saved: Path) -> None:
    (saved / "member_03.keras").write_bytes(b"left over")
    save_bundle(trained[0], saved)
    assert not (saved / "member_03.keras").exists()
    assert load_bundle(saved).members == 2


def test_a_crash_while_saving_leaves_no_half_bundle(trained, tmp_path, monkeypatch) -> None:
    ens = trained[0]
    calls = {"n": 0}
    original = type(ens.models[0]).save

    def failing_save(self, path, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError("disk full")
        return original(self, path, *args, **kwargs)

    monkeypatch.setattr(type(ens.models[0]), "save", failing_save)
    with pytest.raises(ForecastError, match="Could not save the model"):
        save_bundle(ens, tmp_path / "model")
    assert list(tmp_path.iterdir()) == []


def test_a_cancel_mid_training_leaves_no_bundle(tmp_path: Path) -> None:
    cancel = threading.Event()
    target = tmp_path / "model"

    def on_progress(e) -> None:
        if e.epoch == 1:
            cancel.set()

    with pytest.raises(TrainingCancelled):
        ens = fit_ensemble(_panel(), TINY, progress=on_progress, cancel=cancel)
        save_bundle(ens, target)
    assert not target.exists()
    assert list(tmp_path.iterdir()) == []


def test_the_season_calendar_inputs_and_es_state_are_saved(trained, saved: Path) -> None:
    ens = trained[0]
    manifest = json.loads((saved / "bundle.json").read_text())
    assert manifest["season"] == 12 and ens.season == 12
    assert manifest["settings"]["calendar"] is True and manifest["settings"]["scaler"] == "es"
    assert len(manifest["scaler"]["season"][0]) == 12 and len(manifest["scaler"]["alpha"]) == 2
    loaded = load_bundle(saved)
    assert loaded.season == 12 and loaded.models[0].inputs[0].shape[-1] == 4
    assert ens.scaler.alpha is not None and loaded.scaler.alpha is not None
    np.testing.assert_array_equal(loaded.scaler.alpha, ens.scaler.alpha)


def test_a_version_1_bundle_loads_without_calendar_inputs(tmp_path: Path) -> None:
    old = ModelSettings(**{**TINY.to_dict(), "calendar": False, "scaler": "window"})
    ens = fit_ensemble(_panel(), old)
    folder = save_bundle(ens, tmp_path / "old")
    manifest = json.loads((folder / "bundle.json").read_text())
    manifest["version"] = 1
    del manifest["season"], manifest["settings"]["calendar"], manifest["settings"]["tune_seconds"]
    (folder / "bundle.json").write_text(json.dumps(manifest))
    loaded = load_bundle(folder)
    assert loaded.settings.calendar is False and loaded.season == 1
    np.testing.assert_array_equal(
        predict_members(loaded, _panel(), 13), predict_members(ens, _panel(), 13)
    )


def _positive_panel() -> Panel:
    p = _panel()
    return Panel(p.nodes, p.periods, p.target + 2.0 * np.abs(p.target).max(), p.covariate, p.start)


def test_logged_nodes_and_refit_survive_a_round_trip(tmp_path: Path) -> None:
    logged = ModelSettings(**{**TINY.to_dict(), "log_positive": True, "refit": True})
    panel = _positive_panel()
    ens = fit_ensemble(panel, logged)
    assert ens.scaler.log is not None and (ens.scaler.log > 0).all()
    folder = save_bundle(ens, tmp_path / "logged")
    manifest = json.loads((folder / "bundle.json").read_text())
    assert manifest["settings"]["log_positive"] is True and len(manifest["scaler"]["log"]) == 2
    loaded = load_bundle(folder)
    assert loaded.settings == ens.settings
    np.testing.assert_array_equal(
        predict_members(loaded, panel, 13), predict_members(ens, panel, 13)
    )


def test_settings_saved_before_logs_and_refits_load_with_both_off(tmp_path: Path) -> None:
    old = ModelSettings(**{**TINY.to_dict(), "log_positive": False, "refit": False})
    ens = fit_ensemble(_positive_panel(), old)
    folder = save_bundle(ens, tmp_path / "old")
    manifest = json.loads((folder / "bundle.json").read_text())
    del manifest["settings"]["log_positive"], manifest["settings"]["refit"]
    assert "log" not in manifest["scaler"]
    (folder / "bundle.json").write_text(json.dumps(manifest))
    loaded = load_bundle(folder)
    assert loaded.settings.log_positive is False and loaded.settings.refit is False
    np.testing.assert_array_equal(
        predict_members(loaded, _positive_panel(), 13), predict_members(ens, _positive_panel(), 13)
    )


def test_members_at_two_lookbacks_survive_a_round_trip(tmp_path: Path) -> None:
    # 16 periods, horizon 2: twice the lookback (8) would leave too few windows, so half (2).
    two = ModelSettings(**{**TINY.to_dict(), "members": 3, "lookbacks": 2})
    ens = fit_ensemble(_panel(), two)
    assert ens.member_lookbacks == (4, 2, 4)
    folder = save_bundle(ens, tmp_path / "two")
    manifest = json.loads((folder / "bundle.json").read_text())
    assert [m["lookback"] for m in manifest["members"]] == [4, 2, 4]
    loaded = load_bundle(folder)
    assert loaded.member_lookbacks == (4, 2, 4) and loaded.settings == ens.settings
    np.testing.assert_array_equal(
        predict_members(loaded, _panel(), 13), predict_members(ens, _panel(), 13)
    )
    manifest["members"][1]["lookback"] = 4  # member 2's network takes 2 periods, not 4
    (folder / "bundle.json").write_text(json.dumps(manifest))
    with pytest.raises(ForecastError, match=r"member_02\.keras does not match"):
        load_bundle(folder)


def test_a_bundle_saved_before_lookback_turns_loads_at_one_lookback(tmp_path: Path) -> None:
    one = ModelSettings(**{**TINY.to_dict(), "lookbacks": 1})
    ens = fit_ensemble(_panel(), one)
    folder = save_bundle(ens, tmp_path / "old")
    manifest = json.loads((folder / "bundle.json").read_text())
    del manifest["settings"]["lookbacks"]
    for member in manifest["members"]:
        del member["lookback"]
    (folder / "bundle.json").write_text(json.dumps(manifest))
    loaded = load_bundle(folder)
    assert loaded.settings.lookbacks == 1 and loaded.member_lookbacks == (4, 4)
    np.testing.assert_array_equal(
        predict_members(loaded, _panel(), 13), predict_members(ens, _panel(), 13)
    )
