"""Scalers: fitted on the training part only, exact inverse, differencing, persistence."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from forecasting.errors import ForecastError
from forecasting.scaling import Scaler
from forecasting.scaling_fit import fit_scaler, subset_scaler
from forecasting.windows import origin_windows, training_windows

RNG = np.random.default_rng(3)


def _panel(n: int = 3, t: int = 20) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    scale = 10.0 ** np.arange(n)[:, None]
    target = RNG.normal(size=(n, t)).cumsum(axis=1) * scale + 5 * scale
    cov = np.abs(RNG.normal(size=(n, t))) * scale * 100
    start = np.zeros(n, dtype=np.int64)
    target[2, :4] = np.nan
    cov[2, :4] = np.nan
    start[2] = 4
    return target, cov, start


@pytest.mark.parametrize("kind", ["standard", "minmax", "window", "es"])
@pytest.mark.parametrize("difference", [False, True])
def test_windows_scale_and_invert_back_to_currency(kind: str, difference: bool) -> None:
    target, cov, start = _panel()
    sc = fit_scaler(target, cov, fit_end=14, kind=kind, difference=difference)
    zt, zc = sc.transform(target, cov)
    w = training_windows(zt, zc, sc.start(start), 4, 3, upto=20)
    shifted, offset = sc.relative(w)
    raw_last = target[w.node, w.origin]
    back = sc.inverse(shifted.target, w.node, offset, raw_last)
    expected = np.stack([target[i, o + 1 : o + 4] for i, o in zip(w.node, w.origin, strict=True)])
    np.testing.assert_allclose(back, expected, rtol=1e-12, atol=1e-9)


def test_fit_uses_only_the_training_periods() -> None:
    target, cov, _ = _panel()
    sc = fit_scaler(target, cov, fit_end=10, kind="standard")
    changed = target.copy()
    changed[:, 10:] *= 1000.0
    again = fit_scaler(changed, cov, fit_end=10, kind="standard")
    np.testing.assert_array_equal(sc.target_loc, again.target_loc)
    np.testing.assert_array_equal(sc.target_scale, again.target_scale)
    np.testing.assert_allclose(sc.target_loc[0], np.mean(target[0, :10]))
    np.testing.assert_allclose(sc.target_scale[0], np.std(target[0, :10]))


def test_minmax_maps_the_training_range_to_minus_one_one() -> None:
    target, cov, _ = _panel()
    sc = fit_scaler(target, cov, fit_end=20, kind="minmax")
    zt, zc = sc.transform(target, cov)
    assert np.nanmin(zt, axis=1) == pytest.approx([-1.0] * 3)
    assert np.nanmax(zt, axis=1) == pytest.approx([1.0] * 3)
    assert np.nanmax(np.abs(zc)) == pytest.approx(1.0)


def test_nodes_of_very_different_sizes_land_on_one_footing() -> None:
    target, cov, _ = _panel()
    zt, _ = fit_scaler(target, cov, fit_end=20).transform(target, cov)
    np.testing.assert_allclose(np.nanstd(zt, axis=1), 1.0)


def test_flat_series_do_not_divide_by_zero() -> None:
    target = np.full((1, 8), 250.0)
    sc = fit_scaler(target, target, fit_end=8, kind="minmax")
    zt, _ = sc.transform(target, target)
    assert np.isfinite(zt).all()
    w = origin_windows(zt, zt, 3, 2, origin=5)
    back = sc.inverse(w.target, w.node, np.zeros(1), target[:, 5])
    np.testing.assert_allclose(back, 250.0)


def test_state_round_trips_through_json_and_subsets() -> None:
    target, cov, _ = _panel()
    sc = fit_scaler(target, cov, fit_end=12, kind="window", difference=True)
    again = Scaler.from_dict(json.loads(json.dumps(sc.to_dict())))
    for a, b in zip(
        (sc.target_loc, sc.target_scale, sc.cov_loc, sc.cov_scale),
        (again.target_loc, again.target_scale, again.cov_loc, again.cov_scale),
        strict=True,
    ):
        np.testing.assert_array_equal(a, b)
    assert (again.kind, again.difference) == ("window", True)
    sub = subset_scaler(sc, np.array([2, 0]))
    assert sub.target_scale.tolist() == [sc.target_scale[2], sc.target_scale[0]]


def test_bad_state_and_kind_are_forecast_errors() -> None:
    with pytest.raises(ForecastError, match="incomplete"):
        Scaler.from_dict({"kind": "standard"})
    target, cov, _ = _panel()
    state = fit_scaler(target, cov, fit_end=12).to_dict()
    state["target_scale"][0] = 0.0
    with pytest.raises(ForecastError, match="invalid scales"):
        Scaler.from_dict(state)
    with pytest.raises(ForecastError, match="Unknown scaler"):
        fit_scaler(target, cov, fit_end=12, kind="robust")


@settings(max_examples=40, deadline=None)
@given(
    values=st.lists(
        st.floats(min_value=-1e9, max_value=1e9, allow_nan=False), min_size=8, max_size=30
    ),
    kind=st.sampled_from(["standard", "minmax", "window", "es"]),
    difference=st.booleans(),
)
def test_round_trip_property(values: list[float], kind: str, difference: bool) -> None:
    target = np.asarray(values)[None, :]
    cov = np.abs(target) + 1.0
    sc = fit_scaler(target, cov, fit_end=len(values) - 2, kind=kind, difference=difference)
    zt, zc = sc.transform(target, cov)
    w = training_windows(zt, zc, sc.start(np.array([0])), 3, 2, upto=len(values))
    shifted, offset = sc.relative(w)
    back = sc.inverse(shifted.target, w.node, offset, target[0, w.origin])
    expected = np.stack([target[0, o + 1 : o + 3] for o in w.origin])
    np.testing.assert_allclose(back, expected, rtol=1e-9, atol=1e-9 * (1 + np.abs(target).max()))


def _seasonal(n: int = 3, t: int = 40) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Quarterly series that change sign: an additive season, a trend and noise, sizes 1 to 100."""
    steps = np.arange(t)
    season = np.array([5.0, -2.0, -6.0, 3.0])
    target = np.stack(
        [
            (10.0**i) * (season[steps % 4] + 0.2 * steps - 4 + RNG.normal(0, 0.5, t))
            for i in range(n)
        ]
    )
    return target, np.zeros_like(target), steps % 4


@pytest.mark.parametrize("difference", [False, True])
def test_es_inverse_is_exact_with_the_season_put_back(difference: bool) -> None:
    target, cov, pos = _seasonal()
    sc = fit_scaler(
        target, cov, fit_end=30, kind="es", difference=difference, positions=pos, season=4
    )
    assert sc.season is not None and np.abs(sc.season).max() > 0
    zt, zc = sc.transform(target, cov, pos)
    w = training_windows(zt, zc, sc.start(np.zeros(3, dtype=np.int64)), 6, 4, upto=40)
    shifted, offset = sc.relative(w)
    ahead = pos[w.origin[:, None] + np.arange(1, 5)[None, :]]
    back = sc.inverse(shifted.target, w.node, offset, target[w.node, w.origin], positions=ahead)
    expected = np.stack([target[i, o + 1 : o + 5] for i, o in zip(w.node, w.origin, strict=True)])
    np.testing.assert_allclose(back, expected, rtol=1e-12, atol=1e-9)


def test_es_is_fitted_on_the_training_part_only_and_round_trips() -> None:
    target, cov, pos = _seasonal()
    sc = fit_scaler(target, cov, fit_end=24, kind="es", positions=pos, season=4)
    changed = target.copy()
    changed[:, 24:] = -changed[:, 24:] * 50.0
    again = fit_scaler(changed, cov, fit_end=24, kind="es", positions=pos, season=4)
    for a, b in ((sc.season, again.season), (sc.alpha, again.alpha)):
        assert a is not None and b is not None
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(sc.target_scale, again.target_scale)
    # the scale is a typical step, so nodes 1, 10 and 100 times larger get 1, 10 and 100 times it
    np.testing.assert_allclose(sc.target_scale / sc.target_scale[0], [1.0, 10.0, 100.0], rtol=0.5)
    state = Scaler.from_dict(json.loads(json.dumps(sc.to_dict())))
    assert state.alpha is not None and state.season is not None and sc.season is not None
    np.testing.assert_array_equal(state.season, sc.season)
    sub = subset_scaler(sc, np.array([2]))
    assert sub.season is not None and sub.season.tolist() == [sc.season[2].tolist()]
    broken = sc.to_dict()
    del broken["season"]
    with pytest.raises(ForecastError, match="'es' scaler state is incomplete"):
        Scaler.from_dict(broken)


def test_es_needs_the_positions_of_a_seasonal_calendar() -> None:
    target, cov, _ = _seasonal()
    with pytest.raises(ForecastError, match="season position"):
        fit_scaler(target, cov, fit_end=24, kind="es", season=4)


def _growing() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Node 0 grows 10 % a period with a multiplicative season; node 1 changes sign."""
    steps = np.arange(24)
    season = np.array([1.2, 0.9, 1.1, 0.8])[steps % 4]
    grow = 100.0 * 1.1**steps * season
    swing = np.sin(steps) * 5.0
    target = np.stack([grow, swing])
    return target, np.zeros_like(target), steps % 4


def test_log_floors_pick_only_the_nodes_above_zero() -> None:
    target, cov, pos = _growing()
    sc = fit_scaler(target, cov, fit_end=16, kind="es", positions=pos, season=4, log=True)
    assert sc.log is not None
    # node 0: 1e-3 times its smallest training value; node 1 (changes sign): not logged
    np.testing.assert_allclose(sc.log, [target[0, :16].min() * 1e-3, 0.0])
    assert fit_scaler(target[1:], cov[1:], fit_end=16, kind="standard", log=True).log is None
    assert fit_scaler(target, cov, fit_end=16, kind="es", positions=pos, season=4).log is None


def test_log_makes_growth_and_a_multiplicative_season_a_constant_step() -> None:
    target, cov, pos = _growing()
    sc = fit_scaler(target, cov, fit_end=16, kind="es", positions=pos, season=4, log=True)
    zt, _ = sc.transform(target, cov, pos)
    # in logs the season is additive and is taken out exactly, leaving a constant growth step
    steps = np.diff(zt[0])
    np.testing.assert_allclose(steps, steps[0], rtol=1e-9)
    assert sc.season is not None
    np.testing.assert_allclose(
        sc.season[0], np.log([1.2, 0.9, 1.1, 0.8]) - np.log([1.2, 0.9, 1.1, 0.8]).mean()
    )


@pytest.mark.parametrize("difference", [False, True])
def test_log_inverse_is_exact_and_round_trips(difference: bool) -> None:
    target, cov, pos = _growing()
    sc = fit_scaler(
        target, cov, fit_end=16, kind="es", difference=difference, positions=pos, season=4, log=True
    )
    zt, zc = sc.transform(target, cov, pos)
    w = training_windows(zt, zc, sc.start(np.zeros(2, dtype=np.int64)), 5, 3, upto=24)
    shifted, offset = sc.relative(w)
    ahead = pos[w.origin[:, None] + np.arange(1, 4)[None, :]]
    back = sc.inverse(shifted.target, w.node, offset, target[w.node, w.origin], positions=ahead)
    expected = np.stack([target[i, o + 1 : o + 4] for i, o in zip(w.node, w.origin, strict=True)])
    np.testing.assert_allclose(back, expected, rtol=1e-10, atol=1e-9)
    state = Scaler.from_dict(json.loads(json.dumps(sc.to_dict())))
    assert state.log is not None and sc.log is not None
    np.testing.assert_array_equal(state.log, sc.log)
    sub = subset_scaler(sc, np.array([1, 0]))
    assert sub.log is not None and sub.log.tolist() == [0.0, sc.log[0]]


def test_log_floors_a_later_value_at_zero_and_rejects_bad_state() -> None:
    target, cov, pos = _growing()
    sc = fit_scaler(target, cov, fit_end=16, kind="es", positions=pos, season=4, log=True)
    later = target.copy()
    later[0, 20] = -5.0
    zt, _ = sc.transform(later, cov, pos)
    assert np.isfinite(zt).all()
    assert sc.log is not None
    assert sc.to_log(later)[0, 20] == pytest.approx(np.log(sc.log[0]))
    bad = sc.to_dict()
    bad["log"] = [1.0]
    with pytest.raises(ForecastError, match="log state is malformed"):
        Scaler.from_dict(bad)
    old = sc.to_dict()
    del old["log"]
    assert Scaler.from_dict(old).log is None
