"""Permissions each KMS operation needs ("AWS KMS permissions", KMS Developer Guide).

An operation on a key needs its action on the key's ARN, judged with the key policy as a resource policy that
must allow even within the account (`resource_required`): the authorizer then gives AWS's semantics: a key
policy that names the account root delegates to IAM policies, one that does not locks out every IAM policy and
the root user too, and a key of another account needs both its key policy and the caller's IAM policy.
The rule finds the key (by id, key ARN, alias name or alias ARN) and answers NotFoundException itself.

Operations AWS serves only within the key's account ("Cross-account use: No") are judged against a policy that
allows nothing when the key ARN names another account, so they are denied like any unauthorized request.
Alias operations also need the action on the alias ARN (IAM policies only). Each request carries the KMS
condition keys AWS documents for it, spelled as AWS spells them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from shieldwall.errors import internal_error
from shieldwall.policy.authorizer import ActionRequest
from shieldwall.policy.document import compile_document
from shieldwall.services.base import AuthzRule, Call, action_on_any
from shieldwall.services.kms.keyref import KeyRef, alias_arn, check_alias_name, parse_key_ref
from shieldwall.services.kms.lookup import Found, ciphertext_key, ciphertext_of
from shieldwall.services.kms.managed import PREDEFINED, aws_managed_key
from shieldwall.services.kms.models import Key
from shieldwall.services.kms.policies import key_policy
from shieldwall.services.kms.records import find_key, read_alias
from shieldwall.store.base import Store

Values = tuple[str, ...]
Extra = Callable[[Mapping[str, Any]], dict[str, Values]]
_NOTHING = compile_document({"Version": "2012-10-17", "Statement": []}, "resource", "no cross-account use")


def _store(call: Call) -> Store:
    if call.store is None:
        raise internal_error()
    return call.store


def key_context(key: Key, call: Call, alias: str | None) -> dict[str, Values]:
    context: dict[str, Values] = {
        "kms:CallerAccount": (call.principal.account_id,),
        "kms:KeySpec": (key.key_spec,),
        "kms:KeyUsage": (key.key_usage,),
        "kms:KeyOrigin": (key.origin,),
        "kms:MultiRegion": ("true" if key.multi_region else "false",),
    }
    if key.multi_region:
        context["kms:MultiRegionKeyType"] = (key.multi_region_type or "PRIMARY",)
    if key.aliases:
        context["kms:ResourceAliases"] = tuple(key.aliases)
    if alias is not None:
        context["kms:RequestAlias"] = (alias,)
    for tag, value in key.tags.items():
        context[f"aws:ResourceTag/{tag}"] = (value,)
    return context


def judged(action: str, found: Found, call: Call, extra: dict[str, Values] | None = None) -> ActionRequest:
    key = found.key
    context = key_context(key, call, found.alias)
    if extra:
        context.update(extra)
    return ActionRequest(
        action, key.arn, key.account_id, context, resource_policy=key_policy(key), resource_required=True
    )


def via_service(
    action: str, key: Key, call: Call, service: str, context: Mapping[str, str] | None = None
) -> ActionRequest:
    """For another service's authorization rule: the KMS permission it exercises on its caller's behalf
    (Secrets Manager's kms:GenerateDataKey, say), with kms:ViaService set as AWS sets it, so the key policy of an
    AWS managed key allows it and a customer key policy can require it."""
    extra = {"kms:ViaService": (f"{service}.{call.region}.amazonaws.com",), **encryption_context(context)}
    return judged(action, Found(key), call, extra)


def _foreign(action: str, ref: KeyRef) -> ActionRequest:
    return ActionRequest(action, ref.arn, ref.account, resource_policy=_NOTHING, resource_required=True)


def on_key(
    action: str, *, aliases: bool = True, cross_account: bool = True, keys: Extra | None = None
) -> AuthzRule:
    def rule(params: Mapping[str, Any], call: Call) -> list[ActionRequest]:
        ref = parse_key_ref(params["KeyId"], call, aliases=aliases)
        if not cross_account and ref.account != call.account_id:
            return [_foreign(action, ref)]
        found = Found(find_key(_store(call), ref, call.now()), ref.name if ref.is_alias else None)
        return [judged(action, found, call, keys(params) if keys is not None else None)]

    return rule


def managing(action: str, keys: Extra | None = None) -> AuthzRule:
    """An operation that manages a key: key id or ARN only, in the caller's own account."""
    return on_key(action, aliases=False, cross_account=False, keys=keys)


# -- condition keys of the request ----------------------------------------------------------------------------


def encryption_context(context: Mapping[str, str] | None, algorithm: str | None = None) -> dict[str, Values]:
    keys: dict[str, Values] = {"kms:EncryptionAlgorithm": (algorithm or "SYMMETRIC_DEFAULT",)}
    if context:
        keys["kms:EncryptionContextKeys"] = tuple(context)
        for name, value in context.items():
            keys[f"kms:EncryptionContext:{name}"] = (value,)
    return keys


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
    return {"kms:BypassPolicyLockoutSafetyCheck": (_flag(params.get("BypassPolicyLockoutSafetyCheck")),)}


def _flag(value: object) -> str:
    return "true" if value else "false"


# -- operations with their own shape ---------------------------------------------------------------------------


def _create_key(params: Mapping[str, Any], call: Call) -> list[ActionRequest]:
    key_spec = params.get("KeySpec") or params.get("CustomerMasterKeySpec") or "SYMMETRIC_DEFAULT"
    context: dict[str, Values] = {
        "kms:KeySpec": (str(key_spec),),
        "kms:KeyUsage": (str(params.get("KeyUsage") or "ENCRYPT_DECRYPT"),),
        "kms:KeyOrigin": (str(params.get("Origin") or "AWS_KMS"),),
        "kms:MultiRegion": (_flag(params.get("MultiRegion")),),
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
    found = Found(find_key(_store(call), ref, call.now()), ref.name if ref.is_alias else None)
    return [judged("kms:DescribeKey", found, call)]


def _ensure_managed_key(call: Call, ref: KeyRef) -> None:
    store = _store(call)
    if read_alias(store, ref.scope, ref.name) is None:
        with store.transaction() as tx:
            aws_managed_key(
                tx, ref.partition, ref.account, ref.region, ref.name, call.now(), sealer=call.sealer
            )


def _decrypt(params: Mapping[str, Any], call: Call) -> list[ActionRequest]:
    found = ciphertext_key(_store(call), call, ciphertext_of(params), params.get("KeyId"), call.now())
    return [judged("kms:Decrypt", found, call, _encrypting(params))]


def _re_encrypt(params: Mapping[str, Any], call: Call) -> list[ActionRequest]:
    store, now = _store(call), call.now()
    source = ciphertext_key(store, call, ciphertext_of(params), params.get("SourceKeyId"), now)
    destination_ref = parse_key_ref(params["DestinationKeyId"], call)
    destination = Found(
        find_key(store, destination_ref, now), destination_ref.name if destination_ref.is_alias else None
    )
    same = {"kms:ReEncryptOnSameKey": (_flag(source.key.arn == destination.key.arn),)}
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
        return _foreign(action, ref)
    return judged(action, Found(find_key(_store(call), ref, call.now())), call)


def _aliased_key(action: str, call: Call, name: str) -> ActionRequest:
    ref = KeyRef("alias", name, call.partition, call.account_id, call.region)
    return judged(action, Found(find_key(_store(call), ref, call.now())), call)


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
}

AUTHZ: dict[str, AuthzRule] = {
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
}
