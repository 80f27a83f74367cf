"""OpenID Connect and SAML identity providers, stored for STS's AssumeRoleWithWebIdentity / AssumeRoleWithSAML.

An OIDC provider is named by its URL without `https://` (`arn:aws:iam::<account>:oidc-provider/<host/path>`),
a SAML provider by its name (`arn:aws:iam::<account>:saml-provider/<name>`). Deleting an OIDC provider that does
not exist succeeds, as AWS documents; deleting a missing SAML provider is NoSuchEntity.
"""

from __future__ import annotations

import base64
import re
import urllib.parse
from datetime import datetime
from typing import Any

from shieldwall import arn, ids
from shieldwall.errors import AwsError, not_implemented
from shieldwall.protocol.validate import Problem, summary
from shieldwall.services.base import Call, Params
from shieldwall.services.iam.common import (
    IamBase,
    already_exists,
    invalid_input,
    limit_exceeded,
    merged_tags,
    no_such_entity,
    now_seconds,
    tag_list,
    tags_page,
    without_tags,
)
from shieldwall.services.iam.records import OidcProvider, SamlProvider
from shieldwall.services.iam.saml_metadata import MetadataError, parse_metadata
from shieldwall.store.base import Reader

PROVIDERS_PER_ACCOUNT = 100
CLIENT_IDS_PER_PROVIDER = 100
THUMBPRINTS_PER_PROVIDER = 5
SAML_NAME_PATTERN = r"[\w._-]+"
_SAML_NAME = re.compile(SAML_NAME_PATTERN)
_URL_TEXT = re.compile(r"[\x21-\x7e]+")  # printable ASCII, no spaces: the URL becomes part of an ARN
ENCRYPTION_MODES = ("Required", "Allowed")
DEFAULT_VALIDITY_YEARS = 100
_NOT_YET = ("AddPrivateKey", "RemovePrivateKey", "ContextProvider", "IdentityCenterInstanceArn")


def invalid_arn(text: str) -> AwsError:
    return invalid_input(f"ARN {text} is not valid.")


def provider_key(text: str, call: Call, kind: str) -> str:
    """The record key an identity provider ARN names: InvalidInput unless it is an ARN of `kind`, NoSuchEntity
    raised by the caller when it is another account's."""
    try:
        parsed = arn.parse(text)
    except ValueError:
        raise invalid_arn(text) from None
    prefix = f"{kind}/"
    if parsed.service != "iam" or parsed.region or not parsed.resource.startswith(prefix):
        raise invalid_arn(text)
    if (parsed.partition, parsed.account) != (call.partition, call.account_id):
        return ""
    return parsed.resource[len(prefix) :]


def oidc_resource(url: str) -> str:
    """`url` without its scheme, once it is an https URL with a host and no query, fragment or credentials."""
    parts = urllib.parse.urlsplit(url)
    if not parts.scheme or not parts.netloc:
        raise AwsError("ValidationError", "Invalid Open ID Connect Provider URL", 400)
    if parts.scheme != "https":
        raise invalid_input("Invalid Open ID Connect Provider URL. The URL must begin with https://.")
    if parts.query or parts.fragment or "@" in parts.netloc or not _URL_TEXT.fullmatch(url):
        raise invalid_input("Invalid Open ID Connect Provider URL")
    return url[len("https://") :]


def _check_thumbprints(thumbprints: list[str]) -> None:
    if len(thumbprints) > THUMBPRINTS_PER_PROVIDER:
        raise invalid_input("Thumbprint list must contain fewer than 5 entries.")


def _check_client_ids(client_ids: list[str]) -> None:
    if len(client_ids) > CLIENT_IDS_PER_PROVIDER:
        raise limit_exceeded(
            f"Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: {CLIENT_IDS_PER_PROVIDER}"
        )


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


def oidc_output(provider: OidcProvider) -> dict[str, Any]:
    out: dict[str, Any] = {
        "Url": provider.url,
        "ClientIDList": provider.client_ids,
        "ThumbprintList": provider.thumbprints,
        "CreateDate": provider.create_date,
    }
    if provider.tags:
        out["Tags"] = tag_list(provider.tags)
    return out


def saml_uuid() -> str:
    return base64.b32encode(ids.token_bytes(16)).decode("ascii").rstrip("=")


def checked_metadata(document: str) -> datetime | None:
    """The document's validUntil once it is valid SAML IdP metadata; InvalidInput otherwise."""
    try:
        return parse_metadata(document).valid_until
    except MetadataError:
        raise invalid_input("Could not parse metadata") from None


def _check_saml_options(call: Call, params: Params) -> None:
    """Assertion decryption keys and the newer context/Identity Center options are not implemented: say so rather
    than drop them."""
    for member in _NOT_YET:
        if params.get(member) is not None:
            raise not_implemented("iam", f"{call.operation} with {member}")
    mode = params.get("AssertionEncryptionMode")
    if mode is not None and mode not in ENCRYPTION_MODES:
        constraint = f"Member must satisfy enum value set: [{', '.join(ENCRYPTION_MODES)}]"
        raise AwsError(
            "ValidationError", summary([Problem("assertionEncryptionMode", mode, constraint)]), 400
        )
    if mode == "Required":
        raise not_implemented("iam", f"{call.operation} with AssertionEncryptionMode Required")


def _check_saml_name(name: str) -> None:
    if not _SAML_NAME.fullmatch(name):
        constraint = f"Member must satisfy regular expression pattern: {SAML_NAME_PATTERN}"
        raise AwsError("ValidationError", summary([Problem("name", name, constraint)]), 400)


def saml_output(provider: SamlProvider) -> dict[str, Any]:
    out: dict[str, Any] = {
        "SAMLProviderUUID": provider.uuid,
        "SAMLMetadataDocument": provider.metadata,
        "CreateDate": provider.create_date,
        "ValidUntil": provider.valid_until,
    }
    if provider.assertion_encryption_mode is not None:
        out["AssertionEncryptionMode"] = provider.assertion_encryption_mode
    if provider.tags:
        out["Tags"] = tag_list(provider.tags)
    return out


def _default_validity(created: datetime) -> datetime:
    return created.replace(year=created.year + DEFAULT_VALIDITY_YEARS, month=1, day=1)


class IdentityProvidersMixin(IamBase):
    def oidc_record(self, reader: Reader, call: Call, provider_arn: str) -> tuple[str, OidcProvider]:
        key = provider_key(provider_arn, call, "oidc-provider")
        found = reader.get(call.account_scope, OidcProvider, key) if key else None
        if found is None:
            raise no_such_entity(f"OpenIDConnect Provider not found for arn {provider_arn}")
        return key, found

    def saml_record(self, reader: Reader, call: Call, provider_arn: str) -> tuple[str, SamlProvider]:
        name = provider_key(provider_arn, call, "saml-provider")
        found = reader.get(call.account_scope, SamlProvider, name.lower()) if name else None
        if found is None:
            raise no_such_entity(f"SAMLProvider not found for arn {provider_arn}")
        return name.lower(), found

    # -- OpenID Connect ---------------------------------------------------------------------------------------

    def create_open_id_connect_provider(self, call: Call, params: Params) -> Params:
        _check_oidc_options(call, params)
        url = params["Url"]
        key = oidc_resource(url)
        client_ids = _unique(params.get("ClientIDList") or [])
        thumbprints = _unique(params.get("ThumbprintList") or [])
        _check_thumbprints(thumbprints)
        _check_client_ids(client_ids)
        tags = merged_tags({}, params.get("Tags"))
        provider_arn = arn.build("iam", "", call.account_id, f"oidc-provider/{key}", call.partition)
        with self.store.transaction() as tx:
            if tx.get(call.account_scope, OidcProvider, key) is not None:
                raise already_exists(f"Provider with url {url} already exists.")
            if len(tx.list(call.account_scope, OidcProvider)) >= PROVIDERS_PER_ACCOUNT:
                raise limit_exceeded(
                    f"Cannot exceed quota for OpenIdConnectProvidersPerAccount: {PROVIDERS_PER_ACCOUNT}"
                )
            provider = OidcProvider(provider_arn, key, now_seconds(call), client_ids, thumbprints, tags)
            tx.put(call.account_scope, key, provider)
        out: dict[str, Any] = {"OpenIDConnectProviderArn": provider_arn}
        if tags:
            out["Tags"] = tag_list(tags)
        return out

    def get_open_id_connect_provider(self, call: Call, params: Params) -> Params:
        with self.store.read() as reader:
            _, provider = self.oidc_record(reader, call, params["OpenIDConnectProviderArn"])
        return oidc_output(provider)

    def list_open_id_connect_providers(self, call: Call, params: Params) -> Params:
        with self.store.read() as reader:
            providers = reader.list(call.account_scope, OidcProvider)
        return {"OpenIDConnectProviderList": [{"Arn": provider.arn} for _, provider in providers]}

    def delete_open_id_connect_provider(self, call: Call, params: Params) -> Params:
        key = provider_key(params["OpenIDConnectProviderArn"], call, "oidc-provider")
        if key:
            with self.store.transaction() as tx:
                tx.delete(call.account_scope, OidcProvider, key)
        return {}

    def add_client_id_to_open_id_connect_provider(self, call: Call, params: Params) -> Params:
        with self.store.transaction() as tx:
            key, provider = self.oidc_record(tx, call, params["OpenIDConnectProviderArn"])
            provider.client_ids = _unique([*provider.client_ids, params["ClientID"]])
            _check_client_ids(provider.client_ids)
            tx.put(call.account_scope, key, provider)
        return {}

    def remove_client_id_from_open_id_connect_provider(self, call: Call, params: Params) -> Params:
        with self.store.transaction() as tx:
            key, provider = self.oidc_record(tx, call, params["OpenIDConnectProviderArn"])
            provider.client_ids = [client for client in provider.client_ids if client != params["ClientID"]]
            tx.put(call.account_scope, key, provider)
        return {}

    def update_open_id_connect_provider_thumbprint(self, call: Call, params: Params) -> Params:
        thumbprints = _unique(params["ThumbprintList"])
        _check_thumbprints(thumbprints)
        with self.store.transaction() as tx:
            key, provider = self.oidc_record(tx, call, params["OpenIDConnectProviderArn"])
            provider.thumbprints = thumbprints
            tx.put(call.account_scope, key, provider)
        return {}

    def tag_open_id_connect_provider(self, call: Call, params: Params) -> Params:
        return self.retag(
            call,
            lambda tx: self.oidc_record(tx, call, params["OpenIDConnectProviderArn"]),
            lambda tags: merged_tags(tags, params["Tags"]),
        )

    def untag_open_id_connect_provider(self, call: Call, params: Params) -> Params:
        return self.retag(
            call,
            lambda tx: self.oidc_record(tx, call, params["OpenIDConnectProviderArn"]),
            lambda tags: without_tags(tags, params["TagKeys"]),
        )

    def list_open_id_connect_provider_tags(self, call: Call, params: Params) -> Params:
        with self.store.read() as reader:
            _, provider = self.oidc_record(reader, call, params["OpenIDConnectProviderArn"])
        return tags_page(provider.tags, params)

    # -- SAML -------------------------------------------------------------------------------------------------

    def create_saml_provider(self, call: Call, params: Params) -> Params:
        name, document = params["Name"], params["SAMLMetadataDocument"]
        _check_saml_name(name)
        _check_saml_options(call, params)
        valid_until = checked_metadata(document)
        tags = merged_tags({}, params.get("Tags"))
        created = now_seconds(call)
        provider_arn = arn.build("iam", "", call.account_id, f"saml-provider/{name}", call.partition)
        with self.store.transaction() as tx:
            if tx.get(call.account_scope, SamlProvider, name.lower()) is not None:
                raise already_exists(f"SAMLProvider {name} already exists.")
            if len(tx.list(call.account_scope, SamlProvider)) >= PROVIDERS_PER_ACCOUNT:
                raise limit_exceeded(
                    f"Cannot exceed quota for SAMLProvidersPerAccount: {PROVIDERS_PER_ACCOUNT}"
                )
            provider = SamlProvider(
                arn=provider_arn,
                name=name,
                uuid=saml_uuid(),
                metadata=document,
                create_date=created,
                valid_until=valid_until or _default_validity(created),
                assertion_encryption_mode=params.get("AssertionEncryptionMode"),
                tags=tags,
            )
            tx.put(call.account_scope, name.lower(), provider)
        out: dict[str, Any] = {"SAMLProviderArn": provider_arn}
        if tags:
            out["Tags"] = tag_list(tags)
        return out

    def get_saml_provider(self, call: Call, params: Params) -> Params:
        with self.store.read() as reader:
            _, provider = self.saml_record(reader, call, params["SAMLProviderArn"])
        return saml_output(provider)

    def update_saml_provider(self, call: Call, params: Params) -> Params:
        _check_saml_options(call, params)
        document = params.get("SAMLMetadataDocument")
        valid_until = checked_metadata(document) if document is not None else None
        with self.store.transaction() as tx:
            key, provider = self.saml_record(tx, call, params["SAMLProviderArn"])
            if document is not None:
                provider.metadata = document
                provider.valid_until = valid_until or _default_validity(provider.create_date)
            if params.get("AssertionEncryptionMode") is not None:
                provider.assertion_encryption_mode = params["AssertionEncryptionMode"]
            tx.put(call.account_scope, key, provider)
        return {"SAMLProviderArn": provider.arn}

    def delete_saml_provider(self, call: Call, params: Params) -> Params:
        with self.store.transaction() as tx:
            key, _ = self.saml_record(tx, call, params["SAMLProviderArn"])
            tx.delete(call.account_scope, SamlProvider, key)
        return {}

    def list_saml_providers(self, call: Call, params: Params) -> Params:
        with self.store.read() as reader:
            providers = reader.list(call.account_scope, SamlProvider)
        listed = [
            {"Arn": provider.arn, "ValidUntil": provider.valid_until, "CreateDate": provider.create_date}
            for _, provider in providers
        ]
        return {"SAMLProviderList": listed}

    def tag_saml_provider(self, call: Call, params: Params) -> Params:
        return self.retag(
            call,
            lambda tx: self.saml_record(tx, call, params["SAMLProviderArn"]),
            lambda tags: merged_tags(tags, params["Tags"]),
        )

    def untag_saml_provider(self, call: Call, params: Params) -> Params:
        return self.retag(
            call,
            lambda tx: self.saml_record(tx, call, params["SAMLProviderArn"]),
            lambda tags: without_tags(tags, params["TagKeys"]),
        )

    def list_saml_provider_tags(self, call: Call, params: Params) -> Params:
        with self.store.read() as reader:
            _, provider = self.saml_record(reader, call, params["SAMLProviderArn"])
        return tags_page(provider.tags, params)


def _check_oidc_options(call: Call, params: Params) -> None:
    for member in ("ContextProvider", "IdentityCenterInstanceArn"):
        if params.get(member) is not None:
            raise not_implemented("iam", f"{call.operation} with {member}")
