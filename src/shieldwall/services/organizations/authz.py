"""Permissions each Organizations operation needs (on `*`: the organization's own checks decide who may manage
it, as AWS does for member accounts)."""

from __future__ import annotations

from shieldwall.services.base import AuthzRule, action_on_any

OPERATIONS = (
    "AttachPolicy",
    "CreateAccount",
    "CreateOrganization",
    "CreateOrganizationalUnit",
    "CreatePolicy",
    "DeleteOrganization",
    "DeleteOrganizationalUnit",
    "DeletePolicy",
    "DeregisterDelegatedAdministrator",
    "DescribeAccount",
    "DescribeCreateAccountStatus",
    "DescribeOrganization",
    "DescribeOrganizationalUnit",
    "DescribePolicy",
    "DetachPolicy",
    "DisablePolicyType",
    "EnablePolicyType",
    "LeaveOrganization",
    "ListAccounts",
    "ListAccountsForParent",
    "ListChildren",
    "ListCreateAccountStatus",
    "ListDelegatedAdministrators",
    "ListDelegatedServicesForAccount",
    "ListOrganizationalUnitsForParent",
    "ListParents",
    "ListPolicies",
    "ListPoliciesForTarget",
    "ListRoots",
    "ListTagsForResource",
    "ListTargetsForPolicy",
    "MoveAccount",
    "RegisterDelegatedAdministrator",
    "RemoveAccountFromOrganization",
    "TagResource",
    "UntagResource",
    "UpdateOrganizationalUnit",
    "UpdatePolicy",
)

AUTHZ: dict[str, AuthzRule] = {name: action_on_any(f"organizations:{name}") for name in OPERATIONS}
