"""AssumeRoleWithWebIdentity and AssumeRoleWithSAML: a verified token or assertion, then the role's trust policy.

Both operations are unsigned: the caller is the identity provider's user, known only once the token's signature
(`web_identity`) or the assertion's (`saml_assertion`) is verified against what IAM stores for the provider. The
trust policy is then judged by the same engine as AssumeRole's, with the provider as the principal
(`Principal: {"Federated": ...}`) and the token's claims as condition keys, and it must allow: a denial answers
AWS's "Not authorized to perform sts:AssumeRoleWith..." with no hint of why (the explanation names it).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping, Sequence
from typing import Any

from shieldwall.auth.principal import ANONYMOUS
from shieldwall.errors import AwsError
from shieldwall.policy.authorizer import PolicySet, decide
from shieldwall.policy.context import Values, request_keys
from shieldwall.policy.request import AuthzRequest
from shieldwall.services.base import Call
from shieldwall.services.iam.models import Role
from shieldwall.services.iam.records import OidcProvider, SamlProvider
from shieldwall.services.iam.saml_metadata import MetadataError, SamlMetadata, parse_metadata
from shieldwall.services.sts.roles import trust_policy
from shieldwall.services.sts.sessions import SessionOptions, session_options
from shieldwall.services.sts.web_identity import OidcProviderView
from shieldwall.store.base import Reader, Scope

log = logging.getLogger("shieldwall.sts")

TAGS_CLAIM = "https://aws.amazon.com/tags"
SOURCE_IDENTITY_CLAIM = "https://aws.amazon.com/source_identity"  # unconfirmed: the claim AWS reads it from

_metadata_lock = threading.Lock()
_metadata: dict[tuple[str, str], SamlMetadata] = {}


def not_authorized(action: str) -> AwsError:
    return AwsError("AccessDenied", f"Not authorized to perform {action}", 403)


def oidc_provider(reader: Reader, role: Role, issuer_url: str) -> OidcProviderView | None:
    """The IAM OIDC provider of the role's account whose URL is the token's issuer."""
    account = role.arn.split(":")[4]
    partition = role.arn.split(":")[1]
    record = reader.get(Scope(partition, account), OidcProvider, issuer_url)
    if record is None:
        record = reader.get(Scope(partition, account), OidcProvider, issuer_url.lower())
    if record is None:
        return None
    return OidcProviderView(record.arn, record.url, tuple(record.client_ids), tuple(record.thumbprints))


def saml_provider(reader: Reader, role: Role, provider_arn: str) -> tuple[SamlProvider, SamlMetadata] | None:
    """The IAM SAML provider `provider_arn` (in the role's account) and its parsed metadata."""
    parts = provider_arn.split(":", 5)
    if len(parts) != 6 or parts[2] != "iam" or not parts[5].startswith("saml-provider/"):
        return None
    if parts[4] != role.arn.split(":")[4]:
        return None
    record = reader.get(Scope(parts[1], parts[4]), SamlProvider, parts[5].split("/", 1)[1].lower())
    if record is None or record.arn != provider_arn:
        return None
    key = (record.arn, record.metadata)
    found = _metadata.get(key)
    if found is None:
        try:
            found = parse_metadata(record.metadata)
        except MetadataError:
            log.error("the stored metadata of %s no longer parses", record.arn)
            return None
        with _metadata_lock:
            if len(_metadata) >= 1024:
                _metadata.clear()
            _metadata[key] = found
    return record, found


def tag_claims(claims: Mapping[str, Any]) -> tuple[list[dict[str, str]], list[str]]:
    """Session tags from the `https://aws.amazon.com/tags` claim: `principal_tags` (key → [value]) and
    `transitive_tag_keys`."""
    block = claims.get(TAGS_CLAIM)
    if not isinstance(block, Mapping):
        return [], []
    tags: list[dict[str, str]] = []
    principal_tags = block.get("principal_tags")
    if isinstance(principal_tags, Mapping):
        for key, values in principal_tags.items():
            value = values[0] if isinstance(values, list) and values else values
            if isinstance(key, str) and isinstance(value, str):
                tags.append({"Key": key, "Value": value})
    transitive = block.get("transitive_tag_keys")
    keys = [key for key in transitive if isinstance(key, str)] if isinstance(transitive, list) else []
    return tags, keys


def federated_options(
    params: Mapping[str, Any],
    tags: Sequence[Mapping[str, str]],
    transitive: Sequence[str],
    source_identity: str | None,
) -> SessionOptions:
    """The session's policies (from the request) and tags and source identity (from the token or assertion)."""
    merged: dict[str, Any] = {
        key: value for key, value in params.items() if key in ("Policy", "PolicyArns", "DurationSeconds")
    }
    if tags:
        merged["Tags"] = list(tags)
    if transitive:
        merged["TransitiveTagKeys"] = list(transitive)
    if source_identity is not None:
        merged["SourceIdentity"] = source_identity
    return session_options(merged, ANONYMOUS)


def judge_trust(
    call: Call,
    role: Role,
    federated: str,
    action: str,
    claims: Mapping[str, Values],
    session_name: str,
    options: SessionOptions,
) -> None:
    """The role's trust policy must allow `federated` (the provider's ARN, or a well-known provider name) every
    permission the request needs; else AWS's AccessDenied."""
    account = role.arn.split(":")[4]
    context: dict[str, Values] = {key.lower(): values for key, values in claims.items()}
    context.update(request_keys(received_at=call.now(), source_ip="", region=call.region, user_agent=None))
    context.pop("aws:sourceip", None)
    context["sts:rolesessionname"] = (session_name,)
    context["aws:federatedprovider"] = (federated,)
    actions = [action]
    if options.tags:
        context.update({f"aws:requesttag/{key.lower()}": (value,) for key, value in options.tags})
        context["aws:tagkeys"] = tuple(key for key, _ in options.tags)
        actions.append("sts:TagSession")
    if options.transitive_tag_keys:
        context["sts:transitivetagkeys"] = options.transitive_tag_keys
    if options.source_identity is not None:
        context["sts:sourceidentity"] = (options.source_identity,)
        actions.append("sts:SetSourceIdentity")
    policies = PolicySet(resource=trust_policy(role), resource_required=True)
    for needed in actions:
        request = AuthzRequest(federated, account, needed, role.arn, account, context)
        decision = decide(request, policies)
        if not decision.allowed:
            log.info("%s denied for %s on %s: %s", needed, federated, role.arn, decision.reason)
            raise not_authorized(action)
