"""Reading IAM's policy records: managed policies by ARN (the account's own or AWS's), their versions, the
users, groups and roles they hang off, and the account's policy epoch.

A managed policy is addressed by its ARN everywhere in the API. `ManagedRef` is the one view of either kind
(customer managed record or AWS catalogue entry) that outputs and lookups share, so no operation branches on
which kind it was given except where AWS itself does (AWS managed policies cannot be changed or deleted).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from shieldwall import ids
from shieldwall.errors import AwsError
from shieldwall.services.iam import aws_managed
from shieldwall.services.iam.common import invalid_input, no_such_entity, tag_list
from shieldwall.services.iam.models import Group, Role, User
from shieldwall.services.iam.policy_models import (
    Attachment,
    BoundaryUse,
    ManagedPolicy,
    PolicyEpoch,
    PolicyVersion,
)
from shieldwall.store.base import Reader, Scope, Transaction

EPOCH_KEY = "epoch"
Entity = User | Group | Role
ENTITY_MODELS: dict[str, type[User] | type[Group] | type[Role]] = {"user": User, "group": Group, "role": Role}
_POLICY_ARN = re.compile(r"arn:[a-z-]+:iam::(?:\d{12}|aws):policy(/|/[\x21-\x7e]*/)[\w+=,.@-]+")


@dataclass(frozen=True, slots=True)
class ManagedRef:
    name: str
    policy_id: str
    path: str
    arn: str
    default_version: str
    create_date: datetime
    update_date: datetime
    description: str | None
    tags: dict[str, str]
    record: ManagedPolicy | None  # None for an AWS managed policy

    @property
    def is_aws(self) -> bool:
        return self.record is None


def touch_policies(tx: Transaction, scope: Scope) -> None:
    """Record that a policy applying to some principal of the account changed (see `principal_policies`)."""
    tx.put(scope, EPOCH_KEY, PolicyEpoch(ids.uuid4()))


def epoch_token(reader: Reader, scope: Scope) -> str:
    epoch = reader.get(scope, PolicyEpoch, EPOCH_KEY)
    return epoch.token if epoch is not None else ""


def check_policy_arn(policy_arn: str) -> None:
    if not _POLICY_ARN.fullmatch(policy_arn):
        raise invalid_input(f"ARN {policy_arn} is not valid.")


def policy_key(policy_arn: str) -> str:
    return policy_arn.rsplit("/", 1)[-1].lower()


def version_key(record: ManagedPolicy, version_id: str) -> str:
    return f"{record.name.lower()}/{version_id}"


def local_policy(reader: Reader, scope: Scope, policy_arn: str) -> ManagedPolicy | None:
    record = reader.get(scope, ManagedPolicy, policy_key(policy_arn))
    return record if record is not None and record.arn == policy_arn else None


def find_policy(reader: Reader, scope: Scope, policy_arn: str) -> ManagedRef | None:
    """The managed policy `policy_arn` names in the account `scope` (its own or an AWS managed one)."""
    aws = aws_managed.find(policy_arn)
    if aws is not None:
        if not policy_arn.startswith(f"arn:{scope.partition}:"):
            return None
        return ManagedRef(
            aws.name,
            aws.policy_id,
            aws.path,
            policy_arn,
            aws.default_version,
            aws.create_date,
            aws.update_date,
            aws.description,
            {},
            None,
        )
    record = (
        local_policy(reader, scope, policy_arn) if policy_arn.split(":")[4:5] == [scope.account] else None
    )
    return None if record is None else local_ref(record)


def local_ref(record: ManagedPolicy) -> ManagedRef:
    return ManagedRef(
        record.name,
        record.policy_id,
        record.path,
        record.arn,
        record.default_version,
        record.create_date,
        record.update_date,
        record.description,
        record.tags,
        record,
    )


def require_policy(reader: Reader, scope: Scope, policy_arn: str) -> ManagedRef:
    check_policy_arn(policy_arn)
    found = find_policy(reader, scope, policy_arn)
    if found is None:
        raise policy_not_found(policy_arn)
    return found


def policy_not_found(policy_arn: str) -> AwsError:
    return no_such_entity(f"Policy {policy_arn} was not found.")


def not_attachable(policy_arn: str) -> AwsError:
    return no_such_entity(f"Policy {policy_arn} does not exist or is not attachable.")


def versions_of(reader: Reader, scope: Scope, record: ManagedPolicy) -> list[PolicyVersion]:
    """The versions of a customer managed policy, newest first (as ListPolicyVersions answers)."""
    found = [version for _, version in reader.list(scope, PolicyVersion, prefix=f"{record.name.lower()}/")]
    return sorted(found, key=lambda version: int(version.version_id[1:]), reverse=True)


def default_document(reader: Reader, scope: Scope, ref: ManagedRef) -> PolicyVersion | None:
    if ref.record is None:
        aws = aws_managed.find(ref.arn)
        return None if aws is None else PolicyVersion(aws.default_version, aws.document, aws.update_date)
    return reader.get(scope, PolicyVersion, version_key(ref.record, ref.default_version))


def usage_counts(reader: Reader, scope: Scope) -> tuple[dict[str, int], dict[str, int]]:
    """(attachments, permissions-boundary uses) per policy ARN, in one pass over each index."""
    attached: dict[str, int] = {}
    for _, attachment in reader.list(scope, Attachment, prefix="p/"):
        attached[attachment.policy_arn] = attached.get(attachment.policy_arn, 0) + 1
    bounding: dict[str, int] = {}
    for _, use in reader.list(scope, BoundaryUse):
        bounding[use.policy_arn] = bounding.get(use.policy_arn, 0) + 1
    return attached, bounding


def policy_usage(reader: Reader, scope: Scope, policy_arn: str) -> tuple[int, int]:
    attached = len(reader.list(scope, Attachment, prefix=f"p/{policy_arn}/"))
    bounding = len(reader.list(scope, BoundaryUse, prefix=f"{policy_arn}/"))
    return attached, bounding


def policy_output(ref: ManagedRef, usage: tuple[int, int], *, listed: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {
        "PolicyName": ref.name,
        "PolicyId": ref.policy_id,
        "Arn": ref.arn,
        "Path": ref.path,
        "DefaultVersionId": ref.default_version,
        "AttachmentCount": usage[0],
        "PermissionsBoundaryUsageCount": usage[1],
        "IsAttachable": True,
        "CreateDate": ref.create_date,
        "UpdateDate": ref.update_date,
    }
    if not listed:
        if ref.description:
            out["Description"] = ref.description
        if ref.tags:
            out["Tags"] = tag_list(ref.tags)
    return out


def entity_id(entity: Entity) -> str:
    if isinstance(entity, User):
        return entity.user_id
    if isinstance(entity, Group):
        return entity.group_id
    return entity.role_id


def entity_not_found(kind: str, name: str) -> AwsError:
    return no_such_entity(f"The {kind} with name {name} cannot be found.")


def get_entity(reader: Reader, scope: Scope, kind: str, name: str) -> Entity:
    found = reader.get(scope, ENTITY_MODELS[kind], name.lower())
    if found is None:
        raise entity_not_found(kind, name)
    return found


def resolve_entity(reader: Reader, scope: Scope, kind: str, entity_key: str, name_hint: str) -> Entity | None:
    """The entity with unique id `entity_key`, found by its name when attached and, after a rename, by id."""
    hinted = reader.get(scope, ENTITY_MODELS[kind], name_hint.lower())
    if hinted is not None and entity_id(hinted) == entity_key:
        return hinted
    for _, entity in reader.list(scope, ENTITY_MODELS[kind]):
        if entity_id(entity) == entity_key:
            return entity
    return None
