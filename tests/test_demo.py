"""The demo data set: deterministic, canonical, consistent and shaped like a real tablet maker."""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import pandas as pd
import pytest

from app.models.contract import SETTINGS_BY_NAME, TABLES
from app.models.demo import HORIZON_WEEKS, PLAN_START, generate_demo
from app.models.frames import coerce_frame, frames_equal, key_tuples

Frames = dict[str, pd.DataFrame]

_DTYPES = {"text": "object", "choice": "object", "float": "float64", "int": "Int64",
           "date": "datetime64[ns]", "bool": "boolean"}


@pytest.fixture(scope="module")
def demo() -> Frames:
    return generate_demo()


def _sku_set(frames: Frames) -> set[tuple[str, str]]:
    skus = frames["skus"]
    return set(zip(skus["item_id"], skus["site_id"], strict=True))


def _sku_arcs(frames: Frames) -> dict[tuple[str, str], list[tuple[str, str]]]:
    """Supply arcs of the network: feeding SKU -> fed SKU (transfers and BOM lines)."""
    arcs: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)
    skus = frames["skus"]
    moves = skus[skus["supply_type"] == "transfer"]
    for item, site, source in zip(moves["item_id"], moves["site_id"], moves["source_site"],
                                  strict=True):
        arcs[(item, source)].append((item, site))
    bom = frames["bom"]
    for site, parent, comp in zip(bom["site_id"], bom["parent_item"], bom["component_item"],
                                  strict=True):
        arcs[(comp, site)].append((parent, site))
    return arcs


def _find_cycle(nodes: set, arcs: dict) -> list | None:
    """A cycle of the directed graph as a node list, or None (iterative three-colour DFS)."""
    colour: dict = {}
    for root in nodes:
        if root in colour:
            continue
        colour[root] = "grey"
        stack = [(root, iter(arcs.get(root, ())))]
        path = [root]
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                colour[node] = "black"
                stack.pop()
                path.pop()
            elif colour.get(child) == "grey":
                return [*path[path.index(child):], child]
            elif child not in colour:
                colour[child] = "grey"
                stack.append((child, iter(arcs.get(child, ()))))
                path.append(child)
    return None


def test_same_seed_same_data_and_other_seed_other_data(demo: Frames) -> None:
    assert frames_equal(demo, generate_demo(450, 7)) == []
    other = generate_demo(450, 8)
    assert {"skus", "items", "demand_history"} <= set(frames_equal(demo, other))


@pytest.mark.parametrize("size", [450, 3000])
def test_sku_count_close_to_request(size: int) -> None:
    count = len(generate_demo(size, seed=3)["skus"])
    assert abs(count - size) <= 0.1 * size


def test_every_table_is_canonical_with_unique_keys(demo: Frames) -> None:
    assert set(demo) == {t.name for t in TABLES}
    for table in TABLES:
        frame = demo[table.name]
        assert list(frame.columns) == table.column_names, table.name
        for column in table.columns:
            assert str(frame[column.name].dtype) == _DTYPES[column.kind], (table.name, column)
            if column.required:
                assert frame[column.name].notna().all(), (table.name, column.name)
        pd.testing.assert_frame_equal(coerce_frame(table, frame), frame)
        assert key_tuples(table, frame).is_unique, table.name
        if table.name != "forecast":
            assert len(frame), table.name
    assert demo["forecast"].empty


def test_values_fit_the_contract(demo: Frames) -> None:
    for table in TABLES:
        frame = demo[table.name]
        for column in table.columns:
            values = frame[column.name].dropna()
            if column.choices:
                assert set(values) <= set(column.choices), (table.name, column.name)
            if column.nonneg:
                assert (values >= 0).all(), (table.name, column.name)
            if column.maximum is not None:
                assert (values < column.maximum).all(), (table.name, column.name)
    settings = dict(zip(demo["settings"]["name"], demo["settings"]["value"], strict=True))
    assert set(settings) <= set(SETTINGS_BY_NAME)
    assert settings["start_date"] == PLAN_START.strftime("%Y-%m-%d") == "2026-11-23"
    assert settings["period"] == "week" and settings["horizon_periods"] == "52"


def test_references_are_valid(demo: Frames) -> None:
    keys = {t.name: set(key_tuples(t, demo[t.name])) for t in TABLES if len(t.key) == 1}
    for table in TABLES:
        for column in table.columns:
            if column.references is None:
                continue
            target = {k[0] for k in keys[column.references[0]]}
            used = set(demo[table.name][column.name].dropna())
            assert used <= target, (table.name, column.name, used - target)
    skus = _sku_set(demo)
    moves = demo["skus"][demo["skus"]["supply_type"] == "transfer"]
    assert moves["source_site"].notna().all()
    assert set(zip(moves["item_id"], moves["source_site"], strict=True)) <= skus
    bom = demo["bom"]
    assert set(zip(bom["parent_item"], bom["site_id"], strict=True)) <= skus
    assert set(zip(bom["component_item"], bom["site_id"], strict=True)) <= skus
    for name in ("demand_history", "open_orders", "lots", "routings"):
        frame = demo[name]
        assert set(zip(frame["item_id"], frame["site_id"], strict=True)) <= skus, name


def test_network_is_acyclic_and_shares_components(demo: Frames) -> None:
    arcs = _sku_arcs(demo)
    assert _find_cycle(_sku_set(demo), arcs) is None
    parents_per_component = demo["bom"].groupby("component_item")["parent_item"].nunique()
    assert (parents_per_component > 2).sum() >= 10  # a DAG, not a tree


def test_cycle_finder_sees_a_cycle() -> None:
    arcs = {"a": ["b"], "b": ["c"], "c": ["a"], "d": ["a"]}
    assert _find_cycle({"a", "b", "c", "d"}, arcs) is not None
    assert _find_cycle({"a", "b"}, {"a": ["b"]}) is None


def test_bom_is_three_to_four_levels_deep(demo: Frames) -> None:
    bom = demo["bom"]
    children: dict[str, list[str]] = defaultdict(list)
    for parent, comp in zip(bom["parent_item"], bom["component_item"], strict=True):
        children[parent].append(comp)
    depth: dict[str, int] = {}

    def levels(item: str) -> int:
        if item not in depth:
            depth[item] = 1 + max((levels(c) for c in children.get(item, ())), default=0)
        return depth[item]

    items = demo["items"]
    fg = items.loc[items["part_class"] == "FG", "item_id"]
    fg_depth = {levels(i) for i in fg}
    assert fg_depth <= {3, 4} and 4 in fg_depth
    rm = set(items.loc[items["part_class"] == "RM", "item_id"])
    assert not rm & set(children)  # purchased parts have no BOM
    assert set(bom["component_item"]) >= rm  # and each is used


def test_parent_cost_covers_its_components(demo: Frames) -> None:
    cost = demo["items"].set_index("item_id")["unit_cost"]
    bom = demo["bom"]
    material = (cost.loc[bom["component_item"]].to_numpy() * bom["qty_per"].to_numpy())
    per_parent = pd.Series(material).groupby(bom["parent_item"].to_numpy()).sum()
    assert (cost.loc[per_parent.index].to_numpy() > per_parent.to_numpy()).all()
    items = demo["items"]
    fg = items[items["part_class"] == "FG"]
    assert (fg["unit_price"] > fg["unit_cost"]).all()
    assert items.loc[items["part_class"] != "FG", "unit_price"].isna().all()
    assert (bom["scrap_rate"] > 0).any()


def test_history_is_104_weeks_per_dc_finished_good(demo: Frames) -> None:
    history, skus = demo["demand_history"], demo["skus"]
    fg = set(demo["items"].loc[demo["items"]["part_class"] == "FG", "item_id"])
    dc_sites = set(demo["sites"].loc[demo["sites"]["kind"] == "dc", "site_id"])
    dc_fg = skus[skus["item_id"].isin(fg) & skus["site_id"].isin(dc_sites)]
    weeks = history.groupby(["item_id", "site_id"]).size()
    assert len(weeks) == len(dc_fg) and (weeks == 104).all()
    periods = pd.DatetimeIndex(sorted(history["period"].unique()))
    assert len(periods) == 104 and (periods.day_of_week == 0).all()
    assert periods[-1] + pd.Timedelta(weeks=1) == PLAN_START
    assert (history["shipped"] <= history["quantity"]).all()
    assert (history["shipped"] < history["quantity"]).mean() > 0.005
    assert (history["quantity"] == history["quantity"].round()).all()


def test_some_series_are_intermittent_and_most_are_not(demo: Frames) -> None:
    history = demo["demand_history"]
    zero_share = (history["quantity"] == 0).groupby(
        [history["item_id"], history["site_id"]]).mean()
    assert (zero_share > 0.3).sum() >= 3
    assert (zero_share < 0.1).mean() > 0.5


def test_sku_parameters_look_like_a_planner_set_them(demo: Frames) -> None:
    skus = demo["skus"]
    moves = skus[skus["supply_type"] == "transfer"]
    assert (moves["max_service_time"] == 0).all()
    assert skus.loc[skus["supply_type"] != "transfer", "max_service_time"].isna().all()
    buy = skus[skus["supply_type"] == "buy"]
    assert buy["lead_time"].between(2, 8).all() and (buy["lead_time_std"] > 0).any()
    assert skus.loc[skus["supply_type"] == "make", "lead_time"].between(1, 3).all()
    assert moves["lead_time"].between(1, 2).all()
    assert set(skus["order_policy"]) == {"lot_for_lot", "fixed", "poq", "eoq", "min_max"}
    fixed = skus[skus["order_policy"] == "fixed"]
    assert (fixed["lot_size"] > 0).all()
    min_max = skus[skus["order_policy"] == "min_max"]
    assert (min_max["lot_size"] > min_max["min_order"]).all()
    assert skus.loc[skus["order_policy"].isin(["eoq", "poq"]), "ordering_cost"].gt(0).all()
    assert skus.loc[skus["ss_model"] == "fixed", "ss_qty"].notna().all()
    assert skus.loc[skus["ss_model"] == "days_of_supply", "ss_days"].notna().all()
    assert (skus["on_hand"] == 0).any() and (skus["on_hand"] > 0).mean() > 0.8


def test_open_orders_are_due_early_and_some_are_past_due(demo: Frames) -> None:
    orders = demo["open_orders"]
    assert set(orders["kind"]) == {"po", "wo", "transfer"}
    assert orders["order_id"].str.fullmatch(r"(PO|WO|TR)-\d{6}").all()
    assert (orders["due_period"] < PLAN_START).sum() >= 2
    assert (orders["due_period"] < PLAN_START + pd.Timedelta(weeks=8)).all()
    assert (orders["quantity"] > 0).all()


def test_lots_fit_on_hand_and_some_expire_in_the_horizon(demo: Frames) -> None:
    lots, skus, items = demo["lots"], demo["skus"], demo["items"]
    per_sku = lots.groupby(["item_id", "site_id"])["quantity"].sum()
    on_hand = skus.set_index(["item_id", "site_id"])["on_hand"].loc[per_sku.index]
    assert (per_sku.to_numpy() <= on_hand.to_numpy()).all()
    perishable = set(items.loc[items["shelf_life_periods"].notna(), "item_id"])
    assert set(lots["item_id"]) <= perishable
    horizon_end = PLAN_START + pd.Timedelta(weeks=HORIZON_WEEKS)
    assert (lots["expiry_date"] < horizon_end).any() and (lots["expiry_date"] >= horizon_end).any()


def test_capacity_is_there_and_tight(demo: Frames) -> None:
    resources, routings, skus = demo["resources"], demo["routings"], demo["skus"]
    assert len(resources) >= 1 and len(routings) >= 1
    assert set(routings["resource_id"]) == set(resources["resource_id"])
    make = skus[skus["supply_type"] == "make"]
    assert set(zip(routings["item_id"], routings["site_id"], strict=True)) <= set(
        zip(make["item_id"], make["site_id"], strict=True))
    history = demo["demand_history"]
    last_year = history[history["period"] >= PLAN_START - pd.Timedelta(weeks=52)]
    fg_week = last_year.groupby("item_id")["quantity"].sum() / 52.0
    final = routings[routings["item_id"].isin(fg_week.index)]
    load = (final["hours_per_unit"] * fg_week.loc[final["item_id"]].to_numpy()).groupby(
        final["resource_id"]).sum()
    capacity = resources.set_index("resource_id")["capacity_per_period"].loc[load.index]
    assert ((load / capacity) > 0.7).all() and ((load / capacity) < 1.0).all()


def test_targets_cover_classes_and_start_near_today(demo: Frames) -> None:
    targets, skus, items = demo["targets"], demo["skus"], demo["items"]
    value_rows = targets[targets["measure"] == "inventory_value"]
    assert set(value_rows.loc[value_rows["dimension"] == "part_class", "key"]) == {
        "FG", "WIP", "RM"}
    assert set(value_rows.loc[value_rows["dimension"] == "abc", "key"]) == {"A", "B", "C"}
    assert {"service_level", "turns"} <= set(targets["measure"])
    assert (targets["period"].dt.day == 1).all()
    cost = items.set_index("item_id")["unit_cost"].loc[skus["item_id"]].to_numpy()
    today = float((skus["on_hand"].to_numpy() * cost).sum())
    first = value_rows[(value_rows["dimension"] == "total")].sort_values("period")["value"]
    assert first.iloc[0] == pytest.approx(today, rel=0.01)
    assert np.all(np.diff(first.to_numpy()) <= 0)


def test_scales_without_losing_shape() -> None:
    frames = generate_demo(3000, seed=11)
    assert _find_cycle(_sku_set(frames), _sku_arcs(frames)) is None
    assert frames["demand_history"].groupby(["item_id", "site_id"]).size().eq(104).all()
    assert frames["skus"]["site_id"].nunique() == 4
