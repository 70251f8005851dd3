"""Monte Carlo check of safety stocks: achieved service against the formulas, draws, invariants."""

from __future__ import annotations

import doctest

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import special

from app.engine.inventory import simulation as sim
from app.engine.inventory.demand_draws import DISTRIBUTIONS
from app.engine.inventory.gsm_tree import solve_tree
from app.engine.inventory.guaranteed_service import GsmNetwork
from app.engine.inventory.single_echelon import loss_function, safety_stock

# A spread of SKUs: mean demand 5..400 units/period, CV 0.1..0.3 (normal demand is then
# practically never clipped at 0), lead times 0..8 periods reviewed every period.
MEAN = np.array([5.0, 12.0, 40.0, 100.0, 100.0, 250.0, 400.0, 60.0, 8.0, 150.0])
SIGMA = MEAN * np.array([0.1, 0.3, 0.2, 0.2, 0.3, 0.15, 0.25, 0.3, 0.2, 0.1])
LEAD_TIME = np.array([0, 1, 2, 3, 4, 5, 6, 8, 2, 1])
EXPOSURE = LEAD_TIME + 1  # protection interval L + R with R = 1


def base_stock_for(alpha: float) -> np.ndarray:
    """S = d·(L + 1) + SS with SS from the single-echelon cycle-service formula."""
    ss = safety_stock(alpha, MEAN, SIGMA, LEAD_TIME, review_period=1.0)
    return MEAN * EXPOSURE + ss


def expected_short(mean, sigma, tau, level):
    """E[(X_m − S)⁺] for X_m ~ N(μ·m, σ²·m) (0 for m = 0)."""
    m = np.asarray(tau, dtype=float)
    sx = sigma * np.sqrt(m)
    k = np.where(sx > 0, (level - mean * m) / np.where(sx > 0, sx, 1.0), 0.0)
    return np.where(m > 0, sx * loss_function(k), 0.0)


def test_doctests():
    result = doctest.testmod(sim)
    assert result.attempted >= 6
    assert result.failed == 0


@pytest.mark.parametrize("alpha", [0.8, 0.9, 0.95, 0.98])
def test_cycle_service_matches_the_safety_stock_formula(alpha):
    res = sim.simulate_base_stock(MEAN, SIGMA, EXPOSURE, base_stock_for(alpha), runs=1000,
                                  seed=int(alpha * 100))
    assert np.all(np.abs(res.cycle_service - alpha) < 0.015), res.cycle_service
    # within sampling error too: 4 standard errors per SKU, tighter over all ten SKUs
    assert np.all(np.abs(res.cycle_service - alpha) < 4 * res.cycle_service_se + 1e-3)
    assert abs(res.cycle_service.mean() - alpha) < 0.005
    assert np.allclose(res.stockout_probability, 1 - res.cycle_service)
    assert np.all(res.cycle_service_se > 0) and np.all(res.cycle_service_se < 0.006)


@pytest.mark.parametrize("alpha", [0.8, 0.95])
def test_fill_rate_matches_the_loss_function(alpha):
    level = base_stock_for(alpha)
    res = sim.simulate_base_stock(MEAN, SIGMA, EXPOSURE, level, runs=1000, seed=7)
    # exact: E[short per period] = E[(X_τ − S)⁺] − E[(X_{τ−1} − S)⁺]
    short = (expected_short(MEAN, SIGMA, EXPOSURE, level)
             - expected_short(MEAN, SIGMA, EXPOSURE - 1, level))
    exact = 1 - short / MEAN
    assert np.all(np.abs(res.fill_rate - exact) < 4 * res.fill_rate_se + 1e-3)
    assert np.all(np.abs(res.fill_rate - exact) < 0.004)
    # textbook: shortage per cycle σ_X·G(k) with Q = d·R = d; it drops the second term and
    # so never promises more than is achieved (up to sampling error)
    sigma_x = SIGMA * np.sqrt(EXPOSURE)
    textbook = 1 - sigma_x * loss_function(special.ndtri(alpha)) / MEAN
    assert np.all(res.fill_rate > textbook - 0.003)
    assert np.all(np.abs(res.fill_rate - textbook) < 0.01)
    assert np.all(res.fill_rate_se > 0) and np.all(res.fill_rate_se < 0.003)


def test_average_on_hand_and_backorders_match_the_formulas():
    level = base_stock_for(0.9)
    res = sim.simulate_base_stock(MEAN, SIGMA, EXPOSURE, level, runs=1000, seed=11)
    backorders = expected_short(MEAN, SIGMA, EXPOSURE, level)  # σ_X·G(k)
    on_hand = level - MEAN * EXPOSURE + backorders  # SS + σ_X·G(k)
    # sampling error: overlapping windows leave about 52/τ independent periods per run
    sigma_x = SIGMA * np.sqrt(EXPOSURE)
    assert np.all(np.abs(res.average_on_hand - on_hand) < 0.05 * sigma_x)
    assert np.all(np.abs(res.average_backorders - backorders) < 0.02 * sigma_x)
    assert res.average_demand == pytest.approx(MEAN, rel=0.01)


def test_run_stockout_probability_with_independent_periods():
    # τ = 1: periods are independent, P(no stock-out in H periods) = α^H
    alpha, horizon = 0.95, 12
    level = 100 + special.ndtri(alpha) * 20
    res = sim.simulate_base_stock(100.0, 20.0, 1, level, periods=horizon, runs=4000, seed=2)
    assert res.run_stockout_probability[0] == pytest.approx(1 - alpha**horizon, abs=0.03)
    assert res.run_stockout_probability[0] >= res.stockout_probability[0]


def test_exposure_zero_has_no_risk():
    res = sim.simulate_base_stock([100.0, 10.0, 3.0], [30.0, 10.0, 5.0], 0, [0.0, 5.0, 2.0],
                                  distribution=["normal", "normal", "gamma"], runs=50, seed=1)
    assert res.cycle_service.tolist() == [1.0, 1.0, 1.0]
    assert res.fill_rate.tolist() == [1.0, 1.0, 1.0]
    assert res.stockout_probability.tolist() == [0.0, 0.0, 0.0]
    assert res.run_stockout_probability.tolist() == [0.0, 0.0, 0.0]
    assert res.cycle_service_se.tolist() == [0.0, 0.0, 0.0]
    assert res.average_on_hand.tolist() == [0.0, 5.0, 2.0]
    assert res.average_backorders.tolist() == [0.0, 0.0, 0.0]
    # expected demand: the normal clipped at 0 has mean μ + σ·G(μ/σ)
    assert res.average_demand == pytest.approx([100.0 + 30 * loss_function(100 / 30),
                                                10.0 + 10.0 * loss_function(1.0), 3.0])


def test_a_single_run_has_no_standard_error():
    res = sim.simulate_base_stock([10.0, 10.0], 3.0, [2, 0], 25.0, runs=1, seed=1)
    assert np.isnan(res.cycle_service_se[0]) and np.isnan(res.fill_rate_se[0])
    assert res.cycle_service_se[1] == 0.0


def test_no_skus():
    res = sim.simulate_base_stock(np.array([]), np.array([]), np.array([], dtype=int),
                                  np.array([]), runs=3)
    assert res.cycle_service.shape == (0,)
    assert sim.network_service(res) == 1.0


def test_constant_demand_is_exact():
    res = sim.simulate_base_stock(100.0, 0.0, [1, 4, 4], [100.0, 400.0, 399.0], runs=20)
    assert res.cycle_service.tolist() == [1.0, 1.0, 0.0]
    assert res.fill_rate == pytest.approx([1.0, 1.0, 0.99])
    assert res.average_on_hand.tolist() == [0.0, 0.0, 0.0]
    assert res.average_backorders == pytest.approx([0.0, 0.0, 1.0])
    assert res.run_stockout_probability.tolist() == [0.0, 0.0, 1.0]


def test_gsm_base_stocks_achieve_the_service_level():
    # serial line 0 -> 1 -> 2 -> 3, customer demand at 3 (μ = 100, σ = 20, 95 %)
    net = GsmNetwork(4, [0, 1, 2], [1, 2, 3], processing_time=[3, 2, 2, 1],
                     holding_cost=[1.0, 1.5, 3.0, 4.0], demand_sigma=[0, 0, 0, 20.0],
                     demand_mean=[0, 0, 0, 100.0], service_level=0.95,
                     external_inbound=[2, 0, 0, 0])
    sol = solve_tree(net)
    sigma = net.demand_bound / special.ndtri(0.95)  # pooled σ_j, one demand node
    res = sim.simulate_base_stock(net.pooled_mean, sigma, sol.tau, sol.base_stock, runs=1000,
                                  seed=5)
    stocked = sol.tau > 0
    assert stocked.any() and not stocked.all()
    assert np.all(np.abs(res.cycle_service[stocked] - 0.95) < 0.015)
    assert np.all(res.cycle_service[~stocked] == 1.0)


# --- demand draws ------------------------------------------------------------------------------


@pytest.mark.parametrize(("kind", "mean", "sigma"), [
    ("gamma", 5.0, 8.0),              # CV 1.6: shape < 1
    ("gamma", 200.0, 120.0),
    ("negative_binomial", 3.0, 4.0),  # inversion table
    ("negative_binomial", 0.4, 1.5),  # very lumpy
    ("negative_binomial", 3000.0, 3000.0),  # table too wide: rounded gamma
    ("negative_binomial", 1e9, 1e5),  # a huge mean: rounded gamma
])
def test_draws_have_the_requested_mean_and_variance(kind, mean, sigma):
    x = sim.draw_demand(mean, sigma, kind, 400_000, np.random.default_rng(3)).astype(float)
    assert x.dtype == float and np.all(x >= 0)
    n = x.size
    assert abs(x.mean() - mean) < 5 * sigma / np.sqrt(n)
    kurtosis = np.mean((x - x.mean()) ** 4) / x.var() ** 2
    assert abs(x.var() / sigma**2 - 1) < 5 * np.sqrt((kurtosis - 1) / n)
    if kind == "negative_binomial":
        assert np.all(x == np.round(x))


def test_count_draws_with_little_variance_are_poisson():
    x = sim.draw_demand(3.0, 1.0, "negative_binomial", 200_000, np.random.default_rng(4))
    assert x.mean() == pytest.approx(3.0, abs=0.02)
    assert x.var() == pytest.approx(3.0, rel=0.03)  # σ² <= μ: Poisson, variance μ


def test_normal_draws_are_clipped_at_zero():
    x = sim.draw_demand(10.0, 10.0, "normal", 400_000, np.random.default_rng(5))
    assert x.min() == 0.0
    assert x.mean() == pytest.approx(10.0 + 10.0 * loss_function(1.0), abs=0.05)


def test_simulated_demand_keeps_the_mean_for_lumpy_items():
    mean, sigma = np.array([5.0, 2.0, 50.0]), np.array([8.0, 3.0, 60.0])
    res = sim.simulate_base_stock(mean, sigma, 3, 3 * mean, distribution="auto", runs=2000,
                                  seed=8)
    assert res.distribution.tolist() == ["negative_binomial", "negative_binomial", "gamma"]
    assert res.average_demand == pytest.approx(mean, rel=0.02)


def test_auto_rule():
    kinds = sim.resolve_distribution([100, 100, 100, 4, 4, 40, 0, 7],
                                     [50, 51, 200, 6, 1.9, 60, 5, 0])
    assert kinds.tolist() == ["normal", "gamma", "gamma", "negative_binomial", "normal",
                              "gamma", "normal", "normal"]
    mixed = sim.resolve_distribution(5.0, 10.0, ["auto", "normal", "gamma"])
    assert mixed.tolist() == ["negative_binomial", "normal", "gamma"]


# --- reproducibility ---------------------------------------------------------------------------


def test_reproducible_by_seed_and_independent_of_workers():
    args = (MEAN, SIGMA, EXPOSURE, base_stock_for(0.9))
    kinds = np.array(["normal", "gamma", "negative_binomial", "auto", "normal"] * 2)
    one = sim.simulate_base_stock(*args, runs=40, seed=9, distribution=kinds)
    two = sim.simulate_base_stock(*args, runs=40, seed=9, distribution=kinds, workers=2)
    other = sim.simulate_base_stock(*args, runs=40, seed=10, distribution=kinds)
    for field in ("cycle_service", "fill_rate", "average_on_hand", "run_stockout_probability"):
        assert np.array_equal(getattr(one, field), getattr(two, field))
    assert not np.array_equal(one.average_on_hand, other.average_on_hand)


def test_a_skus_draws_do_not_depend_on_the_other_skus():
    base = sim.simulate_base_stock(MEAN, SIGMA, EXPOSURE, base_stock_for(0.9), runs=30, seed=4)
    mean, exposure = MEAN.copy(), EXPOSURE.copy()
    mean[3], exposure[5] = 7.0, 0
    edited = sim.simulate_base_stock(mean, SIGMA, exposure, base_stock_for(0.8), runs=30,
                                     seed=4)
    # base stock changes everywhere, but the demand drawn per SKU stays: common random numbers
    keep = np.ones(MEAN.size, dtype=bool)
    keep[[3, 5]] = False
    assert np.array_equal(base.average_demand[keep], edited.average_demand[keep])


def test_chunks_of_runs_give_the_same_answer(monkeypatch):
    args = (MEAN[:3], SIGMA[:3], EXPOSURE[:3], base_stock_for(0.9)[:3])
    whole = sim.simulate_base_stock(*args, runs=64, seed=6)
    monkeypatch.setattr(sim, "CHUNK_ELEMENTS", 100)
    chunked = sim.simulate_base_stock(*args, runs=64, seed=6)
    assert np.array_equal(whole.cycle_service, chunked.cycle_service)
    assert whole.average_on_hand == pytest.approx(chunked.average_on_hand, rel=1e-5)
    assert whole.fill_rate_se == pytest.approx(chunked.fill_rate_se, rel=1e-4)


# --- invariants --------------------------------------------------------------------------------

sku_count = st.integers(1, 4)


@st.composite
def networks(draw):
    n = draw(sku_count)
    floats = st.floats(0.0, 60.0, allow_nan=False)
    mean = np.array(draw(st.lists(floats, min_size=n, max_size=n)))
    sigma = np.array(draw(st.lists(st.floats(0.0, 40.0), min_size=n, max_size=n)))
    tau = np.array(draw(st.lists(st.integers(0, 6), min_size=n, max_size=n)))
    level = np.array(draw(st.lists(st.floats(0.0, 400.0), min_size=n, max_size=n)))
    kinds = draw(st.lists(st.sampled_from([*DISTRIBUTIONS, "auto"]), min_size=n,
                          max_size=n))
    return mean, sigma, tau, level, np.array(kinds)


@settings(max_examples=40, deadline=None)
@given(networks(), st.integers(1, 12), st.integers(1, 15), st.floats(0.0, 100.0),
       st.integers(0, 2**32 - 1))
def test_invariants(network, periods, runs, extra, seed):
    mean, sigma, tau, level, kinds = network
    res = sim.simulate_base_stock(mean, sigma, tau, level, periods=periods, runs=runs,
                                  distribution=kinds, seed=seed)
    for share in (res.cycle_service, res.fill_rate, res.stockout_probability,
                  res.run_stockout_probability):
        assert np.all((share >= 0) & (share <= 1))
    assert np.all(res.average_on_hand >= 0) and np.all(res.average_backorders >= 0)
    assert np.all(res.run_stockout_probability >= res.stockout_probability - 1e-12)
    assert np.all(res.average_demand >= 0)
    if runs > 1:
        assert np.all(res.cycle_service_se >= 0) and np.all(res.fill_rate_se >= 0)
    more = sim.simulate_base_stock(mean, sigma, tau, level + extra, periods=periods,
                                   runs=runs, distribution=kinds, seed=seed)
    assert np.all(more.cycle_service >= res.cycle_service)
    assert np.all(more.fill_rate >= res.fill_rate - 1e-12)
    assert np.all(more.average_on_hand >= res.average_on_hand - 1e-9)
    assert np.all(more.average_backorders <= res.average_backorders + 1e-9)
    assert np.array_equal(more.average_demand, res.average_demand)


# --- achieved against target -------------------------------------------------------------------


def test_standard_errors_are_calibrated():
    # z = (achieved − exact) / SE over 30 seeds × 10 SKUs has a standard deviation near 1
    level = base_stock_for(0.9)
    short = (expected_short(MEAN, SIGMA, EXPOSURE, level)
             - expected_short(MEAN, SIGMA, EXPOSURE - 1, level))
    z_cycle, z_fill = [], []
    for seed in range(30):
        res = sim.simulate_base_stock(MEAN, SIGMA, EXPOSURE, level, runs=100, seed=seed)
        z_cycle.append((res.cycle_service - 0.9) / res.cycle_service_se)
        z_fill.append((res.fill_rate - (1 - short / MEAN)) / res.fill_rate_se)
    for z in (np.array(z_cycle), np.array(z_fill)):
        assert abs(z.mean()) < 0.2
        assert 0.85 < z.std() < 1.15


def test_service_gap_and_network_service():
    level = base_stock_for(0.95)
    level[2] = MEAN[2] * EXPOSURE[2]  # no safety stock: about 50 %
    res = sim.simulate_base_stock(MEAN, SIGMA, EXPOSURE, level, runs=400, seed=12)
    gap = sim.service_gap(res, 0.95, confidence=0.999)  # 10 SKUs: few false alarms
    assert gap.shortfall.tolist() == [i == 2 for i in range(MEAN.size)]
    assert gap.gap[2] == pytest.approx(-0.45, abs=0.05)
    weights = res.average_demand
    assert gap.network_achieved == pytest.approx(
        np.dot(weights, res.cycle_service) / weights.sum())
    assert gap.network_target == pytest.approx(0.95)
    assert gap.network_gap < 0
    # network fill rate = units served from stock / units demanded
    fill = sim.network_service(res, "fill_rate")
    assert fill == pytest.approx(np.dot(weights, res.fill_rate) / weights.sum())
    assert sim.network_service(res, weights=np.eye(MEAN.size)[2]) == res.cycle_service[2]
    by_fill = sim.service_gap(res, np.full(MEAN.size, 0.9), measure="fill_rate")
    assert by_fill.standard_error is res.fill_rate_se


# --- progress and cancel -----------------------------------------------------------------------


@pytest.mark.parametrize("workers", [1, 2])
def test_progress_and_cancel(workers):
    seen = []
    sim.simulate_base_stock(MEAN, SIGMA, EXPOSURE, 100.0, runs=5, progress=seen.append,
                            workers=workers)
    assert seen[0] == 0.0 and seen[-1] == 1.0
    assert seen == sorted(seen)
    with pytest.raises(sim.SimulationCancelled):
        sim.simulate_base_stock(np.full(100, 10.0), 3.0, 2, 25.0, runs=5, workers=workers,
                                should_stop=lambda: True)


# --- input checks ------------------------------------------------------------------------------


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"sigma": -1.0}, "must be >= 0"),
    ({"mean": -5.0}, "must be >= 0"),
    ({"mean": [1.0, 2.0], "sigma": [1.0, 2.0, 3.0]}, "lengths differ: mean 2, sigma 3"),
    ({"base_stock": np.ones((2, 2))}, "base_stock must be a scalar or a 1-D array"),
    ({"exposure": 1.5}, "whole periods >= 0"),
    ({"exposure": -1}, "whole periods >= 0"),
    ({"base_stock": -1.0}, "base_stock must be >= 0"),
    ({"mean": np.nan}, "mean has missing or infinite values"),
    ({"distribution": "poisson"}, "unknown distribution 'poisson'"),
    ({"runs": 0}, "runs must be whole numbers >= 1"),
    ({"periods": 2.5}, "periods and runs must be whole numbers"),
    ({"workers": 0}, "workers must be"),
])
def test_invalid_input_is_refused(kwargs, message):
    args = {"mean": 10.0, "sigma": 2.0, "exposure": 2, "base_stock": 25.0} | kwargs
    with pytest.raises(ValueError, match=message):
        sim.simulate_base_stock(args.pop("mean"), args.pop("sigma"), args.pop("exposure"),
                                args.pop("base_stock"), **args)


def test_invalid_comparisons_are_refused():
    res = sim.simulate_base_stock(10.0, 2.0, 2, 25.0, runs=5)
    with pytest.raises(ValueError, match="unknown service measure"):
        sim.service_gap(res, 0.9, measure="turns")
    with pytest.raises(ValueError, match=r"target service must lie in \[0, 1\]"):
        sim.service_gap(res, 95.0)
    with pytest.raises(ValueError, match="weights must be finite"):
        sim.network_service(res, weights=-1.0)
    with pytest.raises(ValueError, match="mean and sigma must be finite"):
        sim.draw_demand(1.0, -1.0, "gamma", 5, np.random.default_rng())
