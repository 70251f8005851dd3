"""The safety-stock recommendation inside the plan (SEIO, MEIO, time phasing, memo, trade-off),
checked on hand-worked cases and by properties of the guaranteed-service model."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import special

from app.engine.inputs import PlanInput
from app.engine.inventory import GsmNetwork, solve_tree
from app.engine.plan import plan
from app.engine.recommend import MeioMemo, follow_forecast, pooled_sigma
from app.engine.tradeoff import tradeoff
from tests.engine_cases import tables

Z95 = float(special.ndtri(0.95))  # 1.6448536...


def sku(result, item: str, site: str) -> pd.Series:
    rows = result.skus
    return rows[(rows["item_id"] == item) & (rows["site_id"] == site)].iloc[0]


def chain(costs: tuple[float, float]) -> dict[str, pd.DataFrame]:
    """Buy SKU A@P (L = 2, cost c_A) -> make SKU B@P (L = 1, cost c_B, 1 A per B) with
    customer demand 100 ± 20 per week at B, target 95 %."""
    frames = tables(
        [{"item_id": "A", "site_id": "P", "supply_type": "buy", "lead_time": 2.0,
          "ss_model": "meio"},
         {"item_id": "B", "site_id": "P", "supply_type": "make", "lead_time": 1.0,
          "ss_model": "meio"}],
        horizon=8, demand={("B", "P"): [100.0] * 8},
        items=[{"item_id": "A", "unit_cost": costs[0]}, {"item_id": "B", "unit_cost": costs[1]}],
        bom=[{"site_id": "P", "parent_item": "B", "component_item": "A", "qty_per": 1.0,
              "scrap_rate": 0.0}])
    frames["forecast"]["std"] = 20.0
    return frames


@pytest.mark.parametrize(("costs", "s_a"), [
    # T_A = 2 + 1 = 3, T_B = 1 + 1 = 2; B quotes S = 0, so τ_B = S_A + 2, τ_A = 3 - S_A.
    # cost(S_A) ∝ c_A·sqrt(3 - S_A) + c_B·sqrt(S_A + 2):
    #   c = (10, 12): 34.29, 34.93, 34.00, 26.83 for S_A = 0..3 -> S_A = 3 (A holds nothing)
    #   c = (2, 12):  20.43, 23.61, 26.00, 26.83                -> S_A = 0
    ((10.0, 12.0), 3),
    ((2.0, 12.0), 0),
])
def test_meio_on_a_two_stage_chain_by_hand(costs, s_a) -> None:
    result = plan(PlanInput.from_tables(chain(costs)))
    a, b = sku(result, "A", "P"), sku(result, "B", "P")
    tau_a, tau_b = 3 - s_a, s_a + 2
    assert (a["S"], a["SI"], a["tau"]) == (s_a, 0, tau_a)
    assert (b["S"], b["SI"], b["tau"]) == (0, s_a, tau_b)
    assert a["ss_recommended_meio"] == pytest.approx(Z95 * 20 * np.sqrt(tau_a), rel=1e-9)
    assert b["ss_recommended_meio"] == pytest.approx(Z95 * 20 * np.sqrt(tau_b), rel=1e-9)
    assert b["base_stock"] == pytest.approx(100 * tau_b + Z95 * 20 * np.sqrt(tau_b))
    # SEIO: each stage for itself over L + 1: A sqrt(3), B sqrt(2) (A sees B's demand, 1:1)
    assert a["ss_recommended_seio"] == pytest.approx(Z95 * 20 * np.sqrt(3), rel=1e-9)
    assert b["ss_recommended_seio"] == pytest.approx(Z95 * 20 * np.sqrt(2), rel=1e-9)
    # the plan holds the MEIO targets (flat forecast: flat targets), and says so
    row = {name: i for i, name in enumerate(result.skus["item_id"])}
    np.testing.assert_allclose(result.arrays.safety_stock[row["B"]], b["ss_recommended_meio"])
    np.testing.assert_allclose(result.arrays.safety_stock[row["A"]], a["ss_recommended_meio"])
    assert b["ss_current"] == pytest.approx(b["ss_recommended_meio"])
    assert b["end_items"] == "B" and a["end_items"] == "B"
    investment = costs[0] * a["ss_recommended_meio"] + costs[1] * b["ss_recommended_meio"]
    assert result.kpis["ss_investment_meio"] == pytest.approx(investment)
    assert result.kpis["meio_gap"] == 0.0


def test_statistical_model_uses_seio_and_other_models_are_untouched() -> None:
    frames = chain((10.0, 12.0))
    frames["skus"]["ss_model"] = ["fixed", "statistical"]
    frames["skus"]["ss_qty"] = [7.0, np.nan]
    result = plan(PlanInput.from_tables(frames))
    a, b = sku(result, "A", "P"), sku(result, "B", "P")
    assert b["ss_current"] == pytest.approx(Z95 * 20 * np.sqrt(2))
    assert a["ss_current"] == 7.0
    assert b["ss_recommended"] == pytest.approx(b["ss_recommended_seio"])
    # no SKU uses meio: the multi-echelon model is not solved unless asked for
    assert np.isnan(b["ss_recommended_meio"]) and np.isnan(result.kpis["meio_gap"])
    inp = PlanInput.from_tables(frames)
    inp.meio = True
    assert plan(inp).kpis["meio_gap"] == 0.0


def test_fill_rate_target_uses_the_loss_function() -> None:
    frames = chain((10.0, 12.0))
    frames["skus"]["ss_model"] = "statistical"
    frames["skus"]["service_type"] = ["cycle", "fill_rate"]
    frames["skus"]["service_target"] = [0.95, 0.98]
    b = sku(plan(PlanInput.from_tables(frames)), "B", "P")
    # β = 0.98, Q = d·R = 100, σ_X = 20·sqrt(2): G(k) = 0.02·100/28.284 = 0.070711
    sigma_x = 20 * np.sqrt(2)
    k = b["ss_recommended_seio"] / sigma_x
    loss = special.ndtr(-k) * -k + np.exp(-k * k / 2) / np.sqrt(2 * np.pi)
    assert loss == pytest.approx(0.02 * 100 / sigma_x, rel=1e-6)


def test_targets_follow_the_forecast() -> None:
    demand = np.array([[0.0, 10.0, 20.0, 30.0]])
    # window 1: the mean over (t, t + 1] is d[t + 1] (the last period repeats past the end)
    np.testing.assert_allclose(follow_forecast(np.array([10.0]), demand, np.array([1.0])),
                               [[10 * 10 / 15, 10 * 20 / 15, 10 * 30 / 15, 10 * 30 / 15]])
    # no demand or no window: flat
    np.testing.assert_allclose(follow_forecast(np.array([5.0, 6.0]), np.zeros((2, 3)),
                                               np.array([1.0, 0.0])), [[5, 5, 5], [6, 6, 6]])


def test_seasonal_forecast_gives_a_time_phased_target() -> None:
    frames = chain((2.0, 12.0))
    frames["skus"]["ss_model"] = "statistical"
    frames["forecast"]["quantity"] = [50.0, 50, 150, 150, 50, 50, 150, 150]
    result = plan(PlanInput.from_tables(frames))
    b = sku(result, "B", "P")
    ss = result.arrays.safety_stock[list(result.skus["item_id"]).index("B")]
    # window L + R = 2 periods after t; mean forecast 100
    ahead = np.array([100, 150, 100, 50, 100, 150, 150, 150]) / 100
    np.testing.assert_allclose(ss, b["ss_recommended_seio"] * ahead)


def test_memo_reuses_the_solution_until_its_inputs_change() -> None:
    memo = MeioMemo()
    frames = chain((2.0, 12.0))

    def run(frames: dict[str, pd.DataFrame]):
        inp = PlanInput.from_tables(frames)
        inp.meio_memo = memo
        return plan(inp).recommendation

    assert not run(frames).meio_reused
    frames["skus"]["lot_size"] = [50.0, np.nan]  # not an input of the model
    frames["skus"]["order_policy"] = ["fixed", "lot_for_lot"]
    assert run(frames).meio_reused
    frames["skus"]["service_target"] = [0.95, 0.99]
    changed = run(frames)
    assert not changed.meio_reused
    assert changed.meio.safety_stock[1] > 0


def test_tradeoff_curve_scales_with_z_and_matches_the_plan_at_its_target() -> None:
    result = plan(PlanInput.from_tables(chain((2.0, 12.0))))
    rec = result.recommendation
    cost = np.array([2.0 if i == "A" else 12.0 for i in result.skus["item_id"]])
    curve = tradeoff(rec.network, rec.lead, cost)
    table = curve.curve
    assert table["service_target"].is_monotonic_increasing
    assert table["meio_investment"].is_monotonic_increasing
    assert (table["meio_investment"] <= table["seio_investment"] + 1e-9).all()
    at_95 = curve.investment_for(0.95)
    assert at_95["meio_investment"] == pytest.approx(result.kpis["ss_investment_meio"])
    assert at_95["seio_investment"] == pytest.approx(result.kpis["ss_investment_seio"])
    one = curve.sku_curve(list(result.skus["item_id"]).index("B"))
    assert one["meio_units"].iloc[-1] > one["meio_units"].iloc[0] > 0
    with pytest.raises(ValueError, match="strictly between"):
        curve.investment_for(1.0)


@st.composite
def trees(draw: st.DrawFn) -> GsmNetwork:
    n = draw(st.integers(2, 12))
    parent = [draw(st.integers(0, i - 1)) for i in range(1, n)]
    up = [draw(st.booleans()) for _ in parent]
    src = np.array([c if u else p for c, p, u in zip(range(1, n), parent, up, strict=True)])
    dst = np.array([p if u else c for c, p, u in zip(range(1, n), parent, up, strict=True)])
    has_customer = np.zeros(n, dtype=bool)
    has_customer[src] = True
    sigma = np.where(has_customer, 0.0, draw(st.lists(st.floats(1, 30), min_size=n,
                                                       max_size=n)))
    return GsmNetwork(n, src, dst,
                      processing_time=np.array(draw(st.lists(st.integers(1, 6), min_size=n,
                                                             max_size=n))),
                      holding_cost=np.array(draw(st.lists(st.floats(0.1, 5), min_size=n,
                                                          max_size=n))),
                      demand_sigma=sigma, demand_mean=3 * sigma, service_level=0.95)


@settings(max_examples=60, deadline=None)
@given(trees())
def test_meio_never_costs_more_than_every_stage_for_itself(net: GsmNetwork) -> None:
    """With one cycle-service target everywhere and no lead-time variability, SEIO is the
    GSM solution S = 0 at every stage (each covers its own T): the optimum costs no more."""
    seio = Z95 * pooled_sigma(net) * np.sqrt(net.processing_time)
    np.testing.assert_allclose(seio, net.demand_bound * np.sqrt(net.processing_time))
    best = solve_tree(net)
    assert best.objective <= float(net.holding_cost @ seio) * (1 + 1e-9) + 1e-9


def two_end_items(settings: dict[str, str] | None = None) -> dict[str, pd.DataFrame]:
    """Buy A@P (cost 2) goes 1:1 into make B@P and make C@P (cost 12 each); forecasts 100 per
    week for B and C; history: B steady (100 every week), C erratic (0, 200, 0, 200)."""
    frames = tables(
        [{"item_id": "A", "site_id": "P", "supply_type": "buy", "lead_time": 2.0,
          "ss_model": "meio"},
         {"item_id": "B", "site_id": "P", "supply_type": "make", "lead_time": 1.0,
          "ss_model": "meio"},
         {"item_id": "C", "site_id": "P", "supply_type": "make", "lead_time": 1.0,
          "ss_model": "statistical"}],
        horizon=6, demand={("B", "P"): [100.0] * 6, ("C", "P"): [100.0] * 6},
        items=[{"item_id": "A", "unit_cost": 2.0}, {"item_id": "B", "unit_cost": 12.0},
               {"item_id": "C", "unit_cost": 12.0}],
        bom=[{"site_id": "P", "parent_item": p, "component_item": "A", "qty_per": 1.0,
              "scrap_rate": 0.0} for p in ("B", "C")])
    frames["forecast"]["std"] = 20.0
    weeks = [pd.Timestamp("2025-12-08") + pd.Timedelta(weeks=t) for t in range(4)]
    frames["demand_history"] = pd.DataFrame({
        "item_id": ["B"] * 4 + ["C"] * 4, "site_id": "P", "period": weeks * 2,
        "quantity": [100.0] * 4 + [0.0, 200.0, 0.0, 200.0], "shipped": np.nan})
    if settings:
        extra = pd.DataFrame({"name": list(settings), "value": list(settings.values())})
        frames["settings"] = pd.concat([frames["settings"], extra], ignore_index=True)
    return frames


def test_abc_xyz_by_hand_with_pooled_component_variability() -> None:
    result = plan(PlanInput.from_tables(two_end_items()))
    a, b, c = (sku(result, i, "P") for i in "ABC")
    # annual value: B, C 100·52·12 = 62,400 each; A (200 a week pooled) 200·52·2 = 20,800;
    # sorted B, C, A with 0 %, 42.9 %, 85.7 % of the total ranked before them -> A, A, B
    assert (b["annual_value"], a["annual_value"]) == (62_400, 20_800)
    assert (b["abc"], c["abc"], a["abc"]) == ("A", "A", "B")
    # CV: B 0 (X); C 100/100 = 1 (Y); A sqrt(0² + 100²) / (100 + 100) = 0.5 (X)
    assert (b["demand_cv"], c["demand_cv"], a["demand_cv"]) == (0.0, 1.0, 0.5)
    assert (b["abc_xyz"], c["abc_xyz"], a["abc_xyz"]) == ("AX", "AY", "BX")
    assert (b["cell_service_target"], c["cell_service_target"],
            a["cell_service_target"]) == (0.98, 0.97, 0.97)
    assert b["service_target_used"] == 0.95  # the SKU's own target, by default


def test_service_targets_by_cell_and_edited_cells() -> None:
    by_cell = plan(PlanInput.from_tables(two_end_items(
        {"service_targets": "abc_xyz", "service_target_AY": "0.9", "abc_a_share": "0.5",
         "abc_b_share": "0.8"})))
    a, b, c = (sku(by_cell, i, "P") for i in "ABC")
    # A below 50 %, B below 80 %: B (0 % before it) is A, C (42.9 %) A, A (85.7 %) C
    assert (b["abc_xyz"], c["abc_xyz"], a["abc_xyz"]) == ("AX", "AY", "CX")
    assert (b["service_target_used"], c["service_target_used"]) == (0.98, 0.9)
    z = special.ndtri(np.array([0.98, 0.9]))
    # C is statistical: SEIO over L + R = 2 periods with its cell's target
    assert c["ss_current"] == pytest.approx(z[1] * 20 * np.sqrt(2))
    assert b["ss_recommended_seio"] == pytest.approx(z[0] * 20 * np.sqrt(2))


@pytest.mark.parametrize(("settings", "message"), [
    ({"abc_a_share": "0.97"}, "abc_a_share (0.97) must be above 0 and below abc_b_share"),
    ({"xyz_x_cv": "1.5"}, "xyz_x_cv (1.5) must be below xyz_y_cv (1)"),
    ({"service_target_BZ": "1"}, "service_target_BZ (1) must lie strictly between 0 and 1"),
])
def test_bad_segmentation_settings_are_refused(settings, message) -> None:
    from app.engine.inputs import PlanInputError

    with pytest.raises(PlanInputError, match=re.escape(message)):
        PlanInput.from_tables(two_end_items(settings))


def test_a_stopped_search_plans_with_its_best_solution_and_keeps_it() -> None:
    """Stopping the multi-echelon search (the GUI's "Stop search") still gives a plan: the
    best solution found so far, its gap reported, and the session keeps it, so the next
    edit does not search again."""
    from app.models.demo import generate_demo

    frames = generate_demo(skus=150)  # shared components: the search is a branch and bound
    inp = PlanInput.from_tables(frames)
    inp.meio_memo = MeioMemo()
    heard: list[float] = []
    stopped = plan(inp, progress=heard.append, should_stop=lambda: True)
    rec = stopped.recommendation
    assert rec is not None and rec.meio is not None and rec.meio.status == "stopped"
    assert stopped.kpis["meio_gap"] > 0.0
    assert heard[0] == 0.0 and heard[-1] == 1.0 and heard == sorted(heard)
    again = plan(inp)  # no stop asked: the kept solution serves
    assert inp.meio_memo.hits >= 1 and again.recommendation.meio.status == "stopped"
    fresh = PlanInput.from_tables(frames)
    fresh.meio_memo = MeioMemo()
    full = plan(fresh)
    assert full.recommendation.meio.status != "stopped"
    assert full.kpis["ss_investment_meio"] <= stopped.kpis["ss_investment_meio"]
