"""Costs, usage and stocking-point parameters of the demo company.

Standard costs are rolled up the bills of material: a made part costs its components
(quantity per, grossed up for scrap) plus overhead and labour, so a parent always costs at
least the sum of its components times their quantity per. Weekly usage of a stocking point is
its customer demand (DCs) or the demand passed down from its parents and DCs (plant).

Order policy fields, as the demo fills them:

- ``lot_for_lot``: order the net requirement (``order_multiple`` may round it up);
- ``fixed``: order ``lot_size`` units (or whole multiples of it) at a time;
- ``poq`` (period order quantity) and ``eoq``: ``ordering_cost`` is the cost of one order or
  set-up, from which the planner derives the economic quantity (and, for poq, the number of
  weeks one order covers);
- ``min_max``: ``min_order`` is the reorder point (order when projected stock falls to or
  below it) and ``lot_size`` is the maximum (order up to it).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from app.models.demo.network import PLANT, Structure

#: Labour and set-up cost range (USD per unit) added at each made part kind.
_LABOUR = {
    "TAB": (9.0, 16.0), "KBD": (2.5, 4.5), "DSP": (1.5, 3.0), "LAM": (1.0, 2.5),
    "MB": (1.0, 2.0), "PCBA": (2.5, 5.0), "BAT": (0.8, 1.6), "HSG": (0.8, 1.8),
    "KEY": (0.8, 1.5),
}
_CHIPS = ("SOC", "DRAM", "PMIC", "MDM", "MEM64", "MEM128", "MEM256", "MEM512")
#: Purchase pack sizes (order multiples): reels, trays, cartons.
_PACK = {"SCRA": 5000, "SCRB": 5000, "SCRC": 5000, "SCRD": 5000, "SOC": 100, "DRAM": 100,
         "PMIC": 250, "PASV": 50, "CEL": 50, "MAN": 500, "BOX": 200, "CBL": 100, "CHG": 100}
_TRANSFER_WEEKS = {"C1001": 2.0, "C2001": 2.0, "C3001": 1.0}


def roll_up_costs(rng: np.random.Generator, items: pd.DataFrame, bom: pd.DataFrame) -> pd.DataFrame:
    """``items`` with unit_cost (rolled-up standard cost) and unit_price (finished goods)."""
    items = items.copy()
    cost = pd.Series(items["base_cost"].to_numpy(), index=items["item_id"].to_numpy())
    lo, hi = np.array([_LABOUR.get(k, (0.0, 0.0)) for k in items["kind"]]).T
    labour = pd.Series(lo + (hi - lo) * rng.random(len(items)), index=cost.index)
    overhead = pd.Series(rng.uniform(0.03, 0.08, len(items)), index=cost.index)
    level = pd.Series(items["level"].to_numpy(), index=cost.index)
    for lvl in (2, 1, 0):
        lines = bom[level.loc[bom["parent_item"]].to_numpy() == lvl]
        gross = lines["qty_per"] / (1.0 - lines["scrap_rate"])
        material = (cost.loc[lines["component_item"]].to_numpy() * gross).groupby(
            lines["parent_item"].to_numpy()).sum()
        value = material * (1.0 + overhead.loc[material.index]) + labour.loc[material.index]
        cost.loc[material.index] = np.ceil(value.to_numpy() * 100.0 - 1e-6) / 100.0
    items["unit_cost"] = cost.to_numpy()
    margin = rng.uniform(1.35, 1.75, len(items))
    price = np.ceil(items["unit_cost"].to_numpy() * margin / 10.0) * 10.0 - 0.01
    items["unit_price"] = np.where(items["level"] == 0, price, np.nan)
    return items


def plant_usage(items: pd.DataFrame, bom: pd.DataFrame, fg_demand: pd.Series) -> pd.Series:
    """Weekly units needed at the plant per item: DC demand exploded down the BOM."""
    need = pd.Series(0.0, index=items["item_id"].to_numpy())
    need.loc[fg_demand.index] = fg_demand.to_numpy()
    level = pd.Series(items["level"].to_numpy(), index=need.index)
    for lvl in (0, 1, 2):
        lines = bom[level.loc[bom["parent_item"]].to_numpy() == lvl]
        gross = lines["qty_per"].to_numpy() / (1.0 - lines["scrap_rate"].to_numpy())
        passed = pd.Series(need.loc[lines["parent_item"]].to_numpy() * gross)
        add = passed.groupby(lines["component_item"].to_numpy()).sum()
        need.loc[add.index] += add.to_numpy()
    return need


def sku_skeleton(structure: Structure, items: pd.DataFrame) -> pd.DataFrame:
    """One row per stocking point: every item at the plant, finished goods at their DCs."""
    plant = items[["item_id", "kind", "part_class", "unit_cost"]].assign(site_id=PLANT)
    plant["supply_type"] = np.select(
        [plant["part_class"] == "RM"], ["buy"], "make").astype(object)
    plant["source_site"] = None
    dcs = structure.placement.merge(items[["item_id", "kind", "part_class", "unit_cost"]],
                                    on="item_id", validate="m:1")
    dcs["supply_type"] = "transfer"
    dcs["source_site"] = PLANT
    return pd.concat([plant, dcs[plant.columns]], ignore_index=True)


def abc_class(value: np.ndarray) -> np.ndarray:
    """A/B/C per stocking point by annual usage value (A: top 80 %, B: next 15 %, C: rest)."""
    order = np.argsort(-value, kind="stable")
    share = np.cumsum(value[order]) / max(value.sum(), 1e-9)
    ranked = np.where(share <= 0.8, "A", np.where(share <= 0.95, "B", "C"))
    ranked[0] = "A"
    out = np.empty(len(value), dtype=object)
    out[order] = ranked
    return out


def nice_up(x: np.ndarray) -> np.ndarray:
    """Round quantities up to two significant digits (1234 -> 1300, 37 -> 37), at least 1."""
    x = np.maximum(np.asarray(x, dtype=float), 1.0)
    step = 10.0 ** np.maximum(0.0, np.floor(np.log10(x)) - 1.0)
    return np.ceil(x / step - 1e-9) * step


def _pick(rng: np.random.Generator, n: int, options: dict[str, float]) -> np.ndarray:
    """``n`` random choices among the option names, with the given probabilities."""
    names = np.array(list(options), dtype=object)
    return names[rng.choice(len(names), size=n, p=np.array(list(options.values())))]


def plan_parameters(rng: np.random.Generator, sku: pd.DataFrame) -> pd.DataFrame:
    """Lead times, order policies, safety-stock models, service targets and on-hand stock.

    ``sku`` needs supply_type, kind, part_class, site_id, usage (units per week) and abc.
    """
    n = len(sku)
    supply, kind = sku["supply_type"].to_numpy(), sku["kind"].to_numpy()
    usage = sku["usage"].to_numpy(dtype=float)
    buy, make, move = supply == "buy", supply == "make", supply == "transfer"
    chips = np.isin(kind, _CHIPS)
    lt_lo = np.select([chips, kind == "PNL", np.isin(kind, ("CGL", "ENC", "CEL"))], [6, 5, 4], 2)
    buy_lt = rng.integers(lt_lo, lt_lo + 3)
    make_lt = np.select([np.isin(kind, ("TAB", "KBD")), kind == "PCBA", kind == "LAM"],
                        [1, rng.integers(2, 4, n), 2], rng.integers(1, 3, n))
    move_lt = sku["site_id"].map(_TRANSFER_WEEKS).fillna(1.0).to_numpy()
    lead = np.where(buy, buy_lt, np.where(make, make_lt, move_lt)).astype(float)
    varies = buy & (rng.random(n) < 0.4)
    lead_std = np.where(varies, np.round(np.maximum(0.3, lead * rng.uniform(0.1, 0.25, n)), 1), 0.0)

    policy = np.where(
        buy, _pick(rng, n, {"lot_for_lot": 0.45, "fixed": 0.15, "eoq": 0.2, "min_max": 0.2}),
        np.where(make, _pick(rng, n, {"lot_for_lot": 0.7, "fixed": 0.15, "poq": 0.15}),
                 _pick(rng, n, {"lot_for_lot": 0.75, "fixed": 0.15, "poq": 0.1})))
    pack = pd.Series(kind).map(_PACK).to_numpy(dtype=float)
    multiple = np.where(buy & ~np.isnan(pack), pack, np.nan)
    lot_weeks = rng.uniform(2.0, 4.0, n)
    lot = nice_up(usage * lot_weeks)
    lot = np.where(np.isnan(multiple), lot, np.ceil(lot / np.nan_to_num(multiple, nan=1.0))
                   * np.nan_to_num(multiple, nan=1.0))
    reorder = nice_up(usage * (lead + rng.uniform(1.0, 2.0, n)))
    top = reorder + nice_up(usage * rng.uniform(4.0, 8.0, n))
    set_up = np.where(buy, rng.uniform(40, 250, n), np.where(make, rng.uniform(150, 900, n),
                                                             rng.uniform(80, 300, n)))
    lot_size = np.where(policy == "fixed", lot, np.where(policy == "min_max", top, np.nan))
    min_order = np.where(policy == "min_max", reorder, np.nan)
    ordering_cost = np.where(np.isin(policy, ("eoq", "poq")), np.round(set_up, 0), np.nan)

    finished = sku["part_class"].to_numpy() != "RM"
    ss_model = np.where(
        finished, _pick(rng, n, {"meio": 0.75, "fixed": 0.13, "days_of_supply": 0.12}),
        _pick(rng, n, {"statistical": 0.55, "none": 0.35, "days_of_supply": 0.1}))
    ss_qty = np.where(ss_model == "fixed", nice_up(usage * rng.uniform(1.0, 2.0, n)), np.nan)
    ss_days = np.where(ss_model == "days_of_supply",
                       rng.choice([5.0, 7.0, 10.0, 14.0, 21.0], n), np.nan)
    abc = sku["abc"].to_numpy()
    target = np.select([abc == "A", abc == "B"],
                       [rng.choice([0.97, 0.98, 0.99], n), rng.choice([0.95, 0.96], n)],
                       rng.choice([0.90, 0.92, 0.93], n))
    fill_rate = rng.random(n) < np.where(move, 0.2, 0.05)

    cover = np.select([move, finished & ~move], [rng.lognormal(np.log(3.5), 0.35, n),
                                                  rng.uniform(0.5, 2.0, n)],
                      rng.uniform(1.5, 6.0, n))
    u = rng.random(n)
    cover = np.where(u < 0.06, rng.uniform(12.0, 30.0, n), np.where(u < 0.11, 0.0, cover))
    return pd.DataFrame({
        "lead_time": lead, "lead_time_std": lead_std, "on_hand": np.rint(cover * usage),
        "order_policy": policy, "lot_size": lot_size, "min_order": min_order,
        "order_multiple": multiple, "ordering_cost": ordering_cost, "ss_model": ss_model,
        "ss_qty": ss_qty, "ss_days": ss_days, "service_target": target,
        "service_type": np.where(fill_rate, "fill_rate", "cycle"),
        "max_service_time": np.where(move, 0.0, np.nan),
    }, index=sku.index)


def dc_usage(history: pd.DataFrame, weeks: int = 52) -> pd.Series:
    """Average weekly customer demand per (item_id, site_id) over the last ``weeks`` weeks."""
    last = history["period"].max() - pd.Timedelta(weeks=weeks - 1)
    recent = history[history["period"] >= last]
    return recent.groupby(["item_id", "site_id"], sort=False)["quantity"].sum() / weeks

