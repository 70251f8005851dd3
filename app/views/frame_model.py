"""A Qt table model over a pandas DataFrame: one numpy array per column, text made on demand.

``data()`` indexes the column arrays; there is no per-cell object and no per-row query. Display
text is formatted only for the cells Qt asks for; sorting orders a row permutation with
pandas/numpy, and the filter is one vectorised string search per text column (its lower-case
text kept once made). The model filters and sorts its rows itself (no proxy model between it
and the view: a proxy costs a third more per painted cell). The model knows nothing about
planning: an edit is passed as text to the ``on_edit`` callback, which answers with an error
message or None.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)

from app.models.contract import ColumnKind, Table
from app.models.values import format_text

#: on_edit(row_key, column, text) -> error message, or None when the edit was applied.
#: ``row_key`` maps each key column of the table to its text (dates as ISO).
EditCallback = Callable[[dict[str, str], str, str], str | None]

Index = QModelIndex | QPersistentModelIndex

_NUMBER = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
_TEXT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
_MAX_DECIMALS = 4
#: item data roles as plain ints (``data()`` compares them for every painted cell)
_DISPLAY = int(Qt.ItemDataRole.DisplayRole.value)
_EDIT = int(Qt.ItemDataRole.EditRole.value)
_ALIGNMENT = int(Qt.ItemDataRole.TextAlignmentRole.value)
_READ_ONLY = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
_EDITABLE = _READ_ONLY | Qt.ItemFlag.ItemIsEditable


@dataclass
class _Column:
    """One column: its name, kind and values as a numpy array; cell text is made on demand."""

    name: str
    kind: ColumnKind
    values: np.ndarray
    missing: np.ndarray
    _pattern: str | None = None
    _texts: np.ndarray | None = None
    _lowered: np.ndarray | None = None

    def __post_init__(self) -> None:
        #: numbers align right, everything else left (asked for every painted cell)
        self.is_number = self.kind in ("float", "int")
        self.alignment = _NUMBER if self.is_number else _TEXT

    def text(self, row: int) -> str:
        """One cell as shown: thousands separators, ISO dates, '' when missing."""
        if self.missing[row]:
            return ""
        value = self.values[row]
        if self.is_number:
            return (self._pattern or self.pattern()).format(value)
        if self.kind == "date":
            return str(value)[:10]
        if self.kind == "bool":
            return "true" if value else "false"
        return str(value)

    def pattern(self) -> str:
        """The format of a number cell (given, else the fewest decimals that show every
        value exactly, with thousands separators)."""
        if self._pattern is None:
            decimals = _decimals(self.values) if self.kind == "float" else 0
            self._pattern = f"{{:,.{decimals}f}}"
        return self._pattern

    def changed_rows(self, before: _Column) -> np.ndarray | None:
        """Per row, whether the cell may show other text than in ``before`` (the same
        column of an earlier version); None when any cell may (another kind or length, or
        numbers now shown with other decimals)."""
        if before.kind != self.kind or before.values.shape != self.values.shape:
            return None
        if self.is_number and before.pattern() != self.pattern():
            return None
        old, new = before.values, self.values
        if self.is_number:
            with np.errstate(invalid="ignore"):
                same = (old == new) | (np.isnan(old) & np.isnan(new))
        else:
            same = np.asarray(old == new, dtype=bool)  # (NaN, NaT: told changed)
        return ~same | (before.missing != self.missing)

    def texts(self) -> np.ndarray:
        """Every cell as shown, by frame row (made once; vectorised for text and dates)."""
        if self._texts is None:
            if self.kind == "date":
                texts = np.datetime_as_string(self.values, unit="D").astype(object)
            elif self.kind in ("text", "choice"):
                texts = self.values.copy()
            else:
                texts = np.array([self.text(r) for r in range(len(self.values))], dtype=object)
            texts[self.missing] = ""
            self._texts = texts
        return self._texts

    def lowered(self) -> np.ndarray:
        """Every cell as shown, lower case, as a numpy unicode array (for searching)."""
        if self._lowered is None:
            self._lowered = np.char.lower(self.texts().astype(str))
        return self._lowered


def _kind_of(series: pd.Series) -> ColumnKind:
    if pd.api.types.is_bool_dtype(series.dtype):
        return "bool"
    if pd.api.types.is_integer_dtype(series.dtype):
        return "int"
    if pd.api.types.is_float_dtype(series.dtype):
        return "float"
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        return "date"
    return "text"


def _column(name: str, kind: ColumnKind, series: pd.Series) -> _Column:
    missing = series.isna().to_numpy()
    if kind in ("float", "int"):
        values = series.to_numpy(dtype="float64", na_value=np.nan)
    elif kind == "date":
        values = series.to_numpy(dtype="datetime64[ns]")
    else:
        values = series.to_numpy(dtype=object)
    return _Column(name, kind, values, missing)


def make_column(name: str, kind: ColumnKind | None, values: pd.Series | np.ndarray,
                pattern: str | None = None) -> _Column:
    """One model column from values (kind None: told by the dtype); ``pattern`` formats
    numbers (``"{:.1%}"``)."""
    series = values if isinstance(values, pd.Series) else pd.Series(values)
    column = _column(name, kind or _kind_of(series), series)
    if pattern is not None:
        column._pattern = pattern
    return column


#: an update announces at most this many stretches of cells one by one (else whole columns)
MAX_CELL_RUNS = 256


def _cell_runs(rows: np.ndarray, columns: np.ndarray) -> list[tuple[int, int, int]]:
    """Changed cells (row, column pairs) as (row, first column, last column) stretches of
    neighbouring cells in one row, rows in order."""
    if not len(rows):
        return []
    order = np.lexsort((columns, rows))
    rows, columns = rows[order], columns[order]
    breaks = np.flatnonzero((np.diff(rows) != 0) | (np.diff(columns) != 1))
    first = np.concatenate([[0], breaks + 1])
    last = np.concatenate([breaks, [len(rows) - 1]])
    return list(zip(rows[first].tolist(), columns[first].tolist(), columns[last].tolist(),
                    strict=True))


def _spans(positions: Sequence[int]) -> list[tuple[int, int]]:
    """Runs of consecutive positions as (first, last): [1, 2, 3, 7] -> [(1, 3), (7, 7)]."""
    spans: list[tuple[int, int]] = []
    for p in sorted(positions):
        if spans and p == spans[-1][1] + 1:
            spans[-1] = (spans[-1][0], p)
        else:
            spans.append((p, p))
    return spans


def _decimals(values: np.ndarray) -> int:
    """The fewest decimals (up to 4) that show every value of a number column exactly."""
    finite = values[np.isfinite(values)]
    for d in range(_MAX_DECIMALS):
        if np.allclose(np.round(finite, d), finite, rtol=0.0, atol=10.0 ** -(d + 6)):
            return d
    return _MAX_DECIMALS


class EditableTableModel(QAbstractTableModel):
    """A table whose editable cells take typed text: ``setData`` hands it to ``apply_edit``
    (unless it reads as the cell already does) and says a refusal with ``sigEditRefused``."""

    #: sigEditRefused(row: int, column: int, message: str): an edit was not applied
    sigEditRefused = Signal(int, int, str)  # noqa: N815

    def cell_text(self, index: Index) -> str:
        """The cell as typed (an edit to the same text is no edit)."""
        raise NotImplementedError

    def apply_edit(self, index: Index, text: str) -> str | None:
        """Apply typed ``text`` to an editable cell: an error message, or None when applied."""
        raise NotImplementedError

    def setData(self, index: Index, value: object,  # noqa: N802
                role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or not (self.flags(index)
                                                    & Qt.ItemFlag.ItemIsEditable):
            return False
        text = "" if value is None else str(value)
        if text.strip() == self.cell_text(index):
            return False
        message = self.apply_edit(index, text)
        if message:
            self.sigEditRefused.emit(index.row(), index.column(), message)
            return False
        return True


class FrameModel(EditableTableModel):
    """Rows of one DataFrame; editable value columns when ``on_edit`` is set."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._columns: list[_Column] = []
        #: every frame row, in sort order
        self._sorted = np.arange(0)
        #: the frame row shown at each model row: the sorted rows that pass the filters
        self._order = np.arange(0)
        self._table: Table | None = None
        self._filter_mask: np.ndarray | None = None
        self._filter_text = ""
        self._column_filter: tuple[str, str] | None = None
        self._sorted_by: tuple[int, Qt.SortOrder] | None = None
        self.on_edit: EditCallback | None = None

    # --- content ---------------------------------------------------------------------------

    def set_frame(self, frame: pd.DataFrame, table: Table | None = None,
                  kinds: Mapping[str, ColumnKind] | None = None,
                  patterns: Mapping[str, str] | None = None) -> None:
        """Show ``frame``; ``table`` (its contract table) gives the kinds and the key columns.

        ``kinds`` names the kind of columns that are not in ``table`` (else the dtype tells);
        ``patterns`` a display format per number column (``"{:.1%}"``; else the fewest
        decimals that show every value). When only values changed (same columns, same keys
        in the same order) the rows stay where they are on screen, sorted or not; otherwise
        the model resets and re-sorts.
        """
        columns = []
        for name in frame.columns:
            name = str(name)
            if table is not None and table.has_column(name):
                kind = table.column(name).kind
            elif kinds is not None and name in kinds:
                kind = kinds[name]
            else:
                kind = _kind_of(frame[name])
            columns.append(make_column(name, kind, frame[name],
                                       patterns.get(name) if patterns else None))
        self.set_columns(columns, table)

    def set_columns(self, columns: list[_Column], table: Table | None = None,
                    changed: Sequence[int] | None = None,
                    restyled: Mapping[int, np.ndarray | None] | None = None) -> None:
        """Show ready-made columns (``make_column``); see ``set_frame``.

        ``changed``: when the rows stay, the positions of the columns that may read
        differently (the others are announced unchanged, and the views repaint less);
        None: any of them. Of a changed column only the cells whose text changed are
        announced (the views repaint those alone), and those ``restyled`` maps it to (a
        mask of the frame rows whose colours or marks changed; None: every row).
        """
        if self._same_rows(columns, table):
            before, self._columns = self._columns, columns
            rows = self.rowCount()
            if not rows or not self.columnCount():
                return
            if changed is None:
                self.dataChanged.emit(self.index(0, 0),
                                      self.index(rows - 1, self.columnCount() - 1))
                return
            self._announce(before, changed, restyled or {}, rows)
            return
        if table is not self._table:
            self._sorted_by = None
        self.beginResetModel()
        self._columns, self._table = columns, table
        self._sorted = (self._sort_order(*self._sorted_by) if self._sorted_by
                        else np.arange(self._frame_rows()))
        self._filter_mask = self._match(self._filter_text)
        self._order = self._shown()
        self.endResetModel()

    def _announce(self, before: list[_Column], changed: Sequence[int],
                  restyled: Mapping[int, np.ndarray | None], rows: int) -> None:
        """dataChanged for the cells of the ``changed`` columns that read or look
        differently from ``before``, stretch by stretch of a row, so that Qt repaints those
        cells alone (a range over many rows repaints the whole viewport); whole columns when
        that is unknown or the cells are too many."""
        whole, cell_rows, cell_columns = [], [np.zeros(0, np.int64)], [np.zeros(0, np.int64)]
        for column in changed:
            mask = None
            if column < len(before) and before[column].name == self._columns[column].name:
                mask = self._columns[column].changed_rows(before[column])
            if mask is not None and column in restyled:
                looks = restyled[column]
                mask = None if looks is None or looks.shape != mask.shape else mask | looks
            if mask is None:
                whole.append(column)
                continue
            shown = np.flatnonzero(mask[self._order])
            cell_rows.append(shown)
            cell_columns.append(np.full(len(shown), column))
        cells = np.concatenate(cell_columns)
        runs = _cell_runs(np.concatenate(cell_rows), cells)
        if len(runs) > MAX_CELL_RUNS:
            whole, runs = sorted({*whole, *cells.tolist()}), []
        for first, last in _spans(whole):
            self.dataChanged.emit(self.index(0, first), self.index(rows - 1, last))
        for row, first, last in runs:
            self.dataChanged.emit(self.index(row, first), self.index(row, last))

    def _frame_rows(self) -> int:
        return len(self._columns[0].values) if self._columns else 0

    def total_rows(self) -> int:
        """Rows before the filters (``rowCount`` counts the rows that pass them)."""
        return self._frame_rows()

    def _shown(self) -> np.ndarray:
        """The sorted frame rows that pass the filters."""
        mask = self._filter_mask
        return self._sorted if mask is None else self._sorted[mask[self._sorted]]

    def _same_rows(self, columns: list[_Column], table: Table | None) -> bool:
        if table is None or table is not self._table or not self._columns:
            return False
        if [c.name for c in columns] != [c.name for c in self._columns]:
            return False
        if len(columns[0].values) != len(self._columns[0].values):
            return False
        keys = [i for i, c in enumerate(columns) if c.name in self.key_names()]
        return all(np.array_equal(columns[i].values, self._columns[i].values) for i in keys)

    def key_names(self) -> tuple[str, ...]:
        """The columns that identify a row (the contract table's key)."""
        return self._table.key if self._table is not None else ()

    @property
    def table(self) -> Table | None:
        return self._table

    def column_names(self) -> list[str]:
        return [c.name for c in self._columns]

    # --- Qt model interface ----------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._order)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._columns)

    #: further roles ``decoration`` answers (subclasses: colours, tooltips)
    decorated: frozenset[int] = frozenset()

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        # Qt asks 7 roles per painted cell: plain int tests first, the rare roles fall through
        if role == _DISPLAY:
            if not index.isValid():
                return None
            return self._columns[index.column()].text(self._order[index.row()])
        if role == _ALIGNMENT:
            if not index.isValid():
                return None
            return self._columns[index.column()].alignment
        if role in self.decorated:
            return self.decoration(index, role) if index.isValid() else None
        if role == _EDIT:
            return self.edit_text(index.row(), index.column()) if index.isValid() else None
        return None

    def decoration(self, index: Index, role: int) -> object:
        """The value of one of the ``decorated`` roles for a valid index."""
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if orientation == Qt.Orientation.Vertical:
            return str(section + 1) if role == Qt.ItemDataRole.DisplayRole else None
        if section >= len(self._columns):
            return None
        column = self._columns[section]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.name
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _NUMBER if column.is_number else _TEXT
        if role == Qt.ItemDataRole.ToolTipRole and self._table is not None:
            spec = self._table.column(column.name)
            role_text = "key" if column.name in self._table.key else (
                "required" if spec.required else f"optional, default {spec.default}")
            return f"{column.name}: {spec.kind}, {role_text}"
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if self.on_edit is None or self._table is None or not index.isValid():
            return _READ_ONLY
        if self._columns[index.column()].name in self._table.key:
            return _READ_ONLY
        return _EDITABLE

    def cell_text(self, index: Index) -> str:
        return self.edit_text(index.row(), index.column())

    def apply_edit(self, index: Index, text: str) -> str | None:
        assert self.on_edit is not None  # flags() checked it
        return self.on_edit(self.row_key(index.row()), self._columns[index.column()].name,
                            text)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Order rows by one column, stable, missing values last; column -1: as in the frame."""
        valid = 0 <= column < len(self._columns)
        self._sorted_by = (column, order) if valid else None
        self.layoutAboutToBeChanged.emit()
        persistent = self.persistentIndexList()
        frame_rows = [int(self._order[i.row()]) for i in persistent]
        self._sorted = self._sort_order(column, order) if valid else np.arange(
            self._frame_rows())
        self._order = self._shown()  # the same rows (the filters did not change), reordered
        if persistent:
            position = np.empty_like(self._sorted)
            position[self._order] = np.arange(len(self._order))
            self.changePersistentIndexList(persistent, [
                self.index(int(position[r]), i.column())
                for r, i in zip(frame_rows, persistent, strict=True)
            ])
        self.layoutChanged.emit()

    def _sort_order(self, column: int, order: Qt.SortOrder) -> np.ndarray:
        col = self._columns[column]
        if col.kind in ("float", "int", "date"):
            keys = pd.Series(col.values)
        else:
            keys = pd.Series([None if m else str(v).casefold()
                              for v, m in zip(col.values, col.missing, strict=True)],
                             dtype=object)
        return keys.sort_values(ascending=order == Qt.SortOrder.AscendingOrder, kind="stable",
                                na_position="last").index.to_numpy()

    # --- rows as text ----------------------------------------------------------------------

    def edit_text(self, row: int, column: int) -> str:
        """A cell as typed: exact numbers without separators, ISO dates, '' when missing."""
        col = self._columns[column]
        r = int(self._order[row])
        if col.missing[r] or col.kind == "date":
            return col.text(r)
        return format_text(col.kind, col.values[r])

    def row_key(self, row: int) -> dict[str, str]:
        """The key columns of a row as text (what the store's ``parse_edit`` takes)."""
        if self._table is None:
            return {}
        names = self.column_names()
        return {k: self.edit_text(row, names.index(k)) for k in self._table.key}

    def find_row(self, key: dict[str, str]) -> int | None:
        """The model row whose key columns read ``key`` (as text), or None."""
        names = self.column_names()
        mask = np.ones(len(self._order), dtype=bool)
        for name, text in key.items():
            mask &= self._columns[names.index(name)].texts()[self._order] == text
        rows = np.flatnonzero(mask)
        return int(rows[0]) if len(rows) else None

    # --- filtering -------------------------------------------------------------------------

    def set_filter_text(self, text: str) -> None:
        """Show only the rows whose text or date cells contain ``text`` (any case)."""
        self.beginResetModel()
        self._filter_text = text.strip()
        self._filter_mask = self._match(self._filter_text)
        self._order = self._shown()
        self.endResetModel()

    def set_column_filter(self, column: str | None, value: str = "") -> None:
        """Also keep only rows whose ``column`` reads ``value`` exactly (None: no such filter)."""
        self.beginResetModel()
        self._column_filter = (column, value) if column else None
        self._filter_mask = self._match(self._filter_text)
        self._order = self._shown()
        self.endResetModel()

    @property
    def column_filter(self) -> tuple[str, str] | None:
        return self._column_filter

    @property
    def filter_text(self) -> str:
        return self._filter_text

    def _match(self, text: str) -> np.ndarray | None:
        """Which frame rows pass the filters (None: no filter).

        The text filter keeps rows with ``text`` in a text or date column (any case); the
        column filter rows whose column reads its value exactly.
        """
        mask: np.ndarray | None = None
        if text:
            needle = text.lower()
            mask = np.zeros(self._frame_rows(), dtype=bool)
            for col in self._columns:
                if not col.is_number and col.kind != "bool":
                    mask |= np.char.find(col.lowered(), needle) >= 0
        if self._column_filter is not None:
            name, value = self._column_filter
            found = [c for c in self._columns if c.name == name]
            hits = (found[0].texts() == value) if found else np.zeros(self._frame_rows(), bool)
            mask = hits if mask is None else mask & hits
        return mask
