"""The scorecard's table model: KPI rows, each scenario's value and delta, weights, score.

Which way each KPI is good, how its values and deltas read (thousands separators, currency,
percentage points), and the weighted score (see ``weighted_scores``). No widget here: the
view is ``app.views.scorecard``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont

from app.engine.result import PlanResult
from app.views.formatting import MISSING, fmt_money, fmt_number, fmt_percent

Index = QModelIndex


@dataclass(frozen=True)
class Kpi:
    """One scorecard row: a ``PlanResult.kpis`` name, how to show it, which way is good."""

    name: str
    title: str
    unit: str  # money, percent, units, days, periods, turns, count
    direction: int  # +1 higher is better, -1 lower is better, 0 neutral
    target: str | None = None
    weight: float = 0.0


KPIS: tuple[Kpi, ...] = (
    Kpi("projected_service_level", "Projected service level", "percent", +1,
        "target_service_level", 3.0),
    Kpi("projected_cycle_service", "Cycle service", "percent", +1),
    Kpi("units_short", "Units short", "units", -1),
    Kpi("average_inventory_value", "Average inventory value", "money", -1,
        "target_inventory_value", 2.0),
    Kpi("ending_inventory_value", "Ending inventory value", "money", -1),
    Kpi("safety_stock_value", "Safety stock value", "money", 0),
    Kpi("cycle_stock_value", "Cycle stock value", "money", 0),
    Kpi("excess_stock_value", "Excess stock value", "money", -1, None, 1.0),
    Kpi("obsolete_stock_value", "Obsolete stock value", "money", -1, None, 1.0),
    Kpi("inventory_quality_ratio", "Inventory quality ratio", "percent", +1),
    Kpi("periods_of_supply", "Periods of supply", "periods", -1),
    Kpi("turns", "Inventory turns", "turns", +1, "target_turns", 1.0),
    Kpi("dio_days", "Days of inventory", "days", -1),
    Kpi("cash_to_cash_days", "Cash-to-cash cycle", "days", -1),
    Kpi("revenue", "Revenue (on time)", "money", +1, None, 1.0),
    Kpi("holding_cost", "Holding cost", "money", -1),
    Kpi("ordering_cost", "Ordering cost", "money", -1),
    Kpi("expired_cost", "Expired stock write-off", "money", -1),
    Kpi("shortage_cost", "Shortage cost", "money", -1),
    Kpi("total_cost", "Total cost", "money", -1, None, 2.0),
    Kpi("ss_compliance", "Safety-stock compliance", "percent", +1),
    Kpi("planned_orders", "Planned orders", "count", 0),
    Kpi("past_due_orders", "Past-due orders", "count", -1),
    Kpi("key_constraint_utilisation", "Key constraint utilisation", "percent", 0),
    Kpi("overloaded_resource_periods", "Overloaded resource-periods", "count", -1),
)
KPIS_BY_NAME = {k.name: k for k in KPIS}

GOOD = QColor("#DDF0E0")
GOOD_TEXT = QColor("#1B6E35")
BAD = QColor("#F8DEDC")
BAD_TEXT = QColor("#A5281B")
#: line colours of the overlay chart, one per scenario (Okabe & Ito)
SCENARIO_COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9",
                    "#F0E442", "#000000")
_SCORE_ROWS = ("Weighted score", "Rank")
_FIXED_COLUMNS = ("Measure", "Weight", "Target")


def show_value(unit: str, value: float, currency: str) -> str:
    """A KPI value with thousands separators and its unit."""
    if value is None or not math.isfinite(value):
        return MISSING
    if unit == "money":
        return fmt_money(value, currency)
    if unit == "percent":
        return fmt_percent(value)
    if unit == "days":
        return f"{fmt_number(value, 1)} d"
    if unit == "periods":
        return f"{fmt_number(value, 1)} per."
    if unit == "turns":
        return f"{fmt_number(value, 2)}×"
    return fmt_number(value)


def show_delta(unit: str, delta: float, currency: str) -> str:
    """A change with its sign: ``+$1,234``, ``-0.8 pp``, ``+12``; '' when there is none."""
    if delta is None or not math.isfinite(delta):
        return ""
    if unit == "percent":
        points = delta * 100.0
        return "±0.0 pp" if round(points, 1) == 0 else f"{points:+,.1f} pp"
    if unit == "money":
        text = fmt_money(abs(delta), currency)
        return "±" + text if round(delta) == 0 else ("+" if delta > 0 else "-") + text
    decimals = 2 if unit == "turns" else 1 if unit in ("days", "periods") else 0
    if round(delta, decimals) == 0:
        return "±0"
    return f"{delta:+,.{decimals}f}"


def weighted_scores(values: np.ndarray, reference: np.ndarray, directions: np.ndarray,
                    weights: np.ndarray) -> np.ndarray:
    """Score per scenario (columns of ``values``, KPI rows): see the module notes.

    >>> weighted_scores(np.array([[0.9, 0.95]]), np.array([0.9]), np.array([1]),
    ...                 np.array([1.0])).round(2).tolist()
    [0.0, 5.56]
    """
    use = (weights > 0) & (directions != 0) & np.isfinite(reference) & (reference != 0)
    if not use.any():
        return np.zeros(values.shape[1])
    rel = (values[use] - reference[use, None]) / np.abs(reference[use, None])
    rel = np.where(np.isfinite(rel), rel, 0.0)
    return (weights[use, None] * directions[use, None] * rel).sum(axis=0) * 100.0


def ranks(scores: np.ndarray) -> list[int]:
    """1 for the highest score; ties share a rank."""
    ordered = sorted({round(float(s), 9) for s in scores}, reverse=True)
    return [ordered.index(round(float(s), 9)) + 1 for s in scores]


class ScorecardModel(QAbstractTableModel):
    """KPI rows x (measure, weight, target, then value and delta per scenario)."""

    #: sigWeightsChanged(weights: dict[str, float]): the user changed a weight
    sigWeightsChanged = Signal(dict)  # noqa: N815

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.names: list[str] = []
        self.reference = ""
        self.current = ""
        self.currency = "USD"
        self.kpis: list[Kpi] = []
        self.values = np.zeros((0, 0))
        self.targets = np.zeros(0)
        self.weights: dict[str, float] = {k.name: k.weight for k in KPIS}
        self.scores = np.zeros(0)
        self.rank: list[int] = []

    def set_plans(self, names: Sequence[str], plans: Sequence[PlanResult | None],
                  reference: str, current: str) -> None:
        """Show ``plans`` (None: cannot be planned) of the scenarios ``names``."""
        self.beginResetModel()
        self.names, self.reference, self.current = list(names), reference, current
        known = [p for p in plans if p is not None]
        self.currency = known[0].settings.currency if known else "USD"
        present = set().union(*(p.kpis for p in known)) if known else set()
        self.kpis = [k for k in KPIS if k.name in present]
        self.values = np.array([[float(p.kpis.get(k.name, np.nan)) if p else np.nan
                                 for p in plans] for k in self.kpis]).reshape(
            len(self.kpis), len(plans))
        ref = plans[self.names.index(reference)] if reference in self.names else None
        self.targets = np.array([float(ref.kpis.get(k.target, np.nan))
                                 if ref is not None and k.target else np.nan
                                 for k in self.kpis])
        self._score()
        self.endResetModel()

    def _score(self) -> None:
        if not self.names:
            self.scores, self.rank = np.zeros(0), []
            return
        ref = self.values[:, self.names.index(self.reference)] if (
            self.reference in self.names) else np.full(len(self.kpis), np.nan)
        directions = np.array([k.direction for k in self.kpis])
        weights = np.array([self.weights.get(k.name, 0.0) for k in self.kpis])
        self.scores = weighted_scores(self.values, ref, directions, weights)
        self.rank = ranks(self.scores)

    def value(self, kpi: str, scenario: str) -> float:
        """A KPI value of a scenario (NaN when absent)."""
        row = [k.name for k in self.kpis].index(kpi)
        return float(self.values[row, self.names.index(scenario)])

    def delta(self, kpi: str, scenario: str) -> float:
        return self.value(kpi, scenario) - self.value(kpi, self.reference)

    # --- Qt model interface ----------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.kpis) + len(_SCORE_ROWS)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(_FIXED_COLUMNS) + len(self._layout)

    @property
    def _layout(self) -> list[tuple[int, bool]]:
        """(scenario index, is delta) per scenario column: value and delta, the reference
        only its value."""
        return [(s, delta) for s, name in enumerate(self.names)
                for delta in ((False,) if name == self.reference else (False, True))]

    def _column(self, section: int) -> tuple[int, bool]:
        return self._layout[section - len(_FIXED_COLUMNS)]

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if orientation == Qt.Orientation.Vertical:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            if section < len(_FIXED_COLUMNS):
                return _FIXED_COLUMNS[section]
            s, is_delta = self._column(section)
            scenario = self.names[s]
            if not is_delta:
                marks = " (current plan)" if scenario == self.reference else ""
                return f"{scenario}{marks}"
            return f"Δ vs {self.reference}"
        if role == Qt.ItemDataRole.ToolTipRole and section >= len(_FIXED_COLUMNS):
            s, is_delta = self._column(section)
            scenario = self.names[s]
            if is_delta:
                return f"{scenario} minus {self.reference} (the current plan)"
            return f"Scenario {scenario}" + (" — being edited" if scenario == self.current
                                             else "")
        if role == Qt.ItemDataRole.FontRole and section >= len(_FIXED_COLUMNS):
            scenario = self.names[self._column(section)[0]]
            if scenario == self.current:
                font = QFont()
                font.setBold(True)
                return font
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        k = self.kpi_index(index.row()) if index.isValid() else None
        if k is not None and index.column() == 1 and self.kpis[k].direction != 0:
            return base | Qt.ItemFlag.ItemIsEditable
        return base

    def kpi_index(self, row: int) -> int | None:
        """Which KPI a table row shows (None: the score rows, at the top)."""
        k = row - len(_SCORE_ROWS)
        return k if 0 <= k < len(self.kpis) else None

    def row_of(self, kpi: str) -> int:
        """The table row of a KPI."""
        return [k.name for k in self.kpis].index(kpi) + len(_SCORE_ROWS)

    def setData(self, index: Index, value: object,  # noqa: N802
                role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or not self.flags(index) & \
                Qt.ItemFlag.ItemIsEditable:
            return False
        try:
            weight = float(str(value).strip() or 0)
        except ValueError:
            return False
        if not math.isfinite(weight) or weight < 0:
            return False
        self.weights[self.kpis[self.kpi_index(index.row()) or 0].name] = weight
        self._score()
        self.dataChanged.emit(index, index)
        self.dataChanged.emit(self.index(0, 0),
                              self.index(len(_SCORE_ROWS) - 1, self.columnCount() - 1))
        self.sigWeightsChanged.emit(dict(self.weights))
        return True

    def set_weights(self, weights: dict[str, float]) -> None:
        self.beginResetModel()
        self.weights.update({k: float(v) for k, v in weights.items() if k in KPIS_BY_NAME})
        self._score()
        self.endResetModel()

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        column = index.column()
        row = self.kpi_index(index.row())
        if row is None:
            return self._score_data(index.row(), column, role)
        kpi = self.kpis[row]
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return (Qt.AlignmentFlag.AlignLeft if column == 0 else Qt.AlignmentFlag.AlignRight) \
                | Qt.AlignmentFlag.AlignVCenter
        if column == 0:
            if role == Qt.ItemDataRole.DisplayRole:
                return kpi.title
            if role == Qt.ItemDataRole.ToolTipRole:
                way = {1: "higher is better", -1: "lower is better", 0: "neutral"}
                return f"{kpi.name}: {way[kpi.direction]}"
            return None
        if column == 1:
            if kpi.direction == 0:
                return "–" if role == Qt.ItemDataRole.DisplayRole else None
            weight = self.weights.get(kpi.name, 0.0)
            if role == Qt.ItemDataRole.DisplayRole:
                return f"{weight:g}"
            if role == Qt.ItemDataRole.EditRole:
                return f"{weight:g}"
            if role == Qt.ItemDataRole.ToolTipRole:
                return "Weight in the score (edit: 0 leaves the KPI out)"
            return None
        if column == 2:
            return show_value(kpi.unit, self.targets[row], self.currency) if (
                role == Qt.ItemDataRole.DisplayRole and np.isfinite(self.targets[row])) else None
        s, is_delta = self._column(column)
        value = self.values[row, s]
        ref = self.values[row, self.names.index(self.reference)] if (
            self.reference in self.names) else np.nan
        delta = value - ref
        if not is_delta:
            if role == Qt.ItemDataRole.DisplayRole:
                return show_value(kpi.unit, value, self.currency)
            return None
        if self.names[s] == self.reference:
            return None
        text = show_delta(kpi.unit, delta, self.currency)
        if role == Qt.ItemDataRole.DisplayRole:
            return text
        # a change too small to show is no change: coloured only what reads as a change
        verdict = "same" if not text or text.startswith("±") or not kpi.direction else (
            "better" if kpi.direction * delta > 0 else "worse")
        if role == Qt.ItemDataRole.UserRole:
            return verdict
        if role == Qt.ItemDataRole.BackgroundRole and verdict != "same":
            return QBrush(GOOD if verdict == "better" else BAD)
        if role == Qt.ItemDataRole.ForegroundRole and verdict != "same":
            return QBrush(GOOD_TEXT if verdict == "better" else BAD_TEXT)
        return None

    def _score_data(self, which: int, column: int, role: int) -> object:
        if role == Qt.ItemDataRole.FontRole:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return (Qt.AlignmentFlag.AlignLeft if column == 0 else Qt.AlignmentFlag.AlignRight) \
                | Qt.AlignmentFlag.AlignVCenter
        if role != Qt.ItemDataRole.DisplayRole:
            if role == Qt.ItemDataRole.ToolTipRole and column == 0 and which == 0:
                return ("Σ weight × direction × relative change against the current plan, "
                        "in %")
            return None
        if column == 0:
            return _SCORE_ROWS[which]
        if column < len(_FIXED_COLUMNS) or self._column(column)[1]:
            return None
        s = self._column(column)[0]
        if which == 0:
            return f"{self.scores[s]:+,.2f}%"
        return f"#{self.rank[s]}"
