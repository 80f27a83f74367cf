"""Permissions of the multi-Region operations ("Controlling access to multi-Region keys", KMS Developer Guide).

ReplicateKey needs kms:ReplicateKey on the primary key (its key policy, in the primary's Region) and
kms:CreateKey, plus kms:TagResource when it tags, as IAM permissions for the replica. UpdatePrimaryRegion needs
kms:UpdatePrimaryRegion on the current primary and on the replica that becomes primary, each judged by its own
key policy. Neither works across accounts.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from shieldwall.policy.authorizer import ActionRequest
from shieldwall.services.base import AuthzRule, Call
from shieldwall.services.kms.judging import Values, flag, foreign, found_key, judged
from shieldwall.services.kms.keyref import KeyRef, parse_key_ref
from shieldwall.services.kms.models import REPLICA, Key


def _replica_keys(key: Key, call: Call, params: Mapping[str, Any]) -> dict[str, Values]:
    return {
        "kms:KeySpec": (key.key_spec,),
        "kms:KeyUsage": (key.key_usage,),
        "kms:KeyOrigin": (key.origin,),
        "kms:MultiRegion": (flag(True),),
        "kms:MultiRegionKeyType": (REPLICA,),
        "kms:CallerAccount": (call.principal.account_id,),
        "kms:BypassPolicyLockoutSafetyCheck": (flag(params.get("BypassPolicyLockoutSafetyCheck")),),
    }


def _replicate_key(params: Mapping[str, Any], call: Call) -> list[ActionRequest]:
    ref = parse_key_ref(params["KeyId"], call, aliases=False)
    if ref.account != call.account_id:
        return [foreign("kms:ReplicateKey", ref)]
    found = found_key(call, ref)
    region = str(params.get("ReplicaRegion", ""))
    replica = _replica_keys(found.key, call, params)
    requests = [
        judged("kms:ReplicateKey", found, call, {"kms:ReplicaRegion": (region,)}),
        ActionRequest("kms:CreateKey", "*", context=replica),
    ]
    if params.get("Tags"):
        requests.append(ActionRequest("kms:TagResource", "*", context=replica))
    return requests


def _update_primary_region(params: Mapping[str, Any], call: Call) -> list[ActionRequest]:
    ref = parse_key_ref(params["KeyId"], call, aliases=False)
    if ref.account != call.account_id:
        return [foreign("kms:UpdatePrimaryRegion", ref)]
    region = str(params.get("PrimaryRegion", ""))
    keys: dict[str, Values] = {"kms:PrimaryRegion": (region,)}
    requests = [judged("kms:UpdatePrimaryRegion", found_key(call, ref), call, keys)]
    if region and region != ref.region:
        other = KeyRef("key", ref.name, ref.partition, ref.account, region)
        requests.append(judged("kms:UpdatePrimaryRegion", found_key(call, other), call, keys))
    return requests


REPLICA_AUTHZ: dict[str, AuthzRule] = {
    "ReplicateKey": _replicate_key,
    "UpdatePrimaryRegion": _update_primary_region,
}
