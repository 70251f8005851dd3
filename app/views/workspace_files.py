"""The main window's file work: open a workspace, start one from the demo, import, export.

Each asks for its paths with the usual dialogs (or takes them: tests and scripts call the
methods that do the work), runs long work as a background task with the window's progress
bar, and reports through the window: a refusal in a dialog, success in the status line.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QDialog, QFileDialog

from app.views.dialogs import ExportDialog
from app.views.file_tasks import demo_task, import_task
from app.views.recompute import BackgroundTask
from app.workbench import Workbench, WorkspaceError

if TYPE_CHECKING:
    from app.views.main_window import MainWindow

WORKSPACE_FILTER = "Echelon workspaces (*.echelon);;All files (*)"
XLSX_FILTER = "Excel workbooks (*.xlsx);;All files (*)"


class WorkspaceFiles:
    """The File menu's work for ``window`` (its workbench, progress bar and messages)."""

    def __init__(self, window: MainWindow) -> None:
        self._window = window

    @property
    def _workbench(self) -> Workbench:
        return self._window.workbench

    def _ask_file(self, title: str, filters: str) -> Path | None:
        """A file the user picks to open (None: cancelled), starting beside the workspace."""
        path, _ = QFileDialog.getOpenFileName(self._window, title,
                                              str(self._workbench.path.parent), filters)
        return Path(path) if path else None

    def open_workspace(self) -> None:
        if path := self._ask_file("Open workspace", WORKSPACE_FILTER):
            self.open_path(path)

    def open_path(self, path: Path) -> bool:
        return self._window.attempt("Open workspace", lambda: self._workbench.open(path))

    def new_demo_workspace(self) -> None:
        suggested = self._workbench.path.parent / "demo.echelon"
        target, _ = QFileDialog.getSaveFileName(self._window, "New workspace with the demo company",
                                                str(suggested), WORKSPACE_FILTER)
        if target:
            self.start_demo(_with_suffix(Path(target)))

    def start_demo(self, target: Path, skus: int = 450) -> BackgroundTask:
        def done(_counts: object) -> None:
            if self.open_path(target):
                self._window.show_message(f"Created {target.name} with the demo company")

        return self._window.run_task(demo_task(target, skus), "New demo workspace", done)

    def import_folder(self) -> None:
        """Ask for a CSV folder and a new workspace file; import, then open it."""
        source = QFileDialog.getExistingDirectory(self._window, "Import CSV folder",
                                                  str(self._workbench.path.parent))
        if source:
            self._ask_import_target(Path(source))

    def import_workbook(self) -> None:
        if source := self._ask_file("Import Excel workbook", XLSX_FILTER):
            self._ask_import_target(source)

    def _ask_import_target(self, source: Path) -> None:
        suggested = self._workbench.path.parent / f"{source.stem}.echelon"
        target, _ = QFileDialog.getSaveFileName(self._window, "New workspace for the import",
                                                str(suggested), WORKSPACE_FILTER)
        if target:
            self.start_import(source, Path(target))

    def start_import(self, source: Path, target: Path) -> BackgroundTask:
        """Import ``source`` into the new workspace ``target`` off the GUI thread, then open it.

        All or nothing: a refused import lists every problem and writes nothing.
        """
        target = _with_suffix(target)

        def done(counts: object) -> None:
            if not self.open_path(target):
                return
            shown = ", ".join(f"{n:,} {name}" for name, n in dict(counts).items() if n)
            self._window.show_message(f"Imported {source.name} into {target.name}: {shown}")

        return self._window.run_task(import_task(source, target), f"Importing {source.name}", done)

    def import_into(self, source: Path, target: Path) -> bool:
        """``start_import`` and wait for it; True when the new workspace is open."""
        outcome = self._window.wait_for(self.start_import(source, target))
        return isinstance(outcome, dict) and self._workbench.path == _with_suffix(target)

    def export_choices(self) -> list[tuple[str, str]]:
        """(scenario, label) to export, approved scenarios first."""
        infos = self._workbench.scenarios()
        approved = [(i.name, f"{i.name} (approved)") for i in infos
                    if i.parent is not None and i.status == "approved"]
        others = [(i.name, i.name + (" (Baseline)" if i.parent is None else f" ({i.status})"))
                  for i in infos if not (i.parent is not None and i.status == "approved")]
        return approved + others

    def export_scenario(self) -> None:
        dialog = ExportDialog(self.export_choices(), self._workbench.current, self._window)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        scenario = dialog.scenario
        folder = QFileDialog.getExistingDirectory(
            self._window, f"Export '{scenario}' to folder", str(self._workbench.path.parent))
        if folder:
            self.export_to(Path(folder), scenario)

    def export_to(self, folder: Path, scenario: str | None = None) -> bool:
        """Write a scenario's (the current one's by default) tables and plan as CSV files."""
        from app.models.csv_io import write_folder
        from app.models.plan_export import write_plan

        name = scenario or self._workbench.current
        written: list[Path] = []

        def export() -> None:
            try:
                written.extend(write_folder(self._workbench.frames(name=name), folder))
                written.extend(write_plan(self._workbench.plan(name), folder))
            except OSError as err:
                raise WorkspaceError(f"{folder}: {err.strerror or err}") from None

        if self._window.attempt("Export", export):
            self._window.show_message(f"Exported '{name}' to {folder}: {len(written)} files")
            return True
        return False


def _with_suffix(path: Path) -> Path:
    return path if path.suffix else path.with_suffix(".echelon")
