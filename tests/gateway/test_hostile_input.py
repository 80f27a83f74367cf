"""Malformed, oversize and hostile requests get an AWS-style 4xx: never a 500, never a hang."""

from __future__ import annotations

import http.client
import json
import socket
from urllib.parse import urlsplit

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from shieldwall.testing import ServerInfo

JSON_11 = "application/x-amz-json-1.1"


def _send(
    server: ServerInfo,
    service: str,
    method: str,
    path: str,
    body: bytes,
    headers: dict[str, str],
    sign: bool = True,
) -> tuple[int, dict[str, str], bytes]:
    parts = urlsplit(server.endpoint)
    request = AWSRequest(method, f"{server.endpoint}{path}", data=body, headers=headers)
    if sign:
        credentials = Credentials(server.access_key_id, server.secret_access_key)
        SigV4Auth(credentials, service, server.region).add_auth(request)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        connection.request(method, path, body=body, headers=dict(request.headers.items()))
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


def _kms(server: ServerInfo, body: bytes, content_type: str = JSON_11) -> tuple[int, dict[str, str], bytes]:
    headers = {"Content-Type": content_type, "X-Amz-Target": "TrentService.Encrypt"}
    return _send(server, "kms", "POST", "/", body, headers)


@pytest.mark.parametrize(
    "body",
    [
        b"{",
        b'{"KeyId": "abc',
        b"not json at all",
        b"\xff\xfe\x00garbage",
        b"[]",
        b'{"KeyId": 5, "Plaintext": 7}',
    ],
    ids=["open-brace", "truncated", "text", "non-utf8", "array", "wrong-types"],
)
def test_bad_json_bodies_are_client_errors(shieldwall: ServerInfo, body: bytes) -> None:
    status, headers, payload = _kms(shieldwall, body)
    assert 400 <= status < 500
    error = json.loads(payload)
    assert error["__type"].split("#")[-1] in ("SerializationException", "ValidationException")
    assert headers["x-amzn-errortype"] == error["__type"]


def test_missing_required_members_are_all_reported(shieldwall: ServerInfo) -> None:
    status, _, payload = _kms(shieldwall, b"{}")
    assert status == 400
    error = json.loads(payload)
    assert error["__type"].split("#")[-1] == "ValidationException"
    assert "2 validation errors detected" in error["message"]


def test_wrong_content_type_is_a_client_error(shieldwall: ServerInfo) -> None:
    status, _, _ = _kms(shieldwall, b"<xml/>", content_type="text/xml")
    assert 400 <= status < 500


def test_garbage_query_string_is_a_client_error(shieldwall: ServerInfo) -> None:
    headers = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}
    status, _, payload = _send(shieldwall, "sts", "POST", "/", b"Action=%ZZ&Version=\xff\xfe&&&==", headers)
    assert 400 <= status < 500
    assert b"<ErrorResponse" in payload or b"<Error>" in payload


XXE = (
    b'<?xml version="1.0"?><!DOCTYPE t [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    b"<Tagging><TagSet><Tag><Key>k</Key><Value>&xxe;</Value></Tag></TagSet></Tagging>"
)
LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
    b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>'
    b"<Tagging><TagSet><Tag><Key>k</Key><Value>&d;</Value></Tag></TagSet></Tagging>"
)


@pytest.mark.parametrize(
    "body",
    [XXE, LAUGHS, b"<Tagging><TagSet><Tag>", b"\xff<not xml"],
    ids=["xxe", "laughs", "truncated", "binary"],
)
def test_hostile_xml_is_rejected_and_never_resolved(shieldwall: ServerInfo, body: bytes) -> None:
    import base64
    import hashlib

    headers = {
        "Content-Type": "application/xml",
        "Content-MD5": base64.b64encode(hashlib.md5(body).digest()).decode(),
        "X-Amz-Content-SHA256": hashlib.sha256(body).hexdigest(),
    }
    status, _, payload = _send(shieldwall, "s3", "PUT", "/some-bucket?tagging", body, headers)
    assert 400 <= status < 500
    assert b"root:" not in payload
    assert b"<Error>" in payload


def test_huge_header_is_refused_without_a_500(shieldwall: ServerInfo) -> None:
    parts = urlsplit(shieldwall.endpoint)
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as sock:
        sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 200_000 + b"\r\n\r\n")
        answer = sock.recv(200)
    assert answer == b"" or answer.startswith(b"HTTP/1.1 4")


def test_garbage_on_the_wire_is_refused(shieldwall: ServerInfo) -> None:
    parts = urlsplit(shieldwall.endpoint)
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as sock:
        sock.sendall(b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03 garbage\r\n\r\n")
        answer = sock.recv(200)
    assert answer == b"" or answer.startswith(b"HTTP/1.1 4")


def test_server_still_serves_after_hostile_input(shieldwall: ServerInfo) -> None:
    _kms(shieldwall, b"\xff" * 1000)
    assert shieldwall.client("sts").get_caller_identity()["Account"] == "000000000000"
