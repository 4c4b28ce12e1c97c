"""The one clock: timezone-aware UTC everywhere, movable by tests instead of sleeping."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

_source: Callable[[], datetime] | None = None


def utcnow() -> datetime:
    """Return the current instant as an aware UTC datetime."""
    if _source is not None:
        return _source()
    return datetime.now(UTC)


def set_source(source: Callable[[], datetime] | None) -> None:
    """Replace the clock (tests move time with this); None restores the real clock."""
    global _source  # one process-wide clock is the point
    _source = source
