"""What every part of Organizations shares: errors in AWS's words, ids, ARNs, paging, the caller's organization."""

from __future__ import annotations

import secrets
import string
from collections.abc import Sequence
from typing import Any, TypeVar

from shieldwall.errors import AwsError
from shieldwall.services.base import Call, Params
from shieldwall.services.organizations.models import DelegatedAdmin, Member, Organization
from shieldwall.services.organizations.structure import member_of, organization, scope_of
from shieldwall.store.base import Reader, Scope, Store

T = TypeVar("T")
_LOWER = string.ascii_lowercase + string.digits


def error(code: str, message: str, status: int = 400, **fields: str) -> AwsError:
    return AwsError(code, message, status, fields=dict(fields))


def not_in_use() -> AwsError:
    return error(
        "AWSOrganizationsNotInUseException",
        "Your account is not a member of an organization.",
    )


def access_denied() -> AwsError:
    return error("AccessDeniedException", "You don't have permissions to access this resource.")


def constraint(reason: str, message: str) -> AwsError:
    return error("ConstraintViolationException", message, Reason=reason)


def random_id(length: int) -> str:
    return "".join(secrets.choice(_LOWER) for _ in range(length))


class OrganizationsBase:
    store: Store

    def scope(self, call: Call) -> Scope:
        return scope_of(call.partition)

    def caller_org(self, reader: Reader, call: Call) -> tuple[Organization, Member]:
        """The caller's organization and membership, or AWSOrganizationsNotInUseException."""
        member = member_of(reader, call.partition, call.account_id)
        org = organization(reader, call.partition, member.org_id) if member is not None else None
        if member is None or org is None:
            raise not_in_use()
        return org, member

    def managed_org(self, reader: Reader, call: Call, *, read_only: bool = False) -> Organization:
        """The caller's organization when the caller is its management account (or, for reads, a delegated
        administrator); else AccessDeniedException, as for any member account."""
        org, _ = self.caller_org(reader, call)
        if call.account_id == org.management_account:
            return org
        if read_only and self.is_delegated_admin(reader, call, org):
            return org
        raise access_denied()

    def is_delegated_admin(self, reader: Reader, call: Call, org: Organization) -> bool:
        found = reader.list(
            self.scope(call), DelegatedAdmin, prefix=f"{org.org_id}/{call.account_id}/", limit=1
        )
        return bool(found)


def page(items: Sequence[T], params: Params, default: int = 20) -> tuple[list[T], dict[str, Any]]:
    """One page of `items` and the NextToken that continues it."""
    start = 0
    token = params.get("NextToken")
    if token:
        if not token.isdigit() or int(token) > len(items):
            raise error(
                "InvalidInputException", "You provided an invalid NextToken.", Reason="INVALID_NEXT_TOKEN"
            )
        start = int(token)
    size = params.get("MaxResults") or default
    chosen = list(items[start : start + size])
    extra: dict[str, Any] = {}
    if start + size < len(items):
        extra["NextToken"] = str(start + size)
    return chosen, extra


def tag_list(tags: dict[str, str]) -> list[dict[str, str]]:
    return [{"Key": key, "Value": value} for key, value in tags.items()]


def tags_from(params: Params) -> dict[str, str]:
    return {tag["Key"]: tag["Value"] for tag in params.get("Tags") or ()}
