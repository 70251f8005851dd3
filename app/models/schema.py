"""The SQLite schema of a workspace (SQLAlchemy 2 typed ORM).

A workspace is one SQLite file holding:

- ``echelon_meta``: who wrote the file and with which schema version;
- ``scenario``: the branch tree (Baseline is the root, ``parent_id`` NULL);
- ``scenario_change``: each scenario's own ordered row-level changes (its diff to its parent);
- one ``base_<table>`` table per data-contract table: the Baseline's imported rows, with the
  contract key as primary key.

The base tables mirror ``app.models.contract`` column for column; ``tests/test_schema.py``
checks that they agree, so a contract change cannot silently miss the database.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

#: Bump when the schema changes; a file with a larger number is refused.
SCHEMA_VERSION = 1
#: Written to ``echelon_meta`` and to SQLite's ``PRAGMA application_id`` ("ECHL").
APPLICATION = "echelon"
APPLICATION_ID = 0x4543484C


class Base(DeclarativeBase):
    pass


class Meta(Base):
    """Key/value facts about the file: application name, schema version, created-by version."""

    __tablename__ = "echelon_meta"
    key: Mapped[str] = mapped_column(String, primary_key=True)
    value: Mapped[str] = mapped_column(String)


class Scenario(Base):
    """A named branch of changes on top of its parent; the root (no parent) is the Baseline."""

    __tablename__ = "scenario"
    __table_args__ = (CheckConstraint("status IN ('draft', 'approved')", name="status_known"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String, unique=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("scenario.id"), index=True)
    status: Mapped[str] = mapped_column(String, default="draft")
    #: Bumped on every write that changes what this scenario reads as (plan caches key on it).
    revision: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column()
    description: Mapped[str] = mapped_column(Text, default="")

    parent: Mapped[Scenario | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Scenario]] = relationship(back_populates="parent")


class ScenarioChange(Base):
    """One row-level change of one scenario: upsert field values of a key, or delete the key.

    Changes of one scenario are ordered by ``seq``; the changes made together in one step
    (one undo unit, e.g. a pasted range) share a ``seq``.

    ``key_json`` holds the key columns, ``values_json`` the fields set (JSON; dates as ISO
    text). ``undone`` changes are kept for redo until a new change discards them.
    """

    __tablename__ = "scenario_change"
    __table_args__ = (
        CheckConstraint("op IN ('upsert', 'delete')", name="op_known"),
        Index("ix_change_scenario_active", "scenario_id", "undone", "seq"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scenario_id: Mapped[int] = mapped_column(ForeignKey("scenario.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(Integer)
    table_name: Mapped[str] = mapped_column(String)
    op: Mapped[str] = mapped_column(String)
    key_json: Mapped[str] = mapped_column(Text)
    values_json: Mapped[str] = mapped_column(Text, default="{}")
    undone: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[dt.datetime] = mapped_column()


# --- Baseline data: one table per data-contract table --------------------------------------


class BaseSetting(Base):
    __tablename__ = "base_settings"
    name: Mapped[str] = mapped_column(String, primary_key=True)
    value: Mapped[str] = mapped_column(String)


class BaseSite(Base):
    __tablename__ = "base_sites"
    site_id: Mapped[str] = mapped_column(String, primary_key=True)
    name: Mapped[str | None] = mapped_column(String)
    kind: Mapped[str | None] = mapped_column(String)


class BaseItem(Base):
    __tablename__ = "base_items"
    item_id: Mapped[str] = mapped_column(String, primary_key=True)
    unit_cost: Mapped[float] = mapped_column(Float)
    description: Mapped[str | None] = mapped_column(String)
    part_class: Mapped[str | None] = mapped_column(String)
    unit_price: Mapped[float | None] = mapped_column(Float)
    responsible: Mapped[str | None] = mapped_column(String)
    category: Mapped[str | None] = mapped_column(String)
    shelf_life_periods: Mapped[int | None] = mapped_column(Integer)


class BaseSku(Base):
    __tablename__ = "base_skus"
    item_id: Mapped[str] = mapped_column(ForeignKey("base_items.item_id"), primary_key=True)
    site_id: Mapped[str] = mapped_column(ForeignKey("base_sites.site_id"), primary_key=True)
    supply_type: Mapped[str] = mapped_column(String)
    source_site: Mapped[str | None] = mapped_column(ForeignKey("base_sites.site_id"))
    lead_time: Mapped[float | None] = mapped_column(Float)
    lead_time_std: Mapped[float | None] = mapped_column(Float)
    on_hand: Mapped[float | None] = mapped_column(Float)
    order_policy: Mapped[str | None] = mapped_column(String)
    lot_size: Mapped[float | None] = mapped_column(Float)
    min_order: Mapped[float | None] = mapped_column(Float)
    order_multiple: Mapped[float | None] = mapped_column(Float)
    ordering_cost: Mapped[float | None] = mapped_column(Float)
    ss_model: Mapped[str | None] = mapped_column(String)
    ss_qty: Mapped[float | None] = mapped_column(Float)
    ss_days: Mapped[float | None] = mapped_column(Float)
    service_target: Mapped[float | None] = mapped_column(Float)
    service_type: Mapped[str | None] = mapped_column(String)
    max_service_time: Mapped[float | None] = mapped_column(Float)


class BaseBom(Base):
    __tablename__ = "base_bom"
    site_id: Mapped[str] = mapped_column(ForeignKey("base_sites.site_id"), primary_key=True)
    parent_item: Mapped[str] = mapped_column(ForeignKey("base_items.item_id"), primary_key=True)
    component_item: Mapped[str] = mapped_column(
        ForeignKey("base_items.item_id"), primary_key=True
    )
    qty_per: Mapped[float] = mapped_column(Float)
    scrap_rate: Mapped[float | None] = mapped_column(Float)


class BaseDemandHistory(Base):
    __tablename__ = "base_demand_history"
    item_id: Mapped[str] = mapped_column(ForeignKey("base_items.item_id"), primary_key=True)
    site_id: Mapped[str] = mapped_column(ForeignKey("base_sites.site_id"), primary_key=True)
    period: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    quantity: Mapped[float] = mapped_column(Float)
    shipped: Mapped[float | None] = mapped_column(Float)


class BaseForecast(Base):
    __tablename__ = "base_forecast"
    item_id: Mapped[str] = mapped_column(ForeignKey("base_items.item_id"), primary_key=True)
    site_id: Mapped[str] = mapped_column(ForeignKey("base_sites.site_id"), primary_key=True)
    period: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    quantity: Mapped[float] = mapped_column(Float)
    std: Mapped[float | None] = mapped_column(Float)


class BaseOpenOrder(Base):
    __tablename__ = "base_open_orders"
    order_id: Mapped[str] = mapped_column(String, primary_key=True)
    item_id: Mapped[str] = mapped_column(ForeignKey("base_items.item_id"))
    site_id: Mapped[str] = mapped_column(ForeignKey("base_sites.site_id"))
    due_period: Mapped[dt.date] = mapped_column(Date)
    quantity: Mapped[float] = mapped_column(Float)
    kind: Mapped[str | None] = mapped_column(String)


class BaseLot(Base):
    __tablename__ = "base_lots"
    item_id: Mapped[str] = mapped_column(ForeignKey("base_items.item_id"), primary_key=True)
    site_id: Mapped[str] = mapped_column(ForeignKey("base_sites.site_id"), primary_key=True)
    lot_id: Mapped[str] = mapped_column(String, primary_key=True)
    quantity: Mapped[float] = mapped_column(Float)
    expiry_date: Mapped[dt.date] = mapped_column(Date)


class BaseResource(Base):
    __tablename__ = "base_resources"
    resource_id: Mapped[str] = mapped_column(String, primary_key=True)
    site_id: Mapped[str] = mapped_column(ForeignKey("base_sites.site_id"))
    capacity_per_period: Mapped[float] = mapped_column(Float)


class BaseRouting(Base):
    __tablename__ = "base_routings"
    item_id: Mapped[str] = mapped_column(ForeignKey("base_items.item_id"), primary_key=True)
    site_id: Mapped[str] = mapped_column(ForeignKey("base_sites.site_id"), primary_key=True)
    resource_id: Mapped[str] = mapped_column(
        ForeignKey("base_resources.resource_id"), primary_key=True
    )
    hours_per_unit: Mapped[float] = mapped_column(Float)


class BaseTarget(Base):
    __tablename__ = "base_targets"
    measure: Mapped[str] = mapped_column(String, primary_key=True)
    dimension: Mapped[str] = mapped_column(String, primary_key=True)
    key: Mapped[str] = mapped_column(String, primary_key=True)
    period: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    value: Mapped[float] = mapped_column(Float)


#: Contract table name -> ORM class holding the Baseline's rows.
BASE_TABLES: dict[str, type[Base]] = {
    "settings": BaseSetting,
    "sites": BaseSite,
    "items": BaseItem,
    "skus": BaseSku,
    "bom": BaseBom,
    "demand_history": BaseDemandHistory,
    "forecast": BaseForecast,
    "open_orders": BaseOpenOrder,
    "lots": BaseLot,
    "resources": BaseResource,
    "routings": BaseRouting,
    "targets": BaseTarget,
}
