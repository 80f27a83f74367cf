from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest

from shieldwall.audit.events import build_event, is_read_only, source_of
from shieldwall.audit.redact import HIDDEN
from shieldwall.spec.loader import operation_model, service_model

WHEN = datetime(2024, 3, 4, 5, 6, 7, 890000, tzinfo=UTC)
ROOT = {
    "type": "Root",
    "principalId": "123456789012",
    "arn": "arn:aws:iam::123456789012:root",
    "accountId": "123456789012",
    "accessKeyId": "AKIAROOTEXAMPLE",
}


def event_for(service: str, operation: str, **overrides: Any) -> dict[str, Any]:
    arguments: dict[str, Any] = {
        "event_time": WHEN,
        "event_source": source_of(service_model(service)),
        "event_name": operation,
        "aws_region": "us-east-1",
        "source_ip": "127.0.0.1",
        "user_agent": "Boto3/1.35.0",
        "user_identity": ROOT,
        "operation": operation_model(service, operation),
        "request_id": "req-1",
        "recipient_account_id": "123456789012",
    }
    arguments.update(overrides)
    return build_event(**arguments)


def test_event_has_cloudtrail_fields_in_cloudtrail_order() -> None:
    event = event_for(
        "iam",
        "CreateUser",
        request={"UserName": "bob"},
        response={"User": {"UserName": "bob", "Arn": "arn:aws:iam::123456789012:user/bob"}},
        resources=[
            {
                "ARN": "arn:aws:iam::123456789012:user/bob",
                "accountId": "123456789012",
                "type": "AWS::IAM::User",
            }
        ],
    )
    assert list(event) == [
        "eventVersion",
        "userIdentity",
        "eventTime",
        "eventSource",
        "eventName",
        "awsRegion",
        "sourceIPAddress",
        "userAgent",
        "requestParameters",
        "responseElements",
        "requestID",
        "eventID",
        "readOnly",
        "resources",
        "eventType",
        "managementEvent",
        "recipientAccountId",
        "eventCategory",
    ]
    assert event["eventVersion"] == "1.08"
    assert event["eventTime"] == "2024-03-04T05:06:07Z"
    assert event["eventSource"] == "iam.amazonaws.com"
    assert event["eventType"] == "AwsApiCall"
    assert event["managementEvent"] is True
    assert event["eventCategory"] == "Management"
    assert event["readOnly"] is False
    assert event["requestParameters"] == {"userName": "bob"}
    assert event["responseElements"] == {
        "user": {"userName": "bob", "arn": "arn:aws:iam::123456789012:user/bob"}
    }
    assert event["resources"][0]["type"] == "AWS::IAM::User"
    uuid.UUID(event["eventID"])
    json.dumps(event)


def test_every_event_gets_a_fresh_id() -> None:
    assert (
        event_for("sts", "GetCallerIdentity")["eventID"] != event_for("sts", "GetCallerIdentity")["eventID"]
    )


@pytest.mark.parametrize(
    ("name", "source", "read_only"),
    [
        ("GetSecretValue", "secretsmanager.amazonaws.com", True),
        ("ListUsers", "iam.amazonaws.com", True),
        ("DescribeKey", "kms.amazonaws.com", True),
        ("LookupEvents", "cloudtrail.amazonaws.com", True),
        ("HeadObject", "s3.amazonaws.com", True),
        ("CreateKey", "kms.amazonaws.com", False),
        ("PutSecretValue", "secretsmanager.amazonaws.com", False),
        # KMS's cryptographic operations are read-only in CloudTrail, whatever their names say
        ("Encrypt", "kms.amazonaws.com", True),
        ("Decrypt", "kms.amazonaws.com", True),
        ("GenerateDataKey", "kms.amazonaws.com", True),
        ("ReEncrypt", "kms.amazonaws.com", True),
        ("Sign", "kms.amazonaws.com", True),
        ("ScheduleKeyDeletion", "kms.amazonaws.com", False),
        ("Decrypt", "", False),
    ],
)
def test_read_only_follows_the_operation_name_and_its_service(
    name: str, source: str, read_only: bool
) -> None:
    assert is_read_only(name, source) is read_only


def test_a_kms_cryptographic_call_records_no_response_and_its_key_material_apart() -> None:
    material = "ab" * 32
    event = event_for(
        "kms",
        "Decrypt",
        request={"CiphertextBlob": b"blob", "EncryptionContext": {"case": "x"}},
        response={
            "KeyId": "arn:aws:kms:us-east-1:123456789012:key/k",
            "Plaintext": b"p",
            "KeyMaterialId": material,
        },
    )
    assert event["readOnly"] is True
    assert event["responseElements"] is None
    assert event["additionalEventData"] == {"keyMaterialId": material}
    assert list(event).index("additionalEventData") == list(event).index("responseElements") + 1


def test_read_only_can_be_given_explicitly() -> None:
    assert event_for("kms", "Decrypt", read_only=True)["readOnly"] is True


def test_read_only_call_records_no_response_elements() -> None:
    event = event_for(
        "secretsmanager",
        "GetSecretValue",
        request={"SecretId": "db"},
        response={"Name": "db", "SecretString": "s3cr3t"},
    )
    assert event["requestParameters"] == {"secretId": "db"}
    assert event["responseElements"] is None
    assert "s3cr3t" not in json.dumps(event)


def test_failed_call_records_its_error_and_no_response() -> None:
    event = event_for(
        "kms",
        "CreateAlias",
        request={"AliasName": "alias/x", "TargetKeyId": "k"},
        response={},
        error_code="AlreadyExistsException",
        error_message="An alias with the name alias/x already exists",
    )
    assert event["errorCode"] == "AlreadyExistsException"
    assert event["errorMessage"] == "An alias with the name alias/x already exists"
    assert event["responseElements"] is None
    assert list(event).index("errorCode") == list(event).index("userAgent") + 1


def test_secrets_are_redacted_in_the_event() -> None:
    event = event_for("kms", "Encrypt", request={"KeyId": "k", "Plaintext": b"top secret"}, read_only=False)
    event_json = json.dumps(event)
    assert "top secret" not in event_json
    assert "dG9wIHNlY3JldA" not in event_json


def test_sts_response_credentials_are_redacted_in_the_event() -> None:
    response = {
        "Credentials": {
            "AccessKeyId": "ASIA1",
            "SecretAccessKey": "sk",
            "SessionToken": "tok",
            "Expiration": WHEN,
        }
    }
    event = event_for(
        "sts",
        "AssumeRole",
        request={"RoleArn": "arn:aws:iam::1:role/r", "RoleSessionName": "s"},
        response=response,
    )
    assert event["responseElements"]["credentials"]["secretAccessKey"] == HIDDEN
    assert event["responseElements"]["credentials"]["sessionToken"] == HIDDEN


def test_authorization_decision_is_recorded_as_an_extension() -> None:
    event = event_for(
        "sts", "GetCallerIdentity", decision="Allow", decision_reason="root user", explanation_id="exp-123"
    )
    assert event["shieldwall"] == {"decision": "Allow", "reason": "root user", "explanationId": "exp-123"}
    assert "shieldwall" not in event_for("sts", "GetCallerIdentity")


def test_resources_keep_only_cloudtrail_fields() -> None:
    event = event_for(
        "kms",
        "CreateKey",
        resources=[{"ARN": "arn:aws:kms:us-east-1:1:key/k", "type": "AWS::KMS::Key", "extra": "x"}],
    )
    assert event["resources"] == [{"ARN": "arn:aws:kms:us-east-1:1:key/k", "type": "AWS::KMS::Key"}]


def test_event_source_comes_from_the_endpoint_prefix() -> None:
    assert source_of(service_model("cognito-idp")) == "cognito-idp.amazonaws.com"
    assert source_of(service_model("s3")) == "s3.amazonaws.com"
