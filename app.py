"""Cost Drift in the browser: page config, the shared sidebar and the navigation over the pages.

Run with ``streamlit run app.py`` (or ``scripts/app.sh``). The sidebar (``ui.sidebar``) loads the
chosen portfolio once per run and hands it to the pages through ``st.session_state``; the pages
in ``pages/`` only place what the cores return.
"""

from __future__ import annotations

import logging

import streamlit as st

from ui import sidebar

logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")

st.set_page_config(page_title="Cost Drift", layout="wide", initial_sidebar_state="expanded")

PAGES = [
    st.Page("pages/overview.py", title="Overview", url_path="overview", default=True),
    st.Page("pages/hierarchy.py", title="Hierarchy", url_path="hierarchy"),
    st.Page("pages/alerts.py", title="Alerts", url_path="alerts"),
    st.Page("pages/forecast.py", title="Forecast", url_path="forecast"),
    st.Page("pages/export.py", title="Export", url_path="export"),
]

page = st.navigation(PAGES, position="sidebar")
store = sidebar.session_store()
view = sidebar.render(store)
sidebar.save(store)
page.run()
