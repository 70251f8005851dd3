"""Invariants of netting on random networks (hypothesis)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from app.engine.inputs import PlanInput
from app.engine.netting import net
from app.engine.prepare import prepare
from tests.engine_cases import tables, week

POLICIES = ["lot_for_lot", "fixed", "poq", "eoq", "min_max"]


@st.composite
def networks(draw, zero_lead_time: bool = False):
    n_items = draw(st.integers(2, 6))
    horizon = draw(st.integers(3, 10))
    skus, bom, demand, orders = [], [], {}, []
    for i in range(n_items):
        policy = draw(st.sampled_from(POLICIES))
        sku = {"item_id": f"I{i}", "site_id": "P", "supply_type": "make" if i < 3 else "buy",
               "lead_time": 0.0 if zero_lead_time else float(draw(st.integers(0, 3))),
               "on_hand": float(draw(st.integers(0, 60))), "order_policy": policy,
               "ss_model": draw(st.sampled_from(["none", "fixed", "days_of_supply"])),
               "ss_qty": float(draw(st.integers(0, 15))), "ss_days": 7.0 * draw(st.integers(0, 2)),
               "ordering_cost": float(draw(st.integers(1, 100)))}
        if policy == "fixed":
            sku["lot_size"] = float(draw(st.integers(1, 40)))
        if policy == "min_max":
            sku["min_order"] = float(draw(st.integers(0, 20)))
            sku["lot_size"] = sku["min_order"] + float(draw(st.integers(1, 50)))
        elif draw(st.booleans()):
            sku["min_order"] = float(draw(st.integers(1, 30)))
        if draw(st.booleans()):
            sku["order_multiple"] = float(draw(st.integers(1, 12)))
        skus.append(sku)
        if i < 2:
            demand[(f"I{i}", "P")] = [float(draw(st.integers(0, 30))) for _ in range(horizon)]
        if draw(st.booleans()):
            orders.append({"order_id": f"O{i}", "item_id": f"I{i}", "site_id": "P",
                           "due_period": week(draw(st.integers(-1, horizon))),
                           "quantity": float(draw(st.integers(1, 50))), "kind": "po"})
    # BOM arcs only from higher to lower item numbers: acyclic by construction
    for parent in range(n_items):
        for child in range(parent + 1, n_items):
            if draw(st.integers(0, 2)) == 0:
                bom.append({"site_id": "P", "parent_item": f"I{parent}",
                            "component_item": f"I{child}",
                            "qty_per": float(draw(st.integers(1, 4))),
                            "scrap_rate": draw(st.sampled_from([0.0, 0.1]))})
    return tables(skus, horizon=horizon, bom=bom, demand=demand, open_orders=orders)


def netted(t):
    prepared = prepare(PlanInput.from_tables(t))
    return prepared, net(prepared.netting)


@settings(max_examples=60, deadline=None)
@given(networks())
def test_flow_balance_and_sign(t):
    _, out = netted(t)
    a = out.arrays
    expected = a.on_hand[:, None] + np.cumsum(
        a.scheduled_receipts + a.planned_receipts - a.gross_requirements - a.expired, axis=1)
    np.testing.assert_allclose(a.projected_on_hand, expected, atol=1e-6)
    for name in ("planned_receipts", "planned_releases", "gross_requirements",
                 "dependent_demand", "safety_stock"):
        assert (getattr(a, name) >= -1e-9).all(), name
    # what is released is received, lead time later
    np.testing.assert_allclose(a.planned_releases.sum(axis=1), a.planned_receipts.sum(axis=1))


@settings(max_examples=60, deadline=None)
@given(networks(zero_lead_time=True))
def test_no_shortage_when_lead_times_allow(t):
    _, out = netted(t)
    a = out.arrays
    assert (a.projected_on_hand >= a.safety_stock - 1e-6).all()
    assert not out.past_due.any()


@settings(max_examples=60, deadline=None)
@given(networks())
def test_planned_quantities_respect_lot_rules(t):
    prepared, out = netted(t)
    skus = prepared.skus
    receipts = out.arrays.planned_receipts
    for i, sku in skus.iterrows():
        orders = receipts[i][receipts[i] > 1e-9]
        if not len(orders):
            continue
        multiple = sku["order_multiple"]
        if sku["order_policy"] == "fixed":
            q = sku["lot_size"]
            if multiple == multiple:  # then the lot may be rounded up further
                assert (orders >= q - 1e-6).all()
            else:
                assert np.allclose(orders / q, np.round(orders / q)), (orders, q)
        elif multiple == multiple and sku["order_policy"] != "min_max":
            assert np.allclose(orders / multiple, np.round(orders / multiple)), (orders, multiple)
        minimum = sku["min_order"]
        if sku["order_policy"] != "min_max" and minimum == minimum:
            assert (orders >= minimum - 1e-6).all()
        if sku["order_policy"] == "min_max":
            # an order brings stock up to the maximum (lot_size), or higher to cover a need
            ordered = receipts[i] > 1e-9
            poh = out.arrays.projected_on_hand[i]
            assert (poh[ordered] >= sku["lot_size"] - 1e-6).all(), (poh, sku["lot_size"])
