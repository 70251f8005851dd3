"""The planning workbook's table: one row per SKU, its parameters beside its planned outcome.

Parameter columns come from the scenario's ``skus`` and ``items`` tables (so an edit shows at
once, before the plan is recomputed); outcome columns from the latest ``PlanResult.skus``.
Both are joined once per refresh into one DataFrame that ``PlanningModel`` (a ``FrameModel``)
serves from column arrays. Cells whose parameter differs from the parent scenario are marked
(a tint and a "was X in <parent>" tooltip), computed vectorised per column.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QBrush, QColor

from app.engine.result import PlanResult
from app.engine.same_values import MadeFrom, same_values
from app.models.contract import TABLES_BY_NAME, ColumnKind
from app.models.values import format_text
from app.views.frame_model import FrameModel, Index, make_column

KEY = ("item_id", "site_id")
#: background of a cell whose value differs from the parent scenario
CHANGED_BRUSH = QBrush(QColor("#FFF1C2"))
#: text colour of a plan outcome that waits for the recompute of the latest edit
STALE_BRUSH = QBrush(QColor("#8A8A8A"))


@dataclass(frozen=True)
class GridColumn:
    """One column of the planning workbook.

    ``table`` is the contract table an editable parameter lives in (``skus``/``items``);
    None for a plan outcome (read-only). ``pattern`` formats numbers (None: as typed).
    """

    name: str
    title: str
    table: str | None = None
    pattern: str | None = None
    shown: bool = True
    tip: str = ""


def _p(name: str, title: str, table: str | None, pattern: str | None = None,
       shown: bool = True, tip: str = "") -> GridColumn:
    return GridColumn(name, title, table, pattern, shown, tip)


_QTY = "{:,.0f}"
_DEC1 = "{:,.1f}"
_PCT = "{:.1%}"
_MONEY = "{:,.2f}"

#: every column the workbook can show, in order; ``shown=False`` ones start hidden
COLUMNS: tuple[GridColumn, ...] = (
    _p("item_id", "Part", "skus", tip="Item (part number)"),
    _p("site_id", "Site", "skus", tip="Site of the SKU"),
    _p("end_items", "End items", None, tip="Finished goods this part goes into"),
    _p("description", "Description", "items"),
    _p("responsible", "Responsible", "items", tip="Planner responsible for the item"),
    _p("supply_type", "Type", "skus", tip="make / buy / transfer"),
    _p("part_class", "Part class", "items", tip="FG / WIP / RM"),
    _p("abc_xyz", "ABC/XYZ", None,
       tip="ABC by annual value, XYZ by demand variability (when computed)"),
    _p("ss_model", "SS model", "skus",
       tip="Safety stock model: none / fixed / days_of_supply / statistical / meio"),
    _p("ss_qty", "SS qty", "skus", tip="Fixed safety stock (units)"),
    _p("ss_days", "SS days", "skus", tip="Safety stock as days of supply"),
    _p("ss_current", "Current SS", None, _QTY,
       tip="Safety stock the plan holds (mean over the horizon, units)"),
    _p("ss_recommended", "Recommended SS", None, _QTY,
       tip="Recommended safety stock for the SKU's model (units)"),
    _p("service_target", "Service target", "skus", _PCT,
       tip="Target service level (type 0.97 or 97%)"),
    _p("projected_service", "Projected service", None, _PCT,
       tip="1 - units short / customer demand over the horizon"),
    _p("lead_time", "Lead time", "skus", tip="Lead time (periods)"),
    _p("order_policy", "Lot policy", "skus",
       tip="lot_for_lot / fixed / poq / eoq / min_max"),
    _p("lot_size", "Lot size", "skus"),
    _p("on_hand", "On hand", "skus", tip="Stock on hand now (units)"),
    _p("periods_of_supply", "Periods of supply", None, _DEC1,
       tip="Average projected on hand / average requirement (periods)"),
    # available from the column chooser
    _p("category", "Category", "items", shown=False),
    _p("unit_cost", "Unit cost", "items", shown=False),
    _p("unit_price", "Unit price", "items", shown=False),
    _p("source_site", "Source site", "skus", shown=False),
    _p("lead_time_std", "Lead time std", "skus", shown=False),
    _p("min_order", "Min order", "skus", shown=False),
    _p("order_multiple", "Order multiple", "skus", shown=False),
    _p("ordering_cost", "Ordering cost", "skus", shown=False),
    _p("service_type", "Service type", "skus", shown=False),
    _p("max_service_time", "Max service time", "skus", shown=False),
    _p("shelf_life_periods", "Shelf life", "items", shown=False),
    _p("abc", "ABC", None, shown=False, tip="ABC class by annual value"),
    _p("xyz", "XYZ", None, shown=False, tip="XYZ class by demand variability"),
    _p("forecast_method", "Forecast method", None, shown=False),
    _p("demand_mean", "Demand mean", None, _DEC1, shown=False),
    _p("demand_std", "Demand std", None, _DEC1, shown=False),
    _p("demand_per_period", "Demand / period", None, _DEC1, shown=False),
    _p("ss_recommended_seio", "SS single-echelon", None, _QTY, shown=False),
    _p("ss_recommended_meio", "SS multi-echelon", None, _QTY, shown=False),
    _p("S", "Outbound service time S", None, _DEC1, shown=False),
    _p("SI", "Inbound service time SI", None, _DEC1, shown=False),
    _p("tau", "Net lead time τ", None, _DEC1, shown=False),
    _p("average_on_hand", "Average on hand", None, _QTY, shown=False),
    _p("average_on_hand_value", "Average on-hand value", None, _MONEY, shown=False),
    _p("excess_value", "Excess value", None, _MONEY, shown=False),
    _p("obsolete_value", "Obsolete value", None, _MONEY, shown=False),
    _p("demonstrated_service", "Demonstrated service", None, _PCT, shown=False),
    _p("low_level_code", "Level", None, shown=False),
    _p("annual_value", "Annual value", None, _MONEY, shown=False),
)
COLUMNS_BY_NAME: dict[str, GridColumn] = {c.name: c for c in COLUMNS}
_READ_ONLY = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
_EDITABLE = _READ_ONLY | Qt.ItemFlag.ItemIsEditable
_BACKGROUND = int(Qt.ItemDataRole.BackgroundRole.value)
_FOREGROUND = int(Qt.ItemDataRole.ForegroundRole.value)
_TOOLTIP = int(Qt.ItemDataRole.ToolTipRole.value)
#: columns whose text may be cut short on screen: their tooltip shows it whole
_LONG_TEXT = frozenset({"end_items", "description", "responsible"})
#: the columns kept visible on horizontal scroll
FROZEN = 2


def _result_column(result: PlanResult | None, name: str) -> str | None:
    """Which result.skus column holds grid column ``name`` (None: not computed)."""
    if result is None:
        return None
    columns = result.skus.columns
    if name == "ss_current":
        for candidate in ("ss_current", "safety_stock_target"):
            if candidate in columns:
                return candidate
        return None
    return name if name in columns else None


#: the planning workbook's columns by name (Series or arrays, one value per SKU row)
Grid = dict[str, object]


def build_grid(skus: pd.DataFrame, items: pd.DataFrame, result: PlanResult | None) -> Grid:
    """One row per SKU (``skus`` order): every grid column that exists, in ``COLUMNS`` order.

    Parameters are read from ``skus``/``items``; outcomes from ``result`` matched by key (a
    SKU the result does not know yet shows empty outcome cells). Each half is kept for the
    next call while its inputs are the same objects (an edit changes the parameters only, a
    new plan the outcomes only).
    """
    params = _cached("params", (skus, items), lambda: _parameters(skus, items, _MADE))
    outcomes = {} if result is None else _cached(
        "outcomes", (result.skus,), lambda: _outcomes(skus, result), keys=_key_arrays(skus))
    return {c.name: params[c.name] if c.name in params else outcomes[c.name]
            for c in COLUMNS if c.name in params or c.name in outcomes}


#: the last result of each half of the grid: (its input objects, the keys, the columns)
_HALVES: dict[str, tuple[tuple[object, ...], Keys | None, dict[str, object]]] = {}


def _cached(name: str, inputs: tuple[object, ...], make: Callable[[], dict[str, object]],
            keys: Keys | None = None) -> dict[str, object]:
    held = _HALVES.get(name)
    if held is not None and len(held[0]) == len(inputs) and all(
            a is b for a, b in zip(held[0], inputs, strict=True)) and (
            keys is None or (held[1] is not None and _same_keys(held[1], keys))):
        return held[2]
    columns = make()
    _HALVES[name] = (inputs, keys, columns)
    return columns


def _parameters(skus: pd.DataFrame, items: pd.DataFrame, made: MadeFrom) -> dict[str, object]:
    """The parameter columns: from ``skus``, and ``items`` looked up by item (``made``
    keeps the columns whose sources read as last time)."""
    data: dict[str, object] = {}
    item_rows: list[np.ndarray] = []  # -1: no such item (looked up once, when needed)

    def looked_up(name: str) -> pd.Series:
        if not item_rows:
            item_rows.append(pd.Index(items["item_id"]).get_indexer(skus["item_id"]))
        return pd.Series(pd.api.extensions.take(items[name].array, item_rows[0],
                                                allow_fill=True), name=name)

    for col in COLUMNS:
        name = col.name
        if col.table == "skus" and name in skus.columns:
            data[name] = made.get(name, (skus[name],),
                                   lambda n=name: skus[n].reset_index(drop=True))
        elif col.table == "items" and name in items.columns:
            data[name] = made.get(name, (skus["item_id"], items["item_id"], items[name]),
                                   lambda n=name: looked_up(n))
    return data


#: every grid column, made again only when what it is made from reads differently (after an
#: edit: the edited column and the outcomes the new plan moved); the parent scenario's
#: parameters, and the change marks per column, likewise
_MADE, _PARENT_MADE, _MARKS = MadeFrom(), MadeFrom(), MadeFrom()


def _outcomes(skus: pd.DataFrame, result: PlanResult) -> dict[str, object]:
    """The plan outcome columns, in ``skus`` row order."""
    data: dict[str, object] = {}
    rows = _align(skus, result.skus)
    columns = result.skus.columns
    for col in COLUMNS:
        if col.name == "abc_xyz":
            sources = ["abc", "xyz"] if "abc" in columns else []
        else:
            source = _result_column(result, col.name) if col.table is None else None
            sources = [source] if source else []
        sources = [name for name in sources if name in columns]
        if not sources:
            continue
        raw = tuple(result.skus[name].to_numpy() for name in sources)
        data[col.name] = _MADE.get(col.name, (*raw, rows),
                                   lambda n=col.name, r=raw: _outcome(n, r, rows))
    return data


def _outcome(name: str, raw: tuple[np.ndarray, ...], rows: np.ndarray | None) -> np.ndarray:
    """One outcome column from the result's values ``raw`` (abc and xyz for ``abc_xyz``)."""
    if name == "abc_xyz":
        texts = [_take(np.where(pd.isna(v), "", v).astype(object), rows, "") for v in raw]
        return np.add(*texts) if len(texts) == 2 else texts[0]  # (text + text)
    values = raw[0]
    if values.dtype == object and len(values) and isinstance(
            values[0], list | tuple | set | np.ndarray):
        values = np.array([_listed(v) for v in values], dtype=object)
    return _take(values, rows, None)


def _listed(value: object) -> object:
    if isinstance(value, list | tuple | set | np.ndarray):
        return ", ".join(str(v) for v in value)
    return value


#: a table's key columns as object arrays (item_id, site_id)
Keys = tuple[np.ndarray, np.ndarray]


def _key_arrays(frame: pd.DataFrame | Grid) -> Keys:
    return (np.asarray(frame["item_id"], dtype=object),  # type: ignore[index]
            np.asarray(frame["site_id"], dtype=object))  # type: ignore[index]


def _same_keys(a: Keys, b: Keys) -> bool:
    return all(same_values(x, y) for x, y in zip(a, b, strict=True))


def _align(skus: pd.DataFrame | Grid, planned: pd.DataFrame | Grid) -> np.ndarray | None:
    """Row of ``planned`` for each row of ``skus`` (-1: absent); None when they are the same."""
    mine, theirs = _key_arrays(skus), _key_arrays(planned)
    if _same_keys(mine, theirs):
        return None
    for held in _ALIGNED:
        if _same_keys(held[0], mine) and _same_keys(held[1], theirs):
            return held[2]
    rows = pd.Index(_joined(theirs)).get_indexer(_joined(mine))
    _ALIGNED.insert(0, (mine, theirs, rows))
    del _ALIGNED[4:]
    return rows


#: recent alignments (the keys aligned, the keys aligned to, the rows found)
_ALIGNED: list[tuple[Keys, Keys, np.ndarray]] = []


def _joined(keys: Keys) -> np.ndarray:
    """``item_id`` and ``site_id`` joined by a unit separator, one string per row."""
    return (pd.Series(keys[0]).astype(str) + "\x1f" + pd.Series(keys[1]).astype(str)
            ).to_numpy(dtype=object)


def _take(values: np.ndarray, rows: np.ndarray | None, missing: object) -> np.ndarray:
    if rows is None:
        return values
    out = values[np.maximum(rows, 0)] if len(values) else np.full(len(rows), missing)
    if (rows < 0).any():
        out = out.astype(object) if out.dtype.kind not in "fc" else out.astype(float)
        out[rows < 0] = np.nan if out.dtype.kind == "f" else missing
    return out


def _mark_moves(was: np.ndarray | None, now: np.ndarray | None) -> np.ndarray | None:
    """Rows whose change mark differs between two masks (None: no marks); None: any row."""
    if was is None or now is None:
        return now if was is None else was  # (marks appear or go where they are set)
    if was.shape != now.shape:
        return None
    return np.asarray(was, dtype=bool) != np.asarray(now, dtype=bool)


@dataclass
class ChangeMarks:
    """Per editable column: which grid rows differ from the parent, and the parent's text."""

    parent: str
    changed: dict[str, np.ndarray]
    was: dict[str, np.ndarray]

    def text(self, column: str, row: int) -> str | None:
        """'was X in <parent>' for a changed cell, else None."""
        mask = self.changed.get(column)
        if mask is None or not mask[row]:
            return None
        was = self.was[column][row]
        if was is None:
            return f"new: not in {self.parent}"
        return f"was {was or '(empty)'} in {self.parent}"


def change_marks(grid: Grid, parent_name: str, parent_skus: pd.DataFrame,
                 parent_items: pd.DataFrame) -> ChangeMarks:
    """Compare every editable column of ``grid`` with the parent scenario's tables."""
    changed: dict[str, np.ndarray] = {}
    was: dict[str, np.ndarray] = {}
    cached = _PARENT_GRID.get(0)
    if cached is not None and cached[0] is parent_skus and cached[1] is parent_items:
        parent_grid, comparable = cached[2], cached[3]
    else:  # the workbench hands out the same frames while the parent is unchanged
        parent_grid = _parameters(parent_skus, parent_items, _PARENT_MADE)
        comparable = {}
        _PARENT_GRID[0] = (parent_skus, parent_items, parent_grid, comparable)
    rows = _align(grid, parent_grid)
    for col in COLUMNS:
        if col.table is None or col.name in KEY or col.name not in grid:
            continue
        if col.name not in parent_grid:
            continue
        kind = TABLES_BY_NAME[col.table].column(col.name).kind
        if col.name not in comparable:
            comparable[col.name] = _comparable(pd.Series(parent_grid[col.name]), kind)
        mine, theirs = grid[col.name], comparable[col.name]
        changed[col.name], was[col.name] = _MARKS.get(
            col.name, (mine, theirs, rows),
            lambda k=kind, m=mine, t=theirs: _column_marks(k, m, t, rows))
    return ChangeMarks(parent_name, changed, was)


def _column_marks(kind: ColumnKind, values: object, theirs: np.ndarray,
                  rows: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """Which rows of one column differ from the parent's values ``theirs`` (aligned by
    ``rows``), and the parent's text of each ('' unchanged, None: not in the parent)."""
    mine = _comparable(pd.Series(values), kind)
    if rows is not None:
        theirs = theirs[np.maximum(rows, 0)] if len(theirs) else np.full(len(rows), None)
    if kind in ("float", "int"):
        equal = (mine == theirs) | (np.isnan(mine) & np.isnan(theirs))
    else:
        equal = mine == theirs
    if rows is not None:
        equal &= rows >= 0
    mask = ~np.asarray(equal, dtype=bool)
    texts = np.full(len(mine), "", dtype=object)
    for r in np.flatnonzero(mask):
        if rows is not None and rows[r] < 0:
            texts[r] = None
        else:
            value = theirs[r]
            texts[r] = "" if value is None or pd.isna(value) else format_text(kind, value)
    return mask, texts


def _comparable(series: pd.Series, kind: ColumnKind) -> np.ndarray:
    """Values to compare with ``==``: floats with NaN for numbers, else objects with ''."""
    if kind in ("float", "int"):
        return series.to_numpy(dtype="float64", na_value=np.nan)
    if kind == "bool":
        return series.astype(object).fillna("").to_numpy(dtype=object)
    return series.astype(object).where(series.notna(), "").to_numpy(dtype=object)


#: the last parent grid built (its skus and items frames, the grid)
_PARENT_GRID: dict[int, tuple[pd.DataFrame, pd.DataFrame, Grid, dict[str, np.ndarray]]] = {}


def grid_kinds(frame: Grid) -> dict[str, ColumnKind]:
    """The contract kind of each parameter column of a grid."""
    kinds: dict[str, ColumnKind] = {}
    for name in frame:
        col = COLUMNS_BY_NAME.get(str(name))
        if col is not None and col.table is not None:
            kinds[col.name] = TABLES_BY_NAME[col.table].column(col.name).kind
    return kinds


class PlanningModel(FrameModel):
    """The planning workbook rows; parameter cells editable through ``on_edit``.

    ``on_edit(key, column, text)`` gets the SKU key (item_id, site_id) and the contract
    column; the caller knows from ``COLUMNS_BY_NAME[column].table`` which table it edits.
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.marks: ChangeMarks | None = None
        #: True while the outcome columns show the plan of an older revision
        self.stale = False
        self._made: dict[str, tuple[object, object]] = {}
        #: per model column: the change-mark mask (None: no marks), is it a plan outcome?
        self._marked: list[np.ndarray | None] = []
        self._outcome: list[bool] = []
        self._editable: list[bool] = []

    def set_grid(self, grid: Grid, marks: ChangeMarks | None, stale: bool) -> None:
        """Show ``grid`` (from ``build_grid``) with its change marks.

        A column whose values are the same object as last time keeps its model column (and
        the texts made for it): an edit rebuilds the parameters, a new plan the outcomes.
        """
        before = dict(zip(self.column_names(), self._columns, strict=True))
        old_marks, old_stale = self.marks, self.stale
        self.marks, self.stale = marks, stale
        kinds = grid_kinds(grid)
        columns = []
        made: dict[str, tuple[object, object]] = {}
        for name, values in grid.items():
            held = self._made.get(name)
            if held is not None and held[0] is values:
                column = held[1]
            else:
                column = make_column(name, kinds.get(name), values,  # type: ignore[arg-type]
                                     COLUMNS_BY_NAME[name].pattern)
            made[name] = (values, column)
            columns.append(column)
        self._made = made

        def mask(of: ChangeMarks | None, name: str) -> object:
            return None if of is None else of.changed.get(name)

        self._marked = [mask(marks, column.name) for column in columns]  # type: ignore[misc]
        self._outcome = [COLUMNS_BY_NAME[column.name].table is None for column in columns]
        self._editable = [not outcome and column.name not in KEY
                          for column, outcome in zip(columns, self._outcome, strict=True)]
        restyled: dict[int, np.ndarray | None] = {}
        for i, column in enumerate(columns):
            if stale != old_stale and self._outcome[i]:
                restyled[i] = None  # every cell greyed, or no longer
                continue
            was, now = mask(old_marks, column.name), self._marked[i]
            if was is not now:  # the rows whose change mark came or went
                restyled[i] = _mark_moves(was, now)  # type: ignore[arg-type]
        changed = sorted({*restyled, *(i for i, column in enumerate(columns)
                                       if before.get(column.name) is not column)})
        self.set_columns(columns, changed=changed, restyled=restyled)

    def key_names(self) -> tuple[str, ...]:
        return KEY

    def _same_rows(self, columns: list, table: object) -> bool:  # type: ignore[override]
        if not self._columns or [c.name for c in columns] != self.column_names():
            return False
        if len(columns[0].values) != len(self._columns[0].values):
            return False
        return all(np.array_equal(columns[i].values, self._columns[i].values)
                   for i, c in enumerate(columns) if c.name in KEY)

    def spec(self, column: int) -> GridColumn:
        return COLUMNS_BY_NAME[self._columns[column].name]

    decorated = frozenset({_BACKGROUND, _FOREGROUND, _TOOLTIP})

    def decoration(self, index: Index, role: int) -> object:
        """Changed cells tinted, outcomes of an older plan greyed, tooltips."""
        column = index.column()
        if role == _BACKGROUND:
            mask = self._marked[column]
            return CHANGED_BRUSH if mask is not None and mask[self._order[index.row()]] \
                else None
        if role == _FOREGROUND:
            return STALE_BRUSH if self.stale and self._outcome[column] else None
        name = self._columns[column].name
        note = None
        if self.marks is not None:
            note = self.marks.text(name, int(self._order[index.row()]))
        if note is None and name in _LONG_TEXT:
            return self.data(index, Qt.ItemDataRole.DisplayRole) or None
        return note

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if orientation == Qt.Orientation.Horizontal and section < len(self._columns):
            spec = self.spec(section)
            if role == Qt.ItemDataRole.DisplayRole:
                return spec.title
            if role == Qt.ItemDataRole.ToolTipRole:
                where = f"edits {spec.table}.{spec.name}" if spec.table and \
                    spec.name not in KEY else "plan outcome, read-only" if not spec.table \
                    else "key"
                return f"{spec.tip}{' — ' if spec.tip else ''}{where}"
        return super().headerData(section, orientation, role)

    def flags(self, index: Index) -> Qt.ItemFlag:
        if self.on_edit is None or not index.isValid():
            return _READ_ONLY  # asked for every painted cell: constants, no enum arithmetic
        return _EDITABLE if self._editable[index.column()] else _READ_ONLY

    def setData(self, index: Index, value: object,  # noqa: N802
                role: int = Qt.ItemDataRole.EditRole) -> bool:
        text = "" if value is None else str(value).strip()
        if index.isValid() and self.spec(index.column()).pattern == _PCT:
            text = percent_text(text)
        return super().setData(index, text, role)

    def row_key(self, row: int) -> dict[str, str]:
        names = self.column_names()
        return {k: self.edit_text(row, names.index(k)) for k in KEY}

    def edit_target(self, row: int, column: int) -> tuple[str, dict[str, str]] | None:
        """(table, key) a cell edits, or None for an outcome or key cell."""
        spec = self.spec(column)
        if spec.table is None or spec.name in KEY:
            return None
        key = self.row_key(row)
        return spec.table, ({"item_id": key["item_id"]} if spec.table == "items" else key)


def percent_text(text: str) -> str:
    """``"97%"`` -> ``"0.97"`` (a percent typed into a fraction column); other text as is."""
    if text.endswith("%"):
        try:
            return repr(float(text[:-1].replace(",", "")) / 100.0)
        except ValueError:
            return text
    return text


def visible_by_default(names: Mapping[str, object] | list[str]) -> list[str]:
    """Of ``names``, the columns shown before the user chooses."""
    return [n for n in names if COLUMNS_BY_NAME.get(str(n), GridColumn("", "")).shown]
