r"""The trade-off between safety-stock investment and service, SEIO and MEIO side by side.

With one cycle-service target α at every demand SKU, z_d = Φ⁻¹(α) is common to all, so every
demand bound k_j·σ_j of the guaranteed-service model scales with z: the optimal service times
do not depend on α and each SKU's stock is SS_j(α) = z(α)·SS_j(1); the same holds for the
single-echelon stock z·σ̃_j·sqrt(L_j + R). One MEIO solve at z = 1 (α = Φ(1)) gives the
whole curve, exactly.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import special

from app.engine.inventory.gsm_general import solve
from app.engine.inventory.guaranteed_service import GsmNetwork, GsmSolution
from app.engine.recommend import (
    REVIEW_PERIODS,
    MeioMemo,
    MeioOptions,
    Progress,
    ShouldStop,
    network_digest,
    pooled_sigma,
)

DEFAULT_LEVELS = (0.80, 0.85, 0.90, 0.925, 0.95, 0.96, 0.97, 0.98, 0.99, 0.995)


@dataclass(frozen=True)
class TradeOff:
    """Safety-stock investment vs a uniform service target (cycle service at every demand
    SKU), SEIO and MEIO side by side.

    With one target α at every demand SKU, z_d = Φ⁻¹(α) is common to all, so every demand
    bound k_j·σ_j scales with z: the optimal MEIO service times do not depend on α and each
    SKU's stock is SS_j(α) = z(α)·SS_j(1) (the same holds for SEIO). One solve gives the
    whole curve, exactly. ``curve``: service_target, z, seio_investment, meio_investment
    (currency); ``per_sku_seio`` / ``per_sku_meio``: units per SKU at z = 1.
    """

    curve: pd.DataFrame
    per_sku_seio: np.ndarray
    per_sku_meio: np.ndarray
    unit_cost: np.ndarray
    solution: GsmSolution

    def sku_curve(self, j: int) -> pd.DataFrame:
        """One SKU's safety stock (units) per service target, SEIO and MEIO."""
        z = self.curve["z"].to_numpy()
        return pd.DataFrame({"service_target": self.curve["service_target"],
                             "seio_units": z * self.per_sku_seio[j],
                             "meio_units": z * self.per_sku_meio[j]})

    def investment_for(self, target: float) -> dict[str, float]:
        """SEIO and MEIO investment (currency) needed for a uniform target (0 < target < 1)."""
        if not 0.0 < target < 1.0:
            raise ValueError("a service target lies strictly between 0 and 1")
        z = max(float(special.ndtri(target)), 0.0)
        return {"service_target": target,
                "seio_investment": z * float(self.per_sku_seio @ self.unit_cost),
                "meio_investment": z * float(self.per_sku_meio @ self.unit_cost)}


def tradeoff(net: GsmNetwork, lead: np.ndarray, unit_cost: np.ndarray,
             levels: tuple[float, ...] = DEFAULT_LEVELS, *,
             options: MeioOptions | None = None, memo: MeioMemo | None = None,
             progress: Progress | None = None, should_stop: ShouldStop | None = None
             ) -> TradeOff:
    """The investment curve of :class:`TradeOff` (one MEIO solve at z = 1, i.e. α = Φ(1))."""
    options = options or MeioOptions()
    unit = GsmNetwork(net.n, net.arc_src, net.arc_dst, processing_time=net.processing_time,
                      holding_cost=net.holding_cost, demand_sigma=net.demand_sigma,
                      arc_qty=net.arc_qty, demand_mean=net.demand_mean,
                      service_level=np.where(net.is_demand, special.ndtr(1.0), np.nan),
                      max_service_time=net.max_service_time,
                      external_inbound=net.external_inbound)
    key = network_digest(unit, options)
    solution = memo.get(key) if memo is not None else None
    if solution is None:
        solution = solve(unit, progress=progress, should_stop=should_stop,
                         time_limit=options.time_limit, max_nodes=options.max_nodes,
                         root_iterations=options.root_iterations)
        if memo is not None and solution.status != "stopped":
            memo.put(key, solution)
    sigma = pooled_sigma(unit)
    seio_unit = sigma * np.sqrt(lead.astype(float) + REVIEW_PERIODS)
    meio_unit = solution.safety_stock
    cost = np.nan_to_num(np.asarray(unit_cost, dtype=float))
    z = np.maximum(special.ndtri(np.asarray(levels, dtype=float)), 0.0)
    curve = pd.DataFrame({"service_target": np.asarray(levels, dtype=float), "z": z,
                          "seio_investment": z * float(seio_unit @ cost),
                          "meio_investment": z * float(meio_unit @ cost)})
    return TradeOff(curve, seio_unit, meio_unit, cost, solution)
