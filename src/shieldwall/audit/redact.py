"""Typed request and response dicts → the JSON CloudTrail records as requestParameters / responseElements.

The operation's botocore shapes decide what each value becomes:

- blobs (plaintext, ciphertext, key material, object bodies) never appear: the member is omitted;
- a member whose shape is `sensitive` in the model becomes ``"HIDDEN_DUE_TO_SECURITY_REASONS"``, as in AWS;
- so does a member *named* like a secret (SecretString, Password, SessionToken, SecretAccessKey, PrivateKey,
  Plaintext, ...) even where the model forgot the trait: STS's SessionToken is not marked sensitive;
- timestamps become ISO 8601 UTC strings;
- structure member names start lower-case, as CloudTrail writes them (`KeyId` → `keyId`); map keys stay as
  sent;
- a member the shape does not know is dropped: nothing reaches the trail unless its shape says what it is.

A converter is compiled once per shape and cached, so redacting a request costs one walk over its values.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from botocore.model import Shape

HIDDEN = "HIDDEN_DUE_TO_SECURITY_REASONS"

_SECRET_NAME = re.compile(
    r"password|passphrase|secretstring|secretbinary|secretaccesskey|secretkey|clientsecret|sessiontoken"
    r"|privatekey|plaintext|accesstoken|refreshtoken|idtoken",
    re.IGNORECASE,
)
# A member named like a secret keeps its value when its type cannot carry one (PasswordResetRequired: true);
# structures are walked member by member, blobs are omitted anyway.
_NOT_HIDDEN_BY_NAME = frozenset(
    {"boolean", "integer", "long", "float", "double", "timestamp", "structure", "blob"}
)


class _Omit:
    """The marker for a value that must not appear at all."""


OMIT = _Omit()
Converter = Callable[[Any], Any]

_converters: dict[int, tuple[Shape, Converter]] = {}


def redact(shape: Shape | None, value: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """`value` as CloudTrail would record it under `shape`, or None when nothing remains."""
    if shape is None or value is None:
        return None
    out = converter(shape)(value)
    return out if isinstance(out, dict) and out else None


def converter(shape: Shape) -> Converter:
    cached = _converters.get(id(shape))
    if cached is not None and cached[0] is shape:
        return cached[1]
    built = _build(shape)
    _converters[id(shape)] = (shape, built)
    return built


def camel_member(name: str) -> str:
    return name[:1].lower() + name[1:]


def _build(shape: Shape) -> Converter:
    kind = shape.type_name
    if kind == "blob":
        return _omit
    if shape.metadata.get("sensitive"):
        return _hide
    builder = _BUILDERS.get(kind)
    return builder(shape) if builder is not None else _scalar


def _omit(value: Any) -> _Omit:
    return OMIT


def _hide(value: Any) -> str:
    return HIDDEN


def _scalar(value: Any) -> Any:
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return OMIT


def _timestamp(shape: Shape) -> Converter:
    def convert(value: Any) -> Any:
        if isinstance(value, datetime):
            when = value if value.tzinfo else value.replace(tzinfo=UTC)
            return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        if isinstance(value, int | float) and not isinstance(value, bool):
            return datetime.fromtimestamp(value, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        return value if isinstance(value, str) else OMIT

    return convert


class _Member:
    """How a structure member is recorded: its camelCase name, hidden by its name or converted by its shape's
    converter, resolved on first use (a recursive shape would otherwise be built forever)."""

    __slots__ = ("convert", "hidden", "name", "shape")

    def __init__(self, name: str, shape: Shape) -> None:
        self.name = camel_member(name)
        self.shape = shape
        self.hidden = _named_like_secret(name, shape)
        self.convert: Converter | None = None

    def recorded(self, value: Any) -> Any:
        if self.hidden:
            return HIDDEN
        if self.convert is None:
            self.convert = converter(self.shape)
        return self.convert(value)


def _structure(shape: Shape) -> Converter:
    plan = {name: _Member(name, member) for name, member in shape.members.items()}

    def convert(value: Any) -> Any:
        if type(value) is not dict and not isinstance(value, Mapping):
            return OMIT
        out: dict[str, Any] = {}
        for name, item in value.items():
            member = plan.get(name)
            if member is None:
                continue
            converted = member.recorded(item)
            if converted is not OMIT:
                out[member.name] = converted
        return out

    return convert


def _named_like_secret(name: str, member: Shape) -> bool:
    return member.type_name not in _NOT_HIDDEN_BY_NAME and _SECRET_NAME.search(name) is not None


def _list(shape: Shape) -> Converter:
    item_shape = shape.member
    if item_shape.type_name == "blob":
        return _omit

    def convert(value: Any) -> Any:
        if not isinstance(value, list | tuple):
            return OMIT
        item = converter(item_shape)
        return [converted for converted in map(item, value) if converted is not OMIT]

    return convert


def _secret_entry(key: Any, entry: Any) -> bool:
    """A map entry keyed like a secret (an environment variable DB_PASSWORD) hides its value too."""
    return isinstance(entry, str) and isinstance(key, str) and _secret_key(key)


@functools.lru_cache(maxsize=4096)
def _secret_key(key: str) -> bool:
    return _SECRET_NAME.search(key) is not None


def _map(shape: Shape) -> Converter:
    if shape.key.metadata.get("sensitive"):
        return _hide
    value_shape = shape.value
    if value_shape.type_name == "blob":
        return _omit

    def convert(value: Any) -> Any:
        if type(value) is not dict and not isinstance(value, Mapping):
            return OMIT
        item = converter(value_shape)
        out: dict[str, Any] = {}
        for key, entry in value.items():
            converted = HIDDEN if _secret_entry(key, entry) else item(entry)
            if converted is not OMIT:
                out[str(key)] = converted
        return out

    return convert


_BUILDERS: dict[str, Callable[[Shape], Converter]] = {
    "structure": _structure,
    "list": _list,
    "map": _map,
    "timestamp": _timestamp,
}
