"""The size rule, read from the source: modules about one concern, functions short.

In the cores (``portfolio/``, ``forecasting/``, subpackages included), in ``workflows/`` and in
the shells (``cli/``, ``ui/``, ``app_pages/``, ``app.py``) no module is longer than
``MAX_MODULE_LINES`` lines and no function or method (nested ones too) spans more than
``MAX_FUNCTION_LINES`` lines from its ``def`` to its last line, docstring included. In the shells
and ``workflows/`` no function takes more than ``MAX_POSITIONAL`` positional parameters (``self``
and ``cls`` not counted; a longer list becomes a small frozen record or keyword-only arguments).
The benchmarks and scripts (``bench/``, ``scripts/``) keep the same module and function limits.
There is no list of exceptions: a module or function over a limit is split along its concerns.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
CORES = ("portfolio", "forecasting")
SHELLS = ("cli", "ui", "app_pages", "workflows", "app.py")
# Benchmarks and scripts are no product, but the same module and function limits keep them readable.
TOOLS = ("bench", "scripts")
MAX_MODULE_LINES = 300
MAX_FUNCTION_LINES = 80
MAX_POSITIONAL = 5


def _python_files(places: tuple[str, ...]) -> list[Path]:
    out: list[Path] = []
    for place in places:
        path = REPO / place
        out.extend(path.rglob("*.py") if path.is_dir() else [path])
    return sorted(out)


def _modules() -> list[Path]:
    return _python_files(CORES)


def _shell_modules() -> list[Path]:
    return _python_files(SHELLS)


def long_modules(paths: list[Path], root: Path = REPO, limit: int = MAX_MODULE_LINES) -> list[str]:
    """``path: N lines`` (relative to ``root``) for every module longer than ``limit`` lines."""
    out = []
    for path in paths:
        n = len(path.read_text(encoding="utf-8").splitlines())
        if n > limit:
            out.append(f"{path.relative_to(root)}: {n} lines")
    return out


def _functions(paths: list[Path]) -> Iterator[tuple[Path, ast.FunctionDef | ast.AsyncFunctionDef]]:
    """Every function and method of ``paths`` (nested ones too), with its file."""
    for path in paths:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                yield path, node


def long_functions(
    paths: list[Path], root: Path = REPO, limit: int = MAX_FUNCTION_LINES
) -> list[str]:
    """``path:line name: N lines`` (relative to ``root``) for every function over ``limit``."""
    out = []
    for path, node in _functions(paths):
        n = (node.end_lineno or node.lineno) - node.lineno + 1
        if n > limit:
            out.append(f"{path.relative_to(root)}:{node.lineno} {node.name}: {n} lines")
    return out


def long_positional_lists(
    paths: list[Path], root: Path = REPO, limit: int = MAX_POSITIONAL
) -> list[str]:
    """``path:line name: N positional`` for every function with more than ``limit`` of them."""
    out = []
    for path, node in _functions(paths):
        args = [*node.args.posonlyargs, *node.args.args]
        n = sum(a.arg not in ("self", "cls") for a in args)
        if n > limit:
            out.append(f"{path.relative_to(root)}:{node.lineno} {node.name}: {n} positional")
    return out


def test_the_cores_have_modules_to_measure() -> None:
    names = {p.relative_to(REPO).as_posix() for p in _modules()}
    assert {"portfolio/load.py", "forecasting/pipeline.py"} <= names
    assert any(n.startswith("portfolio/engines/") for n in names)


@pytest.mark.parametrize(
    "places", [CORES, SHELLS, TOOLS], ids=["cores", "shells_and_workflows", "bench_and_scripts"]
)
def test_no_module_is_over_the_limit(places: tuple[str, ...]) -> None:
    too_long = long_modules(_python_files(places))
    assert not too_long, "Split these modules along their concerns:\n" + "\n".join(too_long)


@pytest.mark.parametrize(
    "places", [CORES, SHELLS, TOOLS], ids=["cores", "shells_and_workflows", "bench_and_scripts"]
)
def test_no_function_is_over_the_limit(places: tuple[str, ...]) -> None:
    too_long = long_functions(_python_files(places))
    assert not too_long, "Split these functions into named steps:\n" + "\n".join(too_long)


def test_the_shells_and_workflows_have_modules_to_measure() -> None:
    names = {p.relative_to(REPO).as_posix() for p in _shell_modules()}
    assert {"app.py", "cli/main.py", "ui/sidebar.py", "workflows/forecast_request.py"} <= names
    assert any(n.startswith("app_pages/") for n in names)


def test_the_bench_and_scripts_have_modules_to_measure() -> None:
    names = {p.relative_to(REPO).as_posix() for p in _python_files(TOOLS)}
    assert {"bench/bench_forecast_suite.py", "scripts/screenshots.py"} <= names


def test_no_shell_or_workflow_function_takes_a_long_positional_list() -> None:
    too_many = long_positional_lists(_shell_modules())
    assert not too_many, "Give these a small frozen record:\n" + "\n".join(too_many)


@pytest.mark.parametrize(("body_lines", "flagged"), [(78, False), (79, True)])
def test_the_function_measure_counts_def_to_last_line(
    tmp_path: Path, body_lines: int, flagged: bool
) -> None:
    # def line + docstring line + body: 78 body lines make 80 lines in all, 79 make 81
    path = tmp_path / "probe.py"
    path.write_text(
        'class C:\n    def f(self):\n        """Doc."""\n' + "        x = 1\n" * body_lines
    )
    found = long_functions([path], root=tmp_path)
    assert found == (["probe.py:2 f: 81 lines"] if flagged else [])


def test_the_module_measure_counts_lines(tmp_path: Path) -> None:
    path = tmp_path / "probe.py"
    path.write_text("x = 1\n" * 301, encoding="utf-8")
    assert long_modules([path], root=tmp_path) == ["probe.py: 301 lines"]
    assert long_modules([path], root=tmp_path, limit=301) == []


def test_the_positional_measure_skips_self_and_keyword_only(tmp_path: Path) -> None:
    path = tmp_path / "probe.py"
    path.write_text(
        "class C:\n"
        "    def ok(self, a, b, c, d, e, *, f, g): ...\n"
        "    def over(self, a, b, c, d, e, f, /): ...\n"
        "def also(a, b, c, d, e, f=1): ...\n",
        encoding="utf-8",
    )
    assert sorted(long_positional_lists([path], root=tmp_path)) == [
        "probe.py:3 over: 6 positional",
        "probe.py:4 also: 6 positional",
    ]
