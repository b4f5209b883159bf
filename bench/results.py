"""The benchmark results as Markdown: ``bench/RESULTS.md`` and the README's bench block.

A run of every section rewrites both. A run of some sections (``--only``) replaces only their
rows of the summary table and their detail sections, and keeps the others from the earlier run,
in the order of ``ORDER`` (the sections' order in ``bench.run_all``).
"""

from __future__ import annotations

import os
import platform
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

BEGIN, END = "<!-- bench:begin -->", "<!-- bench:end -->"
SUMMARY_COLUMNS = ["benchmark", "case", "result", "target"]
NOTE = (
    "What each side computes, how memory is measured and what the steps are: see the "
    "docstrings of `bench/bench_portfolio.py`, `bench/bench_cli_output.py`, `bench/bench_app.py`, "
    "`bench/bench_export.py`, `bench/bench_forecast.py` and `bench/bench_training.py`."
)
_PIPE = re.compile(r"(?<!\\)\|")


@dataclass(frozen=True)
class Kind:
    """One benchmark section's names: its ``--only`` name, detail title and summary label."""

    name: str
    title: str
    label: str


@dataclass
class Section:
    """One benchmark's outcome: its detail table, its summary lines, or why it failed."""

    title: str
    table: pd.DataFrame | None = None
    summary: list[dict[str, str]] = field(default_factory=list)
    error: str | None = None
    seconds: float = 0.0


def markdown(frame: pd.DataFrame) -> str:
    """A GitHub Markdown table of ``frame`` (numbers right-aligned)."""
    columns = [str(c) for c in frame.columns]
    numeric = [
        pd.api.types.is_numeric_dtype(frame[c]) and not pd.api.types.is_bool_dtype(frame[c])
        for c in frame.columns
    ]
    lines = [
        "| " + " | ".join(columns) + " |",
        "| " + " | ".join("---:" if n else "---" for n in numeric) + " |",
    ]
    for row in frame.itertuples(index=False):
        cells = [str(v).replace("|", "\\|") for v in row]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def parse_summary(text: str) -> pd.DataFrame:
    """The first summary table (``benchmark | case | result | target``) found in ``text``."""
    rows: list[list[str]] = []
    inside = False
    for line in text.splitlines():
        if not line.startswith("|"):
            if inside:
                break
            continue
        cells = [c.strip().replace("\\|", "|") for c in _PIPE.split(line)[1:-1]]
        if cells == SUMMARY_COLUMNS:
            inside = True
        elif inside and not set("".join(cells)) <= set("-: "):
            rows.append(cells)
    return pd.DataFrame(rows, columns=SUMMARY_COLUMNS)


def merge_summary(old: pd.DataFrame, new: pd.DataFrame, order: list[Kind]) -> pd.DataFrame:
    """``old``'s rows with every benchmark that is in ``new`` replaced by its new rows, in place.

    A benchmark that was not in ``old`` goes before the first row of a later section in
    ``order`` (a failed section's row carries its name); rows of unknown benchmarks stay as they
    are.
    """
    rank = {k.label: i for i, k in enumerate(order)} | {k.name: i for i, k in enumerate(order)}
    last = len(order)
    fresh: dict[str, list[dict[str, str]]] = {}
    for row in new.to_dict("records"):
        fresh.setdefault(str(row["benchmark"]), []).append(row)
    merged: list[dict[str, str]] = []
    placed: set[str] = set()
    for row in old.to_dict("records"):
        label = str(row["benchmark"])
        if label not in fresh:
            merged.append(row)
        elif label not in placed:
            merged.extend(fresh[label])
            placed.add(label)
    for label, rows in fresh.items():  # benchmarks the earlier run did not have
        if label in placed:
            continue
        where = rank.get(label, last)
        later = (i for i, m in enumerate(merged) if rank.get(m["benchmark"], last) > where)
        at = next(later, len(merged))
        merged[at:at] = rows
    return pd.DataFrame(merged, columns=SUMMARY_COLUMNS)


def _detail_blocks(text: str) -> dict[str, str]:
    """The ``## title`` blocks of a RESULTS.md text, by title, without the closing note."""
    blocks: dict[str, str] = {}
    for chunk in re.split(r"^## ", text, flags=re.MULTILINE)[1:]:
        title, _, body = chunk.partition("\n")
        blocks[title.strip()] = body.split("\nWhat each side computes")[0].strip("\n")
    return blocks


def _machine() -> str:
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return f"{os.cpu_count()} CPUs, load average {load} at the end"


def write_markdown(
    path: Path,
    combined: pd.DataFrame,
    sections: list[Section],
    quick: bool,
    order: list[Kind] | None = None,
) -> None:
    """Write the combined table and every section's detail table as Markdown.

    Args:
        path: The Markdown file.
        combined: The summary rows of the sections that ran.
        sections: The sections that ran.
        quick: Whether the run was ``--quick``.
        order: The sections' order when only some ran: the rest is kept from ``path``.
    """
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    blocks: dict[str, str] = {}
    ran = ""
    if order is not None and path.exists():
        old = path.read_text(encoding="utf-8")
        combined = merge_summary(parse_summary(old), combined, order)
        blocks = _detail_blocks(old)
        ran = f" (sections {', '.join(s.title for s in sections)}; the others from earlier runs)"
    for s in sections:
        body = [f"Ran in {s.seconds:.0f} s."]
        if s.error:
            body += ["", f"Failed: {s.error}"]
        if s.table is not None:
            body += ["", markdown(s.table)]
        blocks[s.title] = "\n".join(body)
    rank = {k.title: i for i, k in enumerate(order or [])}
    titles = sorted(blocks, key=lambda t: rank.get(t, len(rank)))
    parts = [
        "# Benchmark results",
        "",
        f"Produced by `python -m bench.run_all{' --quick' if quick else ''}` on {when}{ran} "
        f"({platform.python_implementation()} {platform.python_version()}, "
        f"{platform.machine()}, {_machine()}: the machine was shared, so absolute times are "
        "noisy; the ratios come from the same run). Do not edit by hand: run the script again.",
        "",
        markdown(combined),
    ]
    for title in titles:
        parts += ["", f"## {title}", "", blocks[title]]
    parts += ["", NOTE, ""]
    path.write_text("\n".join(parts), encoding="utf-8")


def replace_block(text: str, block: str) -> str:
    """Put ``block`` between the bench markers of a README text.

    Raises:
        ValueError: When the markers are missing or out of order.
    """
    start, stop = text.find(BEGIN), text.find(END)
    if start < 0 or stop < start:
        raise ValueError(f"README has no {BEGIN} ... {END} block")
    return text[: start + len(BEGIN)] + "\n" + block.strip() + "\n" + text[stop:]


def readme_block(
    old: str,
    combined: pd.DataFrame,
    ran: tuple[str, ...],
    when: str,
    order: list[Kind] | None = None,
) -> str:
    """The new bench block: this run's rows, and the rows of benchmarks it did not run kept.

    Args:
        old: The README's text (its current bench block is read).
        combined: The summary rows of this run.
        ran: The names of the sections that ran.
        when: The time of the run.
        order: The sections' order when only some ran (None: a full run, the block is rewritten).
    """
    head = f"Last run {when}, {_machine()}."
    start, stop = old.find(BEGIN), old.find(END)
    block = old[start + len(BEGIN) : stop].strip() if 0 <= start < stop else ""
    rows = parse_summary(block)
    if order is None or rows.empty:
        return head + "\n\n" + markdown(combined)
    first = block.splitlines()[0] if block else ""
    earlier = first.split("the other rows from earlier runs, the oldest: ")[-1]
    earlier = earlier.removeprefix("Last run ").split(",")[0].rstrip(".") or "unknown"
    head = (
        f"Rows of {', '.join(ran)}: run {when}, {_machine()}; the other rows from earlier runs, "
        f"the oldest: {earlier}."
    )
    return head + "\n\n" + markdown(merge_summary(rows, combined, order))


def update_readme(
    path: Path,
    combined: pd.DataFrame,
    ran: tuple[str, ...] = (),
    order: list[Kind] | None = None,
) -> None:
    """Write the combined table into the README's bench block (numbers only from this script).

    With ``order`` (only the sections ``ran`` ran), the other rows of the block are kept.
    """
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    text = path.read_text(encoding="utf-8")
    block = readme_block(text, combined, ran, when, order)
    path.write_text(replace_block(text, block), encoding="utf-8")
