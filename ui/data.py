"""Cached loading, rollup and alert evaluation for the app.

Every cached function is keyed by a :class:`DataKey` (the SHA-256 of the file's bytes, its name,
the column mapping and the cut-file choice) and, for alerts, the rule; the bytes themselves travel
in an underscore argument that Streamlit does not hash, so a slider change costs a dictionary
lookup rather than hashing the whole file again. Caches keyed by content are shared between
sessions on purpose: a session can only reach an entry by holding the same bytes.
"""

from __future__ import annotations

import hashlib
import logging
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import streamlit as st

from portfolio.alerts import AlertRule, evaluate
from portfolio.load import Portfolio, RawTable, build_portfolio, read_raw
from portfolio.mapping import ColumnMapping
from portfolio.rollup import rollup_portfolio

log = logging.getLogger(__name__)

# How often each cached step really ran (cache misses), for tests and the bench; holds no data.
CALLS: Counter[str] = Counter()


def digest(data: bytes) -> str:
    """SHA-256 hex digest of a file's bytes."""
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class DataKey:
    """What identifies one loaded portfolio: the file's content and how it is read."""

    digest: str
    name: str
    mapping: ColumnMapping
    accept_cut: bool = False


@st.cache_data(max_entries=16, show_spinner=False)
def file_bytes(path: str, mtime: float) -> bytes:
    """The bytes of a file on disk (the sample or an example), re-read when it changes."""
    del mtime  # part of the cache key only
    return Path(path).read_bytes()


@st.cache_data(max_entries=16, show_spinner="Reading the file ...")
def raw_table(file_digest: str, name: str, _data: bytes) -> RawTable:
    """``portfolio.load.read_raw`` of the bytes, cached by their digest."""
    CALLS["read_raw"] += 1
    log.info("reading %s (%d bytes)", name, len(_data))
    return read_raw(_data, name=name)


@st.cache_data(max_entries=16, show_spinner="Checking and rolling up the portfolio ...")
def portfolio(key: DataKey, _data: bytes) -> Portfolio:
    """``build_portfolio`` with the mapping of ``key``; raises ``InputError`` on bad input."""
    CALLS["build_portfolio"] += 1
    raw = raw_table(key.digest, key.name, _data)
    return build_portfolio(raw, key.mapping, accept_cut=key.accept_cut)


@st.cache_data(max_entries=16, show_spinner=False)
def rolled(key: DataKey, _data: bytes) -> pd.DataFrame:
    """The rollup of every node at every period (``rollup_portfolio``)."""
    CALLS["rollup"] += 1
    return rollup_portfolio(portfolio(key, _data))


@st.cache_data(max_entries=64, show_spinner=False)
def statuses(key: DataKey, rule: AlertRule, _data: bytes) -> pd.DataFrame:
    """The rollup with a status per node and period under ``rule`` (``alerts.evaluate``)."""
    CALLS["evaluate"] += 1
    return evaluate(rolled(key, _data), rule)
