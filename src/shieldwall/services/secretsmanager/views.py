"""A secret as DescribeSecret, ListSecrets and ListSecretVersionIds show it: only the members that have a value.

Versions encrypted under the AWS managed key list it as "DefaultEncryptionKey" (AWS's recorded answers); a
customer managed key appears as its ARN. Labels are sorted; a version without labels has no VersionStages.
"""

from __future__ import annotations

from typing import Any

from shieldwall import arn
from shieldwall.services.base import Params
from shieldwall.services.secretsmanager.models import Rotation, Secret, Version

DEFAULT_KEY_LABEL = "DefaultEncryptionKey"


def primary_region(secret: Secret) -> str | None:
    if secret.primary_region is not None:
        return secret.primary_region
    return arn.parse(secret.arn).region if secret.replicas else None


def described(secret: Secret) -> Params:
    out = _common(secret)
    stages = versions_to_stages(secret)
    if stages:
        out["VersionIdsToStages"] = stages
    if secret.replicas:
        out["ReplicationStatus"] = replication_status(secret)
    return out


def listed(secret: Secret) -> Params:
    out = _common(secret)
    stages = versions_to_stages(secret)
    if stages:
        out["SecretVersionsToStages"] = stages
    return out


def _common(secret: Secret) -> Params:
    out: Params = {"ARN": secret.arn, "Name": secret.name}
    if secret.description is not None:
        out["Description"] = secret.description
    if secret.kms_key_arn is not None:
        out["KmsKeyId"] = secret.kms_key_arn
    if secret.rotation is not None:
        out.update(rotation_members(secret.rotation))
    out["LastChangedDate"] = secret.last_changed
    if secret.last_accessed is not None:
        out["LastAccessedDate"] = secret.last_accessed
    if secret.deletion_date is not None:
        out["DeletedDate"] = secret.deletion_date  # "The date the secret is scheduled for deletion"
    if secret.tagged:
        out["Tags"] = tag_list(secret.tags)
    out["CreatedDate"] = secret.created
    region = primary_region(secret)
    if region is not None:
        out["PrimaryRegion"] = region
    return out


def rotation_members(rotation: Rotation) -> Params:
    out: Params = {"RotationEnabled": rotation.enabled}
    if rotation.lambda_arn:
        out["RotationLambdaARN"] = rotation.lambda_arn
    rules: dict[str, Any] = {}
    if rotation.automatically_after_days is not None:
        rules["AutomaticallyAfterDays"] = rotation.automatically_after_days
    if rotation.duration is not None:
        rules["Duration"] = rotation.duration
    if rotation.schedule_expression is not None:
        rules["ScheduleExpression"] = rotation.schedule_expression
    if rules:
        out["RotationRules"] = rules
    if rotation.last_rotated is not None:
        out["LastRotatedDate"] = rotation.last_rotated
    if rotation.enabled and rotation.next_date is not None:
        out["NextRotationDate"] = rotation.next_date
    return out


def versions_to_stages(secret: Secret) -> dict[str, list[str]]:
    return {version.version_id: list(version.stages) for version in secret.versions if version.stages}


def replication_status(secret: Secret) -> list[Params]:
    return [
        {
            "Region": replica.region,
            "KmsKeyId": replica.kms_key_id,
            "Status": replica.status,
            "StatusMessage": replica.status_message,
        }
        for replica in secret.replicas
    ]


def version_entry(version: Version) -> Params:
    out: Params = {"VersionId": version.version_id}
    if version.stages:
        out["VersionStages"] = list(version.stages)
    if version.last_accessed is not None:
        out["LastAccessedDate"] = version.last_accessed
    out["CreatedDate"] = version.created
    out["KmsKeyIds"] = [DEFAULT_KEY_LABEL if key.default else key.arn for key in version.keys]
    return out


def tag_list(tags: dict[str, str]) -> list[dict[str, str]]:
    return [{"Key": key, "Value": value} for key, value in tags.items()]
