"""The main window: scenario tree on the left, tabs in the middle, menus and a status line."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QDockWidget,
    QFileDialog,
    QInputDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QTabWidget,
    QWidget,
)

from app.engine.inputs import PlanInputError
from app.views.dialogs import ProblemsDialog, tell
from app.views.relay import listen
from app.views.scenario_tree import ScenarioTree
from app.views.workbook import WorkbookView
from app.workbench import Changed, DataProblems, Workbench, WorkspaceError

WORKSPACE_FILTER = "Echelon workspaces (*.echelon);;All files (*)"
MESSAGE_MS = 10_000
DOCK_WIDTH = 320


class MainWindow(QMainWindow):
    """Echelon's window over one ``Workbench``; every pane listens to the workbench."""

    def __init__(self, workbench: Workbench, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("mainWindow")
        self._workbench = workbench
        self.problems_dialog: ProblemsDialog | None = None

        self.scenario_tree = ScenarioTree(workbench)
        dock = QDockWidget("Scenarios", self, objectName="scenarioDock")
        dock.setWidget(self.scenario_tree)
        dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable
                         | QDockWidget.DockWidgetFeature.DockWidgetFloatable)
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, dock)
        self.resizeDocks([dock], [DOCK_WIDTH], Qt.Orientation.Horizontal)

        self.tabs = QTabWidget(objectName="mainTabs")
        self.workbook = WorkbookView(workbench)
        self.tabs.addTab(self.workbook, "Workbook")
        self.setCentralWidget(self.tabs)

        self.statusBar().setObjectName("statusRecompute")
        self.summary = QLabel(objectName="statusSummary")
        self.statusBar().addPermanentWidget(self.summary)
        self.workbook.sigMessage.connect(self.show_message)

        self.actions_by_name: dict[str, QAction] = {}
        self._build_menus()
        listen(workbench, self, self._on_changed)
        self._refresh()
        self.resize(1280, 780)

    @property
    def workbench(self) -> Workbench:
        return self._workbench

    # --- menus -----------------------------------------------------------------------------

    def _action(self, name: str, text: str, slot: Callable[[], object],
                keys: QKeySequence | str | list | None = None) -> QAction:
        action = QAction(text, self, objectName=name)
        if isinstance(keys, list):
            action.setShortcuts(keys)
        elif keys is not None:
            action.setShortcut(keys)
        action.triggered.connect(lambda _checked=False: slot())
        self.actions_by_name[name] = action
        return action

    def _build_menus(self) -> None:
        menus = self.menuBar()
        file_menu = menus.addMenu("&File")
        file_menu.addAction(self._action("actionOpen", "&Open workspace…", self.open_workspace,
                                         QKeySequence.StandardKey.Open))
        file_menu.addAction(self._action("actionImport", "&Import CSV folder…",
                                         self.import_folder))
        file_menu.addAction(self._action("actionExport", "&Export scenario…",
                                         self.export_scenario))
        file_menu.addSeparator()
        file_menu.addAction(self._action("actionQuit", "&Quit", self.close,
                                         QKeySequence.StandardKey.Quit))
        edit_menu = menus.addMenu("&Edit")
        edit_menu.addAction(self._action("actionUndo", "&Undo", self.undo,
                                         QKeySequence.StandardKey.Undo))
        edit_menu.addAction(self._action("actionRedo", "&Redo", self.redo,
                                         [QKeySequence("Ctrl+Y"), QKeySequence("Ctrl+Shift+Z")]))
        scenario_menu = menus.addMenu("&Scenario")
        for name, text, slot in (
            ("actionFork", "&Fork…", self.fork),
            ("actionRename", "&Rename…", self.rename),
            ("actionDelete", "&Delete", self.delete),
            (None, "", None),
            ("actionApprove", "&Approve", self.approve),
            ("actionReopen", "Reopen as dra&ft", self.reopen),
            ("actionCommit", "&Commit into parent", self.commit_into_parent),
        ):
            if name is None or slot is None:
                scenario_menu.addSeparator()
            else:
                scenario_menu.addAction(self._action(name, text, slot))

    # --- refreshing --------------------------------------------------------------------------

    def _on_changed(self, changed: Changed) -> None:
        self._refresh()

    def _refresh(self) -> None:
        """Title, status line and which actions apply to the current scenario."""
        wb = self._workbench
        self.setWindowTitle(f"Echelon — {wb.path.name}")
        info = wb.info()
        state = "read-only, fork to edit" if info.parent is None else (
            "approved, read-only" if info.status == "approved" else "draft")
        try:
            result = wb.plan()
            planned = f"Recomputed {result.n:,} SKUs in {wb.last_plan_ms:,.0f} ms"
        except PlanInputError as err:
            planned = f"Cannot plan: {err}"
        self.summary.setText(f"{info.name} · {state} · {planned}")
        editable = info.parent is not None and info.status != "approved"
        enabled = {
            "actionUndo": editable and info.changes > 0,
            "actionRedo": editable and info.undone > 0,
            "actionDelete": info.parent is not None,
            "actionApprove": info.parent is not None and info.status != "approved",
            "actionReopen": info.parent is not None and info.status == "approved",
            "actionCommit": info.parent is not None and info.changes > 0,
        }
        for name, on in enabled.items():
            self.actions_by_name[name].setEnabled(on)

    def show_message(self, text: str) -> None:
        self.statusBar().showMessage(text, MESSAGE_MS)

    # --- running an operation --------------------------------------------------------------

    def _attempt(self, what: str, operation: Callable[[], object]) -> bool:
        """Run ``operation``; a refusal is shown to the user, never raised. True when done."""
        try:
            with _busy():
                operation()
        except DataProblems as err:
            self.show_problems(f"{what}: refused", f"{what} was refused; nothing was changed.",
                               err.lines())
            return False
        except WorkspaceError as err:
            tell(self, what, str(err))
            return False
        return True

    def show_problems(self, title: str, summary: str, lines: list[str]) -> ProblemsDialog:
        self.problems_dialog = ProblemsDialog(title, summary, lines, self)
        self.problems_dialog.open()
        return self.problems_dialog

    # --- File ------------------------------------------------------------------------------

    def open_workspace(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open workspace",
                                              str(self._workbench.path.parent), WORKSPACE_FILTER)
        if path:
            self._attempt("Open workspace", lambda: self._workbench.open(path))

    def import_folder(self) -> None:
        """Ask for a CSV folder and a new workspace file; import, then open it."""
        source = QFileDialog.getExistingDirectory(self, "Import CSV folder",
                                                  str(self._workbench.path.parent))
        if not source:
            return
        suggested = self._workbench.path.parent / f"{Path(source).name}.echelon"
        target, _ = QFileDialog.getSaveFileName(self, "New workspace for the import",
                                                str(suggested), WORKSPACE_FILTER)
        if target:
            self.import_into(Path(source), Path(target))

    def import_into(self, source: Path, target: Path) -> bool:
        """Import ``source`` into the new workspace ``target`` and open it; all or nothing."""
        from app.cli import import_into

        if not target.suffix:
            target = target.with_suffix(".echelon")
        counts: dict[str, int] = {}
        try:
            with _busy():
                counts = import_into(source, target)
        except DataProblems as err:
            self.show_problems(
                "Import refused",
                f"{source} was not imported: {len(err.problems):,} problems (below). Nothing "
                "was written; fix the files and import again.", err.lines())
            return False
        except WorkspaceError as err:
            tell(self, "Import", str(err))
            return False
        if not self._attempt("Open workspace", lambda: self._workbench.open(target)):
            return False
        shown = ", ".join(f"{n:,} {name}" for name, n in counts.items() if n)
        self.show_message(f"Imported {source.name} into {target.name}: {shown}")
        return True

    def export_scenario(self) -> None:
        folder = QFileDialog.getExistingDirectory(
            self, f"Export '{self._workbench.current}' to folder",
            str(self._workbench.path.parent))
        if folder:
            self.export_to(Path(folder))

    def export_to(self, folder: Path) -> bool:
        """Write the current scenario's tables as CSV files into ``folder``."""
        from app.models.csv_io import write_folder
        from app.models.plan_export import write_plan

        written: list[Path] = []

        def export() -> None:
            try:
                written.extend(write_folder(self._workbench.frames(), folder))
                written.extend(write_plan(self._workbench.plan(), folder))
            except OSError as err:
                raise WorkspaceError(f"{folder}: {err.strerror or err}") from None

        if self._attempt("Export", export):
            self.show_message(f"Exported '{self._workbench.current}' to {folder}: "
                              f"{len(written)} files")
            return True
        return False

    # --- Edit ------------------------------------------------------------------------------

    def undo(self) -> None:
        self._attempt("Undo", self._report(self._workbench.undo, "Undone"))

    def redo(self) -> None:
        self._attempt("Redo", self._report(self._workbench.redo, "Redone"))

    def _report(self, operation: Callable[[], Changed], verb: str) -> Callable[[], None]:
        def run() -> None:
            changed = operation()
            self.show_message(f"{verb} in '{changed.scenario}': {changed.description}")
        return run

    # --- Scenario --------------------------------------------------------------------------

    def fork(self) -> None:
        parent = self._workbench.current
        name = self._ask_name("Fork scenario", f"Name of the new scenario on top of '{parent}':",
                              _unused_name({i.name for i in self._workbench.scenarios()}))
        if name:
            self._attempt("Fork", lambda: self._workbench.fork(name))

    def rename(self) -> None:
        old = self._workbench.current
        name = self._ask_name("Rename scenario", f"New name for '{old}':", old)
        if name and name != old:
            self._attempt("Rename", lambda: self._workbench.rename(name))

    def delete(self) -> None:
        info = self._workbench.info()
        question = f"Delete scenario '{info.name}'"
        question += f" and its {info.changes:,} changes?" if info.changes else "?"
        if self._confirm("Delete scenario", question):
            self._attempt("Delete", self._workbench.delete)

    def approve(self) -> None:
        self._attempt("Approve", self._workbench.approve)

    def reopen(self) -> None:
        self._attempt("Reopen", lambda: self._workbench.set_status("draft"))

    def commit_into_parent(self) -> None:
        info = self._workbench.info()
        if self._confirm("Commit into parent",
                         f"Move the {info.changes:,} changes of '{info.name}' into "
                         f"'{info.parent}'? '{info.name}' stays, with no changes of its own."):
            self._attempt("Commit", self._workbench.commit_into_parent)

    def _ask_name(self, title: str, label: str, text: str) -> str | None:
        name, ok = QInputDialog.getText(self, title, label, text=text)
        return name.strip() if ok and name.strip() else None

    def _confirm(self, title: str, question: str) -> bool:
        answer = QMessageBox.question(self, title, question)
        return answer == QMessageBox.StandardButton.Yes


@contextmanager
def _busy() -> Iterator[None]:
    """A wait cursor while the GUI thread works."""
    QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    try:
        yield
    finally:
        QGuiApplication.restoreOverrideCursor()


def _unused_name(taken: set[str]) -> str:
    n = 1
    while f"Scenario {n}" in taken:
        n += 1
    return f"Scenario {n}"
