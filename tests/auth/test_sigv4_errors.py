"""Each authentication failure, in each protocol family, answers AWS's code, HTTP status and message."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import botocore.auth
import pytest
from sigv4_testkit import (
    ACCESS_KEY,
    SIGNING_TIME,
    around,
    botocore_sign,
    credential,
    replace,
    resolver,
    with_header,
)

from shieldwall.auth.credentials import StaticResolver
from shieldwall.auth.verifier import VerifiedRequest, verify
from shieldwall.errors import AwsError
from shieldwall.http import HttpRequest

FAMILIES = ["query", "json", "rest-json", "rest-xml"]
SERVICE = {"query": "sts", "json": "kms", "rest-json": "lambda", "rest-xml": "s3"}
TOKEN = "IQoJb3JpZ2luX2VjEXAMPLETOKEN"
AMZ_DATE = "20240517T093000Z"
MISMATCH = (
    "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access "
    "Key and signing method. Consult the service documentation for details."
)
S3_MISMATCH = "The request signature we calculated does not match the signature you provided. Check your key and signing method."
INVALID_TOKEN = "The security token included in the request is invalid."


def _sign(
    family: str,
    *,
    presign: int | None = None,
    service: str | None = None,
    keep_payload_header: bool = False,
    **kwargs: Any,
) -> HttpRequest:
    """Signed by botocore; `keep_payload_header` signs an S3 request with the plain signer, which keeps the
    x-amz-content-sha256 the test declares instead of computing its own."""
    s3 = family == "rest-xml"
    s3_signer = s3 and not keep_payload_header
    if presign is None:
        signer = botocore.auth.S3SigV4Auth if s3_signer else botocore.auth.SigV4Auth
    else:
        signer = botocore.auth.S3SigV4QueryAuth if s3_signer else botocore.auth.SigV4QueryAuth
    kwargs.setdefault("headers", {"X-Custom": "value"})
    url = kwargs.pop(
        "url", "https://example.amazonaws.com/bucket/key" if s3 else "https://example.amazonaws.com/"
    )
    method = kwargs.pop("method", "GET")
    return botocore_sign(signer, method, url, service=service or SERVICE[family], expires=presign, **kwargs)


def _verify(
    request: HttpRequest,
    family: str,
    *,
    resolve: StaticResolver | None = None,
    now: datetime = SIGNING_TIME,
    service_now: datetime = SIGNING_TIME,
) -> VerifiedRequest:
    return verify(
        request,
        resolve or resolver(),
        family=family,
        skew_now=now,
        service_now=service_now,
        expected_service=SERVICE[family],
        s3=family == "rest-xml",
    )


def _error(request: HttpRequest, family: str, **kwargs: Any) -> AwsError:
    with pytest.raises(AwsError) as raised:
        _verify(request, family, **kwargs)
    return raised.value


def _observed(error: AwsError) -> tuple[str, int, str]:
    return error.code, error.status, error.message


def _signature_family(family: str, message: str) -> tuple[str, int, str]:
    return {
        "query": ("SignatureDoesNotMatch", 403, message),
        "json": ("InvalidSignatureException", 400, message),
        "rest-json": ("InvalidSignatureException", 403, message),
    }[family]


def _incomplete(family: str, message: str) -> tuple[str, int, str]:
    return {
        "query": ("IncompleteSignature", 400, message),
        "json": ("IncompleteSignatureException", 400, message),
        "rest-json": ("IncompleteSignatureException", 403, message),
    }[family]


@pytest.mark.parametrize("family", FAMILIES)
def test_correctly_signed_request_is_accepted(family: str) -> None:
    verified = _verify(_sign(family), family)
    assert verified.credential.access_key_id == ACCESS_KEY
    assert verified.scope.service == SERVICE[family]
    assert not verified.presigned


# ---------------------------------------------------------------------------------------------------- no or bad auth


@pytest.mark.parametrize(
    ("family", "expected"),
    [
        ("query", ("MissingAuthenticationToken", 403, "Request is missing Authentication Token")),
        ("json", ("MissingAuthenticationTokenException", 400, "Request is missing Authentication Token")),
        ("rest-json", ("MissingAuthenticationTokenException", 403, "Missing Authentication Token")),
        ("rest-xml", ("AccessDenied", 403, "Access Denied")),
    ],
)
def test_request_without_auth_is_missing_authentication_token(
    family: str, expected: tuple[str, int, str]
) -> None:
    request = HttpRequest("GET", "/", "", [("Host", "example.amazonaws.com")], b"")
    assert _observed(_error(request, family)) == expected


@pytest.mark.parametrize("family", FAMILIES)
def test_header_and_query_auth_together_are_refused(family: str) -> None:
    request = replace(_sign(family), query_string="X-Amz-Algorithm=AWS4-HMAC-SHA256")
    error = _error(request, family)
    message = (
        "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string "
        "parameter or the Authorization header should be specified"
    )
    expected = ("InvalidArgument", 400, message) if family == "rest-xml" else _incomplete(family, message)
    assert _observed(error) == expected


@pytest.mark.parametrize("family", FAMILIES)
def test_authorization_missing_components_is_incomplete_signature(family: str) -> None:
    authorization = (
        f"AWS4-HMAC-SHA256 Credential={ACCESS_KEY}/20240517/us-east-1/{SERVICE[family]}/aws4_request"
    )
    request = with_header(_sign(family), "Authorization", authorization)
    if family == "rest-xml":
        expected = (
            "AuthorizationHeaderMalformed",
            400,
            "The authorization header is malformed; the authorization header requires three components: Credential, "
            "SignedHeaders, and Signature.",
        )
    else:
        message = (
            "Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' "
            f"parameter. Authorization={authorization}"
        )
        expected = _incomplete(family, message)
    assert _observed(_error(request, family)) == expected


@pytest.mark.parametrize("family", FAMILIES)
def test_non_sigv4_authorization_is_refused(family: str) -> None:
    request = with_header(
        with_header(_sign(family), "Authorization", "Bearer eyJhbGciOi"), "X-Amz-Date", None
    )
    if family == "rest-xml":
        expected = ("InvalidArgument", 400, "Unsupported Authorization Type")
    else:
        message = (
            "Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' "
            "parameter. Authorization header requires 'SignedHeaders' parameter. Authorization header requires "
            "existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=Bearer eyJhbGciOi"
        )
        expected = _incomplete(family, message)
    assert _observed(_error(request, family)) == expected


@pytest.mark.parametrize("family", ["query", "json", "rest-json"])
def test_component_without_equal_sign_is_incomplete_signature(family: str) -> None:
    request = _sign(family)
    authorization = (request.header("authorization") or "").replace("SignedHeaders=", "SignedHeaders")
    pair = authorization.split(", ")[1]
    expected = _incomplete(
        family,
        f"'{pair}' not a valid key=value pair (missing equal-sign) in Authorization header: '{authorization}'.",
    )
    assert _observed(_error(with_header(request, "Authorization", authorization), family)) == expected


@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize("key", [ACCESS_KEY, "A" * 600], ids=["usual", "longer-than-the-parse-cache-keeps"])
def test_credential_without_five_parts_is_refused(family: str, key: str) -> None:
    request = _sign(family)
    credential_text = f"{key}/20240517/us-east-1"
    authorization = (request.header("authorization") or "").replace(
        f"{ACCESS_KEY}/20240517/us-east-1/{SERVICE[family]}/aws4_request", credential_text
    )
    error = _error(with_header(request, "Authorization", authorization), family)
    if family == "rest-xml":
        assert (error.code, error.status) == ("AuthorizationHeaderMalformed", 400)
        assert "the Credential is mal-formed" in error.message
    else:
        message = (
            "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got "
            f"'{credential_text}'"
        )
        assert _observed(error) == _incomplete(family, message)


@pytest.mark.parametrize("family", ["query", "json", "rest-json"])
def test_wrong_terminator_is_refused(family: str) -> None:
    request = _sign(family)
    authorization = (request.header("authorization") or "").replace("/aws4_request", "/aws5_request")
    message = "Credential should be scoped with a valid terminator: 'aws4_request', not 'aws5_request'. "
    assert _observed(
        _error(with_header(request, "Authorization", authorization), family)
    ) == _signature_family(family, message)


# ---------------------------------------------------------------------------------------------------- scope


@pytest.mark.parametrize("family", FAMILIES)
def test_scope_with_unknown_region_is_refused(family: str) -> None:
    error = _error(_sign(family, region="mars-central-1"), family)
    if family == "rest-xml":
        assert (error.code, error.status) == ("AuthorizationHeaderMalformed", 400)
        assert "'mars-central-1'" in error.message
    else:
        message = "Credential should be scoped to a valid region, not 'mars-central-1'. "
        assert _observed(error) == _signature_family(family, message)


def test_pseudo_region_aws_global_is_not_a_signing_region() -> None:
    assert _error(_sign("query", region="aws-global"), "query").code == "SignatureDoesNotMatch"


def test_every_partitions_regions_can_sign() -> None:
    for region in ("us-gov-west-1", "cn-north-1", "eu-west-3", "ap-southeast-7"):
        _verify(_sign("json", region=region), "json")


@pytest.mark.parametrize("family", FAMILIES)
def test_scope_naming_another_service_is_refused(family: str) -> None:
    error = _error(_sign(family, service="ec2"), family)
    if family == "rest-xml":
        expected = (
            "AuthorizationHeaderMalformed",
            400,
            'The authorization header is malformed; incorrect service "ec2". This endpoint belongs to "s3".',
        )
        assert _observed(error) == expected
    else:
        message = f"Credential should be scoped to correct service: '{SERVICE[family]}'. "
        assert _observed(error) == _signature_family(family, message)


@pytest.mark.parametrize("family", FAMILIES)
def test_scope_date_must_be_the_request_date(family: str) -> None:
    request = _sign(family)
    authorization = (request.header("authorization") or "").replace("/20240517/", "/20240516/")
    error = _error(with_header(request, "Authorization", authorization), family)
    if family == "rest-xml":
        message = "The authorization header is malformed; Invalid credential date. Date is not the same as X-Amz-Date."
        assert _observed(error) == ("AuthorizationHeaderMalformed", 400, message)
    else:
        message = (
            "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: "
            f"'20240516' != '20240517', from '{AMZ_DATE}'."
        )
        assert _observed(error) == _signature_family(family, message)


# ---------------------------------------------------------------------------------------------------- dates and clock


@pytest.mark.parametrize("family", FAMILIES)
def test_request_without_a_date_is_refused(family: str) -> None:
    request = with_header(_sign(family), "X-Amz-Date", None)
    error = _error(request, family)
    if family == "rest-xml":
        assert _observed(error) == (
            "AccessDenied",
            403,
            "AWS authentication requires a valid Date or x-amz-date header",
        )
    else:
        message = (
            "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. "
            f"Authorization={request.header('authorization')}"
        )
        assert _observed(error) == _incomplete(family, message)


@pytest.mark.parametrize("family", ["query", "json", "rest-json"])
def test_malformed_x_amz_date_is_refused(family: str) -> None:
    request = with_header(_sign(family), "X-Amz-Date", "2024-05-17T09:30:00Z")
    message = "Date must be in ISO-8601 'basic format'. Got '2024-05-17T09:30:00Z'. See http://en.wikipedia.org/wiki/ISO_8601"
    assert _observed(_error(request, family)) == _incomplete(family, message)


@pytest.mark.parametrize("family", ["query", "json", "rest-json"])
def test_signature_older_than_15_minutes_has_expired(family: str) -> None:
    now = around(SIGNING_TIME, 16 * 60)
    message = "Signature expired: 20240517T093000Z is now earlier than 20240517T093100Z (20240517T094600Z - 15 min.)"
    assert _observed(_error(_sign(family), family, now=now)) == _signature_family(family, message)


@pytest.mark.parametrize("family", ["query", "json", "rest-json"])
def test_signature_more_than_15_minutes_ahead_is_not_yet_current(family: str) -> None:
    now = around(SIGNING_TIME, -16 * 60)
    message = "Signature not yet current: 20240517T093000Z is still later than 20240517T092900Z (20240517T091400Z + 15 min.)"
    assert _observed(_error(_sign(family), family, now=now)) == _signature_family(family, message)


@pytest.mark.parametrize("offset", [16 * 60, -16 * 60])
def test_s3_clock_skew_is_request_time_too_skewed(offset: int) -> None:
    now = around(SIGNING_TIME, offset)
    error = _error(_sign("rest-xml"), "rest-xml", now=now)
    assert _observed(error) == (
        "RequestTimeTooSkewed",
        403,
        "The difference between the request time and the current time is too large.",
    )
    assert error.fields == {
        "RequestTime": AMZ_DATE,
        "ServerTime": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "MaxAllowedSkewMilliseconds": "900000",
    }


@pytest.mark.parametrize("family", FAMILIES)
def test_skew_of_exactly_15_minutes_is_accepted(family: str) -> None:
    _verify(_sign(family), family, now=around(SIGNING_TIME, 15 * 60))
    _verify(_sign(family), family, now=around(SIGNING_TIME, -15 * 60))


# ---------------------------------------------------------------------------------------------------- headers


@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize("padding", ["", "x-pad;" * 100], ids=["usual", "longer-than-the-parse-cache-keeps"])
def test_host_must_be_signed(family: str, padding: str) -> None:
    request = _sign(family)
    authorization = (request.header("authorization") or "").replace("host;", "")
    authorization = authorization.replace("SignedHeaders=", f"SignedHeaders={padding}")
    error = _error(with_header(request, "Authorization", authorization), family)
    if family == "rest-xml":
        assert (error.code, error.status) == ("AuthorizationHeaderMalformed", 400)
    else:
        message = "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."
        assert _observed(error) == _incomplete(family, message)


@pytest.mark.parametrize("family", FAMILIES)
def test_signed_header_absent_from_the_request_is_refused(family: str) -> None:
    error = _error(with_header(_sign(family), "X-Custom", None), family)
    message = "'x-custom' is named as a SignedHeader, but it does not exist in the HTTP request."
    if family == "rest-xml":
        assert _observed(error) == (
            "AuthorizationHeaderMalformed",
            400,
            f"The authorization header is malformed; {message}",
        )
    else:
        assert _observed(error) == _incomplete(family, message)


def test_s3_refuses_x_amz_headers_added_after_signing() -> None:
    request = with_header(_sign("rest-xml"), "X-Amz-Meta-Late", "value")
    error = _error(request, "rest-xml")
    assert _observed(error) == (
        "AccessDenied",
        403,
        "There were headers present in the request which were not signed",
    )
    assert error.fields == {"HeadersNotSigned": "x-amz-meta-late"}


@pytest.mark.parametrize("family", ["query", "json", "rest-json"])
def test_other_services_accept_unsigned_headers_added_after_signing(family: str) -> None:
    _verify(with_header(_sign(family), "X-Amz-Meta-Late", "value"), family)


# ---------------------------------------------------------------------------------------------------- keys and signature


@pytest.mark.parametrize("family", ["query", "json", "rest-json"])
def test_wrong_secret_is_signature_mismatch(family: str) -> None:
    error = _error(_sign(family, secret_key="not-the-secret"), family)
    assert _observed(error) == _signature_family(family, MISMATCH)
    assert error.fields == {}


def test_s3_signature_mismatch_explains_what_was_expected() -> None:
    error = _error(_sign("rest-xml", secret_key="not-the-secret"), "rest-xml")
    assert _observed(error) == ("SignatureDoesNotMatch", 403, S3_MISMATCH)
    assert error.fields["AWSAccessKeyId"] == ACCESS_KEY
    assert error.fields["StringToSign"].startswith(
        f"AWS4-HMAC-SHA256\n{AMZ_DATE}\n20240517/us-east-1/s3/aws4_request\n"
    )
    assert error.fields["CanonicalRequest"].startswith("GET\n/bucket/key\n\n")
    assert error.fields["CanonicalRequestBytes"].startswith("47 45 54 0a")
    assert len(error.fields["SignatureProvided"]) == 64
    assert set(error.fields) == {
        "AWSAccessKeyId",
        "StringToSign",
        "SignatureProvided",
        "StringToSignBytes",
        "CanonicalRequest",
        "CanonicalRequestBytes",
    }


UNKNOWN_KEY = {
    "query": ("InvalidClientTokenId", 403, INVALID_TOKEN),
    "json": ("UnrecognizedClientException", 400, INVALID_TOKEN),
    "rest-json": ("UnrecognizedClientException", 403, INVALID_TOKEN),
    "rest-xml": (
        "InvalidAccessKeyId",
        403,
        "The AWS Access Key Id you provided does not exist in our records.",
    ),
}


@pytest.mark.parametrize("family", FAMILIES)
def test_unknown_access_key_is_refused(family: str) -> None:
    error = _error(_sign(family, access_key="AKIAUNKNOWN000000000"), family)
    assert _observed(error) == UNKNOWN_KEY[family]
    if family == "rest-xml":
        assert error.fields == {"AWSAccessKeyId": "AKIAUNKNOWN000000000"}


@pytest.mark.parametrize("family", FAMILIES)
def test_inactive_key_answers_like_an_unknown_key(family: str) -> None:
    error = _error(_sign(family), family, resolve=resolver(credential(active=False)))
    assert _observed(error) == UNKNOWN_KEY[family]


WRONG_TOKEN = {
    "query": ("InvalidClientTokenId", 403, INVALID_TOKEN),
    "json": ("UnrecognizedClientException", 400, INVALID_TOKEN),
    "rest-json": ("UnrecognizedClientException", 403, INVALID_TOKEN),
    "rest-xml": ("InvalidToken", 400, "The provided token is malformed or otherwise invalid."),
}


@pytest.mark.parametrize("family", FAMILIES)
def test_session_token_must_be_the_credentials_token(family: str) -> None:
    session = resolver(credential(session_token=TOKEN))
    _verify(_sign(family, token=TOKEN), family, resolve=session)
    assert _observed(_error(_sign(family, token=TOKEN + "x"), family, resolve=session)) == WRONG_TOKEN[family]


@pytest.mark.parametrize("family", FAMILIES)
def test_temporary_key_without_its_token_is_refused(family: str) -> None:
    session = resolver(credential(session_token=TOKEN))
    assert _observed(_error(_sign(family), family, resolve=session)) == WRONG_TOKEN[family]


@pytest.mark.parametrize("family", FAMILIES)
def test_long_term_key_with_a_token_is_refused(family: str) -> None:
    assert _observed(_error(_sign(family, token=TOKEN), family)) == WRONG_TOKEN[family]


EXPIRED_TOKEN = {
    "query": ("ExpiredToken", 403, "The security token included in the request is expired"),
    "json": ("ExpiredTokenException", 400, "The security token included in the request is expired"),
    "rest-json": ("ExpiredTokenException", 403, "The security token included in the request is expired"),
    "rest-xml": ("ExpiredToken", 400, "The provided token has expired."),
}


@pytest.mark.parametrize("family", FAMILIES)
def test_expired_temporary_credentials_are_refused(family: str) -> None:
    expires_at = SIGNING_TIME + timedelta(hours=1)
    session = resolver(credential(session_token=TOKEN, expires_at=expires_at))
    request = _sign(family, token=TOKEN)
    _verify(request, family, resolve=session, service_now=expires_at - timedelta(seconds=1))
    error = _error(request, family, resolve=session, service_now=expires_at)
    assert _observed(error) == EXPIRED_TOKEN[family]


# ---------------------------------------------------------------------------------------------------- presigned URLs


@pytest.mark.parametrize("family", ["query", "json", "rest-json"])
def test_presigned_url_expires_after_x_amz_expires(family: str) -> None:
    request = _sign(family, presign=120)
    assert _verify(request, family, now=around(SIGNING_TIME, 120)).presigned
    message = (
        "Signature expired: 20240517T093000Z is now earlier than 20240517T093001Z (20240517T093201Z - 2 min.)"
    )
    assert _observed(_error(request, family, now=around(SIGNING_TIME, 121))) == _signature_family(
        family, message
    )


def test_presigned_url_outside_s3_is_bound_by_the_15_minute_window() -> None:
    request = _sign("query", presign=3600)
    error = _error(request, "query", now=around(SIGNING_TIME, 16 * 60))
    assert error.message.endswith("(20240517T094600Z - 15 min.)")


def test_s3_presigned_url_lives_its_whole_expiry() -> None:
    request = _sign("rest-xml", presign=604800)
    assert _verify(request, "rest-xml", now=around(SIGNING_TIME, 604800)).presigned
    error = _error(request, "rest-xml", now=around(SIGNING_TIME, 604801))
    assert _observed(error) == ("AccessDenied", 403, "Request has expired")
    assert error.fields == {
        "X-Amz-Expires": "604800",
        "Expires": "2024-05-24T09:30:00Z",
        "ServerTime": "2024-05-24T09:30:01Z",
    }


def test_s3_presigned_url_dated_in_the_future_is_not_yet_valid() -> None:
    error = _error(_sign("rest-xml", presign=60), "rest-xml", now=around(SIGNING_TIME, -16 * 60))
    assert _observed(error) == ("AccessDenied", 403, "Request is not yet valid")


@pytest.mark.parametrize("family", FAMILIES)
def test_presigned_url_missing_a_parameter_is_refused(family: str) -> None:
    request = _sign(family, presign=60)
    query = "&".join(
        piece for piece in request.query_string.split("&") if not piece.startswith("X-Amz-SignedHeaders=")
    )
    error = _error(replace(request, query_string=query), family)
    if family == "rest-xml":
        message = (
            "Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, "
            "X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters."
        )
        assert _observed(error) == ("AuthorizationQueryParametersError", 400, message)
    else:
        message = "AWS query-string parameters must include 'X-Amz-SignedHeaders'. Re-examine the query-string parameters."
        assert _observed(error) == _incomplete(family, message)


@pytest.mark.parametrize(
    ("expires", "problem"),
    [
        (
            "604801",
            "X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires must be less than 604800 seconds",
        ),
        ("-5", "X-Amz-Expires must be non-negative"),
        ("soon", "X-Amz-Expires should be a number"),
        ("0", "X-Amz-Expires must be at least 1 second"),
    ],
)
def test_s3_presigned_expiry_must_be_between_1_second_and_a_week(expires: str, problem: str) -> None:
    request = _sign("rest-xml", presign=60)
    request = replace(
        request, query_string=request.query_string.replace("X-Amz-Expires=60", f"X-Amz-Expires={expires}")
    )
    assert _observed(_error(request, "rest-xml")) == ("AuthorizationQueryParametersError", 400, problem)


@pytest.mark.parametrize("family", FAMILIES)
def test_presigned_url_with_another_algorithm_is_refused(family: str) -> None:
    request = _sign(family, presign=60)
    request = replace(
        request, query_string=request.query_string.replace("AWS4-HMAC-SHA256", "AWS4-HMAC-SHA512")
    )
    error = _error(request, family)
    assert error.status == (403 if family == "rest-json" else 400)
    assert error.message == 'X-Amz-Algorithm only supports "AWS4-HMAC-SHA256"'


@pytest.mark.parametrize("family", FAMILIES)
def test_presigned_url_with_session_token_in_the_query_verifies(family: str) -> None:
    request = _sign(family, presign=60, token=TOKEN)
    assert "X-Amz-Security-Token=" in request.query_string
    assert _verify(request, family, resolve=resolver(credential(session_token=TOKEN))).presigned


# ---------------------------------------------------------------------------------------------------- payload


def test_s3_header_auth_requires_x_amz_content_sha256() -> None:
    request = with_header(_sign("rest-xml"), "X-Amz-Content-SHA256", None)
    expected = ("InvalidRequest", 400, "Missing required header for this request: x-amz-content-sha256")
    assert _observed(_error(request, "rest-xml")) == expected


def test_s3_refuses_an_unknown_payload_declaration() -> None:
    error = _error(
        _sign("rest-xml", headers={"X-Amz-Content-SHA256": "maybe"}, keep_payload_header=True), "rest-xml"
    )
    assert (error.code, error.status) == ("InvalidArgument", 400)
    assert error.message.startswith(
        "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER"
    )
    assert error.fields == {"ArgumentName": "x-amz-content-sha256", "ArgumentValue": "maybe"}


def test_s3_body_that_does_not_match_its_declared_sha256_is_refused() -> None:
    request = _sign("rest-xml", method="PUT", body=b"original")
    error = _error(replace(request, body=b"tampered"), "rest-xml")
    assert _observed(error) == (
        "XAmzContentSHA256Mismatch",
        400,
        "The provided 'x-amz-content-sha256' header does not match what was computed.",
    )
    assert error.fields["ClientComputedContentSHA256"] == request.header("x-amz-content-sha256")


def test_s3_unsigned_payload_accepts_any_body() -> None:
    headers = {"X-Amz-Content-SHA256": "UNSIGNED-PAYLOAD"}
    request = _sign("rest-xml", method="PUT", headers=headers, body=b"a", keep_payload_header=True)
    assert _verify(replace(request, body=b"b"), "rest-xml").body == b"b"


def test_s3_sigv4a_streaming_is_not_implemented() -> None:
    headers = {"X-Amz-Content-SHA256": "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD"}
    request = _sign("rest-xml", headers=headers, keep_payload_header=True)
    error = _error(request, "rest-xml")
    assert (error.code, error.status) == ("NotImplemented", 501)


@pytest.mark.parametrize("family", ["query", "json", "rest-json"])
def test_declared_payload_hash_outside_s3_must_match_the_body(family: str) -> None:
    from shieldwall.auth.sigv4 import sha256_hex

    request = _sign(
        family, method="POST", headers={"X-Amz-Content-SHA256": sha256_hex(b"body")}, body=b"body"
    )
    _verify(request, family)
    assert _observed(_error(replace(request, body=b"other"), family)) == _signature_family(family, MISMATCH)


@pytest.mark.parametrize("family", ["query", "json", "rest-json"])
def test_body_is_covered_by_the_signature_outside_s3(family: str) -> None:
    request = _sign(family, method="POST", body=b'{"KeyId": "a"}')
    assert _observed(_error(replace(request, body=b'{"KeyId": "b"}'), family)) == _signature_family(
        family, MISMATCH
    )


def test_unknown_protocol_family_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="unknown protocol family"):
        verify(_sign("json"), resolver(), family="ec2", skew_now=SIGNING_TIME, service_now=SIGNING_TIME)
