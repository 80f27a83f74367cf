"""The policies SimulatePrincipalPolicy and GetContextKeysForPrincipalPolicy read for a user, group or role.

The compiled policies are the ones enforcement uses (`principal_policies.policies_of`; a group's own are its
`entity_policies`); this module adds what the simulator reports about each: its SourcePolicyId (the policy's
name), SourcePolicyType (user, group or role for inline policies, aws-managed or user-managed) and the statement
positions in its document. `PolicyExclusionList` (API reference, PolicyIdentifier) then drops policies by type,
by ARN (wildcards in the resource name) or by inline policy name and attachment.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from shieldwall.policy.conditions.wildcard import compile_pattern, tokenize
from shieldwall.policy.document import Policy
from shieldwall.policy.positions import statement_spans
from shieldwall.services.base import Call
from shieldwall.services.iam import aws_managed
from shieldwall.services.iam.common import invalid_input
from shieldwall.services.iam.models import Group, Membership
from shieldwall.services.iam.policy_models import Attachment, InlinePolicy
from shieldwall.services.iam.policy_store import (
    Entity,
    default_document,
    entity_id,
    entity_not_found,
    find_policy,
    get_entity,
)
from shieldwall.services.iam.principal_policies import (
    PrincipalPolicies,
    entity_policies,
    inline_policy,
    policies_of,
)
from shieldwall.services.iam.simulation import SourcePolicy
from shieldwall.store.base import Reader, Scope
from shieldwall.store.sqlite import SqliteStore

_ENTITY = re.compile(r"arn:([a-z-]+):iam::(\d{12}):(user|group|role)((?:/[\x21-\x7e]*)?/)([\w+=,.@-]+)")
_POLICY_ARN = re.compile(r"arn:[a-z-]+:iam::(?:\d{12}|aws):policy/(?:[\x21-\x7e]*/)?[\w+=,.@*?-]+")
_INLINE_TYPES = frozenset({"user", "group", "role"})

Rule = Callable[[SourcePolicy], bool]


@dataclass(frozen=True, slots=True)
class PrincipalSources:
    identity: tuple[SourcePolicy, ...]
    boundary: SourcePolicy | None


@dataclass(frozen=True, slots=True)
class _Document:
    text: str
    source_id: str
    source_type: str
    arn: str = ""
    attachment: tuple[str, str] = ("", "")


def entity_of(call: Call, source_arn: str) -> tuple[str, str]:
    """(kind, name) of a PolicySourceArn naming a user, group or role; InvalidInput otherwise."""
    match = _ENTITY.fullmatch(source_arn)
    if match is None:
        raise invalid_input(f"Invalid Entity Arn: {source_arn}")
    return match.group(3), match.group(5)


def principal_sources(
    store: SqliteStore, call: Call, source_arn: str, exclusions: list[dict[str, Any]] | None
) -> PrincipalSources:
    kind, name = entity_of(call, source_arn)
    rules = [_exclusion(entry) for entry in exclusions or ()]
    scope = call.account_scope
    with store.read() as reader:
        if source_arn.split(":")[4] != call.account_id:
            raise entity_not_found(kind, name)
        entity = get_entity(reader, scope, kind, name)
        applied = _applied(reader, call, kind, entity)
        documents = _documents(reader, scope, kind, entity)
        if applied.boundary is not None:
            documents.update(_managed(reader, scope, applied.boundary.name))
    identity = tuple(_source(policy, documents) for policy in applied.identity)
    boundary = None if applied.boundary is None else _source(applied.boundary, documents)
    return PrincipalSources(
        tuple(source for source in identity if not any(rule(source) for rule in rules)),
        None if boundary is None or any(rule(boundary) for rule in rules) else boundary,
    )


def _applied(reader: Reader, call: Call, kind: str, entity: Entity) -> PrincipalPolicies:
    if kind == "group":
        return PrincipalPolicies(tuple(entity_policies(reader, call.account_scope, "group", entity)), None)
    return policies_of(reader, call.partition, call.account_id, kind, entity.name)


def _documents(reader: Reader, scope: Scope, kind: str, entity: Entity) -> dict[str, _Document]:
    """Policy name (as `principal_policies` names it) → the document and what the simulator calls it."""
    owners: list[tuple[str, Entity]] = [(kind, entity)]
    if kind == "user":
        for _, membership in reader.list(scope, Membership, prefix=f"u/{entity.name.lower()}/"):
            group = reader.get(scope, Group, membership.group)
            if group is not None:
                owners.append(("group", group))
    found: dict[str, _Document] = {}
    for owner_kind, owner in owners:
        key = entity_id(owner)
        for _, record in reader.list(scope, InlinePolicy, prefix=f"{key}/"):
            label = inline_policy(owner_kind, owner.name, record).name
            attachment = (owner_kind, owner.name)
            found[label] = _Document(record.document, record.policy_name, owner_kind, "", attachment)
        for _, attached in reader.list(scope, Attachment, prefix=f"e/{key}/"):
            found.update(_managed(reader, scope, attached.policy_arn))
    return found


def _managed(reader: Reader, scope: Scope, policy_arn: str) -> dict[str, _Document]:
    ref = find_policy(reader, scope, policy_arn)
    version = None if ref is None else default_document(reader, scope, ref)
    if ref is None or version is None:
        return {}
    source_type = "aws-managed" if aws_managed.is_aws_arn(policy_arn) else "user-managed"
    return {policy_arn: _Document(version.document, ref.name, source_type, policy_arn)}


def _source(policy: Policy, documents: dict[str, _Document]) -> SourcePolicy:
    document = documents.get(policy.name)
    if document is None:  # a policy that no longer compiles, replaced by a deny-all: no positions to give
        return SourcePolicy(policy.name, "none", policy, ())
    return SourcePolicy(
        document.source_id,
        document.source_type,
        policy,
        statement_spans(document.text),
        arn=document.arn,
        attachment=document.attachment,
    )


def _exclusion(entry: dict[str, Any]) -> Rule:
    """One PolicyIdentifier as a predicate over sources; exactly one of its three members may be set."""
    chosen = [key for key in ("PolicyType", "PolicyArn", "InlinePolicyIdentifier") if entry.get(key)]
    if len(chosen) != 1:
        raise invalid_input(
            "Each PolicyExclusionList entry must specify exactly one of PolicyType, PolicyArn or "
            "InlinePolicyIdentifier."
        )
    if chosen[0] == "PolicyType":
        return _by_type(entry["PolicyType"])
    if chosen[0] == "PolicyArn":
        return _by_arn(entry["PolicyArn"])
    return _by_inline(entry["InlinePolicyIdentifier"])


def _by_type(policy_type: str) -> Rule:
    if policy_type == "inline":
        return lambda source: source.source_type in _INLINE_TYPES
    if policy_type == "permission-boundary":
        return lambda source: source.policy.kind == "boundary"
    return lambda source: source.source_type == policy_type and source.policy.kind != "boundary"


def _by_arn(policy_arn: str) -> Rule:
    """Wildcards only in the policy name: at most one `*`, any number of `?`."""
    head, _, resource_name = policy_arn.rpartition("/")
    if not _POLICY_ARN.fullmatch(policy_arn) or resource_name.count("*") > 1 or "*" in head or "?" in head:
        raise invalid_input(f"Invalid PolicyArn in PolicyExclusionList: {policy_arn}")
    matcher = compile_pattern(tokenize(policy_arn))
    return lambda source: bool(source.arn) and matcher.matches(source.arn)


def _by_inline(identifier: dict[str, str]) -> Rule:
    name, kind = identifier["PolicyName"], identifier["AttachmentType"]
    owner = compile_pattern(tokenize(identifier["AttachmentName"]))
    return lambda source: (
        source.source_type == kind and source.source_id == name and owner.matches(source.attachment[1])
    )
