"""The rest-xml parser (S3): headers, sub-resources and XML bodies, and S3's own error codes."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from shieldwall.errors import AwsError
from shieldwall.http import HttpRequest
from shieldwall.protocol.parser import parse_request
from shieldwall.protocol.router import route

S3_NS = 'xmlns="http://s3.amazonaws.com/doc/2006-03-01/"'


def s3_request(
    method: str,
    path: str,
    query: str = "",
    body: bytes = b"",
    headers: list[tuple[str, str]] | None = None,
    host: str = "localhost:4566",
) -> HttpRequest:
    return HttpRequest(method, path, query, [("Host", host), *(headers or [])], body)


def parse(request: HttpRequest, body: bytes | None = None) -> dict[str, Any]:
    return parse_request(route(request, "s3"), request, request.body if body is None else body)


def s3_error(request: HttpRequest) -> AwsError:
    with pytest.raises(AwsError) as caught:
        parse(request)
    return caught.value


def test_put_object_binds_headers_metadata_and_raw_body() -> None:
    request = s3_request(
        "PUT",
        "/bucket/photos/cat.jpg",
        body=b"\xff\xd8 jpeg bytes",
        headers=[
            ("Content-Type", "image/jpeg"),
            ("x-amz-meta-Owner", "alice"),
            ("x-amz-meta-camera", "x100"),
            ("Expires", "Wed, 21 Oct 2015 07:28:00 GMT"),
            ("x-amz-server-side-encryption", "aws:kms"),
            ("x-amz-server-side-encryption-bucket-key-enabled", "true"),
        ],
    )
    assert parse(request) == {
        "Bucket": "bucket",
        "Key": "photos/cat.jpg",
        "Body": b"\xff\xd8 jpeg bytes",
        "ContentType": "image/jpeg",
        "Metadata": {"owner": "alice", "camera": "x100"},
        "Expires": datetime(2015, 10, 21, 7, 28, tzinfo=UTC),
        "ServerSideEncryption": "aws:kms",
        "BucketKeyEnabled": True,
    }


def test_aws_chunked_is_dropped_from_content_encoding_and_the_decoded_body_is_used() -> None:
    request = s3_request(
        "PUT",
        "/bucket/k",
        body=b"5;chunk-signature=abc\r\nhello\r\n0;chunk-signature=def\r\n\r\n",
        headers=[
            ("Content-Encoding", "aws-chunked,gzip"),
            ("x-amz-content-sha256", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"),
            ("x-amz-decoded-content-length", "5"),
        ],
    )
    parsed = parse(request, body=b"hello")
    assert parsed["Body"] == b"hello"
    assert parsed["ContentEncoding"] == "gzip"
    only_chunked = s3_request("PUT", "/bucket/k", body=b"x", headers=[("Content-Encoding", "aws-chunked")])
    assert "ContentEncoding" not in parse(only_chunked)


def test_namespaced_acl_body_reads_grantee_type_attribute() -> None:
    body = (
        f"<AccessControlPolicy {S3_NS}><Owner><ID>owner</ID></Owner><AccessControlList><Grant>"
        '<Grantee xmlns:x="http://www.w3.org/2001/XMLSchema-instance" x:type="CanonicalUser"><ID>abc</ID></Grantee>'
        "<Permission>READ</Permission></Grant></AccessControlList></AccessControlPolicy>"
    ).encode()
    parsed = parse(s3_request("PUT", "/bucket", "acl", body))
    assert parsed["AccessControlPolicy"] == {
        "Owner": {"ID": "owner"},
        "Grants": [{"Grantee": {"Type": "CanonicalUser", "ID": "abc"}, "Permission": "READ"}],
    }


def test_flattened_list_elements_repeat_as_siblings() -> None:
    body = b"<Delete><Object><Key>a</Key></Object><Object><Key>b</Key><VersionId>v</VersionId></Object><Quiet>true</Quiet></Delete>"
    parsed = parse(s3_request("POST", "/bucket", "delete", body))
    assert parsed["Delete"] == {"Objects": [{"Key": "a"}, {"Key": "b", "VersionId": "v"}], "Quiet": True}


def test_xml_text_keeps_its_whitespace_for_strings_and_trims_it_for_numbers() -> None:
    body = (
        b"<LifecycleConfiguration><Rule><ID> spaced id </ID><Status>Enabled</Status><Filter><Prefix></Prefix></Filter>"
        b"<Expiration><Days>\n  30\n</Days></Expiration></Rule></LifecycleConfiguration>"
    )
    parsed = parse(s3_request("PUT", "/bucket", "lifecycle", body))
    rule = parsed["LifecycleConfiguration"]["Rules"][0]
    assert rule["ID"] == " spaced id "
    assert rule["Expiration"] == {"Days": 30}
    assert rule["Filter"] == {"Prefix": ""}


def test_write_get_object_response_reads_its_host_label() -> None:
    request = s3_request(
        "POST",
        "/WriteGetObjectResponse",
        body=b"transformed",
        headers=[("x-amz-request-route", "route-1"), ("x-amz-request-token", "token")],
        host="route-1.s3-object-lambda.us-east-1.amazonaws.com",
    )
    parsed = parse(request)
    assert parsed["RequestRoute"] == "route-1"
    assert parsed["Body"] == b"transformed"


def test_unreadable_query_integer_is_invalid_argument_naming_the_argument() -> None:
    error = s3_error(s3_request("GET", "/bucket", "max-keys=lots"))
    assert (error.code, error.status) == ("InvalidArgument", 400)
    assert error.message == "Provided max-keys not an integer or within integer range"
    assert error.fields == {"ArgumentName": "max-keys", "ArgumentValue": "lots"}


def test_unreadable_header_date_is_invalid_argument() -> None:
    error = s3_error(s3_request("GET", "/bucket/k", headers=[("If-Modified-Since", "yesterday-ish")]))
    assert error.code == "InvalidArgument"
    assert error.fields["ArgumentName"] == "if-modified-since"


@pytest.mark.parametrize(
    "body",
    [
        b"<Tagging><TagSet><Tag><Key>a</Key><Value>b</Value></Tag></TagSet>",
        b"<Tagging><TagSet><Tag><Key>a</Key><Value>b</Value></Tag></TagSet></Tagging><Extra/>",
        b"<NotTagging><TagSet/></NotTagging>",
        b"not xml at all",
        b"<Tagging><TagSet><Tag><Key>\xff\xfe</Key><Value>b</Value></Tag></TagSet></Tagging>",
        b'<?xml version="1.0"?><!DOCTYPE Tagging><Tagging><TagSet/></Tagging>',
        b'<?xml version="1.0"?><!DOCTYPE t [<!ENTITY x SYSTEM "file:///etc/passwd">]><Tagging><TagSet><Tag>'
        b"<Key>&x;</Key><Value>v</Value></Tag></TagSet></Tagging>",
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;">'
        b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;">]><Tagging><TagSet><Tag><Key>&lol3;</Key><Value>v</Value>'
        b"</Tag></TagSet></Tagging>",
        b'<Tagging><TagSet><Tag><Key a="1" a="2">k</Key></Tag></TagSet></Tagging>',
        b"<Tagging><TagSet><Tag><Key><Nested>k</Nested></Key><Value>v</Value></Tag></TagSet></Tagging>",
    ],
    ids=[
        "truncated",
        "two-roots",
        "wrong-root",
        "not-xml",
        "not-utf8",
        "doctype",
        "external-entity",
        "billion-laughs",
        "duplicate-attribute",
        "element-for-a-string",
    ],
)
def test_bodies_s3_cannot_read_are_malformed_xml(body: bytes) -> None:
    error = s3_error(s3_request("PUT", "/bucket", "tagging", body))
    assert (error.code, error.status) == ("MalformedXML", 400)


def test_malformed_number_inside_the_xml_is_malformed_xml() -> None:
    body = b"<LifecycleConfiguration><Rule><Status>Enabled</Status><Expiration><Days>thirty</Days></Expiration></Rule></LifecycleConfiguration>"
    assert s3_error(s3_request("PUT", "/bucket", "lifecycle", body)).code == "MalformedXML"


def test_missing_required_body_is_missing_request_body_error() -> None:
    error = s3_error(s3_request("PUT", "/bucket", "tagging"))
    assert (error.code, error.status, error.message) == (
        "MissingRequestBodyError",
        400,
        "Request Body is empty",
    )


def test_missing_required_member_inside_the_body_is_malformed_xml() -> None:
    body = b"<Tagging><TagSet><Tag><Key>only-a-key</Key></Tag></TagSet></Tagging>"
    assert s3_error(s3_request("PUT", "/bucket", "tagging", body)).code == "MalformedXML"


def test_body_shorter_than_its_content_length_is_incomplete_body() -> None:
    request = s3_request("PUT", "/bucket/k", body=b"short", headers=[("Content-Length", "100")])
    error = s3_error(request)
    assert (error.code, error.status) == ("IncompleteBody", 400)


def test_oversize_header_section_is_refused() -> None:
    request = s3_request("GET", "/bucket/k", headers=[("x-amz-meta-big", "x" * 9000)])
    error = s3_error(request)
    assert (error.code, error.status) == ("RequestHeaderSectionTooLarge", 400)


def test_query_string_that_is_not_utf8_is_invalid_argument() -> None:
    assert s3_error(s3_request("GET", "/bucket", "prefix=%ff")).code == "InvalidArgument"


def test_header_lists_split_on_commas_outside_quotes() -> None:
    request = s3_request(
        "GET",
        "/bucket/k",
        "attributes",
        headers=[("x-amz-object-attributes", 'ETag, "Object,Size" ,Checksum')],
    )
    assert parse(request)["ObjectAttributes"] == ["ETag", "Object,Size", "Checksum"]
