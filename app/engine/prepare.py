"""Everything netting starts from: network, independent demand, scheduled receipts, lots, rules.

Lead times are in periods and rounded up to whole periods (``lead_time_periods``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from app.engine.calendar import Calendar
from app.engine.forecast import bucket_quantities, independent_demand
from app.engine.inputs import PlanInput
from app.engine.lot_sizing import LotRules
from app.engine.netting import NettingInput
from app.engine.network import Network, build_network
from app.engine.shelf_life import LotTable


def column_values(frame: pd.DataFrame, name: str, default: float = np.nan) -> np.ndarray:
    if name not in frame.columns:
        return np.full(len(frame), default)
    return frame[name].to_numpy(dtype=float, na_value=default)


def lead_time_periods(lead_time: np.ndarray) -> np.ndarray:
    """Whole planning periods of a lead time: ceil(lead_time), at least 0 (1.2 -> 2)."""
    return np.ceil(np.nan_to_num(lead_time) - 1e-9).clip(min=0).astype(np.int64)


@dataclass
class Prepared:
    """The network and per-SKU arrays netting starts from."""

    network: Network
    codes: np.ndarray
    demand_source: np.ndarray  # 0 none, 1 imported forecast, 2 history
    lead: np.ndarray
    open_work: np.ndarray
    netting: NettingInput


def prepare(inp: PlanInput) -> Prepared:
    """Network, independent demand, scheduled receipts, lots and lot rules of a PlanInput."""
    settings = inp.settings
    calendar = settings.calendar
    skus = inp.skus
    n = len(skus)
    network = build_network(skus, inp.bom)
    codes = network.low_level_codes()

    history_rows = inp.sku_rows(inp.demand_history["item_id"], inp.demand_history["site_id"])
    forecast_rows = inp.sku_rows(inp.forecast["item_id"], inp.forecast["site_id"])
    demand, source = independent_demand(calendar, n, forecast_rows, inp.forecast, history_rows,
                                         inp.demand_history)

    lead = lead_time_periods(column_values(skus, "lead_time", 1.0))
    orders = inp.open_orders
    order_rows = inp.sku_rows(orders["item_id"], orders["site_id"])
    quantities = orders["quantity"].to_numpy(dtype=float)
    scheduled = bucket_quantities(calendar, order_rows, orders["due_period"], quantities, n,
                                  past_due_to_first=True)
    open_work = _open_work(calendar, orders, order_rows, quantities, lead, n)

    on_hand = column_values(skus, "on_hand", 0.0)
    lots = None
    if len(inp.lots):
        lot_rows = inp.sku_rows(inp.lots["item_id"], inp.lots["site_id"])
        lots = LotTable(calendar, lot_rows, inp.lots, on_hand)
    rules = LotRules(
        policy=skus["order_policy"].fillna("lot_for_lot").to_numpy(dtype=object)
        if "order_policy" in skus else np.full(n, "lot_for_lot", dtype=object),
        lead_time=lead,
        lot_size=column_values(skus, "lot_size"),
        min_order=column_values(skus, "min_order"),
        order_multiple=column_values(skus, "order_multiple"),
        eoq=np.full(n, np.nan),
        poq_periods=np.ones(n, dtype=np.int64),
    )
    netting = NettingInput(
        codes=codes, arc_src=network.arc_src, arc_dst=network.arc_dst, arc_qty=network.arc_qty,
        on_hand=on_hand, independent_demand=demand, scheduled_receipts=scheduled, rules=rules,
        ss_model=skus["ss_model"].fillna("none").to_numpy(dtype=object)
        if "ss_model" in skus else np.full(n, "none", dtype=object),
        ss_qty=column_values(skus, "ss_qty"), ss_days=column_values(skus, "ss_days"),
        ss_override=inp.safety_stock_override, days_per_period=calendar.days_per_period,
        lots=lots, ordering_cost=column_values(skus, "ordering_cost"),
        unit_cost=column_values(skus, "unit_cost", 0.0),
        holding_rate_per_year=settings.holding_rate_per_year,
        periods_per_year=calendar.periods_per_year,
    )
    return Prepared(network, codes, source, lead, open_work, netting)


def _open_work(calendar: Calendar, orders: pd.DataFrame, rows: np.ndarray,
               quantities: np.ndarray, lead: np.ndarray, n: int) -> np.ndarray:
    """(n, H) open work-order quantity by the period it loads its resource (due - lead)."""
    h = calendar.horizon
    out = np.zeros((n, h))
    if not len(orders):
        return out
    is_work = (orders["kind"].fillna("po") == "wo").to_numpy() & (rows >= 0)
    due = calendar.bucket(orders["due_period"])
    start = np.clip(due - np.where(rows >= 0, lead[np.clip(rows, 0, None)], 0), 0, None)
    keep = is_work & (due < h)
    np.add.at(out, (rows[keep], start[keep]), quantities[keep])
    return out
