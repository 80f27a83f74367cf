"""STS's stored records: one per temporary credential issued."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from shieldwall.store import codec


@codec.model("sts.session", version=1)
@dataclass(slots=True)
class StoredSession:
    """A temporary credential, keyed by its access key id (partition-wide, like IAM access keys).

    `sealed` holds the secret key and the session token, sealed under the data directory's root key. `kind` is
    the principal kind the key signs as: "assumed-role", "federated-user", or for GetSessionToken "user"/"root".
    """

    access_key_id: str
    sealed: bytes
    account_id: str
    kind: str
    arn: str
    principal_id: str
    issued_at: datetime
    expires_at: datetime
    issuer_type: str
    issuer_id: str
    issuer_arn: str
    issuer_name: str
    mfa_authenticated: bool = False
    mfa_authenticated_at: datetime | None = None
    source_identity: str | None = None
    tags: list[list[str]] = field(default_factory=list)  # [key, value] pairs, in the order given
    transitive_tag_keys: list[str] = field(default_factory=list)
    inline_policy: str | None = None
    policy_arns: list[str] = field(default_factory=list)
    federated_provider: str | None = None
    web_identity: dict[str, str] = field(default_factory=dict)
    chained: bool = False
