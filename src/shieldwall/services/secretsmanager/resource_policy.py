"""A secret's resource-based policy: checked and compiled once when written, judged as a resource policy.

Secrets are judged as S3 buckets are: within the account, an identity-based policy or the secret's policy may
allow; from another account both must. The compiled policy is kept per (secret ARN, text); a stored policy that
no longer compiles (the grammar tightened) compiles to one that allows nothing: fail closed.

"Broad access" (BlockPublicPolicy, ValidateResourcePolicy) is what AWS's automated reasoning flags: an Allow
statement whose principal is everyone (`*`, `{"AWS": "*"}`, or any NotPrincipal) and whose conditions do not
pin the caller to known accounts, organizations, principals, networks or source resources.
"""

from __future__ import annotations

import threading
from typing import Any

import orjson

from shieldwall.policy.authorizer import PolicySet, decide
from shieldwall.policy.context import principal_keys
from shieldwall.policy.document import Policy, PolicyError, compile_document, parse_policy
from shieldwall.policy.request import AuthzRequest
from shieldwall.services.base import Call
from shieldwall.services.secretsmanager import errors
from shieldwall.services.secretsmanager.models import Secret

SIZE_LIMIT = 20_480
_CACHE_LIMIT = 4096
_lock = threading.Lock()
_compiled: dict[tuple[str, str], Policy] = {}
_NOTHING = compile_document({"Version": "2012-10-17", "Statement": []}, "resource", "unusable secret policy")
_ANY_IDENTITY = compile_document(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]},
    "identity",
    "the caller's IAM policies (assumed to allow)",
)
_PINNING_KEYS = frozenset(
    {
        "aws:principalaccount",
        "aws:principalarn",
        "aws:principalorgid",
        "aws:principalorgpaths",
        "aws:userid",
        "aws:sourceaccount",
        "aws:sourcearn",
        "aws:sourceowner",
        "aws:sourceorgid",
        "aws:sourceorgpaths",
        "aws:sourceip",
        "aws:sourcevpc",
        "aws:sourcevpce",
        "kms:calleraccount",
    }
)
_PINNING_OPERATORS = frozenset(
    {"stringequals", "stringequalsignorecase", "stringlike", "arnequals", "arnlike", "ipaddress"}
)


def compiled(secret: Secret) -> Policy | None:
    """The secret's policy, compiled (the explanation names the secret, so two secrets never share an entry)."""
    if secret.policy is None:
        return None
    cache_key = (secret.arn, secret.policy)
    found = _compiled.get(cache_key)
    if found is not None:
        return found
    try:
        policy = parse_policy(secret.policy, "resource", name=_name(secret.arn), limit=SIZE_LIMIT)
    except PolicyError:
        policy = _NOTHING
    with _lock:
        if len(_compiled) >= _CACHE_LIMIT:
            _compiled.clear()
        _compiled[cache_key] = policy
    return policy


def _name(secret_arn: str) -> str:
    return f"resource policy of {secret_arn}"


def checked(text: str, secret_arn: str) -> Policy:
    """A policy a caller wrote, compiled, or MalformedPolicyDocumentException."""
    try:
        return parse_policy(text, "resource", name=_name(secret_arn), limit=SIZE_LIMIT)
    except PolicyError as error:
        raise errors.malformed_policy(
            f"This resource policy contains a syntax error: {'; '.join(error.problems)}"
        ) from None


def is_public(text: str) -> bool:
    """Whether the (already checked) policy grants broad access to the secret."""
    document = orjson.loads(text)
    statements = document["Statement"]
    return any(
        _grants_broadly(statement)
        for statement in ([statements] if isinstance(statements, dict) else statements)
    )


def _grants_broadly(statement: dict[str, Any]) -> bool:
    if statement.get("Effect") != "Allow":
        return False
    if "NotPrincipal" not in statement and not _everyone(statement.get("Principal")):
        return False
    return not _pinned(statement.get("Condition") or {})


def _everyone(principal: Any) -> bool:
    if principal == "*":
        return True
    if not isinstance(principal, dict):
        return False
    aws = principal.get("AWS", [])
    return aws == "*" or (isinstance(aws, list) and "*" in aws)


def _pinned(block: dict[str, Any]) -> bool:
    for operator, keys in block.items():
        base = operator.split(":")[-1].removesuffix("IfExists").lower()
        if base not in _PINNING_OPERATORS or not isinstance(keys, dict):
            continue
        for key, values in keys.items():
            listed = values if isinstance(values, list) else [values]
            if key.lower() in _PINNING_KEYS and listed and all(_specific(value) for value in listed):
                return True
    return False


def _specific(value: Any) -> bool:
    return isinstance(value, str) and value.strip("*?") != "" and value != "0.0.0.0/0"


def locks_out(policy: Policy, call: Call, secret_arn: str, account: str) -> bool:
    """Whether the policy would deny the caller the right to change it again (its IAM side assumed to allow)."""
    principal = call.principal
    request = AuthzRequest(
        principal.arn,
        principal.account_id,
        "secretsmanager:PutResourcePolicy",
        secret_arn,
        account,
        principal_keys(principal),
    )
    decision = decide(request, PolicySet(identity=(_ANY_IDENTITY,), resource=policy))
    return not decision.allowed
