"""Shared fixtures: the sample portfolio and the real portfolios in ../shared/realdata."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

REPO = Path(__file__).resolve().parents[1]
SAMPLE_CSV = REPO / "sample_data" / "sample_portfolio.csv"
REALDATA = Path(os.environ.get("COST_DRIFT_REALDATA", REPO.parent / "shared" / "realdata"))
IT_DASHBOARD = REALDATA / "it_dashboard_projects.csv"
NYC_CAPITAL = REALDATA / "nyc_capital_projects.csv"


@pytest.fixture(scope="session")
def sample_csv() -> Path:
    """The committed sample portfolio."""
    return SAMPLE_CSV


@pytest.fixture(scope="session")
def it_dashboard_csv() -> Path:
    """The US federal IT Dashboard export; skips (with the reason) where realdata is absent."""
    if not IT_DASHBOARD.exists():
        pytest.skip(f"real data not found at {IT_DASHBOARD} (CI always has it)")
    return IT_DASHBOARD


@pytest.fixture(scope="session")
def nyc_capital_csv() -> Path:
    """The NYC capital projects export; skips (with the reason) where realdata is absent."""
    if not NYC_CAPITAL.exists():
        pytest.skip(f"real data not found at {NYC_CAPITAL} (CI always has it)")
    return NYC_CAPITAL
