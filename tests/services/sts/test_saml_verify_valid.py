"""SAML responses AWS accepts for AssumeRoleWithSAML, and what verification reads from them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from shieldwall.services.iam.saml_metadata import parse_metadata
from shieldwall.services.sts.saml_assertion import SamlAssertion, verify_saml_response
from shieldwall.testing.saml_idp import (
    AWS_URN,
    TRANSIENT,
    LocalSamlIdp,
    SigningKey,
    decode_response,
    encode_response,
)

ACCOUNT = "123456789012"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/Federated"
OTHER_ROLE = f"arn:aws:iam::{ACCOUNT}:role/Other"
PROVIDER = f"arn:aws:iam::{ACCOUNT}:saml-provider/Local"
NOW = datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)


@pytest.fixture(scope="module")
def idp() -> LocalSamlIdp:
    return LocalSamlIdp()


def verify(
    idp: LocalSamlIdp, encoded: str, *, metadata_xml: str | None = None, provider_name: str = "Local"
) -> SamlAssertion:
    return verify_saml_response(
        encoded,
        role_arn=ROLE,
        provider_arn=PROVIDER,
        provider_name=provider_name,
        account_id=ACCOUNT,
        metadata=parse_metadata(metadata_xml or idp.metadata_xml()),
        now=NOW,
    )


def respond(idp: LocalSamlIdp, **options: Any) -> str:
    options.setdefault("now", NOW)
    return idp.response(ROLE, PROVIDER, options.pop("session_name", "alice"), **options)


@pytest.mark.parametrize("sign", ["assertion", "response", "both"])
def test_response_signed_on_assertion_response_or_both_is_accepted(idp: LocalSamlIdp, sign: str) -> None:
    assertion = verify(idp, respond(idp, sign=sign, subject="alice@example.com"))
    assert (assertion.issuer, assertion.subject, assertion.session_name) == (
        idp.entity_id,
        "alice@example.com",
        "alice",
    )
    assert assertion.subject_type == "persistent"
    assert assertion.audience == "https://signin.aws.amazon.com/saml"


def test_rsa_sha1_signature_is_accepted_as_aws_still_accepts_it(idp: LocalSamlIdp) -> None:
    assert verify(idp, respond(idp, algorithm="rsa-sha1")).session_name == "alice"


def test_response_signed_by_any_certificate_of_the_metadata_is_accepted(idp: LocalSamlIdp) -> None:
    next_key = SigningKey.generate("next")
    metadata = idp.metadata_xml(extra_keys=[next_key])
    assert verify(idp, respond(idp, signing_key=next_key), metadata_xml=metadata).session_name == "alice"


def test_metadata_of_local_idp_is_read_by_iam() -> None:
    idp = LocalSamlIdp(entity_id="https://idp.example.test/saml")
    metadata = parse_metadata(idp.metadata_xml(valid_until=datetime(2031, 1, 1, tzinfo=UTC)))
    assert metadata.entity_id == "https://idp.example.test/saml"
    assert metadata.valid_until == datetime(2031, 1, 1, tzinfo=UTC)
    assert len(metadata.signing_certificates) == 1
    assert len(idp.metadata_xml()) >= 1000  # IAM's minimum SAMLMetadataDocument length


@pytest.mark.parametrize(
    ("audience", "recipient"),
    [
        (AWS_URN, "https://signin.aws.amazon.com/saml"),
        ("https://eu-west-1.signin.aws.amazon.com/saml", "https://eu-west-1.signin.aws.amazon.com/saml"),
        ("https://signin.aws.amazon.com/saml", "https://signin.aws.amazon.com/static/saml"),
    ],
)
def test_documented_aws_audiences_and_recipients_are_accepted(
    idp: LocalSamlIdp, audience: str, recipient: str
) -> None:
    assertion = verify(idp, respond(idp, audience=audience, recipient=recipient))
    assert assertion.audience == recipient
    assert assertion.condition_keys["saml:aud"] == (recipient,)


def test_requested_pair_may_be_any_role_value_in_either_order(idp: LocalSamlIdp) -> None:
    roles = [f"{OTHER_ROLE},{PROVIDER}", f"{PROVIDER}, {ROLE}"]
    assert verify(idp, respond(idp, roles=roles)).session_name == "alice"


@pytest.mark.parametrize(
    ("name_format", "expected"),
    [
        (TRANSIENT, "transient"),
        ("urn:oasis:names:tc:SAML:2.0:nameid-format:entity", "entity"),
        (
            "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress",
            "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress",
        ),
    ],
)
def test_subject_type_drops_only_the_saml2_nameid_prefix(
    idp: LocalSamlIdp, name_format: str, expected: str
) -> None:
    assertion = verify(idp, respond(idp, subject_format=name_format))
    assert assertion.subject_type == expected
    assert assertion.condition_keys["saml:sub_type"] == (expected,)


def test_optional_aws_attributes_are_returned(idp: LocalSamlIdp) -> None:
    session_end = NOW + timedelta(hours=2)
    assertion = verify(
        idp,
        respond(
            idp,
            session_duration=1800,
            source_identity="alice.admin",
            tags={"Project": "Marketing", "CostCenter": "12345"},
            transitive_tag_keys=["Project"],
            session_not_on_or_after=session_end,
        ),
    )
    assert assertion.session_duration == 1800
    assert assertion.source_identity == "alice.admin"
    assert assertion.session_tags == (("Project", "Marketing"), ("CostCenter", "12345"))
    assert assertion.transitive_tag_keys == ("Project",)
    assert assertion.session_not_on_or_after == session_end


def test_absent_optional_attributes_read_as_none_or_empty(idp: LocalSamlIdp) -> None:
    assertion = verify(idp, respond(idp))
    assert (assertion.session_duration, assertion.source_identity) == (None, None)
    assert (assertion.session_tags, assertion.transitive_tag_keys) == ((), ())
    assert assertion.session_not_on_or_after is None


def test_not_on_or_after_is_the_earliest_stated_expiry(idp: LocalSamlIdp) -> None:
    assertion = verify(idp, respond(idp, lifetime=timedelta(minutes=3)))
    assert assertion.not_on_or_after == NOW + timedelta(minutes=3)
    capped = verify(idp, respond(idp, session_not_on_or_after=NOW + timedelta(minutes=1)))
    assert capped.not_on_or_after == NOW + timedelta(minutes=1)


def test_name_qualifier_is_base64_sha1_of_issuer_account_and_provider_name() -> None:
    idp = LocalSamlIdp(entity_id="https://example.com/saml")
    assertion = verify(idp, respond(idp), provider_name="MySAMLIdP")
    # BASE64(SHA1("https://example.com/saml" + "123456789012" + "/MySAMLIdP")), AWS's documented example
    assert assertion.name_qualifier == "1uAJanUnBc2XeUkHURMht+xam2c="
    assert assertion.condition_keys["saml:namequalifier"] == ("1uAJanUnBc2XeUkHURMht+xam2c=",)


def test_condition_keys_hold_the_documented_saml_keys(idp: LocalSamlIdp) -> None:
    attributes = {
        "urn:oid:1.3.6.1.4.1.5923.1.1.1.1": ["staff", "member"],
        "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress": ["alice@example.com"],
        "urn:oid:2.5.4.3": ["Alice"],
        "https://example.com/unmapped": ["ignored"],
    }
    assertion = verify(idp, respond(idp, subject="_cbb88bf52c", attributes=attributes))
    assert assertion.condition_keys == {
        "saml:aud": ("https://signin.aws.amazon.com/saml",),
        "saml:iss": (idp.entity_id,),
        "saml:sub": ("_cbb88bf52c",),
        "saml:sub_type": ("persistent",),
        "saml:namequalifier": (assertion.name_qualifier,),
        "saml:doc": (f"{ACCOUNT}/Local",),
        "saml:edupersonaffiliation": ("staff", "member"),
        "saml:cn": ("Alice",),
        "saml:mail": ("alice@example.com",),
    }


def test_response_issuer_outside_the_signed_assertion_is_never_read(idp: LocalSamlIdp) -> None:
    document = decode_response(respond(idp))
    forged = document.replace(
        f"<saml:Issuer>{idp.entity_id}</saml:Issuer><samlp:Status>".encode(),
        b"<saml:Issuer>https://evil.example.com</saml:Issuer><samlp:Status>",
    )
    assert forged != document
    assert verify(idp, encode_response(forged)).issuer == idp.entity_id


def test_response_wrapped_over_several_lines_is_accepted(idp: LocalSamlIdp) -> None:
    encoded = respond(idp)
    wrapped = "\n".join(encoded[index : index + 76] for index in range(0, len(encoded), 76))
    assert verify(idp, wrapped).session_name == "alice"
