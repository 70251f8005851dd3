"""Open orders and on-hand lots of the demo company at the start of the plan.

Open orders are the scheduled receipts already released: purchase orders (PO-...) on about a
third of the raw materials, work orders (WO-...) on some sub-assemblies and finished goods at
the plant, and transfer orders (TR-...) on part of the DC stock. They are due in the first
weeks of the plan, and a few are past due (due before the plan start but not yet received).

Lots are the on-hand stock of the shelf-life parts (Li-ion cells and battery packs, adhesives),
split into one to four receipts with their expiry dates; a lot expires ``shelf_life_periods``
weeks after it was received, so many of them expire inside the plan horizon.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from app.models.demo.stock import nice_up

_PREFIX = {"buy": ("po", "PO"), "make": ("wo", "WO"), "transfer": ("transfer", "TR")}
_CHANCE = {"buy": 0.35, "make": 0.3, "transfer": 0.4}
_PAST_DUE_SHARE = 0.03


def open_orders(rng: np.random.Generator, sku: pd.DataFrame, start: pd.Timestamp) -> pd.DataFrame:
    """open_orders rows for ``sku`` (needs supply_type, usage, lead_time, order_multiple)."""
    n = len(sku)
    supply = sku["supply_type"].to_numpy()
    usage = sku["usage"].to_numpy(dtype=float)
    lead = sku["lead_time"].to_numpy(dtype=float)
    chance = pd.Series(supply).map(_CHANCE).to_numpy(dtype=float)
    has = (rng.random(n) < chance) & (usage > 0)
    cover = np.select([supply == "buy", supply == "make"],
                      [rng.uniform(2.0, 6.0, n), rng.uniform(1.0, 2.0, n)],
                      rng.uniform(1.0, 3.0, n))
    quantity = nice_up(usage * cover)
    multiple = np.nan_to_num(sku["order_multiple"].to_numpy(dtype=float), nan=1.0)
    quantity = np.ceil(quantity / multiple) * multiple
    last_due = np.select([supply == "buy", supply == "make"], [np.minimum(lead, 6.0), 3.0],
                         np.maximum(lead, 1.0))
    week = np.floor(rng.random(n) * last_due).astype(int)
    late = rng.random(n) < _PAST_DUE_SHARE
    week = np.where(late, -rng.integers(1, 3, n), week)
    rows = sku.loc[has, ["item_id", "site_id", "supply_type"]].reset_index(drop=True)
    week, quantity = week[has], quantity[has]
    if len(rows) and (week < 0).sum() < 2:
        week[: min(2, len(rows))] = [-1, -2][: min(2, len(rows))]
    kinds = rows["supply_type"].map(lambda s: _PREFIX[s][0])
    prefix = rows["supply_type"].map(lambda s: _PREFIX[s][1])
    number = rows.groupby("supply_type").cumcount() + 1
    return pd.DataFrame({
        "order_id": prefix + "-" + number.map("{:06d}".format),
        "item_id": rows["item_id"],
        "site_id": rows["site_id"],
        "due_period": start + pd.to_timedelta(week * 7, unit="D"),
        "quantity": quantity,
        "kind": kinds,
    })


def lots(rng: np.random.Generator, sku: pd.DataFrame, start: pd.Timestamp) -> pd.DataFrame:
    """lots rows for the shelf-life stocking points (needs on_hand and shelf_life_periods)."""
    life = sku["shelf_life_periods"].to_numpy(dtype=float)
    stock = sku[(~np.isnan(life)) & (sku["on_hand"].to_numpy() > 0)].reset_index(drop=True)
    on_hand = stock["on_hand"].to_numpy(dtype=float)
    count = np.minimum(rng.integers(1, 5, len(stock)), on_hand).astype(int)
    owner = np.repeat(np.arange(len(stock)), count)
    weight = rng.uniform(0.2, 1.0, len(owner))
    total = np.bincount(owner, weights=weight, minlength=len(stock))
    cum_share = pd.Series(weight).groupby(owner).cumsum().to_numpy() / total[owner]
    upper = np.floor(on_hand[owner] * cum_share + 1e-9)
    first = np.r_[True, owner[1:] != owner[:-1]]
    quantity = np.where(first, upper, upper - np.r_[0.0, upper[:-1]])
    shelf = stock["shelf_life_periods"].to_numpy(dtype=float)[owner]
    age = np.floor(rng.uniform(0.0, 0.95, len(owner)) * shelf).astype(int)
    received = start - pd.to_timedelta(age * 7, unit="D")
    out = pd.DataFrame({
        "item_id": stock["item_id"].to_numpy()[owner],
        "site_id": stock["site_id"].to_numpy()[owner],
        "lot_id": [f"L{d:%y%m%d}-{i:05d}" for i, d in enumerate(received, start=1)],
        "quantity": quantity,
        "expiry_date": received + pd.to_timedelta(shelf * 7, unit="D"),
    })
    return out[out["quantity"] > 0].reset_index(drop=True)
