r"""Monte Carlo check of safety-stock recommendations: base-stock policy under random demand.

Each SKU runs a periodic-review base-stock (order-up-to) policy with review period R = 1,
backorders allowed, for ``periods`` periods in each of ``runs`` independent runs. Symbols
(one value per SKU; arrays broadcast):

- μ, σ: mean and standard deviation of demand per period (units/period);
- τ: replenishment exposure (whole periods >= 0): the periods of demand the base stock must
  cover. For a single-echelon SKU τ = L + R = L + 1 (lead time plus review period); for a
  guaranteed-service stage τ_j = SI_j + T_j − S_j (net replenishment time);
- S: base-stock (order-up-to) level (units); SS = S − μ·τ is the safety stock it holds;
- X_t = D_{t−τ+1} + … + D_t: demand over the exposure ending in period t (X_t = 0 for τ = 0);
  under normal demand X_t ~ N(μ·τ, σ_X²) with σ_X = σ·sqrt(τ);
- NI_t: net inventory at the end of period t (on hand − backorders).

Events in period t: (1) review: order D_{t−1}, which puts the inventory position back at S;
(2) the order placed τ − 1 periods earlier arrives; (3) demand D_t is served from stock or
backordered (backorders are filled first come, first served); (4) NI_t is counted.
Everything ordered by the review of period t − τ + 1 (when the position was S) has then
arrived and nothing ordered later has, so in steady state

    NI_t = S − X_t.

The simulation starts in steady state: the τ − 1 periods of demand before the first period
are drawn too, so no warm-up periods need discarding. τ = 0 means demand is replenished
within the period (a GSM stage quoting its full replenishment time): NI_t = S and there is
no risk; such SKUs are not simulated (cycle service and fill rate 1, on hand S).

What is measured per SKU (over all runs and periods):

- cycle service α̂ = share of periods with NI_t >= 0 (with R = 1 each period is a
  replenishment cycle); its run-to-run standard error ``cycle_service_se``;
- fill rate β̂ = 1 − Σ s_t / Σ D_t with s_t = min(D_t, (−NI_t)⁺), the units of period t's
  demand newly backordered (1 when nothing was demanded); ``fill_rate_se`` is the standard
  error of this ratio estimator across runs (delta method);
- average on hand E[(NI)⁺] and average backorders E[(−NI)⁺] (units);
- stock-out probability per period = 1 − α̂, and per run: the share of runs with at least
  one stock-out period among the ``periods`` (the chance a horizon passes with a stock-out).

Analytic check (normal demand, no truncation). P(NI_t >= 0) = P(X_t <= S) = Φ((S − μτ)/σ_X),
so with S = μ·τ + z·σ·sqrt(τ) the cycle service is Φ(z) = α: exactly the single-echelon
formula SS = z·σ_X with the protection interval P = L + R (``single_echelon.safety_stock``
with ``review_period=1``) and the GSM safety stock SS_j = k_j·σ_j·sqrt(τ_j). Further,
s_t = (X_t − S)⁺ − (X_t − D_t − S)⁺, hence

    E[s] = σ_X·G(k_τ) − σ_{X'}·G(k_{τ−1}),   k_m = (S − μ·m)/(σ·sqrt(m)),  σ_{X'} = σ·sqrt(τ − 1)
    β = 1 − E[s]/μ,   E[(NI)⁺] = SS + σ_X·G(k_τ),

with G the standard normal loss function. The textbook estimate of the shortage per cycle,
σ_X·G(k) (Silver, Pyke & Thomas 2017, ch. 6), drops the second term: it slightly
understates the fill rate when k is low. With τ = 1 the periods are independent and the
chance of a stock-out in a run of H periods is 1 − α^H.

Demand distributions (``distribution``, one name or one per SKU):

- ``"normal"``: N(μ, σ²) clipped at 0 (no negative demand). Clipping raises the mean to
  μ + σ·G(μ/σ) and lowers the variance: +0.4 % of μ at CV = σ/μ = 0.5, +8.3 % at CV = 1.
  That is why erratic items use a distribution on [0, ∞) with the requested moments:
- ``"gamma"``: shape μ²/σ², scale σ²/μ (mean μ, variance σ², continuous);
- ``"negative_binomial"``: whole units, r = μ²/(σ² − μ), p = μ/σ² (mean μ, variance σ²);
  it needs σ² > μ: for 0 < σ² <= μ it becomes Poisson(μ) (variance μ rather than σ²).
  Drawn by inverting its distribution function (a guide table up to the 1 − 10⁻¹²
  quantile); when that quantile passes 32,768 units, whole units no longer matter and the
  gamma with the same mean and variance is drawn, rounded to whole units;
- ``"auto"``: per SKU by the coefficient of variation CV = σ/μ: normal when CV <= 0.5
  (below 2.3 % chance of a negative draw), otherwise negative binomial for slow movers
  (μ < 10 units/period and σ² > μ: lumpy counts, where whole units matter), else gamma.

σ = 0 gives constant demand μ under every distribution; μ = 0 gives no demand. A gamma with
shape above 10⁶ (CV < 0.001) is drawn from its normal limit, and parameters so extreme that
they under- or overflow single precision give constant demand μ.

Demand and stock are float32 (relative precision about 10⁻⁷ of the demand summed over a
run); per-run figures are summed across runs in float64.

Random numbers: each SKU draws from its own stream, ``default_rng`` of the ``seed``'s
j-th spawned child (``np.random.SeedSequence(seed).spawn(n)``). A SKU's draws thus depend
only on the seed, its position j and its own μ, σ, τ and distribution — not on its base
stock, the other SKUs or the number of workers. Re-running a scenario with the same seed
therefore compares base stocks under common random numbers.

Notebook use (single echelon: τ = L + 1; GSM: the solution's τ_j and base stocks)::

    ss = safety_stock(0.95, d, sigma_d, L, review_period=1)
    res = simulate_base_stock(d, sigma_d, L + 1, d * (L + 1) + ss, seed=1)
    service_gap(res, 0.95).shortfall          # SKUs that miss 95 % beyond sampling error
    sol = solve(net)                          # σ_j = k_j·σ_j / z with one service level z
    res = simulate_base_stock(net.pooled_mean, net.demand_bound / z, sol.tau, sol.base_stock)

References: E. A. Silver, D. F. Pyke, D. J. Thomas, *Inventory and Production Management
in Supply Chains*, 4th ed., CRC Press, 2017, ch. 6; S. Axsäter, *Inventory Control*, 3rd ed.,
Springer, 2015, ch. 5 (base-stock policies, loss function); S. C. Graves, S. P. Willems,
*M&SOM* 2(1):68-83, 2000 (net replenishment time τ_j and base stock μ_j·τ_j + SS_j).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
from scipy import special

from app.engine.inventory.demand_draws import (
    DemandSampler,
    expected_demand,
    resolve,
)

Progress = Callable[[float], None]
ShouldStop = Callable[[], bool]

#: elements (runs × periods, float32) simulated at once per SKU; bounds the memory
CHUNK_ELEMENTS = 1 << 20
#: seconds between two ``progress`` calls
REPORT_EVERY = 0.05


class SimulationCancelled(Exception):
    """``should_stop()`` returned True: the simulation stopped before the end."""


@dataclass(frozen=True, eq=False)
class SimulationResult:
    """Per-SKU results of :func:`simulate_base_stock` (arrays of length n; shares in [0, 1]).

    ``stockout_probability`` is per period (1 − cycle service); ``run_stockout_probability``
    the share of runs of ``periods`` periods with at least one stock-out period.
    ``average_demand`` is the simulated mean demand per period (after clipping at 0; the
    expected value for SKUs with exposure 0, which are not simulated). ``distribution`` holds
    the distribution actually drawn per SKU ("auto" resolved). Standard errors are NaN for a
    single run (0 for SKUs with exposure 0).
    """

    cycle_service: np.ndarray
    cycle_service_se: np.ndarray
    fill_rate: np.ndarray
    fill_rate_se: np.ndarray
    average_on_hand: np.ndarray
    average_backorders: np.ndarray
    stockout_probability: np.ndarray
    run_stockout_probability: np.ndarray
    average_demand: np.ndarray
    distribution: np.ndarray
    runs: int
    periods: int


@dataclass(frozen=True, eq=False)
class ServiceGap:
    """Achieved against target service (see :func:`service_gap`).

    ``gap`` = achieved − target per SKU (negative: short of target); ``shortfall`` marks the
    SKUs short of target beyond sampling error (gap < −z·SE); ``network_*`` are
    demand-weighted averages over the SKUs.
    """

    measure: str
    achieved: np.ndarray
    target: np.ndarray
    gap: np.ndarray
    standard_error: np.ndarray
    shortfall: np.ndarray
    network_achieved: float
    network_target: float

    @property
    def network_gap(self) -> float:
        """Demand-weighted achieved − target service of the network."""
        return self.network_achieved - self.network_target


def resolve_distribution(mean: np.ndarray | float, sigma: np.ndarray | float,
                         distribution: str | np.ndarray = "auto") -> np.ndarray:
    r"""The demand distribution per SKU, with ``"auto"`` resolved by CV = σ/μ.

    ``auto``: normal when σ = 0, μ = 0 or CV <= 0.5; negative binomial when CV > 0.5,
    μ < 10 and σ² > μ; gamma otherwise (CV > 0.5).

    >>> resolve_distribution([100, 100, 4, 40], [20, 80, 6, 60]).tolist()
    ['normal', 'gamma', 'negative_binomial', 'gamma']
    """
    mu, sd, kind = _broadcast(("mean", mean), ("sigma", sigma), ("distribution", distribution))
    return resolve(mu.astype(float), sd.astype(float), kind.astype(str))


def draw_demand(mean: float, sigma: float, distribution: str, size: int | tuple[int, ...],
                rng: np.random.Generator) -> np.ndarray:
    """Demand per period of one SKU (float32, units >= 0), drawn as the simulation draws it.

    ``distribution`` is one of ``normal``, ``gamma``, ``negative_binomial`` or ``auto``.
    """
    kind = str(resolve_distribution(mean, sigma, distribution)[0])
    mu, sd = float(mean), float(sigma)
    if not (math.isfinite(mu) and math.isfinite(sd)) or mu < 0 or sd < 0:
        raise ValueError("mean and sigma must be finite and >= 0")
    out = np.empty(size, dtype=np.float32)
    DemandSampler.build(kind, np.array([mu]), np.array([sd]))[0].draw(rng, out.reshape(-1))
    return out


def simulate_base_stock(mean: np.ndarray | float, sigma: np.ndarray | float,
                        exposure: np.ndarray | int, base_stock: np.ndarray | float, *,
                        periods: int = 52, runs: int = 500,
                        distribution: str | np.ndarray = "normal",
                        seed: int | np.random.SeedSequence | None = None, workers: int = 1,
                        progress: Progress | None = None,
                        should_stop: ShouldStop | None = None) -> SimulationResult:
    r"""Simulate a base-stock policy per SKU: achieved service, fill rate, on hand, stock-outs.

    Parameters (scalars broadcast; arrays have one value per SKU): ``mean`` μ and ``sigma`` σ
    of demand per period (units); ``exposure`` τ in whole periods >= 0 (L + 1 for a
    single-echelon SKU reviewed every period, τ_j for a GSM stage); ``base_stock`` S >= 0
    (units, μ·τ + SS); ``periods`` H measured per run and ``runs`` N; ``distribution`` as in
    the module notes; ``seed`` for reproducible draws (see the module notes on streams);
    ``workers`` threads (results do not depend on it); ``progress(fraction)`` is called now
    and then; ``should_stop()`` is polled between SKUs and raises
    :class:`SimulationCancelled`.

    Per SKU and run, NI_t = S − X_t for t = 1..H, from cumulative sums of the drawn demand;
    SKUs are simulated one after another in chunks of runs (at most about
    ``CHUNK_ELEMENTS`` numbers in memory per worker).

    At S = μτ + z·σ·sqrt(τ) the cycle service is Φ(z) up to sampling error:

    >>> res = simulate_base_stock(100.0, 20.0, 9, 900 + 1.644854 * 60, runs=400, seed=1)
    >>> bool(abs(res.cycle_service[0] - 0.95) < 3 * res.cycle_service_se[0] + 0.005)
    True
    >>> simulate_base_stock(100.0, 20.0, 0, 0.0, runs=10).cycle_service.tolist()
    [1.0]
    """
    mu, sd, tau, level, kind = _broadcast(("mean", mean), ("sigma", sigma),
                                          ("exposure", exposure), ("base_stock", base_stock),
                                          ("distribution", distribution))
    mu, sd, level = (_finite(x, name) for x, name in ((mu, "mean"), (sd, "sigma"),
                                                     (level, "base_stock")))
    if np.any(mu < 0) or np.any(sd < 0):
        raise ValueError("mean and sigma (demand per period) must be >= 0")
    if np.any(level < 0):
        raise ValueError("base_stock must be >= 0 (units)")
    tau = _whole_periods(tau)
    if int(periods) != periods or periods < 1 or int(runs) != runs or runs < 1:
        raise ValueError("periods and runs must be whole numbers >= 1")
    if int(workers) != workers or workers < 1:
        raise ValueError("workers must be a whole number >= 1")
    periods, runs, workers = int(periods), int(runs), int(workers)
    kind = resolve(mu, sd, kind.astype(str))
    n = mu.size

    acc = _Totals(n)
    acc.no_risk(tau == 0, level, expected_demand(mu, sd, kind))
    risky = np.flatnonzero(tau > 0)
    demand = DemandSampler.build_many(kind, mu, sd, risky)
    children = _streams(seed, n)

    def simulate(batch: np.ndarray) -> None:
        for j in batch:
            _simulate_sku(np.random.default_rng(children[j]), demand[j], int(tau[j]),
                          float(level[j]), runs, periods, acc, j)

    batches = np.array_split(risky, max(1, math.ceil(risky.size / 16)))
    reporter = _Reporter(progress, should_stop, risky.size)
    if workers == 1:
        for batch in batches:
            reporter.step(0)
            simulate(batch)
            reporter.step(batch.size)
    else:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            pending = pool.map(simulate, batches)
            try:
                for batch in _each(pending, batches):
                    reporter.step(batch.size)
            except SimulationCancelled:
                pool.shutdown(wait=True, cancel_futures=True)
                raise
    reporter.done()
    return acc.result(kind, runs, periods)


def network_service(result: SimulationResult, measure: str = "cycle_service",
                    weights: np.ndarray | None = None) -> float:
    """Weighted average achieved service of the SKUs, by default weighted by mean demand.

    With demand weights, ``fill_rate`` gives the network fill rate (units served from stock
    over units demanded) and ``cycle_service`` the demand-weighted cycle service. SKUs
    without demand (weight 0) do not count; a network without demand scores 1.
    """
    achieved = _measure(result, measure)
    w = (result.average_demand if weights is None
         else np.broadcast_to(np.asarray(weights, dtype=float), achieved.shape))
    if np.any(w < 0) or np.any(~np.isfinite(w)):
        raise ValueError("weights must be finite and >= 0")
    total = float(w.sum())
    return float(np.dot(w, achieved) / total) if total > 0 else 1.0


def service_gap(result: SimulationResult, target: np.ndarray | float,
                measure: str = "cycle_service", confidence: float = 0.99) -> ServiceGap:
    """Compare achieved with target service per SKU and for the network (demand-weighted).

    A SKU is a ``shortfall`` when achieved < target by more than the sampling error:
    gap < −z·SE with z = Φ⁻¹(confidence) (a one-sided test at that confidence).

    >>> res = simulate_base_stock([100.0, 100.0], 20.0, 4, [400.0, 500.0], runs=200, seed=3)
    >>> gap = service_gap(res, 0.95)
    >>> gap.shortfall.tolist(), bool(gap.network_gap < 0)
    ([True, False], True)
    """
    achieved = _measure(result, measure)
    se = result.cycle_service_se if measure == "cycle_service" else result.fill_rate_se
    goal = np.broadcast_to(_finite(np.asarray(target, dtype=float), "target"), achieved.shape)
    if np.any((goal < 0) | (goal > 1)):
        raise ValueError("target service must lie in [0, 1]")
    if not 0.5 <= confidence < 1:
        raise ValueError("confidence must lie in [0.5, 1)")
    gap = achieved - goal
    shortfall = gap < -float(special.ndtri(confidence)) * se
    weights = result.average_demand
    total = float(weights.sum())
    net_target = float(np.dot(weights, goal) / total) if total > 0 else 1.0
    return ServiceGap(measure, achieved, np.array(goal), gap, se, shortfall,
                      network_service(result, measure), net_target)


# --- per-SKU simulation ------------------------------------------------------------------------


def _simulate_sku(rng: np.random.Generator, demand: DemandSampler, tau: int, level: float,
                  runs: int, periods: int, acc: _Totals, j: int) -> None:
    """Simulate SKU j (τ >= 1) in chunks of runs and add its per-run figures to ``acc``.

    Arrays are period-major, (periods, runs): every step is a vectorised operation over the
    runs of one or all periods.
    """
    width = periods + tau - 1
    chunk = max(1, min(runs, CHUNK_ELEMENTS // width))
    buffers = [np.empty(width * chunk, dtype=np.float32) for _ in range(4)]
    s = np.float32(level)
    done = 0
    while done < runs:
        r = min(chunk, runs - done)
        # run i takes the stream's draws i·width .. (i + 1)·width − 1: the figures of the first
        # N runs do not depend on how many runs follow or on the chunk size
        drawn = buffers[3][: width * r]
        demand.draw(rng, drawn)
        draws, spare, work = (b[: width * r].reshape(width, r) for b in buffers[:3])
        np.copyto(draws, drawn.reshape(r, width).T)
        cum = _cumulative(draws, spare, work)
        # net inventory NI_t = S − (C_{t+τ−1} − C_{t−1}), t = 0..H−1, with C_{−1} = 0
        ni = (spare if cum is work else work)[:periods]
        np.subtract(s, cum[tau - 1], out=ni[0])
        np.subtract(cum[: periods - 1], cum[tau:], out=ni[1:])
        ni[1:] += s
        served = draws[tau - 1:]
        demanded = served.sum(axis=0)
        stockouts = np.less(ni, 0.0).sum(axis=0, dtype=np.int32)
        positive = np.maximum(ni, 0.0, out=cum[:periods])
        on_hand = positive.sum(axis=0)
        backlog = np.subtract(positive, ni, out=positive)  # (−NI)⁺ = (NI)⁺ − NI
        backorders = backlog.sum(axis=0)
        short = np.minimum(backlog, served, out=backlog).sum(axis=0)
        acc.add(j, stockouts / periods, on_hand, backorders, short, demanded)
        done += r


def _cumulative(values: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Cumulative sums along axis 0 by doubling (Hillis & Steele): log2(rows) vectorised
    passes instead of a row-by-row scan; ``a`` and ``b`` are scratch arrays of the same
    shape, and the result is one of them."""
    src, dst, step = values, a, 1
    if values.shape[0] == 1:
        a[:] = values
        return a
    while step < values.shape[0]:
        dst[:step] = src[:step]
        np.add(src[step:], src[:-step], out=dst[step:])
        src, dst = dst, (b if dst is a else a)
        step *= 2
    return src


class _Totals:
    """Sums over runs per SKU (float64); each SKU is written by one worker only."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.fixed = np.zeros(n, dtype=bool)
        self.fixed_on_hand = self.fixed_demand = np.zeros(n)
        self.sums = {name: np.zeros(n) for name in (
            "stockout", "stockout2", "any_stockout", "on_hand", "backorders", "short",
            "short2", "demand", "demand2", "short_demand")}

    def no_risk(self, mask: np.ndarray, level: np.ndarray, mean_demand: np.ndarray) -> None:
        """SKUs with exposure 0: NI = S >= 0 in every period, nothing short."""
        self.fixed = mask
        self.fixed_on_hand = np.where(mask, level, 0.0)
        self.fixed_demand = np.where(mask, mean_demand, 0.0)

    def add(self, j: int, stockout_share: np.ndarray, on_hand: np.ndarray,
            backorders: np.ndarray, short: np.ndarray, demanded: np.ndarray) -> None:
        """Add the per-run figures (one value per run) of SKU j."""
        s = self.sums
        on_hand, backorders, short, demanded = (
            x.astype(np.float64) for x in (on_hand, backorders, short, demanded))
        s["stockout"][j] += stockout_share.sum()
        s["stockout2"][j] += np.dot(stockout_share, stockout_share)
        s["any_stockout"][j] += np.count_nonzero(stockout_share)
        s["on_hand"][j] += on_hand.sum()
        s["backorders"][j] += backorders.sum()
        s["short"][j] += short.sum()
        s["short2"][j] += np.dot(short, short)
        s["demand"][j] += demanded.sum()
        s["demand2"][j] += np.dot(demanded, demanded)
        s["short_demand"][j] += np.dot(short, demanded)

    def result(self, kind: np.ndarray, runs: int, periods: int) -> SimulationResult:
        s, n_runs = self.sums, float(runs)
        stockout = s["stockout"] / n_runs
        with np.errstate(invalid="ignore", divide="ignore"):
            var = (s["stockout2"] - n_runs * stockout**2) / (n_runs - 1)
            cycle_se = np.sqrt(np.maximum(var, 0.0) / n_runs)
            ratio = np.clip(np.where(s["demand"] > 0, s["short"] / s["demand"], 0.0), 0, 1)
            resid2 = s["short2"] - 2 * ratio * s["short_demand"] + ratio**2 * s["demand2"]
            mean_demand = s["demand"] / n_runs
            fill_se = np.where(s["demand"] > 0, np.sqrt(np.maximum(resid2, 0.0) / (
                n_runs * (n_runs - 1))) / np.where(mean_demand > 0, mean_demand, 1.0), 0.0)
        if runs == 1:
            cycle_se = fill_se = np.full(self.n, np.nan)
        fixed = self.fixed
        cells = n_runs * periods

        def pick(simulated: np.ndarray, no_risk: np.ndarray | float) -> np.ndarray:
            return np.where(fixed, no_risk, simulated)

        return SimulationResult(
            cycle_service=pick(1.0 - stockout, 1.0),
            cycle_service_se=pick(cycle_se, 0.0),
            fill_rate=pick(1.0 - ratio, 1.0),
            fill_rate_se=pick(fill_se, 0.0),
            average_on_hand=pick(s["on_hand"] / cells, self.fixed_on_hand),
            average_backorders=pick(s["backorders"] / cells, 0.0),
            stockout_probability=pick(stockout, 0.0),
            run_stockout_probability=pick(s["any_stockout"] / n_runs, 0.0),
            average_demand=pick(s["demand"] / cells, self.fixed_demand),
            distribution=kind, runs=runs, periods=periods)


# --- input checks and helpers --------------------------------------------------------------


def _broadcast(*named: tuple[str, object]) -> list[np.ndarray]:
    """1-D arrays of one common length n (scalars broadcast); clear errors otherwise."""
    arrays = [np.asarray(value) for _, value in named]
    for (name, _), a in zip(named, arrays, strict=True):
        if a.ndim > 1:
            raise ValueError(f"{name} must be a scalar or a 1-D array (one value per SKU)")
    lengths = {a.size for a in arrays if a.ndim == 1}
    if len(lengths) > 1:
        sizes = ", ".join(f"{name} {a.size}" for (name, _), a in zip(named, arrays, strict=True)
                          if a.ndim == 1)
        raise ValueError(f"one value per SKU expected, but the lengths differ: {sizes}")
    n = lengths.pop() if lengths else 1
    return [np.array(np.broadcast_to(a, (n,))) for a in arrays]


def _finite(values: np.ndarray, name: str) -> np.ndarray:
    try:
        out = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be numbers") from None
    if not np.all(np.isfinite(out)):
        raise ValueError(f"{name} has missing or infinite values")
    return out


def _whole_periods(values: np.ndarray) -> np.ndarray:
    tau = _finite(values, "exposure")
    if np.any(tau < 0) or np.any(tau != np.round(tau)):
        raise ValueError("exposure must be whole periods >= 0 (round lead times first)")
    return tau.astype(np.int64)


def _measure(result: SimulationResult, measure: str) -> np.ndarray:
    if measure not in ("cycle_service", "fill_rate"):
        raise ValueError(f"unknown service measure {measure!r} (cycle_service or fill_rate)")
    return getattr(result, measure)


def _streams(seed: int | np.random.SeedSequence | None, n: int) -> list[np.random.SeedSequence]:
    """The j-th child of ``seed`` per SKU, as ``SeedSequence(seed).spawn(n)`` gives them, but
    without changing a SeedSequence passed in (a second call gets the same streams)."""
    root = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)
    key = tuple(root.spawn_key)
    return [np.random.SeedSequence(root.entropy, spawn_key=(*key, j), pool_size=root.pool_size)
            for j in range(n)]


def _each(pending: Iterator[None], batches: list[np.ndarray]) -> Iterator[np.ndarray]:
    """Yield each batch once its (ordered) result is in."""
    for batch, _ in zip(batches, pending, strict=True):
        yield batch


class _Reporter:
    """Progress at most every ``REPORT_EVERY`` seconds; cancel when ``should_stop()``."""

    def __init__(self, progress: Progress | None, should_stop: ShouldStop | None,
                 total: int) -> None:
        self.progress, self.should_stop, self.total = progress, should_stop, max(total, 1)
        self.done_count, self.last = 0, time.perf_counter()
        if progress is not None:
            progress(0.0)

    def step(self, count: int) -> None:
        self.done_count += count
        if self.should_stop is not None and self.should_stop():
            raise SimulationCancelled("simulation stopped on request")
        now = time.perf_counter()
        if self.progress is not None and now - self.last >= REPORT_EVERY:
            self.last = now
            self.progress(min(0.99, self.done_count / self.total))

    def done(self) -> None:
        if self.progress is not None:
            self.progress(1.0)
