"""Key policies: the ones AWS writes (the default key policy, AWS managed keys' policies), checked and compiled.

Every key has exactly one key policy, named `default`. The authorizer judges it as a resource policy that must
allow even within the account, so the default policy's "Enable IAM User Permissions" statement (the account
root may do `kms:*`) is what lets IAM policies grant access to a key at all.

A policy is compiled once per (key, text, grants) and kept, with a statement per grant appended (`grant_policy`);
a stored policy that no longer compiles (the grammar tightened since it was written) compiles to one that allows
nothing but what the grants allow: fail closed.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any

import orjson

from shieldwall import arn
from shieldwall.policy.authorizer import PolicySet, decide
from shieldwall.policy.context import principal_keys
from shieldwall.policy.document import Policy, PolicyError, compile_document, parse_policy
from shieldwall.policy.request import AuthzRequest
from shieldwall.services.base import Call
from shieldwall.services.kms import errors
from shieldwall.services.kms.grant_policy import with_grants
from shieldwall.services.kms.models import Key

POLICY_NAME = "default"
SIZE_LIMIT = 32_768  # "Key policy document size": 32 KB
_CACHE_LIMIT = 4096
_lock = threading.Lock()
_compiled: dict[tuple[str, str, tuple[str, ...]], Policy] = {}
_NOTHING = compile_document({"Version": "2012-10-17", "Statement": []}, "resource", "unusable key policy")
_ANY_IDENTITY = compile_document(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]},
    "identity",
    "the caller's IAM policies (assumed to allow)",
)


def default_policy(partition: str, account: str) -> str:
    """The key policy AWS gives a key created through the API without one ("Default key policy")."""
    return pretty(
        {
            "Version": "2012-10-17",
            "Id": "key-default-1",
            "Statement": [
                {
                    "Sid": "Enable IAM User Permissions",
                    "Effect": "Allow",
                    "Principal": {"AWS": arn.root_arn(account, partition)},
                    "Action": "kms:*",
                    "Resource": "*",
                }
            ],
        }
    )


def aws_managed_policy(partition: str, account: str, service: str, via_service: str, label: str) -> str:
    """The policy of an AWS managed key: any principal of the account may use the key through the service
    (kms:ViaService and kms:CallerAccount), and the account may read the key's metadata directly."""
    use = f"Allow access through {label} for all principals in the account that are authorized to use {label}"
    return pretty(
        {
            "Version": "2012-10-17",
            "Id": f"auto-{service}-2",
            "Statement": [
                {
                    "Sid": use,
                    "Effect": "Allow",
                    "Principal": {"AWS": "*"},
                    "Action": [
                        "kms:Encrypt",
                        "kms:Decrypt",
                        "kms:ReEncrypt*",
                        "kms:GenerateDataKey*",
                        "kms:CreateGrant",
                        "kms:DescribeKey",
                    ],
                    "Resource": "*",
                    "Condition": {
                        "StringEquals": {"kms:CallerAccount": account, "kms:ViaService": via_service}
                    },
                },
                {
                    "Sid": "Allow direct access to key metadata to the account",
                    "Effect": "Allow",
                    "Principal": {"AWS": arn.root_arn(account, partition)},
                    "Action": ["kms:Describe*", "kms:Get*", "kms:List*", "kms:RevokeGrant"],
                    "Resource": "*",
                },
            ],
        }
    )


def pretty(value: Any, indent: str = "") -> str:
    """JSON as KMS prints the policies it writes (Jackson's default pretty printer: `"key" : value`, arrays on
    one line with nested objects opening in place)."""
    inner = indent + "  "
    if isinstance(value, dict):
        if not value:
            return "{ }"
        members = [f"{inner}{_scalar(key)} : {pretty(item, inner)}" for key, item in value.items()]
        return "{\n" + ",\n".join(members) + f"\n{indent}}}"
    if isinstance(value, list):
        if not value:
            return "[ ]"
        return "[ " + ", ".join(pretty(item, indent) for item in value) + " ]"
    return _scalar(value)


def _scalar(value: Any) -> str:
    return orjson.dumps(value).decode("utf-8")


def key_policy(key: Key) -> Policy:
    """The key's policy with its grants, compiled (the explanation names the key, so two keys never share an
    entry; grants never change once made, so their ids stand for them)."""
    cache_key = (key.arn, key.policy, tuple(grant.grant_id for grant in key.grants))
    found = _compiled.get(cache_key)
    if found is not None:
        return found
    try:
        policy = parse_policy(key.policy, "resource", name=f"key policy of {key.arn}", limit=SIZE_LIMIT)
    except PolicyError:
        policy = _NOTHING
    if key.grants:
        policy = with_grants(policy, key.grants)
    with _lock:
        if len(_compiled) >= _CACHE_LIMIT:
            _compiled.clear()
        _compiled[cache_key] = policy
    return policy


def checked_policy(text: str, key_arn: str) -> Policy:
    """A key policy a caller wrote, compiled, or the error AWS answers for it."""
    if len(text.encode("utf-8")) > SIZE_LIMIT:
        raise errors.limit_exceeded(f"The key policy exceeds the maximum size of {SIZE_LIMIT} bytes.")
    try:
        return parse_policy(text, "resource", name=f"key policy of {key_arn}", limit=SIZE_LIMIT)
    except PolicyError as error:
        raise errors.malformed_policy("; ".join(error.problems)) from None


def new_key_policy(call: Call, params: Mapping[str, Any], key_arn: str) -> str:
    """The policy a new key (CreateKey, ReplicateKey) gets: the request's `Policy`, accepted, else the default."""
    text: str | None = params.get("Policy")
    if text is None:
        return default_policy(call.partition, call.account_id)
    return accepted_policy(text, params, call, key_arn, call.account_id)


def accepted_policy(text: str, params: Mapping[str, Any], call: Call, key_arn: str, key_account: str) -> str:
    """`text`, once it compiles as a key policy and passes the lockout safety check (unless the request sets
    BypassPolicyLockoutSafetyCheck)."""
    compiled = checked_policy(text, key_arn)
    if not params.get("BypassPolicyLockoutSafetyCheck"):
        check_lockout(compiled, call, key_arn, key_account)
    return text


def check_lockout(policy: Policy, call: Call, key_arn: str, key_account: str) -> None:
    """The policy lockout safety check: the caller must still be allowed to PutKeyPolicy under the new policy.

    Only the key policy's side is judged, with the caller's IAM policies assumed to allow: the check guards
    against a policy that no IAM policy could ever make usable again, not against the caller's current grants.
    """
    principal = call.principal
    request = AuthzRequest(
        principal.arn,
        principal.account_id,
        "kms:PutKeyPolicy",
        key_arn,
        key_account,
        principal_keys(principal),
    )
    decision = decide(request, PolicySet(identity=(_ANY_IDENTITY,), resource=policy, resource_required=True))
    if not decision.allowed:
        raise errors.malformed_policy(
            "The new key policy will not allow you to update the key policy in the future."
        )
