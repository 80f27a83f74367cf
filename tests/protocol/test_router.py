"""Routing: which service and operation a raw request reaches, and the AWS error when it reaches none."""

from __future__ import annotations

import pytest

from shieldwall.errors import AwsError
from shieldwall.http import HttpRequest
from shieldwall.protocol.router import (
    RoutingError,
    UnknownServiceError,
    route,
    service_signing_name,
    signing_name_matches,
)
from shieldwall.spec.loader import SERVICES

FORM = ("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")


def http(
    method: str = "POST",
    path: str = "/",
    query: str = "",
    headers: list[tuple[str, str]] | None = None,
    body: bytes = b"",
    host: str = "localhost:4566",
) -> HttpRequest:
    return HttpRequest(method, path, query, [("Host", host), *(headers or [])], body)


def target(value: str) -> list[tuple[str, str]]:
    return [("X-Amz-Target", value), ("Content-Type", "application/x-amz-json-1.1")]


def routed(request: HttpRequest, signing: str | None = None) -> tuple[str, str]:
    found = route(request, signing)
    return found.service, found.operation.name


# -- json: X-Amz-Target --------------------------------------------------------------------------------------


def test_target_names_the_json_service_and_operation_when_signed() -> None:
    assert routed(http(headers=target("TrentService.Encrypt")), "kms") == ("kms", "Encrypt")


def test_target_routes_unsigned_cognito_requests() -> None:
    request = http(headers=target("AWSCognitoIdentityProviderService.InitiateAuth"))
    assert routed(request) == ("cognito-idp", "InitiateAuth")


def test_target_prefix_with_dots_routes_to_cloudtrail() -> None:
    request = http(headers=target("com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents"))
    assert routed(request, "cloudtrail") == ("cloudtrail", "LookupEvents")


def test_target_outranks_the_signing_name() -> None:
    """The pipeline then checks the scope against `service_signing_name(route.service)`."""
    assert routed(http(headers=target("secretsmanager.GetSecretValue")), "kms") == (
        "secretsmanager",
        "GetSecretValue",
    )


def test_unknown_operation_of_a_json_service_is_unknown_operation_exception() -> None:
    with pytest.raises(RoutingError) as caught:
        route(http(headers=target("TrentService.MakeCoffee")), "kms")
    assert (caught.value.code, caught.value.status, caught.value.service) == (
        "UnknownOperationException",
        400,
        "kms",
    )
    assert "MakeCoffee" in caught.value.message


def test_json_service_without_target_is_unknown_operation_exception() -> None:
    with pytest.raises(RoutingError) as caught:
        route(http(body=b"{}"), "kms")
    assert caught.value.code == "UnknownOperationException"


def test_rpc_v2_cbor_path_routes_acm_pca() -> None:
    request = http(path="/service/ACMPrivateCA/operation/ListCertificateAuthorities")
    assert routed(request, "acm-pca") == ("acm-pca", "ListCertificateAuthorities")


# -- signing names -------------------------------------------------------------------------------------------


def test_unknown_signing_name_is_a_distinct_unknown_service_error() -> None:
    with pytest.raises(UnknownServiceError) as caught:
        route(http(), "dynamodb")
    assert isinstance(caught.value, AwsError)
    assert (caught.value.code, caught.value.status) == ("UnknownService", 400)
    assert "dynamodb" in caught.value.message


@pytest.mark.parametrize(
    ("service", "signing_name"),
    [
        ("cognito-idp", "cognito-idp"),
        ("cognito-identity", "cognito-identity"),
        ("s3", "s3"),
        ("lambda", "lambda"),
    ],
)
def test_service_signing_name_is_what_the_scope_names(service: str, signing_name: str) -> None:
    assert service_signing_name(service) == signing_name


@pytest.mark.parametrize("service", sorted(SERVICES))
def test_every_served_service_is_reached_through_its_own_signing_name(service: str) -> None:
    try:
        reached = route(
            http(method="GET", path="/", query="Action=Nothing"), service_signing_name(service)
        ).service
    except RoutingError as exc:
        reached = exc.service
    assert reached == service


def test_s3_object_lambda_signing_name_is_accepted_for_s3() -> None:
    assert signing_name_matches("s3", "s3-object-lambda")
    assert not signing_name_matches("kms", "s3")


# -- query: Action -------------------------------------------------------------------------------------------


def test_action_in_the_form_body_picks_the_query_operation() -> None:
    request = http(headers=[FORM], body=b"Action=GetCallerIdentity&Version=2011-06-15")
    assert routed(request, "sts") == ("sts", "GetCallerIdentity")


def test_action_in_the_query_string_picks_the_query_operation() -> None:
    request = http(method="GET", query="Action=ListUsers&Version=2010-05-08")
    assert routed(request, "iam") == ("iam", "ListUsers")


def test_missing_action_is_missing_action() -> None:
    with pytest.raises(RoutingError) as caught:
        route(http(headers=[FORM], body=b"Version=2011-06-15"), "sts")
    assert (caught.value.code, caught.value.status) == ("MissingAction", 400)


def test_unknown_action_names_the_operation_and_api_version() -> None:
    with pytest.raises(RoutingError) as caught:
        route(http(headers=[FORM], body=b"Action=MakeCoffee&Version=2011-06-15"), "sts")
    assert caught.value.code == "InvalidAction"
    assert caught.value.message == "Could not find operation MakeCoffee for version 2011-06-15"


# -- unsigned ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("host", "body", "expected"),
    [
        ("sts.amazonaws.com", b"Action=AssumeRoleWithWebIdentity", ("sts", "AssumeRoleWithWebIdentity")),
        ("localhost:4566", b"Action=AssumeRoleWithSAML", ("sts", "AssumeRoleWithSAML")),
        ("localhost:4566", b"Action=ListRoles", ("iam", "ListRoles")),
        ("iam.amazonaws.com", b"Action=ListRoles", ("iam", "ListRoles")),
    ],
)
def test_unsigned_query_requests_route_by_host_then_action(
    host: str, body: bytes, expected: tuple[str, str]
) -> None:
    assert routed(http(headers=[FORM], body=body, host=host)) == expected


def test_unsigned_unknown_action_is_answered_by_sts() -> None:
    with pytest.raises(RoutingError) as caught:
        route(http(headers=[FORM], body=b"Action=Nope"), None)
    assert (caught.value.service, caught.value.code) == ("sts", "InvalidAction")


def test_unsigned_request_to_a_json_service_host_without_target_is_unknown_operation() -> None:
    with pytest.raises(RoutingError) as caught:
        route(http(host="kms.us-east-1.amazonaws.com", body=b"{}"), None)
    assert (caught.value.service, caught.value.code) == ("kms", "UnknownOperationException")


def test_unsigned_rest_request_without_other_evidence_is_anonymous_s3() -> None:
    found = route(http(method="GET", path="/public-bucket/docs/readme.txt"), None)
    assert (found.service, found.operation.name) == ("s3", "GetObject")
    assert found.path_params == {"Bucket": "public-bucket", "Key": "docs/readme.txt"}


def test_unsigned_lambda_host_routes_by_uri_template() -> None:
    request = http(method="GET", path="/2015-03-31/functions/fn", host="lambda.us-east-1.amazonaws.com")
    assert routed(request) == ("lambda", "GetFunction")


# -- S3 addressing -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("host", "path", "bucket", "key"),
    [
        ("localhost:4566", "/bucket/a/b.txt", "bucket", "a/b.txt"),
        ("s3.localhost:4566", "/bucket/a/b.txt", "bucket", "a/b.txt"),
        ("bucket.s3.amazonaws.com", "/a/b.txt", "bucket", "a/b.txt"),
        ("my.dotted.bucket.s3.us-west-2.amazonaws.com", "/a", "my.dotted.bucket", "a"),
        ("bucket.s3-us-west-2.amazonaws.com", "/a", "bucket", "a"),
        ("bucket.localhost:4566", "/a/b.txt", "bucket", "a/b.txt"),
        ("kms.s3.amazonaws.com", "/a", "kms", "a"),
    ],
)
def test_s3_path_and_virtual_host_addressing_find_bucket_and_key(
    host: str, path: str, bucket: str, key: str
) -> None:
    for signing in ("s3", None):
        found = route(http(method="GET", path=path, host=host), signing)
        assert (found.service, found.operation.name) == ("s3", "GetObject")
        assert found.path_params == {"Bucket": bucket, "Key": key}


def test_virtual_host_root_lists_the_bucket() -> None:
    found = route(http(method="GET", path="/", host="bucket.localhost:4566"), "s3")
    assert (found.operation.name, found.path_params) == ("ListObjects", {"Bucket": "bucket"})


def test_path_style_root_lists_buckets() -> None:
    assert routed(http(method="GET", path="/"), "s3") == ("s3", "ListBuckets")


def test_s3_keys_are_percent_decoded_and_keep_their_slashes() -> None:
    found = route(http(method="PUT", path="/bucket/dir%20one//caf%C3%A9%2Bx/", body=b"x"), "s3")
    assert found.path_params["Key"] == "dir one//café+x/"


def test_trailing_slash_after_a_bucket_still_names_the_bucket() -> None:
    found = route(http(method="GET", path="/bucket/"), "s3")
    assert (found.operation.name, found.path_params) == ("ListObjects", {"Bucket": "bucket"})


@pytest.mark.parametrize(
    ("method", "path", "query", "headers", "operation"),
    [
        ("GET", "/b", "", [], "ListObjects"),
        ("GET", "/b", "list-type=2&prefix=a", [], "ListObjectsV2"),
        ("GET", "/b", "acl", [], "GetBucketAcl"),
        ("GET", "/b/k", "acl", [], "GetObjectAcl"),
        ("PUT", "/b", "policy", [], "PutBucketPolicy"),
        ("GET", "/b", "versions", [], "ListObjectVersions"),
        ("GET", "/b", "uploads", [], "ListMultipartUploads"),
        ("GET", "/b/k", "", [], "GetObject"),
        ("GET", "/b/k", "uploadId=u1", [], "ListParts"),
        ("PUT", "/b/k", "", [], "PutObject"),
        ("PUT", "/b/k", "", [("x-amz-copy-source", "src/k")], "CopyObject"),
        ("PUT", "/b/k", "partNumber=1&uploadId=u1", [], "UploadPart"),
        ("PUT", "/b/k", "partNumber=1&uploadId=u1", [("x-amz-copy-source", "src/k")], "UploadPartCopy"),
        ("DELETE", "/b/k", "", [], "DeleteObject"),
        ("DELETE", "/b/k", "uploadId=u1", [], "AbortMultipartUpload"),
        ("POST", "/b/k", "uploads", [], "CreateMultipartUpload"),
        ("POST", "/b/k", "uploadId=u1", [], "CompleteMultipartUpload"),
        ("POST", "/b", "delete", [], "DeleteObjects"),
        ("GET", "/b", "analytics", [], "ListBucketAnalyticsConfigurations"),
        ("GET", "/b", "analytics&id=a1", [], "GetBucketAnalyticsConfiguration"),
        ("GET", "/", "max-directory-buckets=5", [], "ListDirectoryBuckets"),
        ("GET", "/b", "lifecycle", [], "GetBucketLifecycleConfiguration"),
        ("PUT", "/b", "notification", [], "PutBucketNotificationConfiguration"),
        ("GET", "/b/k", "x-id=ListParts", [], "ListParts"),
        ("HEAD", "/b", "", [], "HeadBucket"),
        ("HEAD", "/b/k", "", [], "HeadObject"),
    ],
)
def test_s3_operations_are_told_apart_by_method_path_and_subresource(
    method: str, path: str, query: str, headers: list[tuple[str, str]], operation: str
) -> None:
    assert routed(http(method=method, path=path, query=query, headers=headers), "s3") == ("s3", operation)


def test_write_get_object_response_is_addressed_by_its_host_prefix() -> None:
    request = http(method="POST", path="/WriteGetObjectResponse", host="route-1.localhost:4566", body=b"x")
    assert routed(request, "s3") == ("s3", "WriteGetObjectResponse")


def test_s3_method_not_allowed_names_method_and_resource_type() -> None:
    with pytest.raises(RoutingError) as caught:
        route(http(method="PATCH", path="/bucket/key"), "s3")
    error = caught.value
    assert (error.code, error.status) == ("MethodNotAllowed", 405)
    assert error.fields == {"Method": "PATCH", "ResourceType": "OBJECT"}


def test_s3_unknown_http_method_is_not_implemented() -> None:
    with pytest.raises(RoutingError) as caught:
        route(http(method="BREW", path="/bucket"), "s3")
    assert (caught.value.code, caught.value.status) == ("NotImplemented", 501)


def test_s3_path_that_is_not_utf8_is_invalid_uri() -> None:
    with pytest.raises(RoutingError) as caught:
        route(http(method="GET", path="/bucket/%ff%fe"), "s3")
    assert (caught.value.code, caught.value.status) == ("InvalidURI", 400)


# -- rest-json -----------------------------------------------------------------------------------------------


def test_lambda_literal_query_picks_get_layer_version_by_arn_over_list_layers() -> None:
    assert routed(
        http(method="GET", path="/2018-10-31/layers", query="find=LayerVersion&Arn=x"), "lambda"
    ) == (
        "lambda",
        "GetLayerVersionByArn",
    )
    assert routed(http(method="GET", path="/2018-10-31/layers"), "lambda") == ("lambda", "ListLayers")


def test_lambda_function_arn_in_the_path_is_percent_decoded() -> None:
    arn = "arn:aws:lambda:us-east-1:000000000000:function:fn"
    found = route(
        http(
            path="/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A000000000000%3Afunction%3Afn/invocations"
        ),
        "lambda",
    )
    assert (found.operation.name, found.path_params) == ("Invoke", {"FunctionName": arn})


def test_apigateway_import_mode_is_a_literal_query() -> None:
    assert routed(http(path="/restapis", query="mode=import"), "apigateway") == (
        "apigateway",
        "ImportRestApi",
    )
    assert routed(http(path="/restapis"), "apigateway") == ("apigateway", "CreateRestApi")


def test_rest_json_path_without_an_operation_is_a_404_unknown_operation() -> None:
    with pytest.raises(RoutingError) as caught:
        route(http(method="GET", path="/2015-03-31/nothing-here"), "lambda")
    assert (caught.value.code, caught.value.status, caught.value.service) == (
        "UnknownOperationException",
        404,
        "lambda",
    )
