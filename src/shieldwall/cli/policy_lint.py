"""Lint findings for a policy that parses: things AWS accepts but a reviewer would question.

- an action whose service prefix is a known signing name of a botocore model but whose name no model of that
  prefix has. IAM action names mostly equal API operation names, not always (`iam:PassRole`, `s3:ListBucket`,
  `lambda:InvokeFunction`, `apigateway:GET`), so only clear misses are reported: prefixes whose permission
  names depart wholesale from their operations are skipped, and documented permission-only actions are known;
- a global condition key (`aws:...`) that AWS does not document;
- wildcards that grant too much: `"Action": "*"` on `"Resource": "*"`, `service:*`, `Allow` with `NotAction`;
- no `Version` (the document is then read as 2008-10-17), and `${...}` in a 2008-10-17 document, where it is
  literal text rather than a policy variable.
"""

from __future__ import annotations

import functools
import gzip
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import botocore
import botocore.loaders

from shieldwall.policy.context_keys import variables_in
from shieldwall.policy.document import Policy, Statement

_SIGNING = re.compile(rb'"signingName"\s*:\s*"([^"]+)"')
_ENDPOINT = re.compile(rb'"endpointPrefix"\s*:\s*"([^"]+)"')
_HEAD = 4096

# Prefixes whose IAM permissions are not API operation names (S3's permission set, API Gateway's HTTP verbs).
_SKIPPED_PREFIXES = frozenset({"s3", "apigateway", "execute-api", "s3-object-lambda", "s3express"})
# Documented permission-only actions of prefixes that are checked.
_PERMISSION_ONLY = {
    "iam": {"passrole"},
    "sts": {"tagsession", "setsourceidentity", "setcontext"},
    "lambda": {"invokefunction", "invokefunctionurl"},
    "kms": {"reencryptfrom", "reencryptto"},
    "dynamodb": {
        "conditioncheckitem",
        "partiqlselect",
        "partiqlinsert",
        "partiqlupdate",
        "partiqldelete",
    },
}

GLOBAL_KEYS = frozenset(
    key.lower()
    for key in [
        "aws:CalledVia",
        "aws:CalledViaFirst",
        "aws:CalledViaLast",
        "aws:CurrentTime",
        "aws:EpochTime",
        "aws:FederatedProvider",
        "aws:MultiFactorAuthAge",
        "aws:MultiFactorAuthPresent",
        "aws:PrincipalAccount",
        "aws:PrincipalArn",
        "aws:PrincipalIsAWSService",
        "aws:PrincipalOrgID",
        "aws:PrincipalOrgPaths",
        "aws:PrincipalServiceName",
        "aws:PrincipalServiceNamesList",
        "aws:PrincipalType",
        "aws:Referer",
        "aws:RequestedRegion",
        "aws:ResourceAccount",
        "aws:ResourceOrgID",
        "aws:ResourceOrgPaths",
        "aws:SecureTransport",
        "aws:SourceAccount",
        "aws:SourceArn",
        "aws:SourceIdentity",
        "aws:SourceIp",
        "aws:SourceOrgID",
        "aws:SourceOrgPaths",
        "aws:SourceVpc",
        "aws:SourceVpce",
        "aws:SourceVpcArn",
        "aws:TagKeys",
        "aws:TokenIssueTime",
        "aws:UserAgent",
        "aws:userid",
        "aws:username",
        "aws:ViaAWSService",
        "aws:VpcSourceIp",
        "aws:Ec2InstanceSourceVpc",
        "aws:Ec2InstanceSourcePrivateIPv4",
        "aws:AssumedRoot",
        "aws:VpceAccount",
        "aws:VpceOrgID",
        "aws:VpceOrgPaths",
        "aws:ChatbotSourceArn",
    ]
)
GLOBAL_KEY_PREFIXES = ("aws:requesttag/", "aws:resourcetag/", "aws:principaltag/")


@dataclass(frozen=True, slots=True)
class Finding:
    statement: str  # "statement 2 (`AllowS3`)" or "" for the document
    message: str

    def render(self) -> str:
        return f"{self.statement}: {self.message}" if self.statement else self.message


def lint(document: dict[str, Any], policy: Policy) -> list[Finding]:
    findings = [Finding("", message) for message in _version_findings(document, policy)]
    for statement in policy.statements:
        where = f"statement {statement.index}" + (f" (`{statement.sid}`)" if statement.sid else "")
        findings.extend(Finding(where, message) for message in statement_findings(statement))
    return findings


def _version_findings(document: dict[str, Any], policy: Policy) -> list[str]:
    findings = []
    if "Version" not in document:
        findings.append('Version is missing: the document is read as "2008-10-17", without policy variables')
    texts = [p.text for s in policy.statements for p in s.resources or ()]
    texts.extend(value for s in policy.statements for c in s.conditions for value in c.values)
    if not policy.variables and variables_in(texts):
        findings.append(
            '`${...}` is literal text in Version "2008-10-17": use "2012-10-17" for policy variables'
        )
    return findings


def statement_findings(statement: Statement) -> list[str]:
    findings: list[str] = []
    allow = statement.effect == "Allow"
    if allow and statement.not_action:
        findings.append("Allow with NotAction grants every action it does not list, including future ones")
    if allow and not statement.not_action:
        findings.extend(_broad_actions(statement))
    findings.extend(unknown_actions(statement))
    findings.extend(
        f"condition key `{c.key}` is not a documented global condition key"
        for c in statement.conditions
        if not known_global_key(c.key)
    )
    return findings


def _broad_actions(statement: Statement) -> list[str]:
    everything = statement.resources is None or (
        not statement.not_resource and any(p.text == "*" for p in statement.resources)
    )
    out: list[str] = []
    for action in statement.actions:
        if action.text == "*" and everything:
            out.append('`"Action": "*"` with `"Resource": "*"` grants every action on every resource')
        elif action.text.endswith(":*"):
            out.append(f"`{action.text}` grants every action of `{action.text[:-2]}`")
    return out


def known_global_key(key: str) -> bool:
    lowered = key.lower()
    if not lowered.startswith("aws:"):
        return True  # service keys need the Service Authorization Reference: not judged here
    return lowered in GLOBAL_KEYS or lowered.startswith(GLOBAL_KEY_PREFIXES)


def unknown_actions(statement: Statement) -> list[str]:
    out = []
    for action in statement.actions:
        prefix, _, name = action.text.lower().partition(":")
        if not name or "*" in name or "?" in name or prefix in _SKIPPED_PREFIXES:
            continue
        operations = operations_of(prefix)
        if operations and name not in operations and name not in _PERMISSION_ONLY.get(prefix, ()):
            out.append(f"action `{action.text}` is unknown to the service model of `{prefix}`")
    return out


@functools.cache
def operations_of(prefix: str) -> frozenset[str]:
    """Lower-cased operation names of every botocore model signing as `prefix` (empty: unknown prefix)."""
    loader = botocore.loaders.Loader()
    names: set[str] = set()
    for service in _prefix_index().get(prefix, ()):
        model = loader.load_service_model(service, "service-2")
        names.update(operation.lower() for operation in model["operations"])
    return frozenset(names)


@functools.cache
def _prefix_index() -> dict[str, tuple[str, ...]]:
    """Signing name (else endpoint prefix) → botocore service names, read from each model's first bytes."""
    index: dict[str, list[str]] = {}
    root = Path(botocore.__file__).parent / "data"
    for service_dir in sorted(root.iterdir()):
        model = _latest_model(service_dir)
        if model is None:
            continue
        head = _head(model)
        match = _SIGNING.search(head) or _ENDPOINT.search(head)
        if match:
            index.setdefault(match.group(1).decode(), []).append(service_dir.name)
    return {prefix: tuple(services) for prefix, services in index.items()}


def _latest_model(service_dir: Path) -> Path | None:
    if not service_dir.is_dir():
        return None
    versions = sorted(p for p in service_dir.iterdir() if p.is_dir())
    for version in reversed(versions):
        for name in ("service-2.json", "service-2.json.gz"):
            if (version / name).exists():
                return version / name
    return None


def _head(path: Path) -> bytes:
    if path.suffix == ".gz":
        with gzip.open(path) as stream:
            return stream.read(_HEAD)
    with path.open("rb") as stream:
        return stream.read(_HEAD)
