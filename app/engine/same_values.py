"""Whether column values read as before, told cheaply; and what was made from them, kept.

A scenario read back unchanged from the store shares its columns' memory with the last read
(pandas copies on write, so memory that is shared is never written): the same place means
the same values, which is checked before any value is looked at. ``MadeFrom`` keeps what was
made from some columns (the network of the SKU and BOM keys, a looked-up column, a grid's
texts) until one of them reads differently. A session keeps one between plans: an edit of a
safety stock leaves the network, the SKU index and the group codes as they were, and the
next plan takes them as made.

Only values nobody writes in place may serve as sources: pandas columns (copy-on-write) and
arrays made afresh for each plan and never written after.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import numpy as np
import pandas as pd

T = TypeVar("T")


def location(values: pd.Series | np.ndarray) -> tuple[object, ...]:
    """Where values live: address, shape, strides and dtype of their array (and missing
    mask); for other extension arrays the array object itself.

    A Series is read through the array pandas holds for it (``_values``: no copy, no
    wrapper; 0.2 µs where ``to_numpy`` takes 2-20 µs): numpy's own, or the numpy array
    inside a datetime or string array (``_ndarray``), or a masked array's data and mask.
    """
    if isinstance(values, pd.Series):
        array = values._values
        if isinstance(array, np.ndarray):
            arrays: tuple[object, ...] = (array,)
        elif isinstance(inner := getattr(array, "_ndarray", None), np.ndarray):
            arrays = (inner,)
        else:
            arrays = (getattr(array, "_data", None), getattr(array, "_mask", None))
            if not all(isinstance(a, np.ndarray) for a in arrays):
                return (id(array),)
    else:
        arrays = (values,)
    return tuple((a.__array_interface__["data"][0], a.shape, a.strides, a.dtype.str)
                 for a in arrays)  # type: ignore[union-attr]


def same_values(a: object, b: object) -> bool:
    """The same object, or the same dtype, length and values (missing equal to missing).

    Compare only values that are both alive (a place compared is not reused meanwhile).
    """
    if a is b:
        return True
    if a is None or b is None:
        return False
    if isinstance(a, pd.Series) and isinstance(b, pd.Series):
        if a.dtype != b.dtype or len(a) != len(b):
            return False
        if location(a) == location(b):
            return True
        if not isinstance(a.dtype, np.dtype):  # nullable integers, booleans: pandas compares
            return a.equals(b)
        a, b = a.to_numpy(), b.to_numpy()  # (Series.equals loops in Python over objects)
    x, y = np.asarray(a), np.asarray(b)
    if x.dtype != y.dtype or x.shape != y.shape:
        return False
    if location(x) == location(y):
        return True
    if x.dtype.kind in "fc":  # bit for bit first (one pass), else by value
        return bits_equal(x, y) or bool(np.array_equal(x, y, equal_nan=True))
    if x.dtype == object:
        differ = np.asarray(x != y, dtype=bool)
        return not differ.any() or bool((pd.isna(x[differ]) & pd.isna(y[differ])).all())
    return bool(np.array_equal(x, y))


def bits_equal(a: np.ndarray, b: np.ndarray) -> bool:
    """Whether two numeric arrays of one dtype and shape hold the same bits (compared as
    unsigned integers of the item size: one pass, no NaN handling; 13x faster than
    ``np.array_equal(..., equal_nan=True)`` on floats)."""
    if a.shape != b.shape or a.dtype != b.dtype:
        return False
    kind = f"u{a.dtype.itemsize}"
    try:
        return bool(np.array_equal(a.view(kind), b.view(kind)))
    except (TypeError, ValueError):  # (not viewable: complex, strided)
        return bool(np.array_equal(a, b, equal_nan=a.dtype.kind in "fc"))


def rows_equal(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Per row (first axis) of two arrays, whether it holds the same values: numbers bit for
    bit, as ``bits_equal`` compares them (a NaN is the same NaN, -0.0 is not 0.0), other
    values by ``==``. Arrays of another shape or dtype: no row is the same."""
    if a.shape != b.shape or a.dtype != b.dtype:
        return np.zeros(len(a), dtype=bool)
    if a.dtype.kind in "fiub":
        kind = f"u{a.dtype.itemsize}"
        equal = a.view(kind) == b.view(kind)
    else:
        equal = np.asarray(a == b, dtype=bool)
    return equal.reshape(len(a), -1).all(axis=1)


class MadeFrom:
    """Things made from source values, by name, kept while their sources read the same.

    The sources are held (so their memory is not reused while it serves as a key).
    """

    def __init__(self) -> None:
        self._held: dict[str, tuple[tuple[object, ...], Any]] = {}
        self._kept: dict[str, Any] = {}

    def kept(self, name: str) -> Any:
        """What was last kept under ``name`` (None when nothing was): a step that compares
        its own inputs with the last ones (``app.engine.same_levels``)."""
        return self._kept.get(name)

    def keep(self, name: str, value: object) -> None:
        """Keep ``value`` under ``name`` until the next ``keep`` of that name."""
        self._kept[name] = value

    def get(self, name: str, sources: Sequence[object], make: Callable[[], Any]) -> Any:
        """What ``make()`` gives from ``sources``; the last one made under ``name`` when its
        sources read the same as these."""
        sources = tuple(sources)
        held = self._held.get(name)
        if held is not None and len(held[0]) == len(sources) and all(
                same_values(a, b) for a, b in zip(held[0], sources, strict=True)):
            return held[1]
        made = make()
        self._held[name] = (sources, made)
        return made


def read_only(made: T) -> T:
    """``made`` with every numpy array in it (itself, or the items of a tuple or list) made
    read-only: what a memo keeps is shared by the plans that follow, and none may write it."""
    for array in made if isinstance(made, tuple | list) else (made,):
        if isinstance(array, np.ndarray):
            array.flags.writeable = False
    return made


def made_from(memo: MadeFrom | None, name: str, sources: Sequence[object],
              make: Callable[[], Any]) -> Any:
    """``memo.get(name, sources, make)``, or just ``make()`` without a memo."""
    return make() if memo is None else memo.get(name, sources, make)
