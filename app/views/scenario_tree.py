"""The scenario tree: every scenario with its status and number of changes; click to look at one."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import (
    QAction,
    QBrush,
    QColor,
    QContextMenuEvent,
    QStandardItem,
    QStandardItemModel,
)
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QMenu, QTreeView, QWidget

from app.models.store import ScenarioInfo
from app.views.relay import listen
from app.workbench import Changed, Workbench, WorkspaceError

#: the role holding a row's scenario name
NAME_ROLE = Qt.ItemDataRole.UserRole + 1

HEADERS = ("Scenario", "Status", "Changes")


class ScenarioTreeModel(QStandardItemModel):
    """Scenarios as a tree (children under their parent): name, status, changes."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(0, len(HEADERS), parent)
        self.setHorizontalHeaderLabels(list(HEADERS))

    def refresh(self, infos: Sequence[ScenarioInfo]) -> None:
        """Rebuild from the store's listing (tree order: parents before children)."""
        self.removeRows(0, self.rowCount())
        parents: dict[str, QStandardItem] = {}
        for info in infos:
            name = QStandardItem(info.name)
            name.setData(info.name, NAME_ROLE)
            name.setToolTip(f"{info.name}: {info.status}, {info.changes} changes"
                            + (f", {info.undone} undone (redo)" if info.undone else ""))
            status = QStandardItem(info.status if info.parent else "baseline")
            if info.status == "approved" and info.parent:
                status.setForeground(QBrush(QColor("#1B6E35")))
            changes = QStandardItem(f"{info.changes:,}")
            changes.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            row = [name, status, changes]
            for item in row:
                item.setEditable(False)
            owner = parents.get(info.parent) if info.parent else None
            (owner or self.invisibleRootItem()).appendRow(row)
            parents[info.name] = name

    def index_of(self, name: str) -> QModelIndex:
        """The first-column index of scenario ``name`` (invalid when absent)."""
        found = self.match(self.index(0, 0), NAME_ROLE, name, 1,
                           Qt.MatchFlag.MatchExactly | Qt.MatchFlag.MatchRecursive)
        return found[0] if found else QModelIndex()


class ScenarioTree(QTreeView):
    """The tree view; selecting a row makes that scenario the workbench's current one."""

    def __init__(self, workbench: Workbench, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("scenarioTree")
        self._workbench = workbench
        self._model = ScenarioTreeModel(self)
        self._syncing = False
        self.setModel(self._model)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setUniformRowHeights(True)
        self.setIndentation(14)
        self.setAlternatingRowColors(True)
        header = self.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in (1, 2):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.selectionModel().currentRowChanged.connect(self._on_current_row)
        self._context_actions: list[QAction | None] = []
        self.context_menu: QMenu | None = None
        listen(workbench, self, self._on_changed)
        self._reload()

    def set_context_actions(self, actions: Sequence[QAction | None]) -> None:
        """The right-click menu: these actions (None: a separator), on the row clicked."""
        self._context_actions = list(actions)

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:  # noqa: N802
        """Right-click: make the row under the pointer current, then offer the actions."""
        index = self.indexAt(event.pos())
        if index.isValid():
            self.setCurrentIndex(index.siblingAtColumn(0))
        menu = QMenu(self)
        menu.setObjectName("scenarioMenu")
        for action in self._context_actions:
            if action is None:
                menu.addSeparator()
            else:
                menu.addAction(action)
        self.context_menu = menu
        menu.popup(event.globalPos())

    @property
    def scenario_model(self) -> ScenarioTreeModel:
        return self._model

    def _reload(self) -> None:
        self._syncing = True  # rebuilding moves the current row: not a user's choice
        try:
            self._model.refresh(self._workbench.scenarios())
            self.expandAll()
            self.setCurrentIndex(self._model.index_of(self._workbench.current))
        finally:
            self._syncing = False

    def _show_current(self) -> None:
        index = self._model.index_of(self._workbench.current)
        if index != self.currentIndex():
            self._syncing = True
            try:
                self.setCurrentIndex(index)
            finally:
                self._syncing = False

    def _on_changed(self, changed: Changed) -> None:
        if changed.tree:
            self._reload()
        elif changed.kind == "select":
            self._show_current()

    def _on_current_row(self, current: QModelIndex, _previous: QModelIndex) -> None:
        name = current.siblingAtColumn(0).data(NAME_ROLE)
        if name and not self._syncing:
            try:
                self._workbench.select(name)
            except WorkspaceError:  # deleted by another process meanwhile
                self._reload()

    def select_scenario(self, name: str) -> None:
        """Select the row of ``name`` as a click would (the workbench follows)."""
        self.setCurrentIndex(self._model.index_of(name))
