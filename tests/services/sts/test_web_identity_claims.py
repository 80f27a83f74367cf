"""verify_web_identity with an in-memory KeySource: claim rules, condition keys per provider, malformed tokens."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from joserfc import jws
from joserfc.jwk import ECKey, JWKRegistry, Key, KeySet, RSAKey

from shieldwall.errors import AwsError
from shieldwall.services.sts.web_identity import (
    OidcProviderView,
    WebIdentity,
    peek_issuer,
    provider_url,
    verify_web_identity,
)

NOW = datetime(2030, 6, 1, 12, 0, tzinfo=UTC)
LOCAL = "127.0.0.1:8443/realms/x"
RSA_KEY = RSAKey.generate_key(2048, {"kid": "rsa-1", "use": "sig"})
EC_KEY = ECKey.generate_key("P-256", {"kid": "ec-1"})
OTHER_RSA_KEY = RSAKey.generate_key(2048, {"kid": "rsa-2"})
REGISTRY = jws.JWSRegistry(strict_check_header=False, algorithms=["RS256", "ES256", "PS256"])


class MemoryKeys:
    """A KeySource over a fixed key set that records what it was asked."""

    def __init__(self, *keys: Key) -> None:
        self.key_set = KeySet([JWKRegistry.import_key(key.as_dict(private=False)) for key in keys])
        self.asked: list[str | None] = []

    def jwks(self, provider: OidcProviderView, kid: str | None) -> KeySet:
        self.asked.append(kid)
        return self.key_set


def provider(url: str = LOCAL, *client_ids: str) -> OidcProviderView:
    return OidcProviderView(
        f"arn:aws:iam::123456789012:oidc-provider/{url}", url, client_ids or ("client-a",), ("a" * 40,)
    )


def sign(claims: dict[str, Any], key: Key = RSA_KEY, alg: str = "RS256", **header: Any) -> str:
    protected = {"alg": alg, "typ": "JWT", **({"kid": key.kid} if key.kid else {}), **header}
    protected = {name: value for name, value in protected.items() if value is not None}
    return jws.serialize_compact(protected, json.dumps(claims), key, registry=REGISTRY)


def claims(**changes: Any) -> dict[str, Any]:
    issued = int(NOW.timestamp())
    base = {"iss": f"https://{LOCAL}", "sub": "alice", "aud": "client-a", "iat": issued, "exp": issued + 600}
    return {name: value for name, value in {**base, **changes}.items() if value is not None}


def verified(token: str, view: OidcProviderView | None = None, keys: MemoryKeys | None = None) -> WebIdentity:
    return verify_web_identity(token, view or provider(), NOW, keys or MemoryKeys(RSA_KEY, EC_KEY))


def rejected(token: str, view: OidcProviderView | None = None, keys: MemoryKeys | None = None) -> AwsError:
    with pytest.raises(AwsError) as raised:
        verified(token, view, keys)
    return raised.value


# -- condition keys ------------------------------------------------------------------------------------------


def test_local_provider_keys_are_prefixed_with_the_provider_url() -> None:
    token = sign(claims(aud=["other", "client-a"], amr=["pwd", "otp"]))

    identity = verified(token)

    assert identity.audience == "client-a"
    assert identity.condition_keys == {
        f"{LOCAL}:aud": ("client-a",),
        f"{LOCAL}:oaud": ("other", "client-a"),
        f"{LOCAL}:sub": ("alice",),
        f"{LOCAL}:amr": ("pwd", "otp"),
    }


def test_google_token_with_azp_compares_azp_and_exposes_aud_as_oaud() -> None:
    google = provider("accounts.google.com", "107806444890271851399")
    token = sign(
        claims(
            iss="https://accounts.google.com",
            sub="1078",
            aud="sts.amazonaws.com",
            azp="107806444890271851399",
        )
    )

    identity = verified(token, google)

    assert identity.audience == "107806444890271851399"
    assert identity.condition_keys == {
        "accounts.google.com:aud": ("107806444890271851399",),
        "accounts.google.com:oaud": ("sts.amazonaws.com",),
        "accounts.google.com:sub": ("1078",),
    }


def test_google_token_with_azp_is_not_matched_by_its_aud() -> None:
    google = provider("accounts.google.com", "sts.amazonaws.com")
    token = sign(claims(iss="https://accounts.google.com", aud="sts.amazonaws.com", azp="1234"))

    assert rejected(token, google).message == "Incorrect token audience"


def test_google_token_without_azp_uses_aud_for_both_keys() -> None:
    google = provider("accounts.google.com", "web-client.apps.googleusercontent.com")
    token = sign(claims(iss="accounts.google.com", aud="web-client.apps.googleusercontent.com"))

    identity = verified(token, google)

    assert identity.issuer == "accounts.google.com"
    assert identity.condition_keys["accounts.google.com:aud"] == ("web-client.apps.googleusercontent.com",)
    assert identity.condition_keys["accounts.google.com:oaud"] == ("web-client.apps.googleusercontent.com",)


def test_cognito_identity_token_exposes_aud_sub_and_amr() -> None:
    pool = "us-east-1:12345678-aaaa-bbbb-cccc-1234567890ab"
    cognito = provider("cognito-identity.amazonaws.com", pool)
    amr = ["authenticated", "cognito-idp.us-east-1.amazonaws.com/us-east-1_abc", "login:sub"]
    token = sign(
        claims(iss="https://cognito-identity.amazonaws.com", aud=pool, sub="us-east-1:identity", amr=amr)
    )

    identity = verified(token, cognito)

    assert identity.condition_keys == {
        "cognito-identity.amazonaws.com:aud": (pool,),
        "cognito-identity.amazonaws.com:sub": ("us-east-1:identity",),
        "cognito-identity.amazonaws.com:amr": tuple(amr),
    }


def test_single_string_amr_is_one_value() -> None:
    identity = verified(sign(claims(amr="unauthenticated")))

    assert identity.condition_keys[f"{LOCAL}:amr"] == ("unauthenticated",)


# -- issuer and keys -----------------------------------------------------------------------------------------


def test_missing_provider_names_the_token_issuer_and_fetches_nothing() -> None:
    keys = MemoryKeys(RSA_KEY)
    with pytest.raises(AwsError) as raised:
        verify_web_identity(sign(claims()), None, NOW, keys)

    assert raised.value.message == f"No OpenIDConnect provider found in your account for https://{LOCAL}"
    assert keys.asked == []


def test_plain_http_issuer_never_matches_a_provider() -> None:
    error = rejected(sign(claims(iss=f"http://{LOCAL}")))

    assert error.message == f"No OpenIDConnect provider found in your account for http://{LOCAL}"


def test_token_without_kid_is_verified_against_the_key_that_signed_it() -> None:
    token = sign(claims(), key=OTHER_RSA_KEY, kid=None)
    keys = MemoryKeys(RSA_KEY, EC_KEY, OTHER_RSA_KEY)

    assert verified(token, keys=keys).subject == "alice"
    assert keys.asked == [None]


def test_ps256_token_is_accepted() -> None:
    assert verified(sign(claims(), alg="PS256")).subject == "alice"


def test_critical_header_is_rejected() -> None:
    token = sign(claims(), crit=["kid"])

    assert rejected(token).code == "InvalidIdentityToken"


def test_key_declared_for_another_algorithm_is_not_used() -> None:
    declared = RSAKey.import_key({**RSA_KEY.as_dict(private=False), "alg": "RS512"})

    assert rejected(sign(claims()), keys=MemoryKeys(declared)).code == "InvalidIdentityToken"


# -- claims --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["sub", "aud", "exp"])
def test_missing_required_claim_is_named(name: str) -> None:
    error = rejected(sign(claims(**{name: None})))

    assert (error.code, error.message) == ("InvalidIdentityToken", f"Missing a required claim: {name}")


@pytest.mark.parametrize(
    "changes",
    [{"exp": "tomorrow"}, {"exp": True}, {"aud": 42}, {"aud": ["client-a", 7]}, {"sub": ""}, {"iss": 5}],
)
def test_claim_of_the_wrong_type_is_rejected(changes: dict[str, Any]) -> None:
    assert rejected(sign(claims(**changes))).code == "InvalidIdentityToken"


def test_token_issued_in_the_future_is_rejected() -> None:
    issued = int((NOW + timedelta(hours=1)).timestamp())

    assert rejected(sign(claims(iat=issued, exp=issued + 600))).code == "InvalidIdentityToken"


def test_token_just_past_the_grace_period_is_expired() -> None:
    expires = int(NOW.timestamp()) - 300

    assert rejected(sign(claims(exp=expires))).code == "ExpiredTokenException"


def test_provider_without_client_ids_accepts_no_audience() -> None:
    view = OidcProviderView("arn:aws:iam::123456789012:oidc-provider/x", LOCAL, (), ())

    assert rejected(sign(claims()), view).message == "Incorrect token audience"


# -- peeking and malformed tokens ----------------------------------------------------------------------------


def test_peek_issuer_reads_the_unverified_issuer() -> None:
    forged = sign(claims(iss="https://issuer.example/tenant"), key=OTHER_RSA_KEY)

    assert peek_issuer(forged) == "https://issuer.example/tenant"
    assert provider_url(peek_issuer(forged)) == "issuer.example/tenant"


@pytest.mark.parametrize("token", ["", "abc", "a.b.c", sign(claims(iss=None)), "x" * 20_001])
def test_peek_issuer_rejects_what_is_not_a_jwt_with_an_issuer(token: str) -> None:
    with pytest.raises(AwsError) as raised:
        peek_issuer(token)

    assert raised.value.code in ("InvalidIdentityToken", "ValidationError")
    assert raised.value.status == 400


def test_token_of_exactly_20000_characters_is_not_a_validation_error() -> None:
    assert rejected("a" * 20_000).code == "InvalidIdentityToken"
