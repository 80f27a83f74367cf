from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from typing import Any

import botocore.exceptions
import pytest

from shieldwall.testing import ServerInfo


def _signed_as(shieldwall: ServerInfo, key: dict[str, Any], service: str = "sts") -> Any:
    return shieldwall.client(
        service, aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"]
    )


def test_access_key_created_by_root_signs_requests_as_the_user(iam: Any, shieldwall: ServerInfo) -> None:
    user = iam.create_user(UserName="alice")["User"]
    key = iam.create_access_key(UserName="alice")["AccessKey"]
    assert key["AccessKeyId"].startswith("AKIA") and len(key["AccessKeyId"]) == 20
    assert key["Status"] == "Active" and len(key["SecretAccessKey"]) == 40
    identity = _signed_as(shieldwall, key).get_caller_identity()
    assert identity["Arn"] == "arn:aws:iam::000000000000:user/alice"
    assert identity["UserId"] == user["UserId"]
    assert identity["Account"] == "000000000000"


def test_the_secret_is_shown_once_and_never_listed(iam: Any) -> None:
    iam.create_user(UserName="alice")
    key = iam.create_access_key(UserName="alice")["AccessKey"]
    listed = iam.list_access_keys(UserName="alice")["AccessKeyMetadata"]
    assert listed == [
        {
            "UserName": "alice",
            "AccessKeyId": key["AccessKeyId"],
            "Status": "Active",
            "CreateDate": key["CreateDate"],
        }
    ]


def test_inactive_key_is_an_invalid_client_token(iam: Any, shieldwall: ServerInfo, aws_error: Any) -> None:
    iam.create_user(UserName="alice")
    key = iam.create_access_key(UserName="alice")["AccessKey"]
    sts = _signed_as(shieldwall, key)
    sts.get_caller_identity()
    iam.update_access_key(UserName="alice", AccessKeyId=key["AccessKeyId"], Status="Inactive")
    code, status, _ = aws_error(sts.get_caller_identity)
    assert (code, status) == ("InvalidClientTokenId", 403)
    assert iam.list_access_keys(UserName="alice")["AccessKeyMetadata"][0]["Status"] == "Inactive"
    iam.update_access_key(UserName="alice", AccessKeyId=key["AccessKeyId"], Status="Active")
    assert sts.get_caller_identity()["Arn"].endswith(":user/alice")


def test_deleted_key_stops_working_on_the_next_request(
    iam: Any, shieldwall: ServerInfo, aws_error: Any
) -> None:
    iam.create_user(UserName="alice")
    key = iam.create_access_key(UserName="alice")["AccessKey"]
    sts = _signed_as(shieldwall, key)
    sts.get_caller_identity()
    iam.delete_access_key(UserName="alice", AccessKeyId=key["AccessKeyId"])
    assert aws_error(sts.get_caller_identity)[:2] == ("InvalidClientTokenId", 403)
    assert aws_error(iam.delete_access_key, UserName="alice", AccessKeyId=key["AccessKeyId"]) == (
        "NoSuchEntity",
        404,
        f"The Access Key with id {key['AccessKeyId']} cannot be found.",
    )


def test_a_user_has_at_most_two_access_keys(iam: Any, aws_error: Any) -> None:
    iam.create_user(UserName="alice")
    iam.create_access_key(UserName="alice")
    iam.create_access_key(UserName="alice")
    assert aws_error(iam.create_access_key, UserName="alice") == (
        "LimitExceeded",
        409,
        "Cannot exceed quota for AccessKeysPerUser: 2",
    )
    assert aws_error(iam.create_access_key, UserName="ghost")[:2] == ("NoSuchEntity", 404)


def test_a_key_of_another_user_is_not_found(iam: Any, aws_error: Any) -> None:
    iam.create_user(UserName="alice")
    iam.create_user(UserName="bob")
    key = iam.create_access_key(UserName="alice")["AccessKey"]
    code, status, _ = aws_error(
        iam.update_access_key, UserName="bob", AccessKeyId=key["AccessKeyId"], Status="Inactive"
    )
    assert (code, status) == ("NoSuchEntity", 404)


def test_last_used_records_the_service_and_region_the_key_signed_for(
    iam: Any, shieldwall: ServerInfo
) -> None:
    iam.create_user(UserName="alice")
    key = iam.create_access_key(UserName="alice")["AccessKey"]
    unused = iam.get_access_key_last_used(AccessKeyId=key["AccessKeyId"])
    assert unused["UserName"] == "alice"
    assert unused["AccessKeyLastUsed"] == {"ServiceName": "N/A", "Region": "N/A"}
    shieldwall.client(
        "sts",
        region_name="eu-west-1",
        aws_access_key_id=key["AccessKeyId"],
        aws_secret_access_key=key["SecretAccessKey"],
    ).get_caller_identity()
    used = iam.get_access_key_last_used(AccessKeyId=key["AccessKeyId"])["AccessKeyLastUsed"]
    assert (used["ServiceName"], used["Region"]) == ("sts", "eu-west-1")
    assert used["LastUsedDate"] is not None


def test_a_failed_signature_does_not_count_as_use(iam: Any, shieldwall: ServerInfo) -> None:
    iam.create_user(UserName="alice")
    key = iam.create_access_key(UserName="alice")["AccessKey"]
    forged = _signed_as(shieldwall, {**key, "SecretAccessKey": "wrong" * 8})
    with pytest.raises(botocore.exceptions.ClientError):
        forged.get_caller_identity()
    used = iam.get_access_key_last_used(AccessKeyId=key["AccessKeyId"])["AccessKeyLastUsed"]
    assert used == {"ServiceName": "N/A", "Region": "N/A"}


def test_the_secret_never_reaches_the_database_the_log_or_the_trail(
    iam: Any, shieldwall: ServerInfo, user_client: Callable[..., Any]
) -> None:
    iam.create_user(UserName="alice")
    key = iam.create_access_key(UserName="alice")["AccessKey"]
    secret = key["SecretAccessKey"]
    _signed_as(shieldwall, key).get_caller_identity()
    events = shieldwall.client("cloudtrail").lookup_events(
        LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": "CreateAccessKey"}]
    )["Events"]
    assert events and secret not in events[0]["CloudTrailEvent"]
    assert key["AccessKeyId"] in events[0]["CloudTrailEvent"]
    with sqlite3.connect(shieldwall.data_dir / "shieldwall.db") as conn:
        conn.execute("PRAGMA wal_checkpoint(FULL)")
    stored = b"".join(path.read_bytes() for path in shieldwall.data_dir.iterdir() if path.is_file())
    assert secret.encode() not in stored
    assert key["AccessKeyId"].encode() in stored


def test_a_user_manages_its_own_keys_only_with_permission(
    user_client: Callable[..., Any], aws_error: Any
) -> None:
    as_alice = user_client("iam", "alice")
    code, status, message = aws_error(as_alice.list_access_keys)
    assert (code, status) == ("AccessDenied", 403)
    assert "iam:ListAccessKeys on resource: arn:aws:iam::000000000000:user/alice" in message


def test_requests_signed_by_a_user_key_are_audited_as_that_iam_user(iam: Any, shieldwall: ServerInfo) -> None:
    user = iam.create_user(UserName="alice")["User"]
    key = iam.create_access_key(UserName="alice")["AccessKey"]
    _signed_as(shieldwall, key).get_caller_identity()
    events = shieldwall.client("cloudtrail").lookup_events(
        LookupAttributes=[{"AttributeKey": "Username", "AttributeValue": "alice"}]
    )["Events"]
    assert [event["EventName"] for event in events] == ["GetCallerIdentity"]
    identity = json.loads(events[0]["CloudTrailEvent"])["userIdentity"]
    assert identity == {
        "type": "IAMUser",
        "principalId": user["UserId"],
        "arn": user["Arn"],
        "accountId": "000000000000",
        "accessKeyId": key["AccessKeyId"],
        "userName": "alice",
    }
