"""Permissions each KMS operation needs ("AWS KMS permissions", KMS Developer Guide).

An operation on a key needs its action on the key's ARN, judged with the key policy (and the key's grants) as a
resource policy that must allow even within the account (`resource_required`): the authorizer then gives AWS's
semantics: a key policy that names the account root delegates to IAM policies, one that does not locks out every
IAM policy and the root user too, and a key of another account needs both its key policy and the caller's IAM
policy. The rule finds the key (by id, key ARN, alias name or alias ARN) and answers NotFoundException itself.

Alias operations also need the action on the alias ARN (IAM policies only). Each request carries the KMS
condition keys AWS documents for it, spelled as AWS spells them. Grant tokens (GrantTokens) are checked before
anything else: a token shieldwall did not mint is InvalidGrantTokenException.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from shieldwall.policy.authorizer import ActionRequest
from shieldwall.services.base import AuthzRule, Call, action_on_any
from shieldwall.services.kms.grant_authz import GRANT_AUTHZ, with_grant_tokens
from shieldwall.services.kms.judging import (
    Extra,
    Values,
    encryption_context,
    flag,
    foreign,
    found_key,
    judged,
    key_context,
    managing,
    on_key,
    store_of,
)
from shieldwall.services.kms.keyref import KeyRef, alias_arn, check_alias_name, parse_key_ref
from shieldwall.services.kms.lookup import Found, ciphertext_key, ciphertext_of
from shieldwall.services.kms.managed import PREDEFINED, aws_managed_key
from shieldwall.services.kms.models import Key
from shieldwall.services.kms.records import find_key, read_alias
from shieldwall.services.kms.replica_authz import REPLICA_AUTHZ

__all__ = ["AUTHZ", "encryption_context", "judged", "key_context", "managing", "on_key", "via_service"]


def via_service(
    action: str, key: Key, call: Call, service: str, context: Mapping[str, str] | None = None
) -> ActionRequest:
    """For another service's authorization rule: the KMS permission it exercises on its caller's behalf
    (Secrets Manager's kms:GenerateDataKey, say), with kms:ViaService set as AWS sets it, so the key policy of an
    AWS managed key allows it and a customer key policy can require it."""
    extra = {"kms:ViaService": (f"{service}.{call.region}.amazonaws.com",), **encryption_context(context)}
    return judged(action, Found(key), call, extra)


# -- condition keys of the request ----------------------------------------------------------------------------


def _encrypting(params: Mapping[str, Any]) -> dict[str, Values]:
    return encryption_context(params.get("EncryptionContext"), params.get("EncryptionAlgorithm"))


def _key_pair(params: Mapping[str, Any]) -> dict[str, Values]:
    return {**_encrypting(params), "kms:DataKeyPairSpec": (str(params.get("KeyPairSpec", "")),)}


def _signing(params: Mapping[str, Any]) -> dict[str, Values]:
    return {
        "kms:SigningAlgorithm": (str(params.get("SigningAlgorithm", "")),),
        "kms:MessageType": (str(params.get("MessageType") or "RAW"),),
    }


def _mac(params: Mapping[str, Any]) -> dict[str, Values]:
    return {"kms:MacAlgorithm": (str(params.get("MacAlgorithm", "")),)}


def _agreement(params: Mapping[str, Any]) -> dict[str, Values]:
    return {"kms:KeyAgreementAlgorithm": (str(params.get("KeyAgreementAlgorithm", "")),)}


def _rotation(params: Mapping[str, Any]) -> dict[str, Values]:
    return {"kms:RotationPeriodInDays": (str(params.get("RotationPeriodInDays") or 365),)}


def _deletion(params: Mapping[str, Any]) -> dict[str, Values]:
    return {"kms:ScheduleKeyDeletionPendingWindowInDays": (str(params.get("PendingWindowInDays") or 30),)}


def _bypass(params: Mapping[str, Any]) -> dict[str, Values]:
    return {"kms:BypassPolicyLockoutSafetyCheck": (flag(params.get("BypassPolicyLockoutSafetyCheck")),)}


def _wrapping(params: Mapping[str, Any]) -> dict[str, Values]:
    return {
        "kms:WrappingAlgorithm": (str(params.get("WrappingAlgorithm", "")),),
        "kms:WrappingKeySpec": (str(params.get("WrappingKeySpec", "")),),
    }


def _importing(params: Mapping[str, Any]) -> dict[str, Values]:
    keys: dict[str, Values] = {
        "kms:ExpirationModel": (str(params.get("ExpirationModel") or "KEY_MATERIAL_EXPIRES"),)
    }
    valid_to = params.get("ValidTo")
    if valid_to is not None:
        keys["kms:ValidTo"] = (str(valid_to.timestamp()),)
    return keys


# -- operations with their own shape ---------------------------------------------------------------------------


def _create_key(params: Mapping[str, Any], call: Call) -> list[ActionRequest]:
    key_spec = params.get("KeySpec") or params.get("CustomerMasterKeySpec") or "SYMMETRIC_DEFAULT"
    context: dict[str, Values] = {
        "kms:KeySpec": (str(key_spec),),
        "kms:KeyUsage": (str(params.get("KeyUsage") or "ENCRYPT_DECRYPT"),),
        "kms:KeyOrigin": (str(params.get("Origin") or "AWS_KMS"),),
        "kms:MultiRegion": (flag(params.get("MultiRegion")),),
        "kms:CallerAccount": (call.principal.account_id,),
        **_bypass(params),
    }
    if params.get("MultiRegion"):
        context["kms:MultiRegionKeyType"] = ("PRIMARY",)
    requests = [ActionRequest("kms:CreateKey", "*", context=context)]
    if params.get("Tags"):
        requests.append(ActionRequest("kms:TagResource", "*", context=context))
    return requests


def _describe_key(params: Mapping[str, Any], call: Call) -> list[ActionRequest]:
    ref = parse_key_ref(params["KeyId"], call)
    if ref.is_alias and ref.name in PREDEFINED and ref.account == call.account_id:
        _ensure_managed_key(call, ref)
    found = found_key(call, ref)
    return [judged("kms:DescribeKey", found, call)]


def _ensure_managed_key(call: Call, ref: KeyRef) -> None:
    store = store_of(call)
    if read_alias(store, ref.scope, ref.name) is None:
        with store.transaction() as tx:
            aws_managed_key(
                tx, ref.partition, ref.account, ref.region, ref.name, call.now(), sealer=call.sealer
            )


def _decrypt(params: Mapping[str, Any], call: Call) -> list[ActionRequest]:
    found = ciphertext_key(store_of(call), call, ciphertext_of(params), params.get("KeyId"), call.now())
    return [judged("kms:Decrypt", found, call, _encrypting(params))]


def _re_encrypt(params: Mapping[str, Any], call: Call) -> list[ActionRequest]:
    store, now = store_of(call), call.now()
    source = ciphertext_key(store, call, ciphertext_of(params), params.get("SourceKeyId"), now)
    destination_ref = parse_key_ref(params["DestinationKeyId"], call)
    destination = Found(
        find_key(store, destination_ref, now), destination_ref.name if destination_ref.is_alias else None
    )
    same = {"kms:ReEncryptOnSameKey": (flag(source.key.arn == destination.key.arn),)}
    source_keys = encryption_context(
        params.get("SourceEncryptionContext"), params.get("SourceEncryptionAlgorithm")
    )
    destination_keys = encryption_context(
        params.get("DestinationEncryptionContext"), params.get("DestinationEncryptionAlgorithm")
    )
    return [
        judged("kms:ReEncryptFrom", source, call, {**source_keys, **same}),
        judged("kms:ReEncryptTo", destination, call, {**destination_keys, **same}),
    ]


def _alias_request(action: str, call: Call, name: str) -> ActionRequest:
    return ActionRequest(
        action, alias_arn(call.partition, call.region, call.account_id, name), call.account_id
    )


def _target(action: str, call: Call, value: str) -> ActionRequest:
    ref = parse_key_ref(value, call, aliases=False)
    if ref.account != call.account_id:
        return foreign(action, ref)
    return judged(action, Found(find_key(store_of(call), ref, call.now())), call)


def _aliased_key(action: str, call: Call, name: str) -> ActionRequest:
    ref = KeyRef("alias", name, call.partition, call.account_id, call.region)
    return judged(action, Found(find_key(store_of(call), ref, call.now())), call)


def _create_alias(params: Mapping[str, Any], call: Call) -> list[ActionRequest]:
    name = params["AliasName"]
    check_alias_name(name, creating=True)
    return [
        _alias_request("kms:CreateAlias", call, name),
        _target("kms:CreateAlias", call, params["TargetKeyId"]),
    ]


def _update_alias(params: Mapping[str, Any], call: Call) -> list[ActionRequest]:
    name = params["AliasName"]
    check_alias_name(name)
    return [
        _alias_request("kms:UpdateAlias", call, name),
        _aliased_key("kms:UpdateAlias", call, name),
        _target("kms:UpdateAlias", call, params["TargetKeyId"]),
    ]


def _delete_alias(params: Mapping[str, Any], call: Call) -> list[ActionRequest]:
    name = params["AliasName"]
    check_alias_name(name)
    return [_alias_request("kms:DeleteAlias", call, name), _aliased_key("kms:DeleteAlias", call, name)]


_USING = {
    "Encrypt": _encrypting,
    "GenerateDataKey": _encrypting,
    "GenerateDataKeyWithoutPlaintext": _encrypting,
    "GenerateDataKeyPair": _key_pair,
    "GenerateDataKeyPairWithoutPlaintext": _key_pair,
    "Sign": _signing,
    "Verify": _signing,
    "GenerateMac": _mac,
    "VerifyMac": _mac,
    "DeriveSharedSecret": _agreement,
}
_MANAGING: dict[str, Extra | None] = {
    "EnableKey": None,
    "DisableKey": None,
    "UpdateKeyDescription": None,
    "TagResource": None,
    "UntagResource": None,
    "ListResourceTags": None,
    "GetKeyPolicy": None,
    "PutKeyPolicy": _bypass,
    "ListKeyPolicies": None,
    "ScheduleKeyDeletion": _deletion,
    "CancelKeyDeletion": None,
    "EnableKeyRotation": _rotation,
    "DisableKeyRotation": None,
    "RotateKeyOnDemand": None,
    "ListKeyRotations": None,
    "GetParametersForImport": _wrapping,
    "ImportKeyMaterial": _importing,
    "DeleteImportedKeyMaterial": None,
}

_RULES: dict[str, AuthzRule] = {
    "CreateKey": _create_key,
    "ListKeys": action_on_any("kms:ListKeys"),
    "ListAliases": action_on_any("kms:ListAliases"),
    "GenerateRandom": action_on_any("kms:GenerateRandom"),
    "DescribeKey": _describe_key,
    "Decrypt": _decrypt,
    "ReEncrypt": _re_encrypt,
    "CreateAlias": _create_alias,
    "UpdateAlias": _update_alias,
    "DeleteAlias": _delete_alias,
    "GetPublicKey": on_key("kms:GetPublicKey"),
    "GetKeyRotationStatus": on_key("kms:GetKeyRotationStatus", aliases=False),
    **{name: on_key(f"kms:{name}", keys=keys) for name, keys in _USING.items()},
    **{name: managing(f"kms:{name}", keys) for name, keys in _MANAGING.items()},
    **GRANT_AUTHZ,
    **REPLICA_AUTHZ,
}

AUTHZ: dict[str, AuthzRule] = {name: with_grant_tokens(name, rule) for name, rule in _RULES.items()}
