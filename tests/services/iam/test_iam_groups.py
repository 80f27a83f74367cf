from __future__ import annotations

from typing import Any


def test_created_group_reads_back_with_its_members(iam: Any) -> None:
    group = iam.create_group(GroupName="devs", Path="/eng/")["Group"]
    assert group["GroupId"].startswith("AGPA")
    assert group["Arn"] == "arn:aws:iam::000000000000:group/eng/devs"
    iam.create_user(UserName="alice")
    iam.create_user(UserName="bob")
    iam.add_user_to_group(GroupName="devs", UserName="bob")
    iam.add_user_to_group(GroupName="devs", UserName="alice")
    answer = iam.get_group(GroupName="devs")
    assert answer["Group"]["GroupId"] == group["GroupId"]
    assert [user["UserName"] for user in answer["Users"]] == ["alice", "bob"]
    assert [g["GroupName"] for g in iam.list_groups_for_user(UserName="alice")["Groups"]] == ["devs"]
    iam.remove_user_from_group(GroupName="devs", UserName="alice")
    assert iam.list_groups_for_user(UserName="alice")["Groups"] == []


def test_group_errors_are_worded_as_aws_words_them(iam: Any, aws_error: Any) -> None:
    iam.create_group(GroupName="devs")
    assert aws_error(iam.create_group, GroupName="Devs") == (
        "EntityAlreadyExists",
        409,
        "Group with name Devs already exists.",
    )
    assert aws_error(iam.get_group, GroupName="ops") == (
        "NoSuchEntity",
        404,
        "The group with name ops cannot be found.",
    )
    assert aws_error(iam.add_user_to_group, GroupName="devs", UserName="ghost")[2] == (
        "The user with name ghost cannot be found."
    )


def test_group_with_members_cannot_be_deleted(iam: Any, aws_error: Any) -> None:
    iam.create_group(GroupName="devs")
    iam.create_user(UserName="alice")
    iam.add_user_to_group(GroupName="devs", UserName="alice")
    assert aws_error(iam.delete_group, GroupName="devs") == (
        "DeleteConflict",
        409,
        "Cannot delete entity, must remove users from group first.",
    )
    iam.remove_user_from_group(GroupName="devs", UserName="alice")
    iam.delete_group(GroupName="devs")
    assert iam.list_groups()["Groups"] == []


def test_a_user_belongs_to_at_most_ten_groups(iam: Any, aws_error: Any) -> None:
    iam.create_user(UserName="alice")
    for index in range(11):
        iam.create_group(GroupName=f"g{index:02d}")
    for index in range(10):
        iam.add_user_to_group(GroupName=f"g{index:02d}", UserName="alice")
    assert aws_error(iam.add_user_to_group, GroupName="g10", UserName="alice") == (
        "LimitExceeded",
        409,
        "Cannot exceed quota for GroupsPerUser: 10",
    )
    listed = iam.list_groups_for_user(UserName="alice", MaxItems=4)
    assert len(listed["Groups"]) == 4 and listed["IsTruncated"]


def test_renamed_group_keeps_its_members_and_lists_by_path(iam: Any) -> None:
    iam.create_group(GroupName="devs")
    iam.create_group(GroupName="ops", Path="/ops/")
    iam.create_user(UserName="alice")
    iam.add_user_to_group(GroupName="devs", UserName="alice")
    iam.update_group(GroupName="devs", NewGroupName="developers", NewPath="/eng/")
    answer = iam.get_group(GroupName="developers")
    assert answer["Group"]["Arn"] == "arn:aws:iam::000000000000:group/eng/developers"
    assert [user["UserName"] for user in answer["Users"]] == ["alice"]
    assert [g["GroupName"] for g in iam.list_groups(PathPrefix="/eng/")["Groups"]] == ["developers"]
    first = iam.list_groups(MaxItems=1)
    assert first["IsTruncated"]
    assert [g["GroupName"] for g in iam.list_groups(Marker=first["Marker"])["Groups"]] == ["ops"]
