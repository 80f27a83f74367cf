"""Reading the SigV4 parameters a request carries: the Authorization header or a presigned URL's query.

The result, `SigV4Params`, says who claims to have signed (access key and credential scope), what was signed
(the signed header names) and when (the request time); the verifier then checks each claim. Parsing never
trusts the request: every malformed or missing piece is AWS's matching error in the family's wire form.
"""

from __future__ import annotations

import functools
import re
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import NamedTuple

from shieldwall.auth import sigv4
from shieldwall.auth.errors import auth_error
from shieldwall.http import HttpRequest
from shieldwall.memo import short_values_cached

MAX_PRESIGNED_EXPIRES = 604800
PRESIGNED_PARAMS = (
    "X-Amz-Algorithm",
    "X-Amz-Credential",
    "X-Amz-Signature",
    "X-Amz-Date",
    "X-Amz-SignedHeaders",
    "X-Amz-Expires",
)
_PRESIGNED_MARKERS = ("X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Signature")
_HEADER_REQUIREMENTS = (
    ("Credential", "Authorization header requires 'Credential' parameter."),
    ("Signature", "Authorization header requires 'Signature' parameter."),
    ("SignedHeaders", "Authorization header requires 'SignedHeaders' parameter."),
)
_DATE_REQUIREMENT = "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header."
_AMZ_DATE = re.compile(r"[0-9]{8}T[0-9]{6}Z")
_INTEGER = re.compile(r"-?[0-9]{1,12}")
_CACHED_LENGTH = 512  # the longest credential or SignedHeaders value the parse caches keep


class SigningScope(NamedTuple):
    date: str  # yyyymmdd
    region: str
    service: str  # the signing name in the credential scope, e.g. "sts", "kms", "s3", "service"


class SigV4Params(NamedTuple):
    """The SigV4 parameters a request carries, wherever they came from (a tuple: built on every request)."""

    access_key_id: str
    scope: SigningScope
    terminator: str
    signed_headers: tuple[str, ...]
    signed_headers_text: str
    signature: str
    amz_date: str
    request_time: datetime
    presigned: bool
    expires: int
    token: str | None
    authorization: str


def parse_auth(request: HttpRequest, family: str) -> SigV4Params:
    authorization = request.header("authorization")
    presigned = _has_presigned_params(request)
    if authorization is not None and presigned:
        raise auth_error("multiple_auth", family)
    if authorization is not None:
        return _parse_header_auth(request, authorization, family)
    if presigned:
        return _parse_query_auth(request, family)
    raise auth_error("missing_auth", family)


def _has_presigned_params(request: HttpRequest) -> bool:
    if not any(marker in request.query_string for marker in _PRESIGNED_MARKERS):
        return False
    return any(name in _PRESIGNED_MARKERS for name, _ in request.query_params)


def _parse_header_auth(request: HttpRequest, authorization: str, family: str) -> SigV4Params:
    algorithm, _, rest = authorization.strip().partition(" ")
    components, bad_pair = _components(rest)
    date_text = request.header("x-amz-date") or request.header("date")
    problems = [text for key, text in _HEADER_REQUIREMENTS if not components.get(key)]
    if algorithm != sigv4.ALGORITHM:
        problems = problems or [f"Unsupported AWS 'algorithm': '{algorithm}'."]
        kind = "unsupported_algorithm"
    elif bad_pair is not None:
        raise auth_error("malformed_pair", family, pair=bad_pair, authorization=authorization)
    else:
        kind = "malformed_authorization"
    if problems:
        if not date_text:
            problems.append(_DATE_REQUIREMENT)
        raise auth_error(kind, family, problems=" ".join(problems), authorization=authorization)
    if not date_text:
        raise auth_error("missing_date", family, authorization=authorization)
    amz_date, request_time = _request_time(request, family)
    return _build_auth(
        components["Credential"],
        components["SignedHeaders"],
        components["Signature"],
        amz_date,
        request_time,
        family,
        presigned=False,
        expires=0,
        token=request.header("x-amz-security-token"),
        authorization=authorization,
    )


def _components(rest: str) -> tuple[dict[str, str], str | None]:
    found: dict[str, str] = {}
    bad_pair: str | None = None
    for piece in rest.split(","):
        piece = piece.strip()
        if not piece:
            continue
        key, separator, value = piece.partition("=")
        if not separator:
            bad_pair = bad_pair or piece
            continue
        found.setdefault(key.strip(), value.strip())
    return found, bad_pair


def _request_time(request: HttpRequest, family: str) -> tuple[str, datetime]:
    """X-Amz-Date (ISO 8601 basic) wins over Date (RFC 1123); both are read as UTC."""
    amz_date = request.header("x-amz-date")
    if amz_date is not None:
        return amz_date, _parse_amz_date(amz_date, family)
    http_date = request.header("date") or ""
    try:
        parsed = parsedate_to_datetime(http_date)
    except (TypeError, ValueError, IndexError):
        raise auth_error("bad_date", family, date=http_date) from None
    when = parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
    return when.strftime(sigv4.AMZ_DATE_FORMAT), when


def _parse_amz_date(text: str, family: str) -> datetime:
    when = _amz_datetime(text)
    if when is None:
        raise auth_error("bad_date", family, date=text)
    return when


@functools.lru_cache(maxsize=1024)
def _amz_datetime(text: str) -> datetime | None:
    """Cached: under load many requests carry the same second."""
    if not _AMZ_DATE.fullmatch(text):
        return None
    try:
        return datetime(
            int(text[0:4]),
            int(text[4:6]),
            int(text[6:8]),
            int(text[9:11]),
            int(text[11:13]),
            int(text[13:15]),
            tzinfo=UTC,
        )
    except ValueError:
        return None


def _parse_query_auth(request: HttpRequest, family: str) -> SigV4Params:
    params = {name: request.query_param(name) for name in PRESIGNED_PARAMS}
    missing = [name for name, value in params.items() if not value]
    if missing:
        raise auth_error(
            "presigned_params_missing", family, missing=", ".join(f"'{name}'" for name in missing)
        )
    if params["X-Amz-Algorithm"] != sigv4.ALGORITHM:
        raise auth_error("presigned_bad_algorithm", family)
    expires = _presigned_expires(params["X-Amz-Expires"] or "", family)
    amz_date = params["X-Amz-Date"] or ""
    return _build_auth(
        params["X-Amz-Credential"] or "",
        params["X-Amz-SignedHeaders"] or "",
        params["X-Amz-Signature"] or "",
        amz_date,
        _parse_amz_date(amz_date, family),
        family,
        presigned=True,
        expires=expires,
        token=request.query_param("X-Amz-Security-Token"),
        authorization="",
    )


def _presigned_expires(text: str, family: str) -> int:
    if not _INTEGER.fullmatch(text):
        raise auth_error("presigned_bad_expires", family, problem="X-Amz-Expires should be a number")
    expires = int(text)
    if expires < 0:
        raise auth_error("presigned_bad_expires", family, problem="X-Amz-Expires must be non-negative")
    if expires == 0:
        raise auth_error("presigned_bad_expires", family, problem="X-Amz-Expires must be at least 1 second")
    if expires > MAX_PRESIGNED_EXPIRES:
        problem = (
            "X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires must be less "
            f"than {MAX_PRESIGNED_EXPIRES} seconds"
        )
        raise auth_error("presigned_bad_expires", family, problem=problem)
    return expires


def _build_auth(
    credential: str,
    signed_headers_text: str,
    signature_hex: str,
    amz_date: str,
    request_time: datetime,
    family: str,
    *,
    presigned: bool,
    expires: int,
    token: str | None,
    authorization: str,
) -> SigV4Params:
    parts = credential_parts(credential)
    if parts is None:
        raise auth_error("malformed_credential", family, credential=credential)
    signed_headers = _signed_header_names(signed_headers_text)
    if "host" not in signed_headers:
        raise auth_error("host_not_signed", family)
    access_key_id, scope, terminator = parts
    return SigV4Params(
        access_key_id=access_key_id,
        scope=scope,
        terminator=terminator,
        signed_headers=signed_headers,
        signed_headers_text=signed_headers_text,
        signature=signature_hex,
        amz_date=amz_date,
        request_time=request_time,
        presigned=presigned,
        expires=expires,
        token=token or None,
        authorization=authorization,
    )


@short_values_cached(_CACHED_LENGTH)
def credential_parts(credential: str) -> tuple[str, SigningScope, str] | None:
    """(access key id, scope, terminator) of `key/date/region/service/aws4_request`; None when malformed. Cached:
    a client signs request after request with one credential a day, and routing reads it before verification."""
    parts = credential.split("/")
    if len(parts) != 5 or not all(parts):
        return None
    return parts[0], SigningScope(parts[1], parts[2], parts[3]), parts[4]


@short_values_cached(_CACHED_LENGTH)
def _signed_header_names(text: str) -> tuple[str, ...]:
    return tuple(text.split(";"))


def credential_in_header(authorization: str) -> str | None:
    start = authorization.find("Credential=")
    if start < 0:
        return None
    value = authorization[start + len("Credential=") :]
    return value.split(",", 1)[0].strip()
