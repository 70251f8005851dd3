r"""The inventory-optimisation report of a plan: the MEIO result, the investment trade-off and
a Monte Carlo check of the recommendations.

Everything starts from a ``PlanResult`` (whose ``recommendation`` holds the SEIO / MEIO
safety stocks the plan uses); nothing here changes the plan.

Simulation check (``app.engine.inventory.simulation``): every customer-facing SKU (a demand
SKU that supplies no other SKU) runs its recommended policy under random demand with the
forecast's mean μ and error sigma σ per period, ``distribution="auto"`` (normal for steady
items, gamma or negative binomial with the same moments for erratic ones):

- MEIO: exposure τ_j (net replenishment time), base stock μ_j·τ_j + SS_j^MEIO;
- SEIO: exposure L_j + 1, base stock μ_j·(L_j + 1) + SS_j^SEIO (lead-time variability
  is not simulated, so SKUs with σ_L > 0 hold more than the simulated risk needs).

The achieved cycle service is compared with the SKU's target (the network figure is the
demand-weighted mean of both). A SKU whose target is a fill rate is compared on fill rate.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import pandas as pd

from app.engine.inventory.simulation import SimulationResult, simulate_base_stock
from app.engine.progress import Progress, ShouldStop, part
from app.engine.recommend import REVIEW_PERIODS
from app.engine.result import PlanResult
from app.engine.tradeoff import DEFAULT_LEVELS, TradeOff, tradeoff


class NotOptimisedError(ValueError):
    """The plan carries no multi-echelon recommendation (plan it with ``meio=True``)."""


@dataclass(frozen=True)
class SimulationCheck:
    """Achieved vs target service of the customer-facing SKUs under one policy.

    ``skus``: item_id, site_id, service_type, target, achieved, fill_rate, cycle_service,
    average_on_hand, stockout_probability, run_stockout_probability; ``network_target`` and
    ``network_achieved``: demand-weighted means (fractions).
    """

    policy: str
    skus: pd.DataFrame
    network_target: float
    network_achieved: float
    seconds: float

    @property
    def gap_points(self) -> float:
        """Network achieved minus target, in percentage points."""
        return 100.0 * (self.network_achieved - self.network_target)


@dataclass(frozen=True)
class OptimizationReport:
    """What ``python main.py optimize`` prints (the Trade-off tab shows the same curve)."""

    result: PlanResult
    tradeoff: TradeOff
    simulations: tuple[SimulationCheck, ...]
    seconds: float

    @property
    def position(self) -> dict[str, float]:
        """The plan's own point on the trade-off (see :func:`current_position`)."""
        return current_position(self.result)

    @property
    def meio(self) -> dict[str, float | str | bool]:
        """The MEIO solve: objective (holding cost of safety stock per period), proven lower
        bound, gap, status, search nodes, seconds, whether a memoised solution served."""
        rec = self.result.recommendation
        assert rec is not None and rec.meio is not None
        sol = rec.meio
        return {"objective": sol.objective, "lower_bound": sol.lower_bound, "gap": sol.gap,
                "exact": sol.exact, "status": sol.status, "nodes": sol.nodes_explored,
                "seconds": rec.meio_seconds, "reused": rec.meio_reused}

    def sku_table(self) -> pd.DataFrame:
        """Per SKU: the recommendation columns of the plan, largest MEIO investment first."""
        skus = self.result.skus
        columns = ["item_id", "site_id", "ss_model", "abc", "xyz", "service_target",
                   "demand_mean", "demand_std", "lead_time_periods", "ss_current",
                   "ss_recommended_seio", "ss_recommended_meio", "S", "SI", "tau",
                   "base_stock", "unit_cost"]
        table = skus[[c for c in columns if c in skus.columns]].copy()
        table["meio_investment"] = (table["ss_recommended_meio"]
                                    * table["unit_cost"].fillna(0.0))
        return table.sort_values("meio_investment", ascending=False, kind="stable")


def customer_facing(result: PlanResult) -> np.ndarray:
    """Rows of the demand SKUs that supply no other SKU."""
    rec = result.recommendation
    assert rec is not None
    net = rec.network
    supplies = np.zeros(net.n, dtype=bool)
    supplies[net.arc_src] = True
    return np.flatnonzero(net.is_demand & ~supplies)


def simulate_policy(result: PlanResult, policy: str, *, runs: int = 500, periods: int = 52,
                    seed: int = 0, progress: Progress | None = None,
                    should_stop: ShouldStop | None = None) -> SimulationCheck:
    """Simulate the ``"meio"`` or ``"seio"`` recommendation of the customer-facing SKUs."""
    rec = result.recommendation
    if rec is None or (policy == "meio" and rec.meio is None):
        raise NotOptimisedError(f"the plan has no {policy.upper()} recommendation")
    started = time.perf_counter()
    rows = customer_facing(result)
    mean = rec.pooled_mean[rows]
    sigma = rec.pooled_sigma[rows]
    if policy == "meio":
        assert rec.meio is not None
        exposure = rec.meio.tau[rows]
        safety = rec.meio.safety_stock[rows]
    elif policy == "seio":
        exposure = rec.lead[rows] + REVIEW_PERIODS
        safety = rec.seio[rows]
    else:
        raise ValueError(f"unknown policy {policy!r} (meio or seio)")
    base = np.maximum(mean * exposure + safety, 0.0)
    sim = simulate_base_stock(mean, sigma, exposure, base, periods=periods, runs=runs,
                              distribution="auto", seed=seed, progress=progress,
                              should_stop=should_stop)
    skus = result.skus
    kind = (skus["service_type"].fillna("cycle").to_numpy(dtype=object)[rows]
            if "service_type" in skus else np.full(len(rows), "cycle", dtype=object))
    if policy == "meio":  # the GSM quotes cycle service at every demand SKU
        kind = np.full(len(rows), "cycle", dtype=object)
    target = rec.service_target[rows]
    achieved = np.where(kind == "fill_rate", sim.fill_rate, sim.cycle_service)
    table = _check_table(skus, rows, kind, target, achieved, sim)
    weight = np.where(sigma > 0, sim.average_demand, 0.0)  # no risk, nothing to check
    total = float(weight.sum())
    net_target = float(weight @ target / total) if total > 0 else 1.0
    net_achieved = float(weight @ achieved / total) if total > 0 else 1.0
    return SimulationCheck(policy, table, net_target, net_achieved,
                           time.perf_counter() - started)


def _check_table(skus: pd.DataFrame, rows: np.ndarray, kind: np.ndarray, target: np.ndarray,
                 achieved: np.ndarray, sim: SimulationResult) -> pd.DataFrame:
    return pd.DataFrame({
        "item_id": skus["item_id"].to_numpy(dtype=object)[rows],
        "site_id": skus["site_id"].to_numpy(dtype=object)[rows],
        "service_type": kind, "target": target, "achieved": achieved,
        "cycle_service": sim.cycle_service, "fill_rate": sim.fill_rate,
        "average_on_hand": sim.average_on_hand,
        "stockout_probability": sim.stockout_probability,
        "run_stockout_probability": sim.run_stockout_probability,
    })


def current_position(result: PlanResult) -> dict[str, float]:
    """The plan's own point on the trade-off: its demand-weighted service target and its
    safety-stock investments (currency)."""
    rec = result.recommendation
    assert rec is not None
    rows = np.flatnonzero(rec.network.is_demand)
    weight = rec.network.demand_mean[rows]
    total = float(weight.sum())
    target = float(weight @ rec.service_target[rows] / total) if total > 0 else float("nan")
    kpis = result.kpis
    return {"service_target": target,
            "ss_investment_current": kpis.get("ss_investment_current", float("nan")),
            "ss_investment_seio": kpis.get("ss_investment_seio", float("nan")),
            "ss_investment_meio": kpis.get("ss_investment_meio", float("nan"))}


def optimize(result: PlanResult, levels: tuple[float, ...] = DEFAULT_LEVELS, *,
             runs: int = 500, periods: int = 52, seed: int = 0,
             progress: Progress | None = None,
             should_stop: ShouldStop | None = None) -> OptimizationReport:
    """The optimisation report of a plan planned with a MEIO recommendation."""
    started = time.perf_counter()
    rec = result.recommendation
    if rec is None or rec.meio is None:
        raise NotOptimisedError("the plan has no multi-echelon recommendation")

    unit_cost = result.skus["unit_cost"].to_numpy(dtype=float, na_value=0.0)
    curve = tradeoff(rec.network, rec.lead, unit_cost, levels,
                     progress=part(progress, 0.0, 0.5), should_stop=should_stop)
    checks = tuple(simulate_policy(result, policy, runs=runs, periods=periods, seed=seed,
                                   progress=part(progress, lo, lo + 0.25),
                                   should_stop=should_stop)
                   for policy, lo in (("meio", 0.5), ("seio", 0.75)))
    if progress is not None:
        progress(1.0)
    return OptimizationReport(result, curve, checks, time.perf_counter() - started)
