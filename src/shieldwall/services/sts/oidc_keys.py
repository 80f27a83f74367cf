"""An OIDC issuer's signing keys, fetched over HTTPS and trusted the way IAM trusts the issuer's certificate.

Discovery (`<iss>/.well-known/openid-configuration`) names the `jwks_uri`; both are fetched over HTTPS. IAM trusts
an endpoint's certificate when it chains to a public CA; failing that, when the SHA-1 thumbprint of the top
certificate of the chain the server presents (the top intermediate CA, or the certificate itself when it is
self-signed) is in the provider's ThumbprintList. Each host is checked on its own, so discovery and JWKS on two
hosts need both thumbprints.
https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_create_oidc_verify-thumbprint.html

Python 3.11's `ssl` cannot show the chain a server presents, so the thumbprint path takes three steps:
1. connect with the CA store (hostname checked); most issuers stop here;
2. when that verification fails, read the presented chain with pyOpenSSL on a separate connection that sends
   nothing and is closed, and compare the top certificate's thumbprint with the list;
3. when it matches, connect again with `ssl`, trusting that certificate alone as an anchor (partial chains
   allowed, hostname checked), and fetch over this verified connection.
Nothing is read from the unverified connection, and a server cannot pass by appending the (public) pinned CA
certificate to its own chain: step 3 checks every signature up to it.

Documents are fetched with a deadline for the whole exchange and a size cap, so a slow or hostile issuer costs
at most a few seconds. Key sets are cached per issuer; a token naming an unknown `kid` triggers one refetch,
at most once per `refetch_interval`, and a failed fetch is remembered for `failure_ttl` so a flood of tokens
for a dead issuer does not become a flood of connections.
"""

from __future__ import annotations

import functools
import http.client
import io
import ipaddress
import json
import math
import re
import select
import socket
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast
from urllib.parse import urlsplit

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.serialization import Encoding
from joserfc.errors import JoseError
from joserfc.jwk import JWKRegistry, Key, KeySet
from OpenSSL import SSL

from shieldwall.errors import AwsError
from shieldwall.services.sts.web_identity import (
    OidcProviderView,
    thumbprint_mismatch,
    verification_key_unavailable,
)

DISCOVERY_PATH = "/.well-known/openid-configuration"
DEFAULT_TIMEOUT = 3.0  # seconds for discovery and JWKS together
MAX_DOCUMENT_BYTES = 256 * 1024
MAX_HEADER_BYTES = 32 * 1024
CACHE_TTL = 3600.0
REFETCH_INTERVAL = 60.0
FAILURE_TTL = 10.0
_URL_CHARACTERS = re.compile(r"[!-~]{1,2048}")  # nothing that could split the request line or headers
_PRIVATE_MEMBERS = frozenset({"d", "p", "q", "dp", "dq", "qi", "oth", "k"})


class FetchFailed(Exception):
    """The issuer could not be reached or did not answer with a usable document."""


@dataclass(frozen=True, slots=True)
class Trust:
    thumbprints: frozenset[str]  # lower-case SHA-1 hex
    ca_context: ssl.SSLContext


@dataclass(frozen=True, slots=True)
class Origin:
    host: str
    port: int
    host_header: str


@dataclass(slots=True)
class _Entry:
    keys: KeySet | None
    error: AwsError | None
    fetched_at: float  # when `keys` were fetched
    checked_at: float  # when the issuer was last asked
    refetched_at: float  # when an unknown `kid` last made us ask


class HttpsKeySource:
    """The real `KeySource`: discovery and JWKS over HTTPS with IAM's certificate trust, cached per issuer."""

    def __init__(
        self,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        ttl: float = CACHE_TTL,
        refetch_interval: float = REFETCH_INTERVAL,
        failure_ttl: float = FAILURE_TTL,
        max_bytes: int = MAX_DOCUMENT_BYTES,
        ca_context: ssl.SSLContext | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._timeout = timeout
        self._ttl = ttl
        self._refetch_interval = refetch_interval
        self._failure_ttl = failure_ttl
        self._max_bytes = max_bytes
        self._ca_context = ca_context
        self._monotonic = monotonic
        self._entries: dict[tuple[str, frozenset[str]], _Entry] = {}
        self._locks: dict[tuple[str, frozenset[str]], threading.Lock] = {}
        self._locks_guard = threading.Lock()

    def jwks(self, provider: OidcProviderView, kid: str | None) -> KeySet:
        thumbprints = frozenset(value.lower() for value in provider.thumbprints)
        key = (provider.url, thumbprints)
        entry = self._entries.get(key)
        if entry is None or self._stale(entry, kid):
            with self._lock_for(key):
                entry = self._entries.get(key)
                if entry is None or self._stale(entry, kid):
                    entry = self._refresh(provider.url, thumbprints, entry)
                    self._entries[key] = entry
        if entry.keys is None:
            raise entry.error or verification_key_unavailable()
        return entry.keys

    def clear(self) -> None:
        self._entries.clear()

    def _stale(self, entry: _Entry, kid: str | None) -> bool:
        now = self._monotonic()
        if entry.keys is None:
            return now - entry.checked_at >= self._failure_ttl
        if not self._fresh(entry, now):
            return True
        unknown = kid is not None and not has_kid(entry.keys, kid)
        return unknown and now - entry.refetched_at >= self._refetch_interval

    def _fresh(self, entry: _Entry | None, now: float) -> bool:
        return entry is not None and entry.keys is not None and now - entry.fetched_at < self._ttl

    def _refresh(self, url: str, thumbprints: frozenset[str], old: _Entry | None) -> _Entry:
        """Fetch again; fresh keys being refetched means an unknown `kid` asked, which the rate limit counts."""
        now = self._monotonic()
        kept = old if old is not None and self._fresh(old, now) else None
        refetched_at = now if kept is not None else (old.refetched_at if old is not None else -math.inf)
        trust = Trust(thumbprints, self._ca_context or default_ca_context())
        try:
            keys = fetch_key_set(url, trust, self._timeout, self._max_bytes)
        except AwsError as error:
            if kept is not None:  # keep serving the keys we have
                return _Entry(kept.keys, None, kept.fetched_at, now, refetched_at)
            return _Entry(None, error, now, now, refetched_at)
        return _Entry(keys, None, now, now, refetched_at)

    def _lock_for(self, key: tuple[str, frozenset[str]]) -> threading.Lock:
        with self._locks_guard:
            return self._locks.setdefault(key, threading.Lock())


@functools.cache
def default_ca_context() -> ssl.SSLContext:
    """The system CA store, loaded once (reading it costs milliseconds)."""
    return ssl.create_default_context()


def has_kid(keys: KeySet, kid: str) -> bool:
    return any(key.kid == kid for key in keys.keys)


# -- documents -----------------------------------------------------------------------------------------------


def fetch_key_set(url: str, trust: Trust, timeout: float, max_bytes: int) -> KeySet:
    """Discovery, then the JWKS it names; any failure is the error STS answers."""
    deadline = time.monotonic() + timeout
    try:
        discovery = fetch_json(f"https://{url.rstrip('/')}{DISCOVERY_PATH}", trust, deadline, max_bytes)
        jwks_uri = discovery.get("jwks_uri") if isinstance(discovery, dict) else None
        if not isinstance(jwks_uri, str):
            raise FetchFailed("discovery names no jwks_uri")
        return parse_key_set(fetch_json(jwks_uri, trust, deadline, max_bytes))
    except (FetchFailed, OSError, ValueError, SSL.Error) as exc:
        raise verification_key_unavailable() from exc


def parse_key_set(document: Any) -> KeySet:
    """The signing keys of a JWKS: RSA and EC keys only, public members only; other keys are skipped."""
    entries = document.get("keys") if isinstance(document, dict) else None
    if not isinstance(entries, list):
        raise FetchFailed("the JWKS has no keys")
    keys = [key for entry in entries if (key := import_signing_key(entry)) is not None]
    if not keys:
        raise FetchFailed("the JWKS has no usable signing key")
    return KeySet(keys)


def import_signing_key(entry: Any) -> Key | None:
    if (
        not isinstance(entry, dict)
        or entry.get("kty") not in ("RSA", "EC")
        or entry.get("use", "sig") != "sig"
    ):
        return None
    public = {name: value for name, value in entry.items() if name not in _PRIVATE_MEMBERS}
    try:
        return JWKRegistry.import_key(public)
    except (JoseError, ValueError, TypeError, KeyError):
        return None


def fetch_json(url: str, trust: Trust, deadline: float, max_bytes: int) -> Any:
    origin, target = split_https_url(url)
    body = fetch_body(origin, target, trust, deadline, max_bytes)
    try:
        return json.loads(body)
    except (ValueError, RecursionError) as exc:
        raise FetchFailed(f"{url} did not answer JSON") from exc


def split_https_url(url: str) -> tuple[Origin, str]:
    if not _URL_CHARACTERS.fullmatch(url):
        raise FetchFailed("a URL must be printable ASCII without spaces")
    try:
        parts = urlsplit(url)
        port = parts.port or 443
    except ValueError as exc:
        raise FetchFailed(f"bad URL {url}") from exc
    host = parts.hostname
    if parts.scheme != "https" or not host or parts.username is not None or parts.password is not None:
        raise FetchFailed(f"not an https URL: {url}")
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    shown = f"[{host}]" if ":" in host else host
    return Origin(host, port, shown if port == 443 else f"{shown}:{port}"), target


def fetch_body(origin: Origin, target: str, trust: Trust, deadline: float, max_bytes: int) -> bytes:
    try:
        with open_trusted(origin, trust, deadline) as connection:
            raw = exchange(connection, origin, target, deadline, max_bytes)
    except (OSError, SSL.Error, ValueError) as exc:
        raise FetchFailed(f"{origin.host}:{origin.port}: {exc}") from exc
    return parse_response(raw, max_bytes)


# -- TLS -----------------------------------------------------------------------------------------------------


def open_trusted(origin: Origin, trust: Trust, deadline: float) -> ssl.SSLSocket:
    try:
        return open_tls(origin, trust.ca_context, deadline)
    except ssl.SSLCertVerificationError:
        pass
    anchor = presented_top_certificate(origin, deadline)
    if thumbprint(anchor) not in trust.thumbprints:
        raise thumbprint_mismatch()
    try:
        return open_tls(origin, pinned_context(anchor), deadline)
    except ssl.SSLCertVerificationError as exc:
        raise thumbprint_mismatch() from exc


def open_tls(origin: Origin, context: ssl.SSLContext, deadline: float) -> ssl.SSLSocket:
    raw = socket.create_connection((origin.host, origin.port), timeout=remaining(deadline))
    try:
        return context.wrap_socket(raw, server_hostname=origin.host)
    except BaseException:
        raw.close()
        raise


def pinned_context(anchor: x509.Certificate) -> ssl.SSLContext:
    """Trust `anchor` alone; a partial chain lets an intermediate CA be the anchor, as IAM's thumbprint does."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.load_verify_locations(cadata=anchor.public_bytes(Encoding.DER))
    context.verify_flags |= ssl.VERIFY_X509_PARTIAL_CHAIN
    return context


def presented_top_certificate(origin: Origin, deadline: float) -> x509.Certificate:
    """The last certificate of the chain the server presents, read without trusting it."""
    context = SSL.Context(SSL.TLS_CLIENT_METHOD)
    context.set_verify(SSL.VERIFY_NONE)
    raw = socket.create_connection((origin.host, origin.port), timeout=remaining(deadline))
    try:
        connection = SSL.Connection(context, raw)
        if not is_ip_address(origin.host):
            connection.set_tlsext_host_name(origin.host.encode("idna"))
        connection.set_connect_state()
        handshake(connection, raw, deadline)
        chain = connection.get_peer_cert_chain(as_cryptography=True)
    finally:
        raw.close()
    if not chain:
        raise FetchFailed(f"{origin.host}:{origin.port} presented no certificate")
    return chain[-1]


def handshake(connection: SSL.Connection, raw: socket.socket, deadline: float) -> None:
    """pyOpenSSL on a socket with a timeout is non-blocking: wait for the socket between handshake steps."""
    while True:
        try:
            connection.do_handshake()
            return
        except SSL.WantReadError:
            wait_for(raw, deadline, writing=False)
        except SSL.WantWriteError:
            wait_for(raw, deadline, writing=True)


def wait_for(raw: socket.socket, deadline: float, *, writing: bool) -> None:
    readers, writers = ([], [raw]) if writing else ([raw], [])
    ready = select.select(readers, writers, [], remaining(deadline))
    if not any(ready):
        raise TimeoutError("TLS handshake timed out")


def thumbprint(certificate: x509.Certificate) -> str:
    return certificate.fingerprint(hashes.SHA1()).hex()  # IAM's thumbprints are SHA-1


def is_ip_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def remaining(deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise TimeoutError("the identity provider did not answer in time")
    return left


# -- HTTP ----------------------------------------------------------------------------------------------------


def exchange(
    connection: ssl.SSLSocket, origin: Origin, target: str, deadline: float, max_bytes: int
) -> bytes:
    """Send one GET and read the whole answer (the server closes: `Connection: close`) within the deadline."""
    request = (
        f"GET {target} HTTP/1.1\r\nHost: {origin.host_header}\r\nAccept: application/json\r\n"
        "User-Agent: shieldwall-sts\r\nConnection: close\r\n\r\n"
    )
    connection.settimeout(remaining(deadline))
    connection.sendall(request.encode("ascii"))
    received = bytearray()
    limit = max_bytes + MAX_HEADER_BYTES
    while True:
        connection.settimeout(remaining(deadline))
        chunk = connection.recv(65536)
        if not chunk:
            return bytes(received)
        received += chunk
        if len(received) > limit:
            raise FetchFailed(f"the answer of {origin.host} is larger than {limit} bytes")


class _Received:
    """What `http.client.HTTPResponse` reads from: the bytes already received, so parsing never blocks."""

    def __init__(self, data: bytes) -> None:
        self._data = data

    def makefile(self, mode: str, *args: Any, **kwargs: Any) -> io.BytesIO:
        return io.BytesIO(self._data)


def parse_response(raw: bytes, max_bytes: int) -> bytes:
    response = http.client.HTTPResponse(cast(socket.socket, _Received(raw)))
    try:
        response.begin()
        body = response.read(max_bytes + 1)
    except (http.client.HTTPException, ValueError, OSError) as exc:
        raise FetchFailed(f"unreadable HTTP answer: {exc}") from exc
    if response.status != 200:
        raise FetchFailed(f"HTTP {response.status}")
    if len(body) > max_bytes:
        raise FetchFailed(f"document larger than {max_bytes} bytes")
    return body
