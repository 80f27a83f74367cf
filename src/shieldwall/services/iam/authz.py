"""Permissions each implemented IAM operation needs (Service Authorization Reference: AWS Identity and Access
Management): the action and the ARN of the user, group, role or instance profile it names.

An entity's path is part of its ARN but not of most requests; it is known here only when the request carries
it (Create* with Path). TODO(issue 3): resolve the stored path when the policy engine lands, so that
`user/division/*` resources match users created under a path.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from shieldwall import arn
from shieldwall.policy.authorizer import ActionRequest
from shieldwall.services.base import AuthzRule, Call, action_on_any


def _entity_arn(call: Call, kind: str, params: Mapping[str, Any], member: str) -> str:
    path = params.get("Path") or "/"
    return arn.build("iam", "", call.account_id, f"{kind}{path}{params.get(member, '')}", call.partition)


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
