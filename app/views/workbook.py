"""The Workbook tab: the planning workbook (one row per SKU) and the raw data tables.

The chooser's first entry is the planning workbook: each SKU's parameters (editable; each
edit a scenario change, marked against the parent scenario) beside its planned outcome, with
the key columns frozen on horizontal scroll and a column chooser on the header. The other
entries show one contract table each, every column editable, as imported. Both grids filter,
sort, and copy/paste rectangular ranges as TSV (a paste is one undo step, or refused whole).
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QModelIndex, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QStackedWidget,
    QTableView,
    QToolButton,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from app.engine.result import PlanResult
from app.models.contract import TABLE_NAMES, TABLES_BY_NAME
from app.views import clipboard
from app.views.frame_model import FrameModel
from app.views.frozen_view import FrozenTableView
from app.views.planning_model import (
    _PCT,
    COLUMNS,
    COLUMNS_BY_NAME,
    FROZEN,
    ChangeMarks,
    PlanningModel,
    build_grid,
    change_marks,
    percent_text,
)
from app.views.relay import listen
from app.workbench import Changed, DataProblems, Workbench, WorkspaceError

#: the chooser entry of the planning workbook (the other entries are contract tables)
PLANNING = "SKU planning"
DEFAULT_TABLE = PLANNING
#: rows sampled when fitting column widths to their contents
_WIDTH_SAMPLE_ROWS = 60
_MAX_COLUMN_WIDTH = 320
#: narrower caps for long texts of the planning workbook (the full text is in the tooltip)
_MAX_TEXT_WIDTH = {"end_items": 150, "description": 230, "responsible": 130}
#: the filter applies this long after the last key stroke (typing stays fluid on big tables)
_FILTER_DELAY_MS = 150
#: an edit shows together with its plan when the plan is expected within this many ms (one
#: grid refresh and paint instead of two), else at once, with the older plan's outcomes greyed
_SHOW_WITH_PLAN_MS = 150.0
_STEPS = frozenset({"edit", "undo", "redo"})
#: the tables the planning workbook reads its parameters from
_PARAMETER_TABLES = frozenset({"skus", "items"})


class WorkbookView(QWidget):
    """Chooser, filter box and the grid; edits and pastes go to the workbench."""

    #: sigMessage(text: str): something to tell the user (an edit applied or refused)
    sigMessage = Signal(str)  # noqa: N815
    #: sigOpenSku(item_id: str, site_id: str): the user asked for a SKU's detail
    sigOpenSku = Signal(str, str)  # noqa: N815
    #: sigProblems(title: str, summary: str, lines: list[str]): a refusal to list in full
    sigProblems = Signal(str, str, list)  # noqa: N815

    def __init__(self, workbench: Workbench, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("workbookView")
        self._workbench = workbench
        self._result: PlanResult | None = None
        self._hidden: set[str] = {c.name for c in COLUMNS if not c.shown}
        self._marks: ChangeMarks | None = None
        self._marks_of: tuple[object, ...] | None = None
        self._fitted = False

        self.planning_model = PlanningModel(self)
        self.raw_model = FrameModel(self)
        for model in (self.planning_model, self.raw_model):
            model.sigEditRefused.connect(self._show_refusal)

        self.table_chooser = QComboBox(objectName="tableChooser")
        self.table_chooser.addItems([PLANNING, *TABLE_NAMES])
        self.table_chooser.setCurrentText(DEFAULT_TABLE)
        self.table_chooser.setToolTip("The planning workbook, or one table of the planning data")
        self.filter_box = QLineEdit(objectName="filterBox")
        self.filter_box.setPlaceholderText("Filter rows: part, site, description, planner…")
        self.filter_box.setClearButtonEnabled(True)
        self.column_filter_chip = QToolButton(objectName="columnFilterChip")
        self.column_filter_chip.setToolTip("Rows are filtered by this value; click to show all")
        self.column_filter_chip.hide()
        self.columns_button = QToolButton(objectName="columnChooserButton", text="Columns")
        self.columns_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.columns_button.setToolTip("Choose the columns to show (also: right-click a header)")
        self.columns_menu = QMenu(self.columns_button, objectName="columnChooser")
        self.columns_menu.aboutToShow.connect(self._fill_columns_menu)
        self.columns_button.setMenu(self.columns_menu)
        self.row_count = QLabel(objectName="rowCount")
        widest = self.fontMetrics().horizontalAdvance("100,000 of 100,000 rows")
        self.row_count.setMinimumWidth(widest)
        self.row_count.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)

        self.planning_grid = FrozenTableView(FROZEN)
        self.planning_grid.setObjectName("workbookTable")
        self._setup_grid(self.planning_grid, self.planning_model)
        self.planning_grid.sigHeaderMenu.connect(self._show_columns_menu)
        self.raw_grid = QTableView(objectName="dataTable")
        self._setup_grid(self.raw_grid, self.raw_model)
        self.stack = QStackedWidget(objectName="workbookStack")
        self.stack.addWidget(self.planning_grid)
        self.stack.addWidget(self.raw_grid)

        bar = QHBoxLayout()
        bar.addWidget(QLabel("Show"))
        bar.addWidget(self.table_chooser)
        bar.addSpacing(12)
        bar.addWidget(self.filter_box, 1)
        bar.addWidget(self.column_filter_chip)
        bar.addWidget(self.columns_button)
        bar.addWidget(self.row_count)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(bar)
        layout.addWidget(self.stack, 1)

        self.table_chooser.currentTextChanged.connect(self._on_table_chosen)
        self._filter_timer = QTimer(self, singleShot=True, interval=_FILTER_DELAY_MS)
        self._filter_timer.timeout.connect(self._apply_filter)
        self.filter_box.textChanged.connect(self._filter_timer.start)
        self.column_filter_chip.clicked.connect(lambda: self.filter_column(None, ""))
        self.planning_model.modelReset.connect(self._apply_hidden)
        self.planning_grid.doubleClicked.connect(self._on_double_click)
        self._refresh_timer = QTimer(self, singleShot=True, interval=0)
        self._refresh_timer.timeout.connect(self.reload)  # (an edit shows before its plan)
        listen(workbench, self, self._on_changed)
        self._show_mode()  # (the grid fills with the first plan, or when asked: ``reload``)

    def _setup_grid(self, grid: QTableView, model: FrameModel) -> None:
        grid.setModel(model)
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
        if isinstance(grid, FrozenTableView):
            grid.sync_columns()

    # --- which grid ------------------------------------------------------------------------

    @property
    def table_name(self) -> str:
        """``PLANNING`` or the contract table shown."""
        return self.table_chooser.currentText()

    @property
    def planning(self) -> bool:
        return self.table_name == PLANNING

    @property
    def model(self) -> FrameModel:
        """The model of the grid shown."""
        return self.planning_model if self.planning else self.raw_model

    @property
    def grid(self) -> QTableView:
        return self.planning_grid if self.planning else self.raw_grid

    def _show_mode(self) -> None:
        self.stack.setCurrentWidget(self.grid)
        self.columns_button.setVisible(self.planning)
        self.column_filter_chip.setVisible(self.planning
                                           and self.planning_model.column_filter is not None)

    # --- content ---------------------------------------------------------------------------

    def show_plan(self, result: PlanResult) -> None:
        """The current scenario's latest plan: the outcome columns follow it."""
        self._result = result
        if self.planning:
            self._refresh_planning()

    def reload(self, fit: bool = False) -> None:
        """Show the chosen grid for the current scenario (read through the workbench cache)."""
        editable = self._workbench.is_editable()
        if self.planning:
            self._refresh_planning(fit)
            return
        name = self.table_name
        frame = self._workbench.frames([name])[name]
        self.raw_model.on_edit = self._apply_raw_edit if editable else None
        self.raw_model.set_frame(frame, TABLES_BY_NAME[name])  # keeps the filter text
        if fit:
            self._fit_columns()
        self._show_count()

    def flush(self) -> None:
        """Apply a refresh that is waiting for the event loop (tests, before reading cells)."""
        if self._refresh_timer.isActive():
            self._refresh_timer.stop()
            self.reload()

    def stop(self) -> None:
        """Drop refreshes still waiting for the event loop (the window is closing: the
        workspace may be closed before they would run)."""
        self._refresh_timer.stop()
        self._filter_timer.stop()

    def _refresh_planning(self, fit: bool = False) -> None:
        self._refresh_timer.stop()
        wb = self._workbench
        frames = wb.frames(["skus", "items"])
        result = self._result
        grid = build_grid(frames["skus"], frames["items"], result)
        parent = wb.info().parent
        marks = None
        if parent is not None:
            theirs = wb.frames(["skus", "items"], name=parent)
            inputs = (frames["skus"], frames["items"], theirs["skus"], theirs["items"], parent)
            if self._marks is not None and self._marks_of is not None and all(
                    a is b for a, b in zip(self._marks_of, inputs, strict=True)):
                marks = self._marks  # a new plan only: the parameters did not move
            else:
                marks = change_marks(grid, parent, theirs["skus"], theirs["items"])
            self._marks_of = inputs
        self._marks = marks
        stale = result is None or wb.cached_plan() is not result
        self.planning_model.on_edit = self._apply_planning_edit if wb.is_editable() else None
        self.planning_model.set_grid(grid, marks, stale)
        if fit or not self._fitted:
            self._fit_columns()  # (fitted for good once the outcome columns are there too)
            self._fitted = self.planning_model.rowCount() > 0 and result is not None
        self._show_count()

    def _fit_columns(self) -> None:
        """Widths from the header and a sample of rows (Qt's own fit measures every cell)."""
        grid, model = self.grid, self.model
        metrics = grid.fontMetrics()
        header = grid.horizontalHeader()
        bold = header.fontMetrics()
        rows = model.rowCount()
        sample = sorted({int(r) for r in np.linspace(0, rows - 1, min(rows, _WIDTH_SAMPLE_ROWS))}
                        ) if rows else []
        for column in range(model.columnCount()):
            if grid.isColumnHidden(column):
                continue
            title = str(model.headerData(column, Qt.Orientation.Horizontal) or "")
            widest = bold.horizontalAdvance(title) + 28  # room for the sort arrow
            for row in sample:
                text = model.index(row, column).data(Qt.ItemDataRole.DisplayRole) or ""
                widest = max(widest, metrics.horizontalAdvance(str(text)) + 14)
            cap = _MAX_TEXT_WIDTH.get(model.column_names()[column], _MAX_COLUMN_WIDTH) \
                if self.planning else _MAX_COLUMN_WIDTH
            header.resizeSection(column, min(widest, cap))
        if isinstance(grid, FrozenTableView):
            grid.sync_columns()

    def _show_count(self) -> None:
        shown, total = self.model.rowCount(), self.model.total_rows()
        noun = "SKUs" if self.planning else "rows"
        self.row_count.setText(f"{total:,} {noun}" if shown == total else
                               f"{shown:,} of {total:,} {noun}")
        if total == 0 and self.planning:
            self.row_count.setText("No SKUs yet")
            self.row_count.setToolTip("Import your planning data: File ▸ Import CSV folder")
        elif shown == 0:
            self.row_count.setToolTip("No row matches the filter: clear the filter box")
        else:
            self.row_count.setToolTip("")

    def _on_table_chosen(self, _name: str) -> None:
        self._show_mode()
        self.model.set_filter_text(self.filter_box.text())
        self.reload(fit=True)
        self.grid.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)

    def _apply_filter(self) -> None:
        self.model.set_filter_text(self.filter_box.text())
        self._show_count()

    def filter_column(self, column: str | None, value: str) -> None:
        """Show the planning rows whose ``column`` reads ``value`` (None: all rows again)."""
        if column is not None and not self.planning:
            self.table_chooser.setCurrentText(PLANNING)
        if column is not None and column not in self.planning_model.column_names():
            self.sigMessage.emit(f"The workbook has no column '{column}' to filter by")
            return
        self.planning_model.set_column_filter(column, value)
        if column is not None:
            title = COLUMNS_BY_NAME[column].title
            self.column_filter_chip.setText(f"{title} = {value}  ✕")
        self._show_mode()
        self._show_count()

    def _on_changed(self, changed: Changed) -> None:
        if self.planning:
            if changed.tables & _PARAMETER_TABLES or changed.kind in ("status", "open"):
                expected = self._workbench.last_plan_ms  # a plan shown first stops the timer
                self._refresh_timer.start(int(expected) + 30 if changed.kind in _STEPS
                                          and expected < _SHOW_WITH_PLAN_MS else 0)
            if changed.kind in ("open", "select"):
                self._fitted = False
            return
        if self.table_name in changed.tables:
            self.reload(fit=changed.kind in ("open", "select"))
        elif changed.kind == "status":
            self.raw_model.on_edit = (self._apply_raw_edit if self._workbench.is_editable()
                                      else None)
            self.grid.viewport().update()

    # --- columns ---------------------------------------------------------------------------

    def hidden_columns(self) -> list[str]:
        """Names of the planning columns the user hid (kept in the settings)."""
        return sorted(self._hidden)

    def set_hidden_columns(self, names: list[str]) -> None:
        self._hidden = {n for n in names if n in COLUMNS_BY_NAME} - {"item_id", "site_id"}
        self._apply_hidden()

    def set_column_shown(self, name: str, shown: bool) -> None:
        """Show or hide one planning column (the key columns always show)."""
        if name in ("item_id", "site_id"):
            return
        (self._hidden.discard if shown else self._hidden.add)(name)
        self._apply_hidden()

    def _apply_hidden(self) -> None:
        for column, name in enumerate(self.planning_model.column_names()):
            self.planning_grid.setColumnHidden(column, name in self._hidden)
        self.planning_grid.sync_columns()

    def _fill_columns_menu(self) -> None:
        menu = self.columns_menu
        menu.clear()
        for name in self.planning_model.column_names()[FROZEN:]:
            action = QAction(COLUMNS_BY_NAME[name].title, menu, checkable=True)
            action.setChecked(name not in self._hidden)
            action.setToolTip(COLUMNS_BY_NAME[name].tip)
            action.toggled.connect(lambda on, n=name: self.set_column_shown(n, on))
            menu.addAction(action)
        menu.addSeparator()
        reset = menu.addAction("Default columns")
        reset.triggered.connect(lambda: self.set_hidden_columns(
            [c.name for c in COLUMNS if not c.shown]))

    def _show_columns_menu(self, where: QPoint) -> None:
        self._fill_columns_menu()
        self.columns_menu.popup(where)

    # --- editing ---------------------------------------------------------------------------

    def _apply_planning_edit(self, key: dict[str, str], column: str, text: str) -> str | None:
        table = COLUMNS_BY_NAME[column].table
        assert table is not None  # the model only edits parameter columns
        row_key = {"item_id": key["item_id"]} if table == "items" else key
        return self._apply_edit(table, row_key, column, text)

    def _apply_raw_edit(self, key: dict[str, str], column: str, text: str) -> str | None:
        return self._apply_edit(self.table_name, key, column, text)

    def _apply_edit(self, table: str, key: dict[str, str], column: str,
                    text: str) -> str | None:
        """The models' ``on_edit``: the workbench parses, checks and applies, or refuses."""
        try:
            changed = self._workbench.edit_text(table, key, {column: text})
        except DataProblems as err:
            return "\n".join(p.message for p in err.problems)
        except WorkspaceError as err:
            return str(err)
        self.sigMessage.emit(f"{changed.scenario}: {changed.description}")
        return None

    def _show_refusal(self, row: int, column: int, message: str) -> None:
        model = self.sender()
        grid = self.planning_grid if model is self.planning_model else self.raw_grid
        index = model.index(row, column)
        self.sigMessage.emit(f"Not changed: {message}")
        if index.isValid() and grid.isVisible():
            rect = grid.visualRect(index)
            where = grid.viewport().mapToGlobal(rect.bottomLeft())
            QToolTip.showText(where, message, grid.viewport(), rect)

    def _on_double_click(self, index: QModelIndex) -> None:
        if index.flags() & Qt.ItemFlag.ItemIsEditable:
            return
        key = self.planning_model.row_key(index.row())
        self.sigOpenSku.emit(key["item_id"], key["site_id"])

    def cell_index(self, key: dict[str, str], column: str) -> QModelIndex:
        """The grid index of the row with ``key`` and the column ``column`` (invalid: none)."""
        self.flush()
        model = self.model
        if self.planning:
            key = {k: key[k] for k in ("item_id", "site_id")}
        row = model.find_row(key)
        if row is None or column not in model.column_names():
            return QModelIndex()
        return model.index(row, model.column_names().index(column))

    def scroll_to_column(self, column: str) -> None:
        """Scroll sideways so ``column`` is the first one right of the frozen key columns."""
        names = self.model.column_names()
        if column not in names:
            return
        grid = self.grid
        frozen = sum(grid.columnWidth(c) for c in range(FROZEN)) if self.planning else 0
        x = grid.columnViewportPosition(names.index(column)) + grid.horizontalOffset()
        grid.horizontalScrollBar().setValue(max(0, x - frozen))

    def select_cell(self, key: dict[str, str], column: str) -> QModelIndex:
        """``cell_index``, made the current cell and scrolled to."""
        index = self.cell_index(key, column)
        if index.isValid():
            self.grid.setCurrentIndex(index)
            self.grid.scrollTo(index)
        return index

    # --- clipboard -------------------------------------------------------------------------

    def _visible_columns(self) -> list[int]:
        header = self.grid.horizontalHeader()
        return [header.logicalIndex(v) for v in range(header.count())
                if not header.isSectionHidden(header.logicalIndex(v))]

    def copy(self) -> str:
        """Put the selected range on the clipboard as TSV (cells as typed); returns it."""
        hidden = [c for c in range(self.model.columnCount()) if self.grid.isColumnHidden(c)]
        block = clipboard.selected_block(self.grid.selectionModel(), hidden)
        if block is None:
            return ""
        text = clipboard.copy_text(self.model, block)
        QGuiApplication.clipboard().setText(text)
        self.sigMessage.emit(f"Copied {len(block.rows):,} × {len(block.columns):,} cells")
        return text

    def paste(self, text: str | None = None) -> bool:
        """Paste TSV (the clipboard's by default) at the selection: one undo step, or nothing.

        A single copied cell fills the whole selection. Any bad cell refuses the whole paste,
        with every problem listed.
        """
        self.flush()
        cells = clipboard.parse_tsv(QGuiApplication.clipboard().text() if text is None
                                    else text)
        if not cells:
            self.sigMessage.emit("Nothing to paste: the clipboard holds no cells")
            return False
        model = self.model
        if model.on_edit is None:
            self.sigMessage.emit(f"Not pasted: '{self._workbench.current}' is read-only "
                                 "(fork it, or reopen it as a draft, to edit)")
            return False
        hidden = [c for c in range(model.columnCount()) if self.grid.isColumnHidden(c)]
        block = clipboard.selected_block(self.grid.selectionModel(), hidden)
        if block is None:
            self.sigMessage.emit("Not pasted: select the cell to paste at first")
            return False
        cells = clipboard.fill(cells, len(block.rows), len(block.columns))
        visible = self._visible_columns()
        columns = visible[visible.index(block.columns[0]):]
        edits, problems = clipboard.paste_edits(model, block.rows[0], columns, cells,
                                                self._target_of, self._clean)
        if not problems and not edits:
            self.sigMessage.emit("Pasted nothing: every cell already holds that value")
            return True
        if problems:  # list the bad values too, so one round of fixes is enough
            try:
                self._workbench.parse_rows(edits)
            except DataProblems as err:
                problems += err.lines()
        else:
            try:
                changed = self._workbench.edit_rows(edits)
            except DataProblems as err:
                problems = err.lines()
            except WorkspaceError as err:
                problems = [str(err)]
            else:
                cells_changed = sum(len(values) for _t, _k, values in edits)
                self.sigMessage.emit(f"Pasted {cells_changed:,} cells into {len(edits):,} rows "
                                     f"of '{changed.scenario}' (one undo step)")
                return True
        self.sigMessage.emit(f"Not pasted: {len(problems):,} problems; nothing was changed")
        self.sigProblems.emit("Paste refused",
                              "The paste was refused and nothing was changed:", problems)
        return False

    def clear_cells(self) -> bool:
        """Empty the selected parameter cells (they take their defaults): one undo step."""
        return self.paste("\n")

    def _target_of(self, source_row: int, column: int) -> tuple[str, dict[str, str]] | None:
        if self.planning:
            return self.planning_model.edit_target(source_row, column)
        name = self.raw_model.column_names()[column]
        table = TABLES_BY_NAME[self.table_name]
        if name in table.key:
            return None
        return self.table_name, self.raw_model.row_key(source_row)

    def _clean(self, column: int, text: str) -> str:
        if self.planning and self.planning_model.spec(column).pattern == _PCT:
            return percent_text(text)
        return text
