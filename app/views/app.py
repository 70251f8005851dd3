"""Starting the desktop app: the QApplication, the workspace to open, the main window.

On first start there is no workspace yet: the default one is created holding the bundled demo
company, so the planner sees a living plan at once.
"""

from __future__ import annotations

import sys
import traceback
from pathlib import Path
from types import TracebackType

from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from app.models.store import Store, WorkspaceError
from app.models.validate import DataProblems
from app.views.main_window import MainWindow
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


def run_gui(db: Path | None) -> int:
    """Open the desktop app on ``db`` (or the default workspace); returns the exit code."""
    app = application()
    previous_hook = sys.excepthook
    sys.excepthook = _show_unexpected
    try:
        try:
            workbench = Workbench.open_file(prepare_workspace(db))
        except (WorkspaceError, DataProblems) as err:
            QMessageBox.critical(None, "Echelon cannot open the workspace", str(err))
            return 2
        window = MainWindow(workbench)
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
    app = application()
    workbench = Workbench.open_file(prepare_workspace(db))
    try:
        window = MainWindow(workbench)
        window.resize(1440, 900)
        window.show()
        app.processEvents()
        return save_screenshots(window, out_dir)
    finally:
        workbench.close()


def save_screenshots(window: QWidget, out_dir: Path) -> list[Path]:
    """Grab the window as it is now to ``out_dir/main_window.png``; returns the files written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "main_window.png"
    QApplication.processEvents()
    if not window.grab().save(str(path)):
        raise OSError(f"{path}: could not write the screenshot")
    return [path]
