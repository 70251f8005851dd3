"""Export: import(export(x)) reproduces x exactly; text cells cannot run as formulas."""

from __future__ import annotations

import csv

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.cli import import_into
from app.models.csv_io import write_folder
from app.models.frames import frames_equal
from app.models.overlay import Change
from app.models.store import Store
from app.models.values import escape_formula, unescape_formula
from tests.factories import small_company


def test_round_trip_of_a_scenario(tmp_path):
    db = tmp_path / "a.echelon"
    with Store.create(db) as store:
        store.import_baseline(small_company())
        store.fork("Baseline", "S")
        store.edit("S", [Change.make("skus", {"item_id": "FG1", "site_id": "D1"},
                                     {"lead_time": 2.718281828459045, "lot_size": None})])
        store.edit("S", [Change.make("items", {"item_id": "RM3"},
                                     {"unit_cost": 0.1 + 0.2, "description": "=HYPERLINK(x)"})])
        scenario = store.read("S")
    write_folder(scenario, tmp_path / "out")
    import_into(tmp_path / "out", tmp_path / "b.echelon")
    with Store.open(tmp_path / "b.echelon") as again:
        assert frames_equal(again.read(), scenario) == []


def test_formula_cells_are_escaped_in_the_file(tmp_path):
    frames = small_company()
    items = frames["items"]
    items.loc[0, "description"] = "=1+1"
    items.loc[1, "description"] = "+cmd|' /C calc'!A0"
    items.loc[2, "description"] = "@SUM(A1)"
    items.loc[3, "description"] = "-2"
    frames["items"] = items
    write_folder(frames, tmp_path / "out")
    with (tmp_path / "out" / "items.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    # rows are sorted by key: FG1, RM1, RM2, WIP1
    assert [r["description"] for r in rows] == ["'=1+1", "'@SUM(A1)", "'-2",
                                                "'+cmd|' /C calc'!A0"]
    assert [r["unit_cost"] for r in rows] == ["120", "7.5", "2.25", "40"]  # numbers unescaped


def test_negative_numbers_stay_numbers(tmp_path):
    frames = small_company()
    frames["targets"].loc[0, "value"] = -1500.5
    write_folder(frames, tmp_path / "out")
    text = (tmp_path / "out" / "targets.csv").read_text()
    assert ",-1500.5\n" in text


@given(st.text(max_size=12))
def test_escape_is_exactly_undone(text):
    escaped = escape_formula(text)
    assert unescape_formula(escaped) == text
    assert not escaped or escaped[0] not in "=+-@\t\r"


texts = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
    min_size=1, max_size=10,
)


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(descriptions=st.lists(texts, min_size=4, max_size=4),
       costs=st.lists(st.floats(min_value=0, max_value=1e12, allow_nan=False), min_size=4,
                      max_size=4))
def test_round_trip_property(tmp_path_factory, descriptions, costs):
    """Any text (quotes, commas, newlines, formula starts, unicode) and any cost survive."""
    frames = small_company()
    items = frames["items"].copy()
    items["description"] = pd.Series(descriptions, dtype=object)
    items["unit_cost"] = costs
    frames["items"] = items
    tmp = tmp_path_factory.mktemp("rt")
    write_folder(frames, tmp / "out")
    import_into(tmp / "out", tmp / "w.echelon")
    with Store.open(tmp / "w.echelon") as store:
        back = store.read()
    assert frames_equal(back, frames) == []
