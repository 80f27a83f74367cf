"""Organizations' stored records, partition-wide (an organization spans accounts), keyed under its id."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from shieldwall.store import codec


@codec.model("organizations.organization", version=1)
@dataclass(slots=True)
class Organization:
    """Keyed by id. The root is part of the organization: one per organization, as in AWS."""

    org_id: str
    arn: str
    management_account: str
    management_email: str
    feature_set: str
    root_id: str
    root_arn: str
    created: datetime
    enabled_types: list[str] = field(default_factory=list)  # policy types enabled on the root
    root_tags: dict[str, str] = field(default_factory=dict)


@codec.model("organizations.member", version=1)
@dataclass(slots=True)
class Member:
    """An account in an organization, keyed by account id: which organization, where in it."""

    account_id: str
    org_id: str
    parent_id: str
    name: str
    email: str
    arn: str
    joined_method: str  # "CREATED" | "INVITED"
    joined: datetime
    status: str = "ACTIVE"
    tags: dict[str, str] = field(default_factory=dict)


@codec.model("organizations.unit", version=1)
@dataclass(slots=True)
class Unit:
    """An organizational unit, keyed `<org id>/<ou id>`."""

    ou_id: str
    org_id: str
    parent_id: str
    name: str
    arn: str
    tags: dict[str, str] = field(default_factory=dict)


@codec.model("organizations.policy", version=1)
@dataclass(slots=True)
class OrgPolicy:
    """A customer managed SCP or RCP, keyed `<org id>/<policy id>`."""

    policy_id: str
    org_id: str
    arn: str
    name: str
    description: str
    type: str
    content: str
    tags: dict[str, str] = field(default_factory=dict)


@codec.model("organizations.attachment", version=1)
@dataclass(slots=True)
class PolicyAttachment:
    """A policy attached to a target (root, OU or account), keyed `<org id>/t/<target id>/<policy id>`."""

    org_id: str
    target_id: str
    policy_id: str


@codec.model("organizations.create_account_status", version=1)
@dataclass(slots=True)
class CreateAccountRequest:
    """Keyed `<org id>/<request id>`."""

    request_id: str
    org_id: str
    account_name: str
    state: str
    requested: datetime
    completed: datetime | None = None
    account_id: str | None = None
    failure_reason: str | None = None


@codec.model("organizations.delegated_admin", version=1)
@dataclass(slots=True)
class DelegatedAdmin:
    """Keyed `<org id>/<account id>/<service principal>`."""

    org_id: str
    account_id: str
    service_principal: str
    delegated: datetime
