"""Parameter names, hierarchy paths, selectors and labels as Parameter Store validates them, and their ARNs.

- A name is one segment of `a-zA-Z0-9_.-`, or a path of such segments that starts with `/`; spaces around it are
  removed, spaces inside refuse it. It can't start with `ssm` (any case): that is part of the name rules
  (ValidationException). A name starting with `aws` is reserved for AWS's public parameters: writing one is
  AccessDeniedException. At most 15 levels; at most 1011 characters counting the ARN before the name.
- The ARN is `arn:<partition>:ssm:<region>:<account>:parameter/<name without its leading slash>`, so `/a/b` and
  `a/b` would share one; `a/b` is not a valid name, and `/a` and `a` are two parameters with one ARN (as in AWS).
- A selector follows the name after a colon: a version number (`name:3`) or a label (`name:prod`).
- Labels: at most 100 of `a-zA-Z0-9_.-`, not starting with a digit, `aws` or `ssm` (any case).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from shieldwall import arn
from shieldwall.services.base import Call
from shieldwall.services.ssm import errors

MAX_LEVELS = 15
_CACHED = 4096
MAX_NAME_WITH_ARN = 1011
_SEGMENT = r"[A-Za-z0-9_.\-]+"
_NAME = re.compile(rf"{_SEGMENT}|(?:/{_SEGMENT})+")
_PATH = re.compile(rf"/|(?:/{_SEGMENT})+/?")
_LABEL = re.compile(r"[A-Za-z_.\-][A-Za-z0-9_.\-]*")
_VERSION = re.compile(r"[1-9][0-9]{0,18}")
# Names seen lately, checked: a GetParameter checks its name in its authorization rule and again in the provider.
_selections: dict[tuple[str, str, str, str], Selected] = {}


@dataclass(frozen=True, slots=True)
class Selected:
    """A name as a request gives it: the parameter's name and an optional version or label."""

    name: str
    version: int | None = None
    label: str | None = None
    via_arn: bool = False  # named by ARN: `name` may also be spelled with a leading slash
    foreign_arn: str | None = None  # the ARN of another account's or Region's parameter (not served here)

    @property
    def selector(self) -> str | None:
        if self.version is not None:
            return f":{self.version}"
        return f":{self.label}" if self.label is not None else None

    def spellings(self) -> tuple[str, ...]:
        """The stored names this may denote (an ARN's `parameter/x` is the parameter `x` or `/x`)."""
        if self.via_arn and not self.name.startswith("/"):
            return (self.name, f"/{self.name}")
        return (self.name,)


def parameter_arn(call: Call, name: str) -> str:
    return _arn(call.partition, call.region, call.account_id, name)


@functools.lru_cache(maxsize=_CACHED)
def _arn(partition: str, region: str, account: str, name: str) -> str:
    return arn.build("ssm", region, account, f"parameter/{name.removeprefix('/')}", partition)


def check_name(raw: str, call: Call) -> str:
    """The parameter name `raw` denotes, or AWS's error for it."""
    return _checked_name(raw, call.partition, call.region, call.account_id)


@functools.lru_cache(maxsize=_CACHED)
def _checked_name(raw: str, partition: str, region: str, account: str) -> str:
    name = raw.strip(" ")
    if _NAME.fullmatch(name) is None or name.removeprefix("/").lower().startswith("ssm"):
        raise errors.invalid_name()
    if name.count("/") > MAX_LEVELS:
        raise errors.hierarchy_too_deep()
    if len(_arn(partition, region, account, name)) > MAX_NAME_WITH_ARN:
        raise errors.validation(
            f"The parameter name is too long: with the ARN before it, a name can have at most "
            f"{MAX_NAME_WITH_ARN} characters."
        )
    return name


def check_writable(name: str) -> None:
    """Names starting with `aws` belong to AWS's public parameters."""
    if name.removeprefix("/").lower().startswith("aws"):
        raise errors.reserved_name(name)


def check_path(raw: str) -> str:
    """A GetParametersByPath hierarchy: `/` or `/a/b`, a trailing slash ignored."""
    path = raw.strip(" ")
    if _PATH.fullmatch(path) is None:
        raise errors.invalid_path()
    if path != "/":
        path = path.rstrip("/")
    if path.count("/") > MAX_LEVELS:
        raise errors.hierarchy_too_deep()
    return path


def path_arn(call: Call, path: str) -> str:
    return arn.build("ssm", call.region, call.account_id, f"parameter{path}", call.partition)


def select(raw: str, call: Call) -> Selected:
    """`name`, `name:3`, `name:label`, or the same with the parameter's ARN for the name."""
    return _selected(raw, call)


def _selected(raw: str, call: Call) -> Selected:
    key = (raw, call.partition, call.region, call.account_id)
    found = _selections.get(key)
    if found is None:
        found = _select(raw, call)
        if len(_selections) >= _CACHED:
            _selections.clear()
        _selections[key] = found
    return found


def _select(raw: str, call: Call) -> Selected:
    text = raw.strip(" ")
    if text.startswith("arn:"):
        return _select_by_arn(text, call)
    name, colon, selector = text.partition(":")
    found = check_name(name, call)
    return _with_selector(found, selector) if colon else Selected(found)


def _select_by_arn(text: str, call: Call) -> Selected:
    try:
        parsed = arn.parse(text)
    except ValueError:
        raise errors.invalid_name() from None
    kind, _, rest = parsed.resource.partition("/")
    if parsed.service != "ssm" or kind != "parameter" or not rest:
        raise errors.invalid_name()
    name, colon, selector = rest.partition(":")
    found = check_name(f"/{name}" if "/" in name else name, call)
    chosen = _with_selector(found, selector) if colon else Selected(found)
    foreign = None
    if (parsed.partition, parsed.account, parsed.region) != (call.partition, call.account_id, call.region):
        foreign = arn.build("ssm", parsed.region, parsed.account, f"parameter/{name}", parsed.partition)
    return Selected(chosen.name, chosen.version, chosen.label, via_arn=True, foreign_arn=foreign)


def _with_selector(name: str, selector: str) -> Selected:
    if _VERSION.fullmatch(selector):
        return Selected(name, version=int(selector))
    if is_valid_label(selector):
        return Selected(name, label=selector)
    raise errors.invalid_name()


def selected_arn(call: Call, selected: Selected) -> str:
    """The ARN a selection is authorized on: its own when it names another account's parameter."""
    return selected.foreign_arn or parameter_arn(call, selected.name)


def is_valid_label(label: str) -> bool:
    return (
        len(label) <= 100
        and _LABEL.fullmatch(label) is not None
        and not label.lower().startswith(("aws", "ssm"))
    )
