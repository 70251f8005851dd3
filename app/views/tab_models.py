"""Read-mostly Qt table models over numpy arrays, for the plan tabs (DRP, exceptions, SKU detail).

``ColumnsModel`` shows a list of equally long column arrays (a table of records: exceptions,
transfers, measures per DC); ``PeriodGridModel`` shows a block of time-phased rows (rows x
periods) with a few label columns in front. Neither holds per-cell objects: ``data()`` indexes
the arrays and formats only the cells Qt asks for. Sorting and filtering reorder a row index
array with numpy.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd
from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QBrush, QColor, QFont

from app.views.formatting import fmt_date, fmt_money, fmt_number, fmt_percent, fmt_quantity
from app.views.frame_model import EditableTableModel

Index = QModelIndex | QPersistentModelIndex
ColumnKind = Literal["text", "number", "quantity", "money", "percent", "date"]

DISPLAY = Qt.ItemDataRole.DisplayRole
#: the raw value of a cell (float, str), for tests and for callers that act on a row
RAW = Qt.ItemDataRole.UserRole
_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
_LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter


@dataclass
class TableColumn:
    """One column of a ``ColumnsModel``: header, values and how to show them."""

    header: str
    values: np.ndarray
    kind: ColumnKind = "text"
    decimals: int = 0
    tooltip: str = ""
    #: optional text colour per value (e.g. severity), looked up by the shown text
    colours: dict[str, str] = field(default_factory=dict)
    #: optional numbers to sort by instead of the values (e.g. period numbers for dates)
    sort_key: np.ndarray | None = None

    def text(self, row: int, currency: str) -> str:
        value = self.values[row]
        if self.kind == "text":
            return "" if value is None or (isinstance(value, float) and np.isnan(value)) \
                else str(value)
        if self.kind == "number":
            return fmt_number(value, self.decimals)
        if self.kind == "quantity":
            return fmt_quantity(value)
        if self.kind == "money":
            return fmt_money(value, currency, self.decimals)
        if self.kind == "percent":
            return fmt_percent(value, self.decimals or 1)
        return fmt_date(value)


class ColumnsModel(QAbstractTableModel):
    """Rows of equally long column arrays, shown in a chosen subset and order."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._columns: list[TableColumn] = []
        self._subset = np.arange(0)
        self._rows = np.arange(0)
        self._sorted_by: tuple[int, Qt.SortOrder] | None = None
        self.currency = "USD"

    # --- content ---------------------------------------------------------------------------

    def set_columns(self, columns: Sequence[TableColumn], currency: str = "USD",
                    subset: np.ndarray | None = None) -> None:
        """Show ``columns`` (all rows, or the ``subset`` of row numbers); the sort stays."""
        self.beginResetModel()
        self._columns = list(columns)
        self.currency = currency
        n = len(self._columns[0].values) if self._columns else 0
        self._subset = np.arange(n) if subset is None else np.asarray(subset, dtype=np.int64)
        self._rows = self._ordered(self._subset)
        self.endResetModel()

    def set_subset(self, subset: np.ndarray) -> None:
        """Show only the rows ``subset`` (numbers into the column arrays), in the sort order."""
        self.beginResetModel()
        self._subset = np.asarray(subset, dtype=np.int64)
        self._rows = self._ordered(self._subset)
        self.endResetModel()

    def source_row(self, row: int) -> int:
        """The array row shown at model row ``row``."""
        return int(self._rows[row])

    def shown_rows(self) -> np.ndarray:
        """The array rows shown, in their shown order."""
        return self._rows

    def column_index(self, header: str) -> int:
        return [c.header for c in self._columns].index(header)

    def column(self, header: str) -> TableColumn:
        return self._columns[self.column_index(header)]

    # --- Qt model interface ----------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._columns)

    def data(self, index: Index, role: int = DISPLAY) -> object:
        if not index.isValid():
            return None
        column = self._columns[index.column()]
        row = int(self._rows[index.row()])
        if role == DISPLAY:
            return column.text(row, self.currency)
        if role == RAW:
            value = column.values[row]
            return value.item() if isinstance(value, np.generic) else value
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _LEFT if column.kind == "text" else _RIGHT
        if role == Qt.ItemDataRole.ForegroundRole and column.colours:
            colour = column.colours.get(column.text(row, self.currency))
            return QBrush(QColor(colour)) if colour else None
        if role == Qt.ItemDataRole.ToolTipRole and column.header == "message":
            return column.text(row, self.currency)
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = DISPLAY) -> object:
        if orientation == Qt.Orientation.Vertical or section >= len(self._columns):
            return None
        column = self._columns[section]
        if role == DISPLAY:
            return column.header
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _LEFT if column.kind == "text" else _RIGHT
        if role == Qt.ItemDataRole.ToolTipRole and column.tooltip:
            return column.tooltip
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Order the shown rows by one column (stable; missing values last)."""
        self._sorted_by = (column, order) if 0 <= column < len(self._columns) else None
        self.layoutAboutToBeChanged.emit()
        self._rows = self._ordered(self._subset)
        self.layoutChanged.emit()

    def _ordered(self, subset: np.ndarray) -> np.ndarray:
        if self._sorted_by is None or not len(subset):
            return subset
        column, order = self._sorted_by
        spec = self._columns[column]
        if spec.sort_key is not None:
            keys = pd.Series(spec.sort_key[subset].astype(float))
        elif spec.kind == "text":
            keys = pd.Series(spec.values[subset], dtype=object).astype(str).str.casefold()
        else:
            keys = pd.Series(spec.values[subset].astype(float))
        ranks = keys.reset_index(drop=True).sort_values(
            ascending=order == Qt.SortOrder.AscendingOrder, kind="stable",
            na_position="last").index.to_numpy()
        return subset[ranks]


#: on_edit(row, period, text) -> error message, or None when the edit was applied
GridEdit = Callable[[int, int, str], str | None]


class PeriodGridModel(EditableTableModel):
    """Time-phased rows: label columns, then one column per period (``values[row, t]``)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._labels: list[tuple[str, np.ndarray]] = []
        self._values = np.zeros((0, 0))
        self._headers: list[str] = []
        self._tooltips: list[str] = []
        self._format: Callable[[int, float], str] = lambda _row, v: fmt_number(v)
        self._shaded = np.zeros(0, dtype=bool)
        self._bold = np.zeros(0, dtype=bool)
        self._group = 1
        self.editable_rows: frozenset[int] = frozenset()
        self.on_edit: GridEdit | None = None
        #: edit_value(row, t) -> the text an editor starts with (None: the shown number)
        self.edit_value: Callable[[int, int], str | None] | None = None
        #: cell_tooltip(row, t) -> extra text for a cell (None: none)
        self.cell_tooltip: Callable[[int, int], str | None] | None = None

    def set_grid(self, labels: Sequence[tuple[str, np.ndarray]], values: np.ndarray,
                 headers: Sequence[str], tooltips: Sequence[str] = (),
                 fmt: Callable[[int, float], str] | None = None,
                 shaded: np.ndarray | None = None, bold: np.ndarray | None = None,
                 group: int = 1) -> None:
        """Show ``values`` (rows x periods) under ``headers``, with ``labels`` in front.

        ``fmt(row, value)`` makes a cell's text; ``shaded`` marks rows drawn on a tinted
        background (alternate SKU groups), ``bold`` rows in bold. Rows come in groups of
        ``group`` (one SKU's measures): every label but the last shows on a group's first row.
        """
        self._group = max(group, 1)
        same_shape = (values.shape == self._values.shape and list(headers) == self._headers
                      and [name for name, _ in labels] == [name for name, _ in self._labels])
        rows = values.shape[0]
        if same_shape and all(np.array_equal(a, b) for (_, a), (_, b)
                              in zip(labels, self._labels, strict=True)):
            self._values = values
            self._labels = list(labels)
            if fmt is not None:
                self._format = fmt
            if rows and self.columnCount():
                self.dataChanged.emit(self.index(0, 0),
                                      self.index(rows - 1, self.columnCount() - 1))
            return
        self.beginResetModel()
        self._labels = list(labels)
        self._values = values
        self._headers = list(headers)
        self._tooltips = list(tooltips)
        if fmt is not None:
            self._format = fmt
        self._shaded = np.zeros(rows, dtype=bool) if shaded is None else shaded
        self._bold = np.zeros(rows, dtype=bool) if bold is None else bold
        self.endResetModel()

    @property
    def label_count(self) -> int:
        return len(self._labels)

    def value(self, row: int, t: int) -> float:
        return float(self._values[row, t])

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else self._values.shape[0]

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._labels) + self._values.shape[1]

    def data(self, index: Index, role: int = DISPLAY) -> object:
        if not index.isValid():
            return None
        row, column = index.row(), index.column()
        t = column - len(self._labels)
        if role == DISPLAY:
            if t < 0:
                if row % self._group and column < len(self._labels) - 1:
                    return ""
                return str(self._labels[column][1][row])
            return self._format(row, float(self._values[row, t]))
        if role == RAW:
            return str(self._labels[column][1][row]) if t < 0 else float(self._values[row, t])
        if role == Qt.ItemDataRole.EditRole and t >= 0:
            text = self.edit_value(row, t) if self.edit_value else None
            return text if text is not None else _plain(float(self._values[row, t]))
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _LEFT if t < 0 else _RIGHT
        if role == Qt.ItemDataRole.BackgroundRole:
            if t >= 0 and row in self.editable_rows and self.on_edit is not None:
                return QBrush(QColor("#fff8dc"))
            if self._shaded[row]:
                return QBrush(QColor("#f3f6fa"))
            return None
        if role == Qt.ItemDataRole.FontRole and self._bold[row]:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.ToolTipRole and t >= 0 and self.cell_tooltip is not None:
            return self.cell_tooltip(row, t)
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = DISPLAY) -> object:
        if orientation == Qt.Orientation.Vertical:
            return None
        t = section - len(self._labels)
        if role == DISPLAY:
            return self._labels[section][0] if t < 0 else self._headers[t]
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _LEFT if t < 0 else _RIGHT
        if role == Qt.ItemDataRole.ToolTipRole and t >= 0 and t < len(self._tooltips):
            return self._tooltips[t]
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if (index.isValid() and self.on_edit is not None and index.row() in self.editable_rows
                and index.column() >= len(self._labels)):
            return base | Qt.ItemFlag.ItemIsEditable
        return base

    def cell_text(self, index: Index) -> str:
        return str(self.data(index, Qt.ItemDataRole.EditRole))

    def apply_edit(self, index: Index, text: str) -> str | None:
        assert self.on_edit is not None  # flags() checked it
        return self.on_edit(index.row(), index.column() - len(self._labels), text)


def _plain(value: float) -> str:
    """A number as typed: no separators, no trailing zeros."""
    if value == int(value):
        return str(int(value))
    return f"{value:.4f}".rstrip("0").rstrip(".")
