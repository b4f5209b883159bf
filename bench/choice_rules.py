"""Rules for choosing the shown model, compared offline on tables saved by the forecast suite.

Usage: ``python -m bench.choice_rules DIR`` where ``DIR`` was written by
``python -m bench.bench_forecast_suite --save-tables DIR``.

Per split the suite saved the product's inner backtest table (``backtest_<group>_<end>.csv``: node
x model, MASE over the ``BACKTEST_K`` cut-offs inside the training part) and every model's held-out
scores (``scores_<group>_<end>.csv``). Each rule below reads only the backtest table of a split and
picks a model per node (the nodes of a split are one level); the rule's score is the held-out MASE
of the picked models, averaged like the suite's summary (per series and window, per group and
overall). No model is retrained. The ``product default`` row (``choice.pick_models``) must
reproduce the suite's ``best`` row when the tables were saved by the same code (the gap is logged;
tables saved before a change of the rule reproduce the ``earlier default`` row instead).

The rules were tuned on the suite itself (there is no other held-out set), so the gap between the
chosen rule and the next is an optimistic reading; the table gives every rule tried.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from forecasting import choice

log = logging.getLogger(__name__)

Rule = Callable[[pd.DataFrame], dict[str, str]]


def _level(table: pd.DataFrame, how: str = "mean") -> pd.Series:
    """Each model's MASE over the level's nodes (mean, median or geometric mean), lowest first."""
    if how == "geomean":
        logs = table.assign(mase=np.log(table["mase"].clip(lower=1e-12)))
        return np.exp(_level(logs, "mean"))
    return table.groupby("model", sort=False)["mase"].agg(how).sort_values(kind="stable")


def contenders(table: pd.DataFrame, tolerance: float) -> set[str]:
    """The models whose mean MASE over the level's nodes is within ``tolerance`` of the best one
    (every model when MASE is undefined somewhere): the screen of the earlier ``best``."""
    mase = table.groupby("model", sort=False)["mase"].mean()
    if not np.isfinite(mase.to_numpy(dtype=float)).all():
        return set(table["model"])
    return set(mase[mase <= mase.min() * (1.0 + tolerance)].index.astype(str))


def _tolerance(tol: float) -> Rule:
    def rule(table: pd.DataFrame) -> dict[str, str]:
        return choice.winners(table, contenders(table, tol))

    return rule


def _top_k(k: int) -> Rule:
    def rule(table: pd.DataFrame) -> dict[str, str]:
        return choice.winners(table, set(_level(table).index[:k].astype(str)))

    return rule


def _level_winner(how: str) -> Rule:
    def rule(table: pd.DataFrame) -> dict[str, str]:
        top = str(_level(table, how).index[0])
        return dict.fromkeys(table["node"].astype(str).unique(), top)

    return rule


def _margin(margin: float) -> Rule:
    """The level's best model at every node unless the node's own winner beats it there by more
    than ``margin`` (relative backtest MASE)."""

    def rule(table: pd.DataFrame) -> dict[str, str]:
        top = str(_level(table).index[0])
        out = {}
        for node, grp in table.groupby("node", sort=False):
            by = grp.set_index("model")["mase"]
            win = str(by.idxmin())
            out[str(node)] = win if by[win] < (1.0 - margin) * by[top] else top
        return out

    return rule


def _incumbent(switch_p: float) -> Rule:
    """``choice.level_model``: AutoARIMA unless the most frequent node winner beats it at
    significantly many nodes (one-sided sign test at ``switch_p``)."""

    def rule(table: pd.DataFrame) -> dict[str, str]:
        model = choice.level_model(table, switch_p=switch_p).model
        return dict.fromkeys(table["node"].astype(str).unique(), model)

    return rule


def _product(table: pd.DataFrame) -> dict[str, str]:
    nodes = list(table["node"].astype(str).unique())
    return choice.pick_models(nodes, table, "best", list(table["model"].unique()))


def _fixed(model: str) -> Rule:
    def rule(table: pd.DataFrame) -> dict[str, str]:
        return dict.fromkeys(table["node"].astype(str).unique(), model)

    return rule


RULES: dict[str, Rule] = {
    "product default (choice.pick_models)": _product,
    "earlier default (tolerance 10 %)": _tolerance(0.10),
    "tolerance 0 (level winner, mean)": _tolerance(0.0),
    "tolerance 5 %": _tolerance(0.05),
    "tolerance 20 %": _tolerance(0.20),
    "per-node winner (no screen)": _tolerance(np.inf),
    "top-2 level models, per node": _top_k(2),
    "top-3 level models, per node": _top_k(3),
    "level winner by median": _level_winner("median"),
    "level winner by geometric mean": _level_winner("geomean"),
    "level best unless node winner 10 % better": _margin(0.10),
    "level best unless node winner 25 % better": _margin(0.25),
    "auto_arima unless sign test 5 %": _incumbent(0.05),
    "auto_arima unless sign test 10 %": _incumbent(0.10),
    "auto_arima unless sign test 20 %": _incumbent(0.20),
    "always auto_arima (reference)": _fixed("auto_arima"),
    "always lstm (reference)": _fixed("lstm"),
}


def load(folder: Path) -> list[tuple[pd.DataFrame, pd.DataFrame]]:
    """(backtest table, held-out scores) of every split saved in ``folder``."""
    out = []
    for path in sorted(folder.glob("backtest_*.csv")):
        scores = folder / path.name.replace("backtest_", "scores_")
        out.append((pd.read_csv(path), pd.read_csv(scores)))
    if not out:
        raise SystemExit(f"no backtest_*.csv in {folder}")
    return out


def held_out(splits: list[tuple[pd.DataFrame, pd.DataFrame]], rule: Rule) -> pd.DataFrame:
    """Rows ``group, series, window, mase``: the held-out MASE of the model the rule picked."""
    rows = []
    for table, scores in splits:
        picks = rule(table)
        sub = scores[scores["series"].astype(str).map(picks) == scores["model"]]
        if len(sub) != len(picks):
            raise ValueError(f"picked models without held-out scores: {picks}")
        rows.append(sub[["group", "series", "window", "mase"]])
    return pd.concat(rows, ignore_index=True)


def compare(splits: list[tuple[pd.DataFrame, pd.DataFrame]]) -> pd.DataFrame:
    """Mean held-out MASE per rule, per group and overall (plus the suite's ``best`` row)."""
    table = {name: held_out(splits, rule) for name, rule in RULES.items()}
    scores = pd.concat([s for _, s in splits], ignore_index=True)
    table["suite's best (as run)"] = scores[scores["model"] == "best"]
    out = {}
    for name, rows in table.items():
        per = rows.groupby("group")["mase"].mean()
        out[name] = {**per.to_dict(), "all": float(rows["mase"].mean())}
    frame = pd.DataFrame(out).T
    return frame[[c for c in ("Y", "Q", "M", "all") if c in frame.columns]]


def main(argv: list[str] | None = None) -> int:
    """Print the rules' held-out MASE table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    splits = load(args.folder)
    frame = compare(splits)
    run = frame.loc["suite's best (as run)", "all"]
    for row in ("product default (choice.pick_models)", "earlier default (tolerance 10 %)"):
        gap = abs(frame.loc[row, "all"] - run)
        log.info("%d splits; %s differs from the suite's best by %.2g", len(splits), row, gap)
    sys.stdout.write(frame.to_string(float_format=lambda v: f"{v:.3f}") + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
