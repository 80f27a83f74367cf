"""Secrets Manager's stored records. Secrets are regional: scope (partition, account, region), keyed by name.

A secret's record holds its metadata and every version's metadata (id, staging labels, the KMS keys its value is
encrypted under), so DescribeSecret, label resolution and authorization read one small record. Each version's
value lives in its own `SecretValue` record, keyed `<secret uid>/<version id>`: envelope encryption as AWS does
it, a random 256-bit data key encrypting the value (AES-GCM) and that data key encrypted under the secret's KMS
key, bound to the encryption context {"SecretARN", "SecretVersionId"}. A version re-encrypted after a change of
KMS key keeps its data key wrapped under both keys. The uid changes with every incarnation of a name, so the
values of a deleted secret can never be read as those of a new secret of the same name.

A replica (another Region of the same account) is a secret record of its own in its Region, with the same name,
versions and labels, its `primary_region` set and its values encrypted under its own Region's key.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from shieldwall.store import codec

AWSCURRENT = "AWSCURRENT"
AWSPREVIOUS = "AWSPREVIOUS"
AWSPENDING = "AWSPENDING"


@codec.model("secretsmanager.version_key", version=1)
@dataclass(frozen=True, slots=True)
class VersionKey:
    arn: str  # the KMS key's ARN
    default: bool = False  # the AWS managed key aws/secretsmanager ("DefaultEncryptionKey" in listings)


@codec.model("secretsmanager.version", version=1)
@dataclass(slots=True)
class Version:
    version_id: str
    created: datetime
    stages: list[str] = field(default_factory=list)
    keys: list[VersionKey] = field(default_factory=list)
    last_accessed: datetime | None = None  # the day it was last read (AWS keeps the date only)


@codec.model("secretsmanager.rotation", version=1)
@dataclass(slots=True)
class Rotation:
    enabled: bool = False
    lambda_arn: str | None = None
    automatically_after_days: int | None = None
    duration: str | None = None
    schedule_expression: str | None = None
    next_date: datetime | None = None
    last_rotated: datetime | None = None


@codec.model("secretsmanager.replica", version=1)
@dataclass(slots=True)
class Replica:
    region: str
    kms_key_id: str  # as DescribeSecret shows it: the key ARN, or alias/aws/secretsmanager
    status: str = "InSync"
    status_message: str = "Replication succeeded"


@codec.model("secretsmanager.secret", version=1)
@dataclass(slots=True)
class Secret:
    name: str
    arn: str
    uid: str
    created: datetime
    last_changed: datetime
    description: str | None = None
    kms_key_arn: str | None = None  # None: the AWS managed key aws/secretsmanager
    tags: dict[str, str] = field(default_factory=dict)
    tagged: bool = False  # Tags appears in DescribeSecret (even empty) once the secret has had tags
    versions: list[Version] = field(default_factory=list)  # in order of creation
    policy: str | None = None
    deleted_date: datetime | None = None
    deletion_date: datetime | None = None
    last_accessed: datetime | None = None
    rotation: Rotation | None = None
    primary_region: str | None = None  # set on a replica: the Region of its primary
    replicas: list[Replica] = field(default_factory=list)

    def version(self, version_id: str) -> Version | None:
        for version in self.versions:
            if version.version_id == version_id:
                return version
        return None

    def staged(self, stage: str) -> Version | None:
        for version in self.versions:
            if stage in version.stages:
                return version
        return None

    @property
    def is_replica(self) -> bool:
        return self.primary_region is not None

    @property
    def is_deleted(self) -> bool:
        return self.deleted_date is not None


@codec.model("secretsmanager.wrapped_key", version=1)
@dataclass(frozen=True, slots=True)
class WrappedKey:
    key_arn: str
    blob: bytes  # the data key, a KMS ciphertext blob under `key_arn`


@codec.model("secretsmanager.value", version=1)
@dataclass(slots=True)
class SecretValue:
    ciphertext: bytes  # nonce || AES-256-GCM(data key, value)
    binary: bool
    wrapped: list[WrappedKey] = field(default_factory=list)

    def wrapped_under(self, key_arn: str) -> WrappedKey | None:
        for wrapped in self.wrapped:
            if wrapped.key_arn == key_arn:
                return wrapped
        return None


def value_key(secret: Secret, version_id: str) -> str:
    return f"{secret.uid}/{version_id}"
