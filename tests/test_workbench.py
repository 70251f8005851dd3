"""The session (app.workbench) without Qt: current scenario, cached reads, edits and notices."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.models.store import Store
from app.workbench import ALL_TABLES, Changed, DataProblems, Workbench, WorkspaceError

RM1 = {"item_id": "RM1", "site_id": "P1"}


@pytest.fixture
def seen(bench: Workbench) -> list[Changed]:
    notices: list[Changed] = []
    bench.subscribe(notices.append)
    return notices


def lead_time(wb: Workbench, item: str = "RM1", site: str = "P1") -> float:
    skus = wb.frames(["skus"])["skus"]
    row = skus[(skus.item_id == item) & (skus.site_id == site)]
    return float(row.lead_time.iloc[0])


def test_opens_on_the_baseline(bench: Workbench) -> None:
    assert bench.current == "Baseline"
    assert not bench.is_editable()
    assert [i.name for i in bench.scenarios()] == ["Baseline"]
    assert len(bench.frames(["skus"])["skus"]) == 5
    assert set(bench.frames()) == ALL_TABLES


def test_reads_are_cached_per_revision(bench: Workbench, monkeypatch: pytest.MonkeyPatch) -> None:
    reads: list[object] = []
    real_read = Store.read

    def counting_read(self: Store, *args: object, **kw: object) -> object:
        reads.append(args)
        return real_read(self, *args, **kw)

    monkeypatch.setattr(Store, "read", counting_read)
    first = bench.frames(["skus"])["skus"]
    assert bench.frames(["skus"])["skus"] is first
    assert len(reads) == 1
    bench.fork("Plan B")
    bench.edit_text("skus", RM1, {"lead_time": "6"})
    assert lead_time(bench) == 6.0
    assert len(reads) == 2  # the new scenario revision was read once


def test_fork_selects_the_new_scenario_and_tells(bench: Workbench,
                                                 seen: list[Changed]) -> None:
    bench.fork("Plan B")
    assert bench.current == "Plan B"
    assert bench.is_editable()
    assert seen == [Changed("fork", "Plan B", ALL_TABLES, tree=True)]
    assert bench.info().parent == "Baseline"


def test_edit_changes_the_scenario_only(bench: Workbench, seen: list[Changed]) -> None:
    bench.fork("Plan B")
    changed = bench.edit_text("skus", RM1, {"lead_time": "6"})
    assert changed.kind == "edit" and changed.tables == {"skus"} and changed.tree
    assert changed.keys == (("skus", ("RM1", "P1")),)
    assert "lead_time=6" in changed.description
    assert seen[-1] == changed
    assert lead_time(bench) == 6.0
    bench.select("Baseline")
    assert lead_time(bench) == 4.0


@pytest.mark.parametrize(("text", "message"), [
    ("-3", "must not be negative"),
    ("abc", "is not a number"),
])
def test_invalid_edit_is_refused_and_changes_nothing(bench: Workbench, seen: list[Changed],
                                                     text: str, message: str) -> None:
    bench.fork("Plan B")
    before = len(seen)
    with pytest.raises(DataProblems) as caught:
        bench.edit_text("skus", RM1, {"lead_time": text})
    assert message in "\n".join(caught.value.lines())
    assert len(seen) == before
    assert lead_time(bench) == 4.0
    assert bench.info().changes == 0


def test_baseline_and_approved_scenarios_refuse_edits(bench: Workbench) -> None:
    with pytest.raises(WorkspaceError, match="Baseline"):
        bench.edit_text("skus", RM1, {"lead_time": "6"})
    bench.fork("Plan B")
    bench.approve()
    assert not bench.is_editable()
    with pytest.raises(WorkspaceError, match="approved"):
        bench.edit_text("skus", RM1, {"lead_time": "6"})
    bench.set_status("draft")
    bench.edit_text("skus", RM1, {"lead_time": "6"})
    assert lead_time(bench) == 6.0


def test_undo_and_redo(bench: Workbench, seen: list[Changed]) -> None:
    bench.fork("Plan B")
    bench.edit_text("skus", RM1, {"lead_time": "6"})
    undone = bench.undo()
    assert (undone.kind, undone.tables) == ("undo", frozenset({"skus"}))
    assert lead_time(bench) == 4.0
    assert bench.info().undone == 1
    bench.redo()
    assert lead_time(bench) == 6.0
    assert [c.kind for c in seen] == ["fork", "edit", "undo", "redo"]
    with pytest.raises(WorkspaceError, match="nothing to redo"):
        bench.redo()


def test_select(bench: Workbench, seen: list[Changed]) -> None:
    assert bench.select("Baseline") is None  # already current: no notice
    with pytest.raises(WorkspaceError):
        bench.select("Nope")
    assert bench.current == "Baseline" and seen == []
    bench.fork("Plan B")
    bench.select("Baseline")
    assert seen[-1] == Changed("select", "Baseline", ALL_TABLES)


def test_rename_and_delete_follow_the_current_scenario(bench: Workbench) -> None:
    bench.fork("Plan B")
    bench.fork("Plan C")
    bench.rename("Plan C2")
    assert bench.current == "Plan C2"
    with pytest.raises(WorkspaceError, match="child"):
        bench.delete("Plan B")
    changed = bench.delete()
    assert bench.current == "Plan B" and changed.tables == ALL_TABLES
    assert [i.name for i in bench.scenarios()] == ["Baseline", "Plan B"]


def test_commit_into_parent_moves_to_the_parent(bench: Workbench) -> None:
    bench.fork("Plan B")
    bench.edit_text("skus", RM1, {"lead_time": "6"})
    bench.commit_into_parent()
    assert bench.current == "Baseline"
    assert lead_time(bench) == 6.0
    assert bench.info("Plan B").changes == 0


def test_open_another_file(bench: Workbench, seen: list[Changed], tmp_path: Path,
                           tiny_frames: dict) -> None:
    other = tmp_path / "other.echelon"
    with Store.create(other) as store:
        store.import_baseline(tiny_frames)
        store.fork("Baseline", "Only there")
    bench.fork("Plan B")
    bench.open(other)
    assert bench.path == other and bench.current == "Baseline"
    assert seen[-1] == Changed("open", "Baseline", ALL_TABLES, tree=True)
    assert [i.name for i in bench.scenarios()] == ["Baseline", "Only there"]
    not_a_workspace = tmp_path / "notes.txt"
    not_a_workspace.write_text("hello")
    with pytest.raises(WorkspaceError, match="not an Echelon workspace"):
        bench.open(not_a_workspace)
    assert bench.path == other


def test_unsubscribe(bench: Workbench) -> None:
    notices: list[Changed] = []
    stop = bench.subscribe(notices.append)
    bench.fork("Plan B")
    stop()
    bench.fork("Plan C")
    assert [c.scenario for c in notices] == ["Plan B"]


def test_plan_is_cached_and_demand_reused_across_edits(tmp_workspace) -> None:
    from app.models.overlay import Change

    wb = Workbench.open_file(tmp_workspace)
    try:
        wb.fork("S")
        first = wb.plan()
        assert wb.plan() is first  # nothing changed: the same result
        demand = wb._demand[1]
        wb.edit([Change.make("skus", {"item_id": "RM1", "site_id": "P1"}, {"on_hand": 500.0})])
        second = wb.plan()
        assert second is not first
        assert wb._demand[1] is demand  # history untouched: customer demand reused
        rm1 = list(zip(second.skus["item_id"], second.skus["site_id"], strict=True)).index(
            ("RM1", "P1"))
        assert second.arrays.on_hand[rm1] == 500.0
        wb.edit([Change.make("demand_history", {"item_id": "FG1", "site_id": "D1",
                                                "period": "2025-12-29"}, {"quantity": 900.0})])
        third = wb.plan()
        assert wb._demand[1] is not demand  # history changed: demand recomputed
        fg1 = list(zip(third.skus["item_id"], third.skus["site_id"], strict=True)).index(
            ("FG1", "D1"))
        assert third.arrays.independent_demand[fg1].sum() > second.arrays.independent_demand[
            fg1].sum()
    finally:
        wb.close()
