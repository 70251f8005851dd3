r"""Engine steps 2-4 wired into the plan: forecast statistics, XYZ, and the recommended
safety stock of every SKU, single-echelon (SEIO) and multi-echelon (MEIO).

The network's stages are the SKUs (node order as given: the plan's low-level-code order).
Time is in planning periods, and every planning period is a review period (R = 1): a SKU
planned in weekly buckets sees one week of demand before its next order can react.

Per SKU j (symbols as in :mod:`app.engine.inventory.guaranteed_service`):

- own demand: μ_j the mean forecast per period over the horizon and σ_j the forecast-error
  sigma per period of the chosen forecast method (0 where unknown);
- pooled demand over the network: μ̃_j = Σ_d Φ_jd·μ_d and σ̃_j = sqrt(Σ_d (Φ_jd·σ_d)²),
  with Φ_jd the units of j per unit of demand SKU d over all BOM / transfer paths;
- lead time L_j = ``lead_time_periods`` (whole periods), σ_L the ``lead_time_std``;
- SEIO, every SKU for itself with its own service target (``service_target``, cycle or fill
  rate by ``service_type``) over its protection interval P_j = L_j + R:
  SS_j = k_j·sqrt(P_j·σ̃_j² + μ̃_j²·σ_L²) (``inventory.single_echelon.safety_stock``);
- MEIO, the guaranteed-service model over the whole network with processing time
  T_j = L_j + R, holding cost h_j = holding rate per year / periods per year × unit cost,
  the demand SKUs' σ_d, μ_d and targets (z_d = Φ⁻¹(target); the GSM treats a fill-rate target
  as a cycle-service one), quoted service times ``max_service_time``:
  SS_j = k_j·σ_j·sqrt(τ_j), τ_j = SI_j + T_j − S_j. Solved by
  :func:`app.engine.inventory.solve` (exact on trees, branch and bound with a reported gap
  otherwise) within a fixed node budget and a time limit; the result is memoised by its
  inputs (:class:`MeioMemo`), so edits that do not touch them reuse it.

Time-phased targets follow the forecast: SS_j(t) = SS_j · μ̃_j(t) / μ̃_j, where μ̃_j(t) is
the mean pooled forecast over the window (t, t + P_j] (SEIO) or (t, t + τ_j] (MEIO) and μ̃_j
the mean over the horizon (a flat forecast gives a flat target); Σ_d Φ_jd·D_d(t) is the
customer demand SKU j serves in period t. Dependent demand is pooled
without its lead-time offsets: the target of a component follows the forecast of the end
items it serves, not its own planned releases.

ABC uses the annual value of the pooled forecast, XYZ the coefficient of variation of the
demand history the SKU serves (:class:`Segmentation`); with the setting
``service_targets = abc_xyz`` every SKU takes its ABC-XYZ cell's service target
(``service_target_AX`` ... ``service_target_CZ``) instead of its own.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from scipy import sparse

from app.engine.classification import service_targets, xyz_classes
from app.engine.columns import column_values, text_values
from app.engine.inventory.gsm_general import solve
from app.engine.inventory.guaranteed_service import GsmNetwork, GsmSolution
from app.engine.inventory.single_echelon import safety_stock
from app.engine.progress import Progress, ShouldStop
from app.engine.safety_stock import forward_cover
from app.engine.same_values import MadeFrom, bits_equal, made_from, read_only
from app.engine.segmentation import abc_classes

if TYPE_CHECKING:
    from app.engine.inputs import PlanInput, PlanSettings
    from app.engine.prepare import Prepared

#: service target of a SKU whose service_target is empty (the data contract's default)
DEFAULT_SERVICE_TARGET = 0.95

#: planning periods between two reviews of a SKU's stock (every period is planned)
REVIEW_PERIODS = 1


@dataclass(frozen=True)
class MeioOptions:
    """Search budget of one MEIO solve. The node budget keeps results reproducible (the
    same inputs give the same answer) as long as the search ends within the time limit,
    which only large networks reach (their answer then depends on the machine's speed)."""

    max_nodes: int = 1
    root_iterations: int = 20
    time_limit: float = 5.0


class MeioMemo:
    """The last few MEIO solutions (and end-item lists) by a digest of their inputs; the
    least recently used goes first."""

    def __init__(self, size: int = 8) -> None:
        self._size = size
        self._items: OrderedDict[bytes, object] = OrderedDict()
        self._lock = threading.Lock()  # plans may run on a worker thread
        self.hits = 0
        self.misses = 0

    def get(self, key: bytes) -> Any:
        with self._lock:
            found = self._items.get(key)
            if found is None:
                self.misses += 1
                return None
            self.hits += 1
            self._items.move_to_end(key)
            return found

    def put(self, key: bytes, value: object) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self._size:
                self._items.popitem(last=False)


def network_digest(net: GsmNetwork, options: MeioOptions) -> bytes:
    """A digest of everything a MEIO solution depends on."""
    h = hashlib.blake2b(digest_size=20)
    h.update(np.int64(net.n).tobytes())
    for array in (net.arc_src, net.arc_dst, net.arc_qty, net.processing_time,
                  net.external_inbound, net.holding_cost, net.demand_sigma, net.demand_mean,
                  net.service_level, net.max_service_time):
        h.update(np.ascontiguousarray(array).tobytes())
    h.update(repr((options.max_nodes, options.root_iterations)).encode())
    return h.digest()


@dataclass(frozen=True)
class SkuDemand:
    """Per SKU (node order): own forecast statistics (units per period)."""

    mean: np.ndarray
    sigma: np.ndarray  # NaN where unknown
    method: np.ndarray  # forecast method name ("none" where no demand)
    history_mean: np.ndarray  # per period, NaN where the SKU has no history
    history_std: np.ndarray
    mase: np.ndarray  # the chosen method's holdout MASE and bias; NaN where none
    bias: np.ndarray


@dataclass(frozen=True)
class Segmentation:
    """ABC by annual value, XYZ by demand variability, and the ABC-XYZ cell's target.

    Annual value v_j = μ̃_j·P·c_j (pooled forecast per period x periods per year x unit
    cost). CV_j = sqrt(Σ_d (Φ_jd·s_d)²) / Σ_d Φ_jd·m_d over the demand SKUs' history means
    m_d and standard deviations s_d per period (independent across end items): a demand
    SKU's own history CV, a component's the CV of the end-item history it serves.
    """

    annual_value: np.ndarray
    abc: np.ndarray
    cv: np.ndarray
    xyz: np.ndarray
    cell: np.ndarray
    cell_service_target: np.ndarray


@dataclass(frozen=True)
class Recommendation:
    """Recommended safety stock per SKU (node order) and the MEIO search outcome.

    ``seio`` / ``meio``: flat recommendations (units) for every SKU (``meio`` None when MEIO
    was not asked for); ``override``: the (n, H) time-phased targets netting uses, for the
    SKUs whose ss_model is ``statistical`` (SEIO) or ``meio`` (MEIO, or SEIO when MEIO was
    not solved), NaN for every other SKU.
    """

    network: GsmNetwork
    demand: SkuDemand
    service_target: np.ndarray
    pooled_mean: np.ndarray
    pooled_sigma: np.ndarray
    lead: np.ndarray
    seio: np.ndarray
    meio: GsmSolution | None
    override: np.ndarray
    meio_seconds: float = 0.0
    meio_reused: bool = False
    segmentation: Segmentation | None = None

    def recommended(self, ss_model: np.ndarray) -> np.ndarray:
        """Flat recommendation per SKU by its model: MEIO for ``meio``, else SEIO."""
        if self.meio is None:
            return self.seio.copy()
        return np.where(ss_model == "meio", self.meio.safety_stock, self.seio)


def gsm_network(n: int, arc_src: np.ndarray, arc_dst: np.ndarray, arc_qty: np.ndarray,
                lead: np.ndarray, unit_cost: np.ndarray, holding_rate_per_period: float,
                demand: SkuDemand, service_target: np.ndarray,
                max_service_time: np.ndarray) -> GsmNetwork:
    """The GSM instance of a plan's network (see the module notes for each parameter)."""
    sigma = np.nan_to_num(demand.sigma)
    mean = np.maximum(demand.mean, 0.0)
    is_demand = (sigma > 0) | (mean > 0)
    service = np.where(is_demand, service_target, np.nan)
    return GsmNetwork(
        n, arc_src, arc_dst, processing_time=lead.astype(np.int64) + REVIEW_PERIODS,
        holding_cost=holding_rate_per_period * np.nan_to_num(unit_cost), demand_sigma=sigma,
        arc_qty=arc_qty, demand_mean=mean, service_level=service,
        max_service_time=max_service_time)


def pooled_sigma(net: GsmNetwork) -> np.ndarray:
    """σ̃_j = sqrt(Σ_d (Φ_jd·σ_d)²): the demand sigma a SKU sees from all it serves."""
    weight = net.demand_sigma[net.is_demand]
    scaled = net.paths @ sparse.diags(weight)
    return np.sqrt(np.asarray(scaled.multiply(scaled).sum(axis=1)).ravel())


def share_paths(net: GsmNetwork, memo: MeioMemo | None) -> None:
    """Φ depends on the network's shape only, which most edits keep: take it from ``memo``
    when it holds it, else put it there."""
    if memo is None:
        return
    key = paths_digest(net)
    paths = memo.get(key)
    if paths is None:
        memo.put(key, net.paths)
    else:
        net.seed_paths(paths)


def follow_forecast(flat: np.ndarray, demand: np.ndarray, window: np.ndarray) -> np.ndarray:
    """(n, H) SS_j(t) = flat_j · (mean of demand over (t, t + window_j]) / (mean over H).

    Rows with no demand or a zero window keep the flat value in every period.
    """
    n, h = demand.shape
    out = np.repeat(np.asarray(flat, dtype=float)[:, None], h, axis=1)
    if n == 0 or h == 0:
        return out
    average = demand.mean(axis=1)
    w = np.asarray(window, dtype=float)
    # a flat forecast keeps the flat target: only rows whose demand varies need the window
    use = (average > 0) & (w > 0) & (demand.max(axis=1) > demand.min(axis=1))
    if use.any():
        ahead = forward_cover(demand[use], w[use]) / w[use, None]
        out[use] *= ahead / average[use, None]
    return out


def segment(net: GsmNetwork, demand: SkuDemand, unit_cost: np.ndarray,
            periods_per_year: float, settings: PlanSettings) -> Segmentation:
    """ABC / XYZ / cell targets of every SKU of ``net`` (see :class:`Segmentation`)."""
    value = net.pooled_mean * periods_per_year * np.nan_to_num(unit_cost)
    abc = abc_classes(value, settings.abc_a_share, settings.abc_b_share)
    rows = net.is_demand
    paths = net.paths
    mean = paths @ np.nan_to_num(demand.history_mean[rows])
    std = np.sqrt(paths.multiply(paths) @ np.nan_to_num(demand.history_std[rows]) ** 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        cv = np.where(mean > 0, std / np.where(mean > 0, mean, 1.0), np.inf)
    xyz = xyz_classes(cv, settings.xyz_x_cv, settings.xyz_y_cv)
    cell = np.char.add(abc.astype("<U1"), xyz)
    return Segmentation(value, abc, cv, xyz, cell,
                        service_targets(cell, settings.cell_service_targets))


def recommend(net: GsmNetwork, demand: SkuDemand, independent_demand: np.ndarray,
              lead: np.ndarray, lead_time_std: np.ndarray, service_target: np.ndarray,
              service_type: np.ndarray, ss_model: np.ndarray, *, meio: bool = True,
              memo: MeioMemo | None = None, options: MeioOptions | None = None,
              progress: Progress | None = None, should_stop: ShouldStop | None = None
              ) -> Recommendation:
    """SEIO and (when ``meio``) MEIO safety stock of every SKU of ``net``, and the time-phased
    targets of the SKUs whose ``ss_model`` uses them. ``memo`` keeps the MEIO solution (Φ is
    the caller's to share: :func:`share_paths`)."""
    flat = flat_recommendation(net, demand, lead, lead_time_std, service_target, service_type,
                               meio=meio, memo=memo, options=options, progress=progress,
                               should_stop=should_stop)
    return with_targets(flat, ss_model, independent_demand)


def flat_recommendation(net: GsmNetwork, demand: SkuDemand, lead: np.ndarray,
                        lead_time_std: np.ndarray, service_target: np.ndarray,
                        service_type: np.ndarray, *, meio: bool = True,
                        memo: MeioMemo | None = None, options: MeioOptions | None = None,
                        progress: Progress | None = None,
                        should_stop: ShouldStop | None = None) -> Recommendation:
    """SEIO and (when ``meio``) MEIO flat safety stock of every SKU of ``net``, without the
    time-phased targets (``override`` has no periods: :func:`with_targets` adds them). It
    does not depend on the SKUs' ss_model, which planners edit most."""
    options = options or MeioOptions()
    mean = net.pooled_mean
    sigma = pooled_sigma(net)
    window = lead.astype(float) + REVIEW_PERIODS
    seio = safety_stock(service_target, mean, sigma, window - REVIEW_PERIODS,
                        np.nan_to_num(lead_time_std), service_type=service_type,
                        review_period=float(REVIEW_PERIODS))
    seio = np.where(sigma > 0, seio, 0.0)
    solution, seconds, reused = None, 0.0, False
    if meio:
        key = network_digest(net, options)
        solution = memo.get(key) if memo is not None else None
        reused = solution is not None
        if solution is None:
            started = time.perf_counter()
            solution = solve(net, progress=progress, should_stop=should_stop,
                             time_limit=options.time_limit, max_nodes=options.max_nodes,
                             root_iterations=options.root_iterations)
            seconds = time.perf_counter() - started
            if memo is not None:  # (a search stopped early is kept as one that reached
                memo.put(key, solution)  # its time limit: the session goes on with it)
    return Recommendation(net, demand, np.asarray(service_target, dtype=float), mean, sigma,
                          lead, seio, solution, np.zeros((net.n, 0)), seconds, reused)


def with_targets(rec: Recommendation, ss_model: np.ndarray, independent_demand: np.ndarray
                 ) -> Recommendation:
    """``rec`` with its (n, H) time-phased targets (``override``) for the SKUs whose
    ``ss_model`` is statistical (SEIO) or meio (MEIO; SEIO when MEIO was not solved)."""
    kinds = _target_kinds(rec, ss_model)
    return replace(rec, override=_all_targets(rec, kinds, independent_demand))


def _target_kinds(rec: Recommendation, ss_model: np.ndarray) -> np.ndarray:
    """Per SKU, the target it follows: 0 none (its own ss_model), 1 SEIO, 2 MEIO."""
    use_meio = (ss_model == "meio") & (rec.meio is not None)
    use_seio = (ss_model == "statistical") | ((ss_model == "meio") & (rec.meio is None))
    return np.where(use_meio, 2, np.where(use_seio, 1, 0)).astype(np.int8)


def _all_targets(rec: Recommendation, kinds: np.ndarray, independent_demand: np.ndarray
                 ) -> np.ndarray:
    """The (n, H) targets of every row by its kind (NaN for kind 0)."""
    override = np.full(independent_demand.shape, np.nan)
    _fill_targets(rec, override, kinds, np.flatnonzero(kinds > 0), independent_demand)
    return override


def _fill_targets(rec: Recommendation, override: np.ndarray, kinds: np.ndarray,
                  rows: np.ndarray, independent_demand: np.ndarray) -> None:
    """``override[rows]`` = the time-phased target of each row by its kind (1 SEIO, 2 MEIO);
    the SEIO and MEIO rows in one pass (each row's target is its own)."""
    if not rows.size:
        return
    net, solution, seio = rec.network, rec.meio, rec.seio
    window = rec.lead.astype(float) + REVIEW_PERIODS
    flat, span = seio, window
    if solution is not None:
        use_meio = kinds == 2
        flat = np.where(use_meio, solution.safety_stock, seio)
        span = np.where(use_meio, solution.tau, window)
    paths = net.paths if rows.size == net.n else net.paths[rows]
    served = np.asarray(paths @ independent_demand[net.is_demand])
    override[rows] = follow_forecast(flat[rows], served, span[rows])


def _kept_targets(base: Recommendation, rec: Recommendation, ss_model: np.ndarray,
                  independent_demand: np.ndarray, memo: MadeFrom | None) -> Recommendation:
    """:func:`with_targets` in a session: when the flat recommendation is the one kept
    (``base``) and the customer demand reads the same, the last targets are taken and only
    the rows whose kind of target changed (an ss_model edit) are made again."""
    kinds = _target_kinds(rec, ss_model)
    last = memo.kept("time-phased targets") if memo is not None else None
    if (last is not None and last[0] is base and last[2].shape == kinds.shape
            and bits_equal(last[1], independent_demand)):
        moved = np.flatnonzero(last[2] != kinds)
        override = last[3].copy()
        override[moved] = np.nan
        _fill_targets(rec, override, kinds, moved[kinds[moved] > 0], independent_demand)
    else:
        override = _all_targets(rec, kinds, independent_demand)
    if memo is not None:
        memo.keep("time-phased targets", (base, independent_demand, kinds, override))
    return replace(rec, override=override)


def end_items(net: GsmNetwork, item_id: np.ndarray, limit: int = 0) -> np.ndarray:
    """Per SKU, the end items (items of the demand SKUs) it serves, "; "-joined and sorted.

    ``limit`` > 0 keeps that many names and adds "+N more".
    """
    paths = net.paths.tocsr()
    demand_items = np.asarray(item_id, dtype=object)[np.flatnonzero(net.is_demand)]
    out = np.empty(net.n, dtype=object)
    indptr, indices = paths.indptr, paths.indices
    for j in range(net.n):
        names = sorted(set(demand_items[indices[indptr[j]:indptr[j + 1]]].tolist()))
        if limit and len(names) > limit:
            names = [*names[:limit], f"+{len(names) - limit} more"]
        out[j] = "; ".join(names)
    return out


# --- the plan's view ----------------------------------------------------------------------

#: KPIs the recommendation adds to a plan (name -> description)
KPI_DESCRIPTIONS: dict[str, str] = {
    "ss_investment_current": "value of the safety stock the plan holds (mean target x unit "
                             "cost, summed over SKUs; currency)",
    "ss_investment_recommended": "value of the recommended safety stock (MEIO for meio "
                                 "SKUs, SEIO for the others; currency)",
    "ss_investment_seio": "value of the single-echelon recommendation for every SKU",
    "ss_investment_meio": "value of the multi-echelon recommendation for every SKU (NaN "
                          "when MEIO was not solved)",
    "meio_gap": "proven optimality gap of the MEIO solution (0 = optimal; NaN when not "
                "solved)",
}


def paths_digest(net: GsmNetwork) -> bytes:
    """A digest of what Φ depends on: arcs, their quantities and the demand nodes."""
    h = hashlib.blake2b(digest_size=20)
    for array in (net.arc_src, net.arc_dst, net.arc_qty, net.is_demand):
        h.update(np.ascontiguousarray(array).tobytes())
    return b"paths" + h.digest()


def structure_digest(net: GsmNetwork) -> bytes:
    """A digest of the network's shape (what :func:`end_items` depends on, with the names)."""
    h = hashlib.blake2b(digest_size=20)
    for array in (net.arc_src, net.arc_dst, net.is_demand):
        h.update(np.ascontiguousarray(array).tobytes())
    return b"end-items" + h.digest()


def for_plan(inp: PlanInput, prepared: Prepared, progress: Progress | None = None,
             should_stop: ShouldStop | None = None) -> Recommendation:
    """The recommendation for a plan's SKUs (in the plan's node order); ``progress`` and
    ``should_stop`` reach the multi-echelon search (see :func:`recommend`).

    ``inp.memo`` keeps the flat recommendation (network, segmentation, SEIO, MEIO) while
    everything it is made from reads the same: the SKUs' demand statistics, lead times,
    arcs, costs, service targets and types, and the settings. An edit of a SKU's safety
    stock model or quantity then re-makes only the time-phased targets."""
    skus = prepared.skus
    n = len(skus)
    calendar = inp.settings.calendar
    forecast = inp.demand
    sigma = np.full(n, np.nan)
    method = np.full(n, "none", dtype=object)
    history_mean, history_std = np.full(n, np.nan), np.full(n, np.nan)
    mase, bias = np.full(n, np.nan), np.full(n, np.nan)
    if forecast is not None and len(forecast.item_id):
        at = (prepared.demand_rows if forecast is prepared.demand
              else prepared.rows(inp, forecast.item_id, forecast.site_id))
        known = at >= 0
        if forecast.sigma is not None:
            sigma[at[known]] = forecast.sigma[known]
        if forecast.method is not None:
            method[at[known]] = forecast.method[known]
        if forecast.history_mean is not None and forecast.history_std is not None:
            history_mean[at[known]] = forecast.history_mean[known]
            history_std[at[known]] = forecast.history_std[known]
        if forecast.mase is not None and forecast.bias is not None:
            mase[at[known]] = forecast.mase[known]
            bias[at[known]] = forecast.bias[known]
    independent = prepared.netting.independent_demand
    mean = independent.mean(axis=1) if calendar.horizon else np.zeros(n)
    method = np.where((mean > 0) | (method != "none"), method, "none")
    demand = SkuDemand(mean, sigma, method, history_mean, history_std, mase, bias)
    service = np.clip(column_values(skus, "service_target", DEFAULT_SERVICE_TARGET),
                      1e-6, 1.0 - 1e-9)
    service_type = text_values(skus, "service_type", "cycle")
    arcs = prepared.netting  # the network's arcs in node order
    settings = inp.settings
    max_service_time = column_values(skus, "max_service_time")
    lead_time_std = column_values(skus, "lead_time_std", 0.0)
    ss_model = prepared.netting.ss_model
    meio = bool((ss_model == "meio").any()) if inp.meio is None else inp.meio
    options = inp.meio_options or MeioOptions()
    made: list[bool] = []

    def make() -> Recommendation:
        made.append(True)
        rec = _flat_for_plan(inp, prepared, demand, service, service_type, max_service_time,
                             lead_time_std, meio, options, progress, should_stop)
        assert rec.segmentation is not None
        read_only([rec.service_target, rec.pooled_mean, rec.pooled_sigma, rec.seio,
                   *vars(rec.demand).values(), *vars(rec.segmentation).values()])
        return rec

    flat = made_from(inp.memo, "flat recommendation", (
        mean, sigma, method, history_mean, history_std, mase, bias, prepared.lead,
        arcs.arc_src, arcs.arc_dst, arcs.arc_qty, arcs.unit_cost, service, service_type,
        max_service_time, lead_time_std, repr((
            n, meio, options, calendar.periods_per_year, settings.holding_rate_per_year,
            settings.targets_by_cell, settings.abc_a_share, settings.abc_b_share,
            settings.xyz_x_cv, settings.xyz_y_cv, settings.cell_service_targets))), make)
    base = flat
    if not made and flat.meio is not None:  # the session's solution, as the MeioMemo gives
        flat = replace(flat, meio_seconds=0.0, meio_reused=True)
    return _kept_targets(base, flat, ss_model, independent, inp.memo)


def _flat_for_plan(inp: PlanInput, prepared: Prepared, demand: SkuDemand, service: np.ndarray,
                   service_type: np.ndarray, max_service_time: np.ndarray,
                   lead_time_std: np.ndarray, meio: bool, options: MeioOptions,
                   progress: Progress | None, should_stop: ShouldStop | None
                   ) -> Recommendation:
    """:func:`flat_recommendation` of a plan's SKUs, with their segmentation."""
    n = len(prepared.skus)
    calendar, settings = inp.settings.calendar, inp.settings
    arcs = prepared.netting
    unit_cost = arcs.unit_cost

    def network_for(service: np.ndarray) -> GsmNetwork:
        return gsm_network(
            n, arcs.arc_src, arcs.arc_dst, arcs.arc_qty, prepared.lead, unit_cost,
            settings.holding_rate_per_year / calendar.periods_per_year, demand, service,
            max_service_time)

    net = network_for(service)
    share_paths(net, inp.meio_memo)
    segments = segment(net, demand, unit_cost, calendar.periods_per_year, settings)
    if settings.targets_by_cell:  # the same arcs and demand SKUs: the same Φ
        service = segments.cell_service_target
        paths, net = net.paths, network_for(service)
        net.seed_paths(paths)
    rec = flat_recommendation(net, demand, prepared.lead, lead_time_std, service,
                              service_type, meio=meio, memo=inp.meio_memo, options=options,
                              progress=progress, should_stop=should_stop)
    return replace(rec, segmentation=segments)


def plan_columns(rec: Recommendation, skus: pd.DataFrame, ss_model: np.ndarray,
                 safety_stock: np.ndarray, memo: MeioMemo | None = None
                 ) -> dict[str, np.ndarray]:
    """The recommendation's per-SKU columns of ``PlanResult.skus`` (node order)."""
    n = len(skus)
    seg = rec.segmentation
    assert seg is not None
    sol = rec.meio
    nan = np.full(n, np.nan)
    item_id = skus["item_id"].to_numpy(dtype=object)
    key = structure_digest(rec.network)
    known = memo.get(key) if memo is not None else None
    if known is not None and np.array_equal(known[0], item_id):
        ends = known[1]
    else:
        ends = end_items(rec.network, item_id)
        if memo is not None:
            memo.put(key, (item_id, ends))
    return {
        "forecast_method": rec.demand.method,
        "demand_mean": rec.demand.mean,
        "demand_std": rec.demand.sigma,
        "forecast_mase": rec.demand.mase,
        "forecast_bias": rec.demand.bias,
        "demand_cv": seg.cv,
        "xyz": seg.xyz,
        "abc_xyz": seg.cell,
        "cell_service_target": seg.cell_service_target,
        "service_target_used": rec.service_target,
        "ss_current": safety_stock.mean(axis=1) if safety_stock.shape[1] else np.zeros(n),
        "ss_recommended": rec.recommended(ss_model),
        "ss_recommended_seio": rec.seio,
        "ss_recommended_meio": sol.safety_stock if sol is not None else nan,
        "S": sol.S.astype(float) if sol is not None else nan,
        "SI": sol.SI.astype(float) if sol is not None else nan,
        "tau": sol.tau.astype(float) if sol is not None else nan,
        "base_stock": sol.base_stock if sol is not None else nan,
        "end_items": ends,
    }


def plan_kpis(columns: dict[str, np.ndarray], unit_cost: np.ndarray,
              rec: Recommendation) -> dict[str, float]:
    """The KPIs of :data:`KPI_DESCRIPTIONS` from :func:`plan_columns`' columns."""
    cost = np.nan_to_num(unit_cost)

    def value(name: str) -> float:
        return float(np.asarray(columns[name], dtype=float) @ cost)

    return {
        "ss_investment_current": value("ss_current"),
        "ss_investment_recommended": value("ss_recommended"),
        "ss_investment_seio": value("ss_recommended_seio"),
        "ss_investment_meio": value("ss_recommended_meio") if rec.meio is not None
        else float("nan"),
        "meio_gap": rec.meio.gap if rec.meio is not None else float("nan"),
    }
