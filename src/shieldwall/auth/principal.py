"""Who is calling: the principal a verified access key (or no key at all) stands for."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from shieldwall import arn
from shieldwall.auth.credentials import Credential


@dataclass(frozen=True, slots=True)
class Principal:
    kind: str  # "root" | "user" | "anonymous"; later issues add "assumed-role", "federated-user"
    account_id: str
    arn: str
    user_id: str
    access_key_id: str = ""
    partition: str = "aws"

    @property
    def is_root(self) -> bool:
        return self.kind == "root"

    @property
    def is_anonymous(self) -> bool:
        return self.kind == "anonymous"

    def user_identity(self) -> dict[str, Any]:
        """CloudTrail's `userIdentity` for this principal."""
        if self.is_anonymous:
            return {"type": "AWSAccount", "principalId": "", "accountId": "ANONYMOUS_PRINCIPAL"}
        identity: dict[str, Any] = {
            "type": "Root" if self.is_root else "IAMUser",
            "principalId": self.user_id,
            "arn": self.arn,
            "accountId": self.account_id,
        }
        if self.access_key_id:
            identity["accessKeyId"] = self.access_key_id
        if self.kind == "user":
            identity["userName"] = self.username
        return identity

    @property
    def username(self) -> str:
        """The `Username` CloudTrail LookupEvents reports: root for root, the name for users."""
        if self.is_root:
            return "root"
        return self.arn.rsplit("/", 1)[-1] if "/" in self.arn else ""


ANONYMOUS = Principal(kind="anonymous", account_id="", arn="*", user_id="anonymous")


@functools.lru_cache(maxsize=4096)
def principal_for(credential: Credential, partition: str = "aws") -> Principal:
    """The principal a credential stands for (cached: credentials are immutable, and this runs per request)."""
    if credential.principal_kind == "root":
        return Principal(
            kind="root",
            account_id=credential.account_id,
            arn=arn.root_arn(credential.account_id, partition),
            user_id=credential.account_id,
            access_key_id=credential.access_key_id,
            partition=partition,
        )
    if credential.principal_kind == "user":
        return Principal(
            kind="user",
            account_id=credential.account_id,
            arn=credential.principal_arn,
            user_id=credential.principal_id,
            access_key_id=credential.access_key_id,
            partition=partition,
        )
    raise ValueError(f"unknown principal kind `{credential.principal_kind}`")
