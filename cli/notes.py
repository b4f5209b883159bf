"""The variance notes on the command line: the ``report``'s notes flags and ``cost-drift notes``.

Notes are read from the same SQLite file the app writes (``portfolio.notes``): ``--notes PATH``,
else ``$COST_DRIFT_NOTES``, else ``notes.sqlite`` in the data folder (``$COST_DRIFT_HOME``, else
``~/.local/share/cost-drift``). They go under a portfolio name: ``--portfolio NAME``, else the
input file's name, as in the app. Reading never creates the database.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

from cli import common as cli_common
from portfolio.errors import InputError
from portfolio.notes import EXPORT_COLUMNS, NotesStore, default_portfolio_name, export_table

NOTES_OUTPUT = EXPORT_COLUMNS  # the stable columns of `cost-drift notes`


def add_notes_args(parser: argparse.ArgumentParser, *, has_file: bool = True) -> None:
    """``--notes PATH`` and ``--portfolio NAME``."""
    group = parser.add_argument_group("variance notes")
    group.add_argument(
        "--notes",
        default=None,
        metavar="PATH",
        help="the notes database (default: $COST_DRIFT_NOTES, else notes.sqlite in "
        "$COST_DRIFT_HOME or ~/.local/share/cost-drift)",
    )
    group.add_argument(
        "--portfolio",
        default=None,
        metavar="NAME",
        help="the portfolio name the notes are kept under"
        + (" (default: the file's name)" if has_file else " (required: the name the app shows)"),
    )


def portfolio_name(args: argparse.Namespace) -> str | None:
    """The portfolio name of the notes: ``--portfolio``, else FILE's name (None for stdin)."""
    if args.portfolio is not None and str(args.portfolio).strip():
        return str(args.portfolio).strip()
    file = getattr(args, "file", None)
    if file is None or file == cli_common.STDIN:
        return None
    return default_portfolio_name(str(file))


def _store(args: argparse.Namespace) -> NotesStore:
    """The notes database ``--notes`` names (default: the app's), refused when named but absent."""
    store = NotesStore(Path(args.notes).expanduser() if args.notes else None)
    if args.notes and not store.file.is_file():
        raise InputError(f"--notes: there is no notes database at {store.file}.")
    return store


def notes_from_args(args: argparse.Namespace) -> tuple[str | None, pd.DataFrame]:
    """The portfolio name and its notes (:data:`NOTES_OUTPUT` columns; no rows without a name)."""
    store = _store(args)
    name = portfolio_name(args)
    notes = store.notes(name) if name is not None else store.notes("\0none")
    return name, export_table(notes)


def notes_summary(name: str | None, notes: pd.DataFrame) -> str:
    """One sentence for the report's summary."""
    if name is None:
        return "Variance notes: none read (standard input; name the portfolio with --portfolio)."
    return f"Variance notes: {len(notes):,} under the portfolio name {name!r}."


def cmd_notes(args: argparse.Namespace) -> int:
    if portfolio_name(args) is None:
        raise InputError("cost-drift notes needs --portfolio NAME (the name the app shows).")
    name, notes = notes_from_args(args)
    if notes.empty:  # a name typed differently from the app's reads as "no notes": say which exist
        known = [p for p in _store(args).portfolios() if p != name]
        shown = ", ".join(repr(p) for p in known[:10]) + (" ..." if len(known) > 10 else "")
        print(
            f"cost-drift: no notes under the portfolio name {name!r}"
            + (f"; the database has notes for {shown}." if known else "."),
            file=sys.stderr,
        )
    cli_common.emit(args, notes)
    return 0


def register(
    subparsers: argparse._SubParsersAction,  # type: ignore[type-arg]
    parents: dict[str, argparse.ArgumentParser],
) -> None:
    """Add ``cost-drift notes`` (list a portfolio's notes as CSV or JSON)."""
    notes = subparsers.add_parser(
        "notes",
        parents=[parents["output"], parents["common"]],
        help="the variance notes of a portfolio as CSV or JSON",
        description="List the variance notes kept for a portfolio name "
        f"(columns: {', '.join(NOTES_OUTPUT)}).",
    )
    add_notes_args(notes, has_file=False)
    notes.set_defaults(handler=cmd_notes)
