"""The public SigV4 test suite, sent as raw bytes to a real server.

The suite signs for a service called `service` with key AKIDEXAMPLE on 2015-08-30. The server runs with that
key as its root key and its clock *set* to the suite's time (so the skew check accepts the date). A correctly
signed request then passes authentication and is refused only because no service `service` exists; a request
with one altered signature character is refused as SignatureDoesNotMatch.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest

from shieldwall.testing import ServerInfo, ShieldwallServer

VECTORS = Path(__file__).parent.parent / "auth" / "sigv4_vectors"
# These carry a session token; the root key has none, so they are checked by the unit harness in tests/auth.
SESSION_TOKEN_CASES = {"get-vanilla-with-session-token", "post-sts-header-after", "post-sts-header-before"}
# An obs-folded header: RFC 9112 lets a server refuse it with 400, and the HTTP layer does (test below); the
# unit harness in tests/auth checks its signature.
OBS_FOLD_CASE = "get-header-value-multiline"
# Raw space / raw UTF-8 in the path: HTTP/1.1 cannot carry them unencoded, and once encoded a non-S3 signer signs
# the double encoding (`%2520`), not the suite's canonical URI. The unit harness checks them on the raw path.
RAW_PATH_CASES = {"get-space", "get-utf8"}
CASES = sorted(
    p.parent
    for p in VECTORS.rglob("*.sreq")
    if p.parent.name not in SESSION_TOKEN_CASES | RAW_PATH_CASES | {OBS_FOLD_CASE}
)


@pytest.fixture(scope="module")
def vector_server() -> Iterator[ServerInfo]:
    server = ShieldwallServer(
        access_key_id="AKIDEXAMPLE", secret_access_key="wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
    )
    info = server.start()
    info.admin("clock", {"set": "2015-08-30T12:36:00Z"})
    try:
        yield info
    finally:
        server.cleanup()


def _raw_request(case: Path, mutate_signature: bool = False) -> bytes:
    text = (case / f"{case.name}.sreq").read_text(encoding="utf-8")
    head, _, body = text.partition("\n\n")
    head = _valid_request_target(head)
    if mutate_signature:
        signature = head.rsplit("Signature=", 1)[1][:64]
        altered = ("0" if signature[0] != "0" else "1") + signature[1:]
        head = head.replace(signature, altered)
    payload = body.encode("utf-8")
    extra = f"\nContent-Length: {len(payload)}\nConnection: close" if payload else "\nConnection: close"
    return (head + extra).replace("\n", "\r\n").encode("utf-8") + b"\r\n\r\n" + payload


def _valid_request_target(head: str) -> str:
    """Percent-encode raw spaces and non-ASCII characters in the request line, as every HTTP client must.

    The suite writes the query of `get-vanilla-utf8-query` raw; on the wire it can only travel encoded, and
    SigV4's canonical query string is the same either way.
    """
    request_line, _, rest = head.partition("\n")
    method, _, remainder = request_line.partition(" ")
    target, _, version = remainder.rpartition(" ")
    encoded = quote(target, safe="/?&=%~-_.!*'()+,;:@$")
    return f"{method} {encoded} {version}\n{rest}"


def test_obs_folded_header_is_refused_by_the_http_layer(vector_server: ServerInfo) -> None:
    answer = _exchange(vector_server, _raw_request(VECTORS / OBS_FOLD_CASE))
    assert answer.startswith(b"HTTP/1.1 400")


def _exchange(server: ServerInfo, raw: bytes) -> bytes:
    parts = urlsplit(server.endpoint)
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as sock:
        sock.sendall(raw)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_signed_vector_authenticates_and_names_the_unknown_service(
    vector_server: ServerInfo, case: Path
) -> None:
    answer = _exchange(vector_server, _raw_request(case))
    assert answer.startswith(b"HTTP/1.1 400"), answer[:300]
    assert b"<Code>UnknownService</Code>" in answer
    assert b"`service`" in answer


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_vector_with_an_altered_signature_is_refused(vector_server: ServerInfo, case: Path) -> None:
    answer = _exchange(vector_server, _raw_request(case, mutate_signature=True))
    assert answer.startswith(b"HTTP/1.1 403"), answer[:300]
    assert b"<Code>SignatureDoesNotMatch</Code>" in answer
