"""Progress reports and stop requests of long engine work (callbacks; no Qt, no threads).

``progress(fraction)`` takes a value in [0, 1]; ``should_stop()`` is polled between steps
and answers True when the caller wants the work cut short.
"""

from __future__ import annotations

from collections.abc import Callable

Progress = Callable[[float], None]
ShouldStop = Callable[[], bool]


def part(progress: Progress | None, lo: float, hi: float) -> Progress | None:
    """``progress`` for a step that covers [lo, hi] of the whole: f -> lo + (hi - lo) f."""
    if progress is None:
        return None
    return lambda fraction: progress(lo + (hi - lo) * fraction)
