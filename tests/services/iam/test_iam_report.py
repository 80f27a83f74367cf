"""The credential report through boto3: AWS's CSV columns, the root row, users' passwords, keys and MFA."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime
from typing import Any

import pyotp

from shieldwall.testing import ServerInfo

ACCOUNT = "000000000000"
COLUMNS = [
    "user",
    "arn",
    "user_creation_time",
    "password_enabled",
    "password_last_used",
    "password_last_changed",
    "password_next_rotation",
    "mfa_active",
    "access_key_1_active",
    "access_key_1_last_rotated",
    "access_key_1_last_used_date",
    "access_key_1_last_used_region",
    "access_key_1_last_used_service",
    "access_key_2_active",
    "access_key_2_last_rotated",
    "access_key_2_last_used_date",
    "access_key_2_last_used_region",
    "access_key_2_last_used_service",
    "cert_1_active",
    "cert_1_last_rotated",
    "cert_2_active",
    "cert_2_last_rotated",
]
TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00")
FOUR_HOURS = 4 * 3600


def report_rows(iam: Any) -> tuple[list[str], dict[str, dict[str, str]]]:
    answer = iam.get_credential_report()
    assert answer["ReportFormat"] == "text/csv"
    reader = csv.reader(io.StringIO(answer["Content"].decode("utf-8")))
    header, *rows = list(reader)
    return header, {row[0]: dict(zip(header, row, strict=True)) for row in rows}


def iso(when: datetime) -> str:
    return when.astimezone(UTC).isoformat()


def enable_mfa(iam: Any, shieldwall: ServerInfo, user: str) -> None:
    device = iam.create_virtual_mfa_device(VirtualMFADeviceName=user)["VirtualMFADevice"]
    now = datetime.fromisoformat(shieldwall.admin("clock")["now"].replace("Z", "+00:00")).timestamp()
    totp = pyotp.TOTP(device["Base32StringSeed"].decode())
    iam.enable_mfa_device(
        UserName=user,
        SerialNumber=device["SerialNumber"],
        AuthenticationCode1=totp.at(now),
        AuthenticationCode2=totp.at(now + 30),
    )


def test_no_report_before_one_is_generated(iam: Any, aws_error: Any) -> None:
    code, status, _ = aws_error(iam.get_credential_report)
    assert (code, status) == ("ReportNotPresent", 410)


def test_generating_starts_once_then_is_complete(iam: Any) -> None:
    started = iam.generate_credential_report()
    assert (started["State"], started["Description"]) == (
        "STARTED",
        "No report exists. Starting a new report generation task",
    )
    assert iam.generate_credential_report()["State"] == "COMPLETE"


def test_the_report_has_aws_columns_and_the_root_row_first(iam: Any) -> None:
    iam.generate_credential_report()
    answer = iam.get_credential_report()
    header, rows = report_rows(iam)
    assert header == COLUMNS
    assert answer["Content"].decode().splitlines()[1].startswith("<root_account>,")
    root = rows["<root_account>"]
    assert root["arn"] == f"arn:aws:iam::{ACCOUNT}:root"
    assert TIME.fullmatch(root["user_creation_time"])
    assert [root[c] for c in ("password_enabled", "password_last_changed", "password_next_rotation")] == [
        "not_supported"
    ] * 3
    assert (root["mfa_active"], root["access_key_1_active"], root["access_key_2_active"]) == (
        "false",
        "true",
        "false",
    )
    assert [root[c] for c in COLUMNS[-4:]] == ["false", "N/A", "false", "N/A"]


def test_the_report_reflects_passwords_keys_and_mfa(iam: Any, shieldwall: ServerInfo) -> None:
    alice = iam.create_user(UserName="alice")["User"]
    iam.create_user(UserName="bob")
    iam.create_login_profile(UserName="alice", Password="Correct-Horse-9")
    first = iam.create_access_key(UserName="alice")["AccessKey"]
    shieldwall.advance_clock(2)  # key 1 is the older key: make the creation times differ
    second = iam.create_access_key(UserName="alice")["AccessKey"]
    iam.update_access_key(UserName="alice", AccessKeyId=second["AccessKeyId"], Status="Inactive")
    shieldwall.client(
        "sts", aws_access_key_id=first["AccessKeyId"], aws_secret_access_key=first["SecretAccessKey"]
    ).get_caller_identity()
    enable_mfa(iam, shieldwall, "alice")
    iam.generate_credential_report()
    _, rows = report_rows(iam)
    assert list(rows) == ["<root_account>", "alice", "bob"]
    row = rows["alice"]
    assert (row["arn"], row["user_creation_time"]) == (alice["Arn"], iso(alice["CreateDate"]))
    assert (row["password_enabled"], row["password_last_used"]) == ("true", "no_information")
    assert TIME.fullmatch(row["password_last_changed"]) and row["password_next_rotation"] == "N/A"
    assert row["mfa_active"] == "true"
    assert row["access_key_1_active"] == "true"
    assert row["access_key_1_last_rotated"] == iso(first["CreateDate"])
    assert TIME.fullmatch(row["access_key_1_last_used_date"])
    assert (row["access_key_1_last_used_region"], row["access_key_1_last_used_service"]) == (
        "us-east-1",
        "sts",
    )
    assert (row["access_key_2_active"], row["access_key_2_last_rotated"]) == (
        "false",
        iso(second["CreateDate"]),
    )
    assert [row[f"access_key_2_last_used_{c}"] for c in ("date", "region", "service")] == ["N/A"] * 3
    bob = rows["bob"]
    assert [bob[c] for c in COLUMNS[3:]] == ["false", "N/A", "N/A", "N/A", "false"] + [
        "false",
        "N/A",
        "N/A",
        "N/A",
        "N/A",
    ] * 2 + ["false", "N/A", "false", "N/A"]


def test_password_rotation_follows_the_password_policy(iam: Any) -> None:
    iam.update_account_password_policy(MaxPasswordAge=90)
    iam.create_user(UserName="alice")
    profile = iam.create_login_profile(UserName="alice", Password="Correct-Horse-9")["LoginProfile"]
    iam.generate_credential_report()
    _, rows = report_rows(iam)
    created = profile["CreateDate"].astimezone(UTC)
    expected = created.replace(microsecond=0).timestamp() + 90 * 86_400
    assert rows["alice"]["password_next_rotation"] == iso(datetime.fromtimestamp(expected, UTC))


def test_a_report_expires_after_four_hours_and_a_new_one_sees_changes(
    iam: Any, shieldwall: ServerInfo, aws_error: Any
) -> None:
    iam.generate_credential_report()
    iam.create_user(UserName="late")
    assert iam.generate_credential_report()["State"] == "COMPLETE"
    assert "late" not in report_rows(iam)[1]
    shieldwall.advance_clock(FOUR_HOURS + 1)
    code, status, _ = aws_error(iam.get_credential_report)
    assert (code, status) == ("ReportExpired", 410)
    assert iam.generate_credential_report()["State"] == "STARTED"
    assert "late" in report_rows(iam)[1]


def test_a_user_without_permission_cannot_read_the_report(user_client: Any, aws_error: Any) -> None:
    as_alice = user_client("iam", "alice")
    code, status, message = aws_error(as_alice.generate_credential_report)
    assert (code, status) == ("AccessDenied", 403)
    assert "iam:GenerateCredentialReport on resource: *" in message
