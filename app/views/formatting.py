"""Number, money, percent and date text for the views: one place, so every pane reads alike.

Plain functions, no Qt. Missing values (None, NaN, infinities) show as an en dash.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

#: what a missing or undefined number shows as
MISSING = "–"

_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "CNY": "¥", "INR": "₹"}


def _finite(value: object) -> float | None:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def fmt_number(value: object, decimals: int = 0) -> str:
    """``1234567.8`` -> ``"1,234,568"`` (thousands separators, ``decimals`` places)."""
    number = _finite(value)
    if number is None:
        return MISSING
    if round(number, decimals) == 0:
        number = 0.0  # no "-0"
    return f"{number:,.{decimals}f}"


def fmt_quantity(value: object) -> str:
    """Units: whole numbers as such, one decimal below 10 (``6.4``), none above (``1,235``)."""
    number = _finite(value)
    if number is None:
        return MISSING
    if abs(number) >= 10 or abs(number - round(number)) < 5e-4:
        return fmt_number(number, 0)
    return fmt_number(number, 1)


def currency_symbol(currency: str) -> str:
    """The sign of a currency code (``USD`` -> ``$``), or the code and a space."""
    code = (currency or "").strip().upper()
    return _SYMBOLS.get(code, f"{code} " if code else "")


def fmt_money(value: object, currency: str = "USD", decimals: int = 0) -> str:
    """``-1234.5, "USD"`` -> ``"-$1,235"``; unknown codes as ``"CHF 1,235"``."""
    number = _finite(value)
    if number is None:
        return MISSING
    sign = "-" if number < 0 and round(abs(number), decimals) > 0 else ""
    return f"{sign}{currency_symbol(currency)}{abs(number):,.{decimals}f}"


def fmt_compact(value: object, decimals: int = 1) -> str:
    """Short text for axes and tiles: ``1,234`` -> ``"1.2k"``, ``3.4e6`` -> ``"3.4M"``."""
    number = _finite(value)
    if number is None:
        return MISSING
    size = abs(number)
    for limit, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if size >= limit:
            text = f"{number / limit:,.{decimals}f}"
            if "." in text:
                text = text.rstrip("0").rstrip(".")
            return f"{text}{suffix}"
    return f"{number:,.0f}" if size >= 10 or number == int(number) else f"{number:,.{decimals}f}"


def fmt_money_compact(value: object, currency: str = "USD") -> str:
    """``1234567, "USD"`` -> ``"$1.2M"`` (tiles, chart axes)."""
    number = _finite(value)
    if number is None:
        return MISSING
    sign = "-" if number < 0 else ""
    return f"{sign}{currency_symbol(currency)}{fmt_compact(abs(number))}"


def fmt_percent(fraction: object, decimals: int = 1) -> str:
    """``0.9534`` -> ``"95.3%"``."""
    number = _finite(fraction)
    if number is None:
        return MISSING
    return f"{number * 100:,.{decimals}f}%"


def fmt_date(value: object) -> str:
    """An ISO date ``2026-11-23`` (from text, a Timestamp or a numpy datetime)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return MISSING
    stamp = pd.Timestamp(value)  # type: ignore[arg-type]
    return MISSING if pd.isna(stamp) else stamp.strftime("%Y-%m-%d")


def fmt_short_date(value: object) -> str:
    """A period header ``23 Nov``."""
    stamp = pd.Timestamp(value)  # type: ignore[arg-type]
    return MISSING if pd.isna(stamp) else f"{stamp.day} {stamp.strftime('%b')}"


def period_headers(periods: pd.DatetimeIndex | np.ndarray) -> list[str]:
    """Column headers for periods: ``23 Nov``, with the year on the first one and in January."""
    stamps = pd.DatetimeIndex(periods)
    headers = []
    for i, stamp in enumerate(stamps):
        text = f"{stamp.day} {stamp.strftime('%b')}"
        if i == 0 or stamp.year != stamps[i - 1].year:
            text += f" {stamp.year}"
        headers.append(text)
    return headers


__all__ = [
    "MISSING", "currency_symbol", "fmt_compact", "fmt_date", "fmt_money", "fmt_money_compact",
    "fmt_number", "fmt_percent", "fmt_quantity", "fmt_short_date", "period_headers",
]
