"""The bytes on the wire where botocore's parser is lenient: element and root names, namespaces, status codes,
content types, header formats, escaping, and what happens to values the model does not know."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime
from typing import Any
from xml.etree import ElementTree

import pytest

from shieldwall.errors import AwsError
from shieldwall.http import HttpResponse
from shieldwall.protocol.serializer import serialize_response
from shieldwall.spec.loader import operation_model

S3_NS = "http://s3.amazonaws.com/doc/2006-03-01/"
IAM_NS = "https://iam.amazonaws.com/doc/2010-05-08/"
WHEN = datetime(2024, 5, 17, 9, 30, 5, 250000, tzinfo=UTC)


def respond(service: str, operation: str, output: dict[str, Any], request_id: str = "req-1") -> HttpResponse:
    return serialize_response(operation_model(service, operation), output, request_id)


def test_query_response_is_wrapped_in_operation_response_and_result() -> None:
    response = respond("iam", "ListUsers", {"Users": [{"UserName": "alice"}], "IsTruncated": False})

    assert response.body.startswith(f'<ListUsersResponse xmlns="{IAM_NS}"><ListUsersResult>'.encode())
    assert b"<Users><member><UserName>alice</UserName></member></Users>" in response.body
    assert response.body.endswith(
        b"</ListUsersResult><ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata></ListUsersResponse>"
    )
    assert response.header("Content-Type") == "text/xml"
    assert response.header("x-amzn-RequestId") == "req-1"


def test_query_operation_without_output_still_reports_its_request_id() -> None:
    response = respond("iam", "DeleteUser", {})

    assert response.status == 200
    assert (
        response.body
        == (
            f'<DeleteUserResponse xmlns="{IAM_NS}"><ResponseMetadata><RequestId>req-1</RequestId>'
            "</ResponseMetadata></DeleteUserResponse>"
        ).encode()
    )


def test_query_timestamps_are_iso8601_with_milliseconds_only_when_present() -> None:
    whole = WHEN.replace(microsecond=0)
    response = respond("sts", "GetSessionToken", {"Credentials": _credentials(WHEN)})
    whole_response = respond("sts", "GetSessionToken", {"Credentials": _credentials(whole)})

    assert b"<Expiration>2024-05-17T09:30:05.250Z</Expiration>" in response.body
    assert b"<Expiration>2024-05-17T09:30:05Z</Expiration>" in whole_response.body


def _credentials(expiration: datetime) -> dict[str, Any]:
    return {"AccessKeyId": "ASIA", "SecretAccessKey": "s", "SessionToken": "t", "Expiration": expiration}


def test_iam_policy_documents_are_url_encoded() -> None:
    document = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}'
    role = {
        "RoleName": "r",
        "Path": "/",
        "RoleId": "AROA",
        "Arn": "arn:aws:iam::1:role/r",
        "CreateDate": WHEN,
    }

    response = respond("iam", "GetRole", {"Role": {**role, "AssumeRolePolicyDocument": document}})

    assert b"<AssumeRolePolicyDocument>%7B%22Version%22%3A%222012-10-17%22%2C" in response.body


def test_json_response_carries_the_json_version_content_type() -> None:
    kms = respond("kms", "ListKeys", {"Keys": [{"KeyId": "k"}], "Truncated": False})
    pca = respond("acm-pca", "ListCertificateAuthorities", {"CertificateAuthorities": []})

    assert kms.header("Content-Type") == "application/x-amz-json-1.1"
    assert pca.header("Content-Type") == "application/x-amz-json-1.1"
    assert kms.body == b'{"Keys":[{"KeyId":"k"}],"Truncated":false}'
    assert pca.body == b'{"CertificateAuthorities":[]}'


def test_json_timestamps_are_epoch_seconds() -> None:
    metadata = {"KeyId": "k", "CreationDate": WHEN, "DeletionDate": WHEN.replace(microsecond=0)}

    response = respond("kms", "DescribeKey", {"KeyMetadata": metadata})
    sent = json.loads(response.body)["KeyMetadata"]

    assert b'"CreationDate":1715938205.25' in response.body
    assert (sent["DeletionDate"], type(sent["DeletionDate"])) == (1715938205, int)


def test_json_blobs_are_base64() -> None:
    response = respond("kms", "GenerateRandom", {"Plaintext": b"\x00\xffhi"})

    assert response.body == b'{"Plaintext":"AP9oaQ=="}'


def test_members_the_model_does_not_know_never_reach_the_client() -> None:
    response = respond("kms", "CreateAlias", {"InternalNote": "secret"})
    nested = respond("kms", "ListKeys", {"Keys": [{"KeyId": "k", "Material": b"key"}], "NextMarker": None})

    assert response.body == b"{}"
    assert nested.body == b'{"Keys":[{"KeyId":"k"}]}'


def test_rest_json_success_status_comes_from_the_model() -> None:
    created = respond("apigateway", "CreateRestApi", {"id": "abc", "name": "api"})
    accepted = respond("apigateway", "DeleteRestApi", {})
    tagged = respond("lambda", "TagResource", {})

    assert created.status == 201
    assert accepted.status == 202
    assert (tagged.status, tagged.body) == (204, b"")


def test_lambda_invoke_sends_the_function_payload_raw_with_its_status_and_headers() -> None:
    output = {
        "StatusCode": 202,
        "FunctionError": "Unhandled",
        "ExecutedVersion": "$LATEST",
        "Payload": b'{"a":1}',
    }

    response = respond("lambda", "Invoke", output)

    assert response.status == 202
    assert response.body == b'{"a":1}'
    assert response.header("X-Amz-Function-Error") == "Unhandled"
    assert response.header("X-Amz-Executed-Version") == "$LATEST"
    assert response.header("x-amzn-RequestId") == "req-1"


def test_s3_list_objects_v2_is_a_list_bucket_result_with_flattened_contents() -> None:
    output = {"Name": "b", "KeyCount": 2, "Contents": [{"Key": "a", "LastModified": WHEN}, {"Key": "b&c"}]}

    response = respond("s3", "ListObjectsV2", output)
    root = ElementTree.fromstring(response.body)

    assert response.body.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n')
    assert root.tag == f"{{{S3_NS}}}ListBucketResult"
    assert [element.findtext(f"{{{S3_NS}}}Key") for element in root.findall(f"{{{S3_NS}}}Contents")] == [
        "a",
        "b&c",
    ]
    assert root.findtext(f"{{{S3_NS}}}Contents/{{{S3_NS}}}LastModified") == "2024-05-17T09:30:05.250Z"
    assert response.header("Content-Type") == "application/xml"


@pytest.mark.parametrize(
    ("operation", "output", "root"),
    [
        (
            "CreateMultipartUpload",
            {"Bucket": "b", "Key": "k", "UploadId": "u"},
            "InitiateMultipartUploadResult",
        ),
        ("ListBuckets", {"Buckets": []}, "ListAllMyBucketsResult"),
        ("GetBucketTagging", {"TagSet": []}, "Tagging"),
        ("GetBucketAcl", {"Grants": []}, "AccessControlPolicy"),
        ("ListObjectVersions", {"Name": "b"}, "ListVersionsResult"),
        (
            "GetBucketEncryption",
            {"ServerSideEncryptionConfiguration": {"Rules": []}},
            "ServerSideEncryptionConfiguration",
        ),
        ("GetObjectLegalHold", {"LegalHold": {"Status": "ON"}}, "LegalHold"),
        ("CopyObject", {"CopyObjectResult": {"ETag": '"e"'}}, "CopyObjectResult"),
    ],
)
def test_s3_documents_have_s3s_root_element_and_namespace(
    operation: str, output: dict[str, Any], root: str
) -> None:
    response = respond("s3", operation, output)

    assert ElementTree.fromstring(response.body).tag == f"{{{S3_NS}}}{root}"


def test_s3_bucket_location_is_the_text_of_the_root() -> None:
    response = respond("s3", "GetBucketLocation", {"LocationConstraint": "eu-west-1"})

    assert response.body.endswith(
        f'<LocationConstraint xmlns="{S3_NS}">eu-west-1</LocationConstraint>'.encode()
    )


def test_s3_grantee_type_is_an_xsi_attribute() -> None:
    grant = {"Grantee": {"Type": "CanonicalUser", "ID": "abc"}, "Permission": "READ"}

    response = respond("s3", "GetObjectAcl", {"Grants": [grant]})

    assert (
        b'<AccessControlList><Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        b'xsi:type="CanonicalUser"><ID>abc</ID></Grantee><Permission>READ</Permission></Grant>'
    ) in response.body


def test_s3_object_headers_use_http_dates_and_metadata_prefixes() -> None:
    output = {
        "Body": b"hello",
        "ContentType": "text/plain",
        "LastModified": WHEN,
        "Metadata": {"owner": "alice"},
        "ObjectLockRetainUntilDate": WHEN,
    }

    response = respond("s3", "GetObject", output)

    assert response.body == b"hello"
    assert response.header("Content-Type") == "text/plain"
    assert response.header("Last-Modified") == "Fri, 17 May 2024 09:30:05 GMT"
    assert response.header("x-amz-meta-owner") == "alice"
    assert response.header("x-amz-object-lock-retain-until-date") == "2024-05-17T09:30:05.250Z"
    assert response.header("x-amz-request-id") == "req-1"
    assert response.header("x-amz-id-2")


def test_s3_responses_without_a_document_send_no_body() -> None:
    deleted = respond("s3", "DeleteBucket", {})
    head = respond("s3", "HeadObject", {"ContentLength": 5, "ETag": '"e"'})
    put = respond("s3", "PutObject", {"ETag": '"e"'})

    assert (deleted.status, deleted.body) == (204, b"")
    assert (head.status, head.body, head.header("Content-Length")) == (200, b"", "5")
    assert (put.body, put.header("ETag"), put.header("Content-Type")) == (b"", '"e"', None)


def test_xml_text_is_escaped_and_keeps_carriage_returns() -> None:
    response = respond("iam", "GetUser", {"User": {"UserName": "a<b>&c\r\nd\x01", "Path": "/"}})

    assert b"<UserName>a&lt;b&gt;&amp;c&#13;\nd\xef\xbf\xbd</UserName>" in response.body
    assert ElementTree.fromstring(response.body).findtext(f".//{{{IAM_NS}}}UserName") == "a<b>&c\r\nd\ufffd"


def test_header_values_cannot_split_the_response() -> None:
    response = respond("s3", "HeadObject", {"Metadata": {"note": "x\r\nSet-Cookie: y", "name": "résumé"}})

    assert response.header("x-amz-meta-note") == "=?UTF-8?B?eA0KU2V0LUNvb2tpZTogeQ==?="
    assert response.header("x-amz-meta-name") == "=?UTF-8?B?csOpc3Vtw6k=?="


def test_event_stream_outputs_are_not_implemented() -> None:
    with pytest.raises(AwsError) as raised:
        respond("lambda", "InvokeWithResponseStream", {})

    assert (raised.value.status, raised.value.code) == (501, "NotImplemented")
    assert "InvokeWithResponseStream" in raised.value.message


def test_concurrent_first_responses_of_a_recursive_shape_agree() -> None:
    statement: dict[str, Any] = {
        "AndStatement": {"Statements": [{"NotStatement": {"Statement": {"LabelMatchStatement": {}}}}]}
    }
    output = {"WebACL": {"Name": "acl", "Rules": [{"Name": "r", "Priority": 1, "Statement": statement}]}}
    bodies: list[bytes] = []
    barrier = threading.Barrier(4)

    def serialize() -> None:
        barrier.wait()
        bodies.append(respond("wafv2", "GetWebACL", output).body)

    threads = [threading.Thread(target=serialize) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(bodies) == 4
    assert len(set(bodies)) == 1
    assert b'"LabelMatchStatement":{}' in bodies[0]
