"""Build-once caches for serialization plans, safe under threads.

Reads never lock. Building takes one re-entrant lock, and a recursive group of structure plans (a shape that
reaches itself) becomes visible to other threads only when the whole group is complete, so no thread can
serialize through a plan whose members are still being filled in.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")
P = TypeVar("P")

BUILD_LOCK = threading.RLock()


def cached(cache: dict[K, V], key: K, build: Callable[[], V]) -> V:
    """`cache[key]`, built under the lock on first use."""
    found = cache.get(key)
    if found is not None:
        return found
    with BUILD_LOCK:
        found = cache.get(key)
        if found is None:
            found = build()
            cache[key] = found
        return found


class StructureMemo(Generic[P]):
    """Structure plans by shape name; `fill` may recurse into `plan` for the members' shapes."""

    def __init__(self) -> None:
        self._done: dict[str, P] = {}
        self._building: dict[str, P] = {}
        self._depth = 0
        self._failed = False

    def plan(self, name: str, create: Callable[[], P], fill: Callable[[P], None]) -> P:
        found = self._done.get(name)
        if found is not None:
            return found
        with BUILD_LOCK:
            found = self._done.get(name) or self._building.get(name)
            if found is not None:
                return found
            return self._build(name, create, fill)

    def _build(self, name: str, create: Callable[[], P], fill: Callable[[P], None]) -> P:
        plan = create()
        self._building[name] = plan
        self._depth += 1
        try:
            fill(plan)
        except BaseException:
            self._failed = True
            raise
        finally:
            self._depth -= 1
            if self._depth == 0:
                if not self._failed:
                    self._done.update(self._building)
                self._building.clear()
                self._failed = False
        return plan
