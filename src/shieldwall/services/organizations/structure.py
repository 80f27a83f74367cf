"""Reading an organization's shape: which organization an account is in, its path from the root, and the SCPs
and RCPs that apply at each level — what the authorizer needs on every request of a member account.

The two AWS managed policies are not stored: `p-FullAWSAccess` (SCP) and `p-RCPFullAWSAccess` (RCP) exist in
every organization and are attached like any other policy.
"""

from __future__ import annotations

import json
import logging
import threading
from dataclasses import dataclass

from shieldwall.policy.document import Policy, PolicyError, compile_document, parse_policy
from shieldwall.services.organizations.models import Member, Organization, OrgPolicy, PolicyAttachment, Unit
from shieldwall.store.base import Reader, Scope

log = logging.getLogger("shieldwall.organizations")

SCP = "SERVICE_CONTROL_POLICY"
RCP = "RESOURCE_CONTROL_POLICY"
CEILING_TYPES = (SCP, RCP)
TYPE_PATHS = {SCP: "service_control_policy", RCP: "resource_control_policy"}


@dataclass(frozen=True, slots=True)
class ManagedPolicy:
    policy_id: str
    name: str
    type: str
    description: str
    content: str


FULL_ACCESS = {
    SCP: ManagedPolicy(
        "p-FullAWSAccess",
        "FullAWSAccess",
        SCP,
        "Allows access to every operation",
        json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
        ),
    ),
    RCP: ManagedPolicy(
        "p-RCPFullAWSAccess",
        "RCPFullAWSAccess",
        RCP,
        "Allows access to every operation",
        json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}],
            }
        ),
    ),
}
MANAGED_BY_ID = {policy.policy_id: policy for policy in FULL_ACCESS.values()}


def managed_arn(partition: str, policy: ManagedPolicy) -> str:
    return f"arn:{partition}:organizations::aws:policy/{TYPE_PATHS[policy.type]}/{policy.policy_id}"


@dataclass(frozen=True, slots=True)
class OrgContext:
    """What a request of (or on a resource in) a member account needs to know about its organization."""

    org_id: str
    path: str  # aws:PrincipalOrgPaths form: "o-.../r-.../ou-.../"
    management: bool
    scps: tuple[tuple[Policy, ...], ...] | None  # None when SCPs are not enabled
    rcps: tuple[tuple[Policy, ...], ...] | None


def scope_of(partition: str) -> Scope:
    return Scope.partition_wide(partition)


def member_of(reader: Reader, partition: str, account: str) -> Member | None:
    return reader.get(scope_of(partition), Member, account)


def organization(reader: Reader, partition: str, org_id: str) -> Organization | None:
    return reader.get(scope_of(partition), Organization, org_id)


def parents(reader: Reader, partition: str, org: Organization, parent_id: str) -> list[str]:
    """The ids from the root down to `parent_id` (root first)."""
    chain: list[str] = []
    current = parent_id
    while current and current != org.root_id and len(chain) < 10:
        chain.append(current)
        unit = reader.get(scope_of(partition), Unit, f"{org.org_id}/{current}")
        current = unit.parent_id if unit is not None else ""
    chain.append(org.root_id)
    return list(reversed(chain))


def attached_ids(reader: Reader, partition: str, org_id: str, target_id: str) -> list[str]:
    return [
        record.policy_id
        for _, record in reader.list(scope_of(partition), PolicyAttachment, prefix=f"{org_id}/t/{target_id}/")
    ]


def org_context(reader: Reader, partition: str, account: str) -> OrgContext | None:
    member = member_of(reader, partition, account)
    if member is None:
        return None
    org = organization(reader, partition, member.org_id)
    if org is None:
        return None
    chain = parents(reader, partition, org, member.parent_id)
    path = f"{org.org_id}/{'/'.join(chain)}/"
    levels = [*chain, account]
    return OrgContext(
        org.org_id,
        path,
        account == org.management_account,
        _ceiling(reader, partition, org, levels, SCP),
        _ceiling(reader, partition, org, levels, RCP),
    )


def _ceiling(
    reader: Reader, partition: str, org: Organization, levels: list[str], kind: str
) -> tuple[tuple[Policy, ...], ...] | None:
    if kind not in org.enabled_types:
        return None
    found: list[tuple[Policy, ...]] = []
    for number, target in enumerate(levels):
        label = _level_label(target, number, len(levels))
        policies = []
        for policy_id in attached_ids(reader, partition, org.org_id, target):
            policy = _compiled(reader, partition, org.org_id, policy_id, kind, label)
            if policy is not None:
                policies.append(policy)
        found.append(tuple(policies))
    return tuple(found)


def _level_label(target: str, number: int, count: int) -> str:
    if number == 0:
        return f"root {target}"
    if number == count - 1:
        return f"account {target}"
    return f"OU {target}"


_lock = threading.Lock()
_compiled_policies: dict[tuple[str, str, str, str], Policy] = {}


def _compiled(
    reader: Reader, partition: str, org_id: str, policy_id: str, kind: str, label: str
) -> Policy | None:
    managed = MANAGED_BY_ID.get(policy_id)
    if managed is not None:
        if managed.type != kind:
            return None
        name, content = managed.name, managed.content
    else:
        record = reader.get(scope_of(partition), OrgPolicy, f"{org_id}/{policy_id}")
        if record is None or record.type != kind:
            return None
        name, content = record.name, record.content
    key = (policy_id, label, kind, content)
    cached = _compiled_policies.get(key)
    if cached is not None:
        return cached
    engine_kind = "scp" if kind == SCP else "rcp"
    try:
        policy = parse_policy(content, engine_kind, name=f"{name} ({policy_id}, {label})")
    except PolicyError:
        log.error("policy %s no longer compiles: it allows nothing", policy_id)
        policy = compile_document({"Version": "2012-10-17", "Statement": []}, engine_kind, name)
    with _lock:
        if len(_compiled_policies) >= 4096:
            _compiled_policies.clear()
        _compiled_policies[key] = policy
    return policy
