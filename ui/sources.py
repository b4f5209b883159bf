"""The sidebar's data sources: the sample, an upload, and the real examples when present.

``source_bytes`` turns the chosen source into the file's name and bytes; an upload is kept in
``st.session_state["_upload"]`` as ``(name, bytes, digest)`` so that a restored session and a
page switch find it again.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from portfolio.mapping import IT_DASHBOARD_MAPPING, NYC_CAPITAL_MAPPING, ColumnMapping
from ui import data

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "sample_data" / "sample_portfolio.csv"
REALDATA = REPO.parent / "shared" / "realdata"

SRC_SAMPLE = "Sample portfolio"
SRC_UPLOAD = "Upload a file"
SRC_IT = "Example: US federal IT Dashboard"
SRC_NYC = "Example: NYC capital projects"
MAX_UPLOAD_MB = 200  # the default of .streamlit/config.toml; the server's setting wins

# The two real examples and the mapping that reads them (docs/realdata.md).
EXAMPLES: dict[str, tuple[str, ColumnMapping]] = {
    SRC_IT: ("it_dashboard_projects.csv", IT_DASHBOARD_MAPPING),
    SRC_NYC: ("nyc_capital_projects.csv", NYC_CAPITAL_MAPPING),
}


def upload_limit_mb() -> int:
    """The upload limit the server enforces (server.maxUploadSize), for the help text."""
    try:
        return int(st.get_option("server.maxUploadSize"))
    except Exception:  # an unknown option in some future Streamlit: fall back to our default
        return MAX_UPLOAD_MB


def sources() -> list[str]:
    """The data source choices: the examples only where ../shared/realdata holds them."""
    options = [SRC_SAMPLE, SRC_UPLOAD]
    options += [label for label, (fname, _) in EXAMPLES.items() if (REALDATA / fname).is_file()]
    return options


def source_bytes(source: str) -> tuple[str, bytes] | None:
    """The (name, bytes) of the chosen source, or None when nothing is uploaded yet."""
    if source == SRC_SAMPLE:
        return SAMPLE.name, data.file_bytes(str(SAMPLE), SAMPLE.stat().st_mtime)
    if source in EXAMPLES:
        path = REALDATA / EXAMPLES[source][0]
        return path.name, data.file_bytes(str(path), path.stat().st_mtime)
    return _uploaded()


def _uploaded() -> tuple[str, bytes] | None:
    """The file uploader and the upload it holds (or the one restored from the store)."""
    uploaded = st.file_uploader(
        "Upload CSV or Excel",
        type=["csv", "txt", "tsv", "xlsx"],
        key="upload",
        help=(
            f"A CSV (comma, semicolon or tab separated) or an Excel .xlsx file of at most "
            f"{upload_limit_mb()} MB: one row per item and period, with planned and actual "
            "amounts. Larger files: filter or aggregate them first, or use the cost-drift "
            "command line."
        ),
    )
    seen = st.session_state.get("_upload_seen")
    if uploaded is not None:
        if uploaded.file_id != seen:
            raw = uploaded.getvalue()
            st.session_state["_upload"] = (uploaded.name, raw, data.digest(raw))
            st.session_state["_upload_seen"] = uploaded.file_id
            st.session_state["_upload_restored"] = False
    elif seen is not None:  # the analyst removed the file
        st.session_state.pop("_upload", None)
        st.session_state["_upload_seen"] = None
    upload = st.session_state.get("_upload")
    if upload is None:
        st.info("Upload a CSV or Excel file of planned and actual cost per item and period.")
        return None
    if st.session_state.get("_upload_restored"):
        st.caption(f"Using your saved file **{upload[0]}** (restored from your last visit).")
    return upload[0], upload[1]
