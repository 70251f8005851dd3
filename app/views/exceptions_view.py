"""The Exceptions tab: the plan's exception episodes, filterable, biggest money at stake first.

In a scenario, each exception is marked ``new`` when its parent scenario's plan has no
exception of the same kind on the same SKU (or resource) over overlapping periods, and the
exceptions of the parent that are gone here are counted as resolved. A double-click opens the
SKU in the SKU detail tab.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from PySide6.QtCore import QModelIndex, Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.engine.result import PlanResult
from app.views import charts
from app.views.formatting import fmt_money
from app.views.plan_tab import PlanTab
from app.views.tab_models import ColumnsModel, TableColumn
from app.workbench import Workbench

ALL = "All"
SEVERITIES = ("high", "medium", "low")
#: each kind of exception (the engine's code) in the planner's words
KIND_LABELS = {
    "stock_out": "Stock-out",
    "below_safety_stock": "Below safety stock",
    "excess": "Excess stock",
    "expiring": "Expiring lots",
    "past_due": "Past-due orders",
    "overload": "Resource overload",
}
_FILTER_DELAY_MS = 150
#: the columns an exception is matched on between a scenario and its parent
MATCH_KEYS = ["item_id", "site_id", "resource_id", "kind"]
EMPTY_NO_PLAN = "No plan yet: open a workspace or import planning data (File > Import)."
EMPTY_NONE = ("No exceptions in this plan: no stock-outs, shortfalls below safety stock, "
              "excess, expiring lots, past-due orders or overloads. Edit a scenario in the "
              "workbook to see what changes.")


def _span(result: PlanResult, exceptions: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """First and one-past-last period number of each exception episode."""
    starts = pd.DatetimeIndex(pd.to_datetime(exceptions["period"], errors="coerce"))
    first = np.asarray(result.periods.searchsorted(starts), dtype=np.int64)
    periods = exceptions["periods"].to_numpy(dtype=np.int64) if "periods" in exceptions \
        else np.ones(len(exceptions), dtype=np.int64)
    return first, first + np.maximum(periods, 1)


def compare_exceptions(result: PlanResult, parent: PlanResult) -> tuple[np.ndarray, int]:
    """Which of ``result``'s exceptions are new against ``parent``, and how many are resolved.

    Two exceptions match when item, site, resource and kind are equal and their periods
    overlap. Returns (is_new per row of ``result.exceptions``, count of ``parent``'s
    exceptions with no match here).
    """
    mine, theirs = result.exceptions, parent.exceptions
    if not len(mine):
        return np.zeros(0, dtype=bool), len(theirs)
    if not len(theirs):
        return np.ones(len(mine), dtype=bool), 0
    a0, a1 = _span(result, mine)
    b0, b1 = _span(parent, theirs)
    left = pd.DataFrame({k: mine[k].astype(str).to_numpy() for k in MATCH_KEYS})
    left["row"], left["a0"], left["a1"] = np.arange(len(mine)), a0, a1
    right = pd.DataFrame({k: theirs[k].astype(str).to_numpy() for k in MATCH_KEYS})
    right["other"], right["b0"], right["b1"] = np.arange(len(theirs)), b0, b1
    pairs = left.merge(right, on=MATCH_KEYS, how="inner")
    overlap = pairs[(pairs["a0"] < pairs["b1"]) & (pairs["b0"] < pairs["a1"])]
    is_new = np.ones(len(mine), dtype=bool)
    is_new[overlap["row"].to_numpy(dtype=np.int64)] = False
    resolved = len(theirs) - overlap["other"].nunique()
    return is_new, int(resolved)


def filter_mask(exceptions: pd.DataFrame, kind: str = ALL, severity: str = ALL,
                text: str = "", lowered: np.ndarray | None = None) -> np.ndarray:
    """Rows passing the kind and severity choice and containing ``text`` (any case)."""
    mask = np.ones(len(exceptions), dtype=bool)
    if kind != ALL:
        mask &= exceptions["kind"].astype(str).to_numpy() == kind
    if severity != ALL:
        mask &= exceptions["severity"].astype(str).to_numpy() == severity
    needle = text.strip().lower()
    if needle:
        if lowered is None:
            lowered = searchable(exceptions)
        mask &= np.char.find(lowered, needle) >= 0
    return mask


def kind_label(kind: str) -> str:
    """An exception kind as the table shows it ("stock_out" -> "Stock-out")."""
    return KIND_LABELS.get(kind, kind.replace("_", " ").capitalize())


def searchable(exceptions: pd.DataFrame) -> np.ndarray:
    """One lower-case line per exception (ids, kind as shown, message) for the text filter."""
    if not len(exceptions):
        return np.zeros(0, dtype=str)
    parts = [exceptions[c].astype(str) for c in
             ("item_id", "site_id", "resource_id", "kind", "severity", "message")
             if c in exceptions]
    if "kind" in exceptions:
        parts.append(exceptions["kind"].astype(str).map(kind_label))
    joined = parts[0].str.cat(parts[1:], sep=" ")
    return np.char.lower(joined.to_numpy(dtype=str))


class ExceptionsView(PlanTab):
    """Kind, severity and text filters over a table of the plan's exceptions."""


    def __init__(self, workbench: Workbench, parent: QWidget | None = None) -> None:
        super().__init__(workbench, "exceptionsView", parent)
        self._result: PlanResult | None = None
        self._lowered: np.ndarray | None = None
        self.is_new: np.ndarray | None = None
        self.resolved = 0
        self.parent_name: str | None = None

        self.kind_filter = QComboBox(objectName="exceptionKind")
        self.kind_filter.setToolTip("Show one kind of exception")
        self.severity_filter = QComboBox(objectName="exceptionSeverity")
        self.severity_filter.addItem(ALL, ALL)
        for severity in SEVERITIES:
            self.severity_filter.addItem(severity.capitalize(), severity)
        self.severity_filter.setToolTip("Show one severity")
        self.text_filter = QLineEdit(objectName="exceptionFilter")
        self.text_filter.setPlaceholderText("Filter: item, site, resource, message…")
        self.text_filter.setClearButtonEnabled(True)
        self.new_only = QCheckBox("New vs parent only", objectName="exceptionNewOnly")
        self.new_only.setToolTip("Show only the exceptions the parent scenario's plan does not "
                                 "have")
        self.new_only.setEnabled(False)
        self.summary = QLabel(objectName="exceptionSummary")
        self.summary.setTextFormat(Qt.TextFormat.RichText)

        self.model = ColumnsModel(self)
        self.table = QTableView(objectName="exceptionsTable")
        self.table.setModel(self.model)
        self.table.setSortingEnabled(True)
        self.table.setAlternatingRowColors(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.horizontalHeader().setResizeContentsPrecision(60)
        self.table.doubleClicked.connect(self._open)
        self.table.setToolTip("Double-click an exception to open its SKU")

        self.make_pages(self.table, EMPTY_NO_PLAN, "exceptionsEmpty")

        bar = QHBoxLayout()
        bar.addWidget(QLabel("Kind"))
        bar.addWidget(self.kind_filter)
        bar.addWidget(QLabel("Severity"))
        bar.addWidget(self.severity_filter)
        bar.addWidget(self.text_filter, 1)
        bar.addWidget(self.new_only)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(bar)
        layout.addWidget(self.summary)
        layout.addWidget(self.pages, 1)

        self._timer = QTimer(self, singleShot=True, interval=_FILTER_DELAY_MS)
        self._timer.timeout.connect(self.apply_filter)
        self.text_filter.textChanged.connect(self._timer.start)
        self.kind_filter.currentIndexChanged.connect(self.apply_filter)
        self.severity_filter.currentIndexChanged.connect(self.apply_filter)
        self.new_only.toggled.connect(self.apply_filter)

    # --- showing a plan --------------------------------------------------------------------

    def show_plan(self, result: PlanResult) -> None:
        """Show the exceptions of ``result`` (the current scenario's plan)."""
        self._result = result
        exceptions = result.exceptions
        self._compare(result)
        self._lowered = None  # made on the first text search of this plan
        self._fill_kinds(exceptions)
        first_time = self.model.columnCount() == 0
        self.model.set_columns(self._columns(result), result.settings.currency,
                               subset=np.zeros(0, dtype=np.int64))
        if first_time:  # biggest money at stake first
            self.table.horizontalHeader().setSortIndicator(
                self.model.column_index("Value"), Qt.SortOrder.DescendingOrder)
        self.table.setColumnHidden(0, self.is_new is None)  # "vs parent": only in a scenario
        self.new_only.setEnabled(self.is_new is not None)
        self.apply_filter()
        if first_time and len(exceptions):
            self.table.resizeColumnsToContents()
            header = self.table.horizontalHeader()
            for column in range(header.count() - 1):
                header.resizeSection(column, min(header.sectionSize(column), 220))
            header.resizeSection(0, self.fontMetrics().horizontalAdvance("vs parent") + 16)

    def _compare(self, result: PlanResult) -> None:
        self.is_new, self.resolved, self.parent_name = None, 0, None
        try:
            parent = self._workbench.info().parent
            # the parent's plan when at hand (the main window computes it off the GUI thread
            # and shows this tab again)
            theirs = None if parent is None else self._workbench.cached_plan(parent)
            if theirs is not None:
                self.is_new, self.resolved = compare_exceptions(result, theirs)
                self.parent_name = parent
        except Exception as err:  # a parent that cannot plan: no comparison, say why
            self.sigMessage.emit(f"Exceptions not compared with the parent scenario: {err}")

    def _fill_kinds(self, exceptions: pd.DataFrame) -> None:
        current = self.kind_filter.currentData() or ALL
        counts = dict(exceptions["kind"].astype(str).value_counts()) if len(exceptions) else {}
        kinds = [k for k in KIND_LABELS if k in counts] + sorted(
            k for k in counts if k not in KIND_LABELS)
        self.kind_filter.blockSignals(True)
        self.kind_filter.clear()
        self.kind_filter.addItem(ALL, ALL)
        for kind in kinds:
            self.kind_filter.addItem(f"{kind_label(kind)} ({counts[kind]:,})", kind)
        self.kind_filter.setCurrentIndex(max(self.kind_filter.findData(current), 0))
        self.kind_filter.blockSignals(False)

    def _columns(self, result: PlanResult) -> list[TableColumn]:
        ex = result.exceptions
        n = len(ex)

        def text(name: str) -> np.ndarray:
            if name not in ex:
                return np.full(n, "", dtype=object)
            return ex[name].astype(object).where(ex[name].notna(), "").to_numpy(dtype=object)

        def number(name: str) -> np.ndarray:
            if name not in ex:
                return np.full(n, np.nan)
            return ex[name].to_numpy(dtype=float, na_value=np.nan)

        marks = np.full(n, "", dtype=object)
        if self.is_new is not None:
            marks[self.is_new] = "new"
        severity_colours = {s.capitalize(): charts.COLOURS[s] for s in SEVERITIES}
        severity = np.array([s.capitalize() for s in text("severity").tolist()], dtype=object)
        kind = np.array([kind_label(k) for k in text("kind").tolist()], dtype=object)
        rank = {s: i for i, s in enumerate(SEVERITIES)}
        severity_rank = np.array([rank.get(s, len(rank)) for s in text("severity").tolist()],
                                 dtype=float)
        return [
            TableColumn("vs parent", marks, tooltip="new: not in the parent scenario's plan",
                        colours={"new": charts.COLOURS["new"]}),
            TableColumn("Severity", severity, colours=severity_colours,
                        sort_key=severity_rank),
            TableColumn("Kind", kind),
            TableColumn("Part", text("item_id")),
            TableColumn("Site", text("site_id")),
            TableColumn("Resource", text("resource_id")),
            TableColumn("From", text("period"), tooltip="first period of the episode"),
            TableColumn("Periods", number("periods"), "number",
                        tooltip="length of the episode in periods (past-due: orders)"),
            TableColumn("Quantity", number("quantity"), "quantity",
                        tooltip="units (hours for a resource overload)"),
            TableColumn("Value", number("value"), "money",
                        tooltip="money at stake: units x unit cost"),
            TableColumn("Message", text("message")),
        ]

    # --- filtering -------------------------------------------------------------------------

    def apply_filter(self) -> None:
        """Show the exceptions passing the kind, severity and text filters."""
        result = self._result
        if result is None:
            self.show_empty()
            self.summary.setText("")
            return
        exceptions = result.exceptions
        if not len(exceptions):
            self.show_empty(EMPTY_NONE)
        else:
            self.show_content()
        text = self.text_filter.text()
        if text.strip() and self._lowered is None:
            self._lowered = searchable(exceptions)
        mask = filter_mask(exceptions, self.kind_filter.currentData() or ALL,
                           self.severity_filter.currentData() or ALL, text, self._lowered)
        if self.new_only.isChecked() and self.is_new is not None:
            mask &= self.is_new
        self.model.set_subset(np.flatnonzero(mask))
        self.summary.setText(self._summary_text(int(mask.sum()), len(exceptions)))

    def _summary_text(self, shown: int, total: int) -> str:
        result = self._result
        assert result is not None
        text = f"{total:,} exceptions" if shown == total else f"{shown:,} of {total:,} exceptions"
        if shown:
            values = result.exceptions["value"].to_numpy(dtype=float, na_value=0.0)
            at_stake = float(np.nansum(values[self.model.shown_rows()]))
            text += f" · {fmt_money(at_stake, result.settings.currency)} at stake"
        if self.is_new is not None and self.parent_name is not None:
            new = int(self.is_new.sum())
            text += (f" · vs '{self.parent_name}': <span style='color:{charts.COLOURS['new']}'>"
                     f"{new:,} new</span>, {self.resolved:,} resolved")
        return text

    def counts(self) -> tuple[int, int]:
        """(shown, total) exceptions."""
        total = 0 if self._result is None else len(self._result.exceptions)
        return self.model.rowCount(), total

    # --- opening a SKU ---------------------------------------------------------------------

    def _open(self, index: QModelIndex) -> None:
        if not index.isValid() or self._result is None:
            return
        row = self.model.source_row(index.row())
        exception = self._result.exceptions.iloc[row]
        item, site = str(exception.get("item_id") or ""), str(exception.get("site_id") or "")
        if item and item != "nan":
            self.sigOpenSku.emit(item, site)
        else:
            resource = exception.get("resource_id") or ""
            self.sigMessage.emit(f"{resource} is a resource, not a SKU: see its load in the "
                                 "workbook (routings and resources)")
