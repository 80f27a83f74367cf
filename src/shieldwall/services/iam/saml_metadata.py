"""SAML 2.0 identity provider metadata, read the way IAM needs it: the issuer (entityID), the signing
certificates the STS issue verifies assertions with, and the document's validUntil.

The document is parsed with defusedxml with DTDs forbidden, so no entity (internal or external) is ever
expanded. A document is valid when its root is an md:EntityDescriptor with an entityID and an
md:IDPSSODescriptor for the SAML 2.0 protocol holding at least one X.509 certificate for signing (a KeyDescriptor
with no `use`, or `use="signing"`) that parses as DER.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import datetime
from xml.etree.ElementTree import Element, ParseError

import defusedxml.ElementTree as SafeElementTree
from cryptography import x509
from defusedxml.common import DefusedXmlException

from shieldwall.clock import parse_iso8601

MD = "{urn:oasis:names:tc:SAML:2.0:metadata}"
DS = "{http://www.w3.org/2000/09/xmldsig#}"
SAML2_PROTOCOL = "urn:oasis:names:tc:SAML:2.0:protocol"


class MetadataError(Exception):
    """The document is not usable SAML metadata; the message says why."""


@dataclass(frozen=True, slots=True)
class SamlMetadata:
    entity_id: str
    valid_until: datetime | None
    signing_certificates: tuple[bytes, ...]


def parse_metadata(text: str) -> SamlMetadata:
    root = _parse_xml(text)
    if root.tag != f"{MD}EntityDescriptor":
        raise MetadataError("the root element is not md:EntityDescriptor")
    entity_id = root.get("entityID", "").strip()
    if not entity_id:
        raise MetadataError("the EntityDescriptor has no entityID")
    descriptor = _idp_descriptor(root)
    certificates = tuple(_signing_certificates(descriptor))
    if not certificates:
        raise MetadataError("the IDPSSODescriptor has no signing certificate")
    return SamlMetadata(entity_id, _valid_until(root), certificates)


def _parse_xml(text: str) -> Element:
    try:
        root = SafeElementTree.fromstring(text, forbid_dtd=True)
    except (ParseError, DefusedXmlException, ValueError) as error:
        raise MetadataError(f"not well-formed XML: {error}") from None
    if not isinstance(root, Element):
        raise MetadataError("not an XML element")
    return root


def _idp_descriptor(root: Element) -> Element:
    for descriptor in root.findall(f"{MD}IDPSSODescriptor"):
        if SAML2_PROTOCOL in descriptor.get("protocolSupportEnumeration", "").split():
            return descriptor
    raise MetadataError("no IDPSSODescriptor supports the SAML 2.0 protocol")


def _signing_certificates(descriptor: Element) -> list[bytes]:
    found = []
    for key in descriptor.findall(f"{MD}KeyDescriptor"):
        if key.get("use", "signing") != "signing":
            continue
        for element in key.iter(f"{DS}X509Certificate"):
            found.append(_certificate_der(element.text or ""))
    return found


def _certificate_der(text: str) -> bytes:
    try:
        der = base64.b64decode("".join(text.split()), validate=True)
        x509.load_der_x509_certificate(der)
    except (binascii.Error, ValueError) as error:
        raise MetadataError(f"an X509Certificate does not parse: {error}") from None
    return der


def _valid_until(root: Element) -> datetime | None:
    text = root.get("validUntil")
    if text is None:
        return None
    try:
        return parse_iso8601(text.strip())
    except ValueError:
        raise MetadataError(f"validUntil `{text}` is not an ISO 8601 time") from None
