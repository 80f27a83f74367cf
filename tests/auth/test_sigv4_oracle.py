"""botocore's signers and real boto3 clients as the oracle: verify() accepts what they sign, and rejects every
one-byte change to a signed header, the path, the query, the body or the signature."""

from __future__ import annotations

import functools
import random
from collections.abc import Callable
from typing import Any

import boto3
import botocore.auth
import pytest
from botocore.config import Config
from botocore.utils import percent_encode_sequence
from sigv4_testkit import (
    ACCESS_KEY,
    SECRET_KEY,
    SIGNING_TIME,
    around,
    botocore_sign,
    capture,
    credential,
    mutations,
    presigned_request,
    resolver,
    signing_time,
)

from shieldwall.auth import sigv4
from shieldwall.auth.credentials import StaticResolver
from shieldwall.auth.parsing import parse_auth
from shieldwall.auth.verifier import VerifiedRequest, verify
from shieldwall.errors import AwsError
from shieldwall.http import HttpRequest

TOKEN = "FQoGZXIvYXdzEXAMPLE//token+with/odd=chars"
SEGMENT_CHARS = "abcXYZ019-_.~ +=$!*'(),;:@&%é中"
VALUE_CHARS = "abcXYZ019-_.~ +=/&?%é中"
HEADER_CHARS = "abcXYZ019-_.~=/+:;,é"
CASES = 30


def _random_text(rng: random.Random, alphabet: str, low: int = 1, high: int = 8) -> str:
    return "".join(rng.choice(alphabet) for _ in range(rng.randint(low, high)))


def _random_segment(rng: random.Random) -> str:
    segment = _random_text(rng, SEGMENT_CHARS)
    return (
        segment if segment.strip(".") else segment + "x"
    )  # no dot segments: normalisation would hide a change


def _wire_segment(segment: str, rng: random.Random) -> str:
    """Encoded as a serializer encodes it, or left with its sub-delimiters raw as hand-built URLs do."""
    from urllib.parse import quote

    return quote(segment, safe="~" if rng.random() < 0.7 else "~$!*'(),;:@&=+")


def _random_params(rng: random.Random) -> list[tuple[str, str]]:
    params = [
        (_random_text(rng, VALUE_CHARS), _random_text(rng, VALUE_CHARS, 0)) for _ in range(rng.randint(0, 4))
    ]
    if params and rng.random() < 0.3:
        params.append((params[0][0], _random_text(rng, VALUE_CHARS, 0)))  # a repeated key
    return params


def _random_headers(rng: random.Random) -> dict[str, str]:
    headers = {}
    for index in range(rng.randint(0, 3)):
        value = _random_text(rng, HEADER_CHARS)
        if rng.random() < 0.5:
            value = f"  {value}   {_random_text(rng, HEADER_CHARS)}  "  # trimmed and collapsed when signed
        headers[f"X-Amz-Meta-Field{index}" if rng.random() < 0.5 else f"X-Custom-{index}"] = value
    return headers


def _url(rng: random.Random, *, s3: bool, query_in_url: list[tuple[str, str]]) -> str:
    segments = [_random_segment(rng) for _ in range(rng.randint(1, 3))]
    if s3:
        from urllib.parse import quote

        path = "/bucket/" + "/".join(quote(segment, safe="~") for segment in segments)
    else:
        path = "/" + "/".join(_wire_segment(segment, rng) for segment in segments)
        path += "/" if rng.random() < 0.3 else ""
    query = f"?{percent_encode_sequence(query_in_url)}" if query_in_url else ""
    return f"https://example.amazonaws.com{path}{query}"


def _random_signed(
    seed: int, signer: type[botocore.auth.SigV4Auth], *, s3: bool, presigned: bool
) -> tuple[HttpRequest, bool]:
    rng = random.Random(seed)
    params = _random_params(rng)
    in_url = rng.random() < 0.5
    method = rng.choice(["GET", "DELETE", "HEAD"] if presigned else ["GET", "POST", "PUT", "DELETE", "PATCH"])
    body = b"" if presigned or method in ("GET", "DELETE") else rng.randbytes(rng.randint(1, 200))
    token = TOKEN if rng.random() < 0.3 else None
    request = botocore_sign(
        signer,
        method,
        _url(rng, s3=s3, query_in_url=params if in_url else []),
        service="s3" if s3 else rng.choice(["kms", "sts", "lambda", "service"]),
        region=rng.choice(["us-east-1", "eu-west-3", "ap-southeast-2"]),
        headers=_random_headers(rng),
        body=body,
        params=None if in_url or not params else dict(params),
        token=token,
        expires=rng.randint(1, 3600) if presigned else None,
    )
    return request, token is not None


def _resolver(with_token: bool) -> StaticResolver:
    return resolver(credential(session_token=TOKEN if with_token else None))


def _verify(
    request: HttpRequest, resolve: StaticResolver, *, s3: bool, family: str = "json"
) -> VerifiedRequest:
    now = around(SIGNING_TIME, 30)
    return verify(request, resolve, family="rest-xml" if s3 else family, skew_now=now, service_now=now, s3=s3)


def _assert_accepted_and_mutations_rejected(
    request: HttpRequest, resolve: StaticResolver, *, s3: bool, body_signed: bool, seed: int
) -> VerifiedRequest:
    verified = _verify(request, resolve, s3=s3)
    signed = parse_auth(request, "json").signed_headers
    for what, mutated in mutations(request, signed, body=body_signed, rng=random.Random(seed)):
        with pytest.raises(AwsError):
            _verify(mutated, resolve, s3=s3)
            pytest.fail(f"a changed {what} was accepted")
    return verified


SIGNERS: list[tuple[str, type[botocore.auth.SigV4Auth], bool, bool]] = [
    ("SigV4Auth", botocore.auth.SigV4Auth, False, False),
    ("SigV4QueryAuth", botocore.auth.SigV4QueryAuth, False, True),
    ("S3SigV4Auth", botocore.auth.S3SigV4Auth, True, False),
    ("S3SigV4QueryAuth", botocore.auth.S3SigV4QueryAuth, True, True),
]


@pytest.mark.parametrize(
    ("name", "signer", "s3", "presigned"), SIGNERS, ids=[signer[0] for signer in SIGNERS]
)
def test_random_botocore_signed_requests_verify_and_every_mutation_fails(
    name: str, signer: type[botocore.auth.SigV4Auth], s3: bool, presigned: bool
) -> None:
    for seed in range(CASES):
        request, with_token = _random_signed(seed, signer, s3=s3, presigned=presigned)
        body_signed = not (s3 and presigned)
        verified = _assert_accepted_and_mutations_rejected(
            request, _resolver(with_token), s3=s3, body_signed=body_signed, seed=seed
        )
        assert verified.presigned is presigned
        assert verified.body == request.body


def test_paths_with_dot_segments_and_double_slashes_verify_outside_s3() -> None:
    for path in ("/a/./b/../c", "//double//slash//", "/trailing/", "/a/b/..", "/%7Euser/%2E%2E/x"):
        request = botocore_sign(botocore.auth.SigV4Auth, "GET", f"https://example.amazonaws.com{path}")
        assert _verify(request, _resolver(False), s3=False).body == b""


def test_s3_paths_are_signed_without_normalisation() -> None:
    request = botocore_sign(
        botocore.auth.S3SigV4Auth, "GET", "https://example.amazonaws.com/bucket//a/./b/../c", service="s3"
    )
    _verify(request, _resolver(False), s3=True)
    normalised = HttpRequest(
        request.method, "/bucket/a/c", request.query_string, request.headers, request.body
    )
    with pytest.raises(AwsError) as raised:
        _verify(normalised, _resolver(False), s3=True)
    assert raised.value.code == "SignatureDoesNotMatch"


def test_date_header_can_replace_x_amz_date() -> None:
    request = botocore_sign(
        botocore.auth.SigV4Auth, "GET", "https://example.amazonaws.com/", headers={"Date": "x"}
    )
    assert request.header("x-amz-date") is None
    assert _verify(request, _resolver(False), s3=False).request_time == SIGNING_TIME


def test_derived_signing_keys_are_cached() -> None:
    request = botocore_sign(
        botocore.auth.SigV4Auth, "GET", "https://example.amazonaws.com/cached", region="eu-north-1"
    )
    _verify(request, _resolver(False), s3=False)
    hits = sigv4.signing_key.cache_info().hits
    _verify(request, _resolver(False), s3=False)
    assert sigv4.signing_key.cache_info().hits == hits + 1


# ---------------------------------------------------------------------------------------------------- real clients


@functools.cache
def _session(token: str | None) -> Any:
    return boto3.session.Session(
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
        aws_session_token=token,
        region_name="us-east-1",
    )


@functools.cache
def _cached_client(service: str, token: str | None, path_style: bool, signature_version: str | None) -> Any:
    config = Config(
        s3={"addressing_style": "path"} if path_style else None, signature_version=signature_version
    )
    return _session(token).client(service, endpoint_url="http://localhost:4566", config=config)


def _client(service: str, token: str | None = None, **config: Any) -> Any:
    """Clients are slow to build: one per service and configuration for the whole module."""
    path_style = config.get("s3", {}).get("addressing_style") == "path"
    return _cached_client(service, token, path_style, config.get("signature_version"))


def _captured(client: Any, call: Callable[[Any], object]) -> HttpRequest:
    with signing_time(SIGNING_TIME):
        return capture(client, call)


CLIENT_CALLS: list[tuple[str, str, str, Callable[[Any], object], dict[str, Any]]] = [
    ("sts", "query", "sts", lambda c: c.get_caller_identity(), {}),
    (
        "sts",
        "query",
        "sts",
        lambda c: c.assume_role(RoleArn="arn:aws:iam::123456789012:role/r", RoleSessionName="s é+"),
        {},
    ),
    ("iam", "query", "iam", lambda c: c.list_users(PathPrefix="/a b/"), {}),
    ("kms", "json", "kms", lambda c: c.encrypt(KeyId="alias/my key", Plaintext=b"secret \x00\xff"), {}),
    ("secretsmanager", "json", "secretsmanager", lambda c: c.get_secret_value(SecretId="a/b+c"), {}),
    (
        "lambda",
        "rest-json",
        "lambda",
        lambda c: c.invoke(FunctionName="fn", Qualifier="$LATEST", Payload=b"{}"),
        {},
    ),
    (
        "lambda",
        "rest-json",
        "lambda",
        lambda c: c.get_function(FunctionName="arn:aws:lambda:us-east-1:123456789012:function:f"),
        {},
    ),
    (
        "s3",
        "rest-xml",
        "s3",
        lambda c: c.get_object(Bucket="bucket", Key="a b/ü/+=&?#~!*'().txt"),
        {"s3": {"addressing_style": "path"}},
    ),
    (
        "s3",
        "rest-xml",
        "s3",
        lambda c: c.list_objects_v2(Bucket="bucket", Prefix="a b/", Delimiter="/"),
        {"s3": {"addressing_style": "path"}},
    ),
    (
        "s3",
        "rest-xml",
        "s3",
        lambda c: c.put_object(Bucket="bucket", Key="k", Body=b"data", Metadata={"m": "v  w"}),
        {"s3": {"addressing_style": "path"}},
    ),
]


@pytest.mark.parametrize(
    ("service", "family", "signing_name", "call", "config"),
    CLIENT_CALLS,
    ids=[f"{c[0]}-{i}" for i, c in enumerate(CLIENT_CALLS)],
)
@pytest.mark.parametrize("token", [None, TOKEN], ids=["long-term", "session"])
def test_real_client_requests_verify_and_every_mutation_fails(
    service: str,
    family: str,
    signing_name: str,
    call: Callable[[Any], object],
    config: dict[str, Any],
    token: str | None,
) -> None:
    request = _captured(_client(service, token=token, **config), call)
    s3 = service == "s3"
    resolve = _resolver(token is not None)
    now = around(SIGNING_TIME, -120)
    verified = verify(
        request, resolve, family=family, skew_now=now, service_now=now, expected_service=signing_name, s3=s3
    )
    assert verified.scope.service == signing_name
    signed = verified.signed_headers
    for what, mutated in mutations(request, signed, body=True, rng=random.Random(7)):
        with pytest.raises(AwsError):
            verify(
                mutated,
                resolve,
                family=family,
                skew_now=now,
                service_now=now,
                expected_service=signing_name,
                s3=s3,
            )
            pytest.fail(f"a changed {what} was accepted")


def test_real_s3_presigned_url_verifies_until_it_expires() -> None:
    client = _client("s3", signature_version="s3v4", s3={"addressing_style": "path"})
    with signing_time(SIGNING_TIME):
        url = client.generate_presigned_url(
            "get_object", Params={"Bucket": "b", "Key": "a b+c"}, ExpiresIn=300
        )
    request = presigned_request(url)
    resolve = _resolver(False)
    verified = verify(
        request,
        resolve,
        family="rest-xml",
        skew_now=around(SIGNING_TIME, 299),
        service_now=SIGNING_TIME,
        s3=True,
    )
    assert verified.presigned
    with pytest.raises(AwsError) as raised:
        verify(
            request,
            resolve,
            family="rest-xml",
            skew_now=around(SIGNING_TIME, 301),
            service_now=SIGNING_TIME,
            s3=True,
        )
    assert (raised.value.code, raised.value.message) == ("AccessDenied", "Request has expired")
    for what, mutated in mutations(request, ("host",), body=False, rng=random.Random(3)):
        with pytest.raises(AwsError):
            verify(
                mutated, resolve, family="rest-xml", skew_now=SIGNING_TIME, service_now=SIGNING_TIME, s3=True
            )
            pytest.fail(f"a changed {what} was accepted")


def test_real_s3_presigned_put_with_session_token_verifies() -> None:
    client = _client("s3", token=TOKEN, signature_version="s3v4", s3={"addressing_style": "path"})
    with signing_time(SIGNING_TIME):
        url = client.generate_presigned_url("put_object", Params={"Bucket": "b", "Key": "k"}, ExpiresIn=60)
    verified = verify(
        presigned_request(url, "PUT", b"any body"),
        _resolver(True),
        family="rest-xml",
        skew_now=SIGNING_TIME,
        service_now=SIGNING_TIME,
        s3=True,
    )
    assert verified.body == b"any body"


def test_real_sts_presigned_get_caller_identity_verifies() -> None:
    client = _client("sts")
    with signing_time(SIGNING_TIME):
        url = client.generate_presigned_url("get_caller_identity", ExpiresIn=60, HttpMethod="GET")
    request = presigned_request(url)
    verified = verify(
        request,
        _resolver(False),
        family="query",
        skew_now=around(SIGNING_TIME, 59),
        service_now=SIGNING_TIME,
        expected_service="sts",
    )
    assert verified.presigned
    with pytest.raises(AwsError) as raised:
        verify(
            request,
            _resolver(False),
            family="query",
            skew_now=around(SIGNING_TIME, 61),
            service_now=SIGNING_TIME,
        )
    assert raised.value.code == "SignatureDoesNotMatch"
    assert (
        raised.value.message
        == "Signature expired: 20240517T093000Z is now earlier than 20240517T093001Z (20240517T093101Z - 1 min.)"
    )
