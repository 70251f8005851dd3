"""Inventory optimisation: single-echelon safety stock and the guaranteed-service model (GSM).

- :mod:`.single_echelon`: SS = k·σ_X for a cycle service level or a fill rate, continuous or
  periodic review, stationary or time-phased, vectorised over SKUs.
- :mod:`.guaranteed_service`: the GSM instance (:class:`GsmNetwork`: demand bounds pooled
  over paths, longest supply paths, feasibility, cost) and its :class:`GsmSolution`.
- :mod:`.gsm_tree`: the exact Graves & Willems (2000) DP on spanning trees, vectorised.
- :mod:`.gsm_general`: exact branch and bound over spanning-tree relaxations for any acyclic
  network, with progress, cancel and a time limit (reports its optimality gap).
- :mod:`.simulation`: Monte Carlo of the base-stock policy per SKU (demand drawn by
  :mod:`.demand_draws`): achieved cycle service, fill rate, on hand, stock-outs.

Notebook use::

    net = GsmNetwork(n, arc_src, arc_dst, processing_time=T, holding_cost=h,
                     demand_sigma=sigma, service_level=0.95)
    sol = solve(net, time_limit=5)      # any acyclic network; solve_tree(net) for trees
    sol.S, sol.safety_stock, sol.objective, sol.gap
"""

from app.engine.inventory.gsm_general import solve
from app.engine.inventory.gsm_tree import solve_tree
from app.engine.inventory.guaranteed_service import GsmNetwork, GsmSolution
from app.engine.inventory.simulation import (
    SimulationResult,
    network_service,
    service_gap,
    simulate_base_stock,
)
from app.engine.inventory.single_echelon import (
    inverse_loss,
    loss_function,
    protection_sigma,
    safety_factor_cycle,
    safety_factor_fill_rate,
    safety_stock,
    time_phased_safety_stock,
)

__all__ = [
    "GsmNetwork",
    "GsmSolution",
    "SimulationResult",
    "inverse_loss",
    "loss_function",
    "network_service",
    "protection_sigma",
    "safety_factor_cycle",
    "safety_factor_fill_rate",
    "safety_stock",
    "service_gap",
    "simulate_base_stock",
    "solve",
    "solve_tree",
    "time_phased_safety_stock",
]
