"""A local OpenID Connect issuer over HTTPS, for tests and for trying web identity federation by hand.

    with LocalOidcIssuer() as issuer:
        iam.create_open_id_connect_provider(
            Url=issuer.url, ClientIDList=["my-app"], ThumbprintList=[issuer.thumbprint]
        )
        token = issuer.issue(sub="alice", aud="my-app")
        sts.assume_role_with_web_identity(RoleArn=role_arn, RoleSessionName="alice", WebIdentityToken=token)

The issuer listens on 127.0.0.1 on a free port with a certificate it generates (SAN IP:127.0.0.1 and
DNS:localhost), serves `/.well-known/openid-configuration` and a JWKS holding one RS256 and one ES256 key, and
signs tokens with them. `untrusted_key(alg)` is a key its JWKS never lists, to forge signatures with.

By default the certificate is self-signed, so `thumbprint` is its own SHA-1. With `chain=True` the server
presents a leaf issued by an intermediate CA plus that intermediate: `thumbprint` is then the intermediate's (the
top of the presented chain, as IAM expects) and `root_ca_pem` is the root a client may trust as a CA instead.
"""

from __future__ import annotations

import json
import ssl
import tempfile
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from ipaddress import IPv4Address
from pathlib import Path
from types import TracebackType
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from joserfc import jws
from joserfc.jwk import ECKey, Key, KeySet, RSAKey

DISCOVERY_PATH = "/.well-known/openid-configuration"
JWKS_PATH = "/protocol/openid-connect/certs"
HOST = "127.0.0.1"
_ANY_HEADER = {
    alg: jws.JWSRegistry(algorithms=[alg], strict_check_header=False) for alg in ("RS256", "ES256")
}


@dataclass(frozen=True, slots=True)
class _Certificates:
    chain: list[x509.Certificate]  # what the server presents, leaf first
    leaf_key: ec.EllipticCurvePrivateKey
    root: x509.Certificate


class LocalOidcIssuer:
    def __init__(self, *, path: str = "", chain: bool = False) -> None:
        self._path = path.rstrip("/")
        self._certificates = _issue_ca_chain() if chain else _issue_self_signed()
        self._lock = threading.Lock()
        self._keys: dict[str, Key] = {}
        self._untrusted: dict[str, Key] = {}
        self.add_key("RS256", kid="rsa-1")
        self.add_key("ES256", kid="ec-1")
        self.requests: list[str] = []
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # -- what a client needs ---------------------------------------------------------------------------------

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("the issuer is not running: use `with LocalOidcIssuer() as issuer:`")
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        return f"https://{HOST}:{self.port}{self._path}"

    @property
    def provider_url(self) -> str:
        """The URL as IAM stores it: without `https://`."""
        return self.url.removeprefix("https://")

    @property
    def thumbprint(self) -> str:
        """SHA-1 hex of the top certificate the server presents: what IAM's ThumbprintList holds."""
        return self._certificates.chain[-1].fingerprint(hashes.SHA1()).hex()

    @property
    def root_ca_pem(self) -> str:
        return self._certificates.root.public_bytes(Encoding.PEM).decode("ascii")

    def ca_context(self) -> ssl.SSLContext:
        """A client context that trusts this issuer's root as a CA (hostname checked)."""
        return ssl.create_default_context(cadata=self.root_ca_pem)

    def jwks(self) -> dict[str, Any]:
        with self._lock:
            return dict(KeySet(list(self._keys.values())).as_dict(private=False))

    # -- keys and tokens -------------------------------------------------------------------------------------

    def add_key(self, alg: str = "RS256", *, kid: str | None = None) -> str:
        """Publish a new signing key in the JWKS (a key rotation) and return its kid."""
        with self._lock:
            kid = kid or f"key-{len(self._keys) + 1}"
            self._keys[kid] = _generate_key(alg, kid)
        return kid

    def key(self, kid: str) -> Key:
        return self._keys[kid]

    def untrusted_key(self, alg: str = "RS256", *, kid: str = "untrusted") -> Key:
        """A key of `alg`'s type that the JWKS never lists (one per alg and kid, kept for the issuer's life)."""
        with self._lock:
            return self._untrusted.setdefault(f"{alg}/{kid}", _generate_key(alg, kid))

    def issue(
        self,
        sub: str = "user",
        aud: str | list[str] = "shieldwall-client",
        *,
        lifetime: int = 300,
        alg: str = "RS256",
        now: datetime | None = None,
        claims: Mapping[str, Any] | None = None,
        header: Mapping[str, Any] | None = None,
        key: Key | None = None,
    ) -> str:
        """A signed ID token; `claims` and `header` add or override members, a None value removes one."""
        issued = int((now or datetime.now(UTC)).timestamp())
        signing_key = key or self._default_key(alg)
        body = {"iss": self.url, "sub": sub, "aud": aud, "iat": issued, "exp": issued + lifetime}
        protected = {"typ": "JWT", "alg": alg, "kid": signing_key.kid}
        payload = json.dumps(_merged(body, claims)).encode()
        registry = _ANY_HEADER.get(alg) or jws.JWSRegistry(algorithms=[alg], strict_check_header=False)
        return jws.serialize_compact(_merged(protected, header), payload, signing_key, registry=registry)

    def _default_key(self, alg: str) -> Key:
        kty = "EC" if alg.startswith("ES") else "RSA"
        with self._lock:
            return next(key for key in self._keys.values() if key.key_type == kty)

    # -- serving ---------------------------------------------------------------------------------------------

    def document_for(self, path: str) -> dict[str, Any] | None:
        path = path.split("?", 1)[0]
        if path == self._path + DISCOVERY_PATH:
            return {
                "issuer": self.url,
                "jwks_uri": self.url + JWKS_PATH,
                "response_types_supported": ["id_token"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256", "ES256"],
            }
        if path == self._path + JWKS_PATH:
            return self.jwks()
        return None

    def start(self) -> LocalOidcIssuer:
        server = _Server((HOST, 0), _Handler)
        server.issuer = self
        server.socket = self._tls_context().wrap_socket(
            server.socket, server_side=True, do_handshake_on_connect=False
        )
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="local-oidc-issuer", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None
        self._thread = None

    def __enter__(self) -> LocalOidcIssuer:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.stop()

    def _tls_context(self) -> ssl.SSLContext:
        """`ssl` loads certificates from files only: write them to a private temporary folder and load."""
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        with tempfile.TemporaryDirectory() as folder:
            chain_file = Path(folder) / "chain.pem"
            key_file = Path(folder) / "key.pem"
            chain_file.write_bytes(
                b"".join(cert.public_bytes(Encoding.PEM) for cert in self._certificates.chain)
            )
            key_file.write_bytes(
                self._certificates.leaf_key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
            )
            context.load_cert_chain(chain_file, key_file)
        return context


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    issuer: LocalOidcIssuer

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Clients that only read the certificate chain hang up mid-handshake; that is not an error here."""


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    timeout = 5

    def do_GET(self) -> None:
        self.server.issuer.requests.append(self.path)
        document = self.server.issuer.document_for(self.path)
        body = json.dumps(document if document is not None else {"error": "not found"}).encode()
        self.send_response(200 if document is not None else 404)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        return None


# -- key and certificate material ----------------------------------------------------------------------------


def _generate_key(alg: str, kid: str) -> Key:
    parameters: dict[str, Any] = {"kid": kid, "alg": alg, "use": "sig"}
    if alg.startswith("ES"):
        curve = {"ES256": "P-256", "ES384": "P-384", "ES512": "P-521"}[alg]
        return ECKey.generate_key(curve, parameters)  # type: ignore[arg-type]
    return RSAKey.generate_key(2048, parameters)  # type: ignore[arg-type]


def _merged(base: dict[str, Any], changes: Mapping[str, Any] | None) -> dict[str, Any]:
    merged = {**base, **(changes or {})}
    return {name: value for name, value in merged.items() if value is not None}


def _issue_self_signed() -> _Certificates:
    key = ec.generate_private_key(ec.SECP256R1())
    leaf = _certificate("shieldwall local OIDC issuer", key, key, issuer_name=None, ca=False)
    return _Certificates([leaf], key, leaf)


def _issue_ca_chain() -> _Certificates:
    root_key = ec.generate_private_key(ec.SECP256R1())
    root = _certificate("shieldwall local root CA", root_key, root_key, issuer_name=None, ca=True)
    middle_key = ec.generate_private_key(ec.SECP256R1())
    middle = _certificate("shieldwall local intermediate CA", middle_key, root_key, root.subject, ca=True)
    leaf_key = ec.generate_private_key(ec.SECP256R1())
    leaf = _certificate("shieldwall local OIDC issuer", leaf_key, middle_key, middle.subject, ca=False)
    return _Certificates([leaf, middle], leaf_key, root)


def _certificate(
    name: str,
    key: ec.EllipticCurvePrivateKey,
    signer: ec.EllipticCurvePrivateKey,
    issuer_name: x509.Name | None,
    *,
    ca: bool,
) -> x509.Certificate:
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.now(UTC)  # real time: TLS clients check validity against their own clock
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer_name or subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(signer.public_key()), critical=False
        )
    )
    if ca:
        usage = x509.KeyUsage(False, False, False, False, False, True, True, False, False)
        builder = builder.add_extension(usage, critical=True)
    else:
        names = [x509.IPAddress(IPv4Address(HOST)), x509.DNSName("localhost")]
        builder = builder.add_extension(x509.SubjectAlternativeName(names), critical=False)
        builder = builder.add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False
        )
    return builder.sign(signer, hashes.SHA256())
