"""Resolving a mapping's columns against a file's header.

A mapped name is found exactly, else as the same name ignoring case and spacing (with a note);
otherwise the error suggests the closest name and lists the file's columns. Each column can play
one role only.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass

from portfolio.errors import InputError
from portfolio.mapping import AmountSpec, ColumnMapping, resolve_amount, split_amount


@dataclass(frozen=True)
class MappedColumns:
    """The file's columns for each role of a mapping.

    Attributes:
        levels: The level columns, top to bottom.
        period: The period column, or None for a single-period file.
        planned: The planned amount's columns.
        actual: The actual amount's columns.
    """

    levels: tuple[str, ...]
    period: str | None
    planned: AmountSpec
    actual: AmountSpec

    @property
    def structural(self) -> tuple[str, ...]:
        """The level columns and the period column (when there is one)."""
        return (*self.levels, *((self.period,) if self.period else ()))

    @property
    def planned_name(self) -> str:
        """The planned amount as the analyst wrote it against the file (``A - B``)."""
        return _amount_name(self.planned)

    @property
    def actual_name(self) -> str:
        """The actual amount as the analyst wrote it against the file."""
        return _amount_name(self.actual)


def _amount_name(spec: AmountSpec) -> str:
    return " - ".join(spec.columns) if spec.sign < 0 else " + ".join(spec.columns)


def norm(name: str) -> str:
    """A column name compared loosely: case and spacing ignored."""
    return " ".join(str(name).casefold().split())


def named(column: str, role: str) -> str:
    """ "column 'x'", with the role added when the name does not say it."""
    return f"column '{column}'" if norm(column) == role else f"column '{column}' ({role})"


def resolve_column(
    name: str, columns: Sequence[str], role: str, file: str, notes: list[str]
) -> str:
    """The file's column for a mapped name (a loose match adds a note to `notes`).

    Raises:
        InputError: The name is not in the file; the message suggests the closest one.
    """
    if name in columns:
        return name
    loose = [c for c in columns if norm(c) == norm(name)]
    if len(loose) == 1:
        notes.append(f"The {role} column '{name}' was matched to the file's column '{loose[0]}'.")
        return loose[0]
    lowered = {norm(c): c for c in columns}
    close = difflib.get_close_matches(norm(name), list(lowered), n=1, cutoff=0.6)
    hint = f" Did you mean '{lowered[close[0]]}'?" if close else ""
    listing = ", ".join(f"'{c}'" for c in columns)
    raise InputError(
        f"{file}: the {role} column '{name}' is not in the file.{hint} The file's columns are: "
        f"{listing}.",
        column=name,
    )


def _resolve_amount(
    expr: str, columns: Sequence[str], role: str, file: str, notes: list[str]
) -> AmountSpec:
    spec = resolve_amount(expr, columns)
    if spec is not None:
        return spec
    parts = split_amount(expr)
    if len(parts) == 1:
        return AmountSpec(resolve_column(expr, columns, role, file, notes))
    first = resolve_column(parts[0], columns, role, file, notes)
    second = resolve_column(parts[1], columns, role, file, notes)
    sign = -1 if " - " in expr[len(parts[0]) :] else 1
    return AmountSpec(first, sign, second)


def map_columns(
    mapping: ColumnMapping, columns: Sequence[str], file: str, notes: list[str]
) -> MappedColumns:
    """Resolve every role of `mapping` against the file's `columns`.

    Raises:
        InputError: A mapped column is not in the file, or one column plays two roles.
    """
    levels = tuple(
        resolve_column(c, columns, "hierarchy level", file, notes) for c in mapping.levels
    )
    period = (
        resolve_column(mapping.period, columns, "period", file, notes)
        if mapping.period is not None
        else None
    )
    mapped = MappedColumns(
        levels=levels,
        period=period,
        planned=_resolve_amount(mapping.planned, columns, "planned", file, notes),
        actual=_resolve_amount(mapping.actual, columns, "actual", file, notes),
    )
    structural = mapped.structural
    if len(set(structural)) < len(structural) or set(structural) & set(
        mapped.planned.columns + mapped.actual.columns
    ):
        raise InputError(
            f"{file}: a column is mapped to two roles ({', '.join(structural)}; planned "
            f"{mapping.planned}; actual {mapping.actual}). Each column can play one role only."
        )
    return mapped
