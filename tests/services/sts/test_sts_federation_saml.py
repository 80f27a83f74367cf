"""AssumeRoleWithSAML through boto3 with a local IdP: signed assertions, trust conditions, every rejection."""

from __future__ import annotations

import json
from typing import Any

from shieldwall.clock import parse_iso8601
from shieldwall.testing import ServerInfo
from shieldwall.testing import aws_error as error_of
from shieldwall.testing.saml_idp import LocalSamlIdp, SigningKey


def saml_trust(
    provider_arn: str, condition: dict[str, Any] | None = None, actions: Any = "sts:AssumeRoleWithSAML"
) -> str:
    statement: dict[str, Any] = {
        "Effect": "Allow",
        "Principal": {"Federated": provider_arn},
        "Action": actions,
        "Condition": condition or {"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}},
    }
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def setup(
    shieldwall: ServerInfo, condition: dict[str, Any] | None = None, actions: Any = "sts:AssumeRoleWithSAML"
) -> tuple[LocalSamlIdp, str, str]:
    iam = shieldwall.client("iam")
    idp = LocalSamlIdp(entity_id="https://idp.example.test/saml")
    provider_arn = iam.create_saml_provider(Name="Corp", SAMLMetadataDocument=idp.metadata_xml())[
        "SAMLProviderArn"
    ]
    role_arn = iam.create_role(
        RoleName="Federated", AssumeRolePolicyDocument=saml_trust(provider_arn, condition, actions)
    )["Role"]["Arn"]
    return idp, provider_arn, role_arn


def server_now(shieldwall: ServerInfo) -> Any:
    return parse_iso8601(shieldwall.admin("clock")["now"])


def test_a_signed_assertion_gets_a_role_session(shieldwall: ServerInfo) -> None:
    idp, provider_arn, role_arn = setup(shieldwall)
    sts = shieldwall.client("sts")  # boto3 sends AssumeRoleWithSAML unsigned whatever the credentials
    assertion = idp.response(
        role_arn, provider_arn, "alice", subject="alice@example.com", now=server_now(shieldwall)
    )
    answer = sts.assume_role_with_saml(RoleArn=role_arn, PrincipalArn=provider_arn, SAMLAssertion=assertion)
    account = role_arn.split(":")[4]
    assert answer["AssumedRoleUser"]["Arn"] == f"arn:aws:sts::{account}:assumed-role/Federated/alice"
    assert answer["Subject"] == "alice@example.com"
    assert answer["SubjectType"] == "persistent"
    assert answer["Issuer"] == "https://idp.example.test/saml"
    assert answer["Audience"] == "https://signin.aws.amazon.com/saml"
    assert answer["NameQualifier"]
    session = shieldwall.with_credentials(answer["Credentials"])
    assert session.client("sts").get_caller_identity()["Arn"] == answer["AssumedRoleUser"]["Arn"]


def test_a_trust_condition_on_the_subject_is_enforced(shieldwall: ServerInfo) -> None:
    idp, provider_arn, role_arn = setup(shieldwall, {"StringEquals": {"saml:sub": "admin@example.com"}})
    sts = shieldwall.client("sts")
    now = server_now(shieldwall)
    other = idp.response(role_arn, provider_arn, "alice", subject="alice@example.com", now=now)
    assert error_of(
        sts.assume_role_with_saml, RoleArn=role_arn, PrincipalArn=provider_arn, SAMLAssertion=other
    ) == (
        "AccessDenied",
        403,
        "Not authorized to perform sts:AssumeRoleWithSAML",
    )
    admin = idp.response(role_arn, provider_arn, "admin", subject="admin@example.com", now=now)
    assert sts.assume_role_with_saml(RoleArn=role_arn, PrincipalArn=provider_arn, SAMLAssertion=admin)[
        "Credentials"
    ]


def test_session_tags_from_the_assertion_need_tag_session(shieldwall: ServerInfo) -> None:
    idp, provider_arn, role_arn = setup(shieldwall)
    sts = shieldwall.client("sts")
    tagged = idp.response(role_arn, provider_arn, "alice", tags={"team": "blue"}, now=server_now(shieldwall))
    code, status, _ = error_of(
        sts.assume_role_with_saml, RoleArn=role_arn, PrincipalArn=provider_arn, SAMLAssertion=tagged
    )
    assert (code, status) == ("AccessDenied", 403)


def test_forged_stale_and_misaddressed_assertions_are_rejected(shieldwall: ServerInfo) -> None:
    idp, provider_arn, role_arn = setup(shieldwall)
    sts = shieldwall.client("sts")
    now = server_now(shieldwall)

    def attempt(assertion: str, principal: str = provider_arn) -> tuple[str, int, str]:
        return error_of(
            sts.assume_role_with_saml, RoleArn=role_arn, PrincipalArn=principal, SAMLAssertion=assertion
        )

    forged = idp.response(role_arn, provider_arn, "alice", now=now, signing_key=SigningKey.generate())
    assert attempt(forged)[:2] == ("InvalidIdentityToken", 400)
    assert attempt(idp.response(role_arn, provider_arn, "alice", now=now, sign="none"))[:2] == (
        "InvalidIdentityToken",
        400,
    )
    stale = idp.response(role_arn, provider_arn, "alice", now=now)
    shieldwall.advance_clock(600)
    assert attempt(stale)[:2] == ("ExpiredTokenException", 400)
    fresh = server_now(shieldwall)
    wrong_audience = idp.response(
        role_arn, provider_arn, "alice", now=fresh, audience="https://evil.example/saml"
    )
    assert attempt(wrong_audience)[1] in (400, 403)
    missing = f"{provider_arn[: provider_arn.rindex('/')]}/Nope"
    assert attempt(idp.response(role_arn, missing, "alice", now=fresh), missing)[:2] == (
        "InvalidIdentityToken",
        400,
    )
    other_role = idp.response(role_arn.replace("Federated", "Other"), provider_arn, "alice", now=fresh)
    assert attempt(other_role)[:2] == ("AccessDenied", 403)
    assert attempt("not base64 at all !!")[1] == 400


def test_the_audit_trail_records_the_saml_user_and_its_session(shieldwall: ServerInfo) -> None:
    idp, provider_arn, role_arn = setup(shieldwall)
    assertion = idp.response(
        role_arn, provider_arn, "alice", subject="alice@example.com", now=server_now(shieldwall)
    )
    answer = shieldwall.client("sts").assume_role_with_saml(
        RoleArn=role_arn, PrincipalArn=provider_arn, SAMLAssertion=assertion
    )
    events = shieldwall.client("cloudtrail").lookup_events(
        LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": "AssumeRoleWithSAML"}]
    )["Events"]
    identity = json.loads(events[0]["CloudTrailEvent"])["userIdentity"]
    assert identity == {
        "type": "SAMLUser",
        "principalId": f"{answer['NameQualifier']}:alice@example.com",
        "userName": "alice@example.com",
        "identityProvider": answer["NameQualifier"],
    }
    session = shieldwall.with_credentials(answer["Credentials"])
    session.client("sts").get_caller_identity()
    later = shieldwall.client("cloudtrail").lookup_events(
        LookupAttributes=[
            {"AttributeKey": "AccessKeyId", "AttributeValue": answer["Credentials"]["AccessKeyId"]}
        ]
    )["Events"]
    context = json.loads(later[0]["CloudTrailEvent"])["userIdentity"]["sessionContext"]
    assert context["webIdFederationData"] == {"federatedProvider": provider_arn}
