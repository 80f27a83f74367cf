"""The compiled policies that apply to an IAM user or role, for the authorizer, on every request.

A request must never parse policy JSON, and every change must show on the very next request. Two caches do it:

- compiled policies, keyed by what makes a document unique: a customer managed version by (policy id, version
  id) (ids are never reused), an AWS managed policy by its ARN, an inline policy by its label and text;
- the assembled `PrincipalPolicies` of each principal, keyed by its unique id and valid while its fingerprint
  holds: the account's policy epoch (a token every policy change rewrites, see `policy_store.touch_policies`),
  its name (explanations name inline policies by their owner), its permissions boundary and, for a user, its
  group memberships (which change in the groups module).

A cache hit costs three indexed reads (the principal, its memberships, the epoch) and no parsing. A document that
no longer compiles (an engine upgrade that tightened the grammar) is replaced by a deny-all policy and logged:
fail closed, never skipped.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import TypeVar

from shieldwall.policy.document import Policy, PolicyError, parse_policy
from shieldwall.policy.validate import HARD_LIMIT
from shieldwall.services.iam import aws_managed
from shieldwall.services.iam.models import Group, Membership, Role, User
from shieldwall.services.iam.policy_models import Attachment, InlinePolicy, PolicyVersion
from shieldwall.services.iam.policy_store import (
    Entity,
    entity_id,
    epoch_token,
    local_policy,
    version_key,
)
from shieldwall.store.base import Reader, Scope

log = logging.getLogger("shieldwall.iam")
K = TypeVar("K")
V = TypeVar("V")

_CACHE_LIMIT = 10_000
_DENY_ALL = '{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}'


@dataclass(frozen=True, slots=True)
class PrincipalPolicies:
    identity: tuple[
        Policy, ...
    ]  # inline + attached managed (default versions), and for a user its groups' too
    boundary: Policy | None


NO_POLICIES = PrincipalPolicies((), None)
_Fingerprint = tuple[str, str, str | None, tuple[str, ...]]
_lock = threading.Lock()
_compiled: dict[tuple[str, ...], Policy] = {}
_assembled: dict[tuple[str, str, str, str], tuple[_Fingerprint, PrincipalPolicies]] = {}


def policies_of(reader: Reader, partition: str, account_id: str, kind: str, name: str) -> PrincipalPolicies:
    """The policies of the user or role (`kind` "user" or "role") `name` of the account; none if it is gone."""
    scope = Scope(partition, account_id)
    entity = _principal(reader, scope, kind, name)
    if entity is None:
        return NO_POLICIES
    groups = _groups_of(reader, scope, entity)
    fingerprint = (epoch_token(reader, scope), entity.name, entity.permissions_boundary, groups)
    key = (partition, account_id, kind, entity_id(entity))
    cached = _assembled.get(key)
    if cached is not None and cached[0] == fingerprint:
        return cached[1]
    assembled = assemble(reader, scope, kind, entity, groups)
    _remember(_assembled, key, (fingerprint, assembled))
    return assembled


def _principal(reader: Reader, scope: Scope, kind: str, name: str) -> User | Role | None:
    if kind == "user":
        return reader.get(scope, User, name.lower())
    if kind == "role":
        return reader.get(scope, Role, name.lower())
    raise ValueError(f"policies_of: kind must be `user` or `role`, not `{kind}`")


def _groups_of(reader: Reader, scope: Scope, entity: User | Role) -> tuple[str, ...]:
    if not isinstance(entity, User):
        return ()
    memberships = reader.list(scope, Membership, prefix=f"u/{entity.name.lower()}/")
    return tuple(membership.group for _, membership in memberships)


def assemble(
    reader: Reader, scope: Scope, kind: str, entity: User | Role, groups: tuple[str, ...]
) -> PrincipalPolicies:
    identity = [*entity_policies(reader, scope, kind, entity)]
    for group_key in groups:
        group = reader.get(scope, Group, group_key)
        if group is not None:
            identity.extend(entity_policies(reader, scope, "group", group))
    boundary = None
    if entity.permissions_boundary is not None:
        boundary = managed_policy(reader, scope, entity.permissions_boundary, "boundary") or _deny_all(
            f"missing boundary {entity.permissions_boundary}", "boundary"
        )
    return PrincipalPolicies(tuple(identity), boundary)


def entity_policies(reader: Reader, scope: Scope, kind: str, entity: Entity) -> list[Policy]:
    """An entity's inline policies (by name) and then its attached managed policies (by ARN)."""
    key = entity_id(entity)
    found = [
        inline_policy(kind, entity.name, record)
        for _, record in reader.list(scope, InlinePolicy, prefix=f"{key}/")
    ]
    for _, attachment in reader.list(scope, Attachment, prefix=f"e/{key}/"):
        policy = managed_policy(reader, scope, attachment.policy_arn, "identity")
        if policy is not None:
            found.append(policy)
    return found


def inline_policy(kind: str, owner: str, record: InlinePolicy) -> Policy:
    label = f"{kind}/{owner} inline:{record.policy_name}"
    return _compile(("inline", label, record.document), record.document, "identity", label)


def managed_policy(reader: Reader, scope: Scope, policy_arn: str, kind: str) -> Policy | None:
    """The default version of managed policy `policy_arn`, compiled as `kind`; None if there is no such policy."""
    aws = aws_managed.find(policy_arn)
    if aws is not None:
        return _compile(("aws", policy_arn, kind), aws.document, kind, policy_arn)
    record = local_policy(reader, scope, policy_arn)
    if record is None:
        return None
    cache_key = ("local", record.policy_id, record.default_version, kind)
    cached = _compiled.get(cache_key)
    if cached is not None:
        return cached
    version = reader.get(scope, PolicyVersion, version_key(record, record.default_version))
    if version is None:
        return _deny_all(f"missing default version of {policy_arn}", kind)
    return _compile(cache_key, version.document, kind, policy_arn)


def _compile(cache_key: tuple[str, ...], text: str, kind: str, name: str) -> Policy:
    cached = _compiled.get(cache_key)
    if cached is not None:
        return cached
    try:
        policy = parse_policy(text, kind, name=name, limit=HARD_LIMIT)
    except PolicyError as error:
        log.error("policy %s no longer compiles (%s): it denies everything", name, error)
        policy = _deny_all(name, kind)
    _remember(_compiled, cache_key, policy)
    return policy


def _deny_all(name: str, kind: str) -> Policy:
    return parse_policy(_DENY_ALL, kind, name=f"{name} (unusable: denies everything)")


def _remember(cache: dict[K, V], key: K, value: V) -> None:
    with _lock:
        if len(cache) >= _CACHE_LIMIT:
            cache.clear()
        cache[key] = value
