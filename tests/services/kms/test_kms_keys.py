"""Keys through boto3: CreateKey, DescribeKey, ListKeys, Enable/DisableKey, descriptions, tags, key policies."""

from __future__ import annotations

import json
from typing import Any

import pytest
from kms_helpers import account_of, error_of, key_policy, root_statement, statement

from shieldwall.testing import ServerInfo


def test_create_key_answers_aws_key_metadata_for_a_symmetric_key(shieldwall: ServerInfo, kms: Any) -> None:
    metadata = kms.create_key(Description="orders")["KeyMetadata"]

    account = account_of(shieldwall)
    key_id = metadata["KeyId"]
    assert metadata["Arn"] == f"arn:aws:kms:us-east-1:{account}:key/{key_id}"
    assert {name: metadata[name] for name in metadata if name not in ("KeyId", "Arn", "CreationDate")} == {
        "AWSAccountId": account,
        "Description": "orders",
        "Enabled": True,
        "KeyUsage": "ENCRYPT_DECRYPT",
        "KeyState": "Enabled",
        "Origin": "AWS_KMS",
        "KeyManager": "CUSTOMER",
        "CustomerMasterKeySpec": "SYMMETRIC_DEFAULT",
        "KeySpec": "SYMMETRIC_DEFAULT",
        "EncryptionAlgorithms": ["SYMMETRIC_DEFAULT"],
        "MultiRegion": False,
        "CurrentKeyMaterialId": metadata["CurrentKeyMaterialId"],
    }
    assert len(metadata["CurrentKeyMaterialId"]) == 64
    assert kms.describe_key(KeyId=key_id)["KeyMetadata"] == metadata


def test_a_key_is_found_by_id_arn_alias_name_and_alias_arn(kms: Any) -> None:
    metadata = kms.create_key()["KeyMetadata"]
    kms.create_alias(AliasName="alias/orders", TargetKeyId=metadata["KeyId"])
    alias_arn = metadata["Arn"].replace(f"key/{metadata['KeyId']}", "alias/orders")

    for key_id in (metadata["KeyId"], metadata["Arn"], "alias/orders", alias_arn):
        assert kms.describe_key(KeyId=key_id)["KeyMetadata"]["Arn"] == metadata["Arn"]


def test_asymmetric_and_hmac_keys_list_the_algorithms_of_their_usage(kms: Any) -> None:
    signing = kms.create_key(KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")["KeyMetadata"]
    mac = kms.create_key(KeySpec="HMAC_256", KeyUsage="GENERATE_VERIFY_MAC")["KeyMetadata"]
    agreement = kms.create_key(KeySpec="ECC_NIST_P384", KeyUsage="KEY_AGREEMENT")["KeyMetadata"]

    assert signing["SigningAlgorithms"] == ["ECDSA_SHA_256"]
    assert mac["MacAlgorithms"] == ["HMAC_SHA_256"]
    assert agreement["KeyAgreementAlgorithms"] == ["ECDH"]
    for metadata in (signing, mac, agreement):
        assert "EncryptionAlgorithms" not in metadata and "CurrentKeyMaterialId" not in metadata


@pytest.mark.parametrize(
    ("request_", "message"),
    [
        (
            {"KeySpec": "HMAC_256"},
            "You must specify a KeyUsage value for all KMS keys except for symmetric encryption keys.",
        ),
        (
            {"KeySpec": "RSA_2048", "KeyUsage": "KEY_AGREEMENT"},
            "KeyUsage KEY_AGREEMENT is not compatible with KeySpec RSA_2048",
        ),
        (
            {"KeySpec": "HMAC_256", "KeyUsage": "ENCRYPT_DECRYPT"},
            "KeyUsage ENCRYPT_DECRYPT is not compatible with KeySpec HMAC_256",
        ),
    ],
)
def test_create_key_refuses_a_key_usage_its_key_spec_does_not_offer(
    kms: Any, request_: dict[str, str], message: str
) -> None:
    assert error_of(kms.create_key, **request_) == ("ValidationException", 400, message)


def test_create_key_refuses_an_unknown_key_spec_naming_the_allowed_values(kms: Any) -> None:
    code, status, message = error_of(kms.create_key, KeySpec="HMAC_random", KeyUsage="GENERATE_VERIFY_MAC")

    assert (code, status) == ("ValidationException", 400)
    assert message.startswith(
        "1 validation error detected: Value 'HMAC_random' at 'keySpec' failed to satisfy constraint: "
        "Member must satisfy enum value set: [RSA_2048, "
    )


def test_an_external_key_waits_for_its_material_and_cannot_encrypt(kms: Any) -> None:
    metadata = kms.create_key(Origin="EXTERNAL")["KeyMetadata"]

    assert (metadata["Origin"], metadata["KeyState"], metadata["Enabled"]) == (
        "EXTERNAL",
        "PendingImport",
        False,
    )
    assert "CurrentKeyMaterialId" not in metadata
    assert error_of(kms.encrypt, KeyId=metadata["KeyId"], Plaintext=b"x") == (
        "KMSInvalidStateException",
        400,
        f"{metadata['Arn']} is pending import.",
    )
    assert error_of(kms.enable_key, KeyId=metadata["KeyId"])[2] == f"{metadata['Arn']} is pending import."


def test_a_multi_region_key_has_an_mrk_id_and_is_its_own_primary(kms: Any) -> None:
    metadata = kms.create_key(MultiRegion=True)["KeyMetadata"]

    assert metadata["KeyId"].startswith("mrk-") and len(metadata["KeyId"]) == 36
    assert metadata["MultiRegion"] is True
    assert metadata["MultiRegionConfiguration"] == {
        "MultiRegionKeyType": "PRIMARY",
        "PrimaryKey": {"Arn": metadata["Arn"], "Region": "us-east-1"},
        "ReplicaKeys": [],
    }
    blob = kms.encrypt(KeyId=metadata["KeyId"], Plaintext=b"everywhere")["CiphertextBlob"]
    assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"everywhere"


def test_list_keys_pages_through_every_key_of_the_region(kms: Any) -> None:
    created = {kms.create_key()["KeyMetadata"]["KeyId"] for _ in range(5)}

    first = kms.list_keys(Limit=2)
    assert first["Truncated"] is True and len(first["Keys"]) == 2
    seen = [entry["KeyId"] for entry in first["Keys"]]
    marker = first["NextMarker"]
    while marker:
        page = kms.list_keys(Limit=2, Marker=marker)
        seen += [entry["KeyId"] for entry in page["Keys"]]
        marker = page.get("NextMarker")
    assert set(seen) == created and len(seen) == 5
    assert all(entry["KeyArn"].endswith(f"key/{entry['KeyId']}") for entry in first["Keys"])
    assert kms.list_keys()["Truncated"] is False
    assert error_of(kms.list_keys, Marker="!!not a marker!!")[0] == "InvalidMarkerException"


def test_a_disabled_key_refuses_cryptography_until_enabled(kms: Any, key_id: str) -> None:
    arn = kms.describe_key(KeyId=key_id)["KeyMetadata"]["Arn"]
    kms.disable_key(KeyId=key_id)

    described = kms.describe_key(KeyId=key_id)["KeyMetadata"]
    assert (described["KeyState"], described["Enabled"]) == ("Disabled", False)
    assert error_of(kms.encrypt, KeyId=key_id, Plaintext=b"x") == (
        "DisabledException",
        400,
        f"{arn} is disabled.",
    )
    assert error_of(kms.generate_data_key, KeyId=key_id, KeySpec="AES_256")[0] == "DisabledException"

    kms.enable_key(KeyId=key_id)
    assert kms.encrypt(KeyId=key_id, Plaintext=b"x")["KeyId"] == arn


def test_update_key_description_changes_what_describe_key_answers(kms: Any, key_id: str) -> None:
    kms.update_key_description(KeyId=key_id, Description="payments")

    assert kms.describe_key(KeyId=key_id)["KeyMetadata"]["Description"] == "payments"


def test_tags_are_added_replaced_listed_and_removed(kms: Any) -> None:
    key_id = kms.create_key(Tags=[{"TagKey": "team", "TagValue": "core"}])["KeyMetadata"]["KeyId"]
    kms.tag_resource(
        KeyId=key_id, Tags=[{"TagKey": "team", "TagValue": "edge"}, {"TagKey": "env", "TagValue": "dev"}]
    )

    assert kms.list_resource_tags(KeyId=key_id)["Tags"] == [
        {"TagKey": "env", "TagValue": "dev"},
        {"TagKey": "team", "TagValue": "edge"},
    ]
    kms.untag_resource(KeyId=key_id, TagKeys=["team"])
    answer = kms.list_resource_tags(KeyId=key_id)
    assert (answer["Tags"], answer["Truncated"]) == ([{"TagKey": "env", "TagValue": "dev"}], False)


@pytest.mark.parametrize(
    ("tags", "message"),
    [
        ([{"TagKey": "aws:owner", "TagValue": "x"}], "Tags beginning with aws: are reserved"),
        ([{"TagKey": "a", "TagValue": "1"}, {"TagKey": "a", "TagValue": "2"}], "Duplicate tag keys"),
        ([{"TagKey": f"k{n}", "TagValue": "v"} for n in range(51)], "Too many tags"),
    ],
)
def test_tags_aws_refuses_are_refused_with_tag_exception(
    kms: Any, key_id: str, tags: list[dict[str, str]], message: str
) -> None:
    assert error_of(kms.tag_resource, KeyId=key_id, Tags=tags) == ("TagException", 400, message)
    assert error_of(kms.create_key, Tags=tags) == ("TagException", 400, message)


def test_a_missing_key_is_named_as_aws_names_it(shieldwall: ServerInfo, kms: Any) -> None:
    account = account_of(shieldwall)
    missing = "11111111-2222-4333-8444-555555555555"
    arn = f"arn:aws:kms:us-east-1:{account}:key/{missing}"

    assert error_of(kms.describe_key, KeyId=missing) == (
        "NotFoundException",
        400,
        f"Key '{arn}' does not exist",
    )
    assert error_of(kms.describe_key, KeyId=arn)[2] == f"Key '{arn}' does not exist"
    assert error_of(kms.describe_key, KeyId="fake-key-id")[2] == "Invalid keyId 'fake-key-id'"
    assert (
        error_of(kms.describe_key, KeyId=arn.replace("us-east-1", "eu-west-1"))[2] == "Invalid arn eu-west-1"
    )
    assert error_of(kms.encrypt, KeyId="alias/nothing", Plaintext=b"x") == (
        "NotFoundException",
        400,
        f"Alias arn:aws:kms:us-east-1:{account}:alias/nothing is not found.",
    )


def test_operations_that_manage_a_key_do_not_take_an_alias(kms: Any, key_id: str) -> None:
    kms.create_alias(AliasName="alias/managed", TargetKeyId=key_id)

    assert error_of(kms.disable_key, KeyId="alias/managed") == (
        "InvalidArnException",
        400,
        "Key Aliases are not supported for this operation.",
    )


def test_the_default_key_policy_lets_the_account_use_iam_policies(
    shieldwall: ServerInfo, kms: Any, key_id: str
) -> None:
    answer = kms.get_key_policy(KeyId=key_id, PolicyName="default")
    account = account_of(shieldwall)

    assert answer["PolicyName"] == "default"
    assert answer["Policy"] == (
        "{\n"
        '  "Version" : "2012-10-17",\n'
        '  "Id" : "key-default-1",\n'
        '  "Statement" : [ {\n'
        '    "Sid" : "Enable IAM User Permissions",\n'
        '    "Effect" : "Allow",\n'
        '    "Principal" : {\n'
        f'      "AWS" : "arn:aws:iam::{account}:root"\n'
        "    },\n"
        '    "Action" : "kms:*",\n'
        '    "Resource" : "*"\n'
        "  } ]\n"
        "}"
    )
    assert kms.list_key_policies(KeyId=key_id)["PolicyNames"] == ["default"]
    assert error_of(kms.get_key_policy, KeyId=key_id, PolicyName="other")[0] == "NotFoundException"


def test_put_key_policy_replaces_the_policy_as_written(shieldwall: ServerInfo, kms: Any, key_id: str) -> None:
    account = account_of(shieldwall)
    policy = key_policy(root_statement(account), statement({"AWS": "*"}, "kms:Describe*"))

    kms.put_key_policy(KeyId=key_id, PolicyName="default", Policy=policy)

    assert kms.get_key_policy(KeyId=key_id)["Policy"] == policy


def test_a_policy_that_would_lock_the_caller_out_needs_the_bypass_flag(
    shieldwall: ServerInfo, kms: Any, key_id: str
) -> None:
    locking = key_policy(statement({"AWS": f"arn:aws:iam::{account_of(shieldwall)}:root"}, "kms:Encrypt"))
    refused = "The new key policy will not allow you to update the key policy in the future."

    assert error_of(kms.put_key_policy, KeyId=key_id, Policy=locking) == (
        "MalformedPolicyDocumentException",
        400,
        refused,
    )
    assert error_of(kms.create_key, Policy=locking)[2] == refused
    kms.put_key_policy(KeyId=key_id, Policy=locking, BypassPolicyLockoutSafetyCheck=True)
    assert error_of(kms.get_key_policy, KeyId=key_id)[0] == "AccessDeniedException"


@pytest.mark.parametrize(
    ("policy", "code"),
    [
        ("{not json", "MalformedPolicyDocumentException"),
        (
            json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [{"Effect": "Allow", "Action": "kms:*", "Resource": "*"}],
                }
            ),
            "MalformedPolicyDocumentException",
        ),
        (
            key_policy(
                statement({"AWS": "*"}, "kms:*", {"StringEquals": {"kms:CallerAccount": "x" * 33_000}})
            ),
            "LimitExceededException",
        ),
    ],
)
def test_a_key_policy_that_is_not_valid_is_refused(kms: Any, key_id: str, policy: str, code: str) -> None:
    before = kms.get_key_policy(KeyId=key_id)["Policy"]

    assert error_of(kms.put_key_policy, KeyId=key_id, Policy=policy)[0] == code
    assert kms.get_key_policy(KeyId=key_id)["Policy"] == before
