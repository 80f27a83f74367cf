"""Signature Version 4, one pure function per step: canonical request, string to sign, signing key, signature.

The verifier recomputes what the client signed from the raw request and compares. Each step is a separate
function so a test (or an error report) can say which step differs from the client's: the SigV4 test suite and
botocore's signer are checked against these functions one step at a time.

Inputs are the request as it arrived on the wire: `raw_path` still percent-encoded, `query_string` raw, header
names lower-cased. Strings are hashed as the bytes they were decoded from (see `utf8`), never lossily.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import re
from collections.abc import Iterable, Mapping, Sequence
from urllib.parse import quote, unquote_to_bytes

ALGORITHM = "AWS4-HMAC-SHA256"
TERMINATOR = "aws4_request"
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()
UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD"
STREAMING_SIGNED = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"
STREAMING_SIGNED_TRAILER = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER"
STREAMING_UNSIGNED_TRAILER = "STREAMING-UNSIGNED-PAYLOAD-TRAILER"
AMZ_DATE_FORMAT = "%Y%m%dT%H%M%SZ"

_UNRESERVED = "-_.~"
_PLAIN_QUERY_TEXT = re.compile(r"[A-Za-z0-9\-_.~]*")
_S3_WIRE_PATH = re.compile(r"[A-Za-z0-9\-_.~/%]*")
_SIGNING_KEY_CACHE_SIZE = 4096


def utf8(text: str) -> bytes:
    """The bytes a str stands for. The gateway decodes the wire as UTF-8 with surrogateescape, so this gives back
    exactly the bytes the client sent; any other lone surrogate is passed through rather than failing."""
    try:
        return text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogatepass")


def sha256_hex(data: bytes | bytearray | memoryview) -> str:
    return hashlib.sha256(data).hexdigest()


def normalize_path(path: str) -> str:
    """RFC 3986 dot-segment removal as the SigV4 suite expects it: empty segments collapse too (`//a//` -> `/a/`)."""
    segments: list[str] = []
    for segment in path.split("/"):
        if segment == "..":
            if segments:
                segments.pop()
        elif segment and segment != ".":
            segments.append(segment)
    trailing = "/" if path.endswith("/") and segments else ""
    return "/" + "/".join(segments) + trailing


def canonical_uri(raw_path: str, *, s3: bool = False) -> str:
    """The path line of the canonical request, from the path as it arrived (still percent-encoded).

    Every service but S3 normalises the path and encodes it once more: clients sign the encoding of the encoded
    path, so `%20` on the wire is `%2520` in the canonical request. S3 signs the wire path as it is; characters a
    client left unencoded (a raw space, UTF-8) are encoded as the client's signer would have.
    """
    if s3:
        return raw_path if _S3_WIRE_PATH.fullmatch(raw_path) else quote(utf8(raw_path), safe="/~%")
    if raw_path == "/":
        return raw_path
    return quote(utf8(normalize_path(raw_path)), safe="/~")


def canonical_query_text(text: str) -> str:
    """One query name or value in canonical form: decoded (as the parameter parser decodes it, `+` is a space),
    then percent-encoded byte for byte with everything but the unreserved characters escaped."""
    if _PLAIN_QUERY_TEXT.fullmatch(text):
        return text
    return quote(unquote_to_bytes(utf8(text.replace("+", " "))), safe=_UNRESERVED)


def canonical_query(query_string: str, *, exclude: str | None = None) -> str:
    """The sorted, re-encoded query string; `exclude` drops a parameter (X-Amz-Signature in a presigned URL)."""
    if not query_string:
        return ""
    pairs: list[tuple[str, str]] = []
    for piece in query_string.split("&"):
        if not piece:
            continue
        name, _, value = piece.partition("=")
        canonical_name = canonical_query_text(name)
        if canonical_name != exclude:
            pairs.append((canonical_name, canonical_query_text(value)))
    pairs.sort()
    return "&".join(f"{name}={value}" for name, value in pairs)


def header_values(headers: Iterable[tuple[str, str]], names: Iterable[str]) -> dict[str, list[str]]:
    """The values of each signed header, in arrival order (a name absent from the request maps to [])."""
    found: dict[str, list[str]] = {name: [] for name in names}
    for name, value in headers:
        bucket = found.get(name)
        if bucket is not None:
            bucket.append(value)
    return found


def canonical_header_value(values: Sequence[str]) -> str:
    """Each value trimmed with inner runs of whitespace (obs-fold line breaks included) collapsed, joined by `,`."""
    return ",".join(" ".join(value.split()) for value in values)


def canonical_headers(values: Mapping[str, Sequence[str]], signed_headers: Sequence[str]) -> str:
    lines = []
    for name in signed_headers:
        found = values[name]
        # Hot path: one value per header (a generator-based join costs three times as much).
        value = " ".join(found[0].split()) if len(found) == 1 else canonical_header_value(found)
        lines.append(f"{name}:{value}\n")
    return "".join(lines)


def canonical_request(
    method: str, uri: str, query: str, headers_block: str, signed_headers: str, payload_hash: str
) -> str:
    return f"{method}\n{uri}\n{query}\n{headers_block}\n{signed_headers}\n{payload_hash}"


def credential_scope(date: str, region: str, service: str) -> str:
    return f"{date}/{region}/{service}/{TERMINATOR}"


def string_to_sign(amz_date: str, scope: str, canonical: str) -> str:
    return f"{ALGORITHM}\n{amz_date}\n{scope}\n{sha256_hex(utf8(canonical))}"


def _hmac(key: bytes, message: str) -> bytes:
    return hmac.digest(key, utf8(message), "sha256")


@functools.lru_cache(maxsize=_SIGNING_KEY_CACHE_SIZE)
def signing_key(secret: str, date: str, region: str, service: str) -> bytes:
    """The derived key: four HMACs, cached so the hot path pays them once per key, day, region and service."""
    key = _hmac(utf8("AWS4" + secret), date)
    key = _hmac(key, region)
    key = _hmac(key, service)
    return _hmac(key, TERMINATOR)


def signature(key: bytes, to_sign: str) -> str:
    return hmac.digest(key, utf8(to_sign), "sha256").hex()


def authorization_header(access_key_id: str, scope: str, signed_headers: str, signature_hex: str) -> str:
    return f"{ALGORITHM} Credential={access_key_id}/{scope}, SignedHeaders={signed_headers}, Signature={signature_hex}"


def signatures_equal(expected: str, provided: str) -> bool:
    """Constant-time comparison that never raises, whatever characters the client sent."""
    return hmac.compare_digest(utf8(expected), utf8(provided))
