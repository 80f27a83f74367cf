"""Verifying the web identity token of AssumeRoleWithWebIdentity.

`verify_web_identity` turns an OpenID Connect ID token into a `WebIdentity` or raises the `AwsError` STS would
send. The steps run in this order: parse the compact JWS, allow only asymmetric algorithms, match the `iss`
claim to the IAM OIDC provider, fetch the issuer's keys through a `KeySource`, verify the signature with joserfc
(the key is always chosen from the issuer's JWKS, never from the token's `jku`/`x5u`/`jwk` headers), then check
the lifetime and audience claims and build the trust policy's condition keys.

Keys come from a pluggable `KeySource`: `oidc_keys.HttpsKeySource` fetches them over HTTPS for external
issuers; tokens shieldwall issues itself can be verified from an in-memory key set.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import Key, KeySet

from shieldwall.errors import AwsError
from shieldwall.protocol.validate import Problem, summary

MAX_TOKEN_LENGTH = 20_000  # WebIdentityToken's max length in the STS model
# IAM accepts a token up to five minutes after its `exp` to absorb clock skew, as OIDC Core allows:
# https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_oidc.html
# The same five minutes are allowed for `nbf` and `iat` in the future (a choice: AWS documents only `exp`).
CLOCK_LEEWAY_SECONDS = 300
MAX_KEYS_TRIED = 8  # a token without `kid` is tried against at most this many keys of the right type

GOOGLE = "accounts.google.com"
COGNITO_IDENTITY = "cognito-identity.amazonaws.com"

# algorithm -> (JWK kty, EC curve); only asymmetric algorithms, so `none` and HS* never verify
ALGORITHMS: dict[str, tuple[str, str | None]] = {
    "RS256": ("RSA", None),
    "RS384": ("RSA", None),
    "RS512": ("RSA", None),
    "PS256": ("RSA", None),
    "PS384": ("RSA", None),
    "PS512": ("RSA", None),
    "ES256": ("EC", "P-256"),
    "ES384": ("EC", "P-384"),
    "ES512": ("EC", "P-521"),
}
_FORBIDDEN_HEADERS = ("crit", "b64")  # no JWS extension (RFC 7515 crit, RFC 7797 b64) is understood here


def _registry(alg: str) -> jws.JWSRegistry:
    registry = jws.JWSRegistry(algorithms=[alg], strict_check_header=False)
    registry.max_header_length = 4096  # headers carrying x5t/x5c and friends are legitimate; they are ignored
    return registry


_REGISTRIES = {alg: _registry(alg) for alg in ALGORITHMS}
_PARSE_REGISTRY = _registry("RS256")


@dataclass(frozen=True, slots=True)
class OidcProviderView:
    arn: str  # arn:aws:iam::123456789012:oidc-provider/127.0.0.1:8443/realms/x
    url: str  # as IAM stores it, without https://
    client_ids: tuple[str, ...]
    thumbprints: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class WebIdentity:
    issuer: str
    provider: OidcProviderView
    subject: str
    audience: str  # the client id that matched: what STS answers as `Audience`
    claims: Mapping[str, Any]
    condition_keys: dict[str, tuple[str, ...]]


class KeySource(Protocol):
    def jwks(self, provider: OidcProviderView, kid: str | None) -> KeySet:
        """The issuer's signing keys; `kid` is the token's key id, so a source can refetch for a new key."""
        ...


@dataclass(frozen=True, slots=True)
class _Token:
    signed: jws.CompactSignature
    header: Mapping[str, Any]
    claims: Mapping[str, Any]


# -- errors STS answers -------------------------------------------------------------------------------------


def invalid_token(message: str) -> AwsError:
    return AwsError("InvalidIdentityToken", message, 400)


def verification_key_unavailable() -> AwsError:
    # AWS's text, double space included, as STS sends it
    return invalid_token(
        "Couldn't retrieve verification key from your identity provider,  "
        "please reference AssumeRoleWithWebIdentity documentation for requirements"
    )


def thumbprint_mismatch() -> AwsError:
    return invalid_token("OpenIDConnect provider's HTTPS certificate doesn't match configured thumbprint")


def no_provider(issuer: str) -> AwsError:
    return invalid_token(f"No OpenIDConnect provider found in your account for {issuer}")


def missing_claim(name: str) -> AwsError:
    return invalid_token(f"Missing a required claim: {name}")


def token_expired(now: int, expires: int) -> AwsError:
    return AwsError(
        "ExpiredTokenException",
        f"Token expired: current date/time {now} must be before the expiration date/time {expires}",
        400,
    )


def token_too_long(token: str) -> AwsError:
    constraint = f"Member must have length less than or equal to {MAX_TOKEN_LENGTH}"
    # the token is a sensitive member: AWS names it but never shows its value
    problem = Problem("webIdentityToken", token, constraint, sensitive=True)
    return AwsError("ValidationError", summary([problem]), 400)


def malformed_token() -> AwsError:
    return invalid_token("The web identity token is not a valid JWT")  # unconfirmed


# -- the public entry points --------------------------------------------------------------------------------


def peek_issuer(token: str) -> str:
    """The token's `iss`, unverified, so the caller can look up the IAM OIDC provider it names."""
    return _issuer_of(parse_token(token).claims)


def provider_url(issuer: str) -> str:
    """The URL IAM stores for the provider of `issuer`: the issuer without `https://`.

    Google's legacy issuer `accounts.google.com` carries no scheme and names the same provider.
    """
    return issuer.removeprefix("https://")


def verify_web_identity(
    token: str, provider: OidcProviderView | None, now: datetime, keys: KeySource
) -> WebIdentity:
    parsed = parse_token(token)
    alg = check_algorithm(parsed.header)
    issuer = _issuer_of(parsed.claims)
    provider = match_provider(issuer, provider)
    kid = _kid_of(parsed.header)
    verify_signature(parsed, alg, select_keys(keys.jwks(provider, kid), alg, kid))
    check_lifetime(parsed.claims, now)
    audience = match_audience(parsed.claims, provider)
    subject = _subject_of(parsed.claims)
    return WebIdentity(
        issuer=issuer,
        provider=provider,
        subject=subject,
        audience=audience,
        claims=parsed.claims,
        condition_keys=condition_keys(provider.url, parsed.claims, audience, subject),
    )


# -- steps ---------------------------------------------------------------------------------------------------


def parse_token(token: str) -> _Token:
    if len(token) > MAX_TOKEN_LENGTH:
        raise token_too_long(token)
    try:
        signed = jws.extract_compact(token.encode("ascii"), registry=_PARSE_REGISTRY)
        claims = json.loads(signed.payload)
    except (JoseError, ValueError, RecursionError) as exc:
        raise malformed_token() from exc
    header = signed.headers()
    if not isinstance(claims, dict):
        raise malformed_token()
    return _Token(signed, header, claims)


def check_algorithm(header: Mapping[str, Any]) -> str:
    alg = header.get("alg")
    if not isinstance(alg, str) or alg not in ALGORITHMS:
        raise invalid_token("Unsupported token signing algorithm")  # unconfirmed
    if any(name in header for name in _FORBIDDEN_HEADERS):
        raise invalid_token("Unsupported critical header in the web identity token")  # unconfirmed
    return alg


def match_provider(issuer: str, provider: OidcProviderView | None) -> OidcProviderView:
    """The provider must be the one the issuer names; AWS requires `https://` issuers (Google's legacy excepted)."""
    secure = issuer.startswith("https://") or issuer == GOOGLE
    if provider is None or not secure or provider_url(issuer) != provider.url:
        raise no_provider(issuer)
    return provider


def select_keys(key_set: KeySet, alg: str, kid: str | None) -> list[Key]:
    """The issuer's keys that may have signed a token with this `alg` and `kid`."""
    named = [key for key in key_set.keys if kid is None or key.kid == kid]
    if not named:
        raise verification_key_unavailable()
    usable = [key for key in named if _fits(key, alg)]
    if not usable:
        raise invalid_token("The verification key does not fit the token's algorithm")  # unconfirmed
    return usable[:MAX_KEYS_TRIED]


def verify_signature(parsed: _Token, alg: str, candidates: list[Key]) -> None:
    registry = _REGISTRIES[alg]
    for key in candidates:
        try:
            if jws.validate_compact(parsed.signed, key, registry=registry):
                return
        except (JoseError, ValueError, TypeError):
            continue
    raise invalid_token("The signature of the web identity token is invalid")  # unconfirmed


def check_lifetime(claims: Mapping[str, Any], now: datetime) -> None:
    current = now.timestamp()
    expires = _number_claim(claims, "exp", required=True)
    assert expires is not None
    if current >= expires + CLOCK_LEEWAY_SECONDS:
        raise token_expired(int(current), int(expires))
    not_before = _number_claim(claims, "nbf", required=False)
    if not_before is not None and current + CLOCK_LEEWAY_SECONDS < not_before:
        raise invalid_token("Token is not valid yet: its nbf is in the future")  # unconfirmed
    issued = _number_claim(claims, "iat", required=False)
    if issued is not None and current + CLOCK_LEEWAY_SECONDS < issued:
        raise invalid_token("Token was issued in the future: its iat is ahead")  # unconfirmed


def match_audience(claims: Mapping[str, Any], provider: OidcProviderView) -> str:
    """The first of the token's audiences that is a client id of the provider.

    For Google, `azp` is the audience when present (hybrid apps): the client id IAM compares and the value of
    `accounts.google.com:aud`, while `aud` becomes `accounts.google.com:oaud`.
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html#condition-keys-wif
    """
    candidates = _audiences_of(claims)
    azp = claims.get("azp")
    if provider.url == GOOGLE and isinstance(azp, str):
        candidates = (azp,)
    for audience in candidates:
        if audience in provider.client_ids:
            return audience
    raise invalid_token("Incorrect token audience")


def condition_keys(
    prefix: str, claims: Mapping[str, Any], audience: str, subject: str
) -> dict[str, tuple[str, ...]]:
    """The trust policy's keys for this token, spelled `<provider url>:<claim>` as AWS spells them.

    `:aud` is the audience that matched a client id (Google: `azp` when present), `:oaud` the token's own
    `aud` values (not for Cognito identity pools, whose `aud` is the pool id), `:sub` the subject and `:amr` the
    authentication methods when the token carries them (Cognito identity pools: `authenticated` or
    `unauthenticated` and the login providers).
    """
    keys: dict[str, tuple[str, ...]] = {f"{prefix}:aud": (audience,), f"{prefix}:sub": (subject,)}
    if prefix != COGNITO_IDENTITY:
        keys[f"{prefix}:oaud"] = _audiences_of(claims)
    amr = _strings(claims.get("amr"))
    if amr:
        keys[f"{prefix}:amr"] = amr
    return keys


# -- claim readers -------------------------------------------------------------------------------------------


def _issuer_of(claims: Mapping[str, Any]) -> str:
    issuer = claims.get("iss")
    if issuer is None:
        raise missing_claim("iss")
    if not isinstance(issuer, str) or not issuer:
        raise invalid_token("Invalid claim: iss")  # unconfirmed
    return issuer


def _subject_of(claims: Mapping[str, Any]) -> str:
    subject = claims.get("sub")
    if subject is None:
        raise missing_claim("sub")
    if not isinstance(subject, str) or not subject:
        raise invalid_token("Invalid claim: sub")  # unconfirmed
    return subject


def _audiences_of(claims: Mapping[str, Any]) -> tuple[str, ...]:
    audience = claims.get("aud")
    if audience is None:
        raise missing_claim("aud")
    values = _strings(audience)
    if not values or (isinstance(audience, list) and len(values) != len(audience)):
        raise invalid_token("Invalid claim: aud")  # unconfirmed
    return values


def _number_claim(claims: Mapping[str, Any], name: str, *, required: bool) -> float | None:
    value = claims.get(name)
    if value is None:
        if required:
            raise missing_claim(name)
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise invalid_token(f"Invalid claim: {name}")  # unconfirmed
    return float(value)


def _strings(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list):
        return tuple(item for item in value if isinstance(item, str))
    return ()


def _kid_of(header: Mapping[str, Any]) -> str | None:
    kid = header.get("kid")
    if kid is None or isinstance(kid, str):
        return kid
    raise malformed_token()


def _fits(key: Key, alg: str) -> bool:
    kty, curve = ALGORITHMS[alg]
    if key.key_type != kty or key.get("use", "sig") != "sig" or key.get("alg", alg) != alg:
        return False
    return curve is None or key.get("crv") == curve
