"""The key a request is about, found the same way by its authorization rule and by the provider.

Decrypt (and ReEncrypt's source) is the subtle case: a symmetric ciphertext names its key, so KeyId is
optional, and when given it must name that same key (IncorrectKeyException); an asymmetric ciphertext is raw
RSA, so KeyId is required and names the key outright.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, NamedTuple

from shieldwall.services.base import Call
from shieldwall.services.kms import crypto, errors
from shieldwall.services.kms.keyref import KeyRef, key_arn, parse_key_ref
from shieldwall.services.kms.models import Key
from shieldwall.services.kms.records import find_key, locate_blob_key
from shieldwall.store.base import Store

SYMMETRIC_DEFAULT = "SYMMETRIC_DEFAULT"


class Found(NamedTuple):
    key: Key
    alias: str | None = None  # the alias name the request used, for kms:RequestAlias
    blob_version: int | None = None  # the material version a symmetric ciphertext names


def ciphertext_of(params: Mapping[str, Any]) -> bytes:
    """The request's CiphertextBlob: the model makes it optional (DryRun may skip it), the service does not."""
    blob: bytes | None = params.get("CiphertextBlob")
    if blob is None:
        raise errors.validation(
            "1 validation error detected: Value null at 'ciphertextBlob' failed to satisfy constraint: "
            "Member must not be null"
        )
    return blob


def key_for(store: Store, call: Call, value: str, now: datetime, *, aliases: bool = True) -> Found:
    ref = parse_key_ref(value, call, aliases=aliases)
    return Found(find_key(store, ref, now), ref.name if ref.is_alias else None)


def ciphertext_key(store: Store, call: Call, blob: bytes, key_id: str | None, now: datetime) -> Found:
    """The key that decrypts `blob`: the one KeyId names, checked against the blob when it is symmetric."""
    named = key_for(store, call, key_id, now) if key_id else None
    if named is not None and named.key.key_spec != SYMMETRIC_DEFAULT:
        return named
    try:
        blob_key_id, version = crypto.blob_key(blob)
    except crypto.KmsCryptoError:
        raise errors.invalid_ciphertext() from None
    if named is not None:
        if named.key.key_id != blob_key_id:
            raise errors.incorrect_key()
        return Found(named.key, named.alias, version)
    scope = locate_blob_key(store, call.regional_scope, blob_key_id)
    if scope is None:
        raise errors.key_not_found(key_arn(call.partition, call.region, call.account_id, blob_key_id))
    ref = KeyRef("key", blob_key_id, scope.partition, scope.account, scope.region)
    return Found(find_key(store, ref, now), None, version)
