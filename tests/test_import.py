"""Import: every class of bad input is reported at file:line:column and nothing is written."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.cli import import_into
from app.models.csv_io import write_folder
from app.models.frames import frames_equal
from app.models.store import Store
from app.models.validate import DataProblems
from tests.factories import small_company


@pytest.fixture
def folder(tmp_path) -> Path:
    out = tmp_path / "data"
    write_folder(small_company(), out)
    return out


def replace_line(path: Path, line: int, text: str) -> None:
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[line - 1] = text
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def append(path: Path, text: str) -> None:
    with path.open("a", encoding="utf-8") as fh:
        fh.write(text + "\n")


def problems_of(folder: Path, db: Path) -> list[str]:
    with pytest.raises(DataProblems) as err:
        import_into(folder, db)
    assert not db.exists(), "a refused import must leave no workspace behind"
    return [str(p) for p in err.value.problems]


def test_clean_folder_imports(folder, tmp_path):
    counts = import_into(folder, tmp_path / "w.echelon")
    assert counts["skus"] == 5
    with Store.open(tmp_path / "w.echelon") as store:
        assert frames_equal(store.read(), small_company()) == []


def test_unknown_file(folder, tmp_path):
    (folder / "warehouses.csv").write_text("id\nW1\n")
    (folder / "notes.txt").write_text("ignored\n")
    got = problems_of(folder, tmp_path / "w.echelon")
    assert len(got) == 1 and got[0].startswith("warehouses.csv:1:1: unknown file")


def test_unknown_column(folder, tmp_path):
    replace_line(folder / "sites.csv", 1, "site_id,name,kind,colour")
    replace_line(folder / "sites.csv", 2, "D1,DC,dc,red")
    replace_line(folder / "sites.csv", 3, "P1,Plant,plant,blue")
    got = problems_of(folder, tmp_path / "w.echelon")
    assert got[0].startswith("sites.csv:1:4: unknown column 'colour'")


def test_missing_required_column_and_file(folder, tmp_path):
    text = (folder / "items.csv").read_text().splitlines()
    (folder / "items.csv").write_text(
        "\n".join(",".join(c for i, c in enumerate(line.split(",")) if i != 1) for line in text)
    )
    (folder / "sites.csv").unlink()
    got = problems_of(folder, tmp_path / "w.echelon")
    assert "items.csv:1:1: missing required column 'unit_cost'" in got
    assert any(p.startswith("sites.csv:1:1: file missing") for p in got)


def test_wrong_types(folder, tmp_path):
    # skus.csv header: item_id,site_id,supply_type,source_site,lead_time,...
    replace_line(folder / "skus.csv", 2, "FG1,D1,teleport,P1,two,0,25,lot_for_lot,,,,,fixed,10,,"
                 "0.95,cycle,")
    replace_line(folder / "open_orders.csv", 2, "PO-1,RM1,P1,12/01/2026,200,po")
    got = problems_of(folder, tmp_path / "w.echelon")
    assert "skus.csv:2:3: 'teleport' is not one of make, buy, transfer" in got
    assert "skus.csv:2:5: 'two' is not a number" in got
    assert "open_orders.csv:2:4: '12/01/2026' is not an ISO date (YYYY-MM-DD)" in got


def test_whole_numbers_and_required_values(folder, tmp_path):
    # items.csv: item_id,unit_cost,description,part_class,unit_price,responsible,category,
    # shelf_life_periods; rows sorted by key: FG1, RM1, RM2, WIP1
    replace_line(folder / "items.csv", 3, "RM1,7.5,Glass,RM,,,,2.5")
    replace_line(folder / "items.csv", 4, "RM2,,Screw,RM,,,,")
    got = problems_of(folder, tmp_path / "w.echelon")
    assert "items.csv:3:8: '2.5' is not a whole number" in got
    assert "items.csv:4:2: unit_cost is required" in got


def test_negative_quantity_and_out_of_range(folder, tmp_path):
    append(folder / "demand_history.csv", "FG1,D1,2026-01-05,-3,")
    replace_line(folder / "bom.csv", 2, "P1,FG1,RM2,4,1.2")
    got = problems_of(folder, tmp_path / "w.echelon")
    assert "demand_history.csv:6:4: quantity must not be negative (got -3)" in got
    assert "bom.csv:2:5: scrap_rate must be below 1 (got 1.2)" in got


def test_duplicate_key(folder, tmp_path):
    append(folder / "demand_history.csv", "FG1,D1,2025-12-15,5,5")
    got = problems_of(folder, tmp_path / "w.echelon")
    assert got == ["demand_history.csv:6:1: duplicate key item_id=FG1, site_id=D1, "
                   "period=2025-12-15 (first at demand_history.csv:3:1)"]


def test_dangling_references(folder, tmp_path):
    append(folder / "bom.csv", "P1,FG1,GHOST,1,0")
    append(folder / "skus.csv", "FG1,D2,transfer,P1,1,0,0,lot_for_lot,,,,,none,,,0.95,cycle,")
    got = problems_of(folder, tmp_path / "w.echelon")
    assert "bom.csv:5:3: unknown item 'GHOST' (not in items.csv)" in got
    assert "skus.csv:7:2: unknown site 'D2' (not in sites.csv)" in got


def test_transfer_from_site_without_sku(folder, tmp_path):
    append(folder / "sites.csv", "D2,Second DC,dc")
    append(folder / "skus.csv", "WIP1,D1,transfer,D2,1,0,0,lot_for_lot,,,,,none,,,0.95,cycle,")
    got = problems_of(folder, tmp_path / "w.echelon")
    assert got == ["skus.csv:7:4: transfer from site 'D2', which has no SKU of item 'WIP1'"]


def test_bom_line_needs_skus_at_its_site(folder, tmp_path):
    append(folder / "bom.csv", "D1,FG1,RM1,1,0")
    got = problems_of(folder, tmp_path / "w.echelon")
    assert "bom.csv:5:3: no SKU of item 'RM1' at site 'D1' (a BOM line needs both SKUs at its " \
           "site)" in got


def test_cycle_is_named_node_by_node(folder, tmp_path):
    append(folder / "bom.csv", "P1,RM1,FG1,1,0")
    got = problems_of(folder, tmp_path / "w.echelon")
    assert len(got) == 1
    assert "the network has a cycle:" in got[0]
    cycle = got[0].split("cycle: ")[1].split(" -> ")
    assert cycle[0] == cycle[-1]
    assert set(cycle) == {"FG1@P1", "WIP1@P1", "RM1@P1"}
    assert got[0].startswith("bom.csv:")


def test_ragged_row_and_bad_utf8(folder, tmp_path):
    append(folder / "sites.csv", "D9,Too,many,fields")
    with (folder / "items.csv").open("ab") as fh:
        fh.write(b"RM9,1,Caf\xe9,RM,,,,\n")
    got = problems_of(folder, tmp_path / "w.echelon")
    assert "sites.csv:4:4: expected 3 fields, found 4" in got
    assert "items.csv:6:3: not valid UTF-8 text" in got


def test_unknown_setting(folder, tmp_path):
    append(folder / "settings.csv", "colour,blue")
    append(folder / "settings.csv", "horizon_periods,-2")
    got = problems_of(folder, tmp_path / "w.echelon")
    assert any(p.startswith("settings.csv:5:1: unknown setting 'colour'") for p in got)
    assert "settings.csv:6:2: horizon_periods must not be negative (got -2)" in got


def test_many_problems_all_reported(folder, tmp_path):
    for i in range(30):
        append(folder / "demand_history.csv", f"FG1,D1,2026-02-{i % 28 + 1:02d},x{i},")
    got = problems_of(folder, tmp_path / "w.echelon")
    assert sum("is not a number" in p for p in got) == 30


def test_import_into_workspace_with_data_is_refused(folder, tmp_path):
    db = tmp_path / "w.echelon"
    import_into(folder, db)
    from app.models.store import WorkspaceError

    with pytest.raises(WorkspaceError, match="already holds a Baseline"):
        import_into(folder, db)


def test_xlsx_workbook(folder, tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    import csv

    book = openpyxl.Workbook()
    book.remove(book.active)
    for path in sorted(folder.glob("*.csv")):
        sheet = book.create_sheet(path.stem)
        with path.open(encoding="utf-8") as fh:
            for row in csv.reader(fh):
                sheet.append([float(c) if c.replace(".", "", 1).isdigit() else c for c in row])
    xlsx = tmp_path / "plan.xlsx"
    book.save(xlsx)
    import_into(xlsx, tmp_path / "w.echelon")
    with Store.open(tmp_path / "w.echelon") as store:
        assert frames_equal(store.read(), small_company()) == []

    book["skus"]["E2"] = "soon"
    book.save(xlsx)
    with pytest.raises(DataProblems) as err:
        import_into(xlsx, tmp_path / "w2.echelon")
    assert [str(p) for p in err.value.problems] == ["plan.xlsx[skus]:2:5: 'soon' is not a number"]
