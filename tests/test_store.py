"""The scenario store: fork, overlay, diff, undo/redo, approve, commit, rename, delete."""

from __future__ import annotations

import sqlite3

import pandas as pd
import pytest

from app.models.frames import frames_equal
from app.models.overlay import Change
from app.models.schema import SCHEMA_VERSION
from app.models.store import Store, WorkspaceError
from app.models.validate import DataProblems
from tests.factories import small_company


@pytest.fixture
def store(tmp_path):
    s = Store.create(tmp_path / "w.echelon")
    s.import_baseline(small_company())
    yield s
    s.close()


def sku(frames, item, site):
    skus = frames["skus"]
    row = skus[(skus["item_id"] == item) & (skus["site_id"] == site)]
    assert len(row) == 1
    return row.iloc[0]


def lead_time_change(value, item="FG1", site="D1"):
    return Change.make("skus", {"item_id": item, "site_id": site}, {"lead_time": value})


def test_baseline_reads_back_exactly_what_was_imported(store):
    assert frames_equal(store.read(), small_company()) == []
    assert [s.name for s in store.scenarios()] == ["Baseline"]


def test_fork_copies_nothing_and_reads_as_parent(store):
    store.fork("Baseline", "What-if")
    with sqlite3.connect(store.path) as con:
        assert con.execute("SELECT count(*) FROM scenario_change").fetchone()[0] == 0
    assert frames_equal(store.read("What-if"), store.read("Baseline")) == []


def test_edit_changes_only_the_scenario_and_its_children(store):
    store.fork("Baseline", "A")
    store.edit("A", [lead_time_change(3.0)])
    store.fork("A", "A.1")
    assert sku(store.read("A"), "FG1", "D1")["lead_time"] == 3.0
    assert sku(store.read("A.1"), "FG1", "D1")["lead_time"] == 3.0
    assert sku(store.read("Baseline"), "FG1", "D1")["lead_time"] == 2.0
    # a later change of the parent shows in the child (live inheritance) ...
    store.edit("A", [Change.make("skus", {"item_id": "RM1", "site_id": "P1"},
                                 {"on_hand": 55.0})])
    assert sku(store.read("A.1"), "RM1", "P1")["on_hand"] == 55.0
    # ... unless the child overrides the same field
    store.edit("A.1", [lead_time_change(6.0)])
    store.edit("A", [lead_time_change(4.0)])
    assert sku(store.read("A.1"), "FG1", "D1")["lead_time"] == 6.0
    assert sku(store.read("A"), "FG1", "D1")["lead_time"] == 4.0


def test_insert_and_delete_rows(store):
    store.fork("Baseline", "S")
    store.edit("S", [Change.make("items", {"item_id": "RM3"}, {"unit_cost": 1.5,
                                                                 "part_class": "RM"})])
    store.edit("S", [Change.make("skus", {"item_id": "RM3", "site_id": "P1"},
                                 {"supply_type": "buy", "lead_time": 2.0})])
    frames = store.read("S")
    new = sku(frames, "RM3", "P1")
    assert new["lead_time"] == 2.0
    assert new["order_policy"] == "lot_for_lot"  # default of an optional column
    assert new["service_target"] == 0.95
    store.edit("S", [Change.make("open_orders", {"order_id": "TR-1"}, op="delete")])
    assert list(store.read("S")["open_orders"]["order_id"]) == ["PO-1"]
    assert len(store.read("Baseline")["open_orders"]) == 2


def test_delete_then_upsert_starts_from_defaults(store):
    store.fork("Baseline", "S")
    key = {"item_id": "RM2", "site_id": "P1"}
    store.edit("S", [Change.make("skus", key, op="delete"),
                     Change.make("skus", key, {"supply_type": "buy"})])
    row = sku(store.read("S"), "RM2", "P1")
    assert row["on_hand"] == 0.0  # the old 1000 is gone: the row was replaced
    assert row["lead_time"] == 1.0


def test_diff_lists_own_changes_in_order(store):
    store.fork("Baseline", "A")
    store.edit("A", [lead_time_change(3.0)])
    store.edit("A", [lead_time_change(5.0, "RM1", "P1")])
    store.fork("A", "B")
    store.edit("B", [lead_time_change(9.0)])
    diff = store.diff("A")
    assert [(r.seq, r.change.key["item_id"], r.change.values["lead_time"]) for r in diff] == [
        (1, "FG1", 3.0), (2, "RM1", 5.0)]
    assert [r.change.values["lead_time"] for r in store.diff("B")] == [9.0]
    assert store.diff("Baseline") == []


def test_undo_redo_walk_the_steps(store):
    store.fork("Baseline", "A")
    store.edit("A", [lead_time_change(3.0)])
    store.edit("A", [lead_time_change(5.0), lead_time_change(7.0, "RM1", "P1")])
    store.undo("A")
    frames = store.read("A")
    assert sku(frames, "FG1", "D1")["lead_time"] == 3.0
    assert sku(frames, "RM1", "P1")["lead_time"] == 4.0  # the whole step went back
    store.undo("A")
    assert sku(store.read("A"), "FG1", "D1")["lead_time"] == 2.0
    with pytest.raises(WorkspaceError, match="nothing to undo"):
        store.undo("A")
    store.redo("A")
    assert sku(store.read("A"), "FG1", "D1")["lead_time"] == 3.0
    # a new edit discards what could still be redone
    store.edit("A", [lead_time_change(8.0)])
    with pytest.raises(WorkspaceError, match="nothing to redo"):
        store.redo("A")
    assert [r.change.values["lead_time"] for r in store.diff("A", include_undone=True)] == [
        3.0, 8.0]


def test_revision_token_moves_with_any_change_on_the_chain(store):
    store.fork("Baseline", "A")
    store.fork("A", "B")
    before = store.revision_token("B")
    store.edit("A", [lead_time_change(3.0)])
    after = store.revision_token("B")
    assert before != after
    store.undo("A")
    assert store.revision_token("B") not in (before, after)


def test_listings_follow_writes_of_another_connection(store):
    """Listings, tokens and reads are kept between calls, but a commit by anyone (here a
    second store on the same file, as another process would be) is seen at once."""
    store.fork("Baseline", "A")
    assert [s.name for s in store.scenarios()] == ["Baseline", "A"]
    token = store.revision_token("A")
    before = sku(store.read("A"), "FG1", "D1")["lead_time"]
    with Store.open(store.path) as other:
        other.fork("A", "B")
        other.edit("A", [lead_time_change(before + 2.0)])
    assert [s.name for s in store.scenarios()] == ["Baseline", "A", "B"]
    assert store.revision_token("A") != token
    assert sku(store.read("A"), "FG1", "D1")["lead_time"] == before + 2.0
    assert [c.change.values for c in store.diff("A")] == [{"lead_time": before + 2.0}]


def test_listings_are_read_once_per_change(store, monkeypatch):
    calls = []
    read = store._read_scenarios
    monkeypatch.setattr(store, "_read_scenarios", lambda: calls.append(1) or read())
    store.scenarios()
    store.scenarios()
    assert len(calls) == 1
    store.fork("Baseline", "A")  # a write of our own moves the version too
    assert [s.name for s in store.scenarios()] == ["Baseline", "A"]
    assert len(calls) == 2


def test_edit_refused_on_baseline_and_approved(store):
    with pytest.raises(WorkspaceError, match="Baseline"):
        store.edit("Baseline", [lead_time_change(3.0)])
    store.fork("Baseline", "A")
    store.approve("A")
    with pytest.raises(WorkspaceError, match="approved"):
        store.edit("A", [lead_time_change(3.0)])
    assert [s.status for s in store.scenarios()] == ["approved", "approved"]
    store.set_status("A", "draft")
    store.edit("A", [lead_time_change(3.0)])


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lead_time_change(-1.0), "must not be negative"),
        (Change.make("skus", {"item_id": "FG1", "site_id": "D1"}, {"colour": "red"}),
         "not a value column"),
        (Change.make("skus", {"item_id": "FG1", "site_id": "D1"}, {"ss_model": "magic"}),
         "not one of"),
        (Change.make("skus", {"item_id": "FG1", "site_id": "D1"}, {"source_site": "X9"}),
         "unknown site 'X9'"),
        (Change.make("skus", {"item_id": "FG1", "site_id": "P1"},
                     {"supply_type": "transfer", "source_site": "D1"}),
         "cycle: FG1@P1 -> FG1@D1 -> FG1@P1|FG1@D1 -> FG1@P1 -> FG1@D1"),
        (Change.make("items", {"item_id": "RM1"}, op="delete"), "unknown item 'RM1'"),
        (Change.make("skus", {"item_id": "NEW", "site_id": "P1"}, {"supply_type": "buy"}),
         "unknown item 'NEW'"),
        (Change.make("items", {"item_id": "X"}, {"description": "no cost"}),
         "unit_cost is required"),
    ],
)
def test_bad_edits_are_refused_and_nothing_is_written(store, change, message):
    store.fork("Baseline", "A")
    before = store.read("A")
    with pytest.raises(DataProblems, match=message):
        store.edit("A", [change])
    assert frames_equal(store.read("A"), before) == []
    assert store.diff("A") == []


def test_parse_edit_reports_every_bad_field(store):
    with pytest.raises(DataProblems) as err:
        store.parse_edit("skus", {"item_id": "FG1"}, {"lead_time": "abc", "on_hand": "-4"})
    text = str(err.value)
    assert "the key needs site_id" in text
    assert "'abc' is not a number" in text
    assert "on_hand must not be negative (got -4)" in text


def test_rename_delete_rules(store):
    store.fork("Baseline", "A")
    store.fork("A", "B")
    with pytest.raises(WorkspaceError, match="already exists"):
        store.rename("A", "B")
    with pytest.raises(WorkspaceError, match="child scenarios"):
        store.delete("A")
    with pytest.raises(WorkspaceError, match="cannot be deleted"):
        store.delete("Baseline")
    store.rename("A", "Plan A")
    assert [(s.name, s.parent) for s in store.scenarios()] == [
        ("Baseline", None), ("Plan A", "Baseline"), ("B", "Plan A")]
    store.edit("B", [lead_time_change(3.0)])
    store.delete("B")
    store.delete("Plan A")
    assert [s.name for s in store.scenarios()] == ["Baseline"]
    with sqlite3.connect(store.path) as con:
        assert con.execute("SELECT count(*) FROM scenario_change").fetchone()[0] == 0


def test_commit_into_scenario_parent_appends_changes(store):
    store.fork("Baseline", "A")
    store.edit("A", [lead_time_change(3.0)])
    store.fork("A", "B")
    store.edit("B", [lead_time_change(5.0, "RM1", "P1")])
    b_before = store.read("B")
    assert store.commit_into_parent("B") == "A"
    assert frames_equal(store.read("A"), b_before) == []
    assert frames_equal(store.read("B"), b_before) == []
    assert store.diff("B") == []
    assert [r.seq for r in store.diff("A")] == [1, 2]
    store.undo("A")  # the committed step is now A's last step
    assert sku(store.read("A"), "RM1", "P1")["lead_time"] == 4.0


def test_commit_into_baseline_rewrites_base_rows(store, tmp_path):
    store.fork("Baseline", "A")
    store.fork("Baseline", "Sibling")
    store.edit("A", [lead_time_change(3.0),
                     Change.make("open_orders", {"order_id": "TR-1"}, op="delete"),
                     Change.make("items", {"item_id": "RM3"}, {"unit_cost": 1.0})])
    a = store.read("A")
    store.commit_into_parent("A")
    assert frames_equal(store.read("Baseline"), a) == []
    assert frames_equal(store.read("Sibling"), a) == []
    # the change is in the file, not only in this process's cache
    with Store.open(store.path) as again:
        assert frames_equal(again.read("Baseline"), a) == []
        assert sku(again.read(), "FG1", "D1")["lead_time"] == 3.0


def test_read_subset_of_tables(store):
    store.fork("Baseline", "A")
    store.edit("A", [lead_time_change(3.0)])
    frames = store.read("A", tables=["skus"])
    assert list(frames) == ["skus"]
    assert sku(frames, "FG1", "D1")["lead_time"] == 3.0


def test_frames_read_are_the_callers_own(store):
    frames = store.read()
    frames["skus"].loc[0, "lead_time"] = 99.0
    assert store.read()["skus"].loc[0, "lead_time"] != 99.0


def test_second_import_into_same_workspace_is_refused(store):
    with pytest.raises(WorkspaceError, match="already holds a Baseline"):
        store.import_baseline(small_company())


def test_unknown_scenario_names_the_known_ones(store):
    with pytest.raises(WorkspaceError, match=r"no scenario named 'Nope'.*Baseline"):
        store.read("Nope")


def test_future_schema_version_is_refused(tmp_path, store):
    with sqlite3.connect(store.path) as con:
        con.execute("UPDATE echelon_meta SET value = ? WHERE key = 'schema_version'",
                    (str(SCHEMA_VERSION + 1),))
    with pytest.raises(WorkspaceError, match="newer Echelon"):
        Store.open(store.path)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"item_id,unit_cost\nA,1\n", "not an SQLite database"),
        (b"", "not an SQLite database"),
    ],
)
def test_not_a_workspace_is_refused(tmp_path, content, message):
    path = tmp_path / "x.echelon"
    path.write_bytes(content)
    with pytest.raises(WorkspaceError, match=message):
        Store.open(path)


def test_foreign_sqlite_database_is_refused(tmp_path):
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as con:
        con.execute("CREATE TABLE t (x)")
    with pytest.raises(WorkspaceError, match="without Echelon's tables"):
        Store.open(path)


def test_file_settings_wal_and_foreign_keys(store):
    with sqlite3.connect(store.path) as con:
        assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert con.execute("PRAGMA application_id").fetchone()[0] == 0x4543484C
    with store._engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_dates_survive_the_store(store):
    history = store.read()["demand_history"]
    assert history["period"].dtype == "datetime64[ns]"
    assert history["period"].min() == pd.Timestamp("2025-12-08")
