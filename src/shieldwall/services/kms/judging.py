"""How a request on a key is put to the authorizer: the key's condition keys, its key policy (with a statement per
grant, see `grant_policy`), and the rules for operations that name their key in `KeyId`.

An operation on a key needs its action on the key's ARN, judged with the key policy as a resource policy that
must allow even within the account (`resource_required`). Operations AWS serves only within the key's account
("Cross-account use: No") are judged against a policy that allows nothing when the key ARN names another account,
so they are denied like any unauthorized request.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from shieldwall.errors import internal_error
from shieldwall.policy.authorizer import ActionRequest
from shieldwall.policy.document import compile_document
from shieldwall.services.base import AuthzRule, Call
from shieldwall.services.kms.keyref import KeyRef, parse_key_ref
from shieldwall.services.kms.lookup import Found
from shieldwall.services.kms.models import AWS, Key
from shieldwall.services.kms.policies import key_policy
from shieldwall.services.kms.records import find_key
from shieldwall.store.base import Store

Values = tuple[str, ...]
Extra = Callable[[Mapping[str, Any]], dict[str, Values]]
NOTHING = compile_document({"Version": "2012-10-17", "Statement": []}, "resource", "no cross-account use")


def store_of(call: Call) -> Store:
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


def judged(
    action: str,
    found: Found,
    call: Call,
    extra: dict[str, Values] | None = None,
    denial: Exception | None = None,
) -> ActionRequest:
    """`action` on the key, judged under its key policy; `denial` as in `ActionRequest`."""
    key = found.key
    context = key_context(key, call, found.alias)
    if extra:
        context.update(extra)
    return ActionRequest(
        action,
        key.arn,
        key.account_id,
        context,
        resource_policy=key_policy(key),
        resource_required=True,
        denial=denial,
        outside_rcps=key.key_manager == AWS,
    )


def foreign(action: str, ref: KeyRef) -> ActionRequest:
    return ActionRequest(action, ref.arn, ref.account, resource_policy=NOTHING, resource_required=True)


def found_key(call: Call, ref: KeyRef) -> Found:
    return Found(find_key(store_of(call), ref, call.now()), ref.name if ref.is_alias else None)


def on_key(
    action: str, *, aliases: bool = True, cross_account: bool = True, keys: Extra | None = None
) -> AuthzRule:
    def rule(params: Mapping[str, Any], call: Call) -> list[ActionRequest]:
        ref = parse_key_ref(params["KeyId"], call, aliases=aliases)
        if not cross_account and ref.account != call.account_id:
            return [foreign(action, ref)]
        return [judged(action, found_key(call, ref), call, keys(params) if keys is not None else None)]

    return rule


def managing(action: str, keys: Extra | None = None) -> AuthzRule:
    """An operation that manages a key: key id or ARN only, in the caller's own account."""
    return on_key(action, aliases=False, cross_account=False, keys=keys)


def encryption_context(context: Mapping[str, str] | None, algorithm: str | None = None) -> dict[str, Values]:
    keys: dict[str, Values] = {"kms:EncryptionAlgorithm": (algorithm or "SYMMETRIC_DEFAULT",)}
    if context:
        keys["kms:EncryptionContextKeys"] = tuple(context)
        for name, value in context.items():
            keys[f"kms:EncryptionContext:{name}"] = (value,)
    return keys


def flag(value: object) -> str:
    return "true" if value else "false"
