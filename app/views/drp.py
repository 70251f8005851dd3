"""The DRP tab: distribution requirements by distribution centre and period.

Pick a DC (or all of them) and see, per period, its gross requirements, scheduled receipts,
planned transfers, projected on hand and safety stock, either summed per DC or SKU by SKU;
the planned transfers (source site -> DC, release, receipt, quantity); and per DC the DRP
measures: average on-hand value, projected service, planned transfer volume and safety-stock
compliance. The grid serves from the plan's arrays (no per-cell objects).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from PySide6.QtCore import QModelIndex, Qt, QTimer
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.engine.result import PlanResult
from app.views import charts
from app.views.formatting import fmt_number, period_headers
from app.views.plan_tab import PlanTab
from app.views.tab_models import ColumnsModel, PeriodGridModel, TableColumn
from app.workbench import Workbench

ALL_DCS = "All DCs"
PER_DC = "Total per DC"
PER_SKU = "SKU by SKU"
#: the DRP record's rows: (label, PlanArrays attribute)
MEASURES: tuple[tuple[str, str], ...] = (
    ("Gross requirements", "gross_requirements"),
    ("Scheduled receipts", "scheduled_receipts"),
    ("Planned transfers", "planned_receipts"),
    ("Projected on hand", "projected_on_hand"),
    ("Safety stock", "safety_stock"),
)
_POH_ROW = 3
_FILTER_DELAY_MS = 150
EMPTY_NO_PLAN = "No plan yet: open a workspace or import planning data (File > Import)."
EMPTY_NO_DC = ("This network has no distribution centres: add sites of kind 'dc' and SKUs "
               "with supply_type 'transfer' (in the workbook or the import files) to see "
               "distribution requirements here.")


def dc_rows(result: PlanResult, dc_sites: set[str]) -> np.ndarray:
    """Row numbers of the SKUs stocked at a DC: at a site of kind dc, or supplied by transfer."""
    skus = result.skus
    at_dc = skus["site_id"].astype(str).isin(dc_sites).to_numpy()
    transfer = (skus["supply_type"].astype(str) == "transfer").to_numpy()
    return np.flatnonzero(at_dc | transfer)


def drp_block(result: PlanResult, rows: np.ndarray) -> np.ndarray:
    """The DRP record of SKUs ``rows``: (len(rows) * 5, H), five measure rows per SKU."""
    arrays = result.arrays
    stacked = np.stack([getattr(arrays, name)[rows] for _, name in MEASURES], axis=1)
    return stacked.reshape(len(rows) * len(MEASURES), result.horizon)


def drp_by_site(result: PlanResult, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The DRP record summed per site over SKUs ``rows``: (sites, (sites * 5, H))."""
    sites = result.skus["site_id"].astype(str).to_numpy()[rows]
    names, codes = np.unique(sites, return_inverse=True)
    block = drp_block(result, rows).reshape(len(rows), len(MEASURES), result.horizon)
    sums = np.zeros((len(names), len(MEASURES), result.horizon))
    np.add.at(sums, codes, block)
    return names, sums.reshape(len(names) * len(MEASURES), result.horizon)


def dc_measures(result: PlanResult, rows: np.ndarray) -> pd.DataFrame:
    """Per site of the SKUs ``rows``: SKUs, average on-hand value, projected service,
    planned transfers (count and units) and safety-stock compliance."""
    skus = result.skus.iloc[rows]
    arrays = result.arrays
    demand = arrays.independent_demand[rows].sum(axis=1)
    served = skus["projected_service"].to_numpy(dtype=float, na_value=np.nan)
    ss = arrays.safety_stock[rows]
    has_ss = ss > 0
    met = (arrays.projected_on_hand[rows] >= ss - 1e-9) & has_ss
    transfer = (skus["supply_type"].astype(str) == "transfer").to_numpy()
    frame = pd.DataFrame({
        "site_id": skus["site_id"].astype(str).to_numpy(),
        "skus": 1,
        "average_on_hand_value": skus["average_on_hand_value"].to_numpy(dtype=float),
        "demand": demand,
        "served": np.where(np.isfinite(served), served, 1.0) * demand,
        "transfer_units": np.where(transfer, arrays.planned_receipts[rows].sum(axis=1), 0.0),
        "ss_cells": has_ss.sum(axis=1),
        "ss_met": met.sum(axis=1),
    })
    sums = frame.groupby("site_id", sort=True).sum()
    orders = result.planned_orders
    chosen = np.zeros(result.n, dtype=bool)
    chosen[rows] = True
    transfers = orders[(orders["kind"] == "transfer").to_numpy()
                       & chosen[orders["sku_row"].to_numpy()]]
    counts = transfers["site_id"].value_counts()
    counts.index = counts.index.astype(str)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = pd.DataFrame({
            "site_id": sums.index.to_numpy(dtype=object),
            "skus": sums["skus"].to_numpy(dtype=float),
            "average_on_hand_value": sums["average_on_hand_value"].to_numpy(),
            "projected_service": np.where(sums["demand"] > 0,
                                          sums["served"] / sums["demand"], np.nan),
            "transfers": counts.reindex(sums.index).fillna(0).to_numpy(dtype=float),
            "transfer_units": sums["transfer_units"].to_numpy(),
            "ss_compliance": np.where(sums["ss_cells"] > 0,
                                      sums["ss_met"] / sums["ss_cells"], np.nan),
        })
    return out


def _grid_view(name: str) -> QTableView:
    view = QTableView(objectName=name)
    view.setAlternatingRowColors(False)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.verticalHeader().setVisible(False)
    view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + 6)
    view.horizontalHeader().setHighlightSections(False)
    view.horizontalHeader().setResizeContentsPrecision(50)
    return view


class DrpGridModel(PeriodGridModel):
    """The DRP grid: backlog (negative projected on hand) in red."""

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if (role == Qt.ItemDataRole.ForegroundRole and index.isValid()
                and index.column() >= self.label_count and index.row() % 5 == _POH_ROW
                and self.value(index.row(), index.column() - self.label_count) < -1e-9):
            return QBrush(QColor(charts.COLOURS["high"]))
        return super().data(index, role)


class DrpView(PlanTab):
    """DC chooser, DRP measures per DC, the time-phased DRP grid and the planned transfers."""


    def __init__(self, workbench: Workbench, parent: QWidget | None = None) -> None:
        super().__init__(workbench, "drpView", parent)
        self._result: PlanResult | None = None
        self._rows = np.zeros(0, dtype=np.int64)  # SKU rows of the DCs shown
        self._grid_rows = np.zeros(0, dtype=np.int64)  # SKU per grid entity (SKU mode)
        self._site_names: dict[str, str] = {}
        self._grid_layout: tuple[object, ...] = ()

        self.dc_chooser = QComboBox(objectName="drpDc")
        self.dc_chooser.setToolTip("Distribution centre to show")
        self.dc_chooser.setMinimumContentsLength(28)
        self.mode = QComboBox(objectName="drpMode")
        self.mode.addItems([PER_DC, PER_SKU])
        self.mode.setToolTip("Sum the DC's SKUs (units) or show them one by one")
        self.filter_box = QLineEdit(objectName="drpFilter")
        self.filter_box.setPlaceholderText("Filter SKUs: item…")
        self.filter_box.setClearButtonEnabled(True)
        self.summary = QLabel(objectName="drpSummary")

        self.measures_model = ColumnsModel(self)
        self.measures = _grid_view("drpMeasures")
        self.measures.setModel(self.measures_model)
        self.measures.setToolTip("DRP measures per distribution centre over the horizon")

        self.grid_model = DrpGridModel(self)
        self.grid = _grid_view("drpGrid")
        self.grid.setModel(self.grid_model)
        self.grid.doubleClicked.connect(self._open_grid_row)

        self.transfers_model = ColumnsModel(self)
        self.transfers = _grid_view("drpTransfers")
        self.transfers.setModel(self.transfers_model)
        self.transfers.setSortingEnabled(True)
        self.transfers.setAlternatingRowColors(True)
        self.transfers.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.transfers.horizontalHeader().setStretchLastSection(True)
        self.transfers.doubleClicked.connect(self._open_transfer)
        self.transfers.setToolTip("Double-click a transfer to open its SKU")

        bar = QHBoxLayout()
        bar.addWidget(QLabel("DC"))
        bar.addWidget(self.dc_chooser)
        bar.addWidget(QLabel("Rows"))
        bar.addWidget(self.mode)
        bar.addWidget(self.filter_box, 1)
        bar.addWidget(self.summary)

        transfers_box = QWidget()
        transfers_layout = QVBoxLayout(transfers_box)
        transfers_layout.setContentsMargins(0, 0, 0, 0)
        self.transfers_title = QLabel("Planned transfers")
        transfers_layout.addWidget(self.transfers_title)
        transfers_layout.addWidget(self.transfers)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.grid)
        split.addWidget(transfers_box)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)

        content = QWidget()
        layout = QVBoxLayout(content)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.measures)
        layout.addWidget(split, 1)

        self.make_pages(content, EMPTY_NO_PLAN, "drpEmpty")
        outer = QVBoxLayout(self)
        outer.setContentsMargins(6, 6, 6, 6)
        outer.addLayout(bar)
        outer.addWidget(self.pages, 1)

        self.dc_chooser.currentIndexChanged.connect(lambda _i: self.refresh())
        self.mode.currentTextChanged.connect(lambda _t: self.refresh())
        self._timer = QTimer(self, singleShot=True, interval=_FILTER_DELAY_MS)
        self._timer.timeout.connect(self.refresh)
        self.filter_box.textChanged.connect(self._timer.start)

    # --- showing a plan --------------------------------------------------------------------

    def show_plan(self, result: PlanResult) -> None:
        """Show the DRP of ``result`` (the current scenario's plan) for the chosen DC."""
        self._result = result
        try:
            sites = self._workbench.frames(["sites"])["sites"]
        except Exception:  # site names are a nicety: the grid shows ids without them
            sites = pd.DataFrame(columns=["site_id", "name", "kind"])
        dc_sites = set(sites.loc[sites["kind"].astype(str) == "dc", "site_id"].astype(str))
        self._site_names = dict(zip(sites["site_id"].astype(str),
                                    sites["name"].fillna("").astype(str), strict=True))
        self._rows = dc_rows(result, dc_sites) if result.n else np.zeros(0, dtype=np.int64)
        self._fill_dcs(sorted(set(result.skus["site_id"].astype(str).to_numpy()[self._rows])))
        self.refresh()

    def _fill_dcs(self, sites: list[str]) -> None:
        current = self.dc_chooser.currentData() or ALL_DCS
        self.dc_chooser.blockSignals(True)
        self.dc_chooser.clear()
        self.dc_chooser.addItem(ALL_DCS, ALL_DCS)
        for site in sites:
            name = self._site_names.get(site, "")
            self.dc_chooser.addItem(f"{site} · {name}" if name else site, site)
        found = self.dc_chooser.findData(current)
        self.dc_chooser.setCurrentIndex(max(found, 0))
        self.dc_chooser.blockSignals(False)

    @property
    def dc(self) -> str:
        """The chosen DC's site_id, or ``ALL_DCS``."""
        return self.dc_chooser.currentData() or ALL_DCS

    def choose_dc(self, site_id: str) -> None:
        """Show one DC (or ``ALL_DCS``)."""
        self.dc_chooser.setCurrentIndex(max(self.dc_chooser.findData(site_id), 0))

    def refresh(self) -> None:
        """Rebuild the measures, grid and transfers for the chosen DC, mode and filter."""
        result = self._result
        if result is None:
            self.show_empty()
            return
        if not len(self._rows):
            self.show_empty(EMPTY_NO_DC if result.n else EMPTY_NO_PLAN)
            self.summary.setText("")
            return
        self.show_content()
        rows = self._rows
        site_of = result.skus["site_id"].astype(str).to_numpy()
        if self.dc != ALL_DCS:
            rows = rows[site_of[rows] == self.dc]
        self._show_measures(result, rows)
        per_sku = self.mode.currentText() == PER_SKU
        self.filter_box.setEnabled(per_sku)
        if per_sku:
            needle = self.filter_box.text().strip().lower()
            if needle:
                items = result.skus["item_id"].astype(str).str.lower().to_numpy()[rows]
                rows = rows[np.char.find(items.astype(str), needle) >= 0]
            self._show_skus(result, rows)
        else:
            self._show_sites(result, rows)
        self._show_transfers(result, rows)
        count = len(rows)
        self.summary.setText(f"{count:,} DC SKUs")

    def _show_measures(self, result: PlanResult, rows: np.ndarray) -> None:
        m = dc_measures(result, rows)
        names = np.array([self._site_names.get(s, "") for s in m["site_id"]], dtype=object)
        self.measures_model.set_columns([
            TableColumn("DC", m["site_id"].to_numpy(dtype=object)),
            TableColumn("Name", names),
            TableColumn("SKUs", m["skus"].to_numpy(), "number"),
            TableColumn("Average on-hand value", m["average_on_hand_value"].to_numpy(),
                        "money"),
            TableColumn("Projected service", m["projected_service"].to_numpy(), "percent",
                        decimals=1),
            TableColumn("Planned transfers", m["transfers"].to_numpy(), "number"),
            TableColumn("Transfer volume (units)", m["transfer_units"].to_numpy(), "number"),
            TableColumn("SS compliance", m["ss_compliance"].to_numpy(), "percent", decimals=1),
        ], result.settings.currency)
        self.measures.resizeColumnsToContents()
        height = (self.measures.horizontalHeader().height()
                  + self.measures.verticalHeader().defaultSectionSize()
                  * max(self.measures_model.rowCount(), 1) + 4)
        self.measures.setFixedHeight(min(height, 200))

    def _show_sites(self, result: PlanResult, rows: np.ndarray) -> None:
        names, block = drp_by_site(result, rows)
        k = len(MEASURES)
        labels = [("DC", np.repeat(names.astype(object), k)),
                  ("Measure", np.tile(np.array([m for m, _ in MEASURES], dtype=object),
                                      len(names)))]
        self._grid_rows = np.zeros(0, dtype=np.int64)
        self._set_grid(result, labels, block, len(names))

    def _show_skus(self, result: PlanResult, rows: np.ndarray) -> None:
        k = len(MEASURES)
        skus = result.skus
        labels = [("Part", np.repeat(skus["item_id"].astype(str).to_numpy(dtype=object)[rows],
                                     k)),
                  ("DC", np.repeat(skus["site_id"].astype(str).to_numpy(dtype=object)[rows],
                                   k)),
                  ("Measure", np.tile(np.array([m for m, _ in MEASURES], dtype=object),
                                      len(rows)))]
        self._grid_rows = rows
        self._set_grid(result, labels, drp_block(result, rows), len(rows))

    def _set_grid(self, result: PlanResult, labels: list[tuple[str, np.ndarray]],
                  block: np.ndarray, groups: int) -> None:
        k = len(MEASURES)
        shaded = np.repeat(np.arange(groups) % 2 == 1, k)
        bold = np.tile(np.arange(k) == _POH_ROW, groups)
        layout = (tuple(name for name, _ in labels), result.horizon)
        self.grid_model.set_grid(labels, block, period_headers(result.periods),
                                 [p.strftime("%Y-%m-%d") for p in result.periods],
                                 fmt=_cell_text, shaded=shaded, bold=bold, group=k)
        if layout != self._grid_layout:  # other label columns: fit the widths again
            self._grid_layout = layout
            self.grid.resizeColumnsToContents()

    def _show_transfers(self, result: PlanResult, rows: np.ndarray) -> None:
        orders = result.planned_orders
        chosen = np.zeros(result.n, dtype=bool)
        chosen[rows] = True
        sku_row = orders["sku_row"].to_numpy()
        transfers = orders[chosen[sku_row] & (orders["kind"] == "transfer").to_numpy()]
        self._transfers = transfers
        cost = result.skus["unit_cost"].to_numpy(dtype=float, na_value=0.0)
        quantity = transfers["quantity"].to_numpy(dtype=float)
        value = quantity * cost[transfers["sku_row"].to_numpy()]

        def text(name: str) -> np.ndarray:
            return transfers[name].to_numpy(dtype=object)

        past_due = np.where(transfers["past_due"].to_numpy(dtype=bool), "past due", "")
        first_time = self.transfers_model.columnCount() == 0
        self.transfers_model.set_columns([
            TableColumn("Part", text("item_id")),
            TableColumn("From", text("source_site")),
            TableColumn("To", text("site_id")),
            TableColumn("Release", text("release_period"),
                        sort_key=transfers["release_index"].to_numpy()),
            TableColumn("Receipt", text("receipt_period"),
                        sort_key=transfers["receipt_index"].to_numpy()),
            TableColumn("Quantity", quantity, "quantity"),
            TableColumn("Value", value, "money"),
            TableColumn("Status", past_due.astype(object),
                        colours={"past due": charts.COLOURS["high"]}),
        ], result.settings.currency)
        if first_time:  # in plan order: SKU by SKU, by release
            self.transfers.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
            self.transfers.resizeColumnsToContents()
        units = float(quantity.sum())
        self.transfers_title.setText(f"Planned transfers: {len(transfers):,} orders, "
                                     f"{fmt_number(units)} units")

    # --- opening a SKU ---------------------------------------------------------------------

    def _open_grid_row(self, index: QModelIndex) -> None:
        if not index.isValid() or self._result is None:
            return
        if not len(self._grid_rows):  # per DC: show that DC SKU by SKU
            site = str(self.grid_model.index(index.row(), 0).data())
            self.mode.setCurrentText(PER_SKU)
            self.choose_dc(site)
            return
        row = int(self._grid_rows[index.row() // len(MEASURES)])
        sku = self._result.skus.iloc[row]
        self.sigOpenSku.emit(str(sku["item_id"]), str(sku["site_id"]))

    def _open_transfer(self, index: QModelIndex) -> None:
        if not index.isValid():
            return
        order = self._transfers.iloc[self.transfers_model.source_row(index.row())]
        self.sigOpenSku.emit(str(order["item_id"]), str(order["site_id"]))


def _cell_text(row: int, value: float) -> str:
    """A DRP cell: whole units, flows blank when zero, stock always shown."""
    if abs(value) < 0.5 and row % len(MEASURES) < _POH_ROW:
        return ""
    return fmt_number(value, 0)
