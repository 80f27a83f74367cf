"""Genuinely signed SAML responses whose claims AWS refuses, and malformed input: each gets AWS's error."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from shieldwall.errors import AwsError
from shieldwall.services.iam.saml_metadata import parse_metadata
from shieldwall.services.sts.saml_assertion import verify_saml_response
from shieldwall.testing.saml_idp import LocalSamlIdp, encode_response

ACCOUNT = "123456789012"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/Federated"
OTHER_ROLE = f"arn:aws:iam::{ACCOUNT}:role/Other"
PROVIDER = f"arn:aws:iam::{ACCOUNT}:saml-provider/Local"
OTHER_PROVIDER = f"arn:aws:iam::{ACCOUNT}:saml-provider/Other"
NOW = datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)
NOT_AUTHORIZED = ("AccessDenied", "Not authorized to perform sts:AssumeRoleWithSAML", 403)
EXPIRED = ("ExpiredTokenException", "Response has expired", 400)


@pytest.fixture(scope="module")
def idp() -> LocalSamlIdp:
    return LocalSamlIdp()


def rejected(idp: LocalSamlIdp, encoded: str, *, now: datetime = NOW) -> tuple[str, str, int]:
    with pytest.raises(AwsError) as caught:
        verify_saml_response(
            encoded,
            role_arn=ROLE,
            provider_arn=PROVIDER,
            provider_name="Local",
            account_id=ACCOUNT,
            metadata=parse_metadata(idp.metadata_xml()),
            now=now,
        )
    return caught.value.code, caught.value.message, caught.value.status


def respond(idp: LocalSamlIdp, session_name: str | None = "alice", **options: Any) -> str:
    options.setdefault("now", NOW)
    return idp.response(ROLE, PROVIDER, session_name, **options)


def invalid(message: str) -> tuple[str, str, int]:
    return ("InvalidIdentityToken", message, 400)


def test_response_past_its_not_on_or_after_is_expired(idp: LocalSamlIdp) -> None:
    encoded = respond(idp, lifetime=timedelta(minutes=1))
    assert rejected(idp, encoded, now=NOW + timedelta(minutes=2)) == EXPIRED
    assert rejected(idp, encoded, now=NOW + timedelta(minutes=1)) == EXPIRED


def test_response_redeemed_over_five_minutes_after_issue_is_expired(idp: LocalSamlIdp) -> None:
    encoded = respond(idp, lifetime=timedelta(hours=1))
    expected = ("ExpiredTokenException", "Token must be redeemed within 5 minutes of issuance", 400)
    assert rejected(idp, encoded, now=NOW + timedelta(minutes=5, seconds=1)) == expected


def test_response_whose_session_already_ended_is_expired(idp: LocalSamlIdp) -> None:
    encoded = respond(idp, session_not_on_or_after=NOW - timedelta(seconds=1))
    assert rejected(idp, encoded) == EXPIRED


def test_response_before_its_not_before_is_not_yet_valid(idp: LocalSamlIdp) -> None:
    encoded = respond(idp, now=NOW + timedelta(minutes=1))
    assert rejected(idp, encoded) == invalid("Response is not yet valid")


@pytest.mark.parametrize(
    "audience", ["https://evil.example.com/saml", "https://signin.aws.amazon.com.evil.example.com/saml", ""]
)
def test_response_for_another_audience_is_rejected(idp: LocalSamlIdp, audience: str) -> None:
    encoded = respond(idp, audience=audience)
    assert rejected(idp, encoded) == invalid("Response does not contain the required audience")


@pytest.mark.parametrize("recipient", ["https://evil.example.com/saml", "http://signin.aws.amazon.com/saml"])
def test_response_for_another_recipient_is_rejected(idp: LocalSamlIdp, recipient: str) -> None:
    encoded = respond(idp, recipient=recipient)
    assert rejected(idp, encoded) == invalid("Response does not contain a valid Recipient")


@pytest.mark.parametrize(
    "roles",
    [
        [f"{OTHER_ROLE},{PROVIDER}"],
        [f"{ROLE},{OTHER_PROVIDER}"],
        [f"{ROLE},{PROVIDER},{OTHER_ROLE}"],
        [ROLE],
        [],
    ],
)
def test_role_pair_missing_from_the_role_attribute_is_not_authorized(
    idp: LocalSamlIdp, roles: list[str]
) -> None:
    assert rejected(idp, respond(idp, roles=roles)) == NOT_AUTHORIZED


def test_missing_role_session_name_is_rejected(idp: LocalSamlIdp) -> None:
    encoded = respond(idp, session_name=None)
    assert rejected(idp, encoded) == invalid("RoleSessionName is required in AuthnResponse")


@pytest.mark.parametrize("session_name", ["John Doe", "a", "x" * 65, "alice!"])
def test_invalid_role_session_name_is_rejected(idp: LocalSamlIdp, session_name: str) -> None:
    expected = invalid("RoleSessionName in AuthnResponse must match [a-zA-Z_0-9+=,.@-]{2,64}")
    assert rejected(idp, respond(idp, session_name=session_name)) == expected


def test_invalid_source_identity_is_rejected(idp: LocalSamlIdp) -> None:
    expected = invalid('Source Identity must match [a-zA-Z_0-9+=,.@-]{2,64} and not begin with "aws:"')
    assert rejected(idp, respond(idp, source_identity="aws:admin")) == expected


@pytest.mark.parametrize("duration", [899, 43201])
def test_session_duration_outside_900_to_43200_is_rejected(idp: LocalSamlIdp, duration: int) -> None:
    code, _, status = rejected(idp, respond(idp, session_duration=duration))
    assert (code, status) == ("InvalidIdentityToken", 400)


def test_issuer_other_than_the_metadata_entity_id_is_rejected(idp: LocalSamlIdp) -> None:
    encoded = respond(idp, issuer="https://evil.example.com/saml")
    assert rejected(idp, encoded) == invalid("Issuer not present in specified provider")


def test_response_without_name_id_is_not_authorized(idp: LocalSamlIdp) -> None:
    assert rejected(idp, respond(idp, subject="")) == NOT_AUTHORIZED


def test_signed_response_reporting_failed_authentication_is_rejected_by_the_idp(idp: LocalSamlIdp) -> None:
    encoded = respond(idp, sign="response", status="urn:oasis:names:tc:SAML:2.0:status:Requester")
    code, _, status = rejected(idp, encoded)
    assert (code, status) == ("IDPRejectedClaim", 403)


@pytest.mark.parametrize("garbage", ["not base64 at all!", "====", "\u00e9t\u00e9"])
def test_garbage_base64_is_an_invalid_identity_token(idp: LocalSamlIdp, garbage: str) -> None:
    code, _, status = rejected(idp, garbage)
    assert (code, status) == ("InvalidIdentityToken", 400)


@pytest.mark.parametrize(
    "document", [b"hello", b"<samlp:Response", b"<Response>x</Response>", b'<?xml version="1.0"?><a/>']
)
def test_document_that_is_not_a_saml_response_is_an_invalid_identity_token(
    idp: LocalSamlIdp, document: bytes
) -> None:
    code, _, status = rejected(idp, encode_response(document))
    assert (code, status) == ("InvalidIdentityToken", 400)


def test_oversize_response_is_a_validation_error(idp: LocalSamlIdp) -> None:
    encoded = base64.b64encode(b"<" * 75_003).decode()
    assert len(encoded) > 100_000
    assert rejected(idp, encoded) == (
        "ValidationError",
        "1 validation error detected: Value at 'sAMLAssertion' failed to satisfy constraint: "
        "Member must have length less than or equal to 100000",
        400,
    )
