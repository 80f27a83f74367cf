"""Validation: every problem collected into one error, in each protocol's AWS format."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from botocore_wire import wire_request

from shieldwall.errors import AwsError
from shieldwall.http import HttpRequest
from shieldwall.protocol.parser import parse_request
from shieldwall.protocol.router import route
from shieldwall.protocol.validate import validate
from shieldwall.spec.loader import service_model


def input_shape(service: str, operation: str) -> Any:
    return service_model(service).operation_model(operation).input_shape


def validation_error(service: str, operation: str, value: dict[str, Any], protocol: str) -> AwsError:
    with pytest.raises(AwsError) as caught:
        validate(input_shape(service, operation), value, protocol)
    return caught.value


def parsed_error(request: HttpRequest, signing: str | None) -> AwsError:
    with pytest.raises(AwsError) as caught:
        parse_request(route(request, signing), request, request.body)
    return caught.value


def test_json_collects_every_problem_into_one_validation_exception() -> None:
    body = json.dumps({"Plaintext": ""}).encode()
    headers = [
        ("Host", "localhost"),
        ("X-Amz-Target", "TrentService.Encrypt"),
        ("Content-Type", "application/x-amz-json-1.1"),
    ]
    error = parsed_error(HttpRequest("POST", "/", "", headers, body), "kms")
    assert (error.code, error.status) == ("ValidationException", 400)
    assert error.message == (
        "2 validation errors detected: "
        "Value null at 'keyId' failed to satisfy constraint: Member must not be null; "
        "Value at 'plaintext' failed to satisfy constraint: "
        "Member must have length greater than or equal to 1"
    )


def test_query_protocol_uses_validation_error_with_the_same_wording() -> None:
    body = b"Action=AssumeRole&Version=2011-06-15&RoleArn=arn:aws:iam::000000000000:role/r&RoleSessionName=s&DurationSeconds=60"
    request = HttpRequest(
        "POST", "/", "", [("Host", "localhost"), ("Content-Type", "application/x-www-form-urlencoded")], body
    )
    error = parsed_error(request, "sts")
    assert (error.code, error.status) == ("ValidationError", 400)
    assert error.message == (
        "2 validation errors detected: "
        "Value 's' at 'roleSessionName' failed to satisfy constraint: Member must have length greater than or equal to 2; "
        "Value '60' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900"
    )


def test_single_problem_is_worded_in_the_singular() -> None:
    error = validation_error("iam", "GetRole", {"RoleName": ""}, "query")
    assert error.message.startswith("1 validation error detected: Value '' at 'roleName'")


def test_rest_json_uses_validation_exception() -> None:
    operation = service_model("lambda").operation_model("UpdateFunctionConfiguration")
    request = wire_request(
        "lambda", operation, {"FunctionName": "fn", "MemorySize": 1, "Timeout": 0}, check=False
    )
    error = parsed_error(request, "lambda")
    assert error.code == "ValidationException"
    assert (
        "Value '1' at 'memorySize' failed to satisfy constraint: Member must have value greater than or equal to 128"
        in error.message
    )
    assert error.message.startswith("2 validation errors detected")


@pytest.mark.parametrize(
    ("service", "operation", "params", "code"),
    [
        (
            "cognito-idp",
            "ListUsers",
            {"UserPoolId": "", "Limit": 61},
            "InvalidParameterException",
        ),
        ("apigateway", "CreateRestApi", {"description": "no name"}, "BadRequestException"),
    ],
)
def test_services_with_their_own_validation_code_answer_with_it(
    service: str, operation: str, params: dict[str, Any], code: str
) -> None:
    model = service_model(service).operation_model(operation)
    request = wire_request(service, model, params, check=False)
    error = parsed_error(request, service)
    assert (error.code, error.status) == (code, 400)
    assert "validation error" in error.message


def test_nested_paths_name_list_items_as_aws_does() -> None:
    value = {
        "RoleName": "r",
        "AssumeRolePolicyDocument": "{}",
        "Tags": [{"Key": "k", "Value": "v"}, {"Key": ""}],
    }
    error = validation_error("iam", "CreateRole", value, "query")
    assert error.message == (
        "2 validation errors detected: "
        "Value '' at 'tags.2.member.key' failed to satisfy constraint: Member must have length greater than or equal to 1; "
        "Value null at 'tags.2.member.value' failed to satisfy constraint: Member must not be null"
    )


def test_problems_are_listed_in_model_order_whatever_the_input_order() -> None:
    value = {"MaxSessionDuration": 1, "AssumeRolePolicyDocument": "", "RoleName": ""}
    message = validation_error("iam", "CreateRole", value, "query").message
    assert (
        message.index("'roleName'")
        < message.index("'assumeRolePolicyDocument'")
        < message.index("'maxSessionDuration'")
    )


def test_map_key_and_value_problems_are_reported_once_for_the_map() -> None:
    value = {"KeyId": "k", "Plaintext": b"x", "EncryptionContext": {"": "v"}, "GrantTokens": [""]}
    error = validation_error("kms", "Encrypt", value, "json")
    assert "Value '' at 'grantTokens.1.member' failed to satisfy constraint" in error.message


def test_list_length_is_checked() -> None:
    value = {"KeyId": "k", "Plaintext": b"x", "GrantTokens": [f"t{index}" for index in range(11)]}
    error = validation_error("kms", "Encrypt", value, "json")
    assert (
        "at 'grantTokens' failed to satisfy constraint: Member must have length less than or equal to 10"
        in error.message
    )


def test_sensitive_values_are_not_shown() -> None:
    value = {"ClientId": "c", "Username": "", "Password": "p" * 300, "ConfirmationCode": ""}
    error = validation_error("cognito-idp", "ConfirmForgotPassword", value, "json")
    assert "Value at 'username' failed to satisfy constraint" in error.message
    assert (
        "Value at 'password' failed to satisfy constraint: Member must have length less than or equal to 256"
        in error.message
    )
    assert "Value '' at 'confirmationCode'" in error.message
    assert "ppp" not in error.message


def test_unknown_enum_values_and_pattern_mismatches_are_not_rejected() -> None:
    validate(input_shape("kms", "CreateKey"), {"KeyUsage": "BREW_COFFEE", "Description": ""}, "json")
    validate(input_shape("iam", "GetRole"), {"RoleName": "has spaces and * stars"}, "query")


@pytest.mark.parametrize(
    ("value", "constraint"),
    [
        (
            {"KeyId": 5, "Plaintext": b"x"},
            "Value '5' at 'keyId' failed to satisfy constraint: Member must be of type String",
        ),
        (
            {"KeyId": "k", "Plaintext": "text"},
            "at 'plaintext' failed to satisfy constraint: Member must be of type ByteBuffer",
        ),
        ({"KeyId": "k", "Plaintext": b"x", "DryRun": "yes"}, "Member must be of type Boolean"),
        (
            {"KeyId": "k", "Plaintext": b"x", "GrantTokens": "t"},
            "at 'grantTokens' failed to satisfy constraint: Member must be a list",
        ),
        ({"KeyId": "k", "Plaintext": b"x", "EncryptionContext": []}, "Member must be a map"),
    ],
)
def test_wrong_python_types_are_validation_problems(value: dict[str, Any], constraint: str) -> None:
    assert constraint in validation_error("kms", "Encrypt", value, "json").message


def test_timestamps_must_be_aware_datetimes() -> None:
    shape = input_shape("cloudtrail", "LookupEvents")
    validate(shape, {"StartTime": datetime(2024, 1, 1, tzinfo=UTC)}, "json")
    with pytest.raises(AwsError):
        validate(shape, {"StartTime": datetime(2024, 1, 1)}, "json")


def test_integers_outside_their_java_range_are_problems() -> None:
    with pytest.raises(AwsError):
        validate(input_shape("iam", "ListRoles"), {"MaxItems": 2**40}, "query")


# -- S3 ------------------------------------------------------------------------------------------------------


def test_s3_missing_payload_is_missing_request_body_error() -> None:
    error = validation_error("s3", "PutBucketTagging", {"Bucket": "b"}, "rest-xml")
    assert (error.code, error.message) == ("MissingRequestBodyError", "Request Body is empty")


def test_s3_problem_inside_the_body_is_malformed_xml() -> None:
    value = {"Bucket": "b", "Tagging": {"TagSet": [{"Key": "k"}]}}
    assert validation_error("s3", "PutBucketTagging", value, "rest-xml").code == "MalformedXML"


def test_s3_missing_required_header_is_invalid_request_naming_it() -> None:
    value = {"Bucket": "b", "Key": "k", "PartNumber": 1, "UploadId": "u"}
    error = validation_error("s3", "UploadPartCopy", value, "rest-xml")
    assert (error.code, error.message) == (
        "InvalidRequest",
        "Missing required header for this request: x-amz-copy-source",
    )


def test_s3_bad_argument_value_is_invalid_argument_with_its_name() -> None:
    error = validation_error("s3", "GetObject", {"Bucket": "b", "Key": ""}, "rest-xml")
    assert error.code == "InvalidArgument"
    assert error.fields == {"ArgumentName": "Key", "ArgumentValue": ""}
