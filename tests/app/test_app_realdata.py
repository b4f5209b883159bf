"""The two real portfolios open from the data source radio with their documented mappings."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from apphelp import metric, no_exception
from streamlit.testing.v1 import AppTest

from portfolio.load import load_portfolio
from portfolio.mapping import IT_DASHBOARD_MAPPING, NYC_CAPITAL_MAPPING


@pytest.mark.realdata
@pytest.mark.parametrize(
    ("label", "fixture", "mapping"),
    [
        ("Example: US federal IT Dashboard", "it_dashboard_csv", IT_DASHBOARD_MAPPING),
        ("Example: NYC capital projects", "nyc_capital_csv", NYC_CAPITAL_MAPPING),
    ],
)
def test_real_example_opens_with_its_mapping(
    make_app: Callable[..., AppTest],
    request: pytest.FixtureRequest,
    label: str,
    fixture: str,
    mapping,
):
    path: Path = request.getfixturevalue(fixture)
    at = make_app().run()
    assert label in at.radio(key="source").options
    at.radio(key="source").set_value(label).run()
    no_exception(at)
    assert not at.error, [e.value for e in at.error]
    assert list(at.multiselect(key="map_levels").value) == list(mapping.levels)
    assert at.selectbox(key="map_planned").value == mapping.planned
    assert at.radio(key="measure").value == mapping.measure
    loaded = load_portfolio(path, mapping)
    summary = loaded.summary
    assert metric(at, "Rows read") == f"{summary.rows_read:,}"
    assert metric(at, "Rows rejected") == f"{summary.rows_rejected:,}"
    single = loaded.frequency == "single"
    # the floor steps by a sensible amount for the file's money: $ M or dollars
    (floor,) = [n for n in at.number_input if n.key == "floor"]
    assert floor.step == (1.0 if single else 1_000_000.0)
    # A file without periods can name its one snapshot; a file with periods is not asked.
    labels = [t for t in at.text_input if t.key == "map_period_label"]
    assert len(labels) == (1 if single else 0)
    if single:
        assert labels[0].value == "" and at.session_state["_view"].portfolio.periods == ("all",)
        labels[0].set_value("2012").run()
        no_exception(at)
        assert at.session_state["_view"].portfolio.periods == ("2012",)
    # when the figures stand: a single period has no "to date"
    captions = " ".join(c.value for c in at.caption)
    last = at.session_state["_view"].portfolio.periods[-1]
    as_of = f"figures of its single period '{last}'" if single else f"figures to date at {last}"
    assert as_of in captions, captions
    pages = ("hierarchy", "alerts", "attribution", "forecast", "completion", "export")
    for page in pages:
        at.switch_page(f"app_pages/{page}.py").run()
        no_exception(at)
        assert not at.error, (page, [e.value for e in at.error])
        if page == "forecast":
            # A one-snapshot file says why it cannot be forecast instead of offering Train.
            infos = " ".join(str(i.value) for i in at.info)
            assert ("single period" in infos) == single, infos
            assert ("fc_train" in [b.key for b in at.button]) != single
        if page == "alerts" and single:
            # A persistence longer than the file flags nothing: the page says so.
            at.slider(key="persistence").set_value(2).run()
            warned = " ".join(w.value for w in at.warning)
            assert "Persistence is 2 periods, but the file has 1 period(s)" in warned, warned
            assert metric(at, "Red") == "0" and metric(at, "Amber") == "0"
            at.slider(key="persistence").set_value(1).run()
            assert not [w for w in at.warning if "Persistence is" in w.value]
        if page == "completion" and single:
            assert any("Figures of its single period '2012'" in c.value for c in at.caption)
        if page == "attribution":
            # One period has a variance to date only: no change between periods to pick.
            kinds = list(at.radio(key="at_kind").options)
            assert kinds[0] == "To date" and len(kinds) == (1 if single else 3), kinds
