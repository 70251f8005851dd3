"""Starting the desktop app: the QApplication, the workspace to open, the main window.

On first start there is no workspace yet: the default one is created holding the bundled demo
company, so the planner sees a living plan at once.
"""

from __future__ import annotations

import sys
import time
import traceback
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import QThreadPool
from PySide6.QtWidgets import QApplication, QMessageBox

from app.models.store import Store, WorkspaceError
from app.models.validate import DataProblems
from app.views.main_window import MainWindow
from app.views.settings import AppSettings
from app.workbench import Workbench


def application() -> QApplication:
    """The running QApplication (made if needed), named Echelon."""
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("Echelon")
    app.setOrganizationName("Echelon")
    app.setApplicationDisplayName("Echelon")
    return app  # type: ignore[return-value]


def prepare_workspace(db: Path | None) -> Path:
    """The workspace to open: ``db``, else the user's default one (made with the demo data).

    A named file must exist already; only the default workspace is created on demand, and
    filled with the demo data when it holds no Baseline (first start, or an interrupted one).
    """
    if db is not None:
        return db
    from app.cli import default_workspace

    path = default_workspace()
    with Store.open_or_create(path) as store:
        if not store.has_baseline():
            from app.models.demo import generate_demo

            store.import_baseline(generate_demo())
    return path


def run_gui(db: Path | None, settings: AppSettings | None = None) -> int:
    """Open the desktop app on ``db`` (else the last workspace, else the default one).

    ``settings`` (the user's own by default) keeps the last workspace, the recent files and
    the window layout.
    """
    app = application()
    settings = settings or AppSettings.user()
    previous_hook = sys.excepthook
    sys.excepthook = _show_unexpected
    try:
        try:
            workbench = Workbench.open_file(prepare_workspace(db or settings.last_workspace()))
        except (WorkspaceError, DataProblems) as err:
            QMessageBox.critical(None, "Echelon cannot open the workspace", str(err))
            return 2
        settings.opened(workbench.path)
        window = MainWindow(workbench, settings=settings)
        settings.restore_window(window)
        window.show()
        code = app.exec()
        workbench.close()
        return code
    finally:
        sys.excepthook = previous_hook


_showing_error = False


def _show_unexpected(kind: type[BaseException], error: BaseException,
                     tb: TracebackType | None) -> None:
    """Tell the user about an error nobody caught (details folded away); the app goes on.

    One dialog at a time: an error that repeats (say, in every paint) while the dialog is up
    is only printed.
    """
    global _showing_error
    sys.__excepthook__(kind, error, tb)
    if (_showing_error or issubclass(kind, KeyboardInterrupt)
            or QApplication.instance() is None):
        return
    box = QMessageBox(QMessageBox.Icon.Critical, "Echelon: unexpected error",
                      f"Something went wrong that Echelon did not expect:\n\n"
                      f"{kind.__name__}: {error}\n\nYour workspace file is safe: every change is "
                      "saved whole or not at all. Please report this with the details below.")
    box.setObjectName("unexpectedErrorBox")
    box.setDetailedText("".join(traceback.format_exception(kind, error, tb)))
    _showing_error = True
    try:
        box.exec()
    finally:
        _showing_error = False


def screenshot(db: Path | None, out_dir: Path) -> list[Path]:
    """Open the workspace offscreen-ready, size the window like a laptop screen, save PNGs."""
    application()
    workbench = Workbench.open_file(prepare_workspace(db))
    try:
        window = MainWindow(workbench, settings=AppSettings.memory())
        window.resize(1440, 900)
        window.show()
        settle(window)
        try:
            return save_screenshots(window, out_dir)
        finally:
            window.close()
    finally:
        workbench.close()


def save_screenshots(window: MainWindow, out_dir: Path) -> list[Path]:
    """Grab every tab of the window to ``out_dir/main_window_<tab>.png``; the files written.

    The SKU detail tab shows the SKU holding the most stock value (a finished good at a DC
    when there is one), so the picture has something to show.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    before = window.tabs.currentIndex()
    _open_a_busy_sku(window)
    for index, name in enumerate(window.tab_names):
        window.tabs.setCurrentIndex(index)
        settle(window)
        if name == "workbook":  # past the long texts: the frozen part numbers, then figures
            window.workbook.scroll_to_column("part_class")
            settle(window)
        path = out_dir / f"main_window_{name}.png"
        if not window.grab().save(str(path)):
            raise OSError(f"{path}: could not write the screenshot")
        written.append(path)
    window.tabs.setCurrentIndex(before)
    return written


def settle(window: MainWindow) -> None:
    """Let queued work finish: background plans, layouts, charts drawn on the next turn."""
    pool = QThreadPool.globalInstance()
    for _ in range(1200):
        QApplication.processEvents()
        scoring = window.is_built("scorecard") and window.scorecard.busy
        if not (window.first_plan_pending or window.recomputer.busy or scoring
                or pool.activeThreadCount()):
            break
        time.sleep(0.05)
    for _ in range(3):
        QApplication.processEvents()


def _open_a_busy_sku(window: MainWindow) -> None:
    result = window.latest_plan
    if result is None or result.n == 0 or "average_on_hand_value" not in result.skus:
        return
    skus = result.skus
    preferred = skus[(skus.get("part_class") == "FG") & (skus.get("supply_type") == "transfer")] \
        if "part_class" in skus and "supply_type" in skus else skus
    pool = preferred if len(preferred) else skus
    row = pool.loc[pool["average_on_hand_value"].idxmax()]
    window.sku_detail.open_sku(str(row["item_id"]), str(row["site_id"]))
