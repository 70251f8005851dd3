"""Measures (engine step 6) on a hand-worked plan, and their invariants on random plans."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays as np_arrays

from app.engine.breakdown import (
    cover_requirement,
    dead_stock_mask,
    periods_of_supply,
    stock_breakdown,
    surplus,
    units_short,
)
from app.engine.lookup import GroupIndicator
from app.engine.measure_sums import BlockMemo, SkuAttributes, plan_sums
from app.engine.measures import KPI_DESCRIPTIONS, KPI_NAMES, SKU_MEASURES, compute_measures
from app.engine.result import PlanArrays
from app.engine.targets import TargetTable
from tests import plan_cases

approx = pytest.approx


@pytest.fixture(scope="module")
def worked() -> tuple[dict[str, float], pd.DataFrame, pd.DataFrame]:
    return compute_measures(**plan_cases.three_skus())


# The worked case by hand (tests/plan_cases.py). H = 4 weeks, N = 52 periods/year.
#   P⁺: A 15, 5, 0, 5    B 200, 180, 180, 175    C 4, 0, 0, 0
#   V = Σ P⁺ c:  A 150, 50, 0, 50 (c 10); B 800, 720, 720, 700 (c 4); C 8, 0, 0, 0 (c 2)
#     = 958, 770, 720, 750;  V̄ = 3198 / 4 = 799.5
#   ḡ: A 10, B 20/4 = 5, C 20/4 = 5;  cover window W = L + 4: A 4, B 5, C 6
#   B's last requirement is in t1, so its stock is dead from t1 on (obsolete 180, 180, 175).
#   t0: R_B = G1 + G2 + G3 + 2 ḡ = 20 + 0 + 0 + 10 = 30 -> cycle 30, excess 200 - 30 = 170
#   A: R = 40 every period > stock -> safety min(P⁺, 5) = 5, 5, 0, 5; cycle 10, 0, 0, 0
#   C: t0 R = 4 + 6 + 4 + 3·5 = 29 -> safety 2, cycle 2; nothing after
#   safety value  = A 50, 50, 0, 50 + C 4, 0, 0, 0        = 54, 50, 0, 50   mean 38.5
#   cycle value   = A 100 + B 120 + C 4 in t0              = 224, 0, 0, 0    mean 56
#   excess value  = B 170·4 in t0                          = 680, 0, 0, 0    mean 170
#   obsolete value = B 0, 180·4, 180·4, 175·4              = 0, 720, 720, 700 mean 535
#   38.5 + 56 + 170 + 535 = 799.5 = V̄
def test_inventory_value_and_breakdown(worked):
    kpis, by_period, _ = worked
    assert by_period["on_hand_value"].tolist() == approx([958, 770, 720, 750])
    assert by_period["on_hand_value_FG"].tolist() == approx([150, 50, 0, 50])
    assert by_period["on_hand_value_WIP"].tolist() == approx([800, 720, 720, 700])
    assert by_period["on_hand_value_RM"].tolist() == approx([8, 0, 0, 0])
    assert by_period["on_hand_value_A"].tolist() == approx([150, 50, 0, 50])
    assert by_period["on_hand_value_C"].tolist() == approx([8, 0, 0, 0])
    assert kpis["average_inventory_value"] == approx(799.5)
    assert kpis["ending_inventory_value"] == approx(750)
    assert by_period["safety_stock_value"].tolist() == approx([54, 50, 0, 50])
    assert by_period["cycle_stock_value"].tolist() == approx([224, 0, 0, 0])
    assert by_period["excess_value"].tolist() == approx([680, 0, 0, 0])
    assert by_period["obsolete_value"].tolist() == approx([0, 720, 720, 700])
    assert kpis["safety_stock_value"] == approx(38.5)
    assert kpis["cycle_stock_value"] == approx(56)
    assert kpis["excess_stock_value"] == approx(170)
    assert "average_excess_value" not in kpis  # one name per measure
    assert kpis["obsolete_stock_value"] == approx(535)
    parts = sum(kpis[k] for k in ("safety_stock_value", "cycle_stock_value",
                                  "excess_stock_value", "obsolete_stock_value"))
    assert parts == approx(kpis["average_inventory_value"])
    # quality = (V - E - O) / V: per period 278/958, 50/770, 0/720, 50/750; KPI 94.5/799.5
    assert by_period["inventory_quality_ratio"].tolist() == approx(
        [278 / 958, 50 / 770, 0.0, 50 / 750])
    assert kpis["inventory_quality_ratio"] == approx(94.5 / 799.5)


# Targets: inventory value 1000 from 2026-01-01, 800 from 2026-01-19 -> 1000, 1000, 800, 800;
# FG 100 from 2026-01-12 -> none in t0; service 0.95 from 2025-12-01; turns 6 from 2026-01-01.
def test_targets_per_period(worked):
    kpis, by_period, _ = worked
    assert by_period["target_on_hand_value"].tolist() == approx([1000, 1000, 800, 800])
    fg = by_period["target_on_hand_value_FG"].to_numpy()
    assert math.isnan(fg[0]) and fg[1:].tolist() == approx([100, 100, 100])
    assert by_period["target_on_hand_value_WIP"].isna().all()
    assert by_period["target_service_level"].tolist() == approx([0.95] * 4)
    assert by_period["target_turns"].tolist() == approx([6.0] * 4)
    assert kpis["target_inventory_value"] == approx(900)
    assert kpis["target_service_level"] == approx(0.95)
    assert kpis["target_turns"] == approx(6.0)


# Periods of supply PoS = min(P⁺ / ḡ, H = 4):
#   A 1.5, 0.5, 0, 0.5;  B 40, 36, 36, 35 -> capped 4, 4, 4, 4;  C 0.8, 0, 0, 0
#   value-weighted t0: (150·1.5 + 800·4 + 8·0.8) / 958 = 3431.4 / 958
#   t1 (50·0.5 + 720·4) / 770 = 2905 / 770; t2 2880 / 720 = 4; t3 (25 + 2800) / 750
#   KPI: (3431.4 + 2905 + 2880 + 2825) / 3198;  ELEC (A, B) t0 3425 / 950
#   uncategorised (C) t0 6.4 / 8 = 0.8, then no stock: NaN
def test_periods_of_supply(worked):
    kpis, by_period, skus = worked
    assert by_period["periods_of_supply"].tolist() == approx(
        [3431.4 / 958, 2905 / 770, 4.0, 2825 / 750])
    assert kpis["periods_of_supply"] == approx(12041.4 / 3198)
    assert by_period["periods_of_supply_ELEC"][0] == approx(3425 / 950)
    other = by_period["periods_of_supply_uncategorised"].to_numpy()
    assert other[0] == approx(0.8) and np.isnan(other[1:]).all()
    assert skus["periods_of_supply"].tolist() == approx([0.625, 4.0, 0.2])


# Service. Backlog b = max(-POH, 0): A 0, 0, 5, 0; C 0, 0, 6, 0. New shortage s = rise of b,
# at most G: A 5 in t2, C 6 in t2. Customers' share D/G: A 1, C 3/6 -> u = A 5, C 3.
#   D per period 10, 14, 13, 14 (Σ 51); u 0, 0, 8, 0 (Σ 8)
#   SL = 1, 1, 5/13, 1; KPI 1 - 8/51 = 43/51
#   cycle service: SKU-periods with D > 0: A 4 + C 3 = 7; without new shortage 3 + 2 = 5
def test_service(worked):
    kpis, by_period, skus = worked
    assert by_period["independent_demand"].tolist() == approx([10, 14, 13, 14])
    assert by_period["units_short"].tolist() == approx([0, 0, 8, 0])
    assert by_period["service_level"].tolist() == approx([1, 1, 5 / 13, 1])
    assert by_period["service_level_FG"].tolist() == approx([1, 1, 0.5, 1])
    rm = by_period["service_level_RM"].to_numpy()
    assert np.isnan(rm[0]) and rm[1:].tolist() == approx([1, 0, 1])
    assert by_period["service_level_WIP"].isna().all()
    assert by_period["cycle_service"].tolist() == approx([1, 1, 0, 1])
    assert kpis["projected_service_level"] == approx(43 / 51)
    assert kpis["projected_cycle_service"] == approx(5 / 7)
    assert kpis["units_short"] == approx(8)
    assert kpis["independent_demand"] == approx(51)
    # per SKU: A 1 - 5/40; B no demand; C 1 - 3/11
    assert skus["projected_service"][0] == approx(0.875)
    assert np.isnan(skus["projected_service"][1])
    assert skus["projected_service"][2] == approx(8 / 11)


# History rows with shipped known: A 8 of 10 and 12 of 10 (counts as 10); B 4 of 4; C unknown.
#   A (8 + 10) / 20 = 0.9, B 1, C NaN; total (8 + 10 + 4) / 24
def test_demonstrated_service(worked):
    kpis, _, skus = worked
    assert skus["demonstrated_service"][:2].tolist() == approx([0.9, 1.0])
    assert np.isnan(skus["demonstrated_service"][2])
    assert kpis["demonstrated_service_level"] == approx(22 / 24)


# COGS = Σ (D - u) c: t0 100, t1 100 + 4·2 = 108, t2 5·10 + 0 = 50, t3 108; Σ 366
#   annual COGS = 366 · 52 / 4 = 4758; turns = 4758 / 799.5; DIO = 365 · 799.5 / 4758
#   cash-to-cash = DIO + 45 - 30
# Revenue = Σ (D - u) p (B has no price): t0 150, t1 150 + 4, t2 75, t3 154; Σ 533
def test_turns_cash_and_revenue(worked):
    kpis, by_period, _ = worked
    assert by_period["cogs"].tolist() == approx([100, 108, 50, 108])
    assert by_period["revenue"].tolist() == approx([150, 154, 75, 154])
    assert by_period["turns"][0] == approx(100 * 52 / 958)
    assert kpis["annual_cogs"] == approx(4758)
    assert kpis["turns"] == approx(4758 / 799.5)
    assert kpis["dio_days"] == approx(365 * 799.5 / 4758)
    assert kpis["cash_to_cash_days"] == approx(365 * 799.5 / 4758 + 15)
    assert kpis["revenue"] == approx(533)


# Holding = V · 0.25 / 52 per period. Ordering: A's order (k 20) in t1, C's past-due order
# (k 5) in t0 and its other order in t2 -> 5, 20, 5, 0. Expired: B 5 · 4 = 20 in t3.
# Shortage: margin A 15 - 10 = 5; C price 1 < cost 2 -> 0.25 · 2 = 0.5 -> t2: 5·5 + 3·0.5
def test_costs(worked):
    kpis, by_period, _ = worked
    holding = [v * 0.25 / 52 for v in (958, 770, 720, 750)]
    assert by_period["holding_cost"].tolist() == approx(holding)
    assert by_period["ordering_cost"].tolist() == approx([5, 20, 5, 0])
    assert by_period["expired_cost"].tolist() == approx([0, 0, 0, 20])
    assert by_period["shortage_cost"].tolist() == approx([0, 0, 26.5, 0])
    assert kpis["holding_cost"] == approx(3198 * 0.25 / 52)
    assert kpis["ordering_cost"] == approx(30)
    assert kpis["expired_cost"] == approx(20)
    assert kpis["shortage_cost"] == approx(26.5)
    assert kpis["total_cost"] == approx(3198 * 0.25 / 52 + 30 + 20 + 26.5)
    assert by_period["total_cost"].sum() == approx(kpis["total_cost"])


# SS compliance over SKU-periods with SS > 0 (A and C, 8): POH >= SS in A t0, t1, t3 and
# C t0 -> 4/8; per period 2/2, 1/2, 0/2, 1/2.
# Resources: R1 utilisation 0.5, 1.125, 0.75, 1.25 (mean 0.90625), R2 0.5 throughout.
def test_compliance_resources_counts(worked):
    kpis, by_period, _ = worked
    assert by_period["ss_compliance"].tolist() == approx([1, 0.5, 0, 0.5])
    assert kpis["ss_compliance"] == approx(0.5)
    assert by_period["key_constraint_utilisation"].tolist() == approx([0.5, 1.125, 0.75, 1.25])
    assert by_period["overloaded_resources"].tolist() == approx([0, 1, 0, 1])
    assert kpis["key_constraint_utilisation"] == approx(0.90625)
    assert kpis["overloaded_resource_periods"] == 2
    assert (kpis["skus"], kpis["planned_orders"], kpis["past_due_orders"]) == (3, 3, 1)


def test_sku_measures(worked):
    _, _, skus = worked
    assert list(skus.columns) == list(SKU_MEASURES)
    assert skus["average_on_hand"].tolist() == approx([6.25, 183.75, 1.0])
    assert skus["average_on_hand_value"].tolist() == approx([62.5, 735, 2])
    assert skus["excess_value"].tolist() == approx([0, 170, 0])
    assert skus["obsolete_value"].tolist() == approx([0, 535, 0])


def test_kpi_names_are_stable(worked):
    kpis, by_period, _ = worked
    assert tuple(kpis) == KPI_NAMES
    assert set(KPI_DESCRIPTIONS) == set(KPI_NAMES)
    assert all(name == name.lower() and " " not in name for name in KPI_NAMES)
    assert by_period["period"].tolist() == ["2026-01-05", "2026-01-12", "2026-01-19",
                                            "2026-01-26"]


def test_nothing_to_measure():
    """No orders, load, history or targets, and a SKU with no demand and no stock."""
    case = plan_cases.three_skus()
    case["arrays"] = plan_cases.make_arrays([0], [[0] * 4], [[0] * 4], [[0] * 4],
                                            [[0] * 4], [[0] * 4])
    case["skus"] = case["skus"].iloc[:1]
    empty = pd.DataFrame()
    kpis, by_period, skus = compute_measures(
        case["settings"], case["skus"], case["periods"], case["arrays"], empty, empty, empty,
        empty)
    assert kpis["average_inventory_value"] == 0
    for name in ("projected_service_level", "turns", "inventory_quality_ratio",
                 "ss_compliance", "demonstrated_service_level", "key_constraint_utilisation"):
        assert math.isnan(kpis[name]), name
    assert kpis["planned_orders"] == 0 and kpis["total_cost"] == 0
    assert len(by_period) == 4 and len(skus) == 1


def test_target_holds_until_the_next_one():
    targets = pd.DataFrame({"measure": ["turns"] * 3, "dimension": "total", "key": "x",
                            "period": pd.to_datetime(["2026-01-13", "2025-06-01",
                                                      "2026-01-26"]),
                            "value": [2.0, 1.0, 3.0]})
    table = TargetTable(targets, plan_cases.periods(5))
    # periods start 01-05, 01-12, 01-19, 01-26, 02-02: 01-13 counts from 01-19 on
    assert table.series("turns").tolist() == [1.0, 1.0, 2.0, 3.0, 3.0]
    assert np.isnan(table.series("service_level")).all()


# Cover window and dead stock on one SKU: G = 1, 2, 3, 0, 0, H = 5, ḡ = 6/5, L = 0, W = 2
#   R[t] = G[t+1] + G[t+2] (ḡ beyond the horizon): 5, 3, 0, 0 + ḡ, 2 ḡ
#   last requirement in t2: dead where min(t+1, 4) > 2: t = 2, 3, 4
def test_cover_requirement_and_dead_stock():
    gross = np.array([[1.0, 2.0, 3.0, 0.0, 0.0]])
    assert cover_requirement(gross, np.array([0]), extra=2)[0].tolist() == approx(
        [5, 3, 0, 1.2, 2.4])
    assert dead_stock_mask(gross)[0].tolist() == [False, False, True, True, True]
    assert dead_stock_mask(np.array([[0.0, 0.0, 1.0]]))[0].tolist() == [False, False, False]


def test_blocks_add_up_to_one_pass():
    rng = np.random.default_rng(3)
    arrays, skus = _random_plan(rng, 37, 9)
    attrs = SkuAttributes(cost=skus["unit_cost"].to_numpy(), price=np.zeros(37),
                          margin=np.ones(37), lead_time=skus["lead_time_periods"].to_numpy(),
                          groups=GroupIndicator.from_codes({}, 37))
    whole, whole_sku = plan_sums(arrays, attrs, block_rows=1000)
    parts, parts_sku = plan_sums(arrays, attrs, block_rows=5)
    for name in ("value", "excess", "obsolete", "short", "cogs", "met", "ss_ok"):
        assert getattr(parts, name) == approx(getattr(whole, name)), name
    assert parts_sku.mean_pos == approx(whole_sku.mean_pos)


def test_kept_rows_worked_out_again_where_they_changed():
    """A session's block memo: rows netting did not copy, and rows whose cost or lead time
    moved, are worked out again and put among the kept rows; sums, per-SKU figures and
    exception episodes are then those of a pass from scratch, bit for bit."""
    from dataclasses import replace

    from app.engine.exceptions import EpisodeScan

    rng = np.random.default_rng(11)
    n, horizon = 40, 9
    arrays, skus = _random_plan(rng, n, horizon)
    groups = GroupIndicator.from_codes({"abc": (rng.integers(-1, 3, n), 3)}, n)
    attrs = SkuAttributes(cost=skus["unit_cost"].to_numpy(), price=np.full(n, 2.0),
                          margin=np.ones(n), lead_time=skus["lead_time_periods"].to_numpy(),
                          groups=groups)
    bounds = [(0, 15), (15, 32), (32, 40)]
    memo = BlockMemo(None, np.zeros(n, dtype=bool))
    plan_sums(arrays, attrs, bounds=bounds, memo=memo, visit=EpisodeScan())
    for step in range(3):
        cost, lead = attrs.cost.copy(), attrs.lead_time.copy()
        poh = arrays.projected_on_hand.copy()
        copied = np.ones(n, dtype=bool)
        if step == 0:
            cost[20] *= 2.0  # netting copied every row; a cost moved
        elif step == 1:
            lead[33] += 2
        else:  # two rows planned again, in two blocks
            poh[[3, 30]] = rng.normal(0, 20, (2, horizon))
            copied[[3, 30]] = False
        attrs = replace(attrs, cost=cost, lead_time=lead)
        arrays = replace(arrays, projected_on_hand=poh)
        memo = BlockMemo(None, copied, memo)
        kept_scan, scan = EpisodeScan(), EpisodeScan()
        got = plan_sums(arrays, attrs, bounds=bounds, memo=memo, visit=kept_scan)
        want = plan_sums(arrays, attrs, bounds=bounds, visit=scan)
        for part in range(2):
            for name, value in vars(want[part]).items():
                if isinstance(value, dict):
                    for dim, grouped in value.items():
                        np.testing.assert_array_equal(vars(got[part])[name][dim], grouped)
                else:
                    np.testing.assert_array_equal(vars(got[part])[name], value,
                                                  err_msg=f"{step} {name}")
        for mine, theirs in zip(kept_scan.result(), scan.result(), strict=True):
            for a, b in zip(mine, theirs, strict=True):
                np.testing.assert_array_equal(a, b, err_msg=f"episodes, step {step}")


def _random_plan(rng: np.random.Generator, n: int, horizon: int
                 ) -> tuple[PlanArrays, pd.DataFrame]:
    ind = rng.gamma(1.0, 5.0, (n, horizon)) * (rng.random((n, 1)) < 0.6)
    dep = rng.gamma(1.0, 5.0, (n, horizon)) * (rng.random((n, horizon)) < 0.5)
    arrays = PlanArrays(
        on_hand=rng.normal(10, 10, n), independent_demand=ind, dependent_demand=dep,
        gross_requirements=ind + dep, scheduled_receipts=np.zeros((n, horizon)),
        planned_receipts=np.zeros((n, horizon)), planned_releases=np.zeros((n, horizon)),
        projected_on_hand=rng.normal(10, 20, (n, horizon)),
        safety_stock=rng.choice([0.0, 5.0, np.nan], (n, horizon)),
        expired=np.zeros((n, horizon)))
    skus = plan_cases.sku_frame([{"item_id": f"I{i}", "site_id": "S",
                                  "unit_cost": float(rng.uniform(0, 5)),
                                  "lead_time_periods": int(rng.integers(0, 4))}
                                 for i in range(n)])
    return arrays, skus


# ---- properties on random plans -------------------------------------------------------

def _plans() -> st.SearchStrategy:
    @st.composite
    def build(draw: st.DrawFn) -> tuple[PlanArrays, pd.DataFrame]:
        n = draw(st.integers(1, 4))
        horizon = draw(st.integers(1, 7))
        amount = st.floats(0, 50, allow_nan=False)
        shape = (n, horizon)
        ind = draw(np_arrays(float, shape, elements=amount))
        dep = draw(np_arrays(float, shape, elements=amount))
        poh = draw(np_arrays(float, shape, elements=st.floats(-40, 200, allow_nan=False)))
        ss = draw(np_arrays(float, shape, elements=st.sampled_from([0.0, 3.0, 20.0, np.nan])))
        exp = draw(np_arrays(float, shape, elements=st.sampled_from([0.0, 0.0, 2.0])))
        zeros = np.zeros(shape)
        arrays = PlanArrays(
            on_hand=draw(np_arrays(float, n, elements=st.floats(-10, 50))),
            independent_demand=ind, dependent_demand=dep, gross_requirements=ind + dep,
            scheduled_receipts=zeros, planned_receipts=zeros, planned_releases=zeros,
            projected_on_hand=poh, safety_stock=ss, expired=exp)
        skus = plan_cases.sku_frame([{
            "item_id": f"I{i}", "site_id": "S",
            "part_class": draw(st.sampled_from(["FG", "WIP", "RM", ""])),
            "abc": draw(st.sampled_from(["A", "B", "C"])),
            "category": draw(st.sampled_from(["", "x", "y"])),
            "unit_cost": draw(st.floats(0, 100)),
            "unit_price": draw(st.sampled_from([np.nan, 0.0, 50.0])),
            "lead_time_periods": draw(st.integers(0, 10))} for i in range(n)])
        return arrays, skus
    return build()


def _in_unit_interval(values: np.ndarray | float) -> bool:
    values = np.atleast_1d(np.asarray(values, dtype=float))
    values = values[~np.isnan(values)]
    return bool(((values >= -1e-12) & (values <= 1 + 1e-12)).all())


@settings(max_examples=60, deadline=None)
@given(plan=_plans())
def test_measures_invariants(plan):
    arrays, skus = plan
    horizon = arrays.projected_on_hand.shape[1]
    kpis, by_period, per_sku = compute_measures(
        plan_cases.settings(horizon), skus, plan_cases.periods(horizon), arrays,
        pd.DataFrame(), pd.DataFrame(), pd.DataFrame(), pd.DataFrame())
    parts = sum(kpis[k] for k in ("safety_stock_value", "cycle_stock_value",
                                  "excess_stock_value", "obsolete_stock_value"))
    assert parts == approx(kpis["average_inventory_value"], rel=1e-9, abs=1e-6)
    for name in ("ss_compliance", "projected_service_level", "projected_cycle_service",
                 "inventory_quality_ratio"):
        assert _in_unit_interval(kpis[name]), name
    for name in ("ss_compliance", "service_level", "service_level_FG", "cycle_service",
                 "inventory_quality_ratio"):
        assert _in_unit_interval(by_period[name].to_numpy()), name
    assert _in_unit_interval(per_sku["projected_service"].to_numpy())
    value = by_period["on_hand_value"].to_numpy()
    stock = by_period["excess_value"].to_numpy() + by_period["obsolete_value"].to_numpy()
    assert (stock <= value + 1e-9 * (1 + value)).all()
    assert (by_period["periods_of_supply"].fillna(0) <= horizon + 1e-9).all()


@settings(max_examples=60, deadline=None)
@given(plan=_plans())
def test_breakdown_cells(plan):
    arrays, skus = plan
    lead = skus["lead_time_periods"].to_numpy()
    split = stock_breakdown(arrays, lead)
    parts = (split.safety, split.cycle, split.excess, split.obsolete)
    assert all((p >= 0).all() for p in parts)
    assert sum(parts) == approx(split.on_hand, abs=1e-9)
    assert surplus(arrays, lead) == approx(split.excess + split.obsolete, abs=1e-9)
    short = units_short(arrays)
    assert (short >= 0).all() and (short <= arrays.independent_demand + 1e-9).all()
    pos = periods_of_supply(split.on_hand, arrays.gross_requirements)
    assert ((pos >= 0) & (pos <= arrays.projected_on_hand.shape[1])).all()
