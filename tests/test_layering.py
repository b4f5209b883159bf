"""The layering contract, read from the source: shells above the cores, the cores apart.

Every ``import`` statement counts, at module level or inside a function (a lazy import is still
a dependency). The contract (docs/ARCHITECTURE.md):

- ``portfolio`` and ``forecasting`` never import each other, Streamlit, or any shell;
- ``workflows`` (the work that joins both cores) never imports Streamlit or a shell;
- ``cli`` never imports Streamlit or the browser shell (``ui``, ``app_pages``, ``app``);
- TensorFlow and Keras are imported only inside functions, and only by ``forecasting``;
- DuckDB and PySpark are imported only inside functions (``portfolio.engines``).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHELLS = {"app", "app_pages", "ui", "cli"}
HEAVY = {"tensorflow", "keras"}
# engines the cores load only inside the functions that run them (portfolio.engines)
LAZY_ENGINES = {"duckdb", "pyspark"}

FORBIDDEN: dict[str, set[str]] = {
    "portfolio": {"forecasting", "workflows", "streamlit", *SHELLS, *HEAVY},
    "forecasting": {"portfolio", "workflows", "streamlit", *SHELLS},
    "workflows": {"streamlit", *SHELLS, *HEAVY},
    "cli": {"streamlit", "ui", "app_pages", "app", *HEAVY},
    "ui": {"cli", "app_pages", "app"},
}


@dataclass(frozen=True)
class Import:
    """One imported top-level package, where it is imported and whether at module level."""

    module: str
    line: int
    top_level: bool


def imports_of(source: str) -> list[Import]:
    """Every absolute import in ``source`` (relative imports stay inside their package)."""
    tree = ast.parse(source)
    found: list[Import] = []
    module_level = {id(node) for node in tree.body}
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        for name in names:
            found.append(Import(name.split(".")[0], node.lineno, id(node) in module_level))
    return found


def violations(package: str, source: str) -> list[str]:
    """The broken rules of one file of ``package``, as ``line: text``."""
    broken: list[str] = []
    for imp in imports_of(source):
        if imp.module in FORBIDDEN.get(package, set()):
            broken.append(f"{imp.line}: {package} imports {imp.module}")
        elif imp.module in HEAVY | LAZY_ENGINES and imp.top_level:
            broken.append(f"{imp.line}: {package} imports {imp.module} at module level")
    return broken


def _files() -> list[tuple[str, Path]]:
    out: list[tuple[str, Path]] = [("app", REPO / "app.py")]
    for package in ("portfolio", "forecasting", "workflows", "cli", "ui", "app_pages"):
        out.extend((package, path) for path in sorted((REPO / package).rglob("*.py")))
    return out


@pytest.mark.parametrize(
    ("package", "path"), _files(), ids=lambda v: v if isinstance(v, str) else v.name
)
def test_module_keeps_to_its_layer(package: str, path: Path) -> None:
    assert violations(package, path.read_text(encoding="utf-8")) == []


def test_every_package_is_checked() -> None:
    checked = {package for package, _ in _files()}
    assert {"portfolio", "forecasting", "workflows", "cli", "ui", "app_pages", "app"} <= checked
    assert sum(1 for package, _ in _files() if package == "portfolio") >= 10


@pytest.mark.parametrize(
    ("package", "source", "expected"),
    [
        ("portfolio", "import forecasting.errors\n", "portfolio imports forecasting"),
        ("portfolio", "def f():\n    from cli import main\n", "portfolio imports cli"),
        ("forecasting", "def f():\n    import portfolio.rollup\n", "forecasting imports portfolio"),
        ("forecasting", "import tensorflow as tf\n", "at module level"),
        ("workflows", "import streamlit as st\n", "workflows imports streamlit"),
        ("cli", "from ui import sidebar\n", "cli imports ui"),
        ("portfolio", "import duckdb\n", "at module level"),
        ("portfolio", "from pyspark.sql import SparkSession\n", "at module level"),
    ],
)
def test_checker_catches_a_broken_rule(package: str, source: str, expected: str) -> None:
    found = violations(package, source)
    assert found and expected in found[0]


def test_checker_allows_lazy_keras_in_forecasting() -> None:
    assert violations("forecasting", "def build():\n    import keras\n") == []
