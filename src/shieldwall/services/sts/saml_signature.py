"""Find the one signed SAML assertion in a SAMLResponse, or refuse the response.

What this module decides: which XML the rest of AssumeRoleWithSAML may read. It returns the Assertion element as
signxml's `VerifyResult.signed_xml` renders it: the bytes the IdP's key signed, canonicalized and parsed again, so
comments, text split around comments and anything outside the signed element are gone. Nothing else of the
document is ever handed out; that is the defence against signature wrapping.

The unverified document is only used to decide *where* to look, and it must have the shape an IdP sends: a
samlp:Response root holding exactly one saml:Assertion (as a direct child, and no other Assertion anywhere), no
DOCTYPE, no entity, no ID value used twice. Then:

- a ds:Signature directly under the Response must sign the Response itself (its reference resolves to the root);
  the Assertion is then read from the verified Response, and when it carries its own signature that one is
  verified too;
- otherwise a ds:Signature directly under the Assertion must sign that Assertion.

Accepted algorithms: RSA with SHA-256, SHA-384, SHA-512 and SHA-1 (AWS still accepts SHA-1 signatures from
IdPs), digests of the same families. Keys are the metadata's signing certificates only; a certificate or key
carried inside the signature is never trusted. A certificate outside its validity period at the service time is
refused.
"""

from __future__ import annotations

import functools
import threading
from dataclasses import replace
from datetime import datetime

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from lxml import etree
from signxml.algorithms import DigestAlgorithm, SignatureMethod
from signxml.exceptions import SignXMLException
from signxml.verifier import SignatureConfiguration, XMLVerifier

from shieldwall.errors import AwsError

SAMLP = "{urn:oasis:names:tc:SAML:2.0:protocol}"
SAML = "{urn:oasis:names:tc:SAML:2.0:assertion}"
DS = "{http://www.w3.org/2000/09/xmldsig#}"

SIGNATURE_INVALID = "Response signature invalid"
# Wording AWS uses for these could not be confirmed:
_DOCTYPE = "Invalid SAML response: document type declarations are not allowed"  # unconfirmed
_ENTITY = "Invalid SAML response: entities are not allowed"  # unconfirmed
_MALFORMED = "Invalid SAML response: not well-formed XML"  # unconfirmed
_NOT_A_RESPONSE = "Invalid SAML response: the root element is not a SAML 2.0 Response"  # unconfirmed
_ENCRYPTED = "Invalid SAML response: encrypted assertions are not supported"  # unconfirmed
_NOT_ONE_ASSERTION = "Invalid SAML response: expected exactly one Assertion"  # unconfirmed
_DUPLICATE_ID = "Invalid SAML response: an ID is used more than once"  # unconfirmed
_IDP_REJECTED = "The identity provider rejected the authentication request"  # unconfirmed

_SIGNATURE_METHODS = frozenset(
    {
        SignatureMethod.RSA_SHA1,
        SignatureMethod.RSA_SHA256,
        SignatureMethod.RSA_SHA384,
        SignatureMethod.RSA_SHA512,
    }
)
_DIGESTS = frozenset(
    {DigestAlgorithm.SHA1, DigestAlgorithm.SHA256, DigestAlgorithm.SHA384, DigestAlgorithm.SHA512}
)
_CONFIG = SignatureConfiguration(
    require_x509=True,
    expect_references=1,
    signature_methods=_SIGNATURE_METHODS,
    digest_algorithms=_DIGESTS,
)
_RESPONSE_SIGNATURE = "./"
_ASSERTION_SIGNATURE = f"./{SAML}Assertion/"
_ID_VALUES = etree.XPath("//@*[local-name()='ID' or local-name()='Id' or local-name()='id']")
_VERIFY_ERRORS = (SignXMLException, InvalidSignature, etree.LxmlError, ValueError, TypeError, KeyError)

_parsers = threading.local()


def invalid_token(message: str) -> AwsError:
    return AwsError("InvalidIdentityToken", message, 400)


def verified_assertion(document: bytes, certificates: tuple[bytes, ...], now: datetime) -> etree._Element:
    """The signed Assertion of `document`, verified with one of `certificates` (DER) at service time `now`."""
    root = parse_response(document)
    assertion = only_assertion(root)
    reject_duplicate_ids(root)
    keys = _certificates(certificates)
    if _signature_of(root) is None:
        return _verify_assertion(root, assertion, keys, now)
    response = _verify(root, root, _RESPONSE_SIGNATURE, keys, now)
    reject_failed_status(response)
    signed = only_assertion(response)
    if _signature_of(signed) is None:
        return signed
    return _verify_assertion(response, signed, keys, now)


def parse_response(document: bytes) -> etree._Element:
    if b"<!DOCTYPE" in document or b"<!ENTITY" in document:
        raise invalid_token(_DOCTYPE)
    try:
        root = etree.fromstring(document, parser=_parser())
    except (etree.XMLSyntaxError, ValueError):
        raise invalid_token(_MALFORMED) from None
    tree = root.getroottree()
    if tree.docinfo.internalDTD is not None or tree.docinfo.externalDTD is not None:
        raise invalid_token(_DOCTYPE)
    if any(True for _ in root.iter(etree.Entity)):
        raise invalid_token(_ENTITY)
    if root.tag != f"{SAMLP}Response" or root.get("Version") != "2.0":
        raise invalid_token(_NOT_A_RESPONSE)
    return root


def only_assertion(response: etree._Element) -> etree._Element:
    if any(True for _ in response.iter(f"{SAML}EncryptedAssertion")):
        # AWS decrypts assertions with a private key registered on the provider; shieldwall does not yet.
        raise invalid_token(_ENCRYPTED)
    everywhere = list(response.iter(f"{SAML}Assertion"))
    if len(everywhere) != 1 or everywhere[0].getparent() is not response:
        raise invalid_token(_NOT_ONE_ASSERTION)
    return everywhere[0]


def reject_duplicate_ids(root: etree._Element) -> None:
    values = _ID_VALUES(root)
    if not isinstance(values, list) or len(values) != len(set(values)):
        raise invalid_token(_DUPLICATE_ID)


def reject_failed_status(response: etree._Element) -> None:
    """A signed Response can say the IdP refused the user; only the verified Response is read for that."""
    code = response.find(f"{SAMLP}Status/{SAMLP}StatusCode")
    if code is not None and code.get("Value") != "urn:oasis:names:tc:SAML:2.0:status:Success":
        raise AwsError("IDPRejectedClaim", _IDP_REJECTED, 403)


def element_text(element: etree._Element) -> str | None:
    """The element's character data, stripped; None when it holds child elements.

    Text on either side of a comment or processing instruction is joined, so `user@evil.com<!---->.good.com`
    reads as the whole value and never as its first text node (the classic SAML truncation flaw).
    """
    parts = [element.text or ""]
    for child in element:
        if not isinstance(child, etree._Comment | etree._ProcessingInstruction):
            return None
        parts.append(child.tail or "")
    return "".join(parts).strip()


def _verify_assertion(
    document: etree._Element, assertion: etree._Element, keys: tuple[x509.Certificate, ...], now: datetime
) -> etree._Element:
    if _signature_of(assertion) is None:
        raise invalid_token(SIGNATURE_INVALID)
    return _verify(document, assertion, _ASSERTION_SIGNATURE, keys, now)


def _verify(
    document: etree._Element,
    target: etree._Element,
    location: str,
    keys: tuple[x509.Certificate, ...],
    now: datetime,
) -> etree._Element:
    """The signed XML of the signature at `location`, which must be `target` itself (same element, same ID)."""
    config = replace(_CONFIG, location=location, verification_time=now)
    for key in keys:
        signed = _signed_xml(document, key, config)
        if signed is not None:
            if not _is_same_element(signed, target):
                break
            return signed
    raise invalid_token(SIGNATURE_INVALID)


def _signed_xml(
    document: etree._Element, key: x509.Certificate, config: SignatureConfiguration
) -> etree._Element | None:
    try:
        result = XMLVerifier().verify(document, x509_cert=key, expect_config=config, parser=_parser())
    except _VERIFY_ERRORS:
        return None
    if isinstance(result, list):
        return None
    return result.signed_xml


def _is_same_element(signed: etree._Element, target: etree._Element) -> bool:
    identifier = target.get("ID")
    return signed.tag == target.tag and identifier is not None and signed.get("ID") == identifier


def _signature_of(element: etree._Element) -> etree._Element | None:
    return element.find(f"{DS}Signature")


@functools.lru_cache(maxsize=256)
def _certificates(ders: tuple[bytes, ...]) -> tuple[x509.Certificate, ...]:
    """The metadata's certificates that load; IAM checked them when the provider was written."""
    loaded = []
    for der in ders:
        try:
            loaded.append(x509.load_der_x509_certificate(der))
        except ValueError:
            continue
    return tuple(loaded)


def _parser() -> etree.XMLParser:
    """One hardened parser per thread (lxml parsers are not safe to share between threads)."""
    parser: etree.XMLParser | None = getattr(_parsers, "parser", None)
    if parser is None:
        parser = etree.XMLParser(
            resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False, huge_tree=False
        )
        _parsers.parser = parser
    return parser
