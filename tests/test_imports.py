"""Importing the cores and the CLI stays cheap: no TensorFlow, Keras or Streamlit (fresh run)."""

from __future__ import annotations

import json
import pkgutil
import subprocess
import sys
from pathlib import Path

import cli
import forecasting
import portfolio
import workflows

HEAVY = ("tensorflow", "keras", "streamlit")

PROBE = """
import importlib, json, sys
for name in sys.argv[1:]:
    importlib.import_module(name)
from cli.main import build_parser
build_parser()  # also registers the forecast subcommand when it exists
heavy = sorted(m for m in sys.modules if m.split(".")[0] in {heavy})
print(json.dumps(heavy))
"""


def package_modules() -> list[str]:
    names: list[str] = []
    for package in (portfolio, forecasting, workflows, cli):
        root = package.__name__
        path = Path(package.__file__).parent
        names.append(root)
        names.extend(f"{root}.{m.name}" for m in pkgutil.iter_modules([str(path)]))
    return [n for n in names if n != "cli.__main__"]


def test_every_module_is_listed() -> None:
    names = package_modules()
    for expected in ("portfolio.rollup", "portfolio.alerts", "cli.main", "cli.common"):
        assert expected in names
    assert not any(n.startswith("portfolio.cli") for n in names), "the CLI left the core"


def test_importing_the_cores_and_cli_does_not_import_tensorflow_or_streamlit() -> None:
    code = PROBE.replace("{heavy}", repr(set(HEAVY)))
    done = subprocess.run(
        [sys.executable, "-c", code, *package_modules()],
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
