"""The bundled demo data set: a tablet maker with one plant and three distribution centres.

``generate_demo(skus, seed)`` returns one canonical frame per contract table. The company
assembles tablets (and folio keyboards) at plant P1001 (Penang) from modules, sub-assemblies
and purchased parts, and ships them to DCs C1001 (Memphis), C2001 (Rotterdam) and C3001
(Singapore), where customer demand arises. The data set grows with ``skus`` by adding tablet
platforms and the shared-part pools that feed them; the bills of material stay 3-4 levels deep
and the network stays acyclic.

Calendar: weekly buckets; 104 weeks of demand history from Monday 2024-11-25, and a 52-week
plan starting Monday 2026-11-23. Customer demand history is built from real weekly sales (UCI
data set #396, see ``demo.history``). No forecast is shipped: the planner computes one from
history. Everything is drawn from ``numpy.random.default_rng(seed)``, so the same ``skus`` and
``seed`` always give the same data.

The parts live in ``demo.parts`` / ``demo.network``, costs and stocking parameters (including
how order-policy fields are filled) in ``demo.stock``, orders and lots in ``demo.orders``,
capacity, targets and settings in ``demo.plan``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from app.models.contract import TABLES_BY_NAME
from app.models.demo.history import HISTORY_WEEKS, build_history, draw_volumes
from app.models.demo.network import PLANT, SITES, build_structure
from app.models.demo.orders import lots, open_orders
from app.models.demo.plan import resources_and_routings, settings, targets
from app.models.demo.stock import (
    abc_class,
    dc_usage,
    plan_parameters,
    plant_usage,
    roll_up_costs,
    sku_skeleton,
)
from app.models.frames import coerce_frame, empty_frame

HISTORY_START = pd.Timestamp("2024-11-25")
PLAN_START = HISTORY_START + pd.Timedelta(weeks=HISTORY_WEEKS)
HORIZON_WEEKS = 52

_ITEM_COLUMNS = ["item_id", "unit_cost", "description", "part_class", "unit_price",
                 "responsible", "category", "shelf_life_periods"]
_SKU_COLUMNS = [c.name for c in TABLES_BY_NAME["skus"].columns]


def generate_demo(skus: int = 450, seed: int = 7) -> dict[str, pd.DataFrame]:
    """The demo data set with about ``skus`` stocking points, as canonical contract frames.

    Returns a frame for every table of ``contract.TABLES`` (``forecast`` is empty). The SKU
    count lands within a few percent of ``skus`` (one tablet platform is about 40 SKUs, so
    very small requests give at least one platform).

    Order-policy fields as filled here: ``fixed`` uses ``lot_size``; ``eoq`` and ``poq`` use
    ``ordering_cost``; ``min_max`` uses ``min_order`` as the reorder point and ``lot_size`` as
    the order-up-to maximum; ``order_multiple`` is a purchase pack size on some bought parts.
    """
    if skus < 1:
        raise ValueError("skus must be at least 1")
    rng = np.random.default_rng(seed)
    structure = build_structure(rng, skus)
    items = roll_up_costs(rng, structure.items, structure.bom)
    dates = pd.date_range(HISTORY_START, periods=HISTORY_WEEKS, freq="7D")
    series = draw_volumes(rng, structure.placement, items, len(structure.platforms))
    history = build_history(rng, series, dates)

    sku = sku_skeleton(structure, items)
    at_dc = dc_usage(history)
    fg_total = at_dc.groupby(level="item_id").sum()
    at_plant = plant_usage(items, structure.bom, fg_total)
    dc_key = pd.MultiIndex.from_arrays([sku["item_id"], sku["site_id"]])
    sku["usage"] = np.where(sku["site_id"] == PLANT,
                            at_plant.reindex(sku["item_id"]).to_numpy(),
                            at_dc.reindex(dc_key).to_numpy())
    sku["usage"] = sku["usage"].fillna(0.0)
    sku["abc"] = abc_class(52.0 * sku["usage"].to_numpy() * sku["unit_cost"].to_numpy())
    sku = sku.merge(items[["item_id", "platform", "shelf_life_periods"]], on="item_id",
                    how="left", validate="m:1")
    sku = pd.concat([sku, plan_parameters(rng, sku)], axis=1)

    orders = open_orders(rng, sku, PLAN_START)
    on_hand_lots = lots(rng, sku, PLAN_START)
    resources, routings = resources_and_routings(rng, sku, len(structure.platforms))
    bom = structure.bom.assign(site_id=PLANT)
    raw = {
        "settings": settings(PLAN_START, HORIZON_WEEKS),
        "sites": pd.DataFrame(list(SITES), columns=["site_id", "name", "kind"]),
        "items": items[_ITEM_COLUMNS],
        "skus": sku[_SKU_COLUMNS],
        "bom": bom[["site_id", "parent_item", "component_item", "qty_per", "scrap_rate"]],
        "demand_history": history,
        "open_orders": orders,
        "lots": on_hand_lots,
        "resources": resources,
        "routings": routings,
        "targets": targets(sku, PLAN_START, HORIZON_WEEKS),
    }
    out: dict[str, pd.DataFrame] = {}
    for name, table in TABLES_BY_NAME.items():
        out[name] = coerce_frame(table, raw[name]) if name in raw else empty_frame(table)
    return out
