"""Parameter Store's stored records; all are regional: scope (partition, account, region).

A parameter is a head record (`ssm.parameter`, keyed by its name) holding the current version, the labels and
the tags, and one `ssm.version` record per version kept (at most 100), keyed `<name>:<version, 10 digits>`: names
never contain `:`, so a prefix scan of `<name>:` lists one parameter's versions in order. Reading a parameter's
current value reads the head alone.

A SecureString's value is never stored: only its KMS ciphertext blob, bound to the encryption context
{"PARAMETER_ARN": <arn>}. `Tally` counts the parameters of each tier, for the per-Region quotas.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from shieldwall.store import codec

STRING = "String"
STRING_LIST = "StringList"
SECURE_STRING = "SecureString"

STANDARD = "Standard"
ADVANCED = "Advanced"
INTELLIGENT_TIERING = "Intelligent-Tiering"

TEXT = "text"
EC2_IMAGE = "aws:ec2:image"


@codec.model("ssm.policy", version=1)
@dataclass(frozen=True, slots=True)
class Policy:
    type: str  # Expiration | ExpirationNotification | NoChangeNotification
    text: str  # the policy's JSON as PolicyText shows it
    at: datetime | None = None  # Expiration: when the parameter is deleted
    seconds: int = 0  # ExpirationNotification: how long before; NoChangeNotification: how long after


@codec.model("ssm.version", version=1)
@dataclass(slots=True)
class Version:
    number: int
    type: str
    modified: datetime
    modified_by: str  # the caller's ARN (LastModifiedUser)
    tier: str
    data_type: str = TEXT
    value: str = ""  # String and StringList only
    ciphertext: bytes | None = None  # SecureString only
    key_id: str | None = None  # SecureString: the KeyId as the request named it (alias/aws/ssm by default)
    description: str = ""
    allowed_pattern: str = ""
    policies: list[Policy] = field(default_factory=list)


@codec.model("ssm.parameter", version=1)
@dataclass(slots=True)
class Parameter:
    name: str
    arn: str
    current: Version
    oldest: int = 1  # the oldest version still kept
    labels: dict[str, int] = field(default_factory=dict)  # label → version
    tags: dict[str, str] = field(default_factory=dict)
    notified: list[str] = field(default_factory=list)  # notification policies already acted on

    @property
    def version(self) -> int:
        return self.current.number

    def labels_of(self, number: int) -> list[str]:
        return sorted(label for label, version in self.labels.items() if version == number)


@codec.model("ssm.tally", version=1)
@dataclass(slots=True)
class Tally:
    standard: int = 0
    advanced: int = 0


def version_key(name: str, number: int) -> str:
    return f"{name}:{number:010d}"


def versions_prefix(name: str) -> str:
    return f"{name}:"
