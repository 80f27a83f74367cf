"""Stored records of IAM's policy half: managed policies and their versions, inline policies, attachments,
permissions-boundary uses, and the account's policy epoch.

Everything that hangs off a user, group or role is keyed by the entity's unique id (AIDA..., AGPA...,
AROA...), not its name: a renamed entity keeps its policies, and an entity deleted and created again under the
same name starts with none (AWS behaves the same way, since its policies follow the unique id).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from shieldwall.store import codec


@codec.model("iam.managed_policy", version=1)
@dataclass(slots=True)
class ManagedPolicy:
    """A customer managed policy, keyed by its lower-cased name (names are unique in an account)."""

    name: str
    policy_id: str
    path: str
    arn: str
    create_date: datetime
    update_date: datetime
    default_version: str  # "v1"
    next_version: int  # version ids are never reused: the number the next version gets
    description: str | None = None
    tags: dict[str, str] = field(default_factory=dict)


@codec.model("iam.policy_version", version=1)
@dataclass(frozen=True, slots=True)
class PolicyVersion:
    """One version of a managed policy, keyed `<policy key>/<version id>`."""

    version_id: str
    document: str
    create_date: datetime


@codec.model("iam.inline_policy", version=1)
@dataclass(frozen=True, slots=True)
class InlinePolicy:
    """An inline policy, keyed `<entity id>/<policy name>`."""

    entity_kind: str  # "user" | "group" | "role"
    policy_name: str
    document: str


@codec.model("iam.policy_attachment", version=1)
@dataclass(frozen=True, slots=True)
class Attachment:
    """A managed policy attached to an entity, stored under `e/<entity id>/<policy arn>` and
    `p/<policy arn>/<entity id>`. `entity_name` is the name when attached: a hint, checked against the id."""

    policy_arn: str
    entity_kind: str
    entity_id: str
    entity_name: str


@codec.model("iam.boundary_use", version=1)
@dataclass(frozen=True, slots=True)
class BoundaryUse:
    """A managed policy set as the permissions boundary of a user or role, keyed `<policy arn>/<entity id>`."""

    policy_arn: str
    entity_kind: str
    entity_id: str
    entity_name: str


@codec.model("iam.policy_epoch", version=1)
@dataclass(frozen=True, slots=True)
class PolicyEpoch:
    """Changes whenever any policy that applies to a principal of the account changes (see
    `principal_policies`): one small read tells whether a cached set of compiled policies is still current."""

    token: str
