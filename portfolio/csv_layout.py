"""The layout of a CSV text: its delimiter, the header's line, and unique header names.

The delimiter is chosen among comma, semicolon and tab: the one whose header width the following
lines repeat most consistently (less skipping, then more columns, break ties). Lines above the
header are skipped when they are blank, a title (at most one filled cell) or Excel's ``sep=;``
hint.
"""

from __future__ import annotations

import csv
import io
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
    header: tuple[str, ...] = ()  # the header's names as written (before they are made unique)


@dataclass(frozen=True)
class _Records:
    """The sample's CSV records for one delimiter (a quoted value may span lines)."""

    fields: list[list[str]]
    first_line: list[int]  # the physical line each record starts on

    def widths(self) -> list[int]:
        return [len(f) if any(c.strip() for c in f) else 0 for f in self.fields]

    def filled(self) -> list[int]:
        return [sum(1 for c in f if c.strip()) for f in self.fields]


def _records(lines: list[str], delimiter: str, cut_last: bool) -> _Records:
    reader = csv.reader(iter(lines), delimiter=delimiter)
    fields: list[list[str]] = []
    first_line: list[int] = []
    start = 0
    try:
        for rec in reader:
            fields.append(rec)
            first_line.append(start)
            start = reader.line_num
            if len(fields) >= 200:
                break
    except csv.Error:
        cut_last = True  # a quote still open at the end of the sample
    if cut_last and len(fields) > 1 and start >= len(lines):
        fields, first_line = fields[:-1], first_line[:-1]  # the sample may end mid-record
    return _Records(fields, first_line)


def _header_at(recs: _Records, first: int) -> int | None:
    """The header: the first record with two filled cells whose width the next record repeats (a
    title such as "Spend report, March 2024" does not); else the first with two cells. The last
    record has no next one to repeat its width: it is the header only below titles (at most two
    cells), so that a header over one data row with a stray comma is not skipped as a title."""
    widths, filled = recs.widths(), recs.filled()
    nxt = [next((w for w in widths[i + 1 :] if w), w0) for i, w0 in enumerate(widths)]
    last = len(widths) - 1

    def repeated(i: int) -> bool:
        below_titles = i < last or all(filled[j] <= 2 for j in range(first, i))
        return filled[i] >= 2 and widths[i] == nxt[i] and below_titles

    return next(
        (i for i in range(first, min(len(widths), first + 10)) if repeated(i)),
        next((i for i in range(first, len(widths)) if filled[i] >= 2), None),
    )


def sniff(sample: str, label: str) -> Layout:
    """The delimiter, and where the header is.

    Records above the header are skipped when they are blank, a title (at most one filled cell) or
    Excel's ``sep=;`` hint. The delimiter is the one whose header width the following records
    repeat most consistently (less skipping, then more columns, break ties). Records, not lines: a
    quoted value may hold a line break.
    """
    lines = io.StringIO(sample, newline="").readlines()
    cut_last = len(sample) >= SNIFF_BYTES - 4
    texts = [ln.rstrip("\r\n") for ln in lines[:200]]
    if not any(t.strip() for t in texts):
        raise InputError(f"{label} is empty: there is no header and no data.")
    first_line = next(i for i, t in enumerate(texts) if t.strip())
    candidates: tuple[str, ...] = DELIMITERS
    hint = re.fullmatch(r"sep=(.)", texts[first_line].strip())
    if hint:
        candidates, first_line = (hint.group(1),), first_line + 1
    best: tuple[tuple[float, int, int], Layout] | None = None
    for d in candidates:
        recs = _records(lines[:400], d, cut_last and len(lines) <= 400)
        first = next((i for i, ln in enumerate(recs.first_line) if ln >= first_line), None)
        head = None if first is None else _header_at(recs, first)
        if head is None:
            continue
        widths = recs.widths()
        width = widths[head]
        after = [w for w in widths[head + 1 : head + 51] if w]
        same = sum(1 for w in after if w == width) / len(after) if after else 1.0
        score = (same, -head, width)
        if best is None or score > best[0]:
            skip = sum(len(ln) for ln in lines[: recs.first_line[head]])
            best = (score, Layout(d, skip, head + 1, tuple(recs.fields[head])))
    if best is None:
        raise InputError(
            f"{label} does not look like a CSV file: its lines have only one column. "
            "Columns must be separated by commas, semicolons or tabs "
            "(or use an Excel .xlsx file)."
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
