"""The Workbook tab: one table of the current scenario in an editable, sortable, filterable grid."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QTableView,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from app.models.contract import TABLE_NAMES, TABLES_BY_NAME
from app.views.frame_model import FrameFilterProxy, FrameModel
from app.views.relay import listen
from app.workbench import Changed, DataProblems, Workbench, WorkspaceError

DEFAULT_TABLE = "skus"
#: rows sampled when fitting column widths to their contents
_WIDTH_SAMPLE_ROWS = 200
_MAX_COLUMN_WIDTH = 320
#: the filter applies this long after the last key stroke (typing stays fluid on big tables)
_FILTER_DELAY_MS = 150


class WorkbookView(QWidget):
    """Table chooser, filter box and the grid over ``FrameModel``; edits go to the workbench."""

    #: sigMessage(text: str): something to tell the user (an edit applied or refused)
    sigMessage = Signal(str)  # noqa: N815

    def __init__(self, workbench: Workbench, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("workbookView")
        self._workbench = workbench
        self.model = FrameModel(self)
        self.proxy = FrameFilterProxy(self.model, self)
        self.model.sigEditRefused.connect(self._show_refusal)

        self.table_chooser = QComboBox(objectName="tableChooser")
        self.table_chooser.addItems(list(TABLE_NAMES))
        self.table_chooser.setCurrentText(DEFAULT_TABLE)
        self.table_chooser.setToolTip("Table of the planning data to show")
        self.filter_box = QLineEdit(objectName="filterBox")
        self.filter_box.setPlaceholderText("Filter rows: item, site, description…")
        self.filter_box.setClearButtonEnabled(True)
        self.row_count = QLabel(objectName="rowCount")
        widest = self.fontMetrics().horizontalAdvance("100,000 of 100,000 rows")
        self.row_count.setMinimumWidth(widest)
        self.row_count.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.grid = self._make_grid()

        bar = QHBoxLayout()
        bar.addWidget(QLabel("Table"))
        bar.addWidget(self.table_chooser)
        bar.addSpacing(12)
        bar.addWidget(self.filter_box, 1)
        bar.addWidget(self.row_count)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(bar)
        layout.addWidget(self.grid, 1)

        self.table_chooser.currentTextChanged.connect(self._on_table_chosen)
        self._filter_timer = QTimer(self, singleShot=True, interval=_FILTER_DELAY_MS)
        self._filter_timer.timeout.connect(self._apply_filter)
        self.filter_box.textChanged.connect(self._filter_timer.start)
        listen(workbench, self, self._on_changed)
        self.reload(fit=True)

    def _make_grid(self) -> QTableView:
        grid = QTableView(objectName="workbookTable")
        grid.setModel(self.proxy)
        grid.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        grid.setSortingEnabled(True)  # rows start in the data's own order
        grid.setAlternatingRowColors(True)
        grid.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        grid.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                             | QAbstractItemView.EditTrigger.EditKeyPressed
                             | QAbstractItemView.EditTrigger.AnyKeyPressed)
        grid.verticalHeader().setDefaultSectionSize(grid.fontMetrics().height() + 8)
        grid.verticalHeader().setVisible(False)
        grid.horizontalHeader().setHighlightSections(False)
        grid.horizontalHeader().setResizeContentsPrecision(_WIDTH_SAMPLE_ROWS)
        return grid

    @property
    def table_name(self) -> str:
        return self.table_chooser.currentText()

    def reload(self, fit: bool = False) -> None:
        """Show the chosen table of the current scenario (read through the workbench cache)."""
        name = self.table_name
        frame = self._workbench.frames([name])[name]
        editable = self._workbench.is_editable()
        self.model.on_edit = self._apply_edit if editable else None
        self.model.set_frame(frame, TABLES_BY_NAME[name])  # keeps the filter text
        if fit:
            self._fit_columns()
        self._show_count()

    def _fit_columns(self) -> None:
        self.grid.resizeColumnsToContents()
        header = self.grid.horizontalHeader()
        for column in range(header.count()):
            if header.sectionSize(column) > _MAX_COLUMN_WIDTH:
                header.resizeSection(column, _MAX_COLUMN_WIDTH)

    def _show_count(self) -> None:
        shown, total = self.proxy.rowCount(), self.model.rowCount()
        self.row_count.setText(f"{total:,} rows" if shown == total else
                               f"{shown:,} of {total:,} rows")

    def _on_table_chosen(self, _name: str) -> None:
        self.reload(fit=True)
        self.grid.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)

    def _apply_filter(self) -> None:
        self.proxy.set_filter_text(self.filter_box.text())
        self._show_count()

    def _on_changed(self, changed: Changed) -> None:
        if self.table_name in changed.tables:
            self.reload(fit=changed.kind in ("open", "select"))
        elif changed.kind == "status":
            self.model.on_edit = self._apply_edit if self._workbench.is_editable() else None
            self.grid.viewport().update()

    # --- editing ---------------------------------------------------------------------------

    def _apply_edit(self, key: dict[str, str], column: str, text: str) -> str | None:
        """The model's ``on_edit``: the workbench parses, checks and applies, or refuses."""
        try:
            changed = self._workbench.edit_text(self.table_name, key, {column: text})
        except DataProblems as err:
            return "\n".join(p.message for p in err.problems)
        except WorkspaceError as err:
            return str(err)
        self.sigMessage.emit(f"{changed.scenario}: {changed.description}")
        return None

    def _show_refusal(self, row: int, column: int, message: str) -> None:
        index = self.proxy.mapFromSource(self.model.index(row, column))
        self.sigMessage.emit(f"Not changed: {message}")
        if index.isValid():
            rect = self.grid.visualRect(index)
            where = self.grid.viewport().mapToGlobal(rect.bottomLeft())
            QToolTip.showText(where, message, self.grid.viewport(), rect)

    def select_cell(self, key: dict[str, str], column: str) -> QModelIndex:
        """The grid index of the row with ``key`` and the column ``column`` (scrolled to)."""
        row = self.model.find_row(key)
        if row is None:
            return QModelIndex()
        index = self.proxy.mapFromSource(
            self.model.index(row, self.model.column_names().index(column)))
        if index.isValid():
            self.grid.setCurrentIndex(index)
            self.grid.scrollTo(index)
        return index
