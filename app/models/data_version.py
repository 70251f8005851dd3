"""Answers read from a workspace file, kept while the file has not changed since.

SQLite's ``PRAGMA data_version`` on a connection changes whenever *another* connection
commits to the file, in this process or any other. ``VersionMemo`` keeps one connection of
its own that never writes, so every commit made through the store's engine (or by another
program) moves the version, and everything memoised before it is dropped. A check costs a
few microseconds, against a millisecond or more for a read transaction with queries: the
listings and tokens the GUI asks for several times per edit are read once per change.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Hashable
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")


class VersionMemo:
    """Values by key, valid for one data version of the file at ``path``."""

    def __init__(self, path: Path) -> None:
        # autocommit: the pragma opens no transaction that would pin an old snapshot
        self._probe = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self._lock = threading.Lock()
        self._version: int | None = None
        self._values: dict[Hashable, object] = {}

    def get(self, key: Hashable, compute: Callable[[], T]) -> T:
        """The value of ``key`` as of the file's current data version, computed when new.

        ``compute`` runs outside the lock (it reads the file); a value computed while a
        commit landed is stored under the version read *before* it, so it is dropped at
        the next call.
        """
        with self._lock:
            version = self._probe.execute("PRAGMA data_version").fetchone()[0]
            if version != self._version:
                self._values.clear()
                self._version = version
            if key in self._values:
                return self._values[key]  # type: ignore[return-value]
        value = compute()
        with self._lock:
            if self._version == version:
                self._values[key] = value
        return value

    def close(self) -> None:
        with self._lock:
            self._values.clear()
            self._probe.close()
