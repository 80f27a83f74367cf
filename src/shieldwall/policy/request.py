"""The request the policy engine evaluates: who, what, on which resource, with which condition keys."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import NamedTuple

EMPTY_CONTEXT: Mapping[str, tuple[str, ...]] = MappingProxyType({})


class AuthzRequest(NamedTuple):
    principal_arn: str  # arn:aws:iam::111122223333:user/alice, a service principal, or "*" for anonymous
    principal_account: str
    action: str  # "kms:Decrypt"
    resource: str  # an ARN or "*"
    resource_account: str = ""
    context: Mapping[str, tuple[str, ...]] = EMPTY_CONTEXT  # keys lower-cased

    @property
    def is_anonymous(self) -> bool:
        return self.principal_arn == "*"

    @property
    def is_cross_account(self) -> bool:
        return bool(self.resource_account) and self.resource_account != self.principal_account
