"""verify_web_identity against a real LocalOidcIssuer: discovery and JWKS fetched over HTTPS."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import socket
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from shieldwall.errors import AwsError
from shieldwall.services.sts.oidc_keys import HttpsKeySource
from shieldwall.services.sts.web_identity import OidcProviderView, WebIdentity, verify_web_identity
from shieldwall.testing.oidc_issuer import JWKS_PATH, LocalOidcIssuer

CLIENT = "shieldwall-client"
KEY_UNAVAILABLE = (
    "Couldn't retrieve verification key from your identity provider,  "
    "please reference AssumeRoleWithWebIdentity documentation for requirements"
)


@pytest.fixture(scope="module")
def issuer() -> Iterator[LocalOidcIssuer]:
    with LocalOidcIssuer(path="/realms/test") as running:
        yield running


@pytest.fixture(scope="module")
def keys() -> HttpsKeySource:
    return HttpsKeySource(timeout=2.0)


@pytest.fixture(scope="module")
def provider(issuer: LocalOidcIssuer) -> OidcProviderView:
    return provider_for(issuer.provider_url, thumbprints=(issuer.thumbprint,))


def provider_for(url: str, thumbprints: tuple[str, ...] = ()) -> OidcProviderView:
    return OidcProviderView(
        arn=f"arn:aws:iam::123456789012:oidc-provider/{url}",
        url=url,
        client_ids=(CLIENT, "another-app"),
        thumbprints=thumbprints,
    )


def verify(token: str, provider: OidcProviderView | None, keys: HttpsKeySource, now: datetime) -> WebIdentity:
    return verify_web_identity(token, provider, now, keys)


def rejection(token: str, provider: OidcProviderView | None, keys: HttpsKeySource, now: datetime) -> AwsError:
    with pytest.raises(AwsError) as raised:
        verify(token, provider, keys, now)
    return raised.value


def b64(data: Any) -> str:
    raw = data if isinstance(data, bytes) else json.dumps(data).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def claims_of(issuer: LocalOidcIssuer, now: datetime) -> dict[str, Any]:
    issued = int(now.timestamp())
    return {"iss": issuer.url, "sub": "alice", "aud": CLIENT, "iat": issued, "exp": issued + 300}


# -- accepted ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("alg", ["RS256", "ES256"])
def test_token_signed_by_the_issuer_is_accepted(
    alg: str, issuer: LocalOidcIssuer, provider: OidcProviderView, keys: HttpsKeySource
) -> None:
    now = datetime.now(UTC)
    token = issuer.issue(sub="alice", aud=CLIENT, alg=alg, now=now, claims={"amr": ["pwd", "mfa"]})

    identity = verify(token, provider, keys, now)

    prefix = issuer.provider_url
    assert (identity.issuer, identity.subject, identity.audience) == (issuer.url, "alice", CLIENT)
    assert identity.provider == provider
    assert identity.claims["amr"] == ["pwd", "mfa"]
    assert identity.condition_keys == {
        f"{prefix}:aud": (CLIENT,),
        f"{prefix}:oaud": (CLIENT,),
        f"{prefix}:sub": ("alice",),
        f"{prefix}:amr": ("pwd", "mfa"),
    }


def test_jku_header_of_a_genuine_token_is_ignored(
    issuer: LocalOidcIssuer, provider: OidcProviderView, keys: HttpsKeySource
) -> None:
    now = datetime.now(UTC)
    token = issuer.issue(now=now, header={"jku": "https://127.0.0.1:1/elsewhere.json"})

    assert verify(token, provider, keys, now).subject == "user"


def test_token_in_the_five_minute_grace_after_exp_is_accepted(
    issuer: LocalOidcIssuer, provider: OidcProviderView, keys: HttpsKeySource
) -> None:
    issued = datetime.now(UTC)
    token = issuer.issue(now=issued, lifetime=60)

    assert verify(token, provider, keys, issued + timedelta(seconds=60 + 299)).subject == "user"


# -- forged or broken signatures -----------------------------------------------------------------------------


def test_token_signed_by_a_key_outside_the_jwks_is_rejected(
    issuer: LocalOidcIssuer, provider: OidcProviderView, keys: HttpsKeySource
) -> None:
    now = datetime.now(UTC)
    forged = issuer.issue(now=now, key=issuer.untrusted_key("RS256", kid="rsa-1"))

    error = rejection(forged, provider, keys, now)

    assert (error.code, error.status) == ("InvalidIdentityToken", 400)
    assert "signature" in error.message


def test_unsigned_alg_none_token_is_rejected(
    issuer: LocalOidcIssuer, provider: OidcProviderView, keys: HttpsKeySource
) -> None:
    now = datetime.now(UTC)
    token = f"{b64({'alg': 'none', 'typ': 'JWT'})}.{b64(claims_of(issuer, now))}."

    error = rejection(token, provider, keys, now)

    assert (error.code, error.status) == ("InvalidIdentityToken", 400)
    assert "algorithm" in error.message


def test_hs256_token_keyed_with_the_issuer_public_key_is_rejected(
    issuer: LocalOidcIssuer, provider: OidcProviderView, keys: HttpsKeySource
) -> None:
    now = datetime.now(UTC)
    public = issuer.key("rsa-1")
    for secret in (public.as_pem(private=False), json.dumps(public.as_dict(private=False)).encode()):
        signing_input = f"{b64({'alg': 'HS256', 'kid': 'rsa-1'})}.{b64(claims_of(issuer, now))}"
        signature = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()

        error = rejection(f"{signing_input}.{b64(signature)}", provider, keys, now)

        assert error.code == "InvalidIdentityToken"
        assert "algorithm" in error.message


def test_token_naming_a_kid_the_jwks_lacks_is_rejected(
    issuer: LocalOidcIssuer, provider: OidcProviderView, keys: HttpsKeySource
) -> None:
    now = datetime.now(UTC)
    token = issuer.issue(now=now, key=issuer.untrusted_key("RS256", kid="ghost"))

    error = rejection(token, provider, keys, now)

    assert (error.code, error.message) == ("InvalidIdentityToken", KEY_UNAVAILABLE)


def test_rsa_kid_under_an_ec_algorithm_is_rejected(
    issuer: LocalOidcIssuer, provider: OidcProviderView, keys: HttpsKeySource
) -> None:
    now = datetime.now(UTC)
    token = issuer.issue(now=now, alg="ES256", key=issuer.untrusted_key("ES256", kid="rsa-1"))

    error = rejection(token, provider, keys, now)

    assert error.code == "InvalidIdentityToken"
    assert "algorithm" in error.message


def test_keys_named_by_jku_are_never_fetched(
    issuer: LocalOidcIssuer, provider: OidcProviderView, keys: HttpsKeySource
) -> None:
    now = datetime.now(UTC)
    with LocalOidcIssuer() as attacker:
        forged = issuer.issue(
            now=now, key=attacker.key("rsa-1"), header={"jku": attacker.url + JWKS_PATH, "kid": "rsa-1"}
        )

        error = rejection(forged, provider, keys, now)

        assert error.code == "InvalidIdentityToken"
        assert attacker.requests == []


def test_key_embedded_in_the_jwk_header_is_not_trusted(
    issuer: LocalOidcIssuer, provider: OidcProviderView, keys: HttpsKeySource
) -> None:
    now = datetime.now(UTC)
    attacker_key = issuer.untrusted_key("RS256", kid="rsa-1")
    forged = issuer.issue(now=now, key=attacker_key, header={"jwk": attacker_key.as_dict(private=False)})

    assert rejection(forged, provider, keys, now).code == "InvalidIdentityToken"


# -- claims --------------------------------------------------------------------------------------------------


def test_token_of_an_issuer_without_provider_is_rejected(
    issuer: LocalOidcIssuer, provider: OidcProviderView, keys: HttpsKeySource
) -> None:
    now = datetime.now(UTC)
    token = issuer.issue(now=now, claims={"iss": "https://idp.example.com"})

    for candidate in (provider, None):
        error = rejection(token, candidate, keys, now)

        assert (error.code, error.status) == ("InvalidIdentityToken", 400)
        assert error.message == "No OpenIDConnect provider found in your account for https://idp.example.com"


def test_token_for_another_audience_is_rejected(
    issuer: LocalOidcIssuer, provider: OidcProviderView, keys: HttpsKeySource
) -> None:
    now = datetime.now(UTC)
    token = issuer.issue(now=now, aud="someone-else")

    error = rejection(token, provider, keys, now)

    assert (error.code, error.message) == ("InvalidIdentityToken", "Incorrect token audience")


def test_expired_token_is_rejected_with_expired_token_exception(
    issuer: LocalOidcIssuer, provider: OidcProviderView, keys: HttpsKeySource
) -> None:
    issued = datetime(2030, 1, 1, tzinfo=UTC)
    token = issuer.issue(now=issued, lifetime=600)
    now = issued + timedelta(seconds=600 + 301)

    error = rejection(token, provider, keys, now)

    expires = int(issued.timestamp()) + 600
    assert (error.code, error.status) == ("ExpiredTokenException", 400)
    assert error.message == (
        f"Token expired: current date/time {int(now.timestamp())} must be before the expiration date/time {expires}"
    )


def test_token_whose_nbf_is_in_the_future_is_rejected(
    issuer: LocalOidcIssuer, provider: OidcProviderView, keys: HttpsKeySource
) -> None:
    now = datetime.now(UTC)
    token = issuer.issue(now=now, lifetime=3600, claims={"nbf": int(now.timestamp()) + 1800})

    assert rejection(token, provider, keys, now).code == "InvalidIdentityToken"


# -- certificate trust ---------------------------------------------------------------------------------------


def test_thumbprint_is_compared_case_insensitively(issuer: LocalOidcIssuer) -> None:
    now = datetime.now(UTC)
    provider = provider_for(issuer.provider_url, thumbprints=(issuer.thumbprint.upper(),))

    assert verify(issuer.issue(now=now), provider, HttpsKeySource(), now).subject == "user"


def test_untrusted_certificate_with_unlisted_thumbprint_is_rejected(issuer: LocalOidcIssuer) -> None:
    now = datetime.now(UTC)
    provider = provider_for(issuer.provider_url, thumbprints=("0" * 40,))

    error = rejection(issuer.issue(now=now), provider, HttpsKeySource(), now)

    assert (error.code, error.status) == ("InvalidIdentityToken", 400)
    assert error.message == "OpenIDConnect provider's HTTPS certificate doesn't match configured thumbprint"


# -- unreachable issuers -------------------------------------------------------------------------------------


def test_issuer_on_a_closed_port_fails_fast(issuer: LocalOidcIssuer) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    now = datetime.now(UTC)
    token = issuer.issue(now=now, claims={"iss": f"https://127.0.0.1:{port}"})

    started = time.monotonic()
    error = rejection(token, provider_for(f"127.0.0.1:{port}", ("0" * 40,)), HttpsKeySource(), now)

    assert time.monotonic() - started < 1.0
    assert (error.code, error.message) == ("InvalidIdentityToken", KEY_UNAVAILABLE)


def test_issuer_that_never_answers_fails_within_the_timeout(issuer: LocalOidcIssuer) -> None:
    with socket.create_server(("127.0.0.1", 0)) as silent:
        port = silent.getsockname()[1]
        now = datetime.now(UTC)
        token = issuer.issue(now=now, claims={"iss": f"https://127.0.0.1:{port}"})

        started = time.monotonic()
        error = rejection(token, provider_for(f"127.0.0.1:{port}"), HttpsKeySource(timeout=0.5), now)

        assert time.monotonic() - started < 1.5
        assert (error.code, error.message) == ("InvalidIdentityToken", KEY_UNAVAILABLE)


# -- hostile input -------------------------------------------------------------------------------------------


def test_token_longer_than_20000_characters_is_a_validation_error(
    provider: OidcProviderView, keys: HttpsKeySource
) -> None:
    error = rejection("e" * 20_001, provider, keys, datetime.now(UTC))

    assert (error.code, error.status) == ("ValidationError", 400)
    assert error.message == (
        "1 validation error detected: Value at 'webIdentityToken' failed to satisfy constraint: "
        "Member must have length less than or equal to 20000"
    )


@pytest.mark.parametrize(
    "token",
    [
        "",
        "not-a-jwt",
        "a.b.c",
        "....",
        f"{b64({'alg': 'RS256'})}.{b64(b'[' * 14_000)}.c2ln",
        f"{b64({'alg': 'RS256'})}.{b64(b'{' * 14_000)}.c2ln",
        f"{b64(b'not json')}.{b64({'iss': 'x'})}.c2ln",
        f"{b64({'alg': 'RS256'})}.{b64([1, 2])}.c2ln",
        "é" * 19_000,
    ],
)
def test_garbage_token_is_rejected_quickly(
    token: str, provider: OidcProviderView, keys: HttpsKeySource
) -> None:
    started = time.monotonic()

    error = rejection(token, provider, keys, datetime.now(UTC))

    assert (error.code, error.status) == ("InvalidIdentityToken", 400)
    assert time.monotonic() - started < 0.5
