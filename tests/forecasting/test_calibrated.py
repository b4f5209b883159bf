"""The shown forecast's pieces: predictive paths for the outlook, ancestors' own calibration."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from forecasting import calibrated, conformal
from forecasting.backtest import BacktestResult
from forecasting.outlook import OutlookBands, drift_outlook


def test_outlook_probabilities_come_from_the_calibrated_paths() -> None:
    forecast = pd.DataFrame(
        {"node": "a", "period": ["p3", "p4"], "step": [1, 2], "median": [0.0, 0.0]}
    )
    paths = np.array([[0.0, 0.0], [5.0, 5.0], [20.0, 20.0], [-20.0, -20.0]])
    cal = conformal.Calibration(0.8, np.array([20.0, 20.0]), paths)
    members = calibrated.predictive_members(forecast, {"a": (1.0, cal)})
    assert members["member"].nunique() == 4
    history = pd.DataFrame(
        {"node": "a", "period": ["p1", "p2"], "variance": [0.0, 0.0], "planned": [100.0, 100.0]}
    )
    plan = pd.DataFrame({"node": "a", "period": ["p3", "p4"], "planned": [100.0, 100.0]})
    bands = OutlookBands(amber_pct=10, red_pct=30)
    out = drift_outlook(history, members, plan, bands=bands).iloc[0]
    # cumulative plan 400 at the end: paths end at 0, 10, 40 and -40; |40| / 400 = 10 % is amber
    assert out["p_amber"] == pytest.approx(0.5)
    assert out["p_red"] == 0.0


def test_the_predictive_paths_have_the_bands_quantiles() -> None:
    """The outlook's distribution is the band's: at every step the share of predictive paths
    inside the band is the conformal rank over n (49 of 60 at 80 %), up to the isotonic fit."""
    rng = np.random.default_rng(3)
    errors = rng.standard_t(4, (10, 6, 3)) * np.linspace(1.0, 3.0, 3)
    cal = conformal.calibrate(errors, np.ones(10), 0.8)
    forecast = pd.DataFrame(
        {"node": "a", "period": ["p1", "p2", "p3"], "step": [1, 2, 3], "median": 100.0}
    )
    members = calibrated.predictive_members(forecast, {"a": (7.0, cal)})
    assert members["member"].nunique() == 60
    half = 7.0 * cal.quantiles[members["step"].to_numpy() - 1]
    inside = (members["value"] - 100.0).abs() <= half + 1e-9
    share = inside.groupby(members["step"]).mean()
    assert ((share - 49 / 60).abs() <= 2 / 60).all(), share


def _tree_case() -> tuple[pd.DataFrame, pd.DataFrame, BacktestResult, pd.DataFrame]:
    """Two children under P, three cut-offs of one step, and P's history."""
    edges = pd.DataFrame({"node": ["P", "a", "b"], "parent": ["", "P", "P"]})
    chosen = pd.DataFrame(
        {
            "node": ["a", "b"],
            "period": "p9",
            "step": 1,
            "median": [1.0, 2.0],
            "lower": np.nan,
            "upper": np.nan,
            "model": "lstm",
        }
    )
    errors = {"lstm": np.array([[[1.0], [2.0], [-1.0]], [[1.0], [-4.0], [0.0]]])}
    bt = BacktestResult(
        table=pd.DataFrame(),
        summary=pd.DataFrame(),
        members_spread=pd.DataFrame(),
        residuals=pd.DataFrame(),
        verdict="",
        origins=("p2", "p3", "p4"),
        nodes=("a", "b"),
        skipped=pd.DataFrame(),
        ensemble=None,
        errors=errors,
        scales=np.ones(2),
    )
    # P's history (its naive MAE is only the reference: P has its own backtest errors)
    history = pd.DataFrame(
        {
            "node": "P",
            "period": ["p1", "p2", "p3", "p4"],
            "variance": [0.0, 1.0, 3.0, 5.0],
            "planned": 1.0,
        }
    )
    return edges, chosen, bt, history


def test_ancestors_are_calibrated_on_the_sum_of_their_childrens_errors() -> None:
    edges, chosen, bt, history = _tree_case()
    rows, cal = calibrated.ancestors(
        calibrated.AncestorInputs(chosen, {"a": "lstm", "b": "lstm"}, bt, edges, history, 0.5)
    )
    p = rows.iloc[0]
    assert p["node"] == "P" and p["median"] == pytest.approx(3.0) and p["model"] == "bottom-up"
    # summed errors 2, -2, -1, each divided by the mean |sum| of the other cut-offs (1.5, 1.5,
    # 2): 1.33, 1.33, 0.5 -> rank ceil(4 * .5) = 2 -> 4/3; P's own scale mean(2, 2, 1) = 5/3
    scale, c = cal["P"]
    np.testing.assert_allclose(c.quantiles, [4.0 / 3.0])
    assert scale == pytest.approx(5.0 / 3.0)
    assert p["upper"] - p["median"] == pytest.approx(4.0 / 3.0 * 5.0 / 3.0)


def test_an_ancestor_with_too_few_paths_pools_the_modelled_nodes_errors() -> None:
    """The root alone has one residual path per cut-off: 3 here, too few for a 90 % band (rank
    ceil(4 * 0.9) = 4 > 3); pooled with the two children's 6 it has 9 (rank 9 <= 9)."""
    edges, chosen, bt, history = _tree_case()
    picks = {"a": "lstm", "b": "lstm"}
    narrow = calibrated.ancestors(
        calibrated.AncestorInputs(chosen, picks, bt, edges, history, 0.5)
    )[1]["P"]
    rows, cal = calibrated.ancestors(
        calibrated.AncestorInputs(chosen, picks, bt, edges, history, 0.9)
    )
    scale, wide = cal["P"]
    assert narrow[1].count == 3 and wide.count == 9 and wide.enough
    assert scale == pytest.approx(narrow[0])  # P's own scale still sizes its band
    assert wide.quantiles[0] > narrow[1].quantiles[0]
    p = rows.iloc[0]
    assert p["upper"] - p["median"] == pytest.approx(scale * wide.quantiles[0])
