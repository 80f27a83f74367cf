"""What every IAM module shares: AWS's error wording, name and path checks, paging, the provider's base."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any, TypeVar

from shieldwall import arn
from shieldwall.errors import AwsError
from shieldwall.protocol.validate import Problem, summary
from shieldwall.services.base import Call
from shieldwall.services.paging import page_after
from shieldwall.store.base import Reader, Transaction
from shieldwall.store.sqlite import SqliteStore

T = TypeVar("T")

NAME_PATTERN = r"[\w+=,.@-]+"
PATH_PATTERN = r"(\u002F)|(\u002F[\u0021-\u007E]+\u002F)"
_NAME = re.compile(NAME_PATTERN)
_PATH = re.compile(r"/|/[\x21-\x7e]+/")
DEFAULT_MAX_ITEMS = 100
MAX_TAGS = 50


def no_such_entity(message: str) -> AwsError:
    return AwsError("NoSuchEntity", message, 404)


def already_exists(message: str) -> AwsError:
    return AwsError("EntityAlreadyExists", message, 409)


def delete_conflict(message: str) -> AwsError:
    return AwsError("DeleteConflict", message, 409)


def limit_exceeded(message: str) -> AwsError:
    return AwsError("LimitExceeded", message, 409)


def invalid_input(message: str) -> AwsError:
    return AwsError("InvalidInput", message, 400)


def check_names(**members: str | None) -> None:
    """ValidationError, worded as AWS's validator words it, for every member that is not an IAM name."""
    problems = [
        Problem(
            _lower_first(member), value, f"Member must satisfy regular expression pattern: {NAME_PATTERN}"
        )
        for member, value in members.items()
        if value is not None and not _NAME.fullmatch(value)
    ]
    _raise_problems(problems)


def check_paths(**members: str | None) -> None:
    problems = [
        Problem(
            _lower_first(member), value, f"Member must satisfy regular expression pattern: {PATH_PATTERN}"
        )
        for member, value in members.items()
        if value is not None and not _PATH.fullmatch(value)
    ]
    _raise_problems(problems)


def _raise_problems(problems: list[Problem]) -> None:
    if problems:
        raise AwsError("ValidationError", summary(problems), 400)


def _lower_first(name: str) -> str:
    return name[:1].lower() + name[1:]


def iam_arn(call: Call, kind: str, path: str, name: str) -> str:
    return arn.build("iam", "", call.account_id, f"{kind}{path}{name}", call.partition)


def with_path_prefix(items: Iterable[T], path_of: Callable[[T], str], prefix: str | None) -> list[T]:
    if not prefix:
        return list(items)
    return [item for item in items if path_of(item).startswith(prefix)]


def page(
    keyed: Sequence[tuple[str, T]], marker: str | None, max_items: int | None
) -> tuple[list[T], dict[str, Any]]:
    """One page of `keyed` (sorted by key) after `marker`, and the IsTruncated/Marker members of the answer."""
    chosen, following = page_after(keyed, marker, max_items or DEFAULT_MAX_ITEMS, _invalid_marker)
    info: dict[str, Any] = {"IsTruncated": following is not None}
    if following is not None:
        info["Marker"] = following
    return chosen, info


def _invalid_marker() -> AwsError:
    return AwsError("ValidationError", "Invalid Marker.", 400)


def tag_list(tags: dict[str, str]) -> list[dict[str, str]]:
    return [{"Key": key, "Value": value} for key, value in tags.items()]


def merged_tags(existing: dict[str, str], new: list[dict[str, str]] | None) -> dict[str, str]:
    """`existing` with `new` applied: keys differing only in case are one key; more than 50 is refused."""
    merged = dict(existing)
    seen: set[str] = set()
    for tag in new or []:
        folded = tag["Key"].lower()
        if folded in seen:
            raise invalid_input("Duplicate tag keys found. Please note that Tag keys are case insensitive.")
        seen.add(folded)
        for key in [key for key in merged if key.lower() == folded]:
            del merged[key]
        merged[tag["Key"]] = tag["Value"]
    if len(merged) > MAX_TAGS:
        raise limit_exceeded(f"The number of tags has reached the maximum limit of {MAX_TAGS}.")
    return merged


def without_tags(existing: dict[str, str], keys: list[str]) -> dict[str, str]:
    folded = {key.lower() for key in keys}
    return {key: value for key, value in existing.items() if key.lower() not in folded}


def by_name(record: Any) -> tuple[str, Any]:
    """A name-keyed record (user, role, policy) with its store key, for `IamBase.retag`."""
    return record.name.lower(), record


def tags_page(tags: dict[str, str], params: dict[str, Any]) -> dict[str, Any]:
    """List*Tags: one page of a record's tags."""
    keyed = [(f"{index:05d}", tag) for index, tag in enumerate(tag_list(tags))]
    chosen, info = page(keyed, params.get("Marker"), params.get("MaxItems"))
    return {"Tags": chosen, **info}


class IamBase:
    """State every part of the IAM provider reads: the store and the helpers that find records or fail."""

    store: SqliteStore

    def retag(
        self,
        call: Call,
        locate: Callable[[Transaction], tuple[str, Any]],
        change: Callable[[dict[str, str]], dict[str, str]],
    ) -> dict[str, Any]:
        """Tag* / Untag*: `locate` finds the record (its store key and itself), `change` gives its new tags."""
        with self.store.transaction() as tx:
            key, record = locate(tx)
            record.tags = change(record.tags)
            tx.put(call.account_scope, key, record)
        return {}

    def read_required(self, reader: Reader, call: Call, model: type[T], name: str, missing: str) -> T:
        found = reader.get(call.account_scope, model, name.lower())
        if found is None:
            raise no_such_entity(missing)
        return found


def now_seconds(call: Call) -> datetime:
    """IAM reports creation times in whole seconds."""
    return call.now().replace(microsecond=0)


# Service-linked roles live under this path and belong to their service (IAM answers UnmodifiableEntity).
SERVICE_ROLE_PATH = "/aws-service-role/"
