"""Hostile SAML responses: forged or moved signatures, wrapping, comments, entity tricks. All are refused."""

from __future__ import annotations

import base64
import copy
import time
from datetime import UTC, datetime
from typing import Any

import pytest
from lxml import etree
from signxml.algorithms import CanonicalizationMethod
from signxml.signer import XMLSigner

from shieldwall.errors import AwsError
from shieldwall.services.iam.saml_metadata import parse_metadata
from shieldwall.services.sts.saml_assertion import SamlAssertion, verify_saml_response
from shieldwall.testing.saml_idp import LocalSamlIdp, SigningKey, decode_response, encode_response

ACCOUNT = "123456789012"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/Federated"
ADMIN_ROLE = f"arn:aws:iam::{ACCOUNT}:role/Admin"
PROVIDER = f"arn:aws:iam::{ACCOUNT}:saml-provider/Local"
NOW = datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)
SAMLP = "{urn:oasis:names:tc:SAML:2.0:protocol}"
SAML = "{urn:oasis:names:tc:SAML:2.0:assertion}"
DS = "{http://www.w3.org/2000/09/xmldsig#}"
SIGNATURE_INVALID = ("InvalidIdentityToken", "Response signature invalid", 400)


@pytest.fixture(scope="module")
def idp() -> LocalSamlIdp:
    return LocalSamlIdp()


def verify(idp: LocalSamlIdp, encoded: str, *, role_arn: str = ROLE) -> SamlAssertion:
    return verify_saml_response(
        encoded,
        role_arn=role_arn,
        provider_arn=PROVIDER,
        provider_name="Local",
        account_id=ACCOUNT,
        metadata=parse_metadata(idp.metadata_xml()),
        now=NOW,
    )


def rejected(idp: LocalSamlIdp, encoded: str, *, role_arn: str = ROLE) -> tuple[str, str, int]:
    with pytest.raises(AwsError) as caught:
        verify(idp, encoded, role_arn=role_arn)
    return caught.value.code, caught.value.message, caught.value.status


def signed_tree(idp: LocalSamlIdp, **options: Any) -> etree._Element:
    options.setdefault("now", NOW)
    return etree.fromstring(decode_response(idp.response(ROLE, PROVIDER, "alice", **options)))


def encode(root: etree._Element) -> str:
    return encode_response(etree.tostring(root))


def evil_twin(assertion: etree._Element, *, keep_signature: bool = False) -> etree._Element:
    """A copy of `assertion` naming Mallory for the Admin role, with a new ID."""
    evil = copy.deepcopy(assertion)
    evil.set("ID", "_evil")
    signature = evil.find(f"{DS}Signature")
    if signature is not None and not keep_signature:
        evil.remove(signature)
    evil.find(f"{SAML}Subject/{SAML}NameID").text = "mallory@evil.example.com"
    for attribute in evil.iter(f"{SAML}Attribute"):
        value = attribute.find(f"{SAML}AttributeValue")
        if attribute.get("Name", "").endswith("/Role"):
            value.text = f"{ADMIN_ROLE},{PROVIDER}"
        if attribute.get("Name", "").endswith("/RoleSessionName"):
            value.text = "mallory"
    return evil


def test_response_signed_with_a_key_not_in_the_metadata_is_rejected(idp: LocalSamlIdp) -> None:
    impostor = SigningKey.generate("impostor")
    encoded = idp.response(ROLE, PROVIDER, "alice", now=NOW, signing_key=impostor)
    assert rejected(idp, encoded) == SIGNATURE_INVALID


def test_impostor_idp_with_the_same_entity_id_is_rejected(idp: LocalSamlIdp) -> None:
    impostor = LocalSamlIdp(entity_id=idp.entity_id)
    for sign in ("assertion", "response", "both"):
        encoded = impostor.response(ROLE, PROVIDER, "alice", now=NOW, sign=sign)
        assert rejected(idp, encoded) == SIGNATURE_INVALID


def test_unsigned_response_is_rejected(idp: LocalSamlIdp) -> None:
    encoded = idp.response(ROLE, PROVIDER, "alice", now=NOW, sign="none")
    assert rejected(idp, encoded) == SIGNATURE_INVALID


@pytest.mark.parametrize("sign", ["assertion", "response", "both"])
def test_attribute_tampered_after_signing_is_rejected(idp: LocalSamlIdp, sign: str) -> None:
    document = decode_response(idp.response(ROLE, PROVIDER, "alice", now=NOW, sign=sign))
    tampered = document.replace(b">alice<", b">mallory<")
    assert tampered != document
    assert rejected(idp, encode_response(tampered)) == SIGNATURE_INVALID


def test_role_value_tampered_after_signing_is_rejected(idp: LocalSamlIdp) -> None:
    document = decode_response(idp.response(ROLE, PROVIDER, "alice", now=NOW))
    tampered = document.replace(b"role/Federated,", b"role/Admin,")
    assert rejected(idp, encode_response(tampered), role_arn=ADMIN_ROLE) == SIGNATURE_INVALID


@pytest.mark.parametrize("position", ["before", "after"])
def test_unsigned_assertion_injected_beside_the_signed_one_is_rejected(
    idp: LocalSamlIdp, position: str
) -> None:
    root = signed_tree(idp)
    signed = root.find(f"{SAML}Assertion")
    index = root.index(signed)
    root.insert(index if position == "before" else index + 1, evil_twin(signed))
    code, _, status = rejected(idp, encode(root), role_arn=ADMIN_ROLE)
    assert (code, status) == ("InvalidIdentityToken", 400)


def test_signed_assertion_moved_into_extensions_with_an_evil_one_in_its_place_is_rejected(
    idp: LocalSamlIdp,
) -> None:
    root = signed_tree(idp)
    signed = root.find(f"{SAML}Assertion")
    evil = evil_twin(signed, keep_signature=True)  # its signature still references the genuine assertion
    root.replace(signed, evil)
    extensions = etree.Element(f"{SAMLP}Extensions")
    extensions.append(signed)
    root.insert(1, extensions)
    code, _, status = rejected(idp, encode(root), role_arn=ADMIN_ROLE)
    assert (code, status) == ("InvalidIdentityToken", 400)


def test_signed_assertion_hidden_in_the_evil_ones_signature_object_is_rejected(idp: LocalSamlIdp) -> None:
    root = signed_tree(idp)
    signed = root.find(f"{SAML}Assertion")
    evil = evil_twin(signed, keep_signature=True)
    evil.set("ID", signed.get("ID"))
    holder = etree.SubElement(evil.find(f"{DS}Signature"), f"{DS}Object")
    root.replace(signed, evil)
    holder.append(signed)
    code, _, status = rejected(idp, encode(root), role_arn=ADMIN_ROLE)
    assert (code, status) == ("InvalidIdentityToken", 400)


def test_signed_response_wrapped_inside_an_evil_response_is_rejected(idp: LocalSamlIdp) -> None:
    genuine = signed_tree(idp, sign="response")
    evil = etree.Element(f"{SAMLP}Response", nsmap=genuine.nsmap, ID="_evilresponse", Version="2.0")
    evil.append(copy.deepcopy(genuine.find(f"{SAML}Issuer")))
    extensions = etree.SubElement(evil, f"{SAMLP}Extensions")
    evil.append(evil_twin(genuine.find(f"{SAML}Assertion")))
    extensions.append(genuine)
    code, _, status = rejected(idp, encode(evil), role_arn=ADMIN_ROLE)
    assert (code, status) == ("InvalidIdentityToken", 400)


def test_evil_assertion_under_a_genuine_response_signature_is_rejected(idp: LocalSamlIdp) -> None:
    root = signed_tree(idp, sign="response")
    signed = root.find(f"{SAML}Assertion")
    root.replace(signed, evil_twin(signed))
    assert rejected(idp, encode(root), role_arn=ADMIN_ROLE) == SIGNATURE_INVALID


def test_response_level_signature_over_the_assertion_only_is_rejected(idp: LocalSamlIdp) -> None:
    root = signed_tree(idp, sign="none")
    assertion_id = root.find(f"{SAML}Assertion").get("ID")
    root.insert(1, etree.Element(f"{DS}Signature", Id="placeholder"))
    signer = XMLSigner(c14n_algorithm=CanonicalizationMethod.EXCLUSIVE_XML_CANONICALIZATION_1_0)
    signed = signer.sign(
        root, key=idp.key.private_key, cert=[idp.key.certificate], reference_uri=assertion_id
    )
    assert rejected(idp, encode(signed)) == SIGNATURE_INVALID


def test_element_reusing_the_signed_assertion_id_is_rejected(idp: LocalSamlIdp) -> None:
    root = signed_tree(idp)
    extensions = etree.Element(f"{SAMLP}Extensions", ID=root.find(f"{SAML}Assertion").get("ID"))
    root.insert(1, extensions)
    code, _, status = rejected(idp, encode(root))
    assert (code, status) == ("InvalidIdentityToken", 400)


@pytest.mark.parametrize("sign", ["assertion", "response"])
def test_comment_inside_name_id_does_not_truncate_the_subject(idp: LocalSamlIdp, sign: str) -> None:
    document = decode_response(
        idp.response(ROLE, PROVIDER, "alice", now=NOW, sign=sign, subject="user@evil.com.good.com")
    )
    commented = document.replace(b">user@evil.com.good.com<", b">user@evil.com<!---->.good.com<")
    assert commented != document
    assertion = verify(idp, encode_response(commented))
    assert assertion.subject == "user@evil.com.good.com"
    assert assertion.condition_keys["saml:sub"] == ("user@evil.com.good.com",)


def billion_laughs(encoding: str = "utf-8") -> bytes:
    entities = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{level} "{f"&lol{level - 1};" * 10}">' for level in range(1, 10)
    ]
    text = (
        f'<?xml version="1.0" encoding="{encoding}"?><!DOCTYPE samlp:Response [{"".join(entities)}]>'
        '<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="_a" Version="2.0">'
        "&lol9;</samlp:Response>"
    )
    return text.encode(encoding)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
def test_xml_bomb_is_rejected_fast(idp: LocalSamlIdp, encoding: str) -> None:
    started = time.monotonic()
    code, _, status = rejected(idp, encode_response(billion_laughs(encoding)))
    assert (code, status) == ("InvalidIdentityToken", 400)
    assert time.monotonic() - started < 1.0


def test_external_entity_is_rejected_without_reading_it(idp: LocalSamlIdp) -> None:
    document = decode_response(idp.response(ROLE, PROVIDER, "alice", now=NOW))
    declaration = b'<!DOCTYPE samlp:Response [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    hostile = document.replace(b"?>", b"?>" + declaration, 1).replace(b">alice<", b">&xxe;<")
    code, message, status = rejected(idp, encode_response(hostile))
    assert (code, status) == ("InvalidIdentityToken", 400)
    assert "root:" not in message


def test_entity_reference_without_doctype_in_utf16_is_rejected(idp: LocalSamlIdp) -> None:
    document = decode_response(idp.response(ROLE, PROVIDER, "alice", now=NOW)).decode()
    declared = document.replace("?>", '?><!DOCTYPE r [<!ENTITY name "alice">]>', 1).replace(
        "encoding='UTF-8'", "encoding='UTF-16'"
    )
    code, _, status = rejected(idp, base64.b64encode(declared.encode("utf-16")).decode())
    assert (code, status) == ("InvalidIdentityToken", 400)
