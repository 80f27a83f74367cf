"""PutParameter's rules, as pure functions: what the request asks for, checked the way AWS checks it, and the
version it will write (`plan`).

Tiers ("Managing parameter tiers"): a standard parameter holds up to 4 KB and no policies; an advanced one up to
8 KB, with policies. Intelligent-Tiering picks advanced only when the value or the policies need it. A request
without a tier gets the default tier (standard) for a new parameter and keeps the tier of an existing one.
Standard → advanced is allowed; advanced → standard is refused. Each update that names no Description,
AllowedPattern, Policies or DataType keeps the parameter's own; one that names no KeyId encrypts a SecureString
under the default key, as AWS does.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import regex

from shieldwall.errors import AwsError
from shieldwall.services.ssm import errors, policies
from shieldwall.services.ssm.crypto import DEFAULT_KEY_ID
from shieldwall.services.ssm.models import (
    ADVANCED,
    EC2_IMAGE,
    INTELLIGENT_TIERING,
    SECURE_STRING,
    STANDARD,
    STRING,
    STRING_LIST,
    TEXT,
    Parameter,
    Policy,
)

TYPES = (STRING, STRING_LIST, SECURE_STRING)
TIERS = (STANDARD, ADVANCED, INTELLIGENT_TIERING)
DATA_TYPES = (TEXT, EC2_IMAGE)
STANDARD_LIMIT = 4096
ADVANCED_LIMIT = 8192
MAX_TAGS = 50
# A pattern is the user's: it runs with a time limit, so a catastrophic one cannot stall the server.
PATTERN_SECONDS = 0.25
_AMI = regex.compile(r"ami-(?:[0-9a-f]{8}|[0-9a-f]{17})")
_TIERS_DOC = (
    "https://docs.aws.amazon.com/systems-manager/latest/userguide/parameter-store-advanced-parameters.html"
)


@dataclass(frozen=True, slots=True)
class Plan:
    type: str
    tier: str
    data_type: str
    description: str
    allowed_pattern: str
    policies: list[Policy]
    key_id: str | None  # SecureString: the KeyId as named (DEFAULT_KEY_ID when none is)


def check_request(params: dict[str, Any]) -> None:
    """What AWS refuses whatever is stored."""
    if params.get("Tags") and params.get("Overwrite"):
        raise errors.validation(
            "Invalid request: tags and overwrite can't be used together. To create a parameter with tags, please "
            "remove overwrite flag. To update tags for an existing parameter, please use AddTagsToResource or "
            "RemoveTagsFromResource."
        )
    _check_enum("type", params.get("Type"), TYPES)
    _check_enum("tier", params.get("Tier"), TIERS)
    data_type = params.get("DataType")
    if data_type is not None and data_type not in DATA_TYPES:
        raise errors.validation(
            f"The following data type is not supported: {data_type} (Data type names are all lowercase.)"
        )
    _check_value(params["Value"])
    if params.get("AllowedPattern"):
        compiled_pattern(params["AllowedPattern"])
    if len(params.get("Tags") or ()) > MAX_TAGS:
        raise errors.too_many_tags()


def _check_enum(member: str, value: object, allowed: tuple[str, ...]) -> None:
    if value is not None and value not in allowed:
        # AWS lists the allowed values last to first.
        raise errors.enum_problem(member, str(value), list(reversed(allowed)))


def _check_value(value: str) -> None:
    if not value:
        raise errors.validation(
            "1 validation error detected: Value at 'value' failed to satisfy constraint: "
            "Member must have length greater than or equal to 1"
        )
    if len(value) > ADVANCED_LIMIT:
        raise errors.value_too_long(ADVANCED_LIMIT)
    if "{{" in value and "}}" in value:
        raise errors.validation(
            'Parameter value can\'t nest another parameter. Do not use "{{}}" in the value.'
        )


@functools.lru_cache(maxsize=512)
def compiled_pattern(pattern: str) -> regex.Pattern[str]:
    try:
        return regex.compile(pattern)
    except (regex.error, ValueError, OverflowError, RecursionError) as error:
        raise errors.invalid_allowed_pattern(str(error)) from None


def matches(pattern: str, value: str) -> bool:
    try:
        return compiled_pattern(pattern).fullmatch(value, timeout=PATTERN_SECONDS) is not None
    except TimeoutError:
        return False


# -- the version to write --------------------------------------------------------------------------------------


def plan(params: dict[str, Any], existing: Parameter | None, now: datetime) -> Plan:
    """The version a PutParameter writes over `existing` (None for a new parameter), or AWS's error."""
    if existing is not None and not params.get("Overwrite"):
        raise errors.already_exists()
    kind = _type(params, existing)
    data_type = _data_type(params, existing, kind)
    if params.get("KeyId") and kind != SECURE_STRING:
        raise errors.validation("KeyId is required for SecureString type parameter only.")
    chosen = _policies(params, existing, now)
    tier = resolve_tier(params.get("Tier"), existing, params["Value"], bool(chosen))
    pattern = _inherited(params, existing, "AllowedPattern", "allowed_pattern")
    if pattern and not matches(pattern, params["Value"]):
        raise errors.pattern_mismatch(pattern)
    description = _inherited(params, existing, "Description", "description")
    key_id = (params.get("KeyId") or DEFAULT_KEY_ID) if kind == SECURE_STRING else None
    return Plan(kind, tier, data_type, description, pattern, chosen, key_id)


def _type(params: dict[str, Any], existing: Parameter | None) -> str:
    requested: str | None = params.get("Type")
    if existing is None:
        if requested is None:
            raise errors.validation("A parameter type is required when you create a parameter.")
        return requested
    if requested is not None and requested != existing.current.type:
        raise errors.type_mismatch()
    return existing.current.type


def _data_type(params: dict[str, Any], existing: Parameter | None, kind: str) -> str:
    requested: str | None = params.get("DataType") or None
    current = existing.current.data_type if existing is not None else None
    if requested is not None and current is not None and requested != current:
        raise errors.validation(
            f"The data type of an existing parameter can't be changed: {existing.name if existing else ''} "
            f"has the data type {current}."
        )
    chosen = requested or current or TEXT
    if chosen == EC2_IMAGE and kind != STRING:
        raise errors.validation(f"The data type {EC2_IMAGE} is supported only for String parameters.")
    return chosen


def _policies(params: dict[str, Any], existing: Parameter | None, now: datetime) -> list[Policy]:
    text = params.get("Policies")
    if text is not None:
        return policies.parse_policies(text, now)
    return list(existing.current.policies) if existing is not None else []


def _inherited(params: dict[str, Any], existing: Parameter | None, member: str, field: str) -> str:
    if member in params:
        return str(params[member] or "")
    return str(getattr(existing.current, field)) if existing is not None else ""


def resolve_tier(requested: str | None, existing: Parameter | None, value: str, has_policies: bool) -> str:
    current = existing.current.tier if existing is not None else None
    needs_advanced = len(value) > STANDARD_LIMIT or has_policies
    if requested == ADVANCED or (requested is None and current == ADVANCED):
        return ADVANCED
    if requested == INTELLIGENT_TIERING:
        return ADVANCED if needs_advanced or current == ADVANCED else STANDARD
    if current == ADVANCED:
        raise errors.validation(
            "This parameter uses the advanced-parameter tier. You can't downgrade a parameter from the "
            "advanced-parameter tier to the standard-parameter tier. If necessary, you can delete the advanced "
            "parameter and recreate it as a standard parameter."
        )
    if len(value) > STANDARD_LIMIT:
        raise errors.validation(
            f"Standard tier parameters support a maximum parameter value of {STANDARD_LIMIT} characters. To create "
            "a larger parameter value, upgrade the parameter to use the advanced-parameter tier. For more "
            f"information, see {_TIERS_DOC}"
        )
    if has_policies:
        raise errors.validation(
            "Parameter policies are supported only for parameters in the advanced-parameter tier. For more "
            f"information, see {_TIERS_DOC}"
        )
    return STANDARD


def expected_tier(params: dict[str, Any], existing: Parameter | None, now: datetime) -> str:
    """The tier a request will get, for choosing the KMS permission to ask (STANDARD when the request is going
    to be refused anyway: the provider answers the same error)."""
    try:
        chosen = _policies(params, existing, now)
        return resolve_tier(params.get("Tier"), existing, str(params.get("Value") or ""), bool(chosen))
    except AwsError:
        return STANDARD


def valid_image_id(value: str) -> bool:
    return _AMI.fullmatch(value) is not None
