"""Single-echelon safety stock: textbook values, vectorisation, the loss function, time phasing."""

from __future__ import annotations

import doctest

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.engine.inventory import single_echelon as se

# The example: d = 100/period, σ_d = 20, L = 9 periods, σ_L = 2 periods.
# σ_X = sqrt(9·20² + 100²·2²) = sqrt(43 600) = 208.806130 units.
D, SD, L, SDL = 100.0, 20.0, 9.0, 2.0


def test_doctests():
    result = doctest.testmod(se)
    assert result.attempted >= 10
    assert result.failed == 0


def test_cycle_service_known_values():
    assert se.protection_sigma(D, SD, L, SDL) == pytest.approx(np.sqrt(43_600.0), rel=1e-15)
    assert se.safety_stock(0.95, D, SD, L, SDL) == pytest.approx(343.455521, abs=5e-7)
    assert se.safety_stock(0.95, D, SD, L, 0.0) == pytest.approx(98.691218, abs=5e-7)


def test_fill_rate_known_values():
    # G(k) = (1 - 0.98)·500 / 208.806130 = 0.047891 -> k = 1.276096, SS = k·σ_X.
    sigma = se.protection_sigma(D, SD, L, SDL)
    k = se.safety_factor_fill_rate(0.98, 500.0, sigma)
    assert k == pytest.approx(1.276096, abs=5e-7)
    assert se.loss_function(k) == pytest.approx(0.02 * 500.0 / sigma, rel=1e-12)
    ss = se.safety_stock(0.98, D, SD, L, SDL, service_type="fill_rate", order_qty=500.0)
    assert ss == pytest.approx(266.456741, abs=5e-7)


def test_periodic_review_protects_review_plus_lead_time():
    # (R, S) with R = 1, L = 8 protects 9 periods, as continuous review with L = 9.
    assert se.safety_stock(0.95, D, SD, 8.0, SDL, review_period=1.0) == pytest.approx(
        se.safety_stock(0.95, D, SD, 9.0, SDL), rel=1e-15)
    # fill rate defaults to the average (R, S) order Q = d·R
    assert se.safety_stock(0.98, D, SD, 4.0, 0.0, service_type="fill_rate",
                           review_period=5.0) == pytest.approx(
        se.safety_stock(0.98, D, SD, 9.0, 0.0, service_type="fill_rate", order_qty=500.0),
        rel=1e-12)


def test_vectorised_over_skus_with_mixed_service_types():
    n = 5
    out = se.safety_stock(np.array([0.95, 0.98, 0.95, 0.98, 0.9]), np.full(n, D), np.full(n, SD),
                          np.full(n, L), np.array([SDL, SDL, 0.0, SDL, SDL]),
                          service_type=np.array(["cycle", "fill_rate", "cycle", "fill_rate",
                                                 "cycle"]),
                          order_qty=np.array([1.0, 500.0, 1.0, 500.0, 1.0]))
    assert out.shape == (n,)
    assert out[:4] == pytest.approx([343.455521, 266.456741, 98.691218, 266.456741], abs=5e-7)
    assert out[4] == pytest.approx(1.2815515655446004 * np.sqrt(43_600.0), rel=1e-12)


def test_zero_sigma_gives_zero_and_negative_is_clipped():
    assert se.safety_stock(0.99, 100.0, 0.0, 3.0, 0.0) == 0.0
    assert se.safety_stock(0.9, 100.0, 0.0, 3.0, 0.0, service_type="fill_rate",
                           order_qty=100.0) == 0.0
    # a huge order meets a 90% fill rate on its own: k < 0, clipped unless asked not to
    raw = se.safety_stock(0.9, 100.0, 20.0, 1.0, service_type="fill_rate", order_qty=1e4,
                          clip=False)
    assert raw < 0
    assert se.safety_stock(0.9, 100.0, 20.0, 1.0, service_type="fill_rate",
                           order_qty=1e4) == 0.0


@settings(max_examples=60, deadline=None)
@given(st.floats(min_value=-6.0, max_value=6.0))
def test_inverse_loss_round_trip(k):
    g = float(se.loss_function(k))
    assert se.inverse_loss(g) == pytest.approx(k, abs=1e-8)


def test_loss_function_matches_numerical_integral():
    from scipy import integrate

    def density(z: float) -> float:
        return float(np.exp(-0.5 * z * z) / np.sqrt(2 * np.pi))

    for k in (-1.5, 0.0, 0.7, 2.3):
        value, _ = integrate.quad(lambda z, k=k: (z - k) * density(z), k, np.inf)
        assert se.loss_function(k) == pytest.approx(value, rel=1e-9)


def test_time_phased_follows_the_forecast_window():
    # L = 2, no lead-time variability: SS_t = z·sqrt(σ_{t+1}² + σ_{t+2}²); past the
    # horizon the last period repeats.
    sd = np.array([[10.0, 20.0, 30.0, 40.0]])
    ss = se.time_phased_safety_stock(0.95, np.full((1, 4), 50.0), sd, 2)
    z = 1.6448536269514722
    expected = z * np.sqrt([20**2 + 30**2, 30**2 + 40**2, 40**2 + 40**2, 40**2 + 40**2])
    assert ss[0] == pytest.approx(expected, rel=1e-12)


def test_time_phased_lead_time_variability_uses_window_mean():
    # L = 2, σ_L = 1: σ_X(0)² = 20² + 20² + ((100 + 300) / 2)²·1²
    mean = np.array([[0.0, 100.0, 300.0, 300.0]])
    sd = np.full((1, 4), 20.0)
    ss = se.time_phased_safety_stock(0.95, mean, sd, 2, 1)
    assert ss[0, 0] == pytest.approx(1.6448536269514722 * np.sqrt(800 + 200.0**2), rel=1e-12)


def test_time_phased_flat_equals_stationary_for_many_skus():
    n, h = 6, 8
    lt = np.array([0.0, 1.0, 2.5, 4.0, 9.0, 3.0])
    ss = se.time_phased_safety_stock(0.98, np.full((n, h), D), np.full((n, h), SD), lt, SDL,
                                     service_type="fill_rate", order_qty=500.0)
    flat = se.safety_stock(0.98, D, SD, lt, SDL, service_type="fill_rate", order_qty=500.0)
    assert ss == pytest.approx(np.repeat(flat[:, None], h, axis=1), rel=1e-12)


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"service": 1.0}, "strictly between"),
    ({"service": 0.9, "lead_time": -1.0}, ">= 0"),
    ({"service": 0.9, "service_type": "p3"}, "unknown service type"),
])
def test_input_checks(kwargs, message):
    args = {"service": 0.95, "mean": D, "sd": SD, "lead_time": L} | kwargs
    with pytest.raises(ValueError, match=message):
        se.safety_stock(**args)


def test_fill_rate_needs_positive_order_quantity():
    with pytest.raises(ValueError, match="order quantity"):
        se.safety_stock(0.98, D, SD, L, service_type="fill_rate", order_qty=0.0)


def test_fill_rate_without_mean_demand_takes_the_cycle_factor():
    # d = 0 with σ_d > 0 (a SKU whose forecast is zero but whose history varies): the
    # default Q = d·R is 0, G(k) = 0 has no finite root; k = Φ⁻¹(β) serves, per element
    out = se.safety_stock(np.array([0.98, 0.98]), np.array([0.0, D]), np.array([SD, SD]),
                          np.array([L, L]), 0.0, service_type="fill_rate", review_period=1.0)
    assert out[0] == pytest.approx(2.053748910631823 * SD * np.sqrt(L + 1.0), rel=1e-12)
    assert out[1] == pytest.approx(
        se.safety_stock(0.98, D, SD, L, 0.0, service_type="fill_rate", order_qty=D,
                        review_period=1.0), rel=1e-15)
