"""Exceptions (engine step 7): one row per episode, severity, order, and a clean plan."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays as np_arrays

from app.engine.exceptions import COLUMNS, episodes, find_exceptions
from tests import plan_cases

approx = pytest.approx
NO_ORDERS = pd.DataFrame(columns=["item_id", "site_id", "kind", "source_site",
                                  "release_period", "receipt_period", "quantity", "past_due"])
NO_LOAD = pd.DataFrame(columns=["resource_id", "site_id", "period", "load_hours",
                                "capacity_hours", "utilisation"])


def one_sku(poh: list[float], gross: float = 10.0, safety: float = 0.0, cost: float = 3.0,
            abc: str = "C", lead: int = 0, expired: list[float] | None = None):
    """One SKU whose projected on hand is ``poh`` (flows made up to match it)."""
    horizon = len(poh)
    demand = [[gross] * horizon]
    exp = [expired or [0.0] * horizon]
    start = poh[0] + gross + exp[0][0]
    receipts = [[0.0] + [poh[t] - poh[t - 1] + gross + exp[0][t] for t in range(1, horizon)]]
    arrays = plan_cases.make_arrays([start], demand, [[0.0] * horizon], receipts,
                                    [[safety] * horizon], exp)
    assert arrays.projected_on_hand[0] == approx(poh)
    skus = plan_cases.sku_frame([{"item_id": "X1", "site_id": "S1", "unit_cost": cost,
                                  "abc": abc, "lead_time_periods": lead}])
    return skus, plan_cases.periods(horizon), arrays


def test_stock_out_episode_is_one_row():
    # POH 5, 5, 5, -2, -4, -4, -1, -3, 2, 2: backlog in periods 3-7 (0, 2, 4, 4, 1, 3, 0);
    # rises 2, 2, 0, 0, 2 -> 6 units short in the episode, value 6 x 3 = 18
    skus, periods, arrays = one_sku([5, 5, 5, -2, -4, -4, -1, -3, 2, 2])
    found = find_exceptions(skus, periods, arrays, NO_ORDERS, NO_LOAD)
    outs = found[found["kind"] == "stock_out"]
    assert len(outs) == 1
    row = outs.iloc[0]
    assert row["period"] == periods[3].date().isoformat() == "2026-01-26"
    assert row["periods"] == 5
    assert row["quantity"] == approx(6) and row["value"] == approx(18)
    assert row["severity"] == "medium"  # C item, starts after its lead time
    assert row["message"] == "Stock-out from 2026-01-26 for 5 periods: 6 units short"
    assert list(found.columns) == list(COLUMNS)


def test_a_session_keeps_messages_only_for_the_same_periods():
    """With a session's memo, a row of the same kind, first period, length and units takes
    its message from the last plan; over other periods (another calendar) the dates are
    new."""
    from app.engine.same_values import MadeFrom

    memo = MadeFrom()
    skus, periods, arrays = one_sku([5, 5, 5, -2, -4, -4, -1, -3, 2, 2])
    first = find_exceptions(skus, periods, arrays, NO_ORDERS, NO_LOAD, memo=memo)
    kept = memo.kept("exception messages")
    assert kept is not None and len(kept[1]) == len(first)
    again = find_exceptions(skus, periods, arrays, NO_ORDERS, NO_LOAD, memo=memo)
    assert again["message"].tolist() == first["message"].tolist()
    later = periods + pd.Timedelta(days=7)
    moved = find_exceptions(skus, later, arrays, NO_ORDERS, NO_LOAD, memo=memo)
    assert moved["message"].tolist() == find_exceptions(
        skus, later, arrays, NO_ORDERS, NO_LOAD)["message"].tolist()
    assert moved["message"][0] == "Stock-out from 2026-02-02 for 5 periods: 6 units short"


def test_stock_out_severity():
    skus, periods, arrays = one_sku([5, -1, 5, 5], abc="A")
    assert find_exceptions(skus, periods, arrays, NO_ORDERS, NO_LOAD)["severity"][0] == "high"
    skus, periods, arrays = one_sku([5, -1, 5, 5], lead=2)  # inside the lead time
    assert find_exceptions(skus, periods, arrays, NO_ORDERS, NO_LOAD)["severity"][0] == "high"


def test_clean_plan_flags_nothing():
    # stock between safety stock (5) and safety stock + next 4 periods' requirements (45)
    skus, periods, arrays = one_sku([15, 20, 15, 20, 15, 20], safety=5.0)
    load = pd.DataFrame({"resource_id": "R1", "site_id": "S1",
                         "period": [p.date().isoformat() for p in periods],
                         "load_hours": 10.0, "capacity_hours": 80.0})
    orders = pd.DataFrame({"item_id": ["X1"], "site_id": ["S1"], "kind": ["po"],
                           "source_site": [""], "release_period": ["2026-01-12"],
                           "receipt_period": ["2026-01-12"], "quantity": [10.0],
                           "past_due": [False]})
    found = find_exceptions(skus, periods, arrays, orders, load)
    assert found.empty
    assert list(found.columns) == list(COLUMNS)


# The worked case of tests/plan_cases.py (see test_measures.py for the stock split):
#   stock_out: A t2 (5 short, 50, A item -> high); C t2 (backlog 6, 12; C item, t2 is not
#     inside its 2-period lead time -> medium)
#   below_safety_stock: C t1 and t3 (POH 0 < SS 2; t2 is a stock-out): gap 2, value 4, low
#   excess: B excess 170 in t0, then obsolete 180, 180, 175: one episode t0-t3, largest 180,
#     value 720; the only excess row -> high (value >= its own 90th percentile)
#   expiring: B 5 in t3, value 20 -> high
#   past_due: C one order of 10 released 2025-12-29, value 20, C item -> medium
#   overload: R1 10 h over in t1 (peak 112.5 % -> medium), 20 h in t3 (125 % -> high)
def test_worked_case():
    case = plan_cases.three_skus()
    found = find_exceptions(case["skus"], case["periods"], case["arrays"],
                            case["planned_orders"], case["resource_load"])
    got = [(r.kind, r.item_id or r.resource_id, r.period, r.periods, r.severity,
            round(r.quantity, 6), None if np.isnan(r.value) else round(r.value, 6))
           for r in found.itertuples()]
    assert got == [
        ("excess", "WIP1", "2026-01-05", 4, "high", 180, 720),
        ("stock_out", "FG1", "2026-01-19", 1, "high", 5, 50),
        ("expiring", "WIP1", "2026-01-26", 1, "high", 5, 20),
        ("overload", "R1", "2026-01-26", 1, "high", 20, None),
        ("past_due", "RM1", "2026-01-05", 1, "medium", 10, 20),
        ("stock_out", "RM1", "2026-01-19", 1, "medium", 6, 12),
        ("overload", "R1", "2026-01-12", 1, "medium", 10, None),
        ("below_safety_stock", "RM1", "2026-01-12", 1, "low", 2, 4),
        ("below_safety_stock", "RM1", "2026-01-26", 1, "low", 2, 4),
    ]
    overload = found[found["kind"] == "overload"].iloc[0]
    assert (overload["item_id"], overload["site_id"]) == ("", "P1")
    assert overload["message"] == ("Resource overloaded from 2026-01-26 for 1 period: "
                                   "20.0 hours over capacity (peak 125%)")
    past_due = found[found["kind"] == "past_due"].iloc[0]
    assert past_due["message"] == ("1 planned order past due (10 units, release dates from "
                                   "2025-12-29): expedite or replan")
    assert (found.loc[found["kind"] != "overload", "resource_id"] == "").all()


def test_excess_given_by_caller():
    case = plan_cases.three_skus()
    excess = np.zeros((3, 4))
    excess[0, 1:3] = [1.0, 2.0]
    found = find_exceptions(case["skus"], case["periods"], case["arrays"], NO_ORDERS,
                            NO_LOAD, excess_qty=excess)
    rows = found[found["kind"] == "excess"]
    assert rows[["item_id", "period", "periods"]].values.tolist() == [
        ["FG1", "2026-01-12", 2]]
    assert rows["value"].iloc[0] == approx(20)  # largest 2 units x 10


def test_severity_by_value_quantile():
    # 10 SKUs each with one expiry of 1..10 units at cost 1: 90th percentile 9.1 -> the 10
    # is high; median 5.5 -> 6..9 medium; 1..5 low
    n = 10
    expired = np.zeros((n, 3))
    expired[:, 1] = np.arange(1, n + 1)
    arrays = plan_cases.make_arrays([100.0] * n, [[1, 1, 1]] * n, [[0, 0, 0]] * n,
                                    [[0, 0, 0]] * n, [[0, 0, 0]] * n, expired.tolist())
    skus = plan_cases.sku_frame([{"item_id": f"I{i}", "site_id": "S"} for i in range(n)])
    found = find_exceptions(skus, plan_cases.periods(3), arrays, NO_ORDERS, NO_LOAD,
                            excess_qty=np.zeros((n, 3)))
    assert found["value"].tolist() == approx(list(range(10, 0, -1)))
    assert found["severity"].tolist() == ["high"] + ["medium"] * 4 + ["low"] * 5


@settings(max_examples=80, deadline=None)
@given(flag=np_arrays(bool, st.tuples(st.integers(1, 4), st.integers(1, 9))))
def test_episodes_match_a_plain_scan(flag):
    row, first, length, _, _ = episodes(flag)
    expected = []
    for i, line in enumerate(flag.tolist()):
        t = 0
        while t < len(line):
            if line[t]:
                end = t
                while end < len(line) and line[end]:
                    end += 1
                expected.append((i, t, end - t))
                t = end
            else:
                t += 1
    assert list(zip(row.tolist(), first.tolist(), length.tolist(), strict=True)) == expected


@settings(max_examples=60, deadline=None)
@given(poh=st.lists(st.floats(-20, 60, allow_nan=False), min_size=1, max_size=10))
def test_stock_out_rows_cover_every_backlog(poh):
    skus, periods, arrays = one_sku(poh)
    found = find_exceptions(skus, periods, arrays, NO_ORDERS, NO_LOAD)
    outs = found[found["kind"] == "stock_out"]
    backlog = np.maximum(-arrays.projected_on_hand[0], 0.0)
    short = backlog > 1e-9
    assert outs["periods"].sum() == short.sum()
    # the units short of all episodes add up to the backlog's rises (from 0 before t0)
    rises = np.maximum(np.diff(np.concatenate([[0.0], backlog])), 0.0)
    assert outs["quantity"].sum() == approx(rises[short].sum())
    assert found["severity"].isin(["high", "medium", "low"]).all()
