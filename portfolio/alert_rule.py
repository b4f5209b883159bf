"""The alert rule's settings (``AlertRule``), validated on creation; ``portfolio.alerts`` applies
it. Kept apart from the vectorised rule so that a shell and the SQL engines can build and read a
rule without importing pandas."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np

from portfolio.errors import InputError

BASES = ("cumulative", "period")
DIRECTIONS = ("both", "overrun")


def _number(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise InputError(f"The alert setting {name} must be a number, got {value!r}.")
    number = float(value)
    if not math.isfinite(number):
        raise InputError(f"The alert setting {name} must be a finite number, got {value!r}.")
    return number


@dataclass(frozen=True)
class AlertRule:
    """Thresholds for the RAG status; validated on creation.

    Attributes:
        amber_pct: Amber at this |variance %| and above (percent, e.g. 10 for 10 %).
        red_pct: Red at this |variance %| and above (percent); must be above ``amber_pct``.
        basis: ``cumulative`` (to-date figures, the default) or ``period`` (each period alone).
        floor: Minimum |variance| in currency before anything alerts (>= 0).
        direction: ``both`` (over- and under-runs) or ``overrun`` (only actual above plan).
        persistence: Alert only after this many consecutive periods in the band (>= 1).
    """

    amber_pct: float = 10.0
    red_pct: float = 30.0
    basis: Literal["cumulative", "period"] = "cumulative"
    floor: float = 0.0
    direction: Literal["both", "overrun"] = "both"
    persistence: int = 1

    def __post_init__(self) -> None:
        amber = _number("amber %", self.amber_pct)
        red = _number("red %", self.red_pct)
        floor = _number("floor", self.floor)
        if amber < 0:
            raise InputError(f"The amber threshold must be 0 % or more, got {amber:g} %.")
        if not amber < red:
            raise InputError(
                f"The amber threshold ({amber:g} %) must be below the red threshold ({red:g} %)."
            )
        if floor < 0:
            raise InputError(f"The floor on |variance| must be 0 or more, got {floor:g}.")
        if self.basis not in BASES:
            raise InputError(
                f"The alert basis must be 'cumulative' or 'period', got {self.basis!r}."
            )
        if self.direction not in DIRECTIONS:
            raise InputError(
                f"The alert direction must be 'both' or 'overrun', got {self.direction!r}."
            )
        persistence = self.persistence
        if (
            isinstance(persistence, bool)
            or not isinstance(persistence, (int, np.integer))
            or persistence < 1
        ):
            raise InputError(
                f"Persistence must be a whole number of periods, 1 or more, got {persistence!r}."
            )
        object.__setattr__(self, "amber_pct", amber)
        object.__setattr__(self, "red_pct", red)
        object.__setattr__(self, "floor", floor)
        object.__setattr__(self, "persistence", int(persistence))
