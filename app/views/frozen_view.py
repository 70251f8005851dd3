"""A table view whose first columns stay in place when the rest scroll sideways.

A second ``QTableView`` sharing the model and the selection model lies over the left edge of
the main view's viewport and shows only the frozen columns; the two scroll together vertically
and keep the same column widths. (The usual Qt way of freezing columns.) A thin line marks its
right edge: a widget of its own, not a style sheet on the overlay (a style sheet sends every
cell of it through the style-sheet style, which made each repaint of the grid a third slower).
"""

from __future__ import annotations

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QPoint, Qt, Signal
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QAbstractItemView, QFrame, QHeaderView, QTableView, QWidget

#: the line between the frozen columns and the rest
EDGE_COLOUR = "#9aa7b4"


class FrozenTableView(QTableView):
    """``QTableView`` with ``frozen`` leading columns kept visible on horizontal scroll."""

    #: sigHeaderMenu(global_pos: QPoint): the user asked for the column menu on a header
    sigHeaderMenu = Signal(QPoint)  # noqa: N815

    def __init__(self, frozen: int = 2, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._frozen = frozen
        self.frozen_view = QTableView(self)
        self.frozen_view.setObjectName("frozenColumns")
        self.frozen_view.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.frozen_view.verticalHeader().hide()
        self.frozen_view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.frozen_view.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.frozen_view.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.frozen_view.setFrameShape(QFrame.Shape.NoFrame)
        self._edge = QWidget(self)
        self._edge.setObjectName("frozenEdge")
        palette = self._edge.palette()
        palette.setColor(QPalette.ColorRole.Window, QColor(EDGE_COLOUR))
        self._edge.setPalette(palette)
        self._edge.setAutoFillBackground(True)
        self.frozen_view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        for header in (self.horizontalHeader(), self.frozen_view.horizontalHeader()):
            header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
            header.customContextMenuRequested.connect(
                lambda pos, h=header: self.sigHeaderMenu.emit(h.mapToGlobal(pos)))
        self.horizontalHeader().sectionResized.connect(self._on_section_resized)
        self.verticalHeader().sectionResized.connect(
            lambda row, _old, size: self.frozen_view.setRowHeight(row, size))
        self.frozen_view.verticalScrollBar().valueChanged.connect(
            self.verticalScrollBar().setValue)
        self.verticalScrollBar().valueChanged.connect(
            self.frozen_view.verticalScrollBar().setValue)

    def setModel(self, model: QAbstractItemModel | None) -> None:  # noqa: N802
        super().setModel(model)
        self.frozen_view.setModel(model)
        self.frozen_view.setSelectionModel(self.selectionModel())
        if model is not None:
            for signal in (model.modelReset, model.layoutChanged, model.columnsInserted,
                           model.columnsRemoved):
                signal.connect(self.sync_columns)
        self.sync_columns()

    def setSortingEnabled(self, enable: bool) -> None:  # noqa: N802
        super().setSortingEnabled(enable)
        # start unsorted, like the main view (enabling sorts by the indicator's column)
        self.frozen_view.horizontalHeader().setSortIndicator(
            self.horizontalHeader().sortIndicatorSection(),
            self.horizontalHeader().sortIndicatorOrder())
        self.frozen_view.setSortingEnabled(enable)

    def sync_columns(self, *_args: object) -> None:
        """Show the frozen columns (only) in the overlay, as wide as in the main view."""
        model = self.model()
        if model is None:
            return
        self.frozen_view.verticalHeader().setDefaultSectionSize(
            self.verticalHeader().defaultSectionSize())
        for column in range(model.columnCount()):
            frozen = column < self._frozen
            self.frozen_view.setColumnHidden(column, not frozen)
            if frozen:
                self.frozen_view.setColumnWidth(column, self.columnWidth(column))
        self._place()

    def _on_section_resized(self, column: int, _old: int, size: int) -> None:
        if column < self._frozen:
            self.frozen_view.setColumnWidth(column, size)
            self._place()

    def resizeEvent(self, event) -> None:  # noqa: ANN001, N802
        super().resizeEvent(event)
        self._place()

    def _place(self) -> None:
        width = sum(self.columnWidth(c) for c in range(self._frozen)
                    if not self.isColumnHidden(c))
        left, height = (self.verticalHeader().width() + self.frameWidth(),
                        self.viewport().height() + self.horizontalHeader().height())
        self.frozen_view.setGeometry(left, self.frameWidth(), width, height)
        self.frozen_view.setVisible(width > 0)
        self._edge.setGeometry(left + width - 1, self.frameWidth(), 1, height)
        self._edge.setVisible(width > 0)
        self._edge.raise_()

    def moveCursor(self, action: QAbstractItemView.CursorAction,  # noqa: N802
                   modifiers: Qt.KeyboardModifier) -> QModelIndex:
        current = super().moveCursor(action, modifiers)
        frozen_width = self.frozen_view.width()
        if (action == QAbstractItemView.CursorAction.MoveLeft and current.column() >= self._frozen
                and self.visualRect(current).topLeft().x() < frozen_width):
            scroll = (self.horizontalScrollBar().value() + self.visualRect(current).topLeft().x()
                      - frozen_width)
            self.horizontalScrollBar().setValue(scroll)
        return current

    def scrollTo(self, index: QModelIndex,  # noqa: N802
                 hint: QAbstractItemView.ScrollHint = QAbstractItemView.ScrollHint.EnsureVisible,
                 ) -> None:
        if index.column() >= self._frozen:
            super().scrollTo(index, hint)
            return
        sideways = self.horizontalScrollBar().value()  # frozen columns are always in view
        super().scrollTo(index, hint)
        self.horizontalScrollBar().setValue(sideways)
