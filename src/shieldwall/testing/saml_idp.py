"""A SAML 2.0 identity provider for tests: no server, only the two documents AWS federation needs.

    idp = LocalSamlIdp(entity_id="https://idp.example.test/saml")
    iam.create_saml_provider(Name="Local", SAMLMetadataDocument=idp.metadata_xml())
    assertion = idp.response(role_arn, provider_arn, "alice", now=server_time)
    sts.assume_role_with_saml(RoleArn=role_arn, PrincipalArn=provider_arn, SAMLAssertion=assertion)

`metadata_xml()` is the IdP metadata IAM's CreateSAMLProvider accepts; `response()` is the base64 SAMLResponse an
IdP posts to AWS's sign-in endpoint, signed (with signxml, exclusive canonicalization, RSA-SHA256 by default) on
the Assertion, the Response or both. Every claim can be bent for a negative test: the times (`now`, `lifetime`),
the audience and recipient, the issuer, the Role values, the key that signs (`signing_key`, e.g. a fresh
`SigningKey.generate()` for a wrong-signature test). Pass the service time as `now`: AWS refuses an assertion
redeemed more than 5 minutes after its IssueInstant. Certificates are valid from 2000 to 2100, so moving the
service clock never invalidates them.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from lxml import etree
from signxml.algorithms import CanonicalizationMethod
from signxml.signer import XMLSigner

from shieldwall import ids
from shieldwall.clock import fmt_iso8601

AWS_SIGNIN = "https://signin.aws.amazon.com/saml"
AWS_URN = "urn:amazon:webservices"
PERSISTENT = "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent"
TRANSIENT = "urn:oasis:names:tc:SAML:2.0:nameid-format:transient"
SUCCESS = "urn:oasis:names:tc:SAML:2.0:status:Success"
ATTRIBUTES = "https://aws.amazon.com/SAML/Attributes/"

SAMLP_NS = "urn:oasis:names:tc:SAML:2.0:protocol"
SAML_NS = "urn:oasis:names:tc:SAML:2.0:assertion"
MD_NS = "urn:oasis:names:tc:SAML:2.0:metadata"
DS_NS = "http://www.w3.org/2000/09/xmldsig#"
XS_NS = "http://www.w3.org/2001/XMLSchema"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
SAMLP = f"{{{SAMLP_NS}}}"
SAML = f"{{{SAML_NS}}}"
MD = f"{{{MD_NS}}}"
DS = f"{{{DS_NS}}}"

Signed = Literal["assertion", "response", "both", "none"]
Algorithm = Literal["rsa-sha256", "rsa-sha1"]

_VALID_FROM = datetime(2000, 1, 1, tzinfo=UTC)
_VALID_TO = datetime(2100, 1, 1, tzinfo=UTC)
_PASSWORD_PROTECTED = "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"


@dataclass(frozen=True, slots=True)
class SigningKey:
    private_key: rsa.RSAPrivateKey
    certificate: x509.Certificate

    @classmethod
    def generate(cls, common_name: str = "shieldwall local IdP", key_size: int = 2048) -> SigningKey:
        private_key = rsa.generate_private_key(public_exponent=65537, key_size=key_size)
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
        certificate = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(private_key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(_VALID_FROM)
            .not_valid_after(_VALID_TO)
            .sign(private_key, hashes.SHA256())
        )
        return cls(private_key, certificate)

    def certificate_base64(self) -> str:
        return base64.b64encode(self.certificate.public_bytes(serialization.Encoding.DER)).decode("ascii")


@dataclass(frozen=True, slots=True)
class _Claims:
    role_arn: str
    provider_arn: str
    session_name: str | None
    subject: str
    subject_format: str
    session_duration: int | None
    tags: tuple[tuple[str, str], ...]
    transitive_tag_keys: tuple[str, ...]
    source_identity: str | None
    attributes: Mapping[str, Sequence[str]]
    roles: tuple[str, ...] | None
    issuer: str
    now: datetime
    lifetime: timedelta
    session_not_on_or_after: datetime | None
    audience: str
    recipient: str
    status: str = SUCCESS
    signed: Signed = "assertion"


class LocalSamlIdp:
    def __init__(
        self, entity_id: str = "https://idp.shieldwall.test/saml", *, key: SigningKey | None = None
    ) -> None:
        self.entity_id = entity_id
        self.key = key or SigningKey.generate()

    def metadata_xml(
        self, *, valid_until: datetime | None = None, extra_keys: Sequence[SigningKey] = ()
    ) -> str:
        """IdP metadata naming this IdP's signing certificate (and `extra_keys`, as during a key rotation)."""
        root = etree.Element(
            f"{MD}EntityDescriptor", nsmap={"md": MD_NS, "ds": DS_NS}, entityID=self.entity_id
        )
        if valid_until is not None:
            root.set("validUntil", fmt_iso8601(valid_until))
        descriptor = etree.SubElement(root, f"{MD}IDPSSODescriptor", protocolSupportEnumeration=SAMLP_NS)
        descriptor.set("WantAuthnRequestsSigned", "false")
        for key in (self.key, *extra_keys):
            _key_descriptor(descriptor, key)
        etree.SubElement(descriptor, f"{MD}NameIDFormat").text = PERSISTENT
        sso = etree.SubElement(descriptor, f"{MD}SingleSignOnService", Location=f"{self.entity_id}/sso")
        sso.set("Binding", "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST")
        return etree.tostring(root, encoding="unicode")

    def response(
        self,
        role_arn: str,
        provider_arn: str,
        session_name: str | None,
        *,
        subject: str = "alice@example.com",
        subject_format: str = PERSISTENT,
        session_duration: int | None = None,
        tags: Mapping[str, str] | Iterable[tuple[str, str]] = (),
        transitive_tag_keys: Sequence[str] = (),
        source_identity: str | None = None,
        attributes: Mapping[str, Sequence[str]] | None = None,
        roles: Sequence[str] | None = None,
        now: datetime | None = None,
        lifetime: timedelta = timedelta(minutes=5),
        session_not_on_or_after: datetime | None = None,
        audience: str = AWS_SIGNIN,
        recipient: str = AWS_SIGNIN,
        issuer: str | None = None,
        status: str = SUCCESS,
        sign: Signed = "assertion",
        signing_key: SigningKey | None = None,
        algorithm: Algorithm = "rsa-sha256",
    ) -> str:
        """A base64 SAMLResponse for `role_arn` through `provider_arn`; `session_name=None` leaves it out.

        `roles` replaces the Role attribute's values (by default the one pair `role_arn,provider_arn`).
        """
        claims = _Claims(
            role_arn=role_arn,
            provider_arn=provider_arn,
            session_name=session_name,
            subject=subject,
            subject_format=subject_format,
            session_duration=session_duration,
            tags=tuple(tags.items() if isinstance(tags, Mapping) else tags),
            transitive_tag_keys=tuple(transitive_tag_keys),
            source_identity=source_identity,
            attributes=attributes or {},
            roles=tuple(roles) if roles is not None else None,
            issuer=issuer or self.entity_id,
            now=now or datetime.now(UTC),
            lifetime=lifetime,
            session_not_on_or_after=session_not_on_or_after,
            audience=audience,
            recipient=recipient,
            status=status,
            signed=sign,
        )
        signer = _signer(algorithm)
        document = _response(claims, signing_key or self.key, signer)
        return encode_response(etree.tostring(document, xml_declaration=True, encoding="UTF-8"))


def encode_response(document: bytes) -> str:
    return base64.b64encode(document).decode("ascii")


def decode_response(encoded: str) -> bytes:
    return base64.b64decode(encoded)


class _LegacySigner(XMLSigner):
    """Signs with RSA-SHA1, which signxml refuses by default; IdPs still send it and AWS still accepts it."""

    def check_deprecated_methods(self) -> None:
        return None


def _signer(algorithm: Algorithm) -> XMLSigner:
    exclusive = CanonicalizationMethod.EXCLUSIVE_XML_CANONICALIZATION_1_0
    if algorithm == "rsa-sha1":
        return _LegacySigner(
            signature_algorithm="rsa-sha1", digest_algorithm="sha1", c14n_algorithm=exclusive
        )
    return XMLSigner(signature_algorithm="rsa-sha256", digest_algorithm="sha256", c14n_algorithm=exclusive)


def _key_descriptor(descriptor: etree._Element, key: SigningKey) -> None:
    key_descriptor = etree.SubElement(descriptor, f"{MD}KeyDescriptor", use="signing")
    x509_data = etree.SubElement(etree.SubElement(key_descriptor, f"{DS}KeyInfo"), f"{DS}X509Data")
    etree.SubElement(x509_data, f"{DS}X509Certificate").text = key.certificate_base64()


def _response(claims: _Claims, key: SigningKey, signer: XMLSigner) -> etree._Element:
    assertion = _assertion(claims)
    if claims.signed in ("assertion", "both"):
        assertion = _sign(assertion, key, signer)
    response = etree.Element(f"{SAMLP}Response", nsmap={"samlp": SAMLP_NS, "saml": SAML_NS}, ID=_new_id())
    response.set("Version", "2.0")
    response.set("IssueInstant", fmt_iso8601(claims.now))
    response.set("Destination", claims.recipient)
    etree.SubElement(response, f"{SAML}Issuer").text = claims.issuer
    if claims.signed in ("response", "both"):
        _placeholder(response)
    status = etree.SubElement(response, f"{SAMLP}Status")
    etree.SubElement(status, f"{SAMLP}StatusCode", Value=claims.status)
    response.append(assertion)
    if claims.signed in ("response", "both"):
        return _sign(response, key, signer)
    return response


def _assertion(claims: _Claims) -> etree._Element:
    nsmap = {"saml": SAML_NS, "xs": XS_NS, "xsi": XSI_NS}
    assertion = etree.Element(f"{SAML}Assertion", nsmap=nsmap, ID=_new_id(), Version="2.0")
    assertion.set("IssueInstant", fmt_iso8601(claims.now))
    etree.SubElement(assertion, f"{SAML}Issuer").text = claims.issuer
    if claims.signed in ("assertion", "both"):
        _placeholder(assertion)
    _subject(assertion, claims)
    _conditions(assertion, claims)
    _authn_statement(assertion, claims)
    _attribute_statement(assertion, claims)
    return assertion


def _subject(assertion: etree._Element, claims: _Claims) -> None:
    subject = etree.SubElement(assertion, f"{SAML}Subject")
    etree.SubElement(subject, f"{SAML}NameID", Format=claims.subject_format).text = claims.subject
    confirmation = etree.SubElement(subject, f"{SAML}SubjectConfirmation")
    confirmation.set("Method", "urn:oasis:names:tc:SAML:2.0:cm:bearer")
    data = etree.SubElement(confirmation, f"{SAML}SubjectConfirmationData", Recipient=claims.recipient)
    data.set("NotOnOrAfter", fmt_iso8601(claims.now + claims.lifetime))


def _conditions(assertion: etree._Element, claims: _Claims) -> None:
    conditions = etree.SubElement(assertion, f"{SAML}Conditions", NotBefore=fmt_iso8601(claims.now))
    conditions.set("NotOnOrAfter", fmt_iso8601(claims.now + claims.lifetime))
    restriction = etree.SubElement(conditions, f"{SAML}AudienceRestriction")
    etree.SubElement(restriction, f"{SAML}Audience").text = claims.audience


def _authn_statement(assertion: etree._Element, claims: _Claims) -> None:
    statement = etree.SubElement(assertion, f"{SAML}AuthnStatement", AuthnInstant=fmt_iso8601(claims.now))
    statement.set("SessionIndex", _new_id())
    if claims.session_not_on_or_after is not None:
        statement.set("SessionNotOnOrAfter", fmt_iso8601(claims.session_not_on_or_after))
    context = etree.SubElement(statement, f"{SAML}AuthnContext")
    etree.SubElement(context, f"{SAML}AuthnContextClassRef").text = _PASSWORD_PROTECTED


def _attribute_statement(assertion: etree._Element, claims: _Claims) -> None:
    statement = etree.SubElement(assertion, f"{SAML}AttributeStatement")
    for name, values in _attribute_values(claims):
        attribute = etree.SubElement(statement, f"{SAML}Attribute", Name=name)
        attribute.set("NameFormat", "urn:oasis:names:tc:SAML:2.0:attrname-format:uri")
        for value in values:
            element = etree.SubElement(attribute, f"{SAML}AttributeValue")
            element.set(f"{{{XSI_NS}}}type", "xs:string")
            element.text = value


def _attribute_values(claims: _Claims) -> list[tuple[str, Sequence[str]]]:
    roles = claims.roles if claims.roles is not None else (f"{claims.role_arn},{claims.provider_arn}",)
    values: list[tuple[str, Sequence[str]]] = [(ATTRIBUTES + "Role", roles)]
    if claims.session_name is not None:
        values.append((ATTRIBUTES + "RoleSessionName", (claims.session_name,)))
    if claims.session_duration is not None:
        values.append((ATTRIBUTES + "SessionDuration", (str(claims.session_duration),)))
    if claims.source_identity is not None:
        values.append((ATTRIBUTES + "SourceIdentity", (claims.source_identity,)))
    values.extend((f"{ATTRIBUTES}PrincipalTag:{key}", (value,)) for key, value in claims.tags)
    if claims.transitive_tag_keys:
        values.append((ATTRIBUTES + "TransitiveTagKeys", claims.transitive_tag_keys))
    values.extend(claims.attributes.items())
    return values


def _placeholder(parent: etree._Element) -> None:
    """Where signxml puts the enveloped signature: right after Issuer, as the SAML schema orders it."""
    etree.SubElement(parent, f"{DS}Signature", nsmap={"ds": DS_NS}, Id="placeholder")


def _sign(element: etree._Element, key: SigningKey, signer: XMLSigner) -> etree._Element:
    return signer.sign(element, key=key.private_key, cert=[key.certificate])


def _new_id() -> str:
    return "_" + ids.token_bytes(16).hex()
