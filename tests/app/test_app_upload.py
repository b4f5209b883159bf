"""Uploads through the sidebar: good files, bad files (a message, never a traceback), cut files."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from apphelp import metric, no_exception
from streamlit.testing.v1 import AppTest

from ui.sources import SAMPLE

GOOD = (
    "portfolio,program,project,item,period,planned,actual\n"
    "Ops,Net,Routers,PO-1,2024-01,100,110\n"
    "Ops,Net,Routers,PO-1,2024-02,100,150\n"
    "Ops,Net,Switches,PO-2,2024-01,200,180\n"
    "Ops,Net,Switches,PO-2,2024-02,200,200\n"
)


def _upload(at: AppTest, name: str, content: bytes, mime: str = "text/csv") -> AppTest:
    at.radio(key="source").set_value("Upload a file").run()
    at.file_uploader(key="upload").set_value((name, content, mime))
    return at.run()


def test_a_good_upload_replaces_the_sample(make_app: Callable[..., AppTest]):
    at = make_app().run()
    _upload(at, "mine.csv", GOOD.encode())
    no_exception(at)
    assert not at.error
    assert metric(at, "Rows read") == "4"
    assert metric(at, "Rows used") == "4"
    # Cumulative: planned 600, actual 640, +6.7 %.
    assert metric(at, "Planned") == "600"
    assert metric(at, "Actual") == "640"
    assert metric(at, "Variance %") == "+6.7 %"


def test_a_bad_amount_shows_the_message_and_the_app_stays_usable(
    make_app: Callable[..., AppTest],
):
    bad = GOOD.replace("2024-02,100,150", "2024-02,lots,150").encode()
    at = make_app().run()
    _upload(at, "bad.csv", bad)
    no_exception(at)
    assert at.error, "expected an st.error with the loader's message"
    message = at.error[0].value
    assert "planned" in message
    assert "3" in message  # the file row of the bad cell (header is row 1)
    # The app is still usable: switching back to the sample works.
    at.radio(key="source").set_value("Sample portfolio").run()
    no_exception(at)
    assert not at.error
    assert [h.value for h in at.header] == ["Overview"]


def test_binary_garbage_is_refused_with_a_message(make_app: Callable[..., AppTest]):
    at = make_app().run()
    _upload(at, "photo.csv", bytes(range(256)) * 40)
    no_exception(at)
    assert at.error
    assert "photo.csv" in at.error[0].value


def test_columns_with_other_names_are_guessed_and_can_be_corrected(
    make_app: Callable[..., AppTest],
):
    renamed = GOOD.replace(
        "portfolio,program,project,item,period,planned,actual",
        "Division,Programme,Project,PO,Month,Budget,Spend",
    )
    at = make_app().run()
    _upload(at, "renamed.csv", renamed.encode())
    no_exception(at)
    levels = list(at.multiselect(key="map_levels").value)
    assert at.selectbox(key="map_period").value == "Month"
    # Whatever was guessed, the analyst can set every role by hand.
    at.multiselect(key="map_levels").set_value(["Division", "Programme", "Project", "PO"])
    at.selectbox(key="map_planned").set_value("Budget")
    at.selectbox(key="map_actual").set_value("Spend").run()
    no_exception(at)
    assert not at.error, (levels, [e.value for e in at.error])
    assert metric(at, "Planned") == "600"
    assert metric(at, "Actual") == "640"
    # Swapping planned and actual is taken at face value (the variance changes sign).
    at.selectbox(key="map_planned").set_value("Spend")
    at.selectbox(key="map_actual").set_value("Budget").run()
    assert metric(at, "Planned") == "640"


def test_a_cut_csv_loads_the_complete_rows_only_when_asked(make_app: Callable[..., AppTest]):
    content = SAMPLE.read_bytes()
    lines = content.splitlines(keepends=True)
    cut = b"".join(lines[:101]) + lines[101][:20]  # header + 100 rows + half a row
    at = make_app().run()
    _upload(at, "cut.csv", cut)
    no_exception(at)
    assert any("incomplete row" in w.value for w in at.warning)
    box = at.checkbox(key="accept_cut")
    assert box.label == "Load the complete rows only"
    box.check().run()
    no_exception(at)
    assert not at.error
    assert metric(at, "Rows used") == "100"


def test_an_excel_upload_loads_like_the_csv(make_app: Callable[..., AppTest]):
    import io

    import pandas as pd

    frame = pd.read_csv(io.StringIO(GOOD), dtype=str)
    buffer = io.BytesIO()
    frame.to_excel(buffer, index=False)
    at = make_app().run()
    mime = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    _upload(at, "mine.xlsx", buffer.getvalue(), mime)
    no_exception(at)
    assert not at.error, [e.value for e in at.error]
    assert metric(at, "Rows used") == "4"
    assert metric(at, "Actual") == "640"


def test_running_out_of_memory_is_a_message_not_a_crash(
    make_app: Callable[..., AppTest], monkeypatch: pytest.MonkeyPatch
):
    import ui.data

    def exhausted(_portfolio: object) -> None:
        raise MemoryError

    monkeypatch.setattr(ui.data, "rollup_portfolio", exhausted)
    at = make_app().run()
    _upload(at, "huge.csv", GOOD.replace("PO-1", "PO-9").encode())  # a file not cached yet
    no_exception(at)
    assert any("huge.csv is too large for this server's memory" in e.value for e in at.error)
    monkeypatch.undo()
    at.radio(key="source").set_value("Sample portfolio").run()  # and the app goes on
    no_exception(at)
    assert metric(at, "Rows read") != ""
