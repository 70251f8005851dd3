"""Crash safety: a process killed in the middle of a write leaves the workspace as it was."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from app.models.frames import frames_equal
from app.models.store import Store
from tests.factories import small_company

ROOT = Path(__file__).resolve().parents[1]


def run_until_killed(script: str) -> subprocess.CompletedProcess:
    """Run ``script`` in a fresh interpreter; it is expected to SIGKILL itself."""
    result = subprocess.run([sys.executable, "-c", textwrap.dedent(script)], cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == -signal.SIGKILL, result.stderr
    return result


KILL_HELPER = """
import os, signal, sys, traceback
def die(*args, **kwargs):
    # say where we die (the test checks it is inside the write under test), then die
    print("DYING IN", ",".join(f.name for f in traceback.extract_stack()), file=sys.stderr,
          flush=True)
    os.kill(os.getpid(), signal.SIGKILL)
"""


def died_in(result: subprocess.CompletedProcess, function: str) -> bool:
    return any(line.startswith("DYING IN") and function in line.split(",")
               for line in result.stderr.splitlines())


def test_import_killed_midway_writes_nothing(tmp_path):
    db = tmp_path / "w.echelon"
    result = run_until_killed(KILL_HELPER + f"""
from app.models import store as store_module
from tests.factories import small_company
real_insert = store_module._insert_rows
calls = []
def insert_then_die(conn, table, frame):
    real_insert(conn, table, frame)
    calls.append(table.name)
    if len(calls) == 4:   # sites, items, skus, bom are in: die before the rest
        die()
store_module._insert_rows = insert_then_die
s = store_module.Store.create({str(db)!r})
s.import_baseline(small_company())
""")
    assert died_in(result, "import_baseline")
    with Store.open(db) as store:
        assert not store.has_baseline()
    import sqlite3

    with sqlite3.connect(db) as con:
        for table in ("base_sites", "base_items", "base_skus", "base_bom"):
            assert con.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == 0
    # and the file is usable: the same import now succeeds
    with Store.open(db) as store:
        store.import_baseline(small_company())
        assert frames_equal(store.read(), small_company()) == []


@pytest.fixture
def workspace(tmp_path) -> Path:
    db = tmp_path / "w.echelon"
    with Store.create(db) as store:
        store.import_baseline(small_company())
        store.fork("Baseline", "A")
        store.fork("A", "B")
        store.edit("B", [store.parse_edit("skus", {"item_id": "RM1", "site_id": "P1"},
                                          {"on_hand": "5"})])
    return db


def snapshot(db: Path) -> tuple:
    with Store.open(db) as store:
        return ([s.as_json() for s in store.scenarios()],
                {s.name: store.read(s.name) for s in store.scenarios()})


def assert_same(before: tuple, after: tuple) -> None:
    assert after[0] == before[0]
    for name, frames in before[1].items():
        assert frames_equal(after[1][name], frames) == []


@pytest.mark.parametrize(("operation", "function"), [
    ("s.edit('A', [s.parse_edit('skus', {'item_id': 'FG1', 'site_id': 'D1'}, "
     "{'lead_time': '9'})])", "edit"),
    ("s.undo('B')", "undo"),
    ("s.commit_into_parent('B')", "commit_into_parent"),
    ("s.delete('B')", "delete"),
    ("s.fork('B', 'C')", "fork"),
])
def test_write_killed_before_commit_changes_nothing(workspace, operation, function):
    before = snapshot(workspace)
    result = run_until_killed(KILL_HELPER + f"""
from sqlalchemy.engine.base import Connection
Connection._commit_impl = die   # the write flushes its rows, then dies instead of COMMIT
from app.models.store import Store
s = Store.open({str(workspace)!r})
{operation}
""")
    assert died_in(result, function)
    assert_same(before, snapshot(workspace))


def test_commit_into_baseline_killed_changes_nothing(workspace):
    with Store.open(workspace) as store:
        store.commit_into_parent("B")  # B's change now sits in A
    before = snapshot(workspace)
    result = run_until_killed(KILL_HELPER + f"""
from sqlalchemy.engine.base import Connection
Connection._commit_impl = die
from app.models.store import Store
s = Store.open({str(workspace)!r})
s.commit_into_parent('A')
""")
    assert died_in(result, "_write_base_rows") or died_in(result, "commit_into_parent")
    assert_same(before, snapshot(workspace))


def test_demo_import_killed_at_a_random_moment(tmp_path):
    """A real kill -9 during a large import: the file is empty or complete, never half."""
    db = tmp_path / "big.echelon"
    proc = subprocess.Popen([sys.executable, "main.py", "demo", "--skus", "8000", "--db", str(db)],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while not Path(str(db) + "-wal").exists() and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.3)  # let rows flow into the open transaction
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    with Store.open(db) as store:
        if store.has_baseline():  # the import had already committed: it must be whole
            assert len(store.read(tables=["skus"])["skus"]) > 7000
        else:
            import sqlite3

            with sqlite3.connect(db) as con:
                assert con.execute("SELECT count(*) FROM base_skus").fetchone()[0] == 0
                assert con.execute("SELECT count(*) FROM base_demand_history").fetchone()[0] == 0
