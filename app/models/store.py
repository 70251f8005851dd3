"""The workspace store: one SQLite file holding the Baseline data and the scenario tree.

Every write is one transaction (``BEGIN IMMEDIATE`` ... ``COMMIT``): a process killed in the
middle leaves the file as it was. The journal is SQLite's WAL with ``synchronous = NORMAL``:
a commit is not flushed to the disk one by one (that took 10 ms per edit), so a power cut or
an operating-system crash may lose the last few edits, but never corrupts the file; a killed
process loses nothing. Closing the store checkpoints the WAL into the file. Reads of a
scenario happen inside one read transaction, so they see a consistent snapshot even while
another process writes.

Reading a scenario = the Baseline's tables (cached in memory per workspace revision) with the
ordered active changes of every scenario on the path from the root applied
(``app.models.overlay``). Forking inserts one row; nothing is copied.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import uuid
from collections import OrderedDict
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import Engine, Row, create_engine, delete, event, func, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from app.models.contract import TABLES, TABLES_BY_NAME, Table
from app.models.data_version import VersionMemo
from app.models.frames import DATE_DTYPE, TableFrames, coerce_frame, empty_frame, key_tuples
from app.models.overlay import Change, KeyIndex, apply_changes, key_index, net_effects
from app.models.schema import (
    APPLICATION,
    APPLICATION_ID,
    BASE_TABLES,
    SCHEMA_VERSION,
    Base,
    Meta,
    Scenario,
    ScenarioChange,
)
from app.models.validate import DataProblems, Problem, check_frames, row_locator
from app.models.values import ValueProblem, check_range, from_json, parse_text

ROOT_NAME = "Baseline"
_SQLITE_MAGIC = b"SQLite format 3\x00"


class WorkspaceError(Exception):
    """A refusal the user can act on (wrong file, unknown scenario, nothing to undo...)."""


@dataclass(frozen=True)
class ScenarioInfo:
    """One scenario as listed: name, parent, status, size of its own diff, revision."""

    id: int
    name: str
    parent: str | None
    status: str
    changes: int
    undone: int
    revision: int
    created_at: dt.datetime

    def as_json(self) -> dict[str, object]:
        return {
            "name": self.name,
            "parent": self.parent,
            "status": self.status,
            "changes": self.changes,
            "undone": self.undone,
            "revision": self.revision,
            "created_at": self.created_at.isoformat(timespec="seconds"),
        }


@dataclass(frozen=True)
class ChangeRecord:
    """A stored change of a scenario, with its place in the scenario's sequence."""

    seq: int
    change: Change
    undone: bool
    created_at: dt.datetime


@dataclass(frozen=True)
class Edited:
    """What an edit, undo or redo changed: the scenario, the tables and the row keys touched."""

    scenario: str
    tables: frozenset[str]
    keys: tuple[tuple[str, tuple[object, ...]], ...]
    description: str


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def check_file(path: Path) -> None:
    """Refuse a file that is not an Echelon workspace, or one from a newer Echelon."""
    if not path.exists():
        raise WorkspaceError(f"{path}: no such workspace")
    if path.is_dir():
        raise WorkspaceError(f"{path}: is a folder, not an Echelon workspace file")
    with path.open("rb") as fh:
        head = fh.read(len(_SQLITE_MAGIC))
    if head != _SQLITE_MAGIC:
        raise WorkspaceError(f"{path}: not an Echelon workspace (not an SQLite database)")
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            rows = dict(con.execute("SELECT key, value FROM echelon_meta").fetchall())
        finally:
            con.close()
    except sqlite3.DatabaseError:
        raise WorkspaceError(
            f"{path}: not an Echelon workspace (an SQLite database without Echelon's tables)"
        ) from None
    if rows.get("application") != APPLICATION:
        raise WorkspaceError(f"{path}: not an Echelon workspace (written by another program)")
    try:
        version = int(rows.get("schema_version", ""))
    except ValueError:
        raise WorkspaceError(f"{path}: damaged Echelon workspace (no schema version)") from None
    if version > SCHEMA_VERSION:
        raise WorkspaceError(
            f"{path}: written by a newer Echelon (schema version {version}; this Echelon "
            f"reads up to {SCHEMA_VERSION}). Update Echelon to open it."
        )


def _make_engine(path: Path) -> Engine:
    engine = create_engine(f"sqlite:///{path}", future=True)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:  # noqa: ANN001
        # the driver's own transaction handling is off; "begin" below emits BEGIN itself
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute("PRAGMA busy_timeout = 10000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn) -> None:  # noqa: ANN001
        mode = conn.get_execution_options().get("sqlite_begin", "")
        conn.exec_driver_sql(f"BEGIN {mode}".strip())

    return engine


class Store:
    """An open workspace: ``Store.create`` makes a new file, ``Store.open`` opens one."""

    def __init__(self, path: Path, engine: Engine) -> None:
        self.path = path
        self._engine = engine
        self._base_cache: _BaseCache | None = None
        #: composed scenario reads by (chain of (id, revision), tables): repeated reads are free
        self._read_cache: OrderedDict[tuple[object, ...], TableFrames] = OrderedDict()
        #: listings and tokens as last read, valid while the file's data version holds
        self._listing = VersionMemo(path)
        #: ids of the active changes by table, per chain of (id, revision) read
        self._change_ids: OrderedDict[tuple[object, ...], dict[str, tuple[int, ...]]] = \
            OrderedDict()
        #: change rows parsed, by their text
        self._changes: dict[tuple[str, str, str, str], Change] = {}

    # --- opening -------------------------------------------------------------------------

    @classmethod
    def open(cls, path: str | Path) -> Store:
        """Open an existing workspace; WorkspaceError when it is not one this build can read."""
        path = Path(path)
        check_file(path)
        return cls(path, _make_engine(path))

    @classmethod
    def create(cls, path: str | Path) -> Store:
        """Create a new, empty workspace file (refuses to overwrite an existing file)."""
        path = Path(path)
        if path.exists() and path.stat().st_size > 0:
            raise WorkspaceError(f"{path}: already exists")
        path.parent.mkdir(parents=True, exist_ok=True)
        engine = _make_engine(path)
        Base.metadata.create_all(engine)
        with engine.connect() as conn:
            conn.exec_driver_sql(f"PRAGMA application_id = {APPLICATION_ID}")
            conn.exec_driver_sql(f"PRAGMA user_version = {SCHEMA_VERSION}")
            conn.commit()
        store = cls(path, engine)
        with store._write() as session:
            session.add_all([
                Meta(key="application", value=APPLICATION),
                Meta(key="schema_version", value=str(SCHEMA_VERSION)),
                Meta(key="workspace_id", value=uuid.uuid4().hex),
                Meta(key="created_at", value=_now().isoformat(timespec="seconds")),
            ])
        return store

    @classmethod
    def open_or_create(cls, path: str | Path) -> Store:
        path = Path(path)
        if path.exists() and path.stat().st_size > 0:
            return cls.open(path)
        return cls.create(path)

    def close(self) -> None:
        self._listing.close()
        # the WAL into the file, flushed to the disk; best effort: a file another process
        # holds open keeps its WAL, which SQLite applies when the file is next opened
        with suppress(SQLAlchemyError), self._engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        self._engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- transactions ----------------------------------------------------------------------

    @contextmanager
    def _write(self) -> Iterator[Session]:
        """One write transaction: everything inside commits together or not at all."""
        with self._engine.connect() as conn:
            conn = conn.execution_options(sqlite_begin="IMMEDIATE")
            with Session(bind=conn) as session, session.begin():
                yield session

    @contextmanager
    def _read(self) -> Iterator[Session]:
        """One read transaction: a consistent snapshot of the file."""
        with self._engine.connect() as conn, Session(bind=conn) as session, session.begin():
            yield session

    # --- scenarios -------------------------------------------------------------------------

    def _scenario(self, session: Session, name: str) -> Scenario:
        found = session.scalar(select(Scenario).where(Scenario.name == name))
        if found is None:
            names = ", ".join(session.scalars(select(Scenario.name).order_by(Scenario.id)))
            raise WorkspaceError(f"no scenario named '{name}' (scenarios: {names or 'none'})")
        return found

    def _root(self, session: Session) -> Scenario | None:
        return session.scalar(select(Scenario).where(Scenario.parent_id.is_(None)))

    def _chain(self, session: Session, scenario: Scenario) -> list[Row]:
        """(id, parent_id, revision) of the scenarios from the root down to ``scenario``, in
        one query (not one per level)."""
        rows = {r.id: r for r in session.execute(
            select(Scenario.id, Scenario.parent_id, Scenario.revision))}
        return _root_down(rows, scenario.id)

    def has_baseline(self) -> bool:
        with self._read() as session:
            return self._root(session) is not None

    def root_name(self) -> str:
        with self._read() as session:
            root = self._root(session)
            if root is None:
                raise WorkspaceError(f"{self.path}: the workspace is empty (import data first)")
            return root.name

    def scenarios(self) -> list[ScenarioInfo]:
        """Every scenario in tree order (parents before children), with its diff size."""
        return list(self._listing.get("scenarios", self._read_scenarios))

    def _read_scenarios(self) -> list[ScenarioInfo]:
        with self._read() as session:
            counts = dict(
                session.execute(
                    select(ScenarioChange.scenario_id, func.count())
                    .where(ScenarioChange.undone.is_(False))
                    .group_by(ScenarioChange.scenario_id)
                ).all()
            )
            undone = dict(
                session.execute(
                    select(ScenarioChange.scenario_id, func.count())
                    .where(ScenarioChange.undone.is_(True))
                    .group_by(ScenarioChange.scenario_id)
                ).all()
            )
            rows = session.execute(
                select(Scenario.id, Scenario.name, Scenario.parent_id, Scenario.status,
                       Scenario.revision, Scenario.created_at).order_by(Scenario.id)).all()
            names = {r.id: r.name for r in rows}
            by_parent: dict[int | None, list[Row]] = {}
            for r in rows:
                by_parent.setdefault(r.parent_id, []).append(r)
            ordered: list[ScenarioInfo] = []

            def visit(parent_id: int | None) -> None:
                for r in by_parent.get(parent_id, []):
                    ordered.append(ScenarioInfo(
                        r.id, r.name, names.get(r.parent_id), r.status,
                        counts.get(r.id, 0), undone.get(r.id, 0), r.revision, r.created_at,
                    ))
                    visit(r.id)

            visit(None)
            return ordered

    def fork(self, parent: str, name: str) -> ScenarioInfo:
        """A new draft scenario on top of ``parent``; O(1): no rows are copied."""
        name = _clean_name(name)
        with self._write() as session:
            base = self._scenario(session, parent)
            self._refuse_taken(session, name)
            s = Scenario(name=name, parent_id=base.id, status="draft", revision=0,
                         created_at=_now())
            session.add(s)
            session.flush()
            info = ScenarioInfo(s.id, s.name, base.name, s.status, 0, 0, 0, s.created_at)
        return info

    def _refuse_taken(self, session: Session, name: str) -> None:
        if session.scalar(select(Scenario.id).where(Scenario.name == name)) is not None:
            raise WorkspaceError(f"a scenario named '{name}' already exists")

    def rename(self, name: str, new_name: str) -> None:
        new_name = _clean_name(new_name)
        with self._write() as session:
            s = self._scenario(session, name)
            if new_name != name:
                self._refuse_taken(session, new_name)
            s.name = new_name

    def delete(self, name: str) -> None:
        """Delete a scenario and its changes; refused for the Baseline and while children exist."""
        with self._write() as session:
            s = self._scenario(session, name)
            if s.parent_id is None:
                raise WorkspaceError(f"'{name}' is the Baseline and cannot be deleted")
            if s.children:
                kids = ", ".join(c.name for c in s.children)
                raise WorkspaceError(f"'{name}' has child scenarios ({kids}); delete them first")
            session.execute(delete(ScenarioChange).where(ScenarioChange.scenario_id == s.id))
            session.delete(s)

    def set_status(self, name: str, status: str) -> None:
        """Mark a scenario approved or back to draft."""
        if status not in ("draft", "approved"):
            raise WorkspaceError(f"unknown status '{status}' (draft or approved)")
        with self._write() as session:
            self._scenario(session, name).status = status

    def approve(self, name: str) -> None:
        self.set_status(name, "approved")

    # --- changes ---------------------------------------------------------------------------

    def diff(self, name: str, include_undone: bool = False) -> list[ChangeRecord]:
        """A scenario's own changes in order: its diff against its parent."""
        return list(self._listing.get(("diff", name, include_undone),
                                      lambda: self._read_diff(name, include_undone)))

    def _read_diff(self, name: str, include_undone: bool) -> list[ChangeRecord]:
        with self._read() as session:
            s = self._scenario(session, name)
            query = select(ScenarioChange).where(ScenarioChange.scenario_id == s.id)
            if not include_undone:
                query = query.where(ScenarioChange.undone.is_(False))
            return [
                ChangeRecord(c.seq, Change.from_json(c.table_name, c.op, c.key_json,
                                                     c.values_json), c.undone, c.created_at)
                for c in session.scalars(query.order_by(ScenarioChange.seq))
            ]

    def parse_edit(self, table: str, key: Mapping[str, str], values: Mapping[str, str],
                   op: str = "upsert") -> Change:
        """A change from text (CLI, pasted cells): every field parsed and range-checked.

        Raises DataProblems naming each bad field. An empty text clears an optional field
        (it takes its default); it is refused for a required field.
        """
        spec = _table(table)
        problems: list[Problem] = []
        where = f"{table}[{','.join(f'{k}={v}' for k, v in key.items())}]"
        typed_key: dict[str, object] = {}
        for name in spec.key:
            if name not in key or key[name] == "":
                problems.append(Problem(where, f"the key needs {name} "
                                               f"(key of {table}: {', '.join(spec.key)})"))
                continue
            try:
                typed_key[name] = parse_text(spec.column(name), key[name])
            except ValueProblem as err:
                problems.append(Problem(f"{where}.{name}", str(err)))
        for name in key:
            if name not in spec.key:
                problems.append(Problem(where, f"'{name}' is not a key column of {table} "
                                               f"(key: {', '.join(spec.key)})"))
        typed_values: dict[str, object] = {}
        for name, text in values.items():
            if not spec.has_column(name):
                shown = ", ".join(spec.value_columns)
                problems.append(Problem(f"{where}.{name}",
                                        f"unknown column of {table} (columns: {shown})"))
                continue
            if name in spec.key:
                problems.append(Problem(f"{where}.{name}", "is a key column: delete the row "
                                                           "and add a new one instead"))
                continue
            column = spec.column(name)
            if text == "":
                if column.required:
                    problems.append(Problem(f"{where}.{name}", f"{name} is required"))
                typed_values[name] = None
                continue
            try:
                typed_values[name] = parse_text(column, text)
            except ValueProblem as err:
                problems.append(Problem(f"{where}.{name}", str(err)))
        if op not in ("upsert", "delete"):
            problems.append(Problem(where, f"unknown operation '{op}'"))
        if problems:
            raise DataProblems(problems)
        return Change.make(table, typed_key, typed_values, op)  # type: ignore[arg-type]

    def edit(self, name: str, changes: Sequence[Change]) -> Edited:
        """Append ``changes`` to scenario ``name`` as one step (undo takes it back whole).

        Refused (DataProblems, nothing written) when a value is out of range or the scenario
        would break a rule it did not break before: unknown references, a transfer from a
        site without the item, a network cycle. Pending redo steps are discarded.
        """
        if not changes:
            raise WorkspaceError("nothing to change")
        for change in changes:
            _check_change_fields(change)
        with self._write() as session:
            s = self._scenario(session, name)
            if s.parent_id is None:
                raise WorkspaceError(
                    f"'{name}' is the Baseline: it changes only by import or by committing a "
                    "scenario into it; fork a scenario to edit"
                )
            if s.status == "approved":
                raise WorkspaceError(
                    f"'{name}' is approved and locked; fork it, or set it back to draft, to edit"
                )
            self._refuse_new_problems(session, s, changes)
            session.execute(delete(ScenarioChange).where(
                ScenarioChange.scenario_id == s.id, ScenarioChange.undone.is_(True)))
            step = (session.scalar(select(func.max(ScenarioChange.seq))
                                   .where(ScenarioChange.scenario_id == s.id)) or 0) + 1
            now = _now()
            # one undo step may hold several changes: they share a seq
            for change in changes:
                session.add(ScenarioChange(
                    scenario_id=s.id, seq=step, table_name=change.table, op=change.op,
                    key_json=change.key_json(), values_json=change.values_json(),
                    undone=False, created_at=now,
                ))
            s.revision += 1
        return _edited(name, changes)

    def _refuse_new_problems(self, session: Session, s: Scenario,
                             changes: Sequence[Change]) -> None:
        """Refuse changes that break a rule between rows or tables the scenario kept so far.

        Plain value updates of existing rows (a lead time, a safety stock) cannot break such a
        rule and skip the check; row inserts and deletes, and values that name other rows
        (references, supply type), are checked against the whole scenario.
        """
        touched = {c.table for c in changes}
        if not any(_links_rows(c) for c in changes):
            own = self._read_frames(session, s, sorted(touched))
            if all(_has_row(own[c.table], c) for c in changes):
                return  # plain values of rows the scenario has
        frames = self._read_frames(session, s)
        after = apply_changes(frames, changes)
        problems = check_frames(after, row_locator(after), touched)
        if problems:
            before = set(check_frames(frames, row_locator(frames), touched))
            new = [p for p in problems if p not in before]
            if new:
                raise DataProblems(new)

    def undo(self, name: str) -> Edited:
        """Take back the scenario's last step; it stays available for redo."""
        with self._write() as session:
            s = self._scenario(session, name)
            self._refuse_locked(s)
            step = session.scalar(select(func.max(ScenarioChange.seq)).where(
                ScenarioChange.scenario_id == s.id, ScenarioChange.undone.is_(False)))
            if step is None:
                raise WorkspaceError(f"nothing to undo in '{name}'")
            return self._flip(session, s, step, undone=True)

    def redo(self, name: str) -> Edited:
        """Re-apply the step most recently undone."""
        with self._write() as session:
            s = self._scenario(session, name)
            self._refuse_locked(s)
            step = session.scalar(select(func.min(ScenarioChange.seq)).where(
                ScenarioChange.scenario_id == s.id, ScenarioChange.undone.is_(True)))
            if step is None:
                raise WorkspaceError(f"nothing to redo in '{name}'")
            return self._flip(session, s, step, undone=False)

    def _refuse_locked(self, s: Scenario) -> None:
        if s.parent_id is None:
            raise WorkspaceError(f"'{s.name}' is the Baseline: it has no edits to undo or redo")
        if s.status == "approved":
            raise WorkspaceError(f"'{s.name}' is approved and locked; set it back to draft first")

    def _flip(self, session: Session, s: Scenario, step: int, undone: bool) -> Edited:
        rows = list(session.scalars(select(ScenarioChange).where(
            ScenarioChange.scenario_id == s.id, ScenarioChange.seq == step)))
        session.execute(update(ScenarioChange).where(
            ScenarioChange.scenario_id == s.id, ScenarioChange.seq == step).values(undone=undone))
        s.revision += 1
        changes = [Change.from_json(r.table_name, r.op, r.key_json, r.values_json) for r in rows]
        return _edited(s.name, changes)

    def commit_into_parent(self, name: str) -> str:
        """Move the scenario's changes into its parent; returns the parent's name.

        Into the Baseline: the Baseline's rows are rewritten as the scenario reads them (the
        whole scenario is checked first). Into another scenario: the changes are appended to
        the parent's own, after it. The scenario stays, with no changes of its own.
        """
        with self._write() as session:
            s = self._scenario(session, name)
            parent = s.parent
            if parent is None:
                raise WorkspaceError(f"'{name}' is the Baseline: it has no parent to commit into")
            own = list(session.scalars(select(ScenarioChange).where(
                ScenarioChange.scenario_id == s.id, ScenarioChange.undone.is_(False))
                .order_by(ScenarioChange.seq, ScenarioChange.id)))
            if not own:
                raise WorkspaceError(f"'{name}' has no changes to commit")
            changes = [Change.from_json(c.table_name, c.op, c.key_json, c.values_json)
                       for c in own]
            if parent.parent_id is None:
                frames = self._read_frames(session, s)
                problems = check_frames(frames, row_locator(frames))
                if problems:
                    raise DataProblems(problems)
                self._write_base_rows(session, frames, changes)
            else:
                if parent.status == "approved":
                    raise WorkspaceError(f"'{parent.name}' is approved and locked")
                session.execute(delete(ScenarioChange).where(
                    ScenarioChange.scenario_id == parent.id, ScenarioChange.undone.is_(True)))
                step = session.scalar(select(func.max(ScenarioChange.seq)).where(
                    ScenarioChange.scenario_id == parent.id)) or 0
                for c in own:
                    c.scenario_id = parent.id
                    c.seq += step
                session.flush()
            session.execute(delete(ScenarioChange).where(ScenarioChange.scenario_id == s.id))
            parent.revision += 1
            s.revision += 1
            return parent.name

    # --- Baseline data -----------------------------------------------------------------------

    def import_baseline(self, frames: Mapping[str, pd.DataFrame], name: str = ROOT_NAME) -> None:
        """Write validated canonical frames as the Baseline of an empty workspace.

        The frames are checked again here (so no caller can write inconsistent data); one
        transaction writes them all.
        """
        problems = check_frames(frames, row_locator(frames))
        if problems:
            raise DataProblems(problems)
        with self._write() as session:
            if self._root(session) is not None:
                raise WorkspaceError(
                    f"{self.path}: already holds a Baseline; import into a new workspace file"
                )
            conn = session.connection()
            for table in TABLES:
                frame = frames[table.name]
                if len(frame):
                    _insert_rows(conn, table, frame)
            session.add(Scenario(name=name, parent_id=None, status="approved", revision=1,
                                 created_at=_now()))
        self._base_cache = None
        self._read_cache.clear()

    def _write_base_rows(self, session: Session, frames: TableFrames,
                         changes: Sequence[Change]) -> None:
        """Rewrite the Baseline rows that ``changes`` touch with their values in ``frames``."""
        conn = session.connection()
        conn.exec_driver_sql("PRAGMA defer_foreign_keys = ON")
        for table_name, effects in net_effects(changes).items():
            table = TABLES_BY_NAME[table_name]
            where = " AND ".join(f"{k} = ?" for k in table.key)
            sql_table = BASE_TABLES[table_name].__tablename__
            conn.exec_driver_sql(f"DELETE FROM {sql_table} WHERE {where}",
                                 list(effects))
            kept = [k for k, e in effects.items() if not e.deleted]
            if kept:
                frame = frames[table_name]
                wanted = set(kept)
                mask = np.array([t in wanted for t in key_tuples(table, frame)], dtype=bool)
                _insert_rows(conn, table, frame[mask])

    def _load_base(self, session: Session, root: Scenario) -> _BaseCache:
        token = (root.id, root.revision)
        if self._base_cache is not None and self._base_cache.token == token:
            return self._base_cache
        raw = session.connection().connection.driver_connection
        self._base_cache = _BaseCache(token, {t.name: _select_frame(raw, t) for t in TABLES})
        self._read_cache.clear()
        return self._base_cache

    def _read_frames(self, session: Session, s: Scenario,
                     tables: Sequence[str] | None = None) -> TableFrames:
        chain = self._chain(session, s)
        cache_key = (tuple((sc.id, sc.revision) for sc in chain),
                     tuple(tables) if tables is not None else None)
        cached = self._read_cache.get(cache_key)
        if cached is not None:
            self._read_cache.move_to_end(cache_key)
            return cached
        if tables is not None:  # a part of a bigger read of the same revision at hand
            for (chain_key, _), frames in self._read_cache.items():
                if chain_key == cache_key[0] and all(name in frames for name in tables):
                    return {name: frames[name] for name in tables}
        base_cache = self._load_base(session, chain[0])
        base = base_cache.frames
        position = {sc.id: i for i, sc in enumerate(chain)}
        rows = session.execute(
            select(ScenarioChange.scenario_id, ScenarioChange.table_name, ScenarioChange.op,
                   ScenarioChange.key_json, ScenarioChange.values_json, ScenarioChange.id)
            .where(ScenarioChange.scenario_id.in_(list(position)),
                   ScenarioChange.undone.is_(False))
            .order_by(ScenarioChange.seq, ScenarioChange.id)
        ).all()
        rows.sort(key=lambda r: position[r[0]])  # stable: keeps seq order within a scenario
        ids: dict[str, list[int]] = {}
        for r in rows:
            ids.setdefault(r[1], []).append(r[5])
        self._change_ids[cache_key[0]] = {t: tuple(sorted(i)) for t, i in ids.items()}
        while len(self._change_ids) > _READ_CACHE_SIZE:
            self._change_ids.popitem(last=False)
        changes = [self._parsed(t, op, k, v) for _, t, op, k, v, _ in rows]
        if tables is not None:
            wanted = set(tables)
            changes = [c for c in changes if c.table in wanted]
            base = {name: base[name] for name in tables}
        frames = apply_changes(base, changes, base_cache.key_index)
        self._read_cache[cache_key] = frames
        while len(self._read_cache) > _READ_CACHE_SIZE:
            self._read_cache.popitem(last=False)
        return frames

    def read(self, name: str | None = None, tables: Sequence[str] | None = None) -> TableFrames:
        """A scenario's tables as canonical frames (all tables, or just ``tables``).

        ``name`` None reads the Baseline. The frames are the caller's: changing them changes
        nothing in the store (pandas copy-on-write keeps the cache safe).
        """
        wanted = tuple(tables) if tables is not None else None
        frames = self._listing.get(("read", name, wanted), lambda: self._read_scenario(name,
                                                                                   wanted))
        return {k: v.copy(deep=_DEEP_COPY) for k, v in frames.items()}

    def _read_scenario(self, name: str | None, tables: Sequence[str] | None) -> TableFrames:
        with self._read() as session:
            s = self._scenario(session, name) if name else self._root(session)
            if s is None:
                raise WorkspaceError(f"{self.path}: the workspace is empty (import data first)")
            return self._read_frames(session, s, tables)

    def revision_token(self, name: str) -> tuple[int, ...]:
        """Changes whenever anything the scenario reads as changes (for plan caches)."""
        tokens = self._listing.get("revisions", self._read_revisions)
        if name not in tokens:
            with self._read() as session:
                self._scenario(session, name)  # refuses the unknown name with the known ones
        return tokens[name]

    def _read_revisions(self) -> dict[str, tuple[int, ...]]:
        """Every scenario's (id, revision) pairs from the root down, in one query."""
        with self._read() as session:
            rows = session.execute(select(Scenario.id, Scenario.name, Scenario.parent_id,
                                          Scenario.revision)).all()
        by_id = {r.id: r for r in rows}
        return {r.name: tuple(x for sc in _root_down(by_id, r.id) for x in (sc.id, sc.revision))
                for r in rows}

    def table_token(self, name: str, tables: Sequence[str]) -> tuple[object, ...]:
        """Changes whenever ``tables`` of the scenario may read differently (cache key for
        results that depend only on those tables, e.g. a forecast from the history)."""
        tables = tuple(tables)
        return self._listing.get(("tables", name, tables),
                                 lambda: self._read_table_token(name, tables))

    def _parsed(self, table: str, op: str, key_json: str, values_json: str) -> Change:
        """A change row as a Change, parsed once per text (rows never change in place)."""
        text = (table, op, key_json, values_json)
        change = self._changes.get(text)
        if change is None:
            change = self._changes[text] = Change.from_json(table, op, key_json, values_json)
        return change

    def _read_table_token(self, name: str, tables: Sequence[str]) -> tuple[object, ...]:
        token = self.revision_token(name)
        known = self._change_ids.get(tuple(zip(token[::2], token[1::2], strict=True)))
        if known is not None:  # a read of this revision listed its changes by table
            return (token[0], token[1], *sorted(i for t in tables for i in known.get(t, ())))
        with self._read() as session:
            s = self._scenario(session, name)
            chain = self._chain(session, s)
            ids = session.scalars(
                select(ScenarioChange.id)
                .where(ScenarioChange.scenario_id.in_([sc.id for sc in chain]),
                       ScenarioChange.undone.is_(False),
                       ScenarioChange.table_name.in_(list(tables)))
                .order_by(ScenarioChange.id)
            ).all()
            return (chain[0].id, chain[0].revision, *ids)

    def meta(self) -> dict[str, str]:
        with self._read() as session:
            return {m.key: m.value for m in session.scalars(select(Meta))}


# --- helpers ----------------------------------------------------------------------------

_READ_CACHE_SIZE = 8
#: pandas 3 copies on write, so handing out shallow copies of cached frames is safe there.
_DEEP_COPY = int(pd.__version__.split(".")[0]) < 3


@dataclass
class _BaseCache:
    """The Baseline's frames as of one root revision, with their key indexes (built lazily)."""

    token: tuple[int, int]
    frames: dict[str, pd.DataFrame]
    indexes: dict[str, KeyIndex] = field(default_factory=dict)

    def key_index(self, table: str) -> KeyIndex:
        if table not in self.indexes:
            self.indexes[table] = key_index(TABLES_BY_NAME[table], self.frames[table])
        return self.indexes[table]



def _table(name: str) -> Table:
    try:
        return TABLES_BY_NAME[name]
    except KeyError:
        known = ", ".join(TABLES_BY_NAME)
        raise DataProblems([Problem(name, f"unknown table (tables: {known})")]) from None


def _root_down(rows: Mapping[int, Row], scenario_id: int) -> list[Row]:
    """The rows (with ``id`` and ``parent_id``) of the scenarios from the root down to
    ``scenario_id``."""
    chain = [rows[scenario_id]]
    while chain[-1].parent_id is not None:
        chain.append(rows[chain[-1].parent_id])
    return chain[::-1]


def _clean_name(name: str) -> str:
    name = name.strip()
    if not name:
        raise WorkspaceError("a scenario needs a name")
    if len(name) > 200:
        raise WorkspaceError("a scenario name may have at most 200 characters")
    return name


def _check_change_fields(change: Change) -> None:
    """Table, key and fields exist, and numbers are in range (typed values from the GUI)."""
    spec = _table(change.table)
    where = f"{change.table}[{','.join(f'{k}={v}' for k, v in change.key.items())}]"
    problems: list[Problem] = []
    if set(change.key) != set(spec.key) or any(v in (None, "") for v in change.key.values()):
        problems.append(Problem(where, f"the key must give {', '.join(spec.key)}"))
    for name, value in change.values.items():
        if not spec.has_column(name) or name in spec.key:
            problems.append(Problem(f"{where}.{name}", f"not a value column of {change.table}"))
            continue
        column = spec.column(name)
        if value is None and column.required:
            problems.append(Problem(f"{where}.{name}", f"{name} is required"))
        if column.choices and value is not None and value not in column.choices:
            problems.append(Problem(f"{where}.{name}",
                                    f"'{value}' is not one of {', '.join(column.choices)}"))
        try:
            check_range(column, value)
        except ValueProblem as err:
            problems.append(Problem(f"{where}.{name}", str(err)))
    if problems:
        raise DataProblems(problems)


#: Columns whose value decides how rows relate (beyond ``references`` columns).
_STRUCTURAL_COLUMNS = frozenset({("skus", "supply_type")})


def _links_rows(change: Change) -> bool:
    """True when a change can break a rule between rows whatever rows exist: a delete, a
    setting, or a value that names other rows (a reference, the supply type)."""
    if change.op == "delete" or change.table == "settings":
        return True
    spec = TABLES_BY_NAME[change.table]
    return any(spec.column(name).references or (change.table, name) in _STRUCTURAL_COLUMNS
               for name in change.values)


def _has_row(frame: pd.DataFrame, change: Change) -> bool:
    """Does ``frame`` hold the row the change names (else upserting it inserts a row)?

    Compared column by column over the key (one vectorised test each), with the key in the
    frame's own form (dates as datetimes)."""
    table = TABLES_BY_NAME[change.table]
    found = np.ones(len(frame), dtype=bool)
    for name in table.key:
        kind = table.column(name).kind
        value = from_json(kind, change.key[name])
        if value is None:
            return False
        values = frame[name].to_numpy()
        if kind == "date":
            value = np.datetime64(pd.Timestamp(value), "ns")  # type: ignore[arg-type]
        found &= values == value
    return bool(found.any())


def _edited(name: str, changes: Sequence[Change]) -> Edited:
    return Edited(
        scenario=name,
        tables=frozenset(c.table for c in changes),
        keys=tuple((c.table, c.key_tuple()) for c in changes),
        description="; ".join(c.describe() for c in changes),
    )


def _insert_rows(conn, table: Table, frame: pd.DataFrame) -> None:  # noqa: ANN001
    """Insert a canonical frame's rows into the table's base_ SQL table (executemany)."""
    columns = table.column_names
    data = []
    for column in table.columns:
        series = frame[column.name]
        if column.kind == "date":
            values = series.dt.strftime("%Y-%m-%d").astype(object)
        elif column.kind in ("int", "bool"):
            values = series.astype(object)
        else:
            values = series.astype(object)
        values = values.where(series.notna(), None)
        data.append(values.tolist())
    rows = list(zip(*data, strict=True))
    sql_table = BASE_TABLES[table.name].__tablename__
    marks = ", ".join("?" for _ in columns)
    conn.exec_driver_sql(
        f"INSERT INTO {sql_table} ({', '.join(columns)}) VALUES ({marks})", rows
    )


def _select_frame(raw: sqlite3.Connection, table: Table) -> pd.DataFrame:
    """A base table read straight through the driver (fast path, no ORM objects)."""
    sql_table = BASE_TABLES[table.name].__tablename__
    columns = table.column_names
    rows = raw.execute(f"SELECT {', '.join(columns)} FROM {sql_table}").fetchall()
    if not rows:
        return empty_frame(table)
    frame = pd.DataFrame.from_records(rows, columns=columns, coerce_float=False)
    for column in table.columns:
        if column.kind == "date":
            frame[column.name] = pd.to_datetime(frame[column.name], format="%Y-%m-%d").astype(
                DATE_DTYPE)
    return coerce_frame(table, frame)


def dumps_json(data: object) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False, default=str)
