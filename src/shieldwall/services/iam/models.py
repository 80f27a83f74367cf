"""IAM's stored records. IAM is account-wide (region ""), except the access key index, which is partition-wide.

Names of users, groups, roles and instance profiles are unique regardless of case (AWS: "names are not
distinguished by case"), so records are keyed by the lower-cased name and keep the name as it was written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from shieldwall.store import codec


@codec.model("iam.user", version=1)
@dataclass(slots=True)
class User:
    name: str
    user_id: str
    path: str
    arn: str
    create_date: datetime
    tags: dict[str, str] = field(default_factory=dict)
    password_last_used: datetime | None = None
    permissions_boundary: str | None = None  # the ARN of the managed policy set as its boundary


@codec.model("iam.group", version=1)
@dataclass(slots=True)
class Group:
    name: str
    group_id: str
    path: str
    arn: str
    create_date: datetime


@codec.model("iam.membership", version=1)
@dataclass(slots=True)
class Membership:
    """One user in one group, stored twice: under `u/<user>/<group>` and `g/<group>/<user>` (both lower-cased)."""

    user: str
    group: str


@codec.model("iam.role", version=1)
@dataclass(slots=True)
class Role:
    name: str
    role_id: str
    path: str
    arn: str
    create_date: datetime
    trust_policy: str
    max_session_duration: int = 3600
    description: str | None = None
    tags: dict[str, str] = field(default_factory=dict)
    permissions_boundary: str | None = None  # the ARN of the managed policy set as its boundary


@codec.model("iam.instance_profile", version=1)
@dataclass(slots=True)
class InstanceProfile:
    name: str
    profile_id: str
    path: str
    arn: str
    create_date: datetime
    roles: list[str] = field(default_factory=list)  # lower-cased role names
    tags: dict[str, str] = field(default_factory=dict)


@codec.model("iam.access_key", version=1)
@dataclass(frozen=True, slots=True)
class AccessKey:
    """Partition-wide, keyed by access key id: what signature verification needs to find the key's owner."""

    access_key_id: str
    account_id: str
    user_name: str
    user_arn: str
    user_id: str
    status: str
    create_date: datetime
    sealed_secret: bytes


@codec.model("iam.user_key", version=1)
@dataclass(slots=True)
class UserKey:
    """Account-wide pointer `<user>/<access key id>`, so a user's keys list without scanning the partition."""

    access_key_id: str


@codec.model("iam.login_profile", version=1)
@dataclass(slots=True)
class LoginProfile:
    user_name: str
    create_date: datetime
    password_reset_required: bool
    salt: bytes
    password_hash: bytes


@codec.model("iam.account_alias", version=1)
@dataclass(slots=True)
class AccountAlias:
    """Stored twice: partition-wide under the alias (aliases are unique across accounts) and in the account."""

    alias: str
    account_id: str


@codec.model("iam.password_policy", version=1)
@dataclass(slots=True)
class PasswordPolicy:
    minimum_length: int = 8
    require_symbols: bool = False
    require_numbers: bool = False
    require_uppercase: bool = False
    require_lowercase: bool = False
    allow_users_to_change: bool = False
    max_age: int | None = None
    reuse_prevention: int | None = None
    hard_expiry: bool = False
