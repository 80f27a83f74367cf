"""The only place that reads time.

`Clock.now()` is the service time every lifecycle rule reads (credential expiry, deletion windows, rotation).
Tests move it with `advance()` or `set()` through the admin endpoint. SigV4's skew check uses `skew_reference()`:
wall-clock time normally, the service time once a test has *set* the clock (so dated test vectors verify), but
not after a mere advance (so clients signing with their real time keep working while expiry jumps ahead).
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta


class Clock:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._offset = 0.0
        self._pinned = False

    def time(self) -> float:
        return time.time() + self._offset

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.time(), UTC)

    def advance(self, seconds: float) -> datetime:
        with self._lock:
            self._offset += seconds
        return self.now()

    def set(self, when: datetime) -> datetime:
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        with self._lock:
            self._offset = when.timestamp() - time.time()
            self._pinned = True
        return self.now()

    def reset(self) -> None:
        with self._lock:
            self._offset = 0.0
            self._pinned = False

    def state(self) -> tuple[float, bool] | None:
        """The offset from real time and whether it was set (None: real time), to share with other processes."""
        with self._lock:
            if not self._offset and not self._pinned:
                return None
            return self._offset, self._pinned

    def restore(self, state: tuple[float, bool] | None) -> None:
        """Take the state another process shared (`state()`)."""
        with self._lock:
            self._offset, self._pinned = state if state is not None else (0.0, False)

    def skew_reference(self) -> datetime:
        if self._pinned:
            return self.now()
        return datetime.now(UTC)

    def is_pinned(self) -> bool:
        return self._pinned


def parse_iso8601(text: str) -> datetime:
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def fmt_iso8601(when: datetime) -> str:
    """`2015-08-30T12:36:00Z` (UTC, whole seconds); on every audit event, so no strftime."""
    if when.tzinfo is not UTC:
        when = when.astimezone(UTC)
    return when.isoformat(timespec="seconds")[:-6] + "Z"  # drop "+00:00"


def since(start: datetime, clock: Clock) -> timedelta:
    return clock.now() - start
