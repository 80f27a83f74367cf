"""Reading a simulator request: policy documents, typed context entries, actions, resources and accounts.

Everything a client can get wrong answers AWS's `InvalidInput` (or `MalformedPolicyDocument` for a policy
that does not parse) before anything is evaluated; nothing unreadable reaches the engine.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from shieldwall.errors import AwsError
from shieldwall.policy.conditions.values import (
    parse_address,
    parse_binary,
    parse_bool,
    parse_date,
    parse_number,
)
from shieldwall.policy.document import Policy, PolicyError, parse_policy
from shieldwall.policy.positions import statement_spans
from shieldwall.services.iam.common import invalid_input
from shieldwall.services.iam.simulation import SourcePolicy

_ACTION = re.compile(r"[A-Za-z0-9-]+:[A-Za-z0-9_-]+")
_ACCOUNT = re.compile(r"\d{12}")
_ACCOUNT_ARN = re.compile(r"arn:[a-z-]+:iam::(\d{12}):root")
_CALLER = re.compile(r"arn:[a-z-]+:iam::(\d{12}):(user|group|role)/(?:[\x21-\x7e]*/)?([\w+=,.@-]+)")

MAX_RESOURCES = 1_000  # bounds the work of one request (every action is evaluated on every resource)

# ContextKeyType → the reader its values must satisfy (None: any text); "...List" types take several values.
_READERS: dict[str, Callable[[str], object] | None] = {
    "string": None,
    "numeric": parse_number,
    "boolean": parse_bool,
    "ip": parse_address,
    "binary": parse_binary,
    "date": parse_date,
}

# ResourceHandlingOption → the EC2 resource types its scenario needs (API reference, SimulateCustomPolicy).
SCENARIOS: dict[str, tuple[str, ...]] = {
    "EC2-VPC-InstanceStore": ("instance", "image", "security-group", "network-interface"),
    "EC2-VPC-InstanceStore-Subnet": ("instance", "image", "security-group", "network-interface", "subnet"),
    "EC2-VPC-EBS": ("instance", "image", "security-group", "network-interface", "volume"),
    "EC2-VPC-EBS-Subnet": ("instance", "image", "security-group", "network-interface", "subnet", "volume"),
}


def malformed_policy(source_id: str, problems: list[str]) -> AwsError:
    return AwsError("MalformedPolicyDocument", f"{source_id}: {'; '.join(problems)}", 400)


def source_policy(text: str, kind: str, source_id: str, source_type: str, **extra: Any) -> SourcePolicy:
    """Parse one document given as input, named by its SourcePolicyId; MalformedPolicyDocument if it fails."""
    policy = compile_input(text, kind, source_id)
    return SourcePolicy(source_id, source_type, policy, statement_spans(text), **extra)


def compile_input(text: str, kind: str, source_id: str) -> Policy:
    try:
        return parse_policy(text, kind, name=source_id)
    except PolicyError as error:
        raise malformed_policy(source_id, error.problems) from None


def input_list(texts: Iterable[str] | None, member: str, kind: str = "identity") -> tuple[SourcePolicy, ...]:
    """`PolicyInputList.1`, `PolicyInputList.2` ...: the documents of one list member, numbered from 1."""
    return tuple(
        source_policy(text, kind, f"{member}.{number}", "none") for number, text in enumerate(texts or (), 1)
    )


def boundary_input(texts: list[str] | None) -> SourcePolicy | None:
    if not texts:
        return None
    if len(texts) > 1:
        raise invalid_input(
            "You can input only one permissions boundary (PermissionsBoundaryPolicyInputList)."
        )
    return input_list(texts, "PermissionsBoundaryPolicyInputList", "boundary")[0]


def scp_levels(levels: list[dict[str, Any]] | None) -> tuple[tuple[Policy, ...], ...]:
    """OrderedOrganizationPolicyInputList: one tuple of SCPs per level, organization root first."""
    return tuple(
        tuple(
            compile_input(text, "scp", f"OrderedOrganizationPolicyInputList.{level}.{number}")
            for number, text in enumerate(entry.get("ServiceControlPolicyInputList") or (), 1)
        )
        for level, entry in enumerate(levels or (), 1)
    )


def context_from(entries: list[dict[str, Any]] | None) -> dict[str, tuple[str, ...]]:
    """ContextEntries as the engine reads a request context: lower-cased keys, values checked by their type."""
    context: dict[str, tuple[str, ...]] = {}
    for entry in entries or ():
        name = entry.get("ContextKeyName")
        if not name:
            raise invalid_input("Each context entry needs a ContextKeyName.")
        values = [str(value) for value in entry.get("ContextKeyValues") or ()]
        context[name.lower()] = typed_values(name, entry.get("ContextKeyType"), values)
    return context


def typed_values(name: str, key_type: str | None, values: list[str]) -> tuple[str, ...]:
    base = (key_type or ("string" if len(values) == 1 else "stringList")).removesuffix("List")
    if base not in _READERS:
        raise invalid_input(f"Invalid ContextKeyType `{key_type}` for context key {name}.")
    if key_type == base and len(values) != 1:
        raise invalid_input(f"Context key {name} of type {key_type} takes exactly one value.")
    reader = _READERS[base]
    for value in values:
        try:
            if reader is not None:
                reader(value)
        except ValueError:
            raise invalid_input(
                f"Invalid value `{value}` for context key {name} of type {key_type}."
            ) from None
    return tuple(value.lower() for value in values) if base == "boolean" else tuple(values)


def check_actions(actions: list[str]) -> list[str]:
    for action in actions:
        if not _ACTION.fullmatch(action):
            raise invalid_input(f"Invalid action name `{action}`: use service:Action, without wildcards.")
    return actions


def check_resources(resources: list[str] | None, option: str | None) -> list[str]:
    chosen = resources or ["*"]
    if len(chosen) > MAX_RESOURCES:
        raise invalid_input(f"A simulation takes at most {MAX_RESOURCES} ResourceArns.")
    for resource in chosen:
        if resource != "*" and not (resource.startswith("arn:") and resource.count(":") >= 5):
            raise invalid_input(f"Invalid resource ARN `{resource}`.")
    if option is not None:
        check_scenario(option, chosen)
    return chosen


def check_scenario(option: str, resources: list[str]) -> None:
    needed = SCENARIOS.get(option)
    if needed is None:
        raise invalid_input(f"Invalid ResourceHandlingOption `{option}`: use one of {', '.join(SCENARIOS)}.")
    present = {_ec2_type(resource) for resource in resources}
    missing = [kind for kind in needed if kind not in present]
    if missing:
        raise invalid_input(
            f"ResourceHandlingOption {option} requires resources of type: {', '.join(missing)}."
        )


def _ec2_type(resource: str) -> str:
    parts = resource.split(":", 5)
    if len(parts) < 6 or parts[2] != "ec2":
        return ""
    return parts[5].split("/", 1)[0]


def owner_account(owner: str | None, default: str) -> str:
    """ResourceOwner as an account id: `arn:aws:iam::123456789012:root` or the bare id."""
    if owner is None:
        return default
    match = _ACCOUNT_ARN.fullmatch(owner)
    if match:
        return match.group(1)
    if _ACCOUNT.fullmatch(owner):
        return owner
    raise invalid_input(f"Invalid ResourceOwner `{owner}`: use arn:aws:iam::<account id>:root.")


def caller_parts(caller_arn: str, kinds: tuple[str, ...]) -> tuple[str, str]:
    """(account, kind) of a CallerArn naming an IAM identity of one of `kinds`; InvalidInput otherwise."""
    match = _CALLER.fullmatch(caller_arn)
    if match is None or match.group(2) not in kinds:
        raise invalid_input(f"Invalid CallerArn: {caller_arn}")
    return match.group(1), match.group(2)
