"""The command line: stable forms, exit codes (0 ok, 2 bad input), JSON output."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from app import __version__
from app.cli import main
from app.models.csv_io import write_folder
from tests.factories import small_company

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def db(tmp_path) -> Path:
    write_folder(small_company(), tmp_path / "in")
    path = tmp_path / "w.echelon"
    assert main(["import", str(tmp_path / "in"), "--db", str(path)]) == 0
    return path


def run(*args: str) -> tuple[int, str, str]:
    result = subprocess.run([sys.executable, "main.py", *args], cwd=ROOT, capture_output=True,
                            text=True, timeout=120)
    return result.returncode, result.stdout, result.stderr


def test_version_and_help():
    code, out, _ = run("--version")
    assert code == 0 and out.strip() == f"Echelon {__version__}"
    code, out, _ = run("--help")
    assert code == 0 and "scenario" in out and "import" in out


def test_bad_import_exits_2_with_places(tmp_path):
    write_folder(small_company(), tmp_path / "in")
    (tmp_path / "in" / "sites.csv").write_text("site_id,name,kind\nP1,Plant,factory\n")
    code, _, err = run("import", str(tmp_path / "in"), "--db", str(tmp_path / "w.echelon"))
    assert code == 2
    assert "sites.csv:2:3: 'factory' is not one of plant, dc, store" in err
    assert "Traceback" not in err
    assert not (tmp_path / "w.echelon").exists()


def test_scenario_workflow(db, tmp_path, capsys):
    d = str(db)
    assert main(["scenario", "fork", "--db", d, "--from", "Baseline", "--name", "Faster"]) == 0
    assert main(["edit", "--db", d, "--scenario", "Faster", "--table", "skus",
                 "--key", "item_id=RM1,site_id=P1", "--set", "lead_time=2",
                 "--set", "order_policy=eoq"]) == 0
    assert main(["scenario", "fork", "--db", d, "--from", "Faster", "--name", "Faster.2"]) == 0
    capsys.readouterr()
    assert main(["scenario", "list", "--db", d, "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [(s["name"], s["parent"], s["changes"]) for s in listed] == [
        ("Baseline", None, 0), ("Faster", "Baseline", 1), ("Faster.2", "Faster", 0)]

    assert main(["scenario", "diff", "--db", d, "--name", "Faster", "--json"]) == 0
    diff = json.loads(capsys.readouterr().out)
    assert diff == [{"step": 1, "table": "skus", "op": "upsert",
                     "key": {"item_id": "RM1", "site_id": "P1"},
                     "values": {"lead_time": 2.0, "order_policy": "eoq"}, "undone": False}]

    assert main(["undo", "--db", d, "--scenario", "Faster"]) == 0
    assert main(["export", "--db", d, "--scenario", "Faster", "--out", str(tmp_path / "o1")]) == 0
    assert "\nRM1,P1,buy,,4,0,100,poq," in (tmp_path / "o1" / "skus.csv").read_text()
    assert main(["redo", "--db", d, "--scenario", "Faster"]) == 0
    assert main(["export", "--db", d, "--scenario", "Faster.2", "--out", str(tmp_path / "o2")]) == 0
    assert "RM1,P1,buy,,2,0,100,eoq" in (tmp_path / "o2" / "skus.csv").read_text()

    assert main(["scenario", "rename", "--db", d, "--name", "Faster.2", "--to", "Leaf"]) == 0
    assert main(["scenario", "delete", "--db", d, "--name", "Leaf"]) == 0
    assert main(["scenario", "approve", "--db", d, "--name", "Faster"]) == 0
    assert main(["scenario", "commit", "--db", d, "--name", "Faster"]) == 0
    assert main(["export", "--db", d, "--scenario", "Baseline", "--out", str(tmp_path / "o3")]) == 0
    assert "RM1,P1,buy,,2,0,100,eoq" in (tmp_path / "o3" / "skus.csv").read_text()


@pytest.mark.parametrize(("args", "message"), [
    (["edit", "--scenario", "Baseline", "--table", "skus", "--key", "item_id=RM1,site_id=P1",
      "--set", "lead_time=2"], "is the Baseline"),
    (["edit", "--scenario", "S", "--table", "skus", "--key", "item_id=RM1,site_id=P1",
      "--set", "lead_time=soon"], "skus[item_id=RM1,site_id=P1].lead_time: 'soon' is not a number"),
    (["edit", "--scenario", "S", "--table", "bins", "--key", "bin=1", "--set", "x=1"],
     "bins: unknown table"),
    (["edit", "--scenario", "S", "--table", "skus", "--key", "item_id=RM1",
      "--set", "lead_time=2"], "the key needs site_id"),
    (["edit", "--scenario", "S", "--table", "skus", "--key", "item_id=RM1,site_id=P1"],
     "at least one --set"),
    (["undo", "--scenario", "S"], "nothing to undo in 'S'"),
    (["scenario", "delete", "--name", "Baseline"], "cannot be deleted"),
    (["scenario", "fork", "--from", "Nope", "--name", "X"], "no scenario named 'Nope'"),
    (["export", "--scenario", "Nope", "--out", "x"], "no scenario named 'Nope'"),
])
def test_refusals_exit_2_with_a_message(db, capsys, args, message):
    assert main(["scenario", "fork", "--db", str(db), "--from", "Baseline", "--name", "S"]) == 0
    capsys.readouterr()
    if args[0] == "scenario":
        full = [*args[:2], "--db", str(db), *args[2:]]
    else:
        full = [args[0], "--db", str(db), *args[1:]]
    assert main(full) == 2
    assert message in capsys.readouterr().err


def test_opening_a_non_workspace_exits_2(tmp_path, capsys):
    path = tmp_path / "notes.echelon"
    path.write_text("hello")
    assert main(["scenario", "list", "--db", str(path)]) == 2
    assert "not an Echelon workspace" in capsys.readouterr().err


def test_demo_command_writes_a_workspace_and_csvs(tmp_path, capsys):
    db = tmp_path / "demo.echelon"
    assert main(["demo", "--db", str(db), "--skus", "300", "--csv", str(tmp_path / "csv")]) == 0
    assert "Demo workspace" in capsys.readouterr().out
    assert main(["import", str(tmp_path / "csv"), "--db", str(tmp_path / "again.echelon")]) == 0
    from app.models.frames import frames_equal
    from app.models.store import Store

    with Store.open(db) as a, Store.open(tmp_path / "again.echelon") as b:
        assert frames_equal(a.read(), b.read()) == []
