"""How one scalar arrives on the wire and becomes its typed value: text (query, URI, header, XML) and JSON.

Decoders are picked once per shape when an operation's plan is built; each one either returns the typed value
or raises `InvalidValue`, which the protocol parser turns into that protocol's AWS error (a JSON service's
`SerializationException`, a query service's `InvalidParameterValue`, S3's `InvalidArgument`/`MalformedXML`).
Timestamps are parsed leniently across the three AWS formats, the member's own format first.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any

import botocore.model

Decoder = Callable[[Any], Any]

INT32 = (-(2**31), 2**31 - 1)
INT64 = (-(2**63), 2**63 - 1)
_RANGES = {"integer": INT32, "long": INT64}
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_INTEGER = re.compile(r"[+-]?[0-9]+\Z")
_DECIMAL = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?\Z")
_SPECIAL_FLOATS = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}
_BASE64 = re.compile(r"[A-Za-z0-9+/]*={0,2}\Z")
# Java's names for the types, as AWS's deserializers word their complaints.
TYPE_NAMES = {
    "string": "String",
    "integer": "Integer",
    "long": "Long",
    "float": "Float",
    "double": "Double",
    "boolean": "Boolean",
    "timestamp": "Date",
    "blob": "ByteBuffer",
    "structure": "Structure",
    "list": "List",
    "map": "Map",
}


class InvalidValue(Exception):
    """A wire value that cannot become its shape's type; `path` names where, outermost member first."""

    def __init__(self, value: object, expected: str) -> None:
        super().__init__(f"cannot read {value!r} as {expected}")
        self.value = value
        self.expected = expected
        self.path: list[str] = []

    def at(self, name: str) -> InvalidValue:
        self.path.insert(0, name)
        return self

    @property
    def where(self) -> str:
        return ".".join(self.path)


def timestamp_format(shape: botocore.model.Shape, default: str) -> str:
    return str(shape.serialization.get("timestampFormat", default)).lower()


# -- text (query protocol, URI labels, query strings, headers, XML text) --------------------------------------


def text_decoder(shape: botocore.model.Shape, default_timestamp: str) -> Decoder:
    """The decoder of one scalar written as text; strings stay exactly as sent."""
    kind = shape.type_name
    if kind in _RANGES:
        return _int_from_text(kind)
    if kind in ("float", "double"):
        return _float_from_text
    if kind == "boolean":
        return _bool_from_text
    if kind == "timestamp":
        return _timestamp_from_text(timestamp_format(shape, default_timestamp))
    if kind == "blob":
        return blob_from_base64
    return _identity


def _identity(value: Any) -> Any:
    return value


def _int_from_text(kind: str) -> Decoder:
    low, high = _RANGES[kind]

    def decode(text: str) -> int:
        stripped = text.strip()
        if len(stripped) > 24 or not _INTEGER.match(stripped):
            raise InvalidValue(text, TYPE_NAMES[kind])
        number = int(stripped)
        if not low <= number <= high:
            raise InvalidValue(text, TYPE_NAMES[kind])
        return number

    return decode


def _float_from_text(text: str) -> float:
    stripped = text.strip()
    special = _SPECIAL_FLOATS.get(stripped)
    if special is not None:
        return special
    if len(stripped) > 4096 or not _DECIMAL.match(stripped):
        raise InvalidValue(text, "Double")
    return float(stripped)


def _bool_from_text(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered == "true":
        return True
    if lowered == "false":
        return False
    raise InvalidValue(text, "Boolean")


def blob_from_base64(text: str) -> bytes:
    compact = "".join(text.split())
    if len(compact) % 4 or not _BASE64.match(compact):
        raise InvalidValue(text, "ByteBuffer")
    try:
        return base64.b64decode(compact, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise InvalidValue(text, "ByteBuffer") from exc


def _timestamp_from_text(preferred: str) -> Decoder:
    readers = [_READERS[preferred], *(reader for name, reader in _READERS.items() if name != preferred)]

    def decode(text: str) -> datetime:
        stripped = text.strip()
        for reader in readers:
            try:
                return reader(stripped)
            except (ValueError, TypeError, OverflowError, IndexError):
                continue
        raise InvalidValue(text, "Date")

    return decode


def _read_iso8601(text: str) -> datetime:
    return aware(datetime.fromisoformat(text))


def _read_rfc822(text: str) -> datetime:
    return aware(parsedate_to_datetime(text))


def _read_epoch_text(text: str) -> datetime:
    if not _DECIMAL.match(text):
        raise ValueError(text)
    return epoch_seconds(float(text))


_READERS: dict[str, Callable[[str], datetime]] = {
    "iso8601": _read_iso8601,
    "rfc822": _read_rfc822,
    "unixtimestamp": _read_epoch_text,
}


def aware(value: datetime) -> datetime:
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def epoch_seconds(seconds: float) -> datetime:
    if not math.isfinite(seconds):
        raise ValueError(seconds)
    return _EPOCH + timedelta(seconds=seconds)


def split_header_list(value: str) -> list[str]:
    """A comma-separated header list; items containing commas arrive double-quoted with `\\"` escapes."""
    items: list[str] = []
    current: list[str] = []
    quoted = escaped = False
    for char in value:
        if escaped:
            current.append(char)
            escaped = False
        elif quoted and char == "\\":
            escaped = True
        elif char == '"':
            quoted = not quoted
        elif char == "," and not quoted:
            items.append("".join(current).strip())
            current = []
        else:
            current.append(char)
    if quoted:
        raise InvalidValue(value, "List")
    items.append("".join(current).strip())
    return items


def json_value_header(text: str) -> Any:
    """A `jsonvalue` header: base64 of a JSON document."""
    try:
        return json.loads(blob_from_base64(text).decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise InvalidValue(text, "JSON") from exc


# -- JSON bodies ---------------------------------------------------------------------------------------------


def json_scalar_decoder(shape: botocore.model.Shape, default_timestamp: str = "unixtimestamp") -> Decoder:
    kind = shape.type_name
    if kind in _RANGES:
        return _int_from_json(kind)
    if kind in ("float", "double"):
        return _float_from_json
    if kind == "boolean":
        return _bool_from_json
    if kind == "timestamp":
        return _timestamp_from_json(timestamp_format(shape, default_timestamp))
    if kind == "blob":
        return _blob_from_json
    return _string_from_json


def _string_from_json(value: Any) -> str:
    if type(value) is not str:
        raise InvalidValue(value, "String")
    return value


def _int_from_json(kind: str) -> Decoder:
    low, high = _RANGES[kind]
    name = TYPE_NAMES[kind]

    def decode(value: Any) -> int:
        if type(value) is not int or not low <= value <= high:
            raise InvalidValue(value, name)
        return value

    return decode


def _float_from_json(value: Any) -> float:
    kind = type(value)
    if kind is float or kind is int:
        return float(value)
    if kind is str and value in _SPECIAL_FLOATS:
        return _SPECIAL_FLOATS[value]
    raise InvalidValue(value, "Double")


def _bool_from_json(value: Any) -> bool:
    if type(value) is not bool:
        raise InvalidValue(value, "Boolean")
    return value


def _blob_from_json(value: Any) -> bytes:
    if type(value) is not str:
        raise InvalidValue(value, "ByteBuffer")
    return blob_from_base64(value)


def _timestamp_from_json(preferred: str) -> Decoder:
    from_text = _timestamp_from_text(preferred)

    def decode(value: Any) -> datetime:
        kind = type(value)
        if kind is int or kind is float:
            try:
                return epoch_seconds(value)
            except (ValueError, OverflowError) as exc:
                raise InvalidValue(value, "Date") from exc
        if kind is str:
            return from_text(value)  # type: ignore[no-any-return]
        raise InvalidValue(value, "Date")

    return decode


def json_token(value: Any) -> str:
    """How AWS's JSON deserializer names the token it found, e.g. `NUMBER_VALUE`."""
    if value is True:
        return "TRUE_VALUE"
    if value is False:
        return "FALSE_VALUE"
    if isinstance(value, int | float):
        return "NUMBER_VALUE"
    if isinstance(value, str):
        return "STRING_VALUE"
    return "VALUE"


def json_type_message(error: InvalidValue) -> str:
    """AWS's SerializationException wording for a JSON value of the wrong type."""
    value = error.value
    if isinstance(value, dict):
        return "Start of structure or map found where not expected."
    if isinstance(value, list):
        return "Start of list found where not expected."
    if error.expected in ("Structure", "Map"):
        return f"{json_token(value)} cannot be converted to a structure or map"
    if error.expected == "List":
        return f"{json_token(value)} cannot be converted to a list"
    return f"{json_token(value)} cannot be converted to {error.expected}"
