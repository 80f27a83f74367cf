"""ListSecrets' filters, order and pages, shared with BatchGetSecretValue (which also takes Filters).

Filters (API reference, "Filter"; user guide, "Find secrets"): name, tag-key, tag-value, primary-region and
owning-service match a prefix, case-sensitively; description matches each word of the value against the start
of a word of the description, case-insensitively; `all` breaks the value into words (at every change from
upper to lower case, letter to digit, or to punctuation) and matches them against the words of the name,
description and tags, case-insensitively. A value starting with `!` excludes what it matches. The values of one
key are alternatives; different keys must all match.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

from shieldwall.errors import AwsError
from shieldwall.services.base import Call, Params
from shieldwall.services.secretsmanager import errors
from shieldwall.services.secretsmanager.models import Secret
from shieldwall.services.secretsmanager.names import parse_secret_id
from shieldwall.services.secretsmanager.records import find_secret, listed_secrets
from shieldwall.services.secretsmanager.views import listed, primary_region
from shieldwall.spec.loader import service_model
from shieldwall.store.base import Store
from shieldwall.store.sqlite import SqliteStore

T = TypeVar("T")
FILTER_KEYS = tuple(service_model("secretsmanager").shape_for("FilterNameStringType").enum)
SORT_BY = tuple(service_model("secretsmanager").shape_for("SortByType").enum)
SORT_ORDERS = ("asc", "desc")
_WORDS = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|[0-9]+")
_TOKEN_PREFIX = "sw1:"
_EPOCH = datetime.fromtimestamp(0, UTC)


def words(text: str) -> list[str]:
    return [word.lower() for word in _WORDS.findall(text)]


def check_filters(filters: Sequence[Mapping[str, Any]]) -> None:
    for index, entry in enumerate(filters, start=1):
        key = entry.get("Key")
        if key is not None and key not in FILTER_KEYS:
            raise errors.enum_problem(f"filters.{index}.member.key", str(key), FILTER_KEYS)


def matches(secret: Secret, filters: Sequence[Mapping[str, Any]]) -> bool:
    return all(_matches_filter(secret, str(entry.get("Key")), entry.get("Values") or []) for entry in filters)


def _matches_filter(secret: Secret, key: str, values: Sequence[str]) -> bool:
    test = _TESTS[key]
    wanted = [value for value in values if not value.startswith("!")]
    unwanted = [value[1:] for value in values if value.startswith("!")]
    if any(test(secret, value) for value in unwanted):
        return False
    return not wanted or any(test(secret, value) for value in wanted)


def _name(secret: Secret, value: str) -> bool:
    return secret.name.startswith(value)


def _description(secret: Secret, value: str) -> bool:
    described = words(secret.description or "")
    return all(any(word.startswith(part) for word in described) for part in words(value))


def _tag_key(secret: Secret, value: str) -> bool:
    return any(key.startswith(value) for key in secret.tags)


def _tag_value(secret: Secret, value: str) -> bool:
    return any(tag.startswith(value) for tag in secret.tags.values())


def _primary_region(secret: Secret, value: str) -> bool:
    region = primary_region(secret)
    return region is not None and region.startswith(value)


def _owning_service(secret: Secret, value: str) -> bool:
    return False  # no secret here is managed by another service


def _all(secret: Secret, value: str) -> bool:
    texts = [secret.name, secret.description or "", *secret.tags, *secret.tags.values()]
    found = [word for text in texts for word in words(text)]
    return all(any(word.startswith(part) for word in found) for part in words(value))


_TESTS: dict[str, Callable[[Secret, str], bool]] = {
    "name": _name,
    "description": _description,
    "tag-key": _tag_key,
    "tag-value": _tag_value,
    "primary-region": _primary_region,
    "owning-service": _owning_service,
    "all": _all,
}


def ordered(secrets: Iterable[Secret], sort_by: str | None, order: str | None) -> list[Secret]:
    if sort_by is not None and sort_by not in SORT_BY:
        raise errors.enum_problem("sortBy", sort_by, SORT_BY)
    if order is not None and order not in SORT_ORDERS:
        raise errors.enum_problem("sortOrder", order, SORT_ORDERS)
    key: Callable[[Secret], Any] = {
        "name": lambda secret: secret.name,
        "last-accessed-date": lambda secret: (secret.last_accessed or _EPOCH, secret.name),
        "last-changed-date": lambda secret: (secret.last_changed, secret.name),
    }.get(sort_by or "", lambda secret: (secret.created, secret.name))
    return sorted(secrets, key=key, reverse=order == "desc")


def page(items: Sequence[T], token: str | None, size: int) -> tuple[list[T], str | None]:
    start = decode_token(token) if token else 0
    chosen = list(items[start : start + size])
    following = start + size if start + size < len(items) else None
    return chosen, encode_token(following) if following is not None else None


def encode_token(offset: int) -> str:
    return base64.urlsafe_b64encode(f"{_TOKEN_PREFIX}{offset}".encode()).decode("ascii")


def decode_token(token: str) -> int:
    try:
        text = base64.urlsafe_b64decode(token.encode("ascii")).decode("ascii")
    except (binascii.Error, UnicodeError, ValueError):
        raise errors.invalid_next_token() from None
    if not text.startswith(_TOKEN_PREFIX) or not text[len(_TOKEN_PREFIX) :].isdigit():
        raise errors.invalid_next_token()
    return int(text[len(_TOKEN_PREFIX) :])


def filtered(store: Store, call: Call, params: Mapping[str, Any], *, planned: bool) -> list[Secret]:
    filters = params.get("Filters") or []
    check_filters(filters)
    live = listed_secrets(store, call.regional_scope, call.now())
    chosen = [s for s in live if (planned or not s.is_deleted) and matches(s, filters)]
    return ordered(chosen, params.get("SortBy"), params.get("SortOrder"))


# -- BatchGetSecretValue's secrets -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Target:
    secret_id: str
    secret: Secret | None
    error: AwsError | None = None


BATCH_PAGE = 20


def batch_targets(store: Store, call: Call, params: Mapping[str, Any]) -> list[Target]:
    """The secrets a BatchGetSecretValue reads, in answer order (by SecretIdList, or one page of Filters)."""
    return batch_page(store, call, params)[0]


def batch_page(store: Store, call: Call, params: Mapping[str, Any]) -> tuple[list[Target], str | None]:
    ids, filters = params.get("SecretIdList"), params.get("Filters")
    if ids and filters:
        raise errors.invalid_parameter("Either 'SecretIdList' or 'Filters' must be provided, but not both.")
    if not ids and not filters:
        raise errors.invalid_parameter("Either 'SecretIdList' or 'Filters' must be provided.")
    if params.get("MaxResults") is not None and not filters:
        raise errors.invalid_parameter(
            "'Filters' not specified. 'Filters' must also be specified when 'MaxResults' is provided."
        )
    if ids:
        return [_target(store, call, str(value)) for value in dict.fromkeys(ids)], None
    chosen, token = page(
        filtered(store, call, params, planned=False),
        params.get("NextToken"),
        params.get("MaxResults") or BATCH_PAGE,
    )
    return [Target(secret.arn, secret) for secret in chosen], token


def _target(store: Store, call: Call, secret_id: str) -> Target:
    try:
        ref = parse_secret_id(secret_id, call)
    except AwsError as error:
        return Target(secret_id, None, error)
    secret = find_secret(store, ref, call.now())
    return Target(secret_id, secret, None if secret is not None else errors.not_found())


# -- ListSecrets ---------------------------------------------------------------------------------------------------

LIST_PAGE = 100


class ListingMixin:
    store: SqliteStore

    def list_secrets(self, call: Call, params: Params) -> Params:
        secrets = filtered(self.store, call, params, planned=bool(params.get("IncludePlannedDeletion")))
        size = min(int(params.get("MaxResults") or LIST_PAGE), LIST_PAGE)
        chosen, token = page(secrets, params.get("NextToken"), size)
        out: Params = {"SecretList": [listed(secret) for secret in chosen]}
        if token is not None:
            out["NextToken"] = token
        return out
