"""What the authorizer reads from the store, reused until the store next changes.

A signed request of an IAM user needs the user's compiled policies and, when a policy asks, the tags of the user
and of the resource. Reading them costs several record decodes per request, yet they change only when a record
is written, and every record write goes through the store's one connection: `SqliteStore.changes()` counts
them. So each entry is kept while that count is unchanged, and the first request after any write (a new policy
version, a detached policy, a tag) reads afresh: changes are visible on the very next request, as in IAM.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from typing import TypeVar

from shieldwall.policy.authorizer import PolicySet
from shieldwall.services.iam import tag_context
from shieldwall.services.iam.principal_policies import policies_of
from shieldwall.store.base import Reader
from shieldwall.store.sqlite import SqliteStore

K = TypeVar("K")
V = TypeVar("V")
Owner = tuple[str, str, str, str]  # partition, account, "user" | "role", lower-cased name

_LIMIT = 10_000


class AuthorizationCache:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._token = -1
        self._policies: dict[Owner, PolicySet] = {}
        self._principal_tags: dict[Owner, Mapping[str, str]] = {}
        self._resource_tags: dict[str, Mapping[str, str]] = {}

    def policies(self, store: SqliteStore, owner: Owner) -> PolicySet:
        """The principal's identity-based policies and boundary; the same object while nothing changes (the
        engine keys its compiled plan by it)."""
        return self._read(store, self._policies, owner, lambda reader: _policy_set(reader, owner))

    def principal_tags(self, store: SqliteStore, owner: Owner) -> Mapping[str, str]:
        return self._read(
            store, self._principal_tags, owner, lambda reader: tag_context.principal_tags(reader, *owner)
        )

    def resource_tags(self, store: SqliteStore, resource: str) -> Mapping[str, str]:
        return self._read(
            store, self._resource_tags, resource, lambda reader: tag_context.resource_tags(reader, resource)
        )

    def clear(self) -> None:
        self._renew(-1)

    def _renew(self, token: int) -> None:
        with self._lock:
            self._token = token
            self._policies.clear()
            self._principal_tags.clear()
            self._resource_tags.clear()

    def _read(self, store: SqliteStore, entries: dict[K, V], key: K, load: Callable[[Reader], V]) -> V:
        token = store.changes()
        if token != self._token:
            self._renew(token)
        found = entries.get(key)
        if found is not None:
            return found
        with store.read() as reader:
            found = load(reader)
        with self._lock:
            if store.changes() == token == self._token:  # nothing was written while it was read
                if len(entries) >= _LIMIT:
                    entries.clear()
                entries[key] = found
        return found


def _policy_set(reader: Reader, owner: Owner) -> PolicySet:
    found = policies_of(reader, *owner)
    return PolicySet(identity=found.identity, boundary=found.boundary)
