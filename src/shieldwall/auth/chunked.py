"""S3's aws-chunked payloads: decode the framing, verify each chunk's signature and the trailing checksum.

A streaming upload signs its headers once (the "seed" signature) and then each chunk, every chunk signature
chaining the previous one, so chunks cannot be dropped, reordered or replaced. The body on the wire is

    <hex size>[;chunk-signature=<sig>]\\r\\n<data>\\r\\n ... 0[;chunk-signature=<sig>]\\r\\n<trailers>\\r\\n

where the trailers (`name:value\\r\\n` lines) carry a checksum of the whole object and, in the signed-trailer
variant, an `x-amz-trailer-signature` chaining the last chunk's. The unsigned-trailer variant (what boto3 sends
for PutObject over HTTPS) has no signatures: the trailing checksum is its integrity check, so it is verified too.
"""

from __future__ import annotations

import hmac
import re
from dataclasses import dataclass
from typing import NamedTuple

from shieldwall.auth import checksums
from shieldwall.auth.errors import auth_error
from shieldwall.auth.sigv4 import (
    EMPTY_SHA256,
    STREAMING_SIGNED_TRAILER,
    STREAMING_UNSIGNED_TRAILER,
    sha256_hex,
    signature,
    utf8,
)
from shieldwall.errors import AwsError
from shieldwall.http import HttpRequest

CHUNK_ALGORITHM = "AWS4-HMAC-SHA256-PAYLOAD"
TRAILER_ALGORITHM = "AWS4-HMAC-SHA256-TRAILER"
TRAILER_SIGNATURE = "x-amz-trailer-signature"
_CRLF = b"\r\n"
_CHUNK_SIZE = re.compile(rb"[0-9a-fA-F]{1,16}")
_CHUNK_SIGNATURE = re.compile(rb"chunk-signature=([0-9a-f]{64})")
_TRAILER_NAME = re.compile(r"[a-z0-9-]+")
_DECIMAL = re.compile(r"[0-9]{1,19}")


@dataclass(frozen=True, slots=True)
class ChunkSigning:
    """What chunk signatures are computed from: the derived key, the request's date and scope, the seed."""

    key: bytes
    amz_date: str
    scope: str
    seed: str


class DecodedBody(NamedTuple):
    data: bytes
    trailers: tuple[tuple[str, str], ...]


def chunk_string_to_sign(signing: ChunkSigning, previous: str, data: bytes | memoryview) -> str:
    return f"{CHUNK_ALGORITHM}\n{signing.amz_date}\n{signing.scope}\n{previous}\n{EMPTY_SHA256}\n{sha256_hex(data)}"


def trailer_string_to_sign(
    signing: ChunkSigning, previous: str, trailers: tuple[tuple[str, str], ...]
) -> str:
    canonical = "".join(f"{name}:{value}\n" for name, value in trailers)
    return (
        f"{TRAILER_ALGORITHM}\n{signing.amz_date}\n{signing.scope}\n{previous}\n{sha256_hex(utf8(canonical))}"
    )


def decode_streaming(
    request: HttpRequest, mode: str, signing: ChunkSigning | None, family: str
) -> DecodedBody:
    """Decode an aws-chunked body sent as `mode` (the x-amz-content-sha256 value), verifying everything it signs
    or checksums; raise AwsError in `family`'s form on the first failure."""
    expected_length = _decoded_length(request, family)
    with_trailer = mode in (STREAMING_SIGNED_TRAILER, STREAMING_UNSIGNED_TRAILER)
    decoded = _Decoder(request.body, signing, family).decode()
    if len(decoded.data) != expected_length:
        raise auth_error("decoded_length_mismatch", family)
    if decoded.trailers and not with_trailer:
        raise auth_error("chunk_malformed", family)
    if with_trailer:
        _check_trailers(request.header("x-amz-trailer"), decoded, family)
    return decoded


def _decoded_length(request: HttpRequest, family: str) -> int:
    text = request.header("x-amz-decoded-content-length")
    if text is None:
        raise auth_error("decoded_length_missing", family)
    if not _DECIMAL.fullmatch(text.strip()):
        raise auth_error("decoded_length_mismatch", family)
    return int(text)


class _Decoder:
    """One pass over the framing; chunk data is hashed and collected as memoryview slices (no copies)."""

    def __init__(self, body: bytes, signing: ChunkSigning | None, family: str) -> None:
        self._body = body
        self._view = memoryview(body)
        self._signing = signing
        self._family = family
        self._previous = signing.seed if signing else ""
        self._position = 0

    def decode(self) -> DecodedBody:
        parts: list[memoryview] = []
        while True:
            size, provided = self._chunk_header()
            data = self._take(size)
            self._verify_chunk(data, provided)
            if size == 0:
                break
            self._expect_crlf()
            parts.append(data)
        trailers = self._trailers()
        if self._position != len(self._body):
            raise self._malformed()
        return DecodedBody(b"".join(parts), trailers)

    def _line(self) -> bytes:
        end = self._body.find(_CRLF, self._position)
        if end < 0:
            raise self._malformed()
        line = self._body[self._position : end]
        self._position = end + 2
        return line

    def _chunk_header(self) -> tuple[int, str | None]:
        size_text, _, extension = self._line().partition(b";")
        if not _CHUNK_SIZE.fullmatch(size_text):
            raise self._malformed()
        match = _CHUNK_SIGNATURE.fullmatch(extension)
        return int(size_text, 16), match.group(1).decode("ascii") if match else None

    def _take(self, size: int) -> memoryview:
        end = self._position + size
        if end > len(self._body):
            raise self._malformed()
        data = self._view[self._position : end]
        self._position = end
        return data

    def _expect_crlf(self) -> None:
        if self._body[self._position : self._position + 2] != _CRLF:
            raise self._malformed()
        self._position += 2

    def _verify_chunk(self, data: memoryview, provided: str | None) -> None:
        if self._signing is None:
            return
        expected = signature(self._signing.key, chunk_string_to_sign(self._signing, self._previous, data))
        if provided is None or not hmac.compare_digest(expected, provided):
            raise auth_error("signature_mismatch", self._family)
        self._previous = expected

    def _trailers(self) -> tuple[tuple[str, str], ...]:
        trailers: list[tuple[str, str]] = []
        provided: str | None = None
        while line := self._line():
            name, separator, value = line.decode("latin-1").partition(":")
            name = name.strip().lower()
            if not separator or not _TRAILER_NAME.fullmatch(name):
                raise self._malformed()
            if name == TRAILER_SIGNATURE:
                provided = value.strip()
            else:
                trailers.append((name, value.strip()))
        result = tuple(trailers)
        self._verify_trailer(result, provided)
        return result

    def _verify_trailer(self, trailers: tuple[tuple[str, str], ...], provided: str | None) -> None:
        if self._signing is None or (not trailers and provided is None):
            return
        expected = signature(
            self._signing.key, trailer_string_to_sign(self._signing, self._previous, trailers)
        )
        if provided is None or not hmac.compare_digest(utf8(expected), utf8(provided)):
            raise auth_error("signature_mismatch", self._family)

    def _malformed(self) -> AwsError:
        return auth_error("chunk_malformed", self._family)


def _check_trailers(declared_header: str | None, decoded: DecodedBody, family: str) -> None:
    declared = {name.strip().lower() for name in (declared_header or "").split(",") if name.strip()}
    received = {name for name, _ in decoded.trailers}
    if received - declared:
        raise auth_error("chunk_malformed", family)
    if declared - received:
        raise auth_error("chunk_malformed", family)
    for name, value in decoded.trailers:
        verify_checksum(name, value, decoded.data, family)


def verify_checksum(header: str, value: str, data: bytes, family: str) -> None:
    """Check an x-amz-checksum-* value against `data`; a checksum shieldwall cannot compute is refused."""
    algorithm = checksums.algorithm_of(header)
    if algorithm is None:
        raise auth_error("trailer_unsupported", family)
    digest = checksums.decode_checksum(algorithm, value)
    if digest is None:
        raise auth_error("checksum_invalid", family, header=header)
    if not hmac.compare_digest(digest, checksums.ALGORITHMS[algorithm](data)):
        raise auth_error("checksum_mismatch", family, algorithm=algorithm.upper())
