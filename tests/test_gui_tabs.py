"""The plan tabs (dashboard, DRP, exceptions, SKU detail) on the demo company and the tiny one."""

from __future__ import annotations

import dataclasses
import shutil
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from PySide6.QtCore import Qt

from app.engine.result import PlanResult
from app.models.demo import generate_demo
from app.models.store import Store
from app.views import formatting as f
from app.views.dashboard import TILES, DashboardView, class_summary, tile_text
from app.views.drp import MEASURES, PER_SKU, DrpView, _cell_text
from app.views.exceptions_view import KIND_LABELS, ExceptionsView, compare_exceptions
from app.views.sku_detail import (
    FORECAST_ROW,
    PLANNED_ROW,
    ROWS,
    SkuDetailView,
    firm_order_id,
    quantity_text,
)
from app.views.tab_models import RAW
from app.workbench import Workbench

DISPLAY = Qt.ItemDataRole.DisplayRole
EDIT = Qt.ItemDataRole.EditRole


@pytest.fixture(scope="module")
def demo_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.echelon"
    with Store.create(path) as store:
        store.import_baseline(generate_demo())
    return path


@pytest.fixture(scope="module")
def demo_bench(demo_path: Path) -> Iterator[Workbench]:
    """The demo workspace, read only (tests that edit use ``demo_copy``)."""
    workbench = Workbench.open_file(demo_path)
    yield workbench
    workbench.close()


@pytest.fixture
def demo_copy(demo_path: Path, tmp_path: Path) -> Iterator[Workbench]:
    path = tmp_path / "demo.echelon"
    shutil.copy(demo_path, path)
    workbench = Workbench.open_file(path)
    yield workbench
    workbench.close()


@pytest.fixture
def tiny(tmp_workspace: Path) -> Iterator[Workbench]:
    workbench = Workbench.open_file(tmp_workspace)
    yield workbench
    workbench.close()


def shown(qtbot, widget):
    qtbot.addWidget(widget)
    widget.resize(1280, 760)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def row_of(result: PlanResult, item: str, site: str) -> int:
    skus = result.skus
    return int(np.flatnonzero((skus.item_id == item) & (skus.site_id == site))[0])


# --- formatting ----------------------------------------------------------------------------


def test_formatting() -> None:
    assert f.fmt_number(1234567.8) == "1,234,568"
    assert f.fmt_number(-0.2) == "0"
    assert f.fmt_number(1234.567, 2) == "1,234.57"
    assert f.fmt_money(-1234.4, "USD") == "-$1,234"
    assert f.fmt_money(5, "CHF") == "CHF 5"
    assert f.fmt_money_compact(7_215_431, "EUR") == "€7.2M"
    assert f.fmt_compact(45_300) == "45.3k"
    assert f.fmt_percent(0.9534) == "95.3%"
    assert (f.fmt_quantity(6.35), f.fmt_quantity(45.96), f.fmt_quantity(3.0)) == ("6.3", "46", "3")
    assert f.fmt_number(float("nan")) == f.fmt_percent(None) == f.MISSING
    assert f.period_headers(pd.date_range("2026-12-21", periods=3, freq="7D")) == [
        "21 Dec 2026", "28 Dec", "4 Jan 2027"]


# --- dashboard -----------------------------------------------------------------------------


def test_dashboard_shows_the_kpis(qtbot, demo_bench: Workbench) -> None:
    result = demo_bench.plan()
    view = shown(qtbot, DashboardView(demo_bench))
    assert view.objectName() == "dashboardView"
    assert view.pages.currentIndex() == 0 and "Import" in view.empty.text()  # before a plan
    view.show_plan(result)
    assert view.pages.currentIndex() == 1
    currency = result.settings.currency
    for tile in TILES:
        assert view.tiles[tile.key].value.text() == tile_text(tile.kind, result.kpis[tile.key],
                                                              currency)
    assert view.tiles["average_inventory_value"].value.text() == f.fmt_money_compact(
        result.kpis["average_inventory_value"], "USD")
    assert view.tiles["projected_service_level"].value.text() == f.fmt_percent(
        result.kpis["projected_service_level"])
    assert "target" in view.tiles["turns"].context.text()
    by_period = result.kpis_by_period
    _name, values = view.by_class.series[0]
    assert view.by_class.categories == ["FG", "WIP", "RM"]
    assert values[1] == pytest.approx(by_period["on_hand_value_WIP"].mean())
    assert view.by_abc.series[1][1][0] == pytest.approx(
        by_period["target_on_hand_value_A"].mean())
    categories = {c.removeprefix("periods_of_supply_") for c in by_period.columns
                  if c.startswith("periods_of_supply_")}
    assert set(view.by_category.categories) == categories
    summary = class_summary(by_period, ("FG",))
    assert summary["on_hand_value"].iloc[0] == pytest.approx(by_period["on_hand_value_FG"].mean())

    empty = dataclasses.replace(result, skus=result.skus.iloc[:0])
    view.show_plan(empty)
    assert view.pages.currentIndex() == 0


@pytest.mark.parametrize(("chart", "category", "column"), [
    ("by_class", "WIP", "part_class"), ("by_abc", "B", "abc"),
    ("by_category", "Displays", "category"),
])
def test_clicking_a_bar_filters_the_workbook(qtbot, demo_bench: Workbench, chart: str,
                                             category: str, column: str) -> None:
    view = shown(qtbot, DashboardView(demo_bench))
    view.show_plan(demo_bench.plan())
    bars = getattr(view, chart)
    point = bars.mapFromScene(bars.bar_scene_pos(category))
    with qtbot.waitSignal(view.sigFilterWorkbook, timeout=2000) as blocker:
        qtbot.mouseClick(bars.viewport(), Qt.MouseButton.LeftButton, pos=point)
    assert blocker.args == [column, category]


def test_dashboard_compares_with_the_parent(qtbot, demo_copy: Workbench) -> None:
    demo_copy.fork("Plan B")
    result = demo_copy.plan()
    big = result.skus.sort_values("average_on_hand_value").iloc[-1]
    demo_copy.edit_text("skus", {"item_id": big.item_id, "site_id": big.site_id},
                        {"on_hand": str(big.on_hand * 3 + 1000)})
    view = shown(qtbot, DashboardView(demo_copy))
    # the parent's plan is not at hand: no comparison yet (the tab never plans it itself,
    # on the GUI thread; the main window does, on its worker, then shows the tab again)
    assert demo_copy.cached_plan("Baseline") is None
    view.show_plan(demo_copy.plan())
    assert "vs Baseline" not in view.tiles["average_inventory_value"].context.text()
    assert demo_copy.cached_plan("Baseline") is None
    demo_copy.plan("Baseline")
    view.show_plan(demo_copy.plan())
    assert "▲" in view.tiles["average_inventory_value"].context.text()
    assert "vs Baseline" in view.tiles["average_inventory_value"].context.text()


# --- DRP -----------------------------------------------------------------------------------


def test_drp_grid_serves_the_plan_arrays(qtbot, demo_bench: Workbench) -> None:
    result = demo_bench.plan()
    view = shown(qtbot, DrpView(demo_bench))
    assert view.pages.currentIndex() == 0 and view.empty.text()
    view.show_plan(result)
    assert [view.dc_chooser.itemData(i) for i in range(view.dc_chooser.count())] == [
        "All DCs", "C1001", "C2001", "C3001"]
    model = view.grid_model
    assert model.rowCount() == 3 * len(MEASURES)
    assert model.index(0, 0).data() == "C1001"
    assert model.index(3, 1).data() == "Projected on hand"
    at_c1001 = np.flatnonzero(result.skus.site_id.to_numpy() == "C1001")
    total = result.arrays.gross_requirements[at_c1001, 4].sum()
    assert model.index(0, 2 + 4).data(RAW) == pytest.approx(total)
    assert model.index(0, 2 + 4).data() == f.fmt_number(total)
    assert model.headerData(2, Qt.Orientation.Horizontal) == "23 Nov 2026"
    assert view.measures_model.rowCount() == 3

    view.mode.setCurrentText(PER_SKU)
    view.choose_dc("C2001")
    rows = np.flatnonzero(result.skus.site_id.to_numpy() == "C2001")
    assert model.rowCount() == len(rows) * len(MEASURES)
    k = 3  # the fourth SKU of C2001, its projected on hand in period 7
    cell = model.index(k * len(MEASURES) + 3, 3 + 7)
    value = result.arrays.projected_on_hand[rows[k], 7]
    assert cell.data(RAW) == pytest.approx(value)
    assert cell.data() == _cell_text(3, value)
    assert model.index(k * len(MEASURES), 0).data() == result.skus.item_id.iloc[rows[k]]
    orders = result.planned_orders
    transfers = orders[(orders.kind == "transfer") & (orders.site_id == "C2001")]
    assert view.transfers_model.rowCount() == len(transfers)
    assert view.measures_model.rowCount() == 1
    assert view.measures_model.index(0, 2).data() == f.fmt_number(len(rows))

    view.filter_box.setText(str(result.skus.item_id.iloc[rows[k]]))
    view.refresh()
    assert model.rowCount() == len(MEASURES)
    with qtbot.waitSignal(view.sigOpenSku) as blocker:
        view.grid.doubleClicked.emit(model.index(0, 5))
    assert blocker.args == [result.skus.item_id.iloc[rows[k]], "C2001"]


# --- exceptions ----------------------------------------------------------------------------


def test_exceptions_table_and_filters(qtbot, demo_bench: Workbench) -> None:
    result = demo_bench.plan()
    exceptions = result.exceptions
    view = shown(qtbot, ExceptionsView(demo_bench))
    view.show_plan(result)
    model = view.model
    assert model.rowCount() == len(exceptions)
    value = model.column_index("Value")
    assert model.index(0, value).data(RAW) == pytest.approx(exceptions.value.max())
    assert model.index(0, value).data() == f.fmt_money(exceptions.value.max(), "USD")
    assert view.table.isColumnHidden(0)  # the Baseline has no parent: no "vs parent"
    assert "new" not in view.summary.text()
    # headers and kinds in the planner's words, not the engine's column names and codes
    headers = [model.headerData(c, Qt.Orientation.Horizontal)
               for c in range(1, model.columnCount())]
    assert headers == ["Severity", "Kind", "Part", "Site", "Resource", "From", "Periods",
                       "Quantity", "Value", "Message"]
    top = exceptions.iloc[model.source_row(0)]
    assert model.index(0, model.column_index("Kind")).data() == KIND_LABELS[top.kind]
    assert model.index(0, 1).data() == top.severity.capitalize()

    stock_outs = int((exceptions.kind == "stock_out").sum())
    assert view.kind_filter.itemText(view.kind_filter.findData("stock_out")) == \
        f"Stock-out ({stock_outs:,})"
    view.kind_filter.setCurrentIndex(view.kind_filter.findData("stock_out"))
    assert model.rowCount() == stock_outs
    view.severity_filter.setCurrentText("High")
    assert model.rowCount() == ((exceptions.kind == "stock_out")
                                & (exceptions.severity == "high")).sum()
    view.show_plan(result)  # a new plan keeps the chosen kind
    assert view.kind_filter.currentData() == "stock_out"
    view.kind_filter.setCurrentText("All")
    view.severity_filter.setCurrentText("All")
    view.text_filter.setText("stock-out")  # the kind as shown is searchable
    view.apply_filter()
    assert model.rowCount() >= stock_outs
    view.text_filter.setText("")
    item = exceptions.item_id.iloc[0]
    view.text_filter.setText(item.lower())
    view.apply_filter()
    expected = (exceptions.item_id.str.contains(item, regex=False)
                | exceptions.message.str.contains(item, regex=False))
    assert model.rowCount() == expected.sum()
    assert f"{expected.sum():,} of {len(exceptions):,} exceptions" in view.summary.text()

    index = model.index(0, model.column_index("Kind"))
    rect = view.table.visualRect(index)
    qtbot.mouseClick(view.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    with qtbot.waitSignal(view.sigOpenSku, timeout=2000) as blocker:
        qtbot.mouseDClick(view.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    row = exceptions.iloc[model.source_row(0)]
    assert blocker.args == [row.item_id, row.site_id]


def test_exceptions_new_and_resolved_against_the_parent(qtbot, demo_copy: Workbench) -> None:
    parent = demo_copy.plan()
    ex = parent.exceptions
    in_excess = set(zip(ex.item_id[ex.kind == "excess"], ex.site_id[ex.kind == "excess"],
                        strict=True))
    short = next(e for e in ex[ex.kind == "stock_out"].itertuples()
                 if (e.item_id, e.site_id) not in in_excess)
    demo_copy.fork("Plan B")
    demo_copy.edit_text("skus", {"item_id": short.item_id, "site_id": short.site_id},
                        {"on_hand": "1000000"})
    result = demo_copy.plan()
    view = shown(qtbot, ExceptionsView(demo_copy))
    view.show_plan(result)
    assert not view.table.isColumnHidden(0)
    is_new, resolved = compare_exceptions(result, parent)
    assert resolved >= 1 and view.resolved == resolved
    assert (view.is_new == is_new).all()
    mine = ((result.exceptions.item_id == short.item_id)
            & (result.exceptions.site_id == short.site_id)).to_numpy()
    assert (is_new & mine & (result.exceptions.kind == "excess").to_numpy()).any()
    assert not (mine & (result.exceptions.kind == "stock_out").to_numpy()).any()
    marks = [view.model.index(r, 0).data() for r in range(view.model.rowCount())]
    assert marks.count("new") == int(is_new.sum())
    assert f"{int(is_new.sum()):,} new" in view.summary.text()
    assert f"{resolved:,} resolved" in view.summary.text()
    view.new_only.setChecked(True)
    assert view.model.rowCount() == int(is_new.sum())


def test_exceptions_empty_state(qtbot, tiny: Workbench) -> None:
    result = tiny.plan()
    view = shown(qtbot, ExceptionsView(tiny))
    assert view.pages.currentIndex() == 0
    view.show_plan(dataclasses.replace(result, exceptions=result.exceptions.iloc[:0]))
    assert view.pages.currentIndex() == 0
    assert "No exceptions" in view.empty.text()


# --- SKU detail ----------------------------------------------------------------------------


def test_sku_detail_shows_the_record(qtbot, demo_bench: Workbench) -> None:
    result = demo_bench.plan()
    view = shown(qtbot, SkuDetailView(demo_bench))
    view.show_plan(result)
    assert view.pages.currentIndex() == 0 and "Choose a SKU" in view.empty.text()
    item, site = "SA-AR083G1-DSP", "P1001"
    view.open_sku(item, site)
    i = row_of(result, item, site)
    model = view.model
    assert model.rowCount() == len(ROWS)
    for r, (label, name) in enumerate(ROWS):
        assert model.index(r, 0).data() == label
        for t in (0, 3, 30):
            value = getattr(result.arrays, name)[i, t]
            assert model.index(r, 1 + t).data(RAW) == pytest.approx(value)
            assert model.index(r, 1 + t).data() == quantity_text(r, value)
    assert model.headerData(1, Qt.Orientation.Horizontal) == "23 Nov 2026"
    assert view.chooser.currentText() == f"{item} @ {site}"
    assert view.tree.topLevelItemCount() > 0
    assert view.end_items.text().startswith("Feeds")
    assert not model.flags(model.index(FORECAST_ROW, 2)) & Qt.ItemFlag.ItemIsEditable

    view.show_plan(result)  # a new plan keeps the SKU
    assert view.sku == (item, site) and view.pages.currentIndex() == 1
    view._chosen("TB-AR083G1-256W-SV @ C1001")  # what the chooser does on Return
    assert view.sku == ("TB-AR083G1-256W-SV", "C1001")
    assert "end item" in view.end_items.text()


def test_forecast_edit_writes_the_whole_horizon_once(qtbot, tiny: Workbench) -> None:
    tiny.fork("Plan B")
    before = tiny.plan()
    view = shown(qtbot, SkuDetailView(tiny))
    view.show_plan(before)
    view.open_sku("FG1", "D1")
    i = row_of(before, "FG1", "D1")
    demand = before.arrays.independent_demand[i].copy()
    assert demand.sum() > 0 and tiny.frames(["forecast"])["forecast"].empty
    with qtbot.waitSignal(view.sigMessage) as blocker:
        assert view.model.setData(view.model.index(FORECAST_ROW, 1 + 2), "40")
    assert "forecast of FG1 @ D1" in blocker.args[0]
    forecast = tiny.frames(["forecast"])["forecast"]
    assert len(forecast) == before.horizon
    assert tiny.info().changes == before.horizon
    tiny.undo()  # one undo step takes every row back
    assert tiny.frames(["forecast"])["forecast"].empty
    tiny.redo()
    after = tiny.plan()
    expected = demand.copy()
    expected[2] = 40.0
    np.testing.assert_allclose(after.arrays.independent_demand[i], expected)

    view.show_plan(after)
    assert view.sku == ("FG1", "D1")
    assert view.edit_cell(FORECAST_ROW, 5, "1,500") is None  # rows exist: one row changes
    forecast = tiny.frames(["forecast"])["forecast"]
    assert len(forecast) == before.horizon
    expected[5] = 1500.0
    np.testing.assert_allclose(tiny.plan().arrays.independent_demand[i], expected)
    assert tiny.info().changes == before.horizon + 1


def test_firm_order_becomes_a_scheduled_receipt(qtbot, tiny: Workbench) -> None:
    tiny.fork("Plan B")
    before = tiny.plan()
    view = shown(qtbot, SkuDetailView(tiny))
    view.show_plan(before)
    view.open_sku("RM1", "P1")
    i, t = row_of(before, "RM1", "P1"), 6
    assert view.edit_cell(PLANNED_ROW, t, "300") is None
    orders = tiny.frames(["open_orders"])["open_orders"]
    order_id = firm_order_id("RM1", "P1", before.periods[t])
    assert order_id == f"FIRM-RM1-P1-{before.periods[t]:%Y%m%d}"
    firm = orders[orders.order_id == order_id].iloc[0]
    assert (firm.item_id, firm.site_id, firm.kind, firm.quantity) == ("RM1", "P1", "po", 300.0)
    assert pd.Timestamp(firm.due_period) == before.periods[t]
    after = tiny.plan()
    assert after.arrays.scheduled_receipts[i, t] == pytest.approx(
        before.arrays.scheduled_receipts[i, t] + 300.0)

    view.show_plan(after)
    assert view.sku == ("RM1", "P1")
    assert view.model.index(PLANNED_ROW, 1 + t).data(EDIT) == "300"
    assert view.edit_cell(PLANNED_ROW, t, "0") is None  # 0 deletes the firm order
    orders = tiny.frames(["open_orders"])["open_orders"]
    assert order_id not in set(orders.order_id)
    assert "Nothing to firm" in view.edit_cell(PLANNED_ROW, t, "0")
    view.show_plan(tiny.plan())
    assert view.model.index(PLANNED_ROW, 1 + t).data(RAW) == pytest.approx(
        before.arrays.planned_receipts[i, t])


@pytest.mark.parametrize(("text", "message"), [
    ("abc", "'abc' is not a number"),
    ("-3", "must not be negative"),
])
def test_invalid_cell_text_is_refused(qtbot, tiny: Workbench, text: str, message: str) -> None:
    tiny.fork("Plan B")
    view = shown(qtbot, SkuDetailView(tiny))
    view.show_plan(tiny.plan())
    view.open_sku("FG1", "D1")
    for row in (FORECAST_ROW, PLANNED_ROW):
        with qtbot.waitSignal(view.model.sigEditRefused) as refused, \
                qtbot.waitSignal(view.sigMessage) as said:
            assert not view.model.setData(view.model.index(row, 1 + 3), text)
        assert message in refused.args[2]
        assert said.args[0].startswith("Not changed:") and message in said.args[0]
    assert tiny.info().changes == 0
    assert tiny.frames(["forecast"])["forecast"].empty


def test_read_only_scenario_refuses_edits(qtbot, tiny: Workbench) -> None:
    view = shown(qtbot, SkuDetailView(tiny))
    view.show_plan(tiny.plan())
    view.open_sku("FG1", "D1")
    assert "fork" in view.edit_cell(FORECAST_ROW, 1, "5")
    index = view.model.index(FORECAST_ROW, 2)
    assert not view.model.flags(index) & Qt.ItemFlag.ItemIsEditable
    with qtbot.waitSignal(view.sigMessage) as said:
        view.grid.doubleClicked.emit(index)
    assert "Baseline" in said.args[0] and "fork" in said.args[0]
    assert tiny.frames(["forecast"])["forecast"].empty


def test_approving_locks_the_record(qtbot, tiny: Workbench) -> None:
    tiny.fork("Plan B")
    view = shown(qtbot, SkuDetailView(tiny))
    view.show_plan(tiny.plan())
    view.open_sku("FG1", "D1")
    index = view.model.index(FORECAST_ROW, 2)
    assert view.model.flags(index) & Qt.ItemFlag.ItemIsEditable
    tiny.approve()  # no new plan: the status change alone locks the cells
    assert not view.model.flags(index) & Qt.ItemFlag.ItemIsEditable
    assert "approved" in view.edit_cell(FORECAST_ROW, 1, "5")
    assert "fork it" in view.info.text()


# --- the array table model -----------------------------------------------------------------


def test_columns_model_sorts_filters_and_formats(qapp) -> None:
    from app.views.tab_models import ColumnsModel, TableColumn

    model = ColumnsModel()
    model.set_columns([
        TableColumn("name", np.array(["b", "A", "c", "d"], dtype=object)),
        TableColumn("value", np.array([2.0, np.nan, 1234.5, 7.0]), "money"),
        TableColumn("when", np.array(["2027-01-04", "2026-12-28", "2027-01-11", "x"],
                                     dtype=object), sort_key=np.array([1, 0, 2, 3])),
    ], "EUR")
    assert model.index(2, 1).data() == "€1,234" and model.index(1, 1).data() == f.MISSING
    model.sort(1, Qt.SortOrder.DescendingOrder)
    assert [model.index(r, 0).data() for r in range(4)] == ["c", "d", "b", "A"]  # NaN last
    model.sort(0, Qt.SortOrder.AscendingOrder)
    assert [model.index(r, 0).data() for r in range(4)] == ["A", "b", "c", "d"]
    model.sort(2, Qt.SortOrder.DescendingOrder)
    assert [model.index(r, 0).data() for r in range(4)] == ["d", "c", "b", "A"]
    model.set_subset(np.array([0, 2]))
    assert [model.index(r, 0).data() for r in range(2)] == ["c", "b"]  # still sorted
    assert model.index(0, 1).data(RAW) == 1234.5 and model.source_row(0) == 2


def test_writing_the_current_forecast_changes_nothing_else(tiny: Workbench) -> None:
    from app.views.sku_detail import forecast_changes

    tiny.fork("Plan B")
    before = tiny.plan()
    i = row_of(before, "FG1", "D1")
    same = float(before.arrays.independent_demand[i, 2])
    tiny.edit(forecast_changes(before, tiny.frames(["forecast"])["forecast"], i, 2, same))
    after = tiny.plan()
    assert after.skus.demand_source.iloc[i] == "forecast"
    for name in ("independent_demand", "safety_stock", "planned_receipts", "projected_on_hand"):
        np.testing.assert_allclose(getattr(after.arrays, name), getattr(before.arrays, name))
    assert after.kpis == pytest.approx(before.kpis, nan_ok=True)
