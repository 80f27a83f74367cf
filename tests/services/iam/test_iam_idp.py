"""OpenID Connect and SAML identity providers through boto3."""

from __future__ import annotations

import base64
import datetime as dt
import functools
from typing import Any

import pytest
from botocore.config import Config
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from shieldwall.testing import ServerInfo

ACCOUNT = "000000000000"
THUMBPRINT = "9e99a48a9960b14926bb7f3b02e22da2b0ab7280"
OIDC_URL = "https://token.actions.githubusercontent.com"
OIDC_ARN = f"arn:aws:iam::{ACCOUNT}:oidc-provider/token.actions.githubusercontent.com"
SAML_ARN = f"arn:aws:iam::{ACCOUNT}:saml-provider/Okta"


@functools.cache
def certificate_base64() -> str:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "idp.example.com")])
    now = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=3650))
        .sign(key, hashes.SHA256())
    )
    return base64.b64encode(certificate.public_bytes(serialization.Encoding.DER)).decode()


def metadata(
    *, valid_until: str | None = None, certificate: str | None = None, root: str = "EntityDescriptor"
) -> str:
    until = f' validUntil="{valid_until}"' if valid_until else ""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<md:{root} xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" '
        f'xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="http://www.okta.com/exk1"{until}>\n'
        '  <md:IDPSSODescriptor WantAuthnRequestsSigned="false" '
        'protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">\n'
        '    <md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data>\n'
        f"      <ds:X509Certificate>{certificate or certificate_base64()}</ds:X509Certificate>\n"
        "    </ds:X509Data></ds:KeyInfo></md:KeyDescriptor>\n"
        '    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" '
        'Location="https://example.okta.com/app/sso/saml"/>\n'
        f"  </md:IDPSSODescriptor>\n</md:{root}>\n"
        f"<!-- {'padding ' * 100} -->\n"
    )


def create_oidc(iam: Any, **extra: Any) -> str:
    options = {"Url": OIDC_URL, "ClientIDList": ["sts.amazonaws.com"], "ThumbprintList": [THUMBPRINT]}
    options.update(extra)
    return str(iam.create_open_id_connect_provider(**options)["OpenIDConnectProviderArn"])


def test_oidc_provider_is_created_read_and_listed(iam: Any) -> None:
    created = iam.create_open_id_connect_provider(
        Url=OIDC_URL,
        ClientIDList=["sts.amazonaws.com", "sts.amazonaws.com", "app"],
        ThumbprintList=[THUMBPRINT],
        Tags=[{"Key": "team", "Value": "ci"}],
    )
    assert created["OpenIDConnectProviderArn"] == OIDC_ARN
    assert created["Tags"] == [{"Key": "team", "Value": "ci"}]
    got = iam.get_open_id_connect_provider(OpenIDConnectProviderArn=OIDC_ARN)
    assert got["Url"] == "token.actions.githubusercontent.com"
    assert got["ClientIDList"] == ["sts.amazonaws.com", "app"]
    assert got["ThumbprintList"] == [THUMBPRINT]
    assert got["Tags"] == [{"Key": "team", "Value": "ci"}]
    assert got["CreateDate"] is not None
    assert iam.list_open_id_connect_providers()["OpenIDConnectProviderList"] == [{"Arn": OIDC_ARN}]


def test_oidc_provider_with_a_path_has_it_in_its_arn(iam: Any) -> None:
    url = "https://oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE"
    created = create_oidc(iam, Url=url)
    assert created == f"arn:aws:iam::{ACCOUNT}:oidc-provider/{url.removeprefix('https://')}"
    assert iam.get_open_id_connect_provider(OpenIDConnectProviderArn=created)["Url"] == url[8:]


def test_the_same_url_twice_is_entity_already_exists(iam: Any, aws_error: Any) -> None:
    create_oidc(iam)
    assert aws_error(iam.create_open_id_connect_provider, Url=OIDC_URL, ThumbprintList=[THUMBPRINT]) == (
        "EntityAlreadyExists",
        409,
        f"Provider with url {OIDC_URL} already exists.",
    )


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("token.example.com", ("ValidationError", 400, "Invalid Open ID Connect Provider URL")),
        (
            "http://token.example.com",
            (
                "InvalidInput",
                400,
                "Invalid Open ID Connect Provider URL. The URL must begin with https://.",
            ),
        ),
        ("https://token.example.com/?a=b", ("InvalidInput", 400, "Invalid Open ID Connect Provider URL")),
        ("https://token.example.com/a b", ("InvalidInput", 400, "Invalid Open ID Connect Provider URL")),
        ("https://tökén.example.com", ("InvalidInput", 400, "Invalid Open ID Connect Provider URL")),
    ],
)
def test_a_url_that_is_not_https_is_refused(
    iam: Any, aws_error: Any, url: str, expected: tuple[str, int, str]
) -> None:
    assert aws_error(iam.create_open_id_connect_provider, Url=url, ThumbprintList=[THUMBPRINT]) == expected
    assert iam.list_open_id_connect_providers()["OpenIDConnectProviderList"] == []


def test_thumbprint_and_client_id_quotas(iam: Any, shieldwall: ServerInfo, aws_error: Any) -> None:
    six = [f"{index:040x}" for index in range(6)]
    assert aws_error(iam.create_open_id_connect_provider, Url=OIDC_URL, ThumbprintList=six) == (
        "InvalidInput",
        400,
        "Thumbprint list must contain fewer than 5 entries.",
    )
    clients = [f"client-{index}" for index in range(101)]
    assert aws_error(iam.create_open_id_connect_provider, Url=OIDC_URL, ClientIDList=clients) == (
        "LimitExceeded",
        409,
        "Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: 100",
    )
    unchecked = shieldwall.client("iam", config=Config(parameter_validation=False))
    code, status, message = aws_error(
        unchecked.create_open_id_connect_provider, Url=OIDC_URL, ThumbprintList=["abc"]
    )
    assert (code, status) == ("ValidationError", 400)
    assert "Member must have length greater than or equal to 40" in message


def test_client_ids_and_thumbprints_change_in_place(iam: Any) -> None:
    provider = create_oidc(iam)
    iam.add_client_id_to_open_id_connect_provider(OpenIDConnectProviderArn=provider, ClientID="web")
    iam.add_client_id_to_open_id_connect_provider(OpenIDConnectProviderArn=provider, ClientID="web")
    iam.remove_client_id_from_open_id_connect_provider(
        OpenIDConnectProviderArn=provider, ClientID="sts.amazonaws.com"
    )
    iam.remove_client_id_from_open_id_connect_provider(OpenIDConnectProviderArn=provider, ClientID="never")
    new = "a" * 40
    iam.update_open_id_connect_provider_thumbprint(OpenIDConnectProviderArn=provider, ThumbprintList=[new])
    got = iam.get_open_id_connect_provider(OpenIDConnectProviderArn=provider)
    assert (got["ClientIDList"], got["ThumbprintList"]) == (["web"], [new])


def test_deleting_an_oidc_provider_is_idempotent(iam: Any, aws_error: Any) -> None:
    provider = create_oidc(iam)
    iam.delete_open_id_connect_provider(OpenIDConnectProviderArn=provider)
    iam.delete_open_id_connect_provider(OpenIDConnectProviderArn=provider)
    assert aws_error(iam.get_open_id_connect_provider, OpenIDConnectProviderArn=provider) == (
        "NoSuchEntity",
        404,
        f"OpenIDConnect Provider not found for arn {provider}",
    )
    assert aws_error(
        iam.add_client_id_to_open_id_connect_provider, OpenIDConnectProviderArn=provider, ClientID="x"
    )[:2] == ("NoSuchEntity", 404)


def test_an_arn_that_is_no_oidc_provider_is_invalid_input(iam: Any, aws_error: Any) -> None:
    bad = f"arn:aws:iam::{ACCOUNT}:user/token.example.com"
    assert aws_error(iam.get_open_id_connect_provider, OpenIDConnectProviderArn=bad) == (
        "InvalidInput",
        400,
        f"ARN {bad} is not valid.",
    )
    assert aws_error(
        iam.delete_open_id_connect_provider, OpenIDConnectProviderArn="not an arn at all, not at all"
    )[:2] == ("InvalidInput", 400)


def test_oidc_provider_tags(iam: Any) -> None:
    provider = create_oidc(iam)
    iam.tag_open_id_connect_provider(
        OpenIDConnectProviderArn=provider, Tags=[{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}]
    )
    iam.untag_open_id_connect_provider(OpenIDConnectProviderArn=provider, TagKeys=["A"])
    tags = iam.list_open_id_connect_provider_tags(OpenIDConnectProviderArn=provider)
    assert (tags["Tags"], tags["IsTruncated"]) == ([{"Key": "b", "Value": "2"}], False)


def test_saml_provider_is_created_read_listed_and_deleted(iam: Any, aws_error: Any) -> None:
    document = metadata(valid_until="2031-06-30T00:00:00Z")
    created = iam.create_saml_provider(
        Name="Okta", SAMLMetadataDocument=document, Tags=[{"Key": "idp", "Value": "okta"}]
    )
    assert created["SAMLProviderArn"] == SAML_ARN
    got = iam.get_saml_provider(SAMLProviderArn=SAML_ARN)
    assert got["SAMLMetadataDocument"] == document
    assert got["ValidUntil"] == dt.datetime(2031, 6, 30, tzinfo=dt.UTC)
    assert len(got["SAMLProviderUUID"]) >= 22 and got["SAMLProviderUUID"].isalnum()
    assert got["Tags"] == [{"Key": "idp", "Value": "okta"}]
    (listed,) = iam.list_saml_providers()["SAMLProviderList"]
    assert (listed["Arn"], listed["ValidUntil"]) == (SAML_ARN, got["ValidUntil"])
    iam.delete_saml_provider(SAMLProviderArn=SAML_ARN)
    assert iam.list_saml_providers()["SAMLProviderList"] == []
    assert aws_error(iam.delete_saml_provider, SAMLProviderArn=SAML_ARN)[:2] == ("NoSuchEntity", 404)


def test_metadata_without_valid_until_is_valid_for_a_century(iam: Any) -> None:
    iam.create_saml_provider(Name="Okta", SAMLMetadataDocument=metadata())
    got = iam.get_saml_provider(SAMLProviderArn=SAML_ARN)
    assert got["ValidUntil"].year - got["CreateDate"].year == 100


def test_update_replaces_the_metadata(iam: Any) -> None:
    iam.create_saml_provider(Name="Okta", SAMLMetadataDocument=metadata())
    renewed = metadata(valid_until="2040-01-01T00:00:00Z")
    updated = iam.update_saml_provider(SAMLProviderArn=SAML_ARN, SAMLMetadataDocument=renewed)
    assert updated["SAMLProviderArn"] == SAML_ARN
    got = iam.get_saml_provider(SAMLProviderArn=SAML_ARN)
    assert (got["SAMLMetadataDocument"], got["ValidUntil"].year) == (renewed, 2040)


@pytest.mark.parametrize(
    "document",
    [
        "<not xml" + " " * 1000,
        metadata(root="EntitiesDescriptor"),
        metadata(certificate="bm90IGEgY2VydGlmaWNhdGU="),
        metadata().replace('use="signing"', 'use="encryption"'),
        metadata().replace("urn:oasis:names:tc:SAML:2.0:protocol", "urn:oasis:names:tc:SAML:1.1:protocol"),
        metadata(valid_until="tomorrow"),
    ],
    ids=["not-xml", "wrong-root", "bad-certificate", "no-signing-key", "not-saml2", "bad-valid-until"],
)
def test_invalid_metadata_is_refused(iam: Any, aws_error: Any, document: str) -> None:
    assert aws_error(iam.create_saml_provider, Name="Okta", SAMLMetadataDocument=document) == (
        "InvalidInput",
        400,
        "Could not parse metadata",
    )
    assert iam.list_saml_providers()["SAMLProviderList"] == []


@pytest.mark.parametrize(
    "prolog",
    [
        '<!DOCTYPE md [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>',
        '<!DOCTYPE md [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',
    ],
    ids=["entity-expansion", "external-entity"],
)
def test_metadata_with_a_dtd_is_refused_without_expanding_it(iam: Any, aws_error: Any, prolog: str) -> None:
    document = metadata().replace("?>\n", f"?>\n{prolog}\n", 1).replace("okta.com/exk1", "&b;&xxe;")
    assert aws_error(iam.create_saml_provider, Name="Okta", SAMLMetadataDocument=document)[:2] == (
        "InvalidInput",
        400,
    )


def test_saml_name_rules_and_duplicates(iam: Any, aws_error: Any) -> None:
    code, status, message = aws_error(
        iam.create_saml_provider, Name="bad name", SAMLMetadataDocument=metadata()
    )
    assert (code, status) == ("ValidationError", 400)
    assert "Member must satisfy regular expression pattern: [\\w._-]+" in message
    iam.create_saml_provider(Name="Okta", SAMLMetadataDocument=metadata())
    assert aws_error(iam.create_saml_provider, Name="okta", SAMLMetadataDocument=metadata())[:2] == (
        "EntityAlreadyExists",
        409,
    )


def test_assertion_decryption_keys_are_not_implemented(iam: Any, aws_error: Any) -> None:
    code, status, message = aws_error(
        iam.create_saml_provider, Name="Okta", SAMLMetadataDocument=metadata(), AddPrivateKey="-----BEGIN"
    )
    assert (code, status) == ("NotImplemented", 501)
    assert "AddPrivateKey" in message
    assert iam.list_saml_providers()["SAMLProviderList"] == []


def test_saml_provider_tags(iam: Any) -> None:
    iam.create_saml_provider(Name="Okta", SAMLMetadataDocument=metadata())
    iam.tag_saml_provider(SAMLProviderArn=SAML_ARN, Tags=[{"Key": "a", "Value": "1"}])
    assert iam.list_saml_provider_tags(SAMLProviderArn=SAML_ARN)["Tags"] == [{"Key": "a", "Value": "1"}]
    iam.untag_saml_provider(SAMLProviderArn=SAML_ARN, TagKeys=["a"])
    assert iam.list_saml_provider_tags(SAMLProviderArn=SAML_ARN)["Tags"] == []


def test_a_user_without_permission_cannot_create_providers(user_client: Any, aws_error: Any) -> None:
    as_alice = user_client("iam", "alice")
    code, status, message = aws_error(
        as_alice.create_open_id_connect_provider, Url=OIDC_URL, ThumbprintList=[THUMBPRINT]
    )
    assert (code, status) == ("AccessDenied", 403)
    assert f"iam:CreateOpenIDConnectProvider on resource: {OIDC_ARN}" in message
    code, _, message = aws_error(as_alice.create_saml_provider, Name="Okta", SAMLMetadataDocument=metadata())
    assert code == "AccessDenied" and f"on resource: {SAML_ARN}" in message
