"""Checking planning data: text cells to typed frames, then the whole data set for consistency.

Two steps, both reporting every problem with its place (``file:line:column: message``):

1. ``parse_raw``: one table's text cells into a canonical frame (``app.models.frames``):
   types, choices, required values, ranges (no negative quantities).
2. ``check_frames``: the rules between rows and tables: duplicate keys, references to unknown
   items/sites/SKUs/resources, transfers from a site with no SKU of the item, BOM lines whose
   SKUs do not exist, and cycles in the network (named node by node).

A ``Locator`` turns (table, row, column) into the place shown to the user; imports point at
lines and columns of files, edits at the scenario row they touch.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from app.engine.network import NetworkCycleError, build_network
from app.models.contract import SETTINGS_BY_NAME, TABLES, Column, Table
from app.models.frames import coerce_frame, empty_frame
from app.models.values import ValueProblem, parse_text, unescape_formula

#: At most this many problems are listed; the rest are counted in one closing line.
MAX_PROBLEMS = 500

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the input, at a place the user can find."""

    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


class DataProblems(ValueError):
    """Input refused; ``problems`` lists every reason. Nothing was written."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))

    def lines(self) -> list[str]:
        shown = [str(p) for p in self.problems[:MAX_PROBLEMS]]
        if len(self.problems) > MAX_PROBLEMS:
            shown.append(f"... and {len(self.problems) - MAX_PROBLEMS} more problems")
        return shown


@dataclass
class RawTable:
    """A table as text, as read from a file: only known columns, one string per cell.

    ``lines[i]`` is the file line of row i, ``positions[col]`` the 1-based column number.
    """

    table: Table
    source: str
    cells: dict[str, np.ndarray]
    lines: np.ndarray
    positions: dict[str, int] = field(default_factory=dict)

    @property
    def n_rows(self) -> int:
        return len(self.lines)


#: Maps (table name, row position, column name) to a place ("skus.csv:12:3").
Locator = Callable[[str, int, str], str]


def file_locator(raws: Mapping[str, RawTable]) -> Locator:
    """Places in the files the raw tables came from."""

    def locate(table: str, row: int, column: str) -> str:
        raw = raws[table]
        col = raw.positions.get(column, 1)
        return f"{raw.source}:{int(raw.lines[row])}:{col}"

    return locate


def row_locator(frames: Mapping[str, pd.DataFrame]) -> Locator:
    """Places named by row key, for data that came from edits: ``skus[A1@P1].lead_time``."""

    def locate(table_name: str, row: int, column: str) -> str:
        table = next(t for t in TABLES if t.name == table_name)
        frame = frames[table_name]
        key = ",".join(f"{k}={frame[k].iloc[row]}" for k in table.key)
        return f"{table_name}[{key}].{column}"

    return locate


# --- step 1: text to typed values -----------------------------------------------------------


def _bad_rows(column: Column, text: np.ndarray) -> tuple[pd.Series, np.ndarray]:
    """Parsed values of one column and a mask of rows whose text does not parse."""
    s = pd.Series(text, dtype=object)
    empty = (s == "").to_numpy()
    kind = column.kind
    if kind == "text":
        values = s.map(unescape_formula)
        bad = np.zeros(len(s), dtype=bool)
    elif kind == "choice":
        stripped = s.str.strip()
        bad = ~stripped.isin(column.choices).to_numpy() & ~empty
        values = stripped
    elif kind in ("float", "int"):
        values = pd.to_numeric(s.str.strip().where(~empty, None), errors="coerce")
        finite = np.isfinite(values.to_numpy(dtype=float))
        bad = ~finite & ~empty
        if kind == "int":
            whole = np.where(finite, values.to_numpy(dtype=float), 0.0)
            bad |= finite & (np.floor(whole) != whole)
    elif kind == "date":
        stripped = s.str.strip()
        shaped = stripped.str.match(_ISO_DATE).fillna(False).to_numpy(dtype=bool)
        values = pd.to_datetime(stripped.where(shaped, None), format="%Y-%m-%d", errors="coerce")
        bad = (~shaped | values.isna().to_numpy()) & ~empty
    elif kind == "bool":
        low = s.str.strip().str.lower()
        values = low.map({"true": True, "1": True, "yes": True, "y": True, "t": True,
                          "false": False, "0": False, "no": False, "n": False, "f": False})
        bad = values.isna().to_numpy() & ~empty
    else:  # pragma: no cover
        raise AssertionError(kind)
    return values, bad


def _range_bad(column: Column, values: pd.Series) -> np.ndarray:
    if column.kind not in ("float", "int"):
        return np.zeros(len(values), dtype=bool)
    x = values.to_numpy(dtype=float)
    with np.errstate(invalid="ignore"):
        bad = np.zeros(len(x), dtype=bool)
        if column.nonneg:
            bad |= x < 0
        if column.maximum is not None:
            bad |= (x >= column.maximum) if column.maximum_exclusive else (x > column.maximum)
    return bad


def parse_raw(raw: RawTable, problems: list[Problem]) -> pd.DataFrame:
    """A raw table's cells as a canonical frame; problems are appended to ``problems``.

    Rows with a problem keep their place (so later checks still point at the right line) but
    the offending cell is treated as missing.
    """
    table = raw.table
    out: dict[str, pd.Series] = {}
    locate = file_locator({table.name: raw})
    for column in table.columns:
        if column.name not in raw.cells:
            continue
        text = raw.cells[column.name]
        values, bad = _bad_rows(column, text)
        for row in np.flatnonzero(bad):
            try:
                parse_text(column, str(text[row]))
                message = f"'{text[row]}' is not valid for {column.name}"  # pragma: no cover
            except ValueProblem as err:
                message = str(err)
            problems.append(Problem(locate(table.name, int(row), column.name), message))
        values = values.where(~pd.Series(bad), None) if bad.any() else values
        out_of_range = _range_bad(column, values)
        for row in np.flatnonzero(out_of_range):
            try:
                parse_text(column, str(text[row]))
                message = f"{column.name} is out of range"  # pragma: no cover
            except ValueProblem as err:
                message = str(err)
            problems.append(Problem(locate(table.name, int(row), column.name), message))
        if column.required:
            empty = (pd.Series(text, dtype=object) == "").to_numpy()
            for row in np.flatnonzero(empty):
                problems.append(
                    Problem(locate(table.name, int(row), column.name), f"{column.name} is required")
                )
        if column.kind in ("text", "choice"):
            values = values.where(values != "", None)
        out[column.name] = values.reset_index(drop=True)
    frame = pd.DataFrame(out, index=pd.RangeIndex(raw.n_rows))
    return coerce_frame(table, frame)


# --- step 2: rules across rows and tables ---------------------------------------------------


def _check_settings(frame: pd.DataFrame, locate: Locator, problems: list[Problem]) -> None:
    for row, (name, value) in enumerate(zip(frame["name"], frame["value"], strict=True)):
        if name is None:
            continue
        setting = SETTINGS_BY_NAME.get(name)
        if setting is None:
            known = ", ".join(SETTINGS_BY_NAME)
            problems.append(Problem(locate("settings", row, "name"),
                                    f"unknown setting '{name}' (known: {known})"))
            continue
        if value is None:
            continue
        try:
            parsed = parse_text(setting.kind, value, setting.choices)
        except ValueProblem as err:
            problems.append(Problem(locate("settings", row, "value"), f"{name}: {err}"))
            continue
        if setting.nonneg and isinstance(parsed, (int, float)) and parsed < 0:
            problems.append(Problem(locate("settings", row, "value"),
                                    f"{name} must not be negative (got {value})"))


def _check_required(table: Table, frame: pd.DataFrame, locate: Locator,
                    problems: list[Problem]) -> None:
    """Required values missing in typed frames (rows inserted by edits without them)."""
    for column in table.columns:
        if not column.required:
            continue
        for row in np.flatnonzero(frame[column.name].isna().to_numpy()):
            problems.append(Problem(locate(table.name, int(row), column.name),
                                    f"{column.name} is required"))


def _check_duplicates(table: Table, frame: pd.DataFrame, locate: Locator,
                      problems: list[Problem]) -> None:
    key = list(table.key)
    dup = frame.duplicated(subset=key, keep="first").to_numpy()
    if not dup.any():
        return
    first = frame.drop_duplicates(subset=key, keep="first")
    first_row = {tuple(r[1:]): r[0] for r in first[key].itertuples(index=True, name=None)}
    for row in np.flatnonzero(dup):
        k = tuple(frame[c].iloc[row] for c in key)
        shown = ", ".join(f"{c}={_show(v)}" for c, v in zip(key, k, strict=True))
        first_place = locate(table.name, int(first_row[k]), key[0])
        problems.append(Problem(locate(table.name, int(row), key[0]),
                                f"duplicate key {shown} (first at {first_place})"))


def _show(value: object) -> str:
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    return str(value)


def _check_references(frames: Mapping[str, pd.DataFrame], locate: Locator,
                      problems: list[Problem], hit: Callable[..., bool]) -> None:
    """Every referencing column names an existing key of the referenced table."""
    for table in TABLES:
        frame = frames[table.name]
        for column in table.columns:
            if column.references is None:
                continue
            ref_table, ref_col = column.references
            if not hit(table.name, ref_table):
                continue
            known = frames[ref_table][ref_col]
            values = frame[column.name]
            bad = values.notna().to_numpy() & ~values.isin(known).to_numpy()
            for row in np.flatnonzero(bad):
                problems.append(Problem(
                    locate(table.name, int(row), column.name),
                    f"unknown {ref_col.removesuffix('_id')} '{values.iloc[row]}' "
                    f"(not in {ref_table}.csv)",
                ))


def _sku_mask(frames: Mapping[str, pd.DataFrame], items: pd.Series, sites: pd.Series) -> np.ndarray:
    skus = frames["skus"]
    have = pd.MultiIndex.from_arrays([skus["item_id"], skus["site_id"]])
    want = pd.MultiIndex.from_arrays([items, sites])
    return want.isin(have)


def _check_skus_exist(frames: Mapping[str, pd.DataFrame], locate: Locator,
                      problems: list[Problem]) -> None:
    """Rows about an item at a site need that SKU; transfers need a SKU at the source."""
    for name in ("demand_history", "forecast", "open_orders", "lots", "routings"):
        frame = frames[name]
        ok_refs = frame["item_id"].isin(frames["items"]["item_id"]) & frame["site_id"].isin(
            frames["sites"]["site_id"])
        missing = ~_sku_mask(frames, frame["item_id"], frame["site_id"]) & ok_refs.to_numpy()
        for row in np.flatnonzero(missing):
            problems.append(Problem(
                locate(name, int(row), "item_id"),
                f"no SKU of item '{frame['item_id'].iloc[row]}' at site "
                f"'{frame['site_id'].iloc[row]}' (not in skus.csv)",
            ))
    skus = frames["skus"]
    is_transfer = (skus["supply_type"] == "transfer").to_numpy()
    has_source = skus["source_site"].notna().to_numpy()
    for row in np.flatnonzero(is_transfer & ~has_source):
        problems.append(Problem(locate("skus", int(row), "source_site"),
                                "a transfer SKU needs a source_site"))
    for row in np.flatnonzero(~is_transfer & has_source & skus["supply_type"].notna().to_numpy()):
        problems.append(Problem(
            locate("skus", int(row), "source_site"),
            f"source_site is only for transfer SKUs (this one is {skus['supply_type'].iloc[row]})",
        ))
    rows = np.flatnonzero(is_transfer & has_source)
    if rows.size:
        source = skus["source_site"].iloc[rows]
        item = skus["item_id"].iloc[rows]
        known_site = source.isin(frames["sites"]["site_id"]).to_numpy()
        missing = ~_sku_mask(frames, item, source) & known_site
        for row in rows[missing]:
            problems.append(Problem(
                locate("skus", int(row), "source_site"),
                f"transfer from site '{skus['source_site'].iloc[row]}', which has no SKU of "
                f"item '{skus['item_id'].iloc[row]}'",
            ))
    bom = frames["bom"]
    for column in ("parent_item", "component_item"):
        known_item = bom[column].isin(frames["items"]["item_id"]) & bom["site_id"].isin(
            frames["sites"]["site_id"])
        missing = ~_sku_mask(frames, bom[column], bom["site_id"]) & known_item.to_numpy()
        for row in np.flatnonzero(missing):
            problems.append(Problem(
                locate("bom", int(row), column),
                f"no SKU of item '{bom[column].iloc[row]}' at site '{bom['site_id'].iloc[row]}' "
                "(a BOM line needs both SKUs at its site)",
            ))
    routings, resources = frames["routings"], frames["resources"]
    site_of = pd.Series(resources["site_id"].to_numpy(), index=resources["resource_id"].to_numpy())
    site_of = site_of[~site_of.index.duplicated()]
    resource_site = routings["resource_id"].map(site_of)
    wrong = resource_site.notna() & (resource_site != routings["site_id"])
    for row in np.flatnonzero(wrong.to_numpy()):
        problems.append(Problem(
            locate("routings", int(row), "resource_id"),
            f"resource '{routings['resource_id'].iloc[row]}' is at site "
            f"'{resource_site.iloc[row]}', not at '{routings['site_id'].iloc[row]}'",
        ))


def _check_cycles(frames: Mapping[str, pd.DataFrame], locate: Locator,
                  problems: list[Problem]) -> None:
    skus = frames["skus"].drop_duplicates(subset=["item_id", "site_id"])
    network = build_network(skus, frames["bom"])
    try:
        network.low_level_codes()
    except NetworkCycleError as err:
        # point at the first arc of the cycle: a BOM line or a transfer SKU
        a, b = err.cycle[0], err.cycle[1]
        arc = np.flatnonzero((network.arc_src == a) & (network.arc_dst == b))[0]
        if network.arc_kind[arc] == "bom":
            where = locate("bom", int(network.arc_row[arc]), "component_item")
        else:
            sku_row = int(skus.index[network.arc_row[arc]])
            where = locate("skus", sku_row, "source_site")
        problems.append(Problem(where, str(err)))


def check_frames(frames: Mapping[str, pd.DataFrame], locate: Locator,
                 touched: set[str] | None = None) -> list[Problem]:
    """Every rule between rows and tables; an empty list means the data set is consistent.

    ``touched`` (table names) limits the work to the rules a change of those tables can
    break; None checks everything.
    """
    def hit(*names: str) -> bool:
        return touched is None or any(n in touched for n in names)

    problems: list[Problem] = []
    for table in TABLES:
        if hit(table.name):
            frame = frames[table.name]
            _check_required(table, frame, locate, problems)
            _check_duplicates(table, frame, locate, problems)
    if hit("settings"):
        _check_settings(frames["settings"], locate, problems)
    _check_references(frames, locate, problems, hit)
    if hit("skus", "bom", "items", "sites", "demand_history", "forecast", "open_orders", "lots",
           "routings", "resources"):
        _check_skus_exist(frames, locate, problems)
    if not problems and hit("skus", "bom"):
        _check_cycles(frames, locate, problems)
    return problems


def validate_raw(raws: Mapping[str, RawTable],
                 shape_problems: list[Problem] | None = None) -> dict[str, pd.DataFrame]:
    """Parse and check a whole import; raise DataProblems listing every problem.

    With ``shape_problems`` (files that could not be read as tables) the readable tables are
    still checked value by value, but the rules between tables are not: they would only
    repeat the missing files as dangling references.
    """
    problems: list[Problem] = list(shape_problems or [])
    frames: dict[str, pd.DataFrame] = {}
    for table in TABLES:
        raw = raws.get(table.name)
        frames[table.name] = parse_raw(raw, problems) if raw is not None else empty_frame(table)
    if not shape_problems:
        problems.extend(check_frames(frames, file_locator(raws)))
    if problems:
        # an empty required cell is seen by both steps; list it once
        raise DataProblems(sorted(set(problems), key=_place_order))
    return frames


def _place_order(problem: Problem) -> tuple[str, int, int]:
    parts = problem.where.rsplit(":", 2)
    if len(parts) == 3 and parts[1].isdigit() and parts[2].isdigit():
        return parts[0], int(parts[1]), int(parts[2])
    return problem.where, 0, 0
