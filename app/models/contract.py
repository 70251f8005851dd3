"""The data contract: every table of the CSV import folder, its columns, types, keys and defaults.

This module is the single description of the planning data that import, export, the store,
the scenario overlay and the CLI all read from. One CSV per table (``<name>.csv``), UTF-8,
header row, ``,`` separator, ISO dates (see ``DESIGN.md``, "Data contract").

Column kinds:

- ``text``: any string; empty means "missing".
- ``float`` / ``int``: numbers; ``nonneg`` columns refuse values below zero.
- ``date``: an ISO calendar date ``YYYY-MM-DD``.
- ``choice``: one of a fixed set of words.
- ``bool``: ``true``/``false`` (also ``1``/``0``, ``yes``/``no``).

A column is *required* (must be in the header and non-empty on every row) or *optional*
(may be absent from the header; an empty cell or an absent column takes ``default``, and a
``default`` of ``None`` means "no value", stored as NULL).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from app.engine.classification import DEFAULT_SERVICE_TARGETS, X_CV, Y_CV
from app.engine.segmentation import A_SHARE, B_SHARE

ColumnKind = Literal["text", "float", "int", "date", "choice", "bool"]


@dataclass(frozen=True)
class Column:
    """One column of a contract table."""

    name: str
    kind: ColumnKind
    required: bool = False
    default: object = None
    nonneg: bool = False
    choices: tuple[str, ...] = ()
    #: ``(table, column)`` this column must name a key of, e.g. ``("items", "item_id")``.
    references: tuple[str, str] | None = None
    #: Upper bound (inclusive) for numbers, e.g. 1 for a service level.
    maximum: float | None = None
    #: True when the upper bound is exclusive (a scrap rate of 1 would mean no yield at all).
    maximum_exclusive: bool = False


@dataclass(frozen=True)
class Table:
    """One table of the data contract (one CSV file)."""

    name: str
    key: tuple[str, ...]
    columns: tuple[Column, ...]
    description: str = ""
    _by_name: dict[str, Column] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self._by_name.update({c.name: c for c in self.columns})

    @property
    def file_name(self) -> str:
        return f"{self.name}.csv"

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def value_columns(self) -> list[str]:
        """Columns that are not part of the key (the ones an edit may set)."""
        return [c.name for c in self.columns if c.name not in self.key]

    def column(self, name: str) -> Column:
        return self._by_name[name]

    def has_column(self, name: str) -> bool:
        return name in self._by_name


def _req(name: str, kind: ColumnKind, **kw: object) -> Column:
    return Column(name, kind, required=True, **kw)  # type: ignore[arg-type]


def _opt(name: str, kind: ColumnKind, default: object = None, **kw: object) -> Column:
    return Column(name, kind, required=False, default=default, **kw)  # type: ignore[arg-type]


ITEM_REF = ("items", "item_id")
SITE_REF = ("sites", "site_id")
RESOURCE_REF = ("resources", "resource_id")

PERIODS = ("day", "week", "month")
SUPPLY_TYPES = ("make", "buy", "transfer")
ORDER_POLICIES = ("lot_for_lot", "fixed", "poq", "eoq", "min_max")
SS_MODELS = ("none", "fixed", "days_of_supply", "statistical", "meio")
SERVICE_TYPES = ("cycle", "fill_rate")
PART_CLASSES = ("FG", "WIP", "RM")
SITE_KINDS = ("plant", "dc", "store")
ORDER_KINDS = ("po", "wo", "transfer")
MEASURES = ("inventory_value", "service_level", "turns")
DIMENSIONS = ("total", "part_class", "abc")


@dataclass(frozen=True)
class Setting:
    """One known row of settings.csv: its name, how its value parses, and its default."""

    name: str
    kind: ColumnKind
    default: object
    choices: tuple[str, ...] = ()
    nonneg: bool = False
    description: str = ""


#: settings.csv is a list of ``name,value`` rows. These are the names it may hold; a name not
#: listed is an error, and a name that is absent takes its default. ``start_date`` has no
#: fixed default: when absent, the plan starts on the period after the last demand history.
SETTINGS: tuple[Setting, ...] = (
    Setting("period", "choice", "week", PERIODS, description="planning bucket"),
    Setting("start_date", "date", None, description="first day of the first planning period"),
    Setting("horizon_periods", "int", 52, nonneg=True, description="number of planning periods"),
    Setting("currency", "text", "USD", description="ISO currency code for values"),
    Setting("dso_days", "float", 45.0, nonneg=True, description="days sales outstanding"),
    Setting("dpo_days", "float", 30.0, nonneg=True, description="days payables outstanding"),
    Setting(
        "holding_rate_per_year",
        "float",
        0.25,
        nonneg=True,
        description="annual holding cost as a fraction of unit cost",
    ),
    Setting("abc_a_share", "float", A_SHARE, nonneg=True,
            description="ABC: SKUs making the first 80 % of annual value are A"),
    Setting("abc_b_share", "float", B_SHARE, nonneg=True,
            description="ABC: the next ones up to 95 % of annual value are B, the rest C"),
    Setting("xyz_x_cv", "float", X_CV, nonneg=True,
            description="XYZ: coefficient of variation of demand up to which a SKU is X"),
    Setting("xyz_y_cv", "float", Y_CV, nonneg=True,
            description="XYZ: ... up to which it is Y (above: Z)"),
    Setting("service_targets", "choice", "sku", ("sku", "abc_xyz"),
            description="service target of each SKU: its own (skus.service_target) or its "
                        "ABC-XYZ cell's (service_target_AX ... service_target_CZ)"),
    *(Setting(f"service_target_{cell}", "float", target, nonneg=True,
              description=f"service target of the {cell} cell")
      for cell, target in DEFAULT_SERVICE_TARGETS.items()),
)
SETTINGS_BY_NAME: dict[str, Setting] = {s.name: s for s in SETTINGS}


TABLES: tuple[Table, ...] = (
    Table(
        "settings",
        key=("name",),
        columns=(_req("name", "text"), _req("value", "text")),
        description="planning settings as name,value rows",
    ),
    Table(
        "sites",
        key=("site_id",),
        columns=(
            _req("site_id", "text"),
            _opt("name", "text", ""),
            _opt("kind", "choice", "plant", choices=SITE_KINDS),
        ),
        description="plants, distribution centres and stores",
    ),
    Table(
        "items",
        key=("item_id",),
        columns=(
            _req("item_id", "text"),
            _req("unit_cost", "float", nonneg=True),
            _opt("description", "text", ""),
            _opt("part_class", "choice", "FG", choices=PART_CLASSES),
            _opt("unit_price", "float", None, nonneg=True),
            _opt("responsible", "text", ""),
            _opt("category", "text", ""),
            _opt("shelf_life_periods", "int", None, nonneg=True),
        ),
        description="parts: finished goods, sub-assemblies and raw materials",
    ),
    Table(
        "skus",
        key=("item_id", "site_id"),
        columns=(
            _req("item_id", "text", references=ITEM_REF),
            _req("site_id", "text", references=SITE_REF),
            _req("supply_type", "choice", choices=SUPPLY_TYPES),
            _opt("source_site", "text", None, references=SITE_REF),
            _opt("lead_time", "float", 1.0, nonneg=True),
            _opt("lead_time_std", "float", 0.0, nonneg=True),
            _opt("on_hand", "float", 0.0, nonneg=True),
            _opt("order_policy", "choice", "lot_for_lot", choices=ORDER_POLICIES),
            _opt("lot_size", "float", None, nonneg=True),
            _opt("min_order", "float", None, nonneg=True),
            _opt("order_multiple", "float", None, nonneg=True),
            _opt("ordering_cost", "float", None, nonneg=True),
            _opt("ss_model", "choice", "none", choices=SS_MODELS),
            _opt("ss_qty", "float", None, nonneg=True),
            _opt("ss_days", "float", None, nonneg=True),
            _opt("service_target", "float", 0.95, nonneg=True, maximum=1.0, maximum_exclusive=True),
            _opt("service_type", "choice", "cycle", choices=SERVICE_TYPES),
            _opt("max_service_time", "float", None, nonneg=True),
        ),
        description="stock-keeping units: one item at one site, a node of the network",
    ),
    Table(
        "bom",
        key=("site_id", "parent_item", "component_item"),
        columns=(
            _req("site_id", "text", references=SITE_REF),
            _req("parent_item", "text", references=ITEM_REF),
            _req("component_item", "text", references=ITEM_REF),
            _req("qty_per", "float", nonneg=True),
            _opt("scrap_rate", "float", 0.0, nonneg=True, maximum=1.0, maximum_exclusive=True),
        ),
        description="bills of material: units of component per unit of parent, at a site",
    ),
    Table(
        "demand_history",
        key=("item_id", "site_id", "period"),
        columns=(
            _req("item_id", "text", references=ITEM_REF),
            _req("site_id", "text", references=SITE_REF),
            _req("period", "date"),
            _req("quantity", "float", nonneg=True),
            _opt("shipped", "float", None, nonneg=True),
        ),
        description="customer demand per SKU and past period (shipped: quantity delivered)",
    ),
    Table(
        "forecast",
        key=("item_id", "site_id", "period"),
        columns=(
            _req("item_id", "text", references=ITEM_REF),
            _req("site_id", "text", references=SITE_REF),
            _req("period", "date"),
            _req("quantity", "float", nonneg=True),
            _opt("std", "float", None, nonneg=True),
        ),
        description="imported forecast per SKU and future period (overrides the statistical one)",
    ),
    Table(
        "open_orders",
        key=("order_id",),
        columns=(
            _req("order_id", "text"),
            _req("item_id", "text", references=ITEM_REF),
            _req("site_id", "text", references=SITE_REF),
            _req("due_period", "date"),
            _req("quantity", "float", nonneg=True),
            _opt("kind", "choice", "po", choices=ORDER_KINDS),
        ),
        description="scheduled receipts: open purchase, work and transfer orders",
    ),
    Table(
        "lots",
        key=("item_id", "site_id", "lot_id"),
        columns=(
            _req("item_id", "text", references=ITEM_REF),
            _req("site_id", "text", references=SITE_REF),
            _req("lot_id", "text"),
            _req("quantity", "float", nonneg=True),
            _req("expiry_date", "date"),
        ),
        description="on-hand lots with expiry dates (shelf-life items)",
    ),
    Table(
        "resources",
        key=("resource_id",),
        columns=(
            _req("resource_id", "text"),
            _req("site_id", "text", references=SITE_REF),
            _req("capacity_per_period", "float", nonneg=True),
        ),
        description="capacity-constrained resources (hours per period)",
    ),
    Table(
        "routings",
        key=("item_id", "site_id", "resource_id"),
        columns=(
            _req("item_id", "text", references=ITEM_REF),
            _req("site_id", "text", references=SITE_REF),
            _req("resource_id", "text", references=RESOURCE_REF),
            _req("hours_per_unit", "float", nonneg=True),
        ),
        description="resource hours per unit made",
    ),
    Table(
        "targets",
        key=("measure", "dimension", "key", "period"),
        columns=(
            _req("measure", "choice", choices=MEASURES),
            _req("dimension", "choice", choices=DIMENSIONS),
            _req("key", "text"),
            _req("period", "date"),
            _req("value", "float"),
        ),
        description="annual plan targets per measure, dimension key and period",
    ),
)

TABLES_BY_NAME: dict[str, Table] = {t.name: t for t in TABLES}
TABLE_NAMES: tuple[str, ...] = tuple(t.name for t in TABLES)


def table(name: str) -> Table:
    """The contract table called ``name`` (KeyError if there is none)."""
    return TABLES_BY_NAME[name]
