"""``cost-drift explain``: which children (or leaves) make up a node's variance.

Output columns (stable): ``node, child, variance, share`` (``share`` = the child's variance /
the node's, empty where the node's variance is 0), largest |variance| first; the children's
variances add up to the node's exactly. Which variance:

- no flag: to date at the last period;
- ``--period P``: in period P alone (``--to-date``: to date at P);
- ``--since P0``: the change of the variance to date from the end of P0 to the end of
  ``--period`` (the last period by default).

The mapping flags are those of every subcommand except the period column, which is
``--period-column COL`` here (``--period`` names the period to explain).
"""

from __future__ import annotations

import argparse

from cli import common as cli_common
from portfolio.attribution import Window, attribute
from portfolio.decimals import shown_places
from portfolio.errors import InputError
from portfolio.rollup import rollup_portfolio


def _input_parent() -> argparse.ArgumentParser:
    """The input flags with the period column as ``--period-column`` (``--period`` is P here)."""
    parent = argparse.ArgumentParser(add_help=False)
    cli_common.add_input_args(parent, period_flag="--period-column")
    return parent


def register(
    subparsers: argparse._SubParsersAction, parents: dict[str, argparse.ArgumentParser]
) -> None:
    """Add the ``explain`` subcommand (see the module docstring)."""
    p = subparsers.add_parser(
        "explain",
        parents=[_input_parent(), parents["output"], parents["common"]],
        help="each child's (or leaf's) contribution to a node's variance; they add up exactly",
        description=(
            "Attribute a node's variance to its children (or, with --leaves, to the leaves "
            "under it): to date, in one period, or the change between two periods."
        ),
    )
    p.add_argument("--node", required=True, metavar="ID", help="node id (path), 'All' for all")
    p.add_argument(
        "--period", dest="at", default=None, metavar="P", help="the period (default: the last)"
    )
    p.add_argument(
        "--since", default=None, metavar="P0", help="explain the change from the end of P0"
    )
    p.add_argument(
        "--to-date", action="store_true", help="with --period: the variance to date at P"
    )
    p.add_argument("--leaves", action="store_true", help="attribute to the leaves under the node")
    p.set_defaults(handler=run)


def window_from_args(args: argparse.Namespace) -> Window:
    """The attribution window the flags describe."""
    if args.since is not None:
        if args.to_date:
            raise InputError("--since explains a change; it cannot be used with --to-date.")
        return Window("change", args.at, since=args.since)
    if args.at is not None and not args.to_date:
        return Window("period", args.at)
    return Window("to_date", args.at)


def run(args: argparse.Namespace) -> int:
    """Handler of ``cost-drift explain``."""
    window = window_from_args(args)
    portfolio = cli_common.load_from_args(args)
    rolled = rollup_portfolio(portfolio)
    table = attribute(rolled, args.node, window, leaves=args.leaves)
    if portfolio.decimals is not None:  # a change between two exact sums, printed as such
        table = table.round({"variance": shown_places(portfolio.decimals)})
    cli_common.emit(args, table)
    return 0
