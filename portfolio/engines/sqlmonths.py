"""Month labels (``2024-01``) read without pandas, as the calendar writes them.

Every value of that shape is what the pandas parser reads as that month, so a lake's period column
of month labels needs no pandas import; any other value returns None and goes through the parser.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from portfolio.engines.sqlbase import Ctx
from portfolio.periods import check_frequency, label_of

MONTH_LABEL = re.compile(r"[0-9]{4}-(0[1-9]|1[0-2])")
_MONTHS_PER = {"M": 1, "Q": 3, "Y": 12}


@dataclass(frozen=True)
class PeriodSet:
    """The distinct period values parsed: ``map`` is registered as ``pmap``."""

    frequency: str
    labels: tuple[str, ...]
    native: str
    identity: bool = False  # every value is already its calendar label (2024-01 as 2024-01)


def month_labels(c: Ctx, values: list[str], wanted: str, column: str) -> PeriodSet | None:
    """``pmap`` for month labels (``2024-01``) without pandas; None when some value is not one.

    ``stamp`` is the month index, as ``portfolio.period_parse`` gives it for labels."""
    if not all(MONTH_LABEL.fullmatch(v) for v in values):
        return None
    months = [int(v[:4]) * 12 + int(v[5:7]) - 1 for v in values]
    frequency = check_frequency("M", wanted, column=column, file=c.file)
    ords = [m // _MONTHS_PER[frequency] for m in months]
    labels = [label_of(o, frequency) for o in ords]
    whole = "BIGINT"
    c.s.values(
        "pmap",
        {
            "value": ("VARCHAR", values),
            "month": (whole, months),
            "stamp": (whole, months),
            "ord": (whole, ords),
            "label": ("VARCHAR", labels),
        },
    )
    return PeriodSet(frequency=frequency, labels=(), native="M", identity=labels == values)
