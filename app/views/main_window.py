"""The main window: scenario tree on the left, plan tabs in the middle, menus and a status line.

Every edit recomputes the current scenario's plan through ``Recomputer`` (off the GUI thread
when it is slow); each new plan goes to the workbook and to the visible tab (``show_plan``),
and to the others when they become visible. Long work (import, new demo workspace) runs as a
``BackgroundTask`` with a progress bar and a cancel button in the status bar; the File menu's
work is ``WorkspaceFiles``'s (``window.files``).
"""

from __future__ import annotations

import importlib.util
import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QEventLoop, QObject, Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QDockWidget,
    QInputDialog,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QStyle,
    QTabWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from app import __version__
from app.engine.result import PlanResult
from app.views.dialogs import ProblemsDialog, TextDialog, data_format_html, tell
from app.views.recompute import (
    THRESHOLD_MS,
    BackgroundTask,
    ProgressPanel,
    Recomputer,
    TaskCancelled,
)
from app.views.relay import listen
from app.views.scenario_tree import ScenarioTree
from app.views.settings import AppSettings
from app.views.workbook import WorkbookView
from app.views.workspace_files import WorkspaceFiles
from app.workbench import Changed, DataProblems, Workbench, WorkspaceError

if TYPE_CHECKING:
    from app.views.dashboard import DashboardView
    from app.views.drp import DrpView
    from app.views.exceptions_view import ExceptionsView
    from app.views.scorecard import ScorecardView
    from app.views.sku_detail import SkuDetailView

MESSAGE_MS = 10_000
DOCK_WIDTH = 250
#: the first plan starts when the grid first paints, or this long after the window is made
FIRST_PLAN_LATEST_MS = 1_000
def _view(module: str, name: str) -> Callable[[Workbench], QWidget]:
    """A factory of the tab widget ``app.views.<module>.<name>`` (imported when called)."""
    def make(workbench: Workbench) -> QWidget:
        return getattr(importlib.import_module(f"app.views.{module}"), name)(workbench)

    return make


class MainWindow(QMainWindow):
    """Echelon's window over one ``Workbench``; every pane listens to the workbench.

    ``settings`` keeps the window layout, recent files and view choices (by default only in
    memory: tests and screenshots never touch the user's settings). ``threshold_ms``: a
    recompute slower than this makes the next ones run off the GUI thread.
    """

    def __init__(self, workbench: Workbench, parent: QWidget | None = None,
                 settings: AppSettings | None = None,
                 threshold_ms: float = THRESHOLD_MS) -> None:
        super().__init__(parent)
        self.setObjectName("mainWindow")
        self._workbench = workbench
        self.settings = settings or AppSettings.memory()
        self.problems_dialog: ProblemsDialog | None = None
        self.latest_plan: PlanResult | None = None
        self._parent_task: BackgroundTask | None = None
        self._plan_text = ""
        self._shown: dict[int, int] = {}  # tab index -> id of the plan it was last shown
        self._tasks: list[BackgroundTask] = []
        self.last_task_outcome: object = None

        self.scenario_tree = ScenarioTree(workbench)
        dock = QDockWidget("Scenarios", self, objectName="scenarioDock")
        dock.setWidget(self.scenario_tree)
        dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable
                         | QDockWidget.DockWidgetFeature.DockWidgetFloatable)
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, dock)
        self.resizeDocks([dock], [DOCK_WIDTH], Qt.Orientation.Horizontal)

        self.tabs = QTabWidget(objectName="mainTabs")
        self.workbook = WorkbookView(workbench)
        self.workbook.sigOpenSku.connect(self.open_sku)
        self.workbook.sigMessage.connect(self.show_message)
        self.workbook.sigProblems.connect(
            lambda title, summary, lines: self.show_problems(title, summary, lines))
        self.tabs.addTab(self.workbook, "Workbook")
        self.tab_names: list[str] = ["workbook"]
        self._lazy: dict[str, _LazyTab] = {}
        # the tab modules (pyqtgraph) are imported when a tab is first made: a quicker start
        factories: list[tuple[str, str, Callable[[Workbench], QWidget]]] = [
            ("sku_detail", "SKU detail", _view("sku_detail", "SkuDetailView")),
            ("dashboard", "Dashboard", _view("dashboard", "DashboardView")),
            ("drp", "DRP", _view("drp", "DrpView")),
            ("scorecard", "Scorecard", self._make_scorecard),
            ("exceptions", "Exceptions", _view("exceptions_view", "ExceptionsView")),
        ]
        if importlib.util.find_spec("app.views.tradeoff") is not None:
            factories.append(("tradeoff", "Trade-off", _view("tradeoff", "TradeoffView")))
        for name, title, factory in factories:
            lazy = _LazyTab(lambda f=factory: self._connect_tab(f(workbench)))
            self._lazy[name] = lazy
            self.tabs.addTab(lazy, title)
            self.tab_names.append(name)
        self.setCentralWidget(self.tabs)
        self.tabs.currentChanged.connect(self._on_tab_changed)

        self.statusBar().setObjectName("statusRecompute")
        self.summary = QLabel(objectName="statusSummary")
        self.progress = ProgressPanel(self)
        self.statusBar().addPermanentWidget(self.progress)
        self.statusBar().addPermanentWidget(self.summary)

        self.recomputer = Recomputer(workbench, self, threshold_ms)
        if math.isfinite(threshold_ms):  # until measured, a plan may be slow: first paint first
            self.recomputer.cost_ms = threshold_ms
        self.recomputer.sigPlanReady.connect(self._on_plan)
        self.recomputer.sigPlanFailed.connect(self._on_plan_failed)
        self.recomputer.sigBusy.connect(self._on_busy)
        self.recomputer.sigLongPlan.connect(
            lambda task, name: self.progress.track(
                task, f"Planning {name}…", "Stop search",
                "Stop the multi-echelon safety-stock search now and plan with the best "
                "solution found so far"))

        #: opening, the demo, import and export (File menu)
        self.files = WorkspaceFiles(self)
        self.actions_by_name: dict[str, QAction] = {}
        self._build_menus()
        self._build_toolbar()
        self.scenario_tree.set_context_actions([
            self.actions_by_name[n] if n else None
            for n in ("actionFork", "actionRename", None, "actionApprove", "actionReopen",
                      "actionCommit", None, "actionDelete")])
        self._restore_view_choices()
        listen(workbench, self, self._on_changed)
        self.resize(1360, 820)
        self._refresh()
        self._first_plan_asked = False
        if math.isfinite(threshold_ms):  # the window paints first, then the plan comes
            self.workbook.planning_grid.viewport().installEventFilter(self)
            QTimer.singleShot(FIRST_PLAN_LATEST_MS, self._first_plan)
        else:
            self._first_plan()

    @property
    def workbench(self) -> Workbench:
        return self._workbench

    @property
    def first_plan_pending(self) -> bool:
        """True until the first plan has been asked for (it waits for the first paint)."""
        return not self._first_plan_asked

    def _first_plan(self) -> None:
        if not self._first_plan_asked and not self.recomputer.stopped:
            self._first_plan_asked = True
            self.recomputer.request()
            if self.latest_plan is None:  # planning on the worker (or refused): the
                self.workbook.reload()  # parameters show meanwhile

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        """The grid's first paint starts the first plan (start-up shows the window first)."""
        if event.type() == QEvent.Type.Paint and not self._first_plan_asked:
            watched.removeEventFilter(self)
            QTimer.singleShot(0, self._first_plan)
        return False

    # --- tabs (each made when first shown or asked for) ------------------------------------

    def _connect_tab(self, tab: QWidget) -> QWidget:
        for name, slot in (("sigOpenSku", self.open_sku),
                           ("sigFilterWorkbook", self.filter_workbook),
                           ("sigMessage", self.show_message)):
            signal = getattr(tab, name, None)
            if signal is not None:
                signal.connect(slot)
        return tab

    def _make_scorecard(self, workbench: Workbench) -> ScorecardView:
        from app.views.scorecard import ScorecardView

        view = ScorecardView(workbench)
        weights = self.settings.json_value("scorecard/weights", None)
        if isinstance(weights, dict):
            view.model.set_weights(weights)
        return view

    def tab(self, name: str) -> QWidget:
        """The widget of tab ``name`` (``tab_names``), made now if it was not yet."""
        if name == "workbook":
            return self.workbook
        return self._lazy[name].build()

    def show_tab(self, name: str) -> QWidget:
        """Bring tab ``name`` to the front; its widget."""
        index = self.tab_names.index(name)
        self.tabs.setCurrentIndex(index)
        return self.tab(name)

    def is_built(self, name: str) -> bool:
        return name == "workbook" or self._lazy[name].widget is not None

    @property
    def sku_detail(self) -> SkuDetailView:
        return self.tab("sku_detail")  # type: ignore[return-value]

    @property
    def dashboard(self) -> DashboardView:
        return self.tab("dashboard")  # type: ignore[return-value]

    @property
    def drp(self) -> DrpView:
        return self.tab("drp")  # type: ignore[return-value]

    @property
    def scorecard(self) -> ScorecardView:
        return self.tab("scorecard")  # type: ignore[return-value]

    @property
    def exceptions(self) -> ExceptionsView:
        return self.tab("exceptions")  # type: ignore[return-value]

    @property
    def tradeoff(self) -> QWidget | None:
        return self.tab("tradeoff") if "tradeoff" in self._lazy else None

    # --- menus -----------------------------------------------------------------------------

    def _action(self, name: str, text: str, slot: Callable[[], object],
                keys: QKeySequence | QKeySequence.StandardKey | str | list | None = None,
                icon: QStyle.StandardPixmap | None = None, tip: str = "") -> QAction:
        action = QAction(text, self, objectName=name)
        if isinstance(keys, list):
            action.setShortcuts(keys)
        elif keys is not None:
            action.setShortcut(keys)
        if icon is not None:
            action.setIcon(self.style().standardIcon(icon))
        if tip:
            action.setStatusTip(tip)
            action.setToolTip(tip)
        action.triggered.connect(lambda _checked=False: slot())
        self.actions_by_name[name] = action
        return action

    def _build_menus(self) -> None:
        pix = QStyle.StandardPixmap
        menus = self.menuBar()
        file_menu = menus.addMenu("&File")
        files = self.files
        file_menu.addAction(self._action("actionNewDemo", "&New workspace from demo…",
                                         files.new_demo_workspace, QKeySequence.StandardKey.New,
                                         tip="Create a workspace holding the demo company"))
        file_menu.addAction(self._action("actionOpen", "&Open workspace…", files.open_workspace,
                                         QKeySequence.StandardKey.Open, pix.SP_DialogOpenButton,
                                         "Open an Echelon workspace file"))
        self.recent_menu = QMenu("Open &recent", self, objectName="menuRecent")
        self.recent_menu.aboutToShow.connect(self._fill_recent)
        file_menu.addMenu(self.recent_menu)
        file_menu.addSeparator()
        file_menu.addAction(self._action("actionImport", "&Import CSV folder…",
                                         files.import_folder,
                                         tip="Import a folder of CSV files into a new workspace"))
        file_menu.addAction(self._action("actionImportXlsx", "Import E&xcel workbook…",
                                         files.import_workbook,
                                         tip="Import an .xlsx (one sheet per table)"))
        file_menu.addAction(self._action("actionExport", "&Export scenario…",
                                         files.export_scenario, QKeySequence("Ctrl+E"),
                                         pix.SP_DialogSaveButton,
                                         "Write a scenario's data and plan as CSV files"))
        file_menu.addSeparator()
        file_menu.addAction(self._action("actionQuit", "&Quit", self.close,
                                         QKeySequence.StandardKey.Quit))
        edit_menu = menus.addMenu("&Edit")
        edit_menu.addAction(self._action("actionUndo", "&Undo", self.undo,
                                         QKeySequence.StandardKey.Undo, pix.SP_ArrowBack,
                                         "Undo the last change of this scenario"))
        edit_menu.addAction(self._action("actionRedo", "&Redo", self.redo,
                                         [QKeySequence("Ctrl+Y"), QKeySequence("Ctrl+Shift+Z")],
                                         pix.SP_ArrowForward, "Redo the change undone last"))
        edit_menu.addSeparator()
        edit_menu.addAction(self._action("actionCopy", "&Copy", self.copy,
                                         QKeySequence.StandardKey.Copy,
                                         tip="Copy the selected cells as TSV"))
        edit_menu.addAction(self._action("actionPaste", "&Paste", self.paste,
                                         QKeySequence.StandardKey.Paste,
                                         tip="Paste cells from a spreadsheet (one undo step)"))
        edit_menu.addAction(self._action("actionClear", "C&lear cells", self.clear_cells,
                                         QKeySequence.StandardKey.Delete,
                                         tip="Empty the selected cells (they take defaults)"))
        edit_menu.addSeparator()
        edit_menu.addAction(self._action("actionFind", "&Find…", self.find,
                                         QKeySequence.StandardKey.Find,
                                         tip="Filter the workbook rows"))
        scenario_menu = menus.addMenu("&Scenario")
        for name, text, slot, icon, tip in (
            ("actionFork", "&Fork…", self.fork, pix.SP_FileDialogNewFolder,
             "A new scenario on top of this one"),
            ("actionRename", "&Rename…", self.rename, None, ""),
            ("actionDelete", "&Delete", self.delete, None, ""),
            (None, "", None, None, ""),
            ("actionApprove", "&Approve", self.approve, pix.SP_DialogApplyButton,
             "Mark this scenario approved (locks it)"),
            ("actionReopen", "Reopen as dra&ft", self.reopen, None, ""),
            ("actionCommit", "&Commit into parent", self.commit_into_parent, None,
             "Move this scenario's changes into its parent"),
        ):
            if name is None or slot is None:
                scenario_menu.addSeparator()
            else:
                scenario_menu.addAction(self._action(name, text, slot, icon=icon, tip=tip))
        help_menu = menus.addMenu("&Help")
        help_menu.addAction(self._action("actionDataFormat", "&Data format", self.data_format,
                                         tip="The CSV import/export tables and columns"))
        help_menu.addAction(self._action("actionAbout", "&About Echelon", self.about))

    def _build_toolbar(self) -> None:
        bar = QToolBar("Main", self, objectName="mainToolbar")
        bar.setMovable(False)
        bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        for name in ("actionOpen", None, "actionUndo", "actionRedo", None, "actionFork",
                     "actionApprove", "actionExport"):
            if name is None:
                bar.addSeparator()
            else:
                bar.addAction(self.actions_by_name[name])
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, bar)

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        recent = self.settings.recent_files()
        for path in recent:
            action = self.recent_menu.addAction(str(path))
            action.triggered.connect(lambda _c=False, p=path: self.files.open_path(p))
        if not recent:
            self.recent_menu.addAction("(no recent workspaces)").setEnabled(False)

    def _restore_view_choices(self) -> None:
        hidden = self.settings.json_value("workbook/hidden_columns", None)
        if isinstance(hidden, list):
            self.workbook.set_hidden_columns([str(h) for h in hidden])

    def save_settings(self) -> None:
        """Remember the window layout and the view choices."""
        self.settings.save_window(self)
        self.settings.set_json_value("workbook/hidden_columns", self.workbook.hidden_columns())
        if self.is_built("scorecard"):
            self.settings.set_json_value("scorecard/weights", self.scorecard.model.weights)
        self.settings.sync()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        self.save_settings()
        self.shutdown()
        super().closeEvent(event)

    def shutdown(self) -> None:
        """Stop background plans (results still on their way are dropped) and refreshes
        still waiting for the event loop."""
        self.recomputer.stop()
        self.workbook.stop()
        if self.is_built("scorecard"):
            self.scorecard.stop()

    # --- refreshing --------------------------------------------------------------------------

    def _on_changed(self, changed: Changed) -> None:
        if changed.kind == "open":
            self.settings.opened(self._workbench.path)
        self._refresh()
        if changed.tables or changed.kind in ("open", "select"):
            self.recomputer.request()

    def _on_plan(self, result: PlanResult, ms: float) -> None:
        """A new plan of the current scenario: tell the workbook and the visible tab."""
        self.latest_plan = result
        self._plan_text = f"Recomputed {result.n:,} SKUs in {ms:,.0f} ms"
        self._shown.clear()
        self.workbook.show_plan(result)
        self._show_plan_in(self.tabs.currentIndex())
        self._refresh_summary()
        self._plan_parent()

    def _plan_parent(self) -> None:
        """The tabs compare with the parent scenario's plan when it is at hand: compute it on
        the worker pool when it is not, then show the visible tab again."""
        try:
            parent = self._workbench.info().parent
            job = None if parent is None else self._workbench.plan_job(parent)
        except WorkspaceError:
            return
        if job is None or isinstance(job, PlanResult) or self._parent_task is not None:
            return
        task = BackgroundTask(lambda _progress, _cancelled: job.run(), self.recomputer.pool,
                              self)
        self._parent_task = task

        def done(result: object) -> None:
            self._parent_task = None
            task.deleteLater()
            if self.recomputer.stopped or not isinstance(result, PlanResult):
                return
            if self._workbench.adopt(job, result):
                self._shown.clear()
                self._show_plan_in(self.tabs.currentIndex())
            self._plan_parent()  # the parent may have moved on meanwhile

        def failed(_error: BaseException) -> None:  # a parent that cannot plan: no comparison
            self._parent_task = None
            task.deleteLater()

        task.sigFinished.connect(done)
        task.sigFailed.connect(failed)
        task.start()

    def _on_plan_failed(self, message: str) -> None:
        self._plan_text = message
        self._refresh_summary()

    def _on_busy(self, busy: bool) -> None:
        if busy:
            self._plan_text = "Recomputing…"
            self._refresh_summary()

    def _on_tab_changed(self, index: int) -> None:
        self._show_plan_in(index)

    def _show_plan_in(self, index: int) -> None:
        tab = self.tabs.widget(index)
        if isinstance(tab, _LazyTab):
            tab = tab.build()
        result = self.latest_plan
        if tab is None or tab is self.workbook or result is None:
            return
        if self._shown.get(index) == id(result):
            return
        show = getattr(tab, "show_plan", None)
        if show is not None:
            self._shown[index] = id(result)
            show(result)

    def _refresh(self) -> None:
        """Title, status line and which actions apply to the current scenario."""
        wb = self._workbench
        self.setWindowTitle(f"Echelon — {wb.path.name}")
        info = wb.info()
        editable = info.parent is not None and info.status != "approved"
        enabled = {
            "actionUndo": editable and info.changes > 0,
            "actionRedo": editable and info.undone > 0,
            "actionRename": info.parent is not None,
            "actionDelete": info.parent is not None,
            "actionApprove": info.parent is not None and info.status != "approved",
            "actionReopen": info.parent is not None and info.status == "approved",
            "actionCommit": info.parent is not None and info.changes > 0,
            "actionPaste": editable,
            "actionClear": editable,
        }
        for name, on in enabled.items():
            self.actions_by_name[name].setEnabled(on)
        self._refresh_summary()

    def _refresh_summary(self) -> None:
        info = self._workbench.info()
        state = "read-only, fork to edit" if info.parent is None else (
            "approved, read-only" if info.status == "approved" else "draft")
        text = f"{info.name} · {state}"
        if self._plan_text:
            text += f" · {self._plan_text}"
        self.summary.setText(text)

    def show_message(self, text: str) -> None:
        self.statusBar().showMessage(text, MESSAGE_MS)

    def open_sku(self, item_id: str, site_id: str) -> None:
        """Show one SKU's time-phased plan in the SKU detail tab."""
        self.show_tab("sku_detail")
        self.sku_detail.open_sku(item_id, site_id)

    def filter_workbook(self, column: str, value: str) -> None:
        """Show the workbook rows whose ``column`` reads ``value`` (from a chart click)."""
        self.tabs.setCurrentWidget(self.workbook)
        self.workbook.filter_column(column, value)

    # --- running an operation --------------------------------------------------------------

    def attempt(self, what: str, operation: Callable[[], object]) -> bool:
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

    def run_task(self, fn: Callable, text: str,
                 done: Callable[[object], None]) -> BackgroundTask:
        """Run ``fn(progress, cancelled)`` off the GUI thread with the progress bar shown."""
        task = BackgroundTask(fn, parent=self)
        self._tasks.append(task)

        def finished(result: object) -> None:
            self._tasks.remove(task)
            self.last_task_outcome = result
            done(result)
            task.deleteLater()

        def failed(error: BaseException) -> None:
            self._tasks.remove(task)
            self.last_task_outcome = error
            task.deleteLater()
            if isinstance(error, TaskCancelled):
                self.show_message(f"{text}: cancelled, nothing was written")
            elif isinstance(error, DataProblems):
                self.show_problems(f"{text}: refused",
                                   f"{len(error.problems):,} problems (below). Nothing was "
                                   "written; fix the files and try again.", error.lines())
            elif isinstance(error, WorkspaceError | OSError):
                tell(self, text, str(error))
            else:
                raise error

        task.sigFinished.connect(finished)
        task.sigFailed.connect(failed)
        self.progress.track(task, text)
        return task.start()

    def wait_for(self, task: BackgroundTask) -> object:
        """Wait (the event loop running) until ``task`` is done; its result or error."""
        if task.running:
            loop = QEventLoop()
            task.sigFinished.connect(loop.quit)
            task.sigFailed.connect(loop.quit)
            loop.exec()
        return self.last_task_outcome

    # --- Edit ------------------------------------------------------------------------------

    def undo(self) -> None:
        self.attempt("Undo", self._report(self._workbench.undo, "Undone"))

    def redo(self) -> None:
        self.attempt("Redo", self._report(self._workbench.redo, "Redone"))

    def _report(self, operation: Callable[[], Changed], verb: str) -> Callable[[], None]:
        def run() -> None:
            changed = operation()
            self.show_message(f"{verb} in '{changed.scenario}': {changed.description}")
        return run

    def copy(self) -> None:
        if self.tabs.currentWidget() is self.workbook:
            self.workbook.copy()
        else:
            self.show_message("Copy works on the workbook grid")

    def paste(self) -> None:
        if self.tabs.currentWidget() is self.workbook:
            self.workbook.paste()
        else:
            self.show_message("Paste works on the workbook grid")

    def clear_cells(self) -> None:
        if self.tabs.currentWidget() is self.workbook:
            self.workbook.clear_cells()

    def find(self) -> None:
        self.tabs.setCurrentWidget(self.workbook)
        self.workbook.filter_box.setFocus()
        self.workbook.filter_box.selectAll()

    # --- Scenario --------------------------------------------------------------------------

    def fork(self) -> None:
        parent = self._workbench.current
        name = self._ask_name("Fork scenario", f"Name of the new scenario on top of '{parent}':",
                              _unused_name({i.name for i in self._workbench.scenarios()}))
        if name:
            self.attempt("Fork", lambda: self._workbench.fork(name))

    def rename(self) -> None:
        old = self._workbench.current
        name = self._ask_name("Rename scenario", f"New name for '{old}':", old)
        if name and name != old:
            self.attempt("Rename", lambda: self._workbench.rename(name))

    def delete(self) -> None:
        info = self._workbench.info()
        question = f"Delete scenario '{info.name}'"
        question += f" and its {info.changes:,} changes?" if info.changes else "?"
        if self._confirm("Delete scenario", question):
            self.attempt("Delete", self._workbench.delete)

    def approve(self) -> None:
        self.attempt("Approve", self._workbench.approve)

    def reopen(self) -> None:
        self.attempt("Reopen", lambda: self._workbench.set_status("draft"))

    def commit_into_parent(self) -> None:
        info = self._workbench.info()
        if self._confirm("Commit into parent",
                         f"Move the {info.changes:,} changes of '{info.name}' into "
                         f"'{info.parent}'? '{info.name}' stays, with no changes of its own."):
            self.attempt("Commit", self._workbench.commit_into_parent)

    def _ask_name(self, title: str, label: str, text: str) -> str | None:
        name, ok = QInputDialog.getText(self, title, label, text=text)
        return name.strip() if ok and name.strip() else None

    def _confirm(self, title: str, question: str) -> bool:
        answer = QMessageBox.question(self, title, question)
        return answer == QMessageBox.StandardButton.Yes

    # --- Help ------------------------------------------------------------------------------

    def data_format(self) -> TextDialog:
        dialog = TextDialog("Echelon data format", data_format_html(), self)
        dialog.open()
        return dialog

    def about(self) -> None:
        QMessageBox.about(self, "About Echelon",
                          f"<b>Echelon {__version__}</b><p>Offline inventory scenario planning: "
                          "import your planning data, fork what-if scenarios, edit them in the "
                          "workbook, compare them on the scorecard, approve one and export it "
                          "for the ERP.</p><p>Demo demand history: UCI Sales Transactions "
                          "Dataset Weekly (CC BY 4.0).</p>")


class _LazyTab(QWidget):
    """A tab page that makes its real widget the first time it is needed."""

    def __init__(self, factory: Callable[[], QWidget]) -> None:
        super().__init__()
        self._factory = factory
        self.widget: QWidget | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)

    def build(self) -> QWidget:
        if self.widget is None:
            self.widget = self._factory()
            self.layout().addWidget(self.widget)
        return self.widget


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
