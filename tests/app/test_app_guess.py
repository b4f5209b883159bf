"""The sidebar's mapping guess reads the uploaded data as well as its column names."""

from __future__ import annotations

from collections.abc import Callable

from apphelp import metric, no_exception
from streamlit.testing.v1 import AppTest

# "Cost Centre" is no level word: only the data says it sits between Division and Contract.
NESTED = (
    "Division;Cost Centre;Contract;Quarter;Budget;Spend\n"
    "North;CC-10;K-100;2024-Q1;100;90\n"
    "North;CC-10;K-100;2024-Q2;100;110\n"
    "North;CC-10;K-101;2024-Q1;50;50\n"
    "North;CC-11;K-110;2024-Q1;70;75\n"
    "South;CC-20;K-200;2024-Q1;80;60\n"
    "South;CC-20;K-200;2024-Q2;80;85\n"
    "South;CC-21;K-210;2024-Q1;30;30\n"
)


def test_an_upload_is_guessed_with_the_level_its_data_shows(make_app: Callable[..., AppTest]):
    at = make_app().run()
    at.radio(key="source").set_value("Upload a file").run()
    at.file_uploader(key="upload").set_value(("costs.csv", NESTED.encode(), "text/csv"))
    at.run()
    no_exception(at)
    assert not at.error, [e.value for e in at.error]
    assert list(at.multiselect(key="map_levels").value) == ["Division", "Cost Centre", "Contract"]
    assert at.selectbox(key="map_period").value == "Quarter"
    assert (at.selectbox(key="map_planned").value, at.selectbox(key="map_actual").value) == (
        "Budget",
        "Spend",
    )
    assert metric(at, "Rows read") == "7"
