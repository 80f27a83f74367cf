"""Multi-Region secrets: ReplicateSecretToRegions (and CreateSecret's AddReplicaRegions),
RemoveRegionsFromReplication, StopReplicationToReplica.

A replica is a secret of the same account in another Region, with the same name and random suffix (its ARN names
its own Region), the same versions and labels, its primary's description, tags and resource policy, and its
values encrypted under a key of its own Region (the one AddReplicaRegions names, or that Region's
aws/secretsmanager). It is readable there like any secret, and changed only through its primary: every write to
the primary is mirrored onto its replicas in the same transaction (AWS replicates asynchronously; here the
replica is always InSync). A Region that already holds a secret of that name is not overwritten unless
ForceOverwriteReplicaSecret says so; its replication is then Failed, as AWS reports it.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from typing import Any

import botocore.loaders

from shieldwall import ids
from shieldwall.services.base import Call, Params
from shieldwall.services.secretsmanager import envelope, errors
from shieldwall.services.secretsmanager.common import (
    Plain,
    SecretsBase,
    replica_call,
    replica_record,
    require_live,
    require_primary,
)
from shieldwall.services.secretsmanager.envelope import DEFAULT_ALIAS_NAME
from shieldwall.services.secretsmanager.models import Replica, Secret, Version, VersionKey
from shieldwall.services.secretsmanager.names import in_region
from shieldwall.services.secretsmanager.records import remove, save, save_value, scope_of
from shieldwall.services.secretsmanager.views import replication_status
from shieldwall.store.base import Scope, Transaction


@functools.cache
def regions_of(partition: str) -> frozenset[str]:
    """The Regions of a partition, from botocore's endpoint data."""
    data = botocore.loaders.Loader().load_data("endpoints")
    for entry in data["partitions"]:
        if entry["partition"] == partition:
            return frozenset(entry["regions"])
    return frozenset()


def _check_region(call: Call, region: str) -> None:
    if region == call.region or region not in regions_of(call.partition):
        raise errors.invalid_parameter("Invalid replica region.")


def add_replicas(
    base: SecretsBase,
    tx: Transaction,
    call: Call,
    primary: Secret,
    entries: Sequence[Mapping[str, Any]],
    params: Mapping[str, Any],
    values: Mapping[str, Plain],
) -> None:
    """Replicate `primary` (changed in `tx` by the caller) to each Region of `entries`."""
    force = bool(params.get("ForceOverwriteReplicaSecret"))
    for entry in entries:
        region = str(entry.get("Region", ""))
        _check_region(call, region)
        if any(replica.region == region for replica in primary.replicas):
            continue
        primary.replicas.append(
            _replicate(base, tx, call, primary, region, entry.get("KmsKeyId"), force, values)
        )


def _replicate(
    base: SecretsBase,
    tx: Transaction,
    call: Call,
    primary: Secret,
    region: str,
    key_id: Any,
    force: bool,
    values: Mapping[str, Plain],
) -> Replica:
    scope = scope_of(primary)
    there = replica_call(call, region)
    existing = tx.get(Scope(scope.partition, scope.account, region), Secret, primary.name)
    shown_key = DEFAULT_ALIAS_NAME if envelope.default_key_id(key_id) else str(key_id)
    if existing is not None and not force:
        message = f"Replication failed: Secret name {primary.name} already exists in region {region}."
        return Replica(region, shown_key, "Failed", message)
    if existing is not None:
        remove(tx, existing)
    replica = _new_replica(primary, region, call)
    if not envelope.default_key_id(key_id):
        choice = envelope.write_choice(replica, there, str(key_id))
        replica.kms_key_arn = envelope.key_for_write(tx, base.sealer, there, choice).arn
        shown_key = replica.kms_key_arn
    for version in primary.versions:
        plain = values.get(version.version_id)
        if plain is None:
            continue
        key, value = base.seal(tx, there, replica, plain, version.version_id)
        keys = [VersionKey(key.arn, replica.kms_key_arn is None)]
        replica.versions.append(Version(version.version_id, version.created, list(version.stages), keys))
        save_value(tx, replica, version.version_id, value)
    save(tx, replica)
    return Replica(region, shown_key)


def _new_replica(primary: Secret, region: str, call: Call) -> Secret:
    now = call.now()
    return Secret(
        name=primary.name,
        arn=in_region(primary.arn, region),
        uid=ids.uuid4(),
        created=now,
        last_changed=now,
        description=primary.description,
        tags=dict(primary.tags),
        tagged=primary.tagged,
        policy=primary.policy,
        primary_region=scope_of(primary).region,
    )


class ReplicationMixin(SecretsBase):
    def replicate_secret_to_regions(self, call: Call, params: Params) -> Params:
        secret = self.secret(call, params)
        require_live(secret)
        require_primary(secret)
        values = {v.version_id: self.open(call, secret, v) for v in secret.versions if v.keys}
        entries = params.get("AddReplicaRegions") or []

        def mutate(tx: Transaction, stored: Secret) -> None:
            add_replicas(self, tx, call, stored, entries, params, values)
            stored.last_changed = call.now()

        stored, _ = self.change(secret, mutate)
        return {"ARN": stored.arn, "ReplicationStatus": replication_status(stored)}

    def remove_regions_from_replication(self, call: Call, params: Params) -> Params:
        secret = self.secret(call, params)
        require_primary(secret)
        regions = [str(region) for region in params.get("RemoveReplicaRegions") or []]

        def mutate(tx: Transaction, stored: Secret) -> None:
            for region in regions:
                entry = next((replica for replica in stored.replicas if replica.region == region), None)
                if entry is None:
                    raise errors.invalid_parameter(f"The secret isn't replicated to Region {region}.")
                replica = replica_record(tx, stored, region)
                if replica is not None:
                    remove(tx, replica)
                stored.replicas.remove(entry)
            stored.last_changed = call.now()

        stored, _ = self.change(secret, mutate)
        return {"ARN": stored.arn, "ReplicationStatus": replication_status(stored)}

    def stop_replication_to_replica(self, call: Call, params: Params) -> Params:
        secret = self.secret(call, params)
        if not secret.is_replica:
            raise errors.invalid_request("The secret isn't a replica, so there is no replication to stop.")

        def mutate(tx: Transaction, stored: Secret) -> None:
            primary_region = stored.primary_region
            stored.primary_region = None
            stored.last_changed = call.now()
            scope = scope_of(stored)
            primary = tx.get(Scope(scope.partition, scope.account, str(primary_region)), Secret, stored.name)
            if primary is not None and primary.arn == in_region(stored.arn, str(primary_region)):
                primary.replicas = [replica for replica in primary.replicas if replica.region != scope.region]
                save(tx, primary)

        stored, _ = self.change(secret, mutate)
        return {"ARN": stored.arn}
