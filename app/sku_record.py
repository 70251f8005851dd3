"""A SKU's time-phased record edited: the scenario changes a record cell's new value makes.

Two rows of the record (the SKU detail tab) are editable in a draft scenario:

- the forecast row writes the forecast table. An imported forecast replaces the statistical
  one for the whole SKU, so the first edit of a SKU writes every period of its current
  customer demand with the one cell changed (one undo step): only that period moves.
- the planned receipts row firms a planned order: it writes an open order
  ``FIRM-<item>-<site>-<yyyymmdd>`` due in that period (a scheduled receipt from then on);
  0 or an empty cell deletes it.

No Qt: the views turn typed text into these changes and hand them to the workbench.
"""

from __future__ import annotations

import pandas as pd

from app.engine.result import PlanResult
from app.models.contract import TABLES_BY_NAME
from app.models.overlay import Change
from app.models.values import check_range, parse_text

#: the open-order kind a firmed planned order takes, by the SKU's supply type
ORDER_KINDS = {"buy": "po", "make": "wo", "transfer": "transfer"}


def firm_order_id(item_id: str, site_id: str, period: pd.Timestamp) -> str:
    """The open-order id of a firmed planned order: ``FIRM-<item>-<site>-<yyyymmdd>``."""
    return f"FIRM-{item_id}-{site_id}-{period.strftime('%Y%m%d')}"


def parse_quantity(text: str) -> float | None:
    """A typed quantity (thousands separators allowed); None for an empty cell.

    Raises ValueProblem with the store's wording for text that is not a number >= 0.
    """
    cleaned = text.strip().replace(",", "").replace("\u202f", "").replace(" ", "")
    if not cleaned:
        return None
    column = TABLES_BY_NAME["forecast"].column("quantity")
    value = parse_text(column, cleaned)
    check_range(column, value, text.strip())
    return float(value)  # type: ignore[arg-type]


def forecast_changes(result: PlanResult, forecast: pd.DataFrame, row: int, t: int,
                     quantity: float) -> list[Change]:
    """The forecast rows that set SKU ``row``'s customer demand in period ``t`` to
    ``quantity`` and leave every other period as it is.

    A SKU without forecast rows gets one row per period holding its current demand (the
    statistical forecast, replaced as a whole by an imported one); a SKU with forecast rows
    gets period ``t``'s row set and any other row dated inside period ``t`` deleted.
    """
    item, site = str(result.skus["item_id"].iloc[row]), str(result.skus["site_id"].iloc[row])
    periods = result.periods
    mine = forecast[(forecast["item_id"].astype(str) == item)
                    & (forecast["site_id"].astype(str) == site)]

    def key(date: pd.Timestamp | str) -> dict[str, object]:
        return {"item_id": item, "site_id": site,
                "period": pd.Timestamp(date).strftime("%Y-%m-%d")}

    if not len(mine):
        demand = result.arrays.independent_demand[row]
        return [Change("forecast", key(p), "upsert",
                       {"quantity": float(quantity if i == t else demand[i])})
                for i, p in enumerate(periods)]
    changes = []
    buckets = result.settings.calendar.bucket(mine["period"])
    target = periods[t].strftime("%Y-%m-%d")
    for date, bucket in zip(mine["period"], buckets, strict=True):
        if bucket == t and pd.Timestamp(date).strftime("%Y-%m-%d") != target:
            changes.append(Change("forecast", key(date), "delete"))
    changes.append(Change("forecast", key(periods[t]), "upsert", {"quantity": float(quantity)}))
    return changes


def firm_order_change(result: PlanResult, row: int, t: int, quantity: float | None,
                      exists: bool) -> Change | None:
    """The open-order change firming ``quantity`` of SKU ``row`` in period ``t``.

    ``None`` or 0 deletes the firm order (None returned when there is none to delete).
    """
    sku = result.skus.iloc[row]
    item, site = str(sku["item_id"]), str(sku["site_id"])
    period = result.periods[t]
    key = {"order_id": firm_order_id(item, site, period)}
    if not quantity:
        return Change("open_orders", key, "delete") if exists else None
    return Change("open_orders", key, "upsert", {
        "item_id": item, "site_id": site, "due_period": period.strftime("%Y-%m-%d"),
        "quantity": float(quantity), "kind": ORDER_KINDS.get(str(sku["supply_type"]), "po"),
    })
