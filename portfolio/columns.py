"""Resolving a mapping's columns against a file's header.

A mapped name is found exactly, else as the same name ignoring case and spacing (with a note);
otherwise the error suggests the closest name and lists the file's columns. Each column can play
one role only.
"""

from __future__ import annotations

import difflib
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
        baseline: The baseline plan's columns, or None when no baseline is mapped.
    """

    levels: tuple[str, ...]
    period: str | None
    planned: AmountSpec
    actual: AmountSpec
    baseline: AmountSpec | None = None

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

    @property
    def amount_columns(self) -> tuple[str, ...]:
        """Every column an amount role reads (planned, actual and the baseline when mapped)."""
        baseline = self.baseline.columns if self.baseline is not None else ()
        return (*self.planned.columns, *self.actual.columns, *baseline)


@dataclass(frozen=True)
class Header:
    """A file's header: the column names as read (unique) and as written (repeats possible)."""

    names: tuple[str, ...]
    written: tuple[str, ...]

    def repeats(self, column: str) -> list[int]:
        """The positions (1 = first column) of every column written as `column` was, when its
        name is written more than once; [] otherwise."""
        if column not in self.names:
            return []
        at = self.names.index(column)
        same = [i for i, h in enumerate(self.written) if h.strip() == self.written[at].strip()]
        return [i + 1 for i in same] if len(same) > 1 else []


def _amount_name(spec: AmountSpec) -> str:
    return " - ".join(spec.columns) if spec.sign < 0 else " + ".join(spec.columns)


def norm(name: str) -> str:
    """A column name compared loosely: case and spacing ignored."""
    return " ".join(str(name).casefold().split())


def named(column: str, role: str) -> str:
    """ "column 'x'", with the role added when the name does not say it."""
    return f"column '{column}'" if norm(column) == role else f"column '{column}' ({role})"


def _times(n: int) -> str:
    return "twice" if n == 2 else f"{n} times"


def _refuse_repeats(name: str, positions: list[int], header: Header, role: str, file: str) -> None:
    numbers = ", ".join(str(p) for p in positions[:-1]) + f" and {positions[-1]}"
    names = [f"'{header.names[p - 1]}'" for p in positions]
    read_as = ", ".join(names[:-1]) + f" and {names[-1]}"
    raise InputError(
        f"{file}: the {role} column '{name}' appears {_times(len(positions))} in the header "
        f"(columns {numbers}, read as {read_as}), so it is not clear which one is meant. Give "
        "each column its own name in the file, or choose one by the name it was read as.",
        column=name,
    )


def resolve_column(name: str, header: Header, role: str, file: str, notes: list[str]) -> str:
    """The file's column for a mapped name (a loose match adds a note to `notes`).

    Raises:
        InputError: The name is not in the file (the message suggests the closest one), or it is
            written on more than one column of the header.
    """
    columns = header.names
    if name in columns:
        repeats = header.repeats(name)
        if repeats and name.strip() == header.written[columns.index(name)].strip():
            _refuse_repeats(name, repeats, header, role, file)
        return name
    loose = [c for c in columns if norm(c) == norm(name)]
    if len(loose) == 1:
        notes.append(f"The {role} column '{name}' was matched to the file's column '{loose[0]}'.")
        return loose[0]
    if len(loose) > 1:
        _refuse_repeats(name, [columns.index(c) + 1 for c in loose], header, role, file)
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
    expr: str, header: Header, role: str, file: str, notes: list[str]
) -> AmountSpec:
    spec = resolve_amount(expr, header.names)
    if spec is not None:
        for col in spec.columns:  # refuses a name written on two columns
            resolve_column(col, header, role, file, notes)
        return spec
    parts = split_amount(expr)
    if len(parts) == 1:
        return AmountSpec(resolve_column(expr, header, role, file, notes))
    first = resolve_column(parts[0], header, role, file, notes)
    second = resolve_column(parts[1], header, role, file, notes)
    sign = -1 if " - " in expr[len(parts[0]) :] else 1
    return AmountSpec(first, sign, second)


def map_columns(
    mapping: ColumnMapping, header: Header, file: str, notes: list[str]
) -> MappedColumns:
    """Resolve every role of `mapping` against the file's `header`.

    Raises:
        InputError: A mapped column is not in the file or is written twice in its header, or one
            column plays two roles.
    """
    levels = tuple(
        resolve_column(c, header, "hierarchy level", file, notes) for c in mapping.levels
    )
    period = (
        resolve_column(mapping.period, header, "period", file, notes)
        if mapping.period is not None
        else None
    )
    mapped = MappedColumns(
        levels=levels,
        period=period,
        planned=_resolve_amount(mapping.planned, header, "planned", file, notes),
        actual=_resolve_amount(mapping.actual, header, "actual", file, notes),
        baseline=(
            _resolve_amount(mapping.baseline, header, "baseline", file, notes)
            if mapping.baseline is not None
            else None
        ),
    )
    structural = mapped.structural
    if len(set(structural)) < len(structural) or set(structural) & set(mapped.amount_columns):
        baseline = f"; baseline {mapping.baseline}" if mapping.baseline is not None else ""
        raise InputError(
            f"{file}: a column is mapped to two roles ({', '.join(structural)}; planned "
            f"{mapping.planned}; actual {mapping.actual}{baseline}). Each column can play one "
            "role only."
        )
    return mapped
