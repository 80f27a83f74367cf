"""Finding keys and aliases, and the work the clock owes them (deletion, rotation), done lazily on read.

Reads go through a cache that lives while the store is unchanged (`SqliteStore.changes()`, as the
authorizer's cache does): a request is authorized and then served, and each reads the same key, so the hot
path decodes a key record once per write instead of twice per request. Cached records are shared: code that
changes a key reads it afresh inside its transaction (`fresh_key`) and never mutates what these functions return.

The clock's work: a key whose deletion date has passed is deleted (with its aliases, grants and place among
its multi-Region peers) the first time anything reads it; an enabled key with automatic rotation gets one new
material version per rotation period elapsed since its next rotation date, dated when each rotation was due;
imported material whose ValidTo has passed is deleted and its key waits for a reimport (PendingImport).

Multi-Region keys: a replica shares its primary's material and rotation. The primary alone rotates; a replica
takes on whatever versions its primary has when it is next read (materials are sealed under `<key id>/<version>`,
which the two share, so the sealed values are copied as they are). Reading any key of a set also deletes those of
its peers whose deletion date has passed, so each key's list of replicas is current.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from shieldwall.services.kms import crypto, errors, material
from shieldwall.services.kms.keyref import KeyRef, key_arn
from shieldwall.services.kms.models import (
    AWS_KMS,
    ENABLED,
    PENDING_DELETION,
    PENDING_IMPORT,
    PENDING_REPLICA_DELETION,
    PRIMARY,
    REPLICA,
    Alias,
    Grant,
    Key,
    KeyLocation,
    RetirableGrant,
)
from shieldwall.store.base import Scope, Store, Transaction
from shieldwall.store.read_cache import ReadCache
from shieldwall.store.sealing import Sealer

_cache = ReadCache()


def read_key(store: Store, scope: Scope, key_id: str) -> Key | None:
    return _cache.get(store, ("key", scope, key_id), lambda reader: reader.get(scope, Key, key_id))


def read_alias(store: Store, scope: Scope, name: str) -> Alias | None:
    return _cache.get(store, ("alias", scope, name), lambda reader: reader.get(scope, Alias, name))


def location_key(region: str, key_id: str) -> str:
    return f"{region}/{key_id}"


def find_key(store: Store, ref: KeyRef, now: datetime) -> Key:
    """The live key `ref` names; NotFoundException as AWS words it for a missing alias or key."""
    key_id = ref.name
    if ref.is_alias:
        alias = read_alias(store, ref.scope, ref.name)
        if alias is None:
            raise errors.alias_not_found(ref.arn)
        key_id = alias.target_key_id
    key = read_key(store, ref.scope, key_id)
    if key is None:
        raise errors.key_not_found(key_arn(ref.partition, ref.region, ref.account, key_id))
    if is_expired(key, now):
        purge(store, key)
        raise errors.key_not_found(key.arn)
    return key


def locate_blob_key(store: Store, scope: Scope, key_id: str) -> Scope | None:
    """Where the key a ciphertext names lives: the caller's account first, then any account of the Region."""
    if read_key(store, scope, key_id) is not None:
        return scope
    index = Scope(scope.partition)
    location = location_key(scope.region, key_id)
    found = _cache.get(
        store, ("location", index, location), lambda reader: reader.get(index, KeyLocation, location)
    )
    return None if found is None else Scope(scope.partition, found.account_id, scope.region)


def fresh_key(tx: Transaction, key: Key) -> Key:
    """The key as stored now, to change inside `tx` (never the shared cached object)."""
    scope = key_scope(key)
    found = tx.get(scope, Key, key.key_id)
    if found is None:
        raise errors.key_not_found(key.arn)
    return found


def key_scope(key: Key) -> Scope:
    return Scope(key.arn.split(":", 2)[1], key.account_id, key.region)


def save_key(tx: Transaction, key: Key) -> None:
    tx.put(key_scope(key), key.key_id, key)


def save_new_key(tx: Transaction, key: Key) -> None:
    save_key(tx, key)
    scope = key_scope(key)
    tx.put(Scope(scope.partition), location_key(key.region, key.key_id), KeyLocation(key.account_id))


def is_expired(key: Key, now: datetime) -> bool:
    return key.state == PENDING_DELETION and key.deletion_date is not None and key.deletion_date <= now


def purge(store: Store, key: Key) -> None:
    """Delete a key whose waiting period is over, with its aliases and its index entry."""
    scope = key_scope(key)
    with store.transaction() as tx:
        stored = tx.get(scope, Key, key.key_id)
        if stored is None:
            return
        for name in stored.aliases:
            tx.delete(scope, Alias, name)
        for grant in stored.grants:
            forget_retirable(tx, stored, grant)
        tx.delete(scope, Key, key.key_id)
        tx.delete(Scope(scope.partition), KeyLocation, location_key(key.region, key.key_id))
        if stored.multi_region:
            _leave_set(tx, stored)
    material.forget(key.key_id)


def retirable_key(key: Key, grant: Grant) -> str | None:
    principal = grant.retiring or grant.retiring_service
    if principal is None:
        return None
    return f"{key.region}/{principal}/{key.account_id}/{key.key_id}/{grant.grant_id}"


def remember_retirable(tx: Transaction, key: Key, grant: Grant) -> None:
    entry = retirable_key(key, grant)
    if entry is not None:
        tx.put(Scope(key_scope(key).partition), entry, RetirableGrant(key.arn))


def forget_retirable(tx: Transaction, key: Key, grant: Grant) -> None:
    entry = retirable_key(key, grant)
    if entry is not None:
        tx.delete(Scope(key_scope(key).partition), RetirableGrant, entry)


# -- multi-Region sets -----------------------------------------------------------------------------------------


def peer_regions(key: Key) -> list[str]:
    regions = [key.primary_region or key.region, *key.replica_regions]
    return [region for region in regions if region != key.region]


def peer_scope(key: Key, region: str) -> Scope:
    scope = key_scope(key)
    return Scope(scope.partition, scope.account, region)


def _leave_set(tx: Transaction, gone: Key) -> None:
    """A deleted key's peers stop listing it; a primary waiting for its last replica starts its own waiting
    period from the moment that replica was deleted."""
    for region in peer_regions(gone):
        scope = peer_scope(gone, region)
        peer = tx.get(scope, Key, gone.key_id)
        if peer is None:
            continue
        peer.replica_regions = [name for name in peer.replica_regions if name != gone.region]
        waiting = peer.state == PENDING_REPLICA_DELETION and peer.multi_region_type == PRIMARY
        if waiting and not peer.replica_regions and gone.deletion_date is not None:
            peer.state = PENDING_DELETION
            peer.deletion_date = gone.deletion_date + timedelta(days=peer.pending_window_days or 30)
        tx.put(scope, peer.key_id, peer)


def _in_step(store: Store, key: Key, now: datetime, sealer: Sealer, pool: crypto.RsaPool | None) -> Key:
    if _purge_expired_peers(store, key, now):
        key = read_key(store, key_scope(key), key.key_id) or key
    if key.multi_region_type != REPLICA or key.origin != AWS_KMS:
        return key
    primary = read_key(store, peer_scope(key, key.primary_region or key.region), key.key_id)
    if primary is None:
        return key
    primary = kept_up(store, primary, now, sealer, pool)
    if _shared(key) == _shared(primary):
        return key
    with store.transaction() as tx:
        stored = fresh_key(tx, key)
        follow(stored, primary)
        save_key(tx, stored)
    return stored


def _purge_expired_peers(store: Store, key: Key, now: datetime) -> bool:
    purged = False
    for region in peer_regions(key):
        peer = read_key(store, peer_scope(key, region), key.key_id)
        if peer is not None and is_expired(peer, now):
            purge(store, peer)
            purged = True
    return purged


def _shared(key: Key) -> tuple[object, ...]:
    return (
        key.current_version,
        len(key.materials),
        key.rotation_enabled,
        key.rotation_period_days,
        key.next_rotation_date,
        key.on_demand_rotations,
    )


def follow(replica: Key, primary: Key) -> None:
    """Give a replica the properties a multi-Region key shares with its primary: material and rotation."""
    replica.materials = list(primary.materials)
    replica.current_version = primary.current_version
    replica.rotation_enabled = primary.rotation_enabled
    replica.rotation_period_days = primary.rotation_period_days
    replica.next_rotation_date = primary.next_rotation_date
    replica.on_demand_rotations = primary.on_demand_rotations


# -- the clock's work ------------------------------------------------------------------------------------------


def needs_upkeep(key: Key, now: datetime) -> bool:
    if key.origin == AWS_KMS and not key.materials:
        return True
    return material_expired(key, now) or rotation_due(key, now)


def material_expired(key: Key, now: datetime) -> bool:
    return any(found.valid_to is not None and found.valid_to <= now for found in key.materials)


def rotation_due(key: Key, now: datetime) -> bool:
    return (
        key.state == ENABLED
        and key.multi_region_type != REPLICA
        and key.rotation_enabled
        and key.next_rotation_date is not None
        and key.next_rotation_date <= now
    )


def keep_up(key: Key, now: datetime, sealer: Sealer, pool: crypto.RsaPool | None) -> None:
    """Give `key` the material it is owed: a first version (an AWS managed key made without a sealer), and one
    version per elapsed rotation period."""
    if key.origin == AWS_KMS and not key.materials:
        material.add_material(key, material.new_material(sealer, key, now, pool=pool))
    if material_expired(key, now):
        expire_material(key, now)
    while rotation_due(key, now):
        assert key.next_rotation_date is not None and key.rotation_period_days is not None
        due = key.next_rotation_date
        material.add_material(key, material.new_material(sealer, key, due, rotation_type="AUTOMATIC"))
        key.next_rotation_date = due + timedelta(days=key.rotation_period_days)


def expire_material(key: Key, now: datetime) -> None:
    """Imported material past its ValidTo is deleted: the key is unusable until the same material is reimported."""
    key.materials = [found for found in key.materials if found.valid_to is None or found.valid_to > now]
    if key.current is None:
        key.current_version = 0
        if key.state not in (PENDING_DELETION, PENDING_REPLICA_DELETION):
            key.state = PENDING_IMPORT


def kept_up(store: Store, key: Key, now: datetime, sealer: Sealer, pool: crypto.RsaPool | None) -> Key:
    """`key` after the clock's work, saved (a no-op when nothing is due)."""
    if key.multi_region:
        key = _in_step(store, key, now, sealer, pool)
    if not needs_upkeep(key, now):
        return key
    expiring = material_expired(key, now)
    with store.transaction() as tx:
        stored = fresh_key(tx, key)
        keep_up(stored, now, sealer, pool)
        save_key(tx, stored)
    if expiring:
        material.forget(key.key_id)
    return stored
