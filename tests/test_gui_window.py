"""The workbench GUI end to end: planning workbook, scorecard, recompute off-thread, clipboard,
menus, settings. pytest-qt, offscreen."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QRunnable, QSettings, Qt
from PySide6.QtGui import QContextMenuEvent, QGuiApplication
from PySide6.QtWidgets import QInputDialog, QMenu, QToolBar

from app.models.store import Store
from app.views.main_window import MainWindow
from app.views.recompute import TaskCancelled
from app.views.settings import AppSettings
from app.workbench import Workbench

DISPLAY = Qt.ItemDataRole.DisplayRole
RM1 = {"item_id": "RM1", "site_id": "P1"}
WIP1 = {"item_id": "WIP1", "site_id": "P1"}
FG1_D1 = {"item_id": "FG1", "site_id": "D1"}


@pytest.fixture(autouse=True)
def _own_settings(tmp_path: Path) -> None:
    """Settings made by the app's default (user scope) go to the test's folder."""
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope,
                      str(tmp_path / "user-settings"))


def _demo_file(folder: Path, skus: int) -> Path:
    from app.models.demo import generate_demo

    path = folder / "demo.echelon"
    with Store.create(path) as store:
        store.import_baseline(generate_demo(skus=skus))
    return path


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo company in a workspace file, made once for the module (copied per test)."""
    return _demo_file(tmp_path_factory.mktemp("demo"), 450)


@pytest.fixture(scope="module")
def small_demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo generator at 150 SKUs (every feature, a third of the recompute time)."""
    return _demo_file(tmp_path_factory.mktemp("small_demo"), 150)


def open_window(qtbot, path: Path, **kw: object) -> MainWindow:
    workbench = Workbench.open_file(path)
    kw.setdefault("threshold_ms", float("inf"))
    win = MainWindow(workbench, **kw)
    qtbot.addWidget(win)
    win.show()
    return win


@pytest.fixture
def window(qtbot, tmp_workspace: Path) -> MainWindow:
    win = open_window(qtbot, tmp_workspace)
    yield win
    win.shutdown()
    win.workbench.close()


def _window_on_copy(qtbot, source: Path, folder: Path) -> MainWindow:
    path = folder / "demo.echelon"
    shutil.copy(source, path)
    return open_window(qtbot, path)


@pytest.fixture
def demo_window(qtbot, demo_file: Path, tmp_path: Path) -> MainWindow:
    win = _window_on_copy(qtbot, demo_file, tmp_path)
    yield win
    win.shutdown()
    win.workbench.close()


@pytest.fixture
def small_demo_window(qtbot, small_demo_file: Path, tmp_path: Path) -> MainWindow:
    win = _window_on_copy(qtbot, small_demo_file, tmp_path)
    yield win
    win.shutdown()
    win.workbench.close()


def fork(window: MainWindow, monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **kw: (name, True))
    window.actions_by_name["actionFork"].trigger()


def edit(window: MainWindow, key: dict[str, str], column: str, text: str) -> bool:
    index = window.workbook.select_cell(key, column)
    assert index.isValid(), (key, column)
    return window.workbook.model.setData(index, text)


def shown(window: MainWindow, key: dict[str, str], column: str,
          role: Qt.ItemDataRole = DISPLAY) -> object:
    return window.workbook.select_cell(key, column).data(role)


def headers(window: MainWindow) -> list[str]:
    model = window.workbook.planning_model
    return [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]


def scorecard_column(window: MainWindow, title: str) -> int:
    model = window.scorecard.model
    titles = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    return titles.index(title)


# --- the demo ------------------------------------------------------------------------------


def test_demo_opens_on_the_planning_workbook(demo_window: MainWindow) -> None:
    win = demo_window
    n = len(win.workbench.frames(["skus"])["skus"])
    assert win.workbook.row_count.text() == f"{n:,} SKUs"
    assert f"Recomputed {n:,} SKUs in" in win.summary.text()
    titles = headers(win)
    for title in ("Part", "Site", "End items", "Description", "Responsible", "Type",
                  "Part class", "ABC/XYZ", "SS model", "Current SS", "Service target",
                  "Projected service", "Lead time", "Lot policy", "On hand",
                  "Periods of supply"):
        assert title in titles, title
    assert titles[:2] == ["Part", "Site"]
    grid = win.workbook.planning_grid
    frozen = [c for c in range(len(titles)) if not grid.frozen_view.isColumnHidden(c)]
    assert frozen == [0, 1]
    # hidden-by-default columns are hidden, the rest shown
    assert grid.isColumnHidden(titles.index("Category"))
    assert not grid.isColumnHidden(titles.index("On hand"))
    # numbers are readable: thousands separators, percent
    service = shown(win, {"item_id": win.latest_plan.skus.item_id.iloc[0],
                          "site_id": win.latest_plan.skus.site_id.iloc[0]}, "service_target")
    assert service.endswith("%")


def test_edit_safety_stock_moves_the_scorecard(small_demo_window: MainWindow, qtbot,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    win = small_demo_window
    fork(win, monkeypatch, "More stock")
    skus = win.latest_plan.skus
    row = skus[skus.part_class == "FG"].iloc[0]
    key = {"item_id": row.item_id, "site_id": row.site_id}
    status_before = win.summary.text()
    assert edit(win, key, "ss_model", "fixed")
    assert edit(win, key, "ss_qty", "5000")
    assert shown(win, key, "ss_qty") == "5,000"
    assert win.workbench.info().changes == 2
    assert "More stock · draft · Recomputed" in win.summary.text()
    assert win.summary.text() != status_before or "Recomputed" in status_before
    assert win.latest_plan is win.workbench.cached_plan()

    win.show_tab("scorecard")
    qtbot.waitUntil(lambda: not win.scorecard.busy, timeout=30_000)
    model = win.scorecard.model
    assert model.names == ["Baseline", "More stock"]
    assert model.reference == "Baseline"
    assert model.delta("safety_stock_value", "More stock") > 0
    column = scorecard_column(win, "More stock") + 1  # its delta column
    delta = model.index(model.row_of("average_inventory_value"), column)
    assert delta.data(DISPLAY).startswith("+$")
    assert delta.data(Qt.ItemDataRole.UserRole) == "worse"  # more inventory costs money
    assert delta.data(Qt.ItemDataRole.BackgroundRole) is not None
    assert "Baseline" in win.scorecard.reference_label.text()
    # the overlay chart draws one line per scenario; the changes list names the edits
    assert len(win.scorecard.chart.getPlotItem().listDataItems()) == 2
    changes = win.scorecard.changes_model
    assert changes.item(0).rowCount() == 2
    assert "ss_qty=5000" in changes.item(0).child(1).text()


# --- the tiny company: editing in the planning workbook ------------------------------------


def test_edit_marks_the_cell_and_undo_restores_it(window: MainWindow,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    fork(window, monkeypatch, "Plan B")
    assert shown(window, RM1, "lead_time", Qt.ItemDataRole.BackgroundRole) is None
    assert edit(window, RM1, "lead_time", "6")
    assert shown(window, RM1, "lead_time") == "6"
    assert shown(window, RM1, "lead_time", Qt.ItemDataRole.ToolTipRole) == "was 4 in Baseline"
    assert shown(window, RM1, "lead_time", Qt.ItemDataRole.BackgroundRole) is not None
    assert shown(window, RM1, "on_hand", Qt.ItemDataRole.BackgroundRole) is None
    # an item column edits the items table (every SKU of the item)
    assert edit(window, RM1, "description", "Cover glass")
    with Store.open(window.workbench.path) as store:
        items = store.read("Plan B", ["items"])["items"]
    assert items.set_index("item_id").description["RM1"] == "Cover glass"
    # a percent can be typed as a percent
    assert edit(window, RM1, "service_target", "97%")
    assert shown(window, RM1, "service_target") == "97.0%"
    assert shown(window, RM1, "service_target", Qt.ItemDataRole.EditRole) == "0.97"

    for _ in range(3):
        window.actions_by_name["actionUndo"].trigger()
    assert shown(window, RM1, "lead_time") == "4"
    assert shown(window, RM1, "lead_time", Qt.ItemDataRole.BackgroundRole) is None
    assert window.workbench.info().changes == 0


def test_outcome_columns_are_read_only(window: MainWindow,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    fork(window, monkeypatch, "Plan B")
    for column in ("projected_service", "periods_of_supply", "item_id"):
        index = window.workbook.select_cell(RM1, column)
        assert not index.flags() & Qt.ItemFlag.ItemIsEditable, column
    assert window.workbook.select_cell(RM1, "lead_time").flags() & Qt.ItemFlag.ItemIsEditable


def test_invalid_input_is_refused_with_nothing_changed(window: MainWindow,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    fork(window, monkeypatch, "Plan B")
    assert not edit(window, RM1, "lead_time", "abc")
    assert "'abc' is not a number" in window.statusBar().currentMessage()
    assert not edit(window, RM1, "order_policy", "sometimes")
    assert shown(window, RM1, "lead_time") == "4"
    assert window.workbench.info().changes == 0


def test_copy_paste_round_trip_is_one_undo_step(window: MainWindow,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    fork(window, monkeypatch, "Plan B")
    workbook = window.workbook
    workbook.set_column_shown("lot_size", True)
    grid = workbook.grid
    selection = grid.selectionModel()
    # copy lead time .. lot size of RM1
    first = workbook.select_cell(RM1, "lead_time")
    last = workbook.select_cell(RM1, "lot_size")
    selection.clearSelection()
    for column in range(first.column(), last.column() + 1):
        selection.select(first.siblingAtColumn(column),
                         selection.SelectionFlag.Select)
    text = workbook.copy()
    assert text == "4\tpoq\t\n"
    assert QGuiApplication.clipboard().text() == text
    # paste onto WIP1, changed in the spreadsheet first: one step, both cells
    target = workbook.select_cell(WIP1, "lead_time")
    selection.select(target, selection.SelectionFlag.ClearAndSelect)
    assert workbook.paste("3\teoq\t\n")
    assert shown(window, WIP1, "lead_time") == "3"
    assert shown(window, WIP1, "order_policy") == "eoq"
    assert shown(window, WIP1, "lot_size") == ""
    assert window.workbench.info().changes == 1
    window.actions_by_name["actionUndo"].trigger()
    assert shown(window, WIP1, "lead_time") == "1"
    assert shown(window, WIP1, "order_policy") == "fixed"
    assert shown(window, WIP1, "lot_size") == "50"


def test_bad_paste_is_refused_whole(window: MainWindow, monkeypatch: pytest.MonkeyPatch) -> None:
    fork(window, monkeypatch, "Plan B")
    workbook = window.workbook
    selection = workbook.grid.selectionModel()
    target = workbook.select_cell(RM1, "lead_time")
    selection.select(target, selection.SelectionFlag.ClearAndSelect)
    # the first cell is good, the second bad, the third outside the grid: nothing applies
    assert not workbook.paste("7\tsometimes\n-2\tpoq\n9\tpoq\n")
    assert window.workbench.info().changes == 0
    assert shown(window, RM1, "lead_time") == "4"
    dialog = window.problems_dialog
    assert dialog is not None and dialog.isVisible()
    text = dialog.text.toPlainText()
    assert "sometimes" in text and "must not be negative" in text
    # a read-only column refuses too
    outcome = workbook.select_cell(RM1, "projected_service")
    selection.select(outcome, selection.SelectionFlag.ClearAndSelect)
    assert not workbook.paste("0.5")
    assert "read-only" in window.problems_dialog.text.toPlainText()
    assert window.workbench.info().changes == 0


def test_one_cell_fills_the_selection(window: MainWindow,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    fork(window, monkeypatch, "Plan B")
    workbook = window.workbook
    selection = workbook.grid.selectionModel()
    selection.clearSelection()
    for key in (RM1, WIP1):
        selection.select(workbook.cell_index(key, "on_hand"), selection.SelectionFlag.Select)
    assert workbook.paste("77")
    assert shown(window, RM1, "on_hand") == "77" and shown(window, WIP1, "on_hand") == "77"
    window.actions_by_name["actionUndo"].trigger()  # one step takes both back
    assert shown(window, RM1, "on_hand") == "100" and shown(window, WIP1, "on_hand") == "5"


def test_clearing_cells_restores_defaults(window: MainWindow,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    fork(window, monkeypatch, "Plan B")
    workbook = window.workbook
    selection = workbook.grid.selectionModel()
    selection.select(workbook.cell_index(FG1_D1, "ss_qty"), selection.SelectionFlag.ClearAndSelect)
    window.actions_by_name["actionClear"].trigger()
    assert shown(window, FG1_D1, "ss_qty") == ""
    assert shown(window, FG1_D1, "ss_qty", Qt.ItemDataRole.ToolTipRole) == "was 10 in Baseline"
    # a required field cannot be emptied: refused, nothing changed
    selection.select(workbook.cell_index(FG1_D1, "supply_type"),
                     selection.SelectionFlag.ClearAndSelect)
    assert not workbook.clear_cells()
    assert "supply_type is required" in window.problems_dialog.text.toPlainText()
    assert shown(window, FG1_D1, "supply_type") == "transfer"


def test_paste_into_the_baseline_is_refused(window: MainWindow) -> None:
    selection = window.workbook.grid.selectionModel()
    selection.select(window.workbook.select_cell(RM1, "lead_time"),
                     selection.SelectionFlag.ClearAndSelect)
    assert not window.workbook.paste("9")
    assert "read-only" in window.statusBar().currentMessage()


def test_filter_sort_and_column_filter(window: MainWindow, qtbot) -> None:
    workbook = window.workbook
    qtbot.keyClicks(workbook.filter_box, "glass")
    qtbot.waitUntil(lambda: workbook.row_count.text() == "1 of 5 SKUs")
    workbook.filter_box.clear()
    qtbot.waitUntil(lambda: workbook.row_count.text() == "5 SKUs")
    window.filter_workbook("part_class", "FG")
    assert workbook.row_count.text() == "2 of 5 SKUs"
    assert workbook.column_filter_chip.isVisibleTo(workbook)
    workbook.column_filter_chip.click()
    assert workbook.row_count.text() == "5 SKUs"
    on_hand = workbook.planning_model.column_names().index("on_hand")
    workbook.planning_model.sort(on_hand, Qt.SortOrder.DescendingOrder)
    assert workbook.planning_model.index(0, 0).data(DISPLAY) == "RM2"


def test_raw_tables_stay_editable(window: MainWindow, monkeypatch: pytest.MonkeyPatch) -> None:
    fork(window, monkeypatch, "Plan B")
    window.workbook.table_chooser.setCurrentText("bom")
    key = {"site_id": "P1", "parent_item": "FG1", "component_item": "RM2"}
    assert edit(window, key, "qty_per", "5")
    assert shown(window, key, "qty_per") == "5"
    window.workbook.table_chooser.setCurrentText("SKU planning")
    assert window.workbook.row_count.text() == "5 SKUs"


# --- recompute off the GUI thread ----------------------------------------------------------


def test_rapid_edits_coalesce_off_the_gui_thread(qtbot, tmp_workspace: Path) -> None:
    win = open_window(qtbot, tmp_workspace, threshold_ms=0.0)
    try:
        qtbot.waitUntil(lambda: win.latest_plan is not None, timeout=10_000)
        wb = win.workbench
        wb.fork("Fast")
        qtbot.waitUntil(lambda: not win.recomputer.busy, timeout=10_000)
        runs = win.recomputer.threaded_runs
        for value in ("5", "6", "7", "8", "9"):  # no event loop turn in between
            wb.edit_text("skus", RM1, {"lead_time": value})
        assert win.recomputer.busy
        qtbot.waitUntil(lambda: not win.recomputer.busy, timeout=10_000)
        # one job for the first edit, one for the last: the three between never planned
        assert win.recomputer.threaded_runs - runs <= 2
        final = win.latest_plan
        assert final is wb.cached_plan()
        skus = final.skus.set_index(["item_id", "site_id"])
        assert skus.loc[("RM1", "P1"), "lead_time"] == 9.0
        assert "Recomputed 5 SKUs in" in win.summary.text()
        assert shown(win, RM1, "lead_time") == "9"
    finally:
        win.shutdown()
        win.workbench.close()


def test_an_edit_shows_in_the_grid_before_a_slow_plan_arrives(qtbot, tmp_workspace: Path
                                                              ) -> None:
    win = open_window(qtbot, tmp_workspace, threshold_ms=0.0)
    release = threading.Event()
    try:
        qtbot.waitUntil(lambda: win.latest_plan is not None, timeout=10_000)
        win.workbench.fork("Slow")
        qtbot.waitUntil(lambda: not win.recomputer.busy, timeout=10_000)
        index = win.workbook.select_cell(RM1, "lead_time")
        # hold the worker: the plan of the edit queues behind this
        win.recomputer.pool.start(QRunnable.create(lambda: release.wait(10)))
        assert win.workbook.model.setData(index, "11")
        model = win.workbook.planning_model
        row = model.find_row({"item_id": "RM1", "site_id": "P1"})
        column = model.column_names().index("lead_time")
        # the event loop turns (no flush(): as painted) while the plan still waits
        qtbot.waitUntil(lambda: model.index(row, column).data(DISPLAY) == "11",
                        timeout=5_000)
        assert win.recomputer.busy
        assert model.stale  # the outcomes are the older plan's, greyed
        release.set()
        qtbot.waitUntil(lambda: not win.recomputer.busy, timeout=10_000)
        assert not model.stale
    finally:
        release.set()
        win.shutdown()
        win.workbench.close()


def test_a_long_plan_shows_its_progress_and_can_stop_its_search(qtbot, tmp_workspace: Path,
                                                               monkeypatch) -> None:
    """A plan still running after a moment shows a progress bar whose button stops the
    multi-echelon search; the plan then arrives (with the best solution found so far)."""
    from app.workbench import PlanJob

    win = open_window(qtbot, tmp_workspace, threshold_ms=0.0)
    try:
        qtbot.waitUntil(lambda: win.latest_plan is not None, timeout=10_000)
        run = PlanJob.run
        asked: list[bool] = []

        def searching(job, progress=None, should_stop=None):  # a search that waits for a stop
            while not should_stop():
                progress(0.3)
                threading.Event().wait(0.02)
            asked.append(True)
            return run(job, progress, should_stop)

        monkeypatch.setattr(PlanJob, "run", searching)
        win.workbench.fork("Long")
        panel = win.progress
        qtbot.waitUntil(panel.isVisible, timeout=5_000)
        assert panel.cancel_button.text() == "Stop search"
        assert "Planning Long" in panel.label.text()
        qtbot.waitUntil(lambda: panel.bar.value() == 300, timeout=5_000)
        panel.cancel_button.click()
        qtbot.waitUntil(lambda: not win.recomputer.busy, timeout=10_000)
        assert asked and not panel.isVisible()
        assert win.latest_plan is win.workbench.cached_plan()
    finally:
        win.shutdown()
        win.workbench.close()


# --- menus, scenario tree, files -----------------------------------------------------------


def test_approve_and_export_the_chosen_scenario(window: MainWindow, tmp_path: Path, qtbot,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    fork(window, monkeypatch, "Plan B")
    assert edit(window, RM1, "lead_time", "6")
    window.actions_by_name["actionApprove"].trigger()
    assert window.workbench.info().status == "approved"
    window.scenario_tree.select_scenario("Baseline")
    fork(window, monkeypatch, "Plan C")
    assert window.files.export_choices()[0] == ("Plan B", "Plan B (approved)")
    out = tmp_path / "out"
    assert window.files.export_to(out, "Plan B")
    skus = (out / "skus.csv").read_text()
    assert "RM1,P1,buy,,6" in skus
    for name in ("projection.csv", "planned_orders.csv", "kpis.csv", "exceptions.csv",
                 "plan_skus.csv"):
        assert (out / name).exists(), name
    # the scorecard now compares with the approved scenario
    window.show_tab("scorecard")
    qtbot.waitUntil(lambda: not window.scorecard.busy, timeout=30_000)
    assert window.scorecard.model.reference == "Plan B"
    assert "approved" in window.scorecard.reference_label.text()


def test_scenario_tree_context_menu(window: MainWindow, monkeypatch: pytest.MonkeyPatch) -> None:
    fork(window, monkeypatch, "Plan B")
    window.scenario_tree.select_scenario("Baseline")
    tree = window.scenario_tree
    rect = tree.visualRect(tree.scenario_model.index_of("Plan B"))
    monkeypatch.setattr(QMenu, "popup", lambda self, *a: None)
    event = QContextMenuEvent(QContextMenuEvent.Reason.Mouse, rect.center(),
                              tree.viewport().mapToGlobal(rect.center()))
    tree.contextMenuEvent(event)
    assert window.workbench.current == "Plan B"
    texts = [a.text() for a in tree.context_menu.actions() if a.text()]
    assert texts[:2] == ["&Fork…", "&Rename…"] and "&Approve" in texts
    status = tree.scenario_model.index_of("Plan B").siblingAtColumn(1)
    assert status.data(DISPLAY) == "draft"


def test_cancelled_import_writes_nothing(window: MainWindow, tmp_path: Path,
                                         tiny_frames: dict) -> None:
    from app.models.csv_io import write_folder

    folder = tmp_path / "good"
    write_folder(tiny_frames, folder)
    target = tmp_path / "never.echelon"
    task = window.files.start_import(folder, target)
    assert window.progress.isVisibleTo(window)
    window.progress.cancel()
    outcome = window.wait_for(task)
    assert isinstance(outcome, TaskCancelled)
    assert not target.exists()
    assert window.workbench.path.name == "tiny.echelon"
    assert not window.progress.isVisibleTo(window)


def test_new_demo_workspace_and_recent_files(window: MainWindow, tmp_path: Path) -> None:
    target = tmp_path / "fresh.echelon"
    window.wait_for(window.files.start_demo(target, skus=60))
    assert window.workbench.path == target
    assert window.settings.recent_files()[0] == target.resolve()
    window.recent_menu.aboutToShow.emit()
    assert target.name in window.recent_menu.actions()[0].text()


def test_file_open_asks_for_a_workspace_and_a_cancel_changes_nothing(
        window: MainWindow, tmp_path: Path, tiny_frames: dict, monkeypatch) -> None:
    from PySide6.QtWidgets import QFileDialog

    other = tmp_path / "other" / "second.echelon"
    other.parent.mkdir()
    with Store.create(other) as store:
        store.import_baseline(tiny_frames)
    asked: list[str] = []

    def pick(answer: str):
        def dialog(_parent, title, folder, _filters):
            asked.append(f"{title} in {Path(folder).name}")
            return answer, ""
        return dialog

    monkeypatch.setattr(QFileDialog, "getOpenFileName", pick(""))  # cancelled
    window.actions_by_name["actionOpen"].trigger()
    assert window.workbench.path.name == "tiny.echelon"
    monkeypatch.setattr(QFileDialog, "getOpenFileName", pick(str(other)))
    window.actions_by_name["actionOpen"].trigger()
    assert window.workbench.path == other
    # the dialog starts beside the open workspace
    assert asked == [f"Open workspace in {tmp_path.name}", f"Open workspace in {tmp_path.name}"]


def test_settings_are_restored(qtbot, tmp_workspace: Path, tmp_path: Path) -> None:
    ini = tmp_path / "settings.ini"
    first = open_window(qtbot, tmp_workspace, settings=AppSettings.at(ini))
    first.settings.opened(tmp_workspace)
    first.workbook.set_column_shown("on_hand", False)
    first.scorecard.model.set_weights({"total_cost": 5.0})
    first.findChild(QToolBar, "mainToolbar").hide()
    first.close()
    first.workbench.close()

    settings = AppSettings.at(ini)
    assert settings.last_workspace() == tmp_workspace.resolve()
    assert settings.recent_files() == [tmp_workspace.resolve()]
    second = open_window(qtbot, tmp_workspace, settings=settings)
    try:
        assert settings.restore_window(second)
        # the layout (here: the hidden toolbar) comes back; the offscreen screen is too
        # small to check the size, which Qt fits to the screen
        assert not second.findChild(QToolBar, "mainToolbar").isVisible()
        assert "on_hand" in second.workbook.hidden_columns()
        column = second.workbook.planning_model.column_names().index("on_hand")
        assert second.workbook.planning_grid.isColumnHidden(column)
        assert second.scorecard.model.weights["total_cost"] == 5.0
    finally:
        second.shutdown()
        second.workbench.close()


def test_help_and_find(window: MainWindow) -> None:
    dialog = window.data_format()
    html = dialog.browser.toPlainText()
    assert "skus.csv" in html and "service_target" in html
    dialog.close()
    window.show_tab("scorecard")
    window.actions_by_name["actionFind"].trigger()
    assert window.tabs.currentWidget() is window.workbook


def test_plan_tabs_get_the_plan_when_shown(window: MainWindow) -> None:
    seen: list[object] = []
    assert not window.is_built("drp")  # made when first needed
    monkey_tab = window.drp
    original = monkey_tab.show_plan
    monkey_tab.show_plan = lambda result: (seen.append(result), original(result))  # type: ignore
    window.show_tab("drp")
    assert seen == [window.latest_plan]
    window.tabs.setCurrentWidget(window.workbook)
    window.show_tab("drp")
    assert len(seen) == 1  # the same plan is not shown twice


def test_scorecard_weights_rank_scenarios(window: MainWindow, qtbot,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    fork(window, monkeypatch, "Plan B")
    assert edit(window, FG1_D1, "ss_qty", "400")
    window.show_tab("scorecard")
    qtbot.waitUntil(lambda: not window.scorecard.busy, timeout=30_000)
    model = window.scorecard.model
    weight_col = 1
    for kpi in model.kpis:  # only inventory value counts
        model.setData(model.index(model.row_of(kpi.name), weight_col), "0")
    row = model.row_of("average_inventory_value")
    assert model.setData(model.index(row, weight_col), "1")
    assert not model.setData(model.index(row, weight_col), "-1")
    assert model.rank == [1, 2]  # Baseline holds less stock
    assert model.scores[0] == 0.0 and model.scores[1] < 0
    plan_b = scorecard_column(window, "Plan B")
    assert model.index(0, plan_b).data(DISPLAY).startswith("-")  # the score row, in %
    assert model.index(1, plan_b).data(DISPLAY) == "#2"  # the rank row
    assert np.isfinite(model.scores).all()


def test_context_menu_point_is_global(window: MainWindow) -> None:
    """The header context menu of the planning grid offers every non-key column."""
    workbook = window.workbook
    workbook._fill_columns_menu()
    titles = [a.text() for a in workbook.columns_menu.actions() if a.isCheckable()]
    assert "Part" not in titles and "Lead time" in titles and "Category" in titles
    category = next(a for a in workbook.columns_menu.actions() if a.text() == "Category")
    category.setChecked(True)
    column = workbook.planning_model.column_names().index("category")
    assert not workbook.planning_grid.isColumnHidden(column)
    workbook.planning_grid.sigHeaderMenu.emit(QPoint(0, 0))
    workbook.columns_menu.close()


def test_the_parent_plan_comes_off_the_gui_thread(qtbot, tmp_workspace: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """In a fork the tabs compare with the parent's plan; the window computes it on its
    worker (never the GUI thread) and shows the visible tab again when it arrives."""
    win = open_window(qtbot, tmp_workspace, threshold_ms=0.0)  # every plan on the worker
    try:
        wb = win.workbench
        qtbot.waitUntil(lambda: win.latest_plan is not None, timeout=20_000)
        wb.fork("Plan B")
        wb.select("Plan B")
        wb._cache.pop("Baseline", None)  # as on opening a workspace straight into a fork
        gui_thread_plans: list[str] = []
        planned_here = wb.plan
        monkeypatch.setattr(wb, "plan", lambda name=None: (gui_thread_plans.append(
            name or wb.current), planned_here(name))[1])
        win.show_tab("dashboard")
        win.recomputer.request()
        qtbot.waitUntil(lambda: wb.cached_plan("Baseline") is not None, timeout=20_000)
        qtbot.waitUntil(lambda: "same as Baseline" in win.dashboard.tiles[
            "average_inventory_value"].context.text(), timeout=20_000)
        assert gui_thread_plans == []
    finally:
        win.shutdown()
        win.workbench.close()
