"""Hostile input against every operation: whatever arrives, the answer is a parsed dict or a 4xx AwsError,
never another exception (fail closed, never crash)."""

from __future__ import annotations

import json
import random
from typing import Any

import pytest
from botocore_wire import every_operation, generate_input, wire_request

from shieldwall.errors import AwsError
from shieldwall.http import HttpRequest
from shieldwall.protocol.parser import parse_request
from shieldwall.protocol.router import route, service_signing_name
from shieldwall.spec.loader import service_model

GARBAGE_QUERY = "%ff%fe=%c3&&=x&a.b.c=&Tags.member.x.Key=1&Tags=&max-keys=-1&uploadId&%zz=1"
CASES = every_operation()
WRONG_TYPES: list[Any] = [
    {"nested": {"deep": [1, 2]}},
    ["list"],
    "string",
    12345678901234567890,
    -1.5e308,
    True,
    None,
]


def _variants(request: HttpRequest, rng: random.Random) -> list[HttpRequest]:
    body = request.body
    noise = bytes(rng.randrange(256) for _ in range(64))
    bodies = [body[: len(body) // 2], noise, b"\x00" * 16, b"{" * 5000, b"<a>" * 5000, body + b"\xff"]
    variants = [_with(request, body=candidate) for candidate in bodies]
    variants.append(_with(request, query=GARBAGE_QUERY))
    variants.append(_with(request, query=request.query_string + "&" + GARBAGE_QUERY))
    return variants


def _with(request: HttpRequest, *, body: bytes | None = None, query: str | None = None) -> HttpRequest:
    new_body = request.body if body is None else body
    headers = [(name, value) for name, value in request.headers if name != "content-length"]
    headers.append(("content-length", str(len(new_body))))
    return HttpRequest(
        request.method, request.raw_path, request.query_string if query is None else query, headers, new_body
    )


def _wrong_type_bodies(service: str, name: str) -> list[bytes]:
    shape = service_model(service).operation_model(name).input_shape
    if shape is None:
        return []
    return [json.dumps(dict.fromkeys(shape.members, wrong)).encode() for wrong in WRONG_TYPES]


def _assert_fails_closed(request: HttpRequest, signing: str) -> None:
    try:
        found = route(request, signing)
        parsed = parse_request(found, request, request.body)
    except AwsError as exc:
        assert 400 <= exc.status < 500 or exc.code == "NotImplemented", exc
        return
    assert isinstance(parsed, dict)


@pytest.mark.parametrize(("service", "name"), CASES, ids=[f"{service}.{name}" for service, name in CASES])
def test_hostile_variants_of_every_operation_fail_closed(service: str, name: str) -> None:
    operation = service_model(service).operation_model(name)
    rng = random.Random(f"{service}.{name}")
    request = wire_request(service, operation, generate_input(operation, seed=4))
    signing = service_signing_name(service)
    for variant in _variants(request, rng):
        _assert_fails_closed(variant, signing)
    for body in _wrong_type_bodies(service, name):
        _assert_fails_closed(_with(request, body=body), signing)


@pytest.mark.parametrize(
    ("target", "signing"),
    [("TrentService.ListKeys", "kms"), ("AWSCognitoIdentityProviderService.InitiateAuth", None)],
)
def test_huge_header_section_is_refused(target: str, signing: str | None) -> None:
    headers = [("Host", "localhost"), ("X-Amz-Target", target), ("X-Padding", "p" * 20_000)]
    request = HttpRequest("POST", "/", "", headers, b"{}")
    with pytest.raises(AwsError) as caught:
        parse_request(route(request, signing), request, request.body)
    assert (caught.value.code, caught.value.status) == ("RequestHeaderSectionTooLarge", 400)


def test_body_longer_than_its_content_length_is_refused() -> None:
    headers = [("Host", "localhost"), ("X-Amz-Target", "TrentService.ListKeys"), ("Content-Length", "2")]
    request = HttpRequest("POST", "/", "", headers, b"{}   ")
    with pytest.raises(AwsError) as caught:
        parse_request(route(request, "kms"), request, request.body)
    assert caught.value.code == "IncompleteBody"
