"""Which nodes a forecast run models, and which it skips and why (the first stage of
``pipeline.run_forecast``).

A node too short for ``lookback + horizon`` (+1 when differencing) when training, or for
``lookback`` (+1) with a loaded model, is listed in ``skipped`` with the reason, as is a node the
loaded model was not trained on; nothing is dropped silently.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from forecasting import hierarchy
from forecasting.autoconfig import resolve_defaults
from forecasting.baselines import season_from_periods
from forecasting.ensemble import Ensemble
from forecasting.errors import ForecastError
from forecasting.settings import ModelSettings
from forecasting.windows import Panel, short_nodes, to_panel

SKIPPED_COLUMNS = ["node", "periods", "needed", "reason"]


@dataclass(frozen=True)
class Prepared:
    """A run's input made ready: the ``series`` frame, its ``panel`` (every node) and ``work``
    (the nodes modelled), the season, the ``requested`` and the resolved ``settings``, the tree
    (None without edges), the ``skipped`` nodes so far (``SKIPPED_COLUMNS``) and the periods a
    node ``needed``."""

    series: pd.DataFrame
    panel: Panel
    work: Panel
    season: int
    requested: ModelSettings
    settings: ModelSettings
    tree: hierarchy.Hierarchy | None
    skipped: pd.DataFrame
    needed: int


def sub_panel(panel: Panel, rows: np.ndarray) -> Panel:
    """The panel of the given rows only (same calendar)."""
    return Panel(
        tuple(panel.nodes[i] for i in rows),
        panel.periods,
        panel.target[rows],
        panel.covariate[rows],
        panel.start[rows],
    )


def with_skipped(
    short: pd.DataFrame, panel: Panel, reasons: dict[str, str], needed: int
) -> pd.DataFrame:
    """``short`` with a row per node of ``reasons`` (node -> why), each with its length."""
    lengths = dict(zip(panel.nodes, panel.lengths, strict=True))
    extra = pd.DataFrame(
        {
            "node": list(reasons),
            "periods": [int(lengths[n]) for n in reasons],
            "needed": needed,
            "reason": list(reasons.values()),
        }
    )
    return pd.concat([short, extra], ignore_index=True)


def _too_short(
    panel: Panel, settings: ModelSettings, ensemble: Ensemble | None
) -> tuple[pd.DataFrame, int]:
    """The nodes too short (or unknown to the loaded ``ensemble``) with the reason, and the
    periods a node needs."""
    extra = 1 if settings.difference else 0
    h = settings.horizon
    if ensemble is None:
        needed = settings.lookback + h + extra
        short = short_nodes(panel, needed)
        short["reason"] = [
            f"has {p} period(s); a lookback of {settings.lookback} plus a horizon of {h}"
            f"{' plus one for differencing' if extra else ''} needs {needed}"
            for p in short["periods"]
        ]
        return short, needed
    needed = max(ensemble.member_lookbacks) + extra
    short = short_nodes(panel, needed)
    short["reason"] = [
        f"has {p} period(s); the loaded model needs {needed}" for p in short["periods"]
    ]
    known = set(ensemble.nodes)
    unknown = [n for n in panel.nodes if n not in known and n not in set(short["node"])]
    if unknown:
        why = "not in the loaded model (it was trained on other nodes)"
        short = with_skipped(short, panel, dict.fromkeys(unknown, why), needed)
    return short, needed


def prepare(
    series: pd.DataFrame,
    settings: ModelSettings,
    edges: pd.DataFrame | hierarchy.Hierarchy | None,
    ensemble: Ensemble | None,
) -> Prepared:
    """Build the tree and the panel, resolve the automatic settings (unless a loaded ``ensemble``
    brings its own) and set apart the nodes that cannot be forecast.

    Raises:
        ForecastError: bad data, or no node can be forecast.
    """
    tree = None if edges is None else hierarchy.as_hierarchy(edges)
    panel = to_panel(series, settings.target, settings.covariate)
    season = season_from_periods(panel.periods)
    requested = settings
    if ensemble is None:
        settings = resolve_defaults(settings, season, len(panel.periods))
    short, needed = _too_short(panel, settings, ensemble)
    skipped_set = set(short["node"])
    rows = np.asarray(
        [i for i, n in enumerate(panel.nodes) if n not in skipped_set], dtype=np.int64
    )
    if len(rows) == 0:
        raise ForecastError(
            f"No node can be forecast: every one of the {len(panel.nodes)} node(s) is too short "
            f"or unknown to the model (first: '{short['node'].iloc[0]}', "
            f"{short['reason'].iloc[0]})."
        )
    work = sub_panel(panel, rows)
    return Prepared(series, panel, work, season, requested, settings, tree, short, needed)
