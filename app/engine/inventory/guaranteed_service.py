r"""The guaranteed-service model (GSM): network data, demand bounds, solutions.

A stage (node) j of an acyclic supply network, with symbols as in Graves & Willems (2000):

- T_j: processing time (periods, integer >= 0): from the moment all inputs are available
  until the stage's output is ready;
- S_j: committed outbound service time (periods): the stage ships any demand within S_j;
- SI_j: inbound service time = max(SI^ext_j, max over suppliers i of S_i), where SI^ext_j
  is the time quoted by an external supplier (``external_inbound``, default 0);
- τ_j = SI_j + T_j − S_j >= 0: net replenishment time (periods);
- h_j: holding cost per unit and period (holding rate × cumulative unit cost; money/unit/period);
- k_j·σ_j: demand bound per sqrt(period), pooling the customer demand j serves,

      k_j·σ_j = sqrt( Σ_d (Φ_jd · z_d · σ_d)² ),  z_d = Φ⁻¹(service level of d),

  where d runs over the demand nodes, σ_d is the standard deviation of d's external demand
  per period and Φ_jd the units of j per unit of d summed over all paths (``arc_qty`` is the
  units of the supplier per unit of the customer);
- safety stock SS_j = k_j·σ_j·sqrt(τ_j) (units);
- base-stock level B_j = μ_j·τ_j + SS_j, with μ_j = Σ_d Φ_jd·μ_d the mean demand per period
  of j pooled the same way (Graves & Willems 2000, eq. for the base stock: the expected
  demand over the net replenishment time plus the safety stock).

The problem: choose integer S_j minimising Σ_j h_j·k_j·σ_j·sqrt(τ_j) subject to τ_j >= 0
and S_j <= max service time of j (demand nodes quote a service time to their customers;
by default 0 there and no limit elsewhere).

References: S. C. Graves, S. P. Willems, "Optimizing strategic safety stock placement in
supply chains", *Manufacturing & Service Operations Management* 2(1):68-83, 2000 (erratum
5(2):176-177, 2003); L. V. Snyder, Z.-J. M. Shen, *Fundamentals of Supply Chain Theory*, 2nd
ed., Wiley, 2019, ch. 6.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from functools import cached_property

import numpy as np
from scipy import sparse, special

from app.engine.network import low_level_codes


def _vector(value: object, n: int, dtype: type, name: str,
            allow_nan: bool = False) -> np.ndarray:
    out = np.array(np.broadcast_to(np.asarray(value, dtype=dtype), (n,)))
    if dtype is float and not allow_nan and np.isnan(out).any():
        raise ValueError(f"{name} has missing values")
    return out


def _integer_periods(value: object, n: int, name: str) -> np.ndarray:
    raw = _vector(value, n, float, name)
    if np.any(raw < 0) or np.any(raw != np.round(raw)):
        raise ValueError(f"{name} must be whole periods >= 0 (round lead times first)")
    return raw.astype(np.int64)


@dataclass(frozen=True, eq=False)
class GsmNetwork:
    """One GSM instance: ``n`` nodes and supplier -> customer arcs, per-node parameters.

    Scalars broadcast to all nodes. ``demand_sigma`` / ``demand_mean`` are the external
    (customer) demand of each node per period (0 where none); a node with either > 0 is a
    demand node. ``max_service_time`` (periods, rounded down): NaN (the default) means 0 at
    demand nodes and no limit elsewhere; ``inf`` means no limit. ``service_level`` matters
    (and must lie in (0, 1)) at demand nodes only. Processing and external inbound times
    must be whole periods. Arrays are validated and stored as numpy arrays.
    """

    n: int
    arc_src: np.ndarray
    arc_dst: np.ndarray
    processing_time: np.ndarray
    holding_cost: np.ndarray
    demand_sigma: np.ndarray
    arc_qty: np.ndarray | None = None
    demand_mean: np.ndarray | float = 0.0
    service_level: np.ndarray | float = 0.95
    max_service_time: np.ndarray | float = np.nan
    external_inbound: np.ndarray | int = 0

    def __post_init__(self) -> None:
        n = int(self.n)
        src = np.asarray(self.arc_src, dtype=np.int64).ravel()
        dst = np.asarray(self.arc_dst, dtype=np.int64).ravel()
        if src.shape != dst.shape:
            raise ValueError("arc_src and arc_dst must have the same length")
        if len(src) and (min(src.min(), dst.min()) < 0 or max(src.max(), dst.max()) >= n):
            raise ValueError("arc endpoints must be node numbers 0..n-1")
        if np.any(src == dst):
            raise ValueError("an arc may not join a node to itself")
        qty = (np.ones(len(src)) if self.arc_qty is None
               else _vector(self.arc_qty, len(src), float, "arc_qty"))
        if np.any(qty < 0):
            raise ValueError("arc_qty must be >= 0")
        sigma = _vector(self.demand_sigma, n, float, "demand_sigma")
        mean = _vector(self.demand_mean, n, float, "demand_mean")
        level = _vector(self.service_level, n, float, "service_level", allow_nan=True)
        hold = _vector(self.holding_cost, n, float, "holding_cost")
        if np.any(sigma < 0) or np.any(mean < 0) or np.any(hold < 0):
            raise ValueError("demand_sigma, demand_mean and holding_cost must be >= 0")
        demand = (sigma > 0) | (mean > 0)
        if np.any(demand & ~((level > 0) & (level < 1))):
            raise ValueError("service levels of demand nodes must lie strictly in (0, 1)")
        smax = _vector(self.max_service_time, n, float, "max_service_time", allow_nan=True)
        smax = np.where(np.isnan(smax), np.where(demand, 0.0, np.inf), smax)
        if np.any(smax < 0):
            raise ValueError("max_service_time must be >= 0")
        for name, value in (("n", n), ("arc_src", src), ("arc_dst", dst), ("arc_qty", qty),
                            ("processing_time",
                             _integer_periods(self.processing_time, n, "processing_time")),
                            ("external_inbound",
                             _integer_periods(self.external_inbound, n, "external_inbound")),
                            ("holding_cost", hold), ("demand_sigma", sigma),
                            ("demand_mean", mean), ("service_level", level),
                            ("max_service_time", np.floor(smax))):
            object.__setattr__(self, name, value)
        self.levels  # noqa: B018 -- raises NetworkCycleError on a directed cycle

    @property
    def is_demand(self) -> np.ndarray:
        """Nodes with external demand."""
        return (self.demand_sigma > 0) | (self.demand_mean > 0)

    @cached_property
    def levels(self) -> np.ndarray:
        """Low-level code per node (0: no customers); a directed cycle raises an error."""
        return low_level_codes(self.n, self.arc_src, self.arc_dst)

    @cached_property
    def paths(self) -> sparse.csr_matrix:
        """Φ (n × D, sparse): units of node j per unit of demand of demand node d.

        Columns follow ``np.flatnonzero(is_demand)``. Φ = E + Q·Φ, with E the identity
        columns of the demand nodes and Q_jc the ``arc_qty`` of arc j -> c (parallel arcs
        add up), solved level by level: customers have lower low-level codes than their
        suppliers, so level L needs only the rows of levels < L.
        """
        n = self.n
        demand = np.flatnonzero(self.is_demand)
        order = np.argsort(self.levels, kind="stable")
        rank = np.empty(n, dtype=np.int64)
        rank[order] = np.arange(n)
        # Q and E with rows and columns in level order
        q = sparse.csr_matrix((self.arc_qty, (rank[self.arc_src], rank[self.arc_dst])),
                              shape=(n, n))
        e = sparse.csr_matrix((np.ones(len(demand)), (rank[demand], np.arange(len(demand)))),
                              shape=(n, len(demand)))
        bounds = np.searchsorted(self.levels[order], np.arange(self.levels.max(initial=0) + 2))
        done = sparse.csr_matrix(e[: bounds[1]])
        for lo, hi in itertools.pairwise(bounds[1:]):
            done = sparse.vstack([done, e[lo:hi] + q[lo:hi, :lo] @ done], format="csr")
        return sparse.csr_matrix(done[rank])

    def seed_paths(self, paths: sparse.csr_matrix) -> None:
        """Take Φ as computed for a network with the same arcs, arc quantities and demand
        nodes (a session keeps it between plans), instead of computing it again."""
        if paths.shape != (self.n, int(self.is_demand.sum())):
            raise ValueError("paths of another network shape")
        self.__dict__["paths"] = paths

    @cached_property
    def demand_bound(self) -> np.ndarray:
        """k_j·σ_j = sqrt(Σ_d (Φ_jd·z_d·σ_d)²) per node (units per sqrt(period)).

        z_d = max(Φ⁻¹(service level of d), 0): a target below 50 % needs no safety stock.
        """
        demand = self.is_demand
        z = np.maximum(special.ndtri(self.service_level[demand]), 0.0)
        weight = z * self.demand_sigma[demand]
        scaled = self.paths @ sparse.diags(weight)
        return np.sqrt(np.asarray(scaled.multiply(scaled).sum(axis=1)).ravel())

    @cached_property
    def pooled_mean(self) -> np.ndarray:
        """μ_j = Σ_d Φ_jd·μ_d: mean demand per period at node j (units/period)."""
        return self.paths @ self.demand_mean[self.is_demand]

    @cached_property
    def cost_rate(self) -> np.ndarray:
        """a_j = h_j·k_j·σ_j: holding cost of node j per sqrt(period) of τ_j."""
        return self.holding_cost * self.demand_bound

    @cached_property
    def supplier_first(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """(nodes, arcs into them) per low-level code, suppliers first (highest code first)."""
        order = np.argsort(-self.levels, kind="stable")
        by_dst = np.argsort(-self.levels[self.arc_dst], kind="stable")
        node_code, arc_code = self.levels[order], self.levels[self.arc_dst[by_dst]]
        out = []
        for lvl in range(int(self.levels.max(initial=-1)), -1, -1):
            nodes = order[np.searchsorted(-node_code, -lvl):
                          np.searchsorted(-node_code, -lvl, side="right")]
            arcs = by_dst[np.searchsorted(-arc_code, -lvl):
                          np.searchsorted(-arc_code, -lvl, side="right")]
            out.append((nodes, arcs))
        return out

    @cached_property
    def max_inbound(self) -> np.ndarray:
        """U_j = max(SI^ext_j, max over suppliers i of M_i), M_i = T_i + U_i (periods).

        M_i is the longest path of processing (and external) times into i: no service time
        can exceed it, so SI_j <= U_j and S_j <= U_j + T_j bound every search.
        """
        u = self.external_inbound.copy()
        for _, arcs in self.supplier_first:
            src = self.arc_src[arcs]
            np.maximum.at(u, self.arc_dst[arcs], u[src] + self.processing_time[src])
        return u

    @cached_property
    def undirected_forest(self) -> bool:
        """True when the arcs (direction ignored, duplicates merged) form a forest."""
        pairs = np.unique(np.sort(np.stack([self.arc_src, self.arc_dst], axis=1), axis=1),
                          axis=0)
        if len(pairs) >= self.n:
            return False
        graph = sparse.csr_matrix((np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])),
                                  shape=(self.n, self.n))
        from scipy.sparse.csgraph import connected_components

        parts, _ = connected_components(graph, directed=False)
        return len(pairs) == self.n - parts

    def inbound_times(self, s: np.ndarray) -> np.ndarray:
        """SI_j = max(SI^ext_j, max over suppliers i of S_i) for outbound times ``s``."""
        si = self.external_inbound.copy()
        np.maximum.at(si, self.arc_dst, np.asarray(s, dtype=np.int64)[self.arc_src])
        return si

    def canonical(self, s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(S, SI) with SI = max of supplier S, lowering S_j to SI_j + T_j where it exceeds it.

        Suppliers first (decreasing low-level code): lowering S_j never makes a customer
        infeasible and never raises any τ, so the cost does not increase.
        """
        s = np.array(s, dtype=np.int64)
        si = self.external_inbound.copy()
        for nodes, arcs in self.supplier_first:
            np.maximum.at(si, self.arc_dst[arcs], s[self.arc_src[arcs]])
            s[nodes] = np.minimum(s[nodes], si[nodes] + self.processing_time[nodes])
        return s, si

    def cost(self, s: np.ndarray, si: np.ndarray) -> float:
        """Σ_j a_j·sqrt(τ_j), τ_j = SI_j + T_j − S_j (must be >= 0)."""
        tau = np.asarray(si) + self.processing_time - np.asarray(s)
        return float(self.cost_rate @ np.sqrt(tau))

    def feasible(self, s: np.ndarray, si: np.ndarray) -> bool:
        """All GSM constraints hold (SI_j at least every supplier's S and the external time)."""
        s, si = np.asarray(s), np.asarray(si)
        return bool(np.all(s >= 0) and np.all(s <= self.max_service_time)
                    and np.all(si + self.processing_time - s >= 0)
                    and np.all(si >= self.external_inbound)
                    and np.all(si[self.arc_dst] >= s[self.arc_src]))


@dataclass(frozen=True)
class GsmSolution:
    """Service times and stocks per node (int periods / units), and the search outcome.

    ``objective`` Σ h_j·SS_j (money per period); ``lower_bound`` a proven bound on the
    optimum; ``gap`` = (objective − lower_bound) / objective (0 when exact); ``status`` is
    "optimal", "time_limit", "node_limit" or "stopped" (cancelled by ``should_stop``).
    """

    S: np.ndarray
    SI: np.ndarray
    tau: np.ndarray
    safety_stock: np.ndarray
    base_stock: np.ndarray
    objective: float
    lower_bound: float
    gap: float
    exact: bool
    status: str = "optimal"
    nodes_explored: int = 0


def make_solution(net: GsmNetwork, s: np.ndarray, lower_bound: float, *,
                  status: str = "optimal", nodes_explored: int = 0,
                  rel_tol: float = 1e-9) -> GsmSolution:
    """Canonicalise outbound times ``s`` and report stocks, objective and gap."""
    s, si = net.canonical(s)
    tau = si + net.processing_time - s
    ss = net.demand_bound * np.sqrt(tau)
    objective = float(net.holding_cost @ ss)
    lower_bound = min(float(lower_bound), objective)
    gap = 0.0 if objective <= 0 else max(0.0, (objective - lower_bound) / objective)
    exact = gap <= rel_tol
    return GsmSolution(S=s, SI=si, tau=tau, safety_stock=ss,
                       base_stock=net.pooled_mean * tau + ss, objective=objective,
                       lower_bound=lower_bound, gap=0.0 if exact else gap, exact=exact,
                       status="optimal" if exact else status, nodes_explored=nodes_explored)
