"""Managed policies attached to users, groups and roles, through boto3."""

from __future__ import annotations

import json
from typing import Any

import pytest

TRUST = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ],
    }
)
ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"
LAMBDA_BASIC = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"


def document(action: str = "s3:GetObject") -> str:
    return json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": action, "Resource": "*"}]}
    )


def make_entity(iam: Any, kind: str, name: str, path: str = "/") -> None:
    if kind == "user":
        iam.create_user(UserName=name, Path=path)
    elif kind == "group":
        iam.create_group(GroupName=name, Path=path)
    else:
        iam.create_role(RoleName=name, Path=path, AssumeRolePolicyDocument=TRUST)


def operations(iam: Any, kind: str) -> tuple[Any, Any, Any, str]:
    title = kind.capitalize()
    return (
        getattr(iam, f"attach_{kind}_policy"),
        getattr(iam, f"detach_{kind}_policy"),
        getattr(iam, f"list_attached_{kind}_policies"),
        f"{title}Name",
    )


@pytest.mark.parametrize("kind", ["user", "group", "role"])
def test_policies_attach_list_and_detach(iam: Any, kind: str) -> None:
    make_entity(iam, kind, "e1")
    attach, detach, listed, member = operations(iam, kind)
    local = iam.create_policy(PolicyName="Local", Path="/team/", PolicyDocument=document())["Policy"]["Arn"]
    for arn in (local, ADMIN, LAMBDA_BASIC):
        attach(**{member: "e1", "PolicyArn": arn})
    attach(**{member: "e1", "PolicyArn": ADMIN})  # attaching twice changes nothing
    assert listed(**{member: "e1"})["AttachedPolicies"] == [  # in ARN order
        {"PolicyName": "Local", "PolicyArn": local},
        {"PolicyName": "AdministratorAccess", "PolicyArn": ADMIN},
        {"PolicyName": "AWSLambdaBasicExecutionRole", "PolicyArn": LAMBDA_BASIC},
    ]
    assert [
        p["PolicyName"] for p in listed(**{member: "e1", "PathPrefix": "/team/"})["AttachedPolicies"]
    ] == ["Local"]
    page = listed(**{member: "e1", "MaxItems": 2})
    assert page["IsTruncated"] is True
    assert len(listed(**{member: "e1", "Marker": page["Marker"]})["AttachedPolicies"]) == 1
    assert iam.get_policy(PolicyArn=local)["Policy"]["AttachmentCount"] == 1
    detach(**{member: "e1", "PolicyArn": local})
    assert [p["PolicyName"] for p in listed(**{member: "e1"})["AttachedPolicies"]] == [
        "AdministratorAccess",
        "AWSLambdaBasicExecutionRole",
    ]
    assert iam.get_policy(PolicyArn=local)["Policy"]["AttachmentCount"] == 0


@pytest.mark.parametrize(
    ("kind", "quota"),
    [("user", "PoliciesPerUser"), ("group", "PoliciesPerGroup"), ("role", "PoliciesPerRole")],
)
def test_an_eleventh_managed_policy_is_refused(iam: Any, aws_error: Any, kind: str, quota: str) -> None:
    make_entity(iam, kind, "e1")
    attach, _, listed, member = operations(iam, kind)
    for index in range(10):
        arn = iam.create_policy(PolicyName=f"P{index}", PolicyDocument=document())["Policy"]["Arn"]
        attach(**{member: "e1", "PolicyArn": arn})
    assert aws_error(attach, **{member: "e1", "PolicyArn": ADMIN}) == (
        "LimitExceeded",
        409,
        f"Cannot exceed quota for {quota}: 10",
    )
    assert len(listed(**{member: "e1"})["AttachedPolicies"]) == 10


@pytest.mark.parametrize("kind", ["user", "group", "role"])
def test_attach_errors_name_the_missing_entity_or_policy(iam: Any, aws_error: Any, kind: str) -> None:
    attach, detach, listed, member = operations(iam, kind)
    assert aws_error(attach, **{member: "ghost", "PolicyArn": ADMIN}) == (
        "NoSuchEntity",
        404,
        f"The {kind} with name ghost cannot be found.",
    )
    assert aws_error(listed, **{member: "ghost"})[0] == "NoSuchEntity"
    make_entity(iam, kind, "e1")
    missing = "arn:aws:iam::aws:policy/NotAPolicy"
    assert aws_error(attach, **{member: "e1", "PolicyArn": missing}) == (
        "NoSuchEntity",
        404,
        f"Policy {missing} does not exist or is not attachable.",
    )
    assert aws_error(detach, **{member: "e1", "PolicyArn": ADMIN}) == (
        "NoSuchEntity",
        404,
        f"Policy {ADMIN} was not found.",
    )
    assert aws_error(attach, **{member: "e1", "PolicyArn": "arn:aws:s3:::bucket/policy"})[:2] == (
        "InvalidInput",
        400,
    )


def test_another_accounts_policy_cannot_be_attached(iam: Any, aws_error: Any) -> None:
    iam.create_user(UserName="alice")
    foreign = "arn:aws:iam::111122223333:policy/Theirs"
    assert aws_error(iam.attach_user_policy, UserName="alice", PolicyArn=foreign)[0] == "NoSuchEntity"


def test_entities_for_policy_lists_users_groups_and_roles_with_filters(iam: Any) -> None:
    arn = iam.create_policy(PolicyName="Shared", PolicyDocument=document())["Policy"]["Arn"]
    make_entity(iam, "user", "alice", "/dev/")
    make_entity(iam, "user", "bob")
    make_entity(iam, "group", "devs")
    make_entity(iam, "role", "app", "/dev/")
    iam.attach_user_policy(UserName="alice", PolicyArn=arn)
    iam.attach_group_policy(GroupName="devs", PolicyArn=arn)
    iam.attach_role_policy(RoleName="app", PolicyArn=arn)
    iam.put_user_permissions_boundary(UserName="bob", PermissionsBoundary=arn)
    everything = iam.list_entities_for_policy(PolicyArn=arn)
    users = {user["UserName"] for user in everything["PolicyUsers"]}
    assert users == {"alice", "bob"}
    assert [group["GroupName"] for group in everything["PolicyGroups"]] == ["devs"]
    assert everything["PolicyRoles"][0]["RoleName"] == "app"
    assert everything["PolicyRoles"][0]["RoleId"].startswith("AROA")
    attached = iam.list_entities_for_policy(PolicyArn=arn, PolicyUsageFilter="PermissionsPolicy")
    assert [user["UserName"] for user in attached["PolicyUsers"]] == ["alice"]
    bounded = iam.list_entities_for_policy(PolicyArn=arn, PolicyUsageFilter="PermissionsBoundary")
    assert ([u["UserName"] for u in bounded["PolicyUsers"]], bounded["PolicyRoles"]) == (["bob"], [])
    roles_only = iam.list_entities_for_policy(PolicyArn=arn, EntityFilter="Role")
    assert (roles_only["PolicyUsers"], roles_only["PolicyGroups"]) == ([], [])
    under_dev = iam.list_entities_for_policy(PolicyArn=arn, PathPrefix="/dev/")
    assert [u["UserName"] for u in under_dev["PolicyUsers"]] == ["alice"]
    assert [r["RoleName"] for r in under_dev["PolicyRoles"]] == ["app"]


def test_entities_for_policy_follow_a_renamed_user_and_page(iam: Any) -> None:
    make_entity(iam, "user", "alice")
    make_entity(iam, "user", "bob")
    for name in ("alice", "bob"):
        iam.attach_user_policy(UserName=name, PolicyArn=ADMIN)
    iam.update_user(UserName="alice", NewUserName="alicia")
    page = iam.list_entities_for_policy(PolicyArn=ADMIN, MaxItems=1)
    assert ([u["UserName"] for u in page["PolicyUsers"]], page["IsTruncated"]) == (["alicia"], True)
    rest = iam.list_entities_for_policy(PolicyArn=ADMIN, MaxItems=1, Marker=page["Marker"])
    assert [u["UserName"] for u in rest["PolicyUsers"]] == ["bob"]
    assert iam.list_attached_user_policies(UserName="alicia")["AttachedPolicies"][0]["PolicyArn"] == ADMIN


@pytest.mark.parametrize("kind", ["user", "group", "role"])
def test_entity_with_attached_or_inline_policies_cannot_be_deleted(
    iam: Any, aws_error: Any, kind: str
) -> None:
    make_entity(iam, kind, "e1")
    attach, detach, _, member = operations(iam, kind)
    delete = getattr(iam, f"delete_{kind}")
    attach(**{member: "e1", "PolicyArn": ADMIN})
    assert aws_error(delete, **{member: "e1"}) == (
        "DeleteConflict",
        409,
        "Cannot delete entity, must detach all policies first.",
    )
    detach(**{member: "e1", "PolicyArn": ADMIN})
    getattr(iam, f"put_{kind}_policy")(**{member: "e1", "PolicyName": "Inline", "PolicyDocument": document()})
    assert aws_error(delete, **{member: "e1"}) == (
        "DeleteConflict",
        409,
        "Cannot delete entity, must delete policies first.",
    )
    getattr(iam, f"delete_{kind}_policy")(**{member: "e1", "PolicyName": "Inline"})
    delete(**{member: "e1"})
