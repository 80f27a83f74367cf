"""AWS's policy grammar and size limits, every problem collected at once.

`check_size` and `load_json` look at the raw text; `check_document` walks the parsed JSON. Problems are short
sentences (lowercase, user input in backticks) naming the statement they concern, so an API can join them into
one `MalformedPolicyDocument` message.

Limits (IAM and Organizations quotas pages): IAM does not count white space, so its limits apply to the text
without it; Organizations and STS count the document as sent.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import orjson

from shieldwall.policy.conditions import ConditionError, compile_condition

KINDS = ("identity", "resource", "trust", "boundary", "session", "scp", "rcp")
VERSIONS = ("2012-10-17", "2008-10-17")

SIZE_LIMITS = {
    "identity": 6_144,  # customer managed policy
    "boundary": 6_144,  # a boundary is a managed policy
    "trust": 2_048,  # role trust policy, default quota (adjustable to 8,192)
    "resource": 20_480,  # S3 bucket policy, Secrets Manager, SQS; callers pass their service's own limit
    "scp": 5_120,
    "rcp": 5_120,
    "session": 2_048,  # plaintext of inline plus managed session policies
}
INLINE_LIMITS = {"user": 2_048, "role": 10_240, "group": 5_120}  # aggregate of a principal's inline policies
_WHITESPACE_FREE = frozenset({"identity", "boundary", "trust"})
HARD_LIMIT = 131_072  # never parse more than this, whatever a caller's limit says
MAX_DEPTH = 64

_STATEMENT_KEYS = frozenset(
    {
        "Sid",
        "Effect",
        "Action",
        "NotAction",
        "Resource",
        "NotResource",
        "Principal",
        "NotPrincipal",
        "Condition",
    }
)
_TOP_KEYS = frozenset({"Version", "Id", "Statement"})
_PRINCIPAL_KEYS = frozenset({"AWS", "Service", "Federated", "CanonicalUser"})
_NO_PRINCIPAL = frozenset({"identity", "boundary", "session", "scp"})
_NEEDS_PRINCIPAL = frozenset({"resource", "trust", "rcp"})
_IAM_KINDS = frozenset({"identity", "boundary", "session", "trust", "scp", "rcp"})

_SID = re.compile(r"[A-Za-z0-9]*")
_ACTION = re.compile(r"[A-Za-z0-9-]+:[A-Za-z0-9*?_-]+")
_ACCOUNT = re.compile(r"\d{12}")
_PRINCIPAL_ARN = re.compile(
    r"arn:[a-z-]+:(?:iam::\d{12}:(?:root|user/.+|role/.+)|sts::\d{12}:(?:assumed-role/.+/.+|federated-user/.+))"
)
_SERVICE = re.compile(r"[a-z0-9.-]+")
_CANONICAL = re.compile(r"[0-9a-f]{64}")
_WHITESPACE = re.compile(r"\s")


def policy_size(text: str, kind: str) -> int:
    return len(_WHITESPACE.sub("", text)) if kind in _WHITESPACE_FREE else len(text)


def check_size(text: str, kind: str, limit: int | None) -> list[str]:
    maximum = SIZE_LIMITS[kind] if limit is None else limit
    if len(text) > HARD_LIMIT:
        return [f"policy document is {len(text)} characters: the maximum is {maximum}"]
    size = policy_size(text, kind)
    if size > maximum:
        return [f"policy document is {size} characters: the maximum for {kind} policies is {maximum}"]
    return []


def load_json(text: str | bytes) -> tuple[Any, list[str]]:
    if len(text) > HARD_LIMIT:
        return None, []
    try:
        document = orjson.loads(text)
    except orjson.JSONDecodeError as error:
        return None, [f"policy document is not valid JSON: {_first_line(str(error))}"]
    if _too_deep(document):
        return None, [f"policy document nests deeper than {MAX_DEPTH} levels"]
    return document, []


def _first_line(message: str) -> str:
    return message.splitlines()[0] if message else "unreadable"


def _too_deep(document: Any) -> bool:
    stack: list[tuple[Any, int]] = [(document, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            return True
        if isinstance(node, dict):
            stack.extend((child, depth + 1) for child in node.values())
        elif isinstance(node, list):
            stack.extend((child, depth + 1) for child in node)
    return False


def check_document(document: Any, kind: str) -> list[str]:
    if not isinstance(document, dict):
        return ["policy document must be a JSON object"]
    problems = [f"unknown policy element `{key}`" for key in document if key not in _TOP_KEYS]
    version = document.get("Version")
    if version is not None and version not in VERSIONS:
        problems.append(f"Version must be one of {', '.join(VERSIONS)}, not `{version}`")
    if "Id" in document and not isinstance(document["Id"], str):
        problems.append("Id must be a string")
    statements = document.get("Statement")
    if isinstance(statements, dict):
        statements = [statements]
    if not isinstance(statements, list) or not statements:
        return [*problems, "Statement must be an object or a non-empty list of objects"]
    problems.extend(_check_sids(statements, kind))
    for index, statement in enumerate(statements):
        problems.extend(f"statement {index}: {problem}" for problem in check_statement(statement, kind))
    return problems


def _check_sids(statements: list[Any], kind: str) -> list[str]:
    problems: list[str] = []
    seen: set[str] = set()
    for index, statement in enumerate(statements):
        sid = statement.get("Sid") if isinstance(statement, dict) else None
        if sid is None:
            continue
        if not isinstance(sid, str):
            problems.append(f"statement {index}: Sid must be a string")
        elif kind in _IAM_KINDS and not _SID.fullmatch(sid):
            problems.append(f"statement {index}: Sid `{sid}` may hold only letters and digits")
        elif sid and sid in seen:
            problems.append(f"statement {index}: Sid `{sid}` is already used: Sids must be unique")
        if isinstance(sid, str):
            seen.add(sid)
    return problems


def check_statement(statement: Any, kind: str) -> list[str]:
    if not isinstance(statement, dict):
        return ["a statement must be a JSON object"]
    problems = [f"unknown element `{key}`" for key in statement if key not in _STATEMENT_KEYS]
    effect = statement.get("Effect")
    if effect not in ("Allow", "Deny"):
        problems.append(
            f"Effect must be `Allow` or `Deny`, not `{effect}`" if effect else "Effect is missing"
        )
    problems.extend(_check_pair(statement, "Action", _check_actions, required=True))
    if kind == "trust":
        problems.extend(
            f"{key} is not allowed in trust policies"
            for key in ("Resource", "NotResource")
            if key in statement
        )
    else:
        problems.extend(_check_pair(statement, "Resource", _check_resources, required=True))
    problems.extend(_check_principal_rules(statement, kind))
    if "Condition" in statement:
        problems.extend(check_condition_block(statement["Condition"]))
    return problems


def _check_pair(
    statement: dict[str, Any], name: str, check: Callable[[str, Any], list[str]], required: bool
) -> list[str]:
    negated = f"Not{name}"
    if name in statement and negated in statement:
        return [f"{name} and {negated} cannot both be present"]
    present = name if name in statement else negated if negated in statement else None
    if present is None:
        return [f"one of {name} or {negated} is required"] if required else []
    return check(present, statement[present])


def string_list(value: Any) -> list[str] | None:
    """A policy element's value as a list of strings (a single string counts as one), None if malformed."""
    values = [value] if isinstance(value, str) else value
    if not isinstance(values, list) or not values or not all(isinstance(item, str) for item in values):
        return None
    return values


def _check_each(name: str, value: Any, valid: Callable[[str], bool], expected: str) -> list[str]:
    items = string_list(value)
    if items is None:
        return [f"{name} must be a string or a non-empty list of strings"]
    return [f"{name} `{item}` must be {expected}" for item in items if not valid(item)]


def _check_actions(name: str, value: Any) -> list[str]:
    return _check_each(name, value, _valid_action, "`*` or `service:action`")


def _valid_action(action: str) -> bool:
    return action == "*" or _ACTION.fullmatch(action) is not None


def _check_resources(name: str, value: Any) -> list[str]:
    return _check_each(name, value, _valid_resource, "`*` or an ARN")


def _valid_resource(resource: str) -> bool:
    return resource == "*" or (resource.startswith("arn:") and resource.count(":") >= 2)


def _check_principal_rules(statement: dict[str, Any], kind: str) -> list[str]:
    present = [key for key in ("Principal", "NotPrincipal") if key in statement]
    if kind in _NO_PRINCIPAL:
        return [f"{key} is not allowed in {kind} policies" for key in present]
    if len(present) == 2:
        return ["Principal and NotPrincipal cannot both be present"]
    if not present:
        return ["one of Principal or NotPrincipal is required"] if kind in _NEEDS_PRINCIPAL else []
    key = present[0]
    if kind == "rcp" and (key != "Principal" or statement[key] != "*"):
        return ['a resource control policy supports only `"Principal": "*"`']
    return check_principal(key, statement[key])


def check_principal(name: str, value: Any) -> list[str]:
    if value == "*":
        return []
    if not isinstance(value, dict) or not value:
        return [f"{name} must be `*` or an object of AWS, Service, Federated or CanonicalUser"]
    problems: list[str] = []
    for key, entry in value.items():
        values = string_list(entry)
        if key not in _PRINCIPAL_KEYS:
            problems.append(f"{name} has unknown principal type `{key}`")
        elif values is None:
            problems.append(f"{name} {key} must be a string or a non-empty list of strings")
        else:
            problems.extend(
                f"{name} {key}: invalid principal `{item}`"
                for item in values
                if not _valid_principal(key, item)
            )
    return problems


def _valid_principal(key: str, value: str) -> bool:
    if key == "AWS":
        return value == "*" or bool(_ACCOUNT.fullmatch(value)) or _valid_principal_arn(value)
    if key == "CanonicalUser":
        return bool(_CANONICAL.fullmatch(value))
    if key == "Federated":
        return bool(_SERVICE.fullmatch(value)) or (value.startswith("arn:") and "*" not in value)
    return bool(_SERVICE.fullmatch(value))


def _valid_principal_arn(value: str) -> bool:
    """Wildcards cannot name part of a principal (AWS rejects `arn:aws:iam::123456789012:user/*`)."""
    return "*" not in value and "?" not in value and _PRINCIPAL_ARN.fullmatch(value) is not None


def check_condition_block(block: Any) -> list[str]:
    if not isinstance(block, dict):
        return ["Condition must be an object of operators"]
    problems: list[str] = []
    for operator, keys in block.items():
        if not isinstance(keys, dict) or not keys:
            problems.append(f"Condition operator `{operator}` must map to an object of condition keys")
            continue
        for key, values in keys.items():
            problems.extend(_check_condition(operator, key, values))
    return problems


def _check_condition(operator: str, key: str, values: Any) -> list[str]:
    listed = values if isinstance(values, list) else [values]
    if not all(isinstance(value, str | int | float | bool) for value in listed):
        return [f"Condition `{operator}` `{key}`: values must be strings, numbers or booleans"]
    try:
        compile_condition(operator, key, listed)
    except ConditionError as error:
        return [f"Condition `{operator}` `{key}`: {error}"]
    return []
