"""The role a session request names, and its trust policy compiled once per document."""

from __future__ import annotations

import threading

from shieldwall.errors import AwsError
from shieldwall.policy.document import Policy, PolicyError, compile_document, parse_policy
from shieldwall.services.base import Call
from shieldwall.services.iam.models import Role
from shieldwall.store.base import Reader, Scope

_LIMIT = 4096
_lock = threading.Lock()
_trust: dict[str, Policy] = {}
_NOTHING = compile_document({"Version": "2012-10-17", "Statement": []}, "trust", "unusable trust policy")


def role_key(role_arn: str, partition: str) -> tuple[Scope, str] | None:
    """The store scope and key of the role `role_arn` names, or None when it is not a role ARN."""
    parts = role_arn.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn" or parts[2] != "iam" or not parts[5].startswith("role/"):
        return None
    if parts[1] != partition or len(parts[4]) != 12 or not parts[4].isdigit():
        return None
    return Scope(partition, parts[4]), parts[5].rsplit("/", 1)[-1].lower()


def read_role(reader: Reader, role_arn: str, partition: str) -> Role | None:
    """The role with exactly this ARN (path included), or None."""
    found = role_key(role_arn, partition)
    if found is None:
        return None
    role = reader.get(found[0], Role, found[1])
    return role if role is not None and role.arn == role_arn else None


def find_role(call: Call, role_arn: str) -> Role | None:
    if call.store is None:
        return None
    with call.store.read() as reader:
        return read_role(reader, role_arn, call.partition)


def trust_policy(role: Role) -> Policy:
    text = role.trust_policy
    key = f"{role.arn}\n{text}"  # the explanation names the role, so two roles never share an entry
    found = _trust.get(key)
    if found is not None:
        return found
    try:
        policy = parse_policy(text, "trust", name=f"trust policy of {role.arn}")
    except PolicyError:
        policy = _NOTHING  # IAM checked it when it was written: fail closed if the grammar has tightened
    with _lock:
        if len(_trust) >= _LIMIT:
            _trust.clear()
        _trust[key] = policy
    return policy


def role_gone(caller_arn: str, action: str, role_arn: str) -> AwsError:
    """What STS answers when the role vanished between authorization and issuing: a denial, as for any role the
    caller may not assume."""
    return AwsError(
        "AccessDenied",
        f"User: {caller_arn} is not authorized to perform: {action} on resource: {role_arn}",
        403,
    )
