"""Netting checked cell by cell against hand-worked MRP/DRP records."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from app.engine.inputs import PlanInput
from app.engine.netting import net
from app.engine.prepare import prepare
from tests.engine_cases import tables, week


def run(t: dict[str, pd.DataFrame]):
    inp = PlanInput.from_tables(t)
    prepared = prepare(inp)
    out = net(prepared.netting)
    skus = prepared.skus
    rows = {(i, s): k for k, (i, s) in enumerate(zip(skus["item_id"], skus["site_id"],
                                                      strict=True))}
    return out, rows


def record(out, row: int) -> dict[str, list[float]]:
    a = out.arrays
    return {
        "gross": a.gross_requirements[row].tolist(),
        "receipts": a.planned_receipts[row].tolist(),
        "releases": a.planned_releases[row].tolist(),
        "poh": a.projected_on_hand[row].tolist(),
        "expired": a.expired[row].tolist(),
        "ss": a.safety_stock[row].tolist(),
    }


def test_lot_for_lot_with_scheduled_receipt():
    # OH 20, LT 2, gross 10/period, an open PO of 5 due in period 1.
    # base = 10, 5, -5, -15, -25, -35; receipts only from period 2 on.
    t = tables([{"item_id": "A", "site_id": "S", "supply_type": "buy", "lead_time": 2.0,
                 "on_hand": 20.0}], horizon=6, demand={("A", "S"): [10] * 6},
               open_orders=[{"order_id": "PO1", "item_id": "A", "site_id": "S",
                             "due_period": week(1), "quantity": 5.0, "kind": "po"}])
    out, rows = run(t)
    r = record(out, rows["A", "S"])
    assert r["receipts"] == [0, 0, 5, 10, 10, 10]
    assert r["releases"] == [5, 10, 10, 10, 0, 0]
    assert r["poh"] == [10, 5, 0, 0, 0, 0]
    assert not out.past_due.any()


def test_fixed_order_quantity():
    t = tables([{"item_id": "A", "site_id": "S", "supply_type": "buy", "lead_time": 2.0,
                 "on_hand": 20.0, "order_policy": "fixed", "lot_size": 25.0}], horizon=6,
               demand={("A", "S"): [10] * 6},
               open_orders=[{"order_id": "PO1", "item_id": "A", "site_id": "S",
                             "due_period": week(1), "quantity": 5.0, "kind": "po"}])
    out, rows = run(t)
    r = record(out, rows["A", "S"])
    assert r["receipts"] == [0, 0, 25, 0, 0, 25]
    assert r["poh"] == [10, 5, 20, 10, 0, 15]
    assert r["releases"] == [25, 0, 0, 25, 0, 0]


def test_backlog_inside_lead_time_is_past_due():
    # nothing on hand, LT 2: periods 0 and 1 run short; period 2's receipt carries them
    t = tables([{"item_id": "A", "site_id": "S", "supply_type": "buy", "lead_time": 2.0}],
               horizon=4, demand={("A", "S"): [10] * 4})
    out, rows = run(t)
    r = record(out, rows["A", "S"])
    assert r["receipts"] == [0, 0, 30, 10]
    assert r["poh"] == [-10, -20, 0, 0]
    assert r["releases"] == [30, 10, 0, 0]
    assert out.past_due[rows["A", "S"]].tolist() == [False, False, True, False]


def test_scheduled_receipt_clearing_the_backlog_needs_no_order():
    # short in period 0, but an open order of 50 in period 1 covers everything: no order at 1
    t = tables([{"item_id": "A", "site_id": "S", "supply_type": "buy", "lead_time": 1.0}],
               horizon=3, demand={("A", "S"): [10, 10, 10]},
               open_orders=[{"order_id": "PO1", "item_id": "A", "site_id": "S",
                             "due_period": week(1), "quantity": 50.0, "kind": "po"}])
    out, rows = run(t)
    r = record(out, rows["A", "S"])
    assert r["receipts"] == [0, 0, 0]
    assert r["poh"] == [-10, 30, 20]


def test_three_level_bom_with_scrap():
    # FG (LT 1) <- 2 x WIP (LT 1, OH 5) <- 3 x RM at 25 % scrap = 4 RM per WIP (LT 1)
    t = tables(
        [{"item_id": "FG", "site_id": "P", "supply_type": "make", "lead_time": 1.0},
         {"item_id": "WIP", "site_id": "P", "supply_type": "make", "lead_time": 1.0,
          "on_hand": 5.0},
         {"item_id": "RM", "site_id": "P", "supply_type": "buy", "lead_time": 1.0}],
        horizon=4, demand={("FG", "P"): [0, 10, 10, 10]},
        bom=[{"site_id": "P", "parent_item": "FG", "component_item": "WIP", "qty_per": 2.0,
              "scrap_rate": 0.0},
             {"site_id": "P", "parent_item": "WIP", "component_item": "RM", "qty_per": 3.0,
              "scrap_rate": 0.25}])
    out, rows = run(t)
    fg, wip, rm = (record(out, rows[k, "P"]) for k in ("FG", "WIP", "RM"))
    assert fg["receipts"] == [0, 10, 10, 10]
    assert fg["releases"] == [10, 10, 10, 0]
    assert wip["gross"] == [20, 20, 20, 0]
    assert wip["receipts"] == [0, 35, 20, 0]
    assert wip["poh"] == [-15, 0, 0, 0]
    assert wip["releases"] == [35, 20, 0, 0]
    assert rm["gross"] == [140, 80, 0, 0]
    assert rm["receipts"] == [0, 220, 0, 0]
    assert rm["poh"] == [-140, 0, 0, 0]
    assert out.past_due[rows["WIP", "P"]].tolist() == [False, True, False, False]


def test_transfer_network_feeds_the_plant():
    # two DCs draw on the plant by transfer (LT 2 and 1); the plant sees their releases
    t = tables(
        [{"item_id": "FG", "site_id": "P", "supply_type": "make", "lead_time": 1.0,
          "on_hand": 100.0},
         {"item_id": "FG", "site_id": "D1", "supply_type": "transfer", "source_site": "P",
          "lead_time": 2.0, "on_hand": 15.0},
         {"item_id": "FG", "site_id": "D2", "supply_type": "transfer", "source_site": "P",
          "lead_time": 1.0, "on_hand": 0.0}],
        horizon=5, demand={("FG", "D1"): [5] * 5, ("FG", "D2"): [0, 8, 8, 8, 8]})
    out, rows = run(t)
    d1, d2, p = (record(out, rows["FG", s]) for s in ("D1", "D2", "P"))
    assert d1["receipts"] == [0, 0, 0, 5, 5]
    assert d1["releases"] == [0, 5, 5, 0, 0]
    assert d2["receipts"] == [0, 8, 8, 8, 8]
    assert d2["releases"] == [8, 8, 8, 8, 0]
    assert p["gross"] == [8, 13, 13, 8, 0]
    assert p["poh"] == [92, 79, 66, 58, 58]
    assert p["receipts"] == [0] * 5


@pytest.mark.parametrize(("policy", "extra", "receipts"), [
    # Q* = sqrt(2 * 520 * 0.225 / (0.26 * 1)) = 30: POQ covers 3 periods, EOQ orders >= 30
    ("poq", {"ordering_cost": 0.225}, [30, 0, 0, 30, 0, 0]),
    ("eoq", {"ordering_cost": 0.225}, [30, 0, 0, 30, 0, 0]),
    ("lot_for_lot", {"min_order": 25.0}, [25, 0, 25, 0, 0, 25]),
    ("lot_for_lot", {"order_multiple": 12.0}, [12, 12, 12, 12, 12, 0]),
    # at least 40, in lots of 25: 50 at t0 covers through t4, the next 50 at t5
    ("fixed", {"lot_size": 25.0, "min_order": 40.0}, [50, 0, 0, 0, 0, 50]),
])
def test_lot_sizing_rules(policy, extra, receipts):
    items = [{"item_id": "A", "unit_cost": 1.0, "part_class": "RM"}]
    t = tables([{"item_id": "A", "site_id": "S", "supply_type": "buy", "lead_time": 0.0,
                 "order_policy": policy, **extra}], horizon=6, items=items,
               demand={("A", "S"): [10] * 6}, holding_rate=0.26)
    out, rows = run(t)
    assert record(out, rows["A", "S"])["receipts"] == receipts


def test_min_max_orders_up_to_the_maximum():
    t = tables([{"item_id": "A", "site_id": "S", "supply_type": "buy", "lead_time": 0.0,
                 "on_hand": 40.0, "order_policy": "min_max", "min_order": 15.0,
                 "lot_size": 50.0}], horizon=6, demand={("A", "S"): [10] * 6})
    out, rows = run(t)
    r = record(out, rows["A", "S"])
    assert r["receipts"] == [0, 0, 40, 0, 0, 0]
    assert r["poh"] == [30, 20, 50, 40, 30, 20]


def test_shelf_life_fefo_expiry():
    # lot L1 (60) expires in period 2, L2 (40) in period 5; 20 a period consumed FEFO:
    # L1 serves periods 0-1 (40), its last 20 expire in period 2; L2 serves periods 2-3
    t = tables([{"item_id": "A", "site_id": "S", "supply_type": "buy", "lead_time": 0.0,
                 "on_hand": 100.0}], horizon=6, demand={("A", "S"): [20] * 6},
               lots=[{"item_id": "A", "site_id": "S", "lot_id": "L2", "quantity": 40.0,
                      "expiry_date": week(5) + pd.Timedelta(days=2)},
                     {"item_id": "A", "site_id": "S", "lot_id": "L1", "quantity": 60.0,
                      "expiry_date": week(2)}])
    out, rows = run(t)
    r = record(out, rows["A", "S"])
    assert r["expired"] == [0, 0, 20, 0, 0, 0]
    assert r["poh"] == [80, 60, 20, 0, 0, 0]
    assert r["receipts"] == [0, 0, 0, 0, 20, 20]


def test_safety_stock_fixed_and_days_of_supply():
    t = tables([{"item_id": "A", "site_id": "S", "supply_type": "buy", "lead_time": 0.0,
                 "ss_model": "fixed", "ss_qty": 7.0},
                {"item_id": "B", "site_id": "S", "supply_type": "buy", "lead_time": 0.0,
                 "ss_model": "days_of_supply", "ss_days": 10.5}],
               horizon=4, demand={("A", "S"): [10] * 4, ("B", "S"): [10, 20, 30, 40]})
    out, rows = run(t)
    a, b = record(out, rows["A", "S"]), record(out, rows["B", "S"])
    assert a["ss"] == [7] * 4
    assert a["receipts"] == [17, 10, 10, 10]
    assert a["poh"] == [7] * 4
    # 10.5 days = 1.5 weeks: SS[t] = gross[t+1] + 0.5 gross[t+2] (last period repeats)
    assert b["ss"] == [35, 50, 60, 60]


def test_flow_balance_on_the_demo():
    from app.models.demo import generate_demo

    inp = PlanInput.from_tables(generate_demo(skus=300))
    a = net(prepare(inp).netting).arrays
    start = a.on_hand[:, None] + np.cumsum(a.scheduled_receipts + a.planned_receipts
                                           - a.gross_requirements - a.expired, axis=1)
    np.testing.assert_allclose(a.projected_on_hand, start, atol=1e-6)
    assert (a.planned_receipts >= 0).all() and (a.planned_releases >= 0).all()


def test_moving_average_from_history_in_any_time_unit():
    """13-period moving average of the history before the start (dates in ns or s)."""
    from app.engine.calendar import Calendar
    from app.engine.forecast import moving_average_demand

    calendar = Calendar("week", pd.Timestamp("2026-01-05"), 4)
    for unit in ("ns", "s"):
        periods = pd.date_range("2025-10-06", periods=13, freq="7D").as_unit(unit)
        dates = pd.Series(periods.append(pd.DatetimeIndex(["2025-01-06"]).as_unit(unit)))
        quantities = np.append(np.arange(13, dtype=float), 1000.0)
        mean = moving_average_demand(calendar, np.zeros(14, dtype=np.int64), dates,
                                     quantities, 1)
        # (0 + 1 + ... + 12) / 13 = 6; the row before the window does not count
        assert mean.tolist() == [6.0]


def test_demand_forecast_statistical_and_imported():
    from app.engine.calendar import Calendar
    from app.engine.forecast import demand_forecast

    calendar = Calendar("week", pd.Timestamp("2026-01-05"), 4)
    periods = pd.date_range("2025-01-06", periods=52, freq="7D")
    history = pd.DataFrame({"item_id": "A", "site_id": "S", "period": periods,
                            "quantity": 20.0, "shipped": np.nan})
    forecast = pd.DataFrame({"item_id": ["B"] * 2, "site_id": ["S"] * 2,
                             "period": pd.to_datetime(["2026-01-05", "2026-01-12"]),
                             "quantity": [7.0, 9.0], "std": [2.0, 4.0]})
    f = demand_forecast(calendar, history, forecast)
    got = dict(zip(f.item_id, range(len(f.item_id)), strict=True))
    a, b = got["A"], got["B"]
    # a flat history of 20 a week: every method forecasts 20, with no error
    np.testing.assert_allclose(f.per_period[a], [20.0] * 4)
    assert f.sigma[a] == pytest.approx(0.0, abs=1e-9)
    assert f.method[a] != "imported" and f.source[a] == 2
    # the imported forecast wins for B, with its own sigma (mean of the std column)
    assert f.per_period[b].tolist() == [7.0, 9.0, 0.0, 0.0]
    assert f.sigma[b] == 3.0 and f.method[b] == "imported" and f.source[b] == 1


def test_forward_max_matches_a_plain_scan():
    from app.engine.lot_sizing import _forward_max

    rng = np.random.default_rng(0)
    values = rng.normal(size=(40, 25))
    window = rng.integers(1, 35, size=40)
    expected = [[values[i, t:t + window[i]].max() for t in range(25)] for i in range(40)]
    np.testing.assert_array_equal(_forward_max(values, window), expected)
