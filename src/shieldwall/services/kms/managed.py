"""AWS managed keys (`alias/aws/<service>`): made by a service the first time it needs one in an account and Region.

Other services call `aws_managed_key` inside their own transaction. The key gets AWS's fixed policy for
AWS managed keys (any principal of the account may use it through that service, the account may read its
metadata), KeyManager AWS, and yearly automatic rotation. Without a sealer the key is stored without
material; KMS gives it its first version on first use.

`alias/aws/` names are reserved for these keys: CreateAlias refuses them, and DescribeKey on a predefined one
creates its key, as AWS documents ("DescribeKey ... on a predefined AWS alias ... creates an AWS managed key").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from shieldwall import ids
from shieldwall.services.kms import material
from shieldwall.services.kms.keyref import alias_arn, key_arn
from shieldwall.services.kms.models import AWS, AWS_KMS, Alias, Key
from shieldwall.services.kms.policies import aws_managed_policy
from shieldwall.services.kms.records import save_new_key
from shieldwall.store.base import Scope, Transaction
from shieldwall.store.sealing import Sealer

RESERVED_PREFIX = "alias/aws/"
ROTATION_DAYS = 365


@dataclass(frozen=True, slots=True)
class ManagedService:
    endpoint: str  # the service's kms:ViaService name before `.<region>.amazonaws.com`
    label: str  # how the key policy's statement names the service
    protects: str  # what the key's description says it protects


PREDEFINED: dict[str, ManagedService] = {
    "alias/aws/acm": ManagedService("acm", "AWS Certificate Manager", "ACM private keys"),
    "alias/aws/backup": ManagedService("backup", "AWS Backup", "backups"),
    "alias/aws/dynamodb": ManagedService("dynamodb", "Amazon DynamoDB", "DynamoDB tables"),
    "alias/aws/ebs": ManagedService("ec2", "EBS", "EBS volumes"),
    "alias/aws/elasticfilesystem": ManagedService("elasticfilesystem", "Amazon EFS", "EFS file systems"),
    "alias/aws/es": ManagedService("es", "Amazon OpenSearch Service", "OpenSearch domains"),
    "alias/aws/glue": ManagedService("glue", "AWS Glue", "Glue data"),
    "alias/aws/kinesisvideo": ManagedService(
        "kinesisvideo", "Kinesis Video Streams", "Kinesis Video streams"
    ),
    "alias/aws/lambda": ManagedService("lambda", "AWS Lambda", "Lambda functions"),
    "alias/aws/rds": ManagedService("rds", "RDS", "RDS database volumes"),
    "alias/aws/redshift": ManagedService("redshift", "Amazon Redshift", "Redshift databases"),
    "alias/aws/s3": ManagedService("s3", "S3", "S3 objects"),
    "alias/aws/secretsmanager": ManagedService(
        "secretsmanager", "AWS Secrets Manager", "Secrets Manager secrets"
    ),
    "alias/aws/sns": ManagedService("sns", "Amazon SNS", "SNS data"),
    "alias/aws/sqs": ManagedService("sqs", "Amazon SQS", "SQS messages"),
    "alias/aws/ssm": ManagedService("ssm", "AWS Systems Manager", "SSM parameters"),
    "alias/aws/xray": ManagedService("xray", "AWS X-Ray", "X-Ray traces"),
}


def alias_name_of(service_alias: str) -> str:
    """`aws/s3` or `alias/aws/s3` → `alias/aws/s3`."""
    return service_alias if service_alias.startswith("alias/") else f"alias/{service_alias}"


def service_for(alias_name: str) -> ManagedService:
    known = PREDEFINED.get(alias_name)
    if known is not None:
        return known
    name = alias_name.removeprefix(RESERVED_PREFIX)
    return ManagedService(name, name, f"{name} data")


def aws_managed_key(
    tx: Transaction,
    partition: str,
    account: str,
    region: str,
    service_alias: str,
    now: datetime,
    *,
    sealer: Sealer | None = None,
) -> Key:
    """The AWS managed key `alias/aws/<service>` of the account and Region, created on first use."""
    name = alias_name_of(service_alias)
    if not name.startswith(RESERVED_PREFIX) or len(name) == len(RESERVED_PREFIX):
        raise ValueError(f"`{service_alias}` is not an AWS managed key alias (aws/<service>)")
    scope = Scope(partition, account, region)
    alias = tx.get(scope, Alias, name)
    if alias is not None:
        existing = tx.get(scope, Key, alias.target_key_id)
        if existing is not None:
            return existing
    key = new_managed_key(partition, account, region, name, now)
    if sealer is not None:
        material.add_material(key, material.new_material(sealer, key, now))
    save_new_key(tx, key)
    tx.put(scope, name, Alias(name, alias_arn(partition, region, account, name), key.key_id, now, now))
    return key


def new_managed_key(partition: str, account: str, region: str, name: str, now: datetime) -> Key:
    service = service_for(name)
    key_id = ids.uuid4()
    via = f"{service.endpoint}.{region}.amazonaws.com"
    return Key(
        key_id=key_id,
        arn=key_arn(partition, region, account, key_id),
        account_id=account,
        region=region,
        creation_date=now,
        key_spec="SYMMETRIC_DEFAULT",
        key_usage="ENCRYPT_DECRYPT",
        origin=AWS_KMS,
        policy=aws_managed_policy(partition, account, name.removeprefix(RESERVED_PREFIX), via, service.label),
        description=f"Default key that protects my {service.protects} when no other key is defined",
        key_manager=AWS,
        aliases=[name],
        rotation_enabled=True,
        rotation_period_days=ROTATION_DAYS,
        next_rotation_date=now + timedelta(days=ROTATION_DAYS),
    )
