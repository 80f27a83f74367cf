"""An IAM user is allowed exactly what its policies grant, on the very next request, with AWS's denial message."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

import pytest

from shieldwall.testing import ServerInfo
from shieldwall.testing import aws_error as denial

ACCOUNT = "000000000000"
ALICE = f"arn:aws:iam::{ACCOUNT}:user/alice"


def document(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def allow(action: str, resource: str = "*", **condition: Any) -> dict[str, Any]:
    statement: dict[str, Any] = {"Effect": "Allow", "Action": action, "Resource": resource}
    if condition:
        statement["Condition"] = condition
    return statement


def deny(action: str, resource: str = "*", **condition: Any) -> dict[str, Any]:
    return {**allow(action, resource, **condition), "Effect": "Deny"}


def not_authorized(action: str, resource: str, why: str) -> tuple[str, int, str]:
    message = f"User: {ALICE} is not authorized to perform: {action} on resource: {resource} {why}"
    return "AccessDenied", 403, message


@pytest.fixture
def iam(shieldwall: ServerInfo) -> Any:
    return shieldwall.client("iam")


@pytest.fixture
def alice(shieldwall: ServerInfo, iam: Any) -> Any:
    """An IAM client signing as the new user alice, who has no policy yet."""
    iam.create_user(UserName="alice")
    key = iam.create_access_key(UserName="alice")["AccessKey"]
    return shieldwall.client(
        "iam", aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"]
    )


def test_a_user_without_policies_is_denied_with_awss_message(alice: Any) -> None:
    assert denial(alice.list_users) == not_authorized(
        "iam:ListUsers", "*", "because no identity-based policy allows the iam:ListUsers action"
    )


def test_an_inline_policy_allows_on_the_next_request_and_deleting_it_denies_again(
    iam: Any, alice: Any
) -> None:
    iam.put_user_policy(UserName="alice", PolicyName="list", PolicyDocument=document(allow("iam:ListUsers")))
    assert [user["UserName"] for user in alice.list_users()["Users"]] == ["alice"]
    iam.delete_user_policy(UserName="alice", PolicyName="list")
    assert denial(alice.list_users)[0] == "AccessDenied"


def test_a_managed_policy_allows_while_attached(iam: Any, alice: Any) -> None:
    arn = iam.create_policy(PolicyName="ListUsers", PolicyDocument=document(allow("iam:List*")))["Policy"][
        "Arn"
    ]
    iam.attach_user_policy(UserName="alice", PolicyArn=arn)
    alice.list_users()
    alice.list_roles()
    iam.detach_user_policy(UserName="alice", PolicyArn=arn)
    assert denial(alice.list_roles)[0] == "AccessDenied"


def test_a_new_default_version_takes_effect_on_the_next_request(iam: Any, alice: Any) -> None:
    arn = iam.create_policy(PolicyName="p", PolicyDocument=document(allow("iam:ListRoles")))["Policy"]["Arn"]
    iam.attach_user_policy(UserName="alice", PolicyArn=arn)
    assert denial(alice.list_users)[0] == "AccessDenied"
    iam.create_policy_version(
        PolicyArn=arn, PolicyDocument=document(allow("iam:ListUsers")), SetAsDefault=True
    )
    alice.list_users()


def test_a_group_policy_applies_to_its_members(iam: Any, alice: Any) -> None:
    iam.create_group(GroupName="readers")
    iam.put_group_policy(
        GroupName="readers", PolicyName="list", PolicyDocument=document(allow("iam:ListUsers"))
    )
    assert denial(alice.list_users)[0] == "AccessDenied"
    iam.add_user_to_group(GroupName="readers", UserName="alice")
    alice.list_users()


def test_an_explicit_deny_wins_over_an_allow(iam: Any, alice: Any) -> None:
    iam.put_user_policy(UserName="alice", PolicyName="all", PolicyDocument=document(allow("iam:*")))
    iam.put_user_policy(UserName="alice", PolicyName="no", PolicyDocument=document(deny("iam:ListUsers")))
    alice.list_roles()
    assert denial(alice.list_users) == not_authorized(
        "iam:ListUsers", "*", "with an explicit deny in an identity-based policy"
    )


def test_a_permissions_boundary_cuts_what_identity_policies_allow(iam: Any, alice: Any) -> None:
    iam.put_user_policy(UserName="alice", PolicyName="all", PolicyDocument=document(allow("iam:*")))
    boundary = iam.create_policy(PolicyName="roles-only", PolicyDocument=document(allow("iam:ListRoles")))
    iam.put_user_permissions_boundary(UserName="alice", PermissionsBoundary=boundary["Policy"]["Arn"])
    alice.list_roles()
    assert denial(alice.list_users) == not_authorized(
        "iam:ListUsers", "*", "because no permissions boundary allows the iam:ListUsers action"
    )
    iam.delete_user_permissions_boundary(UserName="alice")
    alice.list_users()


def test_the_username_variable_limits_a_user_to_itself(iam: Any, alice: Any) -> None:
    own = f"arn:aws:iam::{ACCOUNT}:user/${{aws:username}}"
    iam.put_user_policy(
        UserName="alice", PolicyName="self", PolicyDocument=document(allow("iam:GetUser", own))
    )
    iam.create_user(UserName="bob")
    assert alice.get_user(UserName="alice")["User"]["Arn"] == ALICE
    bob = f"arn:aws:iam::{ACCOUNT}:user/bob"
    assert denial(alice.get_user, UserName="bob") == not_authorized(
        "iam:GetUser", bob, "because no identity-based policy allows the iam:GetUser action"
    )


def test_source_ip_conditions_see_the_loopback_caller(iam: Any, alice: Any) -> None:
    loopback = allow("iam:ListUsers", IpAddress={"aws:SourceIp": ["127.0.0.0/8", "::1/128"]})
    iam.put_user_policy(UserName="alice", PolicyName="ip", PolicyDocument=document(loopback))
    alice.list_users()
    elsewhere = allow("iam:ListUsers", IpAddress={"aws:SourceIp": "203.0.113.0/24"})
    iam.put_user_policy(UserName="alice", PolicyName="ip", PolicyDocument=document(elsewhere))
    assert denial(alice.list_users)[0] == "AccessDenied"


def test_current_time_conditions_read_the_server_clock(shieldwall: ServerInfo, iam: Any, alice: Any) -> None:
    tomorrow = datetime.fromisoformat(shieldwall.admin("clock")["now"]) + timedelta(days=1)
    later = allow(
        "iam:ListUsers", DateGreaterThan={"aws:CurrentTime": tomorrow.strftime("%Y-%m-%dT%H:%M:%SZ")}
    )
    iam.put_user_policy(UserName="alice", PolicyName="later", PolicyDocument=document(later))
    assert denial(alice.list_users)[0] == "AccessDenied"
    shieldwall.advance_clock(2 * 86400)
    alice.list_users()


def test_principal_tags_are_read_from_the_user(iam: Any, alice: Any) -> None:
    tagged = allow("iam:ListUsers", StringEquals={"aws:PrincipalTag/Dept": "eng"})
    iam.put_user_policy(UserName="alice", PolicyName="tags", PolicyDocument=document(tagged))
    assert denial(alice.list_users)[0] == "AccessDenied"
    iam.tag_user(UserName="alice", Tags=[{"Key": "Dept", "Value": "eng"}])
    alice.list_users()


def test_resource_tags_are_read_from_the_named_user(iam: Any, alice: Any) -> None:
    team = allow("iam:GetUser", StringEquals={"aws:ResourceTag/team": "blue"})
    iam.put_user_policy(UserName="alice", PolicyName="team", PolicyDocument=document(team))
    iam.create_user(UserName="bob", Tags=[{"Key": "Team", "Value": "blue"}])
    iam.create_user(UserName="carol", Tags=[{"Key": "Team", "Value": "red"}])
    alice.get_user(UserName="bob")
    assert denial(alice.get_user, UserName="carol")[0] == "AccessDenied"


def test_request_tags_and_tag_keys_are_checked(iam: Any, alice: Any) -> None:
    only_dept = allow(
        "iam:TagUser",
        StringEquals={"aws:RequestTag/Dept": "eng"},
        **{"ForAllValues:StringEquals": {"aws:TagKeys": ["Dept"]}},
    )
    iam.put_user_policy(UserName="alice", PolicyName="tagging", PolicyDocument=document(only_dept))
    alice.tag_user(UserName="alice", Tags=[{"Key": "Dept", "Value": "eng"}])
    assert (
        denial(alice.tag_user, UserName="alice", Tags=[{"Key": "Dept", "Value": "ops"}])[0] == "AccessDenied"
    )
    extra = [{"Key": "Dept", "Value": "eng"}, {"Key": "Owner", "Value": "me"}]
    assert denial(alice.tag_user, UserName="alice", Tags=extra)[0] == "AccessDenied"


def test_long_term_keys_carry_no_mfa_key_so_only_if_exists_denies(iam: Any, alice: Any) -> None:
    iam.put_user_policy(UserName="alice", PolicyName="all", PolicyDocument=document(allow("iam:List*")))
    strict = deny("iam:ListUsers", Bool={"aws:MultiFactorAuthPresent": "false"})
    iam.put_user_policy(UserName="alice", PolicyName="mfa", PolicyDocument=document(strict))
    alice.list_users()  # the key is absent, so `Bool ... false` does not match
    if_exists = deny("iam:ListUsers", BoolIfExists={"aws:MultiFactorAuthPresent": "false"})
    iam.put_user_policy(UserName="alice", PolicyName="mfa", PolicyDocument=document(if_exists))
    assert denial(alice.list_users)[2].endswith("with an explicit deny in an identity-based policy")


def test_an_inactive_access_key_is_rejected(shieldwall: ServerInfo, iam: Any) -> None:
    iam.create_user(UserName="dave")
    iam.put_user_policy(UserName="dave", PolicyName="list", PolicyDocument=document(allow("iam:ListUsers")))
    key = iam.create_access_key(UserName="dave")["AccessKey"]
    dave = shieldwall.client(
        "iam", aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"]
    )
    dave.list_users()
    iam.update_access_key(UserName="dave", AccessKeyId=key["AccessKeyId"], Status="Inactive")
    assert denial(dave.list_users) == (
        "InvalidClientTokenId",
        403,
        "The security token included in the request is invalid.",
    )


def test_a_resource_pattern_with_a_path_matches_users_created_under_that_path(iam: Any, alice: Any) -> None:
    iam.create_user(UserName="bob", Path="/division/")
    iam.create_user(UserName="carol")
    grant = allow("iam:GetUser", f"arn:aws:iam::{ACCOUNT}:user/division/*")
    iam.put_user_policy(UserName="alice", PolicyName="division", PolicyDocument=document(grant))
    assert alice.get_user(UserName="bob")["User"]["Arn"] == f"arn:aws:iam::{ACCOUNT}:user/division/bob"
    assert denial(alice.get_user, UserName="carol") == not_authorized(
        "iam:GetUser",
        f"arn:aws:iam::{ACCOUNT}:user/carol",
        "because no identity-based policy allows the iam:GetUser action",
    )
