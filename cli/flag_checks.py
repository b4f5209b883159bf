"""Flags that contradict each other or would be ignored, refused before any work with a message
naming them (never ignored silently), and an output that cannot be written."""

from __future__ import annotations

import argparse

from portfolio.errors import InputError


def check_period_flags(args: argparse.Namespace) -> None:
    """Refuse period flags that contradict each other or would be ignored."""
    flag = getattr(args, "period_flag", "--period")
    if args.no_period and args.period is not None:
        raise InputError(
            f"--no-period says the file has no period column, but {flag} names one "
            f"('{args.period}'): give one or the other."
        )
    if args.period_label is not None and not args.no_period:
        raise InputError(
            "--period-label names the single period of a file without a period column, so it "
            "only applies with --no-period: add --no-period, or leave --period-label out."
        )


def check_output(args: argparse.Namespace) -> None:
    """Refuse an output that cannot be written before any work is done (a forecast trains for
    minutes): Parquet needs ``--out``."""
    if getattr(args, "format", None) == "parquet" and not getattr(args, "out", None):
        raise InputError("--format parquet writes a file: give it with --out FILE.")


def check_backtest(cutoffs: int | None) -> None:
    """Refuse a negative ``--backtest`` (None: not given)."""
    if cutoffs is not None and cutoffs < 0:
        raise InputError(f"--backtest must be 0 or more cut-offs (got {cutoffs}).")


def given_flags(args: argparse.Namespace, fields_: list[str] | tuple[str, ...]) -> list[str]:
    """The flags of ``fields_`` (``--batch-size`` for ``batch_size``) that the command line set."""
    return ["--" + f.replace("_", "-") for f in fields_ if getattr(args, f, None) is not None]


def refuse_with_load(args: argparse.Namespace, flags: list[str]) -> None:
    """Raise InputError when ``--load`` is given with model ``flags`` (the ones the command line
    set), which it would ignore: a saved model forecasts with the settings it was trained with."""
    if getattr(args, "load", None) and flags:
        raise InputError(
            f"--load forecasts with the saved model's own settings, so {', '.join(flags)} would "
            "be ignored: leave them out, or train a new model without --load."
        )
