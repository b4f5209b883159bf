"""Every third-party package the code imports is declared in pyproject.toml, and Streamlit's pin is
the version the tests run on (the app patches a private Streamlit hook; see ui/training.py)."""

from __future__ import annotations

import ast
import importlib.metadata
import re
import sys
import tomllib
from pathlib import Path

import streamlit

REPO = Path(__file__).resolve().parents[1]
PROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
RUNTIME = ("portfolio", "forecasting", "ui", "cli", "workflows", "app_pages", "app.py")
DEVELOPMENT = ("tests", "bench", "scripts", "sample_data")


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~;\[ ]", requirement, maxsplit=1)[0].strip().lower().replace("_", "-")


def _declared(*extras: str) -> set[str]:
    names = {_name(r) for r in PROJECT["dependencies"]}
    for extra in extras:
        names |= {_name(r) for r in PROJECT["optional-dependencies"][extra]}
    return names


def _local_modules() -> set[str]:
    """Our own top-level names: the packages and the helper modules pytest puts on sys.path."""
    names = {p.name for p in REPO.iterdir() if p.is_dir()} | {p.stem for p in REPO.glob("*.py")}
    names |= {p.stem for p in (REPO / "tests").rglob("*.py")}
    return names


def _third_party_imports(roots: tuple[str, ...]) -> dict[str, list[str]]:
    """Top-level module -> the places (file:line) importing it, outside the stdlib and our code."""
    local = _local_modules()
    found: dict[str, list[str]] = {}
    for root in roots:
        path = REPO / root
        files = [path] if path.is_file() else sorted(path.rglob("*.py"))
        for file in files:
            for node in ast.walk(ast.parse(file.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names = [node.module]
                else:
                    continue
                for name in names:
                    top = name.split(".")[0]
                    if top not in sys.stdlib_module_names and top not in local:
                        where = f"{file.relative_to(REPO)}:{node.lineno}"
                        found.setdefault(top, []).append(where)
    return found


def _undeclared(roots: tuple[str, ...], declared: set[str]) -> list[str]:
    distributions = importlib.metadata.packages_distributions()
    missing = []
    for module, places in sorted(_third_party_imports(roots).items()):
        dists = {d.lower().replace("_", "-") for d in distributions.get(module, [module])}
        if not dists & declared:
            missing.append(f"{module} ({', '.join(sorted(dists))}), imported at {places[0]}")
    return missing


# Imported by the shipped code only inside the functions that use them (tests/test_layering.py
# checks that), and declared in an extra: PySpark needs a Java runtime that pip cannot install.
OPTIONAL = {"pyspark": "spark"}


def test_the_shipped_code_imports_only_declared_packages() -> None:
    optional = {module for module, extra in OPTIONAL.items() if module in _declared(extra)}
    missing = _undeclared(RUNTIME, _declared() | optional)
    assert missing == []
    assert "pyspark" in _third_party_imports(RUNTIME)  # the exception is not vacuous


def test_tests_and_benchmarks_import_only_declared_packages() -> None:
    assert _undeclared(DEVELOPMENT, _declared("dev")) == []


def test_the_finder_sees_the_packages_it_must_check() -> None:
    # pyarrow is imported by the loader only: a finder that missed it would pass vacuously.
    runtime = _third_party_imports(RUNTIME)
    assert {"pyarrow", "pandas", "streamlit", "keras"} <= set(runtime)
    assert _undeclared(RUNTIME, _declared() - {"pyarrow"}) != []


def test_streamlit_is_pinned_to_the_tested_minor_version() -> None:
    major, minor = (int(part) for part in streamlit.__version__.split(".")[:2])
    pin = f"streamlit>={major}.{minor},<{major}.{minor + 1}"
    assert pin in PROJECT["dependencies"], (
        f"the tests run on Streamlit {streamlit.__version__}: pin it as {pin!r} in pyproject.toml "
        "once tests/app/test_streamlit_private_api.py passes on it"
    )
