"""Ensembles: member seeds, global and single-node modes, predictions in currency, paths layout."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from forecasting.ensemble import Ensemble, fit_ensemble, member_paths, predict_members
from forecasting.errors import ForecastError
from forecasting.settings import ModelSettings
from forecasting.windows import to_panel

TINY = ModelSettings(
    layers=1, units=8, dropout=0.0, lookback=6, horizon=2, epochs=4, members=2, patience=2
)


def _series(scales: dict[str, float], periods: int = 30) -> pd.DataFrame:
    rows = []
    rng = np.random.default_rng(1)
    for node, scale in scales.items():
        for t in range(periods):
            v = scale * (np.sin(2 * np.pi * t / 12) + 0.05 * t + rng.normal(0, 0.05))
            rows.append((node, f"{2020 + t // 12}-{t % 12 + 1:02d}", v, 10 * scale))
    return pd.DataFrame(rows, columns=["node", "period", "variance", "planned"])


@pytest.fixture(scope="module")
def global_ensemble() -> tuple[Ensemble, object]:
    panel = to_panel(_series({"small": 1.0, "mid": 1e3, "big": 1e6}), "variance", "planned")
    return fit_ensemble(panel, TINY), panel


def test_members_differ_by_seed_and_predict_in_currency(global_ensemble) -> None:
    ens, panel = global_ensemble
    assert ens.members == 2 and ens.nodes == ("big", "mid", "small")
    assert ens.trained_upto == 30 and ens.train_seconds > 0
    assert [len(h["loss"]) for h in ens.histories] == [len(ens.histories[0]["loss"])] * 2
    preds = predict_members(ens, panel, 27)
    assert preds.shape == (2, 3, 2)
    assert not np.array_equal(preds[0], preds[1])  # seeds 7 and 8
    # per-node scaling: each node's forecast is on its own scale
    actual = panel.target[:, 28:30]
    for i in range(3):
        scale = np.abs(panel.target[i]).max()
        assert np.abs(preds[:, i] - actual[i]).max() < 3 * scale


def test_single_node_mode_and_unknown_nodes(global_ensemble) -> None:
    ens, _ = global_ensemble
    single = to_panel(_series({"mid": 1e3}), "variance", "planned")
    alone = fit_ensemble(single, TINY.__class__(**{**TINY.to_dict(), "members": 1}))
    assert alone.nodes == ("mid",) and alone.members == 1
    assert predict_members(alone, single, 29, future_covariate=np.ones((1, 2))).shape == (1, 1, 2)
    # a global ensemble asked about a panel with an extra node predicts only the known ones
    extra = to_panel(_series({"mid": 1e3, "new": 5.0}), "variance", "planned")
    assert predict_members(ens, extra, 29, future_covariate=np.ones((1, 2))).shape == (2, 1, 2)


def test_member_paths_layout() -> None:
    values = np.arange(2 * 3 * 2, dtype=float).reshape(2, 3, 2)
    paths = member_paths(values, ["a", "b", "c"], ["2021-01", "2021-02"])
    assert list(paths.columns) == ["node", "period", "step", "member", "value"]
    assert len(paths) == 12
    row = paths[(paths.member == 2) & (paths.node == "b") & (paths.step == 2)]
    assert row["value"].item() == values[1, 1, 1]
    assert row["period"].item() == "2021-02"
    with pytest.raises(ForecastError):
        member_paths(values, ["a"], ["2021-01", "2021-02"])


def test_too_short_for_any_window_is_a_plain_error() -> None:
    panel = to_panel(_series({"a": 1.0}, periods=7), "variance", "planned")
    with pytest.raises(ForecastError, match="No node has the 8 periods"):
        fit_ensemble(panel, TINY)


def test_members_take_turns_at_two_lookbacks_and_match_single_networks() -> None:
    panel = to_panel(_series({"small": 1.0, "big": 1e3}), "variance", "planned")
    two = ModelSettings(**{**TINY.to_dict(), "members": 3, "lookbacks": 2})
    ens = fit_ensemble(panel, two)
    assert ens.member_lookbacks == (6, 12, 6)  # 30 periods: twice the lookback fits
    shapes = [tuple(m.inputs[0].shape[1:2]) for m in ens.models]
    assert shapes == [(6,), (12,), (6,)]
    preds = predict_members(ens, panel, 27)
    # each member is the network a one-lookback ensemble trains with the same seed and lookback
    for m, lookback in enumerate(ens.member_lookbacks):
        alone = ModelSettings(
            **{**TINY.to_dict(), "lookback": lookback, "members": 1, "lookbacks": 1, "seed": 7 + m}
        )
        single = fit_ensemble(panel, alone)
        np.testing.assert_array_equal(preds[m], predict_members(single, panel, 27)[0])


def test_a_short_history_pairs_the_lookback_with_half_of_it() -> None:
    # 14 periods, horizon 2: twice 6 would leave one window per node, so half of 6 is used.
    panel = to_panel(_series({"a": 1.0, "b": 2.0}, periods=14), "variance", "planned")
    ens = fit_ensemble(panel, ModelSettings(**{**TINY.to_dict(), "lookbacks": 3, "members": 3}))
    assert ens.member_lookbacks == (6, 3, 6)
    assert predict_members(ens, panel, 13, future_covariate=np.ones((2, 2))).shape == (3, 2, 2)
