"""Widget defaults that follow the analyst's current choice.

The browser keeps the value of every widget and sends it back on each run. When it loses that
value (a page switch that lands while a script run is in progress can make it forget the widgets
drawn after a point), it shows, and sends back, the default that came with the widget. The CI run
of the browser tests caught the alert sliders falling to amber 0 % and red 0 % that way. So every
keyed widget of the app is given the current value of its key as its default: a forgotten value
comes back as it was, not as the first option or the minimum.

A saved value can also stop being an option (another file, a restored session, a choice that
changed): ``keep_option`` puts such a widget back on its default before it is drawn.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, overload

import streamlit as st


@overload
def index_of(key: str, options: Sequence[Any], fallback: int = 0) -> int: ...
@overload
def index_of(key: str, options: Sequence[Any], fallback: None) -> int | None: ...
def index_of(key: str, options: Sequence[Any], fallback: int | None = 0) -> int | None:
    """Where the widget ``key``'s current value is in ``options`` (``fallback`` if absent)."""
    value = st.session_state.get(key)
    for i, option in enumerate(options):
        if option == value:
            return i
    return fallback


def keep_option(key: str, options: Sequence[Any], default: Any) -> Any:
    """Reset the widget ``key`` to ``default`` when its value is not among ``options``.

    Call it before drawing the widget; a value that is still an option is left untouched (writing
    it back on every run would resend an older value while the analyst is changing it).

    Returns:
        The widget's value after the check.
    """
    value = st.session_state.get(key)
    if any(option == value for option in options):
        return value
    st.session_state[key] = default
    return default


def chosen(key: str, options: Sequence[Any]) -> list[Any]:
    """The multiselect ``key``'s current choices that are still among ``options``, in order."""
    value = st.session_state.get(key)
    if not isinstance(value, list | tuple):
        return []
    allowed = set(options)
    return [v for v in value if v in allowed]


def flag(key: str) -> bool:
    """The checkbox ``key``'s current value (False when unset)."""
    return bool(st.session_state.get(key, False))
