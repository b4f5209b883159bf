"""A reload with the same ?sid= restores the session; "forget" clears it; other ids see nothing."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from apphelp import metric, no_exception
from streamlit.testing.v1 import AppTest

from ui.store import SessionStore, valid_sid

MINE = (
    "portfolio,program,project,item,period,planned,actual\n"
    "Ops,Net,Routers,PO-1,2024-01,100,110\n"
    "Ops,Net,Switches,PO-2,2024-01,200,260\n"
)
SID = "abcdefghijklmnopqrstuv"
OTHER = "ZYXWVUTSRQPONMLKJIHGFE"


def _customise(at: AppTest) -> AppTest:
    at.run()
    at.radio(key="source").set_value("Upload a file").run()
    at.file_uploader(key="upload").set_value(("mine.csv", MINE.encode(), "text/csv")).run()
    at.slider(key="amber_pct").set_value(15)
    at.slider(key="red_pct").set_value(45)
    at.radio(key="direction").set_value("overrun")
    return at.run()


def test_a_new_session_gets_a_private_id_in_the_address(make_app: Callable[..., AppTest]):
    at = make_app().run()
    sid = at.query_params.get("sid")
    assert valid_sid(sid)
    assert make_app().run().query_params.get("sid") != sid


def test_reload_restores_source_file_mapping_and_thresholds(
    make_app: Callable[..., AppTest], cost_drift_home: Path
):
    first = _customise(make_app(SID))
    no_exception(first)
    assert metric(first, "Planned") == "300"
    assert (cost_drift_home / "sessions" / SID / "upload.bin").read_bytes() == MINE.encode()

    again = make_app(SID).run()  # the same address after a reload: a new session, same id
    no_exception(again)
    assert again.radio(key="source").value == "Upload a file"
    assert again.slider(key="amber_pct").value == 15
    assert again.slider(key="red_pct").value == 45
    assert again.radio(key="direction").value == "overrun"
    assert list(again.multiselect(key="map_levels").value) == [
        "portfolio",
        "program",
        "project",
        "item",
    ]
    assert metric(again, "Planned") == "300"
    assert metric(again, "Actual") == "370"
    assert any("mine.csv" in c.value for c in again.caption)


def test_another_id_sees_nothing_of_it(make_app: Callable[..., AppTest]):
    _customise(make_app(SID))
    stranger = make_app(OTHER).run()
    no_exception(stranger)
    assert stranger.radio(key="source").value == "Sample portfolio"
    assert stranger.slider(key="amber_pct").value == 10
    assert not any("mine.csv" in c.value for c in stranger.caption)


def test_forget_deletes_the_saved_session(make_app: Callable[..., AppTest], cost_drift_home: Path):
    _customise(make_app(SID))
    assert SessionStore(SID, cost_drift_home).exists()
    at = make_app(SID).run()
    at.button(key="forget_session").click().run()
    no_exception(at)
    assert not SessionStore(SID, cost_drift_home).exists()
    assert at.query_params.get("sid") != SID
    assert at.radio(key="source").value == "Sample portfolio"
    assert at.slider(key="amber_pct").value == 10
    later = make_app(SID).run()
    assert later.radio(key="source").value == "Sample portfolio"
    assert later.slider(key="amber_pct").value == 10


def test_store_round_trip_and_odd_ids(tmp_path: Path):
    store = SessionStore(SID, tmp_path)
    assert store.load_settings() == {} and store.load_upload() is None
    store.save_settings({"a": 1})
    store.save_upload("f.csv", b"x,y\n")
    name = store.save_model("level 2 / programs", b"PK..")
    assert store.load_settings() == {"a": 1}
    assert store.load_upload() == ("f.csv", b"x,y\n")
    assert store.list_models() == [name] and store.load_model(name) == b"PK.."
    assert store.load_model("../../etc/passwd") is None
    (store.folder / "settings.json").write_text("{not json")
    assert store.load_settings() == {}
    for odd in ("../x", "short", "a/b" * 10, "", None):
        assert not valid_sid(odd)


def test_odd_saved_values_are_clamped_not_fatal(
    make_app: Callable[..., AppTest], cost_drift_home: Path
):
    store = SessionStore(SID, cost_drift_home)
    store.save_settings(
        {
            "source": "No such source",
            "thresholds": {"amber_pct": 500, "red_pct": -3, "basis": "weekly", "persistence": 0},
            "forecast": {"fc_units": 10_000, "fc_scope": "everything", "fc_lr": "fast"},
        }
    )
    at = make_app(SID).run()
    no_exception(at)
    assert at.radio(key="source").value == "Sample portfolio"
    assert at.slider(key="amber_pct").value == 100
    assert at.slider(key="red_pct").value == 0
    assert at.radio(key="basis").value == "cumulative"
    assert at.slider(key="persistence").value == 1
    assert at.error  # amber 100 % is not below red 0 %: said plainly, nothing crashes
    at.switch_page("app_pages/forecast.py").run()
    no_exception(at)


def test_a_saved_mapping_with_too_many_levels_is_cut_not_fatal(
    make_app: Callable[..., AppTest], cost_drift_home: Path
):
    # Only an edited store can hold more than 8 levels; the widget would refuse them with an
    # exception, so the restore keeps the first 8.
    columns = [f"level{i}" for i in range(10)]
    head = ",".join([*columns, "period", "planned", "actual"])
    body = ",".join([*(f"v{i}" for i in range(10)), "2024-01", "100", "130"])
    data = f"{head}\n{body}\n".encode()
    first = make_app(SID).run()
    first.radio(key="source").set_value("Upload a file").run()
    first.file_uploader(key="upload").set_value(("wide.csv", data, "text/csv")).run()
    no_exception(first)
    store = SessionStore(SID, cost_drift_home)
    settings = store.load_settings()
    settings["mapping"]["map_levels"] = columns
    store.save_settings(settings)

    again = make_app(SID).run()
    no_exception(again)
    assert list(again.multiselect(key="map_levels").value) == columns[:8]
    assert metric(again, "Actual") == "130"
