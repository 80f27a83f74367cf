"""Verification of a whole SigV4 request: Authorization header or presigned query, with S3's payload rules.

`verify` runs the checks in the order AWS reports them: the form of the auth (header or query), the credential
scope (terminator, region, service, date), the clock, the S3 payload declaration, the key and its session token,
the signature, and finally the payload itself (its declared SHA-256, or its aws-chunked framing and chunk
signatures). Every failure is an AwsError in the wire form of the protocol family that was called; nothing it
cannot parse or verify is let through.
"""

from __future__ import annotations

import functools
import re
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple

import botocore.loaders

from shieldwall.auth import sigv4
from shieldwall.auth.chunked import ChunkSigning, DecodedBody, decode_streaming
from shieldwall.auth.credentials import Credential, CredentialResolver
from shieldwall.auth.errors import FAMILIES, auth_error
from shieldwall.auth.parsing import (
    SigningScope,
    SigV4Params,
    credential_in_header,
    credential_parts,
    parse_auth,
)
from shieldwall.clock import fmt_iso8601
from shieldwall.errors import AwsError
from shieldwall.http import HttpRequest

__all__ = ["SigningScope", "VerifiedRequest", "extract_scope", "known_regions", "verify"]

MAX_SKEW = timedelta(minutes=15)
_HEX_SHA256 = re.compile(r"[0-9a-fA-F]{64}")
_STREAMING = frozenset(
    {sigv4.STREAMING_SIGNED, sigv4.STREAMING_SIGNED_TRAILER, sigv4.STREAMING_UNSIGNED_TRAILER}
)
_S3_PAYLOAD_KEYWORDS = _STREAMING | {sigv4.UNSIGNED_PAYLOAD}


class VerifiedRequest(NamedTuple):
    credential: Credential
    scope: SigningScope
    signed_headers: tuple[str, ...]
    presigned: bool
    request_time: datetime  # X-Amz-Date / Date, aware UTC
    body: bytes  # the payload with any aws-chunked framing removed, else request.body
    # Trailing headers of an aws-chunked body (x-amz-checksum-*), already verified against `body`.
    trailers: tuple[tuple[str, str], ...] = ()


# ---------------------------------------------------------------------------------------------------- routing


def extract_scope(request: HttpRequest) -> SigningScope | None:
    """Cheap: the credential scope from the Authorization header or the X-Amz-Credential query parameter,
    or None when the request carries no SigV4 auth at all. Never raises; used by routing before verification."""
    try:
        authorization = request.header("authorization")
        if authorization is not None:
            credential = credential_in_header(authorization)
        elif "X-Amz-Credential" in request.query_string:
            credential = request.query_param("X-Amz-Credential")
        else:
            return None
        parts = credential_parts(credential) if credential else None
        return parts[1] if parts is not None else None
    except Exception:  # routing must never fail on a hostile header
        return None


@functools.cache
def known_regions() -> frozenset[str]:
    """Every region botocore's partition data names (pseudo-regions such as `aws-global` cannot sign)."""
    loader = botocore.loaders.Loader()
    regions: set[str] = set()
    for partition in loader.load_data("endpoints")["partitions"]:
        regions.update(partition["regions"])
    for partition in loader.load_data("partitions")["partitions"]:
        regions.update(name for name in partition["regions"] if not name.endswith("-global"))
    return frozenset(regions)


# ---------------------------------------------------------------------------------------------------- verify


def verify(
    request: HttpRequest,
    resolver: CredentialResolver,
    *,
    family: str,
    skew_now: datetime,
    service_now: datetime,
    expected_service: str | None = None,
    s3: bool = False,
) -> VerifiedRequest:
    """Raise shieldwall.errors.AwsError in the wire form of `family` ("query", "json", "rest-json",
    "rest-xml"), or return the verified request."""
    if family not in FAMILIES:
        raise ValueError(f"unknown protocol family `{family}`")
    auth = parse_auth(request, family)
    check_scope(auth, family, expected_service)
    check_time(auth, family, skew_now, s3=s3)
    payload_hash = s3_payload_hash(request, auth, family) if s3 else payload_hash_of(request, family)
    if s3:
        check_amz_headers_signed(request, auth, family)
    credential = resolve_credential(auth, resolver, family, service_now)
    key = check_signature(request, auth, credential, payload_hash, family, s3=s3)
    if request.header("x-amz-content-sha256") is not None:  # else the hash was computed from the body
        check_declared_payload(request, payload_hash, family)
    decoded = _decode_body(request, auth, key, payload_hash, family)
    return VerifiedRequest(
        credential=credential,
        scope=auth.scope,
        signed_headers=auth.signed_headers,
        presigned=auth.presigned,
        request_time=auth.request_time,
        body=decoded.data,
        trailers=decoded.trailers,
    )


# ---------------------------------------------------------------------------------------------------- scope and time


def check_scope(auth: SigV4Params, family: str, expected_service: str | None) -> None:
    scope = auth.scope
    if auth.terminator != sigv4.TERMINATOR:
        raise auth_error("bad_terminator", family, terminator=auth.terminator)
    if scope.region not in known_regions():
        raise auth_error("invalid_region", family, region=scope.region)
    if expected_service is not None and scope.service != expected_service:
        raise auth_error("wrong_service", family, expected=expected_service, service=scope.service)
    if scope.date != auth.amz_date[:8]:
        raise auth_error(
            "scope_date_mismatch",
            family,
            scope_date=scope.date,
            request_date=auth.amz_date[:8],
            amz_date=auth.amz_date,
        )


def check_time(auth: SigV4Params, family: str, now: datetime, *, s3: bool) -> None:
    """Header auth must be within 15 minutes of the server's clock. A presigned URL lives X-Amz-Expires seconds;
    outside S3 (STS, RDS tokens, ...) it must also pass the 15-minute check, as AWS applies it there too."""
    if auth.presigned and s3:
        _check_presigned_s3(auth, family, now)
        return
    _check_skew(auth, family, now)
    if auth.presigned and now > auth.request_time + timedelta(seconds=auth.expires):
        window = f"{auth.expires // 60} min" if auth.expires % 60 == 0 else f"{auth.expires} sec"
        earliest = now - timedelta(seconds=auth.expires)
        raise auth_error(
            "presigned_expired", family, **_window_details(auth, now, earliest, window, "earliest")
        )


def _check_skew(auth: SigV4Params, family: str, now: datetime) -> None:
    if auth.request_time < now - MAX_SKEW:
        details = _window_details(auth, now, now - MAX_SKEW, "15 min", "earliest")
        raise auth_error("signature_expired", family, fields=_skew_fields(auth, family, now), **details)
    if auth.request_time > now + MAX_SKEW:
        details = _window_details(auth, now, now + MAX_SKEW, "15 min", "latest")
        raise auth_error(
            "signature_not_yet_current", family, fields=_skew_fields(auth, family, now), **details
        )


def _skew_fields(auth: SigV4Params, family: str, now: datetime) -> dict[str, Any] | None:
    return _s3_fields(
        family,
        RequestTime=auth.amz_date,
        ServerTime=fmt_iso8601(now),
        MaxAllowedSkewMilliseconds=str(int(MAX_SKEW.total_seconds() * 1000)),
    )


def _check_presigned_s3(auth: SigV4Params, family: str, now: datetime) -> None:
    expires_at = auth.request_time + timedelta(seconds=auth.expires)
    if auth.request_time > now + MAX_SKEW:
        fields = _s3_fields(
            family,
            **{"X-Amz-Date": str(int(auth.request_time.timestamp() * 1000))},
            Expires=fmt_iso8601(expires_at),
            ServerTime=fmt_iso8601(now),
        )
        details = _window_details(auth, now, now + MAX_SKEW, "15 min", "latest")
        raise auth_error("presigned_not_yet_valid", family, fields=fields, **details)
    if now > expires_at:
        fields = _s3_fields(
            family,
            **{"X-Amz-Expires": str(auth.expires)},
            Expires=fmt_iso8601(expires_at),
            ServerTime=fmt_iso8601(now),
        )
        details = _window_details(
            auth, now, now - timedelta(seconds=auth.expires), f"{auth.expires} sec", "earliest"
        )
        raise auth_error("presigned_expired", family, fields=fields, **details)


def _window_details(
    auth: SigV4Params, now: datetime, bound: datetime, window: str, bound_name: str
) -> dict[str, Any]:
    return {
        "request_time": auth.amz_date,
        bound_name: bound.strftime(sigv4.AMZ_DATE_FORMAT),
        "now": now.astimezone(UTC).strftime(sigv4.AMZ_DATE_FORMAT),
        "window": window,
    }


def _s3_fields(family: str, **fields: str) -> dict[str, Any] | None:
    """S3 explains auth failures with extra members; the other families carry only code and message."""
    return dict(fields) if family == "rest-xml" else None


# ---------------------------------------------------------------------------------------------------- payload


def payload_hash_of(request: HttpRequest, family: str) -> str:
    """Outside S3 the payload is signed by its SHA-256, unless the client declared it (x-amz-content-sha256)."""
    declared = request.header("x-amz-content-sha256")
    if declared is None:
        return sigv4.sha256_hex(request.body)
    if declared == sigv4.UNSIGNED_PAYLOAD or _HEX_SHA256.fullmatch(declared):
        return declared
    raise auth_error("content_sha256_invalid", family)


def s3_payload_hash(request: HttpRequest, auth: SigV4Params, family: str) -> str:
    """S3 signs the declared x-amz-content-sha256 (required with header auth; UNSIGNED-PAYLOAD when a presigned
    URL declares nothing). The body is checked against a declared digest only once the signature holds."""
    declared = request.header("x-amz-content-sha256")
    if declared is None:
        if auth.presigned:
            return sigv4.UNSIGNED_PAYLOAD
        raise auth_error("content_sha256_missing", family)
    if (declared in _STREAMING and auth.presigned) or declared.startswith("STREAMING-AWS4-ECDSA"):
        raise auth_error(
            "streaming_unsupported", family, fields=_s3_fields(family, Header="x-amz-content-sha256")
        )
    if declared in _S3_PAYLOAD_KEYWORDS or _HEX_SHA256.fullmatch(declared):
        return declared
    fields = _s3_fields(family, ArgumentName="x-amz-content-sha256", ArgumentValue=declared)
    raise auth_error("content_sha256_invalid", family, fields=fields)


def check_amz_headers_signed(request: HttpRequest, auth: SigV4Params, family: str) -> None:
    """S3 refuses x-amz-* headers that the signature does not cover: they change what the request does."""
    signed = set(auth.signed_headers)
    unsigned = sorted(
        {name for name, _ in request.headers if name.startswith("x-amz-") and name not in signed}
    )
    if unsigned:
        fields = _s3_fields(family, HeadersNotSigned=", ".join(unsigned))
        raise auth_error("headers_not_signed", family, fields=fields, headers=", ".join(unsigned))


def check_declared_payload(request: HttpRequest, payload_hash: str, family: str) -> None:
    if not _HEX_SHA256.fullmatch(payload_hash):
        return
    computed = sigv4.sha256_hex(request.body)
    if computed != payload_hash.lower():
        fields = _s3_fields(
            family, ClientComputedContentSHA256=payload_hash, S3ComputedContentSHA256=computed
        )
        raise auth_error("content_sha256_mismatch", family, fields=fields)


def _decode_body(
    request: HttpRequest, auth: SigV4Params, key: bytes, payload_hash: str, family: str
) -> DecodedBody:
    if payload_hash not in _STREAMING:
        return DecodedBody(request.body, ())
    signing = None
    if payload_hash != sigv4.STREAMING_UNSIGNED_TRAILER:
        scope = sigv4.credential_scope(auth.scope.date, auth.scope.region, auth.scope.service)
        signing = ChunkSigning(key, auth.amz_date, scope, auth.signature)
    return decode_streaming(request, payload_hash, signing, family)


# ---------------------------------------------------------------------------------------------------- key and signature


def resolve_credential(
    auth: SigV4Params, resolver: CredentialResolver, family: str, service_now: datetime
) -> Credential:
    """The key that signed; an inactive key answers exactly like an unknown one, as in AWS."""
    credential = resolver.lookup(auth.access_key_id)
    if credential is None or not credential.active:
        raise auth_error("unknown_key", family, fields=_s3_fields(family, AWSAccessKeyId=auth.access_key_id))
    check_session_token(credential, auth.token, family)
    if credential.expires_at is not None and credential.expires_at <= service_now:
        raise auth_error("expired_token", family, fields=_s3_fields(family, **{"Token-0": auth.token or ""}))
    return credential


def check_session_token(credential: Credential, provided: str | None, family: str) -> None:
    """Temporary keys are valid only with their own token; a long-term key must not carry one."""
    expected = credential.session_token
    if expected is None and provided is None:
        return
    if expected is None or provided is None or not sigv4.signatures_equal(expected, provided):
        raise auth_error("invalid_token", family)


def check_signature(
    request: HttpRequest,
    auth: SigV4Params,
    credential: Credential,
    payload_hash: str,
    family: str,
    *,
    s3: bool,
) -> bytes:
    """Recompute the signature; return the signing key (aws-chunked bodies sign their chunks with it)."""
    canonical = canonical_request_of(request, auth, payload_hash, family, s3=s3)
    scope = sigv4.credential_scope(auth.scope.date, auth.scope.region, auth.scope.service)
    to_sign = sigv4.string_to_sign(auth.amz_date, scope, canonical)
    key = sigv4.signing_key(
        credential.secret_access_key, auth.scope.date, auth.scope.region, auth.scope.service
    )
    expected = sigv4.signature(key, to_sign)
    if not sigv4.signatures_equal(expected, auth.signature):
        raise _signature_mismatch(auth, canonical, to_sign, family)
    return key


def canonical_request_of(
    request: HttpRequest, auth: SigV4Params, payload_hash: str, family: str, *, s3: bool
) -> str:
    values = sigv4.header_values(request.headers, auth.signed_headers)
    for name in auth.signed_headers:
        if not values[name]:
            raise auth_error("signed_header_missing", family, header=name)
    return sigv4.canonical_request(
        request.method,
        sigv4.canonical_uri(request.raw_path, s3=s3),
        sigv4.canonical_query(request.query_string, exclude="X-Amz-Signature" if auth.presigned else None),
        sigv4.canonical_headers(values, auth.signed_headers),
        auth.signed_headers_text,
        payload_hash,
    )


def _signature_mismatch(auth: SigV4Params, canonical: str, to_sign: str, family: str) -> AwsError:
    fields = _s3_fields(
        family,
        AWSAccessKeyId=auth.access_key_id,
        StringToSign=to_sign,
        SignatureProvided=auth.signature,
        StringToSignBytes=_spaced_hex(to_sign),
        CanonicalRequest=canonical,
        CanonicalRequestBytes=_spaced_hex(canonical),
    )
    return auth_error("signature_mismatch", family, fields=fields)


def _spaced_hex(text: str) -> str:
    return " ".join(f"{byte:02x}" for byte in sigv4.utf8(text))
