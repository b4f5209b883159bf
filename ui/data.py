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
import os
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import streamlit as st

from portfolio.alerts import AlertRule, evaluate
from portfolio.engines import APP_ROLLUP, AppRollup, EngineChoice, rollup_frame
from portfolio.load import Portfolio, RawTable, build_portfolio, read_raw
from portfolio.mapping import ColumnMapping
from portfolio.rollup import rollup_portfolio

log = logging.getLogger(__name__)

# How often each cached step really ran (cache misses), for tests and the bench; holds no data.
CALLS: Counter[str] = Counter()
DUCKDB_ROWS_ENV = "COST_DRIFT_APP_DUCKDB_ROWS"


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


def app_rollup() -> AppRollup:
    """When the app rolls up on DuckDB: ``COST_DRIFT_APP_DUCKDB_ROWS`` (set by the server) or
    the measured default of ``portfolio.engines.AppRollup``."""
    text = os.environ.get(DUCKDB_ROWS_ENV, "").strip()
    if not text:
        return APP_ROLLUP
    try:
        return AppRollup(duckdb_rows=int(text))
    except ValueError:
        log.warning("%s=%r is not a whole number; using the default", DUCKDB_ROWS_ENV, text)
        return APP_ROLLUP


def rollup_engine(p: Portfolio) -> str:
    """The engine that rolls ``p`` up in the app (``pandas`` or ``duckdb``)."""
    return app_rollup().engine(p)


@st.cache_data(max_entries=16, show_spinner=False)
def rolled(key: DataKey, _data: bytes) -> pd.DataFrame:
    """The rollup of every node at every period: ``rollup_portfolio``, or the same rows from
    the duckdb engine for a large upload (``rollup_engine``)."""
    CALLS["rollup"] += 1
    p = portfolio(key, _data)
    engine = rollup_engine(p)
    if engine == "pandas":
        return rollup_portfolio(p)
    CALLS[f"rollup_{engine}"] += 1
    return rollup_frame(p, EngineChoice(engine))


@st.cache_data(max_entries=64, show_spinner=False)
def statuses(key: DataKey, rule: AlertRule, _data: bytes) -> pd.DataFrame:
    """The rollup with a status per node and period under ``rule`` (``alerts.evaluate``)."""
    CALLS["evaluate"] += 1
    return evaluate(rolled(key, _data), rule)
