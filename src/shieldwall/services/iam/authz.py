"""Permissions each implemented IAM operation needs (Service Authorization Reference: AWS Identity and Access
Management): the action and the ARN of the user, group, role or instance profile it names.

An entity's path is part of its ARN but not of most requests: a Create* request carries it (`Path`); for an
entity that exists, the stored record's ARN is used, so `user/division/*` matches users created under
`/division/`. A name that names nothing is authorized as if under `/` (the operation then answers
NoSuchEntity to those allowed to ask).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

from shieldwall import arn
from shieldwall.policy.authorizer import ActionRequest
from shieldwall.services.base import AuthzRule, Call, action_on_any
from shieldwall.services.iam import service_linked
from shieldwall.services.iam.common import SERVICE_ROLE_PATH
from shieldwall.services.iam.models import Group, InstanceProfile, Role, User

_MODELS: dict[str, type[Any]] = {
    "user": User,
    "group": Group,
    "role": Role,
    "instance-profile": InstanceProfile,
}


def _entity_arn(call: Call, kind: str, params: Mapping[str, Any], member: str) -> str:
    name = str(params.get(member, ""))
    model = _MODELS.get(kind)
    if model is not None and "Path" not in params and name and call.store is not None:
        with call.store.read() as reader:
            stored = reader.get(call.account_scope, model, name.lower())
        if stored is not None:
            return str(stored.arn)
    path = params.get("Path") or "/"
    return arn.build("iam", "", call.account_id, f"{kind}{path}{name}", call.partition)


def on_entity(action: str, kind: str, member: str) -> AuthzRule:
    def rule(params: Mapping[str, Any], call: Call) -> list[ActionRequest]:
        return [ActionRequest(action, _entity_arn(call, kind, params, member))]

    return rule


def on_user(action: str) -> AuthzRule:
    """A user named by UserName, or the calling user when the request names none."""

    def rule(params: Mapping[str, Any], call: Call) -> list[ActionRequest]:
        if params.get("UserName") is None and call.principal.kind == "user":
            return [ActionRequest(action, call.principal.arn)]
        return [ActionRequest(action, _entity_arn(call, "user", params, "UserName"))]

    return rule


def on_role(action: str) -> AuthzRule:
    return on_entity(action, "role", "RoleName")


def on_group(action: str) -> AuthzRule:
    return on_entity(action, "group", "GroupName")


def on_profile(action: str) -> AuthzRule:
    return on_entity(action, "instance-profile", "InstanceProfileName")


_USER_OPERATIONS = (
    "CreateUser GetUser UpdateUser DeleteUser TagUser UntagUser ListUserTags ListGroupsForUser "
    "CreateAccessKey ListAccessKeys UpdateAccessKey DeleteAccessKey "
    "CreateLoginProfile GetLoginProfile UpdateLoginProfile DeleteLoginProfile"
)
_ROLE_OPERATIONS = (
    "CreateRole GetRole UpdateRole UpdateRoleDescription UpdateAssumeRolePolicy DeleteRole "
    "TagRole UntagRole ListRoleTags ListInstanceProfilesForRole"
)
_GROUP_OPERATIONS = "CreateGroup GetGroup UpdateGroup DeleteGroup AddUserToGroup RemoveUserFromGroup"
_PROFILE_OPERATIONS = (
    "CreateInstanceProfile GetInstanceProfile DeleteInstanceProfile "
    "AddRoleToInstanceProfile RemoveRoleFromInstanceProfile"
)
_ACCOUNT_OPERATIONS = (
    "ListUsers ListGroups ListRoles ListInstanceProfiles GetAccessKeyLastUsed "
    "CreateAccountAlias DeleteAccountAlias ListAccountAliases "
    "UpdateAccountPasswordPolicy GetAccountPasswordPolicy DeleteAccountPasswordPolicy GetAccountSummary"
)

AUTHZ: dict[str, AuthzRule] = {
    **{name: on_user(f"iam:{name}") for name in _USER_OPERATIONS.split()},
    **{name: on_role(f"iam:{name}") for name in _ROLE_OPERATIONS.split()},
    **{name: on_group(f"iam:{name}") for name in _GROUP_OPERATIONS.split()},
    **{name: on_profile(f"iam:{name}") for name in _PROFILE_OPERATIONS.split()},
    **{name: action_on_any(f"iam:{name}") for name in _ACCOUNT_OPERATIONS.split()},
}


# -- MFA devices, identity providers, the credential report, service-linked roles ----------------------------


def _member_or(params: Mapping[str, Any], member: str, build: Callable[[], str]) -> str:
    value = params.get(member)
    return value if isinstance(value, str) and value else build()


def on_mfa(action: str) -> AuthzRule:
    """A virtual MFA device named by SerialNumber, or by Path and VirtualMFADeviceName when it is created."""

    def rule(params: Mapping[str, Any], call: Call) -> list[ActionRequest]:
        device = _member_or(
            params, "SerialNumber", lambda: _entity_arn(call, "mfa", params, "VirtualMFADeviceName")
        )
        return [ActionRequest(action, device)]

    return rule


def on_provider(action: str, kind: str, arn_member: str, name_member: str) -> AuthzRule:
    """An identity provider named by its ARN, or by the URL or name it is created with."""

    def rule(params: Mapping[str, Any], call: Call) -> list[ActionRequest]:
        def built() -> str:
            name = str(params.get(name_member, "")).removeprefix("https://")
            return arn.build("iam", "", call.account_id, f"{kind}/{name}", call.partition)

        return [ActionRequest(action, _member_or(params, arn_member, built))]

    return rule


def on_oidc(action: str) -> AuthzRule:
    return on_provider(action, "oidc-provider", "OpenIDConnectProviderArn", "Url")


def on_saml(action: str) -> AuthzRule:
    return on_provider(action, "saml-provider", "SAMLProviderArn", "Name")


def on_service_linked_role(action: str) -> AuthzRule:
    """The service-linked role a request creates, deletes or asks about: its path names the service."""

    def rule(params: Mapping[str, Any], call: Call) -> list[ActionRequest]:
        located = _service_linked_role(params)
        if located is None:
            return [ActionRequest(action, "*")]
        path, name = located
        return [
            ActionRequest(action, arn.build("iam", "", call.account_id, f"role{path}{name}", call.partition))
        ]

    return rule


def _service_linked_role(params: Mapping[str, Any]) -> tuple[str, str] | None:
    if "DeletionTaskId" in params:
        return service_linked.role_path_of_task(str(params["DeletionTaskId"]))
    if "AWSServiceName" in params:
        service = str(params["AWSServiceName"])
        known = service_linked.SERVICE_ROLES.get(service)
        if known is None:
            return f"{SERVICE_ROLE_PATH}{service}/", ""
        return known.path, service_linked.service_role_name(known, params.get("CustomSuffix"))
    name = str(params.get("RoleName", ""))
    known = service_linked.service_of_role_name(name)
    return (known.path if known else "/"), name


_MFA_USER_OPERATIONS = "EnableMFADevice DeactivateMFADevice ResyncMFADevice ListMFADevices GetMFADevice"
_MFA_OPERATIONS = (
    "CreateVirtualMFADevice DeleteVirtualMFADevice TagMFADevice UntagMFADevice ListMFADeviceTags"
)
_OIDC_OPERATIONS = (
    "CreateOpenIDConnectProvider GetOpenIDConnectProvider DeleteOpenIDConnectProvider "
    "AddClientIDToOpenIDConnectProvider RemoveClientIDFromOpenIDConnectProvider "
    "UpdateOpenIDConnectProviderThumbprint TagOpenIDConnectProvider UntagOpenIDConnectProvider "
    "ListOpenIDConnectProviderTags"
)
_SAML_OPERATIONS = (
    "CreateSAMLProvider GetSAMLProvider UpdateSAMLProvider DeleteSAMLProvider "
    "TagSAMLProvider UntagSAMLProvider ListSAMLProviderTags"
)
_SERVICE_LINKED_OPERATIONS = (
    "CreateServiceLinkedRole DeleteServiceLinkedRole GetServiceLinkedRoleDeletionStatus"
)
_CREDENTIAL_LIST_OPERATIONS = (
    "ListVirtualMFADevices ListOpenIDConnectProviders ListSAMLProviders "
    "GenerateCredentialReport GetCredentialReport"
)

AUTHZ.update(
    {
        **{name: on_user(f"iam:{name}") for name in _MFA_USER_OPERATIONS.split()},
        **{name: on_mfa(f"iam:{name}") for name in _MFA_OPERATIONS.split()},
        **{name: on_oidc(f"iam:{name}") for name in _OIDC_OPERATIONS.split()},
        **{name: on_saml(f"iam:{name}") for name in _SAML_OPERATIONS.split()},
        **{name: on_service_linked_role(f"iam:{name}") for name in _SERVICE_LINKED_OPERATIONS.split()},
        **{name: action_on_any(f"iam:{name}") for name in _CREDENTIAL_LIST_OPERATIONS.split()},
    }
)


# -- the policy simulator ------------------------------------------------------------------------------------


def on_policy_source(action: str) -> AuthzRule:
    """The user, group or role whose policies are simulated (PolicySourceArn)."""

    def rule(params: Mapping[str, Any], call: Call) -> list[ActionRequest]:
        return [ActionRequest(action, str(params.get("PolicySourceArn") or "*"))]

    return rule


AUTHZ.update(
    {
        **{
            name: action_on_any(f"iam:{name}")
            for name in ("SimulateCustomPolicy", "GetContextKeysForCustomPolicy")
        },
        **{
            name: on_policy_source(f"iam:{name}")
            for name in ("SimulatePrincipalPolicy", "GetContextKeysForPrincipalPolicy")
        },
    }
)


# -- managed and inline policies, attachments, permissions boundaries ---------------------------------------


def on_policy(action: str) -> AuthzRule:
    """A managed policy named by PolicyArn (the account's own or an AWS managed one)."""

    def rule(params: Mapping[str, Any], call: Call) -> list[ActionRequest]:
        return [ActionRequest(action, str(params.get("PolicyArn") or "*"))]

    return rule


def with_member_key(rule: AuthzRule, key: str, member: str) -> AuthzRule:
    """`rule`, with the condition key `key` set to the request's `member` when it has one (Service
    Authorization Reference: iam:PolicyARN on Attach*/Detach*, iam:PermissionsBoundary where one is set)."""

    def keyed(params: Mapping[str, Any], call: Call) -> list[ActionRequest]:
        requests = rule(params, call)
        value = params.get(member)
        if not value:
            return requests
        return [replace(request, context={**request.context, key: (str(value),)}) for request in requests]

    return keyed


_POLICY_OPERATIONS = (
    "GetPolicy DeletePolicy CreatePolicyVersion GetPolicyVersion ListPolicyVersions DeletePolicyVersion "
    "SetDefaultPolicyVersion TagPolicy UntagPolicy ListPolicyTags ListEntitiesForPolicy"
)
_POLICY_USER_OPERATIONS = (
    "ListAttachedUserPolicies PutUserPolicy GetUserPolicy DeleteUserPolicy ListUserPolicies "
    "DeleteUserPermissionsBoundary"
)
_POLICY_GROUP_OPERATIONS = (
    "ListAttachedGroupPolicies PutGroupPolicy GetGroupPolicy DeleteGroupPolicy ListGroupPolicies"
)
_POLICY_ROLE_OPERATIONS = (
    "ListAttachedRolePolicies PutRolePolicy GetRolePolicy DeleteRolePolicy ListRolePolicies "
    "DeleteRolePermissionsBoundary"
)
_ENTITY_RULES = {"User": on_user, "Group": on_group, "Role": on_role}

AUTHZ.update(
    {
        "CreatePolicy": on_entity("iam:CreatePolicy", "policy", "PolicyName"),
        **{name: on_policy(f"iam:{name}") for name in _POLICY_OPERATIONS.split()},
        **{name: on_user(f"iam:{name}") for name in _POLICY_USER_OPERATIONS.split()},
        **{name: on_group(f"iam:{name}") for name in _POLICY_GROUP_OPERATIONS.split()},
        **{name: on_role(f"iam:{name}") for name in _POLICY_ROLE_OPERATIONS.split()},
        **{
            f"{verb}{kind}Policy": with_member_key(
                _ENTITY_RULES[kind](f"iam:{verb}{kind}Policy"), "iam:PolicyARN", "PolicyArn"
            )
            for verb in ("Attach", "Detach")
            for kind in _ENTITY_RULES
        },
        **{
            f"Put{kind}PermissionsBoundary": with_member_key(
                _ENTITY_RULES[kind](f"iam:Put{kind}PermissionsBoundary"),
                "iam:PermissionsBoundary",
                "PermissionsBoundary",
            )
            for kind in ("User", "Role")
        },
        **{
            name: with_member_key(AUTHZ[name], "iam:PermissionsBoundary", "PermissionsBoundary")
            for name in ("CreateUser", "CreateRole")
        },
        **{name: action_on_any(f"iam:{name}") for name in ("ListPolicies", "GetAccountAuthorizationDetails")},
    }
)
