"""Permissions each Secrets Manager operation needs (Service Authorization Reference: AWS Secrets Manager).

An operation on a secret needs its action on the secret's ARN, judged with the secret's resource policy as a
resource policy that *may* allow (not one that must, as a KMS key policy): within the account an identity-based
policy or the secret's policy suffices; from another account (a SecretId that is another account's ARN) both
must allow. The request carries the condition keys AWS documents: secretsmanager:SecretId, the secret's tags
(aws:ResourceTag/* and secretsmanager:ResourceTag/*), secretsmanager:resource/AllowRotationLambdaArn, and each
operation's own.

An operation that encrypts or decrypts a value also exercises a KMS permission on the caller's behalf
(`via_service.kms_request`): kms:Decrypt on the key a version is read with, kms:GenerateDataKey on the key new
values are written under (and on each replica's key), kms:Encrypt and kms:Decrypt when a change of key
re-encrypts the labelled versions. The key policy judges it with kms:ViaService = secretsmanager.<region>...,
which is how the AWS managed key aws/secretsmanager lets its account, and only its account, use it. A denied KMS
permission answers AccessDeniedException "Access to KMS is not allowed".

A SecretId that names no secret is authorized on the ARN it would have; the provider then answers
ResourceNotFoundException to those allowed to ask.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import Any

from shieldwall.errors import AwsError, internal_error
from shieldwall.policy.authorizer import ActionRequest
from shieldwall.services.base import AuthzRule, Call, action_on_any
from shieldwall.services.kms import via_service
from shieldwall.services.kms.via_service import KeyChoice
from shieldwall.services.secretsmanager import envelope, errors, stages
from shieldwall.services.secretsmanager.envelope import DEFAULT_ALIAS_NAME, SERVICE, context_of
from shieldwall.services.secretsmanager.models import AWSCURRENT, AWSPENDING, AWSPREVIOUS, Secret, Version
from shieldwall.services.secretsmanager.names import (
    SecretRef,
    check_name,
    in_region,
    new_arn,
    parse_secret_id,
)
from shieldwall.services.secretsmanager.records import find_secret, read_secret, scope_of
from shieldwall.services.secretsmanager.resource_policy import compiled
from shieldwall.store.base import Scope, Store

Values = tuple[str, ...]
Extra = Callable[[Mapping[str, Any]], dict[str, Values]]
LABELLED = (AWSCURRENT, AWSPENDING, AWSPREVIOUS)


def _store(call: Call) -> Store:
    if call.store is None:
        raise internal_error()
    return call.store


def resource_context(secret: Secret) -> dict[str, Values]:
    context: dict[str, Values] = {"secretsmanager:SecretId": (secret.arn,)}
    for key, value in secret.tags.items():
        context[f"aws:ResourceTag/{key}"] = (value,)
        context[f"secretsmanager:ResourceTag/{key}"] = (value,)
    if secret.rotation is not None and secret.rotation.lambda_arn:
        context["secretsmanager:resource/AllowRotationLambdaArn"] = (secret.rotation.lambda_arn,)
    if secret.primary_region:
        context["secretsmanager:SecretPrimaryRegion"] = (secret.primary_region,)
    return context


def on_secret(action: str, secret: Secret, extra: dict[str, Values] | None = None) -> ActionRequest:
    context = resource_context(secret)
    if extra:
        context.update(extra)
    return ActionRequest(
        action, secret.arn, scope_of(secret).account, context, resource_policy=compiled(secret)
    )


def on_missing(action: str, ref: SecretRef, extra: dict[str, Values] | None = None) -> ActionRequest:
    context: dict[str, Values] = {"secretsmanager:SecretId": (ref.guessed_arn,), **(extra or {})}
    return ActionRequest(action, ref.guessed_arn, ref.account, context)


def located(params: Mapping[str, Any], call: Call) -> tuple[SecretRef, Secret | None]:
    ref = parse_secret_id(str(params["SecretId"]), call)
    return ref, find_secret(_store(call), ref, call.now())


def secret_request(
    action: str, params: Mapping[str, Any], call: Call, extra: Extra | None = None
) -> ActionRequest:
    ref, secret = located(params, call)
    keys = extra(params) if extra is not None else None
    return on_secret(action, secret, keys) if secret is not None else on_missing(action, ref, keys)


def plain(action: str, extra: Extra | None = None) -> AuthzRule:
    """An operation that needs only its own permission on the secret it names."""

    def rule(params: Mapping[str, Any], call: Call) -> list[ActionRequest]:
        return [secret_request(action, params, call, extra)]

    return rule


# -- the KMS permissions exercised through Secrets Manager -------------------------------------------------------


def decrypting(call: Call, secret: Secret, version: Version) -> ActionRequest:
    store = _store(call)
    choice = envelope.read_choice(version)
    key = envelope.find_key_for_read(store, call, choice)
    context = context_of(secret.arn, version.version_id)
    return via_service.kms_request(
        store, call, SERVICE, "kms:Decrypt", key, choice, context, denial=errors.kms_denied()
    )


def encrypting(
    call: Call, choice: KeyChoice, context: Mapping[str, str], action: str = "kms:GenerateDataKey"
) -> ActionRequest:
    store = _store(call)
    try:
        key = via_service.find_service_key(store, call, choice)
    except AwsError as error:
        if choice.key_id is not None and choice.key_id.endswith(f":{DEFAULT_ALIAS_NAME}"):
            raise errors.kms_denied() from None  # another account's aws/secretsmanager: never usable
        raise errors.encryption_failure(error) from None
    return via_service.kms_request(
        store, call, SERVICE, action, key, choice, context, denial=errors.kms_denied()
    )


def replica_writes(call: Call, secret: Secret, version_id: str) -> list[ActionRequest]:
    """kms:GenerateDataKey on each replica's key, in the replica's Region, for a new version."""
    found = []
    for replica in secret.replicas:
        scope = Scope(scope_of(secret).partition, scope_of(secret).account, replica.region)
        stored = read_secret(_store(call), scope, secret.name)
        if stored is None:
            continue
        there = dataclasses.replace(call, region=replica.region)
        choice = envelope.write_choice(stored, there)
        found.append(encrypting(there, choice, context_of(stored.arn, version_id)))
    return found


def _value_given(params: Mapping[str, Any]) -> bool:
    return params.get("SecretString") is not None or params.get("SecretBinary") is not None


def _token(params: Mapping[str, Any]) -> str:
    token = params.get("ClientRequestToken")
    if not token:
        raise errors.token_required()
    return str(token)


# -- operations with their own shape -----------------------------------------------------------------------------


def _create_secret(params: Mapping[str, Any], call: Call) -> list[ActionRequest]:
    name = str(params["Name"])
    check_name(name)
    arn = new_arn(call, name)
    keys: dict[str, Values] = {"secretsmanager:Name": (name,)}
    if params.get("Description") is not None:
        keys["secretsmanager:Description"] = (str(params["Description"]),)
    if params.get("KmsKeyId") is not None:
        keys["secretsmanager:KmsKeyId"] = (str(params["KmsKeyId"]),)
    requests = [ActionRequest("secretsmanager:CreateSecret", arn, call.account_id, keys)]
    if params.get("Tags"):
        requests.append(ActionRequest("secretsmanager:TagResource", arn, call.account_id, keys))
    if params.get("AddReplicaRegions"):
        requests.append(ActionRequest("secretsmanager:ReplicateSecretToRegions", arn, call.account_id, keys))
    choice = _named_choice(params.get("KmsKeyId"))
    if _value_given(params):
        token = _token(params)
        requests.extend(_retried_create(call, name, token))
        requests.append(encrypting(call, choice, context_of(arn, token)))
        requests.extend(_new_replica_writes(call, arn, params.get("AddReplicaRegions") or [], [token]))
    elif choice.key_id is not None:
        envelope.find_key_for_write(_store(call), call, choice)
    return requests


def _retried_create(call: Call, name: str, token: str) -> list[ActionRequest]:
    ref = SecretRef(call.partition, call.account_id, call.region, name, None, name)
    existing = find_secret(_store(call), ref, call.now())
    version = existing.version(token) if existing is not None else None
    if existing is None or version is None:
        return []
    return [on_secret("secretsmanager:GetSecretValue", existing), *_comparing(call, existing, version)]


def _named_choice(key_id: Any) -> KeyChoice:
    return KeyChoice(None if envelope.default_key_id(key_id) else str(key_id), envelope.DEFAULT_ALIAS)


def _new_replica_writes(
    call: Call, primary_arn: str, entries: list[dict[str, Any]], version_ids: list[str]
) -> list[ActionRequest]:
    """kms:GenerateDataKey on each new replica's key, in its Region, for each version it receives."""
    requests = []
    for entry in entries:
        region = str(entry.get("Region", ""))
        if not region or region == call.region:
            continue
        there = dataclasses.replace(call, region=region)
        choice = _named_choice(entry.get("KmsKeyId"))
        replica_arn = in_region(primary_arn, region)
        for version_id in version_ids:
            requests.append(encrypting(there, choice, context_of(replica_arn, version_id)))
        if not version_ids:
            envelope.find_key_for_write(_store(call), there, choice)
    return requests


def _get_secret_value(params: Mapping[str, Any], call: Call) -> list[ActionRequest]:
    ref, secret = located(params, call)
    keys: dict[str, Values] = {}
    if params.get("VersionId"):
        keys["secretsmanager:VersionId"] = (str(params["VersionId"]),)
    if params.get("VersionStage"):
        keys["secretsmanager:VersionStage"] = (str(params["VersionStage"]),)
    if secret is None:
        return [on_missing("secretsmanager:GetSecretValue", ref, keys)]
    requests = [on_secret("secretsmanager:GetSecretValue", secret, keys)]
    version = stages.try_pick(secret, params.get("VersionId"), params.get("VersionStage"))
    if not secret.is_deleted and version is not None and version.keys:
        requests.append(decrypting(call, secret, version))
    return requests


def _put_secret_value(params: Mapping[str, Any], call: Call) -> list[ActionRequest]:
    token = _token(params)
    ref, secret = located(params, call)
    if secret is None:
        return [on_missing("secretsmanager:PutSecretValue", ref)]
    requests = [on_secret("secretsmanager:PutSecretValue", secret)]
    if not _writable(secret) or not _value_given(params):
        return requests
    existing = secret.version(token)
    if existing is not None:
        requests.extend(_comparing(call, secret, existing))
        return requests
    choice = envelope.write_choice(secret, call)
    requests.append(encrypting(call, choice, context_of(secret.arn, token)))
    requests.extend(replica_writes(call, secret, token))
    return requests


def _comparing(call: Call, secret: Secret, version: Version) -> list[ActionRequest]:
    """A retried token is answered by comparing values, which decrypts the stored one: that needs kms:Decrypt
    too, or the answer would tell a caller who may not read the secret whether a guess was right."""
    return [decrypting(call, secret, version)] if version.keys else []


def _writable(secret: Secret) -> bool:
    return not secret.is_deleted and not secret.is_replica


def _update_secret(params: Mapping[str, Any], call: Call) -> list[ActionRequest]:
    keys: dict[str, Values] = {}
    if params.get("Description") is not None:
        keys["secretsmanager:Description"] = (str(params["Description"]),)
    if params.get("KmsKeyId") is not None:
        keys["secretsmanager:KmsKeyId"] = (str(params["KmsKeyId"]),)
    token = _token(params) if _value_given(params) else None
    ref, secret = located(params, call)
    if secret is None:
        return [on_missing("secretsmanager:UpdateSecret", ref, keys)]
    requests = [on_secret("secretsmanager:UpdateSecret", secret, keys)]
    if not _writable(secret):
        return requests
    choice = envelope.write_choice(secret, call, params.get("KmsKeyId"))
    if token is not None and secret.version(token) is None:
        requests.append(encrypting(call, choice, context_of(secret.arn, token)))
        requests.extend(replica_writes(call, secret, token))
    if params.get("KmsKeyId") is not None:
        requests.extend(_reencrypting(call, secret, choice))
    return requests


def _reencrypting(call: Call, secret: Secret, choice: KeyChoice) -> list[ActionRequest]:
    """kms:Decrypt on each labelled version's key and kms:Encrypt on the new key, when the key changes."""
    new_key = envelope.find_key_for_write(_store(call), call, choice)
    new_arn = new_key.arn if new_key is not None else None
    requests = []
    for version in reencrypted(secret, new_arn):
        context = context_of(secret.arn, version.version_id)
        requests.append(decrypting(call, secret, version))
        requests.append(encrypting(call, choice, context, "kms:Encrypt"))
    return requests


def reencrypted(secret: Secret, new_key_arn: str | None) -> list[Version]:
    """The versions a change of key re-encrypts: AWSCURRENT, AWSPENDING and AWSPREVIOUS, unless already under it."""
    return [
        version
        for version in secret.versions
        if version.keys
        and any(stage in LABELLED for stage in version.stages)
        and version.keys[-1].arn != new_key_arn
    ]


def _rotate_secret(params: Mapping[str, Any], call: Call) -> list[ActionRequest]:
    _token(params)
    keys: dict[str, Values] = {
        "secretsmanager:RotateImmediately": (
            "false" if params.get("RotateImmediately") is False else "true",
        ),
        "secretsmanager:ModifyRotationRules": ("true" if params.get("RotationRules") else "false",),
    }
    lambda_arn = params.get("RotationLambdaARN")
    if lambda_arn:
        keys["secretsmanager:RotationLambdaARN"] = (str(lambda_arn),)
    requests = [secret_request("secretsmanager:RotateSecret", params, call, lambda _: keys)]
    if lambda_arn and str(lambda_arn).startswith("arn:"):
        requests.append(ActionRequest("lambda:InvokeFunction", str(lambda_arn)))
    return requests


def _replicate(params: Mapping[str, Any], call: Call) -> list[ActionRequest]:
    regions = [str(entry.get("Region", "")) for entry in params.get("AddReplicaRegions") or []]
    keys: dict[str, Values] = {"secretsmanager:AddReplicaRegions": tuple(regions)}
    if params.get("ForceOverwriteReplicaSecret") is not None:
        flag = "true" if params["ForceOverwriteReplicaSecret"] else "false"
        keys["secretsmanager:ForceOverwriteReplicaSecret"] = (flag,)
    ref, secret = located(params, call)
    if secret is None:
        return [on_missing("secretsmanager:ReplicateSecretToRegions", ref, keys)]
    requests = [on_secret("secretsmanager:ReplicateSecretToRegions", secret, keys)]
    if _writable(secret):
        requests.extend(replication_kms(call, secret, params.get("AddReplicaRegions") or []))
    return requests


def replication_kms(call: Call, secret: Secret, entries: list[dict[str, Any]]) -> list[ActionRequest]:
    """Decrypt each version's value here; encrypt it under each new replica's key, in its Region."""
    requests = [decrypting(call, secret, version) for version in secret.versions if version.keys]
    version_ids = [version.version_id for version in secret.versions if version.keys]
    return [*requests, *_new_replica_writes(call, secret.arn, entries, version_ids)]


def _batch_get(params: Mapping[str, Any], call: Call) -> list[ActionRequest]:
    """The call itself; each secret's GetSecretValue and kms:Decrypt are judged by the provider (`Call.judge`),
    so a secret the caller may not read lands in `Errors` as on AWS."""
    requests = [ActionRequest("secretsmanager:BatchGetSecretValue", "*")]
    if params.get("Filters"):
        requests.append(ActionRequest("secretsmanager:ListSecrets", "*"))
    return requests


def read_requests(call: Call, secret: Secret) -> list[ActionRequest]:
    """What reading a secret's current value needs: GetSecretValue on it and kms:Decrypt through the service."""
    requests = [on_secret("secretsmanager:GetSecretValue", secret)]
    version = secret.staged(AWSCURRENT)
    if not secret.is_deleted and version is not None and version.keys:
        requests.append(decrypting(call, secret, version))
    return requests


def _validate_policy(params: Mapping[str, Any], call: Call) -> list[ActionRequest]:
    if not params.get("SecretId"):
        return [
            ActionRequest("secretsmanager:ValidateResourcePolicy", "*"),
            ActionRequest("secretsmanager:PutResourcePolicy", "*"),
        ]
    return [
        secret_request("secretsmanager:ValidateResourcePolicy", params, call),
        secret_request("secretsmanager:PutResourcePolicy", params, call),
    ]


def _flag(member: str, key: str) -> Extra:
    def extra(params: Mapping[str, Any]) -> dict[str, Values]:
        if params.get(member) is None:
            return {}
        value = params[member]
        return {key: ("true" if value is True else "false" if value is False else str(value),)}

    return extra


def _deleting(params: Mapping[str, Any]) -> dict[str, Values]:
    return {
        **_flag("RecoveryWindowInDays", "secretsmanager:RecoveryWindowInDays")(params),
        **_flag("ForceDeleteWithoutRecovery", "secretsmanager:ForceDeleteWithoutRecovery")(params),
    }


def _staging(params: Mapping[str, Any]) -> dict[str, Values]:
    return {"secretsmanager:VersionStage": (str(params.get("VersionStage", "")),)}


AUTHZ: dict[str, AuthzRule] = {
    "CreateSecret": _create_secret,
    "GetSecretValue": _get_secret_value,
    "BatchGetSecretValue": _batch_get,
    "PutSecretValue": _put_secret_value,
    "UpdateSecret": _update_secret,
    "DescribeSecret": plain("secretsmanager:DescribeSecret"),
    "ListSecrets": action_on_any("secretsmanager:ListSecrets"),
    "ListSecretVersionIds": plain("secretsmanager:ListSecretVersionIds"),
    "UpdateSecretVersionStage": plain("secretsmanager:UpdateSecretVersionStage", _staging),
    "TagResource": plain("secretsmanager:TagResource"),
    "UntagResource": plain("secretsmanager:UntagResource"),
    "GetRandomPassword": action_on_any("secretsmanager:GetRandomPassword"),
    "DeleteSecret": plain("secretsmanager:DeleteSecret", _deleting),
    "RestoreSecret": plain("secretsmanager:RestoreSecret"),
    "PutResourcePolicy": plain(
        "secretsmanager:PutResourcePolicy", _flag("BlockPublicPolicy", "secretsmanager:BlockPublicPolicy")
    ),
    "GetResourcePolicy": plain("secretsmanager:GetResourcePolicy"),
    "DeleteResourcePolicy": plain("secretsmanager:DeleteResourcePolicy"),
    "ListResourcePolicies": plain("secretsmanager:ListResourcePolicies"),
    "ValidateResourcePolicy": _validate_policy,
    "ReplicateSecretToRegions": _replicate,
    "RemoveRegionsFromReplication": plain("secretsmanager:RemoveRegionsFromReplication"),
    "StopReplicationToReplica": plain("secretsmanager:StopReplicationToReplica"),
    "RotateSecret": _rotate_secret,
    "CancelRotateSecret": plain("secretsmanager:CancelRotateSecret"),
}
