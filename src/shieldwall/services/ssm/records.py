"""Reading and writing parameter records.

Reads outside a transaction go through a cache that lives while the store is unchanged (`SqliteStore.changes()`,
as KMS's key cache does): a GetParameter is authorized and then served, and both read the same head record, so the
hot path decodes it once per write instead of twice per request. Cached records are shared: code that changes a
parameter reads it afresh inside its transaction (`fresh`) and never mutates what `read_parameter` returns.
"""

from __future__ import annotations

from shieldwall.services.ssm import errors
from shieldwall.services.ssm.models import (
    ADVANCED,
    Parameter,
    Tally,
    Version,
    version_key,
    versions_prefix,
)
from shieldwall.services.ssm.names import Selected
from shieldwall.store.base import Reader, Scope, Store, Transaction
from shieldwall.store.read_cache import ReadCache

_TALLY = "tally"


_cache = ReadCache()


def read_parameter(store: Store, scope: Scope, name: str) -> Parameter | None:
    return _cache.get(store, (scope, name), lambda reader: reader.get(scope, Parameter, name))


def find_selected(store: Store, scope: Scope, selected: Selected) -> Parameter | None:
    """The parameter a request names (None for another account's, which is not served here)."""
    if selected.foreign_arn is not None:
        return None
    for name in selected.spellings():
        found = read_parameter(store, scope, name)
        if found is not None:
            return found
    return None


def read_version(reader: Reader, scope: Scope, parameter: Parameter, number: int) -> Version | None:
    if number == parameter.current.number:
        return parameter.current
    if number < parameter.oldest or number > parameter.current.number:
        return None
    return reader.get(scope, Version, version_key(parameter.name, number))


def selected_version(store: Store, scope: Scope, parameter: Parameter, selected: Selected) -> Version:
    """The version a selector names: ParameterVersionNotFound when there is none."""
    number = selected.version
    if selected.label is not None:
        number = parameter.labels.get(selected.label)
        if number is None:
            raise errors.version_not_found(parameter.name, selected.label)
    if number is None:
        return parameter.current
    with store.read() as reader:
        found = read_version(reader, scope, parameter, number)
    if found is None:
        raise errors.version_not_found(parameter.name, number)
    return found


def list_versions(reader: Reader, scope: Scope, name: str, after: int, limit: int | None) -> list[Version]:
    rows = reader.list(
        scope, Version, prefix=versions_prefix(name), after=version_key(name, after), limit=limit
    )
    return [version for _, version in rows]


# -- writing ---------------------------------------------------------------------------------------------------


def fresh(tx: Transaction, scope: Scope, name: str) -> Parameter | None:
    """The parameter as stored now, to change inside `tx` (never the shared cached object)."""
    return tx.get(scope, Parameter, name)


def save(tx: Transaction, scope: Scope, parameter: Parameter) -> None:
    tx.put(scope, parameter.name, parameter)


def save_version(tx: Transaction, scope: Scope, parameter: Parameter) -> None:
    """Store the parameter with its current version written to its history too."""
    tx.put(scope, version_key(parameter.name, parameter.current.number), parameter.current)
    save(tx, scope, parameter)


def drop_version(tx: Transaction, scope: Scope, name: str, number: int) -> None:
    tx.delete(scope, Version, version_key(name, number))


def remove(tx: Transaction, scope: Scope, parameter: Parameter) -> None:
    """Delete the parameter, all its versions, and its place in the tally."""
    for number in range(parameter.oldest, parameter.current.number + 1):
        drop_version(tx, scope, parameter.name, number)
    tx.delete(scope, Parameter, parameter.name)
    count(tx, scope, parameter.current.tier, -1)


def tally(reader: Reader, scope: Scope) -> Tally:
    return reader.get(scope, Tally, _TALLY) or Tally()


def count(tx: Transaction, scope: Scope, tier: str, change: int) -> None:
    found = tally(tx, scope)
    if tier == ADVANCED:
        found.advanced = max(0, found.advanced + change)
    else:
        found.standard = max(0, found.standard + change)
    tx.put(scope, _TALLY, found)
