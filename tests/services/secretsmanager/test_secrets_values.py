"""Secret values, versions and staging labels as AWS moves them, and ClientRequestToken idempotency."""

from __future__ import annotations

import uuid
from datetime import UTC, time
from typing import Any

from secrets_helpers import error_of, raw_call

from shieldwall.testing import ServerInfo

DAY = 86_400


def labels(sm: Any, secret_id: str, deprecated: bool = False) -> dict[str, list[str]]:
    versions: list[dict[str, Any]] = []
    options: dict[str, Any] = {"SecretId": secret_id, "IncludeDeprecated": deprecated}
    while True:
        page = sm.list_secret_version_ids(**options)
        versions += page["Versions"]
        if "NextToken" not in page:
            break
        options["NextToken"] = page["NextToken"]
    return {v["VersionId"]: v.get("VersionStages", []) for v in versions}


def test_a_created_secret_reads_back_as_its_current_version(sm: Any) -> None:
    created = sm.create_secret(Name="app/db", SecretString='{"user":"app","password":"s3cret"}')
    assert created["ARN"].startswith("arn:aws:secretsmanager:us-east-1:000000000000:secret:app/db-")
    assert len(created["ARN"].rsplit("-", 1)[1]) == 6

    value = sm.get_secret_value(SecretId="app/db")

    assert value["SecretString"] == '{"user":"app","password":"s3cret"}'
    assert value["VersionId"] == created["VersionId"]
    assert value["VersionStages"] == ["AWSCURRENT"]
    assert value["ARN"] == created["ARN"] and value["Name"] == "app/db"
    assert "SecretBinary" not in value


def test_binary_secrets_read_back_as_bytes(sm: Any) -> None:
    sm.create_secret(Name="blob", SecretBinary=b"\x00\x01\xfe\xff")
    value = sm.get_secret_value(SecretId="blob")
    assert value["SecretBinary"] == b"\x00\x01\xfe\xff"
    assert "SecretString" not in value


def test_a_secret_is_found_by_name_full_arn_and_partial_arn(sm: Any) -> None:
    arn = sm.create_secret(Name="svc/key", SecretString="v")["ARN"]
    partial = arn.rsplit("-", 1)[0]
    for secret_id in ("svc/key", arn, partial):
        assert sm.get_secret_value(SecretId=secret_id)["ARN"] == arn
    wrong_suffix = partial + "-AAAAAA"
    assert error_of(sm.get_secret_value, SecretId=wrong_suffix) == (
        "ResourceNotFoundException",
        400,
        "Secrets Manager can't find the specified secret.",
    )


def test_a_partial_arn_of_a_name_ending_like_a_suffix_is_taken_as_complete(sm: Any) -> None:
    arn = sm.create_secret(Name="name-abcdef", SecretString="v")["ARN"]
    assert sm.describe_secret(SecretId="name-abcdef")["ARN"] == arn
    assert error_of(sm.describe_secret, SecretId=arn.rsplit("-", 1)[0])[0] == "ResourceNotFoundException"


def test_string_and_binary_together_are_refused(sm: Any) -> None:
    assert error_of(sm.create_secret, Name="both", SecretString="a", SecretBinary=b"b") == (
        "InvalidParameterException",
        400,
        "You can't specify both a binary secret value and a string secret value in the same secret.",
    )


def test_a_value_over_65536_bytes_is_refused_even_in_fewer_characters(sm: Any) -> None:
    code, status, message = error_of(sm.create_secret, Name="big", SecretString="é" * 40_000)
    assert (code, status) == ("ValidationException", 400)
    assert "Member must have length less than or equal to 65536" in message
    assert "é" not in message


def test_missing_versions_and_labels_answer_as_aws_does(sm: Any) -> None:
    created = sm.create_secret(Name="s", SecretString="v1")
    assert error_of(sm.get_secret_value, SecretId="s", VersionStage="AWSPREVIOUS") == (
        "ResourceNotFoundException",
        400,
        "Secrets Manager can't find the specified secret value for staging label: AWSPREVIOUS",
    )
    missing = str(uuid.uuid4())
    assert error_of(sm.get_secret_value, SecretId="s", VersionId=missing)[2] == (
        f"Secrets Manager can't find the specified secret value for VersionId: {missing}"
    )
    assert error_of(sm.get_secret_value, SecretId="s", VersionId=created["VersionId"], VersionStage="X") == (
        "InvalidRequestException",
        400,
        "You provided a VersionStage that is not associated to the provided VersionId.",
    )


def test_a_secret_without_a_value_has_no_current_version(sm: Any) -> None:
    created = sm.create_secret(Name="empty", Description="later")
    assert "VersionId" not in created
    assert "VersionIdsToStages" not in sm.describe_secret(SecretId="empty")
    assert error_of(sm.get_secret_value, SecretId="empty")[2] == (
        "Secrets Manager can't find the specified secret value for staging label: AWSCURRENT"
    )
    put = sm.put_secret_value(SecretId="empty", SecretString="first", VersionStages=["AWSPENDING"])
    assert put["VersionStages"] == ["AWSCURRENT", "AWSPENDING"]


def test_putting_a_value_moves_current_and_previous(sm: Any) -> None:
    v1 = sm.create_secret(Name="s", SecretString="one")["VersionId"]
    v2 = sm.put_secret_value(SecretId="s", SecretString="two")["VersionId"]
    v3 = sm.update_secret(SecretId="s", SecretString="three")["VersionId"]

    assert labels(sm, "s") == {v2: ["AWSPREVIOUS"], v3: ["AWSCURRENT"]}
    assert labels(sm, "s", deprecated=True) == {v1: [], v2: ["AWSPREVIOUS"], v3: ["AWSCURRENT"]}
    assert sm.get_secret_value(SecretId="s", VersionStage="AWSPREVIOUS")["SecretString"] == "two"
    assert sm.get_secret_value(SecretId="s", VersionId=v1)["SecretString"] == "one"


def test_custom_labels_move_between_versions_and_sort(sm: Any) -> None:
    v1 = sm.create_secret(Name="s", SecretString="S0")["VersionId"]
    put = sm.put_secret_value(SecretId="s", SecretString="S1", VersionStages=["one", "two", "three"])
    assert put["VersionStages"] == ["one", "three", "two"]
    v3 = sm.put_secret_value(SecretId="s", SecretString="S2", VersionStages=["one", "two", "four"])[
        "VersionId"
    ]

    assert labels(sm, "s") == {v1: ["AWSCURRENT"], put["VersionId"]: ["three"], v3: ["four", "one", "two"]}


def test_a_rotation_style_cycle_of_pending_and_current(sm: Any) -> None:
    v1 = sm.create_secret(Name="s", SecretString="S1")["VersionId"]
    v2 = sm.put_secret_value(SecretId="s", SecretString="S2", VersionStages=["AWSPENDING"])["VersionId"]
    sm.update_secret_version_stage(
        SecretId="s", VersionStage="AWSCURRENT", RemoveFromVersionId=v1, MoveToVersionId=v2
    )
    assert labels(sm, "s") == {v1: ["AWSPREVIOUS"], v2: ["AWSCURRENT", "AWSPENDING"]}

    v3 = sm.put_secret_value(SecretId="s", SecretString="S3")["VersionId"]

    assert labels(sm, "s") == {v2: ["AWSPREVIOUS"], v3: ["AWSCURRENT"]}


def test_moving_a_label_needs_the_version_it_is_on(sm: Any) -> None:
    v1 = sm.create_secret(Name="s", SecretString="S1")["VersionId"]
    v2 = sm.put_secret_value(SecretId="s", SecretString="S2", VersionStages=["PENDING"])["VersionId"]
    assert error_of(
        sm.update_secret_version_stage, SecretId="s", VersionStage="AWSCURRENT", MoveToVersionId=v2
    ) == (
        "InvalidParameterException",
        400,
        "The parameter RemoveFromVersionId can't be empty. Staging label AWSCURRENT is currently attached to "
        f"version {v1}, so you must explicitly reference that version in RemoveFromVersionId.",
    )
    sm.update_secret_version_stage(SecretId="s", VersionStage="PENDING", RemoveFromVersionId=v2)
    assert labels(sm, "s") == {v1: ["AWSCURRENT"]}
    unknown = str(uuid.uuid4())
    assert (
        error_of(sm.update_secret_version_stage, SecretId="s", VersionStage="X", MoveToVersionId=unknown)[0]
        == "ResourceNotFoundException"
    )


def test_the_same_token_and_value_is_idempotent(sm: Any) -> None:
    sm.create_secret(Name="s", SecretString="S1")
    token = str(uuid.uuid4())
    first = sm.put_secret_value(SecretId="s", SecretString="S2", ClientRequestToken=token)
    again = sm.put_secret_value(SecretId="s", SecretString="S2", ClientRequestToken=token)

    assert again["VersionId"] == first["VersionId"] == token
    assert len(labels(sm, "s", deprecated=True)) == 2


def test_the_same_token_with_another_value_is_refused(sm: Any) -> None:
    arn = sm.create_secret(Name="s", SecretString="S1")["ARN"]
    token = str(uuid.uuid4())
    sm.put_secret_value(SecretId="s", SecretString="S2", ClientRequestToken=token)
    expected = (
        "ResourceExistsException",
        400,
        f"You can't use ClientRequestToken {token} because that value is already in use for a version of "
        f"secret {arn}.",
    )
    assert (
        error_of(sm.put_secret_value, SecretId="s", SecretString="S3", ClientRequestToken=token) == expected
    )
    assert (
        error_of(sm.put_secret_value, SecretId="s", SecretBinary=b"S2", ClientRequestToken=token) == expected
    )
    assert error_of(sm.update_secret, SecretId="s", SecretString="S2", ClientRequestToken=token) == expected
    assert sm.get_secret_value(SecretId="s")["SecretString"] == "S2"


def test_create_secret_retried_with_its_token_answers_the_same_version(sm: Any) -> None:
    token = str(uuid.uuid4())
    first = sm.create_secret(Name="s", SecretString="v", ClientRequestToken=token)
    again = sm.create_secret(Name="s", SecretString="v", ClientRequestToken=token)
    assert again["ARN"] == first["ARN"] and again["VersionId"] == token
    assert error_of(sm.create_secret, Name="s", SecretString="v") == (
        "ResourceExistsException",
        400,
        "The operation failed because the secret s already exists.",
    )


def test_a_raw_request_without_a_token_is_refused(shieldwall: ServerInfo, sm: Any) -> None:
    sm.create_secret(Name="s", SecretString="v")
    for operation, body in (
        ("CreateSecret", {"Name": "other", "SecretString": "x"}),
        ("PutSecretValue", {"SecretId": "s", "SecretString": "x"}),
        ("UpdateSecret", {"SecretId": "s", "SecretString": "x"}),
        ("RotateSecret", {"SecretId": "s"}),
    ):
        status, answer = raw_call(shieldwall, operation, body)
        assert status == 400
        assert answer == {
            "__type": "InvalidRequestException",
            "Message": "You must provide a ClientRequestToken value. We recommend a UUID-type value.",
        }


def test_versions_past_one_hundred_are_pruned_once_a_day_old(shieldwall: ServerInfo, sm: Any) -> None:
    sm.create_secret(Name="s", SecretString="0")
    for number in range(1, 102):
        sm.put_secret_value(SecretId="s", SecretString=str(number))
    assert len(labels(sm, "s", deprecated=True)) == 102  # nothing younger than 24 hours is pruned

    shieldwall.advance_clock(DAY + 60)
    sm.put_secret_value(SecretId="s", SecretString="last")

    versions = labels(sm, "s", deprecated=True)
    assert len(versions) == 100
    assert sm.get_secret_value(SecretId="s", VersionStage="AWSPREVIOUS")["SecretString"] == "101"


def test_listing_versions_pages_and_shows_the_default_key(sm: Any) -> None:
    sm.create_secret(Name="s", SecretString="0")
    for number in range(4):
        sm.put_secret_value(SecretId="s", SecretString=str(number), VersionStages=[f"L{number}"])
    first = sm.list_secret_version_ids(SecretId="s", MaxResults=3)
    second = sm.list_secret_version_ids(SecretId="s", MaxResults=3, NextToken=first["NextToken"])
    assert len(first["Versions"]) == 3 and len(second["Versions"]) == 2 and "NextToken" not in second
    assert {key for v in first["Versions"] for key in v["KmsKeyIds"]} == {"DefaultEncryptionKey"}
    assert error_of(sm.list_secret_version_ids, SecretId="s", NextToken="bm90IGEgdG9rZW4=")[0] == (
        "InvalidNextTokenException"
    )


def test_reading_sets_last_accessed_dates_to_the_day(sm: Any) -> None:
    sm.create_secret(Name="s", SecretString="v")
    assert "LastAccessedDate" not in sm.describe_secret(SecretId="s")
    sm.get_secret_value(SecretId="s")
    accessed = sm.describe_secret(SecretId="s")["LastAccessedDate"]
    assert accessed.astimezone(UTC).time() == time(0, 0)
    version = sm.list_secret_version_ids(SecretId="s")["Versions"][0]
    assert version["LastAccessedDate"] == accessed
