"""run_forecast end to end: coherent hierarchy, skipped nodes, reproducibility, loaded models."""

from __future__ import annotations

import threading

import numpy as np
import pandas as pd
import pytest

from forecasting.backtest import LOADED_NOTE
from forecasting.backtest_models import MODEL_NAMES
from forecasting.errors import ForecastError
from forecasting.pipeline import ForecastRun, next_period_labels, run_forecast
from forecasting.settings import ModelSettings
from forecasting.training import ProgressEvent, TrainingCancelled

TINY = ModelSettings(
    layers=1, units=8, dropout=0.0, lookback=6, horizon=2, epochs=3, members=2, patience=2
)
LEAVES = {"P1 / a": (24, 10.0), "P1 / b": (24, 300.0), "P2 / d": (24, 5.0), "P2 / c": (5, 1.0)}
EDGES = pd.DataFrame(
    {
        "node": ["All", "P1", "P2", *LEAVES],
        "parent": ["", "All", "All", "P1", "P1", "P2", "P2"],
    }
)


def _series() -> pd.DataFrame:
    rows = []
    rng = np.random.default_rng(4)
    for node, (length, scale) in LEAVES.items():
        for t in range(24 - length, 24):
            v = scale * (np.sin(2 * np.pi * t / 12) + 0.03 * t + rng.normal(0, 0.1))
            rows.append((node, f"{2020 + t // 12}-{t % 12 + 1:02d}", v, 8 * scale))
    return pd.DataFrame(rows, columns=["node", "period", "variance", "planned"])


FUTURE = pd.DataFrame({"node": ["P1 / a"], "period": ["2022-01"], "planned": [123.0]})


@pytest.fixture(scope="module")
def run() -> ForecastRun:
    events: list[ProgressEvent] = []
    result = run_forecast(
        _series(), TINY, edges=EDGES, future=FUTURE, backtest_k=2, progress=events.append
    )
    # the learning rate is left automatic: the search reports its own stage first
    assert {e.stage for e in events} == {"tuning", "backtest", "final"}
    assert events[0].stage == "tuning" and events[-1].stage == "final"
    return result


def test_forecast_frame_covers_modelled_nodes_and_ancestors(run: ForecastRun) -> None:
    f = run.forecast
    assert list(f.columns) == [
        *("node", "period", "step", "median", "lower", "upper", "planned", "planned_source"),
        *("model", "lstm_median", "spread_lower", "spread_upper"),
    ]
    assert set(f.loc[f.node.isin(["All", "P1", "P2"]), "model"]) == {"bottom-up"}
    assert set(f.loc[~f.node.isin(["All", "P1", "P2"]), "model"]) <= set(MODEL_NAMES)
    assert (f["spread_lower"] <= f["spread_upper"]).all()
    assert set(f["node"]) == {"All", "P1", "P2", "P1 / a", "P1 / b", "P2 / d"}
    assert sorted(set(f["period"])) == ["2022-01", "2022-02"]
    assert (f["lower"] <= f["median"]).all() and (f["median"] <= f["upper"]).all()
    a = f[f.node == "P1 / a"].set_index("period")["planned"]
    assert a["2022-01"] == 123.0  # given plan
    assert a["2022-02"] == pytest.approx(8 * 10.0)  # last season repeated
    # where the plan ahead came from, cell by cell, and per node in the outlook
    source = f.set_index(["node", "period"])["planned_source"]
    assert source["P1 / a", "2022-01"] == "plan" and source["P1 / a", "2022-02"] == "assumed"
    assert source["P1", "2022-01"] == "mixed" and source["P1", "2022-02"] == "assumed"
    assert (source.loc[["P1 / b", "P2", "P2 / d"]] == "assumed").all()
    outlook = run.outlook.set_index("node")["planned_source"]
    assert outlook["P1 / a"] == "mixed" and outlook["P1"] == "mixed"
    assert outlook["P1 / b"] == "assumed" and outlook["P2"] == "assumed"


def test_parents_equal_the_sum_of_their_children(run: ForecastRun) -> None:
    med = run.forecast.set_index(["node", "step"])["median"]
    for parent, kids in {"P1": ["P1 / a", "P1 / b"], "P2": ["P2 / d"], "All": ["P1", "P2"]}.items():
        for step in (1, 2):
            total = sum(med[(k, step)] for k in kids)
            assert med[(parent, step)] == pytest.approx(total, rel=1e-9)
    mem = run.members.set_index(["node", "step", "member"])["value"]
    assert mem[("P1", 1, 2)] == pytest.approx(mem[("P1 / a", 1, 2)] + mem[("P1 / b", 1, 2)])


def test_short_nodes_are_listed_with_the_reason(run: ForecastRun) -> None:
    sk = run.skipped
    assert sk["node"].tolist() == ["P2 / c"]
    assert "has 5 period(s)" in sk["reason"].iloc[0]
    assert "needs 8" in sk["reason"].iloc[0]


def test_backtest_spread_outlook_and_verdict(run: ForecastRun) -> None:
    assert set(run.backtest["model"]) == set(MODEL_NAMES)
    assert set(run.backtest["node"]) == {"P1 / a", "P1 / b", "P2 / d"}
    assert len(run.members_spread) == 3
    assert list(run.backtest_summary["model"]) == list(MODEL_NAMES)
    assert "best baseline" in run.verdict and "LSTM ensemble" in run.verdict
    assert "Backtest winners per node (by MASE)" in run.verdict
    # one model at the whole level (auto_arima unless a challenger wins significantly many nodes)
    assert run.forecast[run.forecast.node.isin(run.backtest["node"])]["model"].nunique() == 1
    assert {"coverage", "width"} <= set(run.backtest.columns)
    models = run.model_forecasts
    assert set(models["model"]) == set(MODEL_NAMES) and run.interval == 0.8
    # the shown forecast of a modelled node is its chosen model's row
    shown = run.forecast[run.forecast.node == "P1 / a"].iloc[0]
    row = models[(models.node == "P1 / a") & (models.model == shown["model"]) & (models.step == 1)]
    assert row["median"].iloc[0] == pytest.approx(shown["median"])
    assert set(run.outlook["node"]) == set(run.forecast["node"])
    assert run.train_seconds > 0 and run.ensemble.members == 2


def test_same_seed_twice_gives_identical_forecasts_and_loaded_models_reproduce() -> None:
    one = run_forecast(_series(), TINY.__class__(**{**TINY.to_dict(), "members": 1}), backtest_k=0)
    two = run_forecast(_series(), TINY.__class__(**{**TINY.to_dict(), "members": 1}), backtest_k=0)
    pd.testing.assert_frame_equal(one.forecast, two.forecast)
    assert "No backtest" in one.verdict and one.backtest.empty
    again = run_forecast(_series(), ModelSettings(), backtest_k=0, ensemble=one.ensemble)
    pd.testing.assert_frame_equal(again.forecast, one.forecast)
    assert again.train_seconds == 0.0


def test_a_loaded_model_s_in_sample_scores_are_not_judged(run: ForecastRun) -> None:
    again = run_forecast(
        _series(), TINY, edges=EDGES, future=FUTURE, backtest_k=2, ensemble=run.ensemble
    )
    assert again.verdict.startswith(LOADED_NOTE)
    assert "LSTM ensemble beats" not in again.verdict
    assert "Best model over the backtest: LSTM" not in again.verdict
    # the scores stay in the table, but the model shown is never the in-sample LSTM or combo
    assert {"lstm", "combo"} <= set(again.backtest["model"])
    modelled = again.forecast[again.forecast["model"] != "bottom-up"]
    assert not set(modelled["model"]) & {"lstm", "combo"}
    assert again.train_seconds == 0.0


def test_reconciled_forecasts_are_coherent() -> None:
    base = _series()
    base = base[base.node != "P2 / c"]
    parents = base.assign(node=base["node"].str.split(" / ").str[0])
    root = base.assign(node="All")
    series = pd.concat([base, parents, root]).groupby(["node", "period"], as_index=False).sum()
    settings = TINY.__class__(**{**TINY.to_dict(), "members": 1})
    edges = EDGES[EDGES.node != "P2 / c"]
    result = run_forecast(series, settings, edges=edges, backtest_k=0, reconcile="ols")
    med = result.forecast.set_index(["node", "step"])["median"]
    for step in (1, 2):
        assert med[("P1", step)] == pytest.approx(
            med[("P1 / a", step)] + med[("P1 / b", step)], rel=1e-9
        )
        assert med[("All", step)] == pytest.approx(med[("P1", step)] + med[("P2", step)], rel=1e-9)


def test_reconciliation_with_a_node_too_short_reconciles_the_levels_above_it() -> None:
    base = _series()  # P2 / c has 5 periods only: too short to model
    parents = base.assign(node=base["node"].str.split(" / ").str[0])
    root = base.assign(node="All")
    series = pd.concat([base, parents, root]).groupby(["node", "period"], as_index=False).sum()
    settings = TINY.__class__(**{**TINY.to_dict(), "members": 1})
    result = run_forecast(series, settings, edges=EDGES, backtest_k=0, reconcile="ols")
    reasons = result.skipped.set_index("node")["reason"]
    assert "has 5 period(s)" in reasons["P2 / c"]
    assert reasons["P2 / d"].startswith("not reconciled") and "'P2 / c'" in reasons["P2 / d"]
    med = result.forecast.set_index(["node", "step"])["median"]
    assert set(result.forecast["node"]) == {"All", "P1", "P2", "P1 / a", "P1 / b", "P2 / d"}
    for step in (1, 2):
        assert med[("P1", step)] == pytest.approx(
            med[("P1 / a", step)] + med[("P1 / b", step)], rel=1e-9
        )
        assert med[("All", step)] == pytest.approx(med[("P1", step)] + med[("P2", step)], rel=1e-9)
    band = result.forecast.set_index(["node", "step"])
    assert (band["lower"] <= band["median"]).all() and (band["median"] <= band["upper"]).all()


def test_plain_errors_and_cancel() -> None:
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(TrainingCancelled):
        run_forecast(_series(), TINY, backtest_k=0, cancel=cancel)
    with pytest.raises(ForecastError, match="0 or more"):
        run_forecast(_series(), TINY, backtest_k=-1)
    with pytest.raises(ForecastError, match="needs the hierarchy"):
        run_forecast(_series(), TINY, reconcile="ols")
    short = _series()
    short = short[short.node == "P2 / c"]
    with pytest.raises(ForecastError, match=r"No node can be forecast.*'P2 / c'"):
        run_forecast(short, TINY)


def test_next_period_labels() -> None:
    assert next_period_labels("2021-11", 3) == ["2021-12", "2022-01", "2022-02"]
    assert next_period_labels("2021-Q4", 2) == ["2022-Q1", "2022-Q2"]
    assert next_period_labels("2021", 2) == ["2022", "2023"]
    assert next_period_labels("week 7", 1) == ["week 7+1"]
