"""The parts of a CloudTrail event that a request's principal alone cannot give: the federated identity of an
unsigned AssumeRoleWith* call, and the `resources` a call touched."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from shieldwall.memo import short_values_cached

# (service, resource type in the ARN) → CloudTrail's resource type
_RESOURCE_TYPES = {
    ("iam", "role"): "AWS::IAM::Role",
    ("iam", "user"): "AWS::IAM::User",
    ("iam", "group"): "AWS::IAM::Group",
    ("iam", "policy"): "AWS::IAM::Policy",
    ("kms", "key"): "AWS::KMS::Key",
    ("kms", "alias"): "AWS::KMS::Alias",
    ("secretsmanager", "secret"): "AWS::SecretsManager::Secret",
    ("ssm", "parameter"): "AWS::SSM::Parameter",
    ("sts", "federated-user"): "AWS::STS::FederatedUser",
}


def federated_identity(operation: str, output: Mapping[str, Any] | None) -> dict[str, str] | None:
    """CloudTrail's `WebIdentityUser` / `SAMLUser` identity of a successful AssumeRoleWithWebIdentity/SAML."""
    if output is None:
        return None
    if operation == "AssumeRoleWithWebIdentity":
        provider = str(output.get("Provider", "")).removeprefix("https://")
        subject = str(output.get("SubjectFromWebIdentityToken", ""))
        return {
            "type": "WebIdentityUser",
            "principalId": f"{provider}:{output.get('Audience', '')}:{subject}",
            "userName": subject,
            "identityProvider": provider,
        }
    if operation == "AssumeRoleWithSAML":
        qualifier, subject = str(output.get("NameQualifier", "")), str(output.get("Subject", ""))
        return {
            "type": "SAMLUser",
            "principalId": f"{qualifier}:{subject}",
            "userName": subject,
            "identityProvider": qualifier,
        }
    return None


def resources_of(arns: Iterable[str]) -> list[dict[str, str]]:
    """CloudTrail `resources` entries for the ARNs a call was authorized on (each once, `*` skipped)."""
    entries: list[dict[str, str]] = []
    seen: set[str] = set()
    for arn in arns:
        if arn in seen:
            continue
        seen.add(arn)
        entry = _entry(arn)
        if entry is not None:
            entries.append(dict(entry))
    return entries


@short_values_cached(512, maxsize=4096)
def _entry(arn: str) -> tuple[tuple[str, str], ...] | None:
    """An ARN's entry, as pairs (the same few ARNs come again and again); None for what is no ARN."""
    parts = arn.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn":
        return None
    kind = parts[5].split("/", 1)[0].split(":", 1)[0]
    resource_type = _RESOURCE_TYPES.get((parts[2], kind))
    entry = (("ARN", arn), ("accountId", parts[4]))
    return entry if resource_type is None else (*entry, ("type", resource_type))
