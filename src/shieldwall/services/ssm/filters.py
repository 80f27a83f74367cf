"""ParameterFilters (and DescribeParameters' deprecated Filters): parsing, checking and matching.

DescribeParameters takes Name (Equals, BeginsWith, Contains), Type, KeyId, Tier, DataType and `tag:<key>`
(Equals, BeginsWith), and Path (OneLevel, Recursive); GetParametersByPath takes Type and KeyId (Equals,
BeginsWith) and Label (Equals). Filters are ANDed, the values of one filter ORed. A `tag:<key>` filter without
values matches every parameter that has the tag.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from shieldwall.services.ssm import errors
from shieldwall.services.ssm.models import Parameter, Version
from shieldwall.services.ssm.names import check_path
from shieldwall.services.ssm.putting import DATA_TYPES, TIERS, TYPES

EQUALS = "Equals"
BEGINS_WITH = "BeginsWith"
CONTAINS = "Contains"
ONE_LEVEL = "OneLevel"
RECURSIVE = "Recursive"
DESCRIBE_KEYS = ("Name", "Type", "KeyId", "Path", "Tier", "DataType", "tag")
PATH_KEYS = ("Type", "KeyId", "Label")
_OPTIONS = {
    "Name": (BEGINS_WITH, CONTAINS, EQUALS),
    "Path": (ONE_LEVEL, RECURSIVE),
    "Label": (EQUALS,),
}
_DEFAULT_OPTIONS = (BEGINS_WITH, EQUALS)
_ENUMS = {"Type": TYPES, "Tier": TIERS, "DataType": DATA_TYPES}


@dataclass(frozen=True, slots=True)
class Filter:
    key: str  # Name, Type, ..., or tag:<key>
    option: str
    values: tuple[str, ...]


def path_filters(raw: Sequence[Mapping[str, Any]] | None) -> list[Filter]:
    return [_parse(entry, PATH_KEYS) for entry in raw or ()]


def describe_filters(params: Mapping[str, Any]) -> list[Filter]:
    legacy, current = params.get("Filters"), params.get("ParameterFilters")
    if legacy and current:
        raise errors.validation("You can use either Filters or ParameterFilters in a single request.")
    if legacy:
        return [_legacy(entry) for entry in legacy]
    return [_parse(entry, DESCRIBE_KEYS) for entry in current or ()]


def _legacy(entry: Mapping[str, Any]) -> Filter:
    key = str(entry["Key"])
    return Filter(key, BEGINS_WITH if key == "Name" else EQUALS, tuple(entry["Values"]))


def _parse(entry: Mapping[str, Any], valid: Sequence[str]) -> Filter:
    key = str(entry["Key"])
    family = "tag" if key.startswith("tag:") and len(key) > 4 else key
    if family not in valid:
        shown = [name if name != "tag" else "tag:<key>" for name in valid]
        raise errors.invalid_filter_key(key, shown)
    options = _OPTIONS.get(family, _DEFAULT_OPTIONS)
    option = str(entry.get("Option") or (ONE_LEVEL if family == "Path" else EQUALS))
    if option not in options:
        raise errors.invalid_filter_option(option, options)
    values = tuple(str(value) for value in entry.get("Values") or ())
    if not values and family != "tag":
        raise errors.invalid_filter_value(f"The following filter needs at least one value: {key}.")
    _check_values(family, values)
    if family == "Path":
        values = tuple(check_path(value) for value in values)
    return Filter(key, option, values)


def _check_values(family: str, values: tuple[str, ...]) -> None:
    allowed = _ENUMS.get(family)
    for value in values:
        if allowed is not None and value not in allowed:
            raise errors.invalid_filter_value(
                f"The following filter value is not valid: {value}. Valid values include: [{', '.join(allowed)}]."
            )


# -- matching --------------------------------------------------------------------------------------------------


def accepts(filters: Sequence[Filter], parameter: Parameter, version: Version) -> bool:
    return all(_accepts(entry, parameter, version) for entry in filters)


def _accepts(entry: Filter, parameter: Parameter, version: Version) -> bool:
    if entry.key.startswith("tag:"):
        tag = parameter.tags.get(entry.key[4:])
        return tag is not None and (not entry.values or _compare(entry, tag))
    if entry.key == "Path":
        return any(in_path(parameter.name, path, entry.option == RECURSIVE) for path in entry.values)
    if entry.key == "Label":
        return any(parameter.labels.get(label) == version.number for label in entry.values)
    field = _FIELDS[entry.key](parameter, version)
    return field is not None and _compare(entry, field)


def _compare(entry: Filter, field: str) -> bool:
    test = _TESTS[entry.option]
    return any(test(field, value) for value in entry.values)


_TESTS: dict[str, Callable[[str, str], bool]] = {
    EQUALS: lambda field, value: field == value,
    BEGINS_WITH: lambda field, value: field.startswith(value),
    CONTAINS: lambda field, value: value in field,
}
_FIELDS: dict[str, Callable[[Parameter, Version], str | None]] = {
    "Name": lambda parameter, _: parameter.name,
    "Type": lambda _, version: version.type,
    "KeyId": lambda _, version: version.key_id,
    "Tier": lambda _, version: version.tier,
    "DataType": lambda _, version: version.data_type,
}


def in_path(name: str, path: str, recursive: bool) -> bool:
    """Whether `name` lies under the hierarchy `path`: one level down, or anywhere below when recursive. A name
    without a leading slash lies at the root."""
    full = name if name.startswith("/") else f"/{name}"
    base = "" if path == "/" else path
    if not full.startswith(f"{base}/"):
        return False
    return recursive or "/" not in full[len(base) + 1 :]


def labelled(filters: Sequence[Filter]) -> tuple[str, ...]:
    """The labels a GetParametersByPath asks for (each parameter is then shown at its labelled version)."""
    return tuple(value for entry in filters if entry.key == "Label" for value in entry.values)
