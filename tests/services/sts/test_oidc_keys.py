"""HttpsKeySource: IAM's certificate trust (CA or thumbprint), caching, refetch on rotation, hostile issuers."""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes

from shieldwall.errors import AwsError
from shieldwall.services.sts.oidc_keys import HttpsKeySource
from shieldwall.services.sts.web_identity import OidcProviderView, verify_web_identity
from shieldwall.testing.oidc_issuer import DISCOVERY_PATH, JWKS_PATH, LocalOidcIssuer

CLIENT = "shieldwall-client"
THUMBPRINT_MISMATCH = "OpenIDConnect provider's HTTPS certificate doesn't match configured thumbprint"
KEY_UNAVAILABLE = (
    "Couldn't retrieve verification key from your identity provider,  "
    "please reference AssumeRoleWithWebIdentity documentation for requirements"
)


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class ServingIssuer(LocalOidcIssuer):
    """An issuer whose discovery or JWKS answer is replaced."""

    def __init__(self, *, discovery: Any = None, jwks: Any = None) -> None:
        super().__init__()
        self._discovery = discovery
        self._jwks = jwks

    def document_for(self, path: str) -> dict[str, Any] | None:
        if path == DISCOVERY_PATH and self._discovery is not None:
            return dict(self._discovery(self))
        if path == JWKS_PATH and self._jwks is not None:
            return dict(self._jwks)
        return super().document_for(path)


@pytest.fixture
def issuer() -> Iterator[LocalOidcIssuer]:
    with LocalOidcIssuer() as running:
        yield running


@pytest.fixture(scope="module")
def chained() -> Iterator[LocalOidcIssuer]:
    """An issuer whose certificate is issued by an intermediate CA (the server presents leaf + intermediate)."""
    with LocalOidcIssuer(chain=True) as running:
        yield running


def provider_of(issuer: LocalOidcIssuer, *thumbprints: str) -> OidcProviderView:
    url = issuer.provider_url
    return OidcProviderView(f"arn:aws:iam::123456789012:oidc-provider/{url}", url, (CLIENT,), thumbprints)


def accepts(issuer: LocalOidcIssuer, provider: OidcProviderView, keys: HttpsKeySource, **issue: Any) -> bool:
    now = datetime.now(UTC)
    identity = verify_web_identity(issuer.issue(aud=CLIENT, now=now, **issue), provider, now, keys)
    return identity.subject == "user"


def rejection(issuer: LocalOidcIssuer, provider: OidcProviderView, keys: HttpsKeySource) -> AwsError:
    with pytest.raises(AwsError) as raised:
        accepts(issuer, provider, keys)
    return raised.value


def fetches(issuer: LocalOidcIssuer) -> int:
    return sum(1 for path in issuer.requests if path.endswith(JWKS_PATH))


# -- certificate trust ---------------------------------------------------------------------------------------


def test_certificate_chaining_to_a_trusted_ca_needs_no_thumbprint(chained: LocalOidcIssuer) -> None:
    keys = HttpsKeySource(ca_context=chained.ca_context())

    assert accepts(chained, provider_of(chained), keys)


def test_thumbprint_of_the_top_intermediate_ca_is_trusted(chained: LocalOidcIssuer) -> None:
    assert accepts(chained, provider_of(chained, chained.thumbprint), HttpsKeySource())


def test_thumbprint_of_the_leaf_of_a_ca_issued_chain_is_not_trusted(chained: LocalOidcIssuer) -> None:
    leaf = x509.load_pem_x509_certificate(ssl.get_server_certificate(("127.0.0.1", chained.port)).encode())
    provider = provider_of(chained, leaf.fingerprint(hashes.SHA1()).hex())

    error = rejection(chained, provider, HttpsKeySource())

    assert (error.code, error.message) == ("InvalidIdentityToken", THUMBPRINT_MISMATCH)


def test_untrusted_certificate_without_thumbprints_is_rejected(issuer: LocalOidcIssuer) -> None:
    error = rejection(issuer, provider_of(issuer), HttpsKeySource())

    assert (error.code, error.message) == ("InvalidIdentityToken", THUMBPRINT_MISMATCH)


def test_server_appending_a_pinned_ca_to_its_own_chain_is_rejected(chained: LocalOidcIssuer) -> None:
    impostor = LocalOidcIssuer()
    # the impostor presents its own self-signed certificate followed by the genuine (public) intermediate CA,
    # so the top of its chain carries the pinned thumbprint; its leaf is not issued by that CA
    genuine_intermediate = chained._certificates.chain[-1]
    impostor._certificates.chain.append(genuine_intermediate)
    with impostor:
        error = rejection(impostor, provider_of(impostor, chained.thumbprint), HttpsKeySource())

        assert (error.code, error.message) == ("InvalidIdentityToken", THUMBPRINT_MISMATCH)
        assert impostor.requests == []


# -- caching -------------------------------------------------------------------------------------------------


def test_keys_are_fetched_once_for_many_tokens(issuer: LocalOidcIssuer) -> None:
    keys = HttpsKeySource()
    provider = provider_of(issuer, issuer.thumbprint)

    for alg in ("RS256", "ES256", "RS256", "ES256", "RS256"):
        assert accepts(issuer, provider, keys, alg=alg)

    assert issuer.requests == [DISCOVERY_PATH, JWKS_PATH]


def test_rotated_key_is_found_by_one_refetch(issuer: LocalOidcIssuer) -> None:
    keys = HttpsKeySource()
    provider = provider_of(issuer, issuer.thumbprint)
    assert accepts(issuer, provider, keys)

    new_kid = issuer.add_key("RS256", kid="rsa-2")

    assert accepts(issuer, provider, keys, key=issuer.key(new_kid))
    assert fetches(issuer) == 2


def test_unknown_kid_refetches_at_most_once_per_interval(issuer: LocalOidcIssuer) -> None:
    clock = FakeClock()
    keys = HttpsKeySource(refetch_interval=60, monotonic=clock)
    provider = provider_of(issuer, issuer.thumbprint)
    assert accepts(issuer, provider, keys)

    for _ in range(3):
        with pytest.raises(AwsError):
            accepts(issuer, provider, keys, key=issuer.untrusted_key(kid="ghost"))
    assert fetches(issuer) == 2

    clock.now += 61
    with pytest.raises(AwsError):
        accepts(issuer, provider, keys, key=issuer.untrusted_key(kid="ghost"))
    assert fetches(issuer) == 3


def test_cached_keys_expire_after_the_ttl(issuer: LocalOidcIssuer) -> None:
    clock = FakeClock()
    keys = HttpsKeySource(ttl=3600, monotonic=clock)
    provider = provider_of(issuer, issuer.thumbprint)
    assert accepts(issuer, provider, keys)

    clock.now += 3599
    assert accepts(issuer, provider, keys)
    assert fetches(issuer) == 1

    clock.now += 2
    assert accepts(issuer, provider, keys)
    assert fetches(issuer) == 2


def test_failed_fetch_is_remembered_briefly() -> None:
    clock = FakeClock()
    keys = HttpsKeySource(failure_ttl=10, monotonic=clock)
    with ServingIssuer(discovery=lambda issuer: {"issuer": issuer.url}) as broken:
        provider = provider_of(broken, broken.thumbprint)

        for _ in range(3):
            assert rejection(broken, provider, keys).message == KEY_UNAVAILABLE
        assert broken.requests == [DISCOVERY_PATH]

        clock.now += 11
        rejection(broken, provider, keys)
        assert broken.requests == [DISCOVERY_PATH, DISCOVERY_PATH]


# -- hostile or broken issuers -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "replacement",
    [
        {"discovery": lambda issuer: {"issuer": issuer.url}},
        {"discovery": lambda issuer: {"jwks_uri": issuer.url.replace("https", "http") + JWKS_PATH}},
        {"discovery": lambda issuer: {"jwks_uri": issuer.url + "/missing"}},
        {"discovery": lambda issuer: {"jwks_uri": issuer.url + JWKS_PATH + " HTTP/1.1\r\nX-Injected: 1"}},
        {"discovery": lambda issuer: {"jwks_uri": issuer.url + "/ключи"}},
        {"discovery": lambda issuer: {"jwks_uri": "https://user:pw@127.0.0.1:1/jwks"}},
        {"jwks": {"keys": [{"kty": "oct", "k": "c2VjcmV0", "kid": "rsa-1"}]}},
        {"jwks": {"keys": "none"}},
        {"jwks": {"keys": [{"kty": "RSA", "n": "bad", "e": "AQAB", "kid": "rsa-1"}]}},
        {"jwks": {"keys": [], "padding": "x" * 300_000}},
    ],
    ids=[
        "no-jwks-uri",
        "http-jwks-uri",
        "jwks-404",
        "crlf-in-uri",
        "non-ascii-uri",
        "userinfo-uri",
        "symmetric-key-only",
        "keys-not-a-list",
        "bad-rsa",
        "huge",
    ],
)
def test_unusable_discovery_or_jwks_is_rejected(replacement: dict[str, Any]) -> None:
    with ServingIssuer(**replacement) as broken:
        error = rejection(broken, provider_of(broken, broken.thumbprint), HttpsKeySource())

        assert (error.code, error.message) == ("InvalidIdentityToken", KEY_UNAVAILABLE)


def test_private_members_published_in_a_jwks_are_never_kept(issuer: LocalOidcIssuer) -> None:
    leaked = issuer.key("rsa-1").as_dict(private=True)
    with ServingIssuer(jwks={"keys": [leaked]}) as careless:
        keys = HttpsKeySource()
        provider = provider_of(careless, careless.thumbprint)

        assert accepts(careless, provider, keys, key=issuer.key("rsa-1"))
        assert all(
            "d" not in key.as_dict(private=False) and not key.is_private for key in keys.jwks(provider, None)
        )
