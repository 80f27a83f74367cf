"""The permissions the policy operations of IAM need: action, resource and the operation's condition keys."""

from __future__ import annotations

from shieldwall import arn
from shieldwall.auth.principal import Principal
from shieldwall.clock import Clock
from shieldwall.services.base import Call
from shieldwall.services.iam.authz import AUTHZ

ACCOUNT = "000000000000"
ROOT = Principal("root", ACCOUNT, arn.root_arn(ACCOUNT), ACCOUNT)
POLICY = "arn:aws:iam::000000000000:policy/team/Read"


def needs(operation: str, **params: object) -> list[tuple[str, str, dict[str, tuple[str, ...]]]]:
    call = Call("r", "iam", operation, ROOT, "aws", ACCOUNT, "us-east-1", Clock())
    return [(need.action, need.resource, dict(need.context)) for need in AUTHZ[operation](params, call)]


def test_policy_operations_act_on_the_policy_arn() -> None:
    assert needs("GetPolicyVersion", PolicyArn=POLICY, VersionId="v1") == [
        ("iam:GetPolicyVersion", POLICY, {})
    ]
    assert needs("CreatePolicy", PolicyName="Read", Path="/team/") == [("iam:CreatePolicy", POLICY, {})]
    assert needs("ListPolicies") == [("iam:ListPolicies", "*", {})]
    assert needs("GetAccountAuthorizationDetails") == [("iam:GetAccountAuthorizationDetails", "*", {})]


def test_attach_and_detach_name_the_policy_in_iam_policy_arn() -> None:
    user = "arn:aws:iam::000000000000:user/alice"
    assert needs("AttachUserPolicy", UserName="alice", PolicyArn=POLICY) == [
        ("iam:AttachUserPolicy", user, {"iam:PolicyARN": (POLICY,)})
    ]
    role = "arn:aws:iam::000000000000:role/app"
    assert needs("DetachRolePolicy", RoleName="app", PolicyArn=POLICY) == [
        ("iam:DetachRolePolicy", role, {"iam:PolicyARN": (POLICY,)})
    ]
    group = "arn:aws:iam::000000000000:group/devs"
    assert needs("PutGroupPolicy", GroupName="devs", PolicyName="P", PolicyDocument="{}") == [
        ("iam:PutGroupPolicy", group, {})
    ]


def test_boundaries_name_the_policy_in_iam_permissions_boundary() -> None:
    user = "arn:aws:iam::000000000000:user/alice"
    assert needs("PutUserPermissionsBoundary", UserName="alice", PermissionsBoundary=POLICY) == [
        ("iam:PutUserPermissionsBoundary", user, {"iam:PermissionsBoundary": (POLICY,)})
    ]
    assert needs("CreateUser", UserName="alice", PermissionsBoundary=POLICY) == [
        ("iam:CreateUser", user, {"iam:PermissionsBoundary": (POLICY,)})
    ]
    assert needs("CreateRole", RoleName="app", AssumeRolePolicyDocument="{}") == [
        ("iam:CreateRole", "arn:aws:iam::000000000000:role/app", {})
    ]
