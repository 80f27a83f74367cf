"""Policies written through IAM decide the very next request a user signs with its own key."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import botocore.exceptions

IAM_READ = "arn:aws:iam::aws:policy/IAMReadOnlyAccess"


def allow(action: str) -> str:
    return json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": action, "Resource": "*"}]}
    )


def outcome(call: Callable[[], Any]) -> str:
    try:
        call()
    except botocore.exceptions.ClientError as error:
        return str(error.response["Error"]["Code"])
    return "allowed"


def test_attach_boundary_version_group_and_detach_each_decide_the_next_request(
    iam: Any, user_client: Callable[..., Any]
) -> None:
    alice = user_client("iam", "alice")
    assert outcome(alice.list_users) == "AccessDenied"
    iam.attach_user_policy(UserName="alice", PolicyArn=IAM_READ)
    assert outcome(alice.list_users) == "allowed"
    iam.put_user_permissions_boundary(
        UserName="alice", PermissionsBoundary="arn:aws:iam::aws:policy/AmazonS3FullAccess"
    )
    assert outcome(alice.list_users) == "AccessDenied"
    iam.delete_user_permissions_boundary(UserName="alice")
    iam.detach_user_policy(UserName="alice", PolicyArn=IAM_READ)
    assert outcome(alice.list_users) == "AccessDenied"

    policy = iam.create_policy(PolicyName="Roles", PolicyDocument=allow("iam:ListRoles"))["Policy"]["Arn"]
    iam.create_group(GroupName="devs")
    iam.attach_group_policy(GroupName="devs", PolicyArn=policy)
    iam.add_user_to_group(GroupName="devs", UserName="alice")
    assert (outcome(alice.list_roles), outcome(alice.list_groups)) == ("allowed", "AccessDenied")
    iam.create_policy_version(PolicyArn=policy, PolicyDocument=allow("iam:ListGroups"), SetAsDefault=True)
    assert (outcome(alice.list_roles), outcome(alice.list_groups)) == ("AccessDenied", "allowed")
    iam.put_user_policy(
        UserName="alice",
        PolicyName="NoGroups",
        PolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Deny", "Action": "iam:ListGroups", "Resource": "*"}],
            }
        ),
    )
    assert outcome(alice.list_groups) == "AccessDenied"
    iam.delete_user_policy(UserName="alice", PolicyName="NoGroups")
    assert outcome(alice.list_groups) == "allowed"
