r"""Single-echelon statistical safety stock (``ss_model = statistical``), vectorised over SKUs.

Symbols (one value per SKU; arrays broadcast):

- d: mean demand per period (units/period); σ_d: its standard deviation per period;
- L: replenishment lead time (periods); σ_L: its standard deviation (periods);
- R: review period (periods; 0 = continuous review); P = R + L: protection interval;
- σ_X: standard deviation of demand over the protection interval (units),
  σ_X = sqrt(P·σ_d² + d²·σ_L²) (demand independent across periods and of the lead time);
- α: cycle service level (probability of no stock-out per replenishment cycle);
- β: fill rate (fraction of demand met from stock); Q: order quantity (units);
- k: safety factor; SS = k·σ_X (units).

Cycle service (α): k = z = Φ⁻¹(α). Fill rate (β): k solves G(k) = (1 − β)·Q / σ_X, where
G(k) = φ(k) − k·(1 − Φ(k)) is the standard normal loss function (expected units short per
unit of σ_X). For periodic review (R, S) the quantity ordered per review is on average
Q = d·R, which is the value to pass as ``order_qty``.

References: E. A. Silver, D. F. Pyke, D. J. Thomas, *Inventory and Production Management in
Supply Chains*, 4th ed., CRC Press, 2017, ch. 6 (safety stock for a cycle service level and
for a fill rate via G_u(k); lead-time variability combined as σ_X above); S. Axsäter,
*Inventory Control*, 3rd ed., Springer, 2015, ch. 5 (loss function, fill rate).

The example used throughout (d = 100, σ_d = 20, L = 9, σ_L = 2) has
σ_X = sqrt(9·20² + 100²·2²) = sqrt(43 600) = 208.806130 units.
"""

from __future__ import annotations

import numpy as np
from scipy import special

from app.engine.safety_stock import forward_cover

_SQRT_2PI = np.sqrt(2.0 * np.pi)


def safety_factor_cycle(alpha: np.ndarray | float) -> np.ndarray:
    r"""Safety factor k = z = Φ⁻¹(α) for a cycle service level α in (0, 1).

    >>> round(float(safety_factor_cycle(0.95)), 6)
    1.644854
    """
    a = np.asarray(alpha, dtype=float)
    if np.any((a <= 0.0) | (a >= 1.0)):
        raise ValueError("cycle service level must lie strictly between 0 and 1")
    return special.ndtri(a)


def protection_sigma(mean: np.ndarray | float, sd: np.ndarray | float,
                     lead_time: np.ndarray | float, lead_time_sd: np.ndarray | float = 0.0,
                     review_period: np.ndarray | float = 0.0) -> np.ndarray:
    r"""σ_X = sqrt((R + L)·σ_d² + d²·σ_L²), units over the protection interval R + L.

    >>> round(float(protection_sigma(100, 20, 9, 2)), 6)
    208.80613
    >>> round(float(protection_sigma(100, 20, 9)), 6)
    60.0
    """
    d, s, lt, slt, r = (np.asarray(x, dtype=float)
                        for x in (mean, sd, lead_time, lead_time_sd, review_period))
    if np.any(lt < 0) or np.any(r < 0) or np.any(s < 0) or np.any(slt < 0):
        raise ValueError("lead time, review period and standard deviations must be >= 0")
    return np.sqrt((r + lt) * s**2 + d**2 * slt**2)


def loss_function(k: np.ndarray | float) -> np.ndarray:
    r"""Standard normal loss G(k) = φ(k) − k·(1 − Φ(k)) = E[(Z − k)⁺], Z ~ N(0, 1).

    >>> round(float(loss_function(0.0)), 6)
    0.398942
    >>> round(float(loss_function(1.276096)), 6)
    0.047891
    """
    k = np.asarray(k, dtype=float)
    return _loss(k, special.ndtr(-k))


def _loss(k: np.ndarray, tail: np.ndarray) -> np.ndarray:
    """G(k) given its tail probability 1 − Φ(k) = Φ(−k) (computed once by the caller)."""
    return np.exp(-0.5 * k * k) / _SQRT_2PI - k * tail


def inverse_loss(g: np.ndarray | float, tol: float = 1e-12, max_iter: int = 100) -> np.ndarray:
    r"""k with G(k) = g, for g > 0 (vectorised Newton).

    G is convex and strictly decreasing with G'(k) = −(1 − Φ(k)) and G(k) ≥ max(0, −k).
    Newton started at k₀ = −g (where G(k₀) ≥ g) therefore stays left of the root and
    increases monotonically to it.

    >>> round(float(inverse_loss(0.02 * 500 / 208.80613017821)), 6)
    1.276096
    """
    g = np.asarray(g, dtype=float)
    if np.any(~(g > 0.0)):
        raise ValueError("the loss target must be > 0")
    k = -g.copy()
    for _ in range(max_iter):
        slope = special.ndtr(-k)  # −G'(k) = 1 − Φ(k) > 0
        step = (_loss(k, slope) - g) / slope
        k = k + step
        if (np.abs(step) <= tol * np.maximum(1.0, np.abs(k))).all():
            break
    return k


def safety_factor_fill_rate(beta: np.ndarray | float, order_qty: np.ndarray | float,
                            sigma: np.ndarray | float) -> np.ndarray:
    r"""Safety factor k solving G(k) = (1 − β)·Q / σ_X.

    β: fill rate in (0, 1); Q: order quantity (units, > 0); σ_X: protection-interval sigma.

    >>> round(float(safety_factor_fill_rate(0.98, 500, protection_sigma(100, 20, 9, 2))), 6)
    1.276096
    """
    b, q, s = (np.asarray(x, dtype=float) for x in (beta, order_qty, sigma))
    if np.any((b <= 0.0) | (b >= 1.0)):
        raise ValueError("fill rate must lie strictly between 0 and 1")
    if np.any(~(q > 0.0)) or np.any(~(s > 0.0)):
        raise ValueError("fill rate needs an order quantity > 0 and a sigma > 0")
    return inverse_loss((1.0 - b) * q / s)


def safety_stock(service: np.ndarray | float, mean: np.ndarray | float,
                 sd: np.ndarray | float, lead_time: np.ndarray | float,
                 lead_time_sd: np.ndarray | float = 0.0, *,
                 service_type: str = "cycle", order_qty: np.ndarray | float | None = None,
                 review_period: np.ndarray | float = 0.0, clip: bool = True) -> np.ndarray:
    r"""Safety stock SS = k·σ_X (units) per SKU, for a cycle service level or a fill rate.

    Parameters: ``service`` α (``service_type="cycle"``) or β (``"fill_rate"``; the type may
    also be an array of the two, one per SKU); ``mean`` d
    and ``sd`` σ_d per period; ``lead_time`` L and ``lead_time_sd`` σ_L in periods;
    ``review_period`` R (the protection interval is R + L); ``order_qty`` Q (fill rate only;
    default d·R, the average order of an (R, S) policy; where that is 0, as for a SKU with
    a zero mean but a demand sigma, the fill rate has no finite factor and the cycle factor
    Φ⁻¹(β) is used instead). ``clip``: negative results (a fill
    rate that the order quantity alone achieves) become 0. SKUs with σ_X = 0 get 0.

    Equations: cycle k = Φ⁻¹(α); fill rate G(k) = (1 − β)·Q/σ_X (Silver, Pyke & Thomas
    2017, ch. 6); σ_X = sqrt((R + L)·σ_d² + d²·σ_L²).

    >>> round(float(safety_stock(0.95, 100, 20, 9, 2)), 6)
    343.455521
    >>> round(float(safety_stock(0.95, 100, 20, 9, 0)), 6)
    98.691218
    >>> round(float(safety_stock(0.98, 100, 20, 9, 2, service_type="fill_rate",
    ...                          order_qty=500)), 6)
    266.456741
    >>> round(float(safety_stock(0.95, 100, 20, 8, 0, review_period=1)), 6)
    98.691218
    """
    sigma = protection_sigma(mean, sd, lead_time, lead_time_sd, review_period)
    return _safety_stock_from_sigma(service, sigma, mean, review_period, service_type,
                                    order_qty, clip)


def _safety_stock_from_sigma(service: np.ndarray | float, sigma: np.ndarray,
                             mean: np.ndarray | float, review_period: np.ndarray | float,
                             service_type: str | np.ndarray, order_qty: np.ndarray | float | None,
                             clip: bool) -> np.ndarray:
    """k·σ_X with k per element by its service type (str, or an array of them)."""
    kind = np.asarray(service_type)
    is_cycle, is_fill = kind == "cycle", kind == "fill_rate"
    unknown = ~(is_cycle | is_fill)
    if np.any(unknown):
        bad = kind[unknown] if kind.ndim else kind
        raise ValueError(f"unknown service type {np.ravel(bad)[0]!r} (cycle or fill_rate)")
    q = (np.asarray(mean, dtype=float) * np.asarray(review_period, dtype=float)
         if order_qty is None else np.asarray(order_qty, dtype=float))
    is_cycle, is_fill, svc, s, q = np.broadcast_arrays(
        is_cycle, is_fill, np.asarray(service, dtype=float), sigma, q)
    if order_qty is None:  # no demand on average (d = 0): no average order to fill from,
        no_order = is_fill & ~(q > 0)  # G(k) = 0 has no finite root; the cycle factor
        is_cycle, is_fill = is_cycle | no_order, is_fill & ~no_order  # at β serves instead
    k = np.zeros(s.shape)
    cycle = is_cycle & (s > 0)
    k[cycle] = safety_factor_cycle(svc[cycle])
    fill = is_fill & (s > 0)
    k[fill] = safety_factor_fill_rate(svc[fill], q[fill], s[fill])
    out = k * s
    return np.maximum(out, 0.0) if clip else out


def time_phased_safety_stock(service: np.ndarray | float, mean: np.ndarray, sd: np.ndarray,
                             lead_time: np.ndarray | float,
                             lead_time_sd: np.ndarray | float = 0.0, *,
                             service_type: str = "cycle",
                             order_qty: np.ndarray | float | None = None,
                             review_period: np.ndarray | float = 0.0,
                             clip: bool = True) -> np.ndarray:
    r"""(n, H) safety-stock target per SKU and period following a forecast.

    ``mean`` and ``sd`` are (n, H): forecast d_t and forecast-error σ_t per period. The target
    of period t protects the P = R + L periods after it (the same forward window as the
    days-of-supply model, fractional P allowed, periods past the horizon repeating the last):

        σ_X(t) = sqrt( Σ_{u=t+1..t+P} σ_u² + d̄_t²·σ_L² ),  d̄_t = (1/P)·Σ_{u=t+1..t+P} d_u,
        SS_t = k_t·σ_X(t)

    with k_t as in :func:`safety_stock` (for a fill rate, Q defaults to d̄_t·R). With a flat
    forecast this is the stationary formula:

    >>> ss = time_phased_safety_stock(0.95, np.full((1, 4), 100.0), np.full((1, 4), 20.0), 9, 2)
    >>> np.round(ss, 6).tolist()
    [[343.455521, 343.455521, 343.455521, 343.455521]]
    """
    mean = np.atleast_2d(np.asarray(mean, dtype=float))
    sd = np.atleast_2d(np.asarray(sd, dtype=float))
    if mean.shape != sd.shape:
        raise ValueError("mean and sd must have the same (n, H) shape")
    n = mean.shape[0]
    lt, slt, r = (np.broadcast_to(np.asarray(x, dtype=float), (n,))
                  for x in (lead_time, lead_time_sd, review_period))
    if np.any(lt < 0) or np.any(r < 0) or np.any(slt < 0) or np.any(sd < 0):
        raise ValueError("lead time, review period and standard deviations must be >= 0")
    p = lt + r
    var = forward_cover(sd**2, p)
    rate = np.where(p[:, None] > 0, forward_cover(mean, p) / np.where(p > 0, p, 1.0)[:, None],
                    mean)
    sigma = np.sqrt(var + rate**2 * slt[:, None] ** 2)
    q = None if order_qty is None else np.broadcast_to(
        np.asarray(order_qty, dtype=float), (n,))[:, None]
    svc = np.broadcast_to(np.asarray(service, dtype=float), (n,))[:, None]
    kind = np.asarray(service_type)
    kind = kind[:, None] if kind.ndim == 1 else kind
    return _safety_stock_from_sigma(svc, sigma, rate, r[:, None], kind, q, clip)
