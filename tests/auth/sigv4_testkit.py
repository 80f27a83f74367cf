"""Helpers for the SigV4 tests: the published test suite's files, botocore's signer as an oracle, and mutations.

Everything here builds `HttpRequest`s as the gateway would see them on the wire: path still percent-encoded,
raw query string, lower-cased header names (HttpRequest lowers them) including the Host an HTTP client adds.
"""

from __future__ import annotations

import contextlib
import random
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import botocore.auth
import botocore.awsrequest
import botocore.credentials

from shieldwall.auth.credentials import Credential, StaticResolver
from shieldwall.http import HttpRequest

VECTORS = Path(__file__).parent / "sigv4_vectors"
ACCESS_KEY = "AKIDEXAMPLE"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
ACCOUNT = "123456789012"
VECTOR_TIME = datetime(2015, 8, 30, 12, 36, tzinfo=UTC)
SIGNING_TIME = datetime(2024, 5, 17, 9, 30, tzinfo=UTC)


def credential(**changes: Any) -> Credential:
    values: dict[str, Any] = {
        "access_key_id": ACCESS_KEY,
        "secret_access_key": SECRET_KEY,
        "account_id": ACCOUNT,
        "principal_kind": "user",
        "principal_name": "alice",
    }
    values.update(changes)
    return Credential(**values)


def resolver(*credentials: Credential) -> StaticResolver:
    return StaticResolver(list(credentials) or [credential()])


# ---------------------------------------------------------------------------------------------------- test suite


def vector_cases() -> list[Path]:
    """Every case folder of the suite (one holding a .sreq), by its path relative to the suite."""
    return sorted(path.parent for path in VECTORS.rglob("*.sreq"))


def vector_file(case: Path, extension: str) -> str:
    return (case / f"{case.name}.{extension}").read_text(encoding="utf-8")


def parse_sreq(raw: str) -> HttpRequest:
    """A request of the suite as an HTTP server hands it over; obs-folded continuation lines stay in the value."""
    head, _, body = raw.partition("\n\n")
    request_line, *header_lines = head.split("\n")
    method, _, rest = request_line.partition(" ")
    target = rest.rsplit(" ", 1)[0]
    path, _, query = target.partition("?")
    headers: list[tuple[str, str]] = []
    for line in header_lines:
        if line[:1] in (" ", "\t") and headers:
            name, value = headers[-1]
            headers[-1] = (name, f"{value}\n{line}")
        else:
            name, _, value = line.partition(":")
            headers.append((name, value))
    return HttpRequest(method, path, query, headers, body.encode("utf-8"))


def with_header(request: HttpRequest, name: str, value: str | None) -> HttpRequest:
    """A copy of `request` with header `name` replaced by `value` (or removed when None)."""
    headers = [(key, val) for key, val in request.headers if key != name.lower()]
    if value is not None:
        headers.append((name, value))
    return HttpRequest(request.method, request.raw_path, request.query_string, headers, request.body)


def replace(request: HttpRequest, **changes: Any) -> HttpRequest:
    values = {
        "method": request.method,
        "raw_path": request.raw_path,
        "query_string": request.query_string,
        "headers": list(request.headers),
        "body": request.body,
    }
    values.update(changes)
    return HttpRequest(**values)


# ---------------------------------------------------------------------------------------------------- botocore


def host_of(url: str) -> str:
    parts = urlsplit(url)
    default = {"http": 80, "https": 443}[parts.scheme]
    host = parts.hostname or ""
    return host if parts.port in (None, default) else f"{host}:{parts.port}"


def from_prepared(method: str, url: str, headers: Any, body: Any) -> HttpRequest:
    """The request a server receives for botocore's prepared request: Host added as the HTTP client adds it."""
    if hasattr(body, "read"):
        body = body.read()
    if isinstance(body, str):
        body = body.encode("utf-8")
    parts = urlsplit(url)
    pairs = [(_text(key), _text(value)) for key, value in headers.items()]
    if not any(key.lower() == "host" for key, _ in pairs):
        pairs.insert(0, ("Host", host_of(url)))
    return HttpRequest(method, parts.path or "/", parts.query, pairs, body or b"")


def _text(value: str | bytes) -> str:
    """Header names and values as an HTTP server decodes them (botocore prepares some as bytes)."""
    return value.decode("latin-1") if isinstance(value, bytes) else value


@contextlib.contextmanager
def signing_time(when: datetime) -> Iterator[None]:
    """Make botocore's signers believe it is `when`."""
    original = botocore.auth.get_current_datetime
    naive = when.astimezone(UTC).replace(tzinfo=None)
    botocore.auth.get_current_datetime = lambda *args, **kwargs: naive  # type: ignore[assignment]
    try:
        yield
    finally:
        botocore.auth.get_current_datetime = original  # type: ignore[assignment]


def botocore_sign(
    signer: type[botocore.auth.SigV4Auth],
    method: str,
    url: str,
    *,
    service: str = "service",
    region: str = "us-east-1",
    headers: dict[str, str] | None = None,
    body: bytes = b"",
    params: dict[str, str] | None = None,
    token: str | None = None,
    expires: int | None = None,
    when: datetime = SIGNING_TIME,
    access_key: str = ACCESS_KEY,
    secret_key: str = SECRET_KEY,
) -> HttpRequest:
    """Sign with one of botocore's SigV4 signers and return what the server would receive."""
    creds = botocore.credentials.Credentials(access_key, secret_key, token)
    args: tuple[Any, ...] = (creds, service, region) if expires is None else (creds, service, region, expires)
    request = botocore.awsrequest.AWSRequest(
        method=method, url=url, headers=headers or {}, data=body, params=params
    )
    with signing_time(when):
        signer(*args).add_auth(request)
    prepared = request.prepare()
    return from_prepared(prepared.method, prepared.url, prepared.headers, prepared.body)


class Captured(Exception):
    def __init__(self, request: Any) -> None:
        super().__init__("captured")
        self.request = request


def capture(client: Any, call: Callable[[Any], object]) -> HttpRequest:
    """The request a real boto3 client sends for `call(client)`, stopped before it reaches the network."""

    def stop(request: Any, **_: Any) -> None:
        raise Captured(request)

    client.meta.events.register("before-send", stop)
    try:
        call(client)
    except Captured as captured:
        prepared = captured.request
        return from_prepared(prepared.method, prepared.url, prepared.headers, prepared.body)
    finally:
        client.meta.events.unregister("before-send", stop)
    raise AssertionError("the client sent nothing")


def presigned_request(url: str, method: str = "GET", body: bytes = b"") -> HttpRequest:
    """What a browser or curl sends for a presigned URL: nothing but Host."""
    parts = urlsplit(url)
    return HttpRequest(method, parts.path or "/", parts.query, [("Host", host_of(url))], body)


# ---------------------------------------------------------------------------------------------------- mutations


def _mutate_text(text: str, rng: random.Random) -> str | None:
    """`text` with one letter or digit changed to another, or None when it has none. The hex digits of a
    percent-escape are left alone: `%2f` and `%2F` are the same byte, so changing their case changes nothing."""
    escaped = {index + offset for index, char in enumerate(text) if char == "%" for offset in (1, 2)}
    positions = [
        index for index, char in enumerate(text) if char.isascii() and char.isalnum() and index not in escaped
    ]
    if not positions:
        return None
    index = rng.choice(positions)
    alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    new = rng.choice([char for char in alphabet if char != text[index]])
    return text[:index] + new + text[index + 1 :]


def mutations(
    request: HttpRequest, signed: tuple[str, ...], *, body: bool, rng: random.Random
) -> Iterator[tuple[str, HttpRequest]]:
    """One-byte changes to what a signature covers: a signed header, the path, the query, the body, the signature."""
    for index, (name, value) in enumerate(request.headers):
        if name not in signed:
            continue
        mutated = _mutate_text(value, rng)
        if mutated is not None:
            headers = list(request.headers)
            headers[index] = (name, mutated)
            yield f"header {name}", replace(request, headers=headers)
    path = _mutate_text(request.raw_path, rng)
    if path is not None:
        yield "path", replace(request, raw_path=path)
    query = _mutate_text(request.query_string, rng)
    if query is not None:
        yield "query", replace(request, query_string=query)
    if body and request.body:
        index = rng.randrange(len(request.body))
        flipped = bytes([request.body[index] ^ 0x01])
        yield "body", replace(request, body=request.body[:index] + flipped + request.body[index + 1 :])
    yield from _signature_mutation(request, rng)


def _signature_mutation(request: HttpRequest, rng: random.Random) -> Iterator[tuple[str, HttpRequest]]:
    authorization = request.header("authorization")
    if authorization is not None:
        head, _, signature = authorization.rpartition("Signature=")
        yield (
            "signature",
            with_header(request, "Authorization", head + "Signature=" + _flip_hex(signature, rng)),
        )
        return
    pieces = request.query_string.split("&")
    for index, piece in enumerate(pieces):
        if piece.startswith("X-Amz-Signature="):
            pieces[index] = "X-Amz-Signature=" + _flip_hex(piece.partition("=")[2], rng)
            yield "signature", replace(request, query_string="&".join(pieces))


def _flip_hex(signature: str, rng: random.Random) -> str:
    index = rng.randrange(len(signature))
    new = rng.choice([char for char in "0123456789abcdef" if char != signature[index]])
    return signature[:index] + new + signature[index + 1 :]


def around(when: datetime, seconds: float = 0) -> datetime:
    return when + timedelta(seconds=seconds)
