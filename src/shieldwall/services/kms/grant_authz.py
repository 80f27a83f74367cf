"""Permissions of the grant operations, and the grant-token check every operation that takes GrantTokens makes.

CreateGrant carries the condition keys AWS documents for it (kms:GrantOperations, kms:GranteePrincipal,
kms:RetiringPrincipal, kms:GrantIsForAWSResource, kms:GrantConstraintType) and, as AWS does on CreateGrant,
the new grant's constraint pairs as kms:EncryptionContext:<key> / kms:EncryptionContextKeys. A grant that allows
CreateGrant is judged on exactly these (see `grant_policy`).

RetireGrant is judged against the grant alone (`grant_policy.retire_policy`), not the key policy.
ListRetirableGrants is an IAM permission whose resource is the retiring principal the request names: naming a
principal of another account is denied, as AWS requires a principal of the caller's own account.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

from shieldwall.errors import internal_error
from shieldwall.policy.authorizer import ActionRequest
from shieldwall.services.base import AuthzRule, Call
from shieldwall.services.kms import errors
from shieldwall.services.kms.grant_policy import constraint_type, retire_policy
from shieldwall.services.kms.grant_tokens import check_tokens, read_token
from shieldwall.services.kms.judging import Values, flag, found_key, judged, key_context, on_key
from shieldwall.services.kms.keyref import parse_key_ref
from shieldwall.services.kms.models import Grant, Key
from shieldwall.spec.loader import service_model


def grant_keys(params: Mapping[str, Any]) -> dict[str, Values]:
    """The condition keys of a CreateGrant request."""
    keys: dict[str, Values] = {
        "kms:GrantOperations": tuple(params.get("Operations") or ()),
        "kms:GrantIsForAWSResource": (flag(False),),
    }
    grantee = params.get("GranteePrincipal") or params.get("GranteeServicePrincipal")
    if grantee:
        keys["kms:GranteePrincipal"] = (str(grantee),)
    retiring = params.get("RetiringPrincipal") or params.get("RetiringServicePrincipal")
    if retiring:
        keys["kms:RetiringPrincipal"] = (str(retiring),)
    constraints = params.get("Constraints")
    kind = constraint_type(constraints)
    if kind is not None:
        pairs: Mapping[str, str] = constraints[kind]  # type: ignore[index]
        keys["kms:GrantConstraintType"] = (kind,)
        keys["kms:EncryptionContextKeys"] = tuple(pairs)
        keys.update({f"kms:EncryptionContext:{name}": (value,) for name, value in pairs.items()})
    return keys


def _create_grant(params: Mapping[str, Any], call: Call) -> list[ActionRequest]:
    ref = parse_key_ref(params["KeyId"], call, aliases=False)
    return [judged("kms:CreateGrant", found_key(call, ref), call, grant_keys(params))]


def retired_grant(params: Mapping[str, Any], call: Call) -> tuple[Key, Grant]:
    """The key and grant a RetireGrant request names: by its grant token, or by KeyId and GrantId."""
    token, key_id, grant_id = params.get("GrantToken"), params.get("KeyId"), params.get("GrantId")
    if token:
        if call.sealer is None:
            raise internal_error()
        key_id, grant_id = read_token(call.sealer, token)
    if not key_id or not grant_id:
        raise errors.validation("RetireGrant needs a GrantToken, or both a KeyId and a GrantId.")
    key = found_key(call, parse_key_ref(key_id, call, aliases=False)).key
    return key, grant_of(key, grant_id)


def grant_of(key: Key, grant_id: str) -> Grant:
    check_grant_id(grant_id)
    for grant in key.grants:
        if grant.grant_id == grant_id:
            return grant
    raise errors.grant_not_found(grant_id)


def check_grant_id(grant_id: str) -> None:
    if len(grant_id) != 64 or any(digit not in "0123456789abcdef" for digit in grant_id):
        raise errors.invalid_grant_id(grant_id)


def _retire_grant(params: Mapping[str, Any], call: Call) -> list[ActionRequest]:
    key, grant = retired_grant(params, call)
    return [
        ActionRequest(
            "kms:RetireGrant",
            key.arn,
            key.account_id,
            key_context(key, call, None),
            resource_policy=retire_policy(key, grant),
            resource_required=True,
            outside_rcps=True,  # an RCP cannot govern kms:RetireGrant ("Resource control policies in AWS KMS")
        )
    ]


def _list_retirable_grants(params: Mapping[str, Any], call: Call) -> list[ActionRequest]:
    principal = str(params.get("RetiringPrincipal") or params.get("RetiringServicePrincipal") or "*")
    return [ActionRequest("kms:ListRetirableGrants", principal, _account_of(principal))]


def _account_of(principal: str) -> str:
    parts = principal.split(":")
    if len(parts) >= 6 and parts[0] == "arn":
        return parts[4]
    return principal if len(principal) == 12 and principal.isdigit() else ""


GRANT_AUTHZ: dict[str, AuthzRule] = {
    "CreateGrant": _create_grant,
    "ListGrants": on_key("kms:ListGrants", aliases=False),
    "RevokeGrant": on_key("kms:RevokeGrant", aliases=False),
    "RetireGrant": _retire_grant,
    "ListRetirableGrants": _list_retirable_grants,
}


# -- grant tokens ----------------------------------------------------------------------------------------------


@functools.cache
def _takes_grant_tokens(operation: str) -> bool:
    shape = service_model("kms").operation_model(operation).input_shape
    return shape is not None and "GrantTokens" in shape.members


def with_grant_tokens(operation: str, rule: AuthzRule) -> AuthzRule:
    """`rule`, after checking the request's grant tokens when the operation takes them."""
    if not _takes_grant_tokens(operation):
        return rule

    def checked(params: Mapping[str, Any], call: Call) -> list[ActionRequest]:
        tokens = params.get("GrantTokens")
        if tokens:
            if call.sealer is None:
                raise internal_error()
            check_tokens(call.sealer, tokens)
        return rule(params, call)

    return checked
