"""Credentials the SigV4 verifier checks signatures against, and the resolver interface that finds them.

The foundation knows one credential: the root access key of the default account, from configuration. IAM access
keys and STS temporary credentials plug in later as further resolvers in the chain; the verifier only ever asks
`CredentialResolver.lookup(access_key_id)`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, Protocol, TypeVar

from shieldwall.auth.session import SessionContext


@dataclass(frozen=True, slots=True)
class Credential:
    access_key_id: str
    secret_access_key: str
    account_id: str
    # What the key belongs to: "root", "user", and for STS sessions "assumed-role" / "federated-user" (a
    # GetSessionToken session keeps its user's or root's kind and carries a `session`).
    principal_kind: str
    principal_name: str = ""
    # The principal's ARN and unique id (AIDA... for IAM users) where the kind alone cannot rebuild them.
    principal_arn: str = ""
    principal_id: str = ""
    session_token: str | None = None
    expires_at: datetime | None = None
    active: bool = True
    session: SessionContext | None = None


class CredentialResolver(Protocol):
    def lookup(self, access_key_id: str) -> Credential | None: ...


class StaticResolver:
    """A fixed set of credentials, e.g. the configured root key."""

    def __init__(self, credentials: list[Credential]) -> None:
        self._by_key = {credential.access_key_id: credential for credential in credentials}

    def lookup(self, access_key_id: str) -> Credential | None:
        return self._by_key.get(access_key_id)


class ChainResolver:
    """Asks each resolver in turn; the first that knows the key answers."""

    def __init__(self, resolvers: list[CredentialResolver]) -> None:
        self._resolvers = resolvers

    def lookup(self, access_key_id: str) -> Credential | None:
        for resolver in self._resolvers:
            found = resolver.lookup(access_key_id)
            if found is not None:
                return found
        return None


R = TypeVar("R")


class CredentialCache(Generic[R]):
    """Credentials built from stored records, reused while the record read now equals the one they were built
    from: a resolver reads the record on every request (so status changes and deletions show at once) but opens
    its sealed secret only once per record version."""

    def __init__(self, limit: int = 10_000) -> None:
        self._entries: dict[str, tuple[R, Credential]] = {}
        self._limit = limit
        self._lock = threading.Lock()

    def credential(self, key: str, record: R, build: Callable[[R], Credential | None]) -> Credential | None:
        """The credential built from `record` for `key`: the one built before while the record is unchanged, else
        `build(record)`, kept for next time (None, when the record yields no credential, is not kept)."""
        found = self._entries.get(key)
        if found is not None and found[0] == record:
            return found[1]
        credential = build(record)
        if credential is not None:
            with self._lock:
                if len(self._entries) >= self._limit:
                    self._entries.clear()
                self._entries[key] = (record, credential)
        return credential
