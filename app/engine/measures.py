"""Step 6 of the engine: the inventory manager's measures of one plan.

``compute_measures`` turns the netting outcome (``PlanArrays``, SKU x period, units) into
horizon KPIs, time-phased measures (one row per period) and per-SKU figures. Values are in the
settings' currency at the item's ``unit_cost`` c[i] (standard cost, currency/unit).

Symbols (SKU i, period t = 0..H-1; see ``app.engine.breakdown`` for P⁺, G, D, SS, ḡ, u, and
the stock split S + C + E + O = P⁺):

- on-hand value ``V[t] = Σ_i P⁺[i,t] c[i]`` (currency); ``V̄ = (1/H) Σ_t V[t]``
- periods of supply ``PoS[i,t] = min(P⁺/ḡ, H)`` (periods), value-weighted:
  ``PoS[t] = Σ_i V[i,t] PoS[i,t] / Σ_i V[i,t]``
- stock split (``breakdown.stock_breakdown``): obsolete O = all of P⁺ when no requirement
  is left in the horizon; else safety S = min(P⁺, SS⁺), excess E = max(0, P⁺ - SS⁺ - R) with
  R the requirements of the next L + 4 periods, cycle C = the rest. Values
  ``Σ_i E[i,t] c[i]`` etc. (currency); the four averages add up to V̄. Expired units leave
  the stock (flow balance), so they are not obsolete stock: they are the expired cost.
- projected service ``SL[t] = 1 - Σ_i u[i,t] / Σ_i D[i,t]`` (fraction of customer units met
  on time); cycle service = share of SKU-periods with ``D > 0`` and ``u <= 1e-9`` units
- demonstrated service ``Σ min(shipped, quantity) / Σ quantity`` over history rows whose
  shipped is known (a catch-up shipment never counts above the period's demand)
- cost of goods sold ``COGS[t] = Σ_i (D - u)[i,t] c[i]``; annual
  ``COGSₐ = (Σ_t COGS[t]) · N / H`` with N periods per year;
  turns ``= COGSₐ / V̄`` (1/year); ``DIO = 365 · V̄ / COGSₐ`` (days);
  cash-to-cash ``= DIO + DSO - DPO`` (days)
- revenue ``Σ_i (D - u)[i,t] p[i]`` with unit price p (0 where unknown)
- costs (currency): holding ``V[t] · h / N`` (h holding rate per year); ordering = number of
  planned orders x the SKU's ordering cost (0 where unknown), in the release period (past due
  -> period 0); expired ``Σ_i X[i,t] c[i]``; shortage ``Σ_i u[i,t] m[i]`` with the unit margin
  ``m = p - c`` where p is known and above c, else ``m = 0.25 · c``
- safety-stock compliance = share of SKU-periods with ``SS > 0`` where ``P >= SS``
- inventory quality ratio ``(V - E·c - O·c) / V`` (fraction of stock that is needed)
- key constraint utilisation: per period the highest resource utilisation (load/capacity);
  over the horizon the highest mean utilisation (Σ_t util / H) of any resource

Sources: turns, DIO and cash-to-cash as in the APICS (ASCM) Dictionary; projected service is
the fill rate (P2) and cycle service the per-period analogue of the cycle service level (P1)
of Silver, Pyke & Thomas, *Inventory and Production Management in Supply Chains*, ch. 6.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from app.engine.calendar import iso_days
from app.engine.inputs import PlanSettings
from app.engine.lookup import (
    GroupIndicator,
    LoadCells,
    column,
    group_codes,
    label_text,
    period_index,
    sku_rows,
)
from app.engine.measure_sums import BlockMemo, BlockVisitor, SkuAttributes, plan_sums
from app.engine.result import PlanArrays
from app.engine.same_values import MadeFrom, made_from
from app.engine.targets import ABC_CLASSES, DIMENSION_KEYS, PART_CLASSES, TargetTable

#: Unit shortage penalty as a share of unit cost when no margin above cost is known.
SHORTAGE_COST_SHARE = 0.25
DAYS_PER_YEAR = 365.0

KPI_DESCRIPTIONS: dict[str, str] = {
    "skus": "number of SKUs planned",
    "planned_orders": "number of planned orders",
    "past_due_orders": "planned orders whose release date is before the horizon",
    "average_inventory_value": "mean over periods of the on-hand value Σ max(POH,0)·unit_cost",
    "ending_inventory_value": "on-hand value at the end of the last period",
    "target_inventory_value": "mean over periods of the total inventory-value target",
    "safety_stock_value": "average value of stock up to the safety stock",
    "cycle_stock_value": "average value of stock the next lead time + 4 periods consume",
    "excess_stock_value": "average value of stock beyond safety + next lead time + 4 periods",
    "obsolete_stock_value": "average value of stock nothing needs in the rest of the horizon",
    "inventory_quality_ratio": "(average value - excess - obsolete) / average value",
    "periods_of_supply": "value-weighted periods of supply, min(POH⁺ / avg requirement, H)",
    "independent_demand": "customer demand over the horizon (units)",
    "units_short": "customer units not met on time over the horizon",
    "projected_service_level": "1 - units short / customer demand over the horizon",
    "projected_cycle_service": "share of SKU-periods with customer demand and no new shortage",
    "target_service_level": "mean over periods of the total service-level target",
    "demonstrated_service_level": "history: Σ min(shipped, demand) / Σ demand where known",
    "ss_compliance": "share of SKU-periods with safety stock where POH >= safety stock",
    "revenue": "customer units met on time x unit price over the horizon",
    "annual_cogs": "cost of goods sold per year: units met x unit cost, annualised",
    "turns": "annual COGS / average inventory value (per year)",
    "target_turns": "mean over periods of the turns target",
    "dio_days": "days of inventory outstanding: 365 x average inventory value / annual COGS",
    "cash_to_cash_days": "DIO + DSO - DPO (days)",
    "holding_cost": "Σ on-hand value x holding rate per year / periods per year",
    "ordering_cost": "planned orders x the SKU's ordering cost",
    "expired_cost": "expired units x unit cost (write-off)",
    "shortage_cost": "units short x unit margin (price - cost, else 25% of cost)",
    "total_cost": "holding + ordering + expired + shortage cost over the horizon",
    "key_constraint_utilisation": "highest mean utilisation of any resource over the horizon",
    "overloaded_resource_periods": "resource-periods with load above capacity",
}
#: Stable names of the horizon KPIs (kpis.csv, CLI), in display order.
KPI_NAMES: tuple[str, ...] = tuple(KPI_DESCRIPTIONS)

SKU_MEASURES = ("average_on_hand", "average_on_hand_value", "periods_of_supply",
                "excess_value", "obsolete_value", "projected_service", "demonstrated_service")


def _ratio(num: np.ndarray | float, den: np.ndarray | float) -> np.ndarray:
    """num / den, NaN where den is 0 (no warnings)."""
    num, den = np.asarray(num, dtype=float), np.asarray(den, dtype=float)
    out = np.full(np.broadcast(num, den).shape, np.nan)
    with np.errstate(over="ignore"):
        np.divide(num, den, out=out, where=den != 0)
    return out


def _mean(values: np.ndarray) -> float:
    """Mean of the non-NaN values, NaN when there are none (no warnings)."""
    values = values[~np.isnan(values)]
    return float(values.mean()) if values.size else float("nan")


def _count_true(flags: pd.Series) -> int:
    """How many of ``flags.astype(bool)`` are True (no conversion when already bool)."""
    if flags.dtype == bool:
        return int(np.count_nonzero(flags.to_numpy()))
    return int(flags.astype(bool).sum())


def _by_dimension(columns: dict[str, np.ndarray], name: str, total: np.ndarray,
                  groups: dict[str, np.ndarray]) -> None:
    columns[name] = total
    for key, values in groups.items():
        columns[f"{name}_{key}"] = values


def _ordering_cost(skus: pd.DataFrame, periods: pd.DatetimeIndex,
                   orders: pd.DataFrame) -> np.ndarray:
    """Ordering cost per period (H,): each planned order costs its SKU's ordering_cost,
    in its release period (past-due orders and releases before the horizon: period 0)."""
    horizon = len(periods)
    if orders is None or len(orders) == 0:
        return np.zeros(horizon)
    unit = np.nan_to_num(column(skus, "ordering_cost", np.nan), nan=0.0)
    if {"sku_row", "release_index"} <= set(orders.columns):  # the plan's own orders: no look-up
        t = np.clip(orders["release_index"].to_numpy(np.int64), 0, horizon - 1)
        return np.bincount(t, weights=unit[orders["sku_row"].to_numpy(np.int64)],
                           minlength=horizon)[:horizon]
    rows = sku_rows(skus, orders)
    cost = np.where(rows >= 0, unit[np.maximum(rows, 0)], 0.0)
    t = np.clip(period_index(orders["release_period"], periods), 0, horizon - 1)
    if "past_due" in orders.columns:  # released late: the cost falls now, in period 0
        t[orders["past_due"].fillna(False).astype(bool).to_numpy()] = 0
    return np.bincount(t, weights=cost, minlength=horizon)[:horizon]


def _resources(periods: pd.DatetimeIndex, load: pd.DataFrame, cells: LoadCells | None = None
               ) -> tuple[np.ndarray, np.ndarray, float, int]:
    """Per period: highest utilisation, overloaded resources; KPI utilisation and count
    (``cells``: ``LoadCells.of(load, periods)`` when the caller has it)."""
    horizon = len(periods)
    peak, over = np.full(horizon, np.nan), np.zeros(horizon)
    if load is None or len(load) == 0:
        return peak, over, float("nan"), 0
    cells = cells or LoadCells.of(load, periods)
    t = cells.period
    inside = (t >= 0) & (t < horizon)
    hours = column(load, "load_hours", 0.0)[inside]
    cap = column(load, "capacity_hours", np.inf)[inside]
    util = column(load, "utilisation", np.nan)[inside]
    with np.errstate(divide="ignore", invalid="ignore"):
        util = np.where(np.isnan(util), hours / cap, util)
    t = t[inside]
    overloaded = hours > cap + 1e-9
    resource = cells.resource[inside]
    known = resource >= 0  # (missing: left out)
    np.fmax.at(peak, t, util)  # the largest known utilisation per period (NaN: none)
    over = np.bincount(t, weights=overloaded.astype(float), minlength=horizon)[:horizon]
    # the resource with the highest mean utilisation over the horizon (Σ_t u / H)
    sums = np.bincount(resource[known], weights=np.where(np.isnan(util), 0.0, util)[known])
    present = np.bincount(resource[known]) > 0
    key = float(sums[present].max()) / horizon if present.any() else float("nan")
    return peak, over, key, int(overloaded.sum())


def _demonstrated(skus: pd.DataFrame, history: pd.DataFrame,
                  sums: tuple[np.ndarray, np.ndarray] | None = None) -> tuple[np.ndarray, float]:
    """Per SKU and overall: Σ min(shipped, quantity) / Σ quantity over rows with shipped.

    ``sums`` (filled, quantity per SKU), when the caller has them, saves the history look-up.
    """
    n = len(skus)
    if sums is not None:
        filled, quantity = sums
        return _ratio(filled, quantity), float(_ratio(filled.sum(), quantity.sum()))
    if history is None or len(history) == 0 or "shipped" not in history.columns:
        return np.full(n, np.nan), float("nan")
    shipped = column(history, "shipped", np.nan)
    known = ~np.isnan(shipped)
    qty = np.maximum(column(history, "quantity", 0.0)[known], 0.0)
    filled = np.clip(shipped[known], 0.0, qty)
    rows = sku_rows(skus, history.loc[known])
    ok = rows >= 0
    per_sku = _ratio(np.bincount(rows[ok], weights=filled[ok], minlength=n),
                     np.bincount(rows[ok], weights=qty[ok], minlength=n))
    return per_sku, float(_ratio(filled.sum(), qty.sum()))


def _float_frame(columns: dict[str, np.ndarray], rows: int) -> pd.DataFrame | None:
    """The columns as one block of floats, each column contiguous (filled into a fresh
    (k x rows) array, which the frame keeps); None unless all are float (rows,) arrays."""
    values = [np.asarray(v) for v in columns.values()]
    if not values or not all(v.dtype == np.float64 and v.shape == (rows,) for v in values):
        return None
    block = np.empty((len(values), rows))
    for k, v in enumerate(values):
        block[k] = v
    return pd.DataFrame(block.T, columns=list(columns), copy=False)


def _period_frame(labels: list[str], columns: dict[str, np.ndarray]) -> pd.DataFrame:
    """``period`` then the measure columns; built from one 2-D array when all are floats."""
    frame = _float_frame(columns, len(labels))
    if frame is None:
        return pd.DataFrame({"period": labels, **columns})
    frame.insert(0, "period", labels)
    return frame


def _attributes(skus: pd.DataFrame, memo: MadeFrom | None = None,
                lead_time: np.ndarray | None = None, abc: np.ndarray | None = None
                ) -> tuple[SkuAttributes, list[str]]:
    """Per-SKU costs, margins, lead times and group codes; also the category labels
    (``lead_time``, ``abc``: the plan's, instead of the skus' columns)."""
    cost = np.nan_to_num(column(skus, "unit_cost", 0.0), nan=0.0)
    price_known = column(skus, "unit_price", np.nan)
    margin = np.where(price_known > cost, price_known - cost, SHORTAGE_COST_SHARE * cost)
    lead = np.nan_to_num(column(skus, "lead_time_periods", 0.0) if lead_time is None
                         else np.asarray(lead_time, dtype=float), nan=0.0).astype(np.int64)
    labels = [abc if dim == "abc" and abc is not None else
              skus[dim] if dim in skus.columns else None
              for dim in ("part_class", "abc", "category")]
    groups, cats = made_from(memo, "measure groups", (len(skus), *labels),
                             lambda: _groups(len(skus), *labels))
    attrs = SkuAttributes(cost=cost, price=np.nan_to_num(price_known, nan=0.0), margin=margin,
                          lead_time=lead, groups=groups)
    return attrs, cats


def _groups(n: int, part_class: pd.Series | None, abc: pd.Series | None,
            category: pd.Series | None) -> tuple[GroupIndicator, list[str]]:
    """The SKUs' part-class, ABC and category groups (a missing column: no SKU in any of
    its fixed groups, every SKU uncategorised), and the category labels in order."""
    codes: dict[str, tuple[np.ndarray, int]] = {}
    for dim, labels, keys in (("part_class", part_class, PART_CLASSES),
                              ("abc", abc, ABC_CLASSES)):
        codes[dim] = group_codes(labels if labels is not None else [""] * n, keys), len(keys)
    rows, texts = label_text(category if category is not None else pd.Series([""] * n))
    labels = [text or "uncategorised" for text in texts]  # each distinct category once
    cats = sorted(set(labels))
    codes["category"] = group_codes(labels, cats)[rows], len(cats)
    return GroupIndicator.from_codes(codes, n), cats


def compute_measures(settings: PlanSettings, skus: pd.DataFrame, periods: pd.DatetimeIndex,
                     arrays: PlanArrays, planned_orders: pd.DataFrame,
                     resource_load: pd.DataFrame, demand_history: pd.DataFrame,
                     targets: pd.DataFrame, *,
                     shipped_sums: tuple[np.ndarray, np.ndarray] | None = None,
                     visit: BlockVisitor | None = None, memo: MadeFrom | None = None,
                     bounds: list[tuple[int, int]] | None = None,
                     blocks: BlockMemo | None = None, load_cells: LoadCells | None = None,
                     lead_time: np.ndarray | None = None, abc: np.ndarray | None = None
                     ) -> tuple[dict[str, float], pd.DataFrame, pd.DataFrame]:
    """The plan's measures: ``(kpis, kpis_by_period, sku_measures)``.

    - ``kpis``: ``KPI_NAMES`` -> value over the horizon (definitions in the module docstring
      and ``KPI_DESCRIPTIONS``); NaN where undefined (e.g. service with no customer demand)
    - ``kpis_by_period``: one row per period: ``period`` (ISO date), on_hand_value and its
      FG/WIP/RM/A/B/C splits with their targets (``target_on_hand_value[_KEY]``), the stock
      split, service (same splits and targets), flows, costs, compliance, resources; the
      ``periods_of_supply_<category>`` columns come last (empty category: "uncategorised")
    - ``sku_measures``: one row per SKU in ``skus`` order (RangeIndex), columns
      ``SKU_MEASURES``; values are time averages over the horizon, service over the horizon

    ``visit`` (optional) sees each block of SKUs of the pass (``measure_sums.plan_sums``);
    ``memo`` keeps the SKU groups and the target table while their sources read the same;
    ``bounds`` and ``blocks``: the pass's blocks and the session's block memo (see
    ``measure_sums.plan_sums``); ``load_cells``: ``LoadCells.of(resource_load, periods)``
    when the caller has it; ``lead_time`` (periods) and ``abc``: the SKUs' own, when the
    caller has them (else the ``lead_time_periods`` and ``abc`` columns of ``skus``).
    """
    n, horizon = arrays.projected_on_hand.shape
    per_year = settings.calendar.periods_per_year
    attrs, cats = _attributes(skus, memo, lead_time, abc)
    sums, sku = plan_sums(arrays, attrs, visit=visit, bounds=bounds, memo=blocks)
    value = sums.value
    goals = made_from(memo, "targets",
                      (periods, *(() if targets is None else (targets[c] for c in targets)),
                       np.array([] if targets is None else list(targets.columns), dtype=object)),
                      lambda: TargetTable(targets, periods))
    cols: dict[str, np.ndarray] = {}

    def by_key(grouped: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        return {key: grouped[dim][k] for dim, keys in DIMENSION_KEYS.items()
                for k, key in enumerate(keys)}


    _by_dimension(cols, "on_hand_value", value, by_key(sums.value_by))
    inv_target = goals.series("inventory_value")
    _by_dimension(cols, "target_on_hand_value", inv_target, goals.by_key("inventory_value"))
    cols["periods_of_supply"] = _ratio(sums.weighted_pos, value)
    cols["excess_value"], cols["obsolete_value"] = sums.excess, sums.obsolete
    cols["safety_stock_value"], cols["cycle_stock_value"] = sums.safety, sums.cycle
    cols["expired_value"] = sums.expired
    cols["inventory_quality_ratio"] = np.clip(  # clip: rounding of V - E·c - O·c
        _ratio(value - sums.excess - sums.obsolete, value), 0.0, 1.0)

    cols["independent_demand"], cols["units_short"] = sums.demand, sums.short
    demand_g, short_g = by_key(sums.demand_by), by_key(sums.short_by)
    _by_dimension(cols, "service_level", 1.0 - _ratio(sums.short, sums.demand),
                  {k: 1.0 - _ratio(short_g[k], demand_g[k]) for k in demand_g})
    sl_target = goals.series("service_level")
    _by_dimension(cols, "target_service_level", sl_target, goals.by_key("service_level"))
    cols["cycle_service"] = _ratio(sums.met, sums.has_demand)

    cols["cogs"], cols["revenue"] = sums.cogs, sums.revenue
    cols["turns"] = _ratio(sums.cogs * per_year, value)
    turns_target = goals.series("turns")
    cols["target_turns"] = turns_target
    holding = value * settings.holding_rate_per_year / per_year
    ordering = _ordering_cost(skus, periods, planned_orders)
    costs = holding + ordering + sums.expired + sums.shortage_cost
    cols["holding_cost"], cols["ordering_cost"] = holding, ordering
    cols["expired_cost"], cols["shortage_cost"] = sums.expired, sums.shortage_cost
    cols["total_cost"] = costs
    cols["ss_compliance"] = _ratio(sums.ss_ok, sums.has_ss)
    peak, over, key_util, over_count = _resources(periods, resource_load, load_cells)
    cols["key_constraint_utilisation"], cols["overloaded_resources"] = peak, over
    by_cat = _ratio(sums.weighted_by["category"], sums.value_by["category"])
    for k, cat in enumerate(cats):
        cols[f"periods_of_supply_{cat}"] = by_cat[k]
    by_period = _period_frame(iso_days(periods), cols)

    def mean(values: np.ndarray) -> float:
        return float(values.mean()) if horizon else 0.0

    avg_value, avg_excess, avg_obsolete = mean(value), mean(sums.excess), mean(sums.obsolete)
    annual_cogs = float(sums.cogs.sum()) * per_year / max(horizon, 1)
    dio = float(_ratio(DAYS_PER_YEAR * avg_value, annual_cogs))
    demonstrated_sku, demonstrated = _demonstrated(skus, demand_history, shipped_sums)
    orders = planned_orders if planned_orders is not None else pd.DataFrame()
    past_due = _count_true(orders["past_due"]) if "past_due" in orders else 0
    kpis = {
        "skus": float(n),
        "planned_orders": float(len(orders)),
        "past_due_orders": float(past_due),
        "average_inventory_value": avg_value,
        "ending_inventory_value": float(value[-1]) if horizon else 0.0,
        "target_inventory_value": _mean(inv_target),
        "safety_stock_value": mean(sums.safety),
        "cycle_stock_value": mean(sums.cycle),
        "excess_stock_value": avg_excess,
        "obsolete_stock_value": avg_obsolete,
        "inventory_quality_ratio": float(np.clip(
            _ratio(avg_value - avg_excess - avg_obsolete, avg_value), 0.0, 1.0)),
        "periods_of_supply": float(_ratio(sums.weighted_pos.sum(), value.sum())),
        "independent_demand": float(sums.demand.sum()),
        "units_short": float(sums.short.sum()),
        "projected_service_level": float(1.0 - _ratio(sums.short.sum(), sums.demand.sum())),
        "projected_cycle_service": float(_ratio(sums.met.sum(), sums.has_demand.sum())),
        "target_service_level": _mean(sl_target),
        "demonstrated_service_level": demonstrated,
        "ss_compliance": float(_ratio(sums.ss_ok.sum(), sums.has_ss.sum())),
        "revenue": float(sums.revenue.sum()),
        "annual_cogs": annual_cogs,
        "turns": float(_ratio(annual_cogs, avg_value)),
        "target_turns": _mean(turns_target),
        "dio_days": dio,
        "cash_to_cash_days": dio + settings.dso_days - settings.dpo_days,
        "holding_cost": float(holding.sum()),
        "ordering_cost": float(ordering.sum()),
        "expired_cost": float(sums.expired.sum()),
        "shortage_cost": float(sums.shortage_cost.sum()),
        "total_cost": float(costs.sum()),
        "key_constraint_utilisation": key_util,
        "overloaded_resource_periods": float(over_count),
    }
    sku_columns = {
        "average_on_hand": sku.mean_on_hand,
        "average_on_hand_value": sku.mean_on_hand * attrs.cost,
        "periods_of_supply": sku.mean_pos,
        "excess_value": sku.mean_excess * attrs.cost,
        "obsolete_value": sku.mean_obsolete * attrs.cost,
        "projected_service": 1.0 - _ratio(sku.short, sku.demand),
        "demonstrated_service": demonstrated_sku,
    }
    sku_measures = _float_frame(sku_columns, n)
    if sku_measures is None:
        sku_measures = pd.DataFrame(sku_columns, copy=False)  # (every column a fresh array)
    return kpis, by_period, sku_measures
