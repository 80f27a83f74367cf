"""What every part of the KMS provider shares: finding a key, changing it in a transaction, key-state rules
(the "Key states of AWS KMS keys" table), enum checks, paging and tags."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from shieldwall.services.base import Call, Params
from shieldwall.services.kms import crypto, errors
from shieldwall.services.kms.lookup import Found, key_for
from shieldwall.services.kms.models import (
    DISABLED,
    PENDING_DELETION,
    PENDING_IMPORT,
    PENDING_REPLICA_DELETION,
    Key,
)
from shieldwall.services.kms.quotas import RequestQuotas, quota_for
from shieldwall.services.kms.records import fresh_key, kept_up, save_key
from shieldwall.services.paging import page_after
from shieldwall.store.sealing import Sealer
from shieldwall.store.sqlite import SqliteStore

T = TypeVar("T")
MAX_TAGS = 50


class KmsBase:
    store: SqliteStore
    sealer: Sealer
    pool: crypto.RsaPool
    quotas: RequestQuotas | None = None

    def found(self, call: Call, value: str, *, aliases: bool = True) -> Found:
        """The key `value` names, after the clock's work (deletion, rotation) is done on it."""
        return self.kept(call, key_for(self.store, call, value, call.now(), aliases=aliases))

    def kept(self, call: Call, found: Found) -> Found:
        key = kept_up(self.store, found.key, call.now(), self.sealer, self.pool)
        return found if key is found.key else Found(key, found.alias, found.blob_version)

    def key(self, call: Call, value: str, *, aliases: bool = False) -> Key:
        return self.found(call, value, aliases=aliases).key

    def throttle(self, call: Call, key_spec: str) -> None:
        """Count a cryptographic request against its quota (when quotas are on): ThrottlingException above it."""
        if self.quotas is not None:
            self.quotas.spend(call.account_id, call.region, quota_for(key_spec), call.now())

    def counted(self, call: Call, found: Found) -> Found:
        """`found`, once its cryptographic request is counted against the quota of its key's type."""
        self.throttle(call, found.key.key_spec)
        return found

    def change(self, key: Key, mutate: Callable[[Key], T]) -> tuple[Key, T]:
        """Apply `mutate` to the stored key in one transaction; (the key as saved, what `mutate` returned)."""
        with self.store.transaction() as tx:
            stored = fresh_key(tx, key)
            result = mutate(stored)
            save_key(tx, stored)
        return stored, result


# -- key states ------------------------------------------------------------------------------------------------


def require_usable(key: Key) -> None:
    """Cryptographic operations need an enabled key."""
    if key.state == DISABLED:
        raise errors.disabled(key.arn)
    if key.state == PENDING_IMPORT:
        raise errors.pending_import(key.arn)
    require_not_pending_deletion(key)


def require_not_pending_deletion(key: Key) -> None:
    if key.state == PENDING_DELETION:
        raise errors.pending_deletion(key.arn)
    if key.state == PENDING_REPLICA_DELETION:
        raise errors.pending_replica_deletion(key.arn)


def require_usage(key: Key, usage: str, operation: str) -> None:
    if key.key_usage != usage:
        raise errors.invalid_key_usage(key.arn, key.key_usage, operation)


def check_dry_run(params: Params) -> None:
    if params.get("DryRun"):
        raise errors.dry_run()


def check_enum(member: str, value: str, allowed: Sequence[str]) -> None:
    if value not in allowed:
        raise errors.enum_problem(member, value, allowed)


def reject_recipient(params: Params) -> None:
    """Nitro Enclaves attestation (Recipient) is not modelled: refuse rather than answer in plaintext."""
    if params.get("Recipient"):
        raise errors.unsupported("shieldwall does not support Recipient (AWS Nitro Enclaves attestation)")


# -- paging ----------------------------------------------------------------------------------------------------


def page(
    items: Sequence[tuple[str, T]], params: Params, default: int, maximum: int
) -> tuple[list[T], Params]:
    """One page of `items` (sorted by key) after the request's Marker, and the Truncated/NextMarker members."""
    limit = min(params.get("Limit") or default, maximum)
    chosen, following = page_after(items, params.get("Marker"), limit, errors.invalid_marker)
    info: Params = {"Truncated": following is not None}
    if following is not None:
        info["NextMarker"] = following
    return chosen, info


# -- tags ------------------------------------------------------------------------------------------------------


def tagged(existing: dict[str, str], new: Sequence[dict[str, Any]]) -> dict[str, str]:
    """`existing` with `new` applied (KMS tag keys are case-sensitive), or AWS's TagException."""
    keys = [str(tag["TagKey"]) for tag in new]
    if len(set(keys)) != len(keys):
        raise errors.tag_error("Duplicate tag keys")
    if any(key.lower().startswith("aws:") for key in keys):
        raise errors.tag_error("Tags beginning with aws: are reserved")
    merged = {**existing, **{str(tag["TagKey"]): str(tag["TagValue"]) for tag in new}}
    if len(merged) > MAX_TAGS:
        raise errors.tag_error("Too many tags")
    return merged


def tag_list(tags: dict[str, str]) -> list[dict[str, str]]:
    return [{"TagKey": key, "TagValue": value} for key, value in sorted(tags.items())]
