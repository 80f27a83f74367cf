from __future__ import annotations

import json
from typing import Any

from botocore.config import Config

from shieldwall.testing import ServerInfo

TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}
    ],
}


def test_created_role_returns_its_trust_policy_and_settings(iam: Any) -> None:
    role = iam.create_role(
        RoleName="app",
        Path="/service/",
        AssumeRolePolicyDocument=json.dumps(TRUST),
        Description="the app",
        MaxSessionDuration=7200,
        Tags=[{"Key": "env", "Value": "test"}],
    )["Role"]
    assert role["RoleId"].startswith("AROA")
    assert role["Arn"] == "arn:aws:iam::000000000000:role/service/app"
    assert role["AssumeRolePolicyDocument"] == TRUST
    fetched = iam.get_role(RoleName="app")["Role"]
    assert (fetched["Description"], fetched["MaxSessionDuration"]) == ("the app", 7200)
    assert fetched["Tags"] == [{"Key": "env", "Value": "test"}]
    assert fetched["AssumeRolePolicyDocument"] == TRUST


def test_role_errors_are_worded_as_aws_words_them(iam: Any, aws_error: Any) -> None:
    iam.create_role(RoleName="app", AssumeRolePolicyDocument=json.dumps(TRUST))
    assert aws_error(iam.create_role, RoleName="APP", AssumeRolePolicyDocument=json.dumps(TRUST)) == (
        "EntityAlreadyExists",
        409,
        "Role with name APP already exists.",
    )
    assert aws_error(iam.get_role, RoleName="nope") == (
        "NoSuchEntity",
        404,
        "The role with name nope cannot be found.",
    )
    assert aws_error(iam.create_role, RoleName="bad", AssumeRolePolicyDocument="{not json") == (
        "MalformedPolicyDocument",
        400,
        "This policy contains invalid Json",
    )
    code, status, message = aws_error(
        iam.create_role, RoleName="long", AssumeRolePolicyDocument=json.dumps({"Sid": "x" * 2100})
    )
    assert (code, status, message) == ("LimitExceeded", 409, "Cannot exceed quota for ACLSizePerRole: 2048")


def test_max_session_duration_outside_one_to_twelve_hours_is_rejected(
    shieldwall: ServerInfo, aws_error: Any
) -> None:
    unchecked = shieldwall.client("iam", config=Config(parameter_validation=False))
    code, status, message = aws_error(
        unchecked.create_role,
        RoleName="app",
        AssumeRolePolicyDocument=json.dumps(TRUST),
        MaxSessionDuration=60,
    )
    assert (code, status) == ("ValidationError", 400)
    assert "maxSessionDuration" in message and "greater than or equal to 3600" in message


def test_role_updates_take_effect(iam: Any) -> None:
    iam.create_role(RoleName="app", AssumeRolePolicyDocument=json.dumps(TRUST))
    iam.update_role(RoleName="app", Description="new", MaxSessionDuration=43200)
    assert iam.update_role_description(RoleName="app", Description="newer")["Role"]["Description"] == "newer"
    changed = {**TRUST, "Statement": [{**TRUST["Statement"][0], "Principal": {"AWS": "111122223333"}}]}
    iam.update_assume_role_policy(RoleName="app", PolicyDocument=json.dumps(changed))
    role = iam.get_role(RoleName="app")["Role"]
    assert (role["Description"], role["MaxSessionDuration"]) == ("newer", 43200)
    assert role["AssumeRolePolicyDocument"] == changed
    iam.tag_role(RoleName="app", Tags=[{"Key": "a", "Value": "1"}])
    iam.untag_role(RoleName="app", TagKeys=["a"])
    assert iam.list_role_tags(RoleName="app")["Tags"] == []


def test_list_roles_pages_and_filters_by_path(iam: Any) -> None:
    for name in ("a", "b", "c"):
        iam.create_role(
            RoleName=name, Path="/x/" if name == "b" else "/", AssumeRolePolicyDocument=json.dumps(TRUST)
        )
    first = iam.list_roles(MaxItems=2)
    assert [r["RoleName"] for r in first["Roles"]] == ["a", "b"] and first["IsTruncated"]
    assert [r["RoleName"] for r in iam.list_roles(Marker=first["Marker"])["Roles"]] == ["c"]
    assert [r["RoleName"] for r in iam.list_roles(PathPrefix="/x/")["Roles"]] == ["b"]


def test_instance_profile_holds_one_role_and_blocks_deletes(iam: Any, aws_error: Any) -> None:
    iam.create_role(RoleName="app", AssumeRolePolicyDocument=json.dumps(TRUST))
    iam.create_role(RoleName="other", AssumeRolePolicyDocument=json.dumps(TRUST))
    profile = iam.create_instance_profile(InstanceProfileName="web", Path="/p/")["InstanceProfile"]
    assert profile["InstanceProfileId"].startswith("AIPA") and profile["Roles"] == []
    assert profile["Arn"] == "arn:aws:iam::000000000000:instance-profile/p/web"
    iam.add_role_to_instance_profile(InstanceProfileName="web", RoleName="app")
    assert aws_error(iam.add_role_to_instance_profile, InstanceProfileName="web", RoleName="other") == (
        "LimitExceeded",
        409,
        "Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1",
    )
    fetched = iam.get_instance_profile(InstanceProfileName="web")["InstanceProfile"]
    assert [role["RoleName"] for role in fetched["Roles"]] == ["app"]
    listed = iam.list_instance_profiles_for_role(RoleName="app")["InstanceProfiles"]
    assert [p["InstanceProfileName"] for p in listed] == ["web"]
    assert aws_error(iam.delete_role, RoleName="app") == (
        "DeleteConflict",
        409,
        "Cannot delete entity, must remove roles from instance profile first.",
    )
    assert aws_error(iam.delete_instance_profile, InstanceProfileName="web")[0] == "DeleteConflict"
    iam.remove_role_from_instance_profile(InstanceProfileName="web", RoleName="app")
    iam.delete_role(RoleName="app")
    iam.delete_instance_profile(InstanceProfileName="web")
    assert aws_error(iam.get_instance_profile, InstanceProfileName="web") == (
        "NoSuchEntity",
        404,
        "Instance Profile web cannot be found.",
    )
    assert iam.list_instance_profiles()["InstanceProfiles"] == []


def test_instance_profile_names_are_unique(iam: Any, aws_error: Any) -> None:
    iam.create_instance_profile(InstanceProfileName="web")
    assert aws_error(iam.create_instance_profile, InstanceProfileName="web") == (
        "EntityAlreadyExists",
        409,
        "Instance Profile web already exists.",
    )
