"""Multi-Region keys: ReplicateKey and UpdatePrimaryRegion (CreateKey MultiRegion=true makes the primary).

A replica is a key of its own in another Region's scope, with the primary's key id, key spec, usage, origin and
material (an imported primary's replica starts without material, PendingImport) and its own policy,
description, tags, state, aliases and grants. Every key of a set lists the set's primary and replica Regions,
changed together in one transaction; the material and rotation a replica shares with its primary follow it
lazily (`records`). shieldwall is consistent at once, so a new replica is Enabled (or PendingImport) as soon as
ReplicateKey returns, without AWS's transient Creating and Updating states.
"""

from __future__ import annotations

from shieldwall.services.base import Call, Params
from shieldwall.services.kms import errors
from shieldwall.services.kms.common import KmsBase, require_not_pending_deletion, tag_list, tagged
from shieldwall.services.kms.keyref import key_arn
from shieldwall.services.kms.lookup import Found
from shieldwall.services.kms.metadata import key_metadata
from shieldwall.services.kms.models import AWS_KMS, DISABLED, ENABLED, PENDING_IMPORT, PRIMARY, REPLICA, Key
from shieldwall.services.kms.policies import new_key_policy
from shieldwall.services.kms.records import follow, is_expired, peer_scope, read_key, save_key, save_new_key
from shieldwall.store.base import Transaction


def _require_primary(key: Key) -> None:
    if not key.multi_region:
        raise errors.unsupported(f"{key.arn} is not a multi-Region key.")
    if key.multi_region_type == REPLICA:
        raise errors.unsupported(f"{key.arn} is a multi-Region replica key, not the primary key of its set.")


def _require_enabled(key: Key) -> None:
    if key.state == DISABLED:
        raise errors.disabled(key.arn)
    require_not_pending_deletion(key)


def _regions(key: Key) -> list[str]:
    """Every Region of a key's multi-Region set."""
    return sorted({key.primary_region or key.region, *key.replica_regions})


class ReplicasMixin(KmsBase):
    def replicate_key(self, call: Call, params: Params) -> Params:
        primary = self.key(call, params["KeyId"])
        _require_primary(primary)
        _require_enabled(primary)
        region: str = params["ReplicaRegion"]
        if region == primary.region:
            raise errors.validation(f"The replica Region must differ from the Region of {primary.arn}.")
        arn = key_arn(call.partition, region, primary.account_id, primary.key_id)
        if read_key(self.store, peer_scope(primary, region), primary.key_id) is not None:
            raise errors.already_exists(f"Key '{arn}' already exists")
        replica = self._new_replica(call, params, primary, region, arn)
        with self.store.transaction() as tx:
            save_new_key(tx, replica)
            self._relist(tx, primary, replica.replica_regions)
        return {
            "ReplicaKeyMetadata": key_metadata(replica),
            "ReplicaPolicy": replica.policy,
            "ReplicaTags": tag_list(replica.tags),
        }

    def _new_replica(self, call: Call, params: Params, primary: Key, region: str, arn: str) -> Key:
        replica = Key(
            key_id=primary.key_id,
            arn=arn,
            account_id=primary.account_id,
            region=region,
            creation_date=call.now(),
            key_spec=primary.key_spec,
            key_usage=primary.key_usage,
            origin=primary.origin,
            policy=new_key_policy(call, params, arn),
            description=params.get("Description") or "",
            state=ENABLED if primary.origin == AWS_KMS else PENDING_IMPORT,
            multi_region=True,
            multi_region_type=REPLICA,
            primary_region=primary.region,
            replica_regions=sorted({*primary.replica_regions, region}),
            tags=tagged({}, params.get("Tags") or []),
        )
        if primary.origin == AWS_KMS:
            follow(replica, primary)
        return replica

    def _relist(self, tx: Transaction, member: Key, replica_regions: list[str]) -> None:
        """Give every existing key of `member`'s set the new list of replica Regions."""
        for region in _regions(member):
            peer = tx.get(peer_scope(member, region), Key, member.key_id)
            if peer is not None:
                peer.replica_regions = list(replica_regions)
                save_key(tx, peer)

    def update_primary_region(self, call: Call, params: Params) -> Params:
        primary = self.key(call, params["KeyId"])
        _require_primary(primary)
        region: str = params["PrimaryRegion"]
        if region == primary.region:
            raise errors.validation(f"{primary.arn} is already the primary key of its multi-Region set.")
        replica = self._replica_in(call, primary, region)
        _require_enabled(primary)
        _require_enabled(replica)
        regions = _regions(primary)
        with self.store.transaction() as tx:
            for member_region in regions:
                stored = tx.get(peer_scope(primary, member_region), Key, primary.key_id)
                if stored is None:
                    continue
                stored.primary_region = region
                stored.multi_region_type = PRIMARY if member_region == region else REPLICA
                stored.replica_regions = [name for name in regions if name != region]
                if member_region == region and stored.origin == AWS_KMS:
                    follow(
                        stored, primary
                    )  # the new primary holds the set's material and rotation from now on
                save_key(tx, stored)
        return {}

    def _replica_in(self, call: Call, primary: Key, region: str) -> Key:
        found = read_key(self.store, peer_scope(primary, region), primary.key_id)
        if found is None or is_expired(found, call.now()):
            raise errors.key_not_found(key_arn(call.partition, region, primary.account_id, primary.key_id))
        return self.kept(call, Found(found)).key
