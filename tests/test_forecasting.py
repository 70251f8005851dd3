"""SKU forecasting: hand-computed method values, start indices, selection, sigma, UCI data."""

from __future__ import annotations

import doctest
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from app.engine.forecasting import (
    METHOD_NAMES,
    SEARCH,
    core,
    croston_sba,
    demand_profile,
    forecast_skus,
    holt_damped,
    holt_winters,
    intermittent,
    mase,
    methods,
    metrics,
    moving_average,
    naive,
    naive_scales,
    parameters,
    rmsse,
    rolling_origins,
    seasonal_naive,
    seasonality,
    selection,
    ses,
    smoothing,
    tsb,
)
from app.engine.forecasting.seasonality import is_seasonal

UCI = Path(__file__).resolve().parents[1] / "resources" / "uci_sales_weekly_wide.csv"
SPARSE = np.array([[0.0, 3, 0, 0, 5, 0, 4]])


@pytest.mark.parametrize("module", [core, intermittent, methods, metrics, parameters,
                                    seasonality, selection, smoothing])
def test_docstring_examples(module):
    assert doctest.testmod(module).failed == 0


# --- methods, step by step -------------------------------------------------------------

def test_ses_step_by_step():
    # ℓ0 = y0 = 10; e1 = 2 -> ℓ = 11; e2 = 0 -> 11; e3 = 2 -> 12 (α = 0.5)
    y = np.array([[10.0, 12.0, 11.0, 13.0]])
    one_step = [ses(y[:, :k], 1, alpha=0.5, init_periods=1)[0, 0] for k in range(1, 5)]
    assert one_step == pytest.approx([10.0, 11.0, 11.0, 12.0])
    # default initialisation: ℓ = mean of the first k = min(8, T) periods, errors after them
    assert ses(y, 2, alpha=0.5)[0] == pytest.approx([11.5, 11.5])


def test_holt_damped_step_by_step():
    # α 0.5, β* 0.4 (β = 0.2), φ 0.9; ℓ0 = 10, b0 = 0
    # t1: ŷ 10, e 2, ℓ 11, b 0.4; t2: ŷ 11.36, e 1.64, ℓ 12.18, b 0.688
    # t3: ŷ 12.7992, e 2.2008, ℓ 13.8996, b 1.05936
    y = np.array([[10.0, 12.0, 13.0, 15.0]])
    fc = holt_damped(y, 3, alpha=0.5, beta_star=0.4, phi=0.9, init_periods=1)[0]
    level, trend = 13.8996, 1.05936
    assert fc == pytest.approx([level + 0.9 * trend, level + 1.71 * trend,
                                level + 2.439 * trend])
    assert holt_damped(y[:, :3], 1, alpha=0.5, beta_star=0.4, phi=0.9,
                       init_periods=1)[0, 0] == pytest.approx(12.7992)


def test_holt_winters_step_by_step():
    # m 2: first season [10, 14] -> ℓ 12, b 0, s = (-2, +2); α 0.5, β* 0.2, γ 0.5, φ 1
    # t2: ŷ 10, e 2, ℓ 13, b 0.2, s0 -1; t3: ŷ 15.2, e 0.8, ℓ 13.6, b 0.28, s1 2.4
    # t4: ŷ 12.88, e 0.12, ℓ 13.94, b 0.292, s0 -0.94
    y = np.array([[10.0, 14.0, 12.0, 16.0, 13.0]])
    fc = holt_winters(y, 2, 3, alpha=0.5, beta_star=0.2, gamma=0.5, phi=1.0)[0]
    assert fc == pytest.approx([13.94 + 0.292 + 2.4, 13.94 + 2 * 0.292 - 0.94,
                                13.94 + 3 * 0.292 + 2.4])


def test_croston_sba_step_by_step():
    # α 0.2, no demand in the 1-period init window: the first demand (t1) sets z 3, p 2;
    # t4 (interval 3): z 3.4, p 2.2; t6 (interval 2): z 3.52, p 2.16; ŷ = 0.9 z / p
    assert croston_sba(SPARSE, 2, alpha=0.2, init_periods=1)[0] == pytest.approx(
        [0.9 * 3.52 / 2.16] * 2)
    # init window of 4 periods [0, 3, 0, 0]: z 3, p 4, last demand 2 periods ago
    # t4 (interval 3): z 3.4, p 3.8; t6 (interval 2): z 3.52, p 3.44
    assert croston_sba(SPARSE, 1, alpha=0.2, init_periods=4)[0, 0] == pytest.approx(
        0.9 * 3.52 / 3.44)


def test_tsb_step_by_step():
    # α 0.2, β 0.1; first demand at t1 sets z 3, p 1/2; then p decays by 10 % a period
    # without demand: 0.45, 0.405; t4: p 0.4645, z 3.4; t5: 0.41805; t6: 0.476245, z 3.52
    one_step = [tsb(SPARSE[:, :k], 1, alpha=0.2, beta=0.1, init_periods=1)[0, 0]
                for k in range(1, 8)]
    assert one_step == pytest.approx([0.0, 1.5, 1.35, 1.215, 0.4645 * 3.4, 0.41805 * 3.4,
                                      0.476245 * 3.52])


def test_naive_seasonal_naive_and_moving_average():
    y = np.array([[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0]])
    assert naive(y, 2)[0].tolist() == [7.0, 7.0]
    assert seasonal_naive(y, 3, 5)[0].tolist() == [5.0, 6.0, 7.0, 5.0, 6.0]
    assert moving_average(y, 1, 3)[0, 0] == pytest.approx(6.0)
    assert moving_average(y, 1, 30)[0, 0] == pytest.approx(4.0)   # shorter history: all of it


def test_too_short_histories_give_nan_from_single_methods():
    y = np.arange(1.0, 31.0)[None, :].repeat(2, axis=0)
    start = np.array([0, 25])
    assert np.isnan(holt_winters(y, 12, 3, start=start)[1]).all()
    assert np.isnan(seasonal_naive(y, 12, 3, start=start)[1]).all()
    assert np.isfinite(holt_winters(y, 12, 3, start=start)[0]).all()
    everything_late = np.array([0, 30])
    for method in (naive, ses, holt_damped, croston_sba, tsb):
        fc = method(y, 2, start=everything_late)
        assert np.isfinite(fc[0]).all() and np.isnan(fc[1]).all()


def test_searched_grid_picks_by_in_sample_error():
    rng = np.random.default_rng(1)
    walk = 100 + np.cumsum(rng.normal(0, 5, size=(1, 80)), axis=1)   # a random walk
    noise = 100 + rng.normal(0, 5, size=(1, 80))                      # white noise
    y = np.vstack([walk, noise])
    searched = ses(y, 1, alpha=SEARCH.ses_alpha)[:, 0]
    best = [min(SEARCH.ses_alpha, key=lambda a, i=i: _ses_sse(y[i], a)) for i in range(2)]
    assert searched == pytest.approx([ses(y[i:i + 1], 1, alpha=best[i])[0, 0]
                                      for i in range(2)])
    assert best[0] > best[1]          # the walk wants a fast level, the noise a slow one


def _ses_sse(y: np.ndarray, alpha: float) -> float:
    level, sse = y[:8].mean(), 0.0
    for value in y[8:]:
        sse += (value - level) ** 2
        level += alpha * (value - level)
    return sse


# --- panels: rows are independent, a start index equals trimming -----------------------

def _panel(seed: int = 3) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    t = np.arange(60)
    rows = [50 + 10 * np.sin(2 * np.pi * t / 12) + rng.normal(0, 2, 60),
            rng.poisson(3, 60) * (rng.random(60) < 0.3),
            20 + 0.5 * t + rng.normal(0, 1, 60),
            rng.gamma(2.0, 10.0, 60)]
    y = np.round(np.clip(np.array(rows), 0, None))
    start = np.array([0, 5, 17, 40])
    y[np.arange(60)[None, :] < start[:, None]] = 999.0     # garbage before the start
    return y, start


@pytest.mark.parametrize("method", [
    lambda y, s: naive(y, 5, start=s),
    lambda y, s: seasonal_naive(y, 12, 5, start=s),
    lambda y, s: moving_average(y, 5, (13, 4), start=s),
    lambda y, s: ses(y, 5, alpha=SEARCH.ses_alpha, start=s),
    lambda y, s: holt_damped(y, 5, start=s),
    lambda y, s: croston_sba(y, 5, start=s),
    lambda y, s: tsb(y, 5, alpha=(0.1, 0.3), beta=(0.1, 0.2), start=s),
])
def test_start_index_equals_trimmed_series(method):
    y, start = _panel()
    together = method(y, start)
    for i, s in enumerate(start):
        alone = method(y[i:i + 1, s:], None)
        assert together[i] == pytest.approx(alone[0])


def test_holt_winters_phases_follow_the_calendar():
    y, start = _panel()
    together = holt_winters(y[:3], 12, 5, start=start[:3])
    for i in range(3):
        assert together[i] == pytest.approx(holt_winters(y[i:i + 1, start[i]:], 12, 5)[0])


def test_selection_is_per_series_and_honours_start():
    y, start = _panel()
    together = forecast_skus(y, 8, 12, start)
    for i, s in enumerate(start):
        alone = forecast_skus(y[i:i + 1, s:], 8, 12)
        assert together.method[i] == alone.method[0]
        assert together.forecast[i] == pytest.approx(alone.forecast[0])
        assert together.sigma[i] == pytest.approx(alone.sigma[0])
        assert together.rmsse[i] == pytest.approx(alone.rmsse[0], nan_ok=True)


# --- selection --------------------------------------------------------------------------

def test_selection_picks_seasonal_methods_for_seasonal_series():
    rng = np.random.default_rng(5)
    t = np.arange(60)
    phase = rng.uniform(0, 2 * np.pi, size=(20, 1))
    y = 100 + 30 * np.sin(2 * np.pi * t / 12 + phase) + rng.normal(0, 3, size=(20, 60))
    result = forecast_skus(y, 12, season_length=12)
    assert is_seasonal(y, 12).all()
    assert set(result.method) <= {"holt_winters", "seasonal_naive"}
    truth = 100 + 30 * np.sin(2 * np.pi * np.arange(60, 72) / 12 + phase)
    assert np.abs(result.forecast - truth).mean() < 6.0


def test_selection_picks_intermittent_methods_for_intermittent_series():
    rng = np.random.default_rng(6)
    occurs = rng.random((40, 104)) < 0.2
    y = occurs * (1 + rng.poisson(4, size=(40, 104)))
    result = forecast_skus(y, 13, season_length=52)
    assert result.intermittent.all()
    assert set(result.method) <= {"croston_sba", "tsb", "moving_average", "ses"}
    assert {"croston_sba", "tsb"} & set(result.method)
    # a mean forecast, not the all-zero forecast MAE would favour: true mean 0.2 * 5 = 1
    assert result.forecast.mean() == pytest.approx(1.0, rel=0.25)
    assert (result.forecast > 0).all()


def test_selection_picks_a_trend_method_for_trending_series():
    rng = np.random.default_rng(7)
    y = 50 + 2.0 * np.arange(60) + rng.normal(0, 2, size=(10, 60))
    result = forecast_skus(y, 6)
    assert set(result.method) == {"holt_damped"}


def test_selection_keeps_ses_on_noise_and_sigma_is_the_noise():
    rng = np.random.default_rng(8)
    y = 100 + rng.normal(0, 10, size=(300, 104))
    result = forecast_skus(y, 13, season_length=52)
    assert (result.method == "ses").mean() > 0.9
    assert not result.intermittent.any()
    # one-step RMSE of SES (α 0.1) on white noise: σ sqrt(1 + α / (2 − α)) ≈ 10.26
    assert result.sigma.mean() == pytest.approx(10.26, rel=0.05)
    assert np.abs(result.bias).mean() < 3.0
    assert result.forecast.mean() == pytest.approx(100, rel=0.02)


def test_result_shapes_scores_and_naive_opt_in():
    y, start = _panel()
    result = forecast_skus(y, 20, 12, start, methods=METHOD_NAMES)
    n = len(y)
    assert result.forecast.shape == (n, 20)
    assert result.scores.shape == (n, len(METHOD_NAMES))
    assert result.method_names == METHOD_NAMES
    assert (result.forecast >= 0).all() and np.isfinite(result.sigma).all()
    chosen = [result.method_names.index(m) for m in result.method]
    # the last series starts 20 periods before the end: after the first origin, no holdout
    assert np.isfinite(result.scores[np.arange(3), chosen[:3]]).all()
    assert np.isnan(result.scores[3]).all() and result.method[3] == "moving_average"
    assert result.holdout == 13 and len(result.origins) == 3
    assert "naive" not in forecast_skus(y, 20, 12, start).method_names


def test_short_histories_fall_back_to_their_mean():
    y = np.zeros((3, 30))
    y[0, 29] = 6.0
    y[1, 26:] = [2.0, 4.0, 6.0, 8.0]
    result = forecast_skus(y, 4, start=np.array([29, 26, 30]))
    assert result.method.tolist() == ["moving_average", "moving_average", "moving_average"]
    assert result.forecast[:, 0].tolist() == [6.0, 5.0, 0.0]
    assert result.sigma.tolist() == pytest.approx([6.0, np.sqrt(5.0), 0.0])
    assert np.isnan(result.rmsse).all()


def test_rolling_origins_shrink_to_fit():
    assert rolling_origins(104, 13, 3) == ([81, 86, 91], 13)
    assert rolling_origins(39, 13, 3) == ([16, 21, 26], 13)
    assert rolling_origins(104, 13, 3, step=13) == ([65, 78, 91], 13)
    assert rolling_origins(3, 13, 3) == ([2], 1)
    assert rolling_origins(2, 13, 3) == ([], 0)


def test_metrics_and_profile_by_hand():
    err = np.array([[1.0, -3.0]])
    assert mase(err, np.array([2.0]))[0] == pytest.approx(1.0)
    assert rmsse(err, np.array([5.0]))[0] == pytest.approx(1.0)
    q1, q2 = naive_scales(np.array([[1.0, 3.0, 2.0], [5.0, 5.0, 5.0]]), np.zeros(2, int), 3)
    assert q1.tolist() == [1.5, 5.0] and q2.tolist() == [2.5, 25.0]
    profile = demand_profile(np.array([[0.0, 4.0, 0.0, 2.0], [1.0, 1.0, 2.0, 1.0]]))
    assert profile.adi.tolist() == [2.0, 1.0]
    assert profile.cv2 == pytest.approx([1 / 9, 0.12])   # sizes 4, 2 and 1, 1, 2, 1
    assert profile.intermittent.tolist() == [True, False]


def test_bad_arguments_are_refused():
    y = np.ones((2, 20))
    with pytest.raises(ValueError):
        forecast_skus(y, 4, criterion="mae")
    with pytest.raises(ValueError):
        forecast_skus(y, 4, methods=("prophet",))
    with pytest.raises(ValueError):
        forecast_skus(np.full((1, 5), np.nan), 4)
    with pytest.raises(ValueError):
        forecast_skus(y, 0)


# --- the real data: UCI weekly sales ----------------------------------------------------

@pytest.fixture(scope="module")
def uci() -> np.ndarray:
    frame = pd.read_csv(UCI)
    return frame[[c for c in frame.columns if c.startswith("W")]].to_numpy(dtype=float)


def _test_scores(uci: np.ndarray, fit: int, forecast: np.ndarray) -> tuple[float, float]:
    test = uci[:, fit:fit + 13]
    _, q2 = naive_scales(uci[:, :fit], np.zeros(len(uci), dtype=np.int64), fit)
    err = forecast - test
    return float(rmsse(err, q2).mean()), float(err.sum() / test.sum())


def test_uci_selection_beats_naive_and_moving_average(uci):
    fit = uci[:, :39]
    ours, bias = _test_scores(uci, 39, forecast_skus(fit, 13, season_length=52).forecast)
    naive_score, _ = _test_scores(uci, 39, naive(fit, 13))
    ma_score, _ = _test_scores(uci, 39, moving_average(fit, 13, 13))
    assert ours < 0.98 * ma_score < naive_score          # 0.858 vs 0.884 vs 1.050
    assert abs(bias) < 0.05                               # -2.5 % of test demand


def test_uci_selection_beats_moving_average_on_every_split(uci):
    for fit in (26, 30, 35, 39):
        ours, _ = _test_scores(uci, fit, forecast_skus(uci[:, :fit], 13, 52).forecast)
        ma_score, _ = _test_scores(uci, fit, moving_average(uci[:, :fit], 13, 13))
        assert ours < ma_score


def test_uci_all_zero_forecast_wins_mase_but_not_rmsse_on_intermittent_items(uci):
    fit, test = uci[:, :39], uci[:, 39:]
    result = forecast_skus(fit, 13, season_length=52)
    sparse = result.intermittent
    assert sparse.sum() > 200
    q1, q2 = naive_scales(fit, np.zeros(len(fit), dtype=np.int64), 39)
    ours = result.forecast[sparse] - test[sparse]
    zero = -test[sparse]
    assert mase(zero, q1[sparse]).mean() < mase(ours, q1[sparse]).mean()
    assert rmsse(ours, q2[sparse]).mean() < rmsse(zero, q2[sparse]).mean()
