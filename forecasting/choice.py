"""The model shown per node: one model per level chosen on the backtest, or the analyst's choice.

``best`` (the default) shows one model at every node of the level: AutoARIMA (``INCUMBENT``), unless
the backtest's most frequent per-node winner (by MASE; RMSE at a node where MASE is undefined)
beats it at significantly many of the level's nodes: a one-sided sign test over the nodes at
``SWITCH_P`` (5 %). Without AutoARIMA in the backtest (more than ``MAX_STAT_NODES`` nodes) the most
frequent per-node winner is shown. Nodes without a backtest (too short for it) get the level's model
too. Why not each node's own winner: a few overlapping cut-offs per node are a noisy test. On the
forecast suite (``bench/choice_rules.py`` over the tables saved by ``bench/bench_forecast_suite.py
--save-tables``) every rule that followed the backtest's winners, per node or per level, did worse
on the held-out windows than AutoARIMA alone (mean MASE 0.836 to 0.958 against 0.813); this rule
scored 0.813 there because it never switched (the suite's levels have 1, 4 and 13 nodes), so it is
a guard chosen on that suite, not a gain shown on data it was not tuned on. The per-node winners
are still counted in the verdict. A forced model (``model="auto_arima"``, ...) is used at every node
that has it; ``lstm`` always exists. The LSTM ensemble is trained and shown beside whatever is
chosen.

Every model's final forecast is computed from the whole history (baselines and statistical models
refitted on it, ``combo`` the mean of the LSTM and the node's backtest partner), so that any model
can be shown, and its band is the model's conformal calibration over the backtest (see
``forecasting.conformal``), one per model over the modelled nodes.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from forecasting import conformal, stat_models
from forecasting.backtest_models import COMBO, MAX_STAT_NODES, MODEL_NAMES, STAT_NAMES
from forecasting.baselines import BASELINE_NAMES, baseline_matrix, rate_naive_matrix
from forecasting.errors import ForecastError
from forecasting.windows import Panel

MODEL_CHOICES = ("best", *MODEL_NAMES)
# ``best`` shows the field's standard unless the backtest gives clear evidence against it: on the
# forecast suite no backtest-driven rule beat it on the held-out windows (module docstring).
INCUMBENT = "auto_arima"
# One-sided sign-test level for switching a level away from ``INCUMBENT``.
SWITCH_P = 0.05
MODEL_FORECAST_COLUMNS = ["node", "period", "step", "model", "median", "lower", "upper"]


@dataclass(frozen=True)
class ChoiceSettings:
    """Which model to show and the nominal level of its band.

    Raises:
        ForecastError: an unknown model or a level outside 50-95 %.
    """

    model: str = "best"
    interval: float = 0.8

    def __post_init__(self) -> None:
        if self.model not in MODEL_CHOICES:
            raise ForecastError(
                f"Unknown model '{self.model}'. Choose one of: {', '.join(MODEL_CHOICES)}."
            )
        object.__setattr__(self, "interval", conformal.check_level(self.interval))


def winners(table: pd.DataFrame, models: set[str] | None = None) -> dict[str, str]:
    """Per node of a backtest table, the model (of ``models``, default all) with the lowest MASE
    (RMSE where MASE is undefined)."""
    out: dict[str, str] = {}
    if models is not None:
        table = table[table["model"].isin(models)]
    for node, grp in table.groupby("node", sort=False):
        col = "mase" if np.isfinite(grp["mase"].to_numpy(dtype=float)).all() else "rmse"
        out[str(node)] = str(grp.loc[grp[col].idxmin(), "model"])
    return out


def sign_test_p(wins: int, nodes: int) -> float:
    """One-sided sign test: the chance of ``wins`` or more of ``nodes`` by fair coin flips."""
    return sum(math.comb(nodes, i) for i in range(wins, nodes + 1)) / 2**nodes


@dataclass(frozen=True)
class LevelChoice:
    """The level's model, the challenger it was tested against, the challenger's wins and its
    ties (equal scores: counted as not won; e.g. AutoARIMA choosing a random walk ties naive)."""

    model: str
    challenger: str
    wins: int
    nodes: int
    ties: int = 0


def level_model(
    table: pd.DataFrame, incumbent: str = INCUMBENT, switch_p: float = SWITCH_P
) -> LevelChoice:
    """The one model ``best`` shows at the level of a backtest table (module docstring)."""
    counts = pd.Series(list(winners(table).values()), dtype=object).value_counts()
    if table.empty:
        return LevelChoice("lstm", "", 0, 0)
    if incumbent not in set(table["model"]):
        return LevelChoice(str(counts.index[0]), "", 0, 0)
    rest = counts.drop(index=incumbent, errors="ignore")
    if rest.empty:
        return LevelChoice(incumbent, "", 0, int(counts.sum()))
    challenger = str(rest.index[0])
    score = {}
    for name in (incumbent, challenger):
        rows = table[table["model"] == name].set_index("node")
        score[name] = rows["mase"].where(np.isfinite(rows["mase"]), rows["rmse"])
    a, b = score[challenger].align(score[incumbent], join="inner")
    wins, ties = int((a < b).sum()), int((a == b).sum())
    won = sign_test_p(wins, len(a)) <= switch_p
    return LevelChoice(challenger if won else incumbent, challenger, wins, len(a), ties)


def pick_models(
    nodes: Sequence[str], table: pd.DataFrame, forced: str, available: Sequence[str]
) -> dict[str, str]:
    """The model shown at each node (module docstring); ``available``: models with forecasts."""
    use = level_model(table).model if forced == "best" else forced
    return dict.fromkeys(nodes, use if use in available else "lstm")


def choice_verdict(table: pd.DataFrame, picks: Mapping[str, str], forced: str) -> str:
    """Plain words: how often each model was chosen, and the LSTM against the best baseline per
    node (the non-LSTM model with the lowest MASE there)."""
    counts = pd.Series(list(picks.values()), dtype=object).value_counts()
    shown = ", ".join(f"{m} at {c}" for m, c in counts.items())
    total = len(picks)
    if forced != "best" and set(picks.values()) <= {forced}:
        head = f"Shown: {forced} at every node, as chosen (the backtest winner is not used)."
    elif forced != "best":
        head = (  # a capital first: the shells split the verdict into sentences there
            f"The model chosen, {forced}, is not available for this run (the statistical models "
            f"and their combination run up to {MAX_STAT_NODES} nodes with a backtest); shown "
            f"instead: {shown} of {total} node(s)."
        )
    else:
        why = _level_words(level_model(table)) if not table.empty else "without a backtest"
        head = f"Shown: {shown} of {total} node(s), {why}."
    if table.empty:
        return head
    won = pd.Series(list(winners(table).values()), dtype=object).value_counts()
    head += " Backtest winners per node (by MASE): " + ", ".join(
        f"{m} at {c}" for m, c in won.items()
    )
    head += "."
    if "lstm" not in set(table["model"]):
        return head
    beat = 0
    nodes = 0
    for _, grp in table.groupby("node", sort=False):
        col = "mase" if np.isfinite(grp["mase"].to_numpy(dtype=float)).all() else "rmse"
        by = grp.set_index("model")[col]
        rest = by.drop(index=[m for m in ("lstm", COMBO) if m in by.index])
        if rest.empty:
            continue
        nodes += 1
        beat += int(by["lstm"] < rest.min())
    return head + (
        f" The LSTM ensemble beat the best baseline of the node at {beat} of {nodes} node(s)."
    )


def _level_words(lc: LevelChoice) -> str:
    if not lc.nodes:
        return f"the backtest's most frequent winner ({INCUMBENT} was not in the backtest)"
    if not lc.challenger:
        return "the field's standard, which won every node of the backtest"
    tied = f" (tied at {lc.ties})" if lc.ties else ""
    test = f"{lc.challenger} (the backtest winner at the most nodes besides {INCUMBENT}) beat "
    test += f"{INCUMBENT} at {lc.wins} of "
    if lc.model == lc.challenger:
        return (
            f"{test}{lc.nodes} node(s){tied}: significantly many, so it is shown at the whole level"
        )
    return (
        f"the field's standard kept: {test}{lc.nodes} node(s){tied}, not significantly many to "
        f"replace it (one-sided sign test at {SWITCH_P:.0%})"
    )


def point_forecasts(
    panel: Panel,
    lstm: np.ndarray,
    future_covariate: np.ndarray,
    season: int,
    partners: Mapping[str, str],
) -> dict[str, np.ndarray]:
    """Every model's forecast ``(nodes, horizon)`` from each node's whole history.

    Args:
        panel: the modelled nodes.
        lstm: the LSTM ensemble's median ``(nodes, horizon)``.
        future_covariate: the planned spend of the forecast periods ``(nodes, horizon)``.
        season: season length.
        partners: node -> statistical model of its ``combo`` (from the backtest); with none the
            statistical models and ``combo`` are left out.
    """
    n, h = lstm.shape
    out: dict[str, np.ndarray] = {"lstm": lstm}
    for name in BASELINE_NAMES:
        values = np.empty((n, h))
        for start in np.unique(panel.start):
            grp = np.flatnonzero(panel.start == start)
            values[grp] = baseline_matrix(name, panel.target[grp, start:], h, season)
        out[name] = values
    out["rate_naive"] = rate_naive_matrix(panel.target, panel.covariate, future_covariate)
    if partners:
        for name in STAT_NAMES:
            out[name] = np.stack(
                [
                    stat_models.forecast(name, panel.target[i, panel.start[i] :], h, season)
                    for i in range(n)
                ]
            )
        partner = np.stack(
            [out[partners.get(node, STAT_NAMES[0])][i] for i, node in enumerate(panel.nodes)]
        )
        out[COMBO] = 0.5 * (lstm + partner)
    return out


@dataclass(frozen=True)
class Calibrated:
    """Per model: its conformal calibration (None for a model the backtest did not score)."""

    calibrations: dict[str, conformal.Calibration | None]
    level: float


def calibrations(errors: Mapping[str, np.ndarray], scales: np.ndarray, level: float) -> Calibrated:
    """One calibration per model from the backtest errors (nodes, cut-offs, steps) and the
    nodes' reference scales (``conformal.calibrate``)."""
    return Calibrated(
        {name: conformal.calibrate(e, scales, level) for name, e in errors.items()}, level
    )


def band_scales(
    cal: Calibrated, nodes: Sequence[str], backtest_nodes: Sequence[str], reference: np.ndarray
) -> dict[str, np.ndarray]:
    """Per calibrated model, each node's band scale (``conformal.band_scales``): its own error
    scale where the backtest scored it, else ``reference`` (its naive scale) times the ratio."""
    pos = {n: i for i, n in enumerate(backtest_nodes)}
    rows = np.asarray([pos.get(n, -1) for n in nodes], dtype=np.int64)
    return {
        name: conformal.band_scales(c, rows, reference)
        for name, c in cal.calibrations.items()
        if c is not None
    }


def model_frames(
    nodes: Sequence[str],
    periods: Sequence[str],
    points: Mapping[str, np.ndarray],
    cal: Calibrated,
    scales: Mapping[str, np.ndarray],
) -> pd.DataFrame:
    """``DataFrame[node, period, step, model, median, lower, upper]`` of every model (``scales``:
    per model, each node's band scale, from :func:`band_scales`); the bounds are NaN for a model
    without a calibration."""
    h = len(periods)
    parts = []
    for name, point in points.items():
        c = cal.calibrations.get(name)
        if c is not None and name in scales and np.isfinite(c.quantiles).all():
            lo, hi = conformal.bounds(point, scales[name], c)
        else:
            lo = hi = np.full_like(point, np.nan)
        parts.append(
            pd.DataFrame(
                {
                    "node": np.repeat(np.asarray(nodes, dtype=object), h),
                    "period": np.tile(np.asarray(periods, dtype=object), len(nodes)),
                    "step": np.tile(np.arange(1, h + 1), len(nodes)),
                    "model": name,
                    "median": point.reshape(-1),
                    "lower": lo.reshape(-1),
                    "upper": hi.reshape(-1),
                }
            )
        )
    return pd.concat(parts, ignore_index=True)[MODEL_FORECAST_COLUMNS]


def chosen_frame(models: pd.DataFrame, picks: Mapping[str, str]) -> pd.DataFrame:
    """The rows of ``model_frames`` output of each node's chosen model, in node then step order."""
    pick = models["node"].map(picks)
    order = {n: i for i, n in enumerate(dict.fromkeys(models["node"]))}
    rows = models[models["model"] == pick]
    rows = rows.assign(_order=rows["node"].map(order)).sort_values(
        ["_order", "step"], kind="stable"
    )
    return rows.drop(columns="_order").reset_index(drop=True)
