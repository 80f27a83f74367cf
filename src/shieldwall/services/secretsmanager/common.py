"""What every part of the Secrets Manager provider shares: finding the secret a request names, changing it in one
transaction (its replicas with it), writing and reading encrypted versions, tags."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar

from shieldwall.audit.log import AuditLog
from shieldwall.services.base import Call, Params
from shieldwall.services.kms.models import Key
from shieldwall.services.secretsmanager import envelope, errors, stages
from shieldwall.services.secretsmanager.envelope import context_of
from shieldwall.services.secretsmanager.models import AWSCURRENT, Secret, SecretValue, Version, VersionKey
from shieldwall.services.secretsmanager.names import in_region, parse_secret_id
from shieldwall.services.secretsmanager.records import (
    delete_version_value,
    fresh,
    read_value,
    require_secret,
    save,
    save_value,
    scope_of,
)
from shieldwall.store.base import Scope, Transaction
from shieldwall.store.sealing import Sealer
from shieldwall.store.sqlite import SqliteStore

T = TypeVar("T")
MAX_TAGS = 50
MAX_VALUE_BYTES = 65_536


@dataclasses.dataclass(frozen=True, slots=True)
class Plain:
    """A secret value in memory, never stored or logged."""

    data: bytes
    binary: bool

    def __repr__(self) -> str:
        return f"Plain(<{len(self.data)} bytes>, binary={self.binary})"


def plain_of(params: Mapping[str, Any]) -> Plain | None:
    """The request's SecretString or SecretBinary (not both), or None."""
    text, blob = params.get("SecretString"), params.get("SecretBinary")
    if text is not None and blob is not None:
        raise errors.both_values()
    if text is not None:
        data = str(text).encode("utf-8")
        if len(data) > MAX_VALUE_BYTES:
            raise errors.value_too_long("secretString")
        return Plain(data, False)
    if blob is not None:
        return Plain(bytes(blob), True)
    return None


def require_live(secret: Secret) -> None:
    if secret.is_deleted:
        raise errors.marked_for_deletion()


def require_primary(secret: Secret) -> None:
    if secret.is_replica:
        raise errors.replica_operation()


def day_of(when: datetime) -> datetime:
    """AWS keeps LastAccessedDate as a date: midnight UTC of the day."""
    when = when.astimezone(UTC)
    return datetime(when.year, when.month, when.day, tzinfo=UTC)


def replica_call(call: Call, region: str) -> Call:
    return dataclasses.replace(call, region=region)


class SecretsBase:
    store: SqliteStore
    sealer: Sealer
    audit: AuditLog

    def secret(self, call: Call, params: Mapping[str, Any]) -> Secret:
        return require_secret(self.store, parse_secret_id(str(params["SecretId"]), call), call.now())

    def change(self, secret: Secret, mutate: Callable[[Transaction, Secret], T]) -> tuple[Secret, T]:
        """Apply `mutate` to the stored secret in one transaction, then mirror it onto its replicas."""
        with self.store.transaction() as tx:
            stored = fresh(tx, secret)
            result = mutate(tx, stored)
            save(tx, stored)
            sync_replicas(tx, stored)
        return stored, result

    # -- versions ------------------------------------------------------------------------------------------------

    def add_version(
        self,
        tx: Transaction,
        call: Call,
        secret: Secret,
        plain: Plain,
        token: str,
        labels: Sequence[str] | None,
    ) -> Version:
        """A new version holding `plain`, encrypted under the secret's key (and each replica's), labelled."""
        now = call.now()
        key, value = self.seal(tx, call, secret, plain, token)
        version = Version(token, now, [], [VersionKey(key.arn, secret.kms_key_arn is None)])
        first = not secret.versions
        secret.versions.append(version)
        wanted = list(labels) if labels is not None else [AWSCURRENT]
        if first and AWSCURRENT not in wanted:
            wanted.append(AWSCURRENT)
        stages.attach(secret, version, wanted, new=True)
        save_value(tx, secret, token, value)
        for old in stages.prunable(secret, now):
            secret.versions.remove(old)
            delete_version_value(tx, secret, old.version_id)
        self.seal_for_replicas(tx, call, secret, plain, version)
        secret.last_changed = now
        return version

    def seal(
        self, tx: Transaction, call: Call, secret: Secret, plain: Plain, token: str
    ) -> tuple[Key, SecretValue]:
        key = envelope.key_for_write(tx, self.sealer, call, envelope.write_choice(secret, call))
        context = context_of(secret.arn, token)
        value = envelope.seal_value(self.sealer, key, plain.data, plain.binary, context)
        envelope.record(self.audit, call, "GenerateDataKey", key, context)
        return key, value

    def seal_for_replicas(
        self, tx: Transaction, call: Call, secret: Secret, plain: Plain, version: Version
    ) -> None:
        for entry in secret.replicas:
            replica = replica_record(tx, secret, entry.region)
            if replica is None:
                continue
            there = replica_call(call, entry.region)
            key, value = self.seal(tx, there, replica, plain, version.version_id)
            replica.versions.append(
                Version(
                    version.version_id,
                    version.created,
                    [],
                    [VersionKey(key.arn, replica.kms_key_arn is None)],
                )
            )
            save_value(tx, replica, version.version_id, value)
            save(tx, replica)

    def open(self, call: Call, secret: Secret, version: Version) -> Plain:
        """The plaintext of a version (kms:Decrypt through Secrets Manager, recorded in the trail)."""
        value = read_value(self.store, secret, version.version_id)
        if value is None or not value.wrapped:
            raise errors.version_not_found(version.version_id)
        wrapped = value.wrapped[-1]
        key = envelope.blob_key(self.store, call, wrapped.blob)
        context = context_of(secret.arn, version.version_id)
        data_key = envelope.unwrap(self.sealer, key, wrapped, context)
        envelope.record(self.audit, call, "Decrypt", key, context)
        return Plain(envelope.open_value(data_key, value, context), value.binary)

    def same_value(self, call: Call, secret: Secret, version: Version, plain: Plain) -> bool:
        stored = self.open(call, secret, version)
        return stored.binary == plain.binary and stored.data == plain.data


def value_members(plain: Plain) -> Params:
    if plain.binary:
        return {"SecretBinary": plain.data}
    return {"SecretString": plain.data.decode("utf-8")}


# -- replicas follow their primary -------------------------------------------------------------------------------


def replica_record(tx: Transaction, primary: Secret, region: str) -> Secret | None:
    """The replica of `primary` in `region` (not a secret of the same name that is no replica of it)."""
    scope = scope_of(primary)
    found = tx.get(Scope(scope.partition, scope.account, region), Secret, primary.name)
    if found is None or found.arn != in_region(primary.arn, region) or found.primary_region != scope.region:
        return None
    return found


def sync_replicas(tx: Transaction, primary: Secret) -> None:
    """Give each replica its primary's metadata and labels (values were encrypted for it when written)."""
    for entry in primary.replicas:
        replica = replica_record(tx, primary, entry.region)
        if replica is None:
            continue
        replica.description = primary.description
        replica.tags = dict(primary.tags)
        replica.tagged = primary.tagged
        replica.policy = primary.policy
        replica.last_changed = primary.last_changed
        _mirror_versions(tx, primary, replica)
        save(tx, replica)


def _mirror_versions(tx: Transaction, primary: Secret, replica: Secret) -> None:
    labels = {version.version_id: version.stages for version in primary.versions}
    kept = []
    for version in replica.versions:
        if version.version_id in labels:
            version.stages = list(labels[version.version_id])
            kept.append(version)
        else:
            delete_version_value(tx, replica, version.version_id)
    replica.versions = kept


# -- tags ---------------------------------------------------------------------------------------------------------


def tagged(existing: dict[str, str], new: Sequence[Mapping[str, Any]]) -> dict[str, str]:
    """`existing` with `new` applied (tag keys are case-sensitive), or AWS's refusal."""
    merged = dict(existing)
    for tag in new:
        key = str(tag.get("Key", ""))
        if key.lower().startswith("aws:"):
            raise errors.invalid_parameter("Tag keys beginning with aws: are reserved for AWS use.")
        merged[key] = str(tag.get("Value", ""))
    if len(merged) > MAX_TAGS:
        raise errors.invalid_parameter(f"A secret can have at most {MAX_TAGS} tags.")
    return merged
