"""The workbench's additions for the GUI: plans computed elsewhere, pastes, parents' frames."""

from __future__ import annotations

import threading

import pytest

from app.engine.result import PlanResult
from app.workbench import DataProblems, PlanJob, Workbench

RM1 = {"item_id": "RM1", "site_id": "P1"}


def test_a_plan_job_runs_on_another_thread_and_is_adopted(bench: Workbench) -> None:
    bench.fork("B")
    job = bench.plan_job()
    assert isinstance(job, PlanJob) and bench.cached_plan() is None
    results: list[PlanResult] = []
    worker = threading.Thread(target=lambda: results.append(job.run()))
    worker.start()
    worker.join()
    assert bench.adopt(job, results[0])
    assert bench.cached_plan() is results[0] is bench.plan()
    assert bench.plan_job() is results[0]  # cached: no job


def test_a_stale_job_is_not_adopted(bench: Workbench) -> None:
    bench.fork("B")
    job = bench.plan_job()
    assert isinstance(job, PlanJob)
    bench.edit_text("skus", RM1, {"lead_time": "6"})
    result = job.run()
    assert not bench.adopt(job, result)
    assert bench.cached_plan() is None
    fresh = bench.plan()
    rm1 = fresh.skus.set_index(["item_id", "site_id"]).loc[("RM1", "P1")]
    assert rm1.lead_time == 6.0


def test_edit_rows_is_one_step_or_nothing(bench: Workbench) -> None:
    bench.fork("B")
    rows = [("skus", RM1, {"lead_time": "6", "on_hand": "7"}),
            ("items", {"item_id": "RM1"}, {"description": "Cover glass"})]
    bench.edit_rows(rows)
    skus = bench.frames(["skus"])["skus"].set_index(["item_id", "site_id"])
    assert skus.loc[("RM1", "P1"), "lead_time"] == 6.0
    bench.undo()
    skus = bench.frames(["skus"])["skus"].set_index(["item_id", "site_id"])
    assert skus.loc[("RM1", "P1"), "lead_time"] == 4.0
    with pytest.raises(DataProblems) as err:
        bench.edit_rows([("skus", RM1, {"lead_time": "-1"}),
                         ("skus", {"item_id": "RM2", "site_id": "P1"}, {"on_hand": "x"})])
    assert len(err.value.problems) == 2
    assert bench.info().changes == 0


def test_parent_frames_and_diff(bench: Workbench) -> None:
    bench.fork("B")
    bench.edit_text("skus", RM1, {"lead_time": "6"})
    parent = bench.frames(["skus"], name="Baseline")["skus"].set_index(["item_id", "site_id"])
    assert parent.loc[("RM1", "P1"), "lead_time"] == 4.0
    assert bench.frames(["skus"], name="Baseline")["skus"] is bench.frames(
        ["skus"], name="Baseline")["skus"]  # cached per revision
    [record] = bench.diff()
    assert record.change.describe() == "skus RM1,P1: lead_time=6"
    assert bench.diff("Baseline") == []
