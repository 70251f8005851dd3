"""The session: one open workspace, the scenario being looked at, and who to tell when it changes.

Qt-free on purpose (the views connect it to signals, see ``app.views.relay``). Every operation
that changes something tells the subscribers once, with a small ``Changed`` value saying what
changed, so each pane refreshes only what concerns it (the ``OpChanges`` idea of Anki). No
business rules live here: parsing, checking and locking are the store's; this module only
keeps the current scenario, caches what was read, and notifies.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import pandas as pd

from app.engine.forecast import DemandForecast, demand_forecast
from app.engine.inputs import PlanInput
from app.engine.plan import plan
from app.engine.recommend import MeioMemo, MeioOptions
from app.engine.result import PlanResult
from app.engine.same_values import MadeFrom
from app.models.contract import TABLE_NAMES
from app.models.overlay import Change
from app.models.store import ChangeRecord, Edited, ScenarioInfo, Store, WorkspaceError
from app.models.validate import DataProblems

ChangeKind = Literal[
    "open", "select", "edit", "undo", "redo", "fork", "rename", "delete", "status", "commit"
]

ALL_TABLES: frozenset[str] = frozenset(TABLE_NAMES)


@dataclass(frozen=True)
class Changed:
    """What one operation changed, as seen from the current scenario.

    ``scenario`` is the current scenario after the operation. ``tables`` names the tables whose
    rows the current scenario may now read differently (every table after opening a file or
    switching scenario; none after a rename). ``tree`` is true when the scenario list (names,
    statuses, change counts) changed. ``keys`` are the (table, key) rows an edit touched.
    """

    kind: ChangeKind
    scenario: str
    tables: frozenset[str] = frozenset()
    tree: bool = False
    keys: tuple[tuple[str, tuple[object, ...]], ...] = ()
    description: str = ""

    @classmethod
    def from_edited(cls, kind: ChangeKind, edited: Edited) -> Changed:
        return cls(kind, edited.scenario, edited.tables, True, edited.keys, edited.description)


Subscriber = Callable[[Changed], None]


@dataclass
class PlanJob:
    """Everything needed to compute one revision's plan, read beforehand on the GUI thread.

    ``run`` is pure computation (numpy/pandas), safe on a worker thread; the workbench takes
    the result back with ``Workbench.adopt``.
    """

    name: str
    token: tuple[int, ...]
    frames: dict[str, pd.DataFrame]
    demand_token: tuple[object, ...]
    demand: DemandForecast | None = None
    computed_demand: DemandForecast | None = None
    #: the session's memo of multi-echelon solutions (shared by every job)
    meio_memo: MeioMemo | None = None
    #: the session's memo of what plans make from inputs edits seldom touch (PlanInput.memo)
    memo: MadeFrom | None = None

    def run(self, progress: Callable[[float], None] | None = None,
            should_stop: Callable[[], bool] | None = None) -> PlanResult:
        """The plan (raises PlanInputError when the tables cannot be planned); ``progress``
        and ``should_stop`` as for ``plan`` (a stop cuts the multi-echelon search short)."""
        inp = PlanInput.from_tables(self.frames, self.memo)
        if self.demand is None:
            self.computed_demand = demand_forecast(inp.settings.calendar, inp.demand_history,
                                                   inp.forecast)
        inp.demand = self.demand if self.demand is not None else self.computed_demand
        inp.meio_memo = self.meio_memo
        return plan(inp, progress, should_stop)


@dataclass
class _Cached:
    """Frames read for one revision of one scenario, and its plan once computed."""

    token: tuple[int, ...]
    frames: dict[str, pd.DataFrame]
    plan: PlanResult | None = None


#: the tables customer demand is computed from (its cache key)
DEMAND_TABLES = ("demand_history", "forecast", "settings")


class Workbench:
    """An open workspace and the current scenario; edits go through here to the store."""

    def __init__(self, store: Store, scenario: str | None = None) -> None:
        self._store = store
        self._current = scenario or store.root_name()
        self._subscribers: list[Subscriber] = []
        self._cache: dict[str, _Cached] = {}
        #: milliseconds the last actual store read took (a cache hit does not change it)
        self.last_read_ms: float = 0.0
        #: milliseconds the last actual recompute took (a cached plan does not change it)
        self.last_plan_ms: float = 0.0
        self._demand: tuple[tuple[object, ...], DemandForecast] | None = None
        #: multi-echelon solutions by their inputs: edits that leave them alone reuse them
        self._meio_memo = MeioMemo()
        #: networks, SKU indexes, group codes... by their inputs (PlanInput.memo)
        self._plan_memo = MadeFrom()

    # --- opening ---------------------------------------------------------------------------

    @classmethod
    def open_file(cls, path: str | Path) -> Workbench:
        """A workbench on the workspace at ``path``, looking at its Baseline."""
        store = Store.open(path)
        try:
            return cls(store)
        except BaseException:
            store.close()
            raise

    def open(self, path: str | Path) -> None:
        """Switch to another workspace file; on a refusal the current one stays open."""
        store = Store.open(path)
        try:
            root = store.root_name()
        except BaseException:
            store.close()
            raise
        self._store.close()
        self._store, self._current = store, root
        self._cache.clear()
        self._plan_memo = MadeFrom()  # (let the other workspace's columns go)
        self._notify(Changed("open", root, ALL_TABLES, True))

    def close(self) -> None:
        self._store.close()

    @property
    def path(self) -> Path:
        return self._store.path

    @property
    def meio_memo(self) -> MeioMemo:
        """Multi-echelon solutions of this session by their inputs (shared by every plan)."""
        return self._meio_memo

    @property
    def meio_options(self) -> MeioOptions:
        """The search budget of every multi-echelon solve of this session."""
        return MeioOptions()

    @property
    def current(self) -> str:
        """The name of the scenario being looked at."""
        return self._current

    # --- observers -------------------------------------------------------------------------

    def subscribe(self, callback: Subscriber) -> Callable[[], None]:
        """Call ``callback(changed)`` after every change; returns the function that stops it."""
        self._subscribers.append(callback)

        def unsubscribe() -> None:
            if callback in self._subscribers:
                self._subscribers.remove(callback)

        return unsubscribe

    def _notify(self, changed: Changed) -> Changed:
        for callback in list(self._subscribers):
            callback(changed)
        return changed

    # --- reading ---------------------------------------------------------------------------

    def scenarios(self) -> list[ScenarioInfo]:
        """Every scenario in tree order (parents first)."""
        return self._store.scenarios()

    def info(self, name: str | None = None) -> ScenarioInfo:
        """The listing of one scenario (the current one by default)."""
        name = name or self._current
        for info in self._store.scenarios():
            if info.name == name:
                return info
        raise WorkspaceError(f"no scenario named '{name}'")

    def is_editable(self, name: str | None = None) -> bool:
        """False for the Baseline and approved scenarios, which the store refuses to edit."""
        info = self.info(name)
        return info.parent is not None and info.status != "approved"

    def frames(self, tables: Sequence[str] | None = None,
               name: str | None = None) -> dict[str, pd.DataFrame]:
        """A scenario's tables (all, or ``tables``), cached per store revision.

        ``name`` defaults to the current scenario (a parent's frames mark changed cells).
        """
        wanted = list(tables) if tables is not None else list(TABLE_NAMES)
        name = name or self._current
        cached = self._entry(name)
        self._read_into(cached, name, wanted)
        return {t: cached.frames[t] for t in wanted}

    def _entry(self, name: str) -> _Cached:
        """The cache entry of a scenario for its current store revision (a new one when the
        scenario changed since)."""
        token = self._store.revision_token(name)
        cached = self._cache.get(name)
        if cached is None or cached.token != token:
            cached = _Cached(token, {})
            self._cache[name] = cached
        return cached

    def _read_into(self, cached: _Cached, name: str, tables: Sequence[str]) -> None:
        """Read the ``tables`` the entry does not hold yet."""
        missing = [t for t in tables if t not in cached.frames]
        if missing:
            started = time.perf_counter()
            cached.frames.update(self._store.read(name, missing))
            self.last_read_ms = (time.perf_counter() - started) * 1000.0

    def plan(self, name: str | None = None) -> PlanResult:
        """The plan of a scenario (the current one by default), cached per store revision.

        Customer demand is computed from the history only when the history, the imported
        forecast or the settings changed; every other edit reuses it.
        """
        job = self.plan_job(name)
        if isinstance(job, PlanResult):
            return job
        started = time.perf_counter()
        result = job.run()
        self.last_plan_ms = (time.perf_counter() - started) * 1000.0
        self.adopt(job, result)
        return result

    def plan_job(self, name: str | None = None) -> PlanResult | PlanJob:
        """The cached plan of a scenario, or the job that computes it (any thread may run it).

        The tables are read here, on the caller's thread (the store's connection stays on
        it); ``PlanJob.run`` only computes. Hand the result back through ``adopt``.
        """
        name = name or self._current
        cached = self._entry(name)
        if cached.plan is not None:
            return cached.plan
        self._read_into(cached, name, TABLE_NAMES)
        demand_token = (self._store.path, *self._store.table_token(name, DEMAND_TABLES))
        demand = self._demand[1] if self._demand and self._demand[0] == demand_token else None
        return PlanJob(name, cached.token, dict(cached.frames), demand_token, demand,
                       meio_memo=self._meio_memo, memo=self._plan_memo)

    def adopt(self, job: PlanJob, result: PlanResult) -> bool:
        """Cache ``result`` of ``job`` when the scenario still reads as the job read it.

        Returns False (nothing cached) when the scenario changed meanwhile: the result is
        stale and a newer job is due.
        """
        if job.computed_demand is not None:
            self._demand = (job.demand_token, job.computed_demand)
        try:
            token = self._store.revision_token(job.name)
        except WorkspaceError:
            return False
        cached = self._cache.get(job.name)
        if token != job.token or cached is None or cached.token != job.token:
            return False
        cached.plan = result
        return True

    def cached_plan(self, name: str | None = None) -> PlanResult | None:
        """The plan of a scenario when it is already computed for its current revision."""
        name = name or self._current
        cached = self._cache.get(name)
        if cached is None or cached.plan is None:
            return None
        return cached.plan if cached.token == self._store.revision_token(name) else None

    def diff(self, name: str | None = None) -> list[ChangeRecord]:
        """A scenario's own changes (the current one by default), in order: its diff."""
        return self._store.diff(name or self._current)

    # --- switching -------------------------------------------------------------------------

    def select(self, name: str) -> Changed | None:
        """Look at scenario ``name``; None (and no notification) when it already is current."""
        if name == self._current:
            return None
        self.info(name)  # refuses an unknown name before anything changes
        self._current = name
        return self._notify(Changed("select", name, ALL_TABLES))

    # --- editing ---------------------------------------------------------------------------

    def edit(self, changes: Sequence[Change]) -> Changed:
        """Apply ``changes`` to the current scenario as one undo step."""
        return self._notify(Changed.from_edited("edit", self._store.edit(self._current, changes)))

    def edit_text(self, table: str, key: Mapping[str, str], values: Mapping[str, str]) -> Changed:
        """One row edit from text (a grid cell): parsed and checked by the store, then applied.

        Raises DataProblems or WorkspaceError, having changed nothing.
        """
        return self.edit([self._store.parse_edit(table, key, values)])

    def edit_rows(self, rows: Sequence[tuple[str, Mapping[str, str], Mapping[str, str]]]
                  ) -> Changed:
        """Several row edits from text (pasted cells) as one undo step, or none at all.

        Each row is (table, key, values) as for ``edit_text``. Every row is parsed first; the
        problems of all of them are raised together (DataProblems) and nothing is applied.
        """
        return self.edit(self.parse_rows(rows))

    def parse_rows(self, rows: Sequence[tuple[str, Mapping[str, str], Mapping[str, str]]]
                   ) -> list[Change]:
        """The changes of ``edit_rows`` without applying them; DataProblems lists every
        bad field of every row."""
        changes: list[Change] = []
        problems = []
        for table, key, values in rows:
            try:
                changes.append(self._store.parse_edit(table, key, values))
            except DataProblems as err:
                problems.extend(err.problems)
        if problems:
            raise DataProblems(problems)
        return changes

    def undo(self) -> Changed:
        return self._notify(Changed.from_edited("undo", self._store.undo(self._current)))

    def redo(self) -> Changed:
        return self._notify(Changed.from_edited("redo", self._store.redo(self._current)))

    # --- the scenario tree -----------------------------------------------------------------

    def fork(self, name: str, parent: str | None = None) -> Changed:
        """A new scenario on top of ``parent`` (the current one by default); it becomes current."""
        info = self._store.fork(parent or self._current, name)
        self._current = info.name
        return self._notify(Changed("fork", info.name, ALL_TABLES, True))

    def rename(self, new_name: str, name: str | None = None) -> Changed:
        """Rename a scenario (the current one by default)."""
        old = name or self._current
        self._store.rename(old, new_name)
        if old == self._current:
            self._current = new_name.strip()
        self._cache.pop(old, None)
        return self._notify(Changed("rename", self._current, frozenset(), True))

    def delete(self, name: str | None = None) -> Changed:
        """Delete a scenario (by default the current one, whose parent then becomes current)."""
        name = name or self._current
        parent = self.info(name).parent
        self._store.delete(name)
        self._cache.pop(name, None)
        tables: frozenset[str] = frozenset()
        if name == self._current:
            self._current = parent or self._store.root_name()
            tables = ALL_TABLES
        return self._notify(Changed("delete", self._current, tables, True))

    def approve(self) -> Changed:
        """Mark the current scenario approved (it is locked from then on)."""
        return self.set_status("approved")

    def set_status(self, status: str) -> Changed:
        self._store.set_status(self._current, status)
        return self._notify(Changed("status", self._current, frozenset(), True))

    def commit_into_parent(self) -> Changed:
        """Move the current scenario's changes into its parent (the parent is then current)."""
        self._current = self._store.commit_into_parent(self._current)
        return self._notify(Changed("commit", self._current, ALL_TABLES, True))


__all__ = ["ALL_TABLES", "ChangeRecord", "Changed", "DataProblems", "PlanJob", "Workbench",
           "WorkspaceError"]
