"""Importing the pure core stays cheap: no TensorFlow, Keras or Streamlit (in a fresh process)."""

from __future__ import annotations

import json
import pkgutil
import subprocess
import sys
from pathlib import Path

import portfolio

HEAVY = ("tensorflow", "keras", "streamlit")

PROBE = """
import importlib, json, sys
for name in sys.argv[1:]:
    importlib.import_module(name)
from portfolio.cli import build_parser
build_parser()  # also registers the forecast subcommand when it exists
heavy = sorted(m for m in sys.modules if m.split(".")[0] in {heavy})
print(json.dumps(heavy))
"""


def portfolio_modules() -> list[str]:
    path = Path(portfolio.__file__).parent
    return ["portfolio", *(f"portfolio.{m.name}" for m in pkgutil.iter_modules([str(path)]))]


def test_every_portfolio_module_is_listed() -> None:
    names = portfolio_modules()
    for expected in (
        "portfolio.rollup",
        "portfolio.alerts",
        "portfolio.cli",
        "portfolio.cli_common",
    ):
        assert expected in names


def test_importing_portfolio_does_not_import_tensorflow_or_streamlit() -> None:
    code = PROBE.replace("{heavy}", repr(set(HEAVY)))
    done = subprocess.run(
        [sys.executable, "-c", code, *portfolio_modules()],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    loaded = json.loads(done.stdout.strip().splitlines()[-1])
    assert loaded == [], f"heavy modules imported: {loaded[:10]}"


def test_probe_would_notice_a_heavy_import() -> None:
    """The check itself works: importing a module by name puts it in sys.modules."""
    code = PROBE.replace("{heavy}", repr({"json"}))
    done = subprocess.run(
        [sys.executable, "-c", code, "portfolio"], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert "json" in json.loads(done.stdout.strip().splitlines()[-1])
