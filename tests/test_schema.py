"""The SQL schema mirrors the data contract, and the layers keep their import rules."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from sqlalchemy import Date, Float, Integer, String

from app.models.contract import TABLES
from app.models.schema import BASE_TABLES

SQL_TYPE = {"text": String, "choice": String, "float": Float, "int": Integer, "date": Date}
APP = Path(__file__).resolve().parents[1] / "app"


@pytest.mark.parametrize("table", TABLES, ids=lambda t: t.name)
def test_base_table_matches_contract(table):
    sql = BASE_TABLES[table.name].__table__
    assert [c.name for c in sql.columns] == table.column_names
    assert tuple(c.name for c in sql.primary_key.columns) == table.key
    for column in table.columns:
        sql_column = sql.columns[column.name]
        assert isinstance(sql_column.type, SQL_TYPE[column.kind]), column.name
        if column.name not in table.key:
            assert sql_column.nullable == (not column.required), column.name


def imported_modules(package: str) -> set[str]:
    names: set[str] = set()
    for path in (APP / package).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module:
                names.add(node.module)
    return names


@pytest.mark.parametrize(("package", "forbidden"), [
    ("engine", ("PySide6", "pyqtgraph", "sqlalchemy", "app.models", "app.views",
                "app.workbench")),
    ("models", ("PySide6", "pyqtgraph", "app.views", "app.workbench")),
])
def test_layers_point_down(package, forbidden):
    """engine imports no Qt, no SQL and nothing above it; models import no Qt or views."""
    bad = {m for m in imported_modules(package) if m.startswith(forbidden)}
    assert not bad, f"app/{package} imports {sorted(bad)}"


@pytest.mark.parametrize("module", ["workbench.py", "sku_record.py"])
def test_workbench_is_qt_free(module):
    """The workbench layer (the session, the record edits) imports no Qt and no views."""
    path = APP / module
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    names |= {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
    assert not {m for m in names if m.startswith(("PySide6", "pyqtgraph", "app.views"))}
