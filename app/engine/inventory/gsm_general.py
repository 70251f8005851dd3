r"""Exact GSM on general acyclic networks: branch and bound over spanning-tree relaxations.

Shared components and multi-sourced nodes make the undirected network cyclic, where the
tree DP of :mod:`gsm_tree` does not apply directly. As in Humair & Willems (2011), the
spanning-tree DP is the workhorse on general acyclic networks; the bounding, the local
search and the branching rule below are this module's own:

1. **Relaxation.** Pick a spanning forest F (the arcs whose ends put the most holding cost at
   stake are kept, see :func:`spanning_forest`). The inbound constraints SI_j >= S_i of the
   other arcs r = (i -> j) ∈ R are relaxed with Lagrange multipliers λ_r >= 0 (Fisher 1981):

       L(λ) = min over F-feasible (S, SI) of Σ_j a_j·sqrt(τ_j) + Σ_{r∈R} λ_r·(S_i − SI_j),

   a tree DP with linear terms λ^S_i = Σ_{r out of i} λ_r, λ^SI_j = −Σ_{r into j} λ_r.
   Every L(λ) is a lower bound. λ is improved by subgradient steps
   λ_r ← max(0, λ_r + θ·(UB − L)/‖g‖²·g_r), g_r = S_i − SI_j (Polyak step).
2. **Upper bounds.** Each relaxed solution is repaired (SI_j = max supplier S, S_j lowered to
   SI_j + T_j where needed: feasible, see :meth:`GsmNetwork.canonical`) and improved by
   *threshold descent*: for each r ∈ R fix a threshold v_r between S_i and SI_j of the
   incumbent and solve the tree DP with S_i <= v_r <= SI_j; the result is feasible and no
   worse. Repeated over several spanning trees (a large-neighbourhood search) until a full
   round brings no gain, from the best few repaired solutions of the subgradient phase.
3. **Branch and bound** (best bound first) on the windows of service times. A relaxed arc
   r = (i -> j) with S_i > SI_j in a node's relaxed solution is split at a v with
   SI_j < v <= S_i into three disjoint children that each exclude that solution:
   {S_i <= v <= SI_j} (r now holds whatever the rest does, so it leaves the relaxation),
   {S_i <= SI_j <= v − 1} and {v + 1 <= S_i <= SI_j}. Windows are tightened by propagating
   SI_j >= S_i over all arcs and τ_j >= 0. A child's bound is the tree DP with the root's
   multipliers, re-evaluated only on the changed nodes' paths to the DP root.

Order (shares of the time limit): a short branch and bound with λ = 0 (closes networks with
few cycles), subgradient, local search, branch and bound with the best λ. The search stops
when the gap (UB − LB)/UB is below ``rel_gap`` (then exact), at ``time_limit`` seconds, at
``max_nodes``, or when ``should_stop()`` returns True; the solution then reports its proven
gap. Independent connected components are solved apart (forests by the plain tree DP).
The problem is NP-hard on general networks: densely shared bills of material (thousands of
undirected cycles) keep a gap of a few percent after seconds; near-trees close exactly.

References: T. Humair, S. P. Willems, "Optimizing strategic safety stock placement in general
acyclic networks", *Operations Research* 59(3):781-787, 2011; S. C. Graves, S. P. Willems,
MSOM 2(1):68-83, 2000; M. L. Fisher, "The Lagrangian relaxation method for solving integer
programming problems", *Management Science* 27(1):1-18, 1981.
"""

from __future__ import annotations

import heapq
import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.sparse import csgraph

from app.engine.inventory.gsm_tree import (
    DpState,
    TreeDp,
    Windows,
    base_windows,
    peel_forest,
    solve_tree,
)
from app.engine.inventory.guaranteed_service import GsmNetwork, GsmSolution, make_solution

Progress = Callable[[float], None]
ShouldStop = Callable[[], bool]
#: seconds between two ``progress`` calls during the search
REPORT_EVERY = 0.05
#: repaired Lagrangian solutions kept as starts for the local search
POOL = 4


def spanning_forest(net: GsmNetwork, rng: np.random.Generator | None = None
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(distinct arc src, distinct arc dst, in-forest mask) of a maximum spanning forest.

    Weight of arc i -> j: a_i·sqrt(M_i) + a_j·sqrt(M_j), the cost its two ends can put at
    stake (M = U + T, the longest supply path into a node), so the arcs left to the
    relaxation are the cheap ones. ``rng`` perturbs the weights (other trees for the local
    search).
    """
    pairs = np.unique(np.stack([net.arc_src, net.arc_dst], axis=1), axis=0)
    src, dst = pairs[:, 0], pairs[:, 1]
    if len(src) == 0:
        return src, dst, np.zeros(0, dtype=bool)
    stake = net.cost_rate * np.sqrt(net.max_inbound + net.processing_time)
    weight = stake[src] + stake[dst]
    if rng is not None:
        weight = weight * rng.uniform(0.3, 1.7, len(weight))
    cost = weight.max() + 1.0 - weight  # > 0: minimum spanning forest of cost
    lo, hi = np.minimum(src, dst), np.maximum(src, dst)
    graph = sparse.csr_matrix((cost, (lo, hi)), shape=(net.n, net.n))
    tree = csgraph.minimum_spanning_tree(graph).tocoo()
    keep = np.isin(lo * net.n + hi, tree.row.astype(np.int64) * net.n + tree.col)
    return src, dst, keep


class Relaxation:
    """The spanning-tree DP of one connected network and its relaxed arcs R."""

    def __init__(self, net: GsmNetwork, rng: np.random.Generator | None = None,
                 base: Windows | None = None) -> None:
        self.net = net
        src, dst, keep = spanning_forest(net, rng)
        self.src, self.dst = src, dst  # every distinct arc, for propagation
        self.rel_src, self.rel_dst = src[~keep], dst[~keep]
        self.order = peel_forest(net.n, src[keep], dst[keep])
        self.base = base_windows(net) if base is None else base
        grid = int(max(self.base.s_hi.max(initial=0), self.base.si_hi.max(initial=0))) + 1
        self.dp = TreeDp(self.order, net.processing_time, net.cost_rate, grid)

    def linear(self, lam: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(λ^S, λ^SI) per node from multipliers on the relaxed arcs."""
        n = self.net.n
        return (np.bincount(self.rel_src, lam, n), -np.bincount(self.rel_dst, lam, n))

    def implied(self, w: Windows) -> np.ndarray:
        """Relaxed arcs whose constraint the windows already enforce (s_hi_i <= si_lo_j)."""
        return w.s_hi[self.rel_src] <= w.si_lo[self.rel_dst]

    def propagate(self, w: Windows) -> bool:
        """Tighten windows in place by SI_j >= S_i on all arcs and 0 <= τ; False if empty."""
        t = self.net.processing_time
        for _ in range(self.net.n + 1):
            before = (w.s_hi.sum(), w.si_lo.sum())
            np.minimum.at(w.s_hi, self.src, w.si_hi[self.dst])
            np.maximum.at(w.si_lo, self.dst, w.s_lo[self.src])
            np.minimum(w.s_hi, w.si_hi + t, out=w.s_hi)
            np.maximum(w.si_lo, w.s_lo - t, out=w.si_lo)
            if np.any(w.s_lo > w.s_hi) or np.any(w.si_lo > w.si_hi):
                return False
            if before == (w.s_hi.sum(), w.si_lo.sum()):
                return True
        return True

    def evaluate(self, w: Windows, lam: np.ndarray, base: DpState | None = None
                 ) -> tuple[float, DpState]:
        """L(λ) on windows ``w`` (implied arcs get λ = 0); incremental from ``base``."""
        lam = np.where(self.implied(w), 0.0, lam)
        lin_s, lin_si = self.linear(lam)
        if base is None:
            st = self.dp.solve(w.copy(), lin_s, lin_si)
        else:
            st = base.copy()
            b = base.windows
            changed = ((w.s_lo != b.s_lo) | (w.s_hi != b.s_hi) | (w.si_lo != b.si_lo)
                       | (w.si_hi != b.si_hi) | (lin_s != base.lin_s) | (lin_si != base.lin_si))
            st.windows, st.lin_s, st.lin_si = w.copy(), lin_s, lin_si
            self.dp.update(st, np.flatnonzero(changed))
        return self.dp.value(st), st

    def upper(self, s: np.ndarray) -> tuple[float, np.ndarray]:
        """Repair outbound times ``s`` into a feasible solution: (cost, canonical S)."""
        s, si = self.net.canonical(np.maximum(s, 0))
        return self.net.cost(s, si), s

    def threshold_step(self, s: np.ndarray, tight_supplier: bool) -> tuple[float, np.ndarray]:
        """Best solution with S_i <= v_r <= SI_j on every relaxed arc r, v_r taken from the
        feasible ``s`` (its S_i, or its SI_j): exact on the tree, feasible, and no worse."""
        s, si = self.net.canonical(s)
        v = s[self.rel_src] if tight_supplier else si[self.rel_dst]
        w = self.base.copy()
        np.minimum.at(w.s_hi, self.rel_src, v)
        np.maximum.at(w.si_lo, self.rel_dst, v)
        value, st = self.evaluate(w, np.zeros(len(self.rel_src)))
        if not np.isfinite(value):
            return self.upper(s)
        return self.upper(self.dp.backtrack(st)[0])


def local_search(relaxations: list[Relaxation], s: np.ndarray, cost: float,
                 halt: Callable[[], bool]) -> tuple[float, np.ndarray]:
    """Threshold descent over several spanning trees until a full round brings nothing.

    Each step keeps the incumbent feasible for its restricted problem, so the cost never
    rises; switching trees changes which arcs the DP optimises freely (a large-neighbourhood
    search).
    """
    moves = [(rx, tight) for rx in relaxations for tight in (True, False)]
    since = 0
    for rx, tight in itertools.cycle(moves):
        if since >= len(moves) or halt():
            break
        new_cost, new_s = rx.threshold_step(s, tight)
        if new_cost < cost * (1 - 1e-12):
            cost, s, since = new_cost, new_s, 0
        else:
            since += 1
    return cost, s


@dataclass
class _Search:
    """Incumbent, bounds and stopping rules shared by the phases of one solve."""

    deadline: float
    should_stop: ShouldStop | None
    progress: Progress | None
    rel_gap: float
    start: float
    budget: float
    ub: float = np.inf
    best_s: np.ndarray | None = None
    lb: float = -np.inf
    first_gap: float | None = None
    nodes: int = 0
    status: str = "optimal"
    last_report: float = -np.inf

    def offer(self, cost: float, s: np.ndarray) -> None:
        if cost < self.ub:
            self.ub, self.best_s = cost, s

    def closed(self, lb: float) -> bool:
        return lb >= self.ub - self.rel_gap * abs(self.ub)

    def stopped(self) -> bool:
        return self.should_stop is not None and self.should_stop()

    def halt(self) -> bool:
        """Cancelled, or past the deadline."""
        return self.stopped() or time.perf_counter() > self.deadline

    def report(self) -> None:
        """Call ``progress`` with max(time used, gap closed) as a fraction, at most every
        REPORT_EVERY seconds."""
        now = time.perf_counter()
        if self.progress is None or now - self.last_report < REPORT_EVERY:
            return
        self.last_report = now
        by_time = (now - self.start) / max(self.budget, 1e-9)
        gap = (self.ub - self.lb) / self.ub if self.ub > 0 and np.isfinite(self.lb) else 1.0
        self.first_gap = gap if self.first_gap is None else self.first_gap
        by_gap = 1.0 - gap / self.first_gap if self.first_gap > 0 else 1.0
        self.progress(float(min(0.99, max(by_time, by_gap, 0.0))))


def _subgradient(rx: Relaxation, w: Windows, search: _Search, iterations: int,
                 halt: Callable[[], bool], pool: list[tuple[float, np.ndarray]]
                 ) -> tuple[float, np.ndarray, DpState | None]:
    """Best L(λ) over Polyak subgradient steps from λ = 0, offering repaired solutions
    (the best few distinct ones are kept in ``pool`` as starts for the local search)."""
    lam = np.zeros(len(rx.rel_src))
    best = (-np.inf, lam, None)
    theta, stall = 1.0, 0
    for _ in range(iterations):
        value, st = rx.evaluate(w, lam)
        s, si = rx.dp.backtrack(st)
        cost, repaired = rx.upper(s)
        search.offer(cost, repaired)
        if all(abs(cost - c) > 1e-9 * cost for c, _ in pool):
            pool.append((cost, repaired))
            pool.sort(key=lambda item: item[0])
            del pool[POOL:]
        if value > best[0] + 1e-12 * abs(value):
            best, stall = (value, lam.copy(), st), 0
        else:
            stall += 1
            if stall >= 3:
                theta, stall = theta / 2, 0
        g = np.where(rx.implied(w), 0, s[rx.rel_src] - si[rx.rel_dst]).astype(float)
        g[(lam <= 0) & (g < 0)] = 0.0
        norm = float(g @ g)
        if norm == 0 or search.closed(best[0]) or theta < 5e-3 or halt():
            break
        lam = np.maximum(0.0, lam + theta * max(search.ub - value, 0.0) / norm * g)
        search.report()
    return best


def _children(rx: Relaxation, w: Windows, s: np.ndarray, si: np.ndarray,
              lam: np.ndarray) -> list[Windows] | None:
    """Three-way split on the relaxed arc most violated (or most priced) by (s, si)."""
    i, j = rx.rel_src, rx.rel_dst
    free = ~rx.implied(w)
    viol = np.where(free, s[i] - si[j], 0)
    if viol.max(initial=0) > 0:
        r = int(np.argmax(viol * (1.0 + rx.net.cost_rate[i] + rx.net.cost_rate[j])))
        v = int((si[j[r]] + s[i[r]] + 1) // 2)  # SI_j < v <= S_i
    else:
        slack = np.where(free & (lam > 0), lam * (si[j] - s[i]), 0.0)
        if slack.max(initial=0) <= 0:
            return None
        r = int(np.argmax(slack))
        v = int(s[i[r]])
    a, b = int(i[r]), int(j[r])
    out = []
    for s_lo, s_hi, si_lo, si_hi in ((None, v, v, None), (None, v - 1, None, v - 1),
                                     (v + 1, None, v + 1, None)):
        c = w.copy()
        if s_lo is not None:
            c.s_lo[a] = max(c.s_lo[a], s_lo)
        if s_hi is not None:
            c.s_hi[a] = min(c.s_hi[a], s_hi)
        if si_lo is not None:
            c.si_lo[b] = max(c.si_lo[b], si_lo)
        if si_hi is not None:
            c.si_hi[b] = min(c.si_hi[b], si_hi)
        if rx.propagate(c):
            out.append(c)
    return out


_FIELDS = ("s_lo", "s_hi", "si_lo", "si_hi")


def _diff(w: Windows, ref: Windows) -> tuple[tuple[np.ndarray, np.ndarray], ...]:
    """Compact copy of ``w``: the entries where it differs from ``ref`` (open nodes are many,
    their windows mostly the root's)."""
    out = []
    for name in _FIELDS:
        a, b = getattr(w, name), getattr(ref, name)
        idx = np.flatnonzero(a != b).astype(np.int32)
        out.append((idx, a[idx].astype(np.int32)))
    return tuple(out)


def _undiff(diff: tuple[tuple[np.ndarray, np.ndarray], ...], ref: Windows) -> Windows:
    w = ref.copy()
    for name, (idx, vals) in zip(_FIELDS, diff, strict=True):
        getattr(w, name)[idx] = vals
    return w


def _branch_and_bound(rx: Relaxation, search: _Search, root_lb: float, lam: np.ndarray,
                      root: DpState, max_nodes: int, halt: Callable[[], bool]) -> float:
    """Best-first search until closed, ``halt()`` or ``max_nodes``; returns the proven lower
    bound of this network (the least bound of the open nodes).

    Open nodes keep only their windows (as a difference from the root's); a node's DP is
    rebuilt from the root's when it is expanded, re-evaluating only the changed paths.
    """
    tie = itertools.count()
    heap = [(root_lb, next(tie), _diff(rx.base, rx.base))]
    while heap:
        lb, _, diff = heap[0]
        search.lb = lb
        if search.closed(lb):
            return min(search.ub, lb)
        if halt() or search.nodes >= max_nodes:
            return lb
        heapq.heappop(heap)
        search.nodes += 1
        w = _undiff(diff, rx.base)
        st = root if lb == root_lb and not any(len(i) for i, _ in diff) else rx.evaluate(
            w, lam, base=root)[1]
        s, si = rx.dp.backtrack(st)
        kids = _children(rx, w, s, si, np.where(rx.implied(w), 0.0, lam))
        if kids is None:  # the relaxed solution is feasible and the bound is tight
            search.offer(*rx.upper(s))
            continue
        for c in kids:
            value, cst = rx.evaluate(c, lam, base=st)
            if not np.isfinite(value) or search.closed(value):
                continue
            search.offer(*rx.upper(rx.dp.backtrack(cst)[0]))
            heapq.heappush(heap, (max(value, lb), next(tie), _diff(c, rx.base)))
        search.report()
    return search.ub


def _components(net: GsmNetwork) -> tuple[int, np.ndarray]:
    graph = sparse.csr_matrix((np.ones(len(net.arc_src)), (net.arc_src, net.arc_dst)),
                              shape=(net.n, net.n))
    return csgraph.connected_components(graph, directed=False)


def subnetwork(net: GsmNetwork, nodes: np.ndarray) -> GsmNetwork:
    """The GSM network induced by ``nodes`` (a union of connected components)."""
    index = np.full(net.n, -1, dtype=np.int64)
    index[nodes] = np.arange(len(nodes))
    arcs = index[net.arc_src] >= 0
    return GsmNetwork(len(nodes), index[net.arc_src[arcs]], index[net.arc_dst[arcs]],
                      processing_time=net.processing_time[nodes],
                      holding_cost=net.holding_cost[nodes],
                      demand_sigma=net.demand_sigma[nodes], arc_qty=net.arc_qty[arcs],
                      demand_mean=net.demand_mean[nodes],
                      service_level=net.service_level[nodes],
                      max_service_time=net.max_service_time[nodes],
                      external_inbound=net.external_inbound[nodes])


def solve(net: GsmNetwork, progress: Progress | None = None,
          should_stop: ShouldStop | None = None, time_limit: float = 10.0,
          rel_gap: float = 1e-9, max_nodes: int = 1_000_000,
          root_iterations: int = 100) -> GsmSolution:
    r"""Optimal (or best found, with its proven gap) service times of any acyclic network.

    ``progress(fraction)`` is called now and then with a value in [0, 1]; ``should_stop()``
    is polled between DP passes and ends the search early (status "stopped"). The result is
    exact when ``gap <= rel_gap`` (``exact`` is then True and ``gap`` 0).

    Diamond 0 -> {1, 2} -> 3 (T = 1 everywhere, demand σ = 1 at node 3 with z = Φ⁻¹(0.95);
    h = 1, 1, 1, 4). Node 0 serves node 3 along two paths, so Φ_03 = 2 and a = z·(2, 1, 1, 4):
    node 0 passes its time on (S_0 = 1, τ_0 = 0), nodes 1 and 2 hold τ = 2 and node 3 τ = 1:
    z·(2 + 2·sqrt(2) + 4) = 11.231763, the brute-force optimum.

    >>> net = GsmNetwork(4, [0, 0, 1, 2], [1, 2, 3, 3], processing_time=1,
    ...                  holding_cost=[1.0, 1.0, 1.0, 4.0], demand_sigma=[0, 0, 0, 1.0])
    >>> sol = solve(net)
    >>> sol.S.tolist(), sol.tau.tolist(), round(sol.objective, 6), sol.exact
    ([1, 0, 0, 0], [0, 2, 2, 1], 11.231763, True)
    """
    start = time.perf_counter()
    search = _Search(deadline=start + time_limit, should_stop=should_stop, progress=progress,
                     rel_gap=rel_gap, start=start, budget=time_limit)
    if progress is not None:
        progress(0.0)
    parts, label = _components(net)
    s_all = np.zeros(net.n, dtype=np.int64)
    lb_total = 0.0
    sizes = np.bincount(label, minlength=parts)
    pairs = np.unique(np.sort(np.stack([net.arc_src, net.arc_dst], axis=1), axis=1), axis=0)
    edges = np.bincount(label[pairs[:, 0]], minlength=parts) if len(pairs) else np.zeros(parts)
    cyclic = np.flatnonzero(edges >= sizes)
    forest = np.flatnonzero(~np.isin(label, cyclic))
    if forest.size:
        sol = solve_tree(subnetwork(net, forest))
        s_all[forest] = sol.S
        lb_total += sol.objective
    statuses = []
    remaining = sizes[cyclic].sum()
    for comp in cyclic[np.argsort(-sizes[cyclic])]:
        nodes = np.flatnonzero(label == comp)
        share = sizes[comp] / max(remaining, 1)
        remaining -= sizes[comp]
        now = time.perf_counter()
        sub = _Search(deadline=now + max(search.deadline - now, 0) * share,
                      should_stop=should_stop, progress=progress, rel_gap=rel_gap,
                      start=search.start, budget=time_limit)
        lb, s = _solve_component(subnetwork(net, nodes), sub, max_nodes, root_iterations)
        s_all[nodes] = s
        lb_total += lb
        search.nodes += sub.nodes
        statuses.append(sub.status)
    status = next((x for x in statuses if x != "optimal"), "optimal")
    if progress is not None:
        progress(1.0)
    return make_solution(net, s_all, lb_total, status=status, nodes_explored=search.nodes,
                         rel_tol=rel_gap)


def _solve_component(net: GsmNetwork, search: _Search, max_nodes: int,
                     root_iterations: int) -> tuple[float, np.ndarray]:
    """(lower bound, outbound times) for one connected network with cycles; sets
    ``search.status``.

    Phases (shares of the time limit): the λ = 0 DP, repaired, and a first branch and bound
    (to 15 %: enough for networks with few cycles); root subgradient (to 45 %); local
    search over four spanning trees from the best few repaired solutions (to 75 %); branch
    and bound with the best multipliers until the limit.
    """
    rx = Relaxation(net)
    rx.propagate(rx.base)
    start, span = time.perf_counter(), max(search.deadline - time.perf_counter(), 0.0)

    def until(fraction: float) -> Callable[[], bool]:
        return lambda: time.perf_counter() > start + fraction * span or search.stopped()

    lam = np.zeros(len(rx.rel_src))
    lb, root = rx.evaluate(rx.base, lam)
    search.offer(*rx.upper(rx.dp.backtrack(root)[0]))
    pool = [(search.ub, search.best_s)]
    if not search.closed(lb) and not search.halt():
        lb = max(lb, _branch_and_bound(rx, search, lb, lam, root, max_nodes, until(0.15)))
    if not search.closed(lb) and not search.halt():
        # a few relaxed arcs need few steps
        steps = min(root_iterations, 10 + 2 * len(rx.rel_src))
        sub_lb, sub_lam, sub_root = _subgradient(rx, rx.base, search, steps, until(0.45), pool)
        if sub_lb > lb:
            lam, root = sub_lam, sub_root
        lb = max(lb, sub_lb)
    search.lb = lb
    search.report()
    if not search.closed(lb) and not search.halt() and len(rx.rel_src) > 1:
        rng = np.random.default_rng(0)
        trees = [rx, *(Relaxation(net, rng, rx.base) for _ in range(3))]
        phase_end = until(0.75)
        for _, s in pool:
            if phase_end():
                break
            search.offer(*local_search(trees, s, net.cost(*net.canonical(s)), phase_end))
            search.report()
    if not search.closed(lb) and not search.halt():
        root_lb = rx.dp.value(root)
        lb = max(lb, _branch_and_bound(rx, search, root_lb, lam, root, max_nodes,
                                       search.halt))
    if search.closed(lb):
        search.status = "optimal"
    elif search.stopped():
        search.status = "stopped"
    elif search.nodes >= max_nodes:
        search.status = "node_limit"
    else:
        search.status = "time_limit"
    return min(lb, search.ub), search.best_s
