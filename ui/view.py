"""The current view shared by every page: the loaded portfolio, its rollup and alert statuses.

``app.py`` builds it from the sidebar on every run and puts it in ``st.session_state`` (per
browser session, never module state); pages read it with :func:`require`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
import streamlit as st

from portfolio.alerts import AlertRule
from portfolio.load import Portfolio
from ui.data import DataKey
from ui.store import SessionStore

VIEW_KEY = "_view"


@dataclass(frozen=True, eq=False)
class View:
    """What the sidebar selected and what the cores made of it."""

    store: SessionStore
    source: str
    file_name: str | None = None
    key: DataKey | None = None
    data: bytes | None = field(default=None, repr=False)
    rule: AlertRule | None = None
    portfolio: Portfolio | None = None
    rolled: pd.DataFrame | None = None
    statuses: pd.DataFrame | None = None
    errors: tuple[str, ...] = ()

    @property
    def ready(self) -> bool:
        """Whether a portfolio is loaded and evaluated."""
        return self.portfolio is not None and self.rolled is not None and self.statuses is not None


def current() -> View | None:
    """The view of this run, or None before the sidebar made one."""
    view = st.session_state.get(VIEW_KEY)
    return view if isinstance(view, View) else None


def require() -> View:
    """The view of this run; stops the page with a hint when no portfolio is loaded."""
    view = current()
    if view is None or not view.ready:
        if view is not None and view.errors:
            st.warning(
                "Nothing to show until the problem shown in the sidebar is fixed "
                "(choose another file or correct the column mapping)."
            )
        else:
            st.info("Choose a data source in the sidebar to begin.")
        st.stop()
    assert view is not None
    return view
