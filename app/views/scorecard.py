"""The Scorecard tab: every scenario side by side, scored against the current plan.

The current plan (the reference) is the approved scenario when there is one (the last
approved, in tree order), else the Baseline; the header says which. Each KPI row shows its
target (where the plan has a ``target_*`` counterpart), each scenario's value and its delta
against the reference, green when the change is good for that KPI (higher service, lower
cost...) and red when bad. The weighted score of scenario s is

    score_s = sum_k w_k * d_k * (v_sk - v_rk) / |v_rk|  x 100

over the KPIs k with a weight w_k > 0 and a direction d_k (+1 higher is better, -1 lower is
better), v_rk the reference's value: the weighted relative improvement over the current plan,
in percent (0 for the reference itself). Rank 1 is the best score. Below: an overlay chart of
one time-phased measure across scenarios and each scenario's own changes (its diff).

The plans come from the workbench (cached per revision; the others are computed off the GUI
thread); the current scenario's arrives through ``show_plan``. No number is computed here
beyond the score. The table model (KPIs, formats, score) is ``app.views.scorecard_model``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QModelIndex, Qt, QThreadPool, QTimer
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSplitter,
    QTableView,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from app.engine.inputs import PlanInputError
from app.engine.result import PlanResult
from app.views.charts import AXIS_TEXT, PeriodAxis, add_legend, styled_plot
from app.views.formatting import fmt_money_compact, fmt_number, fmt_percent
from app.views.plan_tab import PlanTab
from app.views.recompute import BackgroundTask
from app.views.relay import listen
from app.views.scorecard_model import SCENARIO_COLOURS, ScorecardModel
from app.workbench import Changed, PlanJob, Workbench, WorkspaceError

Index = QModelIndex


class _OverlayAxis(pg.AxisItem):
    """Left axis whose tick text follows the measure shown (money, percent, number)."""

    def __init__(self) -> None:
        super().__init__("left")
        self.enableAutoSIPrefix(False)
        self.unit, self.currency = "number", "USD"

    def tickStrings(self, values: list[float], scale: float,  # noqa: N802
                    spacing: float) -> list[str]:
        if self.unit == "money":
            return [fmt_money_compact(v, self.currency) for v in values]
        if self.unit == "percent":
            return [fmt_percent(v, 0) for v in values]
        return [fmt_number(v, 1 if spacing < 1 else 0) for v in values]


def measure_unit(name: str) -> str:
    """How a ``kpis_by_period`` column reads: money, percent or number."""
    if any(w in name for w in ("value", "cost", "revenue", "cogs")):
        return "money"
    if any(w in name for w in ("service", "compliance", "utilisation", "ratio")):
        return "percent"
    return "number"


def measure_title(name: str) -> str:
    return name.replace("_", " ").replace("ss ", "safety-stock ").capitalize()


class ScorecardView(PlanTab):
    """The scorecard table, the overlay chart and the scenarios' changes."""


    def __init__(self, workbench: Workbench, parent: QWidget | None = None) -> None:
        super().__init__(workbench, "scorecardView", parent)
        self._current: PlanResult | None = None
        self._plans: dict[str, PlanResult | None] = {}
        self._dirty = True
        self._jobs: list[PlanJob] = []
        self._task: BackgroundTask | None = None
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self._stopped = False

        self.reference_label = QLabel(objectName="scorecardReference")
        self.reference_label.setWordWrap(True)
        self.model = ScorecardModel(self)
        self.table = QTableView(objectName="scorecardTable")
        self.table.setModel(self.model)
        self.table.verticalHeader().hide()
        self.table.setAlternatingRowColors(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                                   | QAbstractItemView.EditTrigger.EditKeyPressed
                                   | QAbstractItemView.EditTrigger.AnyKeyPressed)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.model.modelReset.connect(self._fit)

        self.measure_chooser = QComboBox(objectName="overlayMeasure")
        self.measure_chooser.setToolTip("Time-phased measure drawn for every scenario")
        self.axis = _OverlayAxis()
        self.period_axis = PeriodAxis()
        self.chart = styled_plot("", self.axis, self.period_axis)
        self.chart.setObjectName("scorecardChart")
        self.legend = add_legend(self.chart)
        self.measure_chooser.currentIndexChanged.connect(lambda _i: self._draw())

        self.changes_model = QStandardItemModel(self)
        self.changes = QTreeView(objectName="scenarioChanges")
        self.changes.setModel(self.changes_model)
        self.changes.setHeaderHidden(True)
        self.changes.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.changes.header().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.changes.header().setStretchLastSection(False)

        chart_box = QWidget()
        chart_layout = QVBoxLayout(chart_box)
        chart_layout.setContentsMargins(0, 0, 0, 0)
        top = QHBoxLayout()
        top.addWidget(QLabel("Overlay"))
        top.addWidget(self.measure_chooser, 1)
        chart_layout.addLayout(top)
        chart_layout.addWidget(self.chart, 1)
        changes_box = QWidget()
        changes_layout = QVBoxLayout(changes_box)
        changes_layout.setContentsMargins(0, 0, 0, 0)
        changes_layout.addWidget(QLabel("Changes of each scenario (its diff against its parent)"))
        changes_layout.addWidget(self.changes, 1)
        bottom = QSplitter(Qt.Orientation.Horizontal)
        bottom.addWidget(chart_box)
        bottom.addWidget(changes_box)
        bottom.setStretchFactor(0, 1)
        bottom.setStretchFactor(1, 1)
        split = QSplitter(Qt.Orientation.Vertical, objectName="scorecardSplit")
        split.addWidget(self.table)
        split.addWidget(bottom)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        split.setSizes([560, 320])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.reference_label)
        layout.addWidget(split, 1)
        listen(workbench, self, self._on_changed)

    # --- protocol of the plan tabs ---------------------------------------------------------

    def show_plan(self, result: PlanResult) -> None:
        """The current scenario's new plan: refresh every column (others come cached)."""
        self._current = result
        self._dirty = True
        self.refresh()

    def _on_changed(self, changed: Changed) -> None:
        if changed.tree or changed.kind in ("open", "select"):
            self._dirty = True
        if changed.kind == "open":
            self._current = None
        # a rename, approval or deletion plans nothing anew: no show_plan follows, so refresh
        if changed.tree and not changed.tables and self.isVisible():
            QTimer.singleShot(0, self.refresh)

    # --- content ---------------------------------------------------------------------------

    def reference_name(self) -> tuple[str, str]:
        """(the reference scenario, why): the last approved scenario, else the Baseline."""
        infos = self._workbench.scenarios()
        approved = [i.name for i in infos if i.parent is not None and i.status == "approved"]
        if approved:
            return approved[-1], "the approved scenario"
        return infos[0].name, "no scenario is approved yet"

    @property
    def busy(self) -> bool:
        """True while plans of other scenarios are being computed."""
        return self._task is not None

    def refresh(self) -> None:
        """Show every scenario's plan: cached ones at once, the others computed off-thread.

        A column whose plan is still being computed shows dashes until it arrives.
        """
        if not self._dirty or self._stopped:
            return
        self._dirty = False
        wb = self._workbench
        infos = wb.scenarios()
        self._jobs = []
        plans: dict[str, PlanResult | None] = {}
        for info in infos:
            if info.name == wb.current and self._current is not None:
                plans[info.name] = self._current
                continue
            try:
                job = wb.plan_job(info.name)
            except WorkspaceError:
                plans[info.name] = None
                continue
            if isinstance(job, PlanResult):
                plans[info.name] = job
            else:
                plans[info.name] = None
                self._jobs.append(job)
        self._plans = plans
        self._show(infos)
        self._next_job()

    def _next_job(self) -> None:
        if self._task is not None or not self._jobs:
            return
        job = self._jobs.pop(0)
        task = BackgroundTask(lambda _p, _c: job.run(), self._pool, self)
        self._task = task

        def done(result: object) -> None:
            self._task = None
            task.deleteLater()
            if self._stopped:
                return
            assert isinstance(result, PlanResult)
            self._workbench.adopt(job, result)
            if job.name in self._plans:
                self._plans[job.name] = result
                self._show(self._workbench.scenarios())
            self._next_job()

        def failed(error: BaseException) -> None:
            self._task = None
            task.deleteLater()
            if self._stopped:
                return
            if not isinstance(error, PlanInputError):
                raise error
            self._next_job()

        task.sigFinished.connect(done)
        task.sigFailed.connect(failed)
        task.start()

    def wait(self, timeout_ms: int = 60_000) -> bool:
        """Block until the plan being computed is done (its result arrives by signal)."""
        return self._pool.waitForDone(timeout_ms)

    def stop(self) -> None:
        """Compute nothing more and drop results on their way (closing the window)."""
        self._stopped = True
        self._jobs.clear()
        self._pool.waitForDone()

    def _show(self, infos: Sequence) -> None:
        wb = self._workbench
        names = [i.name for i in infos if i.name in self._plans]
        plans = [self._plans[n] for n in names]
        reference, why = self.reference_name()
        waiting = sum(p is None for p in plans)
        self.reference_label.setText(
            f"Δ columns compare each scenario with <b>{reference}</b>, the current plan "
            f"({why}). Green: better, red: worse for that measure. You are editing "
            f"<b>{wb.current}</b>. Weights are editable; the score is the weighted relative "
            "improvement over the current plan, in %."
            + (f" <i>Planning {waiting} more scenario(s)…</i>" if waiting else ""))
        self.model.set_plans(names, plans, reference, wb.current)
        self._fill_measures()
        self._draw()
        self._fill_changes(infos)

    def _fit(self) -> None:
        self.table.resizeColumnsToContents()
        header = self.table.horizontalHeader()
        header.resizeSection(0, max(header.sectionSize(0), 190))
        for column in range(3, header.count()):
            header.resizeSection(column, max(header.sectionSize(column), 96))

    def _fill_measures(self) -> None:
        plans = [p for p in self._plans.values() if p is not None]
        if not plans:
            return
        columns = [c for c in plans[0].kpis_by_period.columns
                   if c != "period" and np.issubdtype(plans[0].kpis_by_period[c].dtype,
                                                      np.number)]
        chosen = self.measure_chooser.currentData() or "on_hand_value"
        self.measure_chooser.blockSignals(True)
        self.measure_chooser.clear()
        for name in columns:
            self.measure_chooser.addItem(measure_title(name), name)
        found = self.measure_chooser.findData(chosen)
        self.measure_chooser.setCurrentIndex(max(found, 0))
        self.measure_chooser.blockSignals(False)

    def _draw(self) -> None:
        measure = self.measure_chooser.currentData()
        item = self.chart.getPlotItem()
        item.clear()
        self.legend.clear()
        if not measure:
            return
        unit = measure_unit(measure)
        self.axis.unit = unit
        self.axis.currency = self.model.currency
        self.axis.picture = None
        self.chart.setTitle(measure_title(measure), color=AXIS_TEXT, size="10pt", bold=True)
        for i, (name, plan) in enumerate(self._plans.items()):
            if plan is None or measure not in plan.kpis_by_period:
                continue
            y = plan.kpis_by_period[measure].to_numpy(dtype=float)
            if i == 0:
                self.period_axis.set_periods(plan.periods)
            colour = SCENARIO_COLOURS[i % len(SCENARIO_COLOURS)]
            width = 3 if name == self._workbench.current else 2
            style = Qt.PenStyle.SolidLine if i < len(SCENARIO_COLOURS) else Qt.PenStyle.DashLine
            self.chart.plot(np.arange(len(y)), y, name=name,
                            pen=pg.mkPen(colour, width=width, style=style))
        self.chart.getPlotItem().enableAutoRange()

    def _fill_changes(self, infos: Sequence) -> None:
        self.changes_model.clear()
        shown_per_scenario = 200
        for info in infos:
            if info.parent is None:
                continue
            records = self._workbench.diff(info.name)
            head = QStandardItem(f"{info.name} — {info.status}, {len(records):,} changes on top "
                                 f"of {info.parent}")
            font = head.font()
            font.setBold(True)
            head.setFont(font)
            for record in records[:shown_per_scenario]:
                head.appendRow(QStandardItem(f"{record.seq}. {record.change.describe()}"))
            if len(records) > shown_per_scenario:
                head.appendRow(QStandardItem(
                    f"… and {len(records) - shown_per_scenario:,} more"))
            if not records:
                head.appendRow(QStandardItem("(no changes yet: edit the workbook to add some)"))
            self.changes_model.appendRow(head)
        if self.changes_model.rowCount() == 0:
            for line in ("Only the Baseline exists yet.", "Fork a scenario (Scenario ▸ Fork),",
                         "edit it in the workbook,", "and it appears here beside the Baseline."):
                self.changes_model.appendRow(QStandardItem(line))  # short lines: no clipping
        self.changes.expandAll()
