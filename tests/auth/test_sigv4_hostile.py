"""Hostile input: whatever a client sends, verify() answers an AWS error or a verified request, never a crash."""

from __future__ import annotations

import botocore.auth
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sigv4_testkit import SIGNING_TIME, botocore_sign, replace, resolver, with_header

from shieldwall.auth import sigv4
from shieldwall.auth.verifier import extract_scope, verify
from shieldwall.errors import AwsError
from shieldwall.http import HttpRequest

TEXT = st.text(st.characters(codec="utf-8", exclude_categories=()), max_size=60) | st.sampled_from(
    ["", " ", "\ud800", "%", "%zz", "AWS4-HMAC-SHA256", "Credential=a/b/c/d/e", "=", ",,,", "host;;", "\x00"]
)
FIELDS = [
    "Authorization",
    "X-Amz-Date",
    "Date",
    "X-Amz-Security-Token",
    "X-Amz-Content-SHA256",
    "Host",
    "X-Custom",
]
BASE = botocore_sign(
    botocore.auth.S3SigV4Auth, "PUT", "https://example.com/bucket/key", service="s3", body=b"x"
)
FAMILIES = ["query", "json", "rest-json", "rest-xml"]
HOSTILE = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _survives(request: HttpRequest, family: str) -> None:
    extract_scope(request)
    try:
        verify(
            request,
            resolver(),
            family=family,
            skew_now=SIGNING_TIME,
            service_now=SIGNING_TIME,
            s3=family == "rest-xml",
        )
    except AwsError as error:
        assert 400 <= error.status < 600
        assert error.code and error.message


@HOSTILE
@given(field=st.sampled_from(FIELDS), value=TEXT, family=st.sampled_from(FAMILIES))
def test_any_header_value_is_an_aws_error_or_accepted(field: str, value: str, family: str) -> None:
    _survives(with_header(BASE, field, value), family)


@HOSTILE
@given(authorization=TEXT, family=st.sampled_from(FAMILIES))
def test_any_authorization_suffix_is_an_aws_error(authorization: str, family: str) -> None:
    _survives(with_header(BASE, "Authorization", "AWS4-HMAC-SHA256 " + authorization), family)


@HOSTILE
@given(path=TEXT, query=TEXT, family=st.sampled_from(FAMILIES))
def test_any_path_and_query_is_an_aws_error_or_accepted(path: str, query: str, family: str) -> None:
    _survives(replace(BASE, raw_path="/" + path, query_string=query), family)


@HOSTILE
@given(
    query=st.lists(
        st.tuples(
            st.sampled_from(
                [
                    "X-Amz-Algorithm",
                    "X-Amz-Credential",
                    "X-Amz-Date",
                    "X-Amz-Expires",
                    "X-Amz-SignedHeaders",
                    "X-Amz-Signature",
                    "X-Amz-Security-Token",
                ]
            ),
            TEXT,
        ),
        max_size=7,
    )
)
def test_any_presigned_parameters_are_an_aws_error(query: list[tuple[str, str]]) -> None:
    from urllib.parse import quote

    query_string = "&".join(f"{name}={quote(sigv4.utf8(value))}" for name, value in query)
    request = HttpRequest("GET", "/bucket/key", query_string, [("Host", "example.com")], b"")
    for family in FAMILIES:
        _survives(request, family)


@HOSTILE
@given(
    body=st.binary(max_size=300),
    mode=st.sampled_from(
        [sigv4.STREAMING_SIGNED, sigv4.STREAMING_UNSIGNED_TRAILER, sigv4.STREAMING_SIGNED_TRAILER]
    ),
    length=st.sampled_from(["0", "3", "x", "", "99999999999999999999999"]),
)
def test_any_aws_chunked_body_is_an_aws_error_or_accepted(body: bytes, mode: str, length: str) -> None:
    request = botocore_sign(
        botocore.auth.SigV4Auth,
        "PUT",
        "https://example.com/bucket/key",
        service="s3",
        headers={
            "X-Amz-Content-SHA256": mode,
            "X-Amz-Decoded-Content-Length": length,
            "X-Amz-Trailer": "x-amz-checksum-crc32",
        },
    )
    _survives(replace(request, body=body), "rest-xml")


def test_a_well_formed_unsigned_trailer_body_passes_the_hostile_harness() -> None:
    headers = {
        "X-Amz-Content-SHA256": sigv4.STREAMING_UNSIGNED_TRAILER,
        "X-Amz-Decoded-Content-Length": "3",
        "X-Amz-Trailer": "x-amz-checksum-crc32",
    }
    request = botocore_sign(
        botocore.auth.SigV4Auth, "PUT", "https://example.com/bucket/key", service="s3", headers=headers
    )
    body = b"3\r\nabc\r\n0\r\nx-amz-checksum-crc32:NSRBwg==\r\n\r\n"
    verified = verify(
        replace(request, body=body),
        resolver(),
        family="rest-xml",
        skew_now=SIGNING_TIME,
        service_now=SIGNING_TIME,
        s3=True,
    )
    assert verified.body == b"abc"
