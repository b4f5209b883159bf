"""The layout of a CSV text: its delimiter, the header's line, and unique header names.

The delimiter is chosen among comma, semicolon and tab: the one whose header width the following
lines repeat most consistently (less skipping, then more columns, break ties). Lines above the
header are skipped when they are blank, a title (at most one filled cell) or Excel's ``sep=;``
hint.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass

from portfolio.errors import InputError

DELIMITERS = (",", ";", "\t")
SNIFF_BYTES = 64 * 1024


@dataclass(frozen=True)
class Layout:
    """Where the header is and how the fields are separated."""

    delimiter: str
    skip_chars: int  # characters before the header line (blank lines, a title, "sep=;")
    header_row: int  # the header's row number in the file


def _fields(line: str, delimiter: str) -> list[str]:
    try:
        return next(csv.reader([line], delimiter=delimiter), [])
    except csv.Error:
        return [line]


def sniff(sample: str, label: str) -> Layout:
    """The delimiter, and where the header is.

    Lines above the header are skipped when they are blank, a title (at most one filled cell) or
    Excel's ``sep=;`` hint. The delimiter is the one whose header width the following lines repeat
    most consistently (less skipping, then more columns, break ties).
    """
    lines = sample.splitlines(keepends=True)
    if len(sample) >= SNIFF_BYTES - 4 and len(lines) > 1:
        lines = lines[:-1]  # the sample may end mid-line
    lines = lines[:200]
    texts = [ln.rstrip("\r\n") for ln in lines]
    if not any(t.strip() for t in texts):
        raise InputError(f"{label} is empty: there is no header and no data.")
    first = next(i for i, t in enumerate(texts) if t.strip())
    candidates: tuple[str, ...] = DELIMITERS
    hint = re.fullmatch(r"sep=(.)", texts[first].strip())
    if hint:
        candidates, first = (hint.group(1),), first + 1
    best: tuple[tuple[float, int, int], Layout] | None = None
    for d in candidates:
        widths = [len(_fields(t, d)) if t.strip() else 0 for t in texts]
        filled = [sum(1 for f in _fields(t, d) if f.strip()) for t in texts]
        nxt = [next((w for w in widths[i + 1 :] if w), w0) for i, w0 in enumerate(widths)]
        # the header: the first line with two filled cells whose width the next line repeats
        # (a title such as "Spend report, March 2024" does not); else the first with two cells
        head = next(
            (
                i
                for i in range(first, min(len(texts), first + 10))
                if filled[i] >= 2 and widths[i] == nxt[i]
            ),
            next((i for i in range(first, len(texts)) if filled[i] >= 2), None),
        )
        if head is None:
            continue
        width = widths[head]
        after = [w for w in widths[head + 1 : head + 51] if w]
        same = sum(1 for w in after if w == width) / len(after) if after else 1.0
        score = (same, -head, width)
        if best is None or score > best[0]:
            skip = sum(len(ln) for ln in lines[:head])
            best = (score, Layout(d, skip, head + 1))
    if best is None:
        raise InputError(
            f"{label} does not look like a CSV file: its lines have only one column. "
            "Columns must be separated by commas, semicolons or tabs "
            "(or upload an Excel .xlsx file)."
        )
    return best[1]


def unique_headers(headers: list[str]) -> list[str]:
    """Blank headers named ``column N`` and repeats numbered (``amount (2)``), so all are unique."""
    out: list[str] = []
    seen: set[str] = set()
    for i, h in enumerate(headers, start=1):
        base = h if h.strip() else f"column {i}"
        cand, k = base, 2
        while cand in seen:
            cand, k = f"{base} ({k})", k + 1
        seen.add(cand)
        out.append(cand)
    return out
