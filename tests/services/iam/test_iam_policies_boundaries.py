"""Permissions boundaries on users and roles, and trust-policy grammar, through boto3."""

from __future__ import annotations

import json
from typing import Any

import pytest

TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}
    ],
}
S3_READ = "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"
BOUNDARY = {"PermissionsBoundaryType": "PermissionsBoundaryPolicy"}


def local_policy(iam: Any, name: str = "Boundary") -> str:
    document = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}],
    }
    return str(iam.create_policy(PolicyName=name, PolicyDocument=json.dumps(document))["Policy"]["Arn"])


def test_user_boundary_is_put_shown_and_deleted(iam: Any) -> None:
    iam.create_user(UserName="alice")
    assert "PermissionsBoundary" not in iam.get_user(UserName="alice")["User"]
    iam.put_user_permissions_boundary(UserName="alice", PermissionsBoundary=S3_READ)
    assert iam.get_user(UserName="alice")["User"]["PermissionsBoundary"] == {
        **BOUNDARY,
        "PermissionsBoundaryArn": S3_READ,
    }
    assert "PermissionsBoundary" not in iam.list_users()["Users"][0]
    arn = local_policy(iam)
    iam.put_user_permissions_boundary(UserName="alice", PermissionsBoundary=arn)
    assert iam.get_user(UserName="alice")["User"]["PermissionsBoundary"]["PermissionsBoundaryArn"] == arn
    assert iam.get_policy(PolicyArn=arn)["Policy"]["PermissionsBoundaryUsageCount"] == 1
    assert iam.get_policy(PolicyArn=S3_READ)["Policy"]["PermissionsBoundaryUsageCount"] == 0
    iam.delete_user_permissions_boundary(UserName="alice")
    assert "PermissionsBoundary" not in iam.get_user(UserName="alice")["User"]
    assert iam.get_policy(PolicyArn=arn)["Policy"]["PermissionsBoundaryUsageCount"] == 0


def test_role_boundary_is_put_shown_and_deleted(iam: Any) -> None:
    iam.create_role(RoleName="app", AssumeRolePolicyDocument=json.dumps(TRUST))
    iam.put_role_permissions_boundary(RoleName="app", PermissionsBoundary=S3_READ)
    role = iam.get_role(RoleName="app")["Role"]
    assert role["PermissionsBoundary"] == {**BOUNDARY, "PermissionsBoundaryArn": S3_READ}
    assert "PermissionsBoundary" not in iam.list_roles()["Roles"][0]
    iam.delete_role_permissions_boundary(RoleName="app")
    assert "PermissionsBoundary" not in iam.get_role(RoleName="app")["Role"]


def test_boundary_given_at_creation_is_returned_and_stored(iam: Any) -> None:
    arn = local_policy(iam)
    user = iam.create_user(UserName="bob", PermissionsBoundary=arn)["User"]
    assert user["PermissionsBoundary"] == {**BOUNDARY, "PermissionsBoundaryArn": arn}
    role = iam.create_role(
        RoleName="app", AssumeRolePolicyDocument=json.dumps(TRUST), PermissionsBoundary=S3_READ
    )["Role"]
    assert role["PermissionsBoundary"]["PermissionsBoundaryArn"] == S3_READ
    assert iam.get_role(RoleName="app")["Role"]["PermissionsBoundary"]["PermissionsBoundaryArn"] == S3_READ
    assert iam.get_user(UserName="bob")["User"]["PermissionsBoundary"]["PermissionsBoundaryArn"] == arn


def test_unknown_boundary_policy_is_refused_and_nothing_is_created(iam: Any, aws_error: Any) -> None:
    missing = "arn:aws:iam::000000000000:policy/Missing"
    assert aws_error(iam.create_user, UserName="bob", PermissionsBoundary=missing) == (
        "NoSuchEntity",
        404,
        f"Policy {missing} does not exist or is not attachable.",
    )
    assert iam.list_users()["Users"] == []
    code = aws_error(
        iam.create_role,
        RoleName="app",
        AssumeRolePolicyDocument=json.dumps(TRUST),
        PermissionsBoundary=missing,
    )[0]
    assert code == "NoSuchEntity"
    assert iam.list_roles()["Roles"] == []
    iam.create_user(UserName="carol")
    assert aws_error(
        iam.put_user_permissions_boundary, UserName="carol", PermissionsBoundary="nope-this-is-not-an-arn"
    )[:2] == ("InvalidInput", 400)
    assert aws_error(iam.put_role_permissions_boundary, RoleName="ghost", PermissionsBoundary=S3_READ) == (
        "NoSuchEntity",
        404,
        "The role with name ghost cannot be found.",
    )


def test_policy_used_as_a_boundary_cannot_be_deleted_until_released(iam: Any, aws_error: Any) -> None:
    arn = local_policy(iam)
    iam.create_role(RoleName="app", AssumeRolePolicyDocument=json.dumps(TRUST), PermissionsBoundary=arn)
    assert aws_error(iam.delete_policy, PolicyArn=arn) == (
        "DeleteConflict",
        409,
        "Cannot delete a policy attached to entities.",
    )
    assert [
        p["PolicyName"] for p in iam.list_policies(PolicyUsageFilter="PermissionsBoundary")["Policies"]
    ] == ["Boundary"]
    iam.delete_role(RoleName="app")  # deleting the role releases its boundary
    iam.delete_policy(PolicyArn=arn)


def test_renamed_user_keeps_its_boundary(iam: Any) -> None:
    iam.create_user(UserName="dan", PermissionsBoundary=S3_READ)
    iam.update_user(UserName="dan", NewUserName="daniel")
    assert iam.get_user(UserName="daniel")["User"]["PermissionsBoundary"]["PermissionsBoundaryArn"] == S3_READ
    users = iam.list_entities_for_policy(PolicyArn=S3_READ, PolicyUsageFilter="PermissionsBoundary")[
        "PolicyUsers"
    ]
    assert [user["UserName"] for user in users] == ["daniel"]


@pytest.mark.parametrize(
    ("statement", "message"),
    [
        ({"Effect": "Allow", "Action": "sts:AssumeRole"}, "Missing required field Principal"),
        (
            {
                "Effect": "Allow",
                "Principal": {"Service": "ec2.amazonaws.com"},
                "Action": "sts:AssumeRole",
                "Resource": "*",
            },
            "Has prohibited field Resource",
        ),
        (
            {
                "Effect": "Allow",
                "Principal": {"AWS": "arn:aws:iam::111122223333:user/*"},
                "Action": "sts:AssumeRole",
            },
            "Principal AWS: invalid principal `arn:aws:iam::111122223333:user/*`",
        ),
    ],
)
def test_trust_policies_are_validated_as_trust_policies(
    iam: Any, aws_error: Any, statement: dict[str, Any], message: str
) -> None:
    document = json.dumps({"Version": "2012-10-17", "Statement": [statement]})
    code, status, text = aws_error(iam.create_role, RoleName="app", AssumeRolePolicyDocument=document)
    assert (code, status) == ("MalformedPolicyDocument", 400)
    assert message in text
    iam.create_role(RoleName="app", AssumeRolePolicyDocument=json.dumps(TRUST))
    assert aws_error(iam.update_assume_role_policy, RoleName="app", PolicyDocument=document)[0] == (
        "MalformedPolicyDocument"
    )
    assert iam.get_role(RoleName="app")["Role"]["AssumeRolePolicyDocument"] == TRUST
