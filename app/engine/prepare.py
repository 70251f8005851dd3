"""Everything netting starts from: network, independent demand, scheduled receipts, lots, rules.

Lead times are in periods and rounded up to whole periods (``lead_time_periods``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from app.engine.calendar import Calendar
from app.engine.columns import column_values, text_values
from app.engine.forecast import DemandForecast, bucket_quantities, demand_forecast
from app.engine.inputs import PlanInput
from app.engine.lot_sizing import LotRules
from app.engine.netting import NettingInput
from app.engine.network import Network, build_network
from app.engine.same_values import made_from, read_only
from app.engine.shelf_life import LotTable


def lead_time_periods(lead_time: np.ndarray) -> np.ndarray:
    """Whole planning periods of a lead time: ceil(lead_time), at least 0 (1.2 -> 2)."""
    return np.ceil(np.nan_to_num(lead_time) - 1e-9).clip(min=0).astype(np.int64)


@dataclass
class Prepared:
    """The network and per-SKU arrays netting starts from, SKUs in low-level-code order.

    Row i of ``skus`` (and of every array) is the input's SKU ``order[i]``: sorting by code
    makes each level a contiguous block, so netting works on views, not copies.
    """

    skus: pd.DataFrame
    order: np.ndarray
    position: np.ndarray  # input row -> row here
    network: Network
    codes: np.ndarray
    demand_source: np.ndarray  # 0 none, 1 imported forecast, 2 history
    lead: np.ndarray
    open_work: np.ndarray
    netting: NettingInput
    #: per SKU: Σ min(shipped, quantity) and Σ quantity of the history rows with shipped known
    shipped_sums: tuple[np.ndarray, np.ndarray]
    #: the customer demand netting starts from, and the row here of each of its SKUs (-1:
    #: no such SKU), for the steps after netting that read more of it
    demand: DemandForecast
    demand_rows: np.ndarray

    def rows(self, inp: PlanInput, item_id: pd.Series, site_id: pd.Series, of: str = ""
             ) -> np.ndarray:
        """Row here of each (item, site) pair; -1 where there is no such SKU. ``of`` names
        the pairs (a table) for ``inp.memo``: while the SKUs, their order and the pairs read
        the same, the rows are the ones found last time."""
        def look_up() -> np.ndarray:
            return read_only(_moved(inp.sku_rows(item_id, site_id), self.position))

        if not of:
            return look_up()
        return made_from(inp.memo, f"rows of {of}", (inp.skus["item_id"], inp.skus["site_id"],
                                                     self.position, item_id, site_id), look_up)


def _moved(rows: np.ndarray, position: np.ndarray) -> np.ndarray:
    return np.where(rows >= 0, position[np.maximum(rows, 0)], -1) if len(position) else rows


def prepare(inp: PlanInput) -> Prepared:
    """Network, independent demand, scheduled receipts, lots and lot rules of a PlanInput."""
    settings = inp.settings
    calendar = settings.calendar
    n = len(inp.skus)
    network, codes, order, position = _levels(inp)
    skus = inp.skus.iloc[order].reset_index(drop=True)

    forecast = inp.demand or demand_forecast(calendar, inp.demand_history, inp.forecast)
    orders, lots = inp.open_orders, inp.lots
    pairs = [(forecast.item_id, forecast.site_id), (orders["item_id"], orders["site_id"]),
             (lots["item_id"], lots["site_id"]) if len(lots) else ((), ())]
    at, order_rows, lot_rows = made_from(
        inp.memo, "rows of demand, orders, lots",
        (inp.skus["item_id"], inp.skus["site_id"], position, *(c for p in pairs for c in p)),
        lambda: read_only([_moved(rows, position) for rows in inp.sku_index.rows_many(pairs)]))
    known = at >= 0
    demand = np.zeros((n, calendar.horizon))
    demand[at[known]] = forecast.per_period[known]
    source = np.zeros(n, dtype=np.int64)
    source[at[known]] = forecast.source[known]
    filled, shipped_quantity = np.zeros(n), np.zeros(n)
    filled[at[known]] = forecast.filled[known]
    shipped_quantity[at[known]] = forecast.shipped_quantity[known]

    lead = lead_time_periods(column_values(skus, "lead_time", 1.0))
    quantities = orders["quantity"].to_numpy(dtype=float)
    due = orders["due_period"]
    periods = calendar.starts
    scheduled = made_from(inp.memo, "scheduled receipts", (n, periods, order_rows, due,
                                                               quantities),
                          lambda: read_only(bucket_quantities(
                              calendar, order_rows, due, quantities, n, past_due_to_first=True)))
    kind = orders["kind"]
    open_work = made_from(inp.memo, "open work", (n, periods, kind, due, order_rows,
                                                  quantities, lead),
                          lambda: read_only(_open_work(calendar, kind.to_numpy(dtype=object),
                                                       due, order_rows, quantities, lead, n)))

    on_hand = column_values(skus, "on_hand", 0.0)
    lot_table = made_from(
        inp.memo, "lot table", (periods, lot_rows, lots["quantity"], lots["expiry_date"],
                                on_hand),
        lambda: LotTable(calendar, lot_rows, lots, on_hand)) if len(lots) else None
    rules = LotRules(
        policy=text_values(skus, "order_policy", "lot_for_lot"),
        lead_time=lead,
        lot_size=column_values(skus, "lot_size"),
        min_order=column_values(skus, "min_order"),
        order_multiple=column_values(skus, "order_multiple"),
        eoq=np.full(n, np.nan),
        poq_periods=np.ones(n, dtype=np.int64),
    )
    netting = NettingInput(
        codes=codes, arc_src=position[network.arc_src], arc_dst=position[network.arc_dst],
        arc_qty=network.arc_qty,
        on_hand=on_hand, independent_demand=demand, scheduled_receipts=scheduled, rules=rules,
        ss_model=text_values(skus, "ss_model", "none"),
        ss_qty=column_values(skus, "ss_qty"), ss_days=column_values(skus, "ss_days"),
        ss_override=None if inp.safety_stock_override is None
        else inp.safety_stock_override[order], days_per_period=calendar.days_per_period,
        lots=lot_table, ordering_cost=column_values(skus, "ordering_cost"),
        unit_cost=column_values(skus, "unit_cost", 0.0),
        holding_rate_per_year=settings.holding_rate_per_year,
        periods_per_year=calendar.periods_per_year,
    )
    return Prepared(skus, order, position, network, codes, source, lead, open_work, netting,
                    (filled, shipped_quantity), forecast, at)


#: the columns of the skus and bom tables the network is built from
_NETWORK_COLUMNS = {"skus": ("item_id", "site_id", "supply_type", "source_site"),
                    "bom": ("site_id", "parent_item", "component_item", "qty_per",
                            "scrap_rate")}


def _levels(inp: PlanInput) -> tuple[Network, np.ndarray, np.ndarray, np.ndarray]:
    """The network, and its SKUs by low-level code: code of each row once sorted, the
    input row of each sorted row (``order``) and the sorted row of each input row
    (``position``). Made again only when a column it is built from reads differently."""
    present = [(table, c) for table, name in ((inp.skus, "skus"), (inp.bom, "bom"))
               for c in _NETWORK_COLUMNS[name] if c in table.columns]

    def make() -> tuple[Network, np.ndarray, np.ndarray, np.ndarray]:
        network = build_network(inp.skus, inp.bom, index=inp.sku_index)
        codes = network.low_level_codes()
        order = np.argsort(codes, kind="stable")
        position = np.empty(len(codes), dtype=np.int64)
        position[order] = np.arange(len(codes))
        read_only([network.arc_src, network.arc_dst, network.arc_qty, network.arc_kind,
                   network.arc_row])
        return read_only((network, codes[order], order, position))

    names = np.array([c for _, c in present], dtype=object)
    network, codes, order, position = made_from(
        inp.memo, "network", (*(table[c] for table, c in present), names), make)
    return replace(network, skus=inp.skus), codes, order, position


def _open_work(calendar: Calendar, kind: np.ndarray, due_period: pd.Series, rows: np.ndarray,
               quantities: np.ndarray, lead: np.ndarray, n: int) -> np.ndarray:
    """(n, H) open work-order quantity by the period it loads its resource (due - lead).

    ``kind``, ``due_period``, ``rows`` (SKU row, -1: none), ``quantities``: per open order.
    """
    h = calendar.horizon
    out = np.zeros((n, h))
    if not len(rows):
        return out
    is_work = (kind == "wo") & (rows >= 0)  # (a missing kind is a purchase order)
    due = calendar.bucket(due_period)
    start = np.maximum(due - np.where(rows >= 0, lead[np.maximum(rows, 0)], 0), 0)
    keep = is_work & (due < h)
    np.add.at(out, (rows[keep], start[keep]), quantities[keep])
    return out
