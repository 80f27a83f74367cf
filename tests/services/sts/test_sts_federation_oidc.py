"""AssumeRoleWithWebIdentity through boto3 against a local OIDC issuer on HTTPS with a self-signed certificate."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any

import pytest

from shieldwall.clock import parse_iso8601
from shieldwall.testing import ServerInfo
from shieldwall.testing import aws_error as error_of
from shieldwall.testing.oidc_issuer import LocalOidcIssuer


@pytest.fixture(scope="module")
def issuer() -> Iterator[LocalOidcIssuer]:
    with LocalOidcIssuer() as running:
        yield running


def web_trust(provider_arn: str, provider_url: str, actions: Any = "sts:AssumeRoleWithWebIdentity") -> str:
    statement = {
        "Effect": "Allow",
        "Principal": {"Federated": provider_arn},
        "Action": actions,
        "Condition": {
            "StringEquals": {f"{provider_url}:aud": "my-app"},
            "StringLike": {f"{provider_url}:sub": "repo:acme/*"},
        },
    }
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def setup(shieldwall: ServerInfo, issuer: LocalOidcIssuer, thumbprint: str | None = None) -> str:
    iam = shieldwall.client("iam")
    provider_arn = iam.create_open_id_connect_provider(
        Url=issuer.url, ClientIDList=["my-app"], ThumbprintList=[thumbprint or issuer.thumbprint]
    )["OpenIDConnectProviderArn"]
    document = web_trust(provider_arn, issuer.provider_url)
    return str(iam.create_role(RoleName="CI", AssumeRolePolicyDocument=document)["Role"]["Arn"])


def b64url(document: dict[str, str]) -> str:
    return base64.urlsafe_b64encode(json.dumps(document).encode()).decode().rstrip("=")


def server_now(shieldwall: ServerInfo) -> Any:
    return parse_iso8601(shieldwall.admin("clock")["now"])


@pytest.mark.parametrize("alg", ["RS256", "ES256"])
def test_a_token_from_a_trusted_issuer_gets_a_role_session(
    shieldwall: ServerInfo, issuer: LocalOidcIssuer, alg: str
) -> None:
    role_arn = setup(shieldwall, issuer)
    token = issuer.issue(sub="repo:acme/app", aud="my-app", alg=alg, now=server_now(shieldwall))
    answer = shieldwall.client("sts").assume_role_with_web_identity(
        RoleArn=role_arn, RoleSessionName="ci-run", WebIdentityToken=token
    )
    assert answer["SubjectFromWebIdentityToken"] == "repo:acme/app"
    assert answer["Audience"] == "my-app"
    assert answer["Provider"] == issuer.url
    session = shieldwall.with_credentials(answer["Credentials"])
    assert session.client("sts").get_caller_identity()["Arn"].endswith(":assumed-role/CI/ci-run")


def test_every_bad_token_is_rejected_with_awss_error(shieldwall: ServerInfo, issuer: LocalOidcIssuer) -> None:
    role_arn = setup(shieldwall, issuer)
    sts = shieldwall.client("sts")
    now = server_now(shieldwall)

    def attempt(token: str) -> tuple[str, int, str]:
        return error_of(
            sts.assume_role_with_web_identity,
            RoleArn=role_arn,
            RoleSessionName="ci-run",
            WebIdentityToken=token,
        )

    assert attempt(issuer.issue(sub="repo:other/app", aud="my-app", now=now)) == (
        "AccessDenied",
        403,
        "Not authorized to perform sts:AssumeRoleWithWebIdentity",
    )
    assert attempt(issuer.issue(sub="repo:acme/app", aud="other-app", now=now))[:2] == (
        "InvalidIdentityToken",
        400,
    )
    forged = issuer.issue(sub="repo:acme/app", aud="my-app", now=now, key=issuer.untrusted_key("RS256"))
    assert attempt(forged)[:2] == ("InvalidIdentityToken", 400)
    signed = issuer.issue(sub="repo:acme/app", aud="my-app", now=now)
    unsigned = f"{b64url({'alg': 'none', 'typ': 'JWT'})}.{signed.split('.')[1]}."
    assert attempt(unsigned)[:2] == ("InvalidIdentityToken", 400)
    expired = issuer.issue(sub="repo:acme/app", aud="my-app", now=now, lifetime=60)
    shieldwall.advance_clock(3600)
    assert attempt(expired)[:2] == ("ExpiredTokenException", 400)
    assert attempt("not.a.jwt")[:2] == ("InvalidIdentityToken", 400)


def test_an_issuer_without_an_iam_provider_or_with_the_wrong_thumbprint_is_refused(
    shieldwall: ServerInfo, issuer: LocalOidcIssuer
) -> None:
    role_arn = setup(shieldwall, issuer, thumbprint="0" * 40)
    sts = shieldwall.client("sts")
    token = issuer.issue(sub="repo:acme/app", aud="my-app", now=server_now(shieldwall))
    code, status, message = error_of(
        sts.assume_role_with_web_identity, RoleArn=role_arn, RoleSessionName="ci-run", WebIdentityToken=token
    )
    assert (code, status) == ("InvalidIdentityToken", 400)
    assert "thumbprint" in message

    with LocalOidcIssuer() as stranger:
        alien = stranger.issue(sub="repo:acme/app", aud="my-app", now=server_now(shieldwall))
        code, _, message = error_of(
            sts.assume_role_with_web_identity,
            RoleArn=role_arn,
            RoleSessionName="ci-run",
            WebIdentityToken=alien,
        )
        assert code == "InvalidIdentityToken" and "No OpenIDConnect provider found" in message


def test_the_audit_trail_records_the_web_identity_user(
    shieldwall: ServerInfo, issuer: LocalOidcIssuer
) -> None:
    role_arn = setup(shieldwall, issuer)
    token = issuer.issue(sub="repo:acme/app", aud="my-app", now=server_now(shieldwall))
    shieldwall.client("sts").assume_role_with_web_identity(
        RoleArn=role_arn, RoleSessionName="ci-run", WebIdentityToken=token
    )
    events = shieldwall.client("cloudtrail").lookup_events(
        LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": "AssumeRoleWithWebIdentity"}]
    )["Events"]
    record = json.loads(events[0]["CloudTrailEvent"])
    assert record["userIdentity"] == {
        "type": "WebIdentityUser",
        "principalId": f"{issuer.provider_url}:my-app:repo:acme/app",
        "userName": "repo:acme/app",
        "identityProvider": issuer.provider_url,
    }
    assert token not in json.dumps(record)
