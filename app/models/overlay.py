"""Row-level changes and how a chain of them turns the Baseline's tables into a scenario's.

A ``Change`` names a contract table and one row key; it either upserts field values (update
the row if it exists, insert it with defaults for the fields not given otherwise) or deletes
the row. ``apply_changes`` folds an ordered list of changes into canonical frames; it touches
only the tables that changed and the rows they name, so reading a scenario costs in proportion
to its changes, not to the size of the data.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from app.models.contract import TABLES_BY_NAME, Table
from app.models.frames import coerce_column, coerce_frame, key_tuples
from app.models.values import format_text, from_json, to_json

Op = Literal["upsert", "delete"]


@dataclass(frozen=True)
class Change:
    """One row-level change: ``op`` on the row of ``table`` whose key columns equal ``key``.

    ``key`` and ``values`` hold plain JSON-able values (dates as ISO text), see
    ``app.models.values.to_json``.
    """

    table: str
    key: Mapping[str, object]
    op: Op = "upsert"
    values: Mapping[str, object] = field(default_factory=dict)

    def key_tuple(self) -> tuple[object, ...]:
        table = TABLES_BY_NAME[self.table]
        return tuple(self.key[k] for k in table.key)

    def key_json(self) -> str:
        return json.dumps(dict(self.key), sort_keys=True, ensure_ascii=False)

    def values_json(self) -> str:
        return json.dumps(dict(self.values), sort_keys=True, ensure_ascii=False)

    def describe(self) -> str:
        """One line for a change list: ``skus A1@P1: lead_time=3, on_hand=40``."""
        spec = TABLES_BY_NAME[self.table]

        def shown(name: str, value: object) -> str:
            if not spec.has_column(name):
                return str(value)
            return format_text(spec.column(name).kind, value) or "(empty)"

        key = ",".join(shown(k, v) for k, v in self.key.items())
        if self.op == "delete":
            return f"{self.table} {key}: deleted"
        fields = ", ".join(f"{k}={shown(k, v)}" for k, v in self.values.items())
        return f"{self.table} {key}: {fields}"

    @classmethod
    def from_json(cls, table: str, op: str, key_json: str, values_json: str) -> Change:
        return cls(table, json.loads(key_json), op, json.loads(values_json))  # type: ignore[arg-type]

    @classmethod
    def make(cls, table: str, key: Mapping[str, object], values: Mapping[str, object] | None = None,
             op: Op = "upsert") -> Change:
        """A change from typed values (dates, numpy scalars...), normalised for JSON."""
        spec = TABLES_BY_NAME[table]

        def plain(name: str, value: object) -> object:
            # unknown columns pass through untouched: the store's checks name them
            return to_json(spec.column(name).kind, value) if spec.has_column(name) else value

        return cls(
            table,
            {k: plain(k, v) for k, v in key.items()},
            op,
            {k: plain(k, v) for k, v in (values or {}).items()},
        )


@dataclass
class _RowEffect:
    """The net effect of a table's changes on one key."""

    deleted: bool = False
    replaced: bool = False  # deleted, then upserted: a new row from defaults
    values: dict[str, object] = field(default_factory=dict)


def net_effects(changes: Iterable[Change]) -> dict[str, dict[tuple[object, ...], _RowEffect]]:
    """Per table and key, what the ordered changes amount to (last write wins per field)."""
    effects: dict[str, dict[tuple[object, ...], _RowEffect]] = {}
    for change in changes:
        per_key = effects.setdefault(change.table, {})
        k = change.key_tuple()
        effect = per_key.get(k)
        if change.op == "delete":
            per_key[k] = _RowEffect(deleted=True)
        elif effect is None:
            per_key[k] = _RowEffect(values=dict(change.values))
        elif effect.deleted:
            per_key[k] = _RowEffect(replaced=True, values=dict(change.values))
        else:
            effect.values.update(change.values)
    return effects


KeyIndex = dict[tuple[object, ...], int]


def key_index(table: Table, frame: pd.DataFrame) -> KeyIndex:
    """Row position of each key of a frame (the first row, should a key repeat)."""
    index: KeyIndex = {}
    for pos, k in enumerate(key_tuples(table, frame)):
        index.setdefault(k, pos)
    return index


def _apply_table(table: Table, frame: pd.DataFrame,
                 effects: dict[tuple[object, ...], _RowEffect],
                 position: KeyIndex | None = None) -> pd.DataFrame:
    if position is None:
        position = key_index(table, frame)
    drop: list[int] = []
    updates: dict[str, tuple[list[int], list[object]]] = {}
    inserts: list[dict[str, object]] = []
    for k, effect in effects.items():
        pos = position.get(k)
        if pos is not None and (effect.deleted or effect.replaced):
            drop.append(int(pos))
        if effect.deleted:
            continue
        if pos is None or effect.replaced:
            row = {name: value for name, value in zip(table.key, k, strict=True)}
            row.update(effect.values)
            inserts.append(row)
            continue
        for name, value in effect.values.items():
            rows, vals = updates.setdefault(name, ([], []))
            rows.append(int(pos))
            vals.append(from_json(table.column(name).kind, value))
    out = frame
    if updates:
        out = frame.copy(deep=False)  # the columns patched below are replaced whole
        for name, (rows, vals) in updates.items():
            column = table.column(name)
            patch = coerce_column(column, pd.Series(vals, dtype=object))
            series = out[name].copy()
            series.iloc[rows] = patch.to_numpy(dtype=object) if column.kind in (
                "text", "choice") else patch.to_numpy()
            out[name] = series
    if drop:
        out = out.drop(index=out.index[np.array(drop)])
    if inserts:
        new = pd.DataFrame(
            {c.name: [from_json(c.kind, r.get(c.name)) for r in inserts] for c in table.columns}
        )
        new = coerce_frame(table, new)
        out = pd.concat([out, new], ignore_index=True) if len(out) else new
    return out.reset_index(drop=True)


def apply_changes(frames: Mapping[str, pd.DataFrame], changes: Iterable[Change],
                  key_indexes: Callable[[str], KeyIndex] | None = None
                  ) -> dict[str, pd.DataFrame]:
    """The tables after the ordered ``changes``; untouched tables are passed through as is.

    ``key_indexes(table)``, when given, returns the ``key_index`` of ``frames[table]`` (a
    caller that keeps the frames also keeps their indexes and saves rebuilding them).
    """
    out = dict(frames)
    for table_name, effects in net_effects(changes).items():
        position = key_indexes(table_name) if key_indexes else None
        out[table_name] = _apply_table(TABLES_BY_NAME[table_name], frames[table_name], effects,
                                       position)
    return out
