"""The canonicalisation steps on their own, and the cheap scope extraction routing uses."""

from __future__ import annotations

import botocore.auth
import pytest
from sigv4_testkit import SIGNING_TIME, botocore_sign

from shieldwall.auth import sigv4
from shieldwall.auth.verifier import SigningScope, extract_scope
from shieldwall.http import HttpRequest


@pytest.mark.parametrize(
    ("query", "canonical"),
    [
        ("b=2&a=1", "a=1&b=2"),
        ("a=2&a=1", "a=1&a=2"),
        ("flag", "flag="),
        ("a=x+y", "a=x%20y"),
        ("a=x%2By", "a=x%2By"),
        ("a=%7e%2f", "a=~%2F"),
        ("k=caf\u00e9", "k=caf%C3%A9"),
        ("a=1&&b=2", "a=1&b=2"),
        ("a=%ZZ", "a=%25ZZ"),
    ],
)
def test_query_is_decoded_and_re_encoded_then_sorted(query: str, canonical: str) -> None:
    assert sigv4.canonical_query(query) == canonical


def test_presigned_signature_parameter_is_left_out() -> None:
    assert sigv4.canonical_query("X-Amz-Signature=abc&b=1", exclude="X-Amz-Signature") == "b=1"


@pytest.mark.parametrize(
    ("path", "s3", "canonical"),
    [
        ("/", False, "/"),
        ("/a%20b", False, "/a%2520b"),
        ("/a%20b", True, "/a%20b"),
        ("/a b", True, "/a%20b"),
        ("//a/./b/../c/", False, "/a/c/"),
        ("//a/./b/../c/", True, "//a/./b/../c/"),
        ("/caf\u00e9", False, "/caf%C3%A9"),
    ],
)
def test_path_is_normalised_and_encoded_once_more_except_for_s3(path: str, s3: bool, canonical: str) -> None:
    assert sigv4.canonical_uri(path, s3=s3) == canonical


def test_header_values_are_trimmed_collapsed_and_joined_in_arrival_order() -> None:
    values = sigv4.header_values([("a", "  x   y "), ("b", "1"), ("a", "z\n   w")], ["a", "b", "c"])
    assert values == {"a": ["  x   y ", "z\n   w"], "b": ["1"], "c": []}
    assert sigv4.canonical_headers(values, ["a", "b"]) == "a:x y,z w\nb:1\n"


def test_signature_comparison_tolerates_any_characters() -> None:
    assert not sigv4.signatures_equal("abc", "ab\u00e9")
    assert sigv4.signatures_equal("abc", "abc")


def test_scope_is_extracted_from_the_authorization_header() -> None:
    request = botocore_sign(
        botocore.auth.SigV4Auth, "GET", "https://example.com/", service="kms", region="eu-west-1"
    )
    assert extract_scope(request) == SigningScope(SIGNING_TIME.strftime("%Y%m%d"), "eu-west-1", "kms")


def test_scope_is_extracted_from_a_presigned_url() -> None:
    request = botocore_sign(
        botocore.auth.S3SigV4QueryAuth, "GET", "https://example.com/b/k", service="s3", expires=60
    )
    assert extract_scope(request) == SigningScope(SIGNING_TIME.strftime("%Y%m%d"), "us-east-1", "s3")


@pytest.mark.parametrize(
    "headers",
    [[], [("Authorization", "Bearer token")], [("Authorization", "AWS4-HMAC-SHA256 Credential=only/two")]],
)
def test_no_scope_when_the_request_has_no_sigv4_auth(headers: list[tuple[str, str]]) -> None:
    assert extract_scope(HttpRequest("GET", "/", "", headers, b"")) is None
