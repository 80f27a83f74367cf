"""KMS used by another service on its caller's behalf: Secrets Manager and SSM Parameter Store (later S3).

AWS's services call KMS as the caller, through the service: the key policy and the caller's IAM policies must
allow the KMS action with `kms:ViaService` = `<service>.<region>.amazonaws.com` (which is also how an AWS
managed key's policy lets any principal of the account use it, and only that way), and CloudTrail records the
KMS call itself with `invokedBy` the service. Here:

- `kms_request` is for the service's authorization rule: the KMS permission the operation exercises, judged by
  the gateway with the key policy like any KMS request (its denial answered the way the service answers it);
- `seal` / `open_blob` do the cryptography with exactly the code Encrypt and Decrypt use, and enforce key states;
- `record_kms_call` puts the KMS event in the audit trail.

An AWS managed key (`alias/aws/secretsmanager`, `alias/aws/ssm`) is created on first use, by `seal`; before it
exists, `kms_request` judges the request against the policy that key will have, on the alias's ARN.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from shieldwall.audit.events import build_event
from shieldwall.audit.log import AuditLog
from shieldwall.errors import AwsError
from shieldwall.policy.authorizer import ActionRequest
from shieldwall.services.base import Call
from shieldwall.services.kms import crypto, errors
from shieldwall.services.kms.authz import encryption_context, judged, key_context
from shieldwall.services.kms.cipher import open_symmetric, seal_symmetric
from shieldwall.services.kms.common import require_usable
from shieldwall.services.kms.keyref import alias_arn, key_arn, parse_key_ref
from shieldwall.services.kms.lookup import Found
from shieldwall.services.kms.managed import alias_name_of, aws_managed_key, new_managed_key
from shieldwall.services.kms.models import Alias, Key
from shieldwall.services.kms.policies import key_policy
from shieldwall.services.kms.records import find_key, is_expired, keep_up, locate_blob_key, read_key, save_key
from shieldwall.store.base import Scope, Store, Transaction
from shieldwall.store.sealing import Sealer

SYMMETRIC_DEFAULT = "SYMMETRIC_DEFAULT"


@dataclass(frozen=True, slots=True)
class KeyChoice:
    """The key a service request names (`key_id`), or the service's AWS managed key when it names none."""

    key_id: str | None
    managed_alias: str  # "aws/secretsmanager", "aws/ssm", ...


def via(service: str, call: Call) -> str:
    return f"{service}.{call.region}.amazonaws.com"


def find_service_key(store: Store, call: Call, choice: KeyChoice) -> Key | None:
    """The key as it is now; None for an AWS managed key not created yet. KMS's errors (NotFoundException,
    InvalidArnException) when `key_id` names no key."""
    if choice.key_id:
        return find_key(store, parse_key_ref(choice.key_id, call), call.now())
    name = alias_name_of(choice.managed_alias)
    return _managed(store, call, name)


def _managed(store: Store, call: Call, alias_name: str) -> Key | None:
    try:
        return find_key(store, parse_key_ref(alias_name, call), call.now())
    except AwsError:
        return None


def kms_request(
    store: Store,
    call: Call,
    service: str,
    action: str,
    key: Key | None,
    choice: KeyChoice,
    context: Mapping[str, str] | None = None,
    denial: AwsError | None = None,
) -> ActionRequest:
    """The KMS permission (`kms:Decrypt`, `kms:GenerateDataKey`, ...) a service operation exercises on the
    caller's behalf, for the service's authorization rule. `denial` is how the service answers when it is
    denied (Secrets Manager: AccessDeniedException "Access to KMS is not allowed")."""
    extra = {"kms:ViaService": (via(service, call),), **encryption_context(context)}
    if key is not None:
        return judged(action, Found(key), call, extra, denial)
    future = new_managed_key(
        call.partition, call.account_id, call.region, alias_name_of(choice.managed_alias), call.now()
    )
    alias = alias_arn(call.partition, call.region, call.account_id, alias_name_of(choice.managed_alias))
    return ActionRequest(
        action,
        alias,
        call.account_id,
        {**key_context(future, call, None), **extra},
        resource_policy=key_policy(future),
        resource_required=True,
        denial=denial,
        outside_rcps=True,  # the AWS managed key the call will create
    )


def service_key_for_write(tx: Transaction, sealer: Sealer, call: Call, choice: KeyChoice) -> Key:
    """The key to encrypt new data under, inside the service's transaction: the named key, or the AWS managed
    key (created now if it does not exist yet). Rotation due by the clock is applied first."""
    if choice.key_id:
        key = _named_key(tx, call, choice.key_id)
    else:
        key = aws_managed_key(
            tx, call.partition, call.account_id, call.region, choice.managed_alias, call.now(), sealer=sealer
        )
    return _kept_up(tx, sealer, key, call)


def _named_key(tx: Transaction, call: Call, key_id: str) -> Key:
    ref = parse_key_ref(key_id, call)
    name = ref.name
    if ref.is_alias:
        alias = tx.get(ref.scope, Alias, ref.name)
        if alias is None:
            raise errors.alias_not_found(ref.arn)
        name = alias.target_key_id
    key = tx.get(ref.scope, Key, name)
    if key is None or is_expired(key, call.now()):
        raise errors.key_not_found(key_arn(ref.partition, ref.region, ref.account, name))
    return key


def _kept_up(tx: Transaction, sealer: Sealer, key: Key, call: Call) -> Key:
    before = (key.current_version, key.state)
    keep_up(key, call.now(), sealer, None)
    if (key.current_version, key.state) != before:
        save_key(tx, key)
    return key


def seal(sealer: Sealer, key: Key, plaintext: bytes, context: Mapping[str, str]) -> bytes:
    """A ciphertext blob of `plaintext` under `key`, bound to `context`; KMS's key-state errors."""
    require_usable(key)
    if key.key_spec != SYMMETRIC_DEFAULT:
        raise errors.invalid_key_usage(key.arn, key.key_usage, "GenerateDataKey")
    blob, _ = seal_symmetric(sealer, key, plaintext, context)
    return blob


def blob_key(store: Store, call: Call, blob: bytes) -> Key:
    """The key a ciphertext names, in the caller's account and Region (or another account's, by the index)."""
    try:
        key_id, _ = crypto.blob_key(blob)
    except crypto.KmsCryptoError:
        raise errors.invalid_ciphertext() from None
    scope = locate_blob_key(store, Scope(call.partition, call.account_id, call.region), key_id)
    key = read_key(store, scope, key_id) if scope is not None else None
    if key is None:
        raise errors.invalid_ciphertext()
    return key


def open_blob(sealer: Sealer, key: Key, blob: bytes, context: Mapping[str, str]) -> bytes:
    """The plaintext of a blob made under `key`; InvalidCiphertextException when it or its context is wrong."""
    require_usable(key)
    try:
        _, version = crypto.blob_key(blob)
    except crypto.KmsCryptoError:
        raise errors.invalid_ciphertext() from None
    plaintext, _ = open_symmetric(sealer, key, blob, version, context)
    return plaintext


def record_kms_call(
    audit: AuditLog,
    call: Call,
    service: str,
    operation: str,
    key: Key,
    context: Mapping[str, str],
    extra: Mapping[str, Any] | None = None,
) -> None:
    """The KMS event CloudTrail records when a service calls KMS for the caller: the caller's identity with
    `invokedBy`, the service as source, the key ARN as resource."""
    identity = dict(call.principal.user_identity())
    identity["invokedBy"] = f"{service}.amazonaws.com"
    request: dict[str, Any] = {"encryptionContext": dict(context), "encryptionAlgorithm": SYMMETRIC_DEFAULT}
    if extra:
        request.update(extra)
    event = build_event(
        event_time=call.now(),
        event_source="kms.amazonaws.com",
        event_name=operation,
        aws_region=call.region,
        source_ip=f"{service}.amazonaws.com",
        user_agent=f"{service}.amazonaws.com",
        user_identity=identity,
        request_id=call.request_id,
        recipient_account_id=key.account_id,
        request=request,
        read_only=True,
        resources=[{"ARN": key.arn, "accountId": key.account_id, "type": "AWS::KMS::Key"}],
    )
    # Built here from the context and algorithm only (never a plaintext), so it needs no model to redact it.
    event["requestParameters"] = request
    audit.record(event)
