"""Real boto3 clients, with their customisations and exception classes, reading our responses: each call
goes through botocore's whole client path and receives the serialized response instead of a network reply."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
from botocore.awsrequest import AWSResponse
from botocore.config import Config
from botocore.exceptions import ClientError
from urllib3 import HTTPResponse as Urllib3Response

from shieldwall.errors import AwsError
from shieldwall.http import HttpResponse
from shieldwall.protocol.serializer import protocol_of, serialize_error, serialize_response
from shieldwall.spec.loader import service_model

WHEN = datetime(2024, 5, 17, 9, 30, 5, tzinfo=UTC)
POLICY = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}],
}


class Scripted:
    """A boto3 client whose next call is answered by serializing `output` or `error`."""

    def __init__(self, service: str) -> None:
        session = boto3.Session(
            aws_access_key_id="test", aws_secret_access_key="test", region_name="us-east-1"
        )
        self.client: Any = session.client(service, config=Config(retries={"total_max_attempts": 1}))
        self.service = service
        self.reply: tuple[dict[str, Any] | None, AwsError | None] = (None, None)
        self.client.meta.events.register("before-send", self._answer)

    def answer(self, output: dict[str, Any] | None = None, error: AwsError | None = None) -> Any:
        self.reply = (output, error)
        return self.client

    def _answer(self, request: Any, **kwargs: Any) -> AWSResponse:
        model = service_model(self.service)
        operation = model.operation_model(kwargs["event_name"].rsplit(".", 1)[-1])
        output, error = self.reply
        response = (
            serialize_error(protocol_of(model), operation, error, "req-1")
            if error is not None
            else serialize_response(operation, output or {}, "req-1")
        )
        return _aws_response(request.url, response)


def _aws_response(url: str, response: HttpResponse) -> AWSResponse:
    headers = [*response.headers, ("Content-Length", str(len(response.body)))]
    raw = Urllib3Response(
        io.BytesIO(response.body), headers=dict(headers), status=response.status, preload_content=False
    )
    return AWSResponse(url, response.status, dict(headers), raw)


@pytest.fixture
def scripted() -> Iterator[Any]:
    clients: dict[str, Scripted] = {}

    def get(service: str) -> Scripted:
        if service not in clients:
            clients[service] = Scripted(service)
        return clients[service]

    yield get


def test_boto3_reads_iam_role_with_its_policy_document_as_a_dict(scripted: Any) -> None:
    role = {
        "Path": "/",
        "RoleName": "app",
        "RoleId": "AROAEXAMPLE",
        "Arn": "arn:aws:iam::000000000000:role/app",
        "CreateDate": WHEN,
        "AssumeRolePolicyDocument": json.dumps(POLICY),
    }

    result = scripted("iam").answer({"Role": role}).get_role(RoleName="app")

    assert result["Role"]["AssumeRolePolicyDocument"] == POLICY
    assert result["Role"]["CreateDate"] == WHEN
    assert result["ResponseMetadata"]["RequestId"] == "req-1"


def test_boto3_raises_iams_modelled_exception(scripted: Any) -> None:
    error = AwsError("NoSuchEntity", "The role with name app cannot be found.", 404)
    client = scripted("iam").answer(error=error)

    with pytest.raises(client.exceptions.NoSuchEntityException) as raised:
        client.get_role(RoleName="app")

    assert raised.value.response["Error"]["Message"] == error.message
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404


def test_boto3_reads_sts_caller_identity(scripted: Any) -> None:
    identity = {"UserId": "AIDA", "Account": "000000000000", "Arn": "arn:aws:iam::000000000000:user/alice"}

    result = scripted("sts").answer(identity).get_caller_identity()

    assert {key: result[key] for key in identity} == identity


def test_boto3_raises_kms_not_found_with_its_message(scripted: Any) -> None:
    error = AwsError("NotFoundException", "Key 'arn:aws:kms:us-east-1:000000000000:key/x' does not exist")
    client = scripted("kms").answer(error=error)

    with pytest.raises(client.exceptions.NotFoundException, match="does not exist"):
        client.describe_key(KeyId="x")


def test_boto3_reads_acm_pca_over_json(scripted: Any) -> None:
    authority = {"Arn": "arn:aws:acm-pca:us-east-1:000000000000:certificate-authority/x", "CreatedAt": WHEN}

    result = (
        scripted("acm-pca")
        .answer({"CertificateAuthority": authority})
        .describe_certificate_authority(CertificateAuthorityArn=authority["Arn"])
    )

    assert result["CertificateAuthority"] == authority


def test_boto3_invokes_lambda_and_reads_payload_status_and_error_header(scripted: Any) -> None:
    output = {"StatusCode": 200, "FunctionError": "Unhandled", "Payload": b'{"errorMessage":"boom"}'}

    result = scripted("lambda").answer(output).invoke(FunctionName="f", Payload=b"{}")

    assert result["StatusCode"] == 200
    assert result["FunctionError"] == "Unhandled"
    assert result["Payload"].read() == b'{"errorMessage":"boom"}'


def test_boto3_raises_lambda_throttling_with_retry_after(scripted: Any) -> None:
    fields = {
        "Type": "User",
        "Reason": "ReservedFunctionConcurrentInvocationLimitExceeded",
        "retryAfterSeconds": "3",
    }
    error = AwsError("TooManyRequestsException", "Rate Exceeded.", 429, fields=fields)
    client = scripted("lambda").answer(error=error)

    with pytest.raises(client.exceptions.TooManyRequestsException) as raised:
        client.get_function(FunctionName="f")

    assert raised.value.response["retryAfterSeconds"] == "3"
    assert raised.value.response["Reason"] == fields["Reason"]


def test_boto3_reads_s3_bucket_location(scripted: Any) -> None:
    result = scripted("s3").answer({"LocationConstraint": "eu-west-1"}).get_bucket_location(Bucket="b")

    assert result["LocationConstraint"] == "eu-west-1"


def test_boto3_reads_s3_object_with_metadata(scripted: Any) -> None:
    output = {
        "Body": b"hello",
        "ContentType": "text/plain",
        "LastModified": WHEN,
        "Metadata": {"owner": "alice"},
    }

    result = scripted("s3").answer(output).get_object(Bucket="b", Key="k")

    assert result["Body"].read() == b"hello"
    assert (result["ContentType"], result["LastModified"], result["Metadata"]) == (
        "text/plain",
        WHEN,
        {"owner": "alice"},
    )
    assert result["ResponseMetadata"]["HostId"]


def test_boto3_lists_s3_objects(scripted: Any) -> None:
    output = {"Name": "b", "KeyCount": 1, "IsTruncated": False, "Contents": [{"Key": "a b&c", "Size": 5}]}

    result = scripted("s3").answer(output).list_objects_v2(Bucket="b")

    assert result["Contents"] == [{"Key": "a b&c", "Size": 5}]


def test_boto3_raises_s3_no_such_key(scripted: Any) -> None:
    error = AwsError("NoSuchKey", "The specified key does not exist.", 404, fields={"Key": "k"})
    client = scripted("s3").answer(error=error)

    with pytest.raises(client.exceptions.NoSuchKey) as raised:
        client.get_object(Bucket="b", Key="k")

    assert raised.value.response["Error"]["Key"] == "k"


def test_boto3_sees_s3_head_errors_as_bare_status_codes(scripted: Any) -> None:
    client = scripted("s3").answer(error=AwsError("NoSuchKey", "The specified key does not exist.", 404))

    with pytest.raises(ClientError) as raised:
        client.head_object(Bucket="b", Key="k")

    assert raised.value.response["Error"]["Code"] == "404"
