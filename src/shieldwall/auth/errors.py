"""AWS's authentication errors, one table for every protocol family.

The same failure reads differently depending on the service a client called: STS (query) answers
`SignatureDoesNotMatch` with 403, KMS (json) `InvalidSignatureException` with 400, Lambda (rest-json) the same
code with 403, and S3 (rest-xml) has codes of its own plus extra members that explain the failure. `auth_error`
looks up the form for a failure kind and a family and fills in the details.

Sources: messages seen in AWS answers quoted in public SDK issues (aws-sdk-js #254, aws-cli #6676, boto3 #509 and
#756, aws-sdk-java-v2 #1649, chalice #828, awslabs/aws-mobile-appsync-sdk-js #702, cloud9-sync #10) and S3's
documented error codes. Forms marked "unconfirmed" are shieldwall's choice where no real answer could be found:
they use the code botocore maps to the family's auth failure and a message in AWS's style.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from shieldwall.errors import AwsError

FAMILIES = ("query", "json", "rest-json", "rest-xml")
ANY = "*"

SIGNATURE_MISMATCH = (
    "The request signature we calculated does not match the signature you provided. Check your AWS Secret "
    "Access Key and signing method. Consult the service documentation for details."
)
S3_SIGNATURE_MISMATCH = (
    "The request signature we calculated does not match the signature you provided. Check your key and signing "
    "method."
)
INVALID_TOKEN = "The security token included in the request is invalid."
EXPIRED_TOKEN = "The security token included in the request is expired"
MISSING_TOKEN = "Request is missing Authentication Token"
EXPIRED = "Signature expired: {request_time} is now earlier than {earliest} ({now} - {window}.)"
NOT_YET_CURRENT = "Signature not yet current: {request_time} is still later than {latest} ({now} + {window}.)"
S3_MALFORMED = "The authorization header is malformed; "
S3_QUERY_PARAMETERS = (
    "Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, "
    "X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters."
)
ONE_AUTH_MECHANISM = (
    "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter "
    "or the Authorization header should be specified"
)
CONTENT_SHA256_VALUES = (
    "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, "
    "STREAMING-AWS4-HMAC-SHA256-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER, "
    "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD, STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER or a valid "
    "sha256 value."
)


@dataclass(frozen=True, slots=True)
class ErrorForm:
    code: str
    status: int
    message: str  # a str.format template over the details of the failure


def _per_family(
    code: str, message: str, query: int = 403, json: int = 400, rest_json: int = 403
) -> dict[str, ErrorForm]:
    """The query/json/rest-json forms of one failure: json services answer 400 where the others answer 403."""
    return {
        "query": ErrorForm(code, query, message),
        "json": ErrorForm(f"{code}Exception", json, message),
        "rest-json": ErrorForm(f"{code}Exception", rest_json, message),
    }


def _signature_family(message: str) -> dict[str, ErrorForm]:
    """Failures AWS reports as a signature mismatch: SignatureDoesNotMatch in query, InvalidSignatureException else."""
    return {
        "query": ErrorForm("SignatureDoesNotMatch", 403, message),
        "json": ErrorForm("InvalidSignatureException", 400, message),
        "rest-json": ErrorForm("InvalidSignatureException", 403, message),
    }


def _incomplete(message: str) -> dict[str, ErrorForm]:
    return _per_family("IncompleteSignature", message, query=400, json=400, rest_json=403)


def _s3(code: str, status: int, message: str) -> dict[str, ErrorForm]:
    return {"rest-xml": ErrorForm(code, status, message)}


_UNKNOWN_KEY = {
    "query": ErrorForm("InvalidClientTokenId", 403, INVALID_TOKEN),
    "json": ErrorForm("UnrecognizedClientException", 400, INVALID_TOKEN),
    "rest-json": ErrorForm("UnrecognizedClientException", 403, INVALID_TOKEN),
}

TABLE: dict[str, dict[str, ErrorForm]] = {
    "missing_auth": {
        **_per_family("MissingAuthenticationToken", MISSING_TOKEN),
        # API Gateway and Lambda word it without "Request is" (unconfirmed for other rest-json services).
        "rest-json": ErrorForm("MissingAuthenticationTokenException", 403, "Missing Authentication Token"),
        **_s3("AccessDenied", 403, "Access Denied"),
    },
    "multiple_auth": {
        # S3's answer; the other families' form is unconfirmed.
        **_incomplete(ONE_AUTH_MECHANISM),
        **_s3("InvalidArgument", 400, ONE_AUTH_MECHANISM),
    },
    "malformed_authorization": {
        **_incomplete("{problems} Authorization={authorization}"),
        **_s3(
            "AuthorizationHeaderMalformed",
            400,
            S3_MALFORMED
            + "the authorization header requires three components: Credential, SignedHeaders, and "
            "Signature.",
        ),
    },
    "unsupported_algorithm": {
        # A JWT or other non-SigV4 value: AWS lists every missing SigV4 component, as for a malformed header.
        **_incomplete("{problems} Authorization={authorization}"),
        **_s3("InvalidArgument", 400, "Unsupported Authorization Type"),
    },
    "malformed_pair": {
        **_incomplete(
            "'{pair}' not a valid key=value pair (missing equal-sign) in Authorization header: '{authorization}'."
        ),
        **_s3(
            "AuthorizationHeaderMalformed",
            400,
            S3_MALFORMED
            + "the authorization header requires three components: Credential, SignedHeaders, and "
            "Signature.",
        ),
    },
    "malformed_credential": {
        **_incomplete(
            "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got "
            "'{credential}'"
        ),
        **_s3(
            "AuthorizationHeaderMalformed",
            400,
            S3_MALFORMED
            + 'the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".',
        ),
    },
    "bad_terminator": {
        **_signature_family(
            "Credential should be scoped with a valid terminator: 'aws4_request', not '{terminator}'. "
        ),
        **_s3(
            "AuthorizationHeaderMalformed",
            400,
            S3_MALFORMED
            + 'the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".',
        ),
    },
    "invalid_region": {
        **_signature_family("Credential should be scoped to a valid region, not '{region}'. "),
        # Unconfirmed: S3 names the bucket's region, which the verifier does not know.
        **_s3(
            "AuthorizationHeaderMalformed",
            400,
            S3_MALFORMED + "the region '{region}' is wrong; expecting a valid region",
        ),
    },
    "wrong_service": {
        **_signature_family("Credential should be scoped to correct service: '{expected}'. "),
        **_s3(
            "AuthorizationHeaderMalformed",
            400,
            S3_MALFORMED + 'incorrect service "{service}". This endpoint belongs to "{expected}".',
        ),
    },
    "scope_date_mismatch": {
        **_signature_family(
            "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: "
            "'{scope_date}' != '{request_date}', from '{amz_date}'."
        ),
        **_s3(
            "AuthorizationHeaderMalformed",
            400,
            S3_MALFORMED + "Invalid credential date. Date is not the same as X-Amz-Date.",
        ),
    },
    "missing_date": {
        **_incomplete(
            "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. "
            "Authorization={authorization}"
        ),
        **_s3("AccessDenied", 403, "AWS authentication requires a valid Date or x-amz-date header"),
    },
    "bad_date": {
        **_incomplete(
            "Date must be in ISO-8601 'basic format'. Got '{date}'. See http://en.wikipedia.org/wiki/ISO_8601"
        ),
        **_s3("AccessDenied", 403, "AWS authentication requires a valid Date or x-amz-date header"),
    },
    "host_not_signed": {
        **_incomplete("'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."),
        # Unconfirmed for S3.
        **_s3(
            "AuthorizationHeaderMalformed",
            400,
            S3_MALFORMED + "'Host' must be a 'SignedHeader' in the AWS Authorization.",
        ),
    },
    "signed_header_missing": {
        **_incomplete("'{header}' is named as a SignedHeader, but it does not exist in the HTTP request."),
        # Unconfirmed for S3.
        **_s3(
            "AuthorizationHeaderMalformed",
            400,
            S3_MALFORMED
            + "'{header}' is named as a SignedHeader, but it does not exist in the HTTP request.",
        ),
    },
    "headers_not_signed": {
        # Only S3 requires every x-amz-* header to be signed; the other form is never raised.
        **_incomplete("There were headers present in the request which were not signed: {headers}"),
        **_s3("AccessDenied", 403, "There were headers present in the request which were not signed"),
    },
    "signature_mismatch": {
        **_signature_family(SIGNATURE_MISMATCH),
        **_s3("SignatureDoesNotMatch", 403, S3_SIGNATURE_MISMATCH),
    },
    "unknown_key": {
        **_UNKNOWN_KEY,
        **_s3("InvalidAccessKeyId", 403, "The AWS Access Key Id you provided does not exist in our records."),
    },
    "invalid_token": {
        **_UNKNOWN_KEY,
        **_s3("InvalidToken", 400, "The provided token is malformed or otherwise invalid."),
    },
    "expired_token": {
        "query": ErrorForm("ExpiredToken", 403, EXPIRED_TOKEN),
        "json": ErrorForm("ExpiredTokenException", 400, EXPIRED_TOKEN),
        "rest-json": ErrorForm("ExpiredTokenException", 403, EXPIRED_TOKEN),
        **_s3("ExpiredToken", 400, "The provided token has expired."),
    },
    "signature_expired": {
        **_signature_family(EXPIRED),
        **_s3(
            "RequestTimeTooSkewed",
            403,
            "The difference between the request time and the current time is too large.",
        ),
    },
    "signature_not_yet_current": {
        **_signature_family(NOT_YET_CURRENT),
        **_s3(
            "RequestTimeTooSkewed",
            403,
            "The difference between the request time and the current time is too large.",
        ),
    },
    "presigned_expired": {
        # Outside S3, unconfirmed: the clock-skew form with X-Amz-Expires as the window.
        **_signature_family(EXPIRED),
        **_s3("AccessDenied", 403, "Request has expired"),
    },
    "presigned_not_yet_valid": {
        **_signature_family(NOT_YET_CURRENT),
        **_s3("AccessDenied", 403, "Request is not yet valid"),
    },
    "presigned_params_missing": {
        # Outside S3, unconfirmed wording.
        **_incomplete(
            "AWS query-string parameters must include {missing}. Re-examine the query-string parameters."
        ),
        **_s3("AuthorizationQueryParametersError", 400, S3_QUERY_PARAMETERS),
    },
    "presigned_bad_algorithm": {
        **_incomplete('X-Amz-Algorithm only supports "AWS4-HMAC-SHA256"'),
        **_s3("AuthorizationQueryParametersError", 400, 'X-Amz-Algorithm only supports "AWS4-HMAC-SHA256"'),
    },
    "presigned_bad_expires": {
        # S3's wording for the week limit, sign and number; "at least 1 second" (for 0) is shieldwall's.
        **_incomplete("{problem}"),
        **_s3("AuthorizationQueryParametersError", 400, "{problem}"),
    },
    "content_sha256_missing": {
        **_incomplete("Missing required header for this request: x-amz-content-sha256"),
        **_s3("InvalidRequest", 400, "Missing required header for this request: x-amz-content-sha256"),
    },
    "content_sha256_invalid": {
        # Outside S3 a payload hash that is not a digest cannot match: reported as a signature mismatch.
        **_signature_family(SIGNATURE_MISMATCH),
        **_s3("InvalidArgument", 400, CONTENT_SHA256_VALUES),
    },
    "content_sha256_mismatch": {
        **_signature_family(SIGNATURE_MISMATCH),
        **_s3(
            "XAmzContentSHA256Mismatch",
            400,
            "The provided 'x-amz-content-sha256' header does not match what was computed.",
        ),
    },
    # aws-chunked payloads exist only in S3. The codes are S3's; which one S3 picks for each framing fault is
    # unconfirmed (IncompleteBody for broken framing, MissingContentLength without x-amz-decoded-content-length).
    "streaming_unsupported": {
        ANY: ErrorForm(
            "NotImplemented", 501, "A header you provided implies functionality that is not implemented"
        ),
    },
    "chunk_malformed": {
        ANY: ErrorForm("IncompleteBody", 400, "The request body terminated unexpectedly"),
    },
    "decoded_length_missing": {
        ANY: ErrorForm("MissingContentLength", 411, "You must provide the Content-Length HTTP header."),
    },
    "decoded_length_mismatch": {
        ANY: ErrorForm(
            "IncompleteBody",
            400,
            "You did not provide the number of bytes specified by the Content-Length HTTP header",
        ),
    },
    "trailer_unsupported": {
        ANY: ErrorForm(
            "InvalidRequest", 400, "The value specified in the x-amz-trailer header is not supported"
        ),
    },
    "checksum_invalid": {
        ANY: ErrorForm("InvalidRequest", 400, "Value for {header} header is invalid."),
    },
    "checksum_mismatch": {
        ANY: ErrorForm(
            "BadDigest", 400, "The {algorithm} you specified did not match the calculated checksum."
        ),
    },
}


def error_form(kind: str, family: str) -> ErrorForm:
    forms = TABLE[kind]
    form = forms.get(family) or forms.get(ANY)
    if form is None:
        raise KeyError(f"no `{kind}` error for protocol family `{family}`")
    return form


def auth_error(kind: str, family: str, *, fields: dict[str, Any] | None = None, **details: Any) -> AwsError:
    """The AwsError a client of a `family` service observes for failure `kind`; `details` fill the message."""
    form = error_form(kind, family)
    message = form.message.format(**details) if details else form.message
    return AwsError(form.code, message, form.status, fields=fields)
