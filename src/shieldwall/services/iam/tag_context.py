"""Tags of IAM identities as the authorizer reads them: aws:PrincipalTag/* of the caller, aws:ResourceTag/* (and
iam:ResourceTag/*) of the IAM user, role or instance profile a request names.

Records are keyed by the lower-cased name, the last segment of the ARN's resource part (paths do not change
which entity a name denotes within an account).
"""

from __future__ import annotations

from shieldwall import arn
from shieldwall.services.iam.models import InstanceProfile, Role, User
from shieldwall.store.base import Reader, Scope

_TAGGED: dict[str, type[User] | type[Role] | type[InstanceProfile]] = {
    "user": User,
    "role": Role,
    "instance-profile": InstanceProfile,
}


def principal_tags(reader: Reader, partition: str, account_id: str, kind: str, name: str) -> dict[str, str]:
    """The tags of the calling IAM user, or of the role behind a role session (`kind` "user" or "role")."""
    return _tags_of(reader, Scope.account_wide(partition, account_id), kind, name)


def resource_tags(reader: Reader, resource_arn: str) -> dict[str, str]:
    """The tags of the IAM user, role or instance profile `resource_arn` names; {} for anything else."""
    try:
        parsed = arn.parse(resource_arn)
    except ValueError:
        return {}
    kind, _, rest = parsed.resource.partition("/")
    if parsed.service != "iam" or not parsed.account or not rest or kind not in _TAGGED:
        return {}
    name = rest.rsplit("/", 1)[-1]
    return _tags_of(reader, Scope.account_wide(parsed.partition, parsed.account), kind, name)


def _tags_of(reader: Reader, scope: Scope, kind: str, name: str) -> dict[str, str]:
    if not name or "*" in name:
        return {}
    record = reader.get(scope, _TAGGED[kind], name.lower())
    return dict(record.tags) if record is not None else {}
