"""Exports: CSV and Excel tables safe to open in a spreadsheet, and charts as PNG, SVG or HTML.

Formula injection: a text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return would be run as a formula by a spreadsheet, so such cells (and column headers) get a
leading apostrophe (``portfolio.formulas``, re-exported here). Numbers are never touched, so a
negative amount stays a number.
"""

from __future__ import annotations

import atexit
import io
import logging
import re
import threading
import warnings
from collections.abc import Mapping
from typing import Literal

import pandas as pd
import plotly.graph_objects as go

from portfolio.errors import InputError
from portfolio.formulas import FORMULA_PREFIXES as FORMULA_PREFIXES  # re-exported
from portfolio.formulas import neutralise as neutralise  # re-exported
from portfolio.tablewriter import csv_bytes

logger = logging.getLogger(__name__)

EXCEL_MAX_ROWS = 1_048_576
EXCEL_MAX_COLUMNS = 16_384
_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")
# Characters openpyxl refuses to write (control characters other than tab, newline, return).
_EXCEL_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def to_csv_bytes(df: pd.DataFrame) -> bytes:
    """The table as UTF-8 CSV bytes (no index), formula-like cells neutralised.

    Made by ``portfolio.tablewriter`` (Arrow kernels; the same text as pandas' ``to_csv``).
    """
    return csv_bytes(df)


def sheet_names(names: list[str]) -> list[str]:
    """Excel-safe, unique sheet names (at most 31 characters, none of ``[]:*?/\\``)."""
    result: list[str] = []
    seen: set[str] = set()
    for raw in names:
        base = _SHEET_BAD.sub("_", str(raw)).strip("'").strip() or "Sheet"
        base = base[:31]
        name, n = base, 1
        while name.lower() in seen:
            n += 1
            suffix = f" ({n})"
            name = base[: 31 - len(suffix)] + suffix
        seen.add(name.lower())
        result.append(name)
    return result


def _excel_clean(df: pd.DataFrame) -> pd.DataFrame:
    out = neutralise(df)
    for column in out.columns:
        if not pd.api.types.is_numeric_dtype(out[column].dtype):
            out[column] = out[column].map(
                lambda v: _EXCEL_ILLEGAL.sub("", v) if isinstance(v, str) else v
            )
    out.columns = [_EXCEL_ILLEGAL.sub("", c) if isinstance(c, str) else c for c in out.columns]
    return out


def to_excel_bytes(sheets: Mapping[str, pd.DataFrame]) -> bytes:
    """An .xlsx workbook with one sheet per table, formula-like cells neutralised.

    Args:
        sheets: Sheet name to table; names are made Excel-safe and unique.

    Raises:
        InputError: When there is no table, or a table is larger than an Excel sheet.
    """
    if not sheets:
        raise InputError("There is no table to write to the Excel file.")
    for name, df in sheets.items():
        if len(df) + 1 > EXCEL_MAX_ROWS or len(df.columns) > EXCEL_MAX_COLUMNS:
            raise InputError(
                f"The table {name!r} has {len(df):,} rows and {len(df.columns)} columns, more than "
                "an Excel sheet holds (1,048,575 rows, 16,384 columns); export it as CSV instead."
            )
    buffer = io.BytesIO()
    names = sheet_names(list(sheets))
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, df in zip(names, sheets.values(), strict=True):
            _excel_clean(df).to_excel(writer, sheet_name=name, index=False)
    return buffer.getvalue()


_kaleido_lock = threading.Lock()
# kaleido's shared sync server can hand concurrent callers each other's images (seen with four
# threads: a PNG request answered with an SVG), so renders go through it one at a time.
_render_lock = threading.Lock()
_kaleido_state = {"tried": False, "running": False}


def _ensure_kaleido_server() -> None:
    """Start one kaleido sync server on first use and keep it for later exports."""
    with _kaleido_lock:
        if _kaleido_state["tried"]:
            return
        _kaleido_state["tried"] = True
        try:
            import kaleido

            kaleido.start_sync_server(silence_warnings=True)
            _kaleido_state["running"] = True
            atexit.register(kaleido.stop_sync_server, silence_warnings=True)
        except Exception as exc:  # the one-shot path of fig.to_image still works without it
            logger.warning("kaleido server not started (%s); using one-shot rendering", exc)


def _render(fig: go.Figure, fmt: str) -> bytes:
    with _render_lock, warnings.catch_warnings():
        # plotly passes its kaleido options on every call; the running server already has them.
        warnings.filterwarnings("ignore", message="The kopts argument is ignored")
        return bytes(fig.to_image(format=fmt))


def figure_bytes(fig: go.Figure, fmt: Literal["png", "svg", "html"] = "png") -> bytes:
    """A chart as PNG or SVG bytes (kaleido with the system Chromium) or a one-file HTML page.

    Safe to call from several threads (renders are serialised).

    Args:
        fig: The chart.
        fmt: ``png``, ``svg`` or ``html`` (HTML embeds plotly.js, so it works offline).

    Raises:
        InputError: For another format.
        RuntimeError: When PNG/SVG cannot be rendered (no Chromium), with a plain message.
    """
    if fmt == "html":
        return fig.to_html(include_plotlyjs=True, full_html=True).encode("utf-8")
    if fmt not in ("png", "svg"):
        raise InputError(f"Charts can be exported as png, svg or html, not {fmt!r}.")
    _ensure_kaleido_server()
    try:
        return _render(fig, fmt)
    except Exception as exc:
        if not _kaleido_state["running"]:
            raise RuntimeError(
                f"Exporting a chart as {fmt.upper()} needs Chromium (kaleido could not "
                f"render: {exc}). Export it as HTML instead."
            ) from exc
    # The shared server failed: stop it and render this chart in a one-shot browser.
    logger.warning("kaleido server failed; rendering with a one-shot browser")
    with _kaleido_lock:
        try:
            import kaleido

            kaleido.stop_sync_server(silence_warnings=True)
        finally:
            _kaleido_state["running"] = False
    return _render(fig, fmt)
