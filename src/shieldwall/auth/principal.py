"""Who is calling: the principal a verified access key (or no key at all) stands for."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from shieldwall import arn
from shieldwall.auth.credentials import Credential
from shieldwall.auth.session import SessionContext
from shieldwall.clock import fmt_iso8601

# CloudTrail's userIdentity.type per principal kind
_IDENTITY_TYPES = {
    "root": "Root",
    "user": "IAMUser",
    "assumed-role": "AssumedRole",
    "federated-user": "FederatedUser",
}


@dataclass(frozen=True, slots=True)
class Principal:
    kind: str  # "root" | "user" | "assumed-role" | "federated-user" | "anonymous"
    account_id: str
    arn: str
    user_id: str
    access_key_id: str = ""
    partition: str = "aws"
    session: SessionContext | None = None  # temporary credentials: what went into issuing them

    @property
    def is_root(self) -> bool:
        return self.kind == "root"

    @property
    def is_anonymous(self) -> bool:
        return self.kind == "anonymous"

    @property
    def role_arn(self) -> str:
        """For a role session, its role's ARN with the role's path; "" otherwise."""
        if self.kind == "assumed-role" and self.session is not None:
            return self.session.issuer.arn
        return ""

    def user_identity(self) -> dict[str, Any]:
        """CloudTrail's `userIdentity` for this principal."""
        if self.is_anonymous:
            return {"type": "AWSAccount", "principalId": "", "accountId": "ANONYMOUS_PRINCIPAL"}
        identity: dict[str, Any] = {
            "type": _IDENTITY_TYPES.get(self.kind, "Unknown"),
            "principalId": self.user_id,
            "arn": self.arn,
            "accountId": self.account_id,
        }
        if self.access_key_id:
            identity["accessKeyId"] = self.access_key_id
        if self.kind == "user":
            identity["userName"] = self.username
        if self.session is not None:
            identity["sessionContext"] = _session_context(self.kind, self.session)
        return identity

    @property
    def username(self) -> str:
        """The `Username` CloudTrail LookupEvents reports: root for root, the name for users, the session name
        for role sessions."""
        if self.is_root:
            return "root"
        return self.arn.rsplit("/", 1)[-1] if "/" in self.arn else ""


def _session_context(kind: str, session: SessionContext) -> dict[str, Any]:
    context: dict[str, Any] = {}
    if kind in ("assumed-role", "federated-user"):
        issuer = session.issuer
        context["sessionIssuer"] = {
            "type": issuer.type,
            "principalId": issuer.principal_id,
            "arn": issuer.arn,
            "accountId": issuer.account_id,
            "userName": issuer.user_name,
        }
        context["webIdFederationData"] = dict(session.web_identity)
    context["attributes"] = {
        "creationDate": fmt_iso8601(session.issued_at),
        "mfaAuthenticated": "true" if session.mfa_authenticated else "false",
    }
    if session.source_identity is not None:
        context["sourceIdentity"] = session.source_identity
    return context


ANONYMOUS = Principal(kind="anonymous", account_id="", arn="*", user_id="anonymous")


@functools.lru_cache(maxsize=4096)
def principal_for(credential: Credential, partition: str = "aws") -> Principal:
    """The principal a credential stands for (cached: credentials are immutable, and this runs per request)."""
    kind = credential.principal_kind
    if kind == "root":
        return Principal(
            kind="root",
            account_id=credential.account_id,
            arn=arn.root_arn(credential.account_id, partition),
            user_id=credential.account_id,
            access_key_id=credential.access_key_id,
            partition=partition,
            session=credential.session,
        )
    if kind in ("user", "assumed-role", "federated-user"):
        return Principal(
            kind=kind,
            account_id=credential.account_id,
            arn=credential.principal_arn,
            user_id=credential.principal_id,
            access_key_id=credential.access_key_id,
            partition=partition,
            session=credential.session,
        )
    raise ValueError(f"unknown principal kind `{kind}`")
