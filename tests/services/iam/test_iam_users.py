from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from shieldwall.testing import ServerInfo

AWS_CLI = Path(sys.executable).parent / "aws"


def test_created_user_reads_back_with_aws_ids_and_arn(iam: Any) -> None:
    created = iam.create_user(UserName="alice", Path="/dev/", Tags=[{"Key": "team", "Value": "a"}])["User"]
    assert created["UserId"].startswith("AIDA") and len(created["UserId"]) == 21
    assert created["Arn"] == "arn:aws:iam::000000000000:user/dev/alice"
    assert created["Tags"] == [{"Key": "team", "Value": "a"}]
    fetched = iam.get_user(UserName="alice")["User"]
    assert fetched["UserId"] == created["UserId"] and fetched["Path"] == "/dev/"
    assert fetched["CreateDate"] == created["CreateDate"]


def test_user_names_are_unique_regardless_of_case(iam: Any, aws_error: Any) -> None:
    iam.create_user(UserName="alice")
    assert aws_error(iam.create_user, UserName="ALICE") == (
        "EntityAlreadyExists",
        409,
        "User with name ALICE already exists.",
    )


def test_unknown_user_is_no_such_entity(iam: Any, aws_error: Any) -> None:
    assert aws_error(iam.get_user, UserName="ghost") == (
        "NoSuchEntity",
        404,
        "The user with name ghost cannot be found.",
    )


def test_bad_user_name_is_a_validation_error(iam: Any, aws_error: Any) -> None:
    code, status, message = aws_error(iam.create_user, UserName="no spaces")
    assert (code, status) == ("ValidationError", 400)
    assert message == (
        "1 validation error detected: Value 'no spaces' at 'userName' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: [\\w+=,.@-]+"
    )
    code, _, message = aws_error(iam.create_user, UserName="x" * 65)
    assert code == "ValidationError" and "Member must have length less than or equal to 64" in message


def test_get_user_without_a_name_answers_the_caller(iam: Any, shieldwall: ServerInfo, aws_error: Any) -> None:
    assert iam.get_user()["User"]["Arn"] == "arn:aws:iam::000000000000:root"
    iam.create_user(UserName="bob")
    key = iam.create_access_key(UserName="bob")["AccessKey"]
    as_bob = shieldwall.client(
        "iam", aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"]
    )
    code, status, message = aws_error(as_bob.get_user)
    assert (code, status) == ("AccessDenied", 403)
    assert message.startswith(
        "User: arn:aws:iam::000000000000:user/bob is not authorized to perform: iam:GetUser"
    )


def test_list_users_pages_with_marker_and_filters_by_path(iam: Any) -> None:
    for index in range(5):
        iam.create_user(UserName=f"user{index}", Path="/eng/" if index % 2 else "/")
    first = iam.list_users(MaxItems=2)
    assert [u["UserName"] for u in first["Users"]] == ["user0", "user1"] and first["IsTruncated"]
    second = iam.list_users(MaxItems=2, Marker=first["Marker"])
    assert [u["UserName"] for u in second["Users"]] == ["user2", "user3"]
    rest = iam.list_users(Marker=second["Marker"])
    assert [u["UserName"] for u in rest["Users"]] == ["user4"] and not rest["IsTruncated"]
    eng = iam.list_users(PathPrefix="/eng/")["Users"]
    assert [u["UserName"] for u in eng] == ["user1", "user3"]
    paginated = iam.get_paginator("list_users").paginate(PaginationConfig={"PageSize": 2})
    assert len([u for page in paginated for u in page["Users"]]) == 5


def test_a_marker_that_is_not_one_of_ours_is_invalid(iam: Any, aws_error: Any) -> None:
    assert aws_error(iam.list_users, Marker="%%% not base64 %%%") == (
        "ValidationError",
        400,
        "Invalid Marker.",
    )


def test_renamed_user_keeps_its_keys_and_groups(iam: Any, shieldwall: ServerInfo, aws_error: Any) -> None:
    iam.create_user(UserName="carol")
    iam.create_group(GroupName="devs")
    iam.add_user_to_group(GroupName="devs", UserName="carol")
    key = iam.create_access_key(UserName="carol")["AccessKey"]
    iam.update_user(UserName="carol", NewUserName="caroline", NewPath="/ops/")
    assert aws_error(iam.get_user, UserName="carol")[0] == "NoSuchEntity"
    assert iam.get_user(UserName="caroline")["User"]["Arn"] == "arn:aws:iam::000000000000:user/ops/caroline"
    assert [g["GroupName"] for g in iam.list_groups_for_user(UserName="caroline")["Groups"]] == ["devs"]
    assert [u["UserName"] for u in iam.get_group(GroupName="devs")["Users"]] == ["caroline"]
    keys = iam.list_access_keys(UserName="caroline")["AccessKeyMetadata"]
    assert [k["AccessKeyId"] for k in keys] == [key["AccessKeyId"]]
    sts = shieldwall.client(
        "sts", aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"]
    )
    assert sts.get_caller_identity()["Arn"] == "arn:aws:iam::000000000000:user/ops/caroline"


def test_deleting_a_user_with_dependents_is_a_delete_conflict(iam: Any, aws_error: Any) -> None:
    iam.create_user(UserName="dave")
    iam.create_login_profile(UserName="dave", Password="Str0ng-Passw0rd!")
    assert aws_error(iam.delete_user, UserName="dave") == (
        "DeleteConflict",
        409,
        "Cannot delete entity, must delete login profile first.",
    )
    iam.delete_login_profile(UserName="dave")
    key = iam.create_access_key(UserName="dave")["AccessKey"]
    assert (
        aws_error(iam.delete_user, UserName="dave")[2]
        == "Cannot delete entity, must delete access keys first."
    )
    iam.delete_access_key(UserName="dave", AccessKeyId=key["AccessKeyId"])
    iam.create_group(GroupName="g")
    iam.add_user_to_group(GroupName="g", UserName="dave")
    assert aws_error(iam.delete_user, UserName="dave")[0] == "DeleteConflict"
    iam.remove_user_from_group(GroupName="g", UserName="dave")
    iam.delete_user(UserName="dave")
    assert aws_error(iam.get_user, UserName="dave")[0] == "NoSuchEntity"


def test_user_tags_are_added_replaced_listed_and_removed(iam: Any, aws_error: Any) -> None:
    iam.create_user(UserName="erin")
    iam.tag_user(UserName="erin", Tags=[{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}])
    iam.tag_user(UserName="erin", Tags=[{"Key": "A", "Value": "3"}])
    assert iam.list_user_tags(UserName="erin")["Tags"] == [
        {"Key": "b", "Value": "2"},
        {"Key": "A", "Value": "3"},
    ]
    iam.untag_user(UserName="erin", TagKeys=["b"])
    assert iam.get_user(UserName="erin")["User"]["Tags"] == [{"Key": "A", "Value": "3"}]
    too_many = [{"Key": f"k{index}", "Value": "v"} for index in range(50)]
    assert aws_error(iam.tag_user, UserName="erin", Tags=too_many)[:2] == ("LimitExceeded", 409)
    assert aws_error(iam.list_user_tags, UserName="nobody")[0] == "NoSuchEntity"


def test_the_aws_cli_creates_and_lists_users(shieldwall: ServerInfo) -> None:
    environment = {**os.environ, **shieldwall.env()}

    def cli(*args: str) -> Any:
        result = subprocess.run(
            [str(AWS_CLI), "iam", *args, "--output", "json"], capture_output=True, text=True, env=environment
        )
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout)

    created = cli("create-user", "--user-name", "frank")
    assert created["User"]["Arn"] == "arn:aws:iam::000000000000:user/frank"
    assert [user["UserName"] for user in cli("list-users")["Users"]] == ["frank"]
