"""Single values of the data contract: parse from text, format to text, convert for storage.

One cell's journey: CSV text --``parse_text``--> Python value --``to_json``--> a scenario change
(JSON) --``from_json``--> Python value --``format_text``--> CSV text. Text cells that a
spreadsheet would run as a formula are escaped on export (``escape_formula``) and un-escaped on
import (``unescape_formula``), and the pair is exact: ``unescape(escape(s)) == s`` for every s.
"""

from __future__ import annotations

import datetime as dt
import math

from app.models.contract import Column, ColumnKind

_TRUE = {"true", "1", "yes", "y", "t"}
_FALSE = {"false", "0", "no", "n", "f"}

#: First characters that make Excel, LibreOffice or Google Sheets treat a cell as a formula.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


class ValueProblem(ValueError):
    """A cell's text does not fit its column; the message says why, in the user's words."""


def parse_text(column: Column | ColumnKind, text: str, choices: tuple[str, ...] = ()) -> object:
    """Parse one non-empty cell of ``column`` into its Python value.

    Returns str for text/choice, float, int, ``datetime.date`` or bool. Raises ValueProblem.
    Range checks (``nonneg``, ``maximum``) are applied when a Column is given.
    """
    if isinstance(column, Column):
        kind, choices = column.kind, column.choices
    else:
        kind = column
    text = text.strip() if kind != "text" else text
    value: object
    if kind == "text":
        value = text
    elif kind == "choice":
        if text not in choices:
            raise ValueProblem(f"'{text}' is not one of {', '.join(choices)}")
        value = text
    elif kind == "float":
        try:
            value = float(text)
        except ValueError:
            raise ValueProblem(f"'{text}' is not a number") from None
        if not math.isfinite(value):
            raise ValueProblem(f"'{text}' is not a finite number")
    elif kind == "int":
        try:
            number = float(text)
        except ValueError:
            raise ValueProblem(f"'{text}' is not a whole number") from None
        if not math.isfinite(number) or number != int(number):
            raise ValueProblem(f"'{text}' is not a whole number")
        value = int(number)
    elif kind == "date":
        try:
            value = dt.date.fromisoformat(text)
        except ValueError:
            raise ValueProblem(f"'{text}' is not an ISO date (YYYY-MM-DD)") from None
        if len(text) != 10:
            raise ValueProblem(f"'{text}' is not an ISO date (YYYY-MM-DD)")
    elif kind == "bool":
        low = text.lower()
        if low in _TRUE:
            value = True
        elif low in _FALSE:
            value = False
        else:
            raise ValueProblem(f"'{text}' is not true or false")
    else:  # pragma: no cover - the contract only has the kinds above
        raise AssertionError(kind)
    if isinstance(column, Column):
        check_range(column, value, shown=text)
    return value


def check_range(column: Column, value: object, shown: str | None = None) -> None:
    """Raise ValueProblem when a number is outside its column's allowed range.

    ``shown`` is the text the user typed, quoted back in the message.
    """
    if column.kind not in ("float", "int") or value is None:
        return
    number = float(value)  # type: ignore[arg-type]
    got = shown if shown is not None else f"{number:g}"
    if column.nonneg and number < 0:
        raise ValueProblem(f"{column.name} must not be negative (got {got})")
    if column.maximum is not None:
        too_big = number >= column.maximum if column.maximum_exclusive else number > column.maximum
        if too_big:
            bound = "below" if column.maximum_exclusive else "at most"
            raise ValueProblem(f"{column.name} must be {bound} {column.maximum:g} (got {got})")


def is_missing(value: object) -> bool:
    """True for None, NaN, pandas NA/NaT and the empty string."""
    if value is None:
        return True
    if isinstance(value, str):
        return value == ""
    try:
        return bool(value != value)  # NaN, NaT and pd.NA compare unequal to themselves
    except TypeError:  # pd.NA raises on bool()
        return True


def normalize(kind: ColumnKind, value: object) -> object:
    """A value from a frame or JSON as a plain Python value of its kind (None when missing)."""
    if is_missing(value):
        return None
    if kind == "float":
        return float(value)  # type: ignore[arg-type]
    if kind == "int":
        return int(value)  # type: ignore[call-overload]
    if kind == "bool":
        return bool(value)
    if kind == "date":
        if isinstance(value, str):
            return dt.date.fromisoformat(value)
        if isinstance(value, dt.datetime):
            return value.date()
        if hasattr(value, "date") and callable(value.date):  # pandas Timestamp
            return value.date()
        return value
    return str(value)


def to_json(kind: ColumnKind, value: object) -> object:
    """A value as stored in a scenario change (JSON): dates as ISO strings, missing as None."""
    value = normalize(kind, value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def from_json(kind: ColumnKind, value: object) -> object:
    """The inverse of ``to_json``."""
    return normalize(kind, value)


def format_text(kind: ColumnKind, value: object) -> str:
    """A value as CSV text: '' when missing, ``repr`` precision for floats (exact round trip)."""
    value = normalize(kind, value)
    if value is None:
        return ""
    if kind == "float":
        number = float(value)  # type: ignore[arg-type]
        if number == int(number) and abs(number) < 1e15:
            return str(int(number))
        return repr(number)
    if kind == "bool":
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _needs_escape(text: str) -> bool:
    if not text:
        return False
    if text[0] in FORMULA_TRIGGERS:
        return True
    return text[0] == "'" and _needs_escape(text[1:])


def escape_formula(text: str) -> str:
    """Prefix ``'`` to a text cell a spreadsheet would run as a formula (= + - @ tab CR).

    A text that already starts with ``'`` before such a character gets one more ``'``, so the
    escape can always be undone exactly.

    >>> escape_formula("=SUM(A1)"), escape_formula("plain"), escape_formula("'=x")
    ("'=SUM(A1)", 'plain', "''=x")
    """
    return "'" + text if _needs_escape(text) else text


def unescape_formula(text: str) -> str:
    """Undo ``escape_formula``: strip one leading ``'`` that protects a formula trigger.

    >>> unescape_formula("'=SUM(A1)"), unescape_formula("'tis"), unescape_formula("''=x")
    ('=SUM(A1)', "'tis", "'=x")
    """
    if text.startswith("'") and _needs_escape(text[1:]):
        return text[1:]
    return text
