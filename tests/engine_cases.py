"""Tiny planning networks built by hand for engine tests (contract tables as DataFrames)."""

from __future__ import annotations

import pandas as pd

START = pd.Timestamp("2026-01-05")


def week(t: int) -> pd.Timestamp:
    return START + pd.Timedelta(weeks=t)


def tables(skus: list[dict], *, horizon: int, items: list[dict] | None = None,
           bom: list[dict] | None = None, demand: dict[tuple[str, str], list[float]] | None = None,
           open_orders: list[dict] | None = None, lots: list[dict] | None = None,
           resources: list[dict] | None = None, routings: list[dict] | None = None,
           holding_rate: float = 0.25) -> dict[str, pd.DataFrame]:
    """Contract tables for a hand-made case; ``demand`` is the imported forecast per SKU."""
    sku_defaults = {"source_site": None, "lead_time": 1.0, "lead_time_std": 0.0, "on_hand": 0.0,
                    "order_policy": "lot_for_lot", "lot_size": None, "min_order": None,
                    "order_multiple": None, "ordering_cost": None, "ss_model": "none",
                    "ss_qty": None, "ss_days": None, "service_target": 0.95,
                    "service_type": "cycle", "max_service_time": None}
    sku_frame = pd.DataFrame([{**sku_defaults, **s} for s in skus])
    for column in ("lead_time", "on_hand", "lot_size", "min_order", "order_multiple",
                   "ordering_cost", "ss_qty", "ss_days"):
        sku_frame[column] = sku_frame[column].astype(float)
    item_ids = sorted(set(sku_frame["item_id"]))
    item_frame = pd.DataFrame(items) if items else pd.DataFrame({
        "item_id": item_ids, "unit_cost": [10.0] * len(item_ids),
        "part_class": ["FG"] * len(item_ids), "unit_price": [15.0] * len(item_ids),
        "description": item_ids, "responsible": [""] * len(item_ids),
        "category": ["C1"] * len(item_ids), "shelf_life_periods": [None] * len(item_ids)})
    forecast_rows = [
        {"item_id": i, "site_id": s, "period": week(t), "quantity": float(q), "std": None}
        for (i, s), quantities in (demand or {}).items() for t, q in enumerate(quantities)]
    empty_orders = {"order_id": [], "item_id": [], "site_id": [], "due_period": [],
                    "quantity": [], "kind": []}
    return {
        "settings": pd.DataFrame({"name": ["period", "start_date", "horizon_periods",
                                           "holding_rate_per_year"],
                                  "value": ["week", START.date().isoformat(), str(horizon),
                                            str(holding_rate)]}),
        "sites": pd.DataFrame({"site_id": sorted(set(sku_frame["site_id"]))}),
        "items": item_frame,
        "skus": sku_frame,
        "bom": pd.DataFrame(bom or [], columns=["site_id", "parent_item", "component_item",
                                                "qty_per", "scrap_rate"]),
        "demand_history": pd.DataFrame({"item_id": [], "site_id": [],
                                        "period": pd.to_datetime([]), "quantity": [],
                                        "shipped": []}),
        "forecast": pd.DataFrame(forecast_rows or None,
                                 columns=["item_id", "site_id", "period", "quantity", "std"]),
        "open_orders": pd.DataFrame(open_orders) if open_orders else pd.DataFrame(empty_orders),
        "lots": pd.DataFrame(lots or [], columns=["item_id", "site_id", "lot_id", "quantity",
                                                  "expiry_date"]),
        "resources": pd.DataFrame(resources or [], columns=["resource_id", "site_id",
                                                            "capacity_per_period"]),
        "routings": pd.DataFrame(routings or [], columns=["item_id", "site_id", "resource_id",
                                                          "hours_per_unit"]),
        "targets": pd.DataFrame({"measure": [], "dimension": [], "key": [],
                                 "period": pd.to_datetime([]), "value": []}),
    }
