"""The Dashboard tab: the inventory manager's measures of the current plan, as tiles and charts.

Tiles on top (average inventory value, turns, projected service, safety-stock compliance, total
cost, cash-to-cash), each against its target and, in a scenario, against its parent; below,
on hand against target by part class and by ABC class, periods of supply by item category,
excess and obsolete value per period, service level per period against target and on-hand
value per period against target. A click on a class or category bar filters the workbook.
Every number comes from ``PlanResult.kpis`` and ``PlanResult.kpis_by_period``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from app.engine.result import PlanResult
from app.views import charts
from app.views.formatting import (
    fmt_money,
    fmt_money_compact,
    fmt_number,
    fmt_percent,
)
from app.views.plan_tab import PlanTab
from app.workbench import Workbench

PART_CLASSES = ("FG", "WIP", "RM")
ABC_CLASSES = ("A", "B", "C")
EMPTY_TEXT = ("Nothing to show yet: this scenario has no SKUs to plan. Import your planning "
              "data (File > Import CSV folder) or open the demo workspace.")


@dataclass(frozen=True)
class Tile:
    """One KPI tile: the kpis key, its title, how to show it, its target key, and which way
    is better (+1 higher, -1 lower)."""

    key: str
    title: str
    kind: str  # money, percent, turns, days
    target: str | None = None
    better: int = 1


TILES: tuple[Tile, ...] = (
    Tile("average_inventory_value", "Average inventory value", "money",
         "target_inventory_value", -1),
    Tile("turns", "Inventory turns", "turns", "target_turns", 1),
    Tile("projected_service_level", "Projected service", "percent", "target_service_level", 1),
    Tile("ss_compliance", "Safety-stock compliance", "percent", None, 1),
    Tile("total_cost", "Total cost (horizon)", "money", None, -1),
    Tile("cash_to_cash_days", "Cash-to-cash", "days", None, -1),
)


def tile_text(kind: str, value: float, currency: str) -> str:
    """A KPI value as its tile shows it."""
    if kind == "money":
        return fmt_money_compact(value, currency)
    if kind == "percent":
        return fmt_percent(value, 1)
    if kind == "turns":
        return f"{fmt_number(value, 1)} /yr"
    days = fmt_number(value, 0)
    return f"{days} day" if days in ("1", "-1") else f"{days} days"


def class_summary(by_period: pd.DataFrame, classes: tuple[str, ...]) -> pd.DataFrame:
    """Mean over periods of on-hand value and its target per class (FG/WIP/RM or A/B/C)."""
    rows = []
    for name in classes:
        actual = by_period.get(f"on_hand_value_{name}")
        target = by_period.get(f"target_on_hand_value_{name}")
        rows.append({
            "key": name,
            "on_hand_value": float(actual.mean()) if actual is not None else np.nan,
            "target": float(target.mean()) if target is not None else np.nan,
        })
    return pd.DataFrame(rows, columns=["key", "on_hand_value", "target"])


def supply_by_category(by_period: pd.DataFrame) -> pd.Series:
    """Mean periods of supply per item category over the horizon, largest first."""
    prefix = "periods_of_supply_"
    columns = [c for c in by_period.columns if c.startswith(prefix)]
    values = pd.Series({c[len(prefix):]: float(by_period[c].mean()) for c in columns},
                       dtype=float)
    return values.sort_values(ascending=False)


class KpiTile(QFrame):
    """A framed tile: title, big value, a line of context (target, change vs parent)."""

    def __init__(self, tile: Tile, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tile = tile
        self.setObjectName(f"tile_{tile.key}")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setStyleSheet(f"QFrame#tile_{tile.key} {{ background: #ffffff; "
                           "border: 1px solid #d5dbe3; border-radius: 6px; }")
        self.title = QLabel(tile.title)
        self.title.setStyleSheet("color: #555555;")
        self.value = QLabel("–", objectName=f"tileValue_{tile.key}")
        font = self.value.font()
        font.setPointSizeF(font.pointSizeF() * 1.7)
        font.setBold(True)
        self.value.setFont(font)
        self.value.setStyleSheet(f"color: {charts.COLOURS['actual']};")
        self.context = QLabel("", objectName=f"tileContext_{tile.key}")
        self.context.setTextFormat(Qt.TextFormat.RichText)
        self.context.setWordWrap(True)
        self.context.setStyleSheet("color: #555555;")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 6, 10, 6)
        layout.setSpacing(2)
        for label in (self.title, self.value, self.context):
            layout.addWidget(label)
        layout.addStretch(1)

    def show_value(self, kpis: dict[str, float], currency: str,
                   parent_kpis: dict[str, float] | None, parent_name: str | None) -> None:
        tile = self.tile
        value = kpis.get(tile.key, np.nan)
        self.value.setText(tile_text(tile.kind, value, currency))
        parts = []
        if tile.target and np.isfinite(kpis.get(tile.target, np.nan)):
            parts.append(f"target {tile_text(tile.kind, kpis[tile.target], currency)}")
        if parent_kpis is not None and tile.key in parent_kpis:
            delta = value - parent_kpis[tile.key]
            shown = delta_text(tile.kind, abs(delta), currency) if np.isfinite(delta) else ""
            if any(c in "123456789" for c in shown):  # a change that shows in the digits
                arrow = "▲" if delta > 0 else "▼"
                good = (delta > 0) == (tile.better > 0)
                colour = charts.COLOURS["service"] if good else charts.COLOURS["obsolete"]
                parts.append(f"<span style='color:{colour}'>{arrow} {shown}</span> "
                             f"vs {parent_name}")
            else:
                parts.append(f"same as {parent_name}")
        self.context.setText("<br>".join(parts) if parts else "&nbsp;")
        self.setToolTip(_tile_tooltip(tile, value, currency))


def delta_text(kind: str, delta: float, currency: str) -> str:
    """A change of a KPI (absolute) as text: percentage points for percents."""
    if kind == "percent":
        return f"{fmt_number(delta * 100, 1)} pts"
    return tile_text(kind, delta, currency)


def _tile_tooltip(tile: Tile, value: float, currency: str) -> str:
    if tile.kind == "money":
        return f"{tile.title}: {fmt_money(value, currency)}"
    if tile.kind == "percent":
        return f"{tile.title}: {fmt_percent(value, 2)}"
    return f"{tile.title}: {fmt_number(value, 2)}"


class DashboardView(PlanTab):
    """KPI tiles and charts of the plan the main window hands to ``show_plan``."""


    def __init__(self, workbench: Workbench, parent: QWidget | None = None) -> None:
        super().__init__(workbench, "dashboardView", parent)
        self._result: PlanResult | None = None

        self.tiles = {tile.key: KpiTile(tile) for tile in TILES}
        tiles = QHBoxLayout()
        tiles.setSpacing(8)
        for tile in self.tiles.values():
            tiles.addWidget(tile, 1)

        self.by_class = charts.BarChart("On hand vs target by part class",
                                        charts.money_axis("USD"))
        self.by_abc = charts.BarChart("On hand vs plan by ABC class",
                                      charts.money_axis("USD"))
        self.by_category = charts.BarChart("Periods of supply by category",
                                           charts.quantity_axis("bottom"), horizontal=True)
        self.excess_axis = charts.PeriodAxis()
        self.excess = charts.styled_plot("Excess & obsolete value per period",
                                         charts.money_axis("USD"), self.excess_axis)
        self.service_axis = charts.PeriodAxis()
        self.service = charts.styled_plot("Service level per period vs target",
                                          charts.percent_axis(), self.service_axis)
        self.value_axis = charts.PeriodAxis()
        self.value = charts.styled_plot("On-hand value per period vs target",
                                        charts.money_axis("USD"), self.value_axis)
        for name, chart in (("chartByClass", self.by_class), ("chartByAbc", self.by_abc),
                            ("chartByCategory", self.by_category),
                            ("chartExcess", self.excess), ("chartService", self.service),
                            ("chartValue", self.value)):
            chart.setObjectName(name)
        self.by_class.sigBarClicked.connect(lambda key: self._filter("part_class", key))
        self.by_abc.sigBarClicked.connect(lambda key: self._filter("abc", key))
        self.by_category.sigBarClicked.connect(lambda key: self._filter("category", key))
        for chart in (self.by_class, self.by_abc, self.by_category):
            chart.setToolTip("Click a bar to filter the workbook on it")

        grid = QGridLayout()
        grid.setSpacing(8)
        grid.addWidget(self.by_class, 0, 0)
        grid.addWidget(self.by_abc, 0, 1)
        grid.addWidget(self.by_category, 0, 2)
        grid.addWidget(self.value, 1, 0)
        grid.addWidget(self.excess, 1, 1)
        grid.addWidget(self.service, 1, 2)

        content = QWidget(objectName="dashboardContent")
        layout = QVBoxLayout(content)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(tiles)
        layout.addLayout(grid, 1)

        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.make_pages(content, EMPTY_TEXT, "dashboardEmpty"))

    # --- showing a plan --------------------------------------------------------------------

    def show_plan(self, result: PlanResult) -> None:
        """Show the tiles and charts of ``result`` (the current scenario's plan)."""
        self._result = result
        if result.n == 0 or result.horizon == 0:
            self.show_empty()
            return
        self.show_content()
        currency = result.settings.currency
        parent_name, parent_kpis = self._parent_kpis()
        for tile in self.tiles.values():
            tile.show_value(result.kpis, currency, parent_kpis, parent_name)
        by_period = result.kpis_by_period
        self._show_classes(self.by_class, class_summary(by_period, PART_CLASSES), currency)
        self._show_classes(self.by_abc, class_summary(by_period, ABC_CLASSES), currency)
        supply = supply_by_category(by_period)
        self.by_category.set_bars(list(supply.index),
                                  [("Periods of supply", supply.to_numpy(), "actual")],
                                  value_text=lambda v: fmt_number(v, 1))
        self._show_periods(result, currency)

    def _parent_kpis(self) -> tuple[str | None, dict[str, float] | None]:
        """The parent scenario's name and KPIs, or (None, None) while its plan is not at hand
        (the main window computes it off the GUI thread and shows this tab again)."""
        try:
            parent = self._workbench.info().parent
            theirs = None if parent is None else self._workbench.cached_plan(parent)
            if theirs is None:
                return None, None
            return parent, theirs.kpis
        except Exception as err:  # a parent that cannot plan just shows no comparison
            self.sigMessage.emit(f"No comparison with the parent scenario: {err}")
            return None, None

    def _show_classes(self, chart: charts.BarChart, summary: pd.DataFrame,
                      currency: str) -> None:
        chart.getPlotItem().getAxis("left").set_format(lambda v: fmt_money_compact(v, currency))
        chart.set_bars(summary["key"].tolist(), [
            ("On hand", summary["on_hand_value"].to_numpy(), "actual"),
            ("Target", summary["target"].to_numpy(), "target"),
        ], value_text=lambda v: fmt_money_compact(v, currency))

    def _show_periods(self, result: PlanResult, currency: str) -> None:
        by_period = result.kpis_by_period
        periods = result.periods
        x = np.arange(len(periods), dtype=float)
        for axis in (self.excess_axis, self.service_axis, self.value_axis):
            axis.set_periods(periods)
        for plot in (self.excess, self.value):
            plot.getPlotItem().getAxis("left").set_format(
                lambda v, c=currency: fmt_money_compact(v, c))

        excess = _column(by_period, "excess_value")
        obsolete = _column(by_period, "obsolete_value")
        item = self.excess.getPlotItem()
        item.clear()
        if item.legend is None:
            charts.add_legend(self.excess)
        item.addItem(pg.BarGraphItem(x=x, height=excess, width=0.8, name="Excess",
                                     brush=charts.colour("excess"), pen=pg.mkPen(None)))
        item.addItem(pg.BarGraphItem(x=x, y0=excess, height=obsolete, width=0.8,
                                     name="Obsolete", brush=charts.colour("obsolete"),
                                     pen=pg.mkPen(None)))
        _fit(item, len(x), float(np.nanmax(excess + obsolete, initial=0.0)))

        self._lines(self.service, x, _column(by_period, "service_level"),
                    _column(by_period, "target_service_level"), "service", "Service level")
        service = _column(by_period, "service_level")
        target = _column(by_period, "target_service_level")
        low = float(np.nanmin(np.concatenate([service, target, [1.0]])))
        self.service.getPlotItem().setYRange(max(0.0, min(low, 0.9) - 0.02), 1.01, padding=0)
        self._lines(self.value, x, _column(by_period, "on_hand_value"),
                    _column(by_period, "target_on_hand_value"), "actual", "On hand")

    @staticmethod
    def _lines(plot: pg.PlotWidget, x: np.ndarray, actual: np.ndarray, target: np.ndarray,
               colour_name: str, name: str) -> None:
        item = plot.getPlotItem()
        item.clear()
        if item.legend is None:
            charts.add_legend(plot, bottom=True)
        item.plot(x, actual, pen=charts.line_pen(colour_name), name=name)
        if np.isfinite(target).any():
            item.plot(x, target, pen=charts.line_pen("target_line", 1.5, dashed=True),
                      name="Target", connect="finite")
        top = float(np.nanmax(np.concatenate([actual, target, [0.0]])))
        _fit(item, len(x), top)

    def _filter(self, column: str, value: str) -> None:
        self.sigFilterWorkbook.emit(column, value)
        self.sigMessage.emit(f"Workbook filtered on {column} = {value}")


def _column(frame: pd.DataFrame, name: str) -> np.ndarray:
    if name not in frame:
        return np.full(len(frame), np.nan)
    return frame[name].to_numpy(dtype=float, na_value=np.nan)


def _fit(item: pg.PlotItem, periods: int, top: float) -> None:
    item.setXRange(-0.6, periods - 0.4, padding=0)
    item.setYRange(0, top * 1.1 if np.isfinite(top) and top > 0 else 1.0, padding=0)


__all__ = ["TILES", "DashboardView", "class_summary", "supply_by_category", "tile_text"]

