"""Variance notes in the app: the form on Alerts and Hierarchy, carry-over, conflicts, exports."""

from __future__ import annotations

from collections.abc import Callable

from apphelp import no_exception
from streamlit.testing.v1 import AppTest

from portfolio.notes import NotesStore, export_table
from ui import exports

HEADER = "portfolio,program,project,item,period,planned,actual\n"
ROWS = (
    "Ops,Net,Routers,PO-1,2024-01,100,110\n"
    "Ops,Net,Routers,PO-1,2024-02,100,160\n"
    "Ops,Net,Switches,PO-2,2024-01,200,200\n"
    "Ops,Net,Switches,PO-2,2024-02,200,205\n"
)
NEXT_MONTH = "Ops,Net,Routers,PO-1,2024-03,100,150\nOps,Net,Switches,PO-2,2024-03,200,210\n"
ROUTERS = "Ops / Net / Routers"
SID = "notesnotesnotesnotes01"


def _upload(at: AppTest, name: str, content: str) -> AppTest:
    at.run()
    at.radio(key="source").set_value("Upload a file").run()
    at.file_uploader(key="upload").set_value((name, content.encode(), "text/csv")).run()
    no_exception(at)
    return at


def _alerts(at: AppTest) -> AppTest:
    at.switch_page("app_pages/alerts.py").run()
    no_exception(at)
    return at


def _add_note(at: AppTest, node: str, period: str, cause: str, owner: str = "JD") -> AppTest:
    at.selectbox(key="al_note_node").set_value(node)
    at.selectbox(key="al_note_period").set_value(period)
    at.text_area(key="al_note_cause").input(cause)
    at.text_input(key="al_note_impact").input("+50 this month")
    at.text_area(key="al_note_action").input("Re-quote the second lot")
    at.text_input(key="al_note_owner").input(owner)
    at.button(key="al_note_save").click().run()
    no_exception(at)
    return at


def _notes_grid(at: AppTest) -> list[str]:
    grids = [d.value for d in at.dataframe if "cause" in d.value.columns]
    return grids[0]["cause"].tolist() if grids else []


def test_a_note_added_on_alerts_is_stored_and_shown(make_app: Callable[..., AppTest]):
    at = _alerts(_upload(make_app(), "network.csv", HEADER + ROWS))
    assert any(s.value == "Variance explanations" for s in at.subheader)
    _add_note(at, ROUTERS, "2024-02", "Vendor price rise")
    assert any("added for Ops / Net / Routers at 2024-02" in s.value for s in at.success)
    stored = NotesStore().notes("network.csv")
    assert stored["cause"].tolist() == ["Vendor price rise"]
    assert stored["owner"].tolist() == ["JD"] and stored["node"].tolist() == [ROUTERS]
    assert _notes_grid(at) == ["Vendor price rise"]
    grid = next(d.value for d in at.dataframe if "cause" in d.value.columns)
    assert grid["status"].tolist() == ["red"]  # the node's status now, beside its note
    assert at.text_area(key="al_note_cause").value == ""  # the form is emptied for the next


def test_a_bad_note_keeps_the_text_and_says_why(make_app: Callable[..., AppTest]):
    at = _alerts(_upload(make_app(), "network.csv", HEADER + ROWS))
    at.text_input(key="al_note_owner").input("JD")
    at.button(key="al_note_save").click().run()
    no_exception(at)
    assert any("needs a cause or a corrective action" in e.value for e in at.error)
    assert at.text_input(key="al_note_owner").value == "JD"
    assert NotesStore().notes("network.csv").empty


def test_notes_survive_a_new_session_and_a_reupload_with_new_periods(
    make_app: Callable[..., AppTest],
):
    _add_note(_alerts(_upload(make_app(), "network.csv", HEADER + ROWS)), ROUTERS, "2024-02", "Why")
    # A fresh session (no saved id): what a restarted server gives a new visitor.
    later = _alerts(_upload(make_app(), "network.csv", HEADER + ROWS + NEXT_MONTH))
    assert later.session_state["_view"].portfolio.periods[-1] == "2024-03"
    assert _notes_grid(later) == ["Why"]
    later.switch_page("app_pages/hierarchy.py").run()
    later.selectbox(key="hier_node").set_value(ROUTERS).run()
    no_exception(later)
    assert any(m.value == f"**Variance notes for {ROUTERS}**" for m in later.markdown)
    assert _notes_grid(later) == ["Why"]


def test_a_portfolio_name_carries_notes_to_next_months_file(make_app: Callable[..., AppTest]):
    first = _upload(make_app(SID), "network-2024-02.csv", HEADER + ROWS)
    first.text_input(key="notes_portfolio").input("Network programme").run()
    _add_note(_alerts(first), ROUTERS, "2024-02", "Carried over")
    assert NotesStore().notes("Network programme")["cause"].tolist() == ["Carried over"]
    again = _alerts(make_app(SID).run())  # a reload restores the name of this file
    assert again.text_input(key="notes_portfolio").value == "Network programme"
    assert _notes_grid(again) == ["Carried over"]

    nxt = _alerts(_upload(make_app(), "network-2024-03.csv", HEADER + ROWS + NEXT_MONTH))
    assert nxt.text_input(key="notes_portfolio").value == "network-2024-03.csv"
    assert _notes_grid(nxt) == []
    nxt.text_input(key="notes_portfolio").input("Network programme").run()
    no_exception(nxt)
    assert _notes_grid(nxt) == ["Carried over"]


def test_an_edit_over_someone_elses_change_is_refused(make_app: Callable[..., AppTest]):
    mine = _add_note(_alerts(_upload(make_app(), "n.csv", HEADER + ROWS)), ROUTERS, "2024-02", "v1")
    note_id = int(NotesStore().notes("n.csv")["id"].iloc[0])
    theirs = _alerts(_upload(make_app(), "n.csv", HEADER + ROWS))
    mine.selectbox(key="al_note_pick").set_value(note_id).run()
    assert mine.text_area(key="al_note_cause").value == "v1"
    theirs.selectbox(key="al_note_pick").set_value(note_id).run()
    theirs.text_area(key="al_note_cause").input("their edit")
    theirs.button(key="al_note_save").click().run()
    assert any(f"Note #{note_id} saved" in s.value for s in theirs.success)
    mine.text_area(key="al_note_cause").input("my stale edit")
    mine.button(key="al_note_save").click().run()
    no_exception(mine)
    assert any("changed by someone else" in e.value for e in mine.error)
    assert NotesStore().notes("n.csv")["cause"].tolist() == ["their edit"]
    assert mine.text_area(key="al_note_cause").value == "my stale edit"  # kept, not lost


def test_export_and_report_carry_the_notes_formula_safe(make_app: Callable[..., AppTest]):
    at = _alerts(_upload(make_app(), "n.csv", HEADER + ROWS))
    _add_note(at, ROUTERS, "2024-02", '=HYPERLINK("http://evil")')
    at.switch_page("app_pages/export.py").run()
    no_exception(at)
    keys = {b.proto.id for b in at.get("download_button")}
    assert any("ex_variance-notes_csv" in k for k in keys)
    view = at.session_state["_view"]
    frames = exports.portfolio_tables(view, export_table(NotesStore().notes("n.csv")))
    notes = frames[exports.NOTES_TABLE]
    csv = exports.csv_data(notes)().decode()
    assert "'=HYPERLINK" in csv and ROUTERS in csv
    report = exports.report_data(view, {}, frames)().decode()
    assert "<h2>Variance notes</h2>" in report
    assert "&#x27;=HYPERLINK(&quot;http://evil&quot;)" in report
