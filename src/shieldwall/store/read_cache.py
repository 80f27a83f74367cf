"""Records read on the hot path, kept while the store is unchanged.

Every record write changes `SqliteStore.changes()` (this process's at once, another worker's when the server
observes it at the start of the next request); an entry is kept while that token holds, so the first read after
any write reads afresh and a change shows on the very next request. An operation that is authorized and then
served reads the same record twice: with this cache it is decoded once per write instead. Cached records are shared: code that changes one reads it afresh inside its
transaction and never mutates what the cache returns.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from shieldwall.store.base import Reader, Store

T = TypeVar("T")
_LIMIT = 10_000


class ReadCache:
    def __init__(self, limit: int = _LIMIT) -> None:
        self._lock = threading.Lock()
        self._store: Store | None = None
        self._token: object = None
        self._limit = limit
        self._entries: dict[Hashable, Any] = {}

    def get(self, store: Store, entry: Hashable, load: Callable[[Reader], T]) -> T:
        """The value `load` reads for `entry`, from the cache while nothing has been written since."""
        changes = getattr(store, "changes", None)
        if changes is None:  # a store that cannot tell: read every time
            with store.read() as reader:
                return load(reader)
        token = changes()
        if token != self._token or store is not self._store:
            with self._lock:
                self._entries.clear()
                self._token, self._store = token, store
        if entry in self._entries:
            found: T = self._entries[entry]
            return found
        with store.read() as reader:
            found = load(reader)
        with self._lock:
            if changes() == token == self._token:
                if len(self._entries) >= self._limit:
                    self._entries.clear()
                self._entries[entry] = found
        return found
