"""The first desktop window: frame model, workbook grid, scenario tree, menus, start-up."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from PySide6.QtCore import QModelIndex, QSettings, Qt, QTimer
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication, QInputDialog, QLineEdit, QMessageBox

from app.models.contract import TABLES_BY_NAME
from app.models.csv_io import write_folder
from app.models.store import Store
from app.views import app as app_module
from app.views import frame_model
from app.views.frame_model import FrameModel, make_column
from app.views.main_window import MainWindow
from app.views.planning_model import build_grid
from app.views.settings import AppSettings
from app.workbench import Workbench

DISPLAY = Qt.ItemDataRole.DisplayRole


@pytest.fixture(autouse=True)
def _own_settings(tmp_path: Path) -> None:
    """Settings made by the app's default (user scope) go to the test's folder."""
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope,
                      str(tmp_path / "user-settings"))
RM1 = {"item_id": "RM1", "site_id": "P1"}


def cell(model: FrameModel, row: int, column: str) -> str:
    return model.index(row, model.column_names().index(column)).data(DISPLAY)


def column_texts(model: FrameModel, column: str) -> list[str]:
    return [cell(model, r, column) for r in range(model.rowCount())]


@pytest.fixture
def window(qtbot, tmp_workspace: Path) -> MainWindow:
    """The window on the tiny workspace; every recompute on the GUI thread (deterministic)."""
    workbench = Workbench.open_file(tmp_workspace)
    win = MainWindow(workbench, threshold_ms=float("inf"))
    qtbot.addWidget(win)
    win.show()
    yield win
    win.shutdown()
    workbench.close()


def grid_text(win: MainWindow, key: dict[str, str], column: str) -> str:
    return win.workbook.select_cell(key, column).data(DISPLAY)


def stored_lead_time(path: Path, scenario: str) -> float:
    with Store.open(path) as store:
        skus = store.read(scenario, ["skus"])["skus"]
    return float(skus[(skus.item_id == "RM1") & (skus.site_id == "P1")].lead_time.iloc[0])


# --- the frame model on its own ------------------------------------------------------------


def test_emitting_signals_keeps_python_objects_alive(qapp) -> None:
    """PySide6 6.12.0 dropped a reference to True on every ``emit``: a long task's progress
    reports (thousands) then crashed the app ("deallocating True or False"). The project
    pins a PySide6 without it; this keeps the pin honest."""
    from PySide6.QtCore import QObject, Signal

    class Reporter(QObject):
        progress = Signal(float)

    reporter, heard = Reporter(), []
    reporter.progress.connect(heard.append)
    before = sys.getrefcount(True)
    for i in range(2000):
        reporter.progress.emit(i / 2000)
    assert len(heard) == 2000
    assert sys.getrefcount(True) >= before - 10


def test_model_serves_text_for_known_cells(qapp, tiny_frames: dict) -> None:
    model = FrameModel()
    model.set_frame(tiny_frames["skus"], TABLES_BY_NAME["skus"])
    assert (model.rowCount(), model.columnCount()) == (5, 18)
    assert model.headerData(6, Qt.Orientation.Horizontal, DISPLAY) == "on_hand"
    assert column_texts(model, "on_hand") == ["10", "25", "5", "100", "1,000"]
    assert column_texts(model, "source_site") == ["", "P1", "", "", ""]
    assert column_texts(model, "service_target")[0] == "0.95"
    number = model.index(0, 6).data(Qt.ItemDataRole.TextAlignmentRole)
    assert number & Qt.AlignmentFlag.AlignRight
    assert model.index(0, 6).data(Qt.ItemDataRole.EditRole) == "10"

    model.set_frame(tiny_frames["items"], TABLES_BY_NAME["items"])
    assert column_texts(model, "unit_cost") == ["120.00", "40.00", "7.50", "2.25"]
    model.set_frame(tiny_frames["lots"], TABLES_BY_NAME["lots"])
    assert column_texts(model, "expiry_date") == ["2026-02-02", "2026-06-01"]
    big = pd.DataFrame({"x": [1234567.5, np.nan]})
    model.set_frame(big)
    assert column_texts(model, "x") == ["1,234,567.5", ""]


def test_new_values_announce_only_the_cells_that_changed(qapp, tiny_frames: dict,
                                                         monkeypatch) -> None:
    """After new values with the rows kept, the model announces the changed cells alone,
    stretch by stretch of a row (Qt then repaints those cells, not the whole grid); a whole
    column when every cell may look different (other decimals, restyled)."""
    skus = tiny_frames["skus"]
    table = TABLES_BY_NAME["skus"]
    model = FrameModel()
    model.set_frame(skus, table)
    model.sort(model.column_names().index("on_hand"), Qt.SortOrder.DescendingOrder)
    names = model.column_names()
    on_hand, lead = names.index("on_hand"), names.index("lead_time")
    announced: list[tuple[int, int, int, int]] = []
    model.dataChanged.connect(lambda a, b, *_: announced.append(
        (a.row(), b.row(), a.column(), b.column())))

    def show(frame: pd.DataFrame, **restyled) -> None:
        announced.clear()
        columns = [make_column(c, table.column(c).kind, frame[c]) for c in frame.columns]
        model.set_columns(columns, table, changed=range(len(columns)),
                          restyled={names.index(c): rows for c, rows in restyled.items()})

    edited = skus.copy()
    edited.loc[1, ["on_hand", "lead_time"]] = [26.0, edited.loc[1, "lead_time"] + 1]
    show(edited)
    row = column_texts(model, "on_hand").index("26")  # frame row 1, where it is shown
    first, last = sorted((on_hand, lead))
    assert announced == ([(row, row, first, last)] if last == first + 1
                         else [(row, row, first, first), (row, row, last, last)])
    show(edited)  # the same values again: nothing to repaint
    assert announced == []
    decimals = edited.copy()
    decimals.loc[2, "on_hand"] = 5.5  # every on_hand cell now shows one decimal
    show(decimals)
    assert announced == [(0, 4, on_hand, on_hand)]
    marked = np.zeros(len(skus), dtype=bool)
    marked[3] = True  # the change mark of frame row 3 came or went
    show(decimals, lead_time=marked)
    row = column_texts(model, "on_hand").index(f"{skus.loc[3, 'on_hand']:,.1f}")
    assert announced == [(row, row, lead, lead)]
    show(decimals, lead_time=None)  # every cell restyled: the whole column
    assert announced == [(0, 4, lead, lead)]
    monkeypatch.setattr(frame_model, "MAX_CELL_RUNS", 1)
    scattered = decimals.copy()
    scattered.loc[[0, 4], "on_hand"] += 1.0  # two stretches, more than one: whole columns
    show(scattered)
    assert announced == [(0, 4, on_hand, on_hand)]


def test_model_is_read_only_without_callback(qapp, tiny_frames: dict) -> None:
    model = FrameModel()
    model.set_frame(tiny_frames["skus"], TABLES_BY_NAME["skus"])
    assert not model.flags(model.index(0, 6)) & Qt.ItemFlag.ItemIsEditable
    assert not model.setData(model.index(0, 6), "3")
    model.on_edit = lambda key, column, text: None
    assert model.flags(model.index(0, 6)) & Qt.ItemFlag.ItemIsEditable
    assert not model.flags(model.index(0, 0)) & Qt.ItemFlag.ItemIsEditable  # key column


def test_sorting_and_filtering(qapp, tiny_frames: dict) -> None:
    model = FrameModel()
    model.set_frame(tiny_frames["skus"], TABLES_BY_NAME["skus"])
    on_hand = model.column_names().index("on_hand")
    model.sort(on_hand, Qt.SortOrder.DescendingOrder)
    assert column_texts(model, "on_hand") == ["1,000", "100", "25", "10", "5"]
    lot_size = model.column_names().index("lot_size")
    model.sort(lot_size, Qt.SortOrder.DescendingOrder)
    assert column_texts(model, "lot_size")[0] == "50"  # missing values last either way
    model.sort(-1)
    assert column_texts(model, "item_id") == ["FG1", "FG1", "WIP1", "RM1", "RM2"]

    model.set_filter_text("rm")
    assert column_texts(model, "item_id") == ["RM1", "RM2"]
    model.sort(on_hand, Qt.SortOrder.DescendingOrder)
    assert column_texts(model, "item_id") == ["RM2", "RM1"]
    assert model.total_rows() == 5
    assert model.row_key(1)["item_id"] == "RM1"  # edits address the row shown
    model.set_filter_text("d1")
    assert column_texts(model, "site_id") == ["D1"]
    model.set_filter_text("")
    assert model.rowCount() == 5


def test_grid_keeps_the_columns_an_edit_did_not_move(tiny_frames: dict) -> None:
    """After an edit only the edited column is new (its texts and marks are made again);
    every other column stays the same object, whether it shares memory with the last read
    (as the store's reads do) or only reads the same."""
    skus, items = tiny_frames["skus"], tiny_frames["items"]
    before = build_grid(skus, items, None)
    edited = skus.copy(deep=False)  # shares the columns it does not replace
    edited["ss_qty"] = edited["ss_qty"].fillna(0.0) + 1.0
    after = build_grid(edited, items.copy(), None)  # items: a deep copy, same values
    assert after["ss_qty"] is not before["ss_qty"]
    assert list(after["ss_qty"]) == list(edited["ss_qty"])
    unchanged = [name for name in before if name != "ss_qty"]
    assert unchanged and all(after[name] is before[name] for name in unchanged)
    items2 = items.copy()
    items2.loc[0, "description"] = "changed"
    again = build_grid(edited, items2, None)
    assert again["description"] is not after["description"]
    assert again["lead_time"] is after["lead_time"]


def test_model_stays_quick_at_100k_rows(qapp) -> None:
    n = 100_000
    rng = np.random.default_rng(1)
    frame = pd.DataFrame({
        "item_id": [f"IT{i:06d}" for i in range(n)],
        "site_id": np.where(np.arange(n) % 2, "DC1", "P1").astype(object),
        "period": pd.date_range("2024-01-01", periods=n, freq="h").normalize(),
        "quantity": rng.gamma(2.0, 50.0, n).round(1),
    })
    model = FrameModel()
    started = time.perf_counter()
    model.set_frame(frame)
    texts = [model.index(r, c).data(DISPLAY) for r in range(40) for c in range(4)]
    model.sort(3, Qt.SortOrder.DescendingOrder)
    model.set_filter_text("IT0999")
    elapsed = time.perf_counter() - started
    assert texts[0] == "IT000000" and model.rowCount() == 100
    assert elapsed < 2.0, f"100k rows took {elapsed:.2f} s"


# --- the main window -----------------------------------------------------------------------


def test_window_opens_on_the_baseline(window: MainWindow) -> None:
    assert window.objectName() == "mainWindow"
    assert window.windowTitle() == "Echelon — tiny.echelon"
    assert window.workbook.table_chooser.currentText() == "SKU planning"
    assert window.workbook.row_count.text() == "5 SKUs"
    assert "Baseline" in window.summary.text()
    assert "Recomputed 5 SKUs in" in window.summary.text()
    for name in window.tab_names:
        window.tab(name)  # tabs are made when first needed
    for name in ("scenarioTree", "mainTabs", "workbookView", "tableChooser", "filterBox",
                 "statusRecompute", "skuDetailView", "dashboardView", "drpView",
                 "scorecardView", "exceptionsView", "workbookTable", "mainToolbar"):
        assert window.findChild(object, name) is not None, name


def test_baseline_is_not_editable(window: MainWindow) -> None:
    index = window.workbook.select_cell(RM1, "lead_time")
    assert not index.flags() & Qt.ItemFlag.ItemIsEditable
    assert not window.actions_by_name["actionUndo"].isEnabled()
    assert not window.actions_by_name["actionDelete"].isEnabled()


def fork_via_menu(window: MainWindow, monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **kw: (name, True))
    window.actions_by_name["actionFork"].trigger()


def click_scenario(window: MainWindow, qtbot, name: str) -> None:
    tree = window.scenario_tree
    rect = tree.visualRect(tree.scenario_model.index_of(name))
    qtbot.mouseClick(tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def test_edit_undo_and_switching_scenarios(window: MainWindow, tmp_workspace: Path, qtbot,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    fork_via_menu(window, monkeypatch, "Plan B")
    assert window.workbench.current == "Plan B"
    assert "Plan B · draft" in window.summary.text()

    index = window.workbook.select_cell(RM1, "lead_time")
    assert index.flags() & Qt.ItemFlag.ItemIsEditable
    before = window.workbench.plan()
    assert window.workbook.model.setData(index, "6")
    assert stored_lead_time(tmp_workspace, "Plan B") == 6.0
    # the edit re-planned the network: RM1's planned orders now start 6 periods out
    after = window.workbench.plan()
    assert after is not before
    rm1 = after.planned_orders[after.planned_orders["item_id"] == "RM1"]
    assert (rm1["receipt_index"] >= 6).all()
    assert "Recomputed 5 SKUs in" in window.summary.text()
    assert grid_text(window, RM1, "lead_time") == "6"
    assert "lead_time=6" in window.statusBar().currentMessage()
    tree = window.scenario_tree.scenario_model
    plan_b = tree.index_of("Plan B")
    assert plan_b.siblingAtColumn(2).data(DISPLAY) == "1"

    window.actions_by_name["actionUndo"].trigger()
    assert stored_lead_time(tmp_workspace, "Plan B") == 4.0
    assert grid_text(window, RM1, "lead_time") == "4"
    window.actions_by_name["actionRedo"].trigger()
    assert grid_text(window, RM1, "lead_time") == "6"

    click_scenario(window, qtbot, "Baseline")
    assert window.workbench.current == "Baseline"
    assert grid_text(window, RM1, "lead_time") == "4"
    assert not window.workbook.select_cell(RM1, "lead_time").flags() & (
        Qt.ItemFlag.ItemIsEditable)
    click_scenario(window, qtbot, "Plan B")
    assert grid_text(window, RM1, "lead_time") == "6"


def test_typing_into_a_cell(window: MainWindow, tmp_workspace: Path, qtbot,
                            monkeypatch: pytest.MonkeyPatch) -> None:
    fork_via_menu(window, monkeypatch, "Plan B")
    grid = window.workbook.grid
    for text, expected in (("7", 7.0), ("-1", 7.0)):
        index = window.workbook.select_cell(RM1, "lead_time")
        grid.edit(index)
        editor = grid.findChild(QLineEdit)
        assert editor is not None
        editor.setText(text)
        qtbot.keyClick(editor, Qt.Key.Key_Return)  # the delegate commits on the next loop
        qtbot.waitUntil(lambda: grid.findChild(QLineEdit) is None)
        assert stored_lead_time(tmp_workspace, "Plan B") == expected
        assert grid_text(window, RM1, "lead_time") == "7"
    assert "must not be negative" in window.statusBar().currentMessage()


@pytest.mark.parametrize(("text", "message"), [
    ("-3", "lead_time must not be negative"),
    ("abc", "'abc' is not a number"),
])
def test_invalid_edit_is_refused_in_place(window: MainWindow, tmp_workspace: Path,
                                          monkeypatch: pytest.MonkeyPatch, text: str,
                                          message: str) -> None:
    fork_via_menu(window, monkeypatch, "Plan B")
    index = window.workbook.select_cell(RM1, "lead_time")
    assert not window.workbook.model.setData(index, text)
    assert message in window.statusBar().currentMessage()
    assert stored_lead_time(tmp_workspace, "Plan B") == 4.0
    assert grid_text(window, RM1, "lead_time") == "4"
    assert window.workbench.info().changes == 0


def test_edit_a_row_keyed_by_a_date(window: MainWindow, tmp_workspace: Path,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    fork_via_menu(window, monkeypatch, "Plan B")
    window.workbook.table_chooser.setCurrentText("demand_history")
    key = {"item_id": "FG1", "site_id": "D1", "period": "2025-12-15"}
    index = window.workbook.select_cell(key, "quantity")
    assert index.data(DISPLAY) == "12"
    assert window.workbook.model.setData(index, "1500.5")
    assert grid_text(window, key, "quantity") == "1,500.5"
    assert window.workbook.select_cell(key, "period").data(Qt.ItemDataRole.EditRole) == (
        "2025-12-15")
    with Store.open(tmp_workspace) as store:
        history = store.read("Plan B", ["demand_history"])["demand_history"]
    assert history.quantity.tolist() == [10.0, 1500.5, 0.0, 9.0]


def test_approve_locks_the_grid(window: MainWindow, monkeypatch: pytest.MonkeyPatch) -> None:
    fork_via_menu(window, monkeypatch, "Plan B")
    window.actions_by_name["actionApprove"].trigger()
    assert not window.workbook.select_cell(RM1, "lead_time").flags() & (
        Qt.ItemFlag.ItemIsEditable)
    assert "approved, read-only" in window.summary.text()
    window.actions_by_name["actionReopen"].trigger()
    assert window.workbook.select_cell(RM1, "lead_time").flags() & Qt.ItemFlag.ItemIsEditable


def test_rename_commit_and_delete_from_the_menu(window: MainWindow,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    fork_via_menu(window, monkeypatch, "Plan B")
    window.workbook.model.setData(window.workbook.select_cell(RM1, "lead_time"), "6")
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **kw: ("Plan C", True))
    window.actions_by_name["actionRename"].trigger()
    assert window.workbench.current == "Plan C"
    monkeypatch.setattr(QMessageBox, "question",
                        lambda *a, **kw: QMessageBox.StandardButton.Yes)
    window.actions_by_name["actionCommit"].trigger()
    assert window.workbench.current == "Baseline"
    assert grid_text(window, RM1, "lead_time") == "6"
    window.scenario_tree.select_scenario("Plan C")
    window.actions_by_name["actionDelete"].trigger()
    assert [i.name for i in window.workbench.scenarios()] == ["Baseline"]
    assert window.scenario_tree.scenario_model.index_of("Plan C").isValid() is False


def test_refused_operation_shows_a_message(window: MainWindow,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    fork_via_menu(window, monkeypatch, "Plan B")
    window.scenario_tree.select_scenario("Baseline")
    fork_via_menu(window, monkeypatch, "Plan B")  # the name is taken
    box = window.findChild(QMessageBox, "messageBox")
    assert box is not None and "already exists" in box.text()
    assert window.workbench.current == "Baseline"


def test_switching_table_and_filter(window: MainWindow, qtbot) -> None:
    workbook = window.workbook
    workbook.table_chooser.setCurrentText("items")
    assert workbook.model.column_names()[0] == "item_id"
    qtbot.keyClicks(workbook.filter_box, "glass")
    qtbot.waitUntil(lambda: workbook.row_count.text() == "1 of 4 rows")
    assert cell(workbook.model, 0, "item_id") == "RM1"


def bad_import_folder(tmp_path: Path, frames: dict) -> tuple[Path, int]:
    """An import folder whose skus.csv has supply_type 'borrow' on one line (returned)."""
    folder = tmp_path / "bad"
    write_folder(frames, folder)
    skus = folder / "skus.csv"
    lines = skus.read_text().splitlines()
    row = next(i for i, line in enumerate(lines) if ",buy," in line)
    lines[row] = lines[row].replace(",buy,", ",borrow,")
    skus.write_text("\n".join(lines) + "\n")
    return folder, row + 1


def test_failed_import_lists_problems_and_changes_nothing(window: MainWindow, tmp_path: Path,
                                                          tiny_frames: dict) -> None:
    folder, line = bad_import_folder(tmp_path, tiny_frames)
    target = tmp_path / "imported.echelon"
    assert not window.files.import_into(folder, target)
    dialog = window.problems_dialog
    assert dialog is not None and dialog.isVisible()
    text = dialog.text.toPlainText()
    assert f"skus.csv:{line}:3: 'borrow' is not one of make, buy, transfer" in text
    assert dialog.text.isReadOnly()
    dialog.copy_all()
    assert QApplication.clipboard().text() == text
    assert not target.exists()
    assert window.windowTitle() == "Echelon — tiny.echelon"


def test_import_then_export(window: MainWindow, tmp_path: Path, tiny_frames: dict) -> None:
    folder = tmp_path / "good"
    write_folder(tiny_frames, folder)
    assert window.files.import_into(folder, tmp_path / "imported")
    assert window.windowTitle() == "Echelon — imported.echelon"
    assert "Imported good" in window.statusBar().currentMessage()
    out = tmp_path / "out"
    assert window.files.export_to(out)
    assert (out / "skus.csv").read_text() == (folder / "skus.csv").read_text()
    for plan_file in ("projection.csv", "planned_orders.csv", "kpis.csv", "exceptions.csv",
                      "plan_skus.csv"):
        assert (out / plan_file).exists(), plan_file


def test_screenshot(window: MainWindow, tmp_path: Path) -> None:
    pngs = app_module.save_screenshots(window, tmp_path / "shots")
    assert [p.name for p in pngs][:6] == [
        "main_window_workbook.png", "main_window_sku_detail.png", "main_window_dashboard.png",
        "main_window_drp.png", "main_window_scorecard.png", "main_window_exceptions.png"]
    for png in pngs:
        image = QImage(str(png))
        assert image.width() >= 1000 and image.height() >= 600


# --- starting the app ----------------------------------------------------------------------


def test_first_start_creates_the_demo_workspace(qapp, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("app.models.demo")
    monkeypatch.setenv("ECHELON_HOME", str(tmp_path / "home"))
    shown: list[MainWindow] = []

    def close_soon() -> None:
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, MainWindow) and widget.isVisible():
                shown.append(widget)
                widget.close()

    QTimer.singleShot(0, close_soon)
    hook = sys.excepthook
    assert app_module.run_gui(None, AppSettings.at(tmp_path / "settings.ini")) == 0
    assert sys.excepthook is hook
    path = tmp_path / "home" / "workspace.echelon"
    with Store.open(path) as store:
        assert len(store.read("Baseline", ["skus"])["skus"]) > 400
    assert shown and "Baseline" in shown[0].summary.text()


def test_start_on_a_file_that_is_not_a_workspace(qapp, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    messages: list[str] = []
    monkeypatch.setattr(QMessageBox, "critical",
                        lambda parent, title, text, *a: messages.append(text))
    bogus = tmp_path / "notes.txt"
    bogus.write_text("not a workspace")
    assert app_module.run_gui(bogus, AppSettings.at(tmp_path / "settings.ini")) == 2
    assert messages == [f"{bogus}: not an Echelon workspace (not an SQLite database)"]
    assert "Traceback" not in messages[0]


def test_unexpected_errors_are_shown_in_a_dialog(qapp, monkeypatch: pytest.MonkeyPatch) -> None:
    shown: list[tuple[str, str]] = []

    def fake_exec(box: QMessageBox) -> int:
        shown.append((box.text(), box.detailedText()))
        return 0

    monkeypatch.setattr(QMessageBox, "exec", fake_exec)
    try:
        raise ValueError("boom")
    except ValueError as err:
        app_module._show_unexpected(ValueError, err, err.__traceback__)
    [(text, details)] = shown
    assert "ValueError: boom" in text and "Traceback" not in text
    assert "Traceback" in details


def test_invalid_index_has_no_data(qapp) -> None:
    assert FrameModel().data(QModelIndex()) is None


def test_frozen_columns_edge_follows_their_width(qtbot) -> None:
    """The line after the frozen columns sits on their right edge and moves when one is
    resized; the overlay has no style sheet (it would slow down every repaint of the grid)."""
    from PySide6.QtGui import QStandardItemModel

    from app.views.frozen_view import FrozenTableView

    view = FrozenTableView(frozen=2)
    qtbot.addWidget(view)
    model = QStandardItemModel(4, 5)
    view.setModel(model)
    view.resize(600, 300)
    view.show()
    qtbot.waitExposed(view)
    edge = view.findChild(type(view.viewport()), "frozenEdge")
    assert edge is not None and edge.isVisible()
    left = view.frozen_view.geometry().left()

    def expected_x() -> int:
        return left + view.columnWidth(0) + view.columnWidth(1) - 1

    assert (edge.x(), edge.width()) == (expected_x(), 1)
    view.setColumnWidth(1, view.columnWidth(1) + 40)
    assert view.frozen_view.columnWidth(1) == view.columnWidth(1)
    assert edge.x() == expected_x()
    assert view.frozen_view.styleSheet() == ""
