"""The SKU detail tab: one SKU's time-phased record, its chart, and what it is used in.

Choose a SKU (type part of its item id) and see its MRP/DRP record period by period (customer
demand, dependent demand, gross requirements, scheduled and planned receipts, planned
releases, projected on hand, safety stock, expired), a chart of projected on hand against
safety stock with the receipts as bars, and its where-used tree up to the end items (BOM
parents at its site and the DCs it supplies by transfer).

Two rows are editable in a draft scenario: the forecast, and the planned receipts (typing a
quantity firms the planned order); ``app.sku_record`` makes the scenario changes of each.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QModelIndex, QStringListModel, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QCompleter,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSplitter,
    QTableView,
    QToolTip,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.engine.result import PlanResult
from app.models.values import ValueProblem
from app.sku_record import firm_order_change, firm_order_id, forecast_changes, parse_quantity
from app.views import charts
from app.views.formatting import (
    fmt_money,
    fmt_number,
    fmt_percent,
    fmt_quantity,
    period_headers,
)
from app.views.plan_tab import PlanTab
from app.views.relay import listen
from app.views.tab_models import PeriodGridModel
from app.workbench import Changed, DataProblems, Workbench, WorkspaceError

#: the record's rows: (label, PlanArrays attribute)
ROWS: tuple[tuple[str, str], ...] = (
    ("Forecast (customer demand)", "independent_demand"),
    ("Dependent demand", "dependent_demand"),
    ("Gross requirements", "gross_requirements"),
    ("Scheduled receipts", "scheduled_receipts"),
    ("Planned receipts", "planned_receipts"),
    ("Planned releases", "planned_releases"),
    ("Projected on hand", "projected_on_hand"),
    ("Safety stock", "safety_stock"),
    ("Expired", "expired"),
)
FORECAST_ROW = 0
SCHEDULED_ROW = 3
PLANNED_ROW = 4
POH_ROW = 6
SS_ROW = 7
_STOCK_ROWS = (POH_ROW, SS_ROW)
SEPARATOR = " @ "
#: where-used trees stop growing after this many nodes
MAX_TREE_NODES = 400

EMPTY_NO_PLAN = "No plan yet: open a workspace or import planning data (File > Import)."
EMPTY_NO_SKUS = ("This scenario has no SKUs: import planning data (File > Import) or add "
                 "rows to the skus table in the workbook.")
EMPTY_CHOOSE = ("Choose a SKU above (type part of an item id), or double-click one in the "
                "Exceptions or DRP tab.")


def quantity_text(row: int, value: float) -> str:
    """A record cell: flows blank when zero, stock always; decimals only for small numbers."""
    if abs(value) < 5e-4:
        return "0" if row in _STOCK_ROWS else ""
    return fmt_quantity(value)


def sku_key_texts(result: PlanResult) -> list[str]:
    """``item @ site`` for every SKU of the plan, in row order."""
    skus = result.skus
    return (skus["item_id"].astype(str) + SEPARATOR + skus["site_id"].astype(str)).tolist()


def sku_row(result: PlanResult, item_id: str, site_id: str) -> int | None:
    """The plan row of a SKU, or None."""
    skus = result.skus
    hit = np.flatnonzero((skus["item_id"].astype(str).to_numpy() == item_id)
                         & (skus["site_id"].astype(str).to_numpy() == site_id))
    return int(hit[0]) if len(hit) else None


class WhereUsed:
    """Who consumes each SKU, read from the plan's network (``PlanResult.recommendation``):
    BOM parents at its site (``BOM × units per parent``, scrap included) and the sites it
    supplies by transfer. Rows are ``PlanResult.skus`` rows."""

    def __init__(self, result: PlanResult) -> None:
        rec = result.recommendation
        n = result.n
        src = rec.network.arc_src if rec is not None else np.zeros(0, dtype=np.int64)
        dst = rec.network.arc_dst if rec is not None else np.zeros(0, dtype=np.int64)
        qty = rec.network.arc_qty if rec is not None else np.zeros(0)
        order = np.argsort(src, kind="stable")
        self._dst, self._qty = dst[order], qty[order]
        self._start = np.searchsorted(src[order], np.arange(n + 1))
        self._items = result.skus["item_id"].to_numpy(dtype=object)

    def users(self, row: int) -> list[tuple[int, str]]:
        """(row, relation) of the SKUs drawing from SKU ``row``."""
        out = []
        for k in range(self._start[row], self._start[row + 1]):
            user = int(self._dst[k])
            qty = float(self._qty[k])
            relation = ("transfer" if self._items[user] == self._items[row]
                        else f"BOM × {fmt_number(qty, 0 if qty == int(qty) else 3)}")
            out.append((user, relation))
        return out

    def walk(self, row: int, limit: int = MAX_TREE_NODES) -> Iterator[tuple[int, int, str]]:
        """(depth, row, relation) depth first, from the SKU's direct users upward."""
        count = 0
        stack = [(1, u) for u in reversed(self.users(row))]
        while stack and count < limit:
            depth, (user, relation) = stack.pop()
            count += 1
            yield depth, user, relation
            stack.extend((depth + 1, u) for u in reversed(self.users(user)))


class SkuDetailView(PlanTab):
    """The record, chart and where-used tree of one SKU; forecast and firm orders editable."""


    def __init__(self, workbench: Workbench, parent: QWidget | None = None) -> None:
        super().__init__(workbench, "skuDetailView", parent)
        self._result: PlanResult | None = None
        self._sku: tuple[str, str] | None = None
        self._row: int | None = None
        self._keys: list[str] = []
        self._where_used: tuple[PlanResult, WhereUsed] | None = None
        #: open orders of the SKU shown, by period: [(order_id, quantity), ...]
        self._orders: dict[int, list[tuple[str, float]]] = {}

        self.chooser = QComboBox(objectName="skuChooser")
        self.chooser.setEditable(True)
        self.chooser.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.chooser.setMinimumContentsLength(34)
        self.chooser.lineEdit().setPlaceholderText("Type part of an item id…")
        self._keys_model = QStringListModel(self)
        self.chooser.setModel(self._keys_model)
        completer = QCompleter(self._keys_model, self)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setMaxVisibleItems(15)
        self.chooser.setCompleter(completer)
        self.chooser.activated.connect(lambda _i: self._chosen(self.chooser.currentText()))
        self.chooser.lineEdit().returnPressed.connect(
            lambda: self._chosen(self.chooser.currentText()))
        completer.activated.connect(self._chosen)
        self.info = QLabel(objectName="skuInfo")
        self.info.setTextFormat(Qt.TextFormat.RichText)
        self.info.setWordWrap(True)

        self.model = PeriodGridModel(self)
        self.model.edit_value = self._edit_value
        self.model.cell_tooltip = self._cell_tooltip
        self.model.sigEditRefused.connect(self._show_refusal)
        self.grid = QTableView(objectName="skuGrid")
        self.grid.setModel(self.model)
        self.grid.verticalHeader().setVisible(False)
        self.grid.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 6)
        self.grid.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                                  | QAbstractItemView.EditTrigger.EditKeyPressed
                                  | QAbstractItemView.EditTrigger.AnyKeyPressed)
        self.grid.doubleClicked.connect(self._double_clicked)

        self.period_axis = charts.PeriodAxis()
        self.chart = charts.styled_plot("Projected on hand vs safety stock",
                                        charts.quantity_axis(), self.period_axis)
        self.chart.setObjectName("skuChart")
        charts.add_legend(self.chart, columns=4)

        self.tree = QTreeWidget(objectName="skuWhereUsed")
        self.tree.setHeaderLabels(["Used in (up to the end items)", "via"])
        self.tree.setIndentation(12)
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.tree.setMinimumWidth(340)
        self.tree.setMaximumWidth(460)
        self.tree.itemDoubleClicked.connect(self._open_tree_item)
        self.tree.setToolTip("Double-click to open that SKU")
        self.end_items = QLabel(objectName="skuEndItems")
        self.end_items.setWordWrap(True)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.end_items)
        right_layout.addWidget(self.tree, 1)

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.grid)
        left_layout.addWidget(self.chart, 1)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(left)
        split.addWidget(right)
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 0)
        split.setCollapsible(0, False)

        content = QWidget()
        content_layout = QVBoxLayout(content)
        content_layout.setContentsMargins(0, 0, 0, 0)
        content_layout.addWidget(self.info)
        content_layout.addWidget(split, 1)
        self.make_pages(content, EMPTY_NO_PLAN, "skuEmpty")

        bar = QHBoxLayout()
        bar.addWidget(QLabel("SKU"))
        bar.addWidget(self.chooser)
        bar.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(bar)
        layout.addWidget(self.pages, 1)
        listen(workbench, self, self._on_changed)

    def _on_changed(self, changed: Changed) -> None:
        """Approving or reopening changes no plan, only whether the cells take edits."""
        if changed.kind == "status" and self._row is not None and self._result is not None:
            self.model.on_edit = self._on_grid_edit if self._workbench.is_editable() else None
            self._show_info(self._result, self._row)
            self.grid.viewport().update()

    # --- choosing ----------------------------------------------------------------------------

    @property
    def sku(self) -> tuple[str, str] | None:
        """(item_id, site_id) of the SKU shown, or None."""
        return self._sku

    def open_sku(self, item_id: str, site_id: str) -> None:
        """Show the SKU ``item_id`` at ``site_id`` (kept across new plans)."""
        self._sku = (item_id, site_id)
        self._refresh()

    def _chosen(self, text: str) -> None:
        item, sep, site = text.partition(SEPARATOR.strip())
        item, site = item.strip(), site.strip()
        if not sep or self._result is None or sku_row(self._result, item, site) is None:
            if text.strip():
                self.sigMessage.emit(f"No SKU '{text.strip()}': pick one from the list "
                                     "(item @ site)")
            return
        if (item, site) != self._sku:
            self.open_sku(item, site)

    # --- showing a plan --------------------------------------------------------------------

    def show_plan(self, result: PlanResult) -> None:
        """Show ``result`` (the current scenario's plan) for the SKU chosen."""
        self._result = result
        keys = sku_key_texts(result) if result.n else []
        if keys != self._keys:
            self._keys = keys
            self._keys_model.setStringList(keys)
        self._refresh()

    def _refresh(self) -> None:
        result = self._result
        if result is None or result.n == 0 or self._sku is None:
            self.show_empty(EMPTY_NO_PLAN if result is None else
                            EMPTY_NO_SKUS if result.n == 0 else EMPTY_CHOOSE)
            self._row = None
            return
        row = sku_row(result, *self._sku)
        if row is None:
            self.show_empty(f"{self._sku[0]} @ {self._sku[1]} is not in this scenario's "
                            "plan. " + EMPTY_CHOOSE)
            self._row = None
            return
        self._row = row
        self.show_content()
        text = f"{self._sku[0]}{SEPARATOR}{self._sku[1]}"
        if self.chooser.currentText() != text:
            self.chooser.blockSignals(True)
            self.chooser.setCurrentIndex(self._keys.index(text) if text in self._keys else -1)
            self.chooser.setEditText(text)
            self.chooser.blockSignals(False)
        self._orders = self._open_orders(result, *self._sku)
        self._show_info(result, row)
        self._show_grid(result, row)
        self._show_chart(result, row)
        self._show_where_used(result, *self._sku)

    def _open_orders(self, result: PlanResult, item: str, site: str
                     ) -> dict[int, list[tuple[str, float]]]:
        orders = self._workbench.frames(["open_orders"])["open_orders"]
        mine = orders[(orders["item_id"].astype(str) == item)
                      & (orders["site_id"].astype(str) == site)]
        by_period: dict[int, list[tuple[str, float]]] = {}
        if len(mine):
            buckets = np.maximum(result.settings.calendar.bucket(mine["due_period"]), 0)
            for order_id, qty, t in zip(mine["order_id"], mine["quantity"], buckets,
                                        strict=True):
                by_period.setdefault(int(t), []).append((str(order_id), float(qty)))
        return by_period

    def _show_info(self, result: PlanResult, row: int) -> None:
        sku = result.skus.iloc[row]
        currency = result.settings.currency

        def get(name: str) -> str:
            value = sku.get(name)
            return "" if value is None or (isinstance(value, float) and np.isnan(value)) \
                else str(value)

        supply = get("supply_type")
        if supply == "transfer" and get("source_site"):
            supply += f" from {get('source_site')}"
        facts = [
            f"<b>{get('item_id')} @ {get('site_id')}</b> {get('description')}",
            f"{get('part_class')} · ABC {get('abc')} · {supply}, lead time "
            f"{fmt_number(sku.get('lead_time'), 0)} · {get('order_policy').replace('_', ' ')}"
            f" · safety stock {get('ss_model').replace('_', ' ')} · demand from "
            f"{get('demand_source') or 'none'}",
            f"average on hand {fmt_money(sku.get('average_on_hand_value'), currency)} · "
            f"projected service {fmt_percent(sku.get('projected_service'))} · "
            f"{fmt_number(sku.get('periods_of_supply'), 1)} periods of supply · excess "
            f"{fmt_money(sku.get('excess_value'), currency)}",
        ]
        editable = self._workbench.is_editable()
        hint = ("Double-click a forecast or planned-receipts cell to change it."
                if editable else "Read-only scenario: fork it to edit the forecast or firm "
                                 "planned orders.")
        self.info.setText("<br>".join(facts) + f"<br><i>{hint}</i>")

    def _show_grid(self, result: PlanResult, row: int) -> None:
        arrays = result.arrays
        values = np.stack([getattr(arrays, name)[row] for _, name in ROWS])
        labels = [("", np.array([label for label, _ in ROWS], dtype=object))]
        bold = np.zeros(len(ROWS), dtype=bool)
        bold[POH_ROW] = True
        first_time = self.model.columnCount() == 0
        self.model.editable_rows = frozenset((FORECAST_ROW, PLANNED_ROW))
        self.model.on_edit = self._on_grid_edit if self._workbench.is_editable() else None
        self.model.set_grid(labels, values, period_headers(result.periods),
                            [p.strftime("%Y-%m-%d") for p in result.periods],
                            fmt=quantity_text, bold=bold)
        if first_time:
            self.grid.resizeColumnsToContents()
            # the whole record, no vertical scrolling
            self.grid.setFixedHeight(
                self.grid.verticalHeader().defaultSectionSize() * len(ROWS)
                + self.grid.horizontalHeader().sizeHint().height()
                + self.grid.horizontalScrollBar().sizeHint().height()
                + 2 * self.grid.frameWidth() + 2)

    def _show_chart(self, result: PlanResult, row: int) -> None:
        arrays = result.arrays
        item = self.chart.getPlotItem()
        item.clear()
        self.period_axis.set_periods(result.periods)
        x = np.arange(result.horizon, dtype=float)
        scheduled = arrays.scheduled_receipts[row]
        planned = arrays.planned_receipts[row]
        if scheduled.any():
            item.addItem(pg.BarGraphItem(x=x, height=scheduled, width=0.6, name="Scheduled "
                                         "receipts", brush=charts.colour("scheduled"),
                                         pen=pg.mkPen(None)))
        if planned.any():
            item.addItem(pg.BarGraphItem(x=x, y0=scheduled, height=planned, width=0.6,
                                         name="Planned receipts", pen=pg.mkPen(None),
                                         brush=charts.colour("receipt")))
        edges, poh = charts.step_xy(arrays.projected_on_hand[row])
        item.plot(edges, poh, stepMode="center", pen=charts.line_pen("actual", 2.2),
                  name="Projected on hand")
        _, ss = charts.step_xy(arrays.safety_stock[row])
        if ss.any():
            item.plot(edges, ss, stepMode="center", name="Safety stock",
                      pen=charts.line_pen("safety", 1.8, dashed=True))
        low = float(min(0.0, poh.min(initial=0.0)))
        top = float(max(poh.max(initial=0.0), ss.max(initial=0.0),
                        (scheduled + planned).max(initial=0.0), 1.0))
        item.setXRange(-0.6, result.horizon - 0.4, padding=0)
        item.setYRange(low * 1.1, top * 1.25, padding=0)  # room for the legend on top

    def _show_where_used(self, result: PlanResult, item: str, site: str) -> None:
        if self._where_used is None or self._where_used[0] is not result:
            self._where_used = (result, WhereUsed(result))
        where_used = self._where_used[1]
        skus = result.skus
        items = skus["item_id"].to_numpy(dtype=object)
        sites = skus["site_id"].to_numpy(dtype=object)
        classes = (skus["part_class"].to_numpy(dtype=object) if "part_class" in skus
                   else np.full(result.n, "?", dtype=object))
        self.tree.clear()
        parents: list[QTreeWidgetItem] = []
        count = 0
        row = sku_row(result, item, site)
        for depth, user, relation in where_used.walk(row) if row is not None else ():
            u_item, u_site = str(items[user]), str(sites[user])
            node = QTreeWidgetItem([f"{u_item}{SEPARATOR}{u_site}", relation])
            node.setToolTip(0, f"{u_item}{SEPARATOR}{u_site} "
                               f"({classes[user]}): double-click to open")
            node.setData(0, Qt.ItemDataRole.UserRole, (u_item, u_site))
            del parents[depth - 1:]
            if parents:
                parents[-1].addChild(node)
            else:
                self.tree.addTopLevelItem(node)
            parents.append(node)
            count += 1
        self.tree.expandToDepth(2)
        ends = str(skus["end_items"].iat[row]).split("; ") \
            if row is not None and "end_items" in skus else []
        if not count:
            self.end_items.setText("Nothing uses this SKU: it is an end item.")
            self.end_items.setToolTip("")
        else:
            self.end_items.setText(f"Feeds {len(ends):,} end items"
                                   + (" (tree cut short)" if count >= MAX_TREE_NODES else ""))
            self.end_items.setToolTip("\n".join(ends[:40]))

    # --- editing ---------------------------------------------------------------------------

    def _edit_value(self, row: int, t: int) -> str | None:
        if row == PLANNED_ROW and self._sku is not None and self._result is not None:
            firm = self._firm_quantity(t)
            if firm is not None:
                return _plain(firm)
        return None

    def _firm_quantity(self, t: int) -> float | None:
        assert self._sku is not None and self._result is not None
        order_id = firm_order_id(*self._sku, self._result.periods[t])
        for oid, qty in self._orders.get(t, []):
            if oid == order_id:
                return qty
        return None

    def _cell_tooltip(self, row: int, t: int) -> str | None:
        if self._result is None:
            return None
        when = self._result.periods[t].strftime("%Y-%m-%d")
        if row == SCHEDULED_ROW and self._orders.get(t):
            lines = [f"{oid}: {fmt_number(qty, 2 if qty != int(qty) else 0)}"
                     for oid, qty in self._orders[t]]
            return f"Open orders due in the period of {when}:\n" + "\n".join(lines)
        if row == FORECAST_ROW and self.model.on_edit is not None:
            return f"Customer demand in the period of {when}: type a quantity to change it"
        if row == PLANNED_ROW and self.model.on_edit is not None:
            firm = self._firm_quantity(t)
            if firm is not None:
                return (f"Firm order of {fmt_number(firm, 0)} due {when} (shown as a scheduled "
                        "receipt): type a quantity to change it, 0 to delete it")
            return f"Type a quantity to firm a planned order due {when}"
        return None

    def edit_cell(self, row: int, t: int, text: str) -> str | None:
        """Apply ``text`` typed into record row ``row`` (``FORECAST_ROW`` or ``PLANNED_ROW``)
        of period ``t``: None when applied, else the reason it was refused (nothing changed)."""
        if self._result is None or self._row is None or self._sku is None:
            return "Choose a SKU first"
        wb = self._workbench
        if not wb.is_editable():
            info = wb.info()
            why = "the Baseline" if info.parent is None else "approved"
            return (f"'{info.name}' is {why} and read-only: fork a scenario "
                    "(Scenario > Fork) to edit it")
        if row not in (FORECAST_ROW, PLANNED_ROW) or not 0 <= t < self._result.horizon:
            return "Only the forecast and planned receipts rows can be edited"
        try:
            quantity = parse_quantity(text)
        except ValueProblem as err:
            return str(err)
        item, site = self._sku
        when = self._result.periods[t].strftime("%Y-%m-%d")
        if row == FORECAST_ROW:
            if quantity is None:
                return "Type a quantity (0 for no demand in this period)"
            forecast = wb.frames(["forecast"])["forecast"]
            changes = forecast_changes(self._result, forecast, self._row, t, quantity)
            done = (f"forecast of {item} @ {site} in {when} set to {fmt_number(quantity, 1)}"
                    + (f" ({len(changes)} periods written)" if len(changes) > 2 else ""))
        else:
            orders = wb.frames(["open_orders"])["open_orders"]
            exists = firm_order_id(item, site, self._result.periods[t]) in set(
                orders["order_id"].astype(str))
            change = firm_order_change(self._result, self._row, t, quantity, exists)
            if change is None:
                return ("Nothing to firm: type a quantity above 0 (no firm order to delete "
                        "in this period)")
            changes = [change]
            done = (f"firm order {change.key['order_id']} deleted" if change.op == "delete"
                    else f"firm order {change.key['order_id']}: {fmt_number(quantity, 1)}")
        try:
            changed = wb.edit(changes)
        except DataProblems as err:
            return "\n".join(p.message for p in err.problems)
        except WorkspaceError as err:
            return str(err)
        self.sigMessage.emit(f"{changed.scenario}: {done}")
        return None

    def _on_grid_edit(self, row: int, t: int, text: str) -> str | None:
        return self.edit_cell(row, t, text)

    def _double_clicked(self, index: QModelIndex) -> None:
        """In a read-only scenario, say why the forecast and receipts cells do not open."""
        t = index.column() - self.model.label_count
        if (index.isValid() and t >= 0 and index.row() in (FORECAST_ROW, PLANNED_ROW)
                and self.model.on_edit is None):
            self._show_refusal(index.row(), index.column(), self.edit_cell(index.row(), t, "")
                               or "")

    def _show_refusal(self, row: int, column: int, message: str) -> None:
        if not message:
            return
        self.sigMessage.emit(f"Not changed: {message}")
        index = self.model.index(row, column)
        rect = self.grid.visualRect(index)
        where = self.grid.viewport().mapToGlobal(rect.bottomLeft())
        QToolTip.showText(where, message, self.grid.viewport(), rect)

    def _open_tree_item(self, node: QTreeWidgetItem, _column: int) -> None:
        key = node.data(0, Qt.ItemDataRole.UserRole)
        if key:
            self.open_sku(*key)


def _plain(value: float) -> str:
    return str(int(value)) if value == int(value) else f"{value:.4f}".rstrip("0").rstrip(".")
