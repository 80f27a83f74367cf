"""The pages of GetParametersByPath, GetParameterHistory and DescribeParameters, computed one way for the
authorization rule (which must ask kms:Decrypt for exactly the SecureStrings a page will decrypt) and for the
provider.

A page is chosen without the clock: a parameter whose Expiration has passed still takes its place (the
provider then deletes it and leaves it out), so the rule and the provider, running one after the other on the
same stored state, always see the same page. AWS allows it: a page may hold fewer items than MaxResults.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from shieldwall.services.ssm.filters import Filter, accepts, in_path, labelled
from shieldwall.services.ssm.models import Parameter, Version
from shieldwall.services.ssm.records import list_versions, read_version
from shieldwall.store.base import Reader, Scope

_CHUNK = 200


@dataclass(frozen=True, slots=True)
class Page:
    items: list[tuple[Parameter, Version]]
    next_after: str | None  # where the next page starts, when there is one


def parameters(reader: Reader, scope: Scope, prefix: str = "", after: str = "") -> Iterator[Parameter]:
    """Every parameter whose name starts with `prefix`, after `after`, in name order, read in chunks."""
    cursor = after
    while True:
        rows = reader.list(scope, Parameter, prefix=prefix, after=cursor, limit=_CHUNK)
        for _, parameter in rows:
            yield parameter
        if len(rows) < _CHUNK:
            return
        cursor = rows[-1][0]


def first(found: Iterator[tuple[Parameter, Version]], limit: int) -> Page:
    items: list[tuple[Parameter, Version]] = []
    for item in found:
        if len(items) == limit:
            return Page(items, items[-1][0].name)
        items.append(item)
    return Page(items, None)


def path_page(
    reader: Reader,
    scope: Scope,
    path: str,
    recursive: bool,
    filters: Sequence[Filter],
    after: str,
    limit: int,
) -> Page:
    """GetParametersByPath: the parameters under `path` (one level down, or all of them) that pass the filters,
    each at its current version or, with a Label filter, at its labelled version."""
    prefix = "/" if path == "/" else f"{path}/"
    names = parameters(reader, scope, "" if path == "/" else prefix, after)
    chosen = (
        (parameter, version)
        for parameter in names
        if in_path(parameter.name, path, recursive)
        for version in _shown_version(reader, scope, parameter, filters)
        if accepts(filters, parameter, version)
    )
    return first(chosen, limit)


def _shown_version(
    reader: Reader, scope: Scope, parameter: Parameter, filters: Sequence[Filter]
) -> list[Version]:
    labels = labelled(filters)
    if not labels:
        return [parameter.current]
    for label in labels:
        number = parameter.labels.get(label)
        if number is not None:
            found = read_version(reader, scope, parameter, number)
            return [found] if found is not None else []
    return []


def describe_page(reader: Reader, scope: Scope, filters: Sequence[Filter], after: str, limit: int) -> Page:
    chosen = (
        (parameter, parameter.current)
        for parameter in parameters(reader, scope, "", after)
        if accepts(filters, parameter, parameter.current)
    )
    return first(chosen, limit)


def history_page(
    reader: Reader, scope: Scope, parameter: Parameter, after: int, limit: int
) -> tuple[list[Version], int | None]:
    """GetParameterHistory: versions oldest first, after version `after`; (versions, the next page's `after`)."""
    found = list_versions(reader, scope, parameter.name, after, limit + 1)
    if len(found) > limit:
        return found[:limit], found[limit - 1].number
    return found, None
