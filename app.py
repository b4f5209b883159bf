"""Cost Drift in the browser: page config, the shared sidebar and the navigation over the pages.

Run with ``streamlit run app.py`` (or ``scripts/app.sh``). The sidebar (``ui.sidebar``) loads the
chosen portfolio once per run and hands it to the pages through ``st.session_state``; the page
scripts only place what the cores return.

The page scripts live in ``app_pages/``, not ``pages/``: Streamlit 1.67 still switches to its old
multipage mode whenever a folder named ``pages`` sits beside the entry script, and then runs a
page file on its own, without this shell (no sidebar, no navigation).
"""

from __future__ import annotations

import logging

import streamlit as st

from ui import notes_ui, persistence, sidebar

logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")

st.set_page_config(page_title="Cost Drift", layout="wide", initial_sidebar_state="expanded")

PAGES = [
    st.Page("app_pages/overview.py", title="Overview", default=True),
    st.Page("app_pages/hierarchy.py", title="Hierarchy", url_path="hierarchy"),
    st.Page("app_pages/alerts.py", title="Alerts", url_path="alerts"),
    st.Page("app_pages/attribution.py", title="Attribution", url_path="attribution"),
    st.Page("app_pages/plans.py", title="Plan versions", url_path="plans"),
    st.Page("app_pages/forecast.py", title="Forecast", url_path="forecast"),
    st.Page("app_pages/completion.py", title="At completion", url_path="completion"),
    st.Page("app_pages/export.py", title="Export", url_path="export"),
]

page = st.navigation(PAGES, position="sidebar")
store = persistence.session_store()
view = sidebar.render(store)
notes_ui.portfolio_name(view)
persistence.save(store)
page.run()
