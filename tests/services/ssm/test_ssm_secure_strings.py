"""SecureStrings encrypted through shieldwall's KMS: the AWS managed key aws/ssm, customer managed keys, key
state and key policy deciding who reads, KMS's answers as SSM relays them, and the audit trail."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable
from typing import Any

from ssm_helpers import allow, arn_of, events_named, policy, statement

from shieldwall.testing import ServerInfo, aws_error

ACCOUNT_ROOT = "arn:aws:iam::000000000000:root"


def kms_failure(message: str, code: str) -> re.Pattern[str]:
    return re.compile(
        re.escape(f"{message} (Service: AWSKMS; Status Code: 400; Error Code: {code}; Request ID: ")
        + r"[0-9a-f-]{36}; Proxy: null\)"
    )


def test_default_key_is_created_and_used(ssm: Any, kms: Any) -> None:
    ssm.put_parameter(Name="/s", Value="hunter2", Type="SecureString")
    managed = kms.describe_key(KeyId="alias/aws/ssm")["KeyMetadata"]
    assert managed["KeyManager"] == "AWS"
    meta = ssm.describe_parameters()["Parameters"][0]
    assert meta["KeyId"] == "alias/aws/ssm"
    assert ssm.get_parameter(Name="/s", WithDecryption=True)["Parameter"]["Value"] == "hunter2"


def test_value_without_decryption_is_the_kms_ciphertext(ssm: Any, kms: Any) -> None:
    key = kms.create_key()["KeyMetadata"]["KeyId"]
    ssm.put_parameter(Name="/s", Value="hunter2", Type="SecureString", KeyId=key)
    value = ssm.get_parameter(Name="/s")["Parameter"]["Value"]
    assert value != "hunter2"
    blob = base64.b64decode(value)
    clear = kms.decrypt(CiphertextBlob=blob, EncryptionContext={"PARAMETER_ARN": arn_of("/s")})
    assert clear["Plaintext"] == b"hunter2"
    assert aws_error(kms.decrypt, CiphertextBlob=blob)[0] == "InvalidCiphertextException"


def test_managed_key_decrypts_only_through_ssm(ssm: Any, kms: Any) -> None:
    ssm.put_parameter(Name="/s", Value="hunter2", Type="SecureString")
    blob = base64.b64decode(ssm.get_parameter(Name="/s")["Parameter"]["Value"])
    code, _, message = aws_error(
        kms.decrypt, CiphertextBlob=blob, EncryptionContext={"PARAMETER_ARN": arn_of("/s")}
    )
    assert code == "AccessDeniedException" and "kms:Decrypt" in message


def test_key_named_by_alias_or_arn(ssm: Any, kms: Any) -> None:
    key = kms.create_key()["KeyMetadata"]
    kms.create_alias(AliasName="alias/params", TargetKeyId=key["KeyId"])
    ssm.put_parameter(Name="/by-alias", Value="a", Type="SecureString", KeyId="alias/params")
    ssm.put_parameter(Name="/by-arn", Value="b", Type="SecureString", KeyId=key["Arn"])
    shown = {entry["Name"]: entry["KeyId"] for entry in ssm.describe_parameters()["Parameters"]}
    assert shown == {"/by-alias": "alias/params", "/by-arn": key["Arn"]}
    found = ssm.get_parameters(Names=["/by-alias", "/by-arn"], WithDecryption=True)["Parameters"]
    assert [entry["Value"] for entry in found] == ["a", "b"]


def test_missing_key_answers_invalid_key_id_with_kmss_answer(ssm: Any) -> None:
    missing = "11111111-2222-3333-4444-555555555555"
    code, status, message = aws_error(
        ssm.put_parameter, Name="/s", Value="v", Type="SecureString", KeyId=missing
    )
    assert (code, status) == ("InvalidKeyId", 400)
    expected = f"Key 'arn:aws:kms:us-east-1:000000000000:key/{missing}' does not exist"
    assert kms_failure(expected, "NotFoundException").fullmatch(message), message


def test_disabled_key_makes_the_value_unreadable_until_enabled(ssm: Any, kms: Any) -> None:
    key = kms.create_key()["KeyMetadata"]
    ssm.put_parameter(Name="/s", Value="hunter2", Type="SecureString", KeyId=key["KeyId"])
    kms.disable_key(KeyId=key["KeyId"])
    code, _, message = aws_error(ssm.get_parameter, Name="/s", WithDecryption=True)
    assert code == "InvalidKeyId"
    assert kms_failure(f"{key['Arn']} is disabled.", "DisabledException").fullmatch(message), message
    assert ssm.get_parameter(Name="/s")["Parameter"]["Type"] == "SecureString"
    assert aws_error(ssm.put_parameter, Name="/s", Value="new", Overwrite=True, KeyId=key["KeyId"])[0] == (
        "InvalidKeyId"
    )
    kms.enable_key(KeyId=key["KeyId"])
    assert ssm.get_parameter(Name="/s", WithDecryption=True)["Parameter"]["Value"] == "hunter2"


def test_key_pending_deletion_answers_kms_invalid_state(ssm: Any, kms: Any) -> None:
    key = kms.create_key()["KeyMetadata"]
    ssm.put_parameter(Name="/s", Value="v", Type="SecureString", KeyId=key["KeyId"])
    kms.schedule_key_deletion(KeyId=key["KeyId"], PendingWindowInDays=7)
    message = aws_error(ssm.get_parameter, Name="/s", WithDecryption=True)[2]
    assert kms_failure(f"{key['Arn']} is pending deletion.", "KMSInvalidStateException").fullmatch(message)


def test_key_policy_decides_who_reads(
    shieldwall: ServerInfo, ssm: Any, kms: Any, user_server: Callable[..., ServerInfo]
) -> None:
    key = kms.create_key()["KeyMetadata"]
    ssm.put_parameter(Name="/s", Value="hunter2", Type="SecureString", KeyId=key["KeyId"])
    reader = user_server("reader", allow(["ssm:GetParameter", "kms:Decrypt"])).client("ssm")
    assert reader.get_parameter(Name="/s", WithDecryption=True)["Parameter"]["Value"] == "hunter2"

    original = kms.get_key_policy(KeyId=key["KeyId"], PolicyName="default")["Policy"]
    managing = ["kms:PutKeyPolicy", "kms:GetKeyPolicy", "kms:DescribeKey"]
    locked = policy(statement(managing, principal={"AWS": ACCOUNT_ROOT}))
    kms.put_key_policy(KeyId=key["KeyId"], PolicyName="default", Policy=locked)
    assert aws_error(reader.get_parameter, Name="/s", WithDecryption=True) == (
        "AccessDeniedException",
        400,
        "User: arn:aws:iam::000000000000:user/reader is not authorized to perform: kms:Decrypt on resource: "
        f"{key['Arn']} because no resource-based policy allows the kms:Decrypt action",
    )
    assert reader.get_parameter(Name="/s")["Parameter"]["Value"] != "hunter2"

    kms.put_key_policy(KeyId=key["KeyId"], PolicyName="default", Policy=original)
    assert reader.get_parameter(Name="/s", WithDecryption=True)["Parameter"]["Value"] == "hunter2"


def test_managed_key_needs_only_ssm_permissions(ssm: Any, user_server: Callable[..., ServerInfo]) -> None:
    writer = user_server("writer", allow(["ssm:PutParameter", "ssm:GetParameter"])).client("ssm")
    writer.put_parameter(Name="/s", Value="hunter2", Type="SecureString")
    assert writer.get_parameter(Name="/s", WithDecryption=True)["Parameter"]["Value"] == "hunter2"


def test_customer_key_needs_kms_permissions_in_iam(
    ssm: Any, kms: Any, user_server: Callable[..., ServerInfo]
) -> None:
    key = kms.create_key()["KeyMetadata"]
    writer = user_server("writer", allow(["ssm:PutParameter", "ssm:GetParameter"])).client("ssm")
    code, _, message = aws_error(
        writer.put_parameter, Name="/s", Value="v", Type="SecureString", KeyId=key["Arn"]
    )
    assert code == "AccessDeniedException"
    assert message.startswith(
        "User: arn:aws:iam::000000000000:user/writer is not authorized to perform: kms:Encrypt"
    )
    big = "x" * 5000
    code, _, message = aws_error(
        writer.put_parameter, Name="/s", Value=big, Type="SecureString", KeyId=key["Arn"], Tier="Advanced"
    )
    assert "kms:GenerateDataKey" in message
    ssm.put_parameter(Name="/s", Value="v", Type="SecureString", KeyId=key["Arn"])
    assert aws_error(writer.get_parameter, Name="/s", WithDecryption=True)[0] == "AccessDeniedException"


def test_encryption_context_condition_scopes_decrypt_to_one_parameter(
    ssm: Any, kms: Any, user_server: Callable[..., ServerInfo]
) -> None:
    key = kms.create_key()["KeyMetadata"]["Arn"]
    for name in ("/app/a", "/app/b"):
        ssm.put_parameter(Name=name, Value=f"secret {name}", Type="SecureString", KeyId=key)
    document = policy(
        statement(["ssm:GetParameter", "ssm:GetParametersByPath"]),
        {
            "Effect": "Allow",
            "Action": "kms:Decrypt",
            "Resource": key,
            "Condition": {
                "StringEquals": {
                    "kms:EncryptionContext:PARAMETER_ARN": arn_of("/app/a"),
                    "kms:ViaService": "ssm.us-east-1.amazonaws.com",
                }
            },
        },
    )
    reader = user_server("reader", document).client("ssm")
    assert reader.get_parameter(Name="/app/a", WithDecryption=True)["Parameter"]["Value"] == "secret /app/a"
    denied = aws_error(reader.get_parameter, Name="/app/b", WithDecryption=True)
    assert denied[0] == "AccessDeniedException" and "kms:Decrypt" in denied[2]
    whole = aws_error(reader.get_parameters_by_path, Path="/app", WithDecryption=True)
    assert whole[0] == "AccessDeniedException" and "kms:Decrypt" in whole[2]
    assert len(reader.get_parameters_by_path(Path="/app")["Parameters"]) == 2


def test_advanced_secure_string_holds_eight_kilobytes(ssm: Any) -> None:
    value = "s" * 8192
    assert (
        ssm.put_parameter(Name="/big", Value=value, Type="SecureString", Tier="Advanced")["Tier"]
        == "Advanced"
    )
    assert ssm.get_parameter(Name="/big", WithDecryption=True)["Parameter"]["Value"] == value


def test_history_decrypts_every_version_under_its_own_key(ssm: Any, kms: Any) -> None:
    key = kms.create_key()["KeyMetadata"]["KeyId"]
    ssm.put_parameter(Name="/s", Value="one", Type="SecureString", KeyId=key)
    ssm.put_parameter(Name="/s", Value="two", Type="SecureString", Overwrite=True)
    history = ssm.get_parameter_history(Name="/s", WithDecryption=True)["Parameters"]
    assert [(entry["Value"], entry["KeyId"]) for entry in history] == [("one", key), ("two", "alias/aws/ssm")]


def test_kms_calls_are_audited_without_the_value(shieldwall: ServerInfo, ssm: Any) -> None:
    ssm.put_parameter(Name="/s", Value="audit-me-not", Type="SecureString")
    ssm.get_parameter(Name="/s", WithDecryption=True)
    cloudtrail = shieldwall.client("cloudtrail")
    decrypt = events_named(cloudtrail, "Decrypt")[0]
    assert decrypt["eventSource"] == "kms.amazonaws.com"
    assert decrypt["userIdentity"]["invokedBy"] == "ssm.amazonaws.com"
    assert decrypt["requestParameters"]["encryptionContext"] == {"PARAMETER_ARN": arn_of("/s")}
    assert events_named(cloudtrail, "Encrypt")[0]["userIdentity"]["invokedBy"] == "ssm.amazonaws.com"
    put = events_named(cloudtrail, "PutParameter")[0]
    assert put["requestParameters"]["value"] == "HIDDEN_DUE_TO_SECURITY_REASONS"
    assert "audit-me-not" not in json.dumps(events_named(cloudtrail, "GetParameter"))


def test_plaintext_never_reaches_the_data_directory(shieldwall: ServerInfo, ssm: Any, kms: Any) -> None:
    marker = "plaintext-marker-7f3a9c"
    key = kms.create_key()["KeyMetadata"]["KeyId"]
    ssm.put_parameter(Name="/s1", Value=marker, Type="SecureString")
    ssm.put_parameter(Name="/s2", Value=marker * 300, Type="SecureString", KeyId=key, Tier="Advanced")
    ssm.get_parameters_by_path(Path="/", WithDecryption=True)
    ssm.get_parameter_history(Name="/s1", WithDecryption=True)
    shieldwall.client("cloudtrail").lookup_events()  # the audit log commits what it holds
    needles = [marker.encode(), base64.b64encode(marker.encode())[:16], marker.encode("utf-16-le")]
    for path in shieldwall.data_dir.rglob("*"):
        if path.is_file():
            content = path.read_bytes()
            assert not any(needle in content for needle in needles), path
