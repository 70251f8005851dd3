"""Rectangular ranges as TSV, the way spreadsheets put them on the clipboard.

``to_tsv``/``parse_tsv`` are plain text functions (no Qt): cells with a tab, a line break or
a double quote are quoted as spreadsheets do. ``paste_edits`` turns a pasted block at a
model position into row edits for the workbench (one undo step), or the list of reasons it
cannot: a read-only column, rows past the end. ``selected_block`` reads a view's selection.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from PySide6.QtCore import QAbstractItemModel, QItemSelectionModel, Qt

from app.views.frame_model import FrameModel

#: (table, key, values) as ``Workbench.edit_rows`` takes them
RowEdit = tuple[str, dict[str, str], dict[str, str]]


def to_tsv(rows: Sequence[Sequence[str]]) -> str:
    """Cells as tab-separated lines (CRLF-free, trailing newline), quoted where needed."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter="\t", lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerows(rows)
    return out.getvalue()


def parse_tsv(text: str) -> list[list[str]]:
    """A block of cells from TSV text; ragged rows are padded with '' to a rectangle."""
    if text == "":
        return []
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if text.endswith("\n"):
        text = text[:-1]
    if text == "":
        return [[""]]  # one empty cell (clears the cells pasted on)
    rows = list(csv.reader(io.StringIO(text), delimiter="\t"))
    width = max((len(r) for r in rows), default=0)
    return [r + [""] * (width - len(r)) for r in rows]


@dataclass(frozen=True)
class Block:
    """The bounding rectangle of a selection, in model rows and visible columns."""

    rows: list[int]
    columns: list[int]


def selected_block(selection: QItemSelectionModel, hidden: Sequence[int] = ()) -> Block | None:
    """The rows and columns spanned by the selection (hidden columns left out)."""
    indexes = selection.selectedIndexes()
    if not indexes:
        current = selection.currentIndex()
        if not current.isValid():
            return None
        indexes = [current]
    rows = sorted({i.row() for i in indexes})
    columns = sorted({i.column() for i in indexes} - set(hidden))
    if not columns:
        return None
    return Block(list(range(rows[0], rows[-1] + 1)), columns)


def copy_text(view_model: QAbstractItemModel, block: Block) -> str:
    """The block's cells as typed (exact numbers, no thousands separators) in TSV."""
    return to_tsv([[str(view_model.index(r, c).data(Qt.ItemDataRole.EditRole) or "")
                    for c in block.columns] for r in block.rows])


#: (row, column) -> (table, key) the cell edits, or None when it is read-only
TargetOf = Callable[[int, int], tuple[str, dict[str, str]] | None]


def paste_edits(model: FrameModel, top: int, columns: Sequence[int], cells: list[list[str]],
                table_of: TargetOf, clean: Callable[[int, str], str] | None = None,
                ) -> tuple[list[RowEdit], list[str]]:
    """Row edits putting ``cells`` at model row ``top`` into the columns ``columns``.

    ``columns`` are the visible columns from the paste's left edge on;
    ``table_of(row, column)`` answers the (table, key) a cell edits, or None when it is
    read-only; ``clean(column, text)`` turns
    typed text into stored text (``97%`` -> ``0.97``). Returns the edits grouped by row,
    and the problems (when any, nothing should be applied).
    """
    problems: list[str] = []
    edits: dict[tuple[str, tuple[tuple[str, str], ...]], dict[str, str]] = {}
    width = len(cells[0]) if cells else 0
    if width > len(columns):
        problems.append(f"the block is {width} columns wide but only {len(columns)} columns "
                        "are to the right of the paste position")
    names = model.column_names()
    for i, line in enumerate(cells):
        row = top + i
        if row >= model.rowCount():
            problems.append(f"row {i + 1} of the block falls past the last row")
            break
        for j, typed in enumerate(line[:len(columns)]):
            column = columns[j]
            text = clean(column, typed.strip()) if clean else typed.strip()
            if model.edit_text(row, column) == text:
                continue  # unchanged cells (a copied key column, say) are no edit
            target = table_of(row, column)
            title = model.headerData(column, Qt.Orientation.Horizontal)
            if target is None:
                problems.append(f"row {i + 1}, column {title}: read-only, cannot paste "
                                f"'{text}' here")
                continue
            table, key = target
            edits.setdefault((table, tuple(key.items())), {})[names[column]] = text
    rows = [(table, dict(key), values) for (table, key), values in edits.items()]
    return rows, problems


def fill(cells: list[list[str]], rows: int, columns: int) -> list[list[str]]:
    """One copied cell repeated over a selection of ``rows`` x ``columns`` (else as is)."""
    if len(cells) == 1 and len(cells[0]) == 1 and (rows > 1 or columns > 1):
        return [[cells[0][0]] * columns for _ in range(rows)]
    return cells


__all__ = ["Block", "copy_text", "fill", "parse_tsv", "paste_edits",
           "selected_block", "to_tsv"]
