"""Aliases through boto3: create, list, update, delete, and the names AWS reserves or refuses."""

from __future__ import annotations

from typing import Any

import pytest
from kms_helpers import account_of, error_of

from shieldwall.testing import ServerInfo


def test_an_alias_is_listed_with_its_target_and_used_in_place_of_the_key(kms: Any, key_id: str) -> None:
    kms.create_alias(AliasName="alias/billing", TargetKeyId=key_id)

    [entry] = [alias for alias in kms.list_aliases()["Aliases"] if alias["AliasName"] == "alias/billing"]
    assert entry["TargetKeyId"] == key_id
    assert entry["AliasArn"].endswith(":alias/billing")
    assert entry["CreationDate"] == entry["LastUpdatedDate"]
    blob = kms.encrypt(KeyId="alias/billing", Plaintext=b"x")["CiphertextBlob"]
    assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"x"
    assert kms.list_aliases(KeyId=key_id)["Aliases"] == [entry]


def test_update_alias_points_it_at_another_key(kms: Any, key_id: str) -> None:
    other = kms.create_key()["KeyMetadata"]["KeyId"]
    kms.create_alias(AliasName="alias/current", TargetKeyId=key_id)

    kms.update_alias(AliasName="alias/current", TargetKeyId=other)

    assert kms.describe_key(KeyId="alias/current")["KeyMetadata"]["KeyId"] == other
    assert kms.list_aliases(KeyId=key_id)["Aliases"] == []
    assert [alias["AliasName"] for alias in kms.list_aliases(KeyId=other)["Aliases"]] == ["alias/current"]


def test_update_alias_refuses_a_key_of_another_type(kms: Any, key_id: str) -> None:
    signing = kms.create_key(KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")["KeyMetadata"]["KeyId"]
    kms.create_alias(AliasName="alias/typed", TargetKeyId=key_id)

    assert (
        error_of(kms.update_alias, AliasName="alias/typed", TargetKeyId=signing)[0] == "ValidationException"
    )
    assert kms.describe_key(KeyId="alias/typed")["KeyMetadata"]["KeyId"] == key_id


def test_delete_alias_removes_it_and_a_second_delete_finds_nothing(
    shieldwall: ServerInfo, kms: Any, key_id: str
) -> None:
    kms.create_alias(AliasName="alias/short-lived", TargetKeyId=key_id)
    kms.delete_alias(AliasName="alias/short-lived")

    assert error_of(kms.delete_alias, AliasName="alias/short-lived") == (
        "NotFoundException",
        400,
        f"Alias arn:aws:kms:us-east-1:{account_of(shieldwall)}:alias/short-lived is not found.",
    )
    assert kms.list_aliases(KeyId=key_id)["Aliases"] == []


def test_an_alias_name_can_be_used_once(shieldwall: ServerInfo, kms: Any, key_id: str) -> None:
    kms.create_alias(AliasName="alias/once", TargetKeyId=key_id)

    assert error_of(kms.create_alias, AliasName="alias/once", TargetKeyId=key_id) == (
        "AlreadyExistsException",
        400,
        f"An alias with the name arn:aws:kms:us-east-1:{account_of(shieldwall)}:alias/once already exists",
    )


@pytest.mark.parametrize(
    ("name", "code", "message"),
    [
        (
            "billing",
            "ValidationException",
            'Alias must start with the prefix "alias/". Please see '
            "https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html",
        ),
        (
            "alias/has:colon",
            "ValidationException",
            "alias/has:colon contains invalid characters for an alias",
        ),
        ("alias/aws/mine", "InvalidAliasNameException", None),
    ],
)
def test_alias_names_aws_refuses_are_refused(
    kms: Any, key_id: str, name: str, code: str, message: str | None
) -> None:
    found_code, status, found_message = error_of(kms.create_alias, AliasName=name, TargetKeyId=key_id)

    assert (found_code, status) == (code, 400)
    if message is not None:
        assert found_message == message


def test_list_aliases_pages(kms: Any, key_id: str) -> None:
    for number in range(5):
        kms.create_alias(AliasName=f"alias/page-{number}", TargetKeyId=key_id)

    names: list[str] = []
    answer = kms.list_aliases(Limit=2)
    names += [alias["AliasName"] for alias in answer["Aliases"]]
    while answer["Truncated"]:
        answer = kms.list_aliases(Limit=2, Marker=answer["NextMarker"])
        names += [alias["AliasName"] for alias in answer["Aliases"]]
    assert names == [f"alias/page-{number}" for number in range(5)]


def test_describing_a_predefined_aws_alias_creates_the_aws_managed_key(
    shieldwall: ServerInfo, kms: Any
) -> None:
    metadata = kms.describe_key(KeyId="alias/aws/secretsmanager")["KeyMetadata"]

    assert (metadata["KeyManager"], metadata["KeyState"]) == ("AWS", "Enabled")
    assert kms.describe_key(KeyId="alias/aws/secretsmanager")["KeyMetadata"]["KeyId"] == metadata["KeyId"]
    rotation = kms.get_key_rotation_status(KeyId=metadata["KeyId"])
    assert (rotation["KeyRotationEnabled"], rotation["RotationPeriodInDays"]) == (True, 365)
    policy = kms.get_key_policy(KeyId=metadata["KeyId"])["Policy"]
    assert '"kms:ViaService" : "secretsmanager.us-east-1.amazonaws.com"' in policy
    assert f'"kms:CallerAccount" : "{account_of(shieldwall)}"' in policy
    assert [a["AliasName"] for a in kms.list_aliases(KeyId=metadata["KeyId"])["Aliases"]] == [
        "alias/aws/secretsmanager"
    ]
