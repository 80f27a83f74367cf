"""Describe, update, tag, delete with a recovery window the clock ends, restore; names AWS refuses."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from secrets_helpers import error_of

from shieldwall.testing import ServerInfo

DAY = 86_400
MARKED = "You can't perform this operation on the secret because it was marked for deletion."


def test_describe_shows_only_what_the_secret_has(sm: Any) -> None:
    created = sm.create_secret(Name="s", SecretString="v")
    described = sm.describe_secret(SecretId="s")

    assert described["ARN"] == created["ARN"] and described["Name"] == "s"
    assert described["VersionIdsToStages"] == {created["VersionId"]: ["AWSCURRENT"]}
    for absent in ("Description", "KmsKeyId", "Tags", "RotationEnabled", "DeletedDate", "LastAccessedDate"):
        assert absent not in described
    assert {"CreatedDate", "LastChangedDate"} <= set(described)


def test_update_changes_the_description_without_a_new_version(sm: Any) -> None:
    sm.create_secret(Name="s", SecretString="v", Description="old")
    updated = sm.update_secret(SecretId="s", Description="new")
    assert "VersionId" not in updated
    assert sm.describe_secret(SecretId="s")["Description"] == "new"
    assert len(sm.list_secret_version_ids(SecretId="s")["Versions"]) == 1


def test_tags_are_added_replaced_and_removed(sm: Any) -> None:
    sm.create_secret(Name="s", SecretString="v")
    sm.tag_resource(SecretId="s", Tags=[{"Key": "tag1", "Value": "value1"}])
    sm.tag_resource(SecretId="s", Tags=[{"Key": "tag2", "Value": "value2"}, {"Key": "tag1", "Value": "v1b"}])
    assert sm.describe_secret(SecretId="s")["Tags"] == [
        {"Key": "tag1", "Value": "v1b"},
        {"Key": "tag2", "Value": "value2"},
    ]
    sm.untag_resource(SecretId="s", TagKeys=["tag1", "tag2"])
    assert sm.describe_secret(SecretId="s")["Tags"] == []


def test_reserved_tag_keys_are_refused(sm: Any) -> None:
    sm.create_secret(Name="s", SecretString="v")
    code, status, _ = error_of(sm.tag_resource, SecretId="s", Tags=[{"Key": "aws:owner", "Value": "x"}])
    assert (code, status) == ("InvalidParameterException", 400)


@pytest.mark.parametrize("name", ["Inv Name", " Inv*Name? ", "bad!name"])
def test_names_outside_the_allowed_characters_are_refused(sm: Any, name: str) -> None:
    expected = (
        "ValidationException",
        400,
        "Invalid name. Must be a valid name containing alphanumeric characters, or any of the following: "
        "-/_+=.@!",
    )
    assert error_of(sm.create_secret, Name=name, SecretString="v") == expected
    assert error_of(sm.describe_secret, SecretId=name) == expected
    assert error_of(sm.get_secret_value, SecretId=name) == expected


def test_deletion_waits_thirty_days_by_default(sm: Any) -> None:
    sm.create_secret(Name="s", SecretString="v")
    before = datetime.now(UTC)
    deleted = sm.delete_secret(SecretId="s")
    expected = before + timedelta(days=30)
    assert abs(deleted["DeletionDate"] - expected) < timedelta(minutes=1)
    assert sm.describe_secret(SecretId="s")["DeletedDate"] == deleted["DeletionDate"]


def test_a_secret_marked_for_deletion_refuses_access_until_restored(sm: Any) -> None:
    sm.create_secret(Name="s", SecretString="v")
    sm.delete_secret(SecretId="s", RecoveryWindowInDays=7)
    for call, kwargs in (
        (sm.get_secret_value, {}),
        (sm.put_secret_value, {"SecretString": "x"}),
        (sm.update_secret, {"Description": "x"}),
        (sm.tag_resource, {"Tags": [{"Key": "k", "Value": "v"}]}),
        (sm.untag_resource, {"TagKeys": ["k"]}),
        (sm.delete_secret, {}),
    ):
        assert error_of(call, SecretId="s", **kwargs) == ("InvalidRequestException", 400, MARKED)
    assert error_of(sm.create_secret, Name="s", SecretString="v") == (
        "InvalidRequestException",
        400,
        "You can't create this secret because a secret with this name is already scheduled for deletion.",
    )
    assert sm.list_secrets()["SecretList"] == []
    assert [s["Name"] for s in sm.list_secrets(IncludePlannedDeletion=True)["SecretList"]] == ["s"]

    sm.restore_secret(SecretId="s")

    assert sm.get_secret_value(SecretId="s")["SecretString"] == "v"
    assert "DeletedDate" not in sm.describe_secret(SecretId="s")


def test_the_clock_ends_the_recovery_window(shieldwall: ServerInfo, sm: Any) -> None:
    old_arn = sm.create_secret(Name="s", SecretString="old")["ARN"]
    sm.delete_secret(SecretId="s", RecoveryWindowInDays=7)
    shieldwall.advance_clock(6 * DAY)
    assert error_of(sm.get_secret_value, SecretId="s")[2] == MARKED

    shieldwall.advance_clock(DAY + 60)

    assert error_of(sm.describe_secret, SecretId="s")[0] == "ResourceNotFoundException"
    assert error_of(sm.restore_secret, SecretId="s")[0] == "ResourceNotFoundException"
    new = sm.create_secret(Name="s", SecretString="new")
    assert new["ARN"] != old_arn
    assert error_of(sm.get_secret_value, SecretId=old_arn)[0] == "ResourceNotFoundException"
    assert sm.get_secret_value(SecretId="s")["SecretString"] == "new"


def test_recovery_window_limits_answer_as_aws_does(sm: Any) -> None:
    sm.create_secret(Name="s", SecretString="v")
    for days in (6, 31):
        assert error_of(sm.delete_secret, SecretId="s", RecoveryWindowInDays=days) == (
            "InvalidParameterException",
            400,
            "The RecoveryWindowInDays value must be between 7 and 30 days (inclusive).",
        )
    assert error_of(
        sm.delete_secret, SecretId="s", RecoveryWindowInDays=7, ForceDeleteWithoutRecovery=True
    ) == (
        "InvalidParameterException",
        400,
        "You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.",
    )


def test_forced_deletion_is_immediate_and_never_not_found(sm: Any) -> None:
    sm.create_secret(Name="s", SecretString="v")
    sm.delete_secret(SecretId="s", RecoveryWindowInDays=7)
    assert sm.delete_secret(SecretId="s", ForceDeleteWithoutRecovery=True)["Name"] == "s"
    assert error_of(sm.describe_secret, SecretId="s")[0] == "ResourceNotFoundException"
    assert sm.delete_secret(SecretId="never-was", ForceDeleteWithoutRecovery=True)["Name"] == "never-was"
    assert error_of(sm.delete_secret, SecretId="never-was")[0] == "ResourceNotFoundException"
    sm.create_secret(Name="s", SecretString="again")
    assert sm.get_secret_value(SecretId="s")["SecretString"] == "again"


def test_operations_on_a_missing_secret_answer_not_found(sm: Any) -> None:
    expected = ("ResourceNotFoundException", 400, "Secrets Manager can't find the specified secret.")
    for call, kwargs in (
        (sm.describe_secret, {}),
        (sm.get_secret_value, {}),
        (sm.put_secret_value, {"SecretString": "x"}),
        (sm.update_secret, {"Description": "x"}),
        (sm.list_secret_version_ids, {}),
        (sm.restore_secret, {}),
        (sm.get_resource_policy, {}),
        (sm.tag_resource, {"Tags": [{"Key": "k", "Value": "v"}]}),
    ):
        assert error_of(call, SecretId="missing", **kwargs) == expected
