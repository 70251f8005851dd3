"""Reading an import folder (or one .xlsx workbook) as text tables, and writing CSV exports.

Reading only finds the shape problems of files: unknown file, unknown/duplicate/missing
column, a row with too many or too few fields, bytes that are not UTF-8. Values are checked by
``app.models.validate``. Writing escapes text cells that a spreadsheet would run as formulas.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from app.models.contract import TABLES, TABLES_BY_NAME, Table
from app.models.validate import DataProblems, Problem, RawTable
from app.models.values import escape_formula, format_text

#: Files an import folder must have; the other tables may be absent (then empty).
REQUIRED_FILES = ("sites.csv", "items.csv", "skus.csv")


def _raw_from_rows(
    table: Table, source: str, header: list[str], rows: Iterable[tuple[int, list[str]]],
    problems: list[Problem], header_line: int = 1,
) -> RawTable | None:
    """Check a header, then collect the known columns of each (line, fields) row."""
    header = [h.strip() for h in header]
    if header and header[0].startswith("\ufeff"):
        header[0] = header[0][1:]
    ok = True
    seen: dict[str, int] = {}
    for pos, name in enumerate(header, start=1):
        if not table.has_column(name):
            known = ", ".join(table.column_names)
            problems.append(Problem(f"{source}:{header_line}:{pos}",
                                    f"unknown column '{name}' (known: {known})"))
            ok = False
        elif name in seen:
            problems.append(Problem(f"{source}:{header_line}:{pos}",
                                    f"column '{name}' appears twice (also column {seen[name]})"))
            ok = False
        else:
            seen[name] = pos
    for column in table.columns:
        if column.required and column.name not in seen:
            problems.append(Problem(f"{source}:{header_line}:1",
                                    f"missing required column '{column.name}'"))
            ok = False
    width = len(header)
    lines: list[int] = []
    data: list[list[str]] = []
    for line, fields in rows:
        if len(fields) == 0 or (len(fields) == 1 and fields[0] == "" and width > 1):
            continue  # a blank line
        if len(fields) != width:
            problems.append(Problem(f"{source}:{line}:{min(len(fields), width) + 1}",
                                    f"expected {width} fields, found {len(fields)}"))
            ok = False
            continue
        lines.append(line)
        data.append(fields)
    if not ok:
        return None
    columns = np.array(data, dtype=object).reshape(len(data), width)
    cells = {name: columns[:, pos - 1] for name, pos in seen.items()}
    return RawTable(table, source, cells, np.array(lines, dtype=np.int64), dict(seen))


def _decode(path: Path, problems: list[Problem]) -> str | None:
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        line_start = data.rfind(b"\n", 0, err.start) + 1
        col = data[line_start : err.start].count(b",") + 1  # the field, as elsewhere
        problems.append(Problem(f"{path.name}:{line}:{col}", "not valid UTF-8 text"))
        return None


def _csv_rows(text: str) -> tuple[list[str], Iterable[tuple[int, list[str]]]]:
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader)
    except StopIteration:
        return [], []

    def rows() -> Iterable[tuple[int, list[str]]]:
        start = reader.line_num + 1
        for fields in reader:
            yield start, fields
            start = reader.line_num + 1

    return header, rows()


def read_folder(folder: Path, problems: list[Problem]) -> dict[str, RawTable]:
    """The well-formed CSV files of an import folder as raw tables.

    Shape problems (unknown file or column, ragged rows...) are appended to ``problems`` and
    their file left out. Files other than ``*.csv`` are ignored (a README may sit beside).
    """
    raws: dict[str, RawTable] = {}
    if not folder.is_dir():
        raise DataProblems([Problem(str(folder), "is not a folder of CSV files or an .xlsx file")])
    present = {p.name for p in folder.glob("*.csv")}
    for name in REQUIRED_FILES:
        if name not in present:
            problems.append(Problem(f"{name}:1:1", f"file missing from {folder}"))
    for path in sorted(folder.glob("*.csv")):
        table = TABLES_BY_NAME.get(path.stem)
        if table is None:
            known = ", ".join(t.file_name for t in TABLES)
            problems.append(Problem(f"{path.name}:1:1", f"unknown file (known: {known})"))
            continue
        text = _decode(path, problems)
        if text is None:
            continue
        try:
            header, rows = _csv_rows(text)
            if not header:
                problems.append(Problem(f"{path.name}:1:1", "empty file (a header row is needed)"))
                continue
            raw = _raw_from_rows(table, path.name, header, rows, problems)
        except csv.Error as err:
            problems.append(Problem(f"{path.name}:{_csv_error_line(err)}:1", f"bad CSV: {err}"))
            continue
        if raw is not None:
            raws[table.name] = raw
    return raws


def _csv_error_line(err: csv.Error) -> int:
    text = str(err)
    if "line" in text:
        digits = "".join(ch if ch.isdigit() else " " for ch in text.split("line", 1)[1]).split()
        if digits:
            return int(digits[0])
    return 1


def _cell_text(value: object) -> str:
    """An Excel cell's value as the text a CSV would hold."""
    import datetime as dt

    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    return str(value)


def read_workbook(path: Path, problems: list[Problem]) -> dict[str, RawTable]:
    """One .xlsx workbook, one sheet per table (sheet name = table name), as raw tables.

    Needs openpyxl (the ``xlsx`` extra). Places read ``book.xlsx[skus]:ROW:COL``. Shape
    problems are appended to ``problems``, as in ``read_folder``.
    """
    try:
        import openpyxl
    except ImportError:
        raise DataProblems([Problem(
            path.name, "reading .xlsx needs openpyxl: pip install 'echelon[xlsx]'")]) from None
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as err:
        raise DataProblems([Problem(path.name, f"not a readable .xlsx workbook ({err})")]) from None
    raws: dict[str, RawTable] = {}
    try:
        names = set(book.sheetnames)
        for required in REQUIRED_FILES:
            sheet = required.removesuffix(".csv")
            if sheet not in names:
                problems.append(Problem(f"{path.name}[{sheet}]:1:1", "sheet missing"))
        for sheet_name in book.sheetnames:
            source = f"{path.name}[{sheet_name}]"
            table = TABLES_BY_NAME.get(sheet_name)
            if table is None:
                known = ", ".join(t.name for t in TABLES)
                problems.append(Problem(f"{source}:1:1", f"unknown sheet (known: {known})"))
                continue
            rows = book[sheet_name].iter_rows(values_only=True)
            header_row = next(rows, None)
            if header_row is None:
                problems.append(Problem(f"{source}:1:1", "empty sheet (a header row is needed)"))
                continue
            header = [_cell_text(v) for v in header_row]
            while header and header[-1] == "":
                header.pop()
            width = len(header)

            def body(rows=rows, width=width):  # noqa: ANN001
                for line, values in enumerate(rows, start=2):
                    fields = [_cell_text(v) for v in values]
                    extra = fields[width:]
                    if any(extra):
                        yield line, fields
                    elif any(fields[:width]):
                        yield line, fields[:width] + [""] * (width - len(fields[:width]))

            raw = _raw_from_rows(table, source, header, body(), problems)
            if raw is not None:
                raws[table.name] = raw
    finally:
        book.close()
    return raws


def read_source(path: Path) -> tuple[dict[str, RawTable], list[Problem]]:
    """An import source (a folder of CSVs or an .xlsx workbook) and its shape problems."""
    problems: list[Problem] = []
    if path.suffix.lower() == ".xlsx" and path.is_file():
        return read_workbook(path, problems), problems
    if not path.exists():
        raise DataProblems([Problem(str(path), "no such folder or file")])
    return read_folder(path, problems), problems


def frame_to_text(table: Table, frame: pd.DataFrame) -> list[list[str]]:
    """Rows of a canonical frame as CSV text cells (formula-escaped text, exact numbers)."""
    columns: list[list[str]] = []
    for column in table.columns:
        values = frame[column.name].tolist()
        text = [format_text(column.kind, v) for v in values]
        if column.kind == "text":
            text = [escape_formula(t) for t in text]
        columns.append(text)
    return [list(row) for row in zip(*columns, strict=True)] if columns else []


def write_folder(frames: Mapping[str, pd.DataFrame], folder: Path) -> list[Path]:
    """Write every table as ``<table>.csv`` (header + rows sorted by key) into ``folder``.

    Each file is written to a temporary name and renamed into place, so a reader never sees
    half a file.
    """
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for table in TABLES:
        frame = frames[table.name].sort_values(list(table.key), kind="stable")
        written.append(write_csv(folder / table.file_name, table.column_names,
                                 frame_to_text(table, frame)))
    return written


def write_csv(path: Path, header: list[str], rows: Iterable[list[str]]) -> Path:
    """Write one CSV file atomically (temporary file, then rename)."""
    tmp = path.with_name(path.name + ".part")
    with tmp.open("w", encoding="utf-8", newline="") as fh:
        # CRLF (RFC 4180): cells holding a lone CR or LF are then quoted too
        writer = csv.writer(fh, lineterminator="\r\n")
        writer.writerow(header)
        writer.writerows(rows)
    tmp.replace(path)
    return path
