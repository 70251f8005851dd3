"""Small, hand-made planning data sets for tests (canonical frames)."""

from __future__ import annotations

import pandas as pd

from app.models.contract import TABLES
from app.models.frames import coerce_frame


def small_company() -> dict[str, pd.DataFrame]:
    """A plant P1 making FG1 from WIP1 (from RM1, RM2) and RM2; a DC D1 fed by transfer."""
    raw: dict[str, dict[str, list]] = {
        "settings": {"name": ["period", "start_date", "horizon_periods"],
                     "value": ["week", "2026-01-05", "12"]},
        "sites": {"site_id": ["P1", "D1"], "name": ["Plant", "DC"], "kind": ["plant", "dc"]},
        "items": {
            "item_id": ["FG1", "WIP1", "RM1", "RM2"],
            "unit_cost": [120.0, 40.0, 7.5, 2.25],
            "description": ["Tablet 10in", "Display module", "Glass", "Screw, M2"],
            "part_class": ["FG", "WIP", "RM", "RM"],
            "unit_price": [199.0, None, None, None],
            "shelf_life_periods": [None, None, 20, None],
        },
        "skus": {
            "item_id": ["FG1", "FG1", "WIP1", "RM1", "RM2"],
            "site_id": ["P1", "D1", "P1", "P1", "P1"],
            "supply_type": ["make", "transfer", "make", "buy", "buy"],
            "source_site": [None, "P1", None, None, None],
            "lead_time": [1.0, 2.0, 1.0, 4.0, 3.0],
            "on_hand": [10.0, 25.0, 5.0, 100.0, 1000.0],
            "order_policy": ["lot_for_lot", "lot_for_lot", "fixed", "poq", "lot_for_lot"],
            "lot_size": [None, None, 50.0, None, None],
            "ss_model": ["meio", "fixed", "none", "statistical", "none"],
            "ss_qty": [None, 10.0, None, None, None],
        },
        "bom": {
            "site_id": ["P1", "P1", "P1"],
            "parent_item": ["FG1", "FG1", "WIP1"],
            "component_item": ["WIP1", "RM2", "RM1"],
            "qty_per": [1.0, 4.0, 1.0],
            "scrap_rate": [0.0, 0.05, 0.0],
        },
        "demand_history": {
            "item_id": ["FG1"] * 4,
            "site_id": ["D1"] * 4,
            "period": pd.to_datetime(["2025-12-08", "2025-12-15", "2025-12-22", "2025-12-29"]),
            "quantity": [10.0, 12.0, 0.0, 9.0],
            "shipped": [10.0, 11.0, 0.0, 9.0],
        },
        "open_orders": {
            "order_id": ["PO-1", "TR-1"],
            "item_id": ["RM1", "FG1"],
            "site_id": ["P1", "D1"],
            "due_period": pd.to_datetime(["2026-01-12", "2026-01-05"]),
            "quantity": [200.0, 15.0],
            "kind": ["po", "transfer"],
        },
        "lots": {
            "item_id": ["RM1", "RM1"],
            "site_id": ["P1", "P1"],
            "lot_id": ["L1", "L2"],
            "quantity": [60.0, 40.0],
            "expiry_date": pd.to_datetime(["2026-02-02", "2026-06-01"]),
        },
        "resources": {"resource_id": ["LINE1"], "site_id": ["P1"], "capacity_per_period": [80.0]},
        "routings": {"item_id": ["FG1"], "site_id": ["P1"], "resource_id": ["LINE1"],
                     "hours_per_unit": [0.5]},
        "targets": {
            "measure": ["inventory_value", "service_level"],
            "dimension": ["part_class", "total"],
            "key": ["FG", "total"],
            "period": pd.to_datetime(["2026-01-01", "2026-01-01"]),
            "value": [5000.0, 0.95],
        },
    }
    frames = {}
    for table in TABLES:
        data = raw.get(table.name, {c.name: [] for c in table.columns if c.required})
        frames[table.name] = coerce_frame(table, pd.DataFrame(data))
    return frames
