"""Values read as before, and what plans make from them kept between plans (the plan memo)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from app.engine.forecast import demand_forecast
from app.engine.inputs import PlanInput
from app.engine.plan import plan
from app.engine.result import PlanArrays
from app.engine.same_values import MadeFrom, bits_equal, read_only, rows_equal, same_values
from app.models.demo import generate_demo


def test_same_values_by_place_then_by_value() -> None:
    a = pd.Series([1.0, np.nan, 3.0])
    assert same_values(a, a.copy())  # other memory, same values (missing equal to missing)
    assert same_values(a, a[:])  # the same memory
    assert not same_values(a, pd.Series([1.0, np.nan, 4.0]))
    assert not same_values(a, pd.Series([1, 2, 3]))  # another dtype
    assert not same_values(a, a[:2])
    text = pd.Series(["x", None, "z"], dtype=object)
    assert same_values(text, pd.Series(["x", np.nan, "z"], dtype=object))
    assert not same_values(text, pd.Series(["x", "y", "z"], dtype=object))
    assert same_values(None, None) and not same_values(None, a)


def test_bits_equal_compares_bits() -> None:
    a = np.array([1.0, np.nan, -0.0])
    assert bits_equal(a, a.copy())  # the same NaN is equal to itself, bit for bit
    assert not bits_equal(a, np.array([1.0, np.nan, 0.0]))  # -0.0 is not 0.0 bit for bit
    assert same_values(a, np.array([1.0, np.nan, 0.0]))  # ... but the same value
    grid = np.arange(12.0).reshape(3, 4)
    assert bits_equal(grid[:, 1], grid.copy()[:, 1])  # strided
    assert not bits_equal(grid[:, 1], grid[:, 2])
    assert not bits_equal(grid, grid.astype(np.float32))  # another dtype
    assert bits_equal(np.array([1 + 2j]), np.array([1 + 2j]))  # complex: by value
    other = grid.copy()
    other[1, 2] = np.nan
    assert rows_equal(grid, other).tolist() == [True, False, True]  # row by row, bit for bit
    assert rows_equal(np.array(["a", "b"], dtype=object),
                      np.array(["a", "c"], dtype=object)).tolist() == [True, False]
    assert not rows_equal(grid, grid.astype(np.float32)).any()


def test_made_from_makes_again_only_when_a_source_reads_differently() -> None:
    memo, made = MadeFrom(), []

    def make() -> int:
        made.append(1)
        return len(made)

    column = pd.Series(["A", "B"], dtype=object)
    assert memo.get("x", (column,), make) == 1
    assert memo.get("x", (column.copy(),), make) == 1  # read anew, the same values
    assert memo.get("y", (column,), make) == 2  # each name its own
    assert memo.get("x", (pd.Series(["A", "C"], dtype=object),), make) == 3
    assert memo.get("x", (column,), make) == 4  # the slot holds the last sources only


def test_what_a_memo_keeps_is_read_only() -> None:
    codes, order = np.arange(3), np.zeros(3)
    made = read_only((codes, order, "names"))
    assert made[0] is codes and made[2] == "names"
    with pytest.raises(ValueError, match="read-only"):
        codes[0] = 7
    with pytest.raises(ValueError, match="read-only"):
        order += 1


@pytest.fixture(scope="module")
def demo_tables() -> dict[str, pd.DataFrame]:
    return generate_demo(skus=150)


def _plan(tables: dict[str, pd.DataFrame], memo: MadeFrom | None):
    inp = PlanInput.from_tables(tables, memo)
    inp.demand = demand_forecast(inp.settings.calendar, inp.demand_history, inp.forecast)
    inp.meio = False
    return plan(inp)


def _edited(tables: dict[str, pd.DataFrame], edits: list[tuple[str, int]]
            ) -> dict[str, pd.DataFrame]:
    """The tables after each (kind, row) edit, each written as the store writes one: the
    edited table anew (copy on write), the others as they were."""
    out = dict(tables)
    for kind, row in edits:
        if kind == "ss_qty":
            skus = out["skus"].copy()
            skus.loc[row % len(skus), ["ss_model", "ss_qty"]] = ["fixed", 50.0 + row]
            out["skus"] = skus
        elif kind == "source":  # a DC SKU bought instead of transferred: the network moves
            skus = out["skus"].copy()
            transfers = np.flatnonzero(skus["supply_type"].to_numpy() == "transfer")
            skus.loc[transfers[row % len(transfers)], "supply_type"] = "buy"
            out["skus"] = skus
        elif kind == "qty_per":
            bom = out["bom"].copy()
            bom.loc[row % len(bom), "qty_per"] = 2.0 + row % 3
            out["bom"] = bom
        elif kind == "part_class":
            items = out["items"].copy()
            items.loc[row % len(items), ["part_class", "category"]] = ["WIP", f"cat {row}"]
            out["items"] = items
        elif kind in ("open_orders", "routings", "lots"):  # a row moved to another SKU
            table = out[kind].copy()
            other = out["skus"].iloc[row % len(out["skus"])]
            table.loc[row % len(table), ["item_id", "site_id"]] = [other["item_id"],
                                                                   other["site_id"]]
            out[kind] = table
        elif kind == "service":  # what the flat recommendation is made from
            skus = out["skus"].copy()
            at = row % len(skus)
            skus.loc[at, ["service_target", "service_type", "ss_model"]] = [
                0.8 + (row % 7) / 50, ("cycle", "fill_rate")[row % 2], "statistical"]
            out["skus"] = skus
        elif kind == "lead_time":
            skus = out["skus"].copy()
            skus.loc[row % len(skus), ["lead_time", "lead_time_std"]] = [1 + row % 5, row % 3]
            out["skus"] = skus
        elif kind == "unit_cost":
            items = out["items"].copy()
            items.loc[row % len(items), "unit_cost"] = 1.0 + row
            out["items"] = items
        elif kind == "order":  # an open order's quantity, due date or kind (one of them)
            orders = out["open_orders"].copy()
            at, field = row % len(orders), row // len(orders) % 3
            if field == 0:
                orders.loc[at, "quantity"] = 5.0 + row
            elif field == 1:
                orders.loc[at, "due_period"] = orders["due_period"].iloc[at] + pd.Timedelta(
                    weeks=1 + row % 3)
            else:
                orders.loc[at, "kind"] = "po" if orders["kind"].iloc[at] == "wo" else "wo"
            out["open_orders"] = orders
        elif kind == "lot":  # a lot's quantity or expiry, or its SKU's stock on hand
            lots = out["lots"].copy()
            at, field = row % len(lots), row // len(lots) % 3
            if field == 0:
                lots.loc[at, "quantity"] = 1.0 + row
            elif field == 1:
                lots.loc[at, "expiry_date"] = lots["expiry_date"].min() - pd.Timedelta(
                    weeks=52 + row % 5)  # expired before the horizon: gone in period 0
            else:
                skus = out["skus"].copy()
                mine = (skus["item_id"] == lots["item_id"].iloc[at]) & (
                    skus["site_id"] == lots["site_id"].iloc[at])
                skus.loc[mine, "on_hand"] = 1.0 + row % 3  # below its lots: they shrink
                out["skus"] = skus
            out["lots"] = lots
        elif kind == "history":  # one SKU's demand history reversed in time
            history = out["demand_history"].copy()
            first = history.iloc[(row * 37) % len(history)]
            mine = ((history["item_id"] == first["item_id"])
                    & (history["site_id"] == first["site_id"])).to_numpy()
            history.loc[mine, "quantity"] = history.loc[mine, "quantity"].to_numpy()[::-1]
            out["demand_history"] = history
        elif kind == "resource":  # a resource's site or capacity
            resources = out["resources"].copy()
            at = row % len(resources)
            if row // len(resources) % 2:
                resources.loc[at, "site_id"] = f"S{row}"
            else:
                resources.loc[at, "capacity_per_period"] = 1.0 + row % 7
            out["resources"] = resources
        elif kind == "target":
            targets = out["targets"].copy()
            targets.loc[row % len(targets), "value"] = 1000.0 * (row + 1)
            out["targets"] = targets
    return out


def _assert_same_plan(got, want) -> None:
    for name in PlanArrays.__dataclass_fields__:
        np.testing.assert_array_equal(getattr(got.arrays, name), getattr(want.arrays, name),
                                      err_msg=name)
    for name in ("skus", "planned_orders", "resource_load", "kpis_by_period", "exceptions"):
        pd.testing.assert_frame_equal(getattr(got, name), getattr(want, name), obj=name)
    np.testing.assert_array_equal(got.recommendation.override, want.recommendation.override,
                                  err_msg="time-phased targets")
    assert got.kpis.keys() == want.kpis.keys()
    for name, value in want.kpis.items():
        assert got.kpis[name] == pytest.approx(value, rel=0, abs=0, nan_ok=True), name


@settings(max_examples=8, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.sampled_from(["ss_qty", "source", "qty_per", "part_class",
                                           "target", "open_orders", "routings", "lots",
                                           "service", "lead_time", "unit_cost", "order",
                                           "lot", "resource", "history"]),
                          st.integers(0, 10_000)),
                min_size=1, max_size=4))
@example([("ss_qty", 7)]).via("an edit the memo outlives")
@example([("source", 3), ("qty_per", 0)]).via("edits of the network")
@example([("part_class", 2), ("target", 5)]).via("edits of the groups and the targets")
@example([("open_orders", 1), ("routings", 2), ("lots", 0)]).via("rows moved between SKUs")
@example([("service", 4), ("lead_time", 9), ("unit_cost", 2)]).via("edits of the "
                                                                     "recommendation's inputs")
@example([("order", 0), ("order", 50), ("order", 100)]).via("open orders: quantity, due, "
                                                                  "kind")
@example([("lot", 16), ("lot", 32), ("lot", 0)]).via("lots: expiry, on hand, quantity")
@example([("resource", 0), ("resource", 3)]).via("a resource's capacity, then another's site")
@example([("ss_qty", 0), ("history", 1), ("ss_qty", 1)]).via("safety stock, demand, safety "
                                                             "stock")
def test_a_plan_with_the_memo_is_the_plan_without(demo_tables, edits) -> None:
    """Edit after edit, a session's memo gives the very plan made from scratch: what it
    keeps is made again whenever a table it was made from changed."""
    memo = MadeFrom()
    tables = demo_tables
    _plan(tables, memo)
    for k in range(len(edits)):
        tables = _edited(demo_tables, edits[:k + 1])
        _assert_same_plan(_plan(tables, memo), _plan(tables, None))


def test_an_edit_of_a_safety_stock_keeps_the_flat_recommendation(demo_tables) -> None:
    """The SEIO / segmentation arrays are taken as made when only a safety stock changed,
    made again when a service target changed; the time-phased targets always follow."""
    memo = MadeFrom()
    first = _plan(demo_tables, memo).recommendation
    ss_edit = _plan(_edited(demo_tables, [("ss_qty", 3)]), memo).recommendation
    assert first is not None and ss_edit is not None
    assert ss_edit.seio is first.seio and ss_edit.segmentation is first.segmentation
    assert ss_edit.override is not first.override
    service_edit = _plan(_edited(demo_tables, [("ss_qty", 3), ("service", 5)]),
                         memo).recommendation
    assert service_edit is not None and service_edit.seio is not ss_edit.seio


def test_only_the_levels_an_edit_reaches_are_planned_again(demo_tables, monkeypatch) -> None:
    """An edit of a SKU's safety stock plans its own level and the levels below it again
    (their dependent demand may move); the levels above are taken from the last netting,
    and their measure sums from the last plan."""
    from app.engine import netting
    from app.engine.prepare import prepare

    planned: list[int] = []
    plan_level = netting._plan_level

    def counting(data, level, *args, **kwargs):
        planned.append(int(data.codes[level.start]))
        return plan_level(data, level, *args, **kwargs)

    monkeypatch.setattr(netting, "_plan_level", counting)
    from app.engine import measure_sums

    summed: list[int] = []
    block = measure_sums._block

    def counting_blocks(blk, split, attrs, lo, hi):
        summed.append(lo)
        return block(blk, split, attrs, lo, hi)

    monkeypatch.setattr(measure_sums, "_block", counting_blocks)
    inp = PlanInput.from_tables(demo_tables)
    prepared = prepare(inp)
    deepest = int(prepared.codes.max())
    row = int(np.flatnonzero(prepared.codes[prepared.position] == deepest - 1)[0])
    memo = MadeFrom()
    _plan(demo_tables, memo)
    assert planned == list(range(deepest + 1))  # the first plan plans every level
    planned.clear()
    edited = _edited(demo_tables, [("ss_qty", row)])
    with_memo = _plan(edited, memo)
    assert planned == [deepest - 1, deepest]
    # the measures sum again only the blocks (levels) netting planned again
    starts = np.flatnonzero(np.diff(prepared.codes, prepend=-1)).tolist()
    assert summed[-2:] == starts[-2:] and len(summed) == len(starts) + 2
    planned.clear()
    _assert_same_plan(with_memo, _plan(edited, None))
    assert planned == list(range(deepest + 1))


def test_only_the_rows_an_edit_changes_are_measured_again(demo_tables, monkeypatch) -> None:
    """After an edit, the measures work out only the rows netting planned again (all of them
    at once), put them in place among the kept rows and sum their blocks again; the plan is
    the plan made from scratch."""
    from app.engine import measure_sums, netting

    worked: list[int] = []
    rows_of = measure_sums.RowArrays.of

    def counting(blk, split, cost):
        worked.append(len(cost))
        return rows_of(blk, split, cost)

    monkeypatch.setattr(measure_sums.RowArrays, "of", counting)
    replanned: list[int] = []
    net = netting.net

    def counting_net(*args, **kwargs):
        out = net(*args, **kwargs)
        replanned.append(int((~out.copied).sum()))
        return out

    monkeypatch.setattr(netting, "net", counting_net)
    monkeypatch.setattr("app.engine.plan.net", counting_net)
    memo = MadeFrom()
    first = _plan(demo_tables, memo)
    assert sum(worked) == len(first.skus)  # block by block, every row
    worked.clear()
    edited = _edited(demo_tables, [("ss_qty", 3)])
    with_memo = _plan(edited, memo)
    assert 0 < replanned[-1] < len(first.skus) // 4
    assert worked == [replanned[-1]]  # the rows netting planned again, at once
    _assert_same_plan(with_memo, _plan(edited, None))


def test_a_plan_that_fails_leaves_the_memo_sound(demo_tables, monkeypatch) -> None:
    """A plan that stops half-way through its measures (after taking the kept rows over)
    leaves a memo the next plan can trust: that plan is still the plan from scratch."""
    from app.engine import measure_sums

    memo = MadeFrom()
    _plan(demo_tables, memo)
    block = measure_sums._block
    calls = {"n": 0}

    def failing(*args):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("stopped")
        return block(*args)

    monkeypatch.setattr(measure_sums, "_block", failing)
    with pytest.raises(RuntimeError):
        _plan(_edited(demo_tables, [("ss_qty", 5)]), memo)
    monkeypatch.setattr(measure_sums, "_block", block)
    edited = _edited(demo_tables, [("ss_qty", 5), ("ss_qty", 40)])
    _assert_same_plan(_plan(edited, memo), _plan(edited, None))


def test_the_lots_of_some_rows_expire_as_in_the_whole_table(demo_tables) -> None:
    """``LotTable.subset``: the lots of chosen SKU rows, renumbered, give those rows the same
    expiry as the whole table does (what planning some rows of a level alone relies on)."""
    from app.engine.netting import net
    from app.engine.prepare import prepare

    data = prepare(PlanInput.from_tables(demo_tables)).netting
    lots = data.lots
    assert lots is not None and len(lots.skus) >= 3
    gross = net(data).arrays.gross_requirements
    rows = np.sort(np.concatenate([lots.skus[::2], [0]]))  # some with lots, one without
    part = lots.subset(rows)
    assert part.rows.max() < len(rows)
    mine = np.flatnonzero(np.isin(rows, lots.skus))
    np.testing.assert_array_equal(part.expiry(gross[rows], mine),
                                  lots.expiry(gross, rows[mine]))
    assert not np.isin(0, part.skus) or 0 in lots.skus


def test_kept_targets_follow_a_new_demand_profile(demo_tables) -> None:
    """The session's time-phased targets are made again when the customer demand moves,
    even if the flat recommendation is the one kept (a new profile, the same mean)."""
    from app.engine import recommend

    result = _plan(demo_tables, None)
    rec = result.recommendation
    assert rec is not None
    ss_model = np.full(rec.network.n, "statistical", dtype=object)
    demand = result.arrays.independent_demand
    memo = MadeFrom()
    first = recommend._kept_targets(rec, rec, ss_model, demand, memo)
    reversed_demand = np.ascontiguousarray(demand[:, ::-1])  # each SKU's mean unchanged
    second = recommend._kept_targets(rec, rec, ss_model, reversed_demand, memo)
    np.testing.assert_array_equal(
        second.override, recommend.with_targets(rec, ss_model, reversed_demand).override)
    assert not np.array_equal(first.override, second.override, equal_nan=True)
