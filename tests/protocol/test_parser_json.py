"""The json and rest-json parsers: typed values, AWS's SerializationException for what cannot be read."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from typing import Any

import pytest
from botocore_wire import wire_request

from shieldwall.errors import AwsError
from shieldwall.http import HttpRequest
from shieldwall.protocol.parser import parse_request
from shieldwall.protocol.router import route
from shieldwall.spec.loader import service_model


def json_request(target: str, body: bytes, content_type: str = "application/x-amz-json-1.1") -> HttpRequest:
    headers = [("Host", "localhost"), ("X-Amz-Target", target), ("Content-Type", content_type)]
    return HttpRequest("POST", "/", "", headers, body)


def parse_json(target: str, document: Any, signing: str | None = None) -> dict[str, Any]:
    request = json_request(target, json.dumps(document).encode())
    return parse_request(route(request, signing), request, request.body)


def serialization_error(target: str, body: bytes) -> AwsError:
    request = json_request(target, body)
    with pytest.raises(AwsError) as caught:
        parse_request(route(request, None), request, request.body)
    assert (caught.value.code, caught.value.status) == ("SerializationException", 400)
    return caught.value


def test_json_values_arrive_typed() -> None:
    parsed = parse_json(
        "TrentService.Encrypt",
        {
            "KeyId": "alias/k",
            "Plaintext": base64.b64encode(b"\x00secret").decode(),
            "EncryptionContext": {"purpose": "test"},
            "GrantTokens": ["t1", "t2"],
            "DryRun": True,
        },
    )
    assert parsed == {
        "KeyId": "alias/k",
        "Plaintext": b"\x00secret",
        "EncryptionContext": {"purpose": "test"},
        "GrantTokens": ["t1", "t2"],
        "DryRun": True,
    }


@pytest.mark.parametrize("value", [1714564800.5, "2024-05-01T12:00:00.5Z", "2024-05-01T14:00:00.5+02:00"])
def test_json_timestamps_accept_epoch_numbers_and_iso8601_strings(value: Any) -> None:
    target = "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents"
    parsed = parse_json(target, {"StartTime": value})
    assert parsed["StartTime"] == datetime(2024, 5, 1, 12, 0, 0, 500000, tzinfo=UTC)
    assert parsed["StartTime"].utcoffset() is not None


def test_null_and_unknown_members_are_ignored() -> None:
    parsed = parse_json("TrentService.DescribeKey", {"KeyId": "k", "GrantTokens": None, "Surprise": 1})
    assert parsed == {"KeyId": "k"}


def test_empty_body_reads_as_no_members() -> None:
    request = json_request("TrentService.ListKeys", b"")
    assert parse_request(route(request, "kms"), request, b"") == {}


@pytest.mark.parametrize(
    ("target", "document", "message"),
    [
        ("DescribeKey", {"KeyId": 5}, "NUMBER_VALUE cannot be converted to String"),
        ("DescribeKey", {"KeyId": True}, "TRUE_VALUE cannot be converted to String"),
        ("DescribeKey", {"KeyId": {"a": 1}}, "Start of structure or map found where not expected."),
        ("DescribeKey", {"KeyId": ["a"]}, "Start of list found where not expected."),
        ("DescribeKey", {"KeyId": "k", "GrantTokens": "t"}, "STRING_VALUE cannot be converted to a list"),
        ("ListGrants", {"KeyId": "k", "Limit": "5"}, "STRING_VALUE cannot be converted to Integer"),
    ],
)
def test_wrong_json_types_are_serialization_exceptions(
    target: str, document: dict[str, Any], message: str
) -> None:
    assert serialization_error(f"TrentService.{target}", json.dumps(document).encode()).message == message


@pytest.mark.parametrize(
    "value",
    [2**31, -(2**31) - 1, 1.5, True],
)
def test_integers_outside_int32_or_not_integers_are_refused(value: Any) -> None:
    serialization_error("TrentService.GenerateRandom", json.dumps({"NumberOfBytes": value}).encode())


def test_invalid_base64_blob_is_a_serialization_exception() -> None:
    serialization_error("TrentService.Decrypt", json.dumps({"CiphertextBlob": "not base64!"}).encode())


@pytest.mark.parametrize(
    "body",
    [
        b'{"KeyId": "k"',
        b'{"KeyId": "k"}}',
        b"[1, 2]",
        b'"just a string"',
        b'{"KeyId": NaN}',
        b'{"KeyId": Infinity}',
        b"\xff\xfe{}",
        '{"KeyId": "k"}'.encode("utf-16"),
        b"[" * 100_000 + b"]" * 100_000,
    ],
    ids=["truncated", "trailing", "array", "string", "nan", "infinity", "not-utf8", "utf16", "deep"],
)
def test_unreadable_json_bodies_are_serialization_exceptions(body: bytes) -> None:
    serialization_error("TrentService.DescribeKey", body)


def test_cbor_request_gets_a_clear_415() -> None:
    request = json_request("ACMPrivateCA.ListCertificateAuthorities", b"\xa0", "application/cbor")
    with pytest.raises(AwsError) as caught:
        parse_request(route(request, "acm-pca"), request, request.body)
    assert caught.value.status == 415
    assert "cbor" in caught.value.message


def test_acm_pca_parses_the_json_protocol_botocore_sends() -> None:
    operation = service_model("acm-pca").operation_model("ListCertificateAuthorities")
    request = wire_request("acm-pca", operation, {"MaxResults": 10})
    assert parse_request(route(request, "acm-pca"), request, request.body) == {"MaxResults": 10}


def test_json_protocol_refuses_a_non_json_content_type() -> None:
    request = json_request("TrentService.ListKeys", b"Action=ListKeys", "application/x-www-form-urlencoded")
    with pytest.raises(AwsError) as caught:
        parse_request(route(request, "kms"), request, request.body)
    assert caught.value.status == 415


# -- rest-json -----------------------------------------------------------------------------------------------


def rest_request(
    method: str, path: str, query: str = "", body: bytes = b"", headers: list[tuple[str, str]] | None = None
) -> HttpRequest:
    return HttpRequest(method, path, query, [("Host", "localhost"), *(headers or [])], body)


def test_rest_json_binds_uri_query_and_body_members() -> None:
    request = rest_request(
        "PUT",
        "/2015-03-31/functions/my-fn/configuration",
        body=json.dumps({"MemorySize": 256, "Environment": {"Variables": {"A": "1"}}}).encode(),
        headers=[("Content-Type", "application/json")],
    )
    parsed = parse_request(route(request, "lambda"), request, request.body)
    assert parsed == {"FunctionName": "my-fn", "MemorySize": 256, "Environment": {"Variables": {"A": "1"}}}


def test_rest_json_raw_blob_payload_is_the_body_bytes() -> None:
    request = rest_request(
        "POST",
        "/2015-03-31/functions/fn/invocations",
        query="Qualifier=live",
        body=b"\x00\x01 not json",
        headers=[("X-Amz-Invocation-Type", "Event")],
    )
    parsed = parse_request(route(request, "lambda"), request, request.body)
    assert parsed == {
        "FunctionName": "fn",
        "Qualifier": "live",
        "InvocationType": "Event",
        "Payload": b"\x00\x01 not json",
    }


def test_rest_json_querystring_integer_that_is_not_a_number_is_a_serialization_exception() -> None:
    request = rest_request("GET", "/2015-03-31/functions/", query="MaxItems=lots")
    with pytest.raises(AwsError) as caught:
        parse_request(route(request, "lambda"), request, request.body)
    assert (caught.value.code, caught.value.status) == ("SerializationException", 400)
    assert "MaxItems" in caught.value.message


def test_rest_json_body_with_a_non_json_content_type_is_refused() -> None:
    request = rest_request(
        "PUT",
        "/2015-03-31/functions/fn/configuration",
        body=b"<MemorySize>1</MemorySize>",
        headers=[("Content-Type", "application/xml")],
    )
    with pytest.raises(AwsError) as caught:
        parse_request(route(request, "lambda"), request, request.body)
    assert caught.value.status == 415


def test_rest_json_truncated_body_is_a_serialization_exception() -> None:
    request = rest_request(
        "PUT",
        "/2015-03-31/functions/fn/configuration",
        body=b'{"MemorySize": 2',
        headers=[("Content-Type", "application/json")],
    )
    with pytest.raises(AwsError) as caught:
        parse_request(route(request, "lambda"), request, request.body)
    assert caught.value.code == "SerializationException"
