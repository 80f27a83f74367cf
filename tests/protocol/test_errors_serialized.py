"""Errors as clients read them: botocore's parser must find AWS's code and message, the modelled fields, and
map the code to the service's modelled exception class, for every error shape of every service."""

from __future__ import annotations

import functools
from typing import Any

import botocore.model
import botocore.session
import pytest
from serializer_support import ValueGenerator, parse_error_with_botocore

from shieldwall.errors import AwsError
from shieldwall.protocol.serializer import protocol_of, serialize_error
from shieldwall.spec.loader import SERVICES, service_model

REQUEST_ID = "0f8fad5b-d9cb-469f-a165-70867728950e"
MESSAGE = 'the `thing` <is> "wrong" & résumé'
PROBE_OPERATIONS = {"s3": "GetObject", "lambda": "GetFunction", "apigateway": "GetRestApi"}


def _error_cases() -> list[Any]:
    return [
        pytest.param(service, shape.name, id=f"{service}.{shape.name}")
        for service in SERVICES
        for shape in service_model(service).error_shapes
    ]


@functools.cache
def _client_exceptions(service: str) -> Any:
    session = botocore.session.get_session()
    client = session.create_client(
        service, region_name="us-east-1", aws_access_key_id="test", aws_secret_access_key="test"
    )
    return client.exceptions


def _probe_operation(service: str) -> botocore.model.OperationModel:
    model = service_model(service)
    return model.operation_model(PROBE_OPERATIONS.get(service, model.operation_names[0]))


def _error_status(shape: botocore.model.Shape) -> int:
    status: int = shape.metadata.get("error", {}).get("httpStatusCode", 400)
    return status


def _modelled_view(parsed: dict[str, Any]) -> dict[str, Any]:
    return {
        name: value
        for name, value in parsed.items()
        if name not in ("Error", "ResponseMetadata") and name.lower() != "message"
    }


@pytest.mark.parametrize(("service", "shape_name"), _error_cases())
def test_modelled_error_reaches_the_client_as_its_exception_class(service: str, shape_name: str) -> None:
    model = service_model(service)
    protocol = protocol_of(model)
    shape = model.shape_for(shape_name)
    operation = _probe_operation(service)
    fields = ValueGenerator(protocol, service, f"{service}.{shape_name}", fill=1.0).error_fields(
        operation, shape
    )
    error = AwsError(shape.error_code, MESSAGE, _error_status(shape), fields=fields)

    response = serialize_error(protocol, operation, error, REQUEST_ID)
    parsed = parse_error_with_botocore(protocol, response, operation)

    assert response.status == _error_status(shape)
    assert parsed["Error"]["Code"] == shape.error_code
    assert parsed["Error"]["Message"] == MESSAGE
    assert parsed["ResponseMetadata"]["RequestId"] == REQUEST_ID
    assert _modelled_view(parsed) == fields
    exception_class = _client_exceptions(service).from_code(parsed["Error"]["Code"])
    assert exception_class is getattr(_client_exceptions(service), shape_name)


@pytest.mark.parametrize("service", list(SERVICES))
def test_unmodelled_error_keeps_its_code_and_message(service: str) -> None:
    model = service_model(service)
    protocol = protocol_of(model)
    operation = _probe_operation(service)
    error = AwsError(
        "SignatureDoesNotMatch",
        "The request signature we calculated does not match the signature you provided.",
        403,
    )

    parsed = parse_error_with_botocore(
        protocol, serialize_error(protocol, operation, error, REQUEST_ID), operation
    )

    assert parsed["Error"]["Code"] == "SignatureDoesNotMatch"
    assert parsed["Error"]["Message"] == error.message
    assert parsed["ResponseMetadata"]["RequestId"] == REQUEST_ID
    assert _client_exceptions(service).from_code("SignatureDoesNotMatch").__name__ == "ClientError"


@pytest.mark.parametrize("service", ["iam", "kms", "lambda", "s3"])
def test_error_before_routing_is_readable_from_the_protocol_alone(service: str) -> None:
    protocol = protocol_of(service_model(service))
    error = AwsError("InvalidClientTokenId", "The security token included in the request is invalid.", 403)

    response = serialize_error(protocol, None, error, REQUEST_ID)
    parsed = parse_error_with_botocore(protocol, response, _probe_operation(service))

    assert response.status == 403
    assert parsed["Error"]["Code"] == "InvalidClientTokenId"
    assert parsed["Error"]["Message"] == error.message


def test_query_error_says_whose_fault_it_is() -> None:
    operation = _probe_operation("sts")
    sender = AwsError("ExpiredToken", "The security token included in the request is expired", 400)
    receiver = AwsError(
        "InternalFailure", "We encountered an internal error. Please try again.", 500, sender=False
    )

    parsed_sender = parse_error_with_botocore(
        "query", serialize_error("query", operation, sender, "r"), operation
    )
    parsed_receiver = parse_error_with_botocore(
        "query", serialize_error("query", operation, receiver, "r"), operation
    )

    assert parsed_sender["Error"]["Type"] == "Sender"
    assert parsed_receiver["Error"]["Type"] == "Receiver"


def test_iam_error_raised_by_shape_name_travels_as_its_wire_code() -> None:
    operation = service_model("iam").operation_model("GetRole")
    error = AwsError("NoSuchEntityException", "The role with name x cannot be found.", 404)

    parsed = parse_error_with_botocore("query", serialize_error("query", operation, error, "r"), operation)

    assert parsed["Error"]["Code"] == "NoSuchEntity"
    assert (
        _client_exceptions("iam").from_code("NoSuchEntity") is _client_exceptions("iam").NoSuchEntityException
    )


def test_s3_head_error_has_a_status_and_no_body() -> None:
    operation = service_model("s3").operation_model("HeadObject")
    error = AwsError("NoSuchKey", "The specified key does not exist.", 404, fields={"Key": "a.txt"})

    response = serialize_error("rest-xml", operation, error, "4442587FB7D0A2F9")
    parsed = parse_error_with_botocore("rest-xml", response, operation)

    assert response.body == b""
    assert parsed["Error"] == {"Code": "404", "Message": "Not Found"}
    assert parsed["ResponseMetadata"]["RequestId"] == "4442587FB7D0A2F9"


def test_s3_error_details_are_elements_of_the_error() -> None:
    operation = service_model("s3").operation_model("GetObject")
    error = AwsError("NoSuchKey", "The specified key does not exist.", 404, fields={"Key": "a&b.txt"})

    response = serialize_error("rest-xml", operation, error, "4442587FB7D0A2F9")
    parsed = parse_error_with_botocore("rest-xml", response, operation)

    assert response.body.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>NoSuchKey</Code>')
    assert parsed["Error"]["Key"] == "a&b.txt"
    assert parsed["ResponseMetadata"]["HostId"] == response.header("x-amz-id-2")


@pytest.mark.parametrize("protocol", ["json", "rest-json", "query", "rest-xml"])
def test_error_headers_are_sent(protocol: str) -> None:
    error = AwsError("ThrottlingException", "Rate exceeded", 400, headers=[("Retry-After", "2")])

    response = serialize_error(protocol, None, error, "r")

    assert response.header("Retry-After") == "2"
    assert response.header("Content-Type") is not None


def test_json_error_names_its_type_in_body_and_header() -> None:
    operation = service_model("kms").operation_model("DescribeKey")
    error = AwsError(
        "NotFoundException", "Key 'arn:aws:kms:us-east-1:000000000000:key/x' does not exist", 400
    )

    response = serialize_error("json", operation, error, "r")

    assert response.header("x-amzn-ErrorType") == "NotFoundException"
    assert response.header("Content-Type") == "application/x-amz-json-1.1"
    assert response.body.startswith(b'{"__type":"NotFoundException","message":"Key ')


def test_json_error_uses_the_message_key_of_its_shape() -> None:
    operation = service_model("secretsmanager").operation_model("GetSecretValue")
    error = AwsError("ResourceNotFoundException", "Secrets Manager can't find the specified secret.", 400)

    response = serialize_error("json", operation, error, "r")

    assert b'"Message":"Secrets Manager' in response.body
    assert b'"message"' not in response.body


def test_rest_json_error_sends_header_members_as_headers() -> None:
    operation = service_model("lambda").operation_model("Invoke")
    error = AwsError(
        "TooManyRequestsException",
        "Rate Exceeded.",
        429,
        fields={
            "Type": "User",
            "Reason": "ReservedFunctionConcurrentInvocationLimitExceeded",
            "retryAfterSeconds": "1",
        },
    )

    response = serialize_error("rest-json", operation, error, "r")

    assert response.header("Retry-After") == "1"
    assert response.header("x-amzn-ErrorType") == "TooManyRequestsException"
    assert b"retryAfterSeconds" not in response.body
