"""The Trade-off tab: safety-stock investment against service, SEIO and MEIO side by side.

The curve is ``app.engine.tradeoff.tradeoff`` of the current plan's network: for one
cycle-service target at every demand SKU, what single-echelon (every SKU for itself) and
multi-echelon (guaranteed-service placement) safety stock cost. The plan's own position is
marked: its demand-weighted service target against the investment it holds now and the two
recommendations at the SKUs' own targets. The curve needs one MEIO solve per network (seconds
on large ones): it runs on a worker thread with a progress bar and a cancel button, and is
memoised by the session, so edits that leave the network alone redraw at once.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)
from scipy import special

from app.engine.optimization import current_position
from app.engine.recommend import network_digest
from app.engine.result import PlanResult
from app.engine.tradeoff import TradeOff, tradeoff
from app.views import charts
from app.views.formatting import fmt_money, fmt_money_compact, fmt_percent
from app.views.plan_tab import PlanTab
from app.views.recompute import BackgroundTask, TaskCancelled
from app.views.tab_models import ColumnsModel, TableColumn
from app.workbench import Workbench

EMPTY_TEXT = ("No trade-off to show: this scenario has no SKU with customer demand. Import "
              "demand history or a forecast (File > Import CSV folder) to see what service "
              "costs in safety stock.")

#: the uniform target of the per-SKU table
PER_SKU_TARGET = 0.95


class TradeoffView(PlanTab):
    """Chart and table of the investment curve; the plan's own position marked on it."""


    def __init__(self, workbench: Workbench, parent: QWidget | None = None) -> None:
        super().__init__(workbench, "tradeoffView", parent)
        self._result: PlanResult | None = None
        self._curve: TradeOff | None = None
        self._curve_key: bytes | None = None
        self._task: BackgroundTask | None = None
        self._task_key: bytes | None = None

        self.summary = QLabel(objectName="tradeoffSummary")
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.progress = QProgressBar(objectName="tradeoffProgress")
        self.progress.setRange(0, 100)
        self.progress.setFormat("Optimising safety-stock placement… %p%")
        self.cancel_button = QPushButton("Cancel", objectName="tradeoffCancel")
        self.cancel_button.clicked.connect(self.cancel)
        busy = QHBoxLayout()
        busy.addWidget(self.progress, 1)
        busy.addWidget(self.cancel_button)
        self.busy = QWidget()
        self.busy.setLayout(busy)
        self.busy.hide()

        self.plot = charts.styled_plot("Safety-stock investment vs service target",
                                       charts.money_axis("USD"), None)
        self.plot.getPlotItem().getAxis("bottom").setLabel("service target (cycle service)")
        self.legend = charts.add_legend(self.plot, bottom=True)
        self.model = ColumnsModel(self)
        self.table = QTableView(objectName="tradeoffTable")
        self.table.setModel(self.model)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.setAlternatingRowColors(True)
        row_height = self.fontMetrics().height() + 8
        self.table.verticalHeader().setDefaultSectionSize(row_height)
        self.table.setFixedHeight(row_height * 11 + 6)
        self.sku_label = QLabel(objectName="tradeoffSkuLabel")
        self.sku_label.setWordWrap(True)
        self.sku_model = ColumnsModel(self)
        self.sku_table = QTableView(objectName="tradeoffSkuTable")
        self.sku_table.setModel(self.sku_model)
        self.sku_table.verticalHeader().hide()
        self.sku_table.setSortingEnabled(True)
        self.sku_table.setAlternatingRowColors(True)
        self.sku_table.verticalHeader().setDefaultSectionSize(row_height)
        self.sku_table.horizontalHeader().setStretchLastSection(True)
        self.sku_table.doubleClicked.connect(self._open_sku)

        side = QVBoxLayout()
        side.addWidget(self.table)
        side.addWidget(self.sku_label)
        side.addWidget(self.sku_table, 1)
        body = QHBoxLayout()
        body.addWidget(self.plot, 5)
        body.addLayout(side, 4)
        content = QWidget()
        column = QVBoxLayout(content)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.summary)
        column.addWidget(self.busy)
        column.addLayout(body, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(self.make_pages(content, EMPTY_TEXT, "tradeoffEmpty"))

    # --- the tab protocol -----------------------------------------------------------------

    def show_plan(self, result: PlanResult) -> None:
        """Show the curve of ``result``'s network (computed off the GUI thread when new)."""
        self._result = result
        rec = result.recommendation
        if rec is None or not rec.network.is_demand.any():
            self.show_empty()
            return
        self.show_content()
        key = network_digest(rec.network, self._workbench.meio_options)
        if key == self._curve_key and self._curve is not None:
            self._draw()
            return
        if self._task is not None and self._task.running:
            if key == self._task_key:
                return
            self._task.cancel()
        self._start(key)

    def cancel(self) -> None:
        if self._task is not None:
            self._task.cancel()

    @property
    def curve(self) -> TradeOff | None:
        """The curve shown (None until the first one is computed)."""
        return self._curve

    @property
    def computing(self) -> bool:
        return self._task is not None and self._task.running

    # --- computing --------------------------------------------------------------------------

    def _start(self, key: bytes) -> None:
        assert self._result is not None and self._result.recommendation is not None
        rec = self._result.recommendation
        unit_cost = self._result.skus["unit_cost"].to_numpy(dtype=float, na_value=0.0)
        memo = self._workbench.meio_memo
        options = self._workbench.meio_options

        def run(progress, cancelled) -> TradeOff:  # noqa: ANN001 - worker protocol
            curve = tradeoff(rec.network, rec.lead, unit_cost, options=options, memo=memo,
                             progress=progress, should_stop=cancelled)
            if cancelled():
                raise TaskCancelled
            return curve

        task = BackgroundTask(run, parent=self)
        task.sigProgress.connect(lambda f: self.progress.setValue(int(100 * f)))
        task.sigFinished.connect(lambda curve, k=key, t=task: self._on_done(t, k, curve))
        task.sigFailed.connect(lambda err, t=task: self._on_failed(t, err))
        self._task, self._task_key = task, key
        self.progress.setValue(0)
        self.busy.show()
        task.start()

    def _on_done(self, task: BackgroundTask, key: bytes, curve: TradeOff) -> None:
        if task is not self._task:
            return
        self.busy.hide()
        self._curve, self._curve_key = curve, key
        self._draw()

    def _on_failed(self, task: BackgroundTask, error: BaseException) -> None:
        if task is not self._task:
            return
        self.busy.hide()
        if isinstance(error, TaskCancelled):
            self.sigMessage.emit("Trade-off: cancelled; the curve shown is the previous one")
        else:
            self.sigMessage.emit(f"Trade-off could not be computed: {error}")

    # --- drawing ----------------------------------------------------------------------------

    def _draw(self) -> None:
        result, curve = self._result, self._curve
        if result is None or curve is None:
            return
        currency = result.settings.currency
        position = current_position(result)
        target = position["service_target"]
        table = curve.curve
        x = 100.0 * table["service_target"].to_numpy()
        item = self.plot.getPlotItem()
        item.clear()
        self.legend.clear()
        axis = item.getAxis("left")
        axis.set_format(lambda v: fmt_money_compact(v, currency))
        item.plot(x, table["seio_investment"].to_numpy(), name="SEIO (every SKU for itself)",
                  pen=charts.line_pen("excess"), symbol="o", symbolSize=6,
                  symbolBrush=charts.colour("excess"), symbolPen=None)
        item.plot(x, table["meio_investment"].to_numpy(), name="MEIO (network placement)",
                  pen=charts.line_pen("actual"), symbol="o", symbolSize=6,
                  symbolBrush=charts.colour("actual"), symbolPen=None)
        points = (("ss_investment_current", "Current plan", "star", "#222222", 16),
                  ("ss_investment_seio", "SEIO at own targets", "t", charts.COLOURS["excess"],
                   12),
                  ("ss_investment_meio", "MEIO at own targets", "t", charts.COLOURS["actual"],
                   12))
        for key, name, symbol, colour, size in points:
            value = position[key]
            if np.isfinite(value) and np.isfinite(target):
                item.addItem(pg.ScatterPlotItem([100.0 * target], [value], symbol=symbol,
                                                size=size, brush=pg.mkBrush(colour),
                                                pen=pg.mkPen("#FFFFFF"), name=name))
        item.getAxis("bottom").setLabel("service target (cycle service, %)")
        self._fill_table(curve, currency)
        self._fill_skus(result, curve, currency)
        self.summary.setText(self._summary(result, curve, position, currency))

    def _fill_table(self, curve: TradeOff, currency: str) -> None:
        table = curve.curve
        seio = table["seio_investment"].to_numpy()
        meio = table["meio_investment"].to_numpy()
        saving = np.where(seio > 0, 1.0 - meio / np.where(seio > 0, seio, 1.0), np.nan)
        self.model.set_columns([
            TableColumn("Service target", table["service_target"].to_numpy(), "percent", 1),
            TableColumn("SEIO investment", seio, "money"),
            TableColumn("MEIO investment", meio, "money"),
            TableColumn("MEIO saving", saving, "percent", 1),
        ], currency)

    def _fill_skus(self, result: PlanResult, curve: TradeOff, currency: str) -> None:
        """Per SKU at a 95 % target everywhere: units and value of SEIO and MEIO stock."""
        z = float(special.ndtri(PER_SKU_TARGET))
        seio, meio = z * curve.per_sku_seio, z * curve.per_sku_meio
        value = meio * curve.unit_cost
        skus = result.skus
        self.sku_label.setText(f"Per SKU, at {fmt_percent(PER_SKU_TARGET, 0)} everywhere "
                               "(double-click opens the SKU):")
        self.sku_model.set_columns([
            TableColumn("Part", skus["item_id"].to_numpy(dtype=object)),
            TableColumn("Site", skus["site_id"].to_numpy(dtype=object)),
            TableColumn("SEIO units", seio, "number"),
            TableColumn("MEIO units", meio, "number"),
            TableColumn("MEIO value", value, "money"),
        ], currency)
        self.sku_table.sortByColumn(4, Qt.SortOrder.DescendingOrder)
        self.sku_table.resizeColumnsToContents()

    def _open_sku(self, index: QModelIndex) -> None:
        if self._result is None or not index.isValid():
            return
        row = self.sku_model.source_row(index.row())
        skus = self._result.skus
        self.sigOpenSku.emit(str(skus["item_id"].iat[row]), str(skus["site_id"].iat[row]))

    @staticmethod
    def _summary(result: PlanResult, curve: TradeOff, position: dict[str, float],
                 currency: str) -> str:
        target = position["service_target"]
        now, seio, meio = (position[k] for k in ("ss_investment_current",
                                                 "ss_investment_seio", "ss_investment_meio"))
        parts = [f"At the SKUs' own targets (demand-weighted <b>{fmt_percent(target, 1)}</b>) "
                 f"the plan holds <b>{fmt_money(now, currency)}</b> of safety stock; "
                 f"single-echelon would need {fmt_money(seio, currency)}"]
        if np.isfinite(meio):
            parts.append(f", the multi-echelon placement <b>{fmt_money(meio, currency)}</b>")
            gap = result.kpis.get("meio_gap", float("nan"))
            if np.isfinite(gap) and gap > 0:
                parts.append(f" (within {fmt_percent(gap, 2)} of optimal)")
        sol = curve.solution
        parts.append(". The curve places stock once for one target at every demand SKU "
                     "(stocks then scale with z)"
                     + ("" if sol.exact else f"; its placement is within "
                        f"{fmt_percent(sol.gap, 2)} of optimal") + ".")
        return "".join(parts)
