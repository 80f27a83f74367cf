"""What a temporary credential carries besides its keys: who issued it and everything that went into issuing it.

STS builds one `SessionContext` per session; the resolver hands it over with the credential, so the principal,
the request's condition keys (aws:TokenIssueTime, aws:MultiFactorAuthPresent, aws:SourceIdentity, session
tags), the session policies and the audit trail's `sessionContext` all read the same immutable record.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class SessionIssuer:
    """CloudTrail's `sessionIssuer`: the role (or, for GetFederationToken/GetSessionToken, the user or root)."""

    type: str  # "Role" | "IAMUser" | "Root"
    principal_id: str
    arn: str
    account_id: str
    user_name: str


@dataclass(frozen=True, slots=True)
class SessionContext:
    issued_at: datetime
    expires_at: datetime
    issuer: SessionIssuer
    mfa_authenticated: bool = False
    mfa_authenticated_at: datetime | None = None
    source_identity: str | None = None
    tags: tuple[tuple[str, str], ...] = ()  # session tags, keys as given
    transitive_tag_keys: tuple[str, ...] = ()
    inline_policy: str | None = None  # the session policy passed as `Policy`
    policy_arns: tuple[str, ...] = ()  # the managed session policies passed as `PolicyArns`
    federated_provider: str | None = None  # the OIDC/SAML provider ARN of a federated role session
    web_identity: tuple[tuple[str, str], ...] = ()  # CloudTrail's webIdFederationData (provider, audience...)
    chained: bool = False  # issued to a role session (role chaining: at most one hour)

    @property
    def has_session_policy(self) -> bool:
        return self.inline_policy is not None or bool(self.policy_arns)
