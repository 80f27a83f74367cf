"""Verify the SAMLResponse of an AssumeRoleWithSAML request and read what AWS reads from it.

`verify_saml_response` decodes the response, lets `saml_signature` find the one signed Assertion (from then on
the only XML read), and checks it as AWS documents
(https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_create_saml_assertions.html):

- the Issuer is the provider metadata's entityID;
- the Assertion was issued at most 5 minutes ago, and the service time is inside Conditions NotBefore /
  NotOnOrAfter; every AudienceRestriction names AWS (`https://signin.aws.amazon.com/saml`, a regional sign-in
  endpoint, or `urn:amazon:webservices`);
- exactly one bearer SubjectConfirmation, whose Recipient is an AWS sign-in endpoint and whose NotOnOrAfter is
  ahead; a NameID (its Format gives `subject_type`: the SAML 2.0 prefix is dropped, as AWS returns it);
- the requested role/provider pair is one of the `Role` attribute's comma-separated pairs (either order);
- `RoleSessionName` is present and valid; `SessionDuration`, `SourceIdentity`, `PrincipalTag:*` and
  `TransitiveTagKeys` are valid when present.

Errors are AWS's (InvalidIdentityToken, ExpiredTokenException, AccessDenied, ValidationError), with AWS's
observed messages; wording that could not be confirmed is marked `# unconfirmed`. The result carries the
trust-policy condition keys of the `saml:` namespace, spelled as AWS spells them (`saml:edupersonaffiliation`,
`saml:commonName`); `saml:aud` is the Recipient, not the Audience, as AWS documents.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from lxml import etree

from shieldwall.clock import parse_iso8601
from shieldwall.errors import AwsError, access_denied
from shieldwall.protocol.validate import Problem, summary
from shieldwall.services.iam.saml_metadata import SamlMetadata
from shieldwall.services.sts.saml_signature import SAML, element_text, invalid_token, verified_assertion

MAX_RESPONSE_CHARS = 100_000
ISSUE_WINDOW = timedelta(minutes=5)
ATTRIBUTES = "https://aws.amazon.com/SAML/Attributes/"
ROLE_ATTRIBUTE = ATTRIBUTES + "Role"
SESSION_NAME_ATTRIBUTE = ATTRIBUTES + "RoleSessionName"
SESSION_DURATION_ATTRIBUTE = ATTRIBUTES + "SessionDuration"
SOURCE_IDENTITY_ATTRIBUTE = ATTRIBUTES + "SourceIdentity"
TRANSITIVE_TAG_KEYS_ATTRIBUTE = ATTRIBUTES + "TransitiveTagKeys"
PRINCIPAL_TAG_PREFIX = ATTRIBUTES + "PrincipalTag:"
BEARER = "urn:oasis:names:tc:SAML:2.0:cm:bearer"
NAME_ID_FORMAT_PREFIX = "urn:oasis:names:tc:SAML:2.0:nameid-format:"
UNSPECIFIED_FORMAT = "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified"

# AWS's observed or documented messages.
NOT_AUTHORIZED = "Not authorized to perform sts:AssumeRoleWithSAML"
EXPIRED = "Response has expired"
REDEEMED_LATE = "Token must be redeemed within 5 minutes of issuance"
ISSUER_MISMATCH = "Issuer not present in specified provider"
REQUIRED_AUDIENCE = "Response does not contain the required audience"  # the code is unconfirmed
SESSION_NAME_REQUIRED = "RoleSessionName is required in AuthnResponse"
SESSION_NAME_INVALID = "RoleSessionName in AuthnResponse must match [a-zA-Z_0-9+=,.@-]{2,64}"
SOURCE_IDENTITY_INVALID = 'Source Identity must match [a-zA-Z_0-9+=,.@-]{2,64} and not begin with "aws:"'
# Wording AWS uses for these could not be confirmed:
_BAD_BASE64 = "Invalid base64 SAMLResponse"  # unconfirmed
_NOT_SAML2 = "Invalid SAML response: the Assertion is not SAML 2.0"  # unconfirmed
_NOT_YET_VALID = "Response is not yet valid"  # unconfirmed
_BAD_RECIPIENT = "Response does not contain a valid Recipient"  # unconfirmed
_NOT_ONE_CONFIRMATION = "Response must contain exactly one bearer SubjectConfirmation"  # unconfirmed
_BAD_DURATION = "SessionDuration in AuthnResponse must be an integer from 900 to 43200"  # unconfirmed
_BAD_TAG = "PrincipalTag:{key} in AuthnResponse must have exactly one value"  # unconfirmed
_UNSUPPORTED_CONDITION = "Invalid SAML response: unsupported Condition"  # unconfirmed
_MISSING_TIME = "Invalid SAML response: {what} is missing"  # unconfirmed
_BAD_TIME = "Invalid SAML response: {what} is not a valid time"  # unconfirmed

_SIGNIN_HOST = (
    r"(?:[a-z0-9-]+\.)?signin\.aws\.amazon\.com|signin\.amazonaws\.cn|signin\.amazonaws-us-gov\.com"
)
_AUDIENCE = re.compile(rf"https://(?:{_SIGNIN_HOST})/saml|urn:amazon:webservices(?::govcloud|:cn-north-1)?")
# `/static/saml` is AWS's documented alternative; `/saml/acs/<id>` is the form of providers that encrypt assertions.
_RECIPIENT = re.compile(rf"https://(?:{_SIGNIN_HOST})/(?:static/)?saml(?:/acs/[A-Za-z0-9-]+)?")
_SESSION_NAME = re.compile(r"[\w+=,.@-]{2,64}", re.ASCII)

_EDU_PERSON = "urn:oid:1.3.6.1.4.1.5923.1.1.1."
_EDU_ORG = "urn:oid:1.3.6.1.4.1.5923.1.2.1."
_CLAIMS = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/"
# SAML attribute Name -> trust-policy condition key, from AWS's "Mapping SAML attributes to AWS trust policy
# context keys" tables (eduPerson/eduOrg, Active Directory, X.500), keys spelled as the service authorization
# reference lists them. The X.500 givenName and organizationStatus OIDs are given both as the tables print them
# (with their typos) and as the OIDs really are.
CONDITION_KEY_ATTRIBUTES: dict[str, str] = {
    _EDU_PERSON + "1": "saml:edupersonaffiliation",
    _EDU_PERSON + "2": "saml:edupersonnickname",
    _EDU_PERSON + "3": "saml:edupersonorgdn",
    _EDU_PERSON + "4": "saml:edupersonorgunitdn",
    _EDU_PERSON + "5": "saml:edupersonprimaryaffiliation",
    _EDU_PERSON + "6": "saml:edupersonprincipalname",
    _EDU_PERSON + "7": "saml:edupersonentitlement",
    _EDU_PERSON + "8": "saml:edupersonprimaryorgunitdn",
    _EDU_PERSON + "9": "saml:edupersonscopedaffiliation",
    _EDU_PERSON + "10": "saml:edupersontargetedid",
    _EDU_PERSON + "11": "saml:edupersonassurance",
    _EDU_ORG + "2": "saml:eduorghomepageuri",
    _EDU_ORG + "3": "saml:eduorgidentityauthnpolicyuri",
    _EDU_ORG + "4": "saml:eduorglegalname",
    _EDU_ORG + "5": "saml:eduorgsuperioruri",
    _EDU_ORG + "6": "saml:eduorgwhitepagesuri",
    "urn:oid:2.5.4.3": "saml:cn",
    _CLAIMS + "name": "saml:name",
    "http://schemas.xmlsoap.org/claims/CommonName": "saml:commonName",
    _CLAIMS + "givenname": "saml:givenName",
    _CLAIMS + "surname": "saml:surname",
    _CLAIMS + "emailaddress": "saml:mail",
    # The user guide's table maps this claim to `uid`; the service authorization reference lists its own key.
    "http://schemas.microsoft.com/ws/2008/06/identity/claims/primarygroupsid": "saml:primaryGroupSID",  # unconfirmed
    "2.5.4.3": "saml:commonName",
    "2.5.4.4": "saml:surname",
    "2.5.4.42": "saml:givenName",
    "2.4.5.42": "saml:givenName",
    "2.5.4.45": "saml:x500UniqueIdentifier",
    "0.9.2342.19200300100.1.1": "saml:uid",
    "0.9.2342.19200300100.1.3": "saml:mail",
    "0.9.2342.19200300100.1.45": "saml:organizationStatus",
    "0.9.2342.19200300.100.1.45": "saml:organizationStatus",
}


@dataclass(frozen=True, slots=True)
class SamlAssertion:
    issuer: str
    subject: str
    subject_type: str  # "persistent" | "transient" | the format URI
    audience: str  # the SubjectConfirmationData Recipient (an AWS endpoint): what AWS returns as Audience
    name_qualifier: str
    session_name: str
    session_duration: int | None
    not_on_or_after: datetime | None  # the earliest expiry the assertion states
    source_identity: str | None
    session_tags: tuple[tuple[str, str], ...]  # from PrincipalTag:* attributes, in order
    transitive_tag_keys: tuple[str, ...]
    condition_keys: dict[str, tuple[str, ...]]
    # AuthnStatement SessionNotOnOrAfter: the only stated time AWS caps the role session with.
    session_not_on_or_after: datetime | None = None


@dataclass(frozen=True, slots=True)
class _Subject:
    name: str
    type: str
    recipient: str
    not_on_or_after: datetime


def verify_saml_response(
    encoded: str,
    *,
    role_arn: str,
    provider_arn: str,
    provider_name: str,
    account_id: str,
    metadata: SamlMetadata,
    now: datetime,
) -> SamlAssertion:
    assertion = verified_assertion(decode_response(encoded), metadata.signing_certificates, now)
    issuer = check_issuer(assertion, metadata.entity_id)
    conditions_expiry = check_conditions(assertion, now)
    subject = read_subject(assertion, now)
    attributes = read_attributes(assertion)
    check_role(attributes, role_arn, provider_arn)
    session_name = read_session_name(attributes)
    session_expiry = session_not_on_or_after(assertion, now)
    qualifier = name_qualifier(issuer, account_id, provider_name)
    keys = condition_keys(issuer, subject, qualifier, f"{account_id}/{provider_name}", attributes)
    return SamlAssertion(
        issuer=issuer,
        subject=subject.name,
        subject_type=subject.type,
        audience=subject.recipient,
        name_qualifier=qualifier,
        session_name=session_name,
        session_duration=read_session_duration(attributes),
        not_on_or_after=_earliest(conditions_expiry, subject.not_on_or_after, session_expiry),
        source_identity=read_source_identity(attributes),
        session_tags=read_session_tags(attributes),
        transitive_tag_keys=tuple(attributes.get(TRANSITIVE_TAG_KEYS_ATTRIBUTE, ())),
        condition_keys=keys,
        session_not_on_or_after=session_expiry,
    )


def decode_response(encoded: str) -> bytes:
    if len(encoded) > MAX_RESPONSE_CHARS:
        constraint = f"Member must have length less than or equal to {MAX_RESPONSE_CHARS}"
        raise AwsError("ValidationError", summary([Problem("sAMLAssertion", encoded, constraint, True)]), 400)
    try:
        document = base64.b64decode("".join(encoded.split()), validate=True)
    except (binascii.Error, ValueError):
        raise invalid_token(_BAD_BASE64) from None
    if not document:
        raise invalid_token(_BAD_BASE64)
    return document


def check_issuer(assertion: etree._Element, entity_id: str) -> str:
    issuer = _child_text(assertion, "Issuer")
    if issuer is None or issuer != entity_id:
        raise invalid_token(ISSUER_MISMATCH)
    return issuer


def check_conditions(assertion: etree._Element, now: datetime) -> datetime | None:
    """Check IssueInstant, the Conditions window and audience; return Conditions NotOnOrAfter."""
    if assertion.get("Version") != "2.0":
        raise invalid_token(_NOT_SAML2)
    issued = _time(assertion.get("IssueInstant"), "IssueInstant")
    if now - issued > ISSUE_WINDOW:
        # AWS's observed answer to an assertion redeemed late; the 5-minute window is the message's own.
        raise AwsError("ExpiredTokenException", REDEEMED_LATE, 400)
    conditions = assertion.find(f"{SAML}Conditions")
    if conditions is None:
        raise invalid_token(REQUIRED_AUDIENCE)
    not_on_or_after = _optional_time(conditions.get("NotOnOrAfter"), "NotOnOrAfter")
    _check_window(_optional_time(conditions.get("NotBefore"), "NotBefore"), not_on_or_after, now)
    if issued - now > ISSUE_WINDOW:
        raise invalid_token(_NOT_YET_VALID)
    _check_audience(conditions)
    return not_on_or_after


def read_subject(assertion: etree._Element, now: datetime) -> _Subject:
    subject = assertion.find(f"{SAML}Subject")
    name_id = subject.find(f"{SAML}NameID") if subject is not None else None
    name = element_text(name_id) if name_id is not None else None
    if subject is None or name_id is None or not name:
        # AWS documents AccessDenied for a response without a Subject holding a NameID.
        raise access_denied(NOT_AUTHORIZED)
    data = _confirmation_data(subject)
    recipient = data.get("Recipient", "")
    if not _RECIPIENT.fullmatch(recipient):
        raise invalid_token(_BAD_RECIPIENT)
    expiry = _time(data.get("NotOnOrAfter"), "SubjectConfirmationData NotOnOrAfter")
    _check_window(_optional_time(data.get("NotBefore"), "NotBefore"), expiry, now)
    return _Subject(name, subject_type(name_id.get("Format")), recipient, expiry)


def subject_type(name_format: str | None) -> str:
    return (name_format or UNSPECIFIED_FORMAT).removeprefix(NAME_ID_FORMAT_PREFIX)


def read_attributes(assertion: etree._Element) -> dict[str, list[str]]:
    """Every attribute's text values by Name, in document order; values holding elements are skipped."""
    attributes: dict[str, list[str]] = {}
    for attribute in assertion.iterfind(f"{SAML}AttributeStatement/{SAML}Attribute"):
        name = attribute.get("Name")
        if not name:
            continue
        values = attributes.setdefault(name, [])
        for value in attribute.iterfind(f"{SAML}AttributeValue"):
            text = element_text(value)
            if text is not None:
                values.append(text)
    return attributes


def check_role(attributes: dict[str, list[str]], role_arn: str, provider_arn: str) -> None:
    wanted = frozenset((role_arn, provider_arn))
    for value in attributes.get(ROLE_ATTRIBUTE, ()):
        if frozenset(part.strip() for part in value.split(",")) == wanted and value.count(",") == 1:
            return
    # AWS documents AccessDenied when the role the response names is not the one asked for.
    raise access_denied(NOT_AUTHORIZED)


def read_session_name(attributes: dict[str, list[str]]) -> str:
    values = attributes.get(SESSION_NAME_ATTRIBUTE)
    if not values:
        raise invalid_token(SESSION_NAME_REQUIRED)
    if len(values) != 1 or not _SESSION_NAME.fullmatch(values[0]):
        raise invalid_token(SESSION_NAME_INVALID)
    return values[0]


def read_session_duration(attributes: dict[str, list[str]]) -> int | None:
    values = attributes.get(SESSION_DURATION_ATTRIBUTE)
    if values is None:
        return None
    if len(values) == 1 and values[0].isascii() and values[0].isdigit() and len(values[0]) <= 5:
        seconds = int(values[0])
        if 900 <= seconds <= 43200:
            return seconds
    raise invalid_token(_BAD_DURATION)


def read_source_identity(attributes: dict[str, list[str]]) -> str | None:
    values = attributes.get(SOURCE_IDENTITY_ATTRIBUTE)
    if values is None:
        return None
    if len(values) != 1 or not _SESSION_NAME.fullmatch(values[0]):
        raise invalid_token(SOURCE_IDENTITY_INVALID)
    return values[0]


def read_session_tags(attributes: dict[str, list[str]]) -> tuple[tuple[str, str], ...]:
    tags = []
    for name, values in attributes.items():
        if not name.startswith(PRINCIPAL_TAG_PREFIX):
            continue
        key = name.removeprefix(PRINCIPAL_TAG_PREFIX)
        if not key or len(values) != 1:
            raise invalid_token(_BAD_TAG.format(key=key))
        tags.append((key, values[0]))
    return tuple(tags)


def session_not_on_or_after(assertion: etree._Element, now: datetime) -> datetime | None:
    stated = [
        _time(statement.get("SessionNotOnOrAfter"), "SessionNotOnOrAfter")
        for statement in assertion.iterfind(f"{SAML}AuthnStatement")
        if statement.get("SessionNotOnOrAfter") is not None
    ]
    earliest = min(stated, default=None)
    if earliest is not None and now >= earliest:
        raise AwsError("ExpiredTokenException", EXPIRED, 400)  # unconfirmed for SessionNotOnOrAfter
    return earliest


def name_qualifier(issuer: str, account_id: str, provider_name: str) -> str:
    """BASE64(SHA1(issuer + account id + "/" + provider name)), AWS's documented recipe."""
    digest = hashlib.sha1(f"{issuer}{account_id}/{provider_name}".encode(), usedforsecurity=False).digest()
    return base64.b64encode(digest).decode("ascii")


def condition_keys(
    issuer: str, subject: _Subject, qualifier: str, doc: str, attributes: dict[str, list[str]]
) -> dict[str, tuple[str, ...]]:
    keys: dict[str, tuple[str, ...]] = {
        "saml:aud": (subject.recipient,),
        "saml:iss": (issuer,),
        "saml:sub": (subject.name,),
        "saml:sub_type": (subject.type,),
        "saml:namequalifier": (qualifier,),
        "saml:doc": (doc,),
    }
    for name, key in CONDITION_KEY_ATTRIBUTES.items():
        values = attributes.get(name)
        if values and key not in keys:  # AWS maps one claim per key
            keys[key] = tuple(values)
    return keys


def _check_audience(conditions: etree._Element) -> None:
    if conditions.find(f"{SAML}Condition") is not None:
        raise invalid_token(_UNSUPPORTED_CONDITION)
    restrictions = conditions.findall(f"{SAML}AudienceRestriction")
    if not restrictions or not all(_names_aws(restriction) for restriction in restrictions):
        raise invalid_token(REQUIRED_AUDIENCE)


def _names_aws(restriction: etree._Element) -> bool:
    return any(
        _AUDIENCE.fullmatch(element_text(audience) or "")
        for audience in restriction.iterfind(f"{SAML}Audience")
    )


def _confirmation_data(subject: etree._Element) -> etree._Element:
    confirmations = subject.findall(f"{SAML}SubjectConfirmation")
    if len(confirmations) != 1 or confirmations[0].get("Method") != BEARER:
        raise invalid_token(_NOT_ONE_CONFIRMATION)
    data = confirmations[0].find(f"{SAML}SubjectConfirmationData")
    if data is None:
        raise invalid_token(_NOT_ONE_CONFIRMATION)
    return data


def _check_window(not_before: datetime | None, not_on_or_after: datetime | None, now: datetime) -> None:
    if not_before is not None and now < not_before:
        raise invalid_token(_NOT_YET_VALID)
    if not_on_or_after is not None and now >= not_on_or_after:
        raise AwsError("ExpiredTokenException", EXPIRED, 400)


def _child_text(parent: etree._Element, name: str) -> str | None:
    child = parent.find(f"{SAML}{name}")
    return element_text(child) if child is not None else None


def _time(text: str | None, what: str) -> datetime:
    when = _optional_time(text, what)
    if when is None:
        raise invalid_token(_MISSING_TIME.format(what=what))
    return when


def _optional_time(text: str | None, what: str) -> datetime | None:
    if text is None:
        return None
    try:
        return parse_iso8601(text.strip())
    except ValueError:
        raise invalid_token(_BAD_TIME.format(what=what)) from None


def _earliest(*times: datetime | None) -> datetime | None:
    return min((when for when in times if when is not None), default=None)
