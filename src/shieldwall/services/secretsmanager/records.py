"""Finding secrets and their values, and the work the clock owes them (deletion at the end of the recovery
window), done lazily when a secret is next read or listed.

Reads go through a cache that lives while the store is unchanged (`SqliteStore.changes()`): a GetSecretValue is
authorized and then served, and both read the same secret, so the hot path decodes a record once per write
instead of twice per request. Cached records are shared: code that changes a secret reads it afresh inside its
transaction (`fresh`) and never mutates what these functions return.
"""

from __future__ import annotations

import functools
from datetime import datetime

from shieldwall import arn
from shieldwall.services.secretsmanager import errors
from shieldwall.services.secretsmanager.models import Secret, SecretValue, value_key
from shieldwall.services.secretsmanager.names import SecretRef
from shieldwall.store.base import Scope, Store, Transaction
from shieldwall.store.read_cache import ReadCache

_cache = ReadCache()


def scope_of(secret: Secret) -> Scope:
    return _scope_of_arn(secret.arn)


@functools.lru_cache(maxsize=4096)
def _scope_of_arn(secret_arn: str) -> Scope:
    parsed = arn.parse(secret_arn)
    return Scope(parsed.partition, parsed.account, parsed.region)


def read_secret(store: Store, scope: Scope, name: str) -> Secret | None:
    return _cache.get(store, ("secret", scope, name), lambda reader: reader.get(scope, Secret, name))


def read_value(store: Store, secret: Secret, version_id: str) -> SecretValue | None:
    scope, key = scope_of(secret), value_key(secret, version_id)
    return _cache.get(store, ("value", scope, key), lambda reader: reader.get(scope, SecretValue, key))


def find_secret(store: Store, ref: SecretRef, now: datetime) -> Secret | None:
    """The secret `ref` names, or None; a secret whose recovery window has ended is deleted now."""
    secret = read_secret(store, ref.scope, ref.name)
    if secret is None or (ref.arn is not None and secret.arn != ref.arn):
        return None
    if is_expired(secret, now):
        purge(store, secret)
        return None
    return secret


def require_secret(store: Store, ref: SecretRef, now: datetime) -> Secret:
    secret = find_secret(store, ref, now)
    if secret is None:
        raise errors.not_found()
    return secret


def listed_secrets(store: Store, scope: Scope, now: datetime) -> list[Secret]:
    """Every live secret of the scope (expired deletions are carried out first), ordered by name."""
    with store.read() as reader:
        found = [secret for _, secret in reader.list(scope, Secret)]
    expired = [secret for secret in found if is_expired(secret, now)]
    for secret in expired:
        purge(store, secret)
    return [secret for secret in found if not is_expired(secret, now)]


def is_expired(secret: Secret, now: datetime) -> bool:
    return secret.deletion_date is not None and secret.deletion_date <= now


def fresh(tx: Transaction, secret: Secret) -> Secret:
    """The secret as stored now, to change inside `tx` (never the shared cached object)."""
    stored = tx.get(scope_of(secret), Secret, secret.name)
    if stored is None or stored.uid != secret.uid:
        raise errors.not_found()
    return stored


def save(tx: Transaction, secret: Secret) -> None:
    tx.put(scope_of(secret), secret.name, secret)


def save_value(tx: Transaction, secret: Secret, version_id: str, value: SecretValue) -> None:
    tx.put(scope_of(secret), value_key(secret, version_id), value)


def fresh_value(tx: Transaction, secret: Secret, version_id: str) -> SecretValue | None:
    return tx.get(scope_of(secret), SecretValue, value_key(secret, version_id))


def delete_version_value(tx: Transaction, secret: Secret, version_id: str) -> None:
    tx.delete(scope_of(secret), SecretValue, value_key(secret, version_id))


def remove(tx: Transaction, secret: Secret) -> None:
    """Delete a secret and every value it holds."""
    scope = scope_of(secret)
    for key, _ in tx.list(scope, SecretValue, prefix=f"{secret.uid}/"):
        tx.delete(scope, SecretValue, key)
    tx.delete(scope, Secret, secret.name)


def purge(store: Store, secret: Secret) -> None:
    with store.transaction() as tx:
        stored = tx.get(scope_of(secret), Secret, secret.name)
        if stored is not None and stored.uid == secret.uid:
            remove(tx, stored)
