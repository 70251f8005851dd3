r"""Exact GSM on spanning trees: the Graves & Willems (2000) dynamic program, vectorised.

The network, with arc directions ignored, must be a forest (assembly and distribution may
be mixed). Nodes are peeled leaf by leaf: in each round every current leaf k is labelled and
its one unlabelled neighbour p(k) becomes its parent, so each node, when labelled, has at
most one unlabelled neighbour (the labelling of Graves & Willems 2000). A round's leaves are
evaluated together as one numpy block over their candidate service-time windows.

For node k, with A_k(SI) = Σ over labelled suppliers i of min_{x <= SI} f_i(x) and
B_k(S) = Σ over labelled customers c of min_{y >= S} g_c(y), the stage cost is

    c_k(S, SI) = a_k·sqrt(SI + T_k − S) + A_k(SI) + B_k(S),   a_k = h_k·k_k·σ_k,

(infinite when τ < 0 or S, SI leave their windows) and

    f_k(S)  = min_SI c_k(S, SI)   if k supplies p(k)   (p(k) then needs SI_p >= S_k),
    g_k(SI) = min_S  c_k(S, SI)   if p(k) supplies k   (k then needs SI_k >= S_p).

A root takes min over both. The inbound constraint is SI_j >= S_i for every supplier i;
:meth:`GsmNetwork.canonical` then sets SI_j = max S_i without raising the cost.

The DP also accepts per-node bounds on S and SI and linear terms λ^S_j·S_j + λ^SI_j·SI_j,
which the general-network solver uses for branching and Lagrangian bounds.

Reference: S. C. Graves, S. P. Willems, "Optimizing strategic safety stock placement in
supply chains", MSOM 2(1):68-83, 2000 (the functions f_k(S), g_k(SI)).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from app.engine.inventory.guaranteed_service import GsmNetwork, GsmSolution, make_solution

#: cells of one (nodes × S window × SI window) block; bounds peak memory to a few tens of MB
BLOCK_CELLS = 1 << 20


@dataclass(frozen=True)
class PeelOrder:
    """Leaf-peeling schedule of a forest: per round the leaves, their parents, and whether
    each leaf supplies its parent (``up``) or is supplied by it; ``roots`` are labelled last.
    """

    rounds: list[tuple[np.ndarray, np.ndarray, np.ndarray]]
    roots: np.ndarray


def peel_forest(n: int, src: np.ndarray, dst: np.ndarray) -> PeelOrder:
    """The peeling schedule, or ValueError when the undirected graph has a cycle.

    Neighbours are kept as a degree and the XOR of neighbour numbers: a node of degree 1
    has exactly its parent left in the XOR.
    """
    src = np.asarray(src, dtype=np.int64)
    dst = np.asarray(dst, dtype=np.int64)
    lo, hi = np.minimum(src, dst), np.maximum(src, dst)
    key, first = np.unique(lo * n + hi, return_index=True)
    a, b = lo[first], hi[first]
    # direction of each undirected pair: does the smaller node supply the larger one?
    small_supplies = src[first] == a
    deg = np.bincount(a, minlength=n) + np.bincount(b, minlength=n)
    nbr = np.zeros(n, dtype=np.int64)
    np.bitwise_xor.at(nbr, a, b)
    np.bitwise_xor.at(nbr, b, a)
    removed = np.zeros(n, dtype=bool)
    rounds = []
    frontier = np.flatnonzero(deg == 1)
    while frontier.size:
        parent = nbr[frontier]
        mutual = (deg[parent] == 1) & (nbr[parent] == frontier) & (frontier > parent)
        leaf, parent = frontier[~mutual], parent[~mutual]
        pair = np.searchsorted(key, np.minimum(leaf, parent) * n + np.maximum(leaf, parent))
        up = np.where(leaf < parent, small_supplies[pair], ~small_supplies[pair])
        rounds.append((leaf, parent, up))
        removed[leaf] = True
        deg[leaf] = 0
        np.subtract.at(deg, parent, 1)
        np.bitwise_xor.at(nbr, parent, leaf)
        frontier = np.unique(parent[(deg[parent] == 1) & ~removed[parent]])
    if np.any(~removed & (deg > 0)):
        raise ValueError("the network is not a tree: its arcs (direction ignored) form a cycle")
    return PeelOrder(rounds=rounds, roots=np.flatnonzero(~removed))


@dataclass
class Windows:
    """Per-node integer bounds s_lo <= S <= s_hi, si_lo <= SI <= si_hi (empty if lo > hi)."""

    s_lo: np.ndarray
    s_hi: np.ndarray
    si_lo: np.ndarray
    si_hi: np.ndarray

    def copy(self) -> Windows:
        return Windows(self.s_lo.copy(), self.s_hi.copy(), self.si_lo.copy(), self.si_hi.copy())


@dataclass
class DpState:
    """One evaluated DP: per node its message to the parent (min_{x<=SI} f or min_{y>=S} g
    on the full grid), argmin tables, and per root its best (value, S, SI)."""

    windows: Windows
    lin_s: np.ndarray
    lin_si: np.ndarray
    message: np.ndarray  # (n, G) float
    to_parent: np.ndarray  # (n, G) int32: parent's SI (or S) -> own S (or SI)
    other: np.ndarray  # (n, G) int32: own S -> SI (supplier of parent) / own SI -> S
    root_value: np.ndarray  # (n,) float, used at roots
    root_s: np.ndarray
    root_si: np.ndarray

    def copy(self) -> DpState:
        return DpState(self.windows.copy(), self.lin_s.copy(), self.lin_si.copy(),
                       self.message.copy(), self.to_parent.copy(), self.other.copy(),
                       self.root_value.copy(), self.root_s.copy(), self.root_si.copy())


class TreeDp:
    r"""The DP of one forest: evaluate all nodes, or re-evaluate a few and their ancestors.

    Minimises Σ_j [a_j·sqrt(SI_j + T_j − S_j) + λ^S_j·S_j + λ^SI_j·SI_j] subject to τ_j >= 0,
    the windows, and SI_c >= S_i for every forest arc i -> c. Work is Σ_j |S window|·|SI
    window| for a full pass; changing the windows or linear terms of a few nodes costs only
    their paths to the root (:meth:`update`).
    """

    def __init__(self, order: PeelOrder, t: np.ndarray, a: np.ndarray, grid: int) -> None:
        n = len(t)
        self.order, self.t, self.a, self.n = order, np.asarray(t), np.asarray(a, float), n
        self.grid = np.arange(max(int(grid), 1))
        self.parent = np.full(n, -1, dtype=np.int64)
        self.up = np.zeros(n, dtype=bool)
        self.level = np.full(n, len(order.rounds), dtype=np.int64)
        for r, (k, parent, up) in enumerate(order.rounds):
            self.parent[k], self.up[k], self.level[k] = parent, up, r
        child = np.flatnonzero(self.parent >= 0)
        child = child[np.argsort(self.parent[child], kind="stable")]
        self.child = child
        self.child_ptr = np.searchsorted(self.parent[child], np.arange(n + 1))

    def _accumulated(self, st: DpState, k: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(B_k(S), A_k(SI)) on the full grid: linear terms plus the children's messages."""
        acc_s = st.lin_s[k][:, None] * self.grid
        acc_si = st.lin_si[k][:, None] * self.grid
        start = self.child_ptr[k]
        count = self.child_ptr[k + 1] - start
        total = int(count.sum())
        if total:
            owner = np.repeat(np.arange(len(k)), count)
            kids = self.child[np.repeat(start - np.cumsum(count) + count, count)
                              + np.arange(total)]
            upk = self.up[kids]
            np.add.at(acc_si, owner[upk], st.message[kids[upk]])
            np.add.at(acc_s, owner[~upk], st.message[kids[~upk]])
        return acc_s, acc_si

    def _block(self, st: DpState, k: np.ndarray) -> tuple[np.ndarray, ...]:
        """c_k(S, SI) over the windows of nodes k: (cost, S values, S ok, SI values, SI ok)."""
        w = st.windows
        top = len(self.grid) - 1
        acc_s, acc_si = self._accumulated(st, k)
        s_lo, s_hi = w.s_lo[k][:, None], np.minimum(w.s_hi[k], top)[:, None]
        si_lo, si_hi = w.si_lo[k][:, None], np.minimum(w.si_hi[k], top)[:, None]
        s = s_lo + np.arange(max(int((s_hi - s_lo).max()), 0) + 1)
        si = si_lo + np.arange(max(int((si_hi - si_lo).max()), 0) + 1)
        s_ok, si_ok = s <= s_hi, si <= si_hi
        s, si = np.minimum(s, top), np.minimum(si, top)
        tau = si[:, None, :] + self.t[k][:, None, None] - s[:, :, None]
        ok = (tau >= 0) & s_ok[:, :, None] & si_ok[:, None, :]
        rows = np.arange(len(k))[:, None]
        cost = self.a[k][:, None, None] * np.sqrt(np.maximum(tau, 0))
        cost += acc_s[rows, s][:, :, None]
        cost += acc_si[rows, si][:, None, :]
        cost[~ok] = np.inf
        return cost, s, s_ok, si, si_ok

    def _chunks(self, st: DpState, k: np.ndarray) -> list[np.ndarray]:
        """Positions in ``k`` grouped into blocks of similar window sizes, each of at most
        BLOCK_CELLS cells. One block when padding to the largest windows at most doubles the
        work (or adds little); else windows are bucketed by factors of 4 per axis."""
        if len(k) == 0:
            return []
        w = st.windows
        ns = np.maximum(w.s_hi[k] - w.s_lo[k], 0) + 1
        nsi = np.maximum(w.si_hi[k] - w.si_lo[k], 0) + 1
        padded = len(k) * int(ns.max()) * int(nsi.max())
        if padded <= min(BLOCK_CELLS, 2 * int((ns * nsi).sum()) + 4096):
            return [np.arange(len(k))]
        klass = (np.ceil(np.log2(ns) / 2).astype(np.int64) * 64
                 + np.ceil(np.log2(nsi) / 2).astype(np.int64))
        order = np.argsort(klass, kind="stable")
        cuts = np.flatnonzero(np.diff(klass[order])) + 1
        out = []
        for group in np.split(order, cuts):
            per = max(1, BLOCK_CELLS // int(ns[group].max() * nsi[group].max()))
            out.extend(group[i:i + per] for i in range(0, len(group), per))
        return out

    def _upstream(self, st: DpState, k: np.ndarray) -> None:
        """k supplies its parent: f_k(S); message min_{x <= SI} f_k(x)."""
        cost, s, s_ok, si, _ = self._block(st, k)
        arg = cost.argmin(axis=2)
        b, ns = arg.shape
        bi, si_idx = np.arange(b)[:, None], np.arange(ns)[None, :]
        val = cost[bi, si_idx, arg]
        full = np.full((b, len(self.grid)), np.inf)
        r, c = np.nonzero(s_ok)
        full[r, s[r, c]] = val[r, c]
        st.other[k[r], s[r, c]] = si[r, arg[r, c]]
        run = np.minimum.accumulate(full, axis=1)
        st.to_parent[k] = np.maximum.accumulate(np.where(full == run, self.grid, 0), axis=1)
        st.message[k] = run

    def _downstream(self, st: DpState, k: np.ndarray) -> None:
        """The parent supplies k: g_k(SI); message min_{y >= S} g_k(y)."""
        cost, s, _, si, si_ok = self._block(st, k)
        arg = cost.argmin(axis=1)
        b, nsi = arg.shape
        val = cost[np.arange(b)[:, None], arg, np.arange(nsi)[None, :]]
        full = np.full((b, len(self.grid)), np.inf)
        r, c = np.nonzero(si_ok)
        full[r, si[r, c]] = val[r, c]
        st.other[k[r], si[r, c]] = s[r, arg[r, c]]
        rev = full[:, ::-1]
        run = np.minimum.accumulate(rev, axis=1)
        pos = np.maximum.accumulate(np.where(rev == run, self.grid, 0), axis=1)
        st.to_parent[k] = (len(self.grid) - 1 - pos)[:, ::-1]
        st.message[k] = run[:, ::-1]

    def _root(self, st: DpState, k: np.ndarray) -> None:
        cost, s, _, si, _ = self._block(st, k)
        flat = cost.reshape(len(k), -1).argmin(axis=1)
        i, j = np.divmod(flat, cost.shape[2])
        rows = np.arange(len(k))
        st.root_value[k], st.root_s[k], st.root_si[k] = cost[rows, i, j], s[rows, i], si[rows, j]

    def _evaluate(self, st: DpState, nodes: np.ndarray) -> None:
        """Evaluate ``nodes`` (closed under parents) round by round."""
        if len(nodes) == 0:
            return
        lev = self.level[nodes]
        order = np.argsort(lev, kind="stable")
        nodes, lev = nodes[order], lev[order]
        cuts = np.flatnonzero(np.diff(lev)) + 1
        for group in np.split(nodes, cuts):
            if self.parent[group[0]] < 0:
                for b in self._chunks(st, group):
                    self._root(st, group[b])
                continue
            for part, step in ((self.up[group], self._upstream),
                               (~self.up[group], self._downstream)):
                sub = group[part]
                for b in self._chunks(st, sub):
                    step(st, sub[b])

    def solve(self, windows: Windows, lin_s: np.ndarray | None = None,
              lin_si: np.ndarray | None = None) -> DpState:
        """A full pass."""
        n, g = self.n, len(self.grid)
        st = DpState(windows=windows,
                     lin_s=np.zeros(n) if lin_s is None else np.asarray(lin_s, float),
                     lin_si=np.zeros(n) if lin_si is None else np.asarray(lin_si, float),
                     message=np.empty((n, g)), to_parent=np.zeros((n, g), dtype=np.int32),
                     other=np.zeros((n, g), dtype=np.int32), root_value=np.zeros(n),
                     root_s=np.zeros(n, dtype=np.int64), root_si=np.zeros(n, dtype=np.int64))
        self._evaluate(st, np.arange(n))
        return st

    def ancestors(self, nodes: np.ndarray) -> np.ndarray:
        """``nodes`` and all their ancestors in the peeling forest."""
        seen = np.zeros(self.n, dtype=bool)
        frontier = np.unique(np.asarray(nodes, dtype=np.int64))
        while frontier.size:
            seen[frontier] = True
            up = self.parent[frontier]
            up = up[up >= 0]
            frontier = np.unique(up[~seen[up]])
        return np.flatnonzero(seen)

    def update(self, st: DpState, changed: np.ndarray) -> DpState:
        """Re-evaluate, in place, the ``changed`` nodes (whose windows or linear terms the
        caller has just changed in ``st``) and their ancestors; returns ``st``."""
        self._evaluate(st, self.ancestors(changed))
        return st

    def value(self, st: DpState) -> float:
        """Optimal value: the sum over roots (inf when some window set is infeasible)."""
        return float(st.root_value[self.order.roots].sum())

    def backtrack(self, st: DpState) -> tuple[np.ndarray, np.ndarray]:
        """Optimal (S, SI) from the roots down."""
        s = np.full(self.n, -1, dtype=np.int64)
        si = np.full(self.n, -1, dtype=np.int64)
        roots = self.order.roots
        s[roots], si[roots] = st.root_s[roots], st.root_si[roots]
        for k, parent, up in reversed(self.order.rounds):
            ku, pu = k[up], parent[up]
            s[ku] = st.to_parent[ku, si[pu]]
            si[ku] = st.other[ku, s[ku]]
            kd, pd_ = k[~up], parent[~up]
            si[kd] = st.to_parent[kd, s[pd_]]
            s[kd] = st.other[kd, si[kd]]
        return s, si


def base_windows(net: GsmNetwork) -> Windows:
    """0 <= S_j <= min(max service_j, U_j + T_j) and SI^ext_j <= SI_j <= U_j for every node.

    U_j (:attr:`GsmNetwork.max_inbound`) bounds any useful inbound time, so these windows
    keep every optimal solution.
    """
    u = net.max_inbound
    s_hi = np.minimum(net.max_service_time, u + net.processing_time).astype(np.int64)
    return Windows(np.zeros(net.n, dtype=np.int64), s_hi, net.external_inbound.copy(), u.copy())


def solve_tree(net: GsmNetwork, order: PeelOrder | None = None) -> GsmSolution:
    """Optimal service times of a GSM network whose undirected structure is a forest.

    Exact (Graves & Willems 2000 DP over integer service times). Raises ValueError when the
    network has an undirected cycle (use :func:`gsm_general.solve`).

    Serial line 0 -> 1 (T = 1, 1; h = 1, 3; demand σ = 1 at node 1 with z = Φ⁻¹(0.95),
    so k·σ = z at both): stock at both stages costs z·(1 + 3) = 6.579415; all stock at the
    end (S_0 = 1, τ = (0, 2)) would cost 3·z·sqrt(2) = 6.978494.

    >>> net = GsmNetwork(2, [0], [1], processing_time=[1, 1], holding_cost=[1.0, 3.0],
    ...                  demand_sigma=[0.0, 1.0])
    >>> sol = solve_tree(net)
    >>> sol.S.tolist(), sol.tau.tolist(), round(sol.objective, 6)
    ([0, 0], [1, 1], 6.579415)
    """
    if order is None:
        order = peel_forest(net.n, net.arc_src, net.arc_dst)
    windows = base_windows(net)
    dp = TreeDp(order, net.processing_time, net.cost_rate, int(windows.si_hi.max(initial=0))
                + int(net.processing_time.max(initial=0)) + 1)
    st = dp.solve(windows)
    s, _ = dp.backtrack(st)
    return make_solution(net, s, dp.value(st))
