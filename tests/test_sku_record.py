"""Record-cell edits of the SKU detail tab as scenario changes (no Qt), worked by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from app.engine.inputs import PlanInput
from app.engine.plan import plan
from app.models.values import ValueProblem
from app.sku_record import firm_order_change, firm_order_id, forecast_changes, parse_quantity
from tests.factories import small_company


@pytest.fixture(scope="module")
def company() -> dict[str, pd.DataFrame]:
    return small_company()


@pytest.fixture(scope="module")
def result(company):
    return plan(PlanInput.from_tables(company))


def _row(result, item: str, site: str) -> int:
    skus = result.skus
    return int(np.flatnonzero((skus["item_id"] == item) & (skus["site_id"] == site))[0])


def test_parse_quantity_reads_separators_and_refuses_negatives() -> None:
    assert parse_quantity(" 1,250.5 ") == 1250.5
    assert parse_quantity("") is None
    with pytest.raises(ValueProblem):
        parse_quantity("-3")
    with pytest.raises(ValueProblem):
        parse_quantity("lots")


def test_first_forecast_edit_writes_every_period_with_one_changed(result, company) -> None:
    """FG1@D1 has no forecast rows: its statistical demand is written for all 12 weeks, and
    week 3 (2026-01-26) takes the typed 40."""
    row = _row(result, "FG1", "D1")
    demand = result.arrays.independent_demand[row]
    changes = forecast_changes(result, company["forecast"], row, 3, 40.0)
    assert len(changes) == 12
    assert all(c.table == "forecast" and c.op == "upsert" for c in changes)
    assert [c.key["period"] for c in changes][:4] == ["2026-01-05", "2026-01-12",
                                                      "2026-01-19", "2026-01-26"]
    assert changes[3].values == {"quantity": 40.0}
    assert [c.values["quantity"] for i, c in enumerate(changes) if i != 3] == [
        float(demand[i]) for i in range(12) if i != 3]
    assert {(c.key["item_id"], c.key["site_id"]) for c in changes} == {("FG1", "D1")}


def test_later_forecast_edit_sets_its_period_and_drops_other_rows_in_it(result) -> None:
    """With rows already imported, only the edited week changes: its row is set and a row
    dated mid-week inside it (2026-01-28, week of 2026-01-26) is deleted."""
    row = _row(result, "FG1", "D1")
    forecast = pd.DataFrame({
        "item_id": ["FG1", "FG1", "FG1"], "site_id": ["D1", "D1", "D1"],
        "period": pd.to_datetime(["2026-01-19", "2026-01-28", "2026-02-02"]),
        "quantity": [5.0, 6.0, 7.0], "std": [np.nan] * 3})
    changes = forecast_changes(result, forecast, row, 3, 12.0)
    assert [(c.op, c.key["period"]) for c in changes] == [("delete", "2026-01-28"),
                                                          ("upsert", "2026-01-26")]
    assert changes[1].values == {"quantity": 12.0}


def test_firming_a_planned_order_writes_an_open_order_of_the_supply_kind(result) -> None:
    row = _row(result, "RM1", "P1")  # bought: a purchase order
    period = result.periods[5]
    change = firm_order_change(result, row, 5, 300.0, exists=False)
    assert change is not None and (change.table, change.op) == ("open_orders", "upsert")
    assert change.key == {"order_id": f"FIRM-RM1-P1-{period.strftime('%Y%m%d')}"}
    assert change.key["order_id"] == firm_order_id("RM1", "P1", period)
    assert change.values == {"item_id": "RM1", "site_id": "P1",
                             "due_period": period.strftime("%Y-%m-%d"), "quantity": 300.0,
                             "kind": "po"}
    transfer = firm_order_change(result, _row(result, "FG1", "D1"), 5, 8.0, exists=False)
    made = firm_order_change(result, _row(result, "WIP1", "P1"), 5, 8.0, exists=False)
    assert (transfer.values["kind"], made.values["kind"]) == ("transfer", "wo")


def test_emptying_a_firm_order_deletes_it_and_nothing_else(result) -> None:
    row = _row(result, "RM1", "P1")
    deleted = firm_order_change(result, row, 5, None, exists=True)
    assert deleted is not None and deleted.op == "delete"
    assert firm_order_change(result, row, 5, 0.0, exists=False) is None
