"""Permissions each STS operation needs.

AssumeRole needs the role's trust policy to allow (a resource policy that must allow even within the account)
and, unless that policy names the caller itself within its account, the caller's identity policy too; the
session tags need sts:TagSession and a source identity sts:SetSourceIdentity, judged the same way. A role that
does not exist is judged with no trust policy, so the caller learns nothing it could not learn from a denial.
AssumeRoleWithWebIdentity and AssumeRoleWithSAML are unsigned: their trust policies are judged by the provider
once the token or assertion is verified (see `federation`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from shieldwall.errors import AwsError
from shieldwall.policy.authorizer import ActionRequest
from shieldwall.policy.context import Values
from shieldwall.services.base import AuthzRule, Call, action_on_any, no_permission
from shieldwall.services.iam.mfa import mfa_code_valid
from shieldwall.services.sts.roles import find_role, trust_policy


def _assume_role(params: Mapping[str, Any], call: Call) -> list[ActionRequest]:
    principal = call.principal
    if principal.is_root:
        raise AwsError("AccessDenied", "Roles may not be assumed by root accounts.", 403)
    role_arn: str = params["RoleArn"]
    role = find_role(call, role_arn)
    trust = trust_policy(role) if role is not None else None
    context: dict[str, Values] = {"sts:RoleSessionName": (params["RoleSessionName"],)}
    if "ExternalId" in params:
        context["sts:ExternalId"] = (params["ExternalId"],)
    source_identity = _source_identity(params, call)
    if source_identity is not None:
        context["sts:SourceIdentity"] = (source_identity,)
    if params.get("TransitiveTagKeys"):
        context["sts:TransitiveTagKeys"] = tuple(params["TransitiveTagKeys"])
    if _mfa_presented(params, call):
        context["aws:MultiFactorAuthPresent"] = ("true",)
        context["aws:MultiFactorAuthAge"] = ("0",)
    account = role_arn.split(":")[4] if role_arn.count(":") >= 5 else ""
    actions = ["sts:AssumeRole"]
    if params.get("Tags") or params.get("TransitiveTagKeys"):
        actions.append("sts:TagSession")
    if source_identity is not None:
        actions.append("sts:SetSourceIdentity")
    return [
        ActionRequest(action, role_arn, account, context, resource_policy=trust, resource_required=True)
        for action in actions
    ]


def _source_identity(params: Mapping[str, Any], call: Call) -> str | None:
    """The request's SourceIdentity, or the one the calling session carries: a chained session keeps it, and the
    next role's trust policy must allow sts:SetSourceIdentity for it too."""
    requested: str | None = params.get("SourceIdentity")
    session = call.principal.session
    return requested if requested is not None else session.source_identity if session is not None else None


def _mfa_presented(params: Mapping[str, Any], call: Call) -> bool:
    serial, code = params.get("SerialNumber"), params.get("TokenCode")
    principal = call.principal
    if not serial or not code or principal.kind != "user" or call.store is None or call.sealer is None:
        return False
    with call.store.read() as reader:
        return mfa_code_valid(
            reader, call.sealer, call.account_scope, serial, code, call.now(), user_id=principal.user_id
        )


def _get_federation_token(params: Mapping[str, Any], call: Call) -> list[ActionRequest]:
    resource = f"arn:{call.partition}:sts::{call.account_id}:federated-user/{params['Name']}"
    requests = [ActionRequest("sts:GetFederationToken", resource, call.account_id)]
    if params.get("Tags"):
        requests.append(ActionRequest("sts:TagSession", resource, call.account_id))
    return requests


AUTHZ: dict[str, AuthzRule] = {
    # GetCallerIdentity needs no permission: AWS answers it even when a policy explicitly denies it.
    "GetCallerIdentity": no_permission,
    # "No permissions are required for users to perform this operation" (GetSessionToken API reference).
    "GetSessionToken": no_permission,
    "AssumeRole": _assume_role,
    "GetFederationToken": _get_federation_token,
    "GetAccessKeyInfo": action_on_any("sts:GetAccessKeyInfo"),
    "DecodeAuthorizationMessage": action_on_any("sts:DecodeAuthorizationMessage"),
    # Unsigned: the role's trust policy is judged by the provider against the verified token's claims.
    "AssumeRoleWithWebIdentity": no_permission,
    "AssumeRoleWithSAML": no_permission,
}
