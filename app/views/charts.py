"""pyqtgraph helpers shared by the plan tabs: one palette, readable axes, clickable bar charts.

Axes show money as ``$1.2M`` and quantities with thousands separators (never pyqtgraph's SI
prefixes such as ``x1e6``); period axes show ``23 Nov`` dates. ``BarChart`` draws grouped
bars over named categories and says which category was clicked.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd
import pyqtgraph as pg
from PySide6.QtCore import QPointF, Qt, Signal
from PySide6.QtGui import QColor, QFont, QPen
from PySide6.QtWidgets import QWidget

from app.views.formatting import fmt_compact, fmt_money_compact, fmt_percent

#: one palette for every chart (colour-blind safe, after Okabe & Ito)
COLOURS: dict[str, str] = {
    "actual": "#0072B2",  # on hand, projected: blue
    "target": "#B8B8B8",  # plan / target: grey
    "target_line": "#555555",
    "excess": "#E69F00",  # orange
    "obsolete": "#D55E00",  # vermilion
    "service": "#009E73",  # green
    "safety": "#CC79A7",  # purple: safety stock
    "receipt": "#56B4E9",  # sky blue: receipts
    "scheduled": "#0072B2",
    "FG": "#0072B2",
    "WIP": "#56B4E9",
    "RM": "#009E73",
    "A": "#0072B2",
    "B": "#56B4E9",
    "C": "#B8D8EE",
    "high": "#C0392B",
    "medium": "#B9770E",
    "low": "#5D6D7E",
    "new": "#C0392B",
}

BACKGROUND = "#FFFFFF"
AXIS_TEXT = "#333333"


def colour(name: str) -> QColor:
    return QColor(COLOURS.get(name, name))


class ValueAxis(pg.AxisItem):
    """A left axis with tick labels made by ``fmt`` (money, thousands, percent)."""

    def __init__(self, fmt: Callable[[float], str], orientation: str = "left") -> None:
        super().__init__(orientation)
        self._fmt = fmt
        self.enableAutoSIPrefix(False)

    def set_format(self, fmt: Callable[[float], str]) -> None:
        """Label ticks with ``fmt`` from now on (e.g. another currency)."""
        self._fmt = fmt
        self.picture = None
        self.update()

    def tickStrings(self, values: list[float], scale: float,  # noqa: N802
                    spacing: float) -> list[str]:
        return [self._fmt(v) for v in values]


class PeriodAxis(pg.AxisItem):
    """A bottom axis over period numbers 0..H-1 labelled with the periods' dates."""

    def __init__(self) -> None:
        super().__init__("bottom")
        self.enableAutoSIPrefix(False)
        self._dates: pd.DatetimeIndex = pd.DatetimeIndex([])

    def set_periods(self, periods: pd.DatetimeIndex) -> None:
        self._dates = pd.DatetimeIndex(periods)
        self.picture = None
        self.update()

    def tickValues(self, minVal: float, maxVal: float,  # noqa: N802, N803
                   size: float) -> list[tuple[float, list[float]]]:
        h = len(self._dates)
        if h == 0:
            return []
        lo, hi = max(0, int(np.ceil(minVal))), min(h - 1, int(np.floor(maxVal)))
        if hi < lo:
            return []
        fits = max(int(size // 60), 1)  # a label is about 50 px wide
        step = next(s for s in (1, 2, 4, 8, 13, 26, 52, 104, 10**9)
                    if (hi - lo) / s + 1 <= fits)
        return [(float(step), [float(t) for t in range(lo, hi + 1) if t % step == 0])]

    def tickStrings(self, values: list[float], scale: float,  # noqa: N802
                    spacing: float) -> list[str]:
        out = []
        for v in values:
            t = round(v)
            if 0 <= t < len(self._dates):
                stamp = self._dates[t]
                if spacing >= 13:  # coarse ticks: month and year ("Feb 27")
                    out.append(stamp.strftime("%b %y"))
                else:
                    out.append(f"{stamp.day} {stamp.strftime('%b')}")
            else:
                out.append("")
        return out


def money_axis(currency: str) -> ValueAxis:
    return ValueAxis(lambda v: fmt_money_compact(v, currency))


def quantity_axis(orientation: str = "left") -> ValueAxis:
    return ValueAxis(fmt_compact, orientation)


def percent_axis() -> ValueAxis:
    return ValueAxis(lambda v: fmt_percent(v, 0))


def styled_plot(title: str, left: pg.AxisItem, bottom: pg.AxisItem | None = None,
                parent: QWidget | None = None) -> pg.PlotWidget:
    """A white plot with a bold title, readable axes and no mouse zoom (charts, not tools)."""
    axes = {"left": left}
    if bottom is not None:
        axes["bottom"] = bottom
    plot = pg.PlotWidget(parent=parent, background=BACKGROUND, axisItems=axes)
    _style(plot, title, left_width=62, horizontal=False)
    return plot


def _style(plot: pg.PlotWidget, title: str, left_width: int, horizontal: bool) -> None:
    """The house style of every chart: bold title, grey axes, a light value grid, no mouse
    zoom or context menu (charts, not tools)."""
    plot.setTitle(title, color=AXIS_TEXT, size="10pt", bold=True)
    item = plot.getPlotItem()
    item.setMenuEnabled(False)
    item.hideButtons()
    item.getViewBox().setMouseEnabled(x=False, y=False)
    for name in ("left", "bottom"):
        axis = item.getAxis(name)
        axis.setPen(pg.mkPen("#999999"))
        axis.setTextPen(pg.mkPen(AXIS_TEXT))
    item.getAxis("left").setWidth(left_width)
    item.showGrid(x=horizontal, y=not horizontal, alpha=0.15)
    plot.setMinimumHeight(200)


def add_legend(plot: pg.PlotWidget, bottom: bool = False, columns: int = 1) -> pg.LegendItem:
    """A legend in the top (or bottom) right corner, on a translucent white box; with
    ``columns`` > 1, one row across the top left (leave head room in the y range)."""
    offset = (70, 2) if columns > 1 else (-6, -6 if bottom else 4)
    legend = plot.getPlotItem().addLegend(offset=offset, colCount=columns,
                                          labelTextColor=AXIS_TEXT, labelTextSize="8pt")
    legend.setBrush(pg.mkBrush(255, 255, 255, 210))
    return legend


class BarChart(pg.PlotWidget):
    """Grouped vertical bars over named categories; a click on a category says which.

    ``set_bars(categories, series)`` with ``series`` as (name, values, colour) tuples, one
    value per category. The y axis is drawn by ``left`` (money, quantity...).
    """

    #: sigBarClicked(category: str): the user clicked a bar (or its slot) of this category
    sigBarClicked = Signal(str)  # noqa: N815

    def __init__(self, title: str, value_axis: pg.AxisItem, horizontal: bool = False,
                 parent: QWidget | None = None) -> None:
        self.horizontal = horizontal
        side = "bottom" if horizontal else "left"
        super().__init__(parent=parent, background=BACKGROUND, axisItems={side: value_axis})
        _style(self, title, left_width=130 if horizontal else 62, horizontal=horizontal)
        self.categories: list[str] = []
        self.series: list[tuple[str, np.ndarray]] = []
        self._signature: tuple[object, ...] | None = None
        self._bars: list[pg.BarGraphItem] = []
        self._texts: list[pg.TextItem] = []
        add_legend(self)
        self.scene().sigMouseClicked.connect(self._on_click)
        self.setCursor(Qt.CursorShape.PointingHandCursor)

    def set_bars(self, categories: Sequence[str],
                 series: Sequence[tuple[str, Sequence[float], str]],
                 labels: Sequence[str] | None = None,
                 value_text: Callable[[float], str] | None = None) -> None:
        """Draw one group of bars per category; ``labels`` name them on the axis.

        With the same categories and series as last time, the bars and their value labels
        are updated in place (a new plan redraws quickly); otherwise they are made anew.
        """
        item = self.getPlotItem()
        self.series = [(name, np.asarray(values, dtype=float)) for name, values, _ in series]
        signature = (tuple(categories), tuple((n, c) for n, _, c in series),
                     value_text is not None)
        k = max(len(series), 1)
        width = 0.8 / k
        positions = [np.arange(len(categories)) - 0.4 + width * (s + 0.5)
                     for s in range(len(series))]
        heights = [np.nan_to_num(values) for _, values in self.series]
        if signature != self._signature:
            self._signature = signature
            item.clear()
            self._bars, self._texts = [], []
            self.categories = list(categories)
            empty = np.zeros(0)
            for name, _, colour_name in series:
                shown = name if len(series) > 1 else None  # a legend only for several series
                geometry = (dict(x0=0.0, y=empty, width=empty, height=0.0) if self.horizontal
                            else dict(x=empty, height=empty, width=0.0))
                bars = pg.BarGraphItem(name=shown, brush=colour(colour_name),
                                       pen=pg.mkPen(None), **geometry)
                item.addItem(bars)
                self._bars.append(bars)
                if value_text is not None and len(categories) <= 16:
                    for _ in categories:
                        text = pg.TextItem("", color=AXIS_TEXT, anchor=(0.0, 0.5)
                                           if self.horizontal else (0.5, 1.0))
                        text.setFont(_small_font())
                        item.addItem(text)
                        self._texts.append(text)
            names = labels if labels is not None else categories
            ticks = [[(float(i), str(n)) for i, n in enumerate(names)]]
            span = (-0.6, len(categories) - 0.4)
            if self.horizontal:
                item.getAxis("left").setTicks(ticks)
                item.setYRange(*span, padding=0)
                item.getViewBox().invertY(True)  # the first category on top
            else:
                item.getAxis("bottom").setTicks(ticks)
                item.setXRange(*span, padding=0)
        texts = iter(self._texts)
        for bars, x, values in zip(self._bars, positions, heights, strict=True):
            if self.horizontal:
                bars.setOpts(x0=0, y=x, width=values, height=width * 0.92)
            else:
                bars.setOpts(x=x, height=values, width=width * 0.92)
            if self._texts and value_text is not None:
                for xi, v in zip(x, values, strict=True):
                    text = next(texts)
                    text.setText(value_text(float(v)))
                    text.setPos(*((float(v), float(xi)) if self.horizontal
                                  else (float(xi), float(v))))
        top = max((float(v.max(initial=0.0)) for v in heights), default=0.0)
        room = (0, top * (1.3 if self.horizontal else 1.22) if top > 0 else 1.0)
        if self.horizontal:
            item.setXRange(*room, padding=0)
        else:
            item.setYRange(*room, padding=0)

    def category_at(self, scene_pos: QPointF) -> str | None:
        """The category under a scene position, or None."""
        view = self.getPlotItem().getViewBox()
        if not view.sceneBoundingRect().contains(scene_pos):
            return None
        point = view.mapSceneToView(scene_pos)
        x = point.y() if self.horizontal else point.x()
        i = round(x)
        if 0 <= i < len(self.categories) and abs(x - i) <= 0.45:
            return self.categories[i]
        return None

    def bar_scene_pos(self, category: str) -> QPointF:
        """The scene position of the middle of a category's group (for tests and tooltips)."""
        i = self.categories.index(category)
        top = max((float(np.nan_to_num(v[i])) for _, v in self.series), default=0.0)
        point = QPointF(top / 2, i) if self.horizontal else QPointF(i, top / 2)
        return self.getPlotItem().getViewBox().mapViewToScene(point)

    def _on_click(self, event: object) -> None:
        category = self.category_at(event.scenePos())  # type: ignore[attr-defined]
        if category is not None:
            self.sigBarClicked.emit(category)


def step_xy(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """x (period edges) and y for a step line over periods: ``stepMode='center'`` input."""
    return np.arange(len(values) + 1) - 0.5, np.asarray(values, dtype=float)


def line_pen(name: str, width: float = 2.0, dashed: bool = False) -> QPen:
    pen = pg.mkPen(colour(name), width=width)
    if dashed:
        pen.setStyle(Qt.PenStyle.DashLine)
    return pen


def _small_font() -> QFont:
    font = QFont()
    font.setPointSizeF(7.5)
    return font
