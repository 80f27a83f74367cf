"""Stored records of IAM's credential half: virtual MFA devices, identity providers, the credential report and
service-linked role deletion tasks. All are account-wide (region "").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from shieldwall.store import codec


@codec.model("iam.virtual_mfa_device", version=1)
@dataclass(slots=True)
class VirtualMfaDevice:
    """Keyed by the lower-cased `<path><name>` of its serial number.

    TOTP steps are counted as the device counts them: `drift` is how many steps the device runs ahead of the
    server clock (learnt when it is enabled or resynchronized), `last_step` the newest step whose code was
    accepted, so no code at or before it is ever accepted again.
    """

    serial: str
    name: str
    path: str
    create_date: datetime
    sealed_seed: bytes
    tags: dict[str, str] = field(default_factory=dict)
    user_id: str | None = None
    user_key: str | None = None
    enable_date: datetime | None = None
    drift: int = 0
    last_step: int = 0


@codec.model("iam.oidc_provider", version=1)
@dataclass(slots=True)
class OidcProvider:
    """Keyed by the URL without its `https://`, which is also the end of its ARN."""

    arn: str
    url: str
    create_date: datetime
    client_ids: list[str] = field(default_factory=list)
    thumbprints: list[str] = field(default_factory=list)
    tags: dict[str, str] = field(default_factory=dict)


@codec.model("iam.saml_provider", version=1)
@dataclass(slots=True)
class SamlProvider:
    """Keyed by the lower-cased name."""

    arn: str
    name: str
    uuid: str
    metadata: str
    create_date: datetime
    valid_until: datetime
    assertion_encryption_mode: str | None = None
    tags: dict[str, str] = field(default_factory=dict)


@codec.model("iam.credential_report", version=1)
@dataclass(slots=True)
class CredentialReport:
    generated: datetime
    content: str


@codec.model("iam.account_epoch", version=1)
@dataclass(slots=True)
class AccountEpoch:
    """When IAM first saw the account: the root user's creation time in the credential report."""

    created: datetime


@codec.model("iam.deletion_task", version=1)
@dataclass(slots=True)
class DeletionTask:
    """A service-linked role deletion, keyed by its DeletionTaskId."""

    task_id: str
    role_name: str
    status: str
    created: datetime
